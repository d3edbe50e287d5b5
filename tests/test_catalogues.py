"""The translations: complete where the README says so, and true to the English they translate.

Every translated message keeps the English placeholders, figures, commands and proper names;
the catalogues made with care (COMPLETE) leave nothing untranslated. The printed table gives the
state of each catalogue.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from dialogs import i18n

COMPLETE = ("es", "ar", "pt", "fr", "so")
"""Catalogues translated in full by the project (README: 'Languages')."""
PROPER_NAMES = (
    "Maine JobLink",
    "NorthStar Digital Literacy",
    "O*NET Online",
    "World of Work Inventory",
    "Destination Occupation",
    "Workforce Solutions",
    "Adult Education",
    "Maine Adult Education College and Career Access",
    "Maine Department of Education",
    "WIOA",
    "Pathways",
    "GED",
    "Microsoft",
    "Word",
    "Excel",
)
"""Names of programmes, offices, tests and products: written as the documents write them."""
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")


def catalogue(code: str) -> Catalog:
    with i18n.catalogue_path(code).open("rb") as fp:
        return read_po(fp, locale=code)


def translated(message: Message) -> list[tuple[str, str]]:
    """(English, translation) pairs of a message (each plural form against the English plural)."""
    if isinstance(message.id, str):
        return [(message.id, message.string)] if message.string else []
    singular, plural = message.id
    forms = [s for s in message.string if s]
    return [(singular if i == 0 else plural, s) for i, s in enumerate(forms)]


def digits(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", n) for n in NUMBER.findall(text)}


def test_print_the_state_of_each_catalogue() -> None:
    for code in LANGUAGES:
        messages = [m for m in catalogue(code) if m.id]
        done = sum(1 for m in messages if translated(m))
        print(f"{code}: {done}/{len(messages)} messages translated")


@pytest.mark.parametrize("code", COMPLETE)
def test_the_catalogues_made_with_care_are_complete(code: str) -> None:
    missing = [m.id for m in catalogue(code) if m.id and not translated(m)]
    assert not missing, f"{code}: {len(missing)} untranslated, e.g. {missing[:3]}"
    plurals = [m for m in catalogue(code) if m.id and not isinstance(m.id, str)]
    for message in plurals:
        assert all(message.string), f"{code}: {message.id}: every plural form"


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_placeholders_figures_commands_and_names(code: str) -> None:
    wrong = []
    for message in (m for m in catalogue(code) if m.id):
        for english, text in translated(message):
            marks, kept = set(PLACEHOLDER.findall(english)), set(PLACEHOLDER.findall(text))
            plural = not isinstance(message.id, str)  # Arabic says "two more" without the {n}
            if kept - marks or (marks - kept and not plural):
                wrong.append(("placeholders", english, text))
            if digits(english) != digits(text):
                wrong.append(("figures", english, text))
            if set(COMMAND.findall(english)) - set(COMMAND.findall(text)):
                wrong.append(("commands", english, text))
            lost = [n for n in PROPER_NAMES if n in english and n not in text]
            if lost:
                wrong.append((f"names {lost}", english, text))
    assert not wrong, "\n".join(f"{why}: {en!r} -> {tr!r}" for why, en, tr in wrong[:8])


def test_the_checks_can_fail() -> None:
    assert digits("lift up to 40 pounds") != digits("levantar hasta 40 libras (18 kilos)")
    assert PLACEHOLDER.findall("Got it: {answer}.") != PLACEHOLDER.findall("Entendido.")


@pytest.mark.parametrize("code", COMPLETE)
def test_every_choice_has_words_in_the_language_and_every_id_is_real(code: str) -> None:
    from dialogs.flow import intake_flow
    from dialogs.localize import load_synonyms

    table = load_synonyms(i18n.LOCALE_DIR / code / "synonyms.yaml")
    flow = intake_flow()
    for qid, choices in table.items():
        question = flow.question(qid)
        assert question is not None, f"{code}: no question {qid!r}"
        assert set(choices) <= {c.id for c in question.choices}, f"{code}: {qid}"
    for question in flow.questions:
        missing = {c.id for c in question.choices} - set(table.get(question.id, {}))
        assert not missing, f"{code}: {question.id}: no words for {sorted(missing)}"
