"""Updates confirmed to Telegram only once their turn is committed, in polling and webhook alike.

python-telegram-bot's Updater puts the updates of one `getUpdates` answer in the update queue
and at once asks for more with a higher `offset`, which tells Telegram to forget them; a
handler that fails counts as done. Here:

- the `getUpdates` request first waits until every update already fetched has been handled
  (the queue is joined), so a bot killed mid-turn is given the update again on restart;
- a turn that failed is not confirmed: the next `getUpdates` asks again from the oldest
  failed update (after a backoff), so Telegram redelivers it and the turn is retried (turns
  already committed are recognised by their update id and skipped). While the database
  refuses writes this goes on for as long as it takes;
- an update whose turn fails `POISON_AFTER` times for another reason (a bug), or that
  python-telegram-bot cannot read at all, is a poison update: it goes to the dead_letters
  table (redacted), is confirmed, and is logged once by its update id. An unreadable one is
  handed to python-telegram-bot as a bare `{"update_id": N}`, which it reads, so one bad
  update never stops the polling (before: the same batch fetched again in a tight loop).

`Ledger` keeps the score; `ConfirmAfterCommit` is the `getUpdates` request that applies it.
The webhook server (bot/webhook.py) uses the same ledger to answer 500 until committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.request import HTTPXRequest, RequestData

from bot.log import redact_update
from bot.storage import Storage, StoreError

log = logging.getLogger(__name__)

Gate = Callable[[], Awaitable[None]]
POISON_AFTER = 3
"""A turn that fails this many times, not because of the database, is given up on."""
BACKOFF = (0.5, 30.0)
"""Seconds before asking for a failed update again: first wait, and the longest."""


def is_storage_error(exc: BaseException) -> bool:
    """Whether a turn failed because the database refused (full disk, I/O error, read-only,
    locked): worth retrying for as long as it takes, never a reason to give up on an update."""
    return isinstance(exc, sqlite3.Error | StoreError | OSError) and not isinstance(
        exc, sqlite3.ProgrammingError | sqlite3.IntegrityError
    )


@dataclass(slots=True)
class Failure:
    """What went wrong with one update so far."""

    count: int = 0
    storage: bool = False
    reason: str = ""


@dataclass(slots=True)
class Ledger:
    """Which fetched updates are not committed yet, and what to do about them."""

    store: Storage | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    key: bytes = b""
    """Key of the hashes that stand for ids in dead letters and logs."""
    failures: dict[int, Failure] = field(default_factory=dict)
    raw: dict[int, dict[str, Any]] = field(default_factory=dict)
    """The JSON of the last fetched updates (for a dead letter)."""
    streak: int = 0
    """Rounds in a row with a failed update (for the backoff)."""
    this_round: set[int] = field(default_factory=set)
    """Updates that failed since the last getUpdates."""

    def failed(self, update_id: int, exc: BaseException) -> Failure:
        """Count a failed turn (called by the error handler)."""
        found = self.failures.setdefault(update_id, Failure())
        self.this_round.add(update_id)
        found.count += 1
        found.storage = is_storage_error(exc)
        found.reason = type(exc).__name__
        return found

    def first_failure(self, update_id: int) -> bool:
        """Whether this update has not failed before (the user is told once, not each retry)."""
        return update_id not in self.failures

    def succeeded(self, update_id: int) -> None:
        """The update's turn is committed (or it needed none)."""
        self.failures.pop(update_id, None)
        self.raw.pop(update_id, None)

    def poisoned(self, update_id: int) -> bool:
        """Whether the update failed too often, not because of the database."""
        found = self.failures.get(update_id)
        return found is not None and not found.storage and found.count >= POISON_AFTER

    async def dead_letter(self, update_id: int, reason: str, raw: dict[str, Any] | None) -> bool:
        """Put an update in dead_letters (confirming it); False if the database refused."""
        if self.store is None:
            return False
        body = json.dumps(redact_update(raw or {"update_id": update_id}, self.key))
        count = self.failures.get(update_id, Failure(count=1)).count
        try:
            await self.store.dead_letter(update_id, reason, body, count, self.clock())
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            log.warning("could not keep update %s in dead_letters; retrying", update_id)
            return False
        log.error("update %s given up on (%s); kept in dead_letters", update_id, reason)
        self.succeeded(update_id)
        return True

    async def settle_round(self, fetched: set[int]) -> int | None:
        """After a batch was handled: dead-letter the poison, forget what succeeded; the
        oldest update still to retry (None: all committed)."""
        failed, self.this_round = self.this_round, set()
        for update_id in sorted(fetched - failed):
            self.succeeded(update_id)
        for update_id in sorted(failed):
            if self.poisoned(update_id):
                await self.dead_letter(update_id, self.why(update_id), self.raw.get(update_id))
        waiting = list(self.failures)
        if not waiting:
            self.streak = 0
            return None
        self.streak += 1
        return min(waiting)

    def why(self, update_id: int) -> str:
        """The dead letter's reason for an update that kept failing."""
        failure = self.failures.get(update_id, Failure())
        return f"failed {failure.count} times ({failure.reason})"

    def backoff(self) -> float:
        """Seconds to wait before asking for a failed update again."""
        first, most = BACKOFF
        return float(min(most, first * 2 ** max(0, self.streak - 1)))

    async def readable(self, update: dict[str, Any]) -> dict[str, Any]:
        """The update if python-telegram-bot reads it, else a bare one (after the dead letter;
        if the database refuses that, NetworkError makes the Updater ask again later)."""
        update_id = update.get("update_id")
        if not isinstance(update_id, int):
            raise NetworkError("an update without an update_id")
        try:
            Update.de_json(update, None)
        except Exception as exc:
            if not await self.dead_letter(update_id, f"unreadable ({type(exc).__name__})", update):
                raise NetworkError("could not keep an unreadable update; retrying") from None
            return {"update_id": update_id}
        return update


