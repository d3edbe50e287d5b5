"""Phase 2, recommendations: rank the pathways and find each one's entry step from the answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialogs.flow import Flow
from dialogs.i18n import _
from dialogs.state import AnswerValue
from knowledge.model import Education, Knowledge, Pathway

INTEREST_POINTS = 3
EXPERIENCE_POINTS = 2
COMFORT_POINTS = 1
LIMIT_PENALTY = 2

EDUCATION_OF_ANSWER = {
    "none": Education.NONE,
    "high_school": Education.HIGH_SCHOOL,
    "credential": Education.CREDENTIAL,
    "associate": Education.ASSOCIATE,
    "bachelor": Education.BACHELOR,
}
HANDS_ON_EXPERIENCE = frozenset({"production", "maintenance", "welding", "drafting"})
"""Experience that counts as on-the-job experience for the manufacturing steps."""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One pathway for this person: how well it fits, where they start, and why."""

    pathway: Pathway
    score: int
    entry_step: int
    reasons: tuple[str, ...]
    cautions: tuple[str, ...] = ()


def _ids(answers: Mapping[str, AnswerValue], key: str) -> tuple[str, ...]:
    value = answers.get(key)
    if isinstance(value, tuple):
        return value
    return (str(value),) if value is not None else ()


def education_of(answers: Mapping[str, AnswerValue]) -> Education:
    """The education level the school answer stands for."""
    return EDUCATION_OF_ANSWER.get(str(answers.get("school", "none")), Education.NONE)


def entry_step(pathway: Pathway, answers: Mapping[str, AnswerValue]) -> int:
    """The highest step whose education requirement the person meets (many entry points).

    No diploma: step 1 (with Adult Education); diploma: step 2; a credential: step 3 (on the
    manufacturing pathway only with hands-on experience, as the seed asks for on-the-job
    experience); associate: step 4; bachelor's: step 5. Under 18: step 1, since the seed says
    steps 2 to 4 generally need you to be 18.
    """
    level = education_of(answers)
    if level is Education.CREDENTIAL and pathway.id == "manufacturing":
        experience = set(_ids(answers, "experience"))
        if not experience & HANDS_ON_EXPERIENCE:
            level = Education.HIGH_SCHOOL
    if pathway.id == "manufacturing" and answers.get("age") == "no":
        level = Education.NONE
    fitting = [s.number for s in pathway.steps if s.education <= level]
    return max(fitting, default=1)


def _labels(flow: Flow, question_id: str, ids: tuple[str, ...], pathway_id: str) -> list[str]:
    question = flow.question(question_id)
    if question is None:
        return []
    return [c.label.lower() for c in question.choices if c.id in ids and pathway_id in c.pathways]


def recommend(
    kb: Knowledge, flow: Flow, answers: Mapping[str, AnswerValue]
) -> tuple[Recommendation, ...]:
    """Every pathway, best fit first, with reasons drawn from the person's own answers."""
    ranked = [_score(pathway, flow, answers) for pathway in kb.pathways]
    ranked.sort(key=lambda r: (-r.score, r.pathway.id))
    return tuple(ranked)


def _score(pathway: Pathway, flow: Flow, answers: Mapping[str, AnswerValue]) -> Recommendation:
    liked = _labels(flow, "interests", _ids(answers, "interests"), pathway.id)
    done = _labels(flow, "experience", _ids(answers, "experience"), pathway.id)
    score = INTEREST_POINTS * len(liked) + EXPERIENCE_POINTS * len(done)
    reasons: list[str] = []
    if liked:
        reasons.append(_("You like: {things}.").format(things=", ".join(liked)))
    if done:
        reasons.append(_("You have done: {things}.").format(things=", ".join(done)))
    cautions: list[str] = []
    if pathway.id == "it" and answers.get("computer") in {"office", "advanced"}:
        score += COMFORT_POINTS
        reasons.append(_("You are good with computers."))
    if pathway.id == "manufacturing":
        if answers.get("math") == "good":
            score += COMFORT_POINTS
            reasons.append(_("You are good at math."))
        if answers.get("lifting") == "no":
            score -= LIMIT_PENALTY
            cautions.append(_("Many jobs here need you to lift up to 40 pounds."))
        if answers.get("age") == "no":
            score -= LIMIT_PENALTY
            cautions.append(_("Most jobs here need you to be 18 or older."))
    return Recommendation(
        pathway, score, entry_step(pathway, answers), tuple(reasons), tuple(cautions)
    )
