"""Free questions about jobs and pay, answered from the knowledge in plain words (pure).

`answer_question` returns None when the text is not a question this module reads (the engine then
treats it as an answer to its own pending question), and an honest "I don't know that one" when it
reads like a question that the knowledge cannot answer. Every fact in an answer comes from the
knowledge; pay is always shown with the seed's own figure and unit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rapidfuzz import fuzz, process

from dialogs import i18n, topics
from dialogs.i18n import N_, ngettext
from dialogs.saying import amount_text as _amount_text
from dialogs.saying import cap as _cap
from dialogs.saying import dollars as _dollars
from dialogs.saying import education as _education
from dialogs.saying import k as _k
from dialogs.saying import label as _label
from dialogs.saying import pay as _local
from dialogs.saying import pay_both as _pay_both
from knowledge.model import Education, Job, Knowledge, Pathway, Pay, PayUnit, Resource
from knowledge.queries import (
    Comparison,
    JobMatch,
    PayQuery,
    PayResult,
    StepRef,
    compare_pay,
    find_jobs,
    highest_paid,
    lowest_paid,
    paid_steps,
    pay_fits,
    steps_needing,
    steps_numbered,
    title_words,
)

_ = i18n.gettext

PAGE_CHARS = 600
"""One phone screen: a longer answer comes in pages with a More button."""
PAGE_BREAK = "\f"
"""A line of its own in an answer: what follows starts a new page (the details under More)."""
MAX_ANSWER_CHARS = 3500
"""Answers stay well under Telegram's 4,096-character message limit."""
HOUR_IF_BELOW = 200
"""A bare amount below this is read as per hour ('more than $18')."""
YEAR_FROM = 1000
"""A bare amount from this up is read as per year ('jobs over 50k'); per hour it is absurd."""
HOURS_PER_WEEK = 40
HOURS_PER_DAY = 8
MONTHS_PER_YEAR = 12
TYPO_CUTOFF = 80.0
"""How close a misspelt word must be to a keyword to be read as it ('dolars' -> 'dollars')."""
SHORT_TYPO_CUTOFF = 85.0
"""The same for three-letter words, where one wrong letter is all we forgive ('wat', 'mor')."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A plain-language answer and the jobs it names."""

    text: str
    jobs: tuple[Job, ...] = ()

    def pages(self, limit: int = PAGE_CHARS) -> tuple[str, ...]:
        """The answer cut at line breaks into pages of about one phone screen each."""
        pages: list[str] = []
        current = ""
        for line in self.text.split("\n"):
            if line.strip("\u200f") == PAGE_BREAK:
                if current:
                    pages.append(current)
                current = ""
                continue
            while len(line) > limit:  # a very long line: cut at a space
                cut = line.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                head, line = line[:cut], line[cut:].lstrip()
                current = _flush(pages, current, head, limit)
            current = _flush(pages, current, line, limit)
        if current:
            pages.append(current)
        return tuple(pages) or ("",)


def _flush(pages: list[str], current: str, line: str, limit: int) -> str:
    """Add a line to the current page, starting a new page when it would not fit."""
    if current and len(current) + 1 + len(line) > limit:
        pages.append(current)
        return line
    return f"{current}\n{line}" if current else line


# ---- words ----------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string."""
    return frozenset(text.split())


_QUESTION_STARTERS = _words(
    """what whats what's which how who where when why is are can could do does did will would should
    tell show list give explain anything requirements requirement salary salaries pay wage wages
    jobs job info information compare comparing difference versus"""
)
_KEYWORDS = tuple(
    sorted(
        _words(
            """what whats which how where when why does tell show explain
            pay pays paid paying salary salaries wage wages earn earns earning earnings make makes
            making money income
            more less than over under above below between greater higher lower least most minimum
            maximum better upwards starting
            dollar dollars bucks thousand grand hour hours hourly year years yearly annually annual
            week weeks weekly month months monthly
            job jobs work career careers anything something
            need needs needed require requires required requirement requirements become becoming
            qualify qualifications training skills education
            associate associates bachelor bachelors degree degrees certificate certificates
            credential credentials certification certifications diploma school college university
            step steps first second third fourth fifth three four five
            twelve fifteen twenty thirty forty fifty sixty seventy eighty ninety hundred
            manufacturing technology pathway pathways phases process unskilled"""
        )
    )
)
"""Words a misspelling may be corrected to."""
_STOPWORDS = _words(
    """a an the to of in on for with as at by from i me my you your we it its this that these
    those there here be been being am was were have has had get got getting gets and or but if so
    not no any all some much many very really just only also about into then please thanks thank
    hi hello hey ok okay yes yeah nope dont don't do i'm im what's it's know think want like would
    take takes can could should will who is are did kind type sort lot good well one two ten
    give list each every per usd typically usually average around roughly approximately high ged
    hiset info information last long lift math english start begin old age teach class classes
    course courses where day days daily"""
)
"""Common words left as typed."""
_NOT_JOB_WORDS = (
    frozenset(_KEYWORDS)
    | _STOPWORDS
    | _words(
        """go look looking find someone person people mean means typical normally range ranges
        experience experienced train training learn learning study teach classes class schools
        program programs course courses
        start starts starting study learn doing k without near good bad great best nice hard easy
        cool fine difference compare versus vs me"""
    )
)
"""Words that are never part of a job title in a question (what is left names the job)."""
_UNIT_WORDS = {
    **dict.fromkeys(("hour", "hours", "hourly", "hr", "hrs", "h"), "hour"),
    **dict.fromkeys(
        ("year", "years", "yearly", "annually", "annual", "annum", "yr", "yrs", "y"), "year"
    ),
    **dict.fromkeys(("week", "weeks", "weekly", "wk", "wks"), "week"),
    **dict.fromkeys(("month", "months", "monthly", "mo", "mos"), "month"),
    **dict.fromkeys(("day", "days", "daily"), "day"),
}
_NUMBER_WORDS = {
    "ten": "10",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
}
_STEP_WORDS = {
    **{w: i + 1 for i, w in enumerate(("one", "two", "three", "four", "five", "six"))},
    **{w: i + 1 for i, w in enumerate(("first", "second", "third", "fourth", "fifth"))},
    "last": 5,
}


_KEEP = _words(
    """nurse nurses doctor doctors teacher teachers lawyer lawyers driver drivers phase learn
    learning train trainer teach mover movers skilled semi coding code lift pounds classes class
    schools program programs course courses experience experienced trade manufacturers
    association"""
)
"""Everyday job words that are close to a keyword but mean a job the documents do not list."""


