"""Check-ins through the real bot and the fake Telegram, on a clock the test moves hour by hour.

The bot runs as in production (PTB Application, store, sender), except that its clock is the
test's and the background sweeper is stopped: the test sweeps once per simulated hour, so weeks
pass in a second and every prompt's arrival time is known to the hour. Placement across DST,
quiet hours and one restart are covered beside this, in tests/test_checkins.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.telegram.app import parts, start_for_tests, stop_for_tests
from dialogs.state import Choice, Text
from knowledge.loader import get_knowledge
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.test_telegram_bot import settings_for, tap

NY = ZoneInfo("America/New_York")
"""The default agency time zone (Settings.tz); US clocks go forward on 14 March 2027."""
START = datetime(2027, 3, 1, 15, tzinfo=UTC)  # Monday, 10:00 in New York
HOUR = timedelta(hours=1)
INTAKE = ["ged", "ok", "word and excel", "retail", "computers", "yes", "none", "no", "15"]
PLAN = ("pick:it", "sel:yes", "goal:3", "plan:yes")
QUIET_START, QUIET_END = 21, 8
FAST_PACING = 0.01
"""Seconds between two messages to one chat: per-chat pacing runs on real seconds, and a plan
is twenty messages, so the journeys shorten it (pacing has its own tests)."""


class Clock:
    """A clock the test sets."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@dataclass(frozen=True, slots=True)
class Arrival:
    """A message the bot sent on its own, and the (test) time it left."""

    at: datetime
    text: str

    @property
    def local(self) -> tuple[int, int, int]:
        """Month, day and hour in New York."""
        t = self.at.astimezone(NY)
        return t.month, t.day, t.hour


class TimeMachine:
    """The running bot on the test's clock: make a plan, move time, tap, read what arrived."""

    def __init__(self, fake: FakeTelegram, app: Any, clock: Clock) -> None:
        p = parts(app)
        self.fake, self.clock = fake, clock
        self.store, self.service, self.sweeper, self.delivery = (
            p.store,
            p.service,
            p.sweeper,
            p.delivery,
        )
        self.seen: dict[int, int] = {}

    @classmethod
    async def attach(cls, fake: FakeTelegram, app: Any, clock: Clock) -> TimeMachine:
        """Put the bot on `clock` and take over its sweeps."""
        machine = cls(fake, app, clock)
        await machine.sweeper.stop()  # the test sweeps, on its own clock
        machine.service.clock = machine.sweeper.clock = machine.delivery.clock = clock
        machine.delivery.pacer.interval = FAST_PACING
        return machine

    async def plan(self, user: FakeUser, cadence: str = "cad:weekly", hour: str = "hour:9") -> None:
        """The user starts in Telegram, then answers the intake and makes a plan."""
        await user.command("/start")
        await self.fake.wait_for(lambda: self.fake.messages(user.id), timeout=5)
        for answer in INTAKE:
            await self.service.turn(user.id, user.id, Text(answer))
        for option in (*PLAN, cadence, hour):
            await self.service.turn(user.id, user.id, Choice(option))
        await self.delivery.idle()
        self.seen[user.id] = len(self.fake.messages(user.id))

    def _unread(self, user: FakeUser) -> list[str]:
        fresh = self.fake.messages(user.id)[self.seen[user.id] :]
        return [m.text or m.caption or "" for m in fresh]

    def read(self, user: FakeUser) -> list[str]:
        """The bot's messages to the user since the last read."""
        texts = self._unread(user)
        self.seen[user.id] += len(texts)
        return texts

    async def travel(
        self, until: datetime, user: FakeUser, *, first: bool = False
    ) -> list[Arrival]:
        """Move the clock an hour at a time up to `until`, sweeping each hour; what arrived.

        With `first`, stop at the first hour something arrives. Every arrival is checked to
        be outside quiet hours.
        """
        arrivals: list[Arrival] = []
        while self.clock.at < until and not (first and arrivals):
            self.clock.at += HOUR
            if await self.sweeper.sweep_once():
                await self.delivery.idle()
            arrivals += [Arrival(self.clock.at, text) for text in self.read(user)]
        for arrival in arrivals:
            assert QUIET_END <= arrival.local[2] < QUIET_START, f"in quiet hours: {arrival}"
        return arrivals

    async def next_prompt(self, user: FakeUser, within: timedelta = timedelta(days=40)) -> Arrival:
        """Travel until the next message arrives (fails after `within`)."""
        found = await self.travel(self.clock.at + within, user, first=True)
        assert found, f"nothing arrived within {within}"
        return found[0]

    async def answer(self, user: FakeUser, expect: str) -> str:
        """Everything the bot said since the last read, once it says `expect`."""
        await self.fake.wait_for(
            lambda: expect.lower() in "\n".join(self._unread(user)).lower(), timeout=10
        )
        await self.delivery.idle()
        return "\n".join(self.read(user))

    async def tap(self, user: FakeUser, label: str, expect: str) -> str:
        """Tap the newest button starting with `label`; the answer, once it says `expect`."""
        await tap(self.fake, user, label)
        return await self.answer(user, expect)

    async def send(self, user: FakeUser, text: str, expect: str) -> str:
        """Type a message in Telegram; the answer, once it says `expect`."""
        await user.send(text)
        return await self.answer(user, expect)

    async def live_checkins(self, user: FakeUser) -> list[datetime]:
        """When the user's pending check-ins are due, in New York time."""
        return [c.due_at.astimezone(NY) for c in await self.store.pending_checkins(user.id)]


