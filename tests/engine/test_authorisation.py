"""Every role against every command and export: who may see what about whom.

Actors: a learner of team A (Burgerzaken), the manager of team A, the manager
of team B (Dienst ICT), the admin of their organisation (Poperinge), the admin
of another organisation (Ieper), and the admin of their region (Westhoek).
"""

from __future__ import annotations

import csv
import io

import pytest

from bot.cli import main
from lessons import audience
from lessons.progress_export import allowed
from tests.support.organisation import Region

ACTORS = ("bart", "manager_a", "manager_b", "org_admin", "other_admin", "region_admin")

# What /digest sends each actor: the titles of their digests, nothing else.
DIGESTS = {
    "bart": [],
    "manager_a": ["Weekly digest: Burgerzaken (Stad Poperinge)"],
    "manager_b": ["Weekly digest: Dienst ICT (Stad Poperinge)"],
    "org_admin": ["Weekly digest: Stad Poperinge"],
    "other_admin": ["Weekly digest: Stad Ieper"],
    "region_admin": ["Weekly digest: Regio Westhoek"],
}
# What /rollout sends each actor: the titles of their rollout views (admins only).
ROLLOUTS = {
    "bart": [],
    "manager_a": [],
    "manager_b": [],
    "org_admin": ["Rollout: Stad Poperinge"],
    "other_admin": ["Rollout: Stad Ieper"],
    "region_admin": ["Rollout: Regio Westhoek"],
}
# Who may see team A's figures, organisation Poperinge's figures, and export them.
TEAM_A = {"bart": False, "manager_a": True, "manager_b": False, "org_admin": True,
          "other_admin": False, "region_admin": True}  # fmt: skip
POPERINGE = {"bart": False, "manager_a": False, "manager_b": False, "org_admin": True,
             "other_admin": False, "region_admin": True}  # fmt: skip


@pytest.fixture
def region(store, clock, chat) -> Region:
    built = Region.build(store, clock, chat)
    built.first_week()
    built["ann"].command("/share on")
    clock.advance(days=7)
    return built


def _roles(store, name):
    with store.transaction() as tx:
        learner = tx.learners.find("memory", name)
        assert learner is not None
        return tx.roles.of(learner.id)


@pytest.mark.parametrize("actor", ACTORS)
def test_digest_command(region, actor):
    replies = region[actor].command("/digest")
    titles = [r.title for r in replies if r.title]
    assert titles == DIGESTS[actor]
    if not DIGESTS[actor]:
        assert "Digests are for team managers and admins" in replies[0].text
    everything = " ".join(r.text for r in replies)
    # Only a team digest names anybody, and only who opted in: Ann, in her own team's.
    assert ("• ann: 2 lessons this week" in everything) is (actor == "manager_a")
    for others in ("bart", "chloe", "dirk", "gert", "ines"):
        assert others not in everything


@pytest.mark.parametrize("actor", ACTORS)
def test_rollout_command(region, actor):
    replies = region[actor].command("/rollout")
    assert [r.title for r in replies if r.title] == ROLLOUTS[actor]
    everything = " ".join(r.text for r in replies)
    for person in ("ann", "bart", "chloe", "dirk", "gert", "ines"):
        assert person not in everything


@pytest.mark.parametrize("actor", ACTORS)
def test_seeing_team_a_and_the_organisation(region, store, actor):
    roles = _roles(store, actor)
    with store.transaction() as tx:
        team_a = next(
            t for t in tx.teams.of(tx.organisations.by_slug("poperinge").id) if t.slug == "burgerzaken"
        )
        poperinge = tx.organisations.by_slug("poperinge")
        assert audience.may_see_team(roles, tx, team_a.id) is TEAM_A[actor]
        assert audience.may_see_organisation(roles, poperinge) is POPERINGE[actor]
        assert allowed(roles, poperinge) is POPERINGE[actor]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("command", ["/whatmymanagersees", "/share", "/mydata", "/progress"])
def test_commands_about_oneself_answer_everyone_and_name_nobody_else(region, actor, command):
    replies = region[actor].command(command)
    assert replies, command
    everything = " ".join(r.text for r in replies)
    for other in ("ann", "chloe", "dirk", "gert", "ines"):
        assert f"{other}:" not in everything and f'"{other}"' not in everything


def test_the_export_follows_the_digest_privacy_rules(region, store, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DIGICOACH_DATABASE_URL", store.url)
    out = tmp_path / "poperinge.csv"
    assert main(["export", "progress", "--org", "poperinge", "--weeks", "2", "--until", "2026-03-08",
                 "--output", str(out)]) == 0  # fmt: skip
    assert "row(s) for 2 week(s)" in capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    table = [(r["team"], r["person"], r["week_start"], r["members"], r["active_learners"],
              r["lessons_completed"], r["quiz_answers"], r["quiz_right_percent"]) for r in rows]  # fmt: skip
    # Burgerzaken's rows would reveal Dienst ICT (2 members) by subtraction: totals only.
    assert table == [
        ("(all teams)", "", "2026-02-23", "8", "0", "0", "0", ""),
        ("(all teams)", "", "2026-03-02", "8", "6", "11", "22", "63.6"),
    ]
    monkeypatch.setenv("DIGICOACH_SMALLEST_GROUP", "2")
    assert main(["export", "progress", "--org", "poperinge", "--weeks", "1", "--until", "2026-03-08",
                 "--output", str(out)]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    table = [(r["team"], r["person"], r["members"], r["active_learners"], r["lessons_completed"],
              r["quiz_answers"], r["quiz_right_percent"]) for r in rows]  # fmt: skip
    assert table == [
        ("(all teams)", "", "8", "6", "11", "22", "63.6"),
        ("Burgerzaken", "", "6", "5", "10", "20", "60.0"),
        ("Burgerzaken", "ann", "", "", "2", "", ""),  # she chose /share on: her lessons, no scores
        ("Dienst ICT", "", "2", "1", "1", "2", ""),  # one person answered: no share, it would be his
    ]
    with store.transaction() as tx:
        assert tx.audit.entries()[-1].action == "export progress"


def test_the_export_names_an_unknown_organisation(region, store, capsys, monkeypatch):
    monkeypatch.setenv("DIGICOACH_DATABASE_URL", store.url)
    assert main(["export", "progress", "--org", "poperinghe"]) == 2
    assert "no organisation 'poperinghe'" in capsys.readouterr().err


def test_an_export_of_an_organisation_too_small_to_report_says_why_it_is_empty(
    region, store, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("DIGICOACH_DATABASE_URL", store.url)
    monkeypatch.setenv("DIGICOACH_SMALLEST_GROUP", "9")
    out = tmp_path / "poperinge.csv"
    assert main(["export", "progress", "--org", "poperinge", "--weeks", "2", "--until", "2026-03-08",
                 "--output", str(out)]) == 0  # fmt: skip
    assert len(out.read_text().splitlines()) == 1  # the header
    assert capsys.readouterr().err.splitlines()[-1] == (
        "poperinge has 8 member(s) today, fewer than 9 (DIGICOACH_SMALLEST_GROUP): a group that small "
        "is never reported, so that nobody in it can be recognised"
    )
