"""Check-ins: at the chosen local hour, outside quiet hours, swept once across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.scheduling.checkins import Sweeper, place_checkin, placer
from bot.service import Service
from bot.storage.sqlite import Store
from dialogs.state import Choice, Command, Reply, Text

NY = ZoneInfo("America/New_York")


def test_a_checkin_lands_at_the_chosen_local_hour_across_a_dst_change() -> None:
    now = datetime(2026, 10, 20, 12, tzinfo=UTC)
    before = place_checkin(datetime(2026, 10, 27, 12, tzinfo=UTC), now, NY, 18)
    after = place_checkin(datetime(2026, 11, 3, 12, tzinfo=UTC), now, NY, 18)
    assert before.astimezone(NY).hour == 18 and after.astimezone(NY).hour == 18
    assert (after - before) == timedelta(days=7, hours=1)  # the clocks went back on Nov 1


def test_never_in_quiet_hours_and_never_in_the_past() -> None:
    now = datetime(2026, 11, 23, 23, tzinfo=UTC)  # 18:00 in New York
    placed = place_checkin(datetime(2026, 11, 23, 3, tzinfo=UTC), now, NY, 22)
    local = placed.astimezone(NY)
    assert 8 <= local.hour < 21
    assert placed > now


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


INTAKE = ["ged", "ok", "word and excel", "retail", "computers", "yes", "none", "no", "15"]


async def test_a_due_checkin_is_prompted_once_even_across_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    clock = Clock(datetime(2026, 11, 23, 15, tzinfo=UTC))
    settings = Settings(database_path=db)
    store = await Store.open(db)
    service = Service(store, clock=clock, place=placer(settings))
    await service.turn(5, 5, Command("start"))
    for answer in INTAKE:
        await service.turn(5, 5, Text(answer))
    for option in ("pick:it", "sel:yes", "goal:3", "plan:yes", "cad:weekly", "hour:9"):
        await service.turn(5, 5, Choice(option))
    state = await store.load_state(5)
    assert state is not None and state.phase.value == "engaged"
    sweeper = Sweeper(store, service, settings, clock=clock)
    assert await sweeper.sweep_once() == 0  # not due yet
    clock.at += timedelta(days=8)
    await store.close()

    store = await Store.open(db)  # a restart: the check-in lives in the database
    service = Service(store, clock=clock, place=placer(settings))
    sweeper = Sweeper(store, service, settings, clock=clock)
    assert await sweeper.sweep_once() == 1
    assert await sweeper.sweep_once() == 0  # claimed and done: never twice
    prompts = [
        Reply.from_dict(r.payload).text
        for r in await store.pending_outbox()
        if "How is it going" in Reply.from_dict(r.payload).text
    ]
    assert len(prompts) == 1 and "Apply for jobs now" in prompts[0]
    await service.turn(5, 5, Choice("ci:done"))
    state = await store.load_state(5)
    assert state is not None and state.milestones[0].done
    await store.close()
