"""The ``digicoach`` command: chat, run, lessons check/stats/preview/import/reload, db upgrade.

Each command imports what it needs when it runs: ``lessons check`` is run
by admins' CI on every change and should not wait for the database layer.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.settings import Settings
from lessons.model import DEFAULT_LANGUAGE, TOPICS

if TYPE_CHECKING:
    from bot.app import App
    from storage.unit_of_work import Store


class _OneLineErrors(logging.Formatter):
    """Log errors as one line: a learner at a terminal never sees a traceback."""

    def formatException(self, ei: object) -> str:  # noqa: N802 - logging's API name
        exc = ei[1] if isinstance(ei, tuple) else ei
        return f"  ({type(exc).__name__}: {exc})"


def _setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    verbose = level.upper() == "DEBUG"
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s")
        if verbose
        else _OneLineErrors("%(levelname)s: %(message)s")
    )
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "db", None):
        overrides["database_url"] = args.db
    if getattr(args, "lessons", None):
        overrides["lessons"] = args.lessons
    return Settings(**overrides)


def _fail(message: str) -> int:
    print(f"digicoach: {message}", file=sys.stderr)
    return 2


def _open_app(settings: Settings) -> App | int:
    """The wired app, or the exit status after saying clearly why it cannot start."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from bot.app import LibraryError, build

    try:
        return build(settings)
    except LibraryError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail("the lessons have errors (listed above); fix them and try again")
    except (OperationalError, ArgumentError) as error:
        return _fail(f"cannot open the database {settings.database_url}: {error.args[0]}")


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.adapters.console import ConsoleAdapter
    from lessons.i18n import supported

    if args.lang and not supported(args.lang):
        return _fail(f"unknown language '{args.lang}'; use nl, en, fr or de")
    app = _open_app(_settings(args))
    if isinstance(app, int):
        return app
    console = ConsoleAdapter(user=args.user or getpass.getuser(), language=args.lang)
    try:
        asyncio.run(app.serve(console))
    except KeyboardInterrupt:
        print()
    except BrokenPipeError:
        # Whoever read our output went away (e.g. `| head`): a normal end.
        # Point stdout at /dev/null so Python's final flush does not fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        app.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot import adapters

    settings = _settings(args)
    servers = adapters.configured(settings)
    if not servers:
        return _fail(
            "no chat platform is configured: set the environment variables of one "
            "(see README, 'Telegram and Matrix'); to try the coach alone, use 'digicoach chat'"
        )
    app = _open_app(settings)
    if isinstance(app, int):
        return app
    try:
        asyncio.run(app.serve(*servers, scheduled=True))
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0


def cmd_lessons_check(args: argparse.Namespace) -> int:
    from lessons.loader import load_library

    settings = _settings(args)
    languages = (
        tuple(code.strip() for code in args.languages.split(","))
        if args.languages
        else settings.languages_required
    )
    paths = [Path(p) for p in args.paths] or settings.lesson_paths
    loaded = load_library(paths, languages)
    failed = bool(loaded.errors) or (args.strict and bool(loaded.warnings))
    if args.format == "json":
        print(
            json.dumps(
                {"files": loaded.files, "ok": not failed, "problems": [p.as_dict() for p in loaded.problems]},
                indent=2,
            )
        )
    else:
        for problem in loaded.problems:
            print(problem)
        lessons = len(loaded.library.lessons) if loaded.library else 0
        summary = (
            f"{loaded.files} file(s): {len(loaded.errors)} error(s), {len(loaded.warnings)} warning(s)"
            + (f"; {lessons} lesson(s) ready" if loaded.library else "")
        )
        print(summary, file=sys.stderr)
    return 1 if failed else 0


