"""The knowledge says what the seed documents say: no more, no less, no invented figures.

The seeds are read from ../shared/seeds when present (the agency's originals) and otherwise from
the copy in tests/fixtures/knowledge/seeds, so a fresh clone checks the same thing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from knowledge.loader import PACKAGE_ROOT, get_knowledge
from knowledge.model import Education, Knowledge, Pathway, PayUnit

REPO = Path(__file__).resolve().parents[1]
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
COPIED_SEEDS = REPO / "tests" / "fixtures" / "knowledge" / "seeds"
SEED_FILES = {"manufacturing": "000_7d39b80e043fec23.txt", "it": "001_0bb07be4e05b70e7.txt"}
STEP_HEADINGS = ("STEP ONE", "STEP TWO", "STEP THREE", "STEP FOUR", "STEP FIVE")


def _seed_dir() -> Path:
    return SHARED_SEEDS if SHARED_SEEDS.is_dir() else COPIED_SEEDS


def _raw(pathway_id: str) -> str:
    return (_seed_dir() / SEED_FILES[pathway_id]).read_text(encoding="utf-8")


def _plain(text: str) -> str:
    """Seed or knowledge text without link marks, escapes, case or extra spaces."""
    text = text.replace("](#)", "").replace("[", "").replace("\\", "")
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return get_knowledge()


def test_the_seed_copy_matches_the_originals() -> None:
    if not SHARED_SEEDS.is_dir():
        pytest.skip("../shared/seeds is not here; the copy is the only seed")
    for name in SEED_FILES.values():
        original = (SHARED_SEEDS / name).read_bytes()
        assert (COPIED_SEEDS / name).read_bytes() == original, name


# ---- seed -> knowledge ----------------------------------------------------------------------


@dataclass(frozen=True)
class SeedStep:
    """What one step of a seed lists: its jobs and its average pay."""

    jobs: tuple[str, ...]
    pay: tuple[float, float, PayUnit] | None


def _seed_steps(pathway_id: str) -> list[SeedStep]:
    """Parse each STEP block's 'Employment Opportunities' and 'Average Salary'."""
    raw = _raw(pathway_id)
    starts = [raw.index(heading) for heading in STEP_HEADINGS] + [len(raw)]
    return [_seed_step(raw[a:b]) for a, b in itertools.pairwise(starts)]


def _seed_step(block: str) -> SeedStep:
    jobs_found = re.search(r"Employment Opportunities:\s*\n+(.+?)\n", block)
    jobs: tuple[str, ...] = ()
    if jobs_found:
        line = jobs_found.group(1).strip().rstrip(".")
        line = re.sub(
            r"^Semi-skilled \w+ jobs may include (working under supervision as an? )?", "", line
        )
        jobs = tuple(part.strip() for part in line.split(", "))
    pay_found = re.search(r"Average Salary:\s*\n+\\?\$([\d,]+)–([\d,]+)/(hour|year)", block)
    pay = None
    if pay_found:
        low, high, unit = pay_found.groups()
        pay = (float(low.replace(",", "")), float(high.replace(",", "")), PayUnit(unit))
    return SeedStep(jobs, pay)


@pytest.mark.parametrize("pathway_id", SEED_FILES)
def test_every_seed_job_and_pay_range_is_in_the_knowledge(pathway_id: str, kb: Knowledge) -> None:
    pathway = kb.pathway(pathway_id)
    seed_steps = _seed_steps(pathway_id)
    assert len(seed_steps) == len(pathway.steps) == 5
    for number, seed in enumerate(seed_steps, start=1):
        step = pathway.step(number)
        assert tuple(job.title for job in step.jobs) == seed.jobs, f"step {number} jobs"
        stated = (step.pay.min, step.pay.max, step.pay.unit) if step.pay else None
        assert stated == seed.pay, f"step {number} pay"


def test_the_seed_parser_sees_every_job(kb: Knowledge) -> None:
    # guards the test above: a parser that found nothing would compare empty to empty
    found = sum(len(s.jobs) for p in SEED_FILES for s in _seed_steps(p))
    assert found == len(kb.jobs) == 40


# ---- knowledge -> seed ----------------------------------------------------------------------


