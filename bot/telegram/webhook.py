"""The webhook server: Telegram's POST is answered only once the update's turn is committed.

python-telegram-bot's own webhook server answers 200 as soon as an update is in its queue, so
a bot killed right after the 200 loses the update (Telegram has forgotten it). Here each POST
runs the update through the Application and answers 200 only after the turn's commit, or 500
when it failed, so that Telegram delivers it again later. A poison update (failed
`POISON_AFTER` times, not because of the database) and one python-telegram-bot cannot read
go to dead_letters and get 200. At shutdown the server stops taking updates (503) and waits
for the turns in flight before the database closes.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApp
from tornado.web import RequestHandler

from bot.telegram.polling import Ledger

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Receiver:
    """Runs one POSTed update to its commit and says which HTTP status that earns."""

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], ledger: Ledger, secret: str | None
    ) -> None:
        self.app = app
        self.ledger = ledger
        self.secret = secret
        self.closing = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def authentic(self, header: str | None) -> bool:
        """Whether the request carries the webhook's secret token."""
        if self.secret is None:
            return True
        return header is not None and hmac.compare_digest(header.encode(), self.secret.encode())

    async def receive(self, body: bytes) -> int:
        """The HTTP status for one update, after its turn is committed (or failed)."""
        if self.closing:
            return 503
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._run(body)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _run(self, body: bytes) -> int:
        try:
            raw = json.loads(body)
        except ValueError:
            return 400
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return 400
        update_id: int = raw["update_id"]
        try:
            update = Update.de_json(raw, self.app.bot)
        except Exception as exc:
            kept = await self.ledger.dead_letter(
                update_id, f"unreadable ({type(exc).__name__})", raw
            )
            return 200 if kept else 500
        self.ledger.raw[update_id] = raw
        before = self.ledger.failures.get(update_id)
        count = before.count if before is not None else 0
        await self.app.process_update(update)
        after = self.ledger.failures.get(update_id)
        self.ledger.this_round.discard(update_id)
        if after is None or after.count == count:
            self.ledger.succeeded(update_id)
            return 200
        if self.ledger.poisoned(update_id):
            kept = await self.ledger.dead_letter(update_id, self.ledger.why(update_id), raw)
            return 200 if kept else 500
        return 500

    async def drain(self) -> None:
        """Stop taking updates and wait for the turns in flight."""
        self.closing = True
        await self._idle.wait()


class _UpdateHandler(RequestHandler):
    """POST /telegram."""

    def initialize(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def post(self) -> None:
        if not self.receiver.authentic(self.request.headers.get(SECRET_HEADER)):
            log.warning("a webhook request without the right secret token was refused")
            self.set_status(403)
            return
        self.set_status(await self.receiver.receive(self.request.body))

    def log_exception(self, *args: Any) -> None:
        log.error("webhook request failed", exc_info=args if args and args[0] else None)


class WebhookServer:
    """Tornado's HTTP server with one route, started and stopped inside the running loop."""

    def __init__(self, receiver: Receiver, host: str, port: int) -> None:
        self.receiver = receiver
        self.host, self.port = host, port
        web = WebApp([(PATH, _UpdateHandler, {"receiver": receiver})], log_function=_quiet)
        self._server = HTTPServer(web, xheaders=True)

    def start(self) -> None:
        """Listen (raises OSError if the port is taken)."""
        self._server.listen(self.port, self.host)

    async def stop(self) -> None:
        """Refuse new updates, finish the turns in flight, close the connections."""
        await self.receiver.drain()
        self._server.stop()
        await self._server.close_all_connections()


def _quiet(handler: RequestHandler) -> None:
    """No access log: request lines are of no use, and they would be one per update."""
