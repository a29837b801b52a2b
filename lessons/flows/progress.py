"""``/progress``: lessons done, quiz accuracy per topic, streak."""

from __future__ import annotations

from lessons.commands import command
from lessons.i18n import N_, _, ngettext, percent
from lessons.topics import topic_name
from lessons.turn import Turn


@command(
    "progress", place=20, help=N_("lessons done, quiz results and your streak"), menu=N_("Your progress")
)
def show(turn: Turn, _args: str = "") -> None:
    learner_id = turn.learner.id
    done = len(turn.tx.deliveries.finished_lessons(learner_id))
    scores = turn.tx.answers.scores_by_topic(learner_id)
    if not done and not scores:
        turn.say(_("No lessons done yet. Type /lesson to start your first one."), title=_("Your progress"))
        return
    streak = turn.streak()
    lines = [ngettext("Lessons done: {n}", "Lessons done: {n}", done)]
    if streak.current:
        lines.append(
            ngettext(
                "🔥 Streak: {n} lesson day in a row", "🔥 Streak: {n} lesson days in a row", streak.current
            )
        )
    if streak.best > streak.current:
        lines.append(ngettext("Best streak: {n} lesson day", "Best streak: {n} lesson days", streak.best))
    topics = turn.tx.deliveries.finished_topics(learner_id)
    if topics:
        lines.append(
            _(
                "Lessons per topic: {topics}",
                topics=", ".join(f"{topic_name(t)} {n}" for t, n in topics.items()),
            )
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
