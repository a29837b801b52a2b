"""``/rollout``: how the rollout goes, for admins: an organisation admin per team, a region admin per
organisation. Counts only (``lessons.rollout``), under the digests' small-group rule."""

from __future__ import annotations

from babel.numbers import format_decimal

from lessons import audience, rollout
from lessons.commands import command
from lessons.i18n import N_, _, format_locale
from lessons.rollout import RolloutLine
from lessons.turn import Turn


def _n(n: int) -> str:
    return format_decimal(n, locale=format_locale())


def _line(line: RolloutLine, name: str) -> str:
    codes = _(
        "{name} – codes: {made} (used {used}, unused {unused}, expired {expired}, revoked {revoked})",
        name=name, made=_n(line.made), used=_n(line.used), unused=_n(line.unused),
        expired=_n(line.expired), revoked=_n(line.revoked),
    )  # fmt: skip
    people = line.people
    if not line.shown:
        return f"• {codes} · " + _("members: {members}", members=_n(people.members))
    return f"• {codes} · " + _(
        "members: {members}, onboarded: {onboarded}, first lesson done: {first}",
        members=_n(people.members), onboarded=_n(people.onboarded), first=_n(people.first_lesson),
    )  # fmt: skip


def _text(lines: list[str], hidden: bool, smallest: int) -> str:
    if hidden:
        lines.append(
            _(
                "For a group under {smallest} members, how far they got counts only in the total, "
                "so that nobody can be singled out.",
                smallest=smallest,
            )
        )
    return "\n".join(lines)


@command("rollout", place=95, help=N_("for admins: invite codes and members, per team"), for_viewers=True)
def show(turn: Turn, _args: str = "") -> None:
    """Each organisation and region this person administers, as the rollout view."""
    smallest = turn.rhythm.smallest_group
    scopes = [s for s in audience.scopes_of(turn.tx, turn.learner.id) if s.kind != "team"]
    for scope in scopes:
        if scope.organisation is not None:
            [found] = rollout.of_organisations(turn.tx, [scope.organisation], turn.now, smallest)
            shown = [_line(t, t.name) for t in found.teams] + [_line(found.total, _("All teams"))]
            hidden = not all(t.shown for t in (*found.teams, found.total))
        else:
            organisations = rollout.of_region(turn.tx, scope.region or "", turn.now, smallest)
            shown = [_line(o, o.name) for o in organisations]
            hidden = not all(o.shown for o in organisations)
        turn.say(_text(shown, hidden, smallest), title=_("Rollout: {group}", group=scope.name))
    if not scopes:
        turn.say(_("The rollout view is for organisation and region admins."))
