"""The agency's side in Telegram: counselor chats talk to participants, admins see figures.

Counselor chats (``COUNSELOR_CHAT_IDS``, a group of counselors or one counselor's private chat)
get each request for a person as ``Request #12`` with the summary the participant agreed to
share. A counselor answers by replying to any message about #12, or with ``/reply 12 <text>``,
and ends with ``/handback 12``. Every answer is an engine turn of the participant
(`CounselorMessage`, `Handback`), so it is saved and sent through the same store and outbox as
everything else and survives a restart.

Admins (``ADMIN_IDS``, in a private chat only) create referral codes and read the figures.
Anyone else sending these commands gets the ordinary bot.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.agency import stats
from bot.service import Service
from bot.storage import Handoff, Storage
from dialogs.state import CounselorMessage, Handback, Reply

COUNSELOR_HELP = (
    "This is the counselor chat. Requests for a person arrive here as 'Request #N'.\n"
    "To answer: reply to a message about #N, or type /reply N <your text>.\n"
    "When you are done: /handback N (the participant goes back to the bot).\n"
    "/open lists the open requests."
)
NO_SUCH_CASE = "There is no open request #{case}. Type /open to see the open ones."
REPLY_USAGE = "Type it like this: /reply 12 Hello, I can help you."
HANDBACK_USAGE = "Type it like this: /handback 12"
SENT = "Sent to #{case}."
HANDED_BACK = "#{case} is back with the bot."
NONE_OPEN = "No open requests."
OPEN_LIST = "Open requests: {cases}"
TEXT_ONLY = "I can pass on text only. Please type your answer."
NEWCODE_USAGE = "Type it like this: /newcode Portland library"
NEWCODE_MADE = (
    "New referral code '{code}' for {name}.\n"
    "Share this link: {link}\n"
    "People who start the bot with it are counted under this code in /stats."
)
CODES_NONE = "No referral codes yet. Make one with /newcode <name>."
MAX_CODE_NAME = 80
MAX_COUNSELOR_TEXT = 3500
"""A counselor's message is cut to this, so the relayed text fits one Telegram message."""


@dataclass(frozen=True, slots=True)
class Said:
    """What the agency code answers in the counselor or admin chat."""

    text: str


def parse_case(arg: str) -> tuple[int, str] | None:
    """'12 some text' (or '#12 some text') -> (12, 'some text'); None when there is no number."""
    found = re.match(r"\s*#?(\d{1,12})\b\s*(.*)\Z", arg, re.DOTALL)
    if found is None:
        return None
    return int(found.group(1)), found.group(2).strip()