@pytest.fixture
async def machine(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[TimeMachine]:
    app = await start_for_tests(settings_for(fake_telegram, tmp_path / "pathways.db"))
    try:
        yield await TimeMachine.attach(fake_telegram, app, Clock(START))
    finally:
        await stop_for_tests(app)


async def test_weekly_prompts_come_at_nine_local_across_dst_and_done_moves_on(
    fake_telegram: FakeTelegram, machine: TimeMachine
) -> None:
    m, ann = machine, fake_telegram.user(first_name="Ann")
    await m.plan(ann)
    state = await m.store.load_state(ann.id)
    assert state is not None
    first, second = state.milestones[0].title, state.milestones[1].title
    one = await m.next_prompt(ann)
    assert "How is it going" in one.text and first in one.text
    await m.tap(ann, "Still working", "Keep going")
    two = await m.next_prompt(ann)
    said = await m.tap(ann, "Done", "Well done")
    assert f"Next: {second}" in said
    three = await m.next_prompt(ann)
    assert "How is it going" in three.text and second in three.text
    # Nine in the morning in New York every week; in UTC an hour earlier once DST began.
    assert [a.local for a in (one, two, three)] == [(3, 8, 9), (3, 15, 9), (3, 22, 9)]
    assert [a.at.hour for a in (one, two, three)] == [14, 13, 13]
    state = await m.store.load_state(ann.id)
    assert state is not None and state.milestones[0].done and not state.milestones[1].done


async def test_stuck_after_losing_a_job_gets_jobs_now_and_keeps_the_plan_then_pause_and_resume(
    fake_telegram: FakeTelegram, machine: TimeMachine
) -> None:
    m, bo = machine, fake_telegram.user(first_name="Bo")
    await m.plan(bo)
    before = await m.store.load_state(bo.id)
    assert before is not None
    await m.next_prompt(bo)
    await m.tap(bo, "I'm stuck", "What is in the way")
    said = await m.tap(bo, "I lost my job", "What would help")
    jobs = get_knowledge().process.unskilled_jobs
    assert jobs and all(job.lower() in said.lower() for job in jobs)
    await m.tap(bo, "Keep my date", "Keep going")
    kept = await m.store.load_state(bo.id)
    assert kept is not None and kept.milestones == before.milestones
    assert kept.pathway_id == before.pathway_id and len(await m.live_checkins(bo)) == 1

    await m.next_prompt(bo)
    await m.tap(bo, "Pause", "Why do you need a break")
    await m.tap(bo, "Work", "paused and saved")
    assert await m.live_checkins(bo) == []
    assert await m.travel(m.clock.at + timedelta(days=61), bo) == []  # two months: silence

    resumed_at = m.clock.at
    await m.send(bo, "/resume", "Great to have you back")
    back = await m.next_prompt(bo)
    assert "How is it going" in back.text
    assert back.local[2] == 9 and timedelta(days=6) < back.at - resumed_at <= timedelta(days=7)


async def test_no_prompt_a_day_after_talking_then_one_reminder_a_monthly_back_off_and_stop(
    fake_telegram: FakeTelegram, machine: TimeMachine
) -> None:
    m, cy = machine, fake_telegram.user(first_name="Cy")
    await m.plan(cy)  # first check-in due Monday 8 March, 9:00
    assert await m.travel(datetime(2027, 3, 7, 17, tzinfo=UTC), cy) == []
    await m.send(cy, "what pays more than $20 an hour?", "an hour")  # Sunday noon
    arrivals = await m.travel(START + timedelta(days=100), cy)
    assert [a.local for a in arrivals] == [(3, 9, 9), (3, 11, 9), (4, 10, 9), (5, 10, 9)]
    kinds = ["How is it going", "Just checking in again", "How is it going", "stop checking in"]
    assert all(kind in a.text for kind, a in zip(kinds, arrivals, strict=True))
    assert await m.live_checkins(cy) == []


async def test_snooze_until_tomorrow_then_next_week_then_a_monthly_cadence(
    fake_telegram: FakeTelegram, machine: TimeMachine
) -> None:
    m, dee = machine, fake_telegram.user(first_name="Dee")
    await m.plan(dee)
    first = await m.next_prompt(dee)
    await m.tap(dee, "Ask me tomorrow", "ask again")
    tomorrow = await m.next_prompt(dee)
    await m.tap(dee, "Ask me next week", "ask again")
    week = await m.next_prompt(dee)
    assert [a.local for a in (first, tomorrow, week)] == [(3, 8, 9), (3, 9, 9), (3, 16, 9)]
    assert all("How is it going" in a.text for a in (tomorrow, week))

    await m.send(dee, "/checkins", "How often")
    await m.tap(dee, "Every month", "every month")
    arrivals = await m.travel(datetime(2027, 4, 16, tzinfo=UTC), dee)
    assert [a.local for a in arrivals] == [(4, 15, 9)]  # 30 days on, nothing weekly between


async def test_a_blocked_bot_cancels_the_checkins_and_start_after_unblocking_resumes_them(
    fake_telegram: FakeTelegram, machine: TimeMachine
) -> None:
    m, eve = machine, fake_telegram.user(first_name="Eve")
    await m.plan(eve)
    fake_telegram.block(eve.id)
    assert await m.travel(datetime(2027, 3, 9, tzinfo=UTC), eve) == []
    rows = await m.store.read("SELECT inactive FROM users WHERE user_id = ?", (eve.id,))
    assert rows == [(1,)] and await m.live_checkins(eve) == []  # the 403 cancelled them
    swept = m.sweeper.sent
    assert await m.travel(m.clock.at + timedelta(days=30), eve) == []
    assert m.sweeper.sent == swept  # nothing was even due

    fake_telegram.unblock(eve.id)
    came_back = m.clock.at
    await m.send(eve, "/start", "Welcome back")
    assert len(await m.live_checkins(eve)) == 1
    back = await m.next_prompt(eve)
    assert "How is it going" in back.text
    assert back.local[2] == 9 and timedelta(days=6) < back.at - came_back <= timedelta(days=7)
