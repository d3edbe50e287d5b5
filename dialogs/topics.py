"""Answers about what the documents say beyond pay: durations, schools, resources, requirements
by topic (age, lifting, math, English ...), where to start, the process (pure).

Each reader takes the question in normalized form (`t`), the knowledge narrowed to the pathways
the question names (`scoped`), the jobs it names and the whole knowledge, and returns the answer
text or None when the question is not its kind. Every fact is quoted from the knowledge YAML.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz

from dialogs import i18n
from dialogs.saying import cap as _cap
from dialogs.saying import k as _k
from dialogs.saying import label as _label
from dialogs.saying import pay_both
from knowledge.model import Education, Knowledge, Pathway, Resource, Step, Term
from knowledge.queries import JobMatch, StepRef, step_refs

T = TypeVar("T")
_ = i18n.gettext

RESOURCE_WORD_CUTOFF = 85.0
"""How close a typed word must be to a word of a school's programme to count ('comptai')."""


@dataclass(frozen=True)
class Topic:
    """A question, read for the topical readers (not slotted: its parts are cached)."""

    t: str
    kb: Knowledge
    scoped: Knowledge
    find_jobs: Callable[[], tuple[JobMatch, ...]]
    named_pathways: tuple[Pathway, ...]

    @functools.cached_property
    def jobs(self) -> tuple[JobMatch, ...]:
        """The jobs the question names (looked up only when a reader asks)."""
        return self.find_jobs()

    @functools.cached_property
    def plain(self) -> str:
        """Only letters, digits and single spaces ('o*net' -> 'o net')."""
        return _plain(self.t)


