"""The bot as a child process (`python -m bot`) talking to a fake Bot API in this process.

Used by the crash tests and bench/crash.py: scripted users converse through the fake while
the bot is killed and restarted; afterwards the SQLite file and the fake's record of sent
messages show whether any answer was lost and whether any reply was lost or sent twice.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import signal
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.telegram.render import messages
from dialogs.state import Reply
from tests.fake_telegram import FakeTelegram, FakeUser, Message

REPO = Path(__file__).resolve().parent.parent
SCRIPT: tuple[tuple[str, str], ...] = (
    ("/start", "highest school"),
    ("ged", "How easy is English"),
    ("ok", "How do you use computers"),
    ("word and excel", "What work have you done"),
    ("retail", "What kind of work"),
    ("computers", "18 or older"),
    ("yes", "need help with"),
    ("no help needed", "job right away"),
    ("no", "hours a week"),
    ("15", "Which pathway"),
    ("choose it", "Is this your choice"),
    ("yes", "long-term goal"),
    ("step 4", "Does this plan look OK"),
    ("looks good", "How often"),
    ("every 2 weeks", "time of day"),
    ("evening", "I will check in"),
)
"""The intake typed answer by answer, each with words only the reply to it contains."""
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
FILE = "\x00file:"
"""With `photo` or `document`, stands for a file in a message sequence (captions not compared)."""
DOCUMENTS = frozenset({"calendar"})
"""Attachment kinds sent as documents; the others (roadmap, comparison) are pictures."""


WEBHOOK_SECRET = "test-webhook-secret_0123456789"


def webhook_env(port: int) -> dict[str, str]:
    """Settings that make the bot take updates on a webhook at 127.0.0.1:`port`."""
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LISTEN_HOST": "127.0.0.1",
        "LISTEN_PORT": str(port),
    }


def bot_env(fake: FakeTelegram, db: Path, log_level: str = "WARNING") -> dict[str, str]:
    """The environment of a bot process that uses `fake` and the SQLite file `db`."""
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        TELEGRAM_FILE_URL=fake.file_url,
        DATABASE_PATH=str(db),
        LOG_LEVEL=log_level,
    )
    return env


class BotProcess:
    """One `python -m bot` child at a time: start, wait until it polls, kill or terminate."""

    def __init__(
        self,
        fake: FakeTelegram,
        db: Path,
        log: Path,
        log_level: str = "WARNING",
        webhook_port: int | None = None,
    ):
        self.fake, self.db, self.log = fake, db, log
        self.env = bot_env(fake, db, log_level)
        self.webhook = webhook_port is not None
        if webhook_port is not None:
            self.env.update(webhook_env(webhook_port))
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.started: float | None = None
        """When the running child was spawned, until someone saw it poll."""
        self.started_polls = 0

    async def start(self) -> None:
        """Start the bot (its output goes to the log file, appended)."""
        if self.proc is not None and self.proc.returncode is None:
            raise RuntimeError("the bot is already running")
        with self.log.open("ab") as out:
            out.write(f"---- start {self.starts + 1}\n".encode())
            out.flush()
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.db.parent,  # no stray .env from the repository is read
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        self.starts += 1
        self.started = time.monotonic()
        self.started_polls = self._ready_count()

    def _ready_count(self) -> int:
        """Polls (or webhook settings) the fake has counted: the bot is up once it grows."""
        return self.fake.stats.requests["setWebhook" if self.webhook else "getUpdates"]

    async def polling(self, timeout: float = 20.0, since: int | None = None) -> None:
        """Wait until the bot asks the fake for updates (it is up and taking turns): a poll
        after now, or after the fake had counted `since` polls."""
        seen = self._ready_count() if since is None else since
        await self.fake.wait_for(lambda: self._ready_count() > seen, timeout)

    async def kill(self) -> None:
        """SIGKILL: the bot stops at once, wherever it is."""
        await self._signal(signal.SIGKILL)

    async def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        return await self._signal(signal.SIGTERM, timeout)

    async def _signal(self, sig: signal.Signals, timeout: float = 10.0) -> int:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            raise RuntimeError("the bot is not running")
        proc.send_signal(sig)
        return await asyncio.wait_for(proc.wait(), timeout)

    def tail(self, lines: int = 40) -> str:
        """The end of the bot's output, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def close(self) -> None:
        """Make sure no child is left behind."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


# ---- scripted users -------------------------------------------------------------------------


@dataclass(slots=True)
class Conversation:
    """What one user sent, and which of those answers they saw a reply to."""

    user_id: int
    sent: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)


def _replied(fake: FakeTelegram, chat_id: int, before: int, needle: str) -> bool:
    """Whether a message after the first `before` ones in the chat contains `needle`."""
    found = fake.messages(chat_id)[before:]
    return any(needle.lower() in (m.text or m.caption or "").lower() for m in found)


async def converse(
    fake: FakeTelegram,
    user: FakeUser,
    conversation: Conversation,
    script: Sequence[tuple[str, str]] = SCRIPT,
    timeout: float = 60.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Type each answer and wait for the reply that answers it (never typing anything twice);
    `stop` ends the conversation before the next answer."""
    for text, needle in script:
        if stop is not None and stop.is_set():
            return
        before = len(fake.messages(user.id))
        conversation.sent.append(text)
        await user.send(text)
        await fake.wait_for(partial(_replied, fake, user.id, before, needle), timeout)
        conversation.acknowledged.append(text)


