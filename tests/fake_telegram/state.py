"""Everything the fake Telegram remembers: chats, messages, files, updates, queries, webhook."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from . import errors
from .errors import bad_request, conflict, forbidden
from .limits import Clock, FloodControl, Stats
from .model import (
    BotCommand,
    CallbackAnswer,
    CallbackQuery,
    Chat,
    Edit,
    File,
    Json,
    Message,
    Person,
    Update,
)

ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
DEFAULT_ALLOWED = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class Signal:
    """Wakes everyone waiting for "something changed" (one-shot event, renewed on each fire)."""

    __slots__ = ("_event", "_waiting")

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._waiting = 0

    def fire(self) -> None:
        """Wake all current waiters (nearly free when nobody waits)."""
        if self._waiting:
            self._event.set()
            self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait for the next fire, at most `seconds`."""
        event = self._event
        self._waiting += 1
        try:
            async with asyncio.timeout(max(seconds, 0)):
                await event.wait()
        except TimeoutError:
            pass
        finally:
            self._waiting -= 1


@dataclass(slots=True)
class ChatState:
    """One chat's messages and the bookkeeping around them."""

    chat: Chat
    instance: str
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    started: bool = False
    blocked: bool = False
    bot_sent: list[int] = field(default_factory=list)
    cursor: int = 0
    actions: list[str] = field(default_factory=list)
    signal: Signal = field(default_factory=Signal)

    @property
    def is_group(self) -> bool:
        """Whether this is a group or supergroup chat."""
        return self.chat.type in ("group", "supergroup")


@dataclass(slots=True)
class Webhook:
    """The webhook the bot set, and how delivery to it is going."""

    url: str
    secret_token: str | None
    max_connections: int = 40
    allowed_updates: tuple[str, ...] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(slots=True)
class _Query:
    query: CallbackQuery
    created: float
    answered: bool = False


@dataclass(slots=True)
class _Poll:
    superseded: bool = False


