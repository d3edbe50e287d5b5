"""Agency figures and export: a seeded population of 1,000 participants, driven day by day
through the real engine and committed through the real store (check-ins claimed from SQLite,
users blocking the bot, pausing and forgetting), then /stats and the CSV are checked against
counts made independently from each participant's own final DialogState."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import statistics
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agency.stats import (
    GROUPS,
    Checkins,
    PathwayCount,
    ReferralCount,
    Stats,
    compute_stats,
    export_csv,
    format_stats,
    median_of_counts,
    month_bounds,
    participant_id,
)
from bot.service import event_text
from bot.storage import Storage
from bot.storage.copy import copy_database
from bot.storage.postgres import PgStore
from bot.storage.sqlite import CheckinRow, Store
from dialogs.engine import handle
from dialogs.state import (
    CheckinDue,
    Choice,
    Command,
    DialogState,
    Event,
    ForgetUser,
    Status,
    Text,
    Turn,
)
from knowledge.loader import get_knowledge
from tests.postgres import PgServer

TZ = ZoneInfo("America/New_York")
START = datetime(2026, 7, 27, 13, 0, tzinfo=UTC)
DAYS = 115
END = START + timedelta(days=DAYS, hours=8)  # Thu 19 Nov 2026, 16:00 in New York
KEY = b"a key only the agency has"
USERS = 1000
CODES = {"wsm_library_3f9a": "Portland library", "cc_bangor_07b1": "Bangor career center"}
HOSTILE_CODE = "-cmd_calc"
"""A valid deep-link code a spreadsheet would read as a formula (it starts with '-')."""

# What each kind of participant answers to the intake questions (by question id).
PROFILES: dict[str, dict[str, str | tuple[str, ...]]] = {
    "no diploma, making things": {
        "school": "none",
        "english": "hard",
        "computer": "phone_only",
        "experience": ("none",),
        "interests": ("mfg_production",),
        "age": "yes",
        "lifting": "yes",
        "math": "some",
        "support": ("childcare",),
        "job_now": "yes",
        "hours": "h3",
    },
    "ged, retail and computers": {
        "school": "high_school",
        "english": "ok",
        "computer": "office",
        "experience": ("retail", "computers"),
        "interests": ("it_web",),
        "age": "yes",
        "lifting": "yes",
        "math": "some",
        "support": ("none",),
        "job_now": "no",
        "hours": "h8",
    },
    "welding certificate": {
        "school": "credential",
        "credential": "manufacturing",
        "english": "easy",
        "computer": "basic",
        "experience": ("welding", "production"),
        "interests": ("mfg_maintenance",),
        "age": "yes",
        "lifting": "yes",
        "math": "good",
        "support": ("none",),
        "job_now": "have_job",
        "hours": "h25",
    },
    "associate degree": {
        "school": "associate",
        "degree_field": "it",
        "english": "easy",
        "computer": "advanced",
        "experience": ("computers",),
        "interests": ("it_security",),
        "age": "yes",
        "lifting": "unsure",
        "math": "good",
        "support": ("time",),
        "job_now": "no",
        "hours": "h15",
    },
}
TYPED = {"school": {"high_school": "ged", "none": "I didn't finish high school"}}
"""Some participants type these answers instead of tapping."""
STOPS = (
    ("mid-intake", 8),
    ("recommendations", 8),
    ("selection", 6),
    ("goals", 8),
    ("plan", 8),
    ("cadence", 4),
    ("engaged", 40),
    ("paused", 8),
    ("exited", 6),
    ("forgotten", 6),
    ("blocked", 6),
    ("blocked, came back", 4),
)
"""Where each participant's journey ends, and how often (weights)."""


# ---- one participant ------------------------------------------------------------------------


@dataclass
class Prompt:
    """A check-in that ran (a 'done' row of the checkins table) and whether it was answered."""

    done_at: datetime
    answered: bool = False


