"""Managers' weekly digests: content, privacy rules, the chart, and the weekly schedule."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import struct
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from matplotlib.text import Text

from bot import app as running
from bot.adapters.memory import MemoryChat
from bot.cli import main
from bot.metrics import REGISTRY
from bot.settings import Settings
from lessons import audience, digest_chart
from lessons import digest as digests
from lessons.digest import Digest, compute, shown_groups
from lessons.engine import Coach
from lessons.flows import digest as digest_flow
from lessons.i18n import use_locale
from lessons.organisation_file import apply, load
from lessons.rhythm import Rhythm
from storage.states import RoleName, Step
from tests.support.database import rows_naming
from tests.support.flows import onboard
from tests.support.organisation import Region, invite, join
from tests.support.ticks import invitations, local, tick, tick_until

# Every team and organisation of the fixture region big enough for a line of its own.
LENIENT = Rhythm(smallest_group=2)
BURGERZAKEN_DIGEST = """\
Week of 2–8 Mar 2026
Members: 6 · active this week: 5
Lessons completed: 10 (the week before: 0)
Quiz answers right per topic:
• Cyber security: 80% (10 answers)
• Digital skills: 40% (10 answers)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 6
People who chose to share their progress:
• ann: 2 lessons this week, streak 0
Names appear only of people who chose /share on. Nobody's own quiz answers are ever shown.
A lesson to talk about together: “Good video meetings”. It is about Digital skills, the topic with \
the fewest right answers this week."""


@pytest.fixture
def region(store, clock, chat) -> Region:
    built = Region.build(store, clock, chat)
    built.first_week()
    built["ann"].command("/share on")
    clock.advance(days=7)  # Monday 9 March, 09:00 in Brussels
    return built


def _png_size(path: str) -> tuple[int, int]:
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_a_managers_digest_is_pinned_for_the_fixture_team(region):
    (digest,) = region["manager_a"].command("/digest")
    assert digest.title == "Weekly digest: Burgerzaken (Stad Poperinge)"
    assert digest.text == BURGERZAKEN_DIGEST


def test_the_digest_chart_is_a_png_of_sensible_size(region):
    (digest,) = region["manager_a"].command("/digest")
    assert digest.picture is not None
    assert "lessons completed per week" in digest.picture.alt
    assert _png_size(digest.picture.path) == (800, 340)
    assert 5_000 < Path(digest.picture.path).stat().st_size < 200_000


def burgerzaken_figures(store, library, clock) -> Digest:
    """This week's figures of the fixture region's team Burgerzaken (Stad Poperinge)."""
    with store.transaction() as tx:
        poperinge = tx.organisations.by_slug("poperinge")
        assert poperinge is not None
        team = next(t for t in tx.teams.of(poperinge.id) if t.name == "Burgerzaken")
        return compute(tx, audience.team_scope(tx, team.id), clock().date(), library, LENIENT)


@pytest.mark.parametrize("language", ["nl", "en", "fr", "de"])
def test_a_regions_chart_shows_every_number_and_text_whole(
    region, store, fixture_library, clock, tmp_path, language
):
    """Found drawing charts faster: a region's six-digit week totals lost their first digits
    at the left edge, and the German "too few people answered" ran off the right edge."""
    burgerzaken = burgerzaken_figures(store, fixture_library, clock)
    crowded = replace(
        burgerzaken,
        lessons_per_week=tuple(
            (day, 100_000 + 37_000 * n) for n, (day, _) in enumerate(burgerzaken.lessons_per_week)
        ),
        accuracy=(),
        weakest=None,
        hidden_topics=3,
    )
    with use_locale(language):
        digest_chart.draw(crowded, tmp_path / "crowded.png")
    canvas = digest_chart._canvas
    assert canvas is not None
    figure = canvas.figure
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    texts = [*figure.findobj(Text)]
    shown = [t for t in texts if t.get_visible() and t.get_text()]
    assert any("000" in t.get_text() or "00" in t.get_text() for t in shown)
    for text in shown:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, (text.get_text(), box)


def test_a_chart_keeps_nothing_of_the_chart_drawn_before_it(
    region, store, fixture_library, clock, tmp_path, monkeypatch
):
    # Every chart is drawn on the same figure: the last one's bars, texts and scales must be gone.
    burgerzaken = burgerzaken_figures(store, fixture_library, clock)
    quiet = replace(
        burgerzaken,
        lessons_per_week=tuple((day, 1000) for day, _n in burgerzaken.lessons_per_week),
        accuracy=(),
        weakest=None,
    )
    digest_chart.draw(quiet, tmp_path / "quiet.png")
    after_quiet = digest_chart.draw(burgerzaken, tmp_path / "after-quiet.png").read_bytes()
    monkeypatch.setattr(digest_chart, "_canvas", None)
    on_a_new_figure = digest_chart.draw(burgerzaken, tmp_path / "new.png").read_bytes()
    assert after_quiet == on_a_new_figure


def test_streaks_are_counted_once_per_member_however_many_teams_are_counted_at_once(
    region, store, fixture_library, clock, monkeypatch
):
    # A region's members are counted some teams at a time: nobody may be left out or counted twice.
    with store.transaction() as tx:
        poperinge = tx.organisations.by_slug("poperinge")
        assert poperinge is not None
        teams = {t.name: t.id for t in tx.teams.of(poperinge.id)}
        on_streak = tx.progress.member_ids((teams["Burgerzaken"],))[:3]
        for learner_id in on_streak:
            for day in (4, 5, 6):  # Wednesday to Friday: three lesson days in a row before Monday 9 March
                tx.deliveries.add(learner_id=learner_id, local_date=date(2026, 3, day), slot=0,
                                  lesson_id="passwords", lesson_version=1, topic="security",
                                  now=clock(), step=Step.DONE)  # fmt: skip
        tx.roles.grant(on_streak[0], RoleName.MEMBER, clock(), team_id=teams["Dienst ICT"])

    def region_and_team() -> tuple[Digest, Digest]:
        with store.transaction() as tx:
            region_digest = compute(
                tx, audience.region_scope(tx, "westhoek"), clock().date(), fixture_library, LENIENT
            )
            team = compute(
                tx, audience.team_scope(tx, teams["Burgerzaken"]), clock().date(), fixture_library, LENIENT
            )
        return region_digest, team

    all_at_once = region_and_team()
    assert all_at_once[0].on_streak == all_at_once[1].on_streak == 3
    monkeypatch.setattr(digests, "STREAK_TEAMS_AT_ONCE", 1)
    assert region_and_team() == all_at_once


def test_only_people_who_opted_in_are_named_and_no_one_with_scores(region):
    (digest,) = region["manager_a"].command("/digest")
    for hidden in ("bart", "chloe", "dirk", "els", "frank"):
        assert hidden not in digest.text
    region["ann"].command("/share off")
    (digest,) = region["manager_a"].command("/digest")
    assert "ann" not in digest.text
    assert "People who chose to share" not in digest.text


def test_a_team_under_the_threshold_is_not_reported_on_its_own(region):
    (digest,) = region["manager_b"].command("/digest")
    assert digest.picture is None
    assert "Dienst ICT has 2 members" in digest.text
    assert "count only toward the totals of Stad Poperinge" in digest.text
    assert "Lessons completed" not in digest.text
    assert "gert" not in digest.text


def test_the_organisation_admin_sees_totals_and_no_line_that_reveals_a_small_team(region):
    (digest,) = region["org_admin"].command("/digest")
    assert digest.title == "Weekly digest: Stad Poperinge"
    assert "Members: 8 · active this week: 6" in digest.text  # Gert of the small team counts here
    # Burgerzaken (6) is big enough, but its line subtracted from the totals would
    # show Dienst ICT (2): so neither gets a line of its own.
    assert "Burgerzaken" not in digest.text and "Dienst ICT" not in digest.text
    assert (
        "2 groups are counted only in the totals, so that no group under 5 members can be singled out."
        in digest.text
    )
    assert "ann" not in digest.text  # organisation digests compare teams and name nobody


def test_organisation_and_region_digests_break_down_by_group_when_that_reveals_nobody(
    region, store, fixture_library, clock, tmp_path
):
    lenient = Coach(store, fixture_library, clock, Rhythm(smallest_group=2), charts=tmp_path / "charts")
    organisation = MemoryChat(lenient, "org_admin", "en").command("/digest")[0].text
    assert "• Burgerzaken: 6 members, 5 active, 10 lessons" in organisation
    assert "• Dienst ICT: 2 members, 1 active, 1 lesson" in organisation
    assert "counted only in the totals" not in organisation
    region_digest = MemoryChat(lenient, "region_admin", "en").command("/digest")[0]
    assert region_digest.title == "Weekly digest: Regio Westhoek"
    assert "Members: 11" in region_digest.text
    assert "• Stad Poperinge: 8 members, 6 active, 11 lessons" in region_digest.text
    assert "• Stad Ieper: 3 members, 1 active, 1 lesson" in region_digest.text
    assert region_digest.picture is not None


def test_a_topic_too_few_people_answered_in_shows_no_share(region, store, fixture_library, clock, tmp_path):
    lenient = Coach(store, fixture_library, clock, Rhythm(smallest_group=2), charts=tmp_path / "charts")
    (digest,) = MemoryChat(lenient, "manager_b", "en").command("/digest")
    # Dienst ICT (2 members) is reported now, but only Gert answered: his share would be his score.
    assert "Members: 2 · active this week: 1" in digest.text
    assert "1 topic is not shown: fewer than 2 people answered in it." in digest.text
    assert "Cyber security" not in digest.text and "%" not in digest.text


def test_the_region_admin_sees_no_municipality_that_could_be_worked_out(region):
    (digest,) = region["region_admin"].command("/digest")
    assert "Members: 11" in digest.text
    assert "Stad Poperinge" not in digest.text and "Stad Ieper" not in digest.text


@pytest.mark.parametrize(
    ("members", "shown"),
    [
        ({"a": 6, "b": 7}, {"a", "b"}),
        ({"a": 6, "b": 7, "c": 2}, {"b"}),  # c alone could be worked out: a goes too
        ({"a": 6, "b": 2, "c": 3}, {"a"}),  # the small ones together reach 5
        ({"a": 6, "b": 2}, set()),
        ({"a": 3, "b": 4}, set()),
    ],
)
def test_small_groups_are_hidden_and_so_is_whatever_would_reveal_them(members, shown):
    assert shown_groups(members, 5) == shown


def test_whatmymanagersees_shows_the_exact_line_about_the_learner(region):
    ann = region["ann"]
    ann.command("/whatmymanagersees")
    (managers,) = region["manager_a"].command("/digest")
    line = "• ann: 2 lessons this week, streak 0"
    assert line in ann.text and line in managers.text
    bart = region["bart"]
    bart.command("/whatmymanagersees")
    assert "It does not show your name" in bart.text
    assert "bart" not in managers.text
    region["gert"].command("/whatmymanagersees")
    assert "Dienst ICT has fewer than 5 members, so no digest reports on it" in region["gert"].text


def test_whatmymanagersees_says_whether_the_learner_counts_as_active_by_the_digests_rule(region, clock):
    bart, frank = region["bart"], region["frank"]  # Bart took two lessons on 2 March, Frank none
    bart.command("/whatmymanagersees")
    assert "In the digest for the week of 2–8 Mar 2026 you count as an active member" in bart.text
    frank.command("/whatmymanagersees")
    assert "In the digest for the week of 2–8 Mar 2026 you do not count as an active member" in frank.text
    assert "If you use /forget, you are no longer a member or active" in frank.text
    assert "marked as those of a former member" in frank.text
    clock.advance(days=7)  # the digest is about 9–15 March now: nobody took a lesson
    bart.command("/whatmymanagersees")
    assert "In the digest for the week of 9–15 Mar 2026 you do not count as an active member" in bart.text


def test_digests_are_in_the_managers_language_with_its_number_and_date_formats(region):
    manager = region["manager_a"]
    manager.command("/settings")
    manager.press("Language")
    manager.press("Nederlands")
    (digest,) = manager.command("/digest")
    assert digest.title == "Weekdigest: Burgerzaken (Stad Poperinge)"
    assert "Week van 2–8 mrt 2026" in digest.text
    assert "Cyberveiligheid: 80% (10 antwoorden)" in digest.text


def test_a_learner_who_asks_for_a_digest_is_pointed_to_what_they_can_see(region):
    region["bart"].command("/digest")
    assert "Digests are for team managers and admins" in region["bart"].text
    assert "/whatmymanagersees" in region["bart"].text


def test_the_weekly_digest_arrives_on_monday_at_eight_in_the_managers_time_zone(region, coach, clock):
    clock.now = datetime(2026, 3, 16, 6, 59, tzinfo=UTC)  # Monday 07:59 in Brussels
    assert [r for r in tick(coach) if r.title and "digest" in r.title] == []
    clock.advance(minutes=2)
    sent = [r for r in tick(coach) if r.title and "digest" in r.title]
    titles = sorted(r.title for r in sent if r.title)
    assert titles == [
        "Weekly digest: Burgerzaken (Stad Poperinge)",
        "Weekly digest: Dienst ICT (Stad Poperinge)",
        "Weekly digest: Regio Westhoek",
        "Weekly digest: Stad Ieper",
        "Weekly digest: Stad Poperinge",
    ]
    burgerzaken = next(r for r in sent if "Burgerzaken" in (r.title or ""))
    assert burgerzaken.picture is not None and Path(burgerzaken.picture.path).is_file()
    assert "Week of 9–15 Mar 2026" in burgerzaken.text
    clock.advance(minutes=5)
    assert [r for r in tick(coach) if r.title and "digest" in r.title] == []
    clock.advance(days=1)
    assert [r for r in tick(coach) if r.title and "digest" in r.title] == []


def test_forget_keeps_the_team_figures_but_no_row_names_the_learner(region, store):
    ann = region["ann"]
    with store.transaction() as tx:
        ann_id = tx.learners.find("memory", "ann").id  # type: ignore[union-attr]
    ann.command("/forget")
    ann.press("Yes, erase everything")
    assert "erased" in ann.text
    assert rows_naming(store, "ann", f"learner:{ann_id}") == []
    (digest,) = region["manager_a"].command("/digest")
    # Ann is gone as a member and a name, but her two lessons and her answers still count.
    assert "Members: 5 · active this week: 4" in digest.text
    assert "Lessons completed: 10, including 2 by a former member (the week before: 0)" in digest.text
    assert "Cyber security: 80% (10 answers, including 2 by a former member)" in digest.text
    assert "Digital skills: 40% (10 answers, including 2 by a former member)" in digest.text
    assert "ann" not in digest.text


SUGGESTION = (
    "A lesson to talk about together: “Good video meetings”. It is about Digital skills, the topic with "
    "the fewest right answers this week."
)
# Ann of Burgerzaken took two lessons and gave four answers (two per topic) on Monday 2 March.
BEFORE_FORGET = {
    "manager_a": """\
