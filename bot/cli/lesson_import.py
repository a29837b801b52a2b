"""``digicoach lessons import``: a Moodle GIFT or Aiken quiz file becomes lesson YAML.

What cannot be converted is reported by line; what is written must pass
``lessons check``, and the importer checks that itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.errors import CliError
from bot.settings import Settings
from lessons.model import DIGCOMP_IDS, LANGUAGES, LEVELS, TOPICS


def _check_facts(args: argparse.Namespace, digcomp: list[str]) -> None:
    """What the admin says about the lessons must be valid before anything is written."""
    from lessons.importers import valid_id

    if args.topic not in TOPICS:
        raise CliError(f"unknown topic '{args.topic}'; use one of {', '.join(TOPICS)}")
    if args.level not in LEVELS:
        raise CliError(f"unknown level '{args.level}'; use one of {', '.join(LEVELS)}")
    if not digcomp or any(code not in DIGCOMP_IDS for code in digcomp):
        raise CliError(f"unknown DigComp id in '{args.digcomp}'; use ids like 4.2,1.2 (1.1 ... 5.4)")
    if args.lang not in LANGUAGES:
        raise CliError(f"unknown language '{args.lang}'; use {', '.join(LANGUAGES)}")
    if args.id and not valid_id(args.id):
        raise CliError(f"'{args.id}' is not a valid id: use lowercase letters, digits and hyphens")


def import_quiz(args: argparse.Namespace, _settings: Settings) -> int:
    from lessons.importers import LessonFacts, Note, aiken, build, gift
    from lessons.importers.lesson_file import write
    from lessons.loader import IMPORT_LOSS, load_file

    source = Path(args.file)
    digcomp = [code.strip() for code in args.digcomp.split(",") if code.strip()]
    _check_facts(args, digcomp)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {source}: {error}") from error
    kind = args.format or ("aiken" if aiken.looks_like_aiken(text) else "gift")
    sections, notes = aiken.parse(text) if kind == "aiken" else gift.parse(text, args.lang)
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
            if IMPORT_LOSS not in problem.message:  # reported below, at its line in the source
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