def _plain(text: str) -> str:
    """Lower-case letters and digits, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# ---- which steps a question is about -----------------------------------------------------------

_STEP_NUMBER = re.compile(r"\bsteps? ?(\d|one|two|three|four|five)\b")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_EDUCATION_WORDS = (
    (Education.CREDENTIAL, re.compile(r"\bcertif\w*|\bcredential\w*|\bcerts?\b|\bcomptia\b")),
    (Education.ASSOCIATE, re.compile(r"\bassociates?'?s?\b|\b(?:2|two)[- ]?years?\b")),
    (
        Education.BACHELOR,
        re.compile(r"\bbachelors?'?s?\b|\b(?:4|four)[- ]?years?\b|\buniversity\b|\bengineer\w*"),
    ),
)


def _steps_about(topic: Topic) -> tuple[StepRef, ...]:
    """The steps a question names: by job, by step number, by education, else none."""
    if topic.jobs and not _STEP_NUMBER.search(topic.t):
        seen: dict[tuple[str, int], StepRef] = {}
        for m in topic.jobs:
            seen.setdefault((m.pathway.id, m.step.number), m.ref)
        return tuple(seen.values())
    found = _STEP_NUMBER.search(topic.t)
    if found:
        word = found.group(1)
        number = int(word) if word.isdigit() else _NUMBER_WORDS[word]
        return tuple(r for r in step_refs(topic.scoped) if r.step.number == number)
    if re.search(r"\b(?:last|final|top|highest) step\b", topic.t):
        return tuple(StepRef(p, p.steps[-1]) for p in topic.scoped.pathways)
    for level, pattern in _EDUCATION_WORDS:
        if pattern.search(topic.t):
            return tuple(r for r in step_refs(topic.scoped) if r.step.education == level)
    return ()


# ---- how long -------------------------------------------------------------------------------

_HOW_LONG = re.compile(
    r"\bhow (?:long|many (?:years?|months?|weeks?))\b|\bhow much time\b|\bduration\b"
    r"|\btime (?:does it|it) takes?\b|\blength of\b|\bhow fast\b|\bhow quick\w*\b"
)


def duration_answer(topic: Topic) -> str | None:
    """'How long does the certificate take?': each step's time, in the documents' words."""
    if not _HOW_LONG.search(topic.t):
        return None
    refs = _steps_about(topic) or tuple(r for r in step_refs(topic.scoped) if r.step.number >= 2)
    if refs and all(r.step.number == 1 for r in refs):
        head = _("Step one is intake and assessment. The documents give no time for it.")
        return f"{head} {_k(refs[0].step.involves[0])}"
    lines = [_duration_line(r, topic.jobs) for r in refs]
    lines.append(_("The documents give no exact dates; your plan shows estimates."))
    return "\n".join(lines)


def _duration_line(ref: StepRef, jobs: Sequence[JobMatch]) -> str:
    """'• Manufacturing step 3 (welder): short-term (one year or less).'"""
    titles = [_k(m.job.title) for m in jobs if m.step is ref.step and m.pathway is ref.pathway]
    who = f" ({i18n.join(list(dict.fromkeys(titles)), 'comma')})" if titles else ""
    step = ref.step
    if step.duration_text:
        return f"• {_label(ref)}{who}: {_k(step.duration_text)}."
    return f"• {_label(ref)}{who}: " + _("the documents give no time for this step.")


# ---- where to study ---------------------------------------------------------------------------

_SCHOOL = re.compile(
    r"\b(?:schools?|colleges?|universit\w*|class(?:es)?|courses?|programs?|programmes?|study"
    r"|train|training|teach\w*|taught|learn|offer\w*|enrol\w*|sign up)\b"
)
_WHERE = re.compile(r"\b(?:where|which|what|who|any|list|name)\b")
_WHERE_DEGREE = re.compile(
    r"\bwhere\b.*\b(?:degrees?|certificates?|certifications?|credentials?|micro-?credentials?)\b"
)
_TOPIC_SYNONYMS = {
    "cybersecurity": "security",
    "cyber": "security",
    "programming": "coding",
    "code": "coding",
    "coder": "coding",
    "networking": "networked",
    "network": "networked",
    "machinist": "machining",
    "bachelors": "bachelor",
    "degrees": "degree",
    "microcredential": "micro",
}


def _set(text: str) -> frozenset[str]:
    """The words of a string, as a set."""
    return frozenset(text.split())


_TOPIC_STOP = _set(
    """where which what who any list name can could i do does did to a an the for in of on at
    take taking get study learn train training teach teaches teaching taught offer offers
    school schools college colleges university universities class classes course courses
    program programs programme programmes is are there me my some find go should want enroll
    sign up about with give tell show need how job jobs work become near maine be get to
    getting into pathway pathways field area good best classes"""
)


_per_kb: dict[tuple[int, str], object] = {}
"""Values computed once per Knowledge object (by id: hashing a Knowledge walks all of it)."""


def _once(kb: Knowledge, name: str, make: Callable[[], T]) -> T:
    """The value `make` gives for this Knowledge, computed once."""
    slot = (id(kb), name)
    found = _per_kb.get(slot)
    if found is None or found[0] is not kb:  # type: ignore[index]
        found = (kb, make())
        _per_kb[slot] = found
    return found[1]  # type: ignore[index,no-any-return]


def _all_resources(kb: Knowledge) -> tuple[tuple[StepRef, Resource], ...]:
    """Every (step, resource) pair that names a school or programme (not step one's tools)."""
    return _once(
        kb,
        "resources",
        lambda: tuple(
            (ref, res)
            for ref in step_refs(kb)
            if ref.step.number >= 2
            for res in ref.step.resources
        ),
    )


@functools.lru_cache(maxsize=256)
def _resource_words(res: Resource) -> frozenset[str]:
    return frozenset(_plain(res.text()).split())


def _word_hits(word: str, words: frozenset[str]) -> bool:
    if word in words:
        return True
    if len(word) < 4:
        return False
    return any(
        (len(w) >= 4 and (w.startswith(word) or word.startswith(w)))
        or fuzz.ratio(word, w) >= RESOURCE_WORD_CUTOFF
        for w in words
    )


def school_answer(topic: Topic) -> str | None:
    """'Which schools teach CNC?', 'where can I take CompTIA classes?'."""
    plain = topic.plain.replace("high school", " ")  # a diploma, not a place to study
    asks = _SCHOOL.search(plain) and (_WHERE.search(plain) or "?" in topic.t)
    if not asks and not _WHERE_DEGREE.search(plain):
        return None
    wanted = [
        _TOPIC_SYNONYMS.get(w, w)
        for w in plain.split()
        if w not in _TOPIC_STOP and not w.isdigit() and w not in _pathway_words(topic)
    ]
    pairs = [p for p in _all_resources(topic.kb) if p[0].pathway in topic.scoped.pathways]
    hits = [
        p for p in pairs if wanted and all(_word_hits(w, _resource_words(p[1])) for w in wanted)
    ]
    if not hits and wanted:
        hits = [p for p in pairs if any(_word_hits(w, _resource_words(p[1])) for w in wanted)]
    head = _("The documents name these schools and programmes:")
    if not hits:
        refs = _steps_about(topic)
        if refs:
            hits = [p for p in pairs if p[0] in refs]
            steps = i18n.join([_label(r) for r in refs])
            head = _("The documents list these for {steps}:").format(steps=steps)
        elif topic.named_pathways or not wanted:
            hits = pairs
        else:
            return None
    if not hits:
        return _("The documents name no school for that step.")
    return "\n".join([head, *_school_lines(hits)])


def _pathway_words(topic: Topic) -> frozenset[str]:
    """Words that name the pathways the question names ('manufacturing', 'it')."""
    return frozenset(
        w
        for p in topic.named_pathways
        for name in (p.id, p.short_name, p.name, *p.synonyms)
        for w in _plain(name).split()
    )


def _school_gloss(ref: StepRef) -> str:
    """'IT step 3, short-term (one year or less)': which step a school serves, and how long."""
    if ref.step.duration_text:
        return f"{_label(ref)}: {_k(ref.step.duration_text)}"
    return _label(ref)


def _school_lines(pairs: Sequence[tuple[StepRef, Resource]]) -> list[str]:
    """'• Central Maine Community College: CompTIA+, CompTIA Security (IT step 3)'."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for ref, res in pairs:
        names = grouped.setdefault((res.provider or res.name, _school_gloss(ref)), [])
        if res.provider and res.name not in names:
            names.append(res.name)
    return [
        f"• {who}: {i18n.join(names, 'comma')} — {label}" if names else f"• {who} — {label}"
        for (who, label), names in grouped.items()
    ]


# ---- what is ... ----------------------------------------------------------------------------

_WHAT_IS = re.compile(
    r"\b(?:what|whats|who|tell me about|explain|info|information|more about|meaning|mean|means"
    r"|heard of|know about|is)\b"
)
_LOCATION = re.compile(
    r"\b(?:near(?:est|by)?|address|location|located|directions|office hours|phone number"
    r"|open)\b|\bwhere is\b|\bclosest\b"
)


def _term_pattern(kb: Knowledge) -> tuple[re.Pattern[str], dict[str, Term]]:
    """One pattern for every name and alias of the terms (longest first), and who owns each."""

    def make() -> tuple[re.Pattern[str], dict[str, Term]]:
        owner = {
            _plain(name): term
            for term in kb.process.terms
            for name in (term.name, *term.aliases)
            if _plain(name)
        }
        names = sorted(owner, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b"), owner

    return _once(kb, "terms", make)


def term_answer(topic: Topic) -> str | None:
    """'What is NorthStar?', 'Maine JobLink?': what the documents say about it."""
    plain = topic.plain
    pattern, owner = _term_pattern(topic.kb)
    found = pattern.search(plain)
    if found is None:
        return None
    term = owner[found.group()]
    if _LOCATION.search(plain):
        return location_text(topic.kb)
    short = len(plain.split()) <= len(_plain(term.name).split()) + 1
    if not (_WHAT_IS.search(plain) or short):
        return None
    return f"{i18n.isolate(term.name)}: {_k(term.about)}"


def location_text(kb: Knowledge) -> str:
    """The documents give no addresses: say so, and where intake typically happens."""
    return _(
        "The documents do not list addresses or the nearest office. Intake typically occurs "
        "at a Workforce Solutions or Adult Education location."
    )


def location_answer(topic: Topic) -> str | None:
    """'Where is the nearest job centre?': not in the documents."""
    if _LOCATION.search(topic.plain) and re.search(
        r"\b(?:office|center|centre|job ?cent\w*|workforce|adult education|career center)\b",
        topic.plain,
    ):
        return location_text(topic.kb)
    return None


# ---- requirements by topic --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Need:
    """A kind of requirement: how a question names it and how a requirement line says it."""

    name: str
    asked: re.Pattern[str]
    said: re.Pattern[str]


_NEED_NAMES = {
    "age": lambda: i18n.pgettext("requirement", "age"),
    "lifting": lambda: i18n.pgettext("requirement", "lifting"),
    "math": lambda: i18n.pgettext("requirement", "math"),
    "English": lambda: i18n.pgettext("requirement", "English"),
    "physical health": lambda: i18n.pgettext("requirement", "physical health"),
    "experience": lambda: i18n.pgettext("requirement", "experience"),
    "directions": lambda: i18n.pgettext("requirement", "directions"),
}
"""How each kind of requirement is named in an answer."""
_NEEDS = (
    _Need(
        "age",
        re.compile(r"\b(?:18|eighteen|age|how old|old enough|years old|minimum age|under ?age)\b"),
        re.compile(r"years of age"),
    ),
    _Need(
        "lifting",
        re.compile(r"\b(?:lift\w*|pounds?|lbs?|heavy|weight|carry|strength|strong)\b"),
        re.compile(r"\blift"),
    ),
    _Need(
        "math",
        re.compile(r"\b(?:math\w*|maths|algebra|fractions?|decimals?|geometry|trig\w*|measur\w*)"),
        re.compile(r"\bmath|decimals|fractions|geometry|measurements"),
    ),
    _Need(
        "English",
        re.compile(r"\b(?:english|language|speak|esl)\b"),
        re.compile(r"\benglish\b", re.IGNORECASE),
    ),
    _Need(
        "physical health",
        re.compile(r"\b(?:physical\w*|health|healthy|fit|fitness)\b(?! and safety)"),
        re.compile(r"physical health"),
    ),
    _Need(
        "experience",
        re.compile(r"\bexperienc\w*|\bon the job\b|\bskills\b"),
        re.compile(r"experience", re.IGNORECASE),
    ),
    _Need(
        "directions",
        re.compile(r"\b(?:directions|instructions|mechanical|aptitude|coaching|communication)\b"),
        re.compile(r"directions|mechanical aptitude|coaching|communication"),
    ),
)
_NEED_ASK = re.compile(
    r"\b(?:how many|is there|are there|any|limit|do|can|need|needs|needed|require\w*|have to"
    r"|must|should|necessary|ok|okay|allowed|enough"
    r"|qualif\w*|able|can i|do i|does it|do they|how much|how old|what)\b"
)


_NO_EXPERIENCE = re.compile(
    r"\b(?:no|without|with no|any) experience\b.*\b(?:jobs?|work)\b|\b(?:jobs?|work)\b.*"
    r"\b(?:no|without|with no) experience\b"
)
_MONEY_WORDS = re.compile(r"\$|\b(?:an hour|per hour|hourly|a year|dollars?|bucks|salary|pay)\b")


def need_answer(topic: Topic) -> str | None:
    """'Do I need to be 18?', 'how much do I need to lift', 'what math do I need': each step's
    requirement of that kind, quoted."""
    if not _NEED_ASK.search(topic.t):
        return None
    needs = [n for n in _NEEDS if n.asked.search(topic.t)]
    if _MONEY_WORDS.search(topic.t):  # '18 an hour' is pay, not an age
        needs = [n for n in needs if n.name != "age"]
    if not needs or (needs[0].name == "physical health" and "safety" in topic.t):
        return None
    if needs[0].name == "experience" and _NO_EXPERIENCE.search(topic.t):
        return None  # 'what jobs can I get with no experience': the unskilled jobs
    refs = _steps_about(topic) or step_refs(topic.scoped)
    lines: list[str] = []
    for need in needs[:2]:
        lines += _need_lines(need, refs, topic)
    return "\n".join(lines)


def _need_lines(need: _Need, refs: Sequence[StepRef], topic: Topic) -> list[str]:
    """What each step says about one kind of requirement."""
    found: list[str] = []
    for ref in refs:
        items = _step_items(ref.step, need)
        if items:
            found.append(f"• {_label(ref)}: {'; '.join(items)}.")
    if need.name == "math":
        found += [f"• {_k(p.math_requirements)}" for p in _pathways_of(refs) if p.math_requirements]
    if need.name == "lifting":
        found += [
            f"• {_k(p.short_name)}: "
            + _("the document's sentence on “{note}” is cut off.").format(note=_k(note))
            for p in _pathways_of(refs)
            for note in p.incomplete_notes
        ]
    named = _NEED_NAMES[need.name]()
    where = i18n.join(list(dict.fromkeys(_label(r) for r in refs)), "or") if topic.jobs else ""
    if not found:
        scope = where or i18n.join([_k(p.short_name) for p in _pathways_of(refs)], "or")
        return [
            _("The documents list no {need} requirement for {jobs} jobs.").format(
                need=named, jobs=scope
            )
        ]
    return [_("What the documents say about {need}:").format(need=named), *found]


def _step_items(step: Step, need: _Need) -> list[str]:
    """The step's requirement lines of this kind, and its English-class note."""
    items = [_k(r) for r in step.requirements if need.said.search(r)]
    every = need.name == "experience"
    items += [
        _("preferred: {item}").format(item=_k(p))
        for p in step.preferred
        if every or need.said.search(p)
    ]
    items += [
        _("helpful: {item}").format(item=_k(a))
        for a in step.additional_skills
        if need.said.search(a)
    ]
    if need.name == "English" and any(
        "English language acquisition courses" in i for i in step.involves
    ):
        items.append(_("English language acquisition courses if needed"))
    return list(dict.fromkeys(items))


def _pathways_of(refs: Sequence[StepRef]) -> list[Pathway]:
    return list({r.pathway.id: r.pathway for r in refs}.values())


# ---- the process: where to start, work readiness, phases ---------------------------------------

_START = re.compile(
    r"\b(?:where|how) (?:do|should|can|would) (?:i|we|you) (?:start|begin|get started|sign up)"
    r"|\b(?:first|1st) (?:thing|step)\b|\bstart(?:ing)? point\b|\bget started\b"
    r"|\bwhere to (?:start|begin)\b|\bhow to (?:start|begin)\b|\bbegin(?:ning)?\b"
)
_READINESS = re.compile(
    r"\bwork[- ]?read\w*|\breadiness\b|\bsoft skills\b|\bskills? (?:do )?(?:i|you) need (?:for|to"
    r" get) (?:an? )?(?:unskilled|any)\b"
)
_PHASE_N = re.compile(
    r"\bphase ?(\d|one|two|three|four|five|six|last|final|first)\b"
    r"|\b(last|final|first) phase\b"
)
_PHASE_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "first": 1}
_LAST_STEP = re.compile(r"\b(?:last|final|top|highest) step\b|\bstep (?:last|final)\b")