def _facts(pathway: Pathway) -> list[tuple[str, str]]:
    """(what, text) for every job, pay figure, resource, requirement and step sentence."""
    facts: list[tuple[str, str]] = []
    for step in pathway.steps:
        where = f"step {step.number}"
        facts += [(f"{where} job", job.title) for job in step.jobs]
        if step.pay is not None:
            low, high = (f"{v:,.0f}" for v in (step.pay.min, step.pay.max))
            facts.append((f"{where} pay", f"${low}–{high}/{step.pay.unit.value}"))
        for resource in step.resources:
            facts.append((f"{where} resource", resource.name))
            if resource.provider:
                facts.append((f"{where} provider", resource.provider))
        lists = (step.requirements, step.preferred, step.additional_skills, step.involves)
        facts += [(f"{where} text", item.rstrip(".")) for items in lists for item in items]
        facts.append((f"{where} title", step.title))
        if step.duration_text:
            facts.append((f"{where} duration", step.duration_text))
    facts += [("area", area.name) for area in pathway.areas]
    if pathway.math_requirements:
        facts.append(("math", pathway.math_requirements))
    facts += [("incomplete note", note) for note in pathway.incomplete_notes]
    return facts


@pytest.mark.parametrize("pathway_id", SEED_FILES)
def test_every_fact_in_the_knowledge_is_in_the_seed(pathway_id: str, kb: Knowledge) -> None:
    seed = _plain(_raw(pathway_id))
    missing = [
        (what, text) for what, text in _facts(kb.pathway(pathway_id)) if _plain(text) not in seed
    ]
    assert missing == []


def test_process_lists_come_from_the_seed(kb: Knowledge) -> None:
    seed = _plain(_raw("manufacturing"))
    process = kb.process
    assert [p.name for p in process.phases] == [
        "Intake & Assessment",
        "Recommendations",
        "Pathway Selection",
        "Employment Goals",
        "Plan Development",
        "Pathway Engagement",
    ]
    for phase in process.phases:
        assert _plain(f"{phase.number} {phase.name}") in seed
    for item in (*process.work_readiness_skills, *process.unskilled_jobs):
        assert _plain(item) in seed, item
    assert process.unskilled_jobs == (
        "custodians",
        "fast food workers",
        "housekeepers",
        "furniture movers",
        "retail workers",
    )


def test_the_cut_off_sentence_is_kept_incomplete(kb: Knowledge) -> None:
    raw = _raw("manufacturing")
    assert re.search(r"Physical strength\s*\n\s*\n", raw), "the seed sentence is cut off"
    manufacturing = kb.pathway("manufacturing")
    assert manufacturing.incomplete_notes == ("Physical strength",)
    data = yaml.safe_load((PACKAGE_ROOT / "pathways" / "manufacturing.yaml").read_text("utf-8"))
    for text in _strings(data):
        assert not re.search(r"physical strength\s+\w", text, re.IGNORECASE), text


def _strings(value: object) -> list[str]:
    """Every string anywhere in parsed YAML."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_knowledge_files_hold_no_addresses() -> None:
    for path in [
        PACKAGE_ROOT / "process.yaml",
        *sorted((PACKAGE_ROOT / "pathways").glob("*.yaml")),
    ]:
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            assert not re.search(r"https?://|www\.|\(#\)|\.(?:com|org|edu)\b", text), text


# ---- structure the seed implies -------------------------------------------------------------

EXPECTED_EDUCATION = (
    Education.NONE,
    Education.HIGH_SCHOOL,
    Education.CREDENTIAL,
    Education.ASSOCIATE,
    Education.BACHELOR,
)


@pytest.mark.parametrize("pathway_id", SEED_FILES)
def test_steps_climb_education_and_state_durations_only_where_the_seed_does(
    pathway_id: str, kb: Knowledge
) -> None:
    pathway = kb.pathway(pathway_id)
    assert tuple(s.education for s in pathway.steps) == EXPECTED_EDUCATION
    assert [s.duration_months for s in pathway.steps] == [None, None, 12, 24, 48]
    assert pathway.step(1).pay is None and pathway.step(1).jobs == ()


def test_pathways_match_the_brief(kb: Knowledge) -> None:
    manufacturing, it = kb.pathway("manufacturing"), kb.pathway("it")
    assert [p.id for p in kb.pathways] == ["manufacturing", "it"]
    assert (manufacturing.short_name, it.short_name) == ("Manufacturing", "IT")
    assert len(manufacturing.areas) == 6
    assert [a.name for a in it.areas] == [
        "computer infrastructure",
        "IT security",
        "gaming systems",
        "quality assurance",
        "web design",
    ]
    assert it.step(2).additional_skills == (
        "retail experience",
        "basic computer proficiency",
        "customer service experience",
    )
    assert "Create an account with Maine JobLink" in it.step(1).actions
    resources = {(r.provider, r.name) for s in manufacturing.steps for r in s.resources}
    assert ("Southern Maine Community College", "CNC Machine Operator Certificate") in resources
