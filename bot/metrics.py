"""What the running coach counts for Prometheus, counted where it is already known.

The app counts events and ticks, the courier what became of each reply, the
Telegram pacer its 429 waits and the Matrix adapter its rate-limit waits and
the messages it cannot decrypt; the engine counts nothing (it stays free of
the bot layer). What is true at a moment (replies queued, platforms
connected) is read when Prometheus scrapes, from whoever knows it
(``Gauges``). One registry of our own, so the process's other metrics and a
test's second app never mix in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

EVENTS = Counter(
    "digicoach_events_handled",
    "Events from learners (messages, commands, button presses) the coach handled, by platform",
    ["platform"],
    registry=REGISTRY,
)
REPLIES = Counter(
    "digicoach_replies",
    "Stored replies by what became of them: sent, refused, expired or blocked, by platform",
    ["platform", "outcome"],
    registry=REGISTRY,
)
RATE_LIMIT_WAITS = Counter(
    "digicoach_rate_limit_waits",
    "Times a platform said 'too many requests' (Telegram 429, Matrix M_LIMIT_EXCEEDED) and the coach waited",
    ["platform"],
    registry=REGISTRY,
)
RATE_LIMIT_SECONDS = Counter(
    "digicoach_rate_limit_wait_seconds",
    "Seconds the platform asked the coach to wait, added up",
    ["platform"],
    registry=REGISTRY,
)
UNDECRYPTABLE = Counter(
    "digicoach_matrix_undecryptable_messages",
    "Matrix messages the coach could not decrypt (the learner was asked to send them again)",
    registry=REGISTRY,
)
RELOADS = Counter(
    "digicoach_lesson_reloads",
    "Lesson reloads by outcome: ok (swapped in) or failed (the last good lessons kept serving)",
    ["outcome"],
    registry=REGISTRY,
)
TICKS = Histogram(
    "digicoach_tick_duration_seconds",
    "How long one scheduled tick took: planning what is due and storing it",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
TURN_CPU = Histogram(
    "digicoach_turn_cpu_seconds",
    "CPU seconds of one turn at the database, the engine's work included, by work: "
    "event (a learner's message or press), sent and not_sent (records of what became of replies), "
    "tick, tidy, sweep (the courier reading the stored outbox), outbox_depth, unreachable",
    ["work"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1, 5),
    registry=REGISTRY,
)
LAST_TICK = Gauge(
    "digicoach_last_tick_timestamp_seconds",
    "When the last scheduled tick ended (Unix time)",
    registry=REGISTRY,
)
OUTBOX = Gauge(
    "digicoach_outbox_depth",
    "Stored replies waiting to be sent, by platform, counted in the database at the last tick",
    ["platform"],
    registry=REGISTRY,
)
ROLES = Gauge(
    "digicoach_role_held",
    "1 while this process holds the job (Telegram's poller, a Matrix sync, the planner), else 0",
    ["job"],
    registry=REGISTRY,
)


class Gauges(Collector):
    """Gauges read at scrape time from the running app: replies queued, platforms connected."""

    def __init__(
        self, queued: Callable[[], Mapping[str, int]], connected: Callable[[], Mapping[str, bool]]
    ) -> None:
        self._queued = queued
        self._connected = connected

    def collect(self) -> Iterable[Metric]:
        queued = GaugeMetricFamily(
            "digicoach_replies_queued",
            "Replies the courier holds to send now, by platform",
            labels=["platform"],
        )
        for platform, count in self._queued().items():
            queued.add_metric([platform], count)
        connected = GaugeMetricFamily(
            "digicoach_platform_connected",
            "1 while the coach is connected to the platform, 0 while it waits for it",
            labels=["platform"],
        )
        for platform, up in self._connected().items():
            connected.add_metric([platform], 1.0 if up else 0.0)
        return [queued, connected]

    def describe(self) -> Iterable[Metric]:
        return []


def rate_limited(platform: str, seconds: float) -> None:
    """The platform asked the coach to wait ``seconds``."""
    RATE_LIMIT_WAITS.labels(platform).inc()
    RATE_LIMIT_SECONDS.labels(platform).inc(seconds)