@functools.lru_cache(maxsize=4096)
def _correct(word: str) -> str:
    """A misspelt keyword read as the keyword ('dolars' -> 'dollars'); other words unchanged."""
    if len(word) < 3 or word in _STOPWORDS or word in _UNIT_WORDS or word in _KEEP:
        return word
    cutoff = SHORT_TYPO_CUTOFF if len(word) == 3 else TYPO_CUTOFF
    found = process.extractOne(word, _KEYWORDS, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else word


_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ONES_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_COMPOUND = re.compile(r"\b(" + "|".join(_TENS_WORDS) + r")[- ](" + "|".join(_ONES_WORDS) + r")\b")


def _compound_numbers(text: str) -> str:
    """'twenty-five' -> '25'."""
    return _COMPOUND.sub(
        lambda m: str(10 * (_TENS_WORDS.index(m[1]) + 2) + _ONES_WORDS.index(m[2]) + 1), text
    )


def _fix_word(word: str, protected: frozenset[str]) -> str:
    """One word of the question: a number word as digits, a misspelt keyword corrected."""
    if word in protected or word.rstrip("s") in protected:
        return word
    return _NUMBER_WORDS.get(word) or _correct(word)


@functools.lru_cache(maxsize=1024)
def _normalize(text: str, protected: frozenset[str] = frozenset()) -> str:
    """Lower case, numbers apart from words, misspelt keywords fixed, 'more then' -> 'more than'."""
    t = text.lower().replace("’", "'").replace("‘", "'")
    t = _compound_numbers(re.sub(r"[–—−]", "-", t))
    t = re.sub(r"(\d)([a-z])", r"\1 \2", t)
    t = re.sub(r"([a-z])(\d)", r"\1 \2", t)
    t = re.sub(r"[a-z]+(?:'[a-z]+)?", lambda m: _fix_word(m.group(), protected), t)
    t = re.sub(
        r"\b(more|less|greater|higher|lower|better|bigger|smaller) (?:then|that)\b", r"\1 than", t
    )
    return " ".join(t.split())


# ---- money ----------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"""
    (?<![\w.,])(?P<neg>-\s*|minus\s+)?
    (?P<dollar>\$\s*)?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:\s*(?P<mult>k|thousand|grand)\b)?
    (?:\s*(?:dollars?|bucks?|usd)\b)?
    (?:\s*(?:/|\ban?\b|\bper\b|\beach\b|\bevery\b|\bthe\b)?\s*
       (?P<unit>hours?|hourly|hrs?|h|years?|yearly|annually|annual|annum|yrs?|y
          |weeks?|weekly|wks?|months?|monthly|mos?|days?|daily)\b)?
    """,
    re.VERBOSE,
)
_NOT_MONEY = re.compile(
    r"\bsteps? \d+|\b\d+[- ]?(?:year|yr) (?:degree|college|program|school|course)s?"
    r"|\b\d+ (?:years?|months?) (?:of |in )?(?:experience|school|college|training|old)"
    r"|\b\d+ (?:pounds|lbs)\b"
)
"""Numbers that are not pay: step numbers, '4 year degree', '2 years of experience'."""


class Assumed(StrEnum):
    """How the period of an amount was known."""

    STATED = "stated"
    BY_SIZE = "by size"
    CONVERTED = "converted"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of pay read from text, per hour or per year (weeks and months converted)."""

    amount: float
    unit: PayUnit | None
    """None when the size leaves the period unclear ($200 to $999 with no period)."""
    typed: str
    assumed: Assumed = Assumed.STATED
    negative: bool = False
    note: str = ""
    """What was converted, in plain words ('I counted $800 a week as $20 an hour ...')."""

    @property
    def text(self) -> str:
        """'$20 an hour' or '$50,000 a year'."""
        return _amount_text(self.amount, self.unit or PayUnit.HOUR)


@dataclass(frozen=True, slots=True)
class _Typed:
    """An amount as typed, before its period is settled."""

    amount: float
    per: str
    """'hour', 'year', 'week', 'month', or '' when no period was typed."""
    scaled: bool
    typed: str
    negative: bool
    end: int
    """Where the amount ends in the normalized text."""


def _typed_amounts(t: str) -> tuple[_Typed, ...]:
    """Every money amount in normalized text, in order."""
    masked = _NOT_MONEY.sub(lambda m: " " * len(m.group()), t)
    found = []
    for m in _AMOUNT.finditer(masked):
        amount = float(m["num"].replace(",", "")) * (1000 if m["mult"] else 1)
        typed = re.sub(r"(\d) k\b", r"\1k", " ".join(m.group().split()))
        per = _UNIT_WORDS.get(m["unit"] or "", "")
        found.append(_Typed(amount, per, bool(m["mult"]), typed, bool(m["neg"]), m.end()))
    return tuple(found)


def _settle(typed: _Typed) -> Money:
    """The amount per hour or per year: weeks and months converted, a missing period inferred."""
    neg = typed.negative
    if typed.per == "week":
        hourly = round(typed.amount / HOURS_PER_WEEK, 2)
        note = _("I counted {amount} a week as {hourly} (40 hours).").format(
            amount=_dollars(typed.amount), hourly=_amount_text(hourly, PayUnit.HOUR)
        )
        return Money(hourly, PayUnit.HOUR, typed.typed, Assumed.CONVERTED, neg, note)
    if typed.per == "day":
        hourly = round(typed.amount / HOURS_PER_DAY, 2)
        note = _("I counted {amount} a day as {hourly} (an 8-hour day).").format(
            amount=_dollars(typed.amount), hourly=_amount_text(hourly, PayUnit.HOUR)
        )
        return Money(hourly, PayUnit.HOUR, typed.typed, Assumed.CONVERTED, neg, note)
    if typed.per == "month":
        yearly = round(typed.amount * MONTHS_PER_YEAR, 2)
        per_hour = _local(Pay(yearly, yearly, PayUnit.YEAR).hourly).text()
        note = _(
            "I counted {amount} a month as {yearly} ({hourly}, at {hours} hours a year)."
        ).format(
            amount=_dollars(typed.amount),
            yearly=_amount_text(yearly, PayUnit.YEAR),
            hourly=per_hour,
            hours=_figure(2080),
        )
        return Money(yearly, PayUnit.YEAR, typed.typed, Assumed.CONVERTED, neg, note)
    if typed.per:
        return Money(typed.amount, PayUnit(typed.per), typed.typed, negative=neg)
    if typed.amount < HOUR_IF_BELOW:
        return Money(typed.amount, PayUnit.HOUR, typed.typed, Assumed.BY_SIZE, neg)
    unit = PayUnit.YEAR if typed.amount >= YEAR_FROM else None
    return Money(typed.amount, unit, typed.typed, Assumed.BY_SIZE, neg)


def _settle_range(low: _Typed, high: _Typed) -> tuple[Money, Money]:
    """Both ends of a range: '40 to 60k' is $40,000 to $60,000 a year; the high end's period
    and 'k' carry to a low end typed without them."""
    if not low.per and (high.per or high.scaled):
        small = high.scaled and not low.scaled and low.amount < YEAR_FROM
        low = replace(low, per=high.per, amount=low.amount * 1000 if small else low.amount)
    first, second = _settle(low), _settle(high)
    if first.unit and second.unit and first.unit is not second.unit:
        converted = Pay(second.amount, second.amount, second.unit).to(first.unit).min
        second = replace(second, amount=converted, unit=first.unit)
    return first, second


