"""Free questions in six languages: each answer holds its facts, in the person's language.

Each row of tests/language_question_table.py is asked as the engine asks it (English through the
answerer, the other languages through dialogs.localize.answer_in), and its answer must hold the
facts of the row, must not hold what the row rules out, and (outside English) must hold no
English sentence: once the proper names the documents give (schools, programmes, websites) are
taken out, no line may keep three English words. The accuracy per language is printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import pytest

from dialogs import i18n, localize
from dialogs.questions import answer_question
from dialogs.saying import pay
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge
from tests.language_question_table import NO_FIGURE, PAY_KEYS, ROWS, Row

REQUIRED_RATE = 0.9
"""Each language's share of rows answered right."""
MARKS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))
ENGLISH_WORDS = frozenset(
    (
        "the",
        "is",
        "are",
        "you",
        "your",
        "jobs",
        "job",
        "pay",
        "that",
        "this",
        "with",
        "need",
        "needs",
        "average",
        "step",
        "hour",
        "year",
        "what",
        "which",
        "how",
        "documents",
        "these",
        "there",
        "can",
        "about",
        "they",
        "and",
        "or",
        "for",
        "of",
        "from",
        "give",
        "list",
        "name",
        "only",
    )
)
"""Words that, three to a line, make an English sentence (none is a word of the other five)."""
KEPT_ENGLISH = ("IT", "CNC", "CAD", "SEO", "GED", "CompTIA", "associate", "bachelor", "degree")
"""Codes and the documents' degree names, kept in English on purpose (glossed in the language)."""


def plain(text: str) -> str:
    """Without direction marks and case, accents composed, French narrow spaces as spaces."""
    return unicodedata.normalize("NFKC", text.translate(MARKS)).casefold()


def fragment(value: str, code: str, kb: Knowledge) -> str:
    """What a fact stands for in the answer's language."""
    if value in PAY_KEYS:
        pathway = kb.pathway("manufacturing" if value[0] == "M" else "it")
        stated = pathway.step(int(value[1])).pay
        assert stated is not None
        with i18n.use(code):
            return pay(stated).text()
    if value.startswith("k:"):
        with i18n.use(code):
            return i18n.gettext(value[2:])
    return value


def proper_names(kb: Knowledge) -> tuple[str, ...]:
    """The names the documents give that stay in English, longest first."""
    names = {t.name for t in kb.process.terms}
    for pathway in kb.pathways:
        for step in pathway.steps:
            for resource in step.resources:
                names.add(resource.name)
                if resource.provider:
                    names.add(resource.provider)
    return tuple(sorted(names | set(KEPT_ENGLISH), key=len, reverse=True))


def english_lines(text: str, kb: Knowledge) -> list[str]:
    """Lines that still read as English once the documents' names are taken out."""
    found = []
    for line in plain(text).split("\n"):
        rest = line
        for name in proper_names(kb):
            rest = rest.replace(name.casefold(), " ")
        words = set(re.findall(r"[a-z']+", rest))
        if len(words & ENGLISH_WORDS) >= 3:
            found.append(line)
    return found


def wrong(row: Row, text: str | None, kb: Knowledge) -> list[str]:
    """What is wrong with one answer (empty: right)."""
    if text is None:
        return ["not read as a question"]
    said = plain(text)
    misses = []
    for fact in row.holds:
        if plain(fragment(fact, row.lang, kb)) not in said:
            misses.append(f"lacks {fragment(fact, row.lang, kb)!r}")
    for fact in row.lacks:
        if fact == NO_FIGURE:
            if re.search(r"\$\s*\d", said):
                misses.append("holds a dollar figure")
        elif plain(fragment(fact, row.lang, kb)) in said:
            misses.append(f"holds {fragment(fact, row.lang, kb)!r}")
    if row.lang != i18n.DEFAULT:
        misses += [f"English: {line[:70]!r}" for line in english_lines(text, kb)]
    return misses


def ask(row: Row, kb: Knowledge) -> str | None:
    """The answer, as the engine gets it for a person speaking the row's language."""
    if row.lang == i18n.DEFAULT:
        found = answer_question(row.text, kb)
    else:
        found = localize.answer_in(row.text, row.lang, kb)
    return None if found is None else found.text


def test_every_language_has_a_broad_table() -> None:
    per = defaultdict(int)
    for row in ROWS:
        per[row.lang] += 1
    assert set(per) == set(i18n.LANGUAGES)
    assert all(per[code] >= 25 for code in i18n.LANGUAGES), dict(per)


def test_questions_in_each_language_are_answered_with_their_facts_in_that_language() -> None:
    kb = get_knowledge()
    right: dict[str, int] = defaultdict(int)
    asked: dict[str, int] = defaultdict(int)
    misses: list[str] = []
    for row in ROWS:
        asked[row.lang] += 1
        problems = wrong(row, ask(row, kb), kb)
        if problems:
            misses.append(f"[{row.lang}] {row.text!r}: {'; '.join(problems)}")
        else:
            right[row.lang] += 1
    print()
    for code in i18n.LANGUAGES:
        rate = right[code] / asked[code]
        print(
            f"questions in {i18n.LANGUAGES[code].english_name}:"
            f" {right[code]}/{asked[code]} ({rate:.0%})"
        )
    print("\n".join(misses))
    low = [c for c in i18n.LANGUAGES if right[c] / asked[c] < REQUIRED_RATE]
    assert not low, "\n".join(misses)


def test_the_checks_can_fail() -> None:
    kb = get_knowledge()
    row = Row("es", "¿Cuánto gana un soldador?", ("M3",), ("M2",))
    assert wrong(row, "Welder is on Manufacturing step 3. Average pay: $49,000–55,000 a year.", kb)
    assert not wrong(
        row, "Soldador: Manufactura, paso 3. Pago promedio: $49.000–55.000 al año.", kb
    )
    assert english_lines("You can ask about the jobs.", kb)
    assert not english_lines(
        "• Southern Maine Community College: CNC Machine Operator Certificate", kb
    )


def reads_right_to_left(line: str) -> bool:
    """The line's direction, as Unicode sets it: its first strong letter outside isolates."""
    depth = 0
    for ch in line:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069":
            depth -= 1
        elif depth == 0 and unicodedata.bidirectional(ch) in ("L", "R", "AL"):
            return unicodedata.bidirectional(ch) != "L"
    return True


@pytest.mark.parametrize("code", ["es", "ar"])
def test_arabic_lists_and_lines_read_right_to_left(code: str) -> None:
    kb = get_knowledge()
    found = localize.answer_in(
        "¿Qué es el paso 3?" if code == "es" else "ما هي الخطوة 3؟", code, kb
    )
    assert found is not None
    lines = found.text.split("\n")
    if code == "ar":
        assert all(reads_right_to_left(line) for line in lines if line), lines
        assert "، " in found.text and ", " not in found.text.translate(MARKS)
        assert "\u2066$49,000–55,000\u2069" in found.text  # the figure kept in one piece
    else:
        assert not any(i18n.RLM in line for line in lines)
