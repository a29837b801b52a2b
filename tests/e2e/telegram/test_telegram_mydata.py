"""/mydata on Telegram after 48 lessons: a short message and the whole record as an uploaded JSON file."""

from __future__ import annotations

import base64
import json

import pytest

from lessons.loader import load_library
from storage.unit_of_work import Store
from tests.e2e.telegram.test_telegram_chat import onboard
from tests.support.history import give_history

pytestmark = pytest.mark.e2e


def test_mydata_after_48_lessons_arrives_as_a_json_document_with_its_summary(coach, learner, tmp_path):
    running = coach()
    georgette = learner()
    onboard(georgette)
    lessons = sorted(load_library().library.lessons.values(), key=lambda lesson: lesson.id)[:48]
    store = Store(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    try:
        with store.transaction() as tx:
            learner_id = tx.learners.find("telegram", str(georgette.user_id)).id
        give_history(store, learner_id, lessons)
    finally:
        store.close()

    georgette.command("/mydata")
    [message] = [m for m in georgette.wait_for("This is everything I keep about you") if "document" in m]
    # One message: the file, with the summary as its caption (in Telegram's 1,024 units).
    assert message["caption"].startswith("Your data\nThis is everything I keep about you:")
    assert "• 48 lessons and reviews you started." in message["caption"]
    assert {"type": "bold", "offset": 0, "length": len("Your data")} in message["caption_entities"]
    document = message["document"]
    assert document["file_name"].startswith("digicoach-mydata-") and document["file_name"].endswith(".json")
    assert document["upload"].endswith(":json")
    upload = georgette.emulator.control("file", georgette.token, file_id=document["file_id"])
    assert upload["mime_type"] == "application/json"
    assert upload["size"] > 100_000  # 40 messages' worth of text before
    data = json.loads(base64.b64decode(upload["content"]))
    assert data["learner"]["platform_user_id"] == str(georgette.user_id)
    assert len(data["lessons"]) == 48
    assert georgette.stats()["documents"] == 1
    assert "Traceback" not in running.output()
