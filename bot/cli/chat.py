"""The coach itself: ``digicoach chat`` in this terminal, ``digicoach run`` on the chat platforms."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from bot.cli.database import open_app
from bot.cli.errors import CliError
from bot.cli.options import one_of
from bot.settings import Settings
from lessons.model import LANGUAGES


def chat(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    import getpass

    from bot.adapters.console import ConsoleAdapter
    from lessons.i18n import supported

    if args.lang and not supported(args.lang):
        raise CliError(f"unknown language '{args.lang}'; use {one_of(LANGUAGES)}")
    with open_app(settings) as app:
        console = ConsoleAdapter(user=args.user or getpass.getuser(), language=args.lang)
        try:
            asyncio.run(app.serve(console))
        except KeyboardInterrupt:
            print()
        except BrokenPipeError:
            # Whoever read our output went away (e.g. `| head`): a normal end.
            # Point stdout at /dev/null so Python's final flush does not fail too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def run(_args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot import adapters
    from bot.app import AnotherCoachError

    servers = adapters.configured(settings)
    if not servers:
        raise CliError(
            "no chat platform is configured: set the environment variables of one "
            "(see README, 'Telegram and Matrix'); to try the coach alone, use 'digicoach chat'"
        )
    with open_app(settings) as app, contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(app.serve(*servers, scheduled=True))
        except AnotherCoachError as error:
            raise CliError(str(error)) from None
    return 0
