"""Matrix events -> neutral events and replies -> Matrix content, without a server."""

from __future__ import annotations

import pytest

from bot.adapters.matrix.adapter import backoff
from bot.adapters.matrix.convert import Incoming, allowed, convert, is_one_to_one, number_key
from bot.adapters.matrix.render import image, notice, reaction_keys, transaction_id, with_leads
from bot.adapters.matrix.state import AdapterState, Login
from lessons.chat import Address, Choice, ChoiceSelected, Command, Reply, TextMessage

CHOICES = (Choice("ans:7:0:0", "A link to click"), Choice("tick:7:0:1", "Call the sender", ticked=False))


def text(body: str) -> Incoming:
    return Incoming("$e1", "@anna:gent.be", "!room:gent.be", "Anna", body=body)


def reaction(key: str, reacts_to: str = "$question") -> Incoming:
    return Incoming("$r1", "@anna:gent.be", "!room:gent.be", reaction_key=key, reacts_to=reacts_to)


@pytest.mark.parametrize("body", ["!lesson", "/lesson", "lesson", "LESSON"])
def test_commands_with_bang_slash_or_the_bare_word(body):
    event = convert(text(body), (), {})
    assert isinstance(event, Command)
    assert (event.name, event.event_id, event.sender.chat_id) == ("lesson", "$e1", "!room:gent.be")


def test_command_arguments_are_kept():
    event = convert(text("!settings time 10:15"), (), {})
    assert isinstance(event, Command) and event.args == "time 10:15"


@pytest.mark.parametrize("body", ["2", " 2 ", "call the sender", "2\ufe0f\u20e3"])
def test_a_number_or_label_of_the_last_choices_selects_it(body):
    event = convert(text(body), CHOICES, {})
    assert event == ChoiceSelected(event.sender, "tick:7:0:1", "$e1")


@pytest.mark.parametrize("body", ["3", "0", "maybe"])
def test_anything_else_is_text(body):
    assert isinstance(convert(text(body), CHOICES, {}), TextMessage)


def test_a_choice_label_wins_over_a_bare_command_word():
    assert isinstance(convert(text("help"), (Choice("x:1", "Help"),), {}), ChoiceSelected)


def test_a_number_reaction_selects_the_choice_of_the_message_it_reacts_to():
    event = convert(reaction(number_key(1)), (), {"$question": CHOICES})
    assert isinstance(event, ChoiceSelected) and (event.choice_id, event.event_id) == ("ans:7:0:0", "$r1")
    # Without the emoji variation selector, as some clients send it.
    assert convert(reaction("1\u20e3"), (), {"$question": CHOICES}) == event


@pytest.mark.parametrize("key", ["👍", number_key(3)])
def test_other_reactions_mean_nothing(key):
    assert convert(reaction(key), (), {"$question": CHOICES}) is None


def test_a_reaction_on_an_unknown_message_means_nothing():
    assert convert(reaction(number_key(1), "$other"), (), {"$question": CHOICES}) is None


def test_allowed_servers_compare_the_server_part():
    assert allowed("@anna:Gent.be", ["gent.be"])
    assert not allowed("@anna:evil.example", ["gent.be"])
    assert not allowed("", ["gent.be"])


def test_one_to_one_counts_joined_and_invited_people_besides_the_bot():
    assert is_one_to_one({"@bot:x": "join", "@anna:x": "join"}, "@bot:x")
    assert is_one_to_one({"@bot:x": "join", "@anna:x": "join", "@ben:x": "leave"}, "@bot:x")
    assert not is_one_to_one({"@bot:x": "join", "@anna:x": "join", "@ben:x": "invite"}, "@bot:x")


def test_a_reply_is_a_notice_with_html_and_a_numbered_plain_body():
    content = notice(Reply(Address("matrix", "!r"), "Pick <one>\nplease", "Quiz", CHOICES))
    assert content["msgtype"] == "m.notice"
    assert content["body"] == "Quiz\n\nPick <one>\nplease\n\n1. A link to click\n2. ☐ Call the sender"
    assert content["formatted_body"] == (
        "<h4>Quiz</h4><p>Pick &lt;one&gt;<br>please</p>"
        "<ol><li>A link to click</li><li>☐ Call the sender</li></ol>"
    )


def test_one_number_reaction_per_choice():
    assert reaction_keys(Reply(Address("matrix", "!r"), "t", choices=CHOICES)) == ("1️⃣", "2️⃣")
    assert reaction_keys(Reply(Address("matrix", "!r"), "t")) == ()


def test_transaction_ids_repeat_for_the_same_message_and_differ_between_messages():
    assert transaction_id("$e1:0", "m.room.message") == transaction_id("$e1:0", "m.room.message")
    assert transaction_id("$e1:0", "m.room.message") != transaction_id("$e1:1", "m.room.message")


def test_backoff_follows_the_server_and_otherwise_doubles_up_to_ten_seconds_with_jitter():
    assert backoff(1, retry_after_ms=1500) == 1.5
    for attempt, base in ((1, 1), (2, 2), (3, 4), (10, 10)):
        waits = {backoff(attempt) for _ in range(50)}
        assert all(0.75 * base <= wait <= 1.25 * base for wait in waits)
        assert len(waits) > 1  # jittered: many coaches do not retry in step


def test_login_token_and_shown_choices_survive_a_restart(tmp_path):
    state = AdapterState(tmp_path)
    state.save_login(Login("@bot:x", "DEV", "tok"))
    state.save_sync_token("s42")
    state.showing("!r", CHOICES)
    state.shown("!r", "$q", CHOICES)
    again = AdapterState(tmp_path)
    assert again.login("@bot:x") == Login("@bot:x", "DEV", "tok")
    assert again.login("@other:x") is None
    assert again.sync_token() == "s42"
    assert again.last_choices("!r") == CHOICES
    assert again.choices_by_message("!r") == {"$q": CHOICES}
    assert (tmp_path / "login.json").stat().st_mode & 0o077 == 0


def test_feedback_leads_the_next_question_in_one_notice():
    room, other = Address("matrix", "!a:localhost"), Address("matrix", "!b:localhost")
    feedback = Reply(room, "✅ Right!")
    question = Reply(room, "Question 2 of 2", choices=CHOICES)
    elsewhere = Reply(other, "For someone else")
    assert with_leads([feedback, question]) == [(feedback, question)]
    assert with_leads([question, feedback]) == [(None, question), (None, feedback)]
    assert with_leads([feedback, elsewhere]) == [(None, feedback), (None, elsewhere)]
    merged = notice(question, feedback)
    assert merged["body"] == "✅ Right!\n\nQuestion 2 of 2\n\n1. A link to click\n2. ☐ Call the sender"
    assert merged["formatted_body"].startswith("<p>✅ Right!</p><p>Question 2 of 2</p><ol>")


def test_a_picture_goes_as_m_image_with_its_alt_text_as_body():
    content = image("A fake mail", "image/png", 68, {"url": "mxc://gent.be/abc"})
    assert content == {
        "msgtype": "m.image",
        "body": "A fake mail",
        "info": {"mimetype": "image/png", "size": 68},
        "url": "mxc://gent.be/abc",
    }
