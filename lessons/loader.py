"""Load lesson, track and glossary YAML files into a ``Library``, or say what is wrong.

Every problem names ``path:line:col`` and what to do about it. Structure is
checked by the pydantic models; the rules that span fields (one correct option,
unique ids, translations, tracks) are checked here.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from lessons import model, quiz_bias
from lessons.glossary import Glossary, forms
from lessons.lesson_library import Library
from lessons.model import (
    LANGUAGES,
    LEVELS,
    QUESTION_TYPES,
    TOPICS,
    GlossaryFile,
    Lesson,
    MultipleChoice,
    PlacementCheck,
    Question,
    SingleChoice,
    Text,
    Track,
    TrueFalse,
    iter_texts,
)
from lessons.problems import MAX_PER_FILE, Problem, Severity, at_most, quoted
from lessons.questions import type_of
from lessons.readability import (
    MAX_CARD_WORDS,
    MAX_SIMPLE_SENTENCE_WORDS,
    MAX_TERM_SENTENCES,
    MAX_TERM_WORDS,
    sentences,
    words,
)
from lessons.yaml_source import PathKey, Source, SyntaxProblem, YamlDocument, read

LIBRARY_DIR = Path(__file__).parent / "library"
# In every warning about a 'lost_in_import' line: 'lessons import' reports the same loss by its
# line in the Moodle file and leaves these out of its own check.
IMPORT_LOSS = "lost in the import from Moodle"
# In the warnings about a lesson nobody has checked against official pages yet.
NO_SOURCES = "names no sources"
NOT_REVIEWED = "has no 'reviewed' date"
DEFAULT_REQUIRED_LANGUAGES: tuple[str, ...] = ("nl", "en")


def _known_keys() -> list[str]:
    models: list[type[BaseModel]] = [
        obj
        for obj in vars(model).values()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and not issubclass(obj, Text)
    ]
    return sorted({name for m in models for name in m.model_fields} | set(LANGUAGES))


KNOWN_KEYS = _known_keys()

_CHOICES_BY_FIELD = {
    "topic": ("topic", "one of " + ", ".join(TOPICS)),
    "level": ("level", "one of " + ", ".join(LEVELS)),
    "digcomp": ("DigComp id", "a DigComp 3.0 id: 1.1-1.3, 2.1-2.6, 3.1-3.4, 4.1-4.4 or 5.1-5.4"),
    "[key]": ("language", "one of " + ", ".join(LANGUAGES)),
}
# Fields that hold ids or tags (``model.Slug``).
_ID_FIELDS = ("id", "lessons", "requires", "audience")
_EXPECTED_TYPE = {
    "int_parsing": "a whole number, e.g. 1",
    "int_type": "a whole number, e.g. 1",
    "int_from_float": "a whole number, e.g. 1",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list, e.g. [a, b] or lines starting with '- '",
    "dict_type": "a mapping of keys, e.g. 'id: ...' on its own lines",
    "model_type": "a mapping of keys, e.g. 'id: ...' on its own lines",
}


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    source: Source  # only the text: where ids and list items stand, for problems across files
    item: Lesson | Track | PlacementCheck | GlossaryFile


@dataclass(frozen=True)
class LibraryLoad:
    """The outcome of loading: the library when there are no errors, and every problem."""

    library: Library | None
    problems: list[Problem]
    files: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def discover(paths: Sequence[Path]) -> tuple[list[tuple[Path, Path]], list[Problem]]:
    """The YAML files under ``paths`` (files or folders), in a stable order, each with its lesson folder."""
    found: list[tuple[Path, Path]] = []
    problems: list[Problem] = []
    for root in paths:
        if root.is_dir():
            found += sorted(
                (p, root)
                for p in root.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
            )
        elif root.is_file():
            found.append((root, root.parent))
        else:
            problems.append(Problem(str(root), 1, 1, "no such file or folder"))
    return found, problems


def data_path(data: Any, loc: Sequence[str | int]) -> PathKey:
    """Follow pydantic's error location through the data, skipping union tags."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_mapping = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            current = current[part]
            path.append(part)
    return tuple(path)


