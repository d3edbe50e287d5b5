"""Phase 2, recommendations: each pathway's entry step from its steps' own needs, and a ranking.

What a step asks for lives in the pathway YAML (`entry` of each step); nothing here names a
degree, a credential or a school.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialogs import messages as say
from dialogs.flow import Flow
from dialogs.i18n import N_, _
from dialogs.state import AnswerValue
from knowledge.model import Education, EntryNeed, Knowledge, Pathway, Step

INTEREST_POINTS = 3
EXPERIENCE_POINTS = 2
COMFORT_POINTS = 1
FIELD_POINTS = 2
LIMIT_PENALTY = 2

EDUCATION_OF_ANSWER = {
    "none": Education.NONE,
    "high_school": Education.HIGH_SCHOOL,
    "credential": Education.CREDENTIAL,
    "associate": Education.ASSOCIATE,
    "bachelor": Education.BACHELOR,
}
FIELD_QUESTIONS = frozenset({"degree_field", "credential"})
"""Follow-up questions whose answer is the field of a degree or a certificate."""
ANSWER_OF_EDUCATION = {level: key for key, level in EDUCATION_OF_ANSWER.items()}

Answers = Mapping[str, AnswerValue]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One pathway for this person: how well it fits, where they start, and why."""

    pathway: Pathway
    score: int
    entry_step: int
    reasons: tuple[str, ...]
    cautions: tuple[str, ...] = ()
    missing: str = ""
    """What the person lacks for the step above their entry step, in plain words."""


def ids_of(answers: Answers, key: str) -> tuple[str, ...]:
    """An answer as a tuple of ids (a multi answer, one choice, or nothing)."""
    value = answers.get(key)
    if isinstance(value, tuple):
        return value
    return (str(value),) if value is not None else ()


_ids = ids_of


def education_of(answers: Answers) -> Education:
    """The education level the school answer stands for."""
    return EDUCATION_OF_ANSWER.get(str(answers.get("school", "none")), Education.NONE)


def need_met(need: EntryNeed, answers: Answers) -> bool:
    """Whether the person's answers meet one entry need of a step."""
    if need.school is not None and education_of(answers) < need.school:
        return False
    for question, accepted in need.answers:
        given = ids_of(answers, question)
        if not given:
            if not need.if_not_asked_met:
                return False
        elif not set(given) & set(accepted):
            return False
    return True


def missing_needs(step: Step, answers: Answers) -> tuple[EntryNeed, ...]:
    """The entry needs of a step this person does not meet yet."""
    return tuple(n for n in step.entry if not need_met(n, answers))


def entry_step(pathway: Pathway, answers: Answers) -> int:
    """The highest step whose entry needs (education, experience, credentials...) are all met."""
    fitting = [s.number for s in pathway.steps if not missing_needs(s, answers)]
    return max(fitting, default=1)


def with_need(answers: Answers, need: EntryNeed) -> dict[str, AnswerValue]:
    """The answers as they will be once the plan meets this need (for planning later steps)."""
    updated = dict(answers)
    if need.school is not None and education_of(answers) < need.school:
        updated["school"] = ANSWER_OF_EDUCATION[need.school]
    for question, accepted in need.answers:
        if not set(ids_of(answers, question)) & set(accepted):
            old = answers.get(question)
            updated[question] = (*old, accepted[0]) if isinstance(old, tuple) else accepted[0]
    return updated


