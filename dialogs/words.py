"""The words people type, per language: `locale/<lang>/synonyms.yaml`, read and checked once.

One file per language, the one a translator or an agency edits:

    school:                     # question id -> choice id -> words recorded as that choice
      high_school: [secundaria, prepa]
    ask_back:                   # words that only hint at a choice: "Did you mean ...?" first
      school:
        high_school: ["si"]
    yes_no:                     # yes and no, for "Did you mean ...?" and yes/no questions
      "yes": ["si", "claro"]
      "no": ["no", "para nada"]

The flow file (`dialogs/flows/intake.yaml`) holds the English words only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dialogs import i18n

ASK_BACK = "ask_back"
YES_NO = "yes_no"
RESERVED = frozenset({ASK_BACK, YES_NO})
"""Top-level keys of a synonyms file that are not question ids."""

Table = dict[str, dict[str, tuple[str, ...]]]
"""question id -> choice id -> words."""


@dataclass(frozen=True, slots=True)
class Words:
    """Everything one language's synonyms file says."""

    synonyms: Table = field(default_factory=dict)
    ask_back: Table = field(default_factory=dict)
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()

    @property
    def yes_keys(self) -> frozenset[str]:
        """The yes words by comparison key."""
        from dialogs.matching import key

        return frozenset(key(w) for w in self.yes)

    @property
    def no_keys(self) -> frozenset[str]:
        """The no words by comparison key."""
        from dialogs.matching import key

        return frozenset(key(w) for w in self.no)


def _table(data: Any, where: str) -> Table:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected question ids")
    table: Table = {}
    for qid, choices in data.items():
        if not isinstance(choices, Mapping):
            raise ValueError(f"{where}: {qid}: expected choice ids")
        table[str(qid)] = {}
        for cid, words in choices.items():
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise ValueError(f"{where}: {qid}.{cid}: expected a list of texts (quote sí, no)")
            table[str(qid)][str(cid)] = tuple(words)
    return table


def load(path: Path) -> Words:
    """Read and check a synonyms file; errors name the file and the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected question ids")
    questions = {k: v for k, v in data.items() if k not in RESERVED}
    yes_no = _table({YES_NO: data.get(YES_NO) or {}}, str(path)).get(YES_NO, {})
    unknown = set(yes_no) - {"yes", "no"}
    if unknown:
        raise ValueError(f'{path}: {YES_NO}: only "yes" and "no", not {sorted(unknown)[0]!r}')
    return Words(
        synonyms=_table(questions, str(path)),
        ask_back=_table(data.get(ASK_BACK) or {}, f"{path}: {ASK_BACK}"),
        yes=yes_no.get("yes", ()),
        no=yes_no.get("no", ()),
    )


@functools.cache
def of(code: str) -> Words:
    """The words of language `code` (nothing for a language without a file)."""
    path = i18n.LOCALE_DIR / code / "synonyms.yaml"
    return load(path) if path.exists() else Words()


@functools.cache
def yes_no_words() -> dict[str, bool]:
    """Every language's yes (True) and no (False) words, by comparison key: a yes is a yes
    whatever language the bot speaks ('sim', 'haa', 'نعم')."""
    from dialogs.matching import key

    found: dict[str, bool] = {}
    for code in i18n.LANGUAGES:
        words = of(code)
        for word in words.no:
            found.setdefault(key(word), False)
        for word in words.yes:
            found.setdefault(key(word), True)
    return found


@functools.cache
def foreign_hints(code: str, question_id: str) -> dict[str, tuple[str, ...]]:
    """Answer key -> the choice ids the words of every *other* language give it: typed whole,
    they ask back ("secundaria" while the bot speaks English), never record."""
    from dialogs.matching import key

    hints: dict[str, list[str]] = {}
    for other in i18n.LANGUAGES:
        if other == i18n.resolve(code):
            continue
        said = of(other)
        for table in (said.synonyms, said.ask_back):
            for cid, listed in table.get(question_id, {}).items():
                for word in listed:
                    owners = hints.setdefault(key(word), [])
                    owners += [cid] if cid not in owners else []
    return {k: tuple(v) for k, v in hints.items() if k}
