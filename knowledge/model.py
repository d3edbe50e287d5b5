"""The pathway knowledge as frozen values: pathways, steps, jobs, pay, resources, the process."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum

HOURS_PER_YEAR = 2080
"""Full-time hours in a year (40 x 52), the convention of US Department of Labor pay tools."""


class PayUnit(StrEnum):
    """The period a pay figure is quoted for."""

    HOUR = "hour"
    YEAR = "year"


class Education(IntEnum):
    """Education levels in the order the pathways climb them."""

    NONE = 0
    HIGH_SCHOOL = 1
    CREDENTIAL = 2
    ASSOCIATE = 3
    BACHELOR = 4

    @property
    def label(self) -> str:
        """Plain words for the level."""
        return _EDUCATION_LABELS[self]


_EDUCATION_LABELS = {
    Education.NONE: "no diploma",
    Education.HIGH_SCHOOL: "high school diploma or equivalent",
    Education.CREDENTIAL: "industry-recognized credential",
    Education.ASSOCIATE: "associate degree",
    Education.BACHELOR: "bachelor's degree",
}


@dataclass(frozen=True, slots=True)
class PayWords:
    """How pay reads in one language (dialogs.localize makes one per language from the
    catalogue; the figures themselves never change)."""

    hourly: str = "{amount} an hour"
    yearly: str = "{amount} a year"
    about: str = "about {pay}"
    group: str = ","
    decimal: str = "."
    isolate: bool = False
    """Right-to-left languages: each figure is set apart (Unicode isolates) so '$15–24' is not
    turned around inside Arabic text."""


ENGLISH_PAY = PayWords()


def _money(amount: float, unit: PayUnit, words: PayWords = ENGLISH_PAY) -> str:
    """Format one amount the way a person reads it: $24, $23.56, $55,000 (55.000 in Spanish)."""
    if unit is PayUnit.YEAR:
        text = f"{round(amount):,}"
    elif float(amount).is_integer():
        text = f"{int(amount)}"
    else:
        text = f"{amount:.2f}"
    if words is ENGLISH_PAY:
        return text
    return text.replace(",", "\0").replace(".", words.decimal).replace("\0", words.group)


@dataclass(frozen=True, slots=True)
class Pay:
    """An average pay range as the seed states it, or converted to the other unit."""

    min: float
    max: float
    unit: PayUnit
    converted: bool = False
    words: PayWords = field(default=ENGLISH_PAY, compare=False, repr=False)
    """The language the range is written in (figures are the same in every language)."""

    def to(self, unit: PayUnit) -> Pay:
        """This range in `unit`, at HOURS_PER_YEAR; marked converted when the unit changes."""
        if unit is self.unit:
            return self
        factor = HOURS_PER_YEAR if unit is PayUnit.YEAR else 1 / HOURS_PER_YEAR
        return replace(
            self,
            min=round(self.min * factor, 2),
            max=round(self.max * factor, 2),
            unit=unit,
            converted=not self.converted,
        )

    @property
    def hourly(self) -> Pay:
        """The range per hour."""
        return self.to(PayUnit.HOUR)

    @property
    def yearly(self) -> Pay:
        """The range per year."""
        return self.to(PayUnit.YEAR)

    def text(self) -> str:
        """'$15–24 an hour' or '$49,000–55,000 a year'; 'about' when converted."""
        w = self.words
        low, high = _money(self.min, self.unit, w), _money(self.max, self.unit, w)
        span = low if low == high else f"{low}–{high}"
        amount = f"⁦${span}⁩" if w.isolate else f"${span}"
        text = (w.hourly if self.unit is PayUnit.HOUR else w.yearly).format(amount=amount)
        return w.about.format(pay=text) if self.converted else text

    def text_both(self) -> str:
        """Stated figure, then the other unit: '$49,000 a year (about $23.56 an hour)'."""
        other = PayUnit.YEAR if self.unit is PayUnit.HOUR else PayUnit.HOUR
        return f"{self.text()} ({self.to(other).text()})"


@dataclass(frozen=True, slots=True)
class Resource:
    """A training resource named in the seed (links were stripped; no URL is kept)."""

    name: str
    provider: str | None = None

    def text(self) -> str:
        """'Provider: Name' or just the name."""
        return f"{self.provider}: {self.name}" if self.provider else self.name


@dataclass(frozen=True, slots=True)
class Job:
    """One employment opportunity listed on a step."""

    title: str
    pathway_id: str
    step: int


@dataclass(frozen=True, slots=True)
class Area:
    """An area of employment within a pathway, with everyday words people use for it."""

    id: str
    name: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntryNeed:
    """One thing a step asks for that decides whether a person can start there (YAML `entry`).

    Met when the person's education is at least `school` (if given) and, for each question in
    `answers`, their answer includes one of the listed ids. A question the intake never asked
    counts as met only when `if_not_asked_met`. `todo` is what the plan says to do when the need
    is missing (empty: nothing to plan, the need is only said); `training` marks the need the
    step's own training meets, which takes the step's stated length.
    """

    need: str
    school: Education | None = None
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if_not_asked_met: bool = False
    todo: str = ""
    training: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One of a pathway's five steps."""

    number: int
    title: str
    involves: tuple[str, ...]
    education: Education
    requirements: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()
    additional_skills: tuple[str, ...] = ()
    jobs: tuple[Job, ...] = ()
    pay: Pay | None = None
    resources: tuple[Resource, ...] = ()
    duration_months: int | None = None
    duration_text: str | None = None
    actions: tuple[str, ...] = ()
    entry: tuple[EntryNeed, ...] = ()
    """What decides the entry step (the rest of `requirements` is shown to the person)."""
    plain: str = ""
    """The step in a few everyday words, from what the documents say about it ("a short
    training, then skilled jobs"); messages say this, `title` stays for the details."""

    @property
    def name(self) -> str:
        """What messages call the step: its plain name, or the documents' title."""
        return self.plain or self.title

    @property
    def shown_requirements(self) -> tuple[str, ...]:
        """Requirements no entry need covers: said to the person, never decided on."""
        needs = [n.need.lower() for n in self.entry]
        return tuple(r for r in self.requirements if not any(n in r.lower() for n in needs))


