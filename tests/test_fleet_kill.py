"""Three workers on PostgreSQL behind nginx, one of them SIGKILLed and restarted at random
moments while 200 users talk: nothing lost, nothing sent twice but what was in flight, each
chat's order kept, Telegram's limits held by the whole fleet."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.storage.postgres import PgStore
from tests.bot_process import SCRIPT, BotProcess, Conversation, converse, delivery_report, mark_kill
from tests.fake_telegram import FakeTelegram, FloodLimits, free_port
from tests.fleet import pg_answers, pg_outbox, sender_pid, worker
from tests.proxy import MISSING, Nginx, nginx_binary

WORKERS = 3
USERS = 200
KILLS = 20
STEPS = SCRIPT[:3]
"""/start and two answers each: 600 updates, about 1,000 messages within 30 a second."""


@dataclass
class Kills:
    """Kills done, and at which of them the victim was the fleet's sender."""

    done: int = 0
    of_sender: int = 0
    marks: dict[int, list[int]] = field(default_factory=dict)
    """Each chat's message count at each kill of the sender (a message in flight then may
    arrive twice; a kill of any other worker must not make a duplicate)."""


async def kill_and_restart(
    fake: FakeTelegram, url: str, workers: list[BotProcess], rng: random.Random
) -> Kills:
    """Kill a random worker every 0.5 to 1.5 s and restart it at once."""
    kills = Kills()
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        victim = rng.choice(workers)
        assert victim.proc is not None
        sending = await sender_pid(url) == victim.proc.pid
        await victim.kill()
        await asyncio.sleep(0.05)  # let the fake finish a request the worker died sending
        if sending:
            mark_kill(fake, kills.marks)
            kills.of_sender += 1
        kills.done += 1
        await victim.start()
    return kills


@pytest.mark.slow
async def test_three_workers_killed_at_random_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    if nginx_binary() is None:
        pytest.skip(MISSING)
    rng = random.Random(16)
    ports = [free_port() for _ in range(WORKERS)]
    fake = FakeTelegram(flood_limits=FloodLimits(), strict_webhook_url=False)
    async with fake, Nginx(tmp_path / "nginx", ports) as proxy:
        workers = [
            worker(fake, pg_url, tmp_path, n, port, f"{proxy.url}/telegram")
            for n, port in enumerate(ports)
        ]
        try:
            for bot in workers:
                await bot.start()
                await bot.polling(timeout=30)
            users = [fake.user() for _ in range(USERS)]
            conversations = [Conversation(u.id) for u in users]
            talks = asyncio.gather(
                *(
                    converse(fake, u, c, STEPS, timeout=90)
                    for u, c in zip(users, conversations, strict=True)
                )
            )
            kills = await kill_and_restart(fake, pg_url, workers, rng)
            await talks  # every user got the reply to each of their answers
            for bot in workers:  # wait for the last restarted one to be up, then stop all
                await fake.wait_for(lambda b=bot: b.proc is not None, 10)
            await fake.wait_for(lambda: not fake.state.updates, 30)  # nothing undelivered
            for bot in workers:
                assert await bot.terminate() == 0, bot.tail()
        finally:
            for bot in workers:
                await bot.close()
        stored = await pg_answers(pg_url)
        entries = await pg_outbox(pg_url)
        report = delivery_report(fake, None, kills.marks, entries)
        assert kills.done == KILLS
        assert all(stored.get(c.user_id) == c.sent for c in conversations)  # 0 answers lost
        assert report.unsent == 0 and report.lost == [], report  # 0 replies lost, in order
        assert report.unexplained == [], report  # twice only when in flight at a kill
        assert report.committed >= USERS * len(STEPS)
        assert fake.stats.sent_429 == 0
        print(
            f"\nfleet: {WORKERS} workers, {USERS} users, {kills.done} kills"
            f" ({kills.of_sender} of the sender), {report.committed} replies,"
            f" {report.duplicates} sent twice across a kill of the sender"
        )
    store = await PgStore.open(pg_url)
    assert await store.integrity_check() == "ok"
    await store.close()