def parse_money(text: str) -> Money | None:
    """The first money amount in `text` ('$20/hr', '50k', '25 bucks an hour'), or None."""
    amounts = _typed_amounts(_normalize(text))
    return _settle(amounts[0]) if amounts else None


def _figure(amount: float) -> str:
    """A number the way the language writes it ('2,080', '2.080')."""
    from dialogs.saying import figure

    return figure(amount)


# ---- is it a question? ----------------------------------------------------------------------

_MORE = re.compile(
    r"\b(?:more than|over|above|greater than|higher than|better than|bigger than|at least|"
    r"upwards of|no less than|not less than|min(?:imum)?(?: of)?|starting at|or more|or above|"
    r"or higher|and up|plus)\b|\d\s*\+"
)
_LESS = re.compile(
    r"\b(?:less than|under|below|lower than|smaller than|at most|no more than|not more than|"
    r"max(?:imum)?(?: of)?|up to|or less|or under|or below|or lower)\b"
)
_BETWEEN = re.compile(r"\bbetween\b|\bfrom\b.*\bto\b|\d\s*(?:-|to)\s*\$?\s*\d")
_PAY_WORDS = re.compile(
    r"\b(?:salary|salaries|wages?|pay|pays|paid|paying|earn\w*|make|makes|making|money|income|"
    r"how much)\b"
)
_NEED_WORDS = re.compile(
    r"\b(?:need|needs|needed|require\w*|become|becoming|qualif\w*|take|takes|training|"
    r"skills|education|study|learn|be an?|get (?:a job|hired|work) as|how (?:do|can) i)\b"
)
_NOT_QUESTIONS = re.compile(
    r"^(?:i )?(?:don'?t|do not) know\b|^not sure\b|^no idea\b|^idk\b|^dunno\b"
)


_STEP_OF = re.compile(
    r"\bsteps? ?\w+ (?:in|of|for|on) (?:the )?(?:it|manufacturing|information technology)\b"
)
"""'step 4 in it', 'step 3 of manufacturing': a question even without a question word."""
_ENDS_WITH_PAY = re.compile(r"\w \b(?:pay|salary|salaries|wages?|earnings|income)\??$")
_MONEY_MARK = re.compile(r"\$|\b(?:dollars?|bucks?|usd|grand)\b|\d\s*k\b")


def looks_like_question(text: str) -> bool:
    """True when the text reads as a question about jobs or pay rather than a plain answer."""
    return _reads_as_question(_normalize(text), text)


def mentions_pay(text: str) -> bool:
    """True when the text speaks of money or asks ('$', 'dollars', 'pay', '?', 'what ...'):
    'less than 5' alone does not, and at a question about something else it is no pay question."""
    t = _normalize(text)
    words = re.findall(r"[a-z0-9$']+", t)
    starts = bool(words) and words[0] in _QUESTION_STARTERS
    return bool(starts or "?" in text or _MONEY_MARK.search(t) or _PAY_WORDS.search(t))


def _reads_as_question(t: str, text: str) -> bool:
    """looks_like_question on text already normalized (`t`), with the text as typed."""
    if not t or _NOT_QUESTIONS.search(t):
        return False
    words = re.findall(r"[a-z0-9$']+", t)
    starts = bool(words) and words[0] in _QUESTION_STARTERS
    if ("?" in text and (len(words) > 1 or starts)) or (len(words) > 1 and starts):
        return True
    if _comparison(t) is not None and _typed_amounts(t):
        return True
    if _typed_amounts(t) and (_MONEY_MARK.search(t) or _PAY_WORDS.search(t)):
        return True
    if _HIGHEST.search(t) or _LOWEST.search(t) or _ENDS_WITH_PAY.search(t) or _STEP_OF.search(t):
        return True
    return re.search(r"\b(?:salary|salaries|wages?)\b", t) is not None


def _comparison(t: str) -> Comparison | None:
    """Which comparison the text asks for, if any ('no more than' is LESS, not MORE)."""
    less, more = _LESS.search(t), _MORE.search(t)
    if len(_typed_amounts(t)) >= 2 and (_BETWEEN.search(t) or (less and more)):
        return Comparison.BETWEEN
    if less and (not more or less.start() <= more.start()):
        return Comparison.LESS
    return Comparison.MORE if more else None


# ---- reading a question ---------------------------------------------------------------------

_IT_MENTION = re.compile(
    r"\b(?:in|for|of|into|about|on|with) it\b(?! (?:pay|take|need|mean|make|require))"
    r"|\bit (?:jobs?|pathway|field|careers?|work|sector)\b|^it\b(?! is\b)"
    r"|\bsteps? \w+ (?:in|of|for|on) it\b|\b(?:or|and|vs|versus) it\b|\bit (?:or|and|vs|versus) \w"
)


@dataclass(frozen=True)
class _Asked:
    """A question, read: its normalized text and the pathways it names.

    Not slotted, so `job_matches` can be computed once and kept (functools.cached_property).
    """

    t: str
    kb: Knowledge
    pathways: tuple[Pathway, ...]
    text: str = ""
    """The question as typed (for 'IT' written in capitals)."""

    @functools.cached_property
    def scoped(self) -> Knowledge:
        """The knowledge narrowed to the pathways named (all when none is)."""
        return replace(self.kb, pathways=self.pathways) if self.pathways else self.kb

    @functools.cached_property
    def topic(self) -> topics.Topic:
        """The question as the topical readers see it; job matches computed only if read."""
        return topics.Topic(self.t, self.kb, self.scoped, lambda: self.job_matches, self.pathways)

    @functools.cached_property
    def phrases(self) -> tuple[str, ...]:
        """What may name a job in the question (computed once)."""
        return _job_phrases(self)

    @functools.cached_property
    def job_matches(self) -> tuple[JobMatch, ...]:
        """Jobs the question names (computed once per question)."""
        return _job_matches(self)


def answer_question(text: str, kb: Knowledge) -> Answer | None:
    """A plain answer to a question about jobs and pay; None when `text` is not such a question."""
    t = _normalize(text, _protected(kb))  # once: the check and the readers share it
    if not text.strip() or not _reads_as_question(t, text):
        return None
    asked = _Asked(t, kb, _pathways_named(text, t, kb), text)
    for reader in _READERS:
        found = reader(asked)
        if found is not None:
            return _fit(found)
    return _fit(_unknown(asked))


def _protected(kb: Knowledge) -> frozenset[str]:
    """Job-title words, never 'corrected' into a keyword ('trainee' is not 'training')."""
    if not _protected_cache or _protected_cache[0][0] is not kb:
        words = frozenset(w for job in kb.jobs for w in re.findall(r"[a-z]+", job.title.lower()))
        _protected_cache[:] = [(kb, words)]
    return _protected_cache[0][1]


_protected_cache: list[tuple[Knowledge, frozenset[str]]] = []


