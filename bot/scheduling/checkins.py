"""Check-ins that survive restarts: placing them in the user's day, and the sweeper that sends them.

Check-ins are rows in the database, never timers in memory. The engine says *when roughly*
(`ScheduleCheckin(due)`); `place_checkin` moves that to the user's chosen hour in their time
zone, outside quiet hours. The `Sweeper` claims due rows and runs each as a turn of the engine
(`CheckinDue`), which stores the new state, the prompt and the next check-in in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.service import Service
from bot.storage import Storage
from dialogs.state import CheckinDue

log = logging.getLogger(__name__)

SWEEP_EVERY = 15.0
"""Seconds between sweeps; a due check-in leaves at most this late."""
FOLLOW_UP = 0.25
"""Seconds to the next sweep while due check-ins are still waiting for room in the outbox."""
BATCH = 500
PARALLEL_TURNS = 64
BACKLOG = 100
"""Unsent messages the sweeper lets pile up before it claims more: about three seconds of
sending at Telegram's 30 a second. Thousands due at once wait in the check-ins table, oldest
first, so a reply to someone who writes meanwhile never queues behind them for long."""
STALE_CLAIM = timedelta(minutes=5)
"""A claim older than this belonged to a run that died; the row is claimed again."""
UNSENT = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL"


def place_checkin(
    due: datetime,
    now: datetime,
    tz: ZoneInfo,
    hour: int,
    quiet_start: int = 21,
    quiet_end: int = 8,
) -> datetime:
    """The moment to send a check-in due around `due`: that day at `hour` local time.

    Never in quiet hours (from `quiet_start` to `quiet_end` local), never in the past. Local
    wall-clock time is kept across daylight-saving changes (10:00 stays 10:00).
    """
    if quiet_start <= hour or hour < quiet_end:
        hour = quiet_end
    local_day = due.astimezone(tz).date()
    placed = datetime.combine(local_day, time(hour), tzinfo=tz)
    while placed <= now:
        local_day += timedelta(days=1)
        placed = datetime.combine(local_day, time(hour), tzinfo=tz)
    return placed.astimezone(due.tzinfo or tz)


def placer(settings: Settings) -> Callable[[datetime, datetime, int | None], datetime]:
    """`place_checkin` bound to the agency's settings; `hour` None means the default hour."""

    def place(due: datetime, now: datetime, hour: int | None) -> datetime:
        return place_checkin(
            due,
            now,
            settings.tz,
            settings.checkin_hour if hour is None else hour,
            settings.quiet_start,
            settings.quiet_end,
        )

    return place


class Sweeper:
    """Claims due check-ins and runs each as an engine turn, in batches, oldest first.

    It claims only as many as the outbox has room for (`backlog`; None: no limit), and sweeps
    again soon while more may be due.
    """

    def __init__(
        self,
        store: Storage,
        service: Service,
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        every: float = SWEEP_EVERY,
        backlog: int | None = BACKLOG,
    ) -> None:
        self.store, self.service, self.settings, self.clock = store, service, settings, clock
        self.every, self.backlog = every, backlog
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.sent = 0
        self.behind = False
        """True when the last sweep may have left due check-ins (a full batch, or no room)."""

    def start(self) -> None:
        """Sweep now and then every `every` seconds, until `stop`."""
        self._task = asyncio.create_task(self._run(), name="checkin-sweeper")

    async def stop(self) -> None:
        """Finish the sweep in flight and stop."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.sweep_once()
            except Exception:
                self.behind = False
                log.exception("check-in sweep failed; trying again later")
            with contextlib.suppress(TimeoutError):
                pause = FOLLOW_UP if self.behind else self.every
                await asyncio.wait_for(self._stopping.wait(), pause)

    async def room(self) -> int:
        """How many check-ins the next sweep may claim (BATCH at most)."""
        if self.backlog is None:
            return BATCH
        unsent = int((await self.store.read(UNSENT))[0][0])
        return max(0, min(BATCH, self.backlog - unsent))

    async def sweep_once(self) -> int:
        """Claim the due check-ins the outbox has room for (oldest first) and run them."""
        now = self.clock()
        await self.store.release_stale_claims(now - STALE_CLAIM)
        limit = await self.room()
        rows = await self.store.claim_due_checkins(now, limit) if limit else []
        self.behind = len(rows) == limit
        gate = asyncio.Semaphore(PARALLEL_TURNS)

        async def run(row_id: int, user_id: int, chat_id: int, event: CheckinDue) -> None:
            async with gate:
                await self.service.turn(user_id, chat_id, event, checkin_id=row_id)

        await asyncio.gather(
            *(run(r.id, r.user_id, r.chat_id, CheckinDue(r.kind, r.milestone_id)) for r in rows)
        )
        self.sent += len(rows)
        return len(rows)
