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