def describe(path: PathKey) -> str:
    parts = [f"[{p + 1}]" if isinstance(p, int) else p for p in path]
    return ".".join(str(p) for p in parts).replace(".[", "[") or "the file"


def _structure_problems(error: ValidationError, doc: YamlDocument, file: str) -> tuple[list[Problem], int]:
    """What the schema found, for the first ``MAX_PER_FILE`` errors; and how many more it found."""
    problems: list[Problem] = []
    found = error.errors(include_url=False)
    errors = found[: MAX_PER_FILE + 1]
    # A misspelt key also makes the right key "missing"; report the typo only.
    suggested: set[tuple[PathKey, str]] = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            where = data_path(doc.data, tuple(e["loc"]))
            for close in difflib.get_close_matches(
                str(where[-1]) if where else "", KNOWN_KEYS, n=1, cutoff=0.6
            ):
                suggested.add((where[:-1], close))
    for e in errors:
        if e["type"] == "missing" and (data_path(doc.data, tuple(e["loc"])[:-1]), e["loc"][-1]) in suggested:
            continue
        loc = tuple(e["loc"])
        kind = e["type"]
        where = data_path(doc.data, loc)
        named = [p for p in loc if isinstance(p, str) and p not in QUESTION_TYPES]
        field_name = named[-1] if named else ""
        line, col = doc.position(where)
        if kind == "extra_forbidden":
            key = str(where[-1]) if where else str(loc[-1])
            line, col = doc.position(where, key=True)
            similar = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
            hint = f"; did you mean '{similar[0]}'?" if similar else "; remove it or check the spelling"
            message = f"unknown key '{key}'{hint}"
        elif kind == "missing" and loc[-1] == "alt":
            parent = data_path(doc.data, loc[:-1])
            line, col = doc.position(parent)
            message = (
                f"{describe(parent)} has no alt text: add 'alt:' with one short description "
                "per language, for colleagues who use a screen reader"
            )
        elif kind == "missing":
            parent = data_path(doc.data, loc[:-1])
            line, col = doc.position(parent)
            name = str(loc[-1])
            allowed = f" with {_CHOICES_BY_FIELD[name][1]}" if name in _CHOICES_BY_FIELD else ""
            message = f"missing required field '{name}' in {describe(parent)}: add '{name}:'{allowed}"
        elif kind == "too_short" and isinstance(e.get("ctx"), dict):
            least = e["ctx"]["min_length"]
            message = f"'{field_name}' needs at least {least} item{'s' if least > 1 else ''}: add one"
        elif kind == "too_long" and isinstance(e.get("ctx"), dict):
            most, given = e["ctx"]["max_length"], e["ctx"]["actual_length"]
            split = "; split it into two lessons" if field_name in ("cards", "quiz") else ""
            message = f"'{field_name}' has {given} items: keep at most {most}{split}"
        elif kind == "literal_error" and field_name in _CHOICES_BY_FIELD:
            what, allowed = _CHOICES_BY_FIELD[field_name]
            if field_name == "[key]":
                line, col = doc.position(where, key=True)
            message = f"unknown {what} {quoted(e['input'])}: use {allowed}"
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            kinds = ", ".join(QUESTION_TYPES[:-1]) + " or " + QUESTION_TYPES[-1]
            given = e.get("ctx", {}).get("tag")
            message = (
                f"unknown question type '{given}': use {kinds}"
                if given is not None
                else f"question needs a 'type': {kinds}"
            )
        elif kind in ("dict_type", "model_type") and field_name in (
            "title",
            "summary",
            "text",
            "question",
            "explanation",
            "try_today",
            "alt",
        ):
            message = f"'{field_name}' needs one text per language, e.g. 'nl: ...' and 'en: ...'"
        elif kind == "dict_type" and field_name == "names":
            message = "'names' needs a list of names per language, e.g. 'nl: [phishing]' and 'en: [phishing]'"
        elif kind == "string_too_short":
            message = f"{describe(where)} is empty: write the text or remove the key"
        elif kind == "string_too_long" and isinstance(e.get("ctx"), dict):
            most = e["ctx"]["max_length"]
            if field_name in _ID_FIELDS:
                message = f"{describe(where)} has {len(e['input']):,} characters; an id has at most {most}"
            else:
                message = (
                    f"{describe(where)} has {len(e['input']):,} characters; at most {most:,} "
                    "fit in a chat message beside the rest: shorten it or split it"
                )
        elif kind == "value_error":
            message = f"{describe(where)} {str(e['msg']).removeprefix('Value error, ')}"
        elif kind in _EXPECTED_TYPE:
            message = (
                f"'{field_name or describe(where)}' should be {_EXPECTED_TYPE[kind]}, "
                f"not {quoted(e['input'])}"
            )
        elif kind == "string_pattern_mismatch" and field_name in _ID_FIELDS:
            message = (
                f"{quoted(e['input'])} is not a valid id: use lowercase letters, digits and hyphens, "
                "e.g. 'phishing-basics'"
            )
        else:
            message = f"{describe(where)}: {e['msg'][0].lower()}{e['msg'][1:]}"
        problems.append(Problem(file, line, col, message))
    return problems, len(found) - len(errors)


