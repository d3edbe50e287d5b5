"""One typed message, read once: the reading every stage and the question answerer share (pure).

`read(text)` cleans the text and works out, once, what the engine needs to know about it: its
clean words and comparison key, a number in it, whether it is a bare option number, whether it
holds money, a negation or a question, whether it is junk (markup, '-1', a lone letter) and
whether it is a navigation word ('back', 'undo', 'help'). Matching and the question answerer
take the reading's parts instead of normalizing the text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dialogs.matching import (
    is_junk,
    key,
    key_of_clean,
    looks_like_question,
    normalize,
    option_number,
    parse_number,
)
from dialogs.questions import looks_like_question as asks_about_jobs

MAX_TEXT = 2000
"""Longer messages are cut to this many characters before they are read."""


class Nav(StrEnum):
    """A typed navigation word, read like its command."""

    BACK = "back"
    HELP = "help"


_BACK = frozenset(
    key(w)
    for w in (
        "back",
        "go back",
        "undo",
        "previous",
        "back please",
        "go back please",
        "previous question",
        "last question",
        "wait go back",
        "oops",
        "oops back",
        "atras",
        "regresar",
        "volver",
    )
)
_HELP = frozenset(key(w) for w in ("help", "help me", "i need help", "help please", "ayuda"))
_MONEY = re.compile(r"\$|\b(?:dollars?|bucks?|usd|grand|salary|wages?|pay|paid|earn\w*)\b|\d\s*k\b")
_LESS = re.compile(
    r"\b(?:less than|fewer than|under|below|up to|at most|max|maximum|not more than|"
    r"menos de|menos que|moins de|moins que|au plus|أقل من|اقل من|ka yar|ka yaryahay)\b"
)
_MORE = re.compile(
    r"\b(?:more than|over|above|at least|plus|mas de|más de|mais de|mais que|plus de|plus que|"
    r"au moins|pelo menos|por lo menos|al menos|أكثر من|اكثر من|على الأقل|ka badan|ugu yaraan)\b"
    r"|\d\s*\+"
)
_NEGATION = re.compile(
    r"\b(?:no|not|never|dont|don't|didnt|didn't|cant|can't|cannot|wont|won't|without|nope)\b"
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message says, worked out once."""

    raw: str
    """The text as typed (cut to MAX_TEXT)."""
    clean: str
    """NFKC, casefolded, emoji and invisible marks out, spaces collapsed."""
    key: str
    """The comparison form matching uses (punctuation out, singular words)."""
    number: float | None
    """A number in the text ('about 12', 'ten', '10-15' -> 12.5)."""
    option: int | None
    """The whole text is this option number ('3', '#3', '3.', 'option 3'), 1-based."""
    money: bool
    """It names money or pay ('$', 'bucks', 'salary', '50k')."""
    negated: bool
    """It holds a negation ('not', "can't", 'never')."""
    asks: bool
    """It reads as a question (about jobs and pay, or a 'what/how/...' sentence, or '?')."""
    junk: bool
    """Never an answer: markup, a signed number ('-1'), a lone letter, no letters or digits."""
    nav: Nav | None
    """A navigation word typed as text ('back', 'undo', 'help')."""
    cut: bool = False
    """The message was longer than MAX_TEXT."""
    compare: int = 0
    """-1 when the number is a most ('less than 10', 'menos de 10'), +1 when it is a least
    ('more than 10', 'au moins 10', '10+'), else 0."""

    @property
    def empty(self) -> bool:
        """Nothing readable at all (a thumbs up alone is readable)."""
        return not self.clean and not _has_emoji_answer(self.raw)


def read(text: str) -> Reading:
    """Read one message once."""
    raw = text[:MAX_TEXT]
    clean = normalize(raw)
    k = key_of_clean(clean)
    junk = is_junk(raw, clean, k)
    nav = Nav.BACK if k in _BACK else Nav.HELP if k in _HELP else None
    return Reading(
        raw=raw,
        clean=clean,
        key=k,
        number=parse_number(clean) if not junk else None,
        option=option_number(clean),
        money=bool(_MONEY.search(clean)),
        negated=bool(_NEGATION.search(clean)),
        asks=bool(clean) and (looks_like_question(clean) or asks_about_jobs(raw) or "?" in raw),
        junk=junk,
        nav=nav,
        cut=len(text) > MAX_TEXT,
        compare=-1 if _LESS.search(clean) else 1 if _MORE.search(clean) else 0,
    )


def _has_emoji_answer(raw: str) -> bool:
    """A thumbs up or down is an answer even with no letters."""
    return any(ch in raw for ch in "👍👎👌✅❌")
