"""The first five minutes as a newcomer tries them: wrong answers, /start, /forget and /settings."""

from __future__ import annotations

from tests.support.flows import onboard, read_cards

LANGUAGES = ["Nederlands", "English", "Français", "Deutsch"]


def test_at_onboarding_a_wrong_answer_is_quoted_and_the_question_asked_again_once(chat):
    alice = chat()
    alice.command("/start")
    for wrong in ("yes", "Englsh", "ja", "👍"):
        (reply,) = alice.say(wrong)
        assert reply.text == f"Sorry, I did not understand “{wrong}”. Which language do you prefer?"
        assert [c.label for c in reply.choices] == LANGUAGES
    alice.say("english")  # a language by its name is understood
    assert "Your privacy" in alice.text
    (reply,) = alice.say("later maybe")
    assert reply.text == (
        "Sorry, I did not understand “later maybe”. Please read the notice about your privacy above, "
        "then choose:"
    )
    assert [c.label for c in reply.choices] == ["OK, understood"]
    alice.say("ja")  # yes to the notice
    assert "At what time" in alice.text
    (reply,) = alice.say("soon")
    assert (
        reply.text
        == "Sorry, I did not understand “soon”. Please type a time like 09:30, or choose one of these:"
    )
    assert [c.label for c in reply.choices] == ["08:00", "09:30", "12:30", "16:00"]


def test_later_a_wrong_answer_shows_the_choices_the_learner_has_now(chat):
    alice = chat()
    onboard(alice)
    (reply,) = alice.say("what now")
    assert reply.text == "Sorry, I did not understand “what now”. Type /help to see what I can do."
    assert [c.label for c in reply.choices] == ["Today's lesson", "My progress"]
    alice.command("/lesson")
    (reply,) = alice.say("ok")
    assert reply.text == "Sorry, I did not understand “ok”. Choose one of these:"
    assert [c.label for c in reply.choices] == ["Next"]
    read_cards(alice)
    question = alice.last[-1]
    (reply,) = alice.say("banana bread")
    assert reply.text == "Sorry, I did not understand “banana bread”. Choose one of these:"
    assert reply.choices == question.choices and reply.quiz  # still a quiz: no answer shown to others
    (reply,) = alice.command("/hello")
    assert reply.text == "Sorry, I did not understand “/hello”. Type /help to see what I can do."


def test_start_tells_a_returning_learner_where_they_are_and_never_starts_over(chat):
    alice = chat()
    alice.command("/start")
    alice.press("English")
    alice.command("/start")  # half-way: the open question again, not the language
    assert alice.text.startswith("Hello again! Let's go on where we were.")
    assert [c.label for c in alice.choices] == ["OK, understood"]
    alice.choose("ok:privacy")
    alice.press("09:30")
    alice.command("/start")
    assert alice.text == "Welcome back! Next: “Strong passwords”."
    assert [c.label for c in alice.choices] == ["Today's lesson", "My progress"]
    alice.command("/lesson")
    alice.command("/start")
    assert alice.text == "Welcome back! You were in the middle of “Strong passwords”."
    assert [c.label for c in alice.choices] == ["Continue"]
    alice.press("Continue")
    assert "Strong passwords (1/" in alice.text


def test_help_says_what_start_does(chat):
    alice = chat()
    onboard(alice)
    alice.command("/help")
    assert "/start – begin, or see where you are" in alice.text


def test_forget_takes_a_typed_yes_or_no_in_the_learners_words(chat, store):
    alice = chat("alice", "nl")
    onboard(alice, language="Nederlands")
    alice.command("/forget")
    alice.say("nee")
    assert alice.text == "Er is niets gewist."
    alice.command("/forget")
    alice.say("ja")
    assert alice.text.startswith("Alles wat ik over je bewaarde, is gewist.")
    with store.transaction() as tx:
        assert tx.learners.find("memory", "alice") is None


def test_settings_can_be_left_without_a_change(chat):
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    alice.press("Done")
    assert alice.text == "Fine. Your settings stay as they are. Type /lesson for today's lesson."
