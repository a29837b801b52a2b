"""First meeting: language, privacy notice, delivery time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Literal

from babel import Locale
from babel.dates import get_day_names
from babel.lists import format_list

from lessons import invites
from lessons.buttons import Button, on
from lessons.chat import Choice
from lessons.commands import command
from lessons.flows import help
from lessons.flows.navigation import GoTo, StartCheck
from lessons.grading import normalise
from lessons.i18n import N_, _, format_locale, language_name, ngettext, short_time, use_locale
from lessons.model import LANGUAGES
from lessons.turn import Turn
from storage.states import SessionKind, Stage

SUGGESTED_TIMES = (time(8, 0), time(9, 30), time(12, 30), time(16, 0))

_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.hHuU]\s*(\d{2}))?\s*(?:[hHuU]|uur)?\s*$")


def parse_time(text: str) -> time | None:
    """Read '9:30', '09.30', '9u30', '9h30', '14' or '14 uur' as a time of day."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


@dataclass(frozen=True)
class LanguageButton(Button, kind="lang"):
    code: str


@dataclass(frozen=True)
class PrivacyRead(Button, kind="ok"):
    what: Literal["privacy"] = "privacy"


@dataclass(frozen=True)
class TimeButton(Button, kind="time"):
    """A suggested lesson time, as HHMM (its handler is in ``settings``: it also changes a time)."""

    hhmm: str

    @property
    def time(self) -> time | None:
        text = self.hhmm
        return parse_time(f"{text[:2]}:{text[2:]}") if len(text) == 4 and text.isdigit() else None


def language_choices() -> list[Choice]:
    return [LanguageButton(code).choice(language_name(code)) for code in LANGUAGES]


def time_choices() -> list[Choice]:
    return [TimeButton(f"{t:%H%M}").choice(short_time(t)) for t in SUGGESTED_TIMES]


def weekday_names(weekdays: str) -> str:
    names = get_day_names("wide", locale=format_locale())
    return format_list([names[int(d) - 1] for d in sorted(weekdays)], locale=format_locale())


# What a learner may type for "yes" and "no" in the coach's languages, when a question has only those.
YES = frozenset({"yes", "y", "ja", "j", "oui", "o"})
NO = frozenset({"no", "n", "nee", "nein", "non"})


@command("start", place=120, help=N_("begin, or see where you are"), menu=N_("Begin, or see where you are"))
def start(turn: Turn, code: str = "") -> None:
    """``/start`` (or ``/start CODE`` from an invite): greet, then begin, go on, or say where they are.

    It never throws away what a learner did: a learner half-way through
    onboarding is asked the open question again.
    """
    if code.strip():
        invites.redeem(turn, code)
    if turn.learner.set_up:
        where_you_are(turn)
        return
    if turn.learner.stage in (Stage.PRIVACY, Stage.TIME):
        turn.say(_("Hello again! Let's go on where we were."))
        resume(turn)
        return
    turn.update_learner(stage=Stage.LANGUAGE)
    turn.say(
        _(
            "Hello! I am your digital coach. On working days I send you a short lesson "
            "of 2 to 3 minutes, with a small quiz. You learn at your own pace."
        )
    )
    ask_language(turn)


def ask_language(turn: Turn) -> None:
    turn.say(_("Which language do you prefer?"), language_choices())


def where_you_are(turn: Turn) -> None:
    """For a learner who is set up: a greeting, and where they are on their path."""
    tx, learner = turn.tx, turn.learner
    done = len(tx.deliveries.finished_lessons(learner.id))
    welcome = _("Welcome back!")
    open_session = tx.deliveries.latest_open(learner.id)
    if open_session is not None:
        lesson = turn.library.lesson(open_session.lesson_id)
        title = lesson.title.get(turn.language) if lesson is not None else None
        turn.say(
            welcome
            + " "
            + (
                _("You were in the middle of “{title}”.", title=title)
                if open_session.kind is SessionKind.LESSON and title
                else _("You were in the middle of a few questions.")
            ),
            [GoTo("lesson").choice(_("Continue"))],
        )
        return
    lessons_done = ngettext("You have done {n} lesson.", "You have done {n} lessons.", done) if done else ""
    upcoming = turn.next_lesson()
    if any(d.done for d in tx.deliveries.on_day(learner.id, turn.today)):
        turn.say(
            " ".join(filter(None, [welcome, lessons_done, _("Today's lesson is done. Well done!")])),
            [GoTo("progress").choice(_("My progress"))],
        )
    elif upcoming is not None:
        turn.say(
            " ".join(
                filter(
                    None,
                    [welcome, lessons_done, _("Next: “{title}”.", title=upcoming.title.get(turn.language))],
                )
            ),
            [GoTo("lesson").choice(_("Today's lesson")), GoTo("progress").choice(_("My progress"))],
        )
    else:
        turn.say(
            " ".join(
                [welcome, lessons_done, _("You have done every lesson. Type /lesson to repeat questions.")]
            ),
            [GoTo("progress").choice(_("My progress"))],
        )