@dataclass
class Participant:
    """One simulated user: their plan for the days, and what the engine made of them."""

    user_id: int
    profile: str
    stop: str
    referral: str
    typed: bool
    answer_rate: float
    days: dict[int, list[str]] = field(default_factory=dict)
    state: DialogState = field(default_factory=DialogState)
    last: Turn | None = None
    prompts: list[Prompt] = field(default_factory=list)
    blocked: bool = False
    forgotten: bool = False
    unsaved: list[tuple[Turn, str | None, datetime]] = field(default_factory=list)

    def plan(self, day: int, *actions: str) -> None:
        """Do these actions on this day (in order)."""
        self.days.setdefault(day, []).extend(actions)


def make_participant(n: int, rng: random.Random) -> Participant:
    """A participant with a seeded profile, referral, stopping point and timetable."""
    stop = rng.choices([s for s, _ in STOPS], [w for _, w in STOPS])[0]
    referral = rng.choice([*CODES, "", "", "", "flyer_unknown"])
    if n == 7:
        stop, referral = "engaged", HOSTILE_CODE
    p = Participant(
        user_id=5_000_000_000 + n * 7919,
        profile=rng.choice(list(PROFILES)),
        stop=stop,
        referral=referral,
        typed=rng.random() < 0.3,
        answer_rate=rng.choice((0.0, 0.5, 0.9, 1.0)),
    )
    day = rng.randrange(0, 70)
    steps = ["intake", "pick", "select", "goal", "plan", "cadence"]
    ends = {
        "mid-intake": 0,
        "recommendations": 1,
        "selection": 2,
        "goals": 3,
        "plan": 4,
        "cadence": 5,
    }
    last = ends.get(stop, len(steps))
    p.plan(day, "start", "intake-half" if stop == "mid-intake" else "intake")
    for step in steps[1:last]:
        if step == "plan":  # a pathway and a goal on the first day, the plan some days later
            day += rng.randrange(0, 15)
        p.plan(day, step)
    later = min(day + rng.randrange(1, 30), DAYS - 1)
    if stop == "paused":
        p.plan(later, "pause")
    elif stop == "exited":
        p.plan(later, "leave")
    elif stop == "forgotten":
        p.plan(later, "forget")
    elif stop.startswith("blocked"):
        p.plan(later, "block")
        if stop == "blocked, came back":
            p.plan(min(later + rng.randrange(1, 10), DAYS - 1), "progress")
    return p


# ---- the engine, the store, and the answers -------------------------------------------------


def answer(p: Participant) -> Event:
    """The participant's answer to the intake question that is open."""
    assert p.state.pending and p.state.pending.startswith("q:"), p.state.pending
    question = p.state.pending[2:]
    wanted = PROFILES[p.profile][question]
    if isinstance(wanted, tuple):
        partial = p.state.answers.get(f"{question}.partial", ())
        left = [c for c in wanted if c not in (partial if isinstance(partial, tuple) else ())]
        return Choice(left[0] if left else "done", p.state.version)
    if p.typed and wanted in TYPED.get(question, {}):
        return Text(TYPED[question][wanted])
    return Choice(wanted, p.state.version)


def tap(p: Participant, prefix: str, last: bool = False) -> Choice:
    """A tap on a button (the first or last whose id starts with `prefix`) just shown."""
    assert p.last is not None
    ids = [o.id for r in p.last.replies for o in r.choices if o.id.startswith(prefix)]
    ids = [i for i in ids if i != "goal:other"]  # a goal on this pathway, not another pathway
    assert ids, (prefix, [r.text[:60] for r in p.last.replies])
    return Choice(ids[-1] if last else ids[0], p.state.version)


