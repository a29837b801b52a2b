"""First contact: /start, language, privacy notice, delivery time."""

from __future__ import annotations

from datetime import time

from tests.support.flows import onboard


def test_start_greets_and_offers_the_four_languages_by_their_own_names(chat):
    alice = chat()
    alice.command("/start")
    assert "digital coach" in alice.text
    assert [c.label for c in alice.choices] == ["Nederlands", "English", "Français", "Deutsch"]


def test_picking_a_language_shows_the_privacy_notice(chat):
    alice = chat()
    alice.command("/start")
    alice.press("English")
    notice = alice.text
    assert "Your privacy" in notice
    for promise in ("Stored:", "Who sees it:", "/mydata", "/forget", "voluntary"):
        assert promise in notice
    assert [c.label for c in alice.choices] == ["OK, understood"]


def test_onboarding_ends_with_the_chosen_time_and_working_days(chat, store):
    alice = chat()
    onboard(alice, at="12:30")
    assert "12:30" in alice.text
    assert "Monday, Tuesday, Wednesday, Thursday and Friday" in alice.text
    assert [c.label for c in alice.choices] == ["Start today's lesson", "Later"]
    with store.transaction() as tx:
        learner = tx.learners.find("memory", "alice")
    assert learner is not None
    assert (learner.locale, learner.delivery_time, learner.stage) == ("en", time(12, 30), "ready")
    assert learner.timezone == "Europe/Brussels"


def test_a_typed_time_is_understood_in_common_forms(chat, store):
    alice = chat()
    alice.command("/start")
    alice.press("English")
    alice.choose("ok:privacy")
    alice.say("half past nine")
    assert "Please type a time like 09:30" in alice.text
    alice.say("10u15")
    assert "10:15" in alice.text
    with store.transaction() as tx:
        assert tx.learners.find("memory", "alice").delivery_time == time(10, 15)


def test_a_lesson_request_during_onboarding_resumes_onboarding(chat):
    alice = chat()
    alice.command("/start")
    alice.press("English")
    alice.command("/lesson")
    assert "finish setting up first" in alice.text
    assert "Your privacy" in alice.text


def test_the_platform_language_is_used_until_the_learner_picks_one(chat):
    saïd = chat("said", language="fr-BE")
    saïd.command("/start")
    assert "coach numérique" in saïd.text


def test_without_any_hint_the_coach_speaks_dutch_first(chat):
    jan = chat("jan", language=None)
    jan.command("/start")
    assert "digitale coach" in jan.text
    jan.press("Nederlands")
    assert "privacy" in jan.text.lower()


def test_start_again_after_onboarding_welcomes_back(chat):
    alice = chat()
    onboard(alice)
    alice.command("/start")
    assert "Welcome back" in alice.text