def _question_problems(questions: Sequence[Question], key: str, at: Callable[..., None]) -> list[Problem]:
    """Rules every quiz question follows, in a lesson or in the placement check."""
    first_with_id: dict[str, int] = {}
    for i, question in enumerate(questions):
        here: PathKey = (key, i)
        if question.id in first_with_id:
            at(
                (*here, "id"),
                f"duplicate question id '{question.id}': question {first_with_id[question.id] + 1} "
                "already uses it; give each question its own id",
            )
        else:
            first_with_id[question.id] = i
        for where, message in type_of(question).problems(question):
            at((*here, *where), message)
        for where, message in type_of(question).advice(question):
            at((*here, *where), message, "warning")
        for k, lost in enumerate(question.lost_in_import):
            at(
                (*here, "lost_in_import", k),
                f"quiz question '{question.id}' {IMPORT_LOSS}: {lost} "
                "(check the question, then delete this line from 'lost_in_import')",
                "warning",
            )

    return []


def _translation_problems(item: BaseModel, at: Callable[..., None], required: Sequence[str]) -> None:
    texts = list(iter_texts(item))
    for lang in required:
        missing = [path for path, text in texts if lang not in text.languages]
        if missing:
            count = f"{len(missing)} text" + ("s" if len(missing) > 1 else "")
            at(
                missing[0],
                f"missing '{lang}' translation in {count}, first in "
                f"{describe(missing[0])}: add '{lang}: ...' next to the other languages",
            )


def _placement_problems(
    check: PlacementCheck, doc: YamlDocument, file: str, required: Sequence[str]
) -> list[Problem]:
    problems: list[Problem] = []

    def at(path: PathKey, message: str, severity: str = "error", key: bool = False) -> None:
        line, col = doc.position(path, key=key)
        problems.append(Problem(file, line, col, message, severity))  # type: ignore[arg-type]

    _question_problems(check.questions, "questions", at)
    missing = [t for t in TOPICS if not any(q.topic == t for q in check.questions)]
    if missing:
        at(
            ("questions",),
            f"the placement check has no question on {', '.join(missing)}: "
            "give every topic at least one question",
        )
    _translation_problems(check, at, required)
    return problems


