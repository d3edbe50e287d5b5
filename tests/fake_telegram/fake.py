"""`FakeTelegram`: the fake Bot API server and everything a test does with it."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import socket
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TypeVar

from .limits import Clock, Faults, FloodControl, FloodLimits, Stats
from .model import BotCommand, Call, CallbackAnswer, CallbackQuery, Chat, File, Message, Person
from .server import ApiServer, WebhookSender
from .state import BotState, Webhook
from .users import FakeUser

T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for a bot's webhook server in tests)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def new_token(bot_id: int) -> str:
    """A token shaped like Telegram's: `<bot id>:<35 URL-safe characters>`."""
    return f"{bot_id}:AA{secrets.token_urlsafe(27)[:33]}"


class FakeTelegram:
    """A Bot API server on 127.0.0.1 for one bot, plus the users and faults a test plays."""

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Pathways Test Bot",
        bot_username: str = "pathways_test_bot",
        time_scale: float = 1.0,
        flood_limits: bool | FloodLimits = False,
        strict_webhook_url: bool = False,
        webhook_retry: tuple[float, float] = (0.05, 2.0),
        callback_timeout: float = 15.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.token = token or new_token(7_000_000_000 + secrets.randbelow(10**9))
        self.host = host
        self.port = port
        bot_id = int(self.token.split(":")[0])
        self.bot = Person(bot_id, bot_name, username=bot_username, is_bot=True)
        self.stats = Stats()
        self.clock = Clock(time_scale)
        self.state = BotState(
            self.bot, clock=self.clock, stats=self.stats, now=now, callback_timeout=callback_timeout
        )
        self.state.strict_webhook_url = strict_webhook_url
        self.faults = Faults(self.stats)
        self.server = ApiServer(self.state, self.token, self.faults)
        self.webhook_sender = WebhookSender(self.state, *webhook_retry)
        self.state.on_webhook_change = self._webhook_changed
        self._tasks: set[asyncio.Task[None]] = set()
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(-1_000_000_001, -1)
        if flood_limits:
            self.flood.enable(flood_limits if isinstance(flood_limits, FloodLimits) else None)

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving on `host:port` (port 0 picks a free one; see `.port`)."""
        self.state.closing = False
        self.port = await self.server.start(self.host, self.port)

    async def stop(self) -> None:
        """Stop serving: long polls return, webhook delivery stops, the port is freed."""
        self.state.closing = True
        self.state.arrived.fire()
        await self.webhook_sender.stop()
        for task in list(self._tasks):
            await task
        await self.server.stop()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def _webhook_changed(self) -> None:
        task = asyncio.create_task(self.webhook_sender.restart())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- addresses ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The Bot API URL for PTB's `base_url` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """The file URL for PTB's `base_file_url` (PTB appends the token)."""
        return f"{self.url}/file/bot"

    # ---- limits --------------------------------------------------------------------------------

    @property
    def flood(self) -> FloodControl:
        """Telegram's flood limits: `.enable(FloodLimits(...))`, `.disable()`, `.enabled`."""
        return self.state.flood

    @property
    def time_scale(self) -> float:
        """How much faster than real time the flood-limit clock runs."""
        return self.clock.scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self.clock.scale = value

    # ---- people and chats --------------------------------------------------------------------

    def user(
        self,
        id: int | None = None,
        first_name: str = "Ann",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A user who can talk to the bot (ids count up from 100000001 unless given)."""
        person = Person(id or next(self._user_ids), first_name, last_name, username, language_code)
        self.state.users[person.id] = person
        self.state.chat_state(Chat.private(person))
        return FakeUser(self, person)

    def group(
        self, title: str = "Job club", *, id: int | None = None, supergroup: bool = False
    ) -> Chat:
        """A group chat the bot is in (users write there with `chat=group`)."""
        chat = Chat(id or next(self._group_ids), "supergroup" if supergroup else "group", title)
        self.state.chat_state(chat)
        return chat

    def chat(self, chat_id: int) -> Chat:
        """A chat the fake knows."""
        if chat_id not in self.state.chats:
            raise LookupError(f"no chat {chat_id}")
        return self.state.chats[chat_id].chat

    def block(self, user_id: int) -> None:
        """The user blocks the bot: `my_chat_member` update, then 403 on sends to them."""
        self.state.set_blocked(user_id, True)

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self.state.set_blocked(user_id, False)

    # ---- what the bot did --------------------------------------------------------------------

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[Message]:
        """The bot's messages in a chat, oldest first, each in its current (edited) version."""
        state = self.state.chats.get(chat_id)
        if state is None:
            return []
        found = (state.messages[mid] for mid in state.bot_sent)
        return [m for m in found if include_deleted or not m.deleted]

    def history(self, chat_id: int) -> list[Message]:
        """Every message of a chat from both sides, deleted ones included, oldest first."""
        state = self.state.chats.get(chat_id)
        return list(state.messages.values()) if state else []

    def message(self, chat_id: int, message_id: int) -> Message:
        """One message in its current version."""
        state = self.state.chats.get(chat_id)
        if state is None or message_id not in state.messages:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        return state.messages[message_id]

    def chat_actions(self, chat_id: int) -> list[str]:
        """The chat actions (`typing`, ...) the bot sent to a chat."""
        state = self.state.chats.get(chat_id)
        return list(state.actions) if state else []

    @property
    def answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery the bot made, in order."""
        return list(self.state.answers)

    def answer(self, query: CallbackQuery | str) -> CallbackAnswer | None:
        """The bot's answer to one button press, if it answered."""
        query_id = query if isinstance(query, str) else query.id
        return next((a for a in self.state.answers if a.query_id == query_id), None)

    def commands(
        self, scope: str | Mapping[str, object] = "default", language_code: str = ""
    ) -> list[BotCommand]:
        """The command menu the bot set for a scope (`"default"`, `{"type": "chat", ...}`)."""
        full = {"type": scope} if isinstance(scope, str) else dict(scope)
        key = (json.dumps(full, sort_keys=True), language_code)
        return list(self.state.commands.get(key, ()))

    def file(self, file_id: str) -> File:
        """A stored file by id."""
        return self.state.files[file_id]

    @property
    def webhook(self) -> Webhook | None:
        """The webhook the bot set, if any."""
        return self.state.webhook

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (or not yet delivered to its webhook)."""
        return len(self.state.updates)

    @property
    def calls(self) -> list[Call]:
        """Every Bot API call answered so far, in order."""
        return list(self.server.calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method (`sendMessage`, ...)."""
        return [call for call in self.server.calls if call.method.lower() == method.lower()]

    # ---- waiting -----------------------------------------------------------------------------

    async def next_reply(self, chat_id: int, timeout: float = 5.0) -> Message:
        """The next bot message in a chat not yet returned by `next_reply` (waits for it)."""
        state = self.state.chats.get(chat_id)
        if state is None:
            raise LookupError(f"no chat {chat_id}")
        deadline = time.monotonic() + timeout
        while state.cursor >= len(state.bot_sent):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._no_reply(chat_id, timeout))
            await state.signal.wait(remaining)
        state.cursor += 1
        return state.messages[state.bot_sent[state.cursor - 1]]

    def _no_reply(self, chat_id: int, timeout: float) -> str:
        calls = self.server.calls
        failed = [f"{c.method} {c.status} {c.description}" for c in calls if c.status != 200]
        return f"no reply in chat {chat_id} within {timeout} s; failed calls: {failed[-5:]}"

    async def next_edit(self, message: Message, timeout: float = 5.0) -> Message:
        """The message once the bot has edited it again (compared with this snapshot)."""
        seen = len(message.edits)

        def edited() -> Message | None:
            current = self.message(message.chat.id, message.message_id)
            return current if len(current.edits) > seen or current.deleted else None

        return await self.wait_for(edited, timeout)

    async def wait_for(self, check: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Wait until `check()` returns something truthy (re-checked after every change)."""
        deadline = time.monotonic() + timeout
        while not (result := check()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            await self.state.changed.wait(remaining)
        return result

    async def idle(self, quiet: float = 0.1, timeout: float = 5.0) -> None:
        """Wait until no Bot API call has arrived for `quiet` seconds (long polls excepted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = sum(self.stats.requests.values()) - self.stats.requests["getUpdates"]
            await asyncio.sleep(quiet)
            after = sum(self.stats.requests.values()) - self.stats.requests["getUpdates"]
            if after == before:
                return
        raise TimeoutError(f"the bot did not go quiet within {timeout} s")