class World:
    """All participants, one store, one clock; their days, then the check-in sweep, day by day.

    Every turn is the engine's. A participant's turns of one day are committed together, as
    one turn with every effect in order and the last turn's replies: the store is left as the
    turns one by one would leave it (the same last state, the same check-ins scheduled or
    cancelled, the same forgetting; only the outbox holds fewer messages, which no figure
    reads), at a third of the cost. A check-in and the answer to it are turns of their own.
    """

    def __init__(self, store: Store, people: list[Participant]) -> None:
        self.store = store
        self.people = {p.user_id: p for p in people}

    def step(self, p: Participant, event: Event, at: datetime) -> None:
        """One engine turn of the participant (kept until `save`)."""
        turn = handle(p.state, event, at)
        assert not turn.error, turn.error
        p.unsaved.append((turn, event_text(event), at))
        p.state, p.last = turn.state, turn
        p.forgotten = p.forgotten or any(isinstance(e, ForgetUser) for e in turn.effects)

    async def save(self, p: Participant) -> None:
        """Commit the participant's turns since the last save, as the bot commits a turn."""
        if not p.unsaved:
            return
        turns, p.unsaved = p.unsaved, []
        last, text, at = turns[-1]
        merged = Turn(last.state, last.replies, tuple(e for t, _, _ in turns for e in t.effects))
        await self.store.commit_turn(
            user_id=p.user_id,
            chat_id=p.user_id,
            turn=merged,
            update_id=None,
            user_text=text,
            now=at,
        )
        for prompt in p.prompts:  # the store marks every prompt sent before as answered
            prompt.answered = True
        p.blocked = False  # and writing again unblocks
        if p.forgotten:
            p.prompts = []

    async def checkin(self, p: Participant, row: CheckinRow, at: datetime) -> None:
        """A claimed check-in, run and committed as the sweeper does."""
        turn = handle(p.state, CheckinDue(row.kind, row.milestone_id), at)
        assert not turn.error, turn.error
        await self.store.commit_turn(
            user_id=p.user_id,
            chat_id=p.user_id,
            turn=turn,
            update_id=None,
            user_text=None,
            now=at,
            checkin_id=row.id,
        )
        if turn.replies:  # a check-in that sent nothing is not counted as sent
            p.prompts.append(Prompt(at))
        p.state, p.last = turn.state, turn

    async def act(self, p: Participant, action: str, at: datetime) -> None:
        """One step of the participant's timetable (one or more turns)."""
        if action == "start":
            self.step(p, Command("start", p.referral), at)
        elif action in ("intake", "intake-half"):
            budget = 5 if action == "intake-half" else 99
            while budget and p.state.pending and p.state.pending.startswith("q:"):
                self.step(p, answer(p), at)
                budget -= 1
        elif action == "pick":
            self.step(p, tap(p, "pick:", last=p.user_id % 3 == 0), at)
        elif action == "select":
            self.step(p, tap(p, "sel:yes"), at)
        elif action == "goal" and p.state.pending == "goal":
            self.step(p, tap(p, "goal:", last=p.user_id % 2 == 0), at)
        elif action == "plan":
            self.step(p, tap(p, "plan:yes"), at)
        elif action == "cadence":
            self.step(p, tap(p, "cad:weekly" if p.user_id % 2 else "cad:biweekly"), at)
            self.step(p, tap(p, "hour:"), at)
        elif action == "pause":
            self.step(p, Command("pause"), at)
            self.step(p, tap(p, "pause:"), at)
        elif action == "leave":
            self.step(p, Command("leave"), at)
            self.step(p, tap(p, "exit:"), at)
        elif action == "forget":
            self.step(p, Command("forget"), at)
            self.step(p, tap(p, "yes"), at)
        elif action == "block":  # Telegram answered 403: they blocked the bot
            await self.save(p)
            await self.store.mark_inactive(p.user_id, at)
            p.blocked = True
        elif action == "progress":
            self.step(p, Command("progress"), at)
        elif action == "reply" and p.state.pending == "checkin" and not p.blocked:
            self.step(p, tap(p, "ci:done" if p.user_id % 5 else "ci:working"), at)

    async def day(self, number: int, rng: random.Random) -> None:
        """Everyone's actions for the day (users at once), then the check-in sweep."""
        morning = START + timedelta(days=number)

        async def run(p: Participant, actions: list[str]) -> None:
            for i, action in enumerate(actions):
                if not p.forgotten:
                    await self.act(p, action, morning + timedelta(minutes=i))
            await self.save(p)

        today = [(p, p.days[number]) for p in self.people.values() if number in p.days]
        await asyncio.gather(*(run(p, actions) for p, actions in today))
        evening = morning + timedelta(hours=8)
        claimed = await self.store.claim_due_checkins(evening, 10_000)
        await asyncio.gather(*(self.checkin(self.people[c.user_id], c, evening) for c in claimed))
        for c in claimed:
            p = self.people[c.user_id]
            if p.state.pending == "checkin" and rng.random() < p.answer_rate and not p.blocked:
                p.plan(number + 1, "reply")


