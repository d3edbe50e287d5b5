"""Many users on their plan with a check-in due at once, and the bot side that sends them.

Shared by the check-in load tests and bench/checkins.py. `seed` stores each user with the state
a real intake and plan produce (run once through the engine), a chat id equal to their user
id, and one pending check-in; the n-th user's is due `n` seconds after `due`, so oldest first
is user order. `clone` does the same for 100,000 users in seconds, by copying one seeded
user's rows in SQL.

`python -m tests.checkin_crowd` is the bot side of a crowd run, in its own process (as in
production, where Telegram is elsewhere): the real Store, Service, Sweeper and Delivery on a
fixed clock after the check-ins fell due, sending through a Bot made as `bot.telegram.app` makes
it, to the fake Bot API in the parent process. Time there may run `scale` times faster (the
fake's `time_scale`); the bot's rate limiter runs as much faster. It stops once nothing is due
or unsent (or after `stop_after` messages) and prints its figures as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.config import Secret, Settings
from bot.delivery.lease import Sender
from bot.delivery.sender import BURST, Delivery, rate_limiter
from bot.scheduling.checkins import UNSENT, Sweeper, placer
from bot.service import Service
from bot.storage import Storage, open_store, to_epoch
from bot.storage.sqlite import Store
from dialogs.engine import handle
from dialogs.state import Choice, Command, DialogState, Event, ScheduleCheckin, Text, Turn
from knowledge.loader import get_knowledge
from tests.fake_telegram import FakeTelegram, FakeUser

PLAN_MADE = datetime(2026, 11, 2, 15, tzinfo=UTC)
"""When the crowd made their plans (a Monday, 10:00 in New York)."""
DUE = PLAN_MADE + timedelta(days=7)
SWEPT_AT = DUE + timedelta(days=3)
"""The bot side's fixed clock: every seeded check-in is due (for up to 250,000 users)."""
INTAKE = ["ged", "ok", "word and excel", "retail", "computers", "yes", "none", "no", "15"]
CHOICES = ["pick:it", "sel:yes", "goal:3", "plan:yes", "cad:weekly", "hour:9"]
CHUNK = 1000
POOL = 256
"""Connections, as ApplicationBuilder gives the bot."""
DUE_LEFT = "SELECT COUNT(*) FROM checkins WHERE status IN ('pending', 'claimed') AND due_at <= ?"
CHECK_EVERY = 0.1
KEPT_ENV = ("PATH", "HOME", "LANG")
REPO = Path(__file__).resolve().parent.parent


def engaged_state(now: datetime = PLAN_MADE) -> DialogState:
    """The state of a user who did the intake and made an IT plan with weekly check-ins."""
    events: list[Event] = [Command("start"), *map(Text, INTAKE), *map(Choice, CHOICES)]
    state = DialogState()
    for event in events:
        state = handle(state, event, now).state
    return state


async def seed(
    store: Storage, user_ids: Sequence[int], due: datetime = DUE, now: datetime = PLAN_MADE
) -> None:
    """Store each user on their plan with one check-in, the n-th due n seconds after `due`."""
    state = engaged_state(now)
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        await asyncio.gather(
            *(
                store.commit_turn(
                    user_id=uid,
                    chat_id=uid,
                    turn=Turn(state, effects=(ScheduleCheckin(due + timedelta(seconds=n)),)),
                    update_id=None,
                    user_text=None,
                    now=now,
                )
                for n, uid in enumerate(chunk, start)
            )
        )


async def clone(db: Path, user_ids: Sequence[int], due: datetime = DUE) -> None:
    """What `seed` stores, fast: the first user through the store, the rest copied in SQL."""
    store = await Store.open(db)
    await seed(store, user_ids[:1], due)
    await store.close()
    await asyncio.to_thread(_copy_rows, db, user_ids[0], user_ids[1:], to_epoch(due))


def _copy_rows(db: Path, model: int, user_ids: Sequence[int], due: int) -> None:
    with sqlite3.connect(db) as conn:
        for table, changed in (
            ("users", {"user_id": "?1", "chat_id": "?1"}),
            ("milestones", {"user_id": "?1"}),
            ("checkins", {"user_id": "?1", "due_at": "?2", "id": None}),
        ):
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = [n for n in names if changed.get(n, "") is not None]
            values = ", ".join(changed.get(n) or n for n in kept)
            rows = [
                (uid, due + n)[: 2 if "?2" in values else 1] for n, uid in enumerate(user_ids, 1)
            ]
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(kept)}) SELECT {values} FROM {table}"
                f" WHERE user_id = {model}",
                rows,
            )


def known_users(fake: FakeTelegram, user_ids: Sequence[int]) -> list[FakeUser]:
    """Users of the fake who started the bot long ago (so it may write to them), no update."""
    users = [fake.user(id=uid) for uid in user_ids]
    for user in users:
        fake.state.chat_state(user.chat).started = True
    return users


