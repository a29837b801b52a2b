"""The shape of a lesson and a track, as admins write them in YAML.

Pydantic models with ``extra='forbid'`` so a misspelt key is an error, not a
silently ignored field. Texts are written side by side per language
(``{nl: ..., en: ...}``); ``Text.get`` falls back to the default language so a
missing translation never leaves a learner with an empty message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

LANGUAGES: tuple[str, ...] = ("nl", "en", "fr", "de")
DEFAULT_LANGUAGE = "nl"

TOPICS: tuple[str, ...] = ("strategy", "iot", "skills", "participation", "business", "security")
LEVELS: tuple[str, ...] = ("foundation", "intermediate", "advanced")
# DigComp 3.0 (JRC, 2025): 5 areas, 21 competences, with the ids of DigComp 2.2 (JRC128415)
# kept; 3.0 changed the wording, not the structure.
DIGCOMP_IDS: tuple[str, ...] = (
    "1.1", "1.2", "1.3",
    "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
    "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4",
    "5.1", "5.2", "5.3", "5.4",
)  # fmt: skip

Topic = Literal["strategy", "iot", "skills", "participation", "business", "security"]
Level = Literal["foundation", "intermediate", "advanced"]
Language = Literal["nl", "en", "fr", "de"]
DigCompId = Literal[
    "1.1", "1.2", "1.3",
    "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
    "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4",
    "5.1", "5.2", "5.3", "5.4",
]  # fmt: skip

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# An id or tag: it goes into the database (64 characters there) and into button ids.
Slug = Annotated[str, Field(pattern=SLUG.pattern, max_length=48)]

# The longest text of each kind, in characters. Every text travels as (part of) a
# chat message: Telegram takes 4,096 UTF-16 units a message and 1,024 a picture
# caption, a Matrix event must stay under 65,536 bytes. The limits are two to three
# times the longest text of each kind in the shipped library, and the largest
# messages built from them fit one message:
# - a card: the title, "(6/6)" and the card text, 100 + 8 + 1,000 = 1,108 characters,
#   at most 2,216 UTF-16 units even if every character were an emoji (a card with a
#   picture that is longer than a caption goes as the picture, then the text);
# - a question: its title, the question and a hint, under 600 characters, and up to
#   nine buttons (eight options and "I don't know") of at most 100 characters;
# - the feedback on an answer: the verdict, the right options (up to 7 x 100), the
#   'why' of each option picked (up to 8 x 200) and the explanation (500), under
#   2,900 characters: one Telegram message for text in the Basic Multilingual Plane
#   (every European script); only a text of mostly emoji would be split in two.
# On Matrix, 2,900 characters are at most 11.6 KB of UTF-8, sent twice (plain and
# HTML, where escaping '&' takes five bytes): well under 65,536 bytes.
MAX_TITLE = 100
MAX_SUMMARY = 300
MAX_CARD = 1000
MAX_QUESTION = 400
MAX_OPTION = 100
MAX_WHY = 200
MAX_EXPLANATION = 500
MAX_TRY_TODAY = 400
MAX_ALT = 250
MAX_ACCEPTED = 100
MAX_URL = 2000
MAX_OPTIONS = 8
# A glossary: a term's name is a word or a few ("two-step login"), its explanation one
# or two short sentences; both travel in one chat message with a card's other terms.
MAX_TERM_NAME = 60
MAX_TERM_NAMES = 10
MAX_TERM_EXPLANATION = 300
MAX_TERMS = 1000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)


class Text(RootModel[dict[Language, Annotated[str, Field(min_length=1)]]]):
    """One text in several languages; the subclasses below say how long it may be.

    A control character cannot reach a text: the YAML reader refuses it, written
    out or as an escape (``lessons.yaml_source``).
    """

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, strict=True)

    @field_validator("root")
    @classmethod
    def _not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("needs at least one language, e.g. 'nl: ...'")
        return value

    def get(self, language: str) -> str:
        """The text in ``language``, else Dutch, else English, else any."""
        return self.root[self.language_of(language)]

    def language_of(self, language: str) -> Language:
        """The language ``get`` answers in: ``language``, unless its translation is missing."""
        for candidate in (language, DEFAULT_LANGUAGE, "en"):
            for known in self.root:
                if known == candidate:
                    return known
        return next(iter(self.root))

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.root)


class Title(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]]


class Summary(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_SUMMARY)]]


class CardText(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_CARD)]]


class QuestionText(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_QUESTION)]]


class OptionText(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_OPTION)]]


class Why(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_WHY)]]


class Explanation(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_EXPLANATION)]]


class TryToday(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_TRY_TODAY)]]


class AltText(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_ALT)]]


class TermExplanation(Text):
    root: dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_TERM_EXPLANATION)]]


class Image(_Strict):
    src: Annotated[str, Field(min_length=1, max_length=MAX_URL)]
    alt: AltText


class Link(_Strict):
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=MAX_URL)]
    title: Title


class Card(_Strict):
    text: CardText
    image: Image | None = None
    # The same card in simpler words (A2: short sentences, common words, no idioms), for
    # learners who find reading hard; offered as "Simpler, please".
    simple: CardText | None = None


class Option(_Strict):
    text: OptionText
    correct: bool = False
    # Why this option is (not) right, shown to a learner who picks it; before the explanation.
    why: Why | None = None
    # Keep this option where it stands (e.g. "All of the above" last); the others are shuffled.
    pinned: bool = False


class _Question(_Strict):
    id: Slug
    question: QuestionText
    explanation: Explanation
    # What 'lessons import' could not carry over from Moodle (partial credit, a lost feedback, ...),
    # one line each: 'lessons check' warns until an author has looked and deleted the lines.
    lost_in_import: list[Annotated[str, Field(min_length=1, max_length=MAX_WHY)]] = []


class SingleChoice(_Question):
    """Exactly one option is right."""

    type: Literal["single"]
    options: Annotated[list[Option], Field(min_length=2, max_length=MAX_OPTIONS)]


class MultipleChoice(_Question):
    """Select all that apply: one or more options are right."""

    type: Literal["multiple"]
    options: Annotated[list[Option], Field(min_length=2, max_length=MAX_OPTIONS)]


class TrueFalse(_Question):
    type: Literal["true_false"]
    answer: bool
    # Shown to a learner who answers true (false), before the explanation: like an option's 'why'.
    why_true: Why | None = None
    why_false: Why | None = None


class FreeText(_Question):
    """Typed answer, compared after normalising case, accents and spaces."""

    type: Literal["free_text"]
    accepted: dict[
        Language,
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=MAX_ACCEPTED)]],
            Field(max_length=20),
        ],
    ]


# Every type of quiz question; its behaviour is in lessons/questions/, one module each.
Question = Annotated[SingleChoice | MultipleChoice | TrueFalse | FreeText, Field(discriminator="type")]
# The names authors write as `type:`, in the order above.
QUESTION_TYPES: tuple[str, ...] = tuple(
    get_args(kind.model_fields["type"].annotation)[0] for kind in get_args(get_args(Question)[0])
)


class Source(_Strict):
    """An official page a lesson's facts rest on, and the day someone checked the lesson against it."""

    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=MAX_URL)]
    # Written as YYYY-MM-DD; the YAML reader hands dates over as text.
    checked: Annotated[date, Field(strict=False)]


