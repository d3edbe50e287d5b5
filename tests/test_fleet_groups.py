"""A counselor group's 20 messages a minute hold for the whole fleet: a sender that takes over
from another counts what the fleet already sent to the group within the minute."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram.ext import ExtBot

from bot.delivery.lease import Sender
from bot.delivery.sender import Delivery, rate_limiter
from bot.storage.postgres import PgStore
from dialogs.state import Reply
from knowledge.loader import get_knowledge
from tests.fake_telegram import FakeTelegram, FloodLimits

SCALE = 12.0
"""The fake's clock runs 12 times faster: its group minute lasts 5 real seconds."""
GROUP = -1_000_777_001
FIRST, LATER = 20, 6


def utcnow() -> datetime:
    return datetime.now(UTC)


async def worker(fake: FakeTelegram, store: PgStore) -> tuple[Sender, Delivery, ExtBot[None]]:
    """One worker's sending side (the real PTB Bot over HTTP, Telegram's limits scaled)."""
    bot: ExtBot[None] = ExtBot(fake.token, base_url=fake.base_url, rate_limiter=rate_limiter(SCALE))
    await bot.initialize()
    delivery = Delivery(bot, store, UTC, get_knowledge(), clock=utcnow, group_window=60 / SCALE)
    delivery.pacer.interval = 0.001  # private chats are not the point here
    return Sender(delivery, store, retry=0.05, pause=0.05), delivery, bot


async def group_texts(fake: FakeTelegram, count: int) -> list[str]:
    await fake.wait_for(lambda: len(fake.messages(GROUP)) >= count, 30)
    return [m.text or "" for m in fake.messages(GROUP)]


async def test_a_new_sender_keeps_the_groups_minute_the_old_one_began(pg_url: str) -> None:
    async with FakeTelegram(flood_limits=FloodLimits(), time_scale=SCALE) as fake:
        fake.group("Counselors", id=GROUP)
        one, two = await PgStore.open(pg_url), await PgStore.open(pg_url)
        (first, _, bot_one), (second, _, bot_two) = await worker(fake, one), await worker(fake, two)
        for n in range(FIRST):
            await one.enqueue(GROUP, Reply(f"Request #{n}"), now=utcnow())
        first.start()  # the first worker is the fleet's sender: its 20 go at once
        await group_texts(fake, FIRST)
        await first.stop()  # it stops (or dies): the lease is free
        for n in range(FIRST, FIRST + LATER):
            await two.enqueue(GROUP, Reply(f"Request #{n}"), now=utcnow())
        second.start()  # takes the lease within a moment, with a fresh rate limiter
        texts = await group_texts(fake, FIRST + LATER)
        await asyncio.sleep(0.2)
        await second.stop()
        assert [m.text for m in fake.messages(GROUP)] == [
            f"Request #{n}" for n in range(FIRST + LATER)
        ]  # each once, in order
        assert texts[: FIRST + LATER] == [f"Request #{n}" for n in range(FIRST + LATER)]
        assert fake.stats.sent_429 == 0  # the group's minute held across the takeover
        for bot in (bot_one, bot_two):
            await bot.shutdown()
        await one.close()
        await two.close()
