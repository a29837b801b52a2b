"""``/progress``: lessons done, quiz accuracy per topic, streak."""

from __future__ import annotations

from lessons.i18n import _, ngettext, percent
from lessons.streaks import current_streak
from lessons.topics import topic_name
from lessons.turn import Turn


def show(turn: Turn) -> None:
    learner_id = turn.learner.id
    done = len(turn.tx.deliveries.finished_lessons(learner_id))
    scores = turn.tx.answers.scores_by_topic(learner_id)
    if not done and not scores:
        turn.say(_("No lessons done yet. Type /lesson to start your first one."), title=_("Your progress"))
        return
    streak = current_streak(
        turn.tx.deliveries.finished_dates(learner_id), turn.today, turn.learner.weekday_numbers
    )
    lines = [ngettext("Lessons done: {n}", "Lessons done: {n}", done)]
    if streak:
        lines.append(
            ngettext("🔥 Streak: {n} lesson day in a row", "🔥 Streak: {n} lesson days in a row", streak)
        )
    if scores:
        lines.append(_("Quiz answers per topic:"))
        lines += [
            "• "
            + _(
                "{topic}: {right} of {total} right ({share})",
                topic=topic_name(s.topic),
                right=s.right,
                total=s.total,
                share=percent(s.right / s.total),
            )
            for s in scores
        ]
    turn.say("\n".join(lines), title=_("Your progress"))
