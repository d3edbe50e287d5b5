"""Jargon explained on first use: a short note at the end of the message that first uses a word
of the documents' jargon ("CNC means machines that a computer controls."). Pure.

The words and their meanings are data (knowledge/glossary.yaml), in the person's language
through the catalogue like the rest of the knowledge. A word already explained in a message is
not explained again in it; a longer word wins over a word inside it ("micro-credential" over
"credential").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from dialogs import messages as say
from knowledge.model import Gloss

MAX_NOTES = 3
"""At most this many notes under one message (the message must stay short)."""


@functools.lru_cache(maxsize=64)
def _pattern(word: str) -> re.Pattern[str]:
    flags = 0 if word.isupper() else re.IGNORECASE  # "CAD" the acronym, never "cad"
    return re.compile(rf"(?<![\w*-]){re.escape(word)}(?![\w*-])", flags)


def notes(text: str, glossary: Iterable[Gloss]) -> list[str]:
    """The notes a message needs: each jargon word it uses, in the order they first come."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    words = sorted(((w, g) for g in glossary for w in g.words if w), key=lambda item: -len(item[0]))
    explained: set[int] = set()
    for word, gloss in words:
        match = next(
            (
                m
                for m in _pattern(word).finditer(text)
                if not any(a < m.end() and m.start() < b for a, b in taken)
            ),
            None,
        )
        if match is None:
            continue
        taken.append((match.start(), match.end()))
        if id(gloss) in explained:
            continue
        explained.add(id(gloss))
        note = say.GLOSS.format(term=gloss.words[0], meaning=gloss.meaning)
        found.append((match.start(), note[:1].upper() + note[1:]))
    return [note for _, note in sorted(found)[:MAX_NOTES]]


def explain(text: str, glossary: Iterable[Gloss]) -> str:
    """The message with a note for each jargon word it uses (none: the message unchanged)."""
    found = notes(text, glossary)
    return "\n".join([text, "", *found]) if found else text
