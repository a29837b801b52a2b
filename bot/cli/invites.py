"""``digicoach invite``: make codes (one, a team's poster, a staff list's), and revoke one."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cli.database import admin, open_store
from bot.cli.errors import CliError
from bot.settings import Settings
from storage.states import RoleName

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from lessons.staff_list import StaffList, StaffMember
    from storage.records import Invite
    from storage.unit_of_work import Store


def _where_the_coach_is(what: str) -> tuple[str, str]:
    """The bot's Telegram user name and the coach's Matrix id ('' when not set); one of them must be."""
    bot = os.environ.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@")
    matrix_id = os.environ.get("MATRIX_USER_ID", "").strip()
    if not (bot or matrix_id):
        raise CliError(
            f"{what} must say where to find the coach: set TELEGRAM_BOT_USERNAME (the bot's user name, "
            "for the Telegram link) or MATRIX_USER_ID (the coach's Matrix account), or both"
        )
    return bot, matrix_id


def create(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from lessons import invites

    with open_store(settings) as store:
        try:
            with store.transaction() as tx:
                invite = invites.create(
                    tx,
                    where=args.team or args.org or args.region or "",
                    role=args.role or RoleName.MEMBER,
                    expires=invites.parse_duration(args.expires),
                    uses=args.uses,
                    actor=admin(),
                    now=datetime.now(UTC),
                )
        except invites.InviteError as error:
            raise CliError(str(error)) from error
    bot = os.environ.get("TELEGRAM_BOT_USERNAME", "").lstrip("@") or "<your bot>"
    print(f"code:     {invite.code}")
    print(f"Telegram: {invites.telegram_link(bot, invite.code)}")
    print(f"Matrix:   send '{invites.matrix_command(invite.code)}' to the coach in a direct chat")
    until = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"valid until {until}, for {invite.max_uses} use(s), role {invite.role}", file=sys.stderr)
    return 0


def revoke(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from lessons import invites

    with open_store(settings) as store:
        try:
            with store.transaction() as tx:
                invite = invites.revoke(tx, args.code, actor=admin(), now=datetime.now(UTC))
        except invites.InviteError as error:
            raise CliError(str(error)) from error
    if invite.revoked_at is not None:
        print(f"{invite.code} was already revoked on {invite.revoked_at:%Y-%m-%d %H:%M} UTC")
    else:
        stay = f"the {invite.uses} who joined with it stay"
        print(f"{invite.code} revoked: nobody can join with it any more; {stay}")
    return 0


def poster(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from lessons import invites
    from lessons.i18n import supported
    from lessons.model import LANGUAGES
    from lessons.poster import Poster, render

    bot, matrix_id = _where_the_coach_is("a poster")
    asked = [c.strip() for c in (args.lang or "").split(",") if c.strip()]
    unknown = [c for c in asked if supported(c) != c]
    if unknown:
        raise CliError(f"--lang: unknown language '{unknown[0]}'; use {', '.join(LANGUAGES)}")
    now = datetime.now(UTC)
    with open_store(settings) as store:
        try:
            with store.transaction() as tx:
                organisation, team = invites.team_of(tx, args.team)
                invite, new = invites.poster_code(
                    tx, team=args.team, expires=invites.parse_duration(args.expires), uses=args.uses,
                    actor=admin(), now=now,
                )  # fmt: skip
        except invites.InviteError as error:
            raise CliError(str(error)) from error
    languages = asked or [organisation.language]
    output = Path(args.output or f"poster-{organisation.slug}-{team.slug}.pdf")
    document = render(
        Poster(
            organisation=organisation.name,
            team=team.name,
            code=invite.code,
            valid_until=invite.expires_at.date(),
            telegram_link=invites.telegram_link(bot, invite.code) if bot else None,
            matrix_id=matrix_id or None,
        ),
        languages,
    )
    try:
        output.write_bytes(document)
    except OSError as error:
        raise CliError(f"cannot write the poster to {output}: {error.strerror}") from error
    made = "a new code" if new else "the team's open poster code"
    print(f"{output}: {len(languages)} page(s) ({', '.join(languages)}), {made} {invite.code}")
    print(
        f"valid until {invite.expires_at:%Y-%m-%d} UTC, for {invite.max_uses - invite.uses} more use(s); "
        f"'digicoach invite revoke {invite.code}' withdraws every copy",
        file=sys.stderr,
    )
    if not bot:
        print("no QR code on it: set TELEGRAM_BOT_USERNAME to add the Telegram one", file=sys.stderr)
    if not matrix_id:
        print("no Matrix instruction on it: set MATRIX_USER_ID to add one", file=sys.stderr)
    return 0


# The output's columns, named for a mail merge (Word, LibreOffice, Thunderbird): one field per column.
BULK_COLUMNS = (
    "team",
    "name",
    "email",
    "code",
    "telegram_link",
    "matrix_coach",
    "matrix_message",
    "valid_until",
)


def bulk(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from lessons import invites, staff_list

    bot, matrix_id = _where_the_coach_is("a staff list's invitation")
    source = Path(args.file)
    output = Path(args.output) if args.output else source.with_name(f"{source.stem}-invites.csv")
    if output.exists():
        raise CliError(f"{output} exists already: name another --output, or move that file first")
    try:
        staff = staff_list.read(source)
    except OSError as error:
        raise CliError(f"cannot read {source}: {error.strerror}") from error
    except staff_list.StaffListError as error:
        raise CliError(str(error), error.problems) from error
    expires = _duration(args.expires)
    now = datetime.now(UTC)
    # Written beside the output and renamed once the codes are stored: never a file of codes that do
    # not exist, nor codes without their file. Only its owner may read it: it holds names and addresses.
    part = output.with_name(f".{output.name}.part")
    try:
        with open_store(settings) as store:
            try:
                codes = _store_and_write(store, staff, args.org, part, expires, now, bot, matrix_id)
            except (staff_list.StaffListError, invites.InviteError) as error:
                raise CliError(str(error), getattr(error, "problems", ())) from error
            except OSError as error:
                raise CliError(f"cannot write {output}: {error.strerror}; nothing was made") from error
    except BaseException:
        part.unlink(missing_ok=True)  # nothing was stored: no file of codes that do not exist
        raise
    try:
        part.replace(output)
    except OSError as error:
        raise CliError(
            f"the codes are made and written to {part}, but it cannot be renamed: {error.strerror}"
        ) from error
    read_as = "" if staff.encoding == "utf-8" else f" (read as {staff.encoding}: it is not UTF-8)"
    print(f"{output}: {len(codes)} single-use code(s), valid until {now + expires:%Y-%m-%d}{read_as}")
    print(
        "the coach keeps only the codes and their teams; the names and e-mail addresses are in this file "
        "alone: send it with your own mail tool, then delete it",
        file=sys.stderr,
    )
    if not bot:
        print("no Telegram links in it: set TELEGRAM_BOT_USERNAME to add them", file=sys.stderr)
    return 0


def _store_and_write(
    store: Store,
    staff: StaffList,
    organisation: str | None,
    part: Path,
    expires: timedelta,
    now: datetime,
    bot: str,
    matrix_id: str,
) -> list[Invite]:
    """Make the codes and write ``part`` in one transaction: it commits only once the file is written."""
    import csv

    from tqdm import tqdm

    from lessons import staff_list

    with store.transaction() as tx:
        teams = staff_list.check(tx, staff, organisation)
        names = {o.id: o.slug for o in tx.organisations.all()}
        with tqdm(total=len(teams), unit="code", desc="making codes", disable=None) as bar:
            codes = staff_list.invite_all(tx, teams, expires=expires, actor=admin(), now=now, made=bar.update)
        part.touch(mode=0o600)
        with part.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out, delimiter=staff.delimiter)
            writer.writerow(BULK_COLUMNS)
            for person, team, invite in zip(staff.people, teams, codes, strict=True):
                writer.writerow(
                    _links_of(person, f"{names[team.organisation_id]}/{team.slug}", invite, bot, matrix_id)
                )
    return codes


def _links_of(person: StaffMember, team: str, invite: Invite, bot: str, matrix_id: str) -> list[str]:
    """One line of the output, in the order of ``BULK_COLUMNS``."""
    from lessons import invites

    return [
        team, person.name, person.email, invite.code,
        invites.telegram_link(bot, invite.code) if bot else "",
        matrix_id, invites.matrix_command(invite.code) if matrix_id else "",
        f"{invite.expires_at:%Y-%m-%d}",
    ]  # fmt: skip


def _duration(text: str) -> timedelta:
    from lessons import invites

    try:
        return invites.parse_duration(text)
    except invites.InviteError as error:
        raise CliError(str(error)) from error
