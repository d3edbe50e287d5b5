"""The HTTP side: Bot API routes on aiohttp, fault injection, and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from .errors import ApiError, not_found, unauthorized
from .limits import Fault, Faults
from .methods import METHODS, Described
from .model import Call, Json, Update, Upload
from .params import Params
from .state import BotState

LOG = logging.getLogger(__name__)
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
MAX_UPLOAD = 60 * 1024 * 1024


def _json_response(status: int, body: Json) -> web.Response:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return web.Response(status=status, body=data, content_type="application/json")


def _error_response(error: ApiError) -> web.Response:
    if error.status == 502:
        return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
    return _json_response(error.status, error.payload())


async def read_params(request: web.Request) -> Json:
    """Every parameter of a request: query string, then JSON, form or multipart body."""
    params: Json = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.body_exists:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = Upload(value.filename, value.file.read(), value.content_type)
            else:
                params[key] = value
    return params


def _summary(params: Json) -> Json:
    return {k: f"<{len(v.data)} bytes>" if isinstance(v, Upload) else v for k, v in params.items()}


class ApiServer:
    """Serves `/bot<token>/<method>` and `/file/bot<token>/<path>` for one bot."""

    def __init__(self, state: BotState, token: str, faults: Faults) -> None:
        self.state = state
        self.token = token
        self.faults = faults
        self.calls: list[Call] = []
        self.record_calls = True
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0 picks a free port) and return the port."""
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.port = int(sock.getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop listening; waiting long polls return at once."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _auth(self, token: str) -> ApiError | None:
        if token == self.token:
            return None
        return unauthorized() if TOKEN_SHAPE.match(token) else not_found()

    async def _api(self, request: web.Request) -> web.StreamResponse:
        refused = self._auth(request.match_info["token"])
        entry = METHODS.get(request.match_info["method"].lower())
        if refused is not None or entry is None:
            return _error_response(refused or not_found())
        name, handler = entry
        params = await read_params(request)
        self.state.stats.requests[name] += 1
        self.state.changed.fire()
        fault = self.faults.take(name.lower())
        delay = self.faults.delay(name.lower())
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            return await self._answer(request, name, params, fault, handler)
        finally:
            self.state.changed.fire()

    async def _answer(
        self, request: web.Request, name: str, params: Json, fault: Fault | None, handler: Any
    ) -> web.StreamResponse:
        if fault is not None and fault.kind == "drop":
            return self._drop(request, name, params)
        if fault is not None and fault.kind in ("status", "rate_limit"):
            error = self.faults.error_for(fault)
            self._record(name, params, error.status, error.description)
            return _error_response(error)
        try:
            result = await handler(self.state, Params(params))
        except ApiError as error:
            self._record(name, params, error.status, error.description)
            return _error_response(error)
        if fault is not None and fault.kind == "drop_after":
            return self._drop(request, name, params)
        self._record(name, params, 200, None)
        return _json_response(200, _ok(result))

    def _drop(self, request: web.Request, name: str, params: Json) -> web.Response:
        self._record(name, params, 0, "connection dropped")
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=200)

    def _record(self, name: str, params: Json, status: int, description: str | None) -> None:
        if self.record_calls:
            self.calls.append(Call(name, _summary(params), status, description))

    async def _file(self, request: web.Request) -> web.StreamResponse:
        refused = self._auth(request.match_info["token"])
        path = request.match_info["path"]
        found = [f for f in self.state.files.values() if f.file_path == path]
        if refused is not None or not found:
            return _error_response(refused or not_found())
        return web.Response(body=found[0].data, content_type="application/octet-stream")


def _ok(result: Any) -> Json:
    if isinstance(result, Described):
        return {"ok": True, "result": result.result, "description": result.description}
    return {"ok": True, "result": result}


class WebhookSender:
    """POSTs each update to the webhook, in order per chat, retrying failures with backoff."""

    def __init__(self, state: BotState, retry_initial: float, retry_max: float) -> None:
        self.state = state
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.delivered = 0
        self.failures = 0
        self.acknowledged: list[int] = []
        """Update ids the webhook answered with a 2xx, in order (Telegram then forgets them)."""
        self.on_acknowledged: Callable[[int], None] | None = None
        """Called at once with each acknowledged update id (a test may kill the bot there)."""
        self._session: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight: set[int] = set()
        self._backoff = 0.0
        self._paused_until = 0.0

    async def restart(self) -> None:
        """Stop the workers and start new ones for the current webhook (if any)."""
        await self.stop()
        hook = self.state.webhook
        if hook is None:
            return
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        workers = min(hook.max_connections, 40)
        self._tasks = [asyncio.create_task(self._worker()) for _ in range(workers)]

    async def stop(self) -> None:
        """Stop delivering (updates not delivered stay pending)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._in_flight.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> Update | None:
        busy: set[int] = set()
        for update in self.state.pending(len(self.state.updates) or 1):
            if update.update_id in self._in_flight or update.chat_id in busy:
                busy.add(update.chat_id)
                continue
            return update
        return None

    async def _worker(self) -> None:
        while True:
            pause = self._paused_until - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
                continue
            update = self._next()
            if update is None:
                await self.state.arrived.wait(1.0)
                continue
            self._in_flight.add(update.update_id)
            try:
                await self._deliver(update)
            finally:
                self._in_flight.discard(update.update_id)

    async def _deliver(self, update: Update) -> None:
        error = await self._post(update)
        if error is None:
            self.acknowledged.append(update.update_id)
            if self.on_acknowledged is not None:
                self.on_acknowledged(update.update_id)
            with contextlib.suppress(ValueError):
                self.state.updates.remove(update)
            self.delivered += 1
            self._backoff = 0.0
            self.state.arrived.fire()
            self.state.changed.fire()
            return
        self.failures += 1
        hook = self.state.webhook
        if hook is not None:
            hook.last_error_date, hook.last_error_message = self.state.date(), error
        self._backoff = min(max(self._backoff * 2, self.retry_initial), self.retry_max)
        self._paused_until = time.monotonic() + self._backoff
        self.state.arrived.fire()

    async def _post(self, update: Update) -> str | None:
        hook, session = self.state.webhook, self._session
        if hook is None or session is None:
            return "Webhook was deleted"
        secret = hook.secret_token
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            async with session.post(hook.url, json=update.to_json(), headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            LOG.debug("webhook delivery failed: %s", type(exc).__name__)
            refused = isinstance(exc, aiohttp.ClientConnectionError)
            return "Connection refused" if refused else "Timeout"
