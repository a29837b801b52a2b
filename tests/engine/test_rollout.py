"""The rollout view: what became of each team's invite codes, and how far its members got."""

from __future__ import annotations

import pytest

from bot.cli.organisations import rollout_table
from lessons import invites, rollout
from tests.support.organisation import Region, invite

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
        table = rollout_table(rollout.of_organisations(tx, tx.organisations.all(), clock()))
    assert table == ROLLOUT


def test_a_region_admin_sees_one_line_per_organisation(region, store, clock):
    with store.transaction() as tx:
        lines = rollout.of_region(tx, "westhoek", clock())
    assert [
        (line.slug, line.made, line.used, line.people.members, line.people.first_lesson) for line in lines
    ] == [
        ("ieper", 2, 1, 3, 1),
        ("poperinge", 6, 4, 9, 6),
    ]