Week of 2–8 Mar 2026
Members: 6 · active this week: 5
Lessons completed: 10 (the week before: 0)
Quiz answers right per topic:
• Cyber security: 80% (10 answers)
• Digital skills: 40% (10 answers)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 6
People who chose to share their progress:
• ann: 2 lessons this week, streak 0
Names appear only of people who chose /share on. Nobody's own quiz answers are ever shown.
"""
    + SUGGESTION,
    "org_admin": """\
Week of 2–8 Mar 2026
Members: 8 · active this week: 6
Lessons completed: 11 (the week before: 0)
Quiz answers right per topic:
• Cyber security: 83% (12 answers)
• Digital skills: 40% (10 answers)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 8
Teams:
• Burgerzaken: 6 members, 5 active, 10 lessons
• Dienst ICT: 2 members, 1 active, 1 lesson
"""
    + SUGGESTION,
    "region_admin": """\
Week of 2–8 Mar 2026
Members: 11 · active this week: 7
Lessons completed: 12 (the week before: 0)
Quiz answers right per topic:
• Cyber security: 86% (14 answers)
• Digital skills: 40% (10 answers)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 11
Organisations:
• Stad Ieper: 3 members, 1 active, 1 lesson
• Stad Poperinge: 8 members, 6 active, 11 lessons
"""
    + SUGGESTION,
}
# Ann is no longer a member, nor active; her lessons and answers stay, and the digests say whose they are.
AFTER_FORGET = {
    "manager_a": """\
