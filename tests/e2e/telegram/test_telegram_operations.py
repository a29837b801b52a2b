"""What an operator watches on a running coach: /healthz, /metrics and JSON log lines."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.e2e.telegram.emulator import wait_until
from tests.support.synapse import free_port

pytestmark = pytest.mark.e2e


def metric(scrape: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format; 0 when it is not there yet."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in scrape.splitlines():
        sample, _sep, value = line.rpartition(" ")
        if not line.startswith("#") and sample == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return 0.0


def test_health_metrics_and_json_logs_of_a_running_coach(coach, learner, emulator, token):
    port = free_port()
    running = coach(DIGICOACH_METRICS_ADDRESS=f"127.0.0.1:{port}", DIGICOACH_LOG_FORMAT="json")
    base = f"http://127.0.0.1:{port}"
    nele = learner(first_name="Nele")
    nele.command("/help")
    nele.wait_for("/mydata")

    def ready() -> dict | None:
        try:
            answer = httpx.get(f"{base}/healthz", timeout=5)
        except httpx.TransportError:
            return None
        return answer.json() if answer.status_code == 200 else None

    health = wait_until(ready, "/healthz to say ready")
    assert health["live"] and health["ready"]
    assert health["checks"]["database"] == "ok" and health["checks"]["telegram"] == "connected"
    assert httpx.get(f"{base}/healthz/live", timeout=5).status_code == 200

    # Two refusals with retry_after, the next sends go through: the waits are counted.
    emulator.control("limits", token, per_chat_per_second=1, retry_after=1)
    for _ in range(3):
        nele.command("/help")
    for _ in range(3):
        nele.wait_for("/mydata")

    def scraped() -> str | None:
        text = httpx.get(f"{base}/metrics", timeout=5).text
        return (
            text
            if metric(text, "digicoach_replies_total", platform="telegram", outcome="sent") >= 4
            else None
        )

    scrape = wait_until(scraped, "four replies counted as sent")
    assert metric(scrape, "digicoach_events_handled_total", platform="telegram") == 4
    assert metric(scrape, "digicoach_rate_limit_waits_total", platform="telegram") >= 1
    assert metric(scrape, "digicoach_rate_limit_wait_seconds_total", platform="telegram") >= 1
    assert metric(scrape, "digicoach_tick_duration_seconds_count") >= 1
    # Every event's turn at the database is counted with its CPU time; so is each record of a sent reply.
    assert metric(scrape, "digicoach_turn_cpu_seconds_count", work="event") == 4
    assert metric(scrape, "digicoach_turn_cpu_seconds_sum", work="event") > 0
    assert metric(scrape, "digicoach_turn_cpu_seconds_count", work="sent") >= 1
    assert metric(scrape, "digicoach_turn_cpu_seconds_count", work="tick") >= 1
    assert metric(scrape, "digicoach_last_tick_timestamp_seconds") > 0
    assert metric(scrape, "digicoach_outbox_depth", platform="telegram") == 0
    assert metric(scrape, "digicoach_replies_queued", platform="telegram") == 0
    assert metric(scrape, "digicoach_platform_connected", platform="telegram") == 1
    assert "digicoach_lesson_reloads_total" in scrape
    assert "digicoach_matrix_undecryptable_messages_total 0.0" in scrape

    # One JSON object a line; the learner's message can be followed by its ids, and its text is not logged.
    lines = [json.loads(line) for line in running.output().splitlines() if line.startswith("{")]
    assert lines and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]) for line in lines
    )
    handled = [line for line in lines if line["message"].startswith("handled Command")]
    assert len(handled) == 4 and all(line["event_id"].startswith("tg:") for line in handled)
    first_replies = re.search(r"\[([\d,]+)\]$", handled[0]["message"]).group(1).split(",")
    sent = {line["push_id"] for line in lines if line.get("push_id") and line["message"].endswith(": sent")}
    assert set(first_replies) <= sent
    assert "/help" not in running.output()
