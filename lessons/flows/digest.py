"""Managers' weekly digest (``/digest``), and what learners control about it.

``/share on|off`` lets a learner be named in their team's digest (nobody is by
default) and ``/whatmymanagersees`` shows them exactly what it says about them.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.dates import format_interval
from babel.numbers import format_decimal

from lessons import audience, digest_chart
from lessons.buttons import Button, on
from lessons.chat import Picture
from lessons.commands import command
from lessons.digest import STREAK_DAYS, Digest, GroupRow, Named, about_member, compute
from lessons.i18n import N_, _, format_locale, ngettext, percent, use_locale
from lessons.topics import topic_name
from lessons.turn import Turn
from storage.states import RoleName
from storage.team_progress import FormerPart, GroupScore

# Charts older than this are deleted when a new one is drawn: they were sent long ago.
KEEP_CHARTS_SECONDS = 14 * 24 * 3600
TIDY_EVERY_SECONDS = 3600
_tidied_at = -float(TIDY_EVERY_SECONDS)


def _number(n: int) -> str:
    return format_decimal(n, locale=format_locale())


def _including(part: FormerPart) -> str:
    """Where a figure holds what people who used /forget did: they left, their lessons stay."""
    return ngettext(
        "including {former} by a former member",
        "including {former} by former members",
        part.people,
        former=_number(part.amount),
    )


def _counted(n: int, part: FormerPart) -> str:
    """A figure, and how much of it former members gave, if any."""
    if not part.amount:
        return _number(n)
    return _("{figure}, {including}", figure=_number(n), including=_including(part))


def _week(digest: Digest) -> str:
    return format_interval(digest.week.first, digest.week.last, "yMMMd", locale=format_locale())


def title(digest: Digest) -> str:
    scope = digest.scope
    if scope.kind == "team" and scope.organisation is not None:
        return _(
            "Weekly digest: {team} ({organisation})", team=scope.name, organisation=scope.organisation.name
        )
    return _("Weekly digest: {group}", group=scope.name)


def named_line(person: Named) -> str:
    return ngettext(
        "{name}: {lessons} lesson this week, streak {streak}",
        "{name}: {lessons} lessons this week, streak {streak}",
        person.lessons,
        name=person.name,
        lessons=_number(person.lessons),
        streak=_number(person.streak),
    )


def text(digest: Digest, smallest_group: int) -> str:
    """The digest as the reader gets it: figures only, names only of people who chose to share."""
    scope = digest.scope
    lines = [_("Week of {dates}", dates=_week(digest))]
    if not digest.reported:
        where = scope.organisation.name if scope.organisation and scope.kind == "team" else _("the region")
        lines.append(
            ngettext(
                "{group} has {n} member. Groups with fewer than {smallest} members are not reported "
                "on their own, so that nobody can be singled out; their figures count only toward "
                "the totals of {where}.",
                "{group} has {n} members. Groups with fewer than {smallest} members are not reported "
                "on their own, so that nobody can be singled out; their figures count only toward "
                "the totals of {where}.",
                digest.members,
                group=scope.name,
                smallest=smallest_group,
                where=where,
            )
        )
        return "\n".join(lines)
    lines.append(
        _(
            "Members: {members} · active this week: {active}",
            members=_number(digest.members),
            active=_number(digest.active),
        )
    )
    lines.append(
        _(
            "Lessons completed: {this_week} (the week before: {week_before})",
            this_week=_counted(digest.lessons, digest.lessons_by_former),
            week_before=_counted(digest.lessons_week_before, digest.lessons_week_before_by_former),
        )
    )
    if digest.accuracy:
        lines.append(_("Quiz answers right per topic:"))
        lines += ["• " + _accuracy_line(s) for s in digest.accuracy]
    if digest.hidden_topics:
        lines.append(
            ngettext(
                "{n} topic is not shown: fewer than {smallest} people answered in it.",
                "{n} topics are not shown: fewer than {smallest} people answered in each.",
                digest.hidden_topics,
                smallest=smallest_group,
            )
        )
    elif not digest.accuracy:
        lines.append(_("No quiz answers this week."))
    if digest.weakest is not None:
        lines.append(_("Weakest topic: {topic}.", topic=topic_name(digest.weakest.topic)))
    lines.append(
        _(
            "On a streak of {days} or more lesson days: {n} of {members}",
            days=STREAK_DAYS,
            n=_number(digest.on_streak),
            members=_number(digest.members),
        )
    )
    if digest.breakdown:
        lines.append(_("Teams:") if scope.kind == "organisation" else _("Organisations:"))
        lines += ["• " + _group_line(row) for row in digest.breakdown]
    if digest.hidden_groups:
        lines.append(
            ngettext(
                "{n} group is counted only in the totals, so that no group under {smallest} members "
                "can be singled out.",
                "{n} groups are counted only in the totals, so that no group under {smallest} members "
                "can be singled out.",
                digest.hidden_groups,
                smallest=smallest_group,
            )
        )
    if scope.kind == "team":
        if digest.named:
            lines.append(_("People who chose to share their progress:"))
            lines += ["• " + named_line(person) for person in digest.named]
        lines.append(
            _("Names appear only of people who chose /share on. Nobody's own quiz answers are ever shown.")
        )
    return "\n".join(lines)


def _accuracy_line(score: GroupScore) -> str:
    values = {"topic": topic_name(score.topic), "share": percent(score.right / score.total)}
    if score.by_former.amount:
        return ngettext(
            "{topic}: {share} ({n} answer, {including})",
            "{topic}: {share} ({n} answers, {including})",
            score.total,
            including=_including(score.by_former),
            **values,
        )
    return ngettext("{topic}: {share} ({n} answer)", "{topic}: {share} ({n} answers)", score.total, **values)


def _group_line(row: GroupRow) -> str:
    counts = row.counts
    values = {"name": row.name, "members": _number(counts.members), "active": _number(counts.active)}
    if counts.by_former.amount:
        return ngettext(
            "{name}: {members} members, {active} active, {lessons} lesson, {including}",
            "{name}: {members} members, {active} active, {lessons} lessons, {including}",
            counts.lessons,
            lessons=_number(counts.lessons),
            including=_including(counts.by_former),
            **values,
        )
    return ngettext(
        "{name}: {members} members, {active} active, {lessons} lesson",
        "{name}: {members} members, {active} active, {lessons} lessons",
        counts.lessons,
        lessons=_number(counts.lessons),
        **values,
    )


def _suggestion(turn: Turn, digest: Digest) -> str | None:
    lesson = turn.library.lesson(digest.suggested_lesson) if digest.suggested_lesson else None
    if lesson is None:
        return None
    return _(
        "A lesson to talk about together: “{title}”. It is about {topic}, the topic with the fewest "
        "right answers this week.",
        title=lesson.title.get(turn.language),
        topic=topic_name(lesson.topic),
    )


def send(turn: Turn, scope: audience.Scope) -> None:
    """One digest as one message: its text, and its chart drawn after the transaction commits."""
    digest = compute(turn.tx, scope, turn.today, turn.library, turn.rhythm)
    body = text(digest, turn.rhythm.smallest_group)
    if digest.reported and (suggestion := _suggestion(turn, digest)):
        body += "\n" + suggestion
    if not digest.reported:
        turn.say(body, title=title(digest))
        return
    key = scope.team_id or (scope.organisation.id if scope.organisation else scope.region)
    about = f"{scope.kind}-{key}-{digest.week.first:%Y%m%d}-{turn.language}"
    path = digest_chart.chart_file(turn.charts, turn.learner.id, about, turn.now)
    alt = digest_chart.alt_text(digest)
    turn.after_commit.append(_drawing(digest, path, turn.language))
    turn.say(body, title=title(digest), picture=Picture(str(path), alt))


def _drawing(digest: Digest, path: Path, language: str) -> Callable[[], None]:
    def draw() -> None:
        with use_locale(language):
            digest_chart.draw(digest, path)
        _tidy(path.parent)

    return draw


def _tidy(folder: Path) -> None:
    """Delete charts sent long ago; at most once an hour, not for each of a Monday's thousands."""
    global _tidied_at
    if clock.monotonic() - _tidied_at < TIDY_EVERY_SECONDS:
        return
    _tidied_at = clock.monotonic()
    cutoff = clock.time() - KEEP_CHARTS_SECONDS
    for old in folder.glob(digest_chart.EVERY_CHART):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