Week of 2–8 Mar 2026
Members: 5 · active this week: 4
Lessons completed: 10, including 2 by a former member (the week before: 0)
Quiz answers right per topic:
• Cyber security: 80% (10 answers, including 2 by a former member)
• Digital skills: 40% (10 answers, including 2 by a former member)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 5
Names appear only of people who chose /share on. Nobody's own quiz answers are ever shown.
"""
    + SUGGESTION,
    "org_admin": """\
Week of 2–8 Mar 2026
Members: 7 · active this week: 5
Lessons completed: 11, including 2 by a former member (the week before: 0)
Quiz answers right per topic:
• Cyber security: 83% (12 answers, including 2 by a former member)
• Digital skills: 40% (10 answers, including 2 by a former member)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 7
Teams:
• Burgerzaken: 5 members, 4 active, 10 lessons, including 2 by a former member
• Dienst ICT: 2 members, 1 active, 1 lesson
"""
    + SUGGESTION,
    "region_admin": """\
Week of 2–8 Mar 2026
Members: 10 · active this week: 6
Lessons completed: 12, including 2 by a former member (the week before: 0)
Quiz answers right per topic:
• Cyber security: 86% (14 answers, including 2 by a former member)
• Digital skills: 40% (10 answers, including 2 by a former member)
Weakest topic: Digital skills.
On a streak of 3 or more lesson days: 0 of 10
Organisations:
• Stad Ieper: 3 members, 1 active, 1 lesson
• Stad Poperinge: 7 members, 5 active, 11 lessons, including 2 by a former member
"""
    + SUGGESTION,
}
NEXT_WEEK_AFTER_FORGET = """\
Week of 9–15 Mar 2026
Members: 5 · active this week: 0
Lessons completed: 0 (the week before: 10, including 2 by a former member)
No quiz answers this week.
On a streak of 3 or more lesson days: 0 of 5
Names appear only of people who chose /share on. Nobody's own quiz answers are ever shown."""
HEADLINE = re.compile(r"^Members: (\d+) · active this week: (\d+)$", re.MULTILINE)
GROUP_LINE = re.compile(r"^• .+: (\d+) members, (\d+) active, (\d+) lessons?", re.MULTILINE)
LESSONS = re.compile(r"^Lessons completed: (\d+)", re.MULTILINE)


