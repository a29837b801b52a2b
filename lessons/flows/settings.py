"""``/settings``: language, delivery time, lesson days and "always simpler"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from babel.dates import get_day_names

from lessons.buttons import Button, Within, on
from lessons.commands import command
from lessons.flows import onboarding
from lessons.flows.onboarding import TimeButton
from lessons.i18n import N_, _, format_locale, language_name, short_time
from lessons.turn import Turn
from storage.states import Stage


@dataclass(frozen=True)
class ChangeSetting(Button, kind="set"):
    # "done" ends the choice of days, "close" the settings without a change.
    what: Literal["lang", "time", "days", "simple", "done", "close"]


@dataclass(frozen=True)
class AlwaysSimpler(Button, kind="always"):
    """The answer to "the simpler text of a card first, when it has one?"."""

    simpler: Literal["yes", "no"]


@dataclass(frozen=True)
class DayButton(Button, kind="day"):
    """Switch one ISO weekday (Monday = 1) on or off."""

    day: Annotated[int, Within(1, 7)]


@command(
    "settings",
    place=40,
    help=N_("language, lesson time, lesson days and simpler texts"),
    menu=N_("Language, lesson time and days"),
)
def show(turn: Turn, _args: str = "") -> None:
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
            _("Always simpler texts: {state}", state=_("on") if learner.always_simpler else _("off")),
        ]
    )
    turn.say(
        summary + "\n" + _("What would you like to change?"),
        [
            ChangeSetting("lang").choice(_("Language")),
            ChangeSetting("time").choice(_("Lesson time")),
            ChangeSetting("days").choice(_("Lesson days")),
            ChangeSetting("simple").choice(_("Simpler texts")),
            ChangeSetting("close").choice(_("Done")),
        ],
        title=_("Your settings"),
    )


@on(ChangeSetting)
def change(turn: Turn, press: ChangeSetting) -> None:
    if not turn.learner.set_up:
        onboarding.resume(turn)
    elif press.what == "lang":
        onboarding.ask_language(turn)
    elif press.what == "time":
        turn.update_learner(stage=Stage.SETTING_TIME)
        onboarding.ask_time(turn)
    elif press.what == "days":
        _ask_days(turn)
    elif press.what == "simple":
        turn.say(
            _("Some cards also have a simpler text: shorter sentences, easier words.")
            + "\n"
            + _("Do you always want the simpler text first, when a card has one?"),
            [
                AlwaysSimpler("yes").choice(_("Yes, always simpler")),
                AlwaysSimpler("no").choice(_("No, the normal text")),
            ],
        )
    elif press.what == "close":
        turn.say(_("Fine. Your settings stay as they are. Type /lesson for today's lesson."))
    else:
        turn.say(
            _("Saved. Your lessons come on {days}.", days=onboarding.weekday_names(turn.learner.weekdays))
        )


@on(AlwaysSimpler)
def always_simpler(turn: Turn, press: AlwaysSimpler) -> None:
    if not turn.learner.set_up:
        onboarding.resume(turn)
        return
    turn.update_learner(always_simpler=press.simpler == "yes")
    if turn.learner.always_simpler:
        turn.say(_("Saved. You get the simpler text of a card first, when it has one."))
    else:
        turn.say(_("Saved. You get the normal texts. A card with a simpler text offers it as a button."))


@on(TimeButton)
def time_chosen(turn: Turn, press: TimeButton) -> None:
    """A suggested time, pressed while onboarding or while changing the time in /settings."""
    chosen = press.time
    if chosen is not None and turn.learner.stage in (Stage.TIME, Stage.SETTING_TIME):
        onboarding.choose_time(turn, chosen)
    elif turn.learner.stage is Stage.READY:
        show(turn)
    else:
        onboarding.resume(turn)


def _ask_days(turn: Turn) -> None:
    names = get_day_names("wide", locale=format_locale())
    days = turn.learner.weekday_numbers
    choices = [DayButton(n).choice(names[n - 1], ticked=n in days) for n in range(1, 8)]
    turn.say(
        _("On which days do you want a lesson? Tap a day to switch it on or off."),
        [*choices, ChangeSetting("done").choice(_("Done"))],
    )


@on(DayButton)
def toggle_day(turn: Turn, press: DayButton) -> None:
    if not turn.learner.set_up:
        show(turn)
        return
    days = turn.learner.weekday_numbers ^ {press.day}
    if not days:
        turn.say(_("Keep at least one lesson day. To take a break, simply do no lessons for a while."))
        _ask_days(turn)
        return
    turn.update_learner(weekdays="".join(str(d) for d in sorted(days)))
    _ask_days(turn)