@dataclass(frozen=True)
class Share(Button, kind="share"):
    setting: Literal["on", "off"]


@command("digest", place=90, help=N_("the weekly digest of your teams, now"), for_viewers=True)
def on_demand(turn: Turn, _args: str = "") -> None:
    """``/digest``: every digest this person receives, now."""
    if not scheduled(turn):
        turn.say(
            _(
                "Digests are for team managers and admins. To see what your manager's digest "
                "says about you, type /whatmymanagersees."
            )
        )


def scheduled(turn: Turn) -> bool:
    """Every digest this person receives; False when they manage nothing (any more)."""
    scopes = audience.scopes_of(turn.tx, turn.learner.id)
    for scope in scopes:
        send(turn, scope)
    return bool(scopes)


@command(
    "share",
    place=70,
    help=N_("whether your manager's digest may show your name"),
    menu=N_("Show your name to your manager, or not"),
)
def share(turn: Turn, args: str = "") -> None:
    """``/share on``, ``/share off``, or ``/share`` to see the setting and change it."""
    word = args.strip().lower()
    if word in ("on", "aan", "oui", "ja", "an", "yes"):
        set_sharing(turn, True)
    elif word in ("off", "uit", "non", "nee", "aus", "no"):
        set_sharing(turn, False)
    else:
        state = _("on") if turn.learner.share_name else _("off")
        turn.say(
            _(
                "Sharing your progress by name is {state}. When it is on, your manager's weekly digest "
                "shows your name with your number of lessons and your streak; never your quiz answers.",
                state=state,
            ),
            [Share("on").choice(_("Share my name")), Share("off").choice(_("Do not share"))],
        )


