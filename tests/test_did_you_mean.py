"""After "Did you mean X?": a typed yes (in any language) takes X, a no asks again, a number
counts the options as they were shown; a number of hours on a shared end is asked back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs import i18n
from dialogs.engine import handle
from dialogs.flow import intake_flow
from dialogs.state import Choice, DialogState, Phase, Text, Turn

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def at(question: str, language: str = "en", **answers: object) -> DialogState:
    return DialogState(
        phase=Phase.INTAKE,
        pending=f"q:{question}",
        answers={"school": "high_school", **answers},  # type: ignore[dict-item]
        language=language,
    )


def say(state: DialogState, *texts: str) -> Turn:
    turn = Turn(state)
    for text in texts:
        turn = handle(turn.state, Text(text), NOW)
    return turn


def words(turn: Turn) -> str:
    return " ".join(r.text for r in turn.replies)


def first_labels(turn: Turn) -> list[str]:
    return [o.label for r in turn.replies for o in r.choices]


# A hint the bot asks back in each language, and the choice it suggests.
HINTS = {
    "en": ("school", "yes", "high_school"),
    "es": ("school", "sí", "high_school"),
    "pt": ("school", "sim", "high_school"),
    "fr": ("school", "oui", "high_school"),
    "ar": ("school", "نعم", "high_school"),
    "so": ("school", "haa", "high_school"),
}
YES = {
    "en": ["yes", "ok", "yep", "si", "1"],
    "es": ["si", "sí", "claro", "yes", "1"],
    "pt": ["sim", "isso", "ok", "1"],
    "fr": ["oui", "ouais", "d'accord", "1"],
    "ar": ["نعم", "ايوه", "1"],
    "so": ["haa", "waa haa", "1"],
}
NO = {
    "en": ["no", "nope"],
    "es": ["no", "para nada"],
    "pt": ["não", "nao"],
    "fr": ["non"],
    "ar": ["لا"],
    "so": ["maya"],
}


def _hinted(language: str) -> tuple[DialogState, str, str]:
    question, hint, want = HINTS[language]
    state = at(question, language)
    if question == "school":
        state = DialogState(phase=Phase.INTAKE, pending="q:school", language=language)
    asked = say(state, hint)
    assert asked.state.suggested == (want,), (language, words(asked))
    assert question not in asked.state.answers
    return asked.state, question, want


@pytest.mark.parametrize(("language", "yes"), [(lang, y) for lang, ys in YES.items() for y in ys])
def test_a_yes_takes_the_suggestion(language: str, yes: str) -> None:
    state, question, want = _hinted(language)
    taken = say(state, yes)
    got = taken.state.answers.get(question)
    assert got == want or got == (want,), (language, yes, words(taken))
    assert taken.state.suggested == ()
    with i18n.use(language):
        assert i18n.gettext("Got it: {answer}.").split("{")[0].strip() in words(taken)


@pytest.mark.parametrize(("language", "no"), [(lang, n) for lang, ns in NO.items() for n in ns])
def test_a_no_asks_again_and_records_nothing(language: str, no: str) -> None:
    state, question, _ = _hinted(language)
    again = say(state, no)
    assert question not in again.state.answers, (language, no, words(again))
    assert again.state.pending == f"q:{question}"
    flow = intake_flow()
    q = flow.question(question)
    assert q is not None
    with i18n.use(language):
        assert i18n.gettext(q.text) in words(again)


def test_a_number_counts_the_options_as_shown() -> None:
    """'Did you mean “High school or GED”?' lists it first: '1' is it, not choice 1 (No
    diploma), and '2' is the next one shown."""
    state = DialogState(phase=Phase.INTAKE, pending="q:school")
    asked = say(state, "yes")
    shown = first_labels(asked)
    assert shown[0] == "High school or GED"
    assert say(asked.state, "1").state.answers["school"] == "high_school"
    second = intake_flow().question("school")
    assert second is not None
    want = next(c.id for c in second.choices if c.label == shown[1])
    assert say(asked.state, "2").state.answers["school"] == want


def test_the_suggestion_lasts_one_message_only() -> None:
    asked = say(DialogState(phase=Phase.INTAKE, pending="q:school"), "yes")
    later = say(asked.state, "what is a ged", "yes")
    assert "school" not in later.state.answers
    tapped = handle(asked.state, Choice("associate"), NOW)
    assert tapped.state.suggested == () and tapped.state.answers["school"] == "associate"


def test_a_yes_to_two_suggestions_asks_which() -> None:
    asked = say(at("hours"), "20")
    assert set(asked.state.suggested) == {"h15", "h25"}
    again = say(asked.state, "yes")
    assert "hours" not in again.state.answers
    assert set(again.state.suggested) == {"h15", "h25"}
    assert words(again) == "Which one? Tap it, or type its number."
    assert first_labels(again)[:2] == ["10 to 20", "More than 20"]


@pytest.mark.parametrize(
    ("typed", "want"),
    [
        ("12", 15),
        ("about 12", 15),
        ("3 hours", 3),  # "3" alone is option 3; "3 hours" is a number of hours
        ("15 or so", 15),
        ("7", 8),
        ("25", 25),
        ("40 hours", 25),
        ("at least 20", 25),
        ("more than 20", 25),
        ("less than 5", 3),
        ("under 3", 3),
        ("menos de 5", 3),
        ("2", 8),  # option 2: "5 to 10"
    ],
)
def test_hours_inside_a_range_are_taken(typed: str, want: int) -> None:
    turn = say(at("hours"), typed)
    assert turn.state.answers.get("hours") == want, (typed, words(turn))


@pytest.mark.parametrize(
    ("typed", "options"),
    [
        ("20", {"h15", "h25"}),
        ("20 hours", {"h15", "h25"}),
        ("10", {"h8", "h15"}),
        ("5 hours", {"h3", "h8"}),
        ("less than 10", {"h3", "h8"}),
        ("more than 10", {"h15", "h25"}),
        ("٢٠", {"h15", "h25"}),
    ],
)
def test_hours_on_a_shared_end_are_asked_back(typed: str, options: set[str]) -> None:
    turn = say(at("hours"), typed)
    assert "hours" not in turn.state.answers, (typed, words(turn))
    assert set(turn.state.suggested) == options, (typed, words(turn))
    assert "Did you mean" in words(turn)


def test_the_suggestion_is_saved_with_the_state() -> None:
    asked = say(at("hours"), "20")
    loaded = DialogState.from_json(asked.state.to_json())
    assert loaded.suggested == asked.state.suggested
    assert DialogState.from_json('{"schema": 1, "pending": "q:hours"}').suggested == ()
    assert say(loaded, "1").state.answers["hours"] == 15


def test_a_yes_in_the_persons_language_takes_a_button_that_starts_with_yes() -> None:
    """Somali 'haa' at "Is this your choice?" is the "Haa, ..." button (Yes, set my goals)."""
    state = DialogState(language="so")
    turn = handle(state, Text("hi"), NOW)
    for typed in ("dugsi sare", "adag", "taleefan kaliya", "warshad", "samaynta alaab", "haa"):
        turn = handle(turn.state, Text(typed), NOW)
    for typed in ("haa", "wax yar", "carruur", "haa", "12 saacadood"):
        turn = handle(turn.state, Text(typed), NOW)
    assert turn.state.pending == "pick", [r.text[:40] for r in turn.replies]
    turn = handle(turn.state, Text("1"), NOW)
    assert turn.state.pending == "select"
    turn = handle(turn.state, Text("haa"), NOW)
    assert turn.state.pending == "goal", [r.text[:60] for r in turn.replies]
    turn = handle(turn.state, Text("1"), NOW)
    assert turn.state.pending == "plan_ok"
    turn = handle(
        turn.state, Text("haa"), NOW
    )  # "Waa fiican yahay" (Looks good), whose words hold yes
    assert turn.state.pending == "cadence", [r.text[:60] for r in turn.replies]


@pytest.mark.parametrize(
    ("question", "typed", "want"),
    [
        ("lifting", "i can lift 20 pounds", "no"),  # the question asks for 40 pounds
        ("lifting", "50 pounds", "yes"),
        ("lifting", "30 kg", "yes"),  # 66 pounds
        ("lifting", "10 kilos", "no"),
        ("age", "45 years old", "yes"),
        ("age", "tengo 35 años", "yes"),
        ("age", "17", "no"),
    ],
)
def test_numbers_at_questions_with_ranges(question: str, typed: str, want: str) -> None:
    state = at(question, interests=("mfg_production",))
    turn = say(state, typed)
    assert turn.state.answers.get(question) == want, (typed, words(turn))


def test_a_lone_small_digit_is_not_an_age() -> None:
    turn = say(at("age"), "5")
    assert "age" not in turn.state.answers