def cmd_lessons_stats(args: argparse.Namespace) -> int:
    from lessons.loader import load_library
    from lessons.stats import compute, render

    settings = _settings(args)
    loaded = load_library([Path(p) for p in args.paths] or settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        for problem in loaded.errors:
            print(problem, file=sys.stderr)
        return _fail("the lessons have errors (listed above); run 'digicoach lessons check'")
    print(render(compute(loaded.library)))
    return 0


def cmd_schedule_preview(args: argparse.Namespace) -> int:
    from datetime import date

    from sqlalchemy.exc import ArgumentError, OperationalError

    from lessons.loader import load_library
    from lessons.planning import preview
    from storage.unit_of_work import Store

    settings = _settings(args)
    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        return _fail(f"'{args.date}' is not a date; write it as YYYY-MM-DD")
    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        return _fail("the lessons have errors; run 'digicoach lessons check'")
    store = Store(settings.database_url)
    try:
        store.upgrade()
        plan = preview(store, loaded.library, settings.rhythm, day)
    except (OperationalError, ArgumentError) as error:
        return _fail(f"cannot open the database {settings.database_url}: {error.args[0]}")
    finally:
        store.close()
    invited = sum(p.at is not None for p in plan)
    print(f"{day:%A %d %B %Y}: {invited} of {len(plan)} learner(s) get an invitation")
    width = max((len(p.learner) for p in plan), default=0)
    for planned in sorted(plan, key=lambda p: (p.at is None, p.at or "", p.learner)):
        when = f"{planned.at} {planned.timezone}" if planned.at else "-"
        print(f"  {planned.learner:<{width}}  {planned.platform:<8}  {when:<22}  {planned.what}")
    return 0


def cmd_lessons_preview(args: argparse.Namespace) -> int:
    from bot.lesson_preview import preview
    from lessons.i18n import supported
    from lessons.loader import load_library

    if not supported(args.lang):
        return _fail(f"unknown language '{args.lang}'; use nl, en, fr or de")
    settings = _settings(args)
    draft = Path(args.lesson)
    from_file = draft.suffix in (".yaml", ".yml") and draft.is_file()
    # Translations are not required here: previewing a draft in one language is the point.
    loaded = load_library([draft] if from_file else settings.lesson_paths, ())
    if loaded.library is None:
        for problem in loaded.errors:
            print(problem, file=sys.stderr)
        return _fail("the lessons have errors (listed above); run 'digicoach lessons check'")
    if from_file:
        lesson = next(iter(loaded.library.lessons.values()), None)
        if lesson is None:
            return _fail(f"{draft} is a track, not a lesson")
    else:
        lesson = loaded.library.lesson(args.lesson)
        if lesson is None:
            close = difflib.get_close_matches(args.lesson, sorted(loaded.library.lessons), n=1)
            hint = (
                f"; did you mean '{close[0]}'?" if close else "; 'digicoach lessons stats' lists the library"
            )
            return _fail(f"no lesson with id '{args.lesson}'{hint}")
    print(preview(lesson, args.lang))
    return 0


def _import_facts_problem(args: argparse.Namespace, digcomp: list[str]) -> str | None:
    from lessons.importers import valid_id
    from lessons.model import DIGCOMP_IDS, LANGUAGES, LEVELS, TOPICS

    if args.topic not in TOPICS:
        return f"unknown topic '{args.topic}'; use one of {', '.join(TOPICS)}"
    if args.level not in LEVELS:
        return f"unknown level '{args.level}'; use one of {', '.join(LEVELS)}"
    if not digcomp or any(code not in DIGCOMP_IDS for code in digcomp):
        return f"unknown DigComp id in '{args.digcomp}'; use ids like 4.2,1.2 (1.1 ... 5.4)"
    if args.lang not in LANGUAGES:
        return f"unknown language '{args.lang}'; use {', '.join(LANGUAGES)}"
    if args.id and not valid_id(args.id):
        return f"'{args.id}' is not a valid id: use lowercase letters, digits and hyphens"
    return None


def cmd_lessons_import(args: argparse.Namespace) -> int:
    from lessons.importers import LessonFacts, Note, aiken, build, gift
    from lessons.importers.lesson_file import write
    from lessons.loader import load_file

    source = Path(args.file)
    digcomp = [code.strip() for code in args.digcomp.split(",") if code.strip()]
    wrong = _import_facts_problem(args, digcomp)
    if wrong:
        return _fail(wrong)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {source}: {error}")
    kind = args.format or ("aiken" if aiken.looks_like_aiken(text) else "gift")
    sections, notes = (aiken if kind == "aiken" else gift).parse(text)
    facts = LessonFacts(
        topic=args.topic,
        level=args.level,
        digcomp=digcomp,
        language=args.lang,
        title=args.title,
        summary=args.summary,
        card_text=args.card_text,
        lesson_id=args.id,
    )
    lessons, more = build(sections, facts)
    notes += more
    written: list[Path] = []
    for lesson in lessons:
        try:
            path = write(lesson, Path(args.out), source.name)
        except FileExistsError:
            notes.append(
                Note(1, f"{Path(args.out) / (lesson['id'] + '.yaml')} exists already: not overwritten")
            )
            continue
        # The importer checks its own work: what it writes must pass 'lessons check'.
        _item, problems = load_file(path, (args.lang,))
        for problem in problems:
            print(problem, file=sys.stderr)
        if any(problem.severity == "error" for problem in problems):
            notes.append(Note(1, f"{path} does not pass 'lessons check' (see above): fix it by hand"))
        written.append(path)
    for note in sorted(notes, key=lambda n: n.line):
        prefix = "" if note.severity == "error" else "warning: "
        print(f"{source}:{note.line}: {prefix}{note.message}", file=sys.stderr)
    for path in written:
        print(path)
    skipped = sum(n.severity == "error" for n in notes)
    print(
        f"{kind}: {len(written)} lesson(s) written, {skipped} item(s) not converted; "
        f"texts are in '{args.lang}' only: add the other required languages",
        file=sys.stderr,
    )
    return 1 if skipped or not written else 0


def cmd_lessons_reload(args: argparse.Namespace) -> int:
    from bot.lesson_reload import NoAnswerError, NoCoachRunningError, request_reload

    data_dir = _settings(args).data_dir
    try:
        status = request_reload(data_dir, timeout=args.timeout)
    except NoCoachRunningError:
        return _fail(
            f"no running coach found (no live process in {data_dir / 'coach.pid'}); "
            "start it with 'digicoach run', or set DIGICOACH_DATA_DIR to the folder it uses"
        )
    except NoAnswerError:
        return _fail(
            f"the coach was asked to reload but did not answer within {args.timeout:g} s; see its log"
        )
    for problem in status.problems:
        print(problem)
    if not status.ok:
        print(
            f"not reloaded: the coach keeps serving its last good {status.lessons} lesson(s); "
            "fix the errors above and run 'digicoach lessons reload' again",
            file=sys.stderr,
        )
        return 1
    print(f"reloaded: the coach now serves {status.lessons} lesson(s)", file=sys.stderr)
    return 0


def _admin() -> str:
    """Who acts, for the audit log: the operating-system user running the command."""
    return f"cli:{getpass.getuser()}"


def _open_store(settings: Settings) -> Store | int:
    from sqlalchemy.exc import ArgumentError, OperationalError

    from storage.unit_of_work import Store

    store = Store(settings.database_url)
    try:
        store.upgrade()
    except (OperationalError, ArgumentError) as error:
        store.close()
        return _fail(f"cannot open the database {settings.database_url}: {error.args[0]}")
    return store


class _DryRun(Exception):  # noqa: N818 - not an error: it undoes what a dry run planned
    """Raised inside the transaction so that a dry run rolls back what it planned."""


def cmd_org_apply(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from lessons.organisation_file import apply, load

    spec = load(Path(args.file))
    if isinstance(spec, list):
        for problem in spec:
            print(problem)
        return 1
    store = _open_store(_settings(args))
    if isinstance(store, int):
        return store
    changes = []
    try:
        with store.transaction() as tx:
            changes = apply(tx, spec, _admin(), datetime.now(UTC))
            if args.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        store.close()
    for change in changes:
        print(change)
    verb = "would change" if args.dry_run else "changed"
    print(f"{len(changes)} {verb}" if changes else "nothing to change", file=sys.stderr)
    return 0


def cmd_org_show(args: argparse.Namespace) -> int:
    from storage.states import RoleName

    store = _open_store(_settings(args))
    if isinstance(store, int):
        return store
    try:
        with store.transaction() as tx:
            organisations = tx.organisations.all()
            if not organisations:
                print("no organisations yet: write an org.yaml and run 'digicoach org apply org.yaml'")
            for organisation in organisations:
                state = " (archived)" if organisation.archived else ""
                region = f", region {organisation.region}" if organisation.region else ""
                print(
                    f"{organisation.slug}{state}: {organisation.name} - {organisation.country}"
                    f"{'-' + organisation.subdivision if organisation.subdivision else ''}, "
                    f"{organisation.timezone}, {organisation.language}{region}"
                )
                for team in tx.teams.of(organisation.id):
                    members = tx.roles.members(team.id)
                    managers = sum(r.role is RoleName.MANAGER for r in members)
                    print(
                        f"  {organisation.slug}/{team.slug}{' (archived)' if team.archived else ''}: "
                        f"{team.name} - {len(members) - managers} member(s), {managers} manager(s)"
                    )
    finally:
        store.close()
    return 0


def cmd_invite_create(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from lessons.invites import InviteError, create, parse_duration

    store = _open_store(_settings(args))
    if isinstance(store, int):
        return store
    try:
        with store.transaction() as tx:
            invite = create(
                tx,
                where=args.team or args.org or args.region or "",
                role=args.role,
                expires=parse_duration(args.expires),
                uses=args.uses,
                actor=_admin(),
                now=datetime.now(UTC),
            )
    except InviteError as error:
        return _fail(str(error))
    finally:
        store.close()
    bot = os.environ.get("TELEGRAM_BOT_USERNAME", "").lstrip("@") or "<your bot>"
    print(f"code:     {invite.code}")
    print(f"Telegram: https://t.me/{bot}?start={invite.code}")
    print(f"Matrix:   send '!start {invite.code}' to the coach in a direct chat")
    until = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"valid until {until}, for {invite.max_uses} use(s), role {invite.role}", file=sys.stderr)
    return 0


def cmd_export_progress(args: argparse.Namespace) -> int:
    import csv
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from tqdm import tqdm

    from lessons.progress_export import COLUMNS, rows

    if args.weeks < 1:
        return _fail("--weeks must be 1 or more")
    settings = _settings(args)
    store = _open_store(settings)
    if isinstance(store, int):
        return store
    output = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        with store.transaction() as tx:
            organisation = tx.organisations.by_slug(args.org)
            if organisation is None:
                return _fail(f"no organisation '{args.org}'; check 'digicoach org show'")
            today = (
                args.until + timedelta(days=1)
                if args.until
                else datetime.now(UTC).astimezone(ZoneInfo(organisation.timezone)).date()
            )
            writer = csv.DictWriter(output, fieldnames=COLUMNS)
            writer.writeheader()
            # The bar shows on a terminal only (tqdm turns itself off when stderr is not one).
            with tqdm(total=args.weeks, unit="week", desc=f"exporting {args.org}", disable=None) as bar:
                count = 0
                for row in rows(tx, organisation, args.weeks, today, settings.rhythm, bar.update):
                    writer.writerow(row)
                    count += 1
            tx.audit.add(_admin(), "export progress", datetime.now(UTC), organisation=args.org,
                         weeks=args.weeks, rows=count)  # fmt: skip
    finally:
        if output is not sys.stdout:
            output.close()
        store.close()
    where = f" to {args.output}" if args.output else ""
    print(f"{count} row(s) for {args.weeks} week(s){where}", file=sys.stderr)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import ArgumentError, OperationalError

    from storage.unit_of_work import Store

    settings = _settings(args)
    store = Store(settings.database_url)
    try:
        store.upgrade()
    except (OperationalError, ArgumentError) as error:
        return _fail(f"cannot upgrade {settings.database_url}: {error.args[0]}")
    finally:
        store.close()
    print(f"database {settings.database_url} is up to date")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="digicoach", description="A chat coach for digital skills.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk to the coach in this terminal")
    chat.add_argument(
        "--db", metavar="URL", help="database URL (default: DIGICOACH_DATABASE_URL or ./digicoach.sqlite3)"
    )
    chat.add_argument("--user", metavar="NAME", help="who you are in this chat (default: your login name)")
    chat.add_argument("--lang", metavar="CODE", help="language to start in: nl, en, fr or de")
    chat.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the shipped library)")
    chat.set_defaults(func=cmd_chat)

    run = commands.add_parser("run", help="serve learners on the configured chat platforms")
    run.add_argument("--db", metavar="URL", help="database URL (default: DIGICOACH_DATABASE_URL)")
    run.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the shipped library)")
    run.set_defaults(func=cmd_run)

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
    check.set_defaults(func=cmd_lessons_check, lessons=None)
    stats = lesson_commands.add_parser(
        "stats", help="coverage per topic and level, languages, plain-language figures"
    )
    stats.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: the configured lessons)"
    )
    stats.set_defaults(func=cmd_lessons_stats, lessons=None)
    show = lesson_commands.add_parser(
        "preview", help="print a lesson as a learner sees it: cards, quiz, feedback, try this today"
    )
    show.add_argument("lesson", metavar="ID", help="a lesson id, or the path of one lesson file")
    show.add_argument(
        "--lang", default=DEFAULT_LANGUAGE, metavar="CODE", help="nl, en, fr or de (default: nl)"
    )
    show.add_argument("--lessons", metavar="DIRS", help="lesson folders (default: the configured lessons)")
    show.set_defaults(func=cmd_lessons_preview)
    bring = lesson_commands.add_parser(
        "import", help="turn a Moodle GIFT or Aiken quiz file into lesson YAML"
    )
    bring.add_argument("file", metavar="FILE", help="a GIFT or Aiken file")
    bring.add_argument(
        "--out", default=".", metavar="DIR", help="folder to write the lessons to (default: .)"
    )
    bring.add_argument("--format", choices=("gift", "aiken"), help="default: recognised from the content")
    bring.add_argument("--topic", required=True, help="one of " + ", ".join(TOPICS))
    bring.add_argument("--level", required=True, help="foundation, intermediate or advanced")
    bring.add_argument("--digcomp", required=True, metavar="IDS", help="DigComp ids, e.g. 4.2,1.2")
    bring.add_argument(
        "--lang", default=DEFAULT_LANGUAGE, metavar="CODE", help="the file's language (default: nl)"
    )
    bring.add_argument("--title", help="lesson title (GIFT: default the $CATEGORY name; Aiken: required)")
    bring.add_argument(
        "--summary", help="one sentence for the lesson (default: the first sentence of the card)"
    )
    bring.add_argument(
        "--card-text", help="what learners read before the quiz, if the file has no '//' comment card"
    )
    bring.add_argument("--id", help="lesson id (default: made from the title)")
    bring.set_defaults(func=cmd_lessons_import)
    reload = lesson_commands.add_parser(
        "reload", help="make the running coach load the lessons again (it keeps the old ones on errors)"
    )
    reload.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="how long to wait for the coach"
    )
    reload.set_defaults(func=cmd_lessons_reload)

    schedule = commands.add_parser("schedule", help="the daily rhythm")
    schedule_commands = schedule.add_subparsers(dest="schedule_command", required=True, metavar="COMMAND")
    plan = schedule_commands.add_parser("preview", help="who would get what on a date; sends nothing")
    plan.add_argument("--date", metavar="YYYY-MM-DD", help="the day to preview (default: today)")
    plan.add_argument("--db", metavar="URL", help="database URL")
    plan.set_defaults(func=cmd_schedule_preview, lessons=None)

    org = commands.add_parser("org", help="organisations and teams")
    org_commands = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    org_apply = org_commands.add_parser("apply", help="make the database match an organisation file")
    org_apply.add_argument("file", metavar="FILE", help="the organisation file (YAML)")
    org_apply.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    org_apply.add_argument("--db", metavar="URL", help="database URL")
    org_apply.set_defaults(func=cmd_org_apply, lessons=None)
    org_show = org_commands.add_parser("show", help="list organisations, teams, members and managers")
    org_show.add_argument("--db", metavar="URL", help="database URL")
    org_show.set_defaults(func=cmd_org_show, lessons=None)

    invite = commands.add_parser("invite", help="invite codes")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True, metavar="COMMAND")
    invite_create = invite_commands.add_parser("create", help="make an invite code and its links")
    scope = invite_create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--team", metavar="ORG/TEAM", help="for members and managers of a team")
    scope.add_argument("--org", metavar="ORG", help="for an organisation admin")
    scope.add_argument("--region", metavar="REGION", help="for a region admin")
    invite_create.add_argument(
        "--role", default="member", help="member (default), manager, org-admin or region-admin"
    )
    invite_create.add_argument(
        "--expires", default="14d", help="how long it is valid: 14d, 12h, 30m (default 14d)"
    )
    invite_create.add_argument("--uses", type=int, default=1, help="how many people may use it (default 1)")
    invite_create.add_argument("--db", metavar="URL", help="database URL")
    invite_create.set_defaults(func=cmd_invite_create, lessons=None)

    export = commands.add_parser("export", help="figures for HR, under the digest's privacy rules")
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="COMMAND")
    progress = export_commands.add_parser("progress", help="an organisation's weekly figures per team")
    progress.add_argument("--org", required=True, metavar="ORG", help="the organisation (see 'org show')")
    progress.add_argument("--format", choices=["csv"], default="csv", help="output format (csv)")
    progress.add_argument("--weeks", type=int, default=12, help="how many weeks back (default 12)")
    progress.add_argument(
        "--until",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the last week exported is the one holding this day (default: this week)",
    )
    progress.add_argument("--output", metavar="FILE", help="write here instead of to standard output")
    progress.add_argument("--db", metavar="URL", help="database URL")
    progress.set_defaults(func=cmd_export_progress, lessons=None)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    upgrade.add_argument("--db", metavar="URL", help="database URL")
    upgrade.set_defaults(func=cmd_db_upgrade)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            (f"DIGICOACH_{str(e['loc'][0]).upper()}: " if e["loc"] else "")
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        )
        return _fail(f"bad setting: {problems}")
    _setup_logging(settings.log_level)
    return int(args.func(args))