@dataclass(frozen=True)
class Population:
    """The database file and every participant's final state."""

    path: Path
    people: tuple[Participant, ...]

    @property
    def stored(self) -> Iterator[Participant]:
        """Participants the store still holds (everyone but the forgotten)."""
        return (p for p in self.people if not p.forgotten)


async def build(path: Path) -> Population:
    """Create the referral codes and run every participant's days through engine and store."""
    rng = random.Random(2026)
    people = [make_participant(n, rng) for n in range(USERS)]
    store = await Store.open(path)
    try:
        for code, name in CODES.items():
            await store.add_referral_code(code, name, created_by=1, now=START)
        world = World(store, people)
        for number in range(DAYS):
            await world.day(number, rng)
    finally:
        await store.close()
    return Population(path, tuple(people))


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    """The seeded population, built once for this module."""
    path = tmp_path_factory.mktemp("stats") / "pathways.db"
    return asyncio.run(build(path))


@pytest.fixture(scope="module")
def population_pg(population: Population, pg_server: PgServer) -> str:
    """The same population in PostgreSQL (copied as `python -m bot migrate-db` does)."""
    url = pg_server.new_database()
    copying = copy_database(f"sqlite:///{population.path}", url)
    with ThreadPoolExecutor(1) as thread:  # (asked for from inside the event loop of a test)
        thread.submit(asyncio.run, copying).result()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, population: Population) -> AsyncIterator[Storage]:
    """The population's store, opened for one test: the SQLite file, or its PostgreSQL copy."""
    opened: Storage
    if request.param == "postgresql":
        opened = await PgStore.open(request.getfixturevalue("population_pg"))
    else:
        opened = await Store.open(population.path)
    yield opened
    await opened.close()


# ---- what the figures should be, from the participants' own states --------------------------


def expected_group(p: Participant) -> str:
    """The /stats row a participant belongs in, from their state and the block flag."""
    if p.blocked:
        return "inactive"
    if p.state.status is not Status.ACTIVE:
        return str(p.state.status)
    return str(p.state.phase)


def in_local_month(day: date | None, now: datetime) -> bool:
    local = now.astimezone(TZ)
    return day is not None and (day.year, day.month) == (local.year, local.month)


def in_local_month_at(moment: datetime, now: datetime) -> bool:
    a, b = moment.astimezone(TZ), now.astimezone(TZ)
    return (a.year, a.month) == (b.year, b.month)


# ---- the population itself is varied (else the checks below prove little) ------------------


def test_the_population_reaches_every_phase_and_behaviour(population: Population) -> None:
    people = list(population.stored)
    groups = {expected_group(p) for p in people}
    assert {
        "intake",
        "recommendations",
        "selection",
        "goals",
        "plan",
        "engaged",
        "paused",
        "exited",
        "inactive",
    } <= groups
    assert sum(p.forgotten for p in population.people) >= 20
    assert {p.state.entry_step for p in people if p.state.pathway_id} >= {1, 2, 3, 4}
    assert {p.state.pathway_id for p in people} >= {"it", "manufacturing", None}
    assert sum(m.done for p in people for m in p.state.milestones) >= 100
    prompts = [x for p in people for x in p.prompts]
    assert len(prompts) >= 500 and 0 < sum(x.answered for x in prompts) < len(prompts)
    came_back = [p for p in people if p.stop == "blocked, came back" and not p.blocked]
    assert came_back  # they wrote again after blocking: active once more
    assert any(
        p.state.plan_made_on and p.state.started_on and p.state.plan_made_on > p.state.started_on
        for p in people
    )