def code_for(name: str, token: Callable[[int], str] = secrets.token_hex) -> str:
    """A referral code: a short slug of the name and 4 random characters ('portland_3f9a')."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:24] or "code"
    return f"{slug}_{token(2)}"


class Agency:
    """Counselor relay and admin commands over the store and the service."""

    def __init__(
        self,
        store: Storage,
        service: Service,
        *,
        counselor_chats: frozenset[int],
        admin_ids: frozenset[int],
        clock: Callable[[], datetime],
        tz: tzinfo,
    ) -> None:
        self.store, self.service, self.clock, self.tz = store, service, clock, tz
        self.counselor_chats, self.admin_ids = counselor_chats, admin_ids

    # ---- counselor chats --------------------------------------------------------------

    async def counselor_message(
        self,
        chat_id: int,
        text: str | None,
        replied_to: int | None,
        update_id: int,
        *,
        group: bool = False,
    ) -> None:
        """A message in a counselor chat: a command, an answer to a participant, or help.

        In a group, counselors also talk among themselves: only commands and replies to the
        bot's messages are for the bot; the rest is left alone.
        """
        is_for_bot = bool(text and text.startswith("/")) or replied_to is not None
        if group and not is_for_bot:
            return
        if text is None:
            await self.tell(chat_id, TEXT_ONLY, update_id)
            return
        command, _, arg = text.partition(" ") if text.startswith("/") else ("", "", text)
        command = command.split("@", 1)[0].lower()
        if command == "/reply":
            parsed = parse_case(arg)
            if parsed is None or not parsed[1]:
                await self.tell(chat_id, REPLY_USAGE, update_id)
                return
            await self.answer(chat_id, parsed[0], parsed[1], update_id)
        elif command == "/handback":
            parsed = parse_case(arg)
            if parsed is None:
                await self.tell(chat_id, HANDBACK_USAGE, update_id)
                return
            await self.hand_back(chat_id, parsed[0], update_id)
        elif command == "/open":
            cases = [f"#{h.case}" for h in await self.store.open_handoffs()]
            listing = OPEN_LIST.format(cases=", ".join(cases)) if cases else NONE_OPEN
            await self.tell(chat_id, listing, update_id)
        elif replied_to is not None and not command:
            handoff = await self.store.handoff_for_message(chat_id, replied_to)
            if handoff is None:
                await self.tell(chat_id, COUNSELOR_HELP, update_id)
            else:
                await self.answer(chat_id, handoff.case, text, update_id)
        else:
            await self.tell(chat_id, COUNSELOR_HELP, update_id)

    async def answer(self, chat_id: int, case: int, text: str, update_id: int) -> None:
        """Send a counselor's words to the participant of an open handoff."""
        handoff = await self.store.handoff(case)
        if handoff is None or not handoff.is_open:
            await self.tell(chat_id, NO_SUCH_CASE.format(case=case), update_id)
            return
        event = CounselorMessage(text[:MAX_COUNSELOR_TEXT])
        await self.service.turn(handoff.user_id, handoff.chat_id, event, update_id=update_id)
        await self.tell(chat_id, SENT.format(case=handoff.case), update_id)

    async def hand_back(self, chat_id: int, case: int, update_id: int) -> None:
        """End the handoff: the participant is back at the question they left."""
        handoff: Handoff | None = await self.store.handoff(case)
        if handoff is None or not handoff.is_open:
            await self.tell(chat_id, NO_SUCH_CASE.format(case=case), update_id)
            return
        await self.service.turn(handoff.user_id, handoff.chat_id, Handback(), update_id=update_id)

    async def tell(self, chat_id: int, text: str, update_id: int) -> None:
        """Queue an answer to the counselor chat (once per update, even if it is redelivered)."""
        await self.store.enqueue(
            chat_id, Reply(text), now=self.clock(), dedup_key=f"agency:{update_id}:{chat_id}"
        )
        if self.service.on_outbox is not None:
            self.service.on_outbox()

    # ---- admins -----------------------------------------------------------------------

    def is_admin(self, user_id: int) -> bool:
        """True for the agency's admins (the caller also checks the chat is private)."""
        return user_id in self.admin_ids

    async def new_code(self, admin_id: int, name: str, bot_username: str) -> str:
        """Create a referral code for `name`; the text with the link to share."""
        name = " ".join(name.split())[:MAX_CODE_NAME]
        if not name:
            return NEWCODE_USAGE
        while True:
            code = code_for(name)
            if await self.store.add_referral_code(
                code, name, created_by=admin_id, now=self.clock()
            ):
                break
        link = f"https://t.me/{bot_username}?start={code}"
        return NEWCODE_MADE.format(code=code, name=name, link=link)

    async def figures(self) -> str:
        """The /stats message: participants by phase, pathway, referral; check-ins; timing."""
        found = await stats.compute_stats(self.store, self.clock(), self.tz)
        return stats.format_stats(found, self.service.kb)

    async def export(self) -> tuple[str, bytes]:
        """The /export file: its name and the CSV (pseudonymous ids, never Telegram ids)."""
        key = await self.store.secret_key("export")
        data = await stats.export_csv(self.store, key, tz=self.tz, kb=self.service.kb)
        return f"participants-{self.clock().astimezone(self.tz):%Y-%m-%d}.csv", data

    async def codes(self, bot_username: str) -> str:
        """Every referral code with its name and link."""
        rows = await self.store.read("SELECT code, name FROM referral_codes ORDER BY created_at")
        if not rows:
            return CODES_NONE
        return "\n".join(f"{c} - {n}: https://t.me/{bot_username}?start={c}" for c, n in rows)