@dataclass(frozen=True, slots=True)
class Figures:
    """What the bot side did: prompts committed, messages sent, and when (seconds from start)."""

    turns: int
    sent: int
    seconds: float
    samples: tuple[tuple[float, int], ...]
    """(seconds, messages sent so far), every CHECK_EVERY seconds and at the end."""

    def rate(self, skip: float = 1.0) -> float:
        """Messages a second from `skip` seconds in to the last message."""
        start = next(((t, n) for t, n in self.samples if t >= skip), None)
        end = next(((t, n) for t, n in self.samples if n == self.sent), None)
        if start is None or end is None or end[0] <= start[0]:
            return 0.0
        return (end[1] - start[1]) / (end[0] - start[0])


async def serve(
    db: Path | str,
    api_url: str,
    token: str,
    scale: float,
    stop_after: int | None = None,
    burst: int = BURST,
) -> Figures:
    """Sweep and send until nothing is due or unsent (or `stop_after` messages went out).
    `db`: a SQLite file, or a PostgreSQL URL (one worker of a fleet: it sweeps, and sends
    while it holds the fleet's sender lease)."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    store = await open_store(url)
    settings = Settings(database_url=Secret(url))
    bot = ExtBot(
        token,
        base_url=api_url,
        request=HTTPXRequest(connection_pool_size=POOL),
        rate_limiter=rate_limiter(scale, burst),
    )
    await bot.initialize()
    kb = get_knowledge()
    delivery = Delivery(bot, store, settings.tz, kb, clock=lambda: SWEPT_AT)
    service = Service(
        store, clock=lambda: SWEPT_AT, kb=kb, on_outbox=delivery.wake, place=placer(settings)
    )
    sweeper = Sweeper(store, service, settings, clock=lambda: SWEPT_AT)
    sender = Sender(delivery, store)
    began = time.perf_counter()
    sender.start()
    sweeper.start()
    samples = await _watch(store, delivery, began, stop_after)
    await sweeper.stop()
    await sender.stop()  # what is already queued still goes
    samples.append((time.perf_counter() - began, delivery.sent))
    await bot.shutdown()
    await store.close()
    return Figures(sweeper.sent, delivery.sent, samples[-1][0], tuple(samples))


async def _watch(
    store: Storage, delivery: Delivery, began: float, stop_after: int | None
) -> list[tuple[float, int]]:
    samples: list[tuple[float, int]] = []
    while True:
        await asyncio.sleep(CHECK_EVERY)
        samples.append((time.perf_counter() - began, delivery.sent))
        if stop_after is not None and delivery.sent >= stop_after:
            return samples
        due = (await store.read(DUE_LEFT, (to_epoch(SWEPT_AT),)))[0][0]
        if due == 0 and (await store.read(UNSENT))[0][0] == 0:
            return samples


async def run_bot_side(
    fake: FakeTelegram,
    db: Path | str,
    scale: float,
    *,
    stop_after: int | None = None,
    burst: int = BURST,
    timeout: float = 300.0,
) -> Figures:
    """Run `python -m tests.checkin_crowd` against `fake` and `db`; its figures."""
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(
        PYTHONPATH=str(REPO),
        CROWD_DB=str(db),
        CROWD_API=fake.base_url,
        CROWD_TOKEN=fake.token,
        CROWD_SCALE=str(scale),
        CROWD_STOP_AFTER=str(stop_after or ""),
        CROWD_BURST=str(burst),
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.checkin_crowd",
        cwd=db.parent if isinstance(db, Path) else REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(), timeout)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    if child.returncode != 0:
        raise RuntimeError(f"the bot side failed:\n{err.decode(errors='replace')[-3000:]}")
    data = json.loads(out.decode().strip().splitlines()[-1])
    samples = tuple((float(t), int(n)) for t, n in data["samples"])
    return Figures(int(data["turns"]), int(data["sent"]), float(data["seconds"]), samples)


def _where(db: str) -> Path | str:
    """A PostgreSQL URL as it is, anything else as the path of a SQLite file."""
    return db if "://" in db else Path(db)


def main() -> int:
    """The bot side of a crowd run, configured by the CROWD_* environment variables."""
    stop_after = os.environ.get("CROWD_STOP_AFTER") or None
    figures = asyncio.run(
        serve(
            _where(os.environ["CROWD_DB"]),
            os.environ["CROWD_API"],
            os.environ["CROWD_TOKEN"],
            float(os.environ.get("CROWD_SCALE", "1")),
            int(stop_after) if stop_after else None,
            int(os.environ.get("CROWD_BURST", BURST)),
        )
    )
    print(json.dumps(asdict(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