class Lesson(_Strict):
    kind: Literal["lesson"] = "lesson"
    id: Slug
    version: Annotated[int, Field(ge=1)]
    title: Title
    summary: Summary
    topic: Topic
    digcomp: Annotated[list[DigCompId], Field(min_length=1)]
    level: Level
    minutes: Annotated[int, Field(ge=1, le=10)] = 3
    audience: Annotated[list[Slug], Field(max_length=10)] = ["all"]
    cards: Annotated[list[Card], Field(min_length=1, max_length=6)]
    quiz: Annotated[list[Question], Field(min_length=1, max_length=8)]
    try_today: TryToday | None = None
    links: Annotated[list[Link], Field(max_length=10)] = []
    # Where the facts come from, and when the whole lesson was last reviewed: facts age
    # (laws, dates, programmes), and 'lessons check' warns a year after the review.
    sources: Annotated[list[Source], Field(max_length=10)] = []
    reviewed: Annotated[date, Field(strict=False)] | None = None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.quiz if q.id == question_id), None)


class _Placed(BaseModel):
    """A placement question also says which topic it measures, and at which level.

    A learner starts a level further in a topic only when every question of
    that topic up to that level is right: foundation questions are the gate,
    intermediate ones grant intermediate, advanced ones advanced.
    """

    topic: Topic
    level: Level


class PlacedSingle(SingleChoice, _Placed):
    pass


class PlacedMultiple(MultipleChoice, _Placed):
    pass


class PlacedTrueFalse(TrueFalse, _Placed):
    pass


class PlacedFreeText(FreeText, _Placed):
    pass


PlacementQuestion = Annotated[
    PlacedSingle | PlacedMultiple | PlacedTrueFalse | PlacedFreeText, Field(discriminator="type")
]
PLACEMENT_MAX_QUESTIONS = 24


class PlacementCheck(_Strict):
    """The short self-check that tells where a learner starts in each topic."""

    kind: Literal["placement"]
    id: Slug
    title: Title
    summary: Summary
    questions: Annotated[list[PlacementQuestion], Field(min_length=1, max_length=PLACEMENT_MAX_QUESTIONS)]

    def question(self, question_id: str) -> PlacementQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


class Track(_Strict):
    """An ordered path of lessons for a level or an audience."""

    kind: Literal["track"]
    id: Slug
    title: Title
    audience: Annotated[list[Slug], Field(max_length=10)] = ["all"]
    lessons: Annotated[list[Slug], Field(min_length=1)]
    requires: list[Slug] = []


TermName = Annotated[str, Field(min_length=1, max_length=MAX_TERM_NAME)]


class GlossaryTerm(_Strict):
    """A word learners may not know, its names per language and what it means."""

    id: Slug
    # Per language, the name learners read first, then other names for the same thing
    # ("AVG", "GDPR"): a text that uses any of them offers the explanation.
    names: dict[Language, Annotated[list[TermName], Field(min_length=1, max_length=MAX_TERM_NAMES)]]
    explanation: TermExplanation

    def names_in(self, language: str) -> list[str]:
        """Its names in ``language``; none if it has none there."""
        return next((names for lang, names in self.names.items() if lang == language), [])

    def name(self, language: str) -> str:
        """The first name in ``language``, else in Dutch, else in English, else any."""
        for candidate in (language, DEFAULT_LANGUAGE, "en"):
            if candidate in self.names:
                return self.names[candidate][0]
        return next(iter(self.names.values()))[0]


class GlossaryFile(_Strict):
    """A file of terms the coach can explain ("❓ Words", /whatis); a library may have several."""

    kind: Literal["glossary"]
    terms: Annotated[list[GlossaryTerm], Field(min_length=1, max_length=MAX_TERMS)]


def iter_texts(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Text]]:
    """Every ``Text`` inside a lesson or track, with its path in the YAML data."""
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from iter_texts(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_texts(item, (*path, i))
