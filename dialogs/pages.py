"""Long texts in pages of one phone screen, the rest behind the More button (pure).

The More button's id and its handler live in `dialogs.engine` (`_more` shows the next page of
`DialogState.more_pages`); here a stage puts a long text into pages and the More button under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dialogs import messages as say
from dialogs.glossary import explain
from dialogs.questions import PAGE_CHARS, Answer
from dialogs.state import DialogState, Option, Reply
from knowledge.model import Gloss

MORE_ID = "more"
"""The choice id of the More button (the engine answers it with the next page)."""


def with_option(replies: tuple[Reply, ...], change: Option) -> tuple[Reply, ...]:
    """The replies with one more button (Change, More) on the last one that has buttons (none:
    the last with words), so that Telegram still gets one message per turn."""
    with_buttons = [i for i, r in enumerate(replies) if r.choices]
    with_words = [i for i, r in enumerate(replies) if r.text]
    found = with_buttons or with_words
    if not found:
        return (*replies, Reply("", (change,)))
    index = found[-1]
    changed = replace(replies[index], choices=(*replies[index].choices, change))
    return (*replies[:index], changed, *replies[index + 1 :])


def cut(text: str, limit: int = PAGE_CHARS) -> tuple[str, ...]:
    """The text cut at line breaks into pages of at most `limit` characters."""
    return Answer(text).pages(limit)


def _blocks(text: str) -> list[str]:
    """The text's items: a line with the indented lines under it; a blank line ends an item."""
    blocks: list[list[str]] = []
    for line in text.strip("\n").split("\n"):
        if blocks and blocks[-1] and line.startswith(" "):
            blocks[-1].append(line)
        else:
            blocks.append([line] if line.strip() else [])
    return ["\n".join(b) for b in blocks]


def screens(text: str, glossary: Sequence[Gloss] = ()) -> list[str]:
    """The text as screens of at most PAGE_CHARS, each with the notes on its jargon; an item
    and its details stay on one screen (an item longer than a screen is cut at spaces)."""
    found: list[str] = []
    current: list[str] = []

    def fits(lines: list[str]) -> bool:
        return len(explain("\n".join(lines).strip("\n"), glossary)) <= PAGE_CHARS

    for block in _blocks(text):
        if fits([*current, block]):
            current.append(block)
            continue
        if "\n".join(current).strip():
            found.append(explain("\n".join(current).strip("\n"), glossary))
        current = [block]
        if not fits(current):  # one item longer than a screen
            notes = len(explain(block, glossary)) - len(block)
            found += [explain(p, glossary) for p in cut(block, PAGE_CHARS - notes)]
            current = []
    if "\n".join(current).strip():
        found.append(explain("\n".join(current).strip("\n"), glossary))
    return found


def paged(
    state: DialogState,
    pages: Sequence[str],
    after: Sequence[Reply] = (),
    glossary: Sequence[Gloss] = (),
) -> tuple[DialogState, tuple[Reply, ...]]:
    """The first screen now (then `after`), the rest kept for More; each fits one screen.

    `pages` are the text's parts as they should be read (a part longer than a screen is cut
    at line breaks); jargon in a screen is explained at its end."""
    shown = [screen for page in pages if page.strip() for screen in screens(page, glossary)]
    if not shown:
        return state, tuple(after)
    first, *rest = shown
    state = replace(state, more_pages=tuple(rest))
    replies: tuple[Reply, ...] = (Reply(first), *after)
    return state, with_option(replies, Option(MORE_ID, say.MORE)) if rest else replies