def _pathways_named(text: str, t: str, kb: Knowledge) -> tuple[Pathway, ...]:
    """Pathways the question names ('in IT', 'factory jobs'); empty when none or all."""
    named = tuple(p for p in kb.pathways if _mentions(text, t, p))
    return named if len(named) < len(kb.pathways) else ()


def _pathway_words(pathway: Pathway) -> set[str]:
    """Every word or phrase that names a pathway."""
    return {w.lower() for w in (pathway.id, pathway.short_name, pathway.name, *pathway.synonyms)}


@functools.lru_cache(maxsize=64)
def _pathway_pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for a pathway's words ('it' is left to _IT_MENTION)."""
    plain = sorted((w for w in words if w != "it"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, plain)) + r")\b") if plain else None


def _mentions(text: str, t: str, pathway: Pathway) -> bool:
    """Whether the question names the pathway; 'it' only when it plainly means IT."""
    words = frozenset(_pathway_words(pathway))
    pattern = _pathway_pattern(words)
    if pattern is not None and pattern.search(t):
        return True
    return "it" in words and (re.search(r"\bIT\b", text) is not None or bool(_IT_MENTION.search(t)))


# ---- pay comparisons ------------------------------------------------------------------------


def _pay_comparison(asked: _Asked) -> Answer | None:
    """'What pays more than $20 an hour?', 'jobs under 40k', 'between $15 and $20 an hour'."""
    comparison = _comparison(asked.t)
    typed = _typed_amounts(asked.t)
    if not typed or (
        comparison is None and not _PAY_WORDS.search(asked.t) and not _MONEY_MARK.search(asked.t)
    ):
        return None
    amounts: tuple[Money, ...]
    if comparison is Comparison.BETWEEN:
        amounts = _settle_range(typed[0], typed[1])
    else:
        amounts = (_settle(typed[0]),)
    trouble = next((t for t in map(_amount_trouble, amounts) if t), None)
    if trouble is not None:
        return Answer(trouble)
    query = _query(comparison, amounts, asked.t)
    if asked.job_matches:
        return _job_pay_answer(asked.job_matches, query, _notes(amounts))
    return _pay_answer(asked, compare_pay(asked.scoped, query), _notes(amounts))


_CONVERT_TO = re.compile(
    r"\b(?:(?:per|a|an|in an?|each|every) (?P<unit>hour|year|week|month)|hourly|yearly|annually)\b"
)


def _conversion(asked: _Asked) -> Answer | None:
    """'How much is $20 an hour per year?': the amount in the other unit, at 2,080 hours."""
    typed = _typed_amounts(asked.t)
    if len(typed) != 1 or not typed[0].per or _comparison(asked.t) is not None:
        return None
    wanted = _CONVERT_TO.search(asked.t, typed[0].end)
    money = _settle(typed[0])
    if wanted is None or money.unit is None or _amount_trouble(money):
        return None
    pay = _local(Pay(money.amount, money.amount, money.unit))
    note = f"{money.note}\n" if money.note else ""
    said = _("{pay}, counting 40 hours a week, 52 weeks a year.").format(pay=pay.text_both())
    return Answer(f"{note}{said}")


_INCLUSIVE = re.compile(
    r"\b(?:at least|at most|no less than|not less than|no more than|not more than|min(?:imum)?"
    r"|max(?:imum)?|up to|or more|or less|or above|or below|or higher|or lower|and up|starting at)"
    r"\b|\d\s*\+"
)


def _query(comparison: Comparison | None, amounts: Sequence[Money], t: str = "") -> PayQuery:
    """The query for settled amounts; no comparison word means 'around' (a one-point range)."""
    first = amounts[0]
    assert first.unit is not None
    if comparison is Comparison.BETWEEN:
        return PayQuery(comparison, first.amount, first.unit, upper=amounts[1].amount)
    if comparison is None:
        return PayQuery(Comparison.BETWEEN, first.amount, first.unit, upper=first.amount)
    return PayQuery(comparison, first.amount, first.unit, inclusive=bool(_INCLUSIVE.search(t)))


def _amount_trouble(money: Money) -> str | None:
    """A kind reply for an amount that cannot sensibly be compared, else None."""
    if money.negative:
        return _("Pay cannot be below {zero}. Try an amount like {hour} or {year}.").format(
            zero=_dollars(0),
            hour=_amount_text(20, PayUnit.HOUR),
            year=_amount_text(50000, PayUnit.YEAR),
        )
    if money.unit is None:
        return _(
            "Is {amount} per hour, per week, or per year? Try “more than {hour}”, "
            "“more than {week}” or “more than {year}”."
        ).format(
            amount=_dollars(money.amount),
            hour=_amount_text(20, PayUnit.HOUR),
            week=_("{amount} a week").format(amount=_dollars(800)),
            year=_amount_text(50000, PayUnit.YEAR),
        )
    if money.unit is PayUnit.HOUR and money.amount >= YEAR_FROM:
        options = [_amount_text(money.amount, PayUnit.YEAR)]
        if re.search(r"k|thousand|grand", money.typed):
            options.insert(0, _amount_text(money.amount / 1000, PayUnit.HOUR))
        return _("{pay} is far more than any job here pays. Did you mean {options}?").format(
            pay=money.text, options=i18n.join(options, "or")
        )
    if money.unit is PayUnit.YEAR and 0 < money.amount < YEAR_FROM:
        return _("{pay} is very little. Did you mean {other}?").format(
            pay=money.text, other=_amount_text(money.amount, PayUnit.HOUR)
        )
    return None


def _notes(amounts: Sequence[Money]) -> list[str]:
    """Say what was converted or assumed about the amounts, if anything."""
    notes = [m.note for m in amounts if m.note]
    guessed = [m for m in amounts if m.assumed is Assumed.BY_SIZE and m.amount > 0]
    if guessed and len(guessed) == len(amounts) and guessed[0].unit is not None:
        shown = i18n.join([f"“{m.typed}”" for m in guessed])
        means = i18n.join([m.text for m in guessed])
        notes.append(_("I took {typed} to mean {means}.").format(typed=shown, means=means))
    return notes


def _pay_answer(asked: _Asked, result: PayResult, notes: list[str]) -> Answer:
    """The steps of a pay comparison, grouped by step, with both units when they differ."""
    query = result.query
    wanted = _wanted(query)
    lines = list(notes)
    if not result.entirely and not result.partly:
        lines.append(_nothing_found(asked, query, wanted))
        return Answer("\n".join(lines))
    if query.upper == query.amount:
        lines.append(
            _scoped(
                asked,
                N_("Jobs whose pay range includes {wanted}:"),
                N_("{pathway} jobs whose pay range includes {wanted}:"),
                wanted=wanted,
            )
        )
    elif result.entirely:
        lines.append(
            _scoped(
                asked,
                N_("Jobs that pay {wanted}:"),
                N_("{pathway} jobs that pay {wanted}:"),
                wanted=wanted,
            )
        )
        lines += [_step_line(ref, query.unit) for ref in result.entirely]
    if result.partly:
        if query.upper != query.amount:
            lines.append(_partly_header(query, bool(result.entirely)))
        lines += [_step_line(ref, query.unit) for ref in result.partly]
    full = [*lines, _(AVERAGE_NOTE)]
    if len("\n".join(full)) > PAGE_CHARS:
        return _brief_first(full, result)
    lines.append(_(AVERAGE_NOTE))
    return Answer("\n".join(lines), result.jobs)