def _glossary_problems(
    glossary: GlossaryFile, doc: YamlDocument, file: str, required: Sequence[str]
) -> list[Problem]:
    """What one glossary file lacks; names used twice are found across files (``_glossary_duplicates``)."""
    problems: list[Problem] = []

    def at(path: PathKey, message: str, severity: Severity = "error") -> None:
        line, col = doc.position(path)
        problems.append(Problem(file, line, col, message, severity))

    _translation_problems(glossary, at, required)
    for lang in required:
        missing = [i for i, term in enumerate(glossary.terms) if lang not in term.names]
        if missing:
            terms = f"{len(missing)} term" + ("s" if len(missing) > 1 else "")
            at(
                ("terms", missing[0], "names"),
                f"missing '{lang}' names in {terms}, first in {describe(('terms', missing[0], 'names'))}: "
                f"add '{lang}: [...]' next to the other languages",
            )
    for i, term in enumerate(glossary.terms):
        for lang, names in term.names.items():
            for k, name in enumerate(names):
                if not forms(name, lang):
                    at(
                        ("terms", i, "names", lang, k),
                        f"{quoted(name)} has no letters or digits: a name is a word or a few words",
                    )
        for lang, text in term.explanation.root.items():
            where: PathKey = ("terms", i, "explanation", lang)
            if (count := len(sentences(text))) > MAX_TERM_SENTENCES:
                at(
                    where,
                    f"the explanation of '{term.id}' has {count} sentences in '{lang}': "
                    f"explain a term in one or {MAX_TERM_SENTENCES} short sentences",
                    "warning",
                )
            elif (count := words(text)) > MAX_TERM_WORDS:
                at(
                    where,
                    f"the explanation of '{term.id}' has {count} words in '{lang}': "
                    f"keep it to {MAX_TERM_WORDS} words",
                    "warning",
                )
    return problems


def _glossary_duplicates(files: list[LoadedFile]) -> list[Problem]:
    """A term id, or a name in one language, used twice, in one glossary file or across several.

    Two names "read the same" when a text that uses one uses the other: they differ only
    in case, accents, endings or a hyphen ("sensor" and "Sensoren", "back-up" and "backup").
    """
    problems: list[Problem] = []
    ids: dict[str, tuple[LoadedFile, PathKey]] = {}
    # (language, stemmer, a name's stems) -> the first name read so: its file, place, term and text.
    names: dict[tuple[str, str, tuple[str, ...]], tuple[LoadedFile, PathKey, str, str]] = {}

    def where(loaded: LoadedFile, path: PathKey) -> str:
        return f"{loaded.path}:{loaded.source.position(path)[0]}"

    def at(loaded: LoadedFile, path: PathKey, message: str, severity: Severity = "error") -> None:
        line, col = loaded.source.position(path)
        problems.append(Problem(str(loaded.path), line, col, message, severity))

    for loaded in files:
        assert isinstance(loaded.item, GlossaryFile)
        for i, term in enumerate(loaded.item.terms):
            if term.id in ids:
                at(
                    loaded,
                    ("terms", i, "id"),
                    f"duplicate term id '{term.id}': already used in {where(*ids[term.id])}; "
                    "give each term its own id",
                )
            else:
                ids[term.id] = (loaded, ("terms", i, "id"))
            for lang, term_names in term.names.items():
                for k, name in enumerate(term_names):
                    path: PathKey = ("terms", i, "names", lang, k)
                    for form in forms(name, lang):
                        other, other_path, owner, other_name = names.setdefault(
                            (lang, form.stemmer, form.stems), (loaded, path, term.id, name)
                        )
                        if other is loaded and other_path == path:
                            continue
                        if other is loaded and other_path[:2] == path[:2]:
                            at(
                                loaded,
                                path,
                                f"{quoted(name)} reads the same as {quoted(other_name)}, a name this term "
                                "has already (case, accents, endings and hyphens do not count): remove it",
                                "warning",
                            )
                        else:
                            at(
                                loaded,
                                path,
                                f"{quoted(name)} in '{lang}' reads the same as {quoted(other_name)} of term "
                                f"'{owner}' ({where(other, other_path)}): a word can explain "
                                "one term only; remove it from one of them",
                            )
                        break
    return problems


# A lesson's facts are checked again at least this often.
REVIEW_EVERY = timedelta(days=365)


