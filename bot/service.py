"""One turn, shared by Telegram and the terminal chat: lock the user, load, handle, commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

from bot.log import who
from bot.storage import OutboxRow, Storage, TurnSession
from bot.telegram.render import merge_replies
from dialogs import i18n
from dialogs.engine import STALE_CHOICE, handle, next_checkin
from dialogs.flow import Flow, intake_flow
from dialogs.state import (
    CancelCheckins,
    CheckinDue,
    Choice,
    Command,
    DialogState,
    Event,
    ForgetUser,
    Phase,
    ScheduleCheckin,
    Status,
    Text,
    Turn,
)
from dialogs.undo import CHANGE_PREFIX
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge

log = logging.getLogger(__name__)


def is_stale(state: DialogState, event: Event) -> bool:
    """A tap on a button made before the pending question was asked (an old message, or the
    second of a double tap): it must not answer the question asked since. The buttons of the
    question being asked stay good however often it is shown again (after a free question,
    say), since they are all stamped with its version or a later one. A Change button stays
    good on any message: it only reopens the question it names."""
    return (
        isinstance(event, Choice)
        and event.version is not None
        and state.pending is not None
        and not state.handed_off  # (a counselor has the chat: the engine relays taps)
        and event.version < state.asked_version
        and not event.choice_id.startswith(CHANGE_PREFIX)  # reopens an answer; records none
    )


def with_asked_version(before: DialogState, turn: Turn) -> Turn:
    """Note the version at which a new pending question is asked (see `is_stale`)."""
    after = turn.state
    if after.pending == before.pending or after.version == before.version:
        return turn
    return replace(turn, state=replace(after, asked_version=after.version))


def utcnow() -> datetime:
    """The current time in UTC (the default clock; tests pass their own)."""
    return datetime.now(UTC)


class UserLocks:
    """One asyncio.Lock per user, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        """Hold the user's lock: their turns run one at a time, in arrival order."""
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users == 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def event_text(event: Event) -> str | None:
    """What the user said, for the answers history (None for check-ins)."""
    if isinstance(event, Text):
        return event.text
    if isinstance(event, Choice):
        return f"[button] {event.choice_id}"
    if isinstance(event, Command):
        return f"/{event.name} {event.arg}".rstrip()
    return None


def wants_checkins(turn: Turn) -> bool:
    """True when the user is on their plan with a cadence, and this turn left check-ins alone."""
    s, effects = turn.state, turn.effects
    if s.phase is not Phase.ENGAGED or s.status is not Status.ACTIVE or s.handed_off:
        return False
    touched = any(isinstance(e, ScheduleCheckin | CancelCheckins | ForgetUser) for e in effects)
    return s.cadence_days is not None and s.current_milestone is not None and not touched


class Service:
    """Runs turns: one user's in order, users at once, state and replies saved together."""

    def __init__(
        self,
        store: Storage,
        *,
        clock: Callable[[], datetime] = utcnow,
        kb: Knowledge | None = None,
        flow: Flow | None = None,
        on_outbox: Callable[[], None] | None = None,
        place: Callable[[datetime, datetime, int | None], datetime] | None = None,
        counselor_chats: Sequence[int] = (),
    ) -> None:
        self.store = store
        self.clock = clock
        self.kb = kb or get_knowledge()
        self.flow = flow or intake_flow()
        self.locks = UserLocks()
        self.on_outbox = on_outbox
        self.place = place
        self.counselor_chats = tuple(counselor_chats)

    async def turn(
        self,
        user_id: int,
        chat_id: int,
        event: Event,
        *,
        update_id: int | None = None,
        checkin_id: int | None = None,
        language: str | None = None,
    ) -> list[OutboxRow]:
        """Handle one event for one user and commit it; returns the replies queued to send.
        `language` is what the client says the person reads (Telegram's language_code): it
        sets the language of a person met for the first time; later they choose with /language."""
        async with self.locks.hold(user_id), self.store.user_turn(user_id) as held:
            if update_id is not None and await held.is_processed(update_id):
                log.info("update %s was already handled; skipped", update_id)
                return []
            state = await held.load_state(user_id) or DialogState(language=i18n.resolve(language))
            now = self.clock()
            if is_stale(state, event):
                return await self._stale(held, user_id, chat_id, state, now, update_id)
            result = handle(
                state, event, now, kb=self.kb, flow=self.flow, counselors=bool(self.counselor_chats)
            )
            result = with_asked_version(state, result)
            if result.error:
                log.error(
                    "engine failed on update %s for user %s:\n%s",
                    update_id,
                    who(user_id),
                    result.error,
                )
            if checkin_id is None and wants_checkins(result) and await held.is_inactive(user_id):
                # They blocked the bot (their check-ins were cancelled) and are back: resume.
                effects = (*result.effects, next_checkin(result.state, now))
                result = replace(result, effects=effects)
            result = self._placed(result, now)
            rows = await held.commit_turn(
                user_id=user_id,
                chat_id=chat_id,
                turn=result,
                update_id=update_id,
                user_text=event_text(event),
                now=now,
                checkin_id=checkin_id,
                counselor_chats=self.counselor_chats,
            )
        if rows and self.on_outbox is not None:
            self.on_outbox()
        return rows

    async def _stale(
        self,
        held: TurnSession,
        user_id: int,
        chat_id: int,
        state: DialogState,
        now: datetime,
        update_id: int | None,
    ) -> list[OutboxRow]:
        """Answer a stale button with the current question; the state is left as it was."""
        asked = handle(  # the engine says so in the person's language and asks the question
            state, Choice(STALE_CHOICE, None), now, kb=self.kb, flow=self.flow, counselors=False
        )
        turn = Turn(state, merge_replies(asked.replies))
        rows = await held.commit_turn(
            user_id=user_id,
            chat_id=chat_id,
            turn=turn,
            update_id=update_id,
            user_text=None,
            now=now,
        )
        if rows and self.on_outbox is not None:
            self.on_outbox()
        return rows

    def _placed(self, turn: Turn, now: datetime) -> Turn:
        """Replies merged into as few messages as possible; check-ins moved into the user's day."""
        effects = tuple(
            replace(e, due=self.place(e.due, now, turn.state.checkin_hour))
            if isinstance(e, ScheduleCheckin) and self.place is not None
            else e
            for e in turn.effects
        )
        return replace(turn, replies=merge_replies(turn.replies), effects=effects)

    async def checkin(self, user_id: int, chat_id: int, checkin_id: int, event: CheckinDue) -> None:
        """Run a due check-in as a turn (the claim is completed in the same transaction)."""
        await self.turn(user_id, chat_id, event, checkin_id=checkin_id)
