"""Round trips per second and latency of user text -> bot reply through the fake Telegram.

The fake and the simulated users run in this process; each bot runs in its own process:
a bare aiohttp echo bot (the baseline, close to free, so it shows what the fake itself costs)
and the python-telegram-bot echo bot (HTML reply with an inline button, as in the smoke tests).
Prints round trips/s, p50 / p99 / max latency in ms, and the fake's CPU time per round trip
(users included) with the round trips one core of fake could serve. Goal: the fake is never
the bottleneck, at least 2,000 round trips a second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_telegram import FakeTelegram, FakeUser  # noqa: E402

WARMUP = 1.0
SECONDS = 4.0
LOADS = (("bare", "bare aiohttp bot (baseline)", 200), ("ptb", "python-telegram-bot echo bot", 32))


# ---- the bots (each runs in a child process) ----------------------------------------------------


async def bare_bot(api: str, token: str) -> None:
    """Long-poll and answer each text with sendMessage, nothing else."""
    import aiohttp

    tasks: set[asyncio.Task[Any]] = set()

    async def reply(session: aiohttp.ClientSession, message: dict[str, Any]) -> None:
        body = {"chat_id": message["chat"]["id"], "text": "echo: " + message["text"]}
        async with session.post(f"{api}{token}/sendMessage", json=body) as response:
            await response.read()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
        offset = 0
        while True:
            poll = {"offset": offset, "timeout": 10}
            async with session.post(f"{api}{token}/getUpdates", json=poll) as response:
                updates = (await response.json())["result"]
            for update in updates:
                offset = update["update_id"] + 1
                task = asyncio.create_task(reply(session, update["message"]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)


def ptb_bot(api: str, token: str, concurrency: int) -> None:
    """The python-telegram-bot echo bot, handling updates concurrently."""
    import html

    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    again = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        text = f"<b>You said:</b> {html.escape(update.message.text)}"
        await update.message.reply_text(text, parse_mode="HTML", reply_markup=again)

    builder = Application.builder().token(token).base_url(api)
    app = builder.concurrent_updates(concurrency).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0, timeout=10)


# ---- the load (this process) --------------------------------------------------------------------


async def talk(user: FakeUser, until: float, latencies: list[tuple[float, float]]) -> None:
    """One user sending and waiting for the reply, again and again."""
    while (start := time.perf_counter()) < until:
        await user.send("hello there")
        await user.next_reply(timeout=60)
        latencies.append((start, time.perf_counter() - start))


async def measure(kind: str, users: int) -> tuple[list[float], float]:
    """Latencies of the measured round trips and the fake's CPU seconds meanwhile."""
    async with FakeTelegram() as fake:
        fake.server.record_calls = False
        env = {**os.environ, "TELEGRAM_API_URL": fake.base_url, "TELEGRAM_BOT_TOKEN": fake.token}
        command = [__file__, "--bot", kind, "--concurrency", str(users)]
        bot = await asyncio.create_subprocess_exec(
            sys.executable, *command, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            await fake.wait_for(lambda: fake.stats.requests["getUpdates"], timeout=30)
            people = [fake.user() for _ in range(users)]
            latencies: list[tuple[float, float]] = []
            begin = time.perf_counter()
            talking = asyncio.gather(
                *(talk(p, begin + WARMUP + SECONDS, latencies) for p in people)
            )
            await asyncio.sleep(WARMUP)
            cpu = time.process_time()
            await talking
            cpu = time.process_time() - cpu
        finally:
            bot.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.wait(), 10)
        assert fake.stats.sent_429 == 0
    return [took for start, took in latencies if start >= begin + WARMUP], cpu


def report(name: str, users: int, latencies: list[float], cpu: float) -> float:
    """Print one bot's figures; return the fake's CPU seconds per round trip."""
    ms = sorted(x * 1000 for x in latencies)
    per_trip = cpu / len(ms)
    print(f"{name}: {users} users talking at once, {len(ms):,} round trips in {SECONDS:.0f} s")
    print(
        f"  {len(ms) / SECONDS:8,.0f} round trips/s   p50 {statistics.median(ms):7.1f} ms   ",
        end="",
    )
    print(f"p99 {ms[int(len(ms) * 0.99) - 1]:7.1f} ms   max {ms[-1]:7.1f} ms")
    print(f"  fake (users included): {per_trip * 1e6:5.0f} µs CPU per round trip, ", end="")
    print(f"busy {cpu / SECONDS:4.0%} of one core")
    return per_trip


async def main() -> None:
    """Measure the baseline bot and the PTB bot against the fake; print both."""
    print(f"fake Telegram bench: {os.cpu_count()} CPUs, {WARMUP:.0f} s warm-up per bot")
    costs = []
    for kind, name, users in LOADS:
        latencies, cpu = await measure(kind, users)
        costs.append(report(name, users, latencies, cpu))
    print(f"one core of fake serves {1 / costs[0]:,.0f} round trips/s (goal >= 2,000)")
    if importlib.util.find_spec("sniffio") is None:
        print("note: sniffio is not installed, so httpcore retries `import sniffio` on every")
        print("      request; with it, the PTB bot made about 2.4x more round trips here.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bot", choices=["bare", "ptb"], help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=32, help=argparse.SUPPRESS)
    args = parser.parse_args()
    api, token = os.environ.get("TELEGRAM_API_URL", ""), os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if args.bot == "bare":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(bare_bot(api, token))
    elif args.bot == "ptb":
        ptb_bot(api, token, args.concurrency)
    else:
        asyncio.run(main())
