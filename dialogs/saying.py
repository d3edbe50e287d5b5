"""How the answers to free questions say things in the person's language (pure).

The question answerer reads the English knowledge (its patterns and job titles are English);
what it says comes from the catalogue: its own sentences through `_()`, the knowledge's display
text through `k()` (the catalogue is keyed by the English sentence, so a step title or a job
comes out as `dialogs.localize` shows it everywhere else), pay with the language's digits and
unit words, lists joined the way the language joins them. Figures and proper names never change.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from dialogs import i18n
from dialogs.i18n import N_
from knowledge.model import ENGLISH_PAY, Education, Pay, PayUnit, PayWords
from knowledge.queries import StepRef

_ = i18n.gettext

HOURLY = N_("{amount} an hour")
YEARLY = N_("{amount} a year")
ABOUT = N_("about {pay}")

EDUCATION = {
    Education.NONE: N_("no diploma"),
    Education.HIGH_SCHOOL: N_("high school diploma or equivalent"),
    Education.CREDENTIAL: N_("industry-recognized credential"),
    Education.ASSOCIATE: N_("associate degree"),
    Education.BACHELOR: N_("bachelor's degree"),
}
"""The education levels' plain words (knowledge.model's labels), for the catalogue."""
WITH_ARTICLE = {
    Education.NONE: N_("no diploma"),
    Education.HIGH_SCHOOL: N_("a high school diploma or equivalent"),
    Education.CREDENTIAL: N_("an industry-recognized credential"),
    Education.ASSOCIATE: N_("an associate degree"),
    Education.BACHELOR: N_("a bachelor's degree"),
}


def k(text: str) -> str:
    """A display text of the knowledge (a title, a job, a requirement) in the current language."""
    return i18n.gettext(text)


def cap(text: str) -> str:
    """First letter upper case, the rest as written ('welder' -> 'Welder'; 'IT' stays)."""
    return text[:1].upper() + text[1:]


def education(level: Education, *, article: bool = False) -> str:
    """'associate degree' / 'an associate degree' in the current language."""
    return _((WITH_ARTICLE if article else EDUCATION)[level])


def label(ref: StepRef) -> str:
    """'Manufacturing step 3' ('Manufactura paso 3')."""
    return _("{pathway} step {number}").format(
        pathway=k(ref.pathway.short_name), number=ref.step.number
    )


@functools.cache
def pay_words(code: str) -> PayWords:
    """How pay reads in a language: '$24 por hora', '$49.000–55.000 al año'."""
    if i18n.resolve(code) == i18n.DEFAULT:
        return ENGLISH_PAY
    locale = i18n.locale(code)
    with i18n.use(code):
        return PayWords(
            hourly=i18n.gettext(HOURLY),
            yearly=i18n.gettext(YEARLY),
            about=i18n.gettext(ABOUT),
            group=get_group_symbol(locale),
            decimal=get_decimal_symbol(locale),
            isolate=i18n.language(code).rtl,
        )


def pay(value: Pay) -> Pay:
    """The pay range written in the current language (its figures unchanged)."""
    words = pay_words(i18n.current())
    return value if value.words is words else replace(value, words=words)


def figure(amount: float) -> str:
    """A number the way the language writes it: '55,000', '55.000', '12.50' -> '12,50'."""
    pattern = "#,##0" if float(amount).is_integer() else "#,##0.00"
    if i18n.current() == i18n.DEFAULT:
        return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return str(format_decimal(amount, format=pattern, locale=i18n.locale()))


def dollars(amount: float, high: float | None = None) -> str:
    """'$800', '$12.50', '$4,000–7,500' (set apart from right-to-left words in Arabic)."""
    span = figure(amount) if high is None else f"{figure(amount)}–{figure(high)}"
    return i18n.isolate(f"${span}")


def amount_text(amount: float, unit: PayUnit) -> str:
    """'$20 an hour', '$60,000 a year', '$20,000 an hour' (an absurd hourly figure kept)."""
    if unit is PayUnit.HOUR and amount >= 1000:
        return _(HOURLY).format(amount=dollars(amount))
    return pay(Pay(amount, amount, unit)).text()


def pay_both(value: Pay | None) -> str:
    """A step's pay in both units, or plain words when the documents give none."""
    return pay(value).text_both() if value is not None else _("no pay figure given")


def pay_text(value: Pay) -> str:
    """A step's pay in its own unit."""
    return pay(value).text()