class ConfirmAfterCommit(HTTPXRequest):
    """The `getUpdates` request: waits until the fetched updates are handled, asks again for
    any that failed, and keeps unreadable updates away from python-telegram-bot."""

    def __init__(self, ledger: Ledger | None = None, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=1, **kwargs)
        self.gate: Gate | None = None
        self.ledger = ledger or Ledger()
        self._fetched: set[int] = set()

    def hold_until_handled(self, queue: asyncio.Queue[object]) -> None:
        """Poll again only once every update put in `queue` is done (task_done called)."""
        self.gate = queue.join

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Wait for the gate, hold the offset at a failed update, make the request, and
        replace updates python-telegram-bot cannot read."""
        if self.gate is not None:
            await self.gate()
        oldest = await self.ledger.settle_round(self._fetched)
        if oldest is not None and request_data is not None:
            if request_data.parameters.get("timeout") != 0:  # not the last call of a shutdown
                await asyncio.sleep(self.ledger.backoff())
            request_data = with_offset(request_data, oldest)
        code, body = await super().do_request(url, method, request_data, *args, **kwargs)
        if code == 200 and url.endswith("/getUpdates"):
            body = await self._checked(body)
        return code, body

    async def _checked(self, body: bytes) -> bytes:
        """The getUpdates answer with unreadable updates replaced; remembers what came."""
        try:
            payload = json.loads(body)
        except ValueError:
            return body  # python-telegram-bot reports it as a network error and retries
        updates = payload.get("result") if isinstance(payload, dict) else None
        if not isinstance(updates, list):
            return body
        checked = [await self.ledger.readable(u) for u in updates if isinstance(u, dict)]
        self._fetched = {u["update_id"] for u in checked}
        self.ledger.raw.update({u["update_id"]: u for u in updates if isinstance(u, dict)})
        if checked == updates:
            return body
        return json.dumps({**payload, "result": checked}).encode()


def with_offset(request_data: RequestData, offset: int) -> RequestData:
    """The same getUpdates request, confirming only the updates below `offset`."""
    params = list(request_data._parameters)
    for n, param in enumerate(params):
        if param.name == "offset":
            params[n] = replace(param, value=offset)
    with contextlib.suppress(AttributeError):
        return RequestData(params)
    return request_data