TITLES = {
    "manager_a": "Weekly digest: Burgerzaken (Stad Poperinge)",
    "org_admin": "Weekly digest: Stad Poperinge",
    "region_admin": "Weekly digest: Regio Westhoek",  # the region's name from the organisation file
}


def _digests(coach: Coach) -> dict[str, str]:
    digests = {who: MemoryChat(coach, who, "en").command("/digest")[0] for who in BEFORE_FORGET}
    assert {who: digest.title for who, digest in digests.items()} == TITLES
    return {who: digest.text for who, digest in digests.items()}


def _adds_up(text: str) -> None:
    """Nobody counts as active who is not a member, and the group lines add up to the totals."""
    members, active = map(int, HEADLINE.findall(text)[0])
    assert active <= members
    lines = [tuple(map(int, line)) for line in GROUP_LINE.findall(text)]
    if lines:
        assert (members, active, int(LESSONS.findall(text)[0])) == tuple(map(sum, zip(*lines, strict=True)))


def test_digest_figures_add_up_before_and_after_a_member_uses_forget(
    region, store, fixture_library, clock, tmp_path
):
    """Issue 23: after /forget, 'active this week' counted the forgotten person; lines did not add up."""
    lenient = Coach(store, fixture_library, clock, LENIENT, charts=tmp_path / "charts")
    before = _digests(lenient)
    assert before == BEFORE_FORGET
    ann = region["ann"]
    ann.command("/forget")
    ann.press("Yes, erase everything")
    after = _digests(lenient)
    assert after == AFTER_FORGET
    for text in (*before.values(), *after.values()):
        _adds_up(text)
    clock.advance(days=7)  # Monday 16 March: Ann's lessons are the week before's now
    (next_week,) = MemoryChat(lenient, "manager_a", "en").command("/digest")
    assert next_week.text == NEXT_WEEK_AFTER_FORGET


