"""The typed-answer tables of every other language, driven through the real engine in that
language: accuracy printed per language, and no row may record an answer the person did not
give (a wrong recording is worse than a question back)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs import i18n
from dialogs import messages as say
from dialogs.engine import handle
from dialogs.flow import Kind, intake_flow
from dialogs.state import AnswerValue, DialogState, Phase, Text
from tests.answer_table_i18n import TABLES, Expected, rows

REQUIRED_RATE = 0.9
MIN_ROWS = 40
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
BEFORE = {"interests": ("mfg_production",)}
"""Answers given before each question, so that every question applies."""
SCHOOL_FOR = {"degree_field": "bachelor", "credential": "credential"}


def _start(question: str, language: str) -> DialogState:
    answers: dict[str, AnswerValue] = dict(BEFORE)
    if question != "school":
        answers["school"] = SCHOOL_FOR.get(question, "high_school")
    answers.pop(question, None)
    return DialogState(
        phase=Phase.INTAKE, pending=f"q:{question}", answers=answers, language=language
    )


def _as_ids(question: str, value: AnswerValue) -> str:
    """A recorded value as the table writes it: choice ids, comma-joined and sorted."""
    q = intake_flow().question(question)
    if q is not None and q.kind is Kind.NUMBER:
        return ", ".join(c.id for c in q.choices if c.value == value)
    if isinstance(value, tuple):
        return ", ".join(sorted(value))
    return str(value)


def outcome(question: str, text: str, language: str) -> tuple[dict[str, str], str]:
    """What the engine recorded (question -> ids) and, when nothing, what it did instead."""
    state = _start(question, language)
    turn = handle(state, Text(text), NOW)
    recorded = {
        k: _as_ids(k, v)
        for k, v in turn.state.answers.items()
        if state.answers.get(k) != v and not k.endswith(".partial")
    }
    if recorded:
        return recorded, ""
    if turn.state.suggested:
        return {}, "ASK"
    if turn.state.no_match > state.no_match:
        return {}, "NO"
    with i18n.use(language):
        back, talk = say.BACK_TO, (say.SOCIAL, say.LOST)
    said = " ".join(r.text for r in turn.replies)
    if any(t in said for t in talk):
        return {}, "TALK"
    return {}, "Q" if back in said else f"other: {said[:60]}"


def _want(question: str, expected: Expected) -> dict[str, str] | str:
    if isinstance(expected, dict):
        return {k: ", ".join(sorted(v.split(", "))) for k, v in expected.items()}
    if isinstance(expected, tuple):
        return {question: ", ".join(sorted(expected))}
    return expected


def _part_of(recorded: dict[str, str], want: dict[str, str] | str) -> bool:
    """Every recorded answer is one the person gave (some may be missing)."""
    if not isinstance(want, dict):
        return False
    return all(
        k in want and set(v.split(", ")) <= set(want[k].split(", ")) for k, v in recorded.items()
    )


@pytest.mark.parametrize("language", sorted(TABLES))
def test_typed_answers_in_each_language(language: str) -> None:
    table = rows(language)
    assert len(table) >= MIN_ROWS
    questions = {q.id for q in intake_flow().questions}
    assert questions <= {qid for qid, _, _ in table}, "every question has rows"
    misses: list[str] = []
    wrong: list[str] = []
    for qid, text, expected in table:
        recorded, did = outcome(qid, text, language)
        want = _want(qid, expected)
        if recorded:
            if recorded == want:
                continue
            if _part_of(recorded, want):  # a multi answer read short: a miss, not wrong
                misses.append(f"{qid}: {text!r} recorded only {recorded} (want {want})")
            else:
                wrong.append(f"{qid}: {text!r} recorded {recorded} (want {want})")
            continue
        if want == did or (want == "NOT" and did in {"ASK", "NO", "Q", "TALK"}):
            continue
        misses.append(f"{qid}: {text!r} -> {did} (want {want})")
    right = len(table) - len(misses) - len(wrong)
    print(f"\n{language}: {right}/{len(table)} right ({right / len(table):.1%})")
    print("\n".join(wrong + misses))
    assert not wrong, "recorded an answer the person did not give:\n" + "\n".join(wrong)
    assert right / len(table) >= REQUIRED_RATE, "\n".join(misses)


TALK = {
    "en": ["hello", "thanks", "i dont understand", "lol", "what?", "sorry"],
    "es": ["hola", "gracias", "no entiendo", "jaja", "que?", "perdon", "buenos dias"],
    "pt": ["oi", "obrigado", "não entendi", "kkkk", "como assim?", "bom dia", "desculpa"],
    "fr": ["salut", "merci", "je comprends pas", "mdr", "quoi ?", "bonjour", "pardon"],
    "ar": ["مرحبا", "شكرا", "ما فهمت", "هههه", "ماذا؟", "صباح الخير", "آسف"],
    "so": ["salaan", "mahadsanid", "ma fahmin", "hahaha", "maxay?", "subax wanaagsan"],
}
"""Greetings, thanks, laughs and 'I don't understand': 'bom dia' holds 'good', 'no entiendo'
holds 'no', 'kkkk' squeezes to 'k' (ok); none of them is an answer."""


@pytest.mark.parametrize("language", sorted(TALK))
def test_talk_is_never_recorded_at_any_question(language: str) -> None:
    for question in intake_flow().questions:
        for text in TALK[language]:
            recorded, did = outcome(question.id, text, language)
            assert not recorded, (language, question.id, text, recorded)
            assert did in {"NO", "Q", "ASK", "TALK"}, (language, question.id, text, did)