def not_understood(turn: Turn, text: str) -> None:
    """A typed answer onboarding cannot read: say so, then ask the open question again, once."""
    stage = turn.learner.stage
    if stage in (Stage.NEW, Stage.LANGUAGE) and (code := language_named(text)) is not None:
        choose_language(turn, code)
        return
    if stage is Stage.PRIVACY and normalise(text) in YES | {"ok", "okay", "👍"}:
        accept_privacy(turn, PrivacyRead())
        return
    sorry = _("Sorry, I did not understand “{text}”.", text=help.quoted(text))
    if stage in (Stage.NEW, Stage.LANGUAGE):
        if stage is Stage.NEW:
            turn.update_learner(stage=Stage.LANGUAGE)
        turn.say(sorry + " " + _("Which language do you prefer?"), language_choices())
    elif stage is Stage.PRIVACY:
        turn.say(
            sorry + " " + _("Please read the notice about your privacy above, then choose:"),
            [PrivacyRead().choice(_("OK, understood"))],
        )
    else:
        turn.say(sorry + " " + _("Please type a time like 09:30, or choose one of these:"), time_choices())


def language_named(text: str) -> str | None:
    """The language a learner typed, by its code or its name in any of the coach's languages."""
    typed = normalise(text)
    for code in LANGUAGES:
        names = {code, *(normalise(Locale.parse(code).get_display_name(other) or "") for other in LANGUAGES)}
        if typed in names:
            return code
    return None


def resume(turn: Turn) -> None:
    """Ask again whatever onboarding question is still open."""
    stage = turn.learner.stage
    if stage in (Stage.NEW, Stage.LANGUAGE):
        start(turn)
    elif stage is Stage.PRIVACY:
        show_privacy_notice(turn)
    else:
        ask_time(turn)


@on(LanguageButton)
def language_chosen(turn: Turn, press: LanguageButton) -> None:
    choose_language(turn, press.code)


def choose_language(turn: Turn, code: str) -> None:
    if code not in LANGUAGES:
        ask_language(turn)
        return
    first_time = turn.learner.stage in (Stage.NEW, Stage.LANGUAGE)
    turn.update_learner(locale=code, stage=Stage.PRIVACY if first_time else turn.learner.stage)
    with use_locale(code):
        if first_time:
            show_privacy_notice(turn)
        else:
            turn.say(_("From now on I will speak {language} with you.", language=language_name(code)))


def show_privacy_notice(turn: Turn) -> None:
    turn.say(
        _(
            "Before we start, this is what I keep about you:\n"
            "• Stored: your chat name, your language, your lesson time and days, "
            "which lessons you did and your quiz answers.\n"
            "• Who sees it: you. Your manager only sees totals for the whole team, "
            "never your answers or scores. Your name is only shown if you agree.\n"
            "• Your rights: /mydata sends you everything I keep about you. "
            "/forget erases it.\n"
            "Taking part is voluntary."
        ),
        [PrivacyRead().choice(_("OK, understood"))],
        title=_("Your privacy"),
    )


@on(PrivacyRead)
def accept_privacy(turn: Turn, _press: PrivacyRead) -> None:
    if turn.learner.set_up:
        turn.say(_("You already read the notice."))
        return
    if turn.learner.stage is not Stage.PRIVACY:
        resume(turn)
        return
    turn.update_learner(stage=Stage.TIME)
    ask_time(turn)


def ask_time(turn: Turn) -> None:
    turn.say(
        _("At what time should your daily lesson arrive? Pick a time, or type one like 10:15."),
        time_choices(),
    )


def choose_time(turn: Turn, value: time) -> None:
    onboarding = turn.learner.stage is Stage.TIME
    learner = turn.update_learner(delivery_time=value, stage=Stage.READY)
    when = _(
        "Your lesson arrives at {time} on {days}.",
        time=short_time(learner.delivery_time),
        days=weekday_names(learner.weekdays),
    )
    if not onboarding:
        turn.say(_("Saved.") + " " + when)
        return
    check = (
        [
            StartCheck().choice(
                _("A short check first ({n} questions)", n=len(turn.library.placement.questions))
            )
        ]
        if turn.library.placement
        else []
    )
    turn.say(
        _("All set!") + " " + when + " " + _("You can change this with /settings."),
        [GoTo("lesson").choice(_("Start today's lesson")), *check, GoTo("later").choice(_("Later"))],
    )


def later(turn: Turn) -> None:
    turn.say(_("Fine. Type /lesson whenever you are ready."))