def test_the_export_agrees_with_the_digest_after_a_member_uses_forget(
    region, store, fixture_library, clock, tmp_path, monkeypatch
):
    region["ann"].command("/forget")
    region["ann"].press("Yes, erase everything")
    monkeypatch.setenv("DIGICOACH_DATABASE_URL", store.url)
    monkeypatch.setenv("DIGICOACH_SMALLEST_GROUP", str(LENIENT.smallest_group))
    out = tmp_path / "poperinge.csv"
    assert main(["export", "progress", "--org", "poperinge", "--weeks", "1", "--until", "2026-03-08",
                 "--output", str(out)]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    table = [(r["team"], r["person"], r["members"], r["active_learners"], r["lessons_completed"],
              r["lessons_by_former_members"], r["quiz_answers"], r["quiz_answers_by_former_members"],
              r["quiz_right_percent"]) for r in rows]  # fmt: skip
    assert table == [
        ("(all teams)", "", "7", "5", "11", "2", "22", "4", "63.6"),
        ("Burgerzaken", "", "5", "4", "10", "2", "20", "4", "60.0"),
        ("Dienst ICT", "", "2", "1", "1", "0", "2", "0", ""),  # Gert alone answered: no share
    ]
    assert {r["week_start"] for r in rows} == {"2026-03-02"}
    with store.transaction() as tx:
        poperinge = tx.organisations.by_slug("poperinge")
        assert poperinge is not None
        scopes = {"(all teams)": audience.organisation_scope(tx, poperinge)}
        scopes |= {t.name: audience.team_scope(tx, t.id) for t in tx.teams.of(poperinge.id)}
        digests = {
            name: compute(tx, scope, clock().date(), fixture_library, LENIENT)
            for name, scope in scopes.items()
        }
    for row in rows:
        digest = digests[row["team"]]
        assert (row["members"], row["active_learners"], row["lessons_completed"],
                row["lessons_by_former_members"]) == tuple(map(str, (
            digest.members, digest.active, digest.lessons, digest.lessons_by_former.amount
        ))), row["team"]  # fmt: skip
        if not digest.hidden_topics:  # a digest leaves out a topic too few people answered in
            shown = [s.total for s in digest.accuracy], [s.by_former.amount for s in digest.accuracy]
            answers = (int(row["quiz_answers"]), int(row["quiz_answers_by_former_members"]))
            assert answers == tuple(map(sum, shown)), row["team"]
    lines = {line.name: line.counts for line in digests["(all teams)"].breakdown}
    assert {name: (c.members, c.active, c.lessons, c.by_former.amount) for name, c in lines.items()} == {
        r["team"]: tuple(int(r[k]) for k in ("members", "active_learners", "lessons_completed",
                                             "lessons_by_former_members"))
        for r in rows[1:]
    }  # fmt: skip


def test_learners_follow_their_organisations_public_holidays(store, clock, chat, coach, tmp_path):
    dutch = tmp_path / "org.yaml"
    dutch.write_text(
        "region: noordzee\norganisations:\n  - id: sluis\n    name: Gemeente Sluis\n    country: NL\n"
        "    timezone: Europe/Amsterdam\n    language: nl\n    teams:\n      - id: ict\n        name: ICT\n"
    )
    spec = load(dutch)
    assert not isinstance(spec, list), spec
    with store.transaction() as tx:
        apply(tx, spec, "cli:admin", clock())
    join(chat("sanne"), invite(store, clock, "sluis/ict"))  # in a Dutch municipality
    onboard(chat("bram"))  # no organisation: the deployment's Belgian holidays
    # Tuesday 21 July 2026 is Belgium's national day, a working day in the Netherlands.
    clock.now = local(2026, 7, 21, 9, 0)
    sent = invitations(tick_until(coach, clock, local(2026, 7, 21, 10, 0)))
    assert [s.reply.to.chat_id for s in sent] == ["chat-sanne"]


def test_a_digest_that_fails_never_stops_the_days_lessons(region, coach, clock, monkeypatch, caplog):
    def broken(_turn):
        raise RuntimeError("a bug in a digest")

    monkeypatch.setattr(digest_flow, "scheduled", broken)
    clock.now = datetime(2026, 3, 16, 7, 1, tzinfo=UTC)  # Monday 08:01 in Brussels
    sent = tick(coach)
    assert not [r for r in sent if r.title and "digest" in r.title]
    assert "could not make the digest" in caplog.text
    clock.now = datetime(2026, 3, 16, 8, 45, tzinfo=UTC)  # 09:45: everyone's 09:30 lesson
    invited = [r for r in tick(coach) if any(c.id.startswith("snooze:") for c in r.choices)]
    assert len(invited) == 16  # every learner of the region, managers and admins included


def test_sharing_outside_a_team_says_nobody_sees_it_yet(chat):
    noor = chat("noor")
    onboard(noor)
    noor.command("/share on")
    assert "You are not in a team yet" in noor.text
    noor.command("/share")
    assert "Sharing your progress by name is on." in noor.text
    noor.press("Do not share")
    assert "your name no longer appears in any digest" in noor.text


def test_charts_sent_long_ago_are_deleted_when_a_new_one_is_drawn(region, tmp_path, monkeypatch):
    old = tmp_path / "charts" / "digest-for-12-team-1-20260105-en-1767600000.png"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"an old chart")
    weeks_ago = time.time() - 20 * 24 * 3600
    os.utime(old, (weeks_ago, weeks_ago))
    monkeypatch.setattr(digest_flow, "_tidied_at", -float(digest_flow.TIDY_EVERY_SECONDS))
    (digest,) = region["manager_a"].command("/digest")
    assert digest.picture is not None and Path(digest.picture.path).is_file()
    assert not old.exists()


