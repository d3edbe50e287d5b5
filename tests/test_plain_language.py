"""Every fixed sentence the bot says stays easy to read (Flesch-Kincaid grade <= 7)."""

from __future__ import annotations

import re

import textstat

from dialogs import messages
from dialogs.flow import intake_flow

MAX_GRADE = 7.0


def _texts() -> dict[str, str]:
    found = {name: value for name, value in messages.ENGLISH.items() if isinstance(value, str)}
    for question in intake_flow().questions:
        found[f"intake.{question.id}"] = question.text
        if question.why:
            found[f"intake.{question.id}.why"] = question.why
    return found


def _plain(text: str) -> str:
    text = re.sub(r"\{[a-z_]+\}", "it", text)  # placeholders read as a short word
    text = re.sub(r"^/\w+ - ", "", text, flags=re.M)  # command names in the help
    return text


def grade(text: str) -> float:
    """Flesch-Kincaid grade of a message, placeholders read as short words."""
    return float(textstat.flesch_kincaid_grade(_plain(text)))


def test_every_message_reads_at_grade_seven_or_below() -> None:
    hard = {name: round(grade(t), 1) for name, t in _texts().items() if grade(t) > MAX_GRADE}
    assert not hard, hard


def test_the_grade_check_can_fail() -> None:
    assert (
        grade(
            "Notwithstanding considerable institutional heterogeneity, "
            "participants' educational trajectories necessitate individualized "
            "accommodations."
        )
        > MAX_GRADE
    )


def test_average_grade_is_reported() -> None:
    # Flesch-Kincaid drops below zero on two-word texts; average the messages of 8+ words.
    texts = [t for t in _texts().values() if len(_plain(t).split()) >= 8]
    average = sum(grade(t) for t in texts) / len(texts)
    print(f"average reading grade of {len(texts)} messages of 8+ words: {average:.1f}")
    assert average <= MAX_GRADE
