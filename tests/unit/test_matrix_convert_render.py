"""Matrix events -> neutral events and replies -> Matrix content, without a server."""

from __future__ import annotations

import pytest

from bot.adapters.matrix.adapter import backoff
from bot.adapters.matrix.convert import Incoming, allowed, convert, is_one_to_one, number_key
from bot.adapters.matrix.render import (
    POLL_START,
    audio,
    file,
    image,
    is_poll,
    messages,
    notice,
    poll,
    poll_answer,
    poll_end,
    reaction_keys,
    transaction_id,
    with_leads,
)
from bot.adapters.matrix.state import AdapterState, Login
from lessons.chat import Address, Choice, ChoiceSelected, Command, Reply, TextMessage
from tests.support.limits import matrix_event_bytes

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


TO = Address("matrix", "!room:gent.be")
QUIZ = (Choice("ans:7:0:1", "Length"), Choice("ans:7:0:0", "Symbols"), Choice("ans:7:0:x", "I don't know"))


def poll_response(answer: str, poll: str = "$poll") -> Incoming:
    return Incoming("$v1", "@anna:gent.be", "!room:gent.be", poll_answer=answer, poll_id=poll)


def test_a_quiz_question_is_a_poll_whose_answers_are_its_choices_and_whose_text_lists_them():
    question = Reply(TO, "Which is strongest?", "Question 1 of 2", QUIZ, quiz=True)
    content = poll(question, Reply(TO, "✅ Right!"))
    start = content["org.matrix.msc3381.poll.start"]
    assert start["kind"] == "org.matrix.msc3381.poll.undisclosed" and start["max_selections"] == 1
    assert [a["id"] for a in start["answers"]] == [c.id for c in QUIZ]
    assert start["question"]["org.matrix.msc1767.text"].startswith("✅ Right!\n\nQuestion 1 of 2")
    # A client without polls shows the text, numbered, so typing the number works there.
    assert "1. Length\n2. Symbols\n3. I don't know" in content["body"]
    assert is_poll(question) and reaction_keys(question) == ()
    boxes = Reply(TO, "Tick all that apply", choices=(Choice("tick:7:1:0", "A", False),), quiz=True)
    assert not is_poll(boxes) and reaction_keys(boxes) == ()  # a select-all question: a list, no reactions


def test_a_poll_answer_names_its_choice_and_the_poll_it_answers():
    [event] = [convert(poll_response("ans:7:0:1"), (), {"$poll": QUIZ})]
    assert isinstance(event, ChoiceSelected) and (event.choice_id, event.origin) == ("ans:7:0:1", "$poll")
    assert convert(poll_response("ans:9:9:9"), (), {"$poll": QUIZ}) is None  # not offered by that poll
    assert poll_answer({"m.selections": ["ans:7:0:1"]}) == "ans:7:0:1"  # the stable form
    assert poll_answer({"org.matrix.msc3381.poll.response": {"answers": ["a", "b"]}}) is None


def test_an_answer_to_a_poll_the_bot_was_killed_before_noting_still_counts():
    """Regression: the poll was on its way when the bot died, so its answers were not noted under
    its event id; the choices noted before the send still vouch for the answer."""
    event = convert(poll_response("ans:7:0:1", poll="$unknown"), QUIZ, {})
    assert isinstance(event, ChoiceSelected) and event.choice_id == "ans:7:0:1"


def test_what_nobody_asked_for_just_now_rings_and_an_answer_does_not():
    assert notice(Reply(TO, "Your lesson is ready", notify=True))["msgtype"] == "m.text"
    assert notice(Reply(TO, "✅ Right!"))["msgtype"] == "m.notice"


# --- sizes: an event must stay under 65,536 bytes ----------------------------------------------

ROOM = Address("matrix", "!r:localhost")
EMOJI = "😀" * 3000
POLL_CHOICES = (Choice("ans:7:0:0", "A link to click"), Choice("ans:7:0:1", "Call the sender"))


def _fits(event_type: str, content: dict) -> bool:
    """Under the homeserver's limit with a margin, in a room with and without encryption."""
    plain, encrypted = matrix_event_bytes(event_type, content)
    return plain <= 60_000 and encrypted <= 60_000


