"""Pure look-ups over the knowledge: pay comparisons, jobs by title, requirements, education."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from knowledge.model import Education, Job, Knowledge, Pathway, Pay, PayUnit, Resource, Step

JOB_MATCH_CUTOFF = 78.0
"""Lowest score (0-100) for a job title to count as meant: passes 'cnc operater', 'weldr'."""
JOB_MATCH_MARGIN = 3.0
"""Titles scoring within this of the best are all returned ('machine operator' names two)."""
PREFIX_SCORE = 90.0
"""Score of a typed word that starts a title word ('tech' in 'technician'), or shares its stem
('welding' and 'welder')."""
_SUFFIXES = ("ing", "er", "or", "ion", "ment")

_OPTIONAL_WORDS = frozenset({"it", "technician", "specialist", "worker", "position"})
"""Words that count only when a title has them: 'help desk technician', 'what does it pay'."""
_FILLER_WORDS = frozenset({"a", "an", "the", "to", "of", "and", "or", "with", "as", "job", "jobs"})
_ABBREVIATIONS = {
    "seo": "search engine optimization",
    "qa": "quality assurance",
    "admin": "administrator",
    "sysadmin": "administrator",
}
"""Short forms people type for words in the seed's titles."""


# ---- steps and pay --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepRef:
    """One step of one pathway, as a query result."""

    pathway: Pathway
    step: Step

    @property
    def pay(self) -> Pay | None:
        """The step's average pay as the seed states it."""
        return self.step.pay

    @property
    def jobs(self) -> tuple[Job, ...]:
        """The jobs listed on the step."""
        return self.step.jobs

    @property
    def label(self) -> str:
        """'Manufacturing step 3'."""
        return f"{self.pathway.short_name} step {self.step.number}"


class Comparison(StrEnum):
    """How a pay range is compared with an amount."""

    MORE = "more"
    LESS = "less"
    BETWEEN = "between"


@dataclass(frozen=True, slots=True)
class PayQuery:
    """'More than $20 an hour', 'less than $50,000 a year', 'between $15 and $20 an hour'."""

    comparison: Comparison
    amount: float
    unit: PayUnit
    upper: float | None = None
    """The upper bound of a BETWEEN query (`amount` is the lower one)."""
    inclusive: bool = False
    """'At least' / 'at most': a range that touches the amount counts."""


@dataclass(frozen=True, slots=True)
class PayResult:
    """Steps whose whole pay range fits the query, and steps whose range only reaches it."""

    query: PayQuery
    entirely: tuple[StepRef, ...]
    partly: tuple[StepRef, ...]

    @property
    def jobs(self) -> tuple[Job, ...]:
        """Every job named by the result, entirely-fitting steps first."""
        return tuple(job for ref in self.entirely + self.partly for job in ref.jobs)


def step_refs(kb: Knowledge) -> tuple[StepRef, ...]:
    """Every step of every pathway, in pathway then step order."""
    return tuple(StepRef(pathway, step) for pathway in kb.pathways for step in pathway.steps)


def paid_steps(kb: Knowledge) -> tuple[StepRef, ...]:
    """The steps that state a pay range."""
    return tuple(ref for ref in step_refs(kb) if ref.pay is not None)


def pay_fits(pay: Pay, query: PayQuery) -> tuple[bool, bool]:
    """(whole range fits, range at least reaches) for one pay range, in the query's unit."""
    p = pay.to(query.unit)  # rounded to cents, so it agrees with the figure the user sees
    if query.comparison is Comparison.MORE:
        if query.inclusive:
            return p.min >= query.amount, p.max >= query.amount
        return p.min > query.amount, p.max > query.amount
    if query.comparison is Comparison.LESS:
        if query.inclusive:
            return p.max <= query.amount, p.min <= query.amount
        return p.max < query.amount, p.min < query.amount
    upper = query.amount if query.upper is None else query.upper
    low, high = min(query.amount, upper), max(query.amount, upper)
    return low <= p.min and p.max <= high, p.max >= low and p.min <= high


def compare_pay(kb: Knowledge, query: PayQuery) -> PayResult:
    """Steps paying more than / less than / between the query's amounts."""
    entirely: list[StepRef] = []
    partly: list[StepRef] = []
    for ref in paid_steps(kb):
        assert ref.pay is not None
        whole, some = pay_fits(ref.pay, query)
        if whole:
            entirely.append(ref)
        elif some:
            partly.append(ref)
    return PayResult(query, tuple(entirely), tuple(partly))


def pays_more_than(kb: Knowledge, amount: float, unit: PayUnit) -> PayResult:
    """Steps whose range lies entirely above `amount`, and those that only reach above it."""
    return compare_pay(kb, PayQuery(Comparison.MORE, amount, unit))


