"""Words in the person's language: gettext catalogues keyed by the English sentence.

The pattern is aiogram's (`aiogram/utils/i18n`): one `Translations` per language, loaded once,
and the language of the turn in a context variable, so `_("...")` anywhere in the engine answers
in it. `handle` sets it from `DialogState.language` for the length of one turn (pure: no I/O
beyond reading the catalogue files once, like the flow and knowledge YAML).

A sentence missing from a catalogue comes out in English, never as a key. Proper names and
figures are never translated (the catalogue tests hold every translation to the English
placeholders and numbers).
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DOMAIN = "pathways"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""`locale/<lang>/LC_MESSAGES/pathways.po` (committed) and `.mo` (built by `make`)."""
DEFAULT = "en"


@dataclass(frozen=True, slots=True)
class Language:
    """One language the bot speaks: its code, its name in itself, and its direction."""

    code: str
    name: str
    """The language's name written in that language (what the /language buttons show)."""
    english_name: str
    """The name counselors read in the summary."""
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English"),
        Language("es", "Español", "Spanish"),
        Language("pt", "Português", "Portuguese"),
        Language("fr", "Français", "French"),
        Language("ar", "العربية", "Arabic", rtl=True),
        Language("so", "Soomaali", "Somali"),
    )
}
"""The six languages, in the order the /language buttons show them after the person's own."""

_current: ContextVar[str] = ContextVar("pathways_language", default=DEFAULT)


def resolve(code: str | None) -> str:
    """The bot language for a Telegram `language_code` ("es-419" -> "es"); English otherwise."""
    if not code:
        return DEFAULT
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else DEFAULT


def language(code: str | None = None) -> Language:
    """The Language for a code (the current one when None); English for an unknown code."""
    return LANGUAGES[resolve(code or _current.get())]


def current() -> str:
    """The code of the language this turn speaks."""
    return _current.get()


@contextmanager
def use(code: str | None) -> Iterator[str]:
    """Speak `code` (resolved, English when unknown) inside the block."""
    resolved = resolve(code)
    token = _current.set(resolved)
    try:
        yield resolved
    finally:
        _current.reset(token)


def catalogue_path(code: str, ext: str = "po") -> Path:
    """Where the catalogue of a language lives (`ext`: "po" or "mo")."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.{ext}"


@functools.cache
def translations(code: str) -> _gettext.NullTranslations:
    """The catalogue of a language, loaded once (English needs none: its words are the keys)."""
    if code == DEFAULT:
        return _gettext.NullTranslations()
    return load_catalogue(LOCALE_DIR, code)


def load_catalogue(directory: Path, code: str) -> _gettext.NullTranslations:
    """The compiled `.mo` under `directory`, or the `.po` when the `.mo` is missing or older (a
    checkout that has not run `make` yet still speaks the language); none: English."""
    folder = directory / code / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return _gettext.GNUTranslations(fp)
    if po.exists():
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=code, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return _gettext.GNUTranslations(buffer)
    return _gettext.NullTranslations()


def gettext(message: str) -> str:
    """`message` in the current language (English when the catalogue lacks it)."""
    if not message:
        return message
    return translations(_current.get()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, by the current language's plural rules."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, as meant in `context` ("English" the requirement is
    not "English" the language button)."""
    return translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a sentence for the catalogue without translating it yet (module constants)."""
    return message


def month_year(day: date) -> str:
    """'Jun 2027' ('jun 2027', 'يونيو 2027')."""
    if current() == DEFAULT:
        return f"{day:%b %Y}"
    return str(format_date(day, "LLL y", locale=locale()))


def weekday_date(day: date) -> str:
    """'Tue 08 Dec' ('mar 08 dic')."""
    if current() == DEFAULT:
        return f"{day:%a %d %b}"
    return str(format_date(day, "EEE dd MMM", locale=locale()))


def day_month_year(day: date) -> str:
    """'08 Dec 2026' ('08 dic 2026')."""
    if current() == DEFAULT:
        return f"{day:%d %b %Y}"
    return str(format_date(day, "dd MMM y", locale=locale()))


def locale(code: str | None = None) -> Locale:
    """The Babel locale of a language (the current one when None)."""
    return Locale.parse(language(code).code)


def number(value: float, code: str | None = None) -> str:
    """A number written the way the language writes it ("55,000" / "55.000" / "55 000")."""
    return str(format_decimal(value, locale=locale(code)))


# ---- lists and right-to-left text ------------------------------------------------------------

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"
"""Left-to-right isolate and its end (a Latin name or a figure set apart inside Arabic), and
the right-to-left mark that starts each Arabic line: a line's direction comes from its first
strong letter, so '• Maine JobLink: ...' would otherwise be laid out left to right."""
_ARABIC_AND, _ARABIC_OR = "و", " أو "


def join(items: Sequence[str], how: str = "and") -> str:
    """Items as a list the current language reads: how is "and", "or" or "comma".

    English keeps the answers' own forms ('a, b', 'a or b', 'a and b'); Arabic joins with the
    Arabic comma and 'و' ('a، b وc'); the others as Babel's lists ('a, b y c', 'a, b ou c')."""
    items = [i for i in items if i]
    code = current()
    if code == DEFAULT or len(items) < 2:
        sep = {"and": " and ", "or": " or "}.get(how, ", ")
        return sep.join(items)
    if language(code).rtl:
        if how == "comma":
            return "، ".join(items)
        head = "، ".join(items[:-1])
        return (
            f"{head}{_ARABIC_OR}{items[-1]}" if how == "or" else f"{head} {_ARABIC_AND}{items[-1]}"
        )
    if how == "comma":
        return ", ".join(items)
    return str(format_list(items, style="or" if how == "or" else "standard", locale=locale()))


