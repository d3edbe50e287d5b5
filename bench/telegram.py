"""The bot through the fake Telegram over loopback: reply latency and turns a second.

The fake and the simulated users run in this process; the bot runs in a child process with a
SQLite file that already holds 100,000 users (bench/store.py's seed). Measured:

1. Update -> reply latency: each user types the intake's next answer every few seconds; the
   time from the update reaching the fake to the bot's first reply message reaching it. At
   100 updates a second with the bot's overall send limit lifted: Telegram allows a bot about
   30 messages a second and the bot keeps to that (AIORateLimiter), so 100 replies a second
   would only measure the queue (a bot with paid broadcasts may send more). And at 25 a second
   with production settings. Per-chat pacing stays on in both.
2. The highest sustained rate of durable turns: offered rates go up step by step; a turn
   counts when its commit (state, answer, outbox rows, update id in one transaction) returns.
   Production settings: the replies queue in the outbox and leave at 30 a second.
3. Baseline, same run: the same intake on python-telegram-bot's ConversationHandler with
   PicklePersistence holding 100,000 users (written only at exit here: PTB's default instead
   rewrites the whole file once per changed user every 60 s), and PicklePersistence's flush
   of those users (bench/store.py's bench_pickle).
4. The bot's memory (peak RSS) with 100,000 stored users.

Prints figures; `--profile` adds where the bot's main thread spends its time in step 2.
Run from the repository root: .venv/bin/python bench/telegram.py [--users 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import importlib
import io
import json
import logging
import os
import pickle
import pstats
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# This file is named telegram.py, and a script's folder comes first on sys.path: its folder
# must not shadow python-telegram-bot's `telegram`, here or in the other bench/ scripts.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]
if __name__ == "telegram":  # another bench/ script meant python-telegram-bot: hand it over
    del sys.modules["telegram"]
    sys.modules["telegram"] = importlib.import_module("telegram")
else:
    from bench.store import bench_pickle, seed, typical_state
    from tests.bot_process import SCRIPT, bot_env
    from tests.fake_telegram import FakeTelegram, FakeUser

LATENCY_RATE = 100
CALM_RATE = 25
"""Updates a second below Telegram's ~30 messages a second: replies need no queueing."""
LATENCY_SECONDS = 10.0
USER_GAP = 3.0
"""Seconds between one simulated user's messages (per-chat pacing never delays a reply)."""
RAMP = (100, 200, 300, 500, 750, 1000, 1500, 2000, 3000)
RAMP_SECONDS = 3.0
SUSTAINED = 0.95
"""A rate is sustained when this share of its turns is committed within its window + 0.5 s."""


# ---- the bots (each in a child process) ----------------------------------------------------


def _rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _thread_cpu() -> dict[str, float]:
    """CPU seconds per live thread of this process, by thread name."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        name = names.get(int(task.name), "other")
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return found


class GcPauses:
    """Garbage collector pauses of this process: (generation, seconds) each."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))


async def _until_sigterm() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


async def ours(report: Path, *, send_limit: bool, profile: bool) -> None:
    """The Pathways bot (start_for_tests: long polling), its commits timed."""
    from bot.__main__ import freeze_startup_objects
    from bot.config import load_settings
    from bot.telegram.app import parts, start_for_tests, stop_for_tests

    freeze_startup_objects()  # as `python -m bot` does
    app = await start_for_tests(load_settings(env_file=None))
    pauses = GcPauses()
    if not send_limit:
        app.bot._rate_limiter = None  # bench only: lift the ~30 messages/s overall limit
    store = parts(app).store
    commit = store.commit_turn
    commits: list[tuple[int, float, float]] = []

    async def timed(**kwargs: Any) -> Any:
        started = time.perf_counter()
        rows = await commit(**kwargs)
        commits.append((kwargs["update_id"] or 0, time.time(), time.perf_counter() - started))
        return rows

    setattr(store, "commit_turn", timed)  # noqa: B010 (a bench probe on one instance)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    await _until_sigterm()
    if profiler is not None:
        profiler.disable()
    cpu = _thread_cpu()
    await stop_for_tests(app)
    top = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(15)
        top = out.getvalue()
    figures = {
        "done": commits,
        "rss": _rss_mb(),
        "threads": cpu,
        "profile": top,
        "gc": pauses.pauses,
    }
    await asyncio.to_thread(report.write_text, json.dumps(figures))