class BotState:
    """The Bot API's memory for one bot, and the operations both sides perform on it."""

    def __init__(
        self,
        bot: Person,
        *,
        clock: Clock,
        stats: Stats,
        now: Callable[[], float] = time.time,
        callback_timeout: float = 15.0,
    ) -> None:
        self.bot = bot
        self.clock = clock
        self.stats = stats
        self.flood = FloodControl(clock, stats)
        self.now = now
        self.callback_timeout = callback_timeout
        self.strict_webhook_url = False
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, Person] = {}
        self.files: dict[str, File] = {}
        self.updates: deque[Update] = deque()
        self.allowed = DEFAULT_ALLOWED
        self.webhook: Webhook | None = None
        self.commands: dict[tuple[str, str], tuple[BotCommand, ...]] = {}
        self.texts: dict[tuple[str, str], str] = {}
        self.answers: list[CallbackAnswer] = []
        self.changed = Signal()
        self.arrived = Signal()
        self.closing = False
        self.on_webhook_change: Callable[[], None] = lambda: None
        self._queries: dict[str, _Query] = {}
        self._poll: _Poll | None = None
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_000_000_001, 7919)
        self._file_ids = itertools.count(1)

    # ---- chats and messages --------------------------------------------------------------

    def date(self) -> int:
        """The current date in whole seconds, as in every Bot API `date`."""
        return int(self.now())

    def chat_state(self, chat: Chat) -> ChatState:
        """The chat's state, created on first use."""
        found = self.chats.get(chat.id)
        if found is None:
            instance = str(int(hashlib.sha1(str(chat.id).encode()).hexdigest()[:15], 16))
            found = self.chats[chat.id] = ChatState(chat, instance)
        return found

    def chat_for_bot(self, chat_id: int, *, sending: bool = True) -> ChatState:
        """The chat the bot addresses, or Telegram's error for it."""
        state = self.chats.get(chat_id)
        if state is None:
            raise bad_request(errors.CHAT_NOT_FOUND)
        if sending and state.blocked:
            raise forbidden(errors.BLOCKED)
        if sending and not state.is_group and not state.started:
            raise forbidden(errors.CANT_INITIATE)
        return state

    def add_message(self, state: ChatState, sender: Person, **content: Any) -> Message:
        """Store a new message in the chat with the next message_id."""
        message = Message(state.chat, state.next_message_id, sender, self.date(), **content)
        state.next_message_id += 1
        state.messages[message.message_id] = message
        return message

    def bot_sent(self, state: ChatState, **content: Any) -> Message:
        """Store a message the bot sent and wake whoever waits for a reply."""
        message = self.add_message(state, self.bot, **content)
        state.bot_sent.append(message.message_id)
        state.signal.fire()
        return message

    def find(self, state: ChatState, message_id: int | None) -> Message | None:
        """A message of the chat that still exists."""
        message = state.messages.get(message_id) if message_id is not None else None
        return None if message is None or message.deleted else message

    def edited(self, state: ChatState, message: Message, **content: Any) -> Message:
        """Replace a message by its edited version, keeping the previous one in `edits`."""
        previous = Edit(message.text, message.caption, message.reply_markup, message.date)
        if message.edit_date is not None:
            previous = replace(previous, date=message.edit_date)
        new = replace(message, **content, edit_date=self.date(), edits=(*message.edits, previous))
        state.messages[new.message_id] = new
        state.signal.fire()
        return new

    def deleted(self, state: ChatState, message: Message) -> None:
        """Mark a message deleted."""
        state.messages[message.message_id] = replace(message, deleted=True)
        state.signal.fire()

    def store_file(self, kind: str, data: bytes, **details: Any) -> File:
        """Keep an uploaded file and give it Telegram-like ids."""
        unique = "AQAD" + hashlib.sha1(data).hexdigest()[:12]
        file_id = f"{kind[:2].upper()}AC{next(self._file_ids):06d}{unique}"
        file = File(file_id, unique, kind, data, **details)
        self.files[file_id] = file
        return file

    # ---- updates -------------------------------------------------------------------------

    def push(self, kind: str, payload: Json, chat_id: int) -> Update:
        """Queue an update for the bot."""
        update = Update(next(self._update_ids), kind, payload, chat_id)
        self.updates.append(update)
        self.arrived.fire()
        self.changed.fire()
        return update

    def confirm(self, offset: int | None) -> None:
        """Forget updates below `offset` (negative: keep only the last -offset updates)."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()
            return
        while self.updates and self.updates[0].update_id < offset:
            self.updates.popleft()

    def pending(self, limit: int) -> list[Update]:
        """Up to `limit` waiting updates of allowed types (others are dropped)."""
        kept = [update for update in self.updates if update.kind in self.allowed]
        if len(kept) != len(self.updates):
            self.updates = deque(kept)
        return kept[:limit]

    async def long_poll(self, offset: int | None, limit: int, wait: float) -> list[Update]:
        """getUpdates: confirm, then wait up to `wait` seconds for something to return."""
        if self.webhook is not None:
            raise conflict(errors.WEBHOOK_ACTIVE)
        if self._poll is not None:
            self._poll.superseded = True
            self.arrived.fire()
        poll = self._poll = _Poll()
        self.confirm(offset)
        deadline = time.monotonic() + wait
        try:
            return await self._wait_for_updates(poll, limit, deadline)
        finally:
            if self._poll is poll:
                self._poll = None

    async def _wait_for_updates(self, poll: _Poll, limit: int, deadline: float) -> list[Update]:
        while True:
            if poll.superseded:
                raise conflict(errors.TERMINATED)
            batch = self.pending(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self.closing:
                return batch
            await self.arrived.wait(remaining)

    # ---- callback queries ----------------------------------------------------------------

    def new_query(self, user: Person, message: Message, data: str) -> CallbackQuery:
        """Queue a callback_query update for a pressed inline button."""
        state = self.chat_state(message.chat)
        query = CallbackQuery(str(next(self._query_ids)), user, message, data)
        self._queries[query.id] = _Query(query, time.monotonic())
        payload = {
            "id": query.id,
            "from": user.to_json(),
            "message": message.to_json(),
            "chat_instance": state.instance,
            "data": data,
        }
        self.push("callback_query", payload, message.chat.id)
        return query

    def answer(self, query_id: str, text: str | None, show_alert: bool, url: str | None) -> None:
        """Record the bot's answer to a callback query, once and in time."""
        entry = self._queries.get(query_id)
        too_old = entry is not None and time.monotonic() - entry.created > self.callback_timeout
        if entry is None or entry.answered or too_old:
            raise bad_request(errors.QUERY_INVALID)
        entry.answered = True
        self.answers.append(CallbackAnswer(query_id, text, show_alert, url))

    def user_message(self, person: Person, chat: Chat, **content: Any) -> Message:
        """Store what a user sent and queue the `message` update."""
        state = self.chat_state(chat)
        state.started = state.started or chat.type == "private"
        message = self.add_message(state, person, **content)
        self.push("message", message.to_json(), chat.id)
        return message

    def user_edit(self, message: Message, **content: Any) -> Message:
        """Store a user's edit of their message and queue the `edited_message` update."""
        state = self.chat_state(message.chat)
        current = self.find(state, message.message_id)
        if current is None or current.from_bot:
            raise LookupError(f"message {message.message_id} cannot be edited by its user")
        new = self.edited(state, current, **content)
        self.push("edited_message", new.to_json(), message.chat.id)
        return new

    # ---- members -------------------------------------------------------------------------

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Block or unblock the bot, with the my_chat_member update Telegram sends."""
        person = self.users[user_id]
        state = self.chat_state(Chat.private(person))
        if state.blocked == blocked:
            return
        state.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        payload = {
            "chat": state.chat.to_json(),
            "from": person.to_json(),
            "date": self.date(),
            "old_chat_member": _member(self.bot, old),
            "new_chat_member": _member(self.bot, new),
        }
        self.push("my_chat_member", payload, state.chat.id)


def _member(bot: Person, status: str) -> Json:
    body: Json = {"user": bot.to_json(), "status": status}
    if status == "kicked":
        body["until_date"] = 0
    return body
