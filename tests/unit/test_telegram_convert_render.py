"""Telegram updates become neutral events, and replies become Bot API calls: pure functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Update

from bot.adapters.telegram.convert import convert
from bot.adapters.telegram.render import (
    Call,
    foldable,
    html,
    keyboard,
    press_origin,
    pressed,
    render,
    units,
)
from lessons.chat import (
    Address,
    Audio,
    Choice,
    ChoiceSelected,
    Command,
    Document,
    Picture,
    Reply,
    Sender,
    Speech,
    TextMessage,
)
from tests.support.limits import telegram_fits, telegram_length, telegram_text

USER = {"id": 42, "is_bot": False, "first_name": "Saïd", "last_name": "B.", "language_code": "fr"}
CHAT = {"id": 42, "type": "private", "first_name": "Saïd"}
TO = Address("telegram", "42")


def message_update(text: str, entities=(), chat=CHAT, update_id: int = 7) -> Update:
    message = {"message_id": 3, "date": 1_700_000_000, "chat": chat, "from": USER, "text": text}
    if entities:
        message["entities"] = list(entities)
    return Update.de_json({"update_id": update_id, "message": message}, None)


def command_entity(length: int) -> dict:
    return {"type": "bot_command", "offset": 0, "length": length}


def bot_message(text: str = "Which is strongest?", buttons=(("Welcome1", "ans:5:0:0"),), chat=CHAT) -> dict:
    message = {"message_id": 9, "date": 1_700_000_000, "chat": chat, "text": text}
    if buttons:
        message["reply_markup"] = {
            "inline_keyboard": [[{"text": label, "callback_data": data}] for label, data in buttons]
        }
    return message


def press(data: str, message: dict | None = None, update_id: int = 8) -> Update:
    query = {"id": "q1", "from": USER, "chat_instance": "ci", "data": data}
    if message is not None:
        query["message"] = message
    return Update.de_json({"update_id": update_id, "callback_query": query}, None)


SAID = Sender("telegram", "42", "42", "Saïd B.", "fr")


BOT = "666"
# The message's chat, number and date: what makes an update unique even where update ids start over.
MESSAGE_KEY = "tg:666:7:42/3/1700000000"


def test_text_becomes_a_text_message_whose_id_names_the_bot_the_update_and_the_message():
    assert convert(message_update("09:30"), BOT) == TextMessage(SAID, "09:30", MESSAGE_KEY)


def test_the_same_update_id_with_another_message_is_another_event():
    again = convert(message_update("09:30"), BOT)
    other_bot = convert(message_update("09:30"), "777")
    restarted = Update.de_json(
        {
            "update_id": 7,
            "message": {"message_id": 3, "date": 1_700_000_500, "chat": CHAT, "from": USER, "text": "hi"},
        },
        None,
    )
    assert again is not None and other_bot is not None
    assert again.event_id == MESSAGE_KEY
    assert other_bot.event_id != MESSAGE_KEY
    assert getattr(convert(restarted, BOT), "event_id", None) not in (None, MESSAGE_KEY)


def test_a_command_keeps_its_arguments_and_loses_the_bot_name():
    assert convert(message_update("/progress@DigicoachBot", [command_entity(22)]), BOT) == Command(
        SAID, "progress", "", MESSAGE_KEY
    )
    assert convert(message_update("/Lesson  now ", [command_entity(7)]), BOT) == Command(
        SAID, "lesson", "now", MESSAGE_KEY
    )


def test_a_deep_link_start_arrives_as_start_with_its_code():
    assert convert(message_update("/start team-42", [command_entity(6)]), BOT) == Command(
        SAID, "start", "team-42", MESSAGE_KEY
    )


def test_a_button_press_becomes_a_choice_of_that_learner():
    assert convert(press("ans:5:0:1", bot_message()), BOT) == ChoiceSelected(
        SAID, "ans:5:0:1", "tg:666:8:press/q1"
    )


def test_a_press_that_claims_a_message_of_another_chat_is_ignored():
    other = {"id": 77, "type": "private", "first_name": "Alice"}
    assert convert(press("ans:5:0:1", bot_message(chat=other)), BOT) is None


def test_group_messages_and_updates_without_text_are_ignored():
    group = {"id": -100, "type": "group", "title": "Team"}
    assert convert(message_update("hello", chat=group), BOT) is None
    sticker = Update.de_json(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": CHAT,
                "from": USER,
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                },
            },
        },
        None,
    )
    assert convert(sticker, BOT) is None
    assert convert(Update.de_json({"update_id": 2}, None), BOT) is None


def test_text_and_title_are_escaped_telegram_html():
    reply = Reply(TO, 'Use <script> & "quotes"', title="A <b>title</b>")
    assert html(reply) == '<b>A &lt;b&gt;title&lt;/b&gt;</b>\nUse &lt;script&gt; &amp; "quotes"'
    [call] = render(reply)
    assert call == Call("send_message", 42, {"text": html(reply), "parse_mode": "HTML"})


def test_choices_become_an_inline_keyboard_short_labels_two_a_row():
    short = keyboard(
        (Choice("time:0800", "08:00"), Choice("time:0930", "09:30"), Choice("time:1230", "12:30"))
    )
    assert short is not None
    assert [[b.text for b in row] for row in short.inline_keyboard] == [["08:00", "09:30"], ["12:30"]]
    long = keyboard((Choice("ans:1:0:0", "I call a number I know myself"), Choice("ans:1:0:1", "No")))
    assert long is not None
    assert [[b.callback_data for b in row] for row in long.inline_keyboard] == [["ans:1:0:0"], ["ans:1:0:1"]]
    assert keyboard(()) is None


def test_a_long_text_is_split_and_the_keyboard_rides_on_the_last_piece():
    reply = Reply(TO, ("word " * 50 + "\n") * 40, choices=(Choice("go:lesson", "Next"),))
    calls = render(reply)
    assert len(calls) == 3
    assert all(len(c.params["text"]) <= 4096 for c in calls)
    assert "".join(c.params["text"] for c in calls) == html(reply)
    assert [("reply_markup" in c.params) for c in calls] == [False, False, True]


def test_a_picture_by_url_is_sent_as_a_photo_with_the_text_and_its_alt_text_as_caption():
    reply = Reply(TO, "Look", title="Card", picture=Picture("https://example.org/p.png", "A <fake> mail"))
    [call] = render(reply)
    assert call.method == "send_photo"
    assert call.params["photo"] == "https://example.org/p.png"
    # Telegram has no alt text: the description is a line of the caption, for screen readers.
    assert call.params["caption"] == "<b>Card</b>\nLook\n<i>A &lt;fake&gt; mail</i>"


def test_when_the_alt_text_does_not_fit_the_caption_it_is_the_caption_and_the_text_follows():
    text = "x" * (1024 - len("\n<i>A fake mail</i>") + 1)
    photo, message = render(Reply(TO, text, picture=Picture("https://example.org/p.png", "A fake mail")))
    assert photo.params["caption"] == "<i>A fake mail</i>"
    assert message.params["text"] == text


def test_a_local_picture_is_uploaded(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "p.png").write_bytes(b"\x89PNG")
    reply = Reply(TO, "x" * 1500, picture=Picture(str(tmp_path / "images" / "p.png"), "A fake mail"))
    photo, text = render(reply)
    assert photo.method == "send_photo" and photo.params["photo"] == tmp_path / "images" / "p.png"
    assert photo.params["caption"] == "<i>A fake mail</i>"  # the text is too long for a caption
    assert text.method == "send_message"


def test_a_missing_picture_is_described_instead():
    [call] = render(Reply(TO, "Look", picture=Picture("images/gone.png", "A <fake> mail")))
    assert call.method == "send_message"
    assert call.params["text"] == "Look\n<i>[A &lt;fake&gt; mail]</i>"


def test_a_pressed_button_turns_into_the_chosen_label_and_the_buttons_go():
    message = press("ans:5:0:0", bot_message("Which is <strongest>?")).callback_query.message
    origin = press_origin(message, "ans:5:0:0")
    assert origin is not None
    assert pressed(origin) == Call(
        "edit_message_text",
        42,
        {"message_id": 9, "text": "Which is &lt;strongest&gt;?\n\n<i>→ Welcome1</i>", "parse_mode": "HTML"},
    )
    assert pressed(origin, Reply(TO, "✅ Right!")) == Call(
        "edit_message_text",
        42,
        {
            "message_id": 9,
            "text": "Which is &lt;strongest&gt;?\n\n<i>→ Welcome1</i>\n\n✅ Right!",
            "parse_mode": "HTML",
        },
    )


@pytest.mark.parametrize("data", ["ans:5:0:1", "garbage"])
def test_a_press_of_a_button_the_message_does_not_have_edits_nothing(data):
    message = press(data, bot_message()).callback_query.message
    assert press_origin(message, data) is None
    no_buttons = press(data, bot_message(buttons=())).callback_query.message
    assert press_origin(no_buttons, data) is None


# --- lengths as Telegram counts them ------------------------------------------------------------

EMOJI = "😀" * 3000  # 3,000 characters, 6,000 UTF-16 units


def _texts(calls: list[Call]) -> list[str]:
    """The text of each call as the learner reads it (Telegram's parse of its HTML)."""
    return [telegram_text(c.params.get(telegram_length(c)[0]) or "") for c in calls]


@pytest.mark.parametrize(
    "reply",
    [
        Reply(TO, EMOJI),
        Reply(TO, "&" * 5000),
        Reply(TO, "<>&" * 3000, title="Tags & entities"),
        Reply(TO, "A " * 2047 + "&"),  # the cut falls on the '&', whose entity is five units
        Reply(TO, ("é" * 99 + "\n") * 60),
    ],
    ids=["emoji", "ampersands", "markup", "entity-at-the-limit", "lines"],
)
def test_long_text_is_cut_by_utf16_units_and_never_inside_an_entity(reply):
    calls = render(reply)
    assert len(calls) > 1
    assert all(telegram_fits(c) for c in calls), [telegram_length(c) for c in calls]
    title = f"{reply.title}\n" if reply.title else ""
    assert "".join(_texts(calls)) == title + reply.text


def test_emoji_are_two_units_each_so_3000_of_them_take_two_messages_and_are_never_split():
    first, second = render(Reply(TO, EMOJI))
    assert units(first.params["text"]) == 4096  # 2,048 emoji, none cut in half
    assert second.params["text"] == "😀" * (3000 - 2048)


def test_a_cut_prefers_a_line_end_then_a_space():
    lines = render(Reply(TO, ("word " * 100 + "\n") * 12))
    assert all(c.params["text"].endswith("\n") for c in lines[:-1])
    words = render(Reply(TO, "word " * 1000))
    assert all(c.params["text"].endswith(" ") for c in words[:-1])


def test_a_cut_leaves_an_emoji_whole_with_its_skin_tone_and_joiners():
    family = "👩🏽\u200d💻"  # woman, skin tone, zero-width joiner, laptop: 7 units
    calls = render(Reply(TO, family * 1000))
    assert all(telegram_fits(c) for c in calls)
    assert all(c.params["text"].startswith("👩") for c in calls)
    assert all(c.params["text"].endswith("💻") for c in calls[:-1])


def test_a_title_too_long_for_one_message_is_bold_in_every_piece():
    reply = Reply(TO, "The text.", title="Title & more " * 700)
    calls = render(reply)
    assert len(calls) > 1 and all(telegram_fits(c) for c in calls)
    assert all(c.params["text"].startswith("<b>") for c in calls)
    assert calls[-1].params["text"].endswith("</b>\nThe text.")


def test_a_caption_is_held_to_1024_units():
    picture = Picture("https://example.org/p.png", "A fake mail")
    # 12 units of title, 980 of text, 19 of the description under it: 1,011.
    [short] = render(Reply(TO, "😀" * 490, title="Card", picture=picture))
    assert short.method == "send_photo" and short.params["caption"].endswith("😀\n<i>A fake mail</i>")
    photo, text = render(Reply(TO, "😀" * 520, title="Card", picture=picture))  # 1,040 + 12 units
    assert photo.params["caption"] == "<i>A fake mail</i>" and units(text.params["text"]) == 1052


def test_a_missing_picture_s_description_is_italic_and_cut_like_the_rest():
    calls = render(Reply(TO, "x" * 4090, picture=Picture("images/gone.png", "A <fake> mail")))
    assert all(telegram_fits(c) for c in calls)
    assert [c.params["text"] for c in calls] == ["x" * 4090 + "\n", "<i>[A &lt;fake&gt; mail]</i>"]


def test_an_edit_that_would_pass_the_limit_in_utf16_units_is_not_made():
    message = press("ans:5:0:0", bot_message("😀" * 2040)).callback_query.message
    origin = press_origin(message, "ans:5:0:0")
    assert origin is not None
    # 4,080 units of question and 21 of choice and feedback: over, though 2,061 characters.
    assert pressed(origin, Reply(TO, "✅ Right! Well done.")) is None
    tidy = pressed(origin)
    assert tidy is not None and telegram_fits(tidy)


# --- a file -------------------------------------------------------------------------------------


def test_a_file_is_uploaded_with_the_text_as_its_caption():
    document = Document("digicoach-mydata-2026-03-02.json", "application/json", b'{"learner": {}}')
    [call] = render(Reply(TO, "All of it is in the file.", title="Your data", document=document))
    assert call == Call(
        "send_document",
        42,
        {
            "document": b'{"learner": {}}',
            "filename": "digicoach-mydata-2026-03-02.json",
            "caption": "<b>Your data</b>\nAll of it is in the file.",
            "parse_mode": "HTML",
        },
    )


def _read_aloud(text: str, choices: tuple[Choice, ...] = ()) -> Reply:
    audio = Audio("/data/speech/ab/abc.ogg", 24_400)
    speech = Speech("A long sentence.", "en", "passwords/0/v1/card", "Sorry.", audio)
    return Reply(TO, text, "Strong passwords (1/2)", choices, speech=speech)


def test_a_card_read_aloud_is_a_voice_note_with_its_length_caption_and_buttons():
    [call] = render(_read_aloud("🔊 This card, read aloud.", (Choice("next:1:0", "Next"),)))
    assert call.method == "send_voice"
    assert call.params["voice"] == Path("/data/speech/ab/abc.ogg")  # PTB uploads the file
    assert call.params["duration"] == 24
    assert call.params["caption"] == "<b>Strong passwords (1/2)</b>\n🔊 This card, read aloud."
    assert call.params["reply_markup"] == keyboard((Choice("next:1:0", "Next"),))
    # A voice message never folds into the pressed message: it is a message of its own.
    assert not foldable(_read_aloud("🔊"))


def test_a_text_too_long_for_a_voice_notes_caption_goes_first():
    *texts, voice = render(_read_aloud("word " * 300, (Choice("next:1:0", "Next"),)))
    assert [c.method for c in texts] == ["send_message"]
    assert voice.method == "send_voice" and "caption" not in voice.params
    assert "reply_markup" in voice.params and all("reply_markup" not in c.params for c in texts)


def test_a_text_too_long_for_a_caption_goes_first_and_the_file_after_it():
    document = Document("data.json", "application/json", b"{}")
    *texts, upload = render(Reply(TO, "• a line of the summary\n" * 60, title="Your data", document=document))
    assert [c.method for c in texts] == ["send_message"] and upload.method == "send_document"
    assert "caption" not in upload.params and telegram_fits(texts[0])
