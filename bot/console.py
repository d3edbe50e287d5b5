"""The same bot as a chat in the terminal: numbered buttons, state saved before each reply."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from bot.agency.privacy import privacy_text
from bot.config import Settings
from bot.media.attachments import render_attachment
from bot.scheduling.checkins import placer
from bot.service import Service, utcnow
from bot.storage import OutboxRow, Storage, open_store
from dialogs import i18n
from dialogs.state import CheckinDue, Command, DialogState, Event, Reply, Text

QUIT_WORDS = frozenset({"/quit", "/exit"})
CLAIM_LIMIT = 1000


def clock_from(day: date | None) -> Callable[[], datetime]:
    """The real clock, or one that reads `day` at the real time of day and runs on from there
    (`python -m bot chat --date YYYY-MM-DD`: this run only; nothing else is moved)."""
    if day is None:
        return utcnow
    started = utcnow()
    offset = datetime.combine(day, started.timetz()) - started

    def clock() -> datetime:
        return utcnow() + offset

    return clock


def parse_event(line: str) -> Event:
    """A typed line as an event: '/start code' is a command, anything else is text."""
    stripped = line.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1:2].isspace():
        name, _, arg = stripped[1:].partition(" ")
        return Command(name.lower(), arg.strip())
    return Text(line.rstrip("\r\n"))


class Console:
    """Reads lines from a terminal or a pipe, prints the bot's replies."""

    def __init__(
        self,
        store: Storage,
        settings: Settings,
        user_id: int,
        out: TextIO = sys.stdout,
        files_dir: Path | None = None,
        language: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings
        self.user_id = user_id
        self.out = out
        self.files_dir = files_dir or settings.database_path.resolve().parent / "pathways-files"
        self.clock = clock
        self.service = Service(store, clock=clock, place=placer(settings))
        self.language = language
        """--lang: the language of a new user; an existing one is switched to it."""

    async def sweep(self) -> int:
        """Run this user's due check-ins as the Telegram bot's sweeper would, and print them
        (others' check-ins are left for the bot: claimed ones are released at once)."""
        now = self.clock()
        due = [r for r in await self.store.pending_checkins(self.user_id) if r.due_at <= now]
        if not due:
            return 0
        ran = 0
        for row in await self.store.claim_due_checkins(now, CLAIM_LIMIT):
            if row.user_id != self.user_id:
                await self.store.release_claim(row.id)
                continue
            event = CheckinDue(row.kind, row.milestone_id)
            await self.service.turn(row.user_id, row.chat_id, event, checkin_id=row.id)
            ran += 1
        await self.flush()
        return ran

    async def flush(self) -> None:
        """Print every reply not yet shown (also what a crash left unsent), marking each sent."""
        for row in await self.store.pending_outbox():
            if row.chat_id != self.user_id:
                continue
            await self.show(row)
            await self.store.mark_sent(row.id, None, self.clock())

    async def show(self, row: OutboxRow) -> None:
        """Print one reply: text, numbered choices, and where an attachment was saved."""
        reply = Reply.from_dict(row.payload)
        if reply.attachment is not None:
            state = await self.store.load_state(self.user_id) or DialogState()
            made = render_attachment(reply.attachment, state, self.settings.tz)
            if made is not None:
                self.files_dir.mkdir(parents=True, exist_ok=True)
                path = self.files_dir / f"{self.user_id}-{made.filename}"
                path.write_bytes(made.data)
                self.print(f"[{made.label} saved: {path}]")
        if reply.text:
            self.print(reply.text)
        for n, option in enumerate(reply.choices, 1):
            self.print(f"   {n}. {option.label}")
        self.print("")

    def print(self, text: str) -> None:
        """Write a line and flush (the other end may be a pipe)."""
        self.out.write(
            f"bot: {text}\n" if text and not text.startswith(("   ", "[")) else f"{text}\n"
        )
        self.out.flush()

    async def say(self, event: Event) -> None:
        """Send one event as the user and print the replies."""
        await self.service.turn(self.user_id, self.user_id, event, language=self.language)
        await self.flush()

    async def run(self, source: TextIO = sys.stdin) -> None:
        """The chat loop: greet (or welcome back), then one turn per line until end of input."""
        await self.flush()
        saved = await self.store.load_state(self.user_id)
        if saved is not None and self.language and i18n.resolve(self.language) != saved.language:
            await self.say(Command("language", i18n.resolve(self.language)))
        if not await self.sweep():  # a check-in already due is the first thing to say
            await self.say(Command("start"))
        loop = asyncio.get_running_loop()
        while True:
            await self.sweep()
            if source.isatty():
                self.out.write("you: ")
                self.out.flush()
            line = await loop.run_in_executor(None, source.readline)
            if not line or line.strip().lower() in QUIT_WORDS:
                break
            event = parse_event(line)
            if event == Command("privacy"):
                self.print(privacy_text(self.settings))
                continue
            await self.say(event)


async def run_console(
    settings: Settings,
    user_id: int,
    source: TextIO = sys.stdin,
    language: str | None = None,
    day: date | None = None,
) -> None:
    """Open the store, chat until end of input, close (`day`: the clock reads that date)."""
    store = await open_store(settings.database)
    try:
        console = Console(store, settings, user_id, language=language, clock=clock_from(day))
        await console.run(source)
    finally:
        await store.close()
