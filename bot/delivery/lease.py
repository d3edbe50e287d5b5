"""One sender for the whole fleet: Telegram's limits are the bot's, however many workers run.

Telegram allows a bot about 30 messages a second, about one a second per chat, and 20 a
minute per group. With several workers, each sending on its own would multiply that by the
number of workers (and a chat's messages could leave out of order). So exactly one worker
sends: the one holding the fleet's sender lease, a PostgreSQL session advisory lock. Its
`Delivery` has the whole budget, paces every chat, and keeps each chat's order, as a single
process does. Every worker still takes updates, runs turns and sweeps check-ins; their
commits `NOTIFY` the sender.

The lease lives as long as its database connection. When the sender dies (SIGKILL, a crash,
a lost machine) PostgreSQL closes its connection and frees the lock; the other workers try
to take it every `RETRY` seconds, so one of them sends within about `RETRY + TAKEOVER_PAUSE`
seconds. The new sender first waits `TAKEOVER_PAUSE` (the old sender's last second of
messages has then left Telegram's per-second window) and paces every chat as if it had just
had its burst (one a second at first), counts what the fleet sent to each group within the
last minute (the outbox's sent_at: a group's 20 a minute outlast the pause), then sends what is
unsent, oldest first. Each row is claimed while it is sent (`Storage.claim_outbox`, `FOR
UPDATE SKIP LOCKED`): a row an old sender still holds is waited for, never sent twice by two
live senders. A message the old sender had handed to Telegram but not yet marked sent goes
again: the only duplicates, and only for messages in flight at the moment of the death (its
mark is written on a connection it already holds, right after Telegram's answer).

With SQLite there is one process (the database lock says so), and it always sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.delivery.sender import Delivery
from bot.storage import Storage

log = logging.getLogger(__name__)

RETRY = 1.0
"""Seconds between a waiting worker's tries to take the lease."""
TAKEOVER_PAUSE = 1.0
"""Seconds a new sender waits before its first message (Telegram's window for the bot's 30
a second); chats are paced as if each had just had its burst of 3."""
CHECK_EVERY = 2.0
"""Seconds between checks that the sender's lease connection is still alive."""


class Sender:
    """Runs this worker's `Delivery` while it may send: always on SQLite; on PostgreSQL while
    it holds the fleet's sender lease."""

    def __init__(
        self,
        delivery: Delivery,
        store: Storage,
        *,
        retry: float = RETRY,
        pause: float = TAKEOVER_PAUSE,
    ) -> None:
        self.delivery, self.store = delivery, store
        self.retry, self.pause = retry, pause
        self.sending = False
        """True while this worker is the fleet's sender."""
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Send now (SQLite), or wait for the lease and send while holding it (PostgreSQL)."""
        if self.store.dialect != "postgresql":
            self.sending = True
            self.delivery.start()
            return
        self._task = asyncio.create_task(self._lead(), name="sender-lease")

    async def stop(self) -> None:
        """Stop sending (what is queued goes first) and give the lease up."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.sending:
            await self.delivery.stop()
            self.sending = False

    async def _lead(self) -> None:
        from bot.storage.postgres import SENDER_LOCK, PgStore

        store = self.store
        assert isinstance(store, PgStore)
        while not self._stopping:
            try:
                lease = await store.try_lease(SENDER_LOCK)
            except Exception:
                log.warning("could not ask for the sender lease; trying again", exc_info=True)
                lease = None
            if lease is None:
                await asyncio.sleep(self.retry)
                continue
            try:
                log.info("this worker is the fleet's sender now")
                self.delivery.pacer.assume_drained()
                await asyncio.sleep(self.pause)
                async with store.listen(self.delivery.wake):
                    self.sending = True
                    self.delivery.start()
                    while True:  # hold the lease; lose it with its connection
                        await asyncio.sleep(CHECK_EVERY)
                        await lease.fetchval("SELECT 1")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("the sender lease was lost: this worker stops sending", exc_info=True)
                if self.sending:
                    await self.delivery.stop(timeout=0)
                    self.sending = False
            finally:
                with contextlib.suppress(Exception):
                    await lease.close()
