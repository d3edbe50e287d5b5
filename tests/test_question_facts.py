"""The fact table: at least 300 questions, each answer holding its facts; prints the hit rate."""

from __future__ import annotations

from dialogs.questions import answer_question
from knowledge.loader import get_knowledge
from tests.fact_table import check, facts

REQUIRED_RATE = 0.95


def test_fact_table_hit_rate() -> None:
    kb = get_knowledge()
    rows = facts(kb)
    assert len(rows) >= 300
    misses: list[str] = []
    for row in rows:
        answer = answer_question(row.text, kb)
        wrong = check(row, answer.text if answer else None)
        if wrong:
            misses.append(f"{row.text!r}: {', '.join(wrong)}")
    rate = 1 - len(misses) / len(rows)
    print(f"\nquestion facts: {len(rows) - len(misses)}/{len(rows)} right ({rate:.1%})")
    print("\n".join(misses))
    assert rate >= REQUIRED_RATE, "\n".join(misses)
