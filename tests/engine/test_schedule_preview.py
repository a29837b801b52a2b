"""`digicoach schedule preview`: who gets what on a date, and why the others do not."""

from __future__ import annotations

from datetime import date

from bot.cli import main
from lessons.planning import preview
from lessons.rhythm import Rhythm
from tests.support.flows import onboard
from tests.support.ticks import local


def _plan(store, library, day):
    return {p.learner: (p.at, p.what) for p in preview(store, library, Rhythm(), day)}


def test_each_learner_gets_a_time_and_a_lesson_or_a_reason(chat, coach, clock, store, fixture_library):
    onboard(chat("alice"))
    chat("bob").command("/start")
    onboard(chat("carla"))
    chat("carla").command("/pause 7")
    plan = _plan(store, fixture_library, date(2026, 3, 3))
    at, what = plan["alice"]
    assert at is not None and "09:30" <= at <= "09:40"
    assert what == "lesson 'passwords': Strong passwords"
    assert plan["bob"] == (None, "still setting up (has not chosen a lesson time yet)")
    assert plan["carla"] == (None, "on a break until 8 March 2026")
    assert _plan(store, fixture_library, date(2026, 3, 7))["alice"] == (
        None,
        "not a lesson day (lessons on Mon, Tue, Wed, Thu and Fri)",
    )
    assert _plan(store, fixture_library, date(2026, 4, 6))["alice"] == (None, "public holiday: Easter Monday")


def test_preview_changes_nothing_and_knows_what_was_sent(chat, coach, clock, store, fixture_library):
    onboard(chat("alice"))
    before = _plan(store, fixture_library, date(2026, 3, 2))
    assert _plan(store, fixture_library, date(2026, 3, 2)) == before
    clock.now = local(2026, 3, 2, 9, 45)
    assert len(coach.deliver_due(clock.now)) == 1
    assert _plan(store, fixture_library, date(2026, 3, 2))["alice"] == (None, "invitation already sent")


def test_the_command_prints_the_plan(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    assert main(["schedule", "preview", "--date", "2026-04-06", "--db", db]) == 0
    assert "Monday 06 April 2026: 0 of 0 learner(s) get an invitation" in capsys.readouterr().out
    assert main(["schedule", "preview", "--date", "6/4", "--db", db]) == 2
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err
