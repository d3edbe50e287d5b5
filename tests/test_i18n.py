"""The catalogue machinery: languages resolved, catalogues loaded, English when a word lacks."""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from dialogs import i18n
from dialogs.extract import yaml_strings
from dialogs.flow import FLOWS_DIR
from knowledge.loader import get_knowledge

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


@pytest.mark.parametrize(
    ("telegram", "bot"),
    [
        ("es", "es"),
        ("es-419", "es"),
        ("pt-br", "pt"),
        ("PT_BR", "pt"),
        ("fr-CA", "fr"),
        ("ar", "ar"),
        ("so", "so"),
        ("en-GB", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_codes_resolve_to_a_language_the_bot_speaks(
    telegram: str | None, bot: str
) -> None:
    assert i18n.resolve(telegram) == bot


def test_the_language_names_are_written_in_their_own_language() -> None:
    names = {code: lang.name for code, lang in i18n.LANGUAGES.items()}
    assert names == {
        "en": "English",
        "es": "Español",
        "pt": "Português",
        "fr": "Français",
        "ar": "العربية",
        "so": "Soomaali",
    }
    assert [c for c, lang in i18n.LANGUAGES.items() if lang.rtl] == ["ar"]


def _write_catalogue(folder: Path, code: str, messages: dict[str, str | tuple[str, ...]]) -> Path:
    catalog = Catalog(locale=code, domain=i18n.DOMAIN, fuzzy=False)
    for msgid, msgstr in messages.items():
        if isinstance(msgstr, tuple):
            catalog.add((msgid, msgid + "s"), msgstr)
        else:
            catalog.add(msgid, msgstr)
    po = folder / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as fp:
        write_po(fp, catalog)
    return po


def test_a_catalogue_loads_from_its_po_before_make_compiled_it(tmp_path: Path) -> None:
    _write_catalogue(tmp_path, "es", {"Thanks.": "Gracias.", "Got it: {answer}.": ""})
    found = i18n.load_catalogue(tmp_path, "es")
    assert found.gettext("Thanks.") == "Gracias."
    assert found.gettext("Got it: {answer}.") == "Got it: {answer}."  # untranslated: English
    assert found.gettext("Never extracted.") == "Never extracted."


def test_a_compiled_catalogue_newer_than_its_po_is_the_one_read(tmp_path: Path) -> None:
    po = _write_catalogue(tmp_path, "fr", {"Thanks.": "Merci (po)."})
    catalog = Catalog(locale="fr", domain=i18n.DOMAIN, fuzzy=False)
    catalog.add("Thanks.", "Merci (mo).")
    mo = po.with_suffix(".mo")
    with mo.open("wb") as fp:
        write_mo(fp, catalog)
    os.utime(po, (1, 1))
    assert i18n.load_catalogue(tmp_path, "fr").gettext("Thanks.") == "Merci (mo)."
    os.utime(mo, (0, 0))  # an edited .po that make has not compiled yet wins
    assert i18n.load_catalogue(tmp_path, "fr").gettext("Thanks.") == "Merci (po)."


def test_no_catalogue_at_all_speaks_english(tmp_path: Path) -> None:
    assert i18n.load_catalogue(tmp_path, "so").gettext("Thanks.") == "Thanks."


def test_plural_forms_follow_the_language(tmp_path: Path) -> None:
    forms = ("0 ayyam", "yawm", "yawmani", "ayyam", "yawman", "yawm+")
    _write_catalogue(tmp_path, "ar", {"day": forms})
    found = i18n.load_catalogue(tmp_path, "ar")
    assert [found.ngettext("day", "days", n) for n in (0, 1, 2, 5, 11, 100)] == list(forms)
    # CLDR gives Spanish three forms (one, many: "1 millón de días", other)
    _write_catalogue(tmp_path, "es", {"day": ("día", "de días", "días")})
    spanish = i18n.load_catalogue(tmp_path, "es")
    assert [spanish.ngettext("day", "days", n) for n in (1, 2, 1_000_000)] == [
        "día",
        "días",
        "de días",
    ]


def test_the_language_of_a_turn_is_set_and_put_back() -> None:
    assert i18n.current() == "en"
    with i18n.use("es-MX") as code:
        assert code == "es" and i18n.current() == "es"
        with i18n.use("zz"):
            assert i18n.current() == "en"
        assert i18n.current() == "es"
    assert i18n.current() == "en"


def test_numbers_are_written_the_way_each_language_writes_them() -> None:
    assert i18n.number(55000, "en") == "55,000"
    assert i18n.number(55000, "es") == "55.000"
    assert i18n.number(55000, "pt") == "55.000"
    assert i18n.number(23.5, "fr") == "23,5"
    assert i18n.number(55000, "ar") == "55,000"  # Western digits, as the documents write them


def _po(code: str) -> Catalog:
    with i18n.catalogue_path(code).open("rb") as fp:
        return read_po(fp, locale=code)


def test_every_language_has_a_catalogue_with_the_whole_template() -> None:
    with (ROOT / "locale" / "pathways.pot").open("rb") as fp:
        template = {m.id for m in read_po(fp) if m.id}
    assert len(template) > 100
    for code in CATALOGUE_LANGUAGES:
        catalogue = _po(code)
        assert {m.id for m in catalogue if m.id} == template, code
        assert not catalogue.fuzzy, f"{code}: a fuzzy header stops pybabel compile"


@pytest.mark.parametrize("code", CATALOGUE_LANGUAGES)
def test_the_compiled_catalogues_load(code: str) -> None:
    mo = i18n.catalogue_path(code, "mo")
    assert mo.exists(), f"{mo} missing: make builds it from the .po"
    with mo.open("rb") as fp:
        compiled = gettext.GNUTranslations(io.BytesIO(fp.read()))
    for message in _po(code):
        if message.id and message.string and isinstance(message.id, str):
            if message.context:  # "English" the requirement, not the language button
                assert compiled.pgettext(message.context, message.id) == message.string
            else:
                assert compiled.gettext(message.id) == message.string


def test_the_yaml_extractor_takes_what_people_read_and_leaves_codes_and_synonyms() -> None:
    flow = {text for _, _, text in yaml_strings((FLOWS_DIR / "intake.yaml").read_text(), flow=True)}
    kb = get_knowledge()
    for question_text in ("How easy is English for you?", "Got it: {answer}.", "Easy", "Hard"):
        assert question_text in flow
    assert not {"fluent", "hiset", "idk", "school", "yes", "no"} & flow  # synonyms and ids
    knowledge: set[str] = set()
    for path in (ROOT / "knowledge").rglob("*.yaml"):
        knowledge |= {text for _, _, text in yaml_strings(path.read_text(), flow=False)}
    for pathway in kb.pathways:
        assert pathway.name in knowledge
        for step in pathway.steps:
            assert step.title in knowledge
            assert all(job.title in knowledge for job in step.jobs)
    assert "Maine JobLink" not in knowledge  # a resource's name is a proper name: never translated
    assert not {"high_school", "it", "manufacturing", "year", "hour"} & knowledge


def test_arabic_replies_join_words_with_the_arabic_comma_and_keep_figures_whole() -> None:
    with i18n.use("ar"):
        laid_out = i18n.bidi("عمال نظافة المباني, عمال مطاعم: $49,000–55,000")
    assert "المباني، عمال" in laid_out and ", " not in laid_out.split(":")[0]
    assert "49,000" in laid_out
