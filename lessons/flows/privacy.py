"""``/mydata`` and ``/forget``: a learner sees and erases what the coach keeps."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, time
from typing import Any

from lessons.chat import Choice
from lessons.i18n import _
from lessons.turn import Turn


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def export(turn: Turn) -> dict[str, Any]:
    learner = turn.learner
    return {
        "learner": {k: _plain(v) for k, v in asdict(learner).items()},
        "lessons": [
            {k: _plain(v) for k, v in asdict(d).items()} for d in turn.tx.deliveries.all_for(learner.id)
        ],
        "answers": [
            {k: _plain(v) for k, v in asdict(a).items()} for a in turn.tx.answers.all_for(learner.id)
        ],
    }


def my_data(turn: Turn) -> None:
    turn.say(
        _("This is everything I keep about you:")
        + "\n"
        + json.dumps(export(turn), indent=2, ensure_ascii=False),
        title=_("Your data"),
    )


def ask_to_forget(turn: Turn) -> None:
    turn.say(
        _(
            "Do you want me to erase everything I keep about you: your settings, "
            "lessons and answers? This cannot be undone."
        ),
        [Choice("forget:yes", _("Yes, erase everything")), Choice("forget:no", _("No, keep it"))],
    )


def forget(turn: Turn, confirmed: bool) -> None:
    if not confirmed:
        turn.say(_("Nothing was erased."))
        return
    turn.tx.learners.remove(turn.learner.id)
    turn.say(
        _("Everything I kept about you is erased. Goodbye! Type /start if you ever want to begin again.")
    )
