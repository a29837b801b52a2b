"""``/mydata`` and ``/forget``: a learner sees and erases what the coach keeps.

Both read the one list of what holds a person's data: the tables of
``storage.personal_data`` and the digest charts drawn for them. ``/mydata``
says it in plain words in the chat and gives all of it as a JSON file: after
months of lessons it is hundreds of kilobytes, more than one chat message
may carry on any platform.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

from lessons import digest_chart
from lessons.buttons import Button, Within, on
from lessons.chat import Address, Document, decode
from lessons.commands import command
from lessons.flows.onboarding import NO, YES, weekday_names
from lessons.grading import normalise
from lessons.i18n import N_, _, language_name, ngettext, short_time
from lessons.turn import Turn
from storage.records import Learner, Push, StoredReply
from storage.states import WAITING, PushStatus

CHARTS = "digest_charts"
WAITING_REPLIES = "messages_waiting"
# How long "erase everything?" may be answered: enough to read it twice, too short
# for an old message's button, pressed by accident days later, to erase anything.
ERASE_QUESTION_OPEN = timedelta(minutes=10)
JSON = "application/json"


@dataclass(frozen=True)
class Forget(Button, kind="forget"):
    """An answer to one erase question, which it names by when it was asked (seconds since 1970)."""

    answer: Literal["yes", "no"]
    asked: Annotated[int, Within(0, 10**10 - 1)]


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(records: Sequence[Any]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in asdict(r).items()} for r in records]


def _waiting(records: list[StoredReply]) -> list[dict[str, Any]]:
    """Replies not sent yet, with what they say; a file by its name and size.

    Not the file itself: an earlier /mydata still waiting (a chat app that
    could not take it yet) would put its whole document inside this one.
    """
    rows = _rows(records)
    for row, record in zip(rows, records, strict=True):
        reply = decode(Address(record.platform, record.chat_id), record.content)
        content: dict[str, Any] = {"title": reply.title, "text": reply.text}
        if reply.document is not None:
            content["file"] = {"name": reply.document.filename, "bytes": len(reply.document.data)}
        row["content"] = content
    return rows


def _kept(turn: Turn) -> dict[str, list[Any]]:
    """Every record of the learner, by the registry's keys, and the charts drawn for them."""
    kept: dict[str, list[Any]] = turn.tx.personal.of(turn.learner.id)
    kept[CHARTS] = digest_chart.charts_for(turn.charts, turn.learner.id)
    return kept


def export(turn: Turn) -> dict[str, Any]:
    """Everything stored about the learner, as plain JSON-ready data."""
    document: dict[str, Any] = {}
    for key, records in _kept(turn).items():
        if key == "learner":
            document[key] = _rows(records)[0]
        elif key == CHARTS:
            document[key] = [path.name for path in records]
        elif key == WAITING_REPLIES:
            document[key] = _waiting(records)
        else:
            document[key] = _rows(records)
    return document


def _settings(turn: Turn, records: list[Learner]) -> list[str]:
    learner = records[0]
    on, off = _("on"), _("off")
    lines = [_("Your chat name: {name}.", name=learner.display_name)] if learner.display_name else []
    return [
        *lines,
        _(
            "Your settings: language {language}, lesson time {time}, lesson days {days}.",
            language=language_name(turn.language),
            time=short_time(learner.delivery_time),
            days=weekday_names(learner.weekdays),
        ),
        _(
            "Reminders: {reminders}. Your name in your manager's digest: {shared}.",
            reminders=on if learner.reminders else off,
            shared=on if learner.share_name else off,
        ),
        _("Always simpler texts: {state}.", state=on if learner.always_simpler else off),
    ]


def _messages(_turn: Turn, pushes: list[Push]) -> list[str]:
    sent = sum(p.status is PushStatus.SENT for p in pushes)
    later = sum(p.status in WAITING for p in pushes)
    not_sent = len(pushes) - sent - later
    lines = []
    if sent:
        lines.append(
            ngettext(
                "{n} message I sent you on my own: a lesson invitation, a reminder or a digest.",
                "{n} messages I sent you on my own: lesson invitations, reminders or digests.",
                sent,
            )
        )
    if later:
        lines.append(
            ngettext("{n} message I will send you later.", "{n} messages I will send you later.", later)
        )
    if not_sent:
        lines.append(
            ngettext(
                "{n} message I did not send after all (skipped, too late or not needed).",
                "{n} messages I did not send after all (skipped, too late or not needed).",
                not_sent,
            )
        )
    return lines


def _if_any(records: Sequence[Any], line: str) -> list[str]:
    return [line] if records else []


def _answers(_turn: Turn, answers: list[Any]) -> list[str]:
    if not answers:
        return []
    right = sum(a.correct for a in answers)
    return [
        ngettext(
            "{n} quiz answer, {right} of them right.",
            "{n} quiz answers, {right} of them right.",
            len(answers),
            right=right,
        )
    ]