# ---- /stats ---------------------------------------------------------------------------------


async def test_every_figure_matches_the_participants_own_states(
    population: Population, store: Store
) -> None:
    stats = await compute_stats(store, END, TZ)
    people = list(population.stored)

    assert stats.participants == len(people)
    for group in GROUPS:
        assert stats.group(group) == sum(expected_group(p) == group for p in people), group
    assert sum(n for _, n in stats.by_group) == len(people)

    pathways: dict[str, dict[int | None, int]] = {}
    for p in people:
        if p.state.pathway_id:
            steps = pathways.setdefault(p.state.pathway_id, {})
            steps[p.state.entry_step] = steps.get(p.state.entry_step, 0) + 1
    assert {c.pathway_id: dict(c.by_step) for c in stats.by_pathway} == pathways
    assert all(c.total == sum(pathways[c.pathway_id].values()) for c in stats.by_pathway)

    done = [m.done_on for p in people for m in p.state.milestones if m.done_on]
    assert stats.done_this_month == sum(in_local_month(d, END) for d in done)
    assert 0 < stats.done_this_month < len(done)

    prompts = [x for p in people for x in p.prompts]
    assert stats.checkins == Checkins(len(prompts), sum(x.answered for x in prompts))
    month = [x for x in prompts if in_local_month_at(x.done_at, END)]
    assert stats.checkins_month == Checkins(len(month), sum(x.answered for x in month))

    days = [
        (p.state.plan_made_on - p.state.started_on).days
        for p in people
        if p.state.plan_made_on and p.state.started_on
    ]
    assert stats.plans == len(days)
    assert stats.median_days_to_plan == statistics.median(days)


async def test_referral_codes_are_counted_with_the_names_admins_gave_them(
    population: Population, store: Store
) -> None:
    stats = await compute_stats(store, END, TZ)
    counts: dict[str, int] = {}
    for p in population.stored:
        counts[p.state.referral] = counts.get(p.state.referral, 0) + 1
    assert {r.code: r.count for r in stats.by_referral} == counts
    names = {r.code: r.name for r in stats.by_referral}
    assert names["wsm_library_3f9a"] == "Portland library"
    assert names["flyer_unknown"] is None and names[""] is None
    assert [r.count for r in stats.by_referral] == sorted(counts.values(), reverse=True)


async def test_the_month_is_the_agencys_local_month(population: Population, store: Store) -> None:
    # 1 Dec 2026, 03:00 UTC is still 30 November in New York: November's figures.
    stats = await compute_stats(store, datetime(2026, 12, 1, 3, tzinfo=UTC), TZ)
    assert stats.month_start == date(2026, 11, 1)
    december = await compute_stats(store, datetime(2026, 12, 1, 5, tzinfo=UTC), TZ)
    assert december.month_start == date(2026, 12, 1)
    assert december.done_this_month == 0 and december.checkins_month == Checkins(0, 0)
    assert stats.done_this_month == (await compute_stats(store, END, TZ)).done_this_month


async def test_the_message_shows_the_figures_in_plain_short_lines(
    population: Population, store: Store
) -> None:
    stats = await compute_stats(store, END, TZ)
    text = format_stats(stats, get_knowledge())
    assert len(text) <= 4096
    assert f"Participants: {stats.participants:,}" in text
    assert f"Engaged (on their plan): {stats.group('engaged'):,}" in text
    assert f"Inactive (blocked the bot): {stats.group('inactive'):,}" in text
    it = next(c for c in stats.by_pathway if c.pathway_id == "it")
    assert f"Information Technology: {it.total:,} (step " in text
    assert "Manufacturing: " in text
    assert f"Milestones done in November 2026: {stats.done_this_month:,}" in text
    assert f"{stats.checkins.answered:,} of {stats.checkins.sent:,} in all" in text
    named = {r.code: r.count for r in stats.by_referral if r.name}
    assert f"wsm_library_3f9a (Portland library): {named['wsm_library_3f9a']:,}" in text
    typed = sum(r.count for r in stats.by_referral if r.code and not r.name)
    assert f"Codes not made with /newcode: {typed:,}" in text
    assert "flyer_unknown" not in text and "hyperlink" not in text  # typed text stays out
    print(text)  # the sample for the README: pytest -s tests/test_stats.py -k plain


