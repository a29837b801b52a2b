"""Invite codes: join a team, or take a role, by ``/start CODE`` (or a Telegram deep link).

Codes are unguessable (96 random bits, URL-safe, so they fit Telegram's
``start`` parameter), expire, and can be used a limited number of times.
Guessing cannot succeed, but a flood of wrong codes is slowed and logged all
the same: after ``WRONG_CODES_ALLOWED`` wrong codes within
``WRONG_CODES_WITHIN``, a learner's codes wait ``CODES_WAIT``, right ones too.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
from datetime import datetime, timedelta

from lessons.audience import region_name
from lessons.i18n import _, ngettext
from lessons.turn import Turn
from storage.records import Invite, LearnerChanges, Organisation, Team
from storage.states import InviteKind, RoleName
from storage.unit_of_work import Transaction

log = logging.getLogger(__name__)

_DURATION = re.compile(r"^(\d+)\s*([dhm])$")
# A wrong code now and then is a typo; five within a minute is someone trying codes.
WRONG_CODES_ALLOWED = 5
WRONG_CODES_WITHIN = timedelta(minutes=1)
CODES_WAIT = timedelta(minutes=15)


class InviteError(ValueError):
    """An invite that cannot be made, with what to do instead."""


def parse_duration(text: str) -> timedelta:
    """'14d', '12h' or '30m'."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InviteError(f"'{text}' is not a duration; write e.g. 14d, 12h or 30m")
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]


def new_code() -> str:
    """96 random bits, URL-safe; never starting with '-', which a command line reads as an option."""
    while (code := secrets.token_urlsafe(12)).startswith("-"):
        pass
    return code


def telegram_link(bot: str, code: str) -> str:
    """The link that opens the bot in Telegram and sends it ``/start CODE``."""
    return f"https://t.me/{bot.lstrip('@')}?start={code}"


def matrix_command(code: str) -> str:
    """What a learner sends the coach in a Matrix direct chat: Matrix has no start links."""
    return f"!start {code}"


def organisation_of(tx: Transaction, slug: str) -> Organisation:
    organisation = tx.organisations.by_slug(slug)
    if organisation is None or organisation.archived:
        raise InviteError(f"no organisation '{slug}'; check 'digicoach org show'")
    return organisation


def team_of(tx: Transaction, where: str) -> tuple[Organisation, Team]:
    """The organisation and team ``where`` ('org/team') names; archived ones are not found."""
    org_slug, _sep, team_slug = where.partition("/")
    organisation = organisation_of(tx, org_slug)
    team = next((t for t in tx.teams.of(organisation.id) if t.slug == team_slug and not t.archived), None)
    if team is None:
        raise InviteError(f"no team '{where}'; write it as organisation/team (see 'digicoach org show')")
    return organisation, team


def create(
    tx: Transaction,
    *,
    where: str,
    role: str,
    expires: timedelta,
    uses: int,
    actor: str,
    now: datetime,
    kind: InviteKind = InviteKind.CODE,
) -> Invite:
    """``where`` is 'org/team' for team roles, 'org' for org-admin, the region for region-admin."""
    try:
        named = RoleName(role)
    except ValueError:
        raise InviteError(f"unknown role '{role}'; use one of {', '.join(RoleName)}") from None
    if uses < 1:
        raise InviteError("--uses must be 1 or more")
    team_id: int | None = None
    organisation_id: int | None = None
    region: str | None = None
    if named is RoleName.REGION_ADMIN:
        if not any(o.region == where for o in tx.organisations.all()):
            raise InviteError(f"no organisation is in region '{where}'; check 'digicoach org show'")
        region = where
    elif named.in_a_team:
        organisation, team = team_of(tx, where)
        organisation_id, team_id = organisation.id, team.id
    else:
        organisation_id = organisation_of(tx, where.partition("/")[0]).id
    invite = tx.invites.add(
        code=new_code(),
        role=named,
        max_uses=uses,
        expires_at=now + expires,
        created_at=now,
        team_id=team_id,
        organisation_id=organisation_id,
        region=region,
        kind=kind,
    )
    tx.audit.add(actor, "invite create", now, invite=invite.id, role=named.value, where=where, uses=uses,
                 expires_at=invite.expires_at.isoformat(), kind=kind.value)  # fmt: skip
    return invite


def poster_code(
    tx: Transaction, *, team: str, expires: timedelta, uses: int, actor: str, now: datetime
) -> tuple[Invite, bool]:
    """The team's open poster code, or a new one; True if it is new.

    One open code per team, so that posters printed again (or in another
    language) carry the same code, and revoking it withdraws every copy.
    """
    _organisation, found = team_of(tx, team)
    for invite in reversed(tx.invites.of_teams([found.id], RoleName.MEMBER)):
        if invite.kind is InviteKind.POSTER and invite.open(now):
            return invite, False
    made = create(tx, where=team, role=RoleName.MEMBER, expires=expires, uses=uses, actor=actor, now=now,
                  kind=InviteKind.POSTER)  # fmt: skip
    return made, True