# What each kind of record is, in the learner's words; every key of the registry has one.
IN_PLAIN_WORDS: dict[str, Callable[[Turn, list[Any]], list[str]]] = {
    "learner": _settings,
    "lessons": lambda _turn, rows: _if_any(
        rows, ngettext("{n} lesson or review you started.", "{n} lessons and reviews you started.", len(rows))
    ),
    "answers": _answers,
    "review_cards": lambda _turn, rows: _if_any(
        rows,
        ngettext(
            "{n} question I will ask you again later, to help you remember.",
            "{n} questions I will ask you again later, to help you remember.",
            len(rows),
        ),
    ),
    "placement_checks": lambda _turn, rows: _if_any(
        rows,
        ngettext(
            "{n} result of the self-check (/check).",
            "{n} results of the self-check (/check), one per topic.",
            len(rows),
        ),
    ),
    "scheduled_messages": _messages,
    WAITING_REPLIES: lambda _turn, rows: _if_any(
        rows,
        ngettext(
            "{n} reply I could not deliver yet; it goes out as soon as your chat app can take it.",
            "{n} replies I could not deliver yet; they go out as soon as your chat app can take them.",
            len(rows),
        ),
    ),
    "pauses": lambda _turn, rows: _if_any(
        rows, ngettext("{n} break (/pause).", "{n} breaks (/pause).", len(rows))
    ),
    "roles": lambda _turn, rows: _if_any(
        rows,
        ngettext(
            "{n} team or role: member, manager or admin.",
            "{n} teams or roles: member, manager or admin.",
            len(rows),
        ),
    ),
    CHARTS: lambda _turn, rows: _if_any(
        rows, ngettext("{n} digest picture I drew for you.", "{n} digest pictures I drew for you.", len(rows))
    ),
}


def file_name(turn: Turn) -> str:
    return f"digicoach-mydata-{turn.today.isoformat()}.json"


@command("mydata", place=100, help=N_("everything I keep about you"), menu=N_("Everything I keep about you"))
def my_data(turn: Turn, _args: str = "") -> None:
    lines = [_("This is everything I keep about you:")]
    for key, records in _kept(turn).items():
        lines += ["• " + line for line in IN_PLAIN_WORDS[key](turn, records)]
    name = file_name(turn)
    lines.append(
        _(
            "All of it, in full, is in the file {name}: JSON, a text format that any text editor can open.",
            name=name,
        )
    )
    document = json.dumps(export(turn), indent=2, ensure_ascii=False).encode()
    turn.say("\n".join(lines), title=_("Your data"), document=Document(name, JSON, document))


@command(
    "forget",
    place=110,
    help=N_("erase everything I keep about you"),
    menu=N_("Erase everything I keep about you"),
)
def ask_to_forget(turn: Turn, _args: str = "") -> None:
    asked = turn.now.replace(microsecond=0)
    turn.update_learner(erase_asked_at=asked)
    stamp = int(asked.timestamp())
    turn.say(
        _(
            "Do you want me to erase everything I keep about you: your settings, "
            "lessons and answers? Your team's figures keep your lessons and answers, as those of "
            "a former member, without your name. "
            "This cannot be undone."
        ),
        [
            Forget("yes", stamp).choice(_("Yes, erase everything")),
            Forget("no", stamp).choice(_("No, keep it")),
        ],
    )


def typed_erase_answer(turn: Turn, text: str) -> bool:
    """A typed "ja" or "no" answers the open erase question, like its buttons; False if it is not one."""
    asked = turn.learner.erase_asked_at
    word = normalise(text)
    if asked is None or word not in YES | NO:
        return False
    press = Forget("yes" if word in YES else "no", int(asked.timestamp()))
    if not _open(turn, press):
        return False  # an old question: the word is read as anything else typed
    forget(turn, press)
    return True


def _open(turn: Turn, press: Forget) -> bool:
    """Whether ``press`` answers the erase question still open: the latest, unanswered, recent."""
    asked = turn.learner.erase_asked_at
    return (
        asked is not None
        and int(asked.timestamp()) == press.asked
        and turn.now - asked <= ERASE_QUESTION_OPEN
    )


@on(Forget)
def forget(turn: Turn, press: Forget) -> None:
    if not _open(turn, press):
        turn.say(
            _(
                "That question is no longer open, so nothing was erased. "
                "Type /forget if you still want me to erase your data."
            )
        )
        return
    if press.answer == "no":
        turn.update_learner(erase_asked_at=None)
        turn.say(_("Nothing was erased."))
        return
    learner_id = turn.learner.id
    # Their part of the team figures stays, as totals nobody can trace back.
    turn.tx.progress.keep_anonymously(turn.tx.progress.contribution(learner_id))
    turn.tx.audit.anonymise(f"learner:{learner_id}", "a forgotten learner")
    charts = digest_chart.charts_for(turn.charts, learner_id)
    turn.tx.personal.erase(learner_id)
    turn.forgotten = True
    # Files go once the database has let go of the person, so a failed erasure leaves both.
    turn.after_commit.append(lambda: _delete(charts))
    turn.say(
        _("Everything I kept about you is erased. Goodbye! Type /start if you ever want to begin again.")
    )


def _delete(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
