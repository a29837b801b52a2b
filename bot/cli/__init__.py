"""The ``digicoach`` command: its options, and which module runs each command.

Each command imports what it needs when it runs: ``lessons check`` is run
by admins' CI on every change and should not wait for the database layer or
the chat platforms' libraries. So the parser names a command's function as
``"module:function"`` and only the module of the command given is imported.

A command is ``function(args, settings) -> exit status``. A problem the
person can fix is raised as ``CliError`` and printed as ``digicoach:
<message>`` with exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from importlib import import_module

from bot import logs
from bot.cli.errors import CliError
from bot.cli.options import add_database_option, one_of, settings
from bot.masking import mask, mask_uncaught_errors
from bot.settings import Settings
from lessons.model import DEFAULT_LANGUAGE, LANGUAGES, LEVELS, TOPICS

Command = Callable[[argparse.Namespace, Settings], int]


def command(name: str) -> Command:
    """The function ``"module:function"`` names in this package; its module is imported now."""
    module, _sep, function = name.partition(":")
    return getattr(import_module(f"{__name__}.{module}"), function)  # type: ignore[no-any-return]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="digicoach", description="A chat coach for digital skills.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk to the coach in this terminal")
    add_database_option(chat)
    chat.add_argument("--user", metavar="NAME", help="who you are in this chat (default: your login name)")
    chat.add_argument("--lang", metavar="CODE", help=f"language to start in: {one_of(LANGUAGES)}")
    chat.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the shipped library)")
    chat.set_defaults(handler="chat:chat")

    run = commands.add_parser("run", help="serve learners on the configured chat platforms")
    add_database_option(run)
    run.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the shipped library)")
    run.set_defaults(handler="chat:run")

    lessons = commands.add_parser("lessons", help="work with lesson files")
    lesson_commands = lessons.add_subparsers(dest="lessons_command", required=True, metavar="COMMAND")
    check = lesson_commands.add_parser("check", help="validate lesson and track files")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: the configured lessons)"
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--languages",
        metavar="CODES",
        help="required languages, e.g. nl,en (default: DIGICOACH_REQUIRED_LANGUAGES)",
    )
    check.set_defaults(handler="lesson_files:check")
    stats = lesson_commands.add_parser(
        "stats", help="coverage per topic and level, languages, plain-language figures"
    )
    stats.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: the configured lessons)"
    )
    stats.set_defaults(handler="lesson_files:stats")
    show = lesson_commands.add_parser(
        "preview", help="print a lesson as a learner sees it: cards, quiz, feedback, try this today"
    )
    show.add_argument("lesson", metavar="ID", help="a lesson id, or the path of one lesson file")
    show.add_argument(
        "--lang", default=DEFAULT_LANGUAGE, metavar="CODE", help=f"{one_of(LANGUAGES)} (default: %(default)s)"
    )
    show.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the configured lessons)")
    show.set_defaults(handler="lesson_files:preview")
    bring = lesson_commands.add_parser(
        "import", help="turn a Moodle GIFT or Aiken quiz file into lesson YAML"
    )
    bring.add_argument("file", metavar="FILE", help="a GIFT or Aiken file")
    bring.add_argument(
        "--out", default=".", metavar="DIR", help="folder to write the lessons to (default: %(default)s)"
    )
    bring.add_argument("--format", choices=("gift", "aiken"), help="default: recognised from the content")
    bring.add_argument("--topic", required=True, help="one of " + ", ".join(TOPICS))
    bring.add_argument("--level", required=True, help=one_of(LEVELS))
    bring.add_argument("--digcomp", required=True, metavar="IDS", help="DigComp ids, e.g. 4.2,1.2")
    bring.add_argument(
        "--lang", default=DEFAULT_LANGUAGE, metavar="CODE", help="the file's language (default: %(default)s)"
    )
    bring.add_argument("--title", help="lesson title (GIFT: default the $CATEGORY name; Aiken: required)")
    bring.add_argument(
        "--summary", help="one sentence for the lesson (default: the first sentence of the card)"
    )
    bring.add_argument(
        "--card-text", help="what learners read before the quiz, if the file has no '//' comment card"
    )
    bring.add_argument("--id", help="lesson id (default: made from the title)")
    bring.set_defaults(handler="lesson_import:import_quiz")
    reload = lesson_commands.add_parser(
        "reload", help="make the running coach load the lessons again (it keeps the old ones on errors)"
    )
    reload.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="how long to wait for the coach"
    )
    reload.set_defaults(handler="lesson_files:reload")

    schedule = commands.add_parser("schedule", help="the daily rhythm")
    schedule_commands = schedule.add_subparsers(dest="schedule_command", required=True, metavar="COMMAND")
    plan = schedule_commands.add_parser("preview", help="who would get what on a date; sends nothing")
    plan.add_argument("--date", metavar="YYYY-MM-DD", help="the day to preview (default: today)")
    plan.add_argument(
        "--summary",
        action="store_true",
        help="only the counts and how long sending takes per lesson time, not a line per learner",
    )
    add_database_option(plan)
    plan.set_defaults(handler="schedule:preview")

    org = commands.add_parser("org", help="organisations and teams")
    org_commands = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    org_apply = org_commands.add_parser("apply", help="make the database match an organisation file")
    org_apply.add_argument("file", metavar="FILE", help="the organisation file (YAML)")
    org_apply.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    add_database_option(org_apply)
    org_apply.set_defaults(handler="organisations:apply")
    org_show = org_commands.add_parser("show", help="list organisations, teams, members and managers")
    org_show.add_argument(
        "--rollout",
        action="store_true",
        help="per team: invite codes made, used, unused, expired and revoked; members who joined, "
        "finished onboarding and finished a first lesson (counts only)",
    )
    add_database_option(org_show)
    org_show.set_defaults(handler="organisations:show")

    invite = commands.add_parser("invite", help="invite codes")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True, metavar="COMMAND")
    invite_create = invite_commands.add_parser("create", help="make an invite code and its links")
    scope = invite_create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--team", metavar="ORG/TEAM", help="for members and managers of a team")
    scope.add_argument("--org", metavar="ORG", help="for an organisation admin")
    scope.add_argument("--region", metavar="REGION", help="for a region admin")
    invite_create.add_argument("--role", help="member (the default), manager, org-admin or region-admin")
    invite_create.add_argument(
        "--expires", default="14d", help="how long it is valid: 14d, 12h, 30m (default %(default)s)"
    )
    invite_create.add_argument(
        "--uses", type=int, default=1, help="how many people may use it (default %(default)s)"
    )
    add_database_option(invite_create)
    invite_create.set_defaults(handler="invites:create")
    invite_poster = invite_commands.add_parser(
        "poster", help="a printable A4 poster (PDF) with the team's code as a QR code for Telegram"
    )
    invite_poster.add_argument("--team", required=True, metavar="ORG/TEAM", help="the team it invites to")
    invite_poster.add_argument(
        "--lang",
        metavar="CODES",
        help=f"one page per language, e.g. nl,fr ({one_of(LANGUAGES)}; default: the organisation's)",
    )
    invite_poster.add_argument(
        "--output", metavar="FILE", help="where to write it (default: poster-ORG-TEAM.pdf here)"
    )
    invite_poster.add_argument(
        "--expires", default="365d", help="a new poster code's lifetime (default %(default)s)"
    )
    invite_poster.add_argument(
        "--uses",
        type=int,
        default=1000,
        help="how many may join with a new poster code (default %(default)s)",
    )
    add_database_option(invite_poster)
    invite_poster.set_defaults(handler="invites:poster")
    invite_bulk = invite_commands.add_parser(
        "bulk",
        help="one single-use code per person of a staff list (CSV: team, and optionally name and email); "
        "writes their links to a CSV for your own mail merge; makes nothing if a row is wrong",
    )
    invite_bulk.add_argument("file", metavar="FILE", help="the staff list, CSV (comma or semicolon)")
    invite_bulk.add_argument(
        "--org", metavar="ORG", help="the organisation, so that a row may name its team alone (id or name)"
    )
    invite_bulk.add_argument(
        "--expires", default="30d", help="how long the codes are valid: 30d, 12h (default %(default)s)"
    )
    invite_bulk.add_argument(
        "--output",
        metavar="FILE",
        help="where to write the links (default: FILE-invites.csv beside the list)",
    )
    add_database_option(invite_bulk)
    invite_bulk.set_defaults(handler="invites:bulk")
    invite_revoke = invite_commands.add_parser(
        "revoke", help="withdraw a code (a poster's, say): refused from now on; who joined with it stays"
    )
    invite_revoke.add_argument("code", metavar="CODE", help="the code, as printed or in the link")
    add_database_option(invite_revoke)
    invite_revoke.set_defaults(handler="invites:revoke")

    export = commands.add_parser("export", help="figures for HR, under the digest's privacy rules")
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="COMMAND")
    progress = export_commands.add_parser("progress", help="an organisation's weekly figures per team")
    progress.add_argument("--org", required=True, metavar="ORG", help="the organisation (see 'org show')")
    progress.add_argument("--format", choices=["csv"], default="csv", help="output format (%(default)s)")
    progress.add_argument("--weeks", type=int, default=12, help="how many weeks back (default %(default)s)")
    progress.add_argument(
        "--until",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the last week exported is the one holding this day (default: this week)",
    )
    progress.add_argument("--output", metavar="FILE", help="write here instead of to standard output")
    add_database_option(progress)
    progress.set_defaults(handler="export:progress")

    matrix = commands.add_parser("matrix", help="the Matrix bot account")
    matrix_commands = matrix.add_subparsers(dest="matrix_command", required=True, metavar="COMMAND")
    verify = matrix_commands.add_parser(
        "verify",
        help="cross-sign the coach's device so learners' apps stop warning about it "
        "(asks for the account password unless MATRIX_PASSWORD is set)",
    )
    keys_from = verify.add_mutually_exclusive_group()
    keys_from.add_argument(
        "--replace",
        action="store_true",
        help="make new cross-signing keys even if the account has some; whoever verified the coach "
        "must verify it again",
    )
    keys_from.add_argument(
        "--recovery-key",
        action="store_true",
        help="use the account's keys from secret storage: asks for the recovery key (or reads it "
        "from standard input)",
    )
    verify.set_defaults(handler="matrix:verify")

    doctor = commands.add_parser(
        "doctor", help="check the settings, database, lessons, data folder and chat platforms; change nothing"
    )
    add_database_option(doctor)
    doctor.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the configured lessons)")
    doctor.set_defaults(handler="doctor:examine")

    save = commands.add_parser(
        "backup", help="copy the database and the data folder into a new folder, also while the coach runs"
    )
    save.add_argument("folder", metavar="DIR", help="a new or empty folder")
    add_database_option(save)
    save.set_defaults(handler="backups:make")
    load = commands.add_parser(
        "restore", help="put a backup back into an empty database and an empty data folder"
    )
    load.add_argument("folder", metavar="DIR", help="a folder 'digicoach backup' made")
    add_database_option(load)
    load.set_defaults(handler="backups:put_back")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    add_database_option(upgrade)
    upgrade.set_defaults(handler="database:upgrade")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    mask_uncaught_errors()
    args = parser().parse_args(argv)
    if args.command == "doctor":
        # The doctor reads the settings itself: a bad one is one of its findings, not the end.
        logs.setup("ERROR")
        from bot.cli import doctor

        return doctor.examine(args)
    try:
        configured = settings(args)
        logs.setup(configured.log_level, configured.log_format)
        return int(command(args.handler)(args, configured))
    except CliError as error:
        return error.report()
    except SystemExit as stop:  # e.g. Telegram refused the token: PTB's message quotes it
        if isinstance(stop.code, str):
            raise SystemExit(mask(stop.code)) from None
        raise