class Traffic:
    """`lanes` users talking at once, each waiting for the reply to an answer before the next;
    a finished conversation is followed by a new user."""

    def __init__(self, fake: FakeTelegram, lanes: int, timeout: float = 60.0) -> None:
        self.fake, self.lanes, self.timeout = fake, lanes, timeout
        self.conversations: list[Conversation] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start the lanes."""
        self._tasks = [asyncio.create_task(self._lane()) for _ in range(self.lanes)]

    async def _lane(self) -> None:
        while not self._stop.is_set():
            user = self.fake.user()
            conversation = Conversation(user.id)
            self.conversations.append(conversation)
            await converse(self.fake, user, conversation, timeout=self.timeout, stop=self._stop)

    async def finish(self) -> None:
        """Stop each lane once its pending answer is replied to (raises a lane's error)."""
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def cancel(self) -> None:
        """Stop the lanes at once."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def failed(self) -> BaseException | None:
        """The first error a lane stopped with, if any."""
        for task in self._tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                return task.exception()
        return None


# ---- what the database and the fake show ----------------------------------------------------


def read_only(db: Path) -> sqlite3.Connection:
    """A read-only connection that leaves the file (and its WAL) as the bot left it."""
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def integrity(db: Path) -> str:
    """PRAGMA integrity_check of the file ('ok' when sound)."""
    with read_only(db) as conn:
        return "\n".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))


def stored_answers(db: Path) -> dict[int, list[str]]:
    """Each user's answers history, in the order it was committed."""
    found: dict[int, list[str]] = {}
    with read_only(db) as conn:
        for user_id, text in conn.execute("SELECT user_id, text FROM answers ORDER BY id"):
            found.setdefault(int(user_id), []).append(str(text))
    return found


def answer_problems(db: Path, conversations: Sequence[Conversation]) -> list[str]:
    """Users whose stored answers miss one they got a reply to, or differ from what they sent."""
    stored = stored_answers(db)
    problems = []
    for c in conversations:
        have = stored.get(c.user_id, [])
        if have[: len(c.acknowledged)] != c.acknowledged:
            problems.append(f"user {c.user_id}: replied to {c.acknowledged}, stored {have}")
        elif have != c.sent[: len(have)]:
            problems.append(f"user {c.user_id}: sent {c.sent}, stored {have}")
    return problems


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A committed reply: its outbox id, chat, and the Telegram messages it becomes."""

    id: int
    chat_id: int
    sent: bool
    parts: tuple[str, ...]


def outbox(db: Path) -> list[OutboxEntry]:
    """Every outbox row, in commit order, with the message texts it renders to."""
    entries = []
    with read_only(db) as conn:
        query = "SELECT id, chat_id, payload_json, sent_at, dropped_at FROM outbox ORDER BY id"
        for row_id, chat_id, payload, sent_at, dropped_at in conn.execute(query):
            if dropped_at is not None:
                continue
            reply = Reply.from_dict(json.loads(payload))
            parts = _parts(reply)
            entries.append(OutboxEntry(int(row_id), int(chat_id), sent_at is not None, parts))
    return entries


def parts_of(reply: Reply) -> tuple[str, ...]:
    """What the users receive for a reply (its texts, or the kind of file)."""
    return _parts(reply)


def _parts(reply: Reply) -> tuple[str, ...]:
    """What the users receive for a reply: its texts, or the kind of file."""
    if reply.attachment is None:
        return tuple(m.text for m in messages(reply, 0))
    return (FILE + ("document" if reply.attachment.kind in DOCUMENTS else "photo"),)


def _signature(message: Message) -> str:
    return FILE + message.file.kind if message.file is not None else (message.text or "")


@dataclass(slots=True)
class DeliveryReport:
    """Committed replies against what the users received."""

    committed: int = 0
    unsent: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: int = 0
    unexplained: list[str] = field(default_factory=list)
    """Duplicates not explained by a kill (at most one in-flight reply per chat per kill)."""


def delivery_report(
    fake: FakeTelegram,
    db: Path | None,
    kill_marks: dict[int, list[int]] | None = None,
    entries: Sequence[OutboxEntry] | None = None,
) -> DeliveryReport:
    """Match each chat's committed replies to its received messages, in order.

    A reply may arrive more than once only when a kill fell between the copies:
    `kill_marks[chat]` holds the number of messages the chat had at each kill. The replies
    are the SQLite file's outbox, or `entries` (read from another database) in commit order.
    """
    report = DeliveryReport()
    by_chat: dict[int, list[OutboxEntry]] = {}
    if entries is None:
        assert db is not None
        entries = outbox(db)
    for entry in entries:
        by_chat.setdefault(entry.chat_id, []).append(entry)
        report.committed += 1
        report.unsent += not entry.sent
    marks = kill_marks or {}
    for chat_id, entries in by_chat.items():
        received = [_signature(m) for m in fake.messages(chat_id)]
        _match_chat(chat_id, entries, received, sorted(marks.get(chat_id, [])), report)
    return report


def _match_chat(
    chat_id: int,
    entries: list[OutboxEntry],
    received: list[str],
    marks: list[int],
    report: DeliveryReport,
) -> None:
    """Walk one chat: each reply arrives as one or more copies of its messages, the last one
    whole (a copy cut short is a send interrupted by a kill), replies in commit order."""
    at = 0
    for n, entry in enumerate(entries):
        parts = list(entry.parts)
        following = entries[n + 1].parts[0] if n + 1 < len(entries) else None
        copies, whole = [], False
        while (length := _common(parts, received[at:])) > 0:
            copies.append(at)
            at += length
            whole = length == len(parts)
            again = at < len(received) and received[at] == parts[0] != following
            if whole and not again:
                break
        if not whole:
            report.lost.append(f"chat {chat_id}: reply {entry.id} {parts[0][:60]!r}")
            continue
        for first, second in itertools.pairwise(copies):
            report.duplicates += 1
            mark = next((m for m in marks if first < m <= second), None)
            if mark is None:
                report.unexplained.append(f"chat {chat_id}: reply {entry.id} {parts[0][:60]!r}")
            else:
                marks.remove(mark)
    if at < len(received):
        report.unexplained.append(f"chat {chat_id}: {len(received) - at} messages nobody sent")


def _common(parts: list[str], received: list[str]) -> int:
    """How many of `parts` the start of `received` matches."""
    n = 0
    while n < len(parts) and n < len(received) and parts[n] == received[n]:
        n += 1
    return n


def mark_kill(fake: FakeTelegram, marks: dict[int, list[int]]) -> None:
    """Note each chat's message count at a kill (a reply in flight may be sent again)."""
    for chat_id in fake.state.chats:
        marks.setdefault(chat_id, []).append(len(fake.messages(chat_id)))


# ---- a whole crash run ----------------------------------------------------------------------


def check_sound(db: Path, traffic: Traffic, bot: BotProcess, when: str) -> None:
    """Raise AssertionError unless the file is intact, every answer a user got a reply to is
    stored (in order, nothing they did not send), and every user got each reply so far."""
    if (found := integrity(db)) != "ok":
        raise AssertionError(f"{when}: integrity_check says {found}")
    if problems := answer_problems(db, traffic.conversations):
        raise AssertionError(f"{when}: {problems[:3]}\n{bot.tail()}")
    if (failed := traffic.failed()) is not None:
        raise AssertionError(f"{when}: a user got no reply: {failed!r}\n{bot.tail()}")


async def settle(bot: BotProcess, traffic: Traffic, db: Path) -> None:
    """Let the users finish their pending answers, stop the bot with SIGTERM, and check that
    every answer sent is stored exactly once."""
    await traffic.finish()
    if (code := await bot.terminate()) != 0:
        raise AssertionError(f"exit code {code} after SIGTERM\n{bot.tail()}")
    stored = stored_answers(db)
    for c in traffic.conversations:
        if stored.get(c.user_id, []) != c.sent:
            raise AssertionError(f"user {c.user_id} sent {c.sent}, stored {stored.get(c.user_id)}")


@dataclass(slots=True)
class CrashRun:
    """What a run of kills and restarts did."""

    kills: int = 0
    startup_kills: int = 0
    starts: list[float] = field(default_factory=list)
    """Seconds from spawning the bot to its first poll, per start that got that far."""
    conversations: list[Conversation] = field(default_factory=list)
    marks: dict[int, list[int]] = field(default_factory=dict)
    seconds: float = 0.0


async def crash_run(
    fake: FakeTelegram,
    workdir: Path,
    *,
    kills: int,
    lanes: int = 4,
    seed: int = 0,
    startup_share: float = 0.2,
) -> CrashRun:
    """Kill the bot `kills` times at random moments while `lanes` users talk to it, checking
    the file and the stored answers after each kill; end with SIGTERM once all are answered.

    A share of the kills falls in start-up (import, migrations, getMe), the rest while the bot
    polls and answers. Raises AssertionError at the first problem.
    """
    rng, run, db = random.Random(seed), CrashRun(), workdir / "pathways.db"
    bot = BotProcess(fake, db, workdir / "bot.log")
    traffic = Traffic(fake, lanes)
    began = time.monotonic()
    try:
        await _start(bot, run)
        traffic.start()
        for n in range(kills):
            if n > 0 and rng.random() < startup_share:
                run.startup_kills += 1
                await asyncio.sleep(rng.uniform(0.0, 1.0))
            else:
                await _polling(bot, run)
                await asyncio.sleep(rng.uniform(0.05, 0.6))
            await bot.kill()
            await asyncio.sleep(0.05)  # let the fake finish a request the bot died sending
            mark_kill(fake, run.marks)
            run.kills += 1
            check_sound(db, traffic, bot, f"after kill {n + 1}")
            await bot.start()
        await _polling(bot, run)
        await settle(bot, traffic, db)
    finally:
        await traffic.cancel()
        await bot.close()
    run.conversations, run.seconds = traffic.conversations, time.monotonic() - began
    return run


async def _start(bot: BotProcess, run: CrashRun) -> None:
    await bot.start()
    await _polling(bot, run)


async def _polling(bot: BotProcess, run: CrashRun) -> None:
    """Wait for the bot's first poll since it was (re)started, timing its start-up."""
    if bot.started is not None:
        await bot.polling(since=bot.started_polls)
        run.starts.append(time.monotonic() - bot.started)
        bot.started = None


# ---- webhook mode: killed right after a 200 -------------------------------------------------


@dataclass(slots=True)
class WebhookRun:
    """What a run of kills right after a webhook 200 did."""

    kills: int = 0
    acknowledged: int = 0
    """Updates the webhook answered with a 2xx (Telegram forgets them at once)."""
    lost: list[int] = field(default_factory=list)
    """Acknowledged update ids never committed."""
    burst_updates: int = 0
    conversations: list[Conversation] = field(default_factory=list)
    marks: dict[int, list[int]] = field(default_factory=dict)
    seconds: float = 0.0


def processed(db: Path) -> set[int]:
    """The update ids committed in the database."""
    with read_only(db) as conn:
        return {int(r[0]) for r in conn.execute("SELECT update_id FROM processed_updates")}


class KillAfter200:
    """Arms a SIGKILL of the bot the moment the fake's webhook gets a 2xx."""

    def __init__(self, fake: FakeTelegram, bot: BotProcess) -> None:
        self.bot, self.killed_after = bot, 0
        self._armed = False
        fake.webhook_sender.on_acknowledged = self._acknowledged

    def arm(self) -> None:
        self._armed, self.killed_after = True, 0

    def _acknowledged(self, update_id: int) -> None:
        proc = self.bot.proc
        if self._armed and proc is not None and proc.returncode is None:
            os.kill(proc.pid, signal.SIGKILL)  # before the bot does anything more
            self._armed, self.killed_after = False, update_id

    async def killed(self, timeout: float = 30.0) -> int:
        """Wait for the armed kill; the update id whose 200 it followed."""
        await self.bot.fake.wait_for(lambda: self.killed_after, timeout)
        assert self.bot.proc is not None
        await self.bot.proc.wait()
        return self.killed_after


def _all_stored(db: Path, user_ids: set[int]) -> bool:
    """Whether every one of these users has an answer stored."""
    return user_ids <= set(stored_answers(db))


async def webhook_kill_run(
    fake: FakeTelegram,
    workdir: Path,
    port: int,
    *,
    kills: int,
    lanes: int = 4,
    bursts: int = 0,
    burst_size: int = 60,
    seed: int = 0,
) -> WebhookRun:
    """The bot in webhook mode, SIGKILLed right after a 200 `kills` times while `lanes` users
    talk, then `bursts` times right after the first 200 of `burst_size` users writing at once.
    Raises AssertionError at the first acknowledged update not committed."""
    rng, run, db = random.Random(seed), WebhookRun(), workdir / "pathways.db"
    bot = BotProcess(fake, db, workdir / "bot.log", webhook_port=port)
    killer, traffic = KillAfter200(fake, bot), Traffic(fake, lanes)
    began = time.monotonic()

    def check(when: str) -> None:
        missing = set(fake.webhook_sender.acknowledged) - processed(db)
        if missing:
            run.lost = sorted(missing)
            raise AssertionError(f"{when}: acknowledged, never committed: {run.lost[:5]}")

    try:
        await bot.start()
        await bot.polling()
        traffic.start()
        for n in range(kills):
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            killer.arm()
            await killer.killed()
            mark_kill(fake, run.marks)
            run.kills += 1
            check(f"after kill {n + 1}")
            check_sound(db, traffic, bot, f"after kill {n + 1}")
            await bot.start()
            await bot.polling()
        await traffic.finish()
        for n in range(bursts):
            users = [fake.user() for _ in range(burst_size)]
            killer.arm()
            for user in users:
                await user.command("/start")
            run.burst_updates += burst_size
            await killer.killed()
            mark_kill(fake, run.marks)
            run.kills += 1
            check(f"after burst {n + 1}")
            await bot.start()
            await bot.polling()
            await fake.wait_for(partial(_all_stored, db, {u.id for u in users}), 60)
        await settle(bot, traffic, db)
        check("at the end")
    finally:
        await traffic.cancel()
        await bot.close()
        fake.webhook_sender.on_acknowledged = None
    run.acknowledged = len(set(fake.webhook_sender.acknowledged))
    run.conversations, run.seconds = traffic.conversations, time.monotonic() - began
    return run