def _lesson_problems(
    lesson: Lesson, doc: YamlDocument, file: str, required: Sequence[str], today: date
) -> list[Problem]:
    problems: list[Problem] = []

    def at(path: PathKey, message: str, severity: str = "error", key: bool = False) -> None:
        line, col = doc.position(path, key=key)
        problems.append(Problem(file, line, col, message, severity))  # type: ignore[arg-type]

    problems += _question_problems(lesson.quiz, "quiz", at)

    _translation_problems(lesson, at, required)

    for i, card in enumerate(lesson.cards):
        for lang, text in card.text.root.items():
            if (card_words := words(text)) > MAX_CARD_WORDS:
                at(
                    ("cards", i, "text", lang),
                    f"card {i + 1} has {card_words} words in '{lang}': "
                    f"keep cards to {MAX_CARD_WORDS} words or split the card",
                    "warning",
                )
        for lang, text in card.simple.root.items() if card.simple else ():
            longest = max((words(s) for s in sentences(text)), default=0)
            if longest > MAX_SIMPLE_SENTENCE_WORDS:
                at(
                    ("cards", i, "simple", lang),
                    f"the simpler text of card {i + 1} has a sentence of {longest} words in '{lang}': "
                    f"a simpler text keeps sentences to about 10 words (at most {MAX_SIMPLE_SENTENCE_WORDS})",
                    "warning",
                )
    problems += _review_problems(lesson, doc, file, today)
    return problems


def _review_problems(lesson: Lesson, doc: YamlDocument, file: str, today: date) -> list[Problem]:
    """Warnings when nobody can tell where a lesson's facts come from or when they were last checked.

    Facts age (laws, dates, programmes): a lesson names the official pages it rests on and the
    day someone checked it against them, so an outdated lesson shows up in ``lessons check``.
    """
    problems: list[Problem] = []

    def at(path: PathKey, message: str) -> None:
        line, col = doc.position(path)
        problems.append(Problem(file, line, col, message, "warning"))

    if not lesson.sources:
        at(
            ("id",),
            f"lesson '{lesson.id}' {NO_SOURCES}: add 'sources:' with the official pages its facts "
            "rest on, each as '- url: https://...' and 'checked: YYYY-MM-DD' (the day you checked it)",
        )
    if lesson.reviewed is None:
        at(
            ("id",),
            f"lesson '{lesson.id}' {NOT_REVIEWED}: check its facts against its sources, "
            "then add 'reviewed: YYYY-MM-DD' with today's date",
        )
    elif today - lesson.reviewed > REVIEW_EVERY:
        at(
            ("reviewed",),
            f"lesson '{lesson.id}' was last reviewed on {lesson.reviewed.isoformat()}, more than a year ago: "
            "check its facts against its sources, then set 'reviewed' (and each source's 'checked') to today",
        )
    return problems


def _with_pictures_found(
    lesson: Lesson, path: Path, folder: Path, problems: list[Problem], doc: YamlDocument
) -> Lesson:
    """The lesson with every card picture's file found: next to the lesson file, else in its lesson folder.

    Pictures are found here, once, so that every platform sends the same file;
    a URL stays as it is. A picture found nowhere is a warning, and learners
    read its description instead.
    """
    cards = []
    for i, card in enumerate(lesson.cards):
        image = card.image
        if image is None or image.src.startswith(("https://", "http://")):
            cards.append(card)
            continue
        given = Path(image.src)
        candidates = [given] if given.is_absolute() else [path.parent / given, folder / given]
        found = next((c.resolve() for c in candidates if c.is_file()), None)
        if found is None:
            line, col = doc.position(("cards", i, "image", "src"))
            problems.append(
                Problem(
                    str(path), line, col,
                    f"picture '{image.src}' not found next to the lesson file or in its lesson folder "
                    f"{folder}: add the file or fix the path; learners read its alt text instead",
                    "warning",
                )
            )  # fmt: skip
            cards.append(card)
        else:
            cards.append(card.model_copy(update={"image": image.model_copy(update={"src": str(found)})}))
    return lesson.model_copy(update={"cards": cards})


