"""A small HTTP endpoint for Telegram's webhook calls.

Telegram POSTs each update as JSON with the secret token in the header
``X-Telegram-Bot-Api-Secret-Token``. The answer (200) is given only after the
update was handled, so Telegram sends it again if the coach stopped half-way.
Plain HTTP: put it behind the HTTPS reverse proxy that TELEGRAM_WEBHOOK_URL
points at.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from http import HTTPStatus

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1 << 20
MAX_HEADERS = 100

OnUpdate = Callable[[object], Awaitable[None]]


class BadRequestError(Exception):
    pass


class WebhookServer:
    def __init__(self, host: str, port: int, secret: str, on_update: OnUpdate) -> None:
        self.host = host
        self.port = port
        self._secret = secret
        self._on_update = on_update
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve_one, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        assert self._server is not None, "start() first"
        await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await self._answer(reader)
        except (BadRequestError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            status = HTTPStatus.BAD_REQUEST
        except Exception:
            log.exception("a webhook update could not be handled; Telegram will send it again")
            status = HTTPStatus.INTERNAL_SERVER_ERROR
        try:
            head = f"HTTP/1.1 {status.value} {status.phrase}\r\n"
            writer.write(f"{head}Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            writer.close()
            await writer.wait_closed()
        except ConnectionError:
            pass

    async def _answer(self, reader: asyncio.StreamReader) -> HTTPStatus:
        method, _target, _version = (await reader.readline()).decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS):
            line = (await reader.readline()).decode("latin-1").strip()
            if not line:
                break
            name, _sep, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            raise BadRequestError("too many headers")
        length = int(headers.get("content-length", "0"))
        if not 0 <= length <= MAX_BODY:
            raise BadRequestError("body too large")
        body = await reader.readexactly(length)
        if method != "POST":
            return HTTPStatus.METHOD_NOT_ALLOWED
        if not secrets.compare_digest(headers.get(SECRET_HEADER, "").encode(), self._secret.encode()):
            log.warning("a webhook call without the right secret token was refused")
            return HTTPStatus.FORBIDDEN
        await self._on_update(json.loads(body))
        return HTTPStatus.OK
