"""Several bot workers on one PostgreSQL database: check-ins, handoffs and the fleet's sender."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.agency.desk import Agency
from bot.service import Service
from bot.storage import OutboxRow
from bot.storage.postgres import PgStore
from dialogs.messages import SHARE_YES
from dialogs.state import Choice, Command, Text
from tests.checkin_crowd import known_users, run_bot_side, seed
from tests.fake_telegram import FakeTelegram, FloodLimits

PROMPT = "How is it going"
USERS = 600
SCALE = 1.0
"""Real time: the fake holds Telegram's own 30 a second (a faster clock drew 429s on a
loaded machine, single process or fleet alike)."""
FIRST_ID = 700_000_001


async def test_two_workers_send_each_due_check_in_exactly_once(pg_url: str) -> None:
    ids = list(range(FIRST_ID, FIRST_ID + USERS))
    store = await PgStore.open(pg_url)
    await seed(store, ids)
    await store.close()
    async with FakeTelegram(flood_limits=FloodLimits(), time_scale=SCALE) as fake:
        known_users(fake, ids)
        one, two = await asyncio.gather(
            run_bot_side(fake, pg_url, SCALE), run_bot_side(fake, pg_url, SCALE)
        )
        got = {uid: [m.text or "" for m in fake.messages(uid)] for uid in ids}
        assert all(len(texts) == 1 and PROMPT in texts[0] for texts in got.values())
        assert one.turns + two.turns == USERS  # each due check-in ran once, on one worker
        assert sorted((one.sent, two.sent)) == [0, USERS]  # one sender for the fleet
        assert fake.stats.sent_429 == 0
    store = await PgStore.open(pg_url)
    assert await store.integrity_check() == "ok"
    left = await store.read("SELECT COUNT(*) FROM checkins WHERE status = 'claimed'")
    assert left == [(0,)]
    await store.close()


COUNSELORS = -100
NOW = datetime(2026, 11, 2, 15, tzinfo=UTC)


def worker(store: PgStore) -> tuple[Service, Agency]:
    """One worker's turn-taking parts on the shared database."""
    service = Service(store, clock=lambda: NOW, counselor_chats=[COUNSELORS])
    agency = Agency(
        store,
        service,
        counselor_chats=frozenset({COUNSELORS}),
        admin_ids=frozenset(),
        clock=lambda: NOW,
        tz=UTC,
    )
    return service, agency


async def unsent(store: PgStore, chat_id: int) -> list[OutboxRow]:
    return [r for r in await store.pending_outbox() if r.chat_id == chat_id]


async def test_a_counselors_reply_reaches_the_person_whichever_worker_handles_it(
    pg_url: str,
) -> None:
    a, b = await PgStore.open(pg_url), await PgStore.open(pg_url)
    (service_a, agency_a), (_, agency_b) = worker(a), worker(b)
    for n, event in enumerate([Command("start"), Text("ged"), Command("counselor")], 1):
        rows = await service_a.turn(5, 5, event, update_id=n)
    share = next(o for r in rows for o in r.reply.choices if o.label == SHARE_YES)
    await service_a.turn(5, 5, Choice(share.id), update_id=4)
    (request,) = await unsent(a, COUNSELORS)
    assert "Request #1" in (request.reply.text or "")
    await a.mark_sent(request.id, 9001, NOW)  # the fleet's sender delivered it

    # The counselor answers by replying to that message; worker b gets the update.
    await agency_b.counselor_message(COUNSELORS, "Hi, I am Cora", 9001, 10, group=True)
    assert any("Hi, I am Cora" in (r.reply.text or "") for r in await unsent(a, 5))
    # ... and hands back with a command that worker a gets.
    await agency_a.counselor_message(COUNSELORS, "/handback 1", None, 11, group=True)
    handoff = await b.handoff(1)
    assert handoff is not None and not handoff.is_open
    await a.close()
    await b.close()
