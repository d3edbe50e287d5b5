"""YAML -> knowledge model, validated once at load; every error names the file and the field."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from knowledge.model import (
    Area,
    Education,
    EntryNeed,
    Gloss,
    Job,
    Knowledge,
    Pathway,
    Pay,
    PayUnit,
    Phase,
    Process,
    Resource,
    Step,
    Term,
)

T = TypeVar("T")

PACKAGE_ROOT = Path(__file__).resolve().parent
"""Where the shipped knowledge lives: process.yaml and pathways/*.yaml beside this module."""

PROCESS_FILE = "process.yaml"
GLOSSARY_FILE = "glossary.yaml"
PATHWAYS_DIR = "pathways"
_DEFAULT_ORDER = 1000
_PAY_KEYS = frozenset({"min", "max", "unit"})
_PATHWAY_KEYS = frozenset(
    {
        "id",
        "order",
        "name",
        "short_name",
        "description",
        "areas",
        "steps",
        "math_requirements",
        "incomplete_notes",
        "synonyms",
    }
)
_STEP_KEYS = frozenset(
    {
        "number",
        "title",
        "involves",
        "education",
        "requirements",
        "preferred",
        "additional_skills",
        "jobs",
        "pay",
        "resources",
        "duration_months",
        "duration_text",
        "actions",
        "entry",
        "plain",
    }
)
_ENTRY_KEYS = frozenset({"need", "school", "answers", "if_not_asked", "todo", "training"})
_PROCESS_KEYS = frozenset(
    {
        "overview",
        "phases",
        "entry_exit",
        "work_readiness_skills",
        "unskilled_jobs",
        "unskilled_note",
        "not_comprehensive",
    }
)


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or invalid; the message names file and field."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file, self.path, self.problem = file, path, problem
        where = f"{file}: {path}: " if path else f"{file}: "
        super().__init__(where + problem)


@dataclass(frozen=True, slots=True)
class _At:
    """A position in a YAML document: the file and the field path inside it."""

    file: str
    path: str = ""

    def key(self, name: str) -> _At:
        """The position of a mapping key below this one."""
        return _At(self.file, f"{self.path}.{name}" if self.path else name)

    def index(self, number: int) -> _At:
        """The position of a list item below this one."""
        return _At(self.file, f"{self.path}[{number}]")

    def error(self, problem: str) -> KnowledgeError:
        """An error at this position."""
        return KnowledgeError(self.file, self.path, problem)


# ---- reading YAML ---------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, failing on a duplicate key instead of silently keeping the last."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,
)


def _read_yaml(path: Path) -> object:
    """Parse one YAML file; unreadable or malformed files become a KnowledgeError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(path.name, "", f"cannot read the file ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeError(path.name, line, f"not valid YAML: {problem}") from exc


# ---- typed field readers --------------------------------------------------------------------


def _mapping(
    value: object, at: _At, required: frozenset[str], allowed: frozenset[str]
) -> dict[str, Any]:
    """A mapping with string keys, all of `required` present and none outside `allowed`."""
    if not isinstance(value, Mapping):
        raise at.error("expected a mapping of fields")
    for key in value:
        if not isinstance(key, str) or key not in allowed:
            known = ", ".join(sorted(allowed))
            raise at.key(str(key)).error(f"unknown field (known fields: {known})")
    for key in sorted(required):
        if value.get(key) is None:
            raise at.key(key).error("required field is missing")
    return dict(value)


def _text(value: object, at: _At) -> str:
    """A non-empty string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise at.error("expected a non-empty text")
    return " ".join(value.split())


def _optional_text(value: object, at: _At) -> str | None:
    """A text, or None when absent."""
    return None if value is None else _text(value, at)


def _number(value: object, at: _At) -> float:
    """A number (bool is refused although YAML reads `yes` as one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise at.error("expected a number")
    return float(value)


def _integer(value: object, at: _At) -> int:
    """A whole number."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise at.error("expected a whole number")
    return value


def _items(value: object, at: _At, read: Callable[[object, _At], T]) -> tuple[T, ...]:
    """A list (absent means empty), each item read at its own index."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise at.error("expected a list")
    return tuple(read(item, at.index(i)) for i, item in enumerate(value))


def _texts(value: object, at: _At) -> tuple[str, ...]:
    """A list of non-empty texts."""
    return _items(value, at, _text)


# ---- model builders -------------------------------------------------------------------------


def _pay(value: object, at: _At) -> Pay | None:
    """A pay range: min <= max, both >= 0, unit hour or year."""
    if value is None:
        return None
    fields = _mapping(value, at, _PAY_KEYS, _PAY_KEYS)
    low, high = _number(fields["min"], at.key("min")), _number(fields["max"], at.key("max"))
    unit = fields["unit"]
    if unit not in {u.value for u in PayUnit}:
        raise at.key("unit").error(f"expected 'hour' or 'year', not {unit!r}")
    if low < 0:
        raise at.key("min").error("pay cannot be negative")
    if low > high:
        raise at.key("max").error(f"max ({high:g}) is less than min ({low:g})")
    return Pay(min=low, max=high, unit=PayUnit(unit))


def _resource(value: object, at: _At) -> Resource:
    """A resource: a name and an optional provider (no URLs are kept)."""
    fields = _mapping(value, at, frozenset({"name"}), frozenset({"name", "provider"}))
    return Resource(
        name=_text(fields["name"], at.key("name")),
        provider=_optional_text(fields.get("provider"), at.key("provider")),
    )


def _education(value: object, at: _At) -> Education:
    """An education level by its lower-case name: none, high_school, credential, ..."""
    names = {level.name.lower(): level for level in Education}
    if not isinstance(value, str) or value not in names:
        raise at.error(f"expected one of {', '.join(names)}, not {value!r}")
    return names[value]


def _duration(fields: Mapping[str, Any], at: _At) -> tuple[int | None, str | None]:
    """duration_months and duration_text: both or neither; months a positive whole number."""
    months, text = fields.get("duration_months"), fields.get("duration_text")
    if (months is None) != (text is None):
        missing = "duration_text" if text is None else "duration_months"
        raise at.key(missing).error("duration_months and duration_text go together")
    if months is None:
        return None, None
    number = _integer(months, at.key("duration_months"))
    if number <= 0:
        raise at.key("duration_months").error("expected a positive number of months")
    return number, _text(text, at.key("duration_text"))


def _entry_need(value: object, at: _At) -> EntryNeed:
    """One entry need: the seed's words, and which answers meet it."""
    fields = _mapping(value, at, frozenset({"need"}), _ENTRY_KEYS)
    school = fields.get("school")
    answers: list[tuple[str, tuple[str, ...]]] = []
    raw = fields.get("answers")
    if raw is not None:
        if not isinstance(raw, Mapping) or not raw:
            raise at.key("answers").error("expected a mapping of question id to answer ids")
        for key, ids in raw.items():
            where = at.key("answers").key(str(key))
            if not isinstance(key, str) or not key.strip():
                raise where.error("expected a question id")
            read = _texts(ids, where)
            if not read:
                raise where.error("expected a list of answer ids")
            answers.append((key, read))
    if school is None and not answers:
        raise at.error("an entry need needs `school`, `answers` or both")
    unasked = fields.get("if_not_asked", "unmet")
    if unasked not in {"met", "unmet"}:
        raise at.key("if_not_asked").error(f"expected 'met' or 'unmet', not {unasked!r}")
    training = fields.get("training", False)
    if not isinstance(training, bool):
        raise at.key("training").error("expected true or false")
    return EntryNeed(
        need=_text(fields["need"], at.key("need")),
        school=None if school is None else _education(school, at.key("school")),
        answers=tuple(answers),
        if_not_asked_met=unasked == "met",
        todo=_optional_text(fields.get("todo"), at.key("todo")) or "",
        training=training,
    )


def _jobs(value: object, at: _At, pathway_id: str, step: int) -> tuple[Job, ...]:
    """The step's job titles, each once."""
    titles = _texts(value, at)
    seen: set[str] = set()
    for i, title in enumerate(titles):
        if title.lower() in seen:
            raise at.index(i).error(f"job {title!r} is listed twice on this step")
        seen.add(title.lower())
    return tuple(Job(title=title, pathway_id=pathway_id, step=step) for title in titles)


def _step(value: object, at: _At, pathway_id: str) -> Step:
    """One step of a pathway."""
    fields = _mapping(
        value, at, frozenset({"number", "title", "involves", "education"}), _STEP_KEYS
    )
    number = _integer(fields["number"], at.key("number"))
    months, duration_text = _duration(fields, at)
    return Step(
        number=number,
        title=_text(fields["title"], at.key("title")),
        involves=_texts(fields["involves"], at.key("involves")),
        education=_education(fields["education"], at.key("education")),
        requirements=_texts(fields.get("requirements"), at.key("requirements")),
        preferred=_texts(fields.get("preferred"), at.key("preferred")),
        additional_skills=_texts(fields.get("additional_skills"), at.key("additional_skills")),
        jobs=_jobs(fields.get("jobs"), at.key("jobs"), pathway_id, number),
        pay=_pay(fields.get("pay"), at.key("pay")),
        resources=_items(fields.get("resources"), at.key("resources"), _resource),
        duration_months=months,
        duration_text=duration_text,
        actions=_texts(fields.get("actions"), at.key("actions")),
        entry=_check_entry(
            _items(fields.get("entry"), at.key("entry"), _entry_need), fields, at.key("entry")
        ),
        plain=_text(fields["plain"], at.key("plain")) if "plain" in fields else "",
    )


def _check_entry(
    entry: tuple[EntryNeed, ...], fields: Mapping[str, Any], at: _At
) -> tuple[EntryNeed, ...]:
    """Each need is in the step's own words (a requirement or its text); one at most trains."""
    words = [str(v).lower() for v in fields.get("requirements") or ()]
    words += [" ".join(str(v).lower().split()) for v in fields.get("involves") or ()]
    for i, need in enumerate(entry):
        if not any(need.need.lower() in w for w in words):
            raise (
                at.index(i)
                .key("need")
                .error(f"{need.need!r} is not in this step's requirements or text")
            )
    if sum(n.training for n in entry) > 1:
        raise at.error("at most one need can be met by the step's training")
    return entry


def _check_steps(steps: tuple[Step, ...], at: _At) -> None:
    """Steps are numbered 1..n in order and never ask for less education than the one before."""
    if not steps:
        raise at.error("expected at least one step")
    for i, step in enumerate(steps):
        if step.number != i + 1:
            raise at.index(i).key("number").error(f"expected step {i + 1}, found {step.number}")
        if i and step.education < steps[i - 1].education:
            raise at.index(i).key("education").error("lower than the step before")


def _area(value: object, at: _At) -> Area:
    """An area of employment with its everyday synonyms."""
    fields = _mapping(value, at, frozenset({"id", "name"}), frozenset({"id", "name", "synonyms"}))
    return Area(
        id=_text(fields["id"], at.key("id")),
        name=_text(fields["name"], at.key("name")),
        synonyms=_texts(fields.get("synonyms"), at.key("synonyms")),
    )


def _pathway(value: object, at: _At) -> tuple[int, Pathway]:
    """A pathway file's content, with its listing order."""
    required = frozenset({"id", "name", "short_name", "description", "steps"})
    fields = _mapping(value, at, required, _PATHWAY_KEYS)
    pathway_id = _text(fields["id"], at.key("id"))
    order = fields.get("order", _DEFAULT_ORDER)
    steps = _items(fields["steps"], at.key("steps"), lambda v, a: _step(v, a, pathway_id))
    _check_steps(steps, at.key("steps"))
    areas = _items(fields.get("areas"), at.key("areas"), _area)
    _check_unique([a.id for a in areas], at.key("areas"), "area id")
    pathway = Pathway(
        id=pathway_id,
        name=_text(fields["name"], at.key("name")),
        short_name=_text(fields["short_name"], at.key("short_name")),
        description=_text(fields["description"], at.key("description")),
        areas=areas,
        steps=steps,
        math_requirements=_optional_text(
            fields.get("math_requirements"), at.key("math_requirements")
        ),
        incomplete_notes=_texts(fields.get("incomplete_notes"), at.key("incomplete_notes")),
        synonyms=_texts(fields.get("synonyms"), at.key("synonyms")),
    )
    return _integer(order, at.key("order")), pathway


def _check_unique(values: list[str], at: _At, what: str) -> None:
    """Fail on the first value seen twice."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise at.index(i).error(f"{what} {value!r} is used twice")
        seen.add(value)


def _phase(value: object, at: _At) -> Phase:
    """One phase of the process."""
    keys = frozenset({"number", "name", "summary"})
    fields = _mapping(value, at, keys, keys)
    return Phase(
        number=_integer(fields["number"], at.key("number")),
        name=_text(fields["name"], at.key("name")),
        summary=_text(fields["summary"], at.key("summary")),
    )


def _process(value: object, at: _At) -> Process:
    """The process file's content."""
    fields = _mapping(value, at, _PROCESS_KEYS, _PROCESS_KEYS | {"terms"})
    phases = _items(fields["phases"], at.key("phases"), _phase)
    for i, phase in enumerate(phases):
        if phase.number != i + 1:
            raise at.key("phases").index(i).key("number").error(f"expected phase {i + 1}")
    return Process(
        overview=_text(fields["overview"], at.key("overview")),
        phases=phases,
        entry_exit=_text(fields["entry_exit"], at.key("entry_exit")),
        work_readiness_skills=_texts(
            fields["work_readiness_skills"], at.key("work_readiness_skills")
        ),
        unskilled_jobs=_texts(fields["unskilled_jobs"], at.key("unskilled_jobs")),
        unskilled_note=_text(fields["unskilled_note"], at.key("unskilled_note")),
        not_comprehensive=_text(fields["not_comprehensive"], at.key("not_comprehensive")),
        terms=_items(fields.get("terms"), at.key("terms"), _term),
    )


def _term(value: object, at: _At) -> Term:
    """One described resource or name: name, about, aliases."""
    fields = _mapping(
        value, at, frozenset({"name", "about"}), frozenset({"name", "about", "aliases"})
    )
    return Term(
        name=_text(fields["name"], at.key("name")),
        about=_text(fields["about"], at.key("about")),
        aliases=_texts(fields.get("aliases"), at.key("aliases")),
    )


def _gloss(value: object, at: _At) -> Gloss:
    """One word of jargon: how it is written (words) and what it means."""
    keys = frozenset({"words", "meaning"})
    fields = _mapping(value, at, keys, keys)
    words = _texts(fields["words"], at.key("words"))
    if not words:
        raise at.key("words").error("expected at least one word")
    return Gloss(words=words, meaning=_text(fields["meaning"], at.key("meaning")))


# ---- public API -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedFiles:
    """The knowledge as read, keeping which file each pathway came from (for `check`)."""

    process: Process
    pathway_files: tuple[tuple[str, Pathway], ...]
    glossary: tuple[Gloss, ...] = ()

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge the bot uses."""
        pathways = tuple(p for _, p in self.pathway_files)
        return Knowledge(process=self.process, pathways=pathways, glossary=self.glossary)


def load_files(root: Path | None = None) -> LoadedFiles:
    """Read and validate process.yaml and every pathways/*.yaml under `root` (default: shipped)."""
    base = PACKAGE_ROOT if root is None else Path(root)
    process = _process(_read_yaml(base / PROCESS_FILE), _At(PROCESS_FILE))
    loaded: list[tuple[int, str, Pathway]] = []
    for path in sorted((base / PATHWAYS_DIR).glob("*.yaml")):
        order, pathway = _pathway(_read_yaml(path), _At(path.name))
        loaded.append((order, path.name, pathway))
    if not loaded:
        raise KnowledgeError(PATHWAYS_DIR, "", "no pathway files (*.yaml) found")
    loaded.sort(key=lambda item: (item[0], item[1]))
    seen: dict[str, str] = {}
    for _, name, pathway in loaded:
        if pathway.id in seen:
            raise KnowledgeError(
                name, "id", f"pathway id {pathway.id!r} is also used in {seen[pathway.id]}"
            )
        seen[pathway.id] = name
    glossary_file = base / GLOSSARY_FILE
    glossary = (
        _items(_read_yaml(glossary_file), _At(GLOSSARY_FILE), _gloss)
        if glossary_file.exists()
        else ()
    )
    return LoadedFiles(process, tuple((name, pathway) for _, name, pathway in loaded), glossary)


def load_knowledge(root: Path | None = None) -> Knowledge:
    """The validated knowledge under `root` (default: the YAML shipped in this package)."""
    return load_files(root).knowledge


@functools.cache
def get_knowledge() -> Knowledge:
    """The shipped knowledge, loaded once per process."""
    return load_knowledge()


def check_summary(root: Path | None = None) -> list[str]:
    """One line per knowledge file for `python -m bot check`; raises KnowledgeError when broken."""
    files = load_files(root)
    process = files.process
    lines = [
        f"{PROCESS_FILE}: {len(process.phases)} phases, "
        f"{len(process.work_readiness_skills)} work-readiness skills, "
        f"{len(process.unskilled_jobs)} unskilled job types"
    ]
    for name, pathway in files.pathway_files:
        resources = sum(len(step.resources) for step in pathway.steps)
        lines.append(
            f"{name}: {pathway.name}, {len(pathway.steps)} steps, {len(pathway.jobs)} jobs, "
            f"{resources} resources, {len(pathway.areas)} areas"
        )
    return lines
