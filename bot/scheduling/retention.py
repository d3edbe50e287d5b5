"""Retention: participants silent for RETENTION_MONTHS are told, then deleted if still silent.

Off unless RETENTION_MONTHS is set. Once a day (and at start-up) the sweep sends the notice to
those silent that long, and deletes those told more than `GRACE` ago who have not written
since. Writing anything to the bot after the notice keeps everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.log import who
from bot.storage import Storage
from dialogs.state import Reply

log = logging.getLogger(__name__)

GRACE = timedelta(days=14)
"""Time between the notice and the deletion."""
SWEEP_EVERY = 24 * 3600.0
DAYS_PER_MONTH = 30.44
NOTICE = (
    "You have not written to me for {months} months. To protect your privacy, I will delete "
    "your answers and your plan in {days} days. Send me any message to keep them."
)


class Retention:
    """The daily retention sweep."""

    def __init__(
        self,
        store: Storage,
        months: int,
        *,
        clock: Callable[[], datetime],
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.months, self.clock, self.on_outbox = store, months, clock, on_outbox
        self._task: asyncio.Task[None] | None = None

    @property
    def silence(self) -> timedelta:
        """How long a participant may stay silent before the notice."""
        return timedelta(days=round(self.months * DAYS_PER_MONTH))

    async def sweep(self) -> tuple[int, int]:
        """Tell the newly silent, delete the silent after the notice; (told, deleted)."""
        now = self.clock()
        to_tell, to_delete = await self.store.silent_users(now - self.silence, now - GRACE)
        text = NOTICE.format(months=self.months, days=GRACE.days)
        for user_id, chat_id in to_tell:
            await self.store.retention_notice(user_id, chat_id, Reply(text), now)
        for user_id in to_delete:
            await self.store.delete_user(user_id)
            log.info("retention: deleted user %s (silent since before the notice)", who(user_id))
        if to_tell and self.on_outbox is not None:
            self.on_outbox()
        return len(to_tell), len(to_delete)

    def start(self) -> None:
        """Sweep now and then once a day, in the background."""
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        """Stop the background sweep (twice is harmless)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("retention sweep failed; trying again tomorrow")
            await asyncio.sleep(SWEEP_EVERY)