def revoke(tx: Transaction, code: str, *, actor: str, now: datetime) -> Invite:
    """Withdraw a code (or the code of a ``start=`` link): refused from now on; whoever joined stays."""
    code = code.strip().rpartition("start=")[2]
    invite = tx.invites.by_code(code)
    if invite is None:
        raise InviteError(f"no invite code '{code}'; copy it from the poster, the staff list or the link")
    if invite.revoked_at is None:
        tx.invites.revoke(invite.id, now)
        tx.audit.add(actor, "invite revoke", now, invite=invite.id, kind=invite.kind.value, uses=invite.uses)
    return invite


def _waiting(turn: Turn) -> bool:
    """Whether this learner's codes wait, after too many wrong ones."""
    learner = turn.learner
    since = learner.wrong_codes_since
    return learner.wrong_codes >= WRONG_CODES_ALLOWED and since is not None and turn.now < since + CODES_WAIT


def _say_wait(turn: Turn) -> None:
    since = turn.learner.wrong_codes_since
    assert since is not None, "only while codes wait"
    minutes = math.ceil((since + CODES_WAIT - turn.now) / timedelta(minutes=1))
    turn.say(
        ngettext(
            "You typed too many wrong invite codes. Please wait {n} minute and try again.",
            "You typed too many wrong invite codes. Please wait {n} minutes and try again.",
            minutes,
        )
    )


def _wrong_code(turn: Turn) -> None:
    """Count a wrong code; the one that makes too many in a row starts the wait, and is logged."""
    learner = turn.learner
    since = learner.wrong_codes_since
    if since is None or turn.now - since > WRONG_CODES_WITHIN:
        turn.update_learner(wrong_codes=1, wrong_codes_since=turn.now)
    elif learner.wrong_codes + 1 < WRONG_CODES_ALLOWED:
        turn.update_learner(wrong_codes=learner.wrong_codes + 1)
    else:
        # The wait is counted from now, the code that made too many.
        turn.update_learner(wrong_codes=WRONG_CODES_ALLOWED, wrong_codes_since=turn.now)
        log.warning(
            "learner %d typed %d wrong invite codes within a minute; their codes wait until %s",
            learner.id,
            WRONG_CODES_ALLOWED,
            (turn.now + CODES_WAIT).isoformat(timespec="seconds"),
        )
    turn.say(_("This invite code is not valid. Check it, or ask whoever gave it to you for a new one."))
    if _waiting(turn):
        _say_wait(turn)


def redeem(turn: Turn, code: str) -> bool:
    """Use a code from ``/start CODE``; say what happened. True if it worked."""
    if _waiting(turn):
        log.info("learner %d: an invite code refused while their codes wait", turn.learner.id)
        _say_wait(turn)
        return False
    invite = turn.tx.invites.by_code(code.strip())
    if invite is None:
        _wrong_code(turn)
        return False
    if turn.learner.wrong_codes:
        turn.update_learner(wrong_codes=0, wrong_codes_since=None)
    if invite.revoked_at is not None:
        turn.say(_("This invite code was withdrawn. Ask whoever gave it to you for a new one."))
        return False
    if invite.expires_at <= turn.now:
        turn.say(_("This invite code has expired. Ask whoever gave it to you for a new one."))
        return False
    if invite.uses >= invite.max_uses:
        turn.say(_("This invite code has been used as often as it may be. Ask for a new one."))
        return False
    granted = turn.tx.roles.grant(
        turn.learner.id,
        invite.role,
        turn.now,
        team_id=invite.team_id,
        organisation_id=invite.organisation_id,
        region=invite.region,
    )
    if granted:
        turn.tx.invites.use(invite.id)
        turn.tx.audit.add(
            f"learner:{turn.learner.id}", "role granted", turn.now, invite=invite.id, role=invite.role.value
        )
    if invite.organisation_id is not None:
        # The organisation's time zone and holidays become theirs; its language
        # too, while they have neither chosen one nor brought one from their app.
        organisation = turn.tx.organisations.get(invite.organisation_id)
        changes: LearnerChanges = {"timezone": organisation.timezone}
        if turn.learner.organisation_id is None or invite.role is RoleName.MEMBER:
            changes["organisation_id"] = organisation.id
        turn.update_learner(**changes)
    turn.say(_welcome(turn, invite))
    return True


def _welcome(turn: Turn, invite: Invite) -> str:
    if invite.region is not None:
        return _("You are now an admin of region {region}.", region=region_name(turn.tx, invite.region))
    organisation = turn.tx.organisations.get(invite.organisation_id or 0)
    if invite.team_id is None:
        return _("You are now an admin of {organisation}.", organisation=organisation.name)
    team = turn.tx.teams.get(invite.team_id)
    if invite.role is RoleName.MANAGER:
        return _(
            "You are now a manager of {team} ({organisation}).",
            team=team.name,
            organisation=organisation.name,
        )
    return _("Welcome! You joined {team} of {organisation}.", team=team.name, organisation=organisation.name)
