"""``digicoach doctor``: is this installation ready to serve? One line per check, what to fix when not.

It reads the same settings as ``digicoach run`` and changes nothing: the
database is not upgraded, no login is made, no key uploaded. Checks: the
settings, the database (reachable, migrated), the lessons, the data folder
(writable, private), and each configured chat platform (Telegram: the token;
Matrix: the homeserver, the login, the device's keys and whether its owner
cross-signed it). The exit status is 1 when any check failed, and the last
line names them. Every line is masked like a log line: no secret is printed.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError
from bot.cli.options import settings as read_settings
from bot.masking import mask
from bot.settings import Settings

# How long a platform may take to answer one request.
TIMEOUT = 10.0


class Verdict(Enum):
    OK = "ok"
    WARNING = "warn"  # works, but worth a look
    FAILED = "FAIL"  # `digicoach run` would not work as intended until this is fixed


@dataclass(frozen=True)
class Finding:
    check: str
    verdict: Verdict
    what: str

    def __str__(self) -> str:
        return mask(f"{self.verdict.value:<5} {self.check}: {self.what}")


def ok(check: str, what: str) -> Finding:
    return Finding(check, Verdict.OK, what)


def warning(check: str, what: str) -> Finding:
    return Finding(check, Verdict.WARNING, what)


def failed(check: str, what: str) -> Finding:
    return Finding(check, Verdict.FAILED, what)


def examine(args: argparse.Namespace) -> int:
    """Run every check, print each finding as it comes; 1 when one failed."""
    found: list[Finding] = []
    for finding in _findings(args):
        print(finding, flush=True)
        found.append(finding)
    broken = list(dict.fromkeys(f.check for f in found if f.verdict is Verdict.FAILED))
    if broken:
        print(f"digicoach doctor: fix {', '.join(broken)} (see the FAIL lines above)", file=sys.stderr)
        return 1
    warned = sum(f.verdict is Verdict.WARNING for f in found)
    print(f"digicoach doctor: ready to serve{f' ({warned} warning(s))' if warned else ''}", file=sys.stderr)
    return 0


def _findings(args: argparse.Namespace) -> Iterator[Finding]:
    try:
        settings = read_settings(args)
    except CliError as error:
        yield failed("configuration", error.message)
        return
    yield from _configuration(settings)
    yield _database(settings)
    yield _lessons(settings)
    yield from _data_folder(settings.data_dir)
    yield _read_aloud(settings)
    yield from _telegram()
    yield from _matrix(settings)


# -- configuration ---------------------------------------------------------------------------------


def _configuration(settings: Settings) -> Iterator[Finding]:
    from pydantic import ValidationError

    from bot.adapters.matrix import MatrixSettings
    from bot.adapters.telegram.config import TelegramSettings

    platforms = []
    try:
        if TelegramSettings().bot_token:
            platforms.append("Telegram")
    except ValidationError as error:
        problem = error.errors()[0]
        yield failed("configuration", f"TELEGRAM_{str(problem['loc'][0]).upper()}: {problem['msg']}")
    if MatrixSettings().wanted:
        platforms.append("Matrix")
    if platforms:
        yield ok("configuration", f"settings read; serving {' and '.join(platforms)}")
    else:
        yield failed(
            "configuration",
            "no chat platform is configured: set TELEGRAM_BOT_TOKEN, or MATRIX_HOMESERVER and "
            "MATRIX_USER_ID (README, 'Telegram and Matrix')",
        )
    relative = []
    if settings.database_url.startswith("sqlite:///") and not settings.database_url.startswith("sqlite:////"):
        relative.append("DIGICOACH_DATABASE_URL")
    if not settings.data_dir.is_absolute():
        relative.append("DIGICOACH_DATA_DIR")
    if relative:
        yield warning(
            "configuration",
            f"{' and '.join(relative)} depend(s) on the folder the coach starts in ({Path.cwd()}); "
            "a service should name absolute paths",
        )


# -- database and lessons --------------------------------------------------------------------------


def _database(settings: Settings) -> Finding:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.migrate import revisions
    from storage.unit_of_work import make_engine

    url = settings.database_url
    new = "the coach creates its tables at its first start (or run 'digicoach db upgrade')"
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            # Opening it would make an empty file, and the doctor changes nothing.
            return warning("database", f"{url} does not exist yet: {new}")
        engine = make_engine(url)
        try:
            current, newest, known = revisions(engine)
        finally:
            engine.dispose()
    except (SQLAlchemyError, ValueError) as error:
        reason = error.args[0] if error.args else type(error).__name__
        return failed("database", f"cannot open {url}: {reason}")
    if current is None:
        return warning("database", f"{url} is empty: {new}")
    if not known:
        return failed(
            "database",
            f"{url} was migrated by a newer digicoach (migration {current}): install that version again",
        )
    if current != newest:
        return warning(
            "database",
            f"{url} is at migration {current}, this version needs {newest}: the coach upgrades it at "
            "start; make a backup first ('digicoach backup DIR'), then 'digicoach db upgrade'",
        )
    return ok("database", f"{url} answers, migrated to the newest ({newest})")


def _lessons(settings: Settings) -> Finding:
    from lessons.loader import load_library

    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        return failed(
            "lessons",
            f"{len(loaded.errors)} error(s) in {settings.lessons}, e.g. {loaded.errors[0]}; "
            "run 'digicoach lessons check'",
        )
    warned = f", {len(loaded.warnings)} warning(s) ('digicoach lessons check')" if loaded.warnings else ""
    return ok("lessons", f"{len(loaded.library.lessons)} lesson(s) from {settings.lessons}{warned}")


def _read_aloud(settings: Settings) -> Finding:
    from bot.speech import SpeechSettingsError, find_voices

    if not settings.read_aloud:
        return ok("read aloud", "off (DIGICOACH_READ_ALOUD=false)")
    try:
        voices = find_voices(settings.piper_voices)
    except SpeechSettingsError as error:
        return failed("read aloud", str(error))
    if not voices:
        return warning(
            "read aloud",
            "cards are not offered read aloud: espeak-ng or opusenc is missing "
            "(apt-get install espeak-ng opus-tools)",
        )
    engines: dict[str, list[str]] = {}
    for language, voice in voices.items():
        engines.setdefault(voice.engine, []).append(language)
    return ok("read aloud", "; ".join(f"{', '.join(codes)} by {engine}" for engine, codes in engines.items()))


# -- the data folder -------------------------------------------------------------------------------


def _data_folder(folder: Path) -> Iterator[Finding]:
    from bot.lesson_reload import running_coach

    if not folder.exists():
        parent = next((p for p in folder.absolute().parents if p.exists()), Path("/"))
        if os.access(parent, os.W_OK | os.X_OK):
            yield warning(
                "data folder", f"{folder} does not exist yet; the coach makes it at its first start"
            )
        else:
            yield failed("data folder", f"{folder} does not exist and {parent} is not writable for this user")
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        yield failed("data folder", f"{folder} is not writable for this user: chown it to the coach's user")
        return
    # Matrix's login, crypto store and cross-signing keys are secrets: nobody but the coach's user.
    exposed = [path for path in _walk(folder / "matrix") if _others_can_read(path, folder)]
    if exposed:
        yield failed(
            "data folder",
            f"{len(exposed)} Matrix file(s) others may read, e.g. {exposed[0]}: "
            f"chmod -R go-rwx {folder / 'matrix'}",
        )
        return
    pid = running_coach(folder)
    serving = f"; a coach is serving from it (process {pid})" if pid else ""
    yield ok("data folder", f"{folder} is writable, its Matrix files are private{serving}")


def _walk(folder: Path) -> Iterator[Path]:
    if folder.exists():
        yield from (path for path in folder.rglob("*") if path.is_file())


def _others_can_read(path: Path, top: Path) -> bool:
    """Whether a group or other user can read ``path``: the file, and every folder down to it from ``top``."""
    if not path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        return False
    folders = [p for p in path.parents if p == top or top in p.parents]
    return all(p.stat().st_mode & (stat.S_IXGRP | stat.S_IXOTH) for p in folders)


# -- the chat platforms ----------------------------------------------------------------------------


def _http() -> Any:
    import httpx

    return httpx.Client(timeout=TIMEOUT)


def _telegram() -> Iterator[Finding]:
    import httpx
    from pydantic import ValidationError

    from bot.adapters.telegram.config import TelegramSettings

    try:
        config = TelegramSettings()
    except ValidationError:
        return  # reported with the configuration
    if not config.bot_token:
        return
    with _http() as http:
        try:
            answer = http.post(f"{config.base_url}/bot{config.bot_token}/getMe")
            body = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            yield failed("telegram", f"cannot reach the Bot API at {config.base_url} ({error})")
            return
        if answer.status_code in (401, 404) or not body.get("ok"):
            yield failed(
                "telegram",
                f"the Bot API refused TELEGRAM_BOT_TOKEN ({body.get('description', answer.status_code)}): "
                "copy the token again from @BotFather",
            )
            return
        bot = body["result"]
        mode = f"webhook at {config.webhook_url}" if config.webhook_url else "long polling"
        yield ok("telegram", f"token accepted: @{bot.get('username')} (id {bot.get('id')}), {mode}")
        if config.webhook_url and not config.webhook_url.startswith("https://"):
            yield failed(
                "telegram", "TELEGRAM_WEBHOOK_URL must be an https:// address: Telegram calls no other"
            )


def _matrix(settings: Settings) -> Iterator[Finding]:
    from bot.adapters.matrix import MatrixSettings
    from bot.adapters.matrix.state import AdapterState

    matrix = MatrixSettings()
    if not matrix.wanted:
        return
    folder = settings.data_dir / "matrix"
    if (problem := matrix.problem(folder)) is not None:
        yield failed("matrix", problem)
        return
    assert matrix.homeserver and matrix.user_id
    base = matrix.homeserver.rstrip("/")
    with _http() as http:
        try:
            versions = http.get(f"{base}/_matrix/client/versions").json().get("versions", [])
        except Exception as error:  # any way of not answering is what this line reports
            yield failed("matrix", f"cannot reach the homeserver {base} ({type(error).__name__}: {error})")
            return
        yield ok("matrix", f"homeserver {base} answers (client API {versions[-1] if versions else '?'})")
        kept = AdapterState(folder).login(matrix.user_id)
        token = matrix.access_token or (kept.access_token if kept else None)
        device = matrix.device_id or (kept.device_id if kept else None)
        if not token or not device:
            yield warning("matrix", "not logged in yet: the first start logs in with MATRIX_PASSWORD")
            return
        yield from _matrix_login(http, base, matrix.user_id, token, device)
        if not (folder / "crypto-store").is_dir():
            yield warning(
                "matrix",
                f"no crypto store in {folder}: the coach cannot read what learners sent to device {device} "
                "before; restore the data folder from a backup if you have one",
            )


def _matrix_login(http: Any, base: str, user_id: str, token: str, device: str) -> Iterator[Finding]:
    from bot.adapters.matrix.cross_signing import has_valid_signature, public_key_of

    headers = {"Authorization": f"Bearer {token}"}
    who = http.get(f"{base}/_matrix/client/v3/account/whoami", headers=headers)
    if who.status_code != 200:
        yield failed(
            "matrix",
            f"the homeserver refused the access token ({who.json().get('errcode', who.status_code)}): "
            "set a new MATRIX_ACCESS_TOKEN and MATRIX_DEVICE_ID, or remove login.json and start with "
            "MATRIX_PASSWORD",
        )
        return
    if who.json().get("user_id") != user_id:
        yield failed("matrix", f"the access token is {who.json().get('user_id')}'s, not {user_id}'s")
        return
    yield ok("matrix", f"logged in as {user_id}, device {device}")
    keys = http.post(
        f"{base}/_matrix/client/v3/keys/query", headers=headers, json={"device_keys": {user_id: [device]}}
    ).json()
    device_keys = keys.get("device_keys", {}).get(user_id, {}).get(device)
    if not device_keys:
        yield warning("matrix", f"device {device} has published no encryption keys yet; the next start does")
        return
    self_signing = public_key_of(keys.get("self_signing_keys", {}).get(user_id))
    signed = self_signing is not None and has_valid_signature(
        device_keys, user_id, f"ed25519:{self_signing}", self_signing
    )
    if signed:
        yield ok("matrix", f"device {device} is cross-signed: verified by its owner")
    elif self_signing is None:
        yield failed(
            "matrix",
            f"{user_id} has no cross-signing keys, so learners' apps warn on every message: run "
            "'digicoach matrix verify' once (or start once with MATRIX_PASSWORD)",
        )
    else:
        yield failed(
            "matrix",
            f"device {device} is not signed by the account's self-signing key: run 'digicoach matrix verify' "
            "(or '--recovery-key' if another device made the keys)",
        )