def intake_questions() -> list[tuple[str, list[str]]]:
    """The intake's questions (text and button labels), for the baseline bot."""
    from dialogs.flow import intake_flow

    return [(q.text, [c.label for c in q.choices]) for q in intake_flow().questions]


async def baseline(report: Path, pickle_path: Path) -> None:
    """The same intake on ConversationHandler + PicklePersistence (PTB's defaults)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import (
        Application,
        CommandHandler,
        ContextTypes,
        ConversationHandler,
        MessageHandler,
        PicklePersistence,
        filters,
    )

    questions = intake_questions()
    done: list[tuple[int, float, float]] = []

    def ask(n: int) -> tuple[str, InlineKeyboardMarkup | None]:
        text, labels = questions[n]
        buttons = [
            [InlineKeyboardButton(label, callback_data=f"{n}:{label}"[:64])] for label in labels
        ]
        return text, InlineKeyboardMarkup(buttons) if buttons else None

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        started = time.perf_counter()
        assert update.message is not None
        text, markup = ask(0)
        await update.message.reply_text("Hi! " + text, reply_markup=markup)
        done.append((update.update_id, time.time(), time.perf_counter() - started))
        return 0

    def answer(n: int) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Any]:
        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            started = time.perf_counter()
            assert update.message is not None and context.user_data is not None
            context.user_data[f"q{n}"] = update.message.text
            nxt = n + 1 if n + 1 < len(questions) else 0
            text, markup = ask(nxt)
            await update.message.reply_text(f"Got it.\n\n{text}", reply_markup=markup)
            done.append((update.update_id, time.time(), time.perf_counter() - started))
            return nxt

        return handle

    states = {
        n: [MessageHandler(filters.TEXT & ~filters.COMMAND, answer(n))]
        for n in range(len(questions))
    }
    intake = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states=states,  # type: ignore[arg-type]
        fallbacks=[CommandHandler("start", start)],
        name="intake",
        persistent=True,
    )
    env = os.environ
    app = (
        Application.builder()
        .token(env["TELEGRAM_BOT_TOKEN"])
        .base_url(env["TELEGRAM_API_URL"])
        .persistence(PicklePersistence(pickle_path, single_file=True, on_flush=True))
        .build()
    )
    app.add_handler(intake)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    pauses = GcPauses()
    await _until_sigterm()
    cpu = _thread_cpu()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    figures = {"done": done, "rss": _rss_mb(), "threads": cpu, "profile": "", "gc": pauses.pauses}
    await asyncio.to_thread(report.write_text, json.dumps(figures))


def seed_pickle(path: Path, users: int) -> None:
    """A PicklePersistence file with `users` users mid-intake (user_data and conversation)."""
    answers = json.loads(typical_state(0).to_json())
    data = {
        "user_data": {uid: dict(answers) for uid in range(1, users + 1)},
        "chat_data": {},
        "bot_data": {},
        "callback_data": None,
        "conversations": {"intake": {(uid, uid): 3 for uid in range(1, users + 1)}},
    }
    with path.open("wb") as file:
        pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)


# ---- the load (this process) ----------------------------------------------------------------


@dataclass(slots=True)
class Load:
    """What was offered: when each update reached the fake, and the replies' latencies."""

    pushed: dict[int, float] = field(default_factory=dict)
    """update_id -> wall-clock time it was queued at the fake."""
    replies: list[float] = field(default_factory=list)
    """Seconds from update to the bot's first reply message in that chat."""
    missing: int = 0


