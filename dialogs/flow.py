"""The intake flow as data: load `flows/intake.yaml`, validate it, and walk it."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from dialogs.state import AnswerValue

FLOWS_DIR = Path(__file__).parent / "flows"


class FlowError(ValueError):
    """A flow file is broken; the message names the file and the field."""


class Kind(StrEnum):
    """How a question is answered."""

    CHOICE = "choice"
    MULTI = "multi"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class FlowChoice:
    """One answer a question offers."""

    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    value: int | None = None
    pathways: tuple[str, ...] = ()
    """Pathway ids this answer points toward (interests and experience), for recommendations."""
    ask_back: tuple[str, ...] = ()
    """Texts that hint at this answer but are asked back ("Did you mean ...?"), never recorded
    as typed: Spanish fragments, bare 'yes'/'no' at a question that is not yes/no."""
    range: tuple[float, float] | None = None
    """The numbers this choice covers, ends included (number questions): a number inside one
    range is that choice; a number two ranges share ('20' of '10 to 20', 'More than 20') is
    asked back."""


@dataclass(frozen=True, slots=True)
class Condition:
    """Ask only when the answer to `answer` includes one of `any_of`."""

    answer: str
    any_of: frozenset[str]

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        """True when the earlier answer includes one of the ids."""
        given = answers.get(self.answer)
        if given is None:
            return False
        values = given if isinstance(given, tuple) else (str(given),)
        return bool(self.any_of.intersection(values))


@dataclass(frozen=True, slots=True)
class Question:
    """One intake question."""

    id: str
    kind: Kind
    text: str
    choices: tuple[FlowChoice, ...]
    ack: str = ""
    why: str = ""
    ask_if: Condition | None = None

    def choice(self, choice_id: str) -> FlowChoice | None:
        """The choice with this id, if the question has one."""
        return next((c for c in self.choices if c.id == choice_id), None)

    def labels(self, ids: Sequence[str]) -> str:
        """The labels of these ids, joined for a sentence."""
        names = [c.label for c in self.choices if c.id in ids]
        return ", ".join(names)

    def for_number(self, number: float) -> tuple[FlowChoice, ...]:
        """The choices whose range holds `number` (two on a shared end); without ranges, the
        choice whose value is closest."""
        ranged = [c for c in self.choices if c.range is not None]
        if ranged:
            return tuple(c for c in ranged if c.range and c.range[0] <= number <= c.range[1])
        valued = [c for c in self.choices if c.value is not None]
        return (min(valued, key=lambda c: abs((c.value or 0) - number)),) if valued else ()


@dataclass(frozen=True, slots=True)
class Flow:
    """An ordered list of questions."""

    name: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        """The question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)

    def next_question(
        self, answers: Mapping[str, AnswerValue], after: str | None = None
    ) -> Question | None:
        """The first question after `after` (or from the start) that is unanswered and applies."""
        ids = [q.id for q in self.questions]
        start = ids.index(after) + 1 if after in ids else 0
        for question in self.questions[start:]:
            if question.id in answers:
                continue
            if question.ask_if and not question.ask_if.holds(answers):
                continue
            return question
        return None

    def position(self, question_id: str) -> tuple[int, int]:
        """(number, total) of a question among those asked, for "Question 3 of 11"."""
        ids = [q.id for q in self.questions]
        return ids.index(question_id) + 1, len(ids)


def _need(data: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise FlowError(f"{where}.{key}: expected a non-empty {kind.__name__}")
    return value


def _texts(value: Any, where: str) -> tuple[str, ...]:
    """A list of texts (or `{en: [...]}`): the English words only; the words of every other
    language live in `locale/<lang>/synonyms.yaml`, the file its translator edits."""
    if isinstance(value, Mapping):
        other = sorted(str(lang) for lang in value if lang != "en")
        if other:
            raise FlowError(
                f"{where}.{other[0]}: words in that language go in "
                f"locale/{other[0]}/synonyms.yaml, not in the flow"
            )
        return _texts(value.get("en", []), f"{where}.en")
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise FlowError(f"{where}: expected a list of texts (quote yes and no)")
    return tuple(value)


def _choice(data: Any, where: str) -> FlowChoice:
    if not isinstance(data, Mapping):
        raise FlowError(f"{where}: expected a mapping")
    unknown = set(data) - {"id", "label", "synonyms", "value", "pathways", "ask_back", "range"}
    if unknown:
        raise FlowError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    synonyms = _texts(data.get("synonyms", []), f"{where}.synonyms")
    ask_back = _texts(data.get("ask_back", []), f"{where}.ask_back")
    pathways = data.get("pathways", [])
    if not isinstance(pathways, list):
        raise FlowError(f"{where}.pathways: expected a list of pathway ids")
    value = data.get("value")
    if value is not None and not isinstance(value, int):
        raise FlowError(f"{where}.value: expected a whole number")
    span = data.get("range")
    if span is not None and not (
        isinstance(span, list)
        and len(span) == 2
        and all(isinstance(x, int | float) for x in span)
        and span[0] <= span[1]
    ):
        raise FlowError(f"{where}.range: expected [low, high], two numbers")
    return FlowChoice(
        id=str(_need(data, "id", where, str)),
        label=_need(data, "label", where, str),
        synonyms=synonyms,
        value=value,
        pathways=tuple(str(p) for p in pathways),
        ask_back=ask_back,
        range=(float(span[0]), float(span[1])) if span is not None else None,
    )


def _question(data: Any, where: str, earlier: set[str]) -> Question:
    if not isinstance(data, Mapping):
        raise FlowError(f"{where}: expected a mapping")
    unknown = set(data) - {"id", "kind", "text", "choices", "ack", "why", "ask_if"}
    if unknown:
        raise FlowError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    qid = _need(data, "id", where, str)
    try:
        kind = Kind(data.get("kind", "choice"))
    except ValueError:
        raise FlowError(f"{where}.kind: expected one of choice, multi, number") from None
    raw = _need(data, "choices", where, list)
    choices = tuple(_choice(c, f"{where}.choices[{i}]") for i, c in enumerate(raw))
    if len({c.id for c in choices}) != len(choices):
        raise FlowError(f"{where}.choices: ids must be unique")
    if kind is Kind.NUMBER and any(c.value is None for c in choices):
        raise FlowError(f"{where}.choices: a number question needs a value on every choice")
    condition = None
    if "ask_if" in data:
        cond = data["ask_if"]
        if not isinstance(cond, Mapping) or cond.get("answer") not in earlier:
            raise FlowError(f"{where}.ask_if.answer: must name an earlier question")
        condition = Condition(str(cond["answer"]), frozenset(map(str, cond.get("any_of", []))))
    return Question(
        id=qid,
        kind=kind,
        text=_need(data, "text", where, str),
        choices=choices,
        ack=str(data.get("ack", "")),
        why=str(data.get("why", "")),
        ask_if=condition,
    )


def load_flow(path: Path) -> Flow:
    """Load and validate a flow file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FlowError(f"{path.name}: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise FlowError(f"{path.name}: questions: expected a list")
    questions: list[Question] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["questions"]):
        try:
            question = _question(raw, f"questions[{i}]", seen)
        except FlowError as exc:
            raise FlowError(f"{path.name}: {exc}") from None
        if question.id in seen:
            raise FlowError(f"{path.name}: questions[{i}].id: {question.id!r} is used twice")
        seen.add(question.id)
        questions.append(question)
    return Flow(name=path.stem, questions=tuple(questions))


@functools.cache
def intake_flow() -> Flow:
    """The packaged intake flow, loaded once."""
    return load_flow(FLOWS_DIR / "intake.yaml")
