"""Replies to Telegram: message texts within limits, inline keyboards, and button data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.state import Choice, Option, Reply

MAX_TEXT = 4096
SCREEN = 600
"""About one phone screen: texts are joined only while the message still fits one."""
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
MAX_ROW = 8
SHORT_LABEL = 12
MEDIUM_LABEL = 20


def merge_replies(replies: Sequence[Reply]) -> tuple[Reply, ...]:
    """Join plain texts into the message that follows them: fewer messages, same words.

    "Got it: GED." and the next question become one message with the question's buttons,
    so a turn sends one or two messages instead of four (Telegram counts every message).
    Texts are joined only while the message fits one phone screen (SCREEN characters).
    """
    merged: list[Reply] = []
    for reply in replies:
        last = merged[-1] if merged else None
        joinable = (
            last is not None
            and not last.choices
            and last.attachment is None
            and reply.attachment is None
            and reply.text
            and len(last.text) + len(reply.text) + 2 <= SCREEN
        )
        if last is not None and joinable:
            merged[-1] = Reply(f"{last.text}\n\n{reply.text}", reply.choices)
        elif reply.text or reply.choices or reply.attachment:
            merged.append(reply)
    return tuple(merged)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut text into messages of at most `limit` characters, on paragraph or line boundaries."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not chunks:
        chunks.append(rest)
    return chunks


def callback_data(version: int, option_id: str) -> str:
    """Button data: the state version and the option id, within Telegram's 64 bytes."""
    data = f"{version}:{option_id}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"option id too long for a button: {option_id!r}")
    return data


def parse_callback(data: str | None) -> Choice | None:
    """The choice a button's data stands for; None for data we never made."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    version, sep, option_id = data.partition(":")
    if not sep or not option_id or not version.isdigit():
        return None
    return Choice(option_id, int(version))


def _per_row(options: Sequence[Option]) -> int:
    longest = max((len(o.label) for o in options), default=0)
    if longest <= SHORT_LABEL:
        return 3
    if longest <= MEDIUM_LABEL:
        return 2
    return 1


def keyboard(options: Sequence[Option], version: int) -> InlineKeyboardMarkup | None:
    """Buttons for the options, short labels side by side, long ones one to a row."""
    if not options:
        return None
    width = min(_per_row(options), MAX_ROW)
    buttons = [
        InlineKeyboardButton(o.label[:64], callback_data=callback_data(version, o.id))
        for o in options
    ]
    rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True, slots=True)
class Message:
    """One Telegram message to send: text and, on the last one, the keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None


def messages(reply: Reply, version: int) -> list[Message]:
    """A text reply as Telegram messages (more than one only when the text is very long)."""
    chunks = split_text(reply.text or "…")
    markup = keyboard(reply.choices, version)
    return [Message(c, markup if i == len(chunks) - 1 else None) for i, c in enumerate(chunks)]


def caption(text: str) -> str:
    """A caption cut to Telegram's 1,024 characters at a word boundary."""
    return split_text(text, MAX_CAPTION)[0] if text else ""
