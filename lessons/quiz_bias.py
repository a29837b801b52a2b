"""How much of a quiz a guesser could pass: figures for authors, and the limits ``lessons check`` holds.

A quiz measures knowledge only when guessing does not pay: true/false
answers split about evenly, the right option not given away by being the
longest, "all but the one silly option" not the rule for select-all
questions. Options are shuffled when shown, so their order in the file no
longer matters; their content and length still do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lessons.model import LANGUAGES, FreeText, Lesson, MultipleChoice, Question, SingleChoice, TrueFalse

# Below this many items of a kind a share says little: no limit is held.
ENOUGH_ITEMS = 10
# 'True' answers between 40 % and 60 % of true/false questions: always answering one side
# then scores at most 60 %.
TRUE_SHARE = (0.40, 0.60)
# The right option strictly the longest in at most a third of single-choice questions:
# about what chance gives with three options.
MOST_LONGEST_RIGHT = 1 / 3
MOST_ALL_BUT_ONE = 0.50


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def right_is_longest(question: SingleChoice, language: str) -> bool:
    """The right option is strictly longer than every other, in this language."""
    lengths = [(len(o.text.get(language)), o.correct) for o in question.options]
    right = max((n for n, correct in lengths if correct), default=None)
    return right is not None and all(n < right for n, correct in lengths if not correct)


def all_but_one(question: MultipleChoice) -> bool:
    return sum(o.correct for o in question.options) == len(question.options) - 1


@dataclass(frozen=True)
class QuizBias:
    true_false: int
    answer_true: int
    single: int
    # Per language: single-choice questions whose right option is strictly the longest.
    longest_right: dict[str, int]
    multiple: int
    all_but_one: int
    two_options: int
    free_text: int
    one_accepted: int
    distractors: int
    distractors_without_why: int

    @property
    def true_share(self) -> float:
        return _share(self.answer_true, self.true_false)

    def longest_right_share(self, language: str) -> float:
        return _share(self.longest_right.get(language, 0), self.single)

    @property
    def worst_longest(self) -> tuple[str, float]:
        language = max(LANGUAGES, key=self.longest_right_share)
        return language, self.longest_right_share(language)

    @property
    def all_but_one_share(self) -> float:
        return _share(self.all_but_one, self.multiple)


def measure(questions: Iterable[Question]) -> QuizBias:
    items = list(questions)
    singles = [q for q in items if isinstance(q, SingleChoice)]
    multiples = [q for q in items if isinstance(q, MultipleChoice)]
    true_false = [q for q in items if isinstance(q, TrueFalse)]
    typed = [q for q in items if isinstance(q, FreeText)]
    distractors = [o for q in singles for o in q.options if not o.correct]
    return QuizBias(
        true_false=len(true_false),
        answer_true=sum(q.answer for q in true_false),
        single=len(singles),
        longest_right={lang: sum(right_is_longest(q, lang) for q in singles) for lang in LANGUAGES},
        multiple=len(multiples),
        all_but_one=sum(all_but_one(q) for q in multiples),
        two_options=sum(len(q.options) == 2 for q in singles) + sum(len(q.options) == 2 for q in multiples),
        free_text=len(typed),
        one_accepted=sum(max((len(a) for a in q.accepted.values()), default=0) <= 1 for q in typed),
        distractors=len(distractors),
        distractors_without_why=sum(o.why is None for o in distractors),
    )


def of_lessons(lessons: Iterable[Lesson]) -> QuizBias:
    return measure(q for lesson in lessons for q in lesson.quiz)


def beyond_limits(bias: QuizBias) -> Iterator[tuple[str, str]]:
    """(what, advice) for each limit the figures cross: the kind of question it is about, and what to do."""
    low, high = TRUE_SHARE
    if bias.true_false >= ENOUGH_ITEMS and not low <= bias.true_share <= high:
        side = "true" if bias.true_share > high else "false"
        yield (
            "true_false",
            f"{bias.answer_true} of {bias.true_false} true/false answers are 'true' ({bias.true_share:.0%}): "
            f"answering '{side}' always scores too well; keep 'true' between {low:.0%} and {high:.0%}",
        )
    language, share = bias.worst_longest
    if bias.single >= ENOUGH_ITEMS and share > MOST_LONGEST_RIGHT:
        yield (
            "single",
            f"in {bias.longest_right[language]} of {bias.single} single-choice questions the right option "
            f"is the longest in '{language}' ({share:.0%}): picking the longest pays; keep it at most "
            f"{MOST_LONGEST_RIGHT:.0%} by writing distractors as long and as careful as the right answer",
        )
    if bias.multiple >= ENOUGH_ITEMS and bias.all_but_one_share > MOST_ALL_BUT_ONE:
        yield (
            "multiple",
            f"{bias.all_but_one} of {bias.multiple} select-all questions have every option right but one "
            f"({bias.all_but_one_share:.0%}): ticking everything sensible pays; keep it under "
            f"{MOST_ALL_BUT_ONE:.0%} with two or more plausible wrong options",
        )


def render(bias: QuizBias) -> list[str]:
    """The figures as ``lessons stats`` prints them."""
    longest = "  ".join(f"{lang} {bias.longest_right_share(lang):.0%}" for lang in LANGUAGES)
    return [
        f"True/false answers that are 'true': {bias.answer_true} of {bias.true_false} "
        f"({bias.true_share:.0%}; keep {TRUE_SHARE[0]:.0%}-{TRUE_SHARE[1]:.0%})",
        f"Single choice, right option strictly the longest (keep at most {MOST_LONGEST_RIGHT:.0%}): "
        f"{longest}",
        f"Select-all questions with all options right but one: {bias.all_but_one} of {bias.multiple} "
        f"({bias.all_but_one_share:.0%}; keep under {MOST_ALL_BUT_ONE:.0%})",
        f"Choice questions with only two options: {bias.two_options}",
        f"Typed-answer questions with a single accepted answer: {bias.one_accepted} of {bias.free_text}",
        f"Single-choice distractors without a 'why': {bias.distractors_without_why} of {bias.distractors}",
    ]
