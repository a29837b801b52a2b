"""The rollout view: what became of each team's invite codes, and how far its members got."""

from __future__ import annotations

import pytest

from bot.cli.organisations import rollout_table
from lessons import invites, rollout
from tests.support.organisation import Region, apply_region, invite

# The region of tests/support/organisation.py after its first week, and then: Hilde of ICT joins
# Burgerzaken too; Lena joins ICT but stops at the privacy notice; Burgerzaken has a code revoked,
# ICT one that expired, Welzijn one still waiting; all unused.
ROLLOUT = """\
ieper: Stad Ieper
  team                   codes   used  unused  expired  revoked  members  onboarded  1st lesson
  ieper/welzijn              2      1       1        0        0        3          3           1
  all teams                  2      1       1        0        0        3          3           1

poperinge: Stad Poperinge
  team                   codes   used  unused  expired  revoked  members  onboarded  1st lesson
  poperinge/burgerzaken      3      2       0        0        1        7          7           5
  poperinge/ict              3      2       0        1        0        3          2           1
  all teams                  6      4       0        1        1        9          8           6
"""

SMALL_GROUPS_HIDDEN = """\
ieper: Stad Ieper
  team                   codes   used  unused  expired  revoked  members  onboarded  1st lesson
  ieper/welzijn              2      1       1        0        0        3          -           -
  all teams                  2      1       1        0        0        3          -           -

poperinge: Stad Poperinge
  team                   codes   used  unused  expired  revoked  members  onboarded  1st lesson
  poperinge/burgerzaken      3      2       0        0        1        7          -           -
  poperinge/ict              3      2       0        1        0        3          -           -
  all teams                  6      4       0        1        1        9          8           6
"""


@pytest.fixture
def region(store, clock, chat):
    region = Region.build(store, clock, chat)
    region.first_week()
    region.people["hilde"].command(f"/start {invite(store, clock, 'poperinge/burgerzaken')}")
    lena = chat("lena")
    lena.command(f"/start {invite(store, clock, 'poperinge/ict')}")
    lena.press("English")
    revoked = invite(store, clock, "poperinge/burgerzaken")
    with store.transaction() as tx:
        invites.revoke(tx, revoked, actor="cli:admin", now=clock())
    with store.transaction() as tx:
        invites.create(tx, where="poperinge/ict", role="member", expires=invites.parse_duration("1h"),
                       uses=1, actor="cli:admin", now=clock())  # fmt: skip
    invite(store, clock, "ieper/welzijn")
    clock.advance(hours=2)
    return region


def test_the_rollout_counts_per_team_and_per_organisation(region, store, clock):
    with store.transaction() as tx:
        table = rollout_table(rollout.of_organisations(tx, tx.organisations.all(), clock(), smallest=2))
    assert table == ROLLOUT


def test_how_far_a_small_team_got_is_not_shown_on_its_own(region, store, clock):
    """As in the digests: ICT (3) and Welzijn (3) are under 5; Burgerzaken is hidden with ICT so that
    ICT cannot be worked out from Poperinge's total; Ieper as a whole is under 5 too."""
    with store.transaction() as tx:
        table = rollout_table(rollout.of_organisations(tx, tx.organisations.all(), clock(), smallest=5))
    assert table == SMALL_GROUPS_HIDDEN


def test_a_region_admin_sees_one_line_per_organisation(region, store, clock):
    with store.transaction() as tx:
        lines = rollout.of_region(tx, "westhoek", clock(), smallest=2)
        small_hidden = rollout.of_region(tx, "westhoek", clock(), smallest=5)
    figures = [
        (line.slug, line.made, line.used, line.people.members, line.people.first_lesson) for line in lines
    ]
    assert figures == [("ieper", 2, 1, 3, 1), ("poperinge", 6, 4, 9, 6)]
    assert [line.shown for line in lines] == [True, True]
    # Ieper's 3 members are under 5, and Poperinge's would give Ieper away from the region's total.
    assert [line.shown for line in small_hidden] == [False, False]


def test_rollout_in_the_chat_an_organisation_admin_per_team_a_region_admin_per_organisation(region):
    assert region["org_admin"].command("/rollout")[0].text == (
        "• Burgerzaken – codes: 3 (used 2, unused 0, expired 0, revoked 1) · members: 7\n"
        "• Dienst ICT – codes: 3 (used 2, unused 0, expired 1, revoked 0) · members: 3\n"
        "• All teams – codes: 6 (used 4, unused 0, expired 1, revoked 1) · "
        "members: 9, onboarded: 8, first lesson done: 6\n"
        "For a group under 5 members, how far they got counts only in the total, "
        "so that nobody can be singled out."
    )
    [region_view] = region["region_admin"].command("/rollout")
    assert region_view.title == "Rollout: Regio Westhoek"
    assert region_view.text.splitlines()[:2] == [
        "• Stad Ieper – codes: 2 (used 1, unused 1, expired 0, revoked 0) · members: 3",
        "• Stad Poperinge – codes: 6 (used 4, unused 0, expired 1, revoked 1) · members: 9",
    ]
    assert (
        region["ann"].command("/rollout")[0].text == "The rollout view is for organisation and region admins."
    )


def test_before_anyone_joined_the_zeros_are_shown(store, clock):
    apply_region(store, clock)
    invite(store, clock, "ieper/welzijn")
    with store.transaction() as tx:
        [ieper, _poperinge] = rollout.of_organisations(tx, tx.organisations.all(), clock(), smallest=5)
    assert rollout_table([ieper]) == (
        "ieper: Stad Ieper\n"
        "  team           codes   used  unused  expired  revoked  members  onboarded  1st lesson\n"
        "  ieper/welzijn      1      0       1        0        0        0          0           0\n"
        "  all teams          1      0       1        0        0        0          0           0\n"
    )
