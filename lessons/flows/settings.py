"""``/settings``: language, delivery time and lesson days."""

from __future__ import annotations

from babel.dates import get_day_names

from lessons.chat import Choice
from lessons.flows import onboarding
from lessons.i18n import _, format_locale, language_name, short_time
from lessons.turn import Turn
from storage.states import Stage


def show(turn: Turn) -> None:
    learner = turn.learner
    if not learner.set_up:
        turn.say(_("Let's finish setting up first."))
        onboarding.resume(turn)
        return
    summary = "\n".join(
        [
            _("Language: {language}", language=language_name(turn.language)),
            _("Lesson time: {time}", time=short_time(learner.delivery_time)),
            _("Lesson days: {days}", days=onboarding.weekday_names(learner.weekdays)),
        ]
    )
    turn.say(
        summary + "\n" + _("What would you like to change?"),
        [
            Choice("set:lang", _("Language")),
            Choice("set:time", _("Lesson time")),
            Choice("set:days", _("Lesson days")),
        ],
        title=_("Your settings"),
    )


def change(turn: Turn, what: str) -> None:
    if not turn.learner.set_up:
        onboarding.resume(turn)
    elif what == "lang":
        onboarding.ask_language(turn)
    elif what == "time":
        turn.update_learner(stage=Stage.SETTING_TIME)
        onboarding.ask_time(turn)
    elif what == "days":
        _ask_days(turn)
    elif what == "done":
        turn.say(
            _("Saved. Your lessons come on {days}.", days=onboarding.weekday_names(turn.learner.weekdays))
        )
    else:
        show(turn)


def _ask_days(turn: Turn) -> None:
    names = get_day_names("wide", locale=format_locale())
    days = turn.learner.weekday_numbers
    choices = [Choice(f"day:{n}", ("☑ " if n in days else "☐ ") + names[n - 1]) for n in range(1, 8)]
    turn.say(
        _("On which days do you want a lesson? Tap a day to switch it on or off."),
        [*choices, Choice("set:done", _("Done"))],
    )


def toggle_day(turn: Turn, day: int) -> None:
    if not turn.learner.set_up or not 1 <= day <= 7:
        show(turn)
        return
    days = turn.learner.weekday_numbers ^ {day}
    if not days:
        turn.say(_("Keep at least one lesson day. To take a break, simply do no lessons for a while."))
        _ask_days(turn)
        return
    turn.update_learner(weekdays="".join(str(d) for d in sorted(days)))
    _ask_days(turn)