def missing_line(flow: Flow, pathway: Pathway, entry: int, answers: Answers) -> str:
    """What the person has and what the highest step their education reaches still needs:
    'You have a bachelor's degree, but not in IT or computers. Step 5 asks for one in IT or
    computers.' Said for the highest step above the entry step whose level the person has."""
    level = education_of(answers)
    for step in sorted(pathway.steps[entry:], key=lambda s: -s.number):
        has_level = any(n.school is not None and n.school <= level for n in step.entry)
        lack = missing_needs(step, answers)
        if has_level and lack and level > Education.HIGH_SCHOOL:
            have = _(HAVE_WORDS[level])
            fields = [f for n in lack if (f := _field_words(flow, n, answers))]
            others = ", ".join(
                in_sentence(n.need) for n in lack if not _field_words(flow, n, answers)
            )
            if not fields:
                return say.HAVE_PART.format(have=have, step=step.number, lack=others)
            line = say.HAVE_FIELD.format(have=have, step=step.number, fields=fields[0])
            return f"{line} {say.HAVE_ALSO.format(lack=others)}" if others else line
    return ""


HAVE_WORDS = {
    Education.CREDENTIAL: N_("a certificate"),
    Education.ASSOCIATE: N_("an associate degree"),
    Education.BACHELOR: N_("a bachelor's degree"),
}
"""The person's education, said in a sentence ("You have a certificate")."""


def _field_words(flow: Flow, need: EntryNeed, answers: Answers) -> str:
    """The fields a degree or certificate need counts when the person's own is in another
    ('IT or computers'); empty when the need is not about the field."""
    for question_id, accepted in need.answers:
        question = flow.question(question_id)
        given = ids_of(answers, question_id)
        wrong = given and not set(given) & set(accepted)
        if question_id in FIELD_QUESTIONS and question is not None and wrong:
            labels = [c.label for c in question.choices if c.id in accepted]
            return ", ".join(labels[:-1]) + _(" or ") + labels[-1] if labels[1:] else labels[0]
    return ""


def in_sentence(words: str) -> str:
    """The documents' words inside a sentence: 'High school' -> 'high school', 'IT' stays."""
    head = words.split(" ", 1)[0]
    return words[0].lower() + words[1:] if head[1:].islower() or len(head) == 1 else words


def entry_need_problems(kb: Knowledge, flow: Flow) -> list[str]:
    """Entry needs that name an intake question or answer the flow does not have."""
    problems = []
    for pathway in kb.pathways:
        for step in pathway.steps:
            for i, need in enumerate(step.entry):
                for question_id, accepted in need.answers:
                    where = f"{pathway.id}.yaml: steps[{step.number - 1}].entry[{i}].answers"
                    question = flow.question(question_id)
                    if question is None:
                        problems.append(
                            f"{where}.{question_id}: no intake question {question_id!r}"
                        )
                        continue
                    problems += [
                        f"{where}.{question_id}: {question_id!r} has no answer {a!r}"
                        for a in accepted
                        if question.choice(a) is None
                    ]
    return problems


def _labels(flow: Flow, question_id: str, ids: tuple[str, ...], pathway_id: str) -> list[str]:
    question = flow.question(question_id)
    if question is None:
        return []
    return [c.label.lower() for c in question.choices if c.id in ids and pathway_id in c.pathways]


def recommend(kb: Knowledge, flow: Flow, answers: Answers) -> tuple[Recommendation, ...]:
    """Every pathway, best fit first (ties keep the knowledge's order), with reasons."""
    ranked = [_score(kb, pathway, flow, answers) for pathway in kb.pathways]
    order = {p.id: i for i, p in enumerate(kb.pathways)}
    ranked.sort(key=lambda r: (-r.score, order[r.pathway.id]))
    return tuple(ranked)


def is_tie(ranked: tuple[Recommendation, ...]) -> bool:
    """True when the first two pathways fit equally well."""
    return len(ranked) > 1 and ranked[0].score == ranked[1].score


def _field_reasons(pathway: Pathway, answers: Answers, flow: Flow) -> list[str]:
    """A degree or certificate the pathway's steps count, in the person's words."""
    reasons = []
    for question_id in ("degree_field", "credential"):
        given = ids_of(answers, question_id)
        question = flow.question(question_id)
        if not given or question is None:
            continue
        counts = any(
            question_id == q and set(given) & set(ok)
            for step in pathway.steps
            for need in step.entry
            for q, ok in need.answers
        )
        if counts:
            template = say.REASON_DEGREE if question_id == "degree_field" else say.REASON_CERT
            reasons.append(template.format(what=question.labels(given)))
    return reasons


