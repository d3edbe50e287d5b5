"""The typed-answer table, driven through the real engine: each answer is recorded as the
right choice, asked back, refused with the choices shown, or answered as a question."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs import messages as say
from dialogs.engine import handle
from dialogs.flow import Kind, Question, intake_flow
from dialogs.state import DialogState, Phase, Text
from tests.answer_table import ASK, NO, Expected, Q, rows

REQUIRED_RATE = 0.95
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EARLIER = {"school": "high_school", "interests": ("mfg_production",)}
"""Answers given before each question, so that every question applies."""


def outcome(question: Question, text: str) -> Expected:
    """What the engine did with `text` typed at `question`."""
    state = DialogState(phase=Phase.INTAKE, pending=f"q:{question.id}", answers=dict(EARLIER))
    state = DialogState(
        phase=state.phase,
        pending=state.pending,
        answers={k: v for k, v in state.answers.items() if k != question.id},
    )
    turn = handle(state, Text(text), NOW)
    if question.id in turn.state.answers and turn.state.answers != state.answers:
        value = turn.state.answers[question.id]
        if question.kind is Kind.NUMBER:
            return tuple(c.id for c in question.choices if c.value == value)
        return value if isinstance(value, tuple) else (str(value),)
    partial = turn.state.answers.get(f"{question.id}.partial")
    if isinstance(partial, tuple):
        return partial
    texts = " ".join(r.text for r in turn.replies)
    if say.DID_YOU_MEAN in texts or "Did you mean" in texts:
        return ASK
    if say.BACK_TO in texts:
        return Q
    if turn.state.no_match > state.no_match:  # said it did not understand, showed the buttons
        return NO
    return f"other: {texts[:80]}"


def test_typed_answer_table_hit_rate() -> None:
    flow = intake_flow()
    table = rows(flow)
    assert len(table) >= 250
    misses: list[str] = []
    for qid, text, expected in table:
        question = flow.question(qid)
        assert question is not None, qid
        got = outcome(question, text)
        want = tuple(sorted(expected)) if isinstance(expected, tuple) else expected
        have = tuple(sorted(got)) if isinstance(got, tuple) else got
        if have != want:
            misses.append(f"{qid}: {text!r} -> {got} (want {expected})")
    rate = 1 - len(misses) / len(table)
    print(f"\ntyped answers: {len(table) - len(misses)}/{len(table)} right ({rate:.1%})")
    print("\n".join(misses))
    assert rate >= REQUIRED_RATE, "\n".join(misses)


def test_junk_is_never_recorded() -> None:
    flow = intake_flow()
    for question in flow.questions:
        for junk in ("-1", "<b>bold</b>", "q", "…", "**x**"):
            assert outcome(question, junk) == NO, (question.id, junk)