def load_file(
    path: Path, required: Sequence[str], folder: Path | None = None, today: date | None = None
) -> tuple[LoadedFile | None, list[Problem]]:
    """One lesson, track, placement or glossary file; ``folder`` is the lesson folder it was found in.

    ``today`` (default: the machine's date) is what a lesson's ``reviewed`` date is held to.
    """
    file = str(path)
    doc = read(path)
    if isinstance(doc, SyntaxProblem):
        return None, [Problem(file, *doc.position, doc.message)]
    problems = [
        Problem(file, *where, f"duplicate key '{key}': each key may appear once")
        for key, where in doc.duplicate_keys
    ]
    if not isinstance(doc.data, dict):
        return None, at_most([*problems, Problem(file, 1, 1, "a lesson file must be a mapping of keys")])
    kinds: dict[object, type[Lesson | Track | PlacementCheck | GlossaryFile]] = {
        "track": Track,
        "placement": PlacementCheck,
        "glossary": GlossaryFile,
    }
    kind = kinds.get(doc.data.get("kind"), Lesson)
    try:
        item = kind.model_validate(doc.data)
    except ValidationError as error:
        found, unlisted = _structure_problems(error, doc, file)
        return None, at_most([*problems, *found], unlisted)
    if isinstance(item, Lesson):
        problems += _lesson_problems(item, doc, file, required, today or date.today())
        item = _with_pictures_found(item, path, folder or path.parent, problems, doc)
    elif isinstance(item, PlacementCheck):
        problems += _placement_problems(item, doc, file, required)
    elif isinstance(item, GlossaryFile):
        problems += _glossary_problems(item, doc, file, required)
    return LoadedFile(path, doc.source, item), at_most(problems)


def _bias_problems(files: list[LoadedFile]) -> list[Problem]:
    """Warnings where the library as a whole lets guessing pay (``lessons.quiz_bias``).

    Each names the first question that adds to the figure; ``lessons stats`` gives them all.
    """
    lessons = [(f, f.item) for f in files if isinstance(f.item, Lesson)]
    bias = quiz_bias.of_lessons(lesson for _file, lesson in lessons)
    language = bias.worst_longest[0]
    adds_to: dict[str, Callable[[Question], bool]] = {
        "true_false": lambda q: isinstance(q, TrueFalse) and q.answer == (bias.true_share > 0.5),
        "single": lambda q: isinstance(q, SingleChoice) and quiz_bias.right_is_longest(q, language),
        "multiple": lambda q: isinstance(q, MultipleChoice) and quiz_bias.all_but_one(q),
    }
    problems = []
    for kind, message in quiz_bias.beyond_limits(bias):
        loaded, index = next(
            (f, i) for f, lesson in lessons for i, q in enumerate(lesson.quiz) if adds_to[kind](q)
        )
        line, col = loaded.source.position(("quiz", index))
        problems.append(Problem(str(loaded.path), line, col, f"{message} (this is one)", "warning"))
    return problems