@pytest.mark.parametrize(
    "reply",
    [
        Reply(ROOM, EMOJI * 4),  # 12,000 emoji: 144 KB as matrix-nio writes them, twice
        Reply(ROOM, "&<>" * 20_000, title="Tags & entities"),
        Reply(ROOM, "word " * 30_000, notify=True),
        Reply(ROOM, EMOJI * 2, title="😀" * 20_000),
        Reply(ROOM, ("é" * 99 + "\n") * 700),
    ],
    ids=["emoji", "markup", "words", "long-title", "lines"],
)
def test_a_long_text_is_cut_into_notices_that_each_fit_an_event(reply):
    events = messages(reply)
    assert len(events) > 1
    assert all(_fits(*event) for event in events), [matrix_event_bytes(*e) for e in events]
    assert {content["msgtype"] for _type, content in events} == {"m.text" if reply.notify else "m.notice"}
    plain = "".join(content["body"] for _type, content in events)
    assert plain.replace("\n", "") == ((reply.title or "") + reply.text).replace("\n", "")


def test_a_cut_poll_asks_its_question_in_the_last_piece_with_the_answers():
    events = messages(Reply(ROOM, EMOJI * 2, "Question 1 of 3", POLL_CHOICES, quiz=True))
    *notices, (last_type, _content) = events
    assert last_type == POLL_START and {t for t, _c in notices} == {"m.room.message"}
    assert all(_fits(*event) for event in events)
    answers = events[-1][1][POLL_START]["answers"]
    assert [a["id"] for a in answers] == ["ans:7:0:0", "ans:7:0:1"]
    assert "1. " not in events[0][1]["body"]  # the choices only once, with the poll


def test_a_lead_too_large_to_share_an_event_goes_on_its_own():
    feedback, question = Reply(ROOM, EMOJI * 2), Reply(ROOM, "Question 2 of 2", choices=CHOICES)
    events = messages(question, feedback)
    assert all(_fits(*event) for event in events)
    assert events[-1] == ("m.room.message", notice(question))
    assert len(messages(question, Reply(ROOM, "✅ Right!"))) == 1


def test_a_poll_end_repeats_only_the_start_of_a_long_question():
    ended = poll_end("$poll", EMOJI)
    assert len(ended["body"]) == 200 and ended["body"].endswith("…")


def test_a_card_read_aloud_is_an_m_audio_voice_message_with_its_length():
    upload = {"file": {"url": "mxc://hs/abc", "key": {"k": "secret"}}}
    content = audio("Voorgelezen.ogg", 78_000, 24_400, upload)
    assert content == {
        "msgtype": "m.audio",
        "body": "Voorgelezen.ogg",
        "filename": "Voorgelezen.ogg",
        "info": {"mimetype": "audio/ogg", "size": 78_000, "duration": 24_400},
        "org.matrix.msc1767.audio": {"duration": 24_400},
        "org.matrix.msc3245.voice": {},
        "file": {"url": "mxc://hs/abc", "key": {"k": "secret"}},
    }


def test_a_file_is_an_m_file_with_its_name_type_and_size():
    upload = {"file": {"url": "mxc://x/y", "key": {"k": "secret"}, "iv": "iv", "hashes": {}, "v": "v2"}}
    content = file("digicoach-mydata-2026-03-02.json", "application/json", 1234, upload)
    assert content == {
        "msgtype": "m.file",
        "body": "digicoach-mydata-2026-03-02.json",
        "filename": "digicoach-mydata-2026-03-02.json",
        "info": {"mimetype": "application/json", "size": 1234},
        **upload,
    }


def test_a_picture_goes_as_m_image_with_its_alt_text_as_body():
    content = image("A fake mail", "image/png", 68, {"url": "mxc://gent.be/abc"})
    assert content == {
        "msgtype": "m.image",
        "body": "A fake mail",
        "info": {"mimetype": "image/png", "size": 68},
        "url": "mxc://gent.be/abc",
    }
