"""One home for the words people type: English in the flow file, every other language in
`locale/<lang>/synonyms.yaml` (choice words, its own ask-back hints, yes and no); a bad shape
names the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from dialogs import i18n, words
from dialogs.engine import handle
from dialogs.flow import FLOWS_DIR, FlowError, intake_flow, load_flow
from dialogs.matching import key, yes_no_word
from dialogs.state import DialogState, Phase, Text

FLOW = """
questions:
  - id: english
    text: "How easy is English for you?"
    choices:
      - id: easy
        label: Easy
        synonyms: {en: [fluent]}
        ask_back: [fine]
      - id: hard
        label: Hard
        synonyms: [difficult]
"""
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_english_words_are_read(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW, encoding="utf-8")
    choice = load_flow(path).questions[0].choices[0]
    assert choice.synonyms == ("fluent",)
    assert choice.ask_back == ("fine",)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("synonyms: {en: fluent}", "synonyms.en"),
        ("synonyms: [1, 2]", "synonyms"),
        ("synonym: [x]", "unknown field 'synonym'"),
        ("synonyms: {en: [fluent], es: [facil]}", "locale/es/synonyms.yaml"),
    ],
)
def test_a_bad_synonym_list_names_the_field(tmp_path: Path, bad: str, field: str) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW.replace("synonyms: {en: [fluent]}", bad), encoding="utf-8")
    with pytest.raises(FlowError, match=field.replace("(", r"\(")):
        load_flow(path)


def test_the_shipped_flow_holds_english_words_only() -> None:
    raw = yaml.safe_load((FLOWS_DIR / "intake.yaml").read_text(encoding="utf-8"))
    for question in raw["questions"]:
        for choice in question["choices"]:
            for field in ("synonyms", "ask_back"):
                value = choice.get(field, [])
                assert isinstance(value, list), (question["id"], choice["id"], field)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_choice_has_words_in_every_language(code: str) -> None:
    said = words.of(code)
    for question in intake_flow().questions:
        for choice in question.choices:
            listed = said.synonyms.get(question.id, {}).get(choice.id, ())
            assert listed, f"{code}: {question.id}.{choice.id} has no words"
    assert said.yes and said.no, f"{code}: yes_no needs yes and no words"
    for qid, choices in said.ask_back.items():
        question = intake_flow().question(qid)
        assert question is not None, f"{code}: ask_back: no question {qid!r}"
        assert set(choices) <= {c.id for c in question.choices}, f"{code}: ask_back: {qid}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_bare_yes_or_no_is_never_recorded_at_a_question_that_is_not_yes_no(code: str) -> None:
    """'sim' or 'haa' at the school question is asked back, as 'yes' is in English."""
    bare = [w for w in (*words.of(code).yes, *words.of(code).no) if len(key(w).split()) == 1]
    for question in intake_flow().questions:
        ids = {c.id for c in question.choices}
        if {"yes", "no"} <= ids or question.id == "support":  # support: "no" is no help needed
            continue
        for word in bare:
            state = DialogState(
                phase=Phase.INTAKE,
                pending=f"q:{question.id}",
                answers={
                    k: v
                    for k, v in {"school": "bachelor", "interests": ("mfg_production",)}.items()
                    if k != question.id
                },
                language=code,
            )
            turn = handle(state, Text(word), NOW)
            assert question.id not in turn.state.answers, (code, question.id, word)
            assert f"{question.id}.partial" not in turn.state.answers, (code, question.id, word)


def test_a_yes_no_section_that_names_another_answer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text('yes_no:\n  "maybe": [x]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="yes_no"):
        words.load(path)


def test_yes_and_no_are_read_in_every_language() -> None:
    table = words.yes_no_words()
    for word, want in [("sim", True), ("haa", True), ("نعم", True), ("oui", True)]:
        assert table[key(word)] is want
    for word in ("não", "maya", "لا", "non"):
        assert table[key(word)] is False
    assert yes_no_word(key("yep")) is True and yes_no_word(key("nope")) is False


@pytest.mark.parametrize(
    ("code", "typed"),
    [("en", "secundaria"), ("en", "trabajo en fabrica"), ("es", "sim"), ("fr", "dugsi sare")],
)
def test_another_languages_words_are_asked_back_never_recorded(code: str, typed: str) -> None:
    qid = "experience" if "fabrica" in typed else "school"
    state = DialogState(phase=Phase.INTAKE, pending=f"q:{qid}", language=code)
    turn = handle(state, Text(typed), NOW)
    assert qid not in turn.state.answers and f"{qid}.partial" not in turn.state.answers
    assert turn.state.suggested, (code, typed, [r.text for r in turn.replies])