AVERAGE_NOTE = N_("Pay is the average for each step.")


def _brief_first(lines: list[str], result: PayResult) -> Answer:
    """A long pay answer: every step in one short line on the first page (with one of its
    jobs when the page has room), then (under More) all the jobs of each step."""
    refs = {_step_line(r, result.query.unit): r for r in (*result.entirely, *result.partly)}
    for with_job in (True, False):
        brief = [_brief_line(refs[line], with_job) if line in refs else line for line in lines]
        brief.append(_("More: the jobs at each step."))
        if len(i18n.bidi("\n".join(brief))) <= PAGE_CHARS:  # with Arabic's marks
            break
    details = [_("The jobs at each step:"), *refs]
    return Answer("\n".join([*brief, PAGE_BREAK, *details]), result.jobs)


def _brief_line(ref: StepRef, with_job: bool) -> str:
    """'• Manufacturing step 3 (welder …): $49,000–55,000 a year'."""
    pay = _local(ref.pay).text() if ref.pay is not None else _("no pay figure given")
    titles = sorted((_k(j.title) for j in ref.jobs if j.title != "self-employment"), key=len)
    if not with_job or not titles:
        return f"• {_label(ref)}: {pay}"
    more = " …" if len(titles) > 1 else ""
    return f"• {_label(ref)} ({titles[0]}{more}): {pay}"


def _scoped(asked: _Asked, plain: str, scoped: str, **values: str) -> str:
    """A sentence about all jobs, or about the jobs of the one pathway the question names."""
    if len(asked.pathways) == 1:
        return _cap(_(scoped).format(pathway=_k(asked.pathways[0].short_name), **values))
    return _cap(_(plain).format(**values))


def _wanted(query: PayQuery) -> str:
    """'more than $20 an hour (about $41,600 a year)', 'between $15 and $20 an hour (...)'."""
    amount = _local(Pay(query.amount, query.amount, query.unit))
    both = amount.text_both() if query.amount else _dollars(0)
    if query.comparison is Comparison.MORE:
        said = N_("at least {pay}") if query.inclusive else N_("more than {pay}")
        return _(said).format(pay=both)
    if query.comparison is Comparison.LESS:
        said = N_("at most {pay}") if query.inclusive else N_("less than {pay}")
        return _(said).format(pay=both)
    upper = query.amount if query.upper is None else query.upper
    if upper == query.amount:
        return both
    low, high = sorted((query.amount, upper))
    other = PayUnit.YEAR if query.unit is PayUnit.HOUR else PayUnit.HOUR
    about = _local(Pay(low, high, query.unit).to(other)).text()
    if query.unit is PayUnit.HOUR:
        said = N_("between {low} and {high} an hour ({about})")
    else:
        said = N_("between {low} and {high} a year ({about})")
    return _(said).format(low=_dollars(low), high=_dollars(high), about=about)


def _partly_header(query: PayQuery, after_others: bool) -> str:
    """The line before the steps whose range only reaches the amount."""
    amount = _amount_text(query.amount, query.unit)
    if query.comparison is Comparison.MORE:
        if after_others:
            return _("These start lower but can reach more than {amount}:").format(amount=amount)
        return _("Some jobs start lower but can reach more than {amount}:").format(amount=amount)
    if query.comparison is Comparison.LESS:
        if after_others:
            return _("These start below {amount} but can pay more:").format(amount=amount)
        return _("Some jobs start below {amount} but can pay more:").format(amount=amount)
    return _("These overlap that range:") if after_others else _("Some jobs overlap that range:")


def _nothing_found(asked: _Asked, query: PayQuery, wanted: str) -> str:
    """No step fits: say so, and name the nearest step so the answer still helps."""
    less = query.comparison is Comparison.LESS
    ref = lowest_paid(asked.scoped) if less else highest_paid(asked.scoped)
    head = _scoped(
        asked,
        N_("No job on these pathways pays {wanted} on average."),
        N_("No {pathway} job on these pathways pays {wanted} on average."),
        wanted=wanted,
    )
    if ref is None or ref.pay is None:
        return head
    edge = N_("The lowest is {step}: {pay}.") if less else N_("The highest is {step}: {pay}.")
    return f"{head}\n" + _(edge).format(step=_label(ref), pay=_pay_both(ref.pay))


# ---- one job --------------------------------------------------------------------------------


def _job_phrases(asked: _Asked) -> tuple[str, ...]:
    """What may name a job: the words left after question words and amounts, without pathway
    words ('welder' of 'welder in manufacturing'), then with them ('computer technician')."""
    masked = _AMOUNT.sub(" ", _NOT_MONEY.sub(" ", asked.t))
    words = [w for w in re.findall(r"[a-z][a-z+*'-]*", masked) if w not in _NOT_JOB_WORDS]
    pathway_words = {w for p in asked.kb.pathways for s in _pathway_words(p) for w in s.split()}
    without = [w for w in words if w not in pathway_words]
    if not without:
        return ()
    # 'a self-employed welder': the job is the welder (self-employment is on two steps)
    own = [w for w in without if w != "self" and not w.startswith("employ")]
    kinds = (own, without, words) if own and len(own) < len(without) else (without, words)
    return tuple(dict.fromkeys(" ".join(ws) for ws in kinds))


def _job_matches(asked: _Asked) -> tuple[JobMatch, ...]:
    """Jobs the question names (the phrase that matches best), within the pathways it names."""
    ids = {p.id for p in asked.pathways}
    best: tuple[JobMatch, ...] = ()
    for phrase in asked.phrases:
        found = find_jobs(asked.kb, phrase)
        scoped = tuple(m for m in found if m.pathway.id in ids) if ids else found
        if not scoped and found and not _covers(asked.phrases[-1], asked.kb):
            continue  # 'software engineer': 'software' named IT, 'engineer' is elsewhere
        found = scoped or found
        if found and (not best or found[0].score >= best[0].score) and _covers(phrase, asked.kb):
            best = found
    return best


COVER_CUTOFF = 75.0
"""Each word that names a job must be this close to a word of a matched title, or the job is
not one the documents list ('software engineer' is not 'manufacturing engineer')."""


def _covers(phrase: str, kb: Knowledge) -> bool:
    """True when every word of the phrase is (nearly) a word of some job title."""
    titles = _title_vocabulary(kb)
    for word in title_words(phrase):
        if word in _OPTIONAL_TITLE_WORDS or word in titles:
            continue
        near = process.extractOne(word, titles, scorer=fuzz.ratio, score_cutoff=COVER_CUTOFF)
        if near is None and not any(t.startswith(word[:4]) for t in titles if len(word) >= 4):
            return False
    return True