def start_answer(topic: Topic) -> str | None:
    """'Where do I start?': step one, where it begins and what it involves."""
    if not _START.search(topic.t) or _STEP_NUMBER.search(topic.t):
        return None
    pathway = topic.scoped.pathways[0]
    step = pathway.step(1)
    lines = [
        _("You start with intake and assessment (phase 1, step one of each pathway)."),
        _k(step.involves[0]),
        *(f"• {_k(a)}" for a in step.actions[:4]),
    ]
    return "\n".join(lines)


def readiness_answer(topic: Topic) -> str | None:
    """'What are the work readiness skills?'."""
    if not _READINESS.search(topic.t):
        return None
    process = topic.kb.process
    skills = [f"• {_k(s)}" for s in process.work_readiness_skills]
    return "\n".join([_("Work readiness skills, as the documents list them:"), *skills])


def phase_answer(topic: Topic) -> str | None:
    """'What is phase 4?', 'last phase'."""
    found = _PHASE_N.search(topic.t)
    if found is None:
        return None
    phases = topic.kb.process.phases
    word = found.group(1) or found.group(2)
    number = int(word) if word.isdigit() else _PHASE_WORDS.get(word, len(phases))
    if not 1 <= number <= len(phases):
        return _("There is no phase {number}. The process has {n} phases.").format(
            number=number, n=len(phases)
        )
    phase = phases[number - 1]
    return (
        _("Phase {number} of {n}: {name}.").format(
            number=phase.number, n=len(phases), name=_k(phase.name)
        )
        + f" {_k(phase.summary)}"
    )