# ---- /export --------------------------------------------------------------------------------


async def read_csv(store: Store) -> list[dict[str, str]]:
    data = await export_csv(store, KEY, tz=TZ)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def expected_milestones(state: DialogState) -> str:
    return "; ".join(
        f"{m.title} (by {m.target.isoformat()}"
        + (f", done {m.done_on.isoformat()}" if m.done_on else "")
        + ")"
        for m in state.milestones
    )


async def test_the_export_has_one_matching_row_per_participant(
    population: Population, store: Store
) -> None:
    rows = {r["participant"]: r for r in await read_csv(store)}
    people = list(population.stored)
    assert len(rows) == len(people)
    kb = get_knowledge()
    for p in people:
        row, s = rows[participant_id(p.user_id, KEY)], p.state
        group = expected_group(p)
        status = "inactive" if group == "inactive" else str(s.status)
        assert row["status"] == status and row["phase"] == str(s.phase)
        assert row["pathway"] == (kb.pathway(s.pathway_id).name if s.pathway_id else "")
        assert row["entry_step"] == ("" if s.entry_step is None else str(s.entry_step))
        assert row["milestones_done"] == str(sum(m.done for m in s.milestones))
        assert row["milestones_total"] == str(len(s.milestones))
        assert row["milestones"] == expected_milestones(s)
        assert row["started_on"] == (s.started_on.isoformat() if s.started_on else "")
        assert row["plan_made_on"] == (s.plan_made_on.isoformat() if s.plan_made_on else "")
        assert s.last_seen is not None
        assert row["last_active"] == s.last_seen.astimezone(TZ).date().isoformat()
        if p.user_id != population.people[7].user_id:
            assert row["referral"] == s.referral
            assert row["referral_name"] == (CODES.get(s.referral) or "")


async def test_the_export_names_nobody_by_their_telegram_id(
    population: Population, store: Store
) -> None:
    data = (await export_csv(store, KEY, tz=TZ)).decode("utf-8-sig")
    for p in population.people:
        assert str(p.user_id) not in data
    ids = [r["participant"] for r in await read_csv(store)]
    assert len(set(ids)) == len(ids)
    other = list(
        csv.DictReader(io.StringIO((await export_csv(store, b"another key")).decode("utf-8-sig")))
    )
    assert not set(ids) & {r["participant"] for r in other}  # the key is what links them


async def test_a_spreadsheet_does_not_run_a_referral_as_a_formula(
    population: Population, store: Store
) -> None:
    hostile = population.people[7]
    row = next(
        r for r in await read_csv(store) if r["participant"] == participant_id(hostile.user_id, KEY)
    )
    assert hostile.state.referral.startswith("-")  # from a link the user was given
    assert row["referral"] == "'" + hostile.state.referral


async def test_a_forgotten_participant_is_in_neither_figures_nor_export(
    population: Population, store: Store
) -> None:
    gone = [p for p in population.people if p.forgotten]
    assert gone and all(not p.state.answers and p.stop == "forgotten" for p in gone)
    ids = {r["participant"] for r in await read_csv(store)}
    assert not ids & {participant_id(p.user_id, KEY) for p in gone}
    stats = await compute_stats(store, END, TZ)
    assert stats.participants == USERS - len(gone)
    marks = ",".join("?" * len(gone))
    for table in ("users", "milestones", "checkins"):
        sql = f"SELECT COUNT(*) FROM {table} WHERE user_id IN ({marks})"
        assert await store.read(sql, [p.user_id for p in gone]) == [(0,)], table