def _score(kb: Knowledge, pathway: Pathway, flow: Flow, answers: Answers) -> Recommendation:
    liked = _labels(flow, "interests", ids_of(answers, "interests"), pathway.id)
    done = _labels(flow, "experience", ids_of(answers, "experience"), pathway.id)
    score = INTEREST_POINTS * len(liked) + EXPERIENCE_POINTS * len(done)
    reasons: list[str] = []
    if liked:
        reasons.append(say.REASON_LIKE.format(what=", ".join(liked)))
    if done:
        reasons.append(say.REASON_DONE.format(what=", ".join(done)))
    fields = _field_reasons(pathway, answers, flow)
    score += FIELD_POINTS * len(fields)
    reasons += fields
    if pathway.id == "it" and answers.get("computer") in {"office", "advanced"}:
        score += COMFORT_POINTS
        reasons.append(say.REASON_COMPUTERS)
    if pathway.math_requirements and answers.get("math") == "good":
        score += COMFORT_POINTS
        reasons.append(say.REASON_MATH)
    cautions, blocked = _cautions(kb, pathway, answers)
    score -= LIMIT_PENALTY * blocked
    entry = entry_step(pathway, answers)
    return Recommendation(
        pathway,
        score,
        entry,
        tuple(reasons),
        tuple(cautions),
        missing_line(flow, pathway, entry, answers),
    )


def _cautions(kb: Knowledge, pathway: Pathway, answers: Answers) -> tuple[list[str], int]:
    """Needs the person does not meet and the plan cannot meet (age, lifting...), said plainly,
    with the pathways that do not list them; then the documents' notes on English and math.
    Also how many such needs block steps (each lowers the fit)."""
    lines: list[str] = []
    blocked: dict[str, list[int]] = {}
    for step in pathway.steps:
        for need in missing_needs(step, answers):
            if not need.todo:
                blocked.setdefault(need.need, []).append(step.number)
    for words, steps in blocked.items():
        others = [
            p.short_name
            for p in kb.pathways
            if p.id != pathway.id and not any(n.need == words for s in p.steps for n in s.entry)
        ]
        instead = say.CAUTION_INSTEAD.format(names=" and ".join(others)) if others else ""
        lines.append(
            say.CAUTION_NEED.format(steps=_steps_text(steps), need=words, instead=instead).strip()
        )
    if answers.get("english") == "hard":
        asks = [s.number for s in pathway.steps for n in s.entry if "english" in n.need.lower()]
        if asks:
            lines.append(say.CAUTION_ENGLISH_NEED.format(steps=_steps_text(asks)))
        else:
            lines.append(say.CAUTION_ENGLISH_CLASSES)
    if pathway.math_requirements and answers.get("math") in {"weak", "some"}:
        lines.append(math_caution(pathway.math_requirements))
    return lines, len(blocked)


def math_caution(text: str) -> str:
    """'The math here may range from basic math ... to ...' from the documents' math sentence;
    in another language (the sentence translated whole) the sentence itself."""
    words = text.rstrip(".")
    marker = "range from "
    if marker in words:
        return say.CAUTION_MATH.format(math=words.split(marker, 1)[1])
    return say.CAUTION_MATH_SENTENCE.format(sentence=text)


def _steps_text(numbers: list[int]) -> str:
    """'step 2', 'steps 2 to 5' or 'steps 2, 4', in the person's language."""
    if len(numbers) == 1:
        return _("step {number}").format(number=numbers[0])
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return _("steps {first} to {last}").format(first=numbers[0], last=numbers[-1])
    return _("steps {numbers}").format(numbers=", ".join(map(str, numbers)))
