"""The outbox sender: committed replies leave in order per chat, within Telegram's limits.

Replies are saved before they are sent (see `bot.storage`). This module sends them: one task per
chat with unsent rows (so a chat's messages keep their order and a slow chat never holds up
the others), marking each row sent as soon as Telegram accepts it. On start it sends whatever
a crash left unsent. 429 waits `retry_after`; 5xx and network errors back off and retry; 403
(the user blocked the bot) marks the user inactive and drops what was queued for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.log import who
from bot.media.attachments import render_attachment
from bot.storage import OutboxRow, Storage, from_epoch, to_epoch
from bot.telegram.render import caption, messages
from dialogs.state import DialogState, Reply
from knowledge.model import Knowledge

log = logging.getLogger(__name__)

PER_CHAT_BURST = 3
"""Messages a chat may get at once before pacing starts (a turn's reply is 1 to 3 messages)."""
PER_CHAT_INTERVAL = 1.0
"""Seconds between messages to one chat after the burst: Telegram's ~1 message a second."""
FIRST_BACKOFF = 1.0
"""Seconds before the first retry after a 5xx or network error; doubled each time after."""
MAX_BACKOFF = 60.0
MAX_BAD_REQUEST_ATTEMPTS = 3
"""Tries of a message Telegram refuses (400) or that fails to render, before it is dropped."""
IDLE_POLL = 1.0
READ_BATCH = 250
MAX_QUEUED = 500
"""Rows held in memory at most; more wait in the outbox (a backlog costs no memory)."""


TELEGRAM_PER_SECOND = 30
"""Telegram's overall limit for a bot (and the fake's default flood limits)."""
BURST = 5
"""Messages the whole bot sends at once, at most (then the overall pace)."""


def rate_limiter(scale: float = 1.0, burst: int = BURST) -> AIORateLimiter:
    """30 messages a second overall in bursts of at most `burst` (time `scale` times faster,
    for the fake), 20 a minute per group.

    AIORateLimiter's default lets 30 go at once; they meet Telegram's bucket a few
    milliseconds late and draw 429s. Small bursts keep most of a second of network jitter in
    hand and still make up for the event loop's lateness (an even pace, without any burst,
    loses it: about 90 % of the limit). Measured in bench/checkins.py.
    """
    return AIORateLimiter(
        overall_max_rate=burst,
        overall_time_period=burst / (TELEGRAM_PER_SECOND * scale),
        group_max_rate=20,
        group_time_period=60 / scale,
        max_retries=3,
    )


def _retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (an int now, a timedelta in PTB's next major)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class ChatPacer:
    """A token bucket per chat: PER_CHAT_BURST at once, then one message per interval."""

    def __init__(self, burst: int, interval: float, clock: Callable[[], float] = time.monotonic):
        self.burst, self.interval, self.clock = burst, interval, clock
        self._tokens: dict[int, tuple[float, float]] = {}
        self._drained_at: float | None = None

    def assume_drained(self) -> None:
        """From now on a chat seen for the first time starts with an empty bucket as of this
        moment (a sender taking over from one that died may have just spent its burst)."""
        self._drained_at = self.clock()

    def wait_time(self, chat_id: int) -> float:
        """Seconds to wait before the next message to this chat (and take the token)."""
        now = self.clock()
        fresh = (float(self.burst), now) if self._drained_at is None else (0.0, self._drained_at)
        tokens, at = self._tokens.get(chat_id, fresh)
        tokens = min(float(self.burst), tokens + (now - at) / self.interval)
        if tokens >= 1:
            self._tokens[chat_id] = (tokens - 1, now)
            return 0.0
        wait = (1 - tokens) * self.interval
        self._tokens[chat_id] = (0.0, now + wait)
        return wait

    def prune(self) -> None:
        """Drop the buckets that are full again: they hold nothing a new bucket would not."""
        now = self.clock()
        self._tokens = {
            chat: (tokens, at)
            for chat, (tokens, at) in self._tokens.items()
            if tokens + (now - at) / self.interval < self.burst
        }


BUSY_WAIT = 0.25
"""Seconds before asking again for a row another sender is sending (a takeover's first
moments: the old sender's claims go with its connection)."""


class _SentUnmarked(Exception):
    """Telegram took the message, but marking it sent failed: mark it again, never resend."""

    def __init__(self, message_id: int | None) -> None:
        super().__init__("sent, not marked")
        self.message_id = message_id


class _StoreTrouble(Exception):
    """The database could not be asked for the claim (nothing was sent)."""


GROUP_PER_MINUTE = 20
GROUP_WINDOW = 60.0


class GroupBudget:
    """Telegram's 20 messages a minute per group, kept as the times of the messages sent to
    each group within the last `window` seconds. A sender starting (or taking over from one
    that died) is first told what the fleet sent to each group within the window (the
    outbox's sent_at), so it cannot spend again a minute another sender already spent."""

    def __init__(
        self,
        per_window: int = GROUP_PER_MINUTE,
        window: float = GROUP_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_window, self.window, self.clock = per_window, window, clock
        self._sent: dict[int, deque[float]] = {}

    def wait_time(self, chat_id: int) -> float:
        """Seconds before the next message to this group may go (and count it then)."""
        now = self.clock()
        sent = self._sent.setdefault(chat_id, deque())
        while sent and sent[0] <= now - self.window:
            sent.popleft()
        at = now if len(sent) < self.per_window else sent.popleft() + self.window
        sent.append(at)
        return max(0.0, at - now)

    def seed(self, ages: dict[int, list[float]]) -> None:
        """Count messages sent `age` seconds ago to each group (by this sender or another)."""
        now = self.clock()
        for chat_id, seconds in ages.items():
            known = self._sent.setdefault(chat_id, deque())
            known.extend(now - age for age in seconds if age < self.window)
            self._sent[chat_id] = deque(sorted(known))

    def prune(self) -> None:
        """Forget groups with nothing sent within the window."""
        horizon = self.clock() - self.window
        self._sent = {c: s for c, s in self._sent.items() if s and s[-1] > horizon}


class Delivery:
    """Sends outbox rows through the Bot; `wake()` after a commit, `stop()` to flush and end."""

    def __init__(
        self,
        bot: Bot,
        store: Storage,
        tz: ZoneInfo,
        kb: Knowledge,
        *,
        clock: Callable[[], datetime],
        burst: int = PER_CHAT_BURST,
        interval: float = PER_CHAT_INTERVAL,
        backoff: tuple[float, float] = (FIRST_BACKOFF, MAX_BACKOFF),
        group_window: float = GROUP_WINDOW,
    ) -> None:
        self.bot, self.store, self.tz, self.kb, self.clock = bot, store, tz, kb, clock
        self.backoff = backoff
        """(first, longest) wait in seconds between retries after 5xx and network errors."""
        self.pacer = ChatPacer(burst, interval)
        self.groups = GroupBudget(window=group_window)
        self._wake = asyncio.Event()
        self._chats: dict[int, asyncio.Task[None]] = {}
        """The running sender of each chat that has one."""
        self._queues: dict[int, deque[OutboxRow]] = {}
        """Rows read from the outbox and not yet sent, per chat, in commit order."""
        self._queued = 0
        self._after = 0
        """The highest outbox id read so far: each row is read once."""
        self._reading = asyncio.Lock()
        """Held while reading the outbox, so two drains never read the same rows."""
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self.sent = 0

    def wake(self) -> None:
        """New rows were committed: look at the outbox now."""
        self._wake.set()

    def start(self) -> None:
        """Start the sender loop (it first sends what an earlier run left unsent). After a
        `stop()` it starts afresh, reading the outbox from its first unsent row again."""
        self._stopping = False
        self._chats, self._queues, self._queued, self._after = {}, {}, 0, 0
        self._loop_task = asyncio.create_task(self._run(), name="delivery")

    async def stop(self, timeout: float = 10.0) -> None:
        """Send what is queued (up to `timeout` seconds), then stop (again: nothing to do)."""
        if self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), timeout)
        self._stopping = True
        self._wake.set()
        tasks = [t for t in (self._loop_task, *self._chats.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        try:
            await self.count_recent_group_sends()
        except Exception:
            log.exception("delivery: reading what was sent to groups failed; sending anyway")
        while not self._stopping:
            try:
                await self.drain()
            except Exception:
                log.exception("delivery: reading the outbox failed; retrying")
            self.pacer.prune()
            self.groups.prune()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL)
            self._wake.clear()

    async def drain(self) -> None:
        """Read the rows committed since the last look (while fewer than MAX_QUEUED wait in
        memory), and start a sender for every chat with rows and none running."""
        async with self._reading:  # the loop, idle() and stop() may drain at once
            while self._queued < MAX_QUEUED:
                rows = await self.store.pending_outbox(limit=READ_BATCH, after=self._after)
                for row in rows:
                    self._queues.setdefault(row.chat_id, deque()).append(row)
                    self._after = max(self._after, row.cursor)
                self._queued += len(rows)
                if len(rows) < READ_BATCH:
                    break
        for chat_id, queue in self._queues.items():
            if queue and chat_id not in self._chats and not self._stopping:
                self._chats[chat_id] = asyncio.create_task(self._send_chat(chat_id, queue))

    async def idle(self) -> None:
        """Wait until every committed row has been sent (for tests and shutdown)."""
        while True:
            await self.drain()
            if not self._queued and not await self.store.pending_outbox(1, self._after):
                return
            if self._chats:
                await asyncio.gather(*self._chats.values(), return_exceptions=True)
            else:  # a sender ended with rows left (an error): the next drain restarts it
                await asyncio.sleep(IDLE_POLL / 10)

    async def _send_chat(self, chat_id: int, queue: deque[OutboxRow]) -> None:
        """Send a chat's queued rows in order; a row leaves the queue once sent or dropped."""
        try:
            while queue and not self._stopping:
                row = queue[0]
                if await self._send_with_retries(row):
                    self._take(queue, 1)
                elif not self._stopping:  # the user is gone: their rows were dropped
                    self._drop_user(queue, row.user_id)
        except Exception:
            log.exception("delivery to chat %s failed; will retry", who(chat_id))
        finally:
            self._chats.pop(chat_id, None)
            if not queue:
                self._queues.pop(chat_id, None)
            self._wake.set()

    def _take(self, queue: deque[OutboxRow], n: int) -> None:
        for _ in range(n):
            queue.popleft()
        self._queued -= n

    def _drop_user(self, queue: deque[OutboxRow], user_id: int | None) -> None:
        kept = [r for r in queue if r.user_id != user_id]
        self._queued -= len(queue) - len(kept)
        queue.clear()
        queue.extend(kept)

    async def _send_with_retries(self, row: OutboxRow) -> bool:
        """Send one row until it is sent or dropped (True); False when the user is gone (their
        rows are dropped) or the sender stops."""
        backoff, longest = self.backoff
        refusals = 0
        while not self._stopping:
            try:
                state = await self._send_claimed(row)
            except _SentUnmarked as sent:
                await self._record_sent(row, sent.message_id)
                return True
            except _StoreTrouble as trouble:
                log.warning(
                    "could not claim a message to chat %s (%s); retry in %.1f s",
                    who(row.chat_id),
                    type(trouble.__cause__).__name__,
                    backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(longest, backoff * 2)
                continue
            except RetryAfter as exc:
                wait = _retry_after(exc)
                log.warning("429 for chat %s: waiting %.1f s", who(row.chat_id), wait)
                await asyncio.sleep(wait)
                continue
            except Forbidden:
                log.info("user %s blocked the bot: marked inactive", who(row.user_id))
                return await self._gone(row)
            except BadRequest as exc:
                if "chat not found" in str(exc).lower():
                    return await self._gone(row)
                refusals += 1
                if await self._failed(row, exc, refusals):
                    return True
                await asyncio.sleep(backoff)
                continue
            except (TimedOut, NetworkError) as exc:
                log.warning(
                    "sending to chat %s failed (%s); retry in %.1f s",
                    who(row.chat_id),
                    exc,
                    backoff,
                )
                await self.store.mark_failed(row.id, str(exc))
                await asyncio.sleep(backoff)
                backoff = min(longest, backoff * 2)
                continue
            except (TelegramError, ValueError, OSError) as exc:  # e.g. a picture that fails
                log.exception("sending outbox row %s failed", row.id)
                refusals += 1
                if await self._failed(row, exc, refusals):
                    return True
                await asyncio.sleep(backoff)
                continue
            if state != "busy":
                return True  # sent now, or sent (or dropped) by another sender meanwhile
            await asyncio.sleep(BUSY_WAIT)  # the chat waits: its order holds
        return False

    async def _send_claimed(self, row: OutboxRow) -> str:
        """Claim the row, send it if it is ours to send, and mark it sent in the claim right
        after Telegram's answer. Returns the claim's state ("mine": sent now). Raises
        _SentUnmarked when the message left but its mark did not land, _StoreTrouble when
        the claim could not be asked for, and the Bot API's errors as they come."""
        sending = sent = False
        message_id: int | None = None
        try:
            async with self.store.claim_outbox(row.id) as claim:
                if claim.state != "mine":
                    return claim.state
                sending = True
                message_id = await self._send(row)
                sent = True
                self.sent += 1
                await claim.mark_sent(message_id, self.clock())
        except Exception as exc:
            if sent:  # the mark, or the claim's commit, failed
                raise _SentUnmarked(message_id) from exc
            if not sending:
                raise _StoreTrouble() from exc
            raise  # the Bot API's answer (the claim was rolled back)
        return "mine"

    async def _record_sent(self, row: OutboxRow, message_id: int | None) -> None:
        """Mark a delivered row sent, retrying while the database refuses (a full disk): the
        message is never sent again because its mark failed (only a sender that dies or
        stops before the mark lands sends it again, on the next start)."""
        backoff, longest = self.backoff
        while True:
            try:
                await self.store.mark_sent(row.id, message_id, self.clock())
                return
            except Exception:
                if self._stopping:
                    raise
                log.warning(
                    "could not mark a message to chat %s sent; retry in %.1f s",
                    who(row.chat_id),
                    backoff,
                    exc_info=True,
                )
            await asyncio.sleep(backoff)
            backoff = min(longest, backoff * 2)

    async def _failed(self, row: OutboxRow, exc: Exception, refusals: int) -> bool:
        """Count a failure that retrying may not cure; True when the row is given up (dropped:
        never offered again), so one broken message cannot hold up the chat."""
        if refusals >= MAX_BAD_REQUEST_ATTEMPTS:
            log.error("giving up on outbox row %s: %s", row.id, exc)
            await self.store.drop_outbox(row.id, str(exc), self.clock())
            return True
        await self.store.mark_failed(row.id, str(exc))
        return False

    async def _gone(self, row: OutboxRow) -> bool:
        """The user blocked the bot or the chat is gone: a user is marked inactive (their unsent
        rows dropped, check-ins cancelled: False); a row for no user is dropped alone (True)."""
        if row.user_id is not None:
            await self.store.mark_inactive(row.user_id, self.clock())
            return False
        await self.store.drop_outbox(row.id, "chat is gone", self.clock())
        return True

    async def count_recent_group_sends(self) -> None:
        """Before the first message: count what was sent to each group within the last
        window, by this process before a restart or by the sender this one took over from
        (each row as the messages it was split into; its second rounded up)."""
        now = self.clock()
        since = now - timedelta(seconds=self.groups.window + 1)
        rows = await self.store.read(
            "SELECT chat_id, sent_at, payload_json FROM outbox"
            " WHERE chat_id < 0 AND sent_at IS NOT NULL AND sent_at >= ?",
            (to_epoch(since),),
        )
        ages: dict[int, list[float]] = {}
        for chat_id, sent_at, payload in rows:
            reply = Reply.from_dict(json.loads(payload))
            parts = 1 if reply.attachment is not None else len(messages(reply, 0))
            age = max(0.0, (now - from_epoch(int(sent_at))).total_seconds() - 1)
            ages.setdefault(int(chat_id), []).extend([age] * parts)
        self.groups.seed(ages)

    async def _pace(self, chat_id: int) -> None:
        wait = self.pacer.wait_time(chat_id)
        if chat_id < 0:  # a group: also its 20 a minute
            wait = max(wait, self.groups.wait_time(chat_id))
        if wait > 0:
            await asyncio.sleep(wait)

    async def _send(self, row: OutboxRow) -> int | None:
        """Send one reply (text, picture or file); the last Telegram message id."""
        reply = Reply.from_dict(row.payload)
        if reply.attachment is not None:
            return await self._send_attachment(row, reply)
        message_id = None
        version = await self._version(row) if reply.choices else 0
        for message in messages(reply, version):
            await self._pace(row.chat_id)
            sent = await self.bot.send_message(
                row.chat_id, message.text, reply_markup=message.markup
            )
            message_id = sent.message_id
        return message_id

    async def _version(self, row: OutboxRow) -> int:
        """The state version stamped on buttons so a tap can be traced to its question: that
        of the turn that wrote the row (its dedup key "user:version:n"), so a message sent
        late, behind a backlog, still counts as the question it asked; else the user's
        current one (read on the report connection: no state to decode, no wait)."""
        if row.user_id is None:
            return 0
        user, _, rest = row.dedup_key.partition(":")
        version = rest.partition(":")[0]
        if user == str(row.user_id) and version.isdigit():
            return int(version)
        found = await self.store.read(
            "SELECT state_version FROM users WHERE user_id = ?", (row.user_id,)
        )
        return int(found[0][0]) if found else 0

    async def _send_attachment(self, row: OutboxRow, reply: Reply) -> int | None:
        state = (await self.store.load_state(row.user_id) if row.user_id else None) or DialogState()
        made = (  # drawing a picture takes ~0.1 s of CPU: not on the event loop
            await asyncio.to_thread(render_attachment, reply.attachment, state, self.tz, self.kb)
            if reply.attachment
            else None
        )
        if made is None:
            return None
        await self._pace(row.chat_id)
        text = caption(
            reply.attachment.caption
            if reply.attachment and reply.attachment.caption
            else made.caption
        )
        file = InputFile(made.data, filename=made.filename)
        if made.is_picture:
            sent = await self.bot.send_photo(row.chat_id, file, caption=text)
        else:
            sent = await self.bot.send_document(row.chat_id, file, caption=text)
        return sent.message_id