class Bot:
    """One bot child process: ours or the baseline."""

    def __init__(self, fake: FakeTelegram, workdir: Path, kind: str, *extra: str) -> None:
        self.fake, self.kind, self.extra = fake, kind, extra
        self.report = workdir / f"{kind}-{time.monotonic_ns()}.json"
        self.env = bot_env(fake, workdir / "pathways.db", "WARNING")
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Bot:
        command = [__file__, "--child", self.kind, "--report", str(self.report), *self.extra]
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *command, env=self.env, cwd=ROOT
        )
        polls = self.fake.stats.requests["getUpdates"]
        await self.fake.wait_for(lambda: self.fake.stats.requests["getUpdates"] > polls, 60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 120)
            except TimeoutError:
                self.proc.kill()
                raise RuntimeError(f"the {self.kind} bot did not stop within 120 s") from None

    def figures(self) -> dict[str, Any]:
        """What the child wrote at exit."""
        return dict(json.loads(self.report.read_text()))


class Crowd:
    """Simulated users taking turns; each types the intake's answers in order, round and round."""

    def __init__(self, fake: FakeTelegram, size: int) -> None:
        self.fake = fake
        self.users = [fake.user() for _ in range(size)]
        self.steps = [0] * size
        self.turn = 0

    def next(self) -> tuple[FakeUser, str]:
        """The next user to speak and what they type."""
        n = self.turn % len(self.users)
        self.turn += 1
        text = SCRIPT[self.steps[n] % len(SCRIPT)][0]
        self.steps[n] += 1
        return self.users[n], text


async def _reply(user: FakeUser, before: int, pushed: float, load: Load, timeout: float) -> None:
    """Record the time until the chat has more than `before` bot messages."""
    state = user.fake.state.chats[user.id]
    deadline = time.monotonic() + timeout
    while len(user.fake.messages(user.id)) <= before:
        if time.monotonic() > deadline:
            load.missing += 1
            return
        await state.signal.wait(deadline - time.monotonic())
    load.replies.append(time.time() - pushed)


async def offer(crowd: Crowd, rate: float, seconds: float, load: Load, *, replies: bool) -> None:
    """Send `rate` updates a second for `seconds` (and time the replies if asked)."""
    fake = crowd.fake
    waits: list[asyncio.Task[None]] = []
    began, count = time.perf_counter(), int(rate * seconds)
    for n in range(count):
        if (ahead := began + n / rate - time.perf_counter()) > 0:
            await asyncio.sleep(ahead)
        user, text = crowd.next()
        before = len(fake.messages(user.id))
        await user.send(text)
        now = time.time()
        load.pushed[fake.state.updates[-1].update_id] = now
        if replies:
            waits.append(asyncio.create_task(_reply(user, before, now, load, 30.0)))
    await asyncio.gather(*waits)


