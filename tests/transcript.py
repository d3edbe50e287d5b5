"""Play a conversation written as `user:` / `bot:` lines against the real engine.

user: ged                 the user types this
tap: Yes                  the user taps the button with this label (of the latest reply)
cmd: /pause work          a command
bot: Got it               some reply since the last user line contains this (case-insensitive)
not: Manufacturing        no reply since the last user line contains this
more:                     tap More until the last page (the bot: lines after it read every page)
wait: 14d                 the clock moves on (d, h, m)
due: checkin              a scheduled check-in comes due (checkin, reminder, snooze)
counselor: Hello          a counselor at the agency writes to the user
handback:                 the counselor hands the user back to the bot
effect: ScheduleCheckin   an effect of this type was emitted since the last user line
state: phase=engaged      a state field has this value (str() compared)
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dialogs.engine import handle
from dialogs.state import (
    CheckinDue,
    Choice,
    Command,
    CounselorMessage,
    DialogState,
    Effect,
    Event,
    Handback,
    Reply,
    Text,
)

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


DIRECTION_MARKS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))
"""The invisible marks an Arabic reply carries (dialogs.i18n.bidi); 'bot:' lines read past them."""


class TranscriptError(AssertionError):
    """A transcript line did not hold; the message shows the line and what the bot said."""


@dataclass
class Player:
    """Holds the state between lines; each turn round-trips the state through JSON."""

    state: DialogState = field(default_factory=DialogState)
    now: datetime = START
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def send(self, event: Event) -> None:
        """One turn of the engine; the state is saved and loaded as the store would."""
        turn = handle(self.state, event, self.now)
        assert not turn.error, turn.error
        self.state = DialogState.from_json(turn.state.to_json())
        assert self.state == turn.state
        self.replies = list(turn.replies)
        self.effects = list(turn.effects)
        self.log.append(f"user: {event}")
        self.log.extend(f"bot: {r.text} {[o.label for o in r.choices]}" for r in turn.replies)

    def tap(self, label: str) -> None:
        """Tap the button whose label starts with `label` in the latest replies."""
        for reply in reversed(self.replies):
            for option in reply.choices:
                if option.label.lower().startswith(label.lower()):
                    self.send(Choice(option.id, self.state.version))
                    return
        raise TranscriptError(f"no button {label!r}\n" + self.tail())

    def said(self) -> str:
        """All reply texts and button labels since the last user line."""
        parts = []
        for r in self.replies:
            parts.append(r.text)
            parts.extend(o.label for o in r.choices)
            if r.attachment:
                parts.append(f"[{r.attachment.kind}]")
        return "\n".join(parts)

    def tail(self) -> str:
        """The last lines of the conversation, for failure messages."""
        return "\n".join(self.log[-12:])


def _duration(text: str) -> timedelta:
    amount, unit = int(text[:-1]), text[-1]
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "m": timedelta(minutes=amount),
    }[unit]


def play(script: str, player: Player | None = None) -> Player:
    """Run every line of the script; raise TranscriptError at the first that does not hold."""
    player = player or Player()
    for raw in textwrap.dedent(script).strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, arg = line.partition(":")
        arg = arg.strip()
        if kind == "user":
            player.send(Text(arg))
        elif kind == "tap":
            player.tap(arg)
        elif kind == "cmd":
            name, _, rest = arg.lstrip("/").partition(" ")
            player.send(Command(name, rest))
        elif kind == "more":
            pages = list(player.replies)
            while any(o.id == "more" for r in player.replies for o in r.choices):
                player.send(Choice("more", player.state.version))
                pages += player.replies
            player.replies = pages
        elif kind == "wait":
            player.now += _duration(arg)
        elif kind == "due":
            player.send(CheckinDue(arg or "checkin"))
        elif kind == "counselor":
            player.send(CounselorMessage(arg))
        elif kind == "handback":
            player.send(Handback())
        elif kind == "bot":
            if arg.lower() not in player.said().translate(DIRECTION_MARKS).lower():
                raise TranscriptError(f"expected {arg!r}\n{player.tail()}")
        elif kind == "not":
            if arg.lower() in player.said().translate(DIRECTION_MARKS).lower():
                raise TranscriptError(f"did not expect {arg!r}\n{player.tail()}")
        elif kind == "effect":
            if not any(type(e).__name__ == arg for e in player.effects):
                raise TranscriptError(f"expected effect {arg}: {player.effects}\n{player.tail()}")
        elif kind == "state":
            key, _, value = arg.partition("=")
            actual = getattr(player.state, key.strip())
            shown = actual.value if hasattr(actual, "value") else actual
            if str(shown) != value.strip():
                raise TranscriptError(f"state {key}={shown!r}, expected {value!r}\n{player.tail()}")
        else:
            raise ValueError(f"unknown transcript line: {line!r}")
    return player
