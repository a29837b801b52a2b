"""A real PostgreSQL server on 127.0.0.1 and a free port, for the tests that claim PostgreSQL works.

It uses the machine's PostgreSQL binaries (Debian's ``postgresql`` package puts
them in ``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as
root, so when the tests run as root the cluster belongs to the ``postgres``
user and its commands run as that user (``subprocess``'s ``user=``, not
``runuser``: the child is the server itself, so the signal that stops it
reaches it). The cluster lives in a fresh folder in memory (``/dev/shm``) when
there is room, else under the system's temporary directory (pytest's own is
closed to other users); it runs without fsync (a test cluster needs no
durability) and is stopped by its PID.

In memory because each test gets a database of its own, and creating one
creates some 300 files: on a disk that others are writing to as well, that
took 0.2-0.4 s a database, in memory 0.01-0.03 s.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from tests.support.servers import stop_process
from tests.support.synapse import free_port

START_TIMEOUT = 30.0
IN_MEMORY = Path("/dev/shm")
# Room for the cluster, with a wide margin: the engine and storage suites peak
# at 66 MB, and max_wal_size bounds the write-ahead log. A container's
# /dev/shm is often only 64 MB; then the cluster goes to disk.
IN_MEMORY_NEEDS = 1 << 30


class PostgreSQLUnavailableError(RuntimeError):
    """PostgreSQL cannot run here; the message says why."""


def _binaries() -> Path:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise PostgreSQLUnavailableError("no initdb on PATH or in /usr/lib/postgresql/*/bin")
    return versions[-1].parent


def _in_memory_if_room() -> Path | None:
    try:
        room = shutil.disk_usage(IN_MEMORY).free
    except OSError:
        return None
    return IN_MEMORY if room >= IN_MEMORY_NEEDS and os.access(IN_MEMORY, os.W_OK) else None


class PostgreSQL:
    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="digicoach-postgresql-", dir=_in_memory_if_room()))
        self.process: subprocess.Popen[bytes] | None = None
        self._databases = 0
        self._as_owner: dict[str, Any] = {"cwd": self.folder}

    def _run(self, *command: str) -> None:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, **self._as_owner)
        if done.returncode != 0:
            raise PostgreSQLUnavailableError(
                f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}"
            )

    def start(self) -> None:
        binaries = _binaries()
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgreSQLUnavailableError("running as root, and there is no 'postgres' user") from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as_owner |= {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        data = self.folder / "data"
        self._run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")  # fmt: skip
        log = (self.folder / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(binaries / "postgres"), "-D", str(data), "-p", str(self.port),
             "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_wal_size=256MB"],
            stdout=log,
            stderr=subprocess.STDOUT,
            **self._as_owner,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with psycopg.connect(self.admin_dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    output = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise PostgreSQLUnavailableError(
                        f"the server did not start: {error}\n{output}"
                    ) from error
                time.sleep(0.1)

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def _admin(self, statement: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(statement)

    def new_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of the one at the URL ``template``; its SQLAlchemy URL."""
        self._databases += 1
        name = f"coach_{self._databases}"
        copy_of = f' TEMPLATE "{_name(template)}"' if template else ""
        self._admin(f'CREATE DATABASE "{name}"{copy_of}')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def make_template(self, url: str) -> None:
        """Keep sessions out of the database at ``url``: one connected there makes copying it fail."""
        self._admin(f'ALTER DATABASE "{_name(url)}" ALLOW_CONNECTIONS false')

    def drop_database(self, url: str) -> None:
        # FORCE (PostgreSQL 13 and later): a connection a test left open does not keep its database.
        self._admin(f'DROP DATABASE "{_name(url)}" WITH (FORCE)')

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast shutdown": it ends the sessions and stops.
        stop_process(self.process, signal.SIGINT)
        shutil.rmtree(self.folder, ignore_errors=True)


def _name(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name
