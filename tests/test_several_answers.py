"""One message that also answers later questions: each answer plainly named is taken, said
back, and gets its own Change button; anything unclear is left for its own question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.engine import handle
from dialogs.state import Choice, DialogState, Phase, Text, Turn

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def typed(text: str, language: str = "en", question: str = "school", **answers: object) -> Turn:
    state = DialogState(
        phase=Phase.INTAKE,
        pending=f"q:{question}",
        answers=dict(answers),  # type: ignore[arg-type]
        language=language,
    )
    return handle(state, Text(text), NOW)


@pytest.mark.parametrize(
    ("language", "text", "want"),
    [
        ("en", "bachelors in biology", {"school": "bachelor", "degree_field": "other"}),
        ("en", "a bachelor's in computer science", {"school": "bachelor", "degree_field": "it"}),
        (
            "en",
            "bachelors in biology and my english is ok",
            {"school": "bachelor", "degree_field": "other", "english": "ok"},
        ),
        (
            "en",
            "i finished high school but english is hard",
            {"school": "high_school", "english": "hard"},
        ),
        ("en", "no diploma and no english", {"school": "none", "english": "hard"}),
        ("en", "ged, 12 hours a week", {"school": "high_school", "hours": 15}),
        ("es", "termine la secundaria, ingles poco", {"school": "high_school", "english": "hard"}),
        (
            "pt",
            "terminei o ensino medio e o ingles e dificil",
            {"school": "high_school", "english": "hard"},
        ),
    ],
)
def test_later_answers_in_the_same_message_are_taken(
    language: str, text: str, want: dict[str, object]
) -> None:
    turn = typed(text, language)
    assert dict(turn.state.answers) == want, [r.text for r in turn.replies]
    changes = [o for r in turn.replies for o in r.choices if o.id.startswith("change:")]
    assert {o.id.removeprefix("change:") for o in changes} == set(want)
    acks = [r.text for r in turn.replies if not r.choices]
    assert len(acks) == len(want)  # each answer said back on its own line


@pytest.mark.parametrize(
    "text",
    [
        "ged and i can lift 40 pounds",  # 40 is pounds, not hours; lifting is not open yet
        "ged, 20 hours",  # 20 is on the end of two choices: asked later
        "associates, i like computers",  # liking computers is not the degree's field
        "bachelors, no",  # a bare no answers nothing later
        "ged yes",
        "high school ok",  # 'ok' alone does not say it is about English
    ],
)
def test_unclear_rest_is_left_for_its_own_question(text: str) -> None:
    turn = typed(text)
    assert len(turn.state.answers) == 1, (text, dict(turn.state.answers))


def test_each_change_button_reopens_its_own_question() -> None:
    turn = typed("bachelors in biology")
    assert turn.state.pending == "q:english"
    reopened = handle(turn.state, Choice("change:degree_field"), NOW)
    assert reopened.state.pending == "q:degree_field"
    again = handle(reopened.state, Text("nursing"), NOW)
    assert again.state.answers["degree_field"] == "other"
    assert again.state.answers["school"] == "bachelor"


def test_the_follow_up_comes_before_later_questions() -> None:
    """'bachelors and my english is ok': English is taken, and the degree question (which the
    message did not answer) is asked next, not skipped."""
    turn = typed("bachelors and my english is ok")
    assert turn.state.answers.get("english") == "ok"
    assert turn.state.pending == "q:degree_field"


def test_thats_all_before_any_pick_records_nothing() -> None:
    """At a question with no 'None' choice, "that's all" first is asked again, never an empty
    answer ("Got it: you like .")."""
    turn = typed("that's all", question="interests", school="high_school")
    assert "interests" not in turn.state.answers
    assert turn.state.pending == "q:interests"
    turn = handle(turn.state, Text("making things"), NOW)
    assert turn.state.answers["interests"] == ("mfg_production",)