def _digest_titles(outgoing) -> list[str]:
    return sorted(o.reply.title for o in outgoing if o.reply.title and "digest" in o.reply.title)


def test_digests_are_made_a_few_to_a_transaction_after_the_lessons(region, coach, clock):
    clock.now = datetime(2026, 3, 16, 7, 1, tzinfo=UTC)  # Monday 08:01 in Brussels: five digests due
    assert _digest_titles(coach.deliver_due(digests=0)) == []
    made = [coach.deliver_digests(2) for _ in range(4)]
    assert [taken for _kept, taken in made] == [2, 2, 1, 0]  # fewer than asked: none left
    assert [len(_digest_titles(kept)) for kept, _taken in made] == [2, 2, 1, 0]


def test_a_monday_tick_makes_its_digests_in_turns_learners_presses_can_go_between(
    region, store, fixture_library, clock, tmp_path, monkeypatch
):
    def tick_turns() -> float:
        return REGISTRY.get_sample_value("digicoach_turn_cpu_seconds_count", {"work": "tick"}) or 0.0

    monkeypatch.setattr(running, "DIGESTS_PER_TURN", 2)
    settings = Settings(database_url=store.url, data_dir=tmp_path / "data", metrics_address="")
    app = running.App(settings, store, fixture_library, clock)
    clock.now = datetime(2026, 3, 16, 7, 1, tzinfo=UTC)  # Monday 08:01 in Brussels: five digests due
    before = tick_turns()
    asyncio.run(app.tick())
    # The lessons' turn, then the five digests two at a time: three more turns.
    assert tick_turns() - before == 4
    assert len(_digest_titles(app.coach.waiting("memory"))) == 5
