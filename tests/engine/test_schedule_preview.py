"""`digicoach schedule preview`: who gets what on a date, and why the others do not."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.cli import main
from lessons.chat import Address, ChatUnreachable
from lessons.planning import preview
from lessons.rhythm import Rhythm
from storage.states import Stage
from tests.conftest import FIXTURES
from tests.support.flows import finish_passwords_lesson, onboard, read_cards
from tests.support.organisation import apply_region_file, invite, join
from tests.support.ticks import BRUSSELS, local, tick


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
    assert len(tick(coach, clock.now)) == 1
    assert _plan(store, fixture_library, date(2026, 3, 2))["alice"] == (None, "invitation already sent")


def test_the_command_prints_the_plan(empty_database, capsys):
    db = empty_database
    assert main(["schedule", "preview", "--date", "2026-04-06", "--db", db]) == 0
    assert "Monday 06 April 2026: 0 of 0 learner(s) get an invitation" in capsys.readouterr().out
    assert main(["schedule", "preview", "--date", "6/4", "--db", db]) == 2
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err


def _ready(store, platform: str, name: str, at: time) -> None:
    """A learner who finished onboarding on ``platform``, lesson time ``at`` in Brussels."""
    with store.transaction() as tx:
        learner = tx.learners.add(platform=platform, platform_user_id=name, chat_id=name, display_name=name,
                                  locale="en", now=datetime(2026, 3, 1, tzinfo=UTC))  # fmt: skip
        tx.learners.update(learner.id, stage=Stage.READY, delivery_time=at, timezone="Europe/Brussels")


def test_the_command_says_how_long_sending_takes_and_warns_when_some_would_be_dropped(
    store, capsys, monkeypatch
):
    for name in ("ann", "bob", "cas"):
        _ready(store, "telegram", name, time(9, 0))
    _ready(store, "matrix", "dirk", time(9, 0))
    _ready(store, "telegram", "els", time(12, 30))
    monkeypatch.setenv("DIGICOACH_DATABASE_URL", store.url)
    monkeypatch.setenv("DIGICOACH_LESSONS", str(FIXTURES / "library"))
    monkeypatch.setenv("DIGICOACH_SPREAD_MINUTES", "0")
    monkeypatch.setenv("DIGICOACH_CATCH_UP_HOURS", "0.05")  # 3 minutes
    monkeypatch.setenv("TELEGRAM_MAX_PER_SECOND", "0.01")  # one every 100 s
    assert main(["schedule", "preview", "--date", "2099-03-02", "--summary"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Monday 02 March 2099: 5 of 5 learner(s) get an invitation"
    assert "ann" not in out  # no line per learner
    # Telegram's third learner of 09:00 goes out 200 s after it; Matrix's does not wait for Telegram.
    assert "  09:00  matrix    1 invitation(s)  last out 09:00:00\n" in out
    assert "  09:00  telegram  3 invitation(s)  last out 09:03:20\n" in out
    assert "  12:30  telegram  1 invitation(s)  last out 12:30:00\n" in out
    assert "telegram 0.01 a second (TELEGRAM_MAX_PER_SECOND)" in out
    assert (
        "warning: 09:00 telegram: 1 of 3 invitations would go out more than 3 min after their time "
        "(DIGICOACH_CATCH_UP_HOURS): the coach drops those, and their learners get no lesson that day"
    ) in out
    assert "To send them sooner: spread the lesson times" in out
    monkeypatch.setenv("DIGICOACH_CATCH_UP_HOURS", "3")
    monkeypatch.setenv("TELEGRAM_MAX_PER_SECOND", "0.001")  # the third goes out 2,000 s after 09:00
    assert main(["schedule", "preview", "--date", "2099-03-02"]) == 0
    out = capsys.readouterr().out
    assert "  ann   telegram  09:00 Europe/Brussels" in out  # the list per learner is still there
    assert "warning" not in out
    assert (
        "note: 09:00 telegram: the last invitations go out 33 min after the lesson time; learners expect "
        "the lesson at their time"
    ) in out
    monkeypatch.setenv("TELEGRAM_MAX_PER_SECOND", "fast")
    assert main(["schedule", "preview", "--date", "2099-03-02", "--summary"]) == 2
    assert "digicoach: bad setting TELEGRAM_MAX_PER_SECOND: " in capsys.readouterr().err


def _learners_in_every_stage(chat, coach, store, clock):
    """One learner per way of (not) being due, onboarded on Sunday 19 July 2026."""
    dutch = _dutch_municipality(store, clock)
    onboard(chat("alice"))  # ready, 09:30
    chat("bob").command("/start")  # choosing a language
    carla = chat("carla")
    carla.command("/start")
    carla.press("English")  # reading the privacy notice
    dave = chat("dave")
    dave.command("/start")
    dave.press("English")
    dave.choose("ok:privacy")  # choosing a time
    emma = chat("emma")
    onboard(emma, at="12:30")
    emma.command("/settings")
    emma.press("Lesson time")  # ... and walks away: still set up
    fien = chat("fien")
    onboard(fien, at="16:00")
    clock.now = local(2026, 7, 20, 6, 0)
    fien.command("/pause 2")  # Monday and Tuesday off
    clock.now = local(2026, 7, 19, 9, 0)
    onboard(chat("gert"))
    coach.unreachable(ChatUnreachable(Address("memory", "chat-gert")))  # blocked the bot
    hanna = chat("hanna")
    onboard(hanna, at="08:00")
    hanna.command("/settings")
    hanna.press("Lesson days")
    for day in ("Saturday", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        hanna.press(day)  # weekends only
    join(chat("sanne"), dutch)  # a Dutch municipality: 21 July is a working day there
    ivo = chat("ivo")
    onboard(ivo)
    finish_passwords_lesson(ivo)
    ivo.press("One more lesson")
    read_cards(ivo)
    while ivo.choices and ivo.choices[0].id.startswith(("ans:", "tick:")):
        ivo.choose(ivo.choices[0].id)  # every lesson done, some answers wrong: reviews come due
        if ivo.choices and ivo.choices[-1].id.startswith("done:"):
            ivo.choose(ivo.choices[-1].id)


def _dutch_municipality(store, clock) -> str:
    apply_region_file(
        store,
        clock,
        "region: noordzee\norganisations:\n  - id: sluis\n    name: Gemeente Sluis\n    country: NL\n"
        "    timezone: Europe/Amsterdam\n    language: nl\n    teams:\n      - id: ict\n        name: ICT\n",
    )
    return invite(store, clock, "sluis/ict")


def test_the_preview_and_the_tick_agree_minute_by_minute_for_a_week(
    chat, coach, clock, store, fixture_library
):
    """Regression: preview said '09:33 lesson ...' for a learner the tick never invited."""
    clock.now = local(2026, 7, 19, 9, 0)  # Sunday
    _learners_in_every_stage(chat, coach, store, clock)
    users = ("alice", "bob", "carla", "dave", "emma", "fien", "gert", "hanna", "sanne", "ivo")
    planned: dict[tuple[str, date], datetime | None] = {}
    sent: dict[tuple[str, date], list[datetime]] = {}
    texts: dict[tuple[str, date], str] = {}
    for offset in range(7):
        day = date(2026, 7, 20) + timedelta(days=offset)
        clock.now = local(day.year, day.month, day.day, 7, 50)  # before the first lesson time, 08:00
        for p in preview(store, fixture_library, Rhythm(), day):
            planned[(p.learner, day)] = p.due
            texts[(p.learner, day)] = p.what
        while clock.now < local(day.year, day.month, day.day, 16, 30):  # after the last, 16:00 + spread
            # Every minute from a lesson time to the end of its spread window, every ten
            # minutes between them: a send outside the windows would come late and fail too.
            local_now = clock.now.astimezone(BRUSSELS).time()
            busy = any(start <= local_now < end for start, end in LESSON_WINDOWS)
            clock.advance(minutes=1 if busy else 10)
            for reply in invitations_of(tick(coach, clock.now)):
                sent.setdefault((reply.to.chat_id.removeprefix("chat-"), day), []).append(clock.now)
    for user in users:
        for offset in range(7):
            day = date(2026, 7, 20) + timedelta(days=offset)
            due = planned[(user, day)]
            expected = [] if due is None else [_next_minute(due)]
            assert sent.get((user, day), []) == expected, (user, day, texts[(user, day)])
    # Every way of not being due was met, and each learner got what the preview said.
    week = {user: [texts[(user, date(2026, 7, 20) + timedelta(days=d))] for d in range(7)] for user in users}
    setting_up = "still setting up (has not chosen a lesson time yet)"
    assert week["bob"][0] == week["carla"][0] == week["dave"][0] == setting_up
    assert week["emma"][0].startswith("lesson 'passwords'")
    assert week["fien"][:3] == [
        "on a break until 21 July 2026",
        "on a break until 21 July 2026",
        week["fien"][2],
    ]
    assert week["fien"][2].startswith("lesson")
    assert week["gert"][0] == "inactive (the platform refuses messages to this person)"
    assert week["hanna"][0] == "not a lesson day (lessons on Sat and Sun)" and week["hanna"][5].startswith(
        "lesson"
    )
    assert week["alice"][1] == "public holiday: National Day" and week["sanne"][1].startswith("lesson")
    assert week["ivo"][0] == "review questions only"
    assert week["alice"][5] == "not a lesson day (lessons on Mon, Tue, Wed, Thu and Fri)"


# The learners' lesson times (08:00, 09:30, 12:30, 16:00), each with its 10-minute spread.
LESSON_WINDOWS = [(time(7, 59), time(8, 11)), (time(9, 29), time(9, 41)), (time(12, 29), time(12, 41)),
                  (time(15, 59), time(16, 11))]  # fmt: skip


def _next_minute(due: datetime) -> datetime:
    """The first minute tick at or after ``due``."""
    whole = due.replace(second=0, microsecond=0)
    return whole if whole == due else whole + timedelta(minutes=1)


def invitations_of(replies):
    return [r for r in replies if any(c.id.startswith("snooze:") for c in r.choices)]


def test_today_a_learner_who_already_learned_gets_nothing_and_the_tick_agrees(
    chat, coach, clock, store, fixture_library
):
    alice = chat("alice")
    onboard(alice)  # Monday 09:00, lesson time 09:30
    finish_passwords_lesson(alice)
    today = date(2026, 3, 2)
    plan = {p.learner: (p.at, p.what) for p in preview(store, fixture_library, Rhythm(), today, clock.now)}
    assert plan["alice"] == (None, "already did a lesson or review that day")
    clock.now = local(2026, 3, 2, 9, 45)
    assert tick(coach, clock.now) == []


def test_today_an_invitation_whose_time_passed_says_whether_it_still_goes_out(
    chat, coach, clock, store, fixture_library
):
    onboard(chat("alice"))  # 09:30, not ticked since
    today = date(2026, 3, 2)

    def plan_at(now):
        return {p.learner: (p.at, p.what) for p in preview(store, fixture_library, Rhythm(), today, now)}

    at, what = plan_at(local(2026, 3, 2, 10, 0))["alice"]
    assert at is not None and what.endswith("; time passed: goes out at the next tick of a running coach")
    assert plan_at(local(2026, 3, 2, 14, 0))["alice"] == (
        None,
        "lesson 'passwords': Strong passwords; time passed without a running coach: dropped "
        "(DIGICOACH_CATCH_UP_HOURS)",
    )
