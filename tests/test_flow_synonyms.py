"""Flow synonyms and ask-back hints: a list, or per language; a bad shape names the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.flow import FlowError, load_flow

FLOW = """
questions:
  - id: english
    text: "How easy is English for you?"
    choices:
      - id: easy
        label: Easy
        synonyms: {en: [fluent], es: [facil]}
        ask_back: {es: [bien]}
      - id: hard
        label: Hard
        synonyms: [difficult]
"""


def test_synonyms_per_language_are_all_read(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW, encoding="utf-8")
    choice = load_flow(path).questions[0].choices[0]
    assert choice.synonyms == ("fluent", "facil")
    assert choice.ask_back == ("bien",)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("synonyms: {en: fluent}", "synonyms.en"),
        ("synonyms: [1, 2]", "synonyms"),
        ("synonym: [x]", "unknown field 'synonym'"),
    ],
)
def test_a_bad_synonym_list_names_the_field(tmp_path: Path, bad: str, field: str) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW.replace("synonyms: {en: [fluent], es: [facil]}", bad), encoding="utf-8")
    with pytest.raises(FlowError, match=field.replace("(", r"\(")):
        load_flow(path)


def test_the_shipped_flow_gives_spanish_hints_as_ask_back_only() -> None:
    from dialogs.flow import intake_flow

    production = intake_flow().question("experience")
    assert production is not None
    factory = production.choice("production")
    assert factory is not None and "trabajo en fabrica" in factory.ask_back
    assert "trabajo en fabrica" not in factory.synonyms
