"""``digicoach lessons``: check, count, preview and reload the lesson files (import is its own module).

``lessons check`` runs in admins' CI on every change: this module and what it
imports at the top stay free of the database layer and the chat platforms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.errors import CliError
from bot.cli.options import one_of
from bot.settings import Settings
from lessons.model import LANGUAGES


def check(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from lessons.loader import load_library

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


def stats(args: argparse.Namespace, settings: Settings) -> int:
    from lessons.loader import load_library
    from lessons.stats import compute, render

    loaded = load_library([Path(p) for p in args.paths] or settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        raise CliError("the lessons have errors (listed above); run 'digicoach lessons check'", loaded.errors)
    print(render(compute(loaded.library)))
    return 0


def preview(args: argparse.Namespace, settings: Settings) -> int:
    import difflib

    from bot import lesson_preview
    from lessons.i18n import supported
    from lessons.loader import load_library

    if not supported(args.lang):
        raise CliError(f"unknown language '{args.lang}'; use {one_of(LANGUAGES)}")
    draft = Path(args.lesson)
    from_file = draft.suffix in (".yaml", ".yml") and draft.is_file()
    # Translations are not required here: previewing a draft in one language is the point.
    loaded = load_library([draft] if from_file else settings.lesson_paths, ())
    if loaded.library is None:
        raise CliError("the lessons have errors (listed above); run 'digicoach lessons check'", loaded.errors)
    if from_file:
        lesson = next(iter(loaded.library.lessons.values()), None)
        if lesson is None:
            raise CliError(f"{draft} is a track, not a lesson")
    else:
        lesson = loaded.library.lesson(args.lesson)
        if lesson is None:
            close = difflib.get_close_matches(args.lesson, sorted(loaded.library.lessons), n=1)
            hint = (
                f"; did you mean '{close[0]}'?" if close else "; 'digicoach lessons stats' lists the library"
            )
            raise CliError(f"no lesson with id '{args.lesson}'{hint}")
    # A draft is previewed with the library's glossary, so its "❓ Words" show as they will.
    glossary = loaded.library.glossary
    if from_file:
        shipped = load_library(settings.lesson_paths, ())
        glossary = shipped.library.glossary if shipped.library else glossary
    print(lesson_preview.preview(lesson, args.lang, glossary, _read_aloud(settings)))
    return 0


def _read_aloud(settings: Settings) -> frozenset[str]:
    """The languages ``digicoach chat`` would read cards aloud in on this machine."""
    from bot import speech

    try:
        speaker = speech.configure(settings.read_aloud, settings.piper_voices, settings.data_dir)
    except speech.SpeechSettingsError as error:
        raise CliError(str(error)) from error
    return speaker.languages if speaker else frozenset()


def reload(args: argparse.Namespace, settings: Settings) -> int:
    from bot.lesson_reload import NoAnswerError, NoCoachRunningError, request_reload

    data_dir = settings.data_dir
    try:
        status = request_reload(data_dir, timeout=args.timeout)
    except NoCoachRunningError:
        raise CliError(
            f"no running coach found (no live process in {data_dir / 'coach.pid'}); "
            "start it with 'digicoach run', or set DIGICOACH_DATA_DIR to the folder it uses"
        ) from None
    except NoAnswerError:
        raise CliError(
            f"the coach was asked to reload but did not answer within {args.timeout:g} s; see its log"
        ) from None
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
