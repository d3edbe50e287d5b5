"""Telegram's flood limits on a scalable clock, injected faults, and counters of what was sent."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import ApiError, server_error, too_many_requests


class Clock:
    """Monotonic seconds that run `scale` times faster than real time (for flood limits)."""

    def __init__(self, scale: float = 1.0) -> None:
        self._real = time.monotonic()
        self._fake = self._real
        self._scale = scale

    @property
    def scale(self) -> float:
        """How many fake seconds pass per real second."""
        return self._scale

    @scale.setter
    def scale(self, value: float) -> None:
        if value <= 0:
            raise ValueError("time scale must be positive")
        self._fake = self.now()
        self._real = time.monotonic()
        self._scale = value

    def now(self) -> float:
        """The fake clock's current reading in (fake) seconds."""
        return self._fake + (time.monotonic() - self._real) * self._scale

    def to_real(self, fake_seconds: float) -> float:
        """How many real seconds `fake_seconds` last."""
        return fake_seconds / self._scale


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Telegram's documented limits: ~30 messages/s overall, 1/s per chat, 20/min per group."""

    per_second: float = 30.0
    burst: int = 30
    per_chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20


@dataclass(slots=True)
class TokenBucket:
    """`burst` tokens refilled at `rate` a second; each message takes one."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 means take it now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass(slots=True)
class Stats:
    """Counters of what the fake answered; `sent_429` counts every 429, flood or injected."""

    requests: Counter[str] = field(default_factory=Counter)
    sent_429: int = 0
    flood_429: int = 0
    injected_429: int = 0
    flood_429_by_chat: Counter[int] = field(default_factory=Counter)
    injected_errors: int = 0
    dropped_connections: int = 0


class FloodControl:
    """Answers 429 with `retry_after` when the bot sends faster than Telegram allows."""

    def __init__(self, clock: Clock, stats: Stats) -> None:
        self.clock = clock
        self.stats = stats
        self.enabled = False
        self.limits = FloodLimits()
        self._buckets: dict[int | None, TokenBucket] = {}

    def enable(self, limits: FloodLimits | None = None) -> None:
        """Turn flood limits on (with fresh, full buckets)."""
        self.limits = limits or self.limits
        self._buckets.clear()
        self.enabled = True

    def disable(self) -> None:
        """Turn flood limits off."""
        self.enabled = False

    def check(self, chat_id: int, is_group: bool) -> None:
        """Take one message's worth from the global and the chat's bucket, or raise 429."""
        if not self.enabled:
            return
        now = self.clock.now()
        chat, overall = self._bucket(chat_id, is_group, now), self._bucket(None, False, now)
        wait = max(chat.wait(now), overall.wait(now))
        if wait > 0:
            self.stats.flood_429 += 1
            self.stats.sent_429 += 1
            self.stats.flood_429_by_chat[chat_id] += 1
            raise too_many_requests(self._retry_after(wait))
        chat.tokens -= 1
        overall.tokens -= 1

    def _retry_after(self, fake_wait: float) -> float:
        whole = max(1, math.ceil(fake_wait))
        if self.clock.scale == 1:
            return whole
        return math.ceil(self.clock.to_real(whole) * 1000) / 1000

    def _bucket(self, key: int | None, is_group: bool, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = self._shape(key, is_group)
            bucket = self._buckets[key] = TokenBucket(rate, burst, burst, now)
        return bucket

    def _shape(self, key: int | None, is_group: bool) -> tuple[float, float]:
        limits = self.limits
        if key is None:
            return limits.per_second, limits.burst
        if is_group:
            return limits.group_per_minute / 60, limits.group_burst
        return limits.per_chat_per_second, limits.chat_burst


@dataclass(slots=True)
class Fault:
    """One armed fault: `kind` is `status`, `rate_limit`, `drop` or `drop_after`."""

    kind: str
    remaining: int
    methods: frozenset[str] | None
    status: int = 500
    retry_after: float = 1

    def matches(self, method: str) -> bool:
        """Whether this fault applies to a call of `method` (lower-case name)."""
        return self.remaining > 0 and (self.methods is None or method in self.methods)


def _methods(methods: str | Iterable[str] | None) -> frozenset[str] | None:
    if methods is None:
        return None
    names = [methods] if isinstance(methods, str) else list(methods)
    return frozenset(name.lower() for name in names)


class Faults:
    """Faults to inject into the next Bot API calls; `methods` limits them to some methods.

    Without `methods` a fault hits the very next call of any method, which for a polling bot
    is usually `getUpdates`: pass `methods="sendMessage"` to aim at replies.
    """

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self._armed: list[Fault] = []
        self._slow: tuple[float, frozenset[str] | None] = (0.0, None)

    def fail_next(
        self, n: int = 1, status: int = 500, methods: str | Iterable[str] | None = None
    ) -> None:
        """Answer the next `n` matching calls with HTTP `status` (500, 502, 503, ...)."""
        self._armed.append(Fault("status", n, _methods(methods), status=status))

    def rate_limit_next(
        self, n: int = 1, retry_after: float = 1, methods: str | Iterable[str] | None = None
    ) -> None:
        """Answer the next `n` matching calls with 429 and `retry_after` seconds."""
        self._armed.append(Fault("rate_limit", n, _methods(methods), retry_after=retry_after))

    def drop_connections(
        self, n: int = 1, methods: str | Iterable[str] | None = None, *, after: bool = False
    ) -> None:
        """Close the connection without an answer on the next `n` matching calls.

        With `after=True` the call is carried out first (the message is sent) and only the
        answer is lost, as when a response times out on the way back.
        """
        kind = "drop_after" if after else "drop"
        self._armed.append(Fault(kind, n, _methods(methods)))

    def slow(self, seconds: float, methods: str | Iterable[str] | None = None) -> None:
        """Delay every matching answer by `seconds` (0 turns it off)."""
        self._slow = (seconds, _methods(methods))

    def clear(self) -> None:
        """Disarm every fault and stop slowing answers."""
        self._armed.clear()
        self._slow = (0.0, None)

    def delay(self, method: str) -> float:
        """Seconds to hold the answer to a call of `method`."""
        seconds, methods = self._slow
        return seconds if methods is None or method in methods else 0.0

    def take(self, method: str) -> Fault | None:
        """The first armed fault for `method`, counted as used."""
        for fault in self._armed:
            if fault.matches(method):
                fault.remaining -= 1
                self._count(fault)
                return fault
        return None

    def error_for(self, fault: Fault) -> ApiError:
        """The error answer a `status` or `rate_limit` fault sends."""
        if fault.kind == "rate_limit":
            return too_many_requests(fault.retry_after)
        return server_error(fault.status)

    def _count(self, fault: Fault) -> None:
        if fault.kind == "rate_limit":
            self.stats.sent_429 += 1
            self.stats.injected_429 += 1
        elif fault.kind == "status":
            self.stats.injected_errors += 1
        else:
            self.stats.dropped_connections += 1
        self._armed = [armed for armed in self._armed if armed.remaining > 0]