async def test_forgetting_one_more_participant_takes_them_out_of_both(
    population: Population, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(population.path.read_bytes())
    engaged = next(p for p in population.stored if expected_group(p) == "engaged")
    store = await Store.open(copy)
    try:
        before = await compute_stats(store, END, TZ)
        state = engaged.state
        for event in (Command("forget"), Choice("yes")):
            event = replace(event, version=state.version) if isinstance(event, Choice) else event
            turn = handle(state, event, END)
            await store.commit_turn(
                user_id=engaged.user_id,
                chat_id=engaged.user_id,
                turn=turn,
                update_id=None,
                user_text=event_text(event),
                now=END,
            )
            state = turn.state
        after = await compute_stats(store, END, TZ)
        rows = await read_csv(store)
    finally:
        await store.close()
    assert after.participants == before.participants - 1
    assert after.group("engaged") == before.group("engaged") - 1
    assert after.checkins.sent == before.checkins.sent - len(engaged.prompts)
    assert participant_id(engaged.user_id, KEY) not in {r["participant"] for r in rows}


# ---- small parts ----------------------------------------------------------------------------


async def test_an_empty_agency_gets_zeros_and_no_median(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "empty.db")
    try:
        stats = await compute_stats(store, END, TZ)
        data = await export_csv(store, KEY)
    finally:
        await store.close()
    assert stats.participants == 0 and stats.median_days_to_plan is None
    assert all(n == 0 for _, n in stats.by_group) and len(stats.by_group) == len(GROUPS)
    text = format_stats(stats)
    assert "no plans yet" in text and "none sent yet" in text
    assert data.decode("utf-8-sig").splitlines() == [
        "participant,status,phase,pathway,entry_step,milestones_done,milestones_total,"
        "started_on,plan_made_on,last_active,referral,referral_name,milestones"
    ]


@pytest.mark.parametrize(
    ("counts", "median"),
    [
        ([], None),
        ([(5, 1)], 5),
        ([(1, 1), (3, 1)], 2),
        ([(0, 3), (10, 1)], 0),
        ([(9, 2), (2, 2)], 5.5),
        ([(4, 1), (1, 2), (7, 2)], 4),
    ],
)
def test_median_from_a_histogram(counts: list[tuple[int, int]], median: float | None) -> None:
    assert median_of_counts(counts) == median
    values = [v for v, n in counts for _ in range(n)]
    assert median is None or statistics.median(values) == median


def test_month_bounds_cross_the_year_and_keep_local_midnight() -> None:
    start, after = month_bounds(datetime(2027, 1, 1, 2, tzinfo=UTC), TZ)  # 31 Dec, 21:00 local
    assert (start.date(), after.date()) == (date(2026, 12, 1), date(2027, 1, 1))
    assert after.astimezone(UTC) == datetime(2027, 1, 1, 5, tzinfo=UTC)
    start, _ = month_bounds(datetime(2026, 11, 15, tzinfo=UTC), TZ)
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 4, tzinfo=UTC)  # after DST ended


def test_many_referral_codes_still_fit_one_telegram_message() -> None:
    codes = tuple(ReferralCount(f"code_{'x' * 60}_{i}", "n" * 80, 1000 - i) for i in range(400))
    codes += (ReferralCount("typed by someone", None, 3), ReferralCount("", None, 7))
    stats = Stats(
        at=END,
        month_start=date(2026, 11, 1),
        participants=sum(r.count for r in codes),
        by_group=tuple((g, 1) for g in GROUPS),
        by_pathway=(PathwayCount("it", 5, ((2, 3), (None, 2))), PathwayCount("gone", 1, ())),
        done_this_month=3,
        checkins=Checkins(10, 4),
        checkins_month=Checkins(0, 0),
        median_days_to_plan=1,
        plans=1,
        by_referral=codes,
    )
    text = format_stats(stats)
    assert len(text) <= 4096
    assert "385 more codes: " in text and "typed" not in text
    assert "Codes not made with /newcode: 3" in text and "No code: 7" in text
    assert "Days from first message to plan: 1 day (median of 1 plans)" in text
    assert "gone: 1" in text  # a pathway no longer in the knowledge is shown by its id
    assert replace(stats, by_referral=()).by_referral == ()