def ms(values: Sequence[float], q: float) -> float:
    """The q-quantile of seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


@dataclass(frozen=True, slots=True)
class Step:
    """One offered rate and what the bot made of it."""

    offered: int
    achieved: float
    p50: float
    p99: float
    sustained: bool


Backlog = Callable[[int], int]
"""Given how many updates the ramp offered, how many the bot has not handled yet."""


def unconfirmed(fake: FakeTelegram) -> Backlog:
    """Ours: an update is confirmed to the fake only once its turn is committed."""
    return lambda offered: fake.pending_updates


def unanswered(fake: FakeTelegram) -> Backlog:
    """The baseline confirms updates before handling them, and answers each with a message."""
    before = fake.stats.requests["sendMessage"]
    return lambda offered: offered - (fake.stats.requests["sendMessage"] - before)


def caught_up(backlog: Backlog, offered: int) -> bool:
    """Whether the bot has handled everything offered."""
    return backlog(offered) <= 0


async def ramp(fake: FakeTelegram, backlog: Backlog) -> list[tuple[int, Load]]:
    """Offer each rate of RAMP in turn, waiting for the backlog to clear between steps; stop
    after a step the bot fell far behind in."""
    crowd, loads, offered = Crowd(fake, int(max(RAMP) * USER_GAP / 2)), [], 0
    for rate in RAMP:
        load = Load()
        await offer(crowd, rate, RAMP_SECONDS, load, replies=False)
        loads.append((rate, load))
        offered += len(load.pushed)
        behind = backlog(offered) > len(load.pushed) / 2
        with contextlib.suppress(TimeoutError):
            await fake.wait_for(partial(caught_up, backlog, offered), 60)
        await asyncio.sleep(0.5)
        if behind:
            break
    return loads


def score(loads: list[tuple[int, Load]], done: list[tuple[int, float, float]]) -> list[Step]:
    """Each step's achieved rate and update -> commit times, from the bot's own record."""
    at = {update_id: when for update_id, when, _ in done}
    steps = []
    for rate, load in loads:
        first = min(load.pushed.values())
        lags = [at[u] - t for u, t in load.pushed.items() if u in at]
        in_time = sum(at.get(u, 1e18) <= first + RAMP_SECONDS + 0.5 for u in load.pushed)
        last = max((at[u] for u in load.pushed if u in at), default=first)
        achieved = len(lags) / max(last - first, RAMP_SECONDS)
        sustained = in_time >= SUSTAINED * len(load.pushed)
        steps.append(Step(rate, achieved, ms(lags, 0.5), ms(lags, 0.99), sustained))
    return steps


async def latency(fake: FakeTelegram, rate: int) -> Load:
    """Reply latency at `rate` updates a second, for LATENCY_SECONDS."""
    crowd, load = Crowd(fake, int(rate * USER_GAP)), Load()
    await offer(crowd, rate, LATENCY_SECONDS, load, replies=True)
    return load


@dataclass(slots=True)
class Side:
    """One bot's run: latencies at two rates, the ramp, and what its processes reported."""

    fast: Load
    calm: Load
    steps: list[Step]
    fast_bot: dict[str, Any]
    ramp_bot: dict[str, Any]


async def measure(kind: str, workdir: Path, *extra: str) -> Side:
    """Latency at 100/s (send limit lifted), then at 25/s and the ramp (production settings);
    one fake, so update ids keep counting up across the two children."""
    async with FakeTelegram() as fake:
        fake.server.record_calls = False
        async with Bot(fake, workdir, kind, "--no-send-limit", *extra) as bot:
            fast = await latency(fake, LATENCY_RATE)
        fast_bot = bot.figures()
        async with Bot(fake, workdir, kind, *extra) as bot:
            calm = await latency(fake, CALM_RATE)
            loads = await ramp(fake, (unconfirmed if kind == "ours" else unanswered)(fake))
        ramp_bot = bot.figures()
    return Side(fast, calm, score(loads, ramp_bot["done"]), fast_bot, ramp_bot)


# ---- report ----------------------------------------------------------------------------------


def print_side(name: str, side: Side) -> float:
    """One bot's figures; returns its highest sustained rate."""
    print(name)
    for rate, load, note in (
        (LATENCY_RATE, side.fast, "send limit lifted"),
        (CALM_RATE, side.calm, "production settings"),
    ):
        print(
            f"  update -> reply at {rate:3}/s ({note}): p50 {ms(load.replies, 0.5):6.1f} ms, "
            f"p99 {ms(load.replies, 0.99):6.1f} ms, max {ms(load.replies, 1):6.1f} ms "
            f"({len(load.replies)} replies, {load.missing} missing)"
        )
    turns = [took for _, _, took in side.fast_bot["done"]]
    print(
        f"  turn inside the bot at {LATENCY_RATE}/s: p50 {ms(turns, 0.5):.2f} ms, "
        f"p99 {ms(turns, 0.99):.2f} ms"
    )
    best = 0.0
    for step in side.steps:
        mark = "sustained" if step.sustained else "falls behind"
        print(
            f"  offered {step.offered:5}/s -> {step.achieved:6,.0f} turns/s   update -> done "
            f"p50 {step.p50:7.1f} ms  p99 {step.p99:7.1f} ms   {mark}"
        )
        if step.sustained:
            best = max(best, step.achieved)
    rss = max(side.fast_bot["rss"], side.ramp_bot["rss"])
    peak = max((step.achieved for step in side.steps), default=0.0)
    print(f"  highest sustained: {best:,.0f} turns/s (peak {peak:,.0f}); peak RSS {rss:.0f} MB")
    for label, found in (("100/s run", side.fast_bot), ("ramp run", side.ramp_bot)):
        threads = ", ".join(f"{k} {v:.1f} s" for k, v in found["threads"].items())
        print(f"  CPU by thread, {label}: {threads}")
        full = [seconds for generation, seconds in found["gc"] if generation == 2]
        print(
            f"    garbage collector: {len(found['gc'])} pauses, "
            f"{sum(s for _, s in found['gc']):.2f} s in all; {len(full)} full, "
            f"longest {max(full, default=0) * 1000:.0f} ms"
        )
    return best


