"""``/mydata`` and ``/forget``: a learner sees and erases what the coach keeps."""

from __future__ import annotations

import json
from collections.abc import Sequence
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


def _rows(records: Sequence[Any]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in asdict(r).items()} for r in records]


def export(turn: Turn) -> dict[str, Any]:
    """Everything stored about the learner, as plain JSON-ready data."""
    learner_id = turn.learner.id
    tx = turn.tx
    return {
        "learner": {k: _plain(v) for k, v in asdict(turn.learner).items()},
        "lessons": _rows(tx.deliveries.all_for(learner_id)),
        "answers": _rows(tx.answers.all_for(learner_id)),
        "pauses": _rows(tx.pauses.all_for(learner_id)),
        "placement_checks": _rows(tx.placements.history(learner_id)),
        "roles": _rows(tx.roles.of(learner_id)),
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
            "lessons and answers? Your team's totals keep your lessons as anonymous numbers. "
            "This cannot be undone."
        ),
        [Choice("forget:yes", _("Yes, erase everything")), Choice("forget:no", _("No, keep it"))],
    )


def forget(turn: Turn, confirmed: bool) -> None:
    if not confirmed:
        turn.say(_("Nothing was erased."))
        return
    learner_id = turn.learner.id
    # Their part of the team figures stays, as totals nobody can trace back.
    turn.tx.progress.keep_anonymously(turn.tx.progress.contribution(learner_id))
    turn.tx.audit.anonymise(f"learner:{learner_id}", "a forgotten learner")
    turn.tx.learners.remove(learner_id)
    turn.say(
        _("Everything I kept about you is erased. Goodbye! Type /start if you ever want to begin again.")
    )