def isolate(text: str) -> str:
    """A Latin name or a figure set apart from right-to-left text (unchanged in other languages)."""
    if not text or not language().rtl or text.startswith(LRI):
        return text
    return f"{LRI}{text}{PDI}"


_ISOLATED = re.compile(f"{LRI}[^{PDI}]*{PDI}")
_LATIN_RUN = re.compile(r"[A-Za-z0-9$][A-Za-z0-9$+*&'’/.,:()\-– ]*[A-Za-z0-9+]|[A-Za-z0-9$]")


def bidi(text: str) -> str:
    """A whole message made safe for right-to-left reading (other languages unchanged), with
    as few invisible marks as it needs: a line whose first letter is Latin ('• Maine JobLink:
    ...') starts with a right-to-left mark, and a Latin run with punctuation of its own
    ('CompTIA+', 'O*NET Online', 'College: CNC Academy') is isolated so the punctuation stays
    with it. Plain words and figures need nothing: the Unicode algorithm places them."""
    if not language().rtl:
        return text
    text = _RTL_COMMA.sub("، ", text)  # a Latin comma beside Arabic words ('عمال, ...')
    lines = []
    for line in text.split("\n"):
        parts, at = [], 0
        for kept in _ISOLATED.finditer(line):
            parts += [_isolate_runs(line[at : kept.start()]), kept.group()]
            at = kept.end()
        parts.append(_isolate_runs(line[at:]))
        body = "".join(parts)
        lines.append(RLM + body if _first_strong(body) == "L" else body)
    return "\n".join(lines)


_RTL_COMMA = re.compile(r"(?<=[\u0600-\u06FF]) ?, ?(?=\D)|, ?(?=[\u0600-\u06FF])")
"""A comma with an Arabic letter on either side (figures such as '49,000' keep theirs)."""
_PLAIN_RUN = re.compile(r"[A-Za-z0-9 ]+|\$?[\d.,]+")


def _isolate_runs(text: str) -> str:
    return _LATIN_RUN.sub(
        lambda m: m.group() if _PLAIN_RUN.fullmatch(m.group()) else f"{LRI}{m.group()}{PDI}", text
    )


def _first_strong(text: str) -> str:
    """'L' or 'R' for the first strong letter of a line (an isolate counts as neutral), ''."""
    depth = 0
    for ch in text:
        if ch in (LRI, "\u2067", "\u2068"):
            depth += 1
        elif ch == PDI:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(ch)
            if kind == "L":
                return "L"
            if kind in ("R", "AL"):
                return "R"
    return ""