def _title_vocabulary(kb: Knowledge) -> frozenset[str]:
    """Every word of every job title (kept per Knowledge object: hashing one is slow)."""
    if not _vocabulary_cache or _vocabulary_cache[0][0] is not kb:
        words = frozenset(w for job in kb.jobs for w in title_words(job.title))
        _vocabulary_cache[:] = [(kb, words)]
    return _vocabulary_cache[0][1]


_vocabulary_cache: list[tuple[Knowledge, frozenset[str]]] = []


_OPTIONAL_TITLE_WORDS = _words(
    "it technician specialist worker position maine job jobs work career person"
)


def _job_answer(asked: _Asked) -> Answer | None:
    """Pay or requirements of a job the question names ('how much does a welder make')."""
    matches = asked.job_matches
    if not matches:
        return None
    needs, pays = _NEED_WORDS.search(asked.t), _PAY_WORDS.search(asked.t)
    if needs and not pays:
        return _requirements_answer(matches)
    if pays and not needs:
        return _job_pay_answer(matches, None, [], _period_asked(asked.t))
    return _job_overview(matches)


_PER_PERIOD = re.compile(
    r"\b(?:a|per|each|every|the) (month|week|day)\b|\b(monthly|weekly|daily)\b"
)


def _period_asked(t: str) -> str:
    """'month', 'week' or 'day' when the question asks pay per that period, else ''."""
    found = _PER_PERIOD.search(t)
    if not found:
        return ""
    word = found.group(1) or found.group(2)
    return {"monthly": "month", "weekly": "week", "daily": "day"}.get(word, word)


def _per_period(pay: Pay, per: str) -> str:
    """'That is about $4,000–7,500 a month (...)', with the assumption stated."""
    hourly, yearly = pay.hourly, pay.yearly
    if per == "month":
        low, high = yearly.min / 12, yearly.max / 12
        said = N_("That is about {pay} a month (a year's pay divided by 12).")
    elif per == "week":
        low, high = hourly.min * 40, hourly.max * 40
        said = N_("That is about {pay} a week (40 hours a week).")
    else:
        low, high = hourly.min * 8, hourly.max * 8
        said = N_("That is about {pay} a day (an 8-hour day).")
    return _(said).format(pay=_dollars(round(low), round(high)))


def _job_pay_answer(
    matches: Sequence[JobMatch], query: PayQuery | None, notes: list[str], per: str = ""
) -> Answer:
    """The average pay of each matching job in both units, and how it compares when asked."""
    lines = list(notes)
    if len(matches) == 1:
        m = matches[0]
        lines.append(
            _("{job} is on {step}. Average pay: {pay}.").format(
                job=_cap(_k(m.job.title)), step=_label(m.ref), pay=_pay_both(m.pay)
            )
        )
        if query is not None and m.pay is not None:
            lines.append(_verdict(m.pay, query))
        if per and m.pay is not None:
            lines.append(_per_period(m.pay, per))
        return Answer("\n".join(lines), (m.job,))
    lines.append(_("Average pay:"))
    for m in matches:
        verdict = f" {_verdict(m.pay, query)}" if query is not None and m.pay is not None else ""
        lines.append(f"• {_cap(_k(m.job.title))} ({_label(m.ref)}): {_pay_both(m.pay)}.{verdict}")
    return Answer("\n".join(lines), tuple(m.job for m in matches))


def _verdict(pay: Pay, query: PayQuery) -> str:
    """'Yes, all of it is more than $20 an hour.' / 'Partly: ...' / 'No, ...'."""
    whole, some = pay_fits(pay, query)
    wanted = _wanted(query)
    if query.upper == query.amount:
        said = (
            N_("Yes, {wanted} is in this range.")
            if some
            else N_("No, {wanted} is not in this range.")
        )
    elif whole:
        said = N_("Yes, all of this range is {wanted}.")
    elif some:
        said = N_("Partly: part of this range is {wanted}.")
    else:
        said = N_("No, this is not {wanted}.")
    return _(said).format(wanted=wanted)


def _requirements_answer(matches: Sequence[JobMatch]) -> Answer:
    """What each matching job's step asks for, with training and pay."""
    blocks = [_requirements_block(m, _titles_on_step(matches, m)) for m in _one_per_step(matches)]
    return Answer("\n\n".join(blocks), tuple(m.job for m in matches))


def _requirements_block(match: JobMatch, titles: Sequence[str]) -> str:
    """One step's requirements for the jobs named on it."""
    step = match.step
    lines = [
        _("{jobs} ({step}). You need:").format(
            jobs=_cap(_or_list([_k(t) for t in titles])), step=_label(match.ref)
        )
    ]
    lines += [f"• {_cap(_k(item))}" for item in step.requirements or step.involves[:1]]
    if step.preferred:
        items = i18n.join([_k(p) for p in step.preferred], "comma")
        lines.append(_("Good to have: {items}.").format(items=items))
    if step.additional_skills:
        items = i18n.join([_k(a) for a in step.additional_skills], "comma")
        lines.append(_("Helpful skills: {items}.").format(items=items))
    if step.duration_text:
        lines.append(_("Training: {duration}.").format(duration=_k(step.duration_text)))
    if step.resources:
        lines += [_("Where to train:")]
        lines += _resource_lines(step.resources)
    if step.pay is not None:
        lines.append(_("Average pay: {pay}.").format(pay=_pay_both(step.pay)))
    return "\n".join(lines)


def _resource_lines(resources: Sequence[Resource]) -> list[str]:
    """One line per provider: '• Central Maine Community College: CompTIA+, CompTIA Security'."""
    by_provider: dict[str, list[str]] = {}
    for resource in resources:
        names = by_provider.setdefault(resource.provider or resource.name, [])
        if resource.provider:
            names.append(resource.name)
    return [
        f"• {who}: {i18n.join(names, 'comma')}" if names else f"• {who}"
        for who, names in by_provider.items()
    ]


def _job_overview(matches: Sequence[JobMatch]) -> Answer:
    """A job's step, the education it needs and its pay, one line per step."""
    lines = [
        "• "
        + _("{jobs}: {step}. Needs: {education}. Average pay: {pay}.").format(
            jobs=_cap(_or_list([_k(t) for t in _titles_on_step(matches, m)])),
            step=_label(m.ref),
            education=_education(m.step.education),
            pay=_pay_both(m.pay),
        )
        for m in _one_per_step(matches)
    ]
    lines.append(_("Ask “what do I need to be …” for the full requirements."))
    return Answer("\n".join(lines), tuple(m.job for m in matches))


def _one_per_step(matches: Sequence[JobMatch]) -> list[JobMatch]:
    """The first match on each step."""
    return list({m.ref.label: m for m in reversed(matches)}.values())[::-1]


def _titles_on_step(matches: Sequence[JobMatch], on: JobMatch) -> list[str]:
    """The matched titles that share a step with `on`."""
    return [m.job.title for m in matches if m.ref.label == on.ref.label]