def pays_less_than(kb: Knowledge, amount: float, unit: PayUnit) -> PayResult:
    """Steps whose range lies entirely below `amount`, and those that only reach below it."""
    return compare_pay(kb, PayQuery(Comparison.LESS, amount, unit))


def pays_between(kb: Knowledge, low: float, high: float, unit: PayUnit) -> PayResult:
    """Steps whose range lies within [low, high], and those that only overlap it."""
    return compare_pay(kb, PayQuery(Comparison.BETWEEN, low, unit, upper=high))


def highest_paid(kb: Knowledge) -> StepRef | None:
    """The step with the highest top of range (compared per hour)."""
    steps = paid_steps(kb)
    return max(steps, key=lambda ref: _hourly(ref).max) if steps else None


def lowest_paid(kb: Knowledge) -> StepRef | None:
    """The step with the lowest bottom of range (compared per hour)."""
    steps = paid_steps(kb)
    return min(steps, key=lambda ref: _hourly(ref).min) if steps else None


def _hourly(ref: StepRef) -> Pay:
    """A paid step's range per hour."""
    assert ref.pay is not None
    return ref.pay.hourly


# ---- steps by number and education ----------------------------------------------------------


def steps_numbered(
    kb: Knowledge, number: int, pathway_id: str | None = None
) -> tuple[StepRef, ...]:
    """Step `number` of each pathway (or of one pathway); empty when no pathway has it."""
    return tuple(
        ref
        for ref in step_refs(kb)
        if ref.step.number == number and pathway_id in (None, ref.pathway.id)
    )


def steps_needing(kb: Knowledge, level: Education, *, exact: bool = True) -> tuple[StepRef, ...]:
    """Steps that need exactly `level` (or, with exact=False, at most `level`)."""
    return tuple(
        ref
        for ref in step_refs(kb)
        if (ref.step.education == level if exact else ref.step.education <= level)
    )


# ---- requirements ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requirements:
    """What a step asks for, as the seed lists it."""

    pathway: Pathway
    step: Step

    @property
    def education(self) -> Education:
        """The education level the step needs."""
        return self.step.education

    @property
    def requirements(self) -> tuple[str, ...]:
        """The seed's 'Requirements for Employment'."""
        return self.step.requirements

    @property
    def preferred(self) -> tuple[str, ...]:
        """The seed's 'Preferred Experience'."""
        return self.step.preferred

    @property
    def additional_skills(self) -> tuple[str, ...]:
        """The seed's 'Additional skills may include'."""
        return self.step.additional_skills

    @property
    def duration_text(self) -> str | None:
        """How long the training takes, in the seed's words, when it says."""
        return self.step.duration_text

    @property
    def resources(self) -> tuple[Resource, ...]:
        """Training resources named for the step."""
        return self.step.resources


def step_requirements(pathway: Pathway, number: int) -> Requirements:
    """What step `number` of `pathway` requires (KeyError when there is no such step)."""
    return Requirements(pathway, pathway.step(number))


# ---- jobs by title --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobMatch:
    """A job whose title matches what was typed, with its pathway, step and score (0-100)."""

    job: Job
    pathway: Pathway
    step: Step
    score: float

    @property
    def ref(self) -> StepRef:
        """The job's step."""
        return StepRef(self.pathway, self.step)

    @property
    def pay(self) -> Pay | None:
        """The average pay of the job's step."""
        return self.step.pay

    @property
    def requirements(self) -> Requirements:
        """What the job's step requires."""
        return Requirements(self.pathway, self.step)


def _singular(word: str) -> str:
    """A rough singular: 'welders' -> 'welder', 'facilities' -> 'facility'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    """A rough stem: 'welding' and 'welder' -> 'weld'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=4096)
def title_words(text: str) -> tuple[str, ...]:
    """Lower-case singular words of a title or typed text, without parentheses and fillers."""
    plain = re.sub(r"\([^)]*\)", " ", text.lower())
    words: list[str] = []
    for word in re.findall(r"[a-z0-9+*]+", plain):
        words.extend(_ABBREVIATIONS.get(word, word).split())
    return tuple(s for s in (_singular(w) for w in words) if s not in _FILLER_WORDS)


COVERED_SCORE = 80.0
"""A title word counts as named when a typed word scores this much against it."""
MINOR_WORD_SCORE = 70.0
"""The most a title can score when the typed words name less than half of it and not its last
word (the job itself: 'welder', 'operator', 'support'): below JOB_MATCH_CUTOFF."""


@dataclass(frozen=True, slots=True)
class _WordFit:
    """How one typed word fits one title: its best score and the title words it names."""

    best: float
    covered: frozenset[int]