async def main(users: int, profile: bool, baseline_too: bool) -> None:
    """Seed, measure ours and the baseline, print."""
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    print(f"bench/telegram.py  {datetime.now(UTC):%Y-%m-%d}  {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seconds = await prepare_db(workdir / "pathways.db", users)
        print(f"seeded {users:,} stored users in {seconds:.1f} s")
        ours = await measure("ours", workdir, *(("--profile",) if profile else ()))
        best = print_side("Pathways bot (SQLite, a durable commit per turn):", ours)
        for label, found in (("100/s run", ours.fast_bot), ("ramp run", ours.ramp_bot)):
            if found["profile"]:
                print(f"where the bot's main thread spent its time, {label}:")
                print(found["profile"])
        if baseline_too:
            await compare(workdir, users, ours, best)


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs > 0 else "baseline sustained none of the rates"


async def compare(workdir: Path, users: int, ours: Side, best: float) -> None:
    """The baseline bot, PicklePersistence's flush, and the ratios."""
    pickle_path = workdir / "ptb.pickle"
    seed_pickle(pickle_path, users)
    base = await measure("baseline", workdir, "--pickle", str(pickle_path))
    title = f"Baseline: ConversationHandler + PicklePersistence, {users:,} users (not durable):"
    base_best = print_side(title, base)
    flush = await bench_pickle(workdir, users)
    commit_p99 = ms([t for _, _, t in ours.fast_bot["done"]], 0.99)
    fast, base_fast = ms(ours.fast.replies, 0.99), ms(base.fast.replies, 0.99)
    print("ratios, Pathways against the baseline:")
    print(f"  reply p99 at {LATENCY_RATE}/s: {fast:.1f} ms vs {base_fast:.1f} ms", end="")
    print(f" ({base_fast / max(fast, 1e-9):.2f}x); sustained turns/s: {best:,.0f} vs", end="")
    print(f" {base_best:,.0f} ({_ratio(best, base_best)})")
    print(
        f"  store commit p99 at {LATENCY_RATE}/s {commit_p99:.2f} ms vs PicklePersistence's flush"
        f" of {users:,} users {flush * 1000:,.0f} ms: {flush * 1000 / commit_p99:,.0f}x"
    )
    print(
        "  (PTB's default on_flush=False rewrites the whole file once per changed user at each"
        f" persistence tick: {flush:,.1f} s per user changed; this baseline flushes only at exit)"
    )


async def prepare_db(path: Path, users: int) -> float:
    """Migrate, seed `users` users, and move their check-ins a month ahead (none due now)."""
    from bot.storage.sqlite import Store

    store = await Store.open(path)
    await store.close()
    seconds = seed(path, users)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE checkins SET due_at = ? + id", (int(time.time()) + 30 * 86400,))
    return seconds


def child(args: argparse.Namespace) -> None:
    """Run one bot until SIGTERM, then write its figures."""
    logging.basicConfig(level=logging.WARNING)
    if args.child == "ours":
        asyncio.run(ours(args.report, send_limit=not args.no_send_limit, profile=args.profile))
    else:
        asyncio.run(baseline(args.report, args.pickle))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="stored users")
    parser.add_argument("--profile", action="store_true", help="profile the bot in the ramp")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--child", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pickle", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-send-limit", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        asyncio.run(main(args.users, args.profile, not args.no_baseline))