# ---- education, steps, pathways, the process ------------------------------------------------

_EDUCATION = (
    (
        Education.ASSOCIATE,
        re.compile(r"\bassociates?'?s?\b|\b(?:2|two)[- ]?year (?:degree|college)"),
    ),
    (
        Education.BACHELOR,
        re.compile(
            r"\bbachelors?'?s?\b|\b(?:4|four)[- ]?year (?:degree|college)|\buniversity\b"
            r"|\bcollege degree\b"
        ),
    ),
    (Education.CREDENTIAL, re.compile(r"\bcertif\w*|\bcredential\w*|\bcerts?\b|\bcomptia\b")),
    (Education.HIGH_SCHOOL, re.compile(r"\bhigh ?school\b|\bdiploma\b|\bged\b|\bhi-?set\b")),
)
_NO_EDUCATION = re.compile(
    r"\b(?:no|not|without|don'?t|do not|doesn'?t)\b(?: \w+){0,3} "
    r"(?:degree|diploma|education|high ?school|ged|college|training|certificate)"
)
_STEP = re.compile(
    r"\bsteps? ?(\d+|one|two|three|four|five|six|first|second|third|fourth|fifth|last)\b"
    r"|\b(first|second|third|fourth|fifth|last) step\b"
)
_HIGHEST = re.compile(
    r"\b(?:highest|best|top|most)[- ](?:pay\w*|paid|money)\b|\bpays? (?:the )?most\b"
)
_LOWEST = re.compile(r"\b(?:lowest|least)[- ](?:pay\w*|paid|money)\b|\bpays? (?:the )?least\b")
_PHASES = re.compile(r"\b(?:phases?|process|how does (?:this|it) work)\b")
_UNSKILLED = re.compile(
    r"\b(?:unskilled|right (?:now|away)|immediate\w*|job now|work now|quick job|no experience)\b"
)


def _education_answer(asked: _Asked) -> Answer | None:
    """'Which jobs need an associate degree?'; jobs without a degree or diploma."""
    if _NO_EDUCATION.search(asked.t):
        return _no_education_answer(asked, with_high_school=True)
    for level, pattern in _EDUCATION:
        if pattern.search(asked.t):
            refs = [r for r in steps_needing(asked.scoped, level) if r.jobs]
            level_words = _education(level, article=True)
            head = _scoped(
                asked,
                N_("Jobs that need {education}:"),
                N_("{pathway} jobs that need {education}:"),
                education=level_words,
            )
            if not refs:
                none = _scoped(
                    asked,
                    N_("No job here lists {education} as a need."),
                    N_("No {pathway} job here lists {education} as a need."),
                    education=level_words,
                )
                return Answer(none)
            return Answer("\n".join([head, *_step_lines(refs)]), _jobs_of(refs))
    return None


def _no_education_answer(asked: _Asked, *, with_high_school: bool) -> Answer:
    """Unskilled jobs need no training or degree; step 2 jobs need a high school diploma."""
    process_ = asked.kb.process
    skills = i18n.join([_k(s).lower() for s in process_.work_readiness_skills], "comma")
    unskilled = i18n.join([_k(j) for j in process_.unskilled_jobs], "comma")
    lines = [
        _("Jobs that may not need special training or degrees: {jobs}.").format(jobs=unskilled),
        _("For these you need: {skills}.").format(skills=skills),
    ]
    refs = [r for r in steps_needing(asked.scoped, Education.HIGH_SCHOOL) if r.jobs]
    if not with_high_school or re.search(r"diploma|high ?school|ged", asked.t) or not refs:
        return Answer("\n".join(lines))
    lines += [_("With a high school diploma or equivalent:"), *_step_lines(refs)]
    return Answer("\n".join(lines), _jobs_of(refs))


def _step_answer(asked: _Asked) -> Answer | None:
    """'What is step 3?' for the pathways named, or for every pathway."""
    found = _STEP.search(asked.t)
    if found is None:
        return None
    word = found.group(1) or found.group(2)
    number = int(word) if word.isdigit() else _STEP_WORDS[word]
    refs = steps_numbered(asked.scoped, number)
    if not refs:
        most = max(len(p.steps) for p in asked.scoped.pathways)
        each = ngettext("Each pathway has {n} step.", "Each pathway has {n} steps.", most)
        no_step = _("There is no step {number}.").format(number=number)
        return Answer(f"{no_step} {each.format(n=most)}")
    detail = _NEED_WORDS.search(asked.t) is not None
    return Answer("\n\n".join(_step_block(r, detail) for r in refs), _jobs_of(refs))


def _step_block(ref: StepRef, detail: bool = False) -> str:
    """A few lines about one step; with `detail`, its requirements one by one."""
    step = ref.step
    lines = [
        _("Step {number} of {pathway}: {title}.").format(
            number=step.number, pathway=_k(ref.pathway.name), title=_k(step.title)
        )
    ]
    if not step.jobs:
        actions = [f"• {_k(a)}" for a in step.actions[:3]]
        return "\n".join([*lines, _k(step.involves[0]), *actions])
    if step.duration_text:
        needs = _("Needs: {education}; {duration}.").format(
            education=_education(step.education), duration=_k(step.duration_text)
        )
    else:
        needs = _("Needs: {education}.").format(education=_education(step.education))
    lines.append(needs)
    if detail:
        lines += [f"• {_cap(_k(item))}" for item in step.requirements or step.involves[:1]]
    jobs = _cap(i18n.join([_k(j.title) for j in step.jobs], "comma"))
    lines.append(_("Jobs: {jobs}.").format(jobs=jobs))
    if step.pay is not None:
        lines.append(_("Average pay: {pay}.").format(pay=_pay_both(step.pay)))
    return "\n".join(lines)


_COMPARE = re.compile(
    r"\b(?:compar\w*|versus|vs|difference|differ\w*|better|more|most|higher|or|which"
    r"|side by side)\b"
)


def _pathways_compared(asked: _Asked) -> Answer | None:
    """'IT or manufacturing, which pays better?': both pathways, step by step, and the top."""
    named = [p for p in asked.kb.pathways if _mentions(asked.text, asked.t, p)]
    if len(named) < 2 or not _COMPARE.search(asked.t) or _STEP.search(asked.t):
        return None
    if asked.job_matches:
        return None
    head = _("{pathways} side by side (average pay by step):").format(
        pathways=i18n.join([_k(p.short_name) for p in named])
    )
    lines = [head]
    for pathway in named:
        refs = [r for r in paid_steps(asked.kb) if r.pathway is pathway]
        lines += [f"• {_label(r)}: {_local(r.pay).text()}" for r in refs if r.pay is not None]
    top = highest_paid(replace(asked.kb, pathways=tuple(named)))
    if top is not None and top.pay is not None:
        lines.append(
            _("Highest average pay: {step}, {pay}.").format(
                step=_label(top), pay=_local(top.pay).text()
            )
        )
    return Answer("\n".join(lines), _jobs_of(paid_steps(asked.kb)))


