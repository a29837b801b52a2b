"""``digicoach invite``: make codes (one, a team's poster, a staff list's), and revoke one."""

from __future__ import annotations

import argparse
import os
import sys

from bot.cli.database import admin, open_store
from bot.cli.errors import CliError
from bot.settings import Settings


def create(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from lessons import invites

    with open_store(settings) as store:
        try:
            with store.transaction() as tx:
                invite = invites.create(
                    tx,
                    where=args.team or args.org or args.region or "",
                    role=args.role,
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
        print(f"{invite.code} revoked: nobody can join with it any more; the {invite.uses} who did stay")
    return 0


def poster(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from lessons import invites
    from lessons.i18n import supported
    from lessons.model import LANGUAGES
    from lessons.poster import Poster, render

    bot = os.environ.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@")
    matrix_id = os.environ.get("MATRIX_USER_ID", "").strip()
    if not (bot or matrix_id):
        raise CliError(
            "a poster must say where to find the coach: set TELEGRAM_BOT_USERNAME (the bot's user name, "
            "for the QR code) or MATRIX_USER_ID (the coach's Matrix account), or both"
        )
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
