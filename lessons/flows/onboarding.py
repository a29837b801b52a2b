"""First meeting: language, privacy notice, delivery time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Literal

from babel.dates import get_day_names
from babel.lists import format_list

from lessons import invites
from lessons.buttons import Button, on
from lessons.chat import Choice
from lessons.commands import command
from lessons.flows.navigation import GoTo, StartCheck
from lessons.i18n import N_, _, format_locale, language_name, short_time, use_locale
from lessons.model import LANGUAGES
from lessons.turn import Turn
from storage.states import Stage

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


@command(
    "start", place=120, help=N_("start again from the beginning"), menu=N_("Start again from the beginning")
)
def start(turn: Turn, code: str = "") -> None:
    """``/start`` (or ``/start CODE`` from an invite): greet, and begin (or resume) onboarding."""
    if code.strip():
        invites.redeem(turn, code)
    if turn.learner.set_up:
        turn.say(
            _("Welcome back! Type /lesson for today's lesson or /help to see what I can do."),
            [GoTo("lesson").choice(_("Today's lesson"))],
        )
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