def _extremes_answer(asked: _Asked) -> Answer | None:
    """'What pays the most?' / 'lowest paying jobs', per pathway."""
    if _HIGHEST.search(asked.t):
        pick, head = highest_paid, _("The best-paid jobs here (average pay):")
    elif _LOWEST.search(asked.t):
        pick, head = lowest_paid, _("The lowest-paid jobs here (average pay):")
    else:
        return None
    picked = (pick(replace(asked.kb, pathways=(p,))) for p in asked.scoped.pathways)
    refs = [ref for ref in picked if ref is not None]
    return Answer("\n".join([head, *_step_lines(refs)]), _jobs_of(refs))


def _pathway_answer(asked: _Asked) -> Answer | None:
    """'Jobs in IT', 'how much can I make in manufacturing', 'what do jobs pay'."""
    pays = _PAY_WORDS.search(asked.t) is not None
    jobs = re.search(r"\b(?:jobs?|work|careers?|pathways?)\b", asked.t) is not None
    if not (asked.pathways and (pays or jobs or asked.t.startswith(("what", "tell")))) and not (
        pays and jobs
    ):
        return None
    refs = paid_steps(asked.scoped)
    if len(asked.pathways) == 1:
        head = _("Jobs on the {pathway} pathway, by step:").format(
            pathway=_k(asked.pathways[0].name)
        )
    else:
        head = _("Jobs on the pathways, by step:")
    lines = [head, *_step_lines(refs), _(AVERAGE_NOTE)]
    return Answer("\n".join(lines), _jobs_of(refs))


def _phases_answer(asked: _Asked) -> Answer | None:
    """'How does this work?': the six phases."""
    if not _PHASES.search(asked.t):
        return None
    phases = asked.kb.process.phases
    head = ngettext(
        "The Career Pathways process has {n} phase:",
        "The Career Pathways process has {n} phases:",
        len(phases),
    ).format(n=len(phases))
    return Answer("\n".join([head, *(f"{p.number}. {_k(p.name)}" for p in phases)]))


def _unskilled_answer(asked: _Asked) -> Answer | None:
    """'What can I do right now?': unskilled jobs and the work-readiness skills."""
    if not _UNSKILLED.search(asked.t):
        return None
    return _no_education_answer(asked, with_high_school=False)


_EXAMPLES = (
    N_("What pays more than 20 dollars an hour?"),
    N_("How much does a welder make?"),
    N_("What do I need to be a CNC operator?"),
    N_("Which jobs need an associate degree?"),
    N_("What is step 3?"),
)


def _unknown(asked: _Asked) -> Answer:
    """Honest: we do not know; here is what can be asked."""
    phrases = asked.phrases
    head = _("Sorry, I don't know that one.")
    if phrases and (_PAY_WORDS.search(asked.t) or _NEED_WORDS.search(asked.t)):
        names = i18n.join([_k(p.short_name) for p in asked.kb.pathways])
        head = _("Sorry, I don't know the job “{job}”. I know {pathways} jobs.").format(
            job=phrases[0], pathways=names
        )
    examples = [f"• {_(e)}" for e in _EXAMPLES]
    return Answer("\n".join([head, _("You can ask me things like:"), *examples]))


def _topic(asked: _Asked) -> topics.Topic:
    """The question as the topical readers see it (built once per question)."""
    return asked.topic


def _topical(read: Callable[[topics.Topic], str | None]) -> Callable[[_Asked], Answer | None]:
    """A reader of dialogs.topics as a reader of this module."""

    def reader(asked: _Asked) -> Answer | None:
        text = read(_topic(asked))
        return None if text is None else Answer(text)

    reader.__name__ = read.__name__
    return reader


def _outside(asked: _Asked) -> Answer | None:
    """A job the documents do not list ('nurse', 'software engineer'): say so, no figures."""
    if asked.job_matches or not (_PAY_WORDS.search(asked.t) or _NEED_WORDS.search(asked.t)):
        return None
    phrases = asked.phrases
    if not phrases or _covers(phrases[-1], asked.kb):
        return None
    return _not_covered(asked, phrases[-1])


def _not_covered(asked: _Asked, phrase: str) -> Answer:
    names = i18n.join([_k(p.short_name) for p in asked.kb.pathways])
    head = _(
        "The documents do not cover “{job}”. They list {pathways} jobs only, so I have no "
        "figures or requirements for it."
    ).format(job=phrase, pathways=names)
    tip = _(
        "You can ask about a job on those pathways, like a welder or help desk, or what pays "
        "more than 20 dollars an hour."
    )
    return Answer(f"{head}\n{tip}")


_READERS: tuple[Callable[[_Asked], Answer | None], ...] = (
    _topical(topics.unskilled_job_answer),
    _topical(topics.location_answer),
    _topical(topics.term_answer),
    _topical(topics.readiness_answer),
    _topical(topics.duration_answer),
    _topical(topics.start_answer),
    _topical(topics.school_answer),
    _topical(topics.need_answer),
    _topical(topics.phase_answer),
    _topical(topics.last_step_answer),
    _conversion,
    _pay_comparison,
    _pathways_compared,
    _extremes_answer,
    _job_answer,
    _education_answer,
    _step_answer,
    _unskilled_answer,
    _phases_answer,
    _outside,
    _pathway_answer,
)
"""Readers in order: the first that recognises the question answers it."""


# ---- formatting -----------------------------------------------------------------------------


def _step_line(ref: StepRef, unit: PayUnit | None) -> str:
    """'• Manufacturing step 3: Welder, fabricator — $49,000–55,000 a year (about ...)'."""
    titles = _cap(i18n.join([_k(job.title) for job in ref.jobs], "comma"))
    if ref.pay is None:
        return f"• {_label(ref)}: {titles}"
    pay = _local(ref.pay)
    return f"• {_label(ref)}: {titles} — {pay.text() if unit is pay.unit else pay.text_both()}"


def _step_lines(refs: Sequence[StepRef]) -> list[str]:
    """Step lines; both units only when the steps listed mix them."""
    units = {r.pay.unit for r in refs if r.pay is not None}
    unit = next(iter(units)) if len(units) == 1 else None
    return [_step_line(ref, unit) for ref in refs]


def _jobs_of(refs: Iterable[StepRef]) -> tuple[Job, ...]:
    """Every job of the steps."""
    return tuple(job for ref in refs for job in ref.jobs)


def _or_list(titles: Sequence[str]) -> str:
    """'welder', 'assembler or welder'."""
    return i18n.join(list(dict.fromkeys(titles)), "or")


def _fit(answer: Answer) -> Answer:
    """Cut an over-long answer at a line break so it fits one phone message; right-to-left
    languages get their direction marks (dialogs.i18n.bidi)."""
    if len(answer.text) > MAX_ANSWER_CHARS:
        cut = answer.text[:MAX_ANSWER_CHARS].rsplit("\n", 1)[0]
        answer = replace(answer, text=cut + "\n…")
    return replace(answer, text=i18n.bidi(answer.text)) if i18n.language().rtl else answer