def last_step_answer(topic: Topic) -> str | None:
    """'What is the last step?': step five of each pathway, in one line each."""
    if not _LAST_STEP.search(topic.t) or _HOW_LONG.search(topic.t):
        return None
    lines = []
    for pathway in topic.scoped.pathways:
        step = pathway.steps[-1]
        said = _("The last step of {pathway} is step {number}: {title}.").format(
            pathway=_k(pathway.name), number=step.number, title=_k(step.title)
        )
        if step.pay:
            said += " " + _("Average pay: {pay}.").format(pay=pay_both(step.pay))
        lines.append(said)
    return "\n".join(lines)


# ---- unskilled jobs by name ---------------------------------------------------------------------


def unskilled_job_answer(topic: Topic) -> str | None:
    """'How much does a custodian make?': named as an unskilled job, no figure given."""
    process = topic.kb.process
    pattern = _once(
        topic.kb,
        "unskilled",
        lambda: re.compile(
            r"\b(?:"
            + "|".join(re.escape(_plain(j).rstrip("s")) for j in process.unskilled_jobs)
            + r")s?\b"
        ),
    )
    if pattern.search(topic.plain):
        job = next(j for j in process.unskilled_jobs if _plain(j).rstrip("s") in topic.plain)
        if job:
            others = i18n.join([_k(j) for j in process.unskilled_jobs], "comma")
            skills = i18n.join([_k(s).lower() for s in process.work_readiness_skills], "comma")
            return "\n".join(
                [
                    _(
                        "{job} are among the unskilled jobs the documents name ({jobs}). "
                        "Immediate employment may not require any special training or degrees. "
                        "The documents give no pay figure for these jobs."
                    ).format(job=_cap(_k(job)), jobs=others),
                    _("Work readiness skills: {skills}.").format(skills=skills),
                ]
            )
    return None