@dataclass(frozen=True, slots=True)
class Pathway:
    """A career pathway: areas of employment and five steps from intake to upper-level jobs."""

    id: str
    name: str
    short_name: str
    description: str
    areas: tuple[Area, ...]
    steps: tuple[Step, ...]
    math_requirements: str | None = None
    incomplete_notes: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()

    def step(self, number: int) -> Step:
        """The step with this number (1-based)."""
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(f"{self.id} has no step {number}")

    @property
    def jobs(self) -> tuple[Job, ...]:
        """Every job on every step, lowest step first."""
        return tuple(job for step in self.steps for job in step.jobs)


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of the Career Pathways process."""

    number: int
    name: str
    summary: str


@dataclass(frozen=True, slots=True)
class Term:
    """A resource or name the documents mention, with what they say about it."""

    name: str
    about: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Process:
    """The Career Pathways process shared by every pathway."""

    overview: str
    phases: tuple[Phase, ...]
    entry_exit: str
    work_readiness_skills: tuple[str, ...]
    unskilled_jobs: tuple[str, ...]
    unskilled_note: str
    not_comprehensive: str
    terms: tuple[Term, ...] = ()
    """Resources and names (NorthStar, Maine JobLink ...) as the documents describe them."""


@dataclass(frozen=True, slots=True)
class Gloss:
    """A word of the documents' jargon and what it means, in neutral everyday words."""

    words: tuple[str, ...]
    """How the word is written in a message (the first is the one the note names)."""
    meaning: str


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the bot knows: the process and the pathways by id."""

    process: Process
    pathways: tuple[Pathway, ...] = field(default_factory=tuple)
    glossary: tuple[Gloss, ...] = ()
    """Jargon explained the first time a message uses it (knowledge/glossary.yaml)."""

    def pathway(self, pathway_id: str) -> Pathway:
        """The pathway with this id."""
        for pathway in self.pathways:
            if pathway.id == pathway_id:
                return pathway
        raise KeyError(f"no pathway {pathway_id!r}")

    @property
    def jobs(self) -> tuple[Job, ...]:
        """Every job on every pathway."""
        return tuple(job for pathway in self.pathways for job in pathway.jobs)