@dataclass(slots=True)
class _TitleIndex:
    """The distinct job titles of one Knowledge as words, and typed words already scored."""

    kb: Knowledge
    keys: tuple[tuple[str, ...], ...]
    """Each distinct title's words ('assembler' is on two steps but scored once)."""
    joined: tuple[str, ...]
    key_of: dict[str, int]
    vocabulary: tuple[str, ...]
    fits: dict[str, tuple[_WordFit, ...]]

    def fit(self, word: str) -> tuple[_WordFit, ...]:
        """How the typed word fits every title, computed once per word."""
        if word not in self.fits:
            if len(self.fits) > 4096:
                self.fits.clear()
            row = self._row(word)
            self.fits[word] = tuple(
                _WordFit(
                    max(row[t] for t in key),
                    frozenset(i for i, t in enumerate(key) if row[t] >= COVERED_SCORE),
                )
                for key in self.keys
            )
        return self.fits[word]

    def _row(self, word: str) -> dict[str, float]:
        """The typed word's similarity to every title word (a prefix or shared stem is close)."""
        found = process.extract(word, self.vocabulary, scorer=fuzz.ratio, limit=None)
        row = {title_word: score for title_word, score, _ in found}
        if len(word) >= 3:
            for title_word in self.vocabulary:
                if title_word.startswith(word) or _stem(title_word) == _stem(word):
                    row[title_word] = max(row[title_word], PREFIX_SCORE)
        return row


_index_cache: list[_TitleIndex] = []


def _index(kb: Knowledge) -> _TitleIndex:
    """The title index of `kb`, built once per Knowledge object."""
    if not _index_cache or _index_cache[0].kb is not kb:
        words = {job.title: title_words(job.title) for job in kb.jobs}
        keys = tuple(dict.fromkeys(w for w in words.values() if w))
        key_of = {title: keys.index(w) for title, w in words.items() if w}
        vocabulary = tuple(sorted({w for key in keys for w in key}))
        joined = tuple("".join(key) for key in keys)
        _index_cache[:] = [_TitleIndex(kb, keys, joined, key_of, vocabulary, {})]
    return _index_cache[0]


def _key_scores(typed: tuple[str, ...], index: _TitleIndex) -> list[float]:
    """How well the typed words name each title: mostly word matches, a little title coverage,
    or the words run together ('pipe fitter' -> 'pipefitter'), whichever is higher."""
    joined = process.extract("".join(typed), index.joined, scorer=fuzz.ratio, limit=None)
    scores = [0.0] * len(index.keys)
    for _, score, k in joined:
        scores[k] = score
    fits = {w: index.fit(w) for w in typed}
    for k, key in enumerate(index.keys):
        used = [w for w in typed if w not in _OPTIONAL_WORDS or w in key] or list(typed)
        best = sum(fits[w][k].best for w in used) / len(used)
        covered = frozenset().union(*(fits[w][k].covered for w in used))
        words = 0.85 * best + 15 * len(covered) / len(key)
        if len(covered) * 2 < len(key) and len(key) - 1 not in covered:
            words = min(words, MINOR_WORD_SCORE)  # 'help' alone is not 'help desk and user support'
        scores[k] = max(scores[k], words)
    return scores


def find_jobs(kb: Knowledge, text: str) -> tuple[JobMatch, ...]:
    """Jobs whose title best matches `text` (typos, plurals, parts of titles); best first."""
    typed = title_words(text)
    if not typed or typed == ("it",):
        return ()
    index = _index(kb)
    scores = _key_scores(typed, index)
    best = max(scores, default=0.0)
    if best < JOB_MATCH_CUTOFF:
        return ()
    kept = [
        JobMatch(job, pathway, step, scores[index.key_of[job.title]])
        for pathway in kb.pathways
        for step in pathway.steps
        for job in step.jobs
        if job.title in index.key_of and scores[index.key_of[job.title]] >= best - JOB_MATCH_MARGIN
    ]
    return tuple(sorted(kept, key=lambda m: -m.score))


def find_job(kb: Knowledge, text: str) -> JobMatch | None:
    """The single best job for `text`, or None when nothing is close enough."""
    matches = find_jobs(kb, text)
    return matches[0] if matches else None


def pay_of_job(kb: Knowledge, text: str) -> tuple[JobMatch, ...]:
    """The matching jobs, each with its step's pay (a title can sit on more than one step)."""
    return find_jobs(kb, text)


def job_requirements(kb: Knowledge, text: str) -> tuple[Requirements, ...]:
    """What each matching job's step requires."""
    return _unique_requirements(m.requirements for m in find_jobs(kb, text))


def _unique_requirements(items: Iterable[Requirements]) -> tuple[Requirements, ...]:
    """Each step once, in the order first seen."""
    seen: set[tuple[str, int]] = set()
    kept: list[Requirements] = []
    for item in items:
        key = (item.pathway.id, item.step.number)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return tuple(kept)
