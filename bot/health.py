"""``/healthz`` and ``/metrics`` while ``digicoach run`` serves, on ``DIGICOACH_METRICS_ADDRESS``.

- ``/healthz/live``: the coach is alive: its scheduled tick started lately.
  200 or 503.
- ``/healthz``: live, and ready: the database answers and every platform is
  connected. 200 or 503, with a JSON body naming each check, so a monitor
  (or an operator with curl) sees what is wrong.
- ``/metrics``: Prometheus' text format (``bot.metrics``).

Served on the coach's own event loop (aiohttp): if that loop hangs, nothing
answers, which a monitor reads as "down". Plain HTTP without authentication:
keep it on a loopback address, or behind a proxy that allows only the
monitor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.metrics import REGISTRY

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    live: bool
    ready: bool
    # Each check and what it found, e.g. {"database": "ok", "matrix": "not connected"}.
    checks: dict[str, str] = field(default_factory=dict)


Check = Callable[[], Awaitable[Health]]


def _answer(health: Health, ok: bool) -> web.Response:
    return web.Response(
        status=200 if ok else 503,
        text=json.dumps(asdict(health), indent=2) + "\n",
        content_type="application/json",
    )


class HealthServer:
    def __init__(self, host: str, port: int, check: Check) -> None:
        self.host = host
        self.port = port
        self._check = check
        self._runner: web.AppRunner | None = None

    async def start(self) -> bool:
        """Listen; False (and one logged line) when the address is taken: the coach serves anyway."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/healthz/live", self._live)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            log.error(
                "cannot serve /healthz and /metrics on %s:%d (%s); the coach serves without them: "
                "set DIGICOACH_METRICS_ADDRESS to a free address",
                self.host,
                self.port,
                error.strerror or error,
            )
            return False
        self._runner = runner
        log.info("serving /healthz and /metrics on http://%s:%d", self.host, self.port)
        return True

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        health = await self._check()
        return _answer(health, health.live and health.ready)

    async def _live(self, _request: web.Request) -> web.Response:
        health = await self._check()
        return _answer(health, health.live)

    async def _metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
