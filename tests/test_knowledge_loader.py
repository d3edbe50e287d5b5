"""Loading knowledge: broken files fail naming file and field; a new file adds a pathway."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.loader import (
    PACKAGE_ROOT,
    KnowledgeError,
    check_summary,
    get_knowledge,
    load_knowledge,
)
from knowledge.model import PayUnit
from knowledge.queries import find_job, pays_more_than

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "knowledge"
BROKEN = FIXTURES / "broken"


def _root(tmp_path: Path, *pathway_files: Path, shipped: bool = False) -> Path:
    """A knowledge root: the shipped process.yaml, plus the given pathway files."""
    (tmp_path / "pathways").mkdir()
    shutil.copy(PACKAGE_ROOT / "process.yaml", tmp_path / "process.yaml")
    if shipped:
        for path in (PACKAGE_ROOT / "pathways").glob("*.yaml"):
            shutil.copy(path, tmp_path / "pathways" / path.name)
    for path in pathway_files:
        shutil.copy(path, tmp_path / "pathways" / path.name)
    return tmp_path


def test_shipped_knowledge_loads_and_is_cached() -> None:
    kb = get_knowledge()
    assert [p.id for p in kb.pathways] == ["manufacturing", "it"]
    assert get_knowledge() is kb
    assert load_knowledge() == kb


def test_check_summary_has_one_line_per_file() -> None:
    lines = check_summary()
    assert lines[0].startswith("process.yaml: 6 phases")
    assert lines[1].startswith("manufacturing.yaml: Manufacturing, 5 steps, 24 jobs, 17 resources")
    assert lines[2].startswith("it.yaml: Information Technology, 5 steps, 16 jobs, 22 resources")
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("pay_max_not_number.yaml", "pay_max_not_number.yaml: steps[1].pay.max: expected a number"),
        (
            "pay_min_above_max.yaml",
            "pay_min_above_max.yaml: steps[1].pay.max: max (10) is less than min (20)",
        ),
        (
            "pay_unit_month.yaml",
            "pay_unit_month.yaml: steps[1].pay.unit: expected 'hour' or 'year'",
        ),
        ("negative_pay.yaml", "negative_pay.yaml: steps[1].pay.min: pay cannot be negative"),
        ("missing_title.yaml", "missing_title.yaml: steps[0].title: required field is missing"),
        ("unknown_key.yaml", "unknown_key.yaml: steps[1].salary: unknown field"),
        (
            "step_numbers_gap.yaml",
            "step_numbers_gap.yaml: steps[1].number: expected step 2, found 3",
        ),
        ("bad_education.yaml", "bad_education.yaml: steps[1].education: expected one of"),
        ("education_goes_down.yaml", "education_goes_down.yaml: steps[1].education: lower than"),
        ("job_not_text.yaml", "job_not_text.yaml: steps[1].jobs[1]: expected a non-empty text"),
        (
            "duration_without_text.yaml",
            "duration_without_text.yaml: steps[1].duration_text: duration_months and duration_text",
        ),
        ("duplicate_key.yaml", "duplicate_key.yaml: line 3: not valid YAML: duplicate key 'name'"),
        ("not_yaml.yaml", "not_yaml.yaml: line 5: not valid YAML"),
        ("top_level_list.yaml", "top_level_list.yaml: expected a mapping of fields"),
    ],
)
def test_broken_pathway_names_file_and_field(tmp_path: Path, fixture: str, message: str) -> None:
    root = _root(tmp_path, BROKEN / fixture)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.file == fixture


def test_broken_process_names_file_and_field(tmp_path: Path) -> None:
    root = _root(tmp_path, FIXTURES / "sample_pathway.yaml")
    shutil.copy(BROKEN / "process_without_phases.yaml", root / "process.yaml")
    with pytest.raises(KnowledgeError, match=r"^process\.yaml: phases: required field is missing"):
        load_knowledge(root)


def test_check_summary_raises_on_a_broken_file(tmp_path: Path) -> None:
    root = _root(tmp_path, BROKEN / "pay_max_not_number.yaml", shipped=True)
    with pytest.raises(KnowledgeError, match="steps\\[1\\]\\.pay\\.max"):
        check_summary(root)


def test_two_files_with_one_pathway_id_are_refused(tmp_path: Path) -> None:
    root = _root(tmp_path, FIXTURES / "sample_pathway.yaml")
    shutil.copy(FIXTURES / "sample_pathway.yaml", root / "pathways" / "sample_copy.yaml")
    with pytest.raises(
        KnowledgeError, match=r"sample_pathway\.yaml: id: pathway id 'sample' is also used"
    ):
        load_knowledge(root)


def test_no_pathway_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no pathway files"):
        load_knowledge(_root(tmp_path))


def test_a_missing_process_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"process\.yaml: cannot read"):
        load_knowledge(tmp_path)


def test_dropping_a_pathway_file_in_adds_a_pathway(tmp_path: Path) -> None:
    root = _root(tmp_path, FIXTURES / "sample_pathway.yaml", shipped=True)
    kb = load_knowledge(root)
    assert [p.id for p in kb.pathways] == ["manufacturing", "it", "sample"]
    sample = kb.pathway("sample")
    assert sample.step(2).pay is not None and sample.step(2).pay.unit is PayUnit.HOUR
    # the queries see it with no code change
    match = find_job(kb, "sample testers")
    assert match is not None and match.pathway.id == "sample"
    above = pays_more_than(kb, 35, PayUnit.HOUR)
    assert "sample tester" in {job.title for job in above.jobs}
    assert any(
        line.startswith("sample_pathway.yaml: Sample Pathway, 2 steps, 1 jobs")
        for line in check_summary(root)
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "need: Relevant credentials",
            "need: A driving licence",
            "it.yaml: steps[2].entry[0].need: 'A driving licence' is not in this step's",
        ),
        (
            "        school: credential\n        answers: {credential: [it]}",
            "        school: diploma\n        answers: {credential: [it]}",
            "it.yaml: steps[2].entry[0].school: expected one of none, high_school",
        ),
        (
            "answers: {credential: [it]}",
            "answers: {credential: []}",
            "it.yaml: steps[2].entry[0].answers.credential: expected a list of answer ids",
        ),
        (
            "        todo: Earn a short-term IT industry-recognized certificate\n"
            "        training: true",
            "        todo: Earn a short-term IT industry-recognized certificate\n"
            "        training: maybe",
            "it.yaml: steps[2].entry[0].training: expected true or false",
        ),
    ],
)
def test_broken_entry_needs_name_file_and_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    root = _root(tmp_path, shipped=True)
    path = root / "pathways" / "it.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    assert str(caught.value).startswith(message), str(caught.value)