def _library_problems(files: list[LoadedFile]) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, LoadedFile] = {}
    for loaded in files:
        if isinstance(loaded.item, GlossaryFile):
            continue
        item_id = loaded.item.id
        if item_id in first_seen:
            other = first_seen[item_id]
            line, col = loaded.source.position(("id",))
            other_line = other.source.position(("id",))[0]
            problems.append(
                Problem(
                    str(loaded.path),
                    line,
                    col,
                    f"duplicate id '{item_id}': already used in {other.path}:{other_line}; "
                    "give each lesson and track its own id",
                )
            )
        else:
            first_seen[item_id] = loaded
    checks = [f for f in files if isinstance(f.item, PlacementCheck)]
    for extra in checks[1:]:
        line, col = extra.source.position(("kind",))
        problems.append(
            Problem(
                str(extra.path), line, col,
                f"a library has one placement check and {checks[0].path} is it already: "
                "merge the questions into that file",
            )
        )  # fmt: skip
    lessons = {f.item.id for f in files if isinstance(f.item, Lesson)}
    tracks = {f.item.id: f for f in files if isinstance(f.item, Track)}
    for loaded in tracks.values():
        track = loaded.item
        assert isinstance(track, Track)
        for i, lesson_id in enumerate(track.lessons):
            if lesson_id not in lessons:
                line, col = loaded.source.position(("lessons", i))
                close = difflib.get_close_matches(lesson_id, sorted(lessons), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else "; check the spelling or add the lesson"
                problems.append(
                    Problem(
                        str(loaded.path),
                        line,
                        col,
                        f"track '{track.id}' names lesson '{lesson_id}', which does not exist{hint}",
                    )
                )
        for i, required_id in enumerate(track.requires):
            if required_id not in tracks:
                line, col = loaded.source.position(("requires", i))
                problems.append(
                    Problem(
                        str(loaded.path),
                        line,
                        col,
                        f"track '{track.id}' requires track '{required_id}', which does not exist; "
                        "check the spelling or remove it from 'requires'",
                    )
                )
    problems += _bias_problems([f for f in files if isinstance(f.item, Lesson)])
    problems += _glossary_duplicates([f for f in files if isinstance(f.item, GlossaryFile)])
    problems += _cycle_problems(tracks)
    problems += _audience_problems(files, tracks)
    return problems


def _audience_problems(files: list[LoadedFile], tracks: dict[str, LoadedFile]) -> list[Problem]:
    """Warn about an audience tag no track serves: usually a typo ('managers' for 'manager').

    Only when tracks are checked too: a single lesson file on its own cannot tell.
    """
    if not tracks:
        return []
    served = {"all"} | {tag for f in tracks.values() if isinstance(f.item, Track) for tag in f.item.audience}
    problems: list[Problem] = []
    for loaded in files:
        if not isinstance(loaded.item, Lesson):
            continue
        for i, tag in enumerate(loaded.item.audience):
            if tag in served:
                continue
            line, col = loaded.source.position(("audience", i))
            close = difflib.get_close_matches(tag, sorted(served), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "check the spelling or add a track for it"
            problems.append(
                Problem(
                    str(loaded.path),
                    line,
                    col,
                    f"no track is for audience '{tag}' (tracks serve: {', '.join(sorted(served))}); {hint}",
                    "warning",
                )
            )
    return problems


def _cycle_problems(tracks: dict[str, LoadedFile]) -> list[Problem]:
    """Report each prerequisite cycle once, at the track where it is first found."""
    problems: list[Problem] = []
    state: dict[str, str] = {}

    def visit(track_id: str, trail: list[str]) -> None:
        state[track_id] = "open"
        track = tracks[track_id].item
        assert isinstance(track, Track)
        for i, nxt in enumerate(track.requires):
            if nxt not in tracks:
                continue
            if state.get(nxt) == "open":
                path = [*trail, track_id]
                cycle = " -> ".join([*path[path.index(nxt) :], nxt])
                line, col = tracks[track_id].source.position(("requires", i))
                problems.append(
                    Problem(
                        str(tracks[track_id].path),
                        line,
                        col,
                        f"prerequisite cycle: {cycle}; remove one of these requirements",
                    )
                )
            elif nxt not in state:
                visit(nxt, [*trail, track_id])
        state[track_id] = "done"

    for track_id in sorted(tracks):
        if track_id not in state:
            visit(track_id, [])
    return problems


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while files load.

    Loading allocates tens of thousands of objects that all live on (the
    lessons) and makes no reference cycles, so every collection pass during a
    load scans an ever larger heap and frees nothing: on 500 files that was a
    fifth of the time. Reference counting still frees everything short-lived.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_library(
    paths: Iterable[Path] | None = None,
    required_languages: Sequence[str] = DEFAULT_REQUIRED_LANGUAGES,
    today: date | None = None,
) -> LibraryLoad:
    """Load every lesson, track and glossary under ``paths`` (default: the shipped library)."""
    files, problems = discover(list(paths) if paths is not None else [LIBRARY_DIR])
    loaded: list[LoadedFile] = []
    with _no_cycle_collection():
        for path, folder in files:
            item, found = load_file(path, required_languages, folder, today)
            problems += found
            if item is not None:
                loaded.append(item)
    problems += _library_problems(loaded)
    if not files and not problems:
        problems.append(
            Problem(", ".join(map(str, paths or [LIBRARY_DIR])), 1, 1, "no lesson files (*.yaml) found here")
        )
    errors = any(p.severity == "error" for p in problems)
    library = None
    if not errors:
        library = Library(
            lessons={f.item.id: f.item for f in loaded if isinstance(f.item, Lesson)},
            tracks={f.item.id: f.item for f in loaded if isinstance(f.item, Track)},
            placement=next((f.item for f in loaded if isinstance(f.item, PlacementCheck)), None),
            glossary=Glossary.of(t for f in loaded if isinstance(f.item, GlossaryFile) for t in f.item.terms),
        )
    return LibraryLoad(library, sorted(problems), len(files))