@on(Share)
def share_pressed(turn: Turn, press: Share) -> None:
    set_sharing(turn, press.setting == "on")


def set_sharing(turn: Turn, shared: bool) -> None:
    turn.update_learner(share_name=shared)
    in_a_team = any(r.role is RoleName.MEMBER for r in turn.tx.roles.of(turn.learner.id))
    if shared and not in_a_team:
        turn.say(
            _(
                "Done. You are not in a team yet: once you join one, its manager's digest "
                "will show your name, lessons and streak. Type /share off to stop at any time."
            )
        )
    elif shared:
        turn.say(
            _(
                "Done: your manager's digest now shows your name, lessons and streak. "
                "Type /share off to stop at any time. /whatmymanagersees shows what they see."
            )
        )
    else:
        turn.say(_("Done: your name no longer appears in any digest. You still count in the team totals."))


@command(
    "whatmymanagersees",
    place=80,
    help=N_("exactly what your manager's digest says about you"),
    menu=N_("What your manager sees about you"),
)
def what_my_manager_sees(turn: Turn, _args: str = "") -> None:
    """Exactly what each of the learner's teams' digests says about them."""
    teams = [r.team_id for r in turn.tx.roles.of(turn.learner.id) if r.role is RoleName.MEMBER and r.team_id]
    if not teams:
        turn.say(
            _("You are not in a team, so no manager receives anything about you."),
            title=_("What your manager sees"),
        )
        return
    smallest = turn.rhythm.smallest_group
    for team_id in teams:
        scope = audience.team_scope(turn.tx, team_id)
        digest = compute(turn.tx, scope, turn.today, turn.library, turn.rhythm)
        if not digest.reported:
            lines = [
                _(
                    "{team} has fewer than {smallest} members, so no digest reports on it. Your lessons "
                    "count only in the totals of {organisation}, together with everyone else's.",
                    team=scope.name,
                    smallest=smallest,
                    organisation=scope.organisation.name if scope.organisation else "",
                )
            ]
        else:
            lines = [
                _(
                    "The weekly digest of {team} shows team totals: members, active members, "
                    "lessons, quiz answers right per topic and streaks. You count in them; the "
                    "totals name nobody.",
                    team=scope.name,
                )
            ]
            lines.append(_your_part(turn, scope, digest))
            line = about_member(digest, turn.learner.id)
            if line is not None:
                lines.append(_("Because you chose /share on, it also shows this line about you:"))
                lines.append("• " + named_line(line))
                lines.append(_("Type /share off to remove it."))
            else:
                lines.append(
                    _(
                        "It does not show your name. With /share on it would show your name, "
                        "your number of lessons and your streak."
                    )
                )
        lines.append(_("Your own quiz answers are never shown to a manager."))
        turn.say("\n".join(lines), title=_("What your manager sees"))


def _your_part(turn: Turn, scope: audience.Scope, digest: Digest) -> str:
    """Whether the digest counts the learner as active (by its own rule), and what /forget changes."""
    week = digest.week
    if turn.tx.progress.is_active(turn.learner.id, scope.team_ids, week.first, week.last):
        counted = _(
            "In the digest for the week of {dates} you count as an active member: you finished "
            "a lesson or review that week.",
            dates=_week(digest),
        )
    else:
        counted = _(
            "In the digest for the week of {dates} you do not count as an active member: that takes "
            "a finished lesson or review in that week.",
            dates=_week(digest),
        )
    after = _(
        "If you use /forget, you are no longer a member or active. Your lessons and answers stay in "
        "the totals, marked as those of a former member, without your name."
    )
    return counted + "\n" + after
