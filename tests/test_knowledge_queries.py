"""Queries over the real knowledge: pay comparisons at their edges, job look-ups, education."""

from __future__ import annotations

import pytest

from knowledge.loader import get_knowledge
from knowledge.model import Education, Knowledge, Pay, PayUnit
from knowledge.queries import (
    PayResult,
    find_job,
    find_jobs,
    highest_paid,
    job_requirements,
    lowest_paid,
    paid_steps,
    pay_of_job,
    pays_between,
    pays_less_than,
    pays_more_than,
    step_requirements,
    steps_needing,
    steps_numbered,
)

HOUR, YEAR = PayUnit.HOUR, PayUnit.YEAR


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return get_knowledge()


def _labels(refs: tuple) -> list[str]:  # type: ignore[type-arg]
    return [ref.label for ref in refs]


def _split(result: PayResult) -> tuple[list[str], list[str]]:
    return _labels(result.entirely), _labels(result.partly)


# ---- conversions ----------------------------------------------------------------------------


def test_conversion_uses_2080_hours_and_marks_converted() -> None:
    hourly = Pay(15, 24, HOUR)
    assert hourly.to(YEAR) == Pay(31_200, 49_920, YEAR, converted=True)
    assert hourly.to(YEAR).to(HOUR) == Pay(15, 24, HOUR, converted=False)
    assert (
        Pay(49_000, 55_000, YEAR).text_both()
        == "$49,000–55,000 a year (about $23.56–26.44 an hour)"
    )
    assert Pay(18, 23, HOUR).text_both() == "$18–23 an hour (about $37,440–47,840 a year)"


# ---- more than ------------------------------------------------------------------------------


def test_more_than_20_an_hour_separates_whole_ranges_from_reaching_ones(kb: Knowledge) -> None:
    entirely, partly = _split(pays_more_than(kb, 20, HOUR))
    assert entirely == [
        "Manufacturing step 3",
        "Manufacturing step 4",
        "Manufacturing step 5",
        "IT step 4",
        "IT step 5",
    ]
    assert partly == ["Manufacturing step 2", "IT step 3"]


def test_exactly_the_top_of_a_range_does_not_reach_above_it(kb: Knowledge) -> None:
    entirely, partly = _split(pays_more_than(kb, 24, HOUR))
    assert "Manufacturing step 2" not in entirely + partly  # $15–24: never more than $24
    assert "Manufacturing step 3" in partly  # $23.56–26.44 an hour


def test_exactly_the_bottom_of_a_range_only_reaches(kb: Knowledge) -> None:
    # $49,000 a year is shown as $23.56 an hour; 'more than $23.56' must not claim all of it
    entirely, partly = _split(pays_more_than(kb, 23.56, HOUR))
    assert "Manufacturing step 3" in partly
    entirely, partly = _split(pays_more_than(kb, 49_000, YEAR))
    assert "Manufacturing step 3" in partly and "Manufacturing step 3" not in entirely


def test_more_than_zero_or_a_negative_amount_is_every_paid_step(kb: Knowledge) -> None:
    every = _labels(paid_steps(kb))
    assert len(every) == 8
    for amount in (0, -5):
        entirely, partly = _split(pays_more_than(kb, amount, HOUR))
        assert (entirely, partly) == (every, [])


def test_absurd_amounts_find_nothing(kb: Knowledge) -> None:
    assert _split(pays_more_than(kb, 20_000, HOUR)) == ([], [])
    assert _split(pays_more_than(kb, 10_000_000, YEAR)) == ([], [])
    assert pays_more_than(kb, 20_000, HOUR).jobs == ()


def test_yearly_amount_compares_hourly_steps_converted(kb: Knowledge) -> None:
    # $15–24 an hour is $31,200–49,920 a year
    assert "Manufacturing step 2" in _labels(pays_more_than(kb, 49_919, YEAR).partly)
    assert "Manufacturing step 2" not in _labels(pays_more_than(kb, 49_920, YEAR).partly)


# ---- less than and between ------------------------------------------------------------------


def test_less_than_mirrors_more_than(kb: Knowledge) -> None:
    entirely, partly = _split(pays_less_than(kb, 20, HOUR))
    assert entirely == ["IT step 2"]
    assert partly == ["Manufacturing step 2", "IT step 3"]


def test_less_than_the_lowest_bottom_is_nothing(kb: Knowledge) -> None:
    assert _split(pays_less_than(kb, 15, HOUR)) == ([], [])
    assert _split(pays_less_than(kb, 0, HOUR)) == ([], [])
    assert _split(pays_less_than(kb, 15.01, HOUR))[1] == ["Manufacturing step 2", "IT step 2"]


def test_between_holds_whole_ranges_and_overlaps(kb: Knowledge) -> None:
    entirely, partly = _split(pays_between(kb, 15, 17, HOUR))
    assert entirely == ["IT step 2"]
    assert partly == ["Manufacturing step 2"]
    entirely, partly = _split(pays_between(kb, 70_000, 50_000, YEAR))  # reversed bounds
    assert entirely == ["IT step 4"]
    assert "IT step 5" not in partly


# ---- jobs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "title", "step"),
    [
        ("welder", "welder", 3),
        ("Welders", "welder", 3),
        ("weldr", "welder", 3),
        ("welding", "welder", 3),
        ("cnc operater", "CNC operator", 4),
        ("CNC operators", "CNC operator", 4),
        ("help desk", "Help Desk and User Support", 3),
        ("help desk technician", "Help Desk and User Support", 3),
        ("pipe fitter", "pipefitter", 3),
        ("fabricater", "fabricator", 3),
        ("database admin", "Database Administrators", 5),
        ("network architect", "Computer Network Architects", 5),
        ("seo specialist", "Search Engine Optimization Specialist", 4),
        ("qa manager", "quality assurance manager", 5),
        ("it consultant", "IT Consultant", 4),
        (
            "computer repair",
            "working with computer repair (either self-taught or as an assistant)",
            2,
        ),
        ("tech support", "Technical Support", 3),
        ("cost estimater", "cost estimator", 5),
    ],
)
def test_find_job_forgives_typos_plurals_and_parts(
    kb: Knowledge, typed: str, title: str, step: int
) -> None:
    match = find_job(kb, typed)
    assert match is not None, typed
    assert (match.job.title, match.step.number) == (title, step)


@pytest.mark.parametrize(
    "typed", ["nurse", "truck driver", "teacher", "the", "it", "", "is the best"]
)
def test_find_jobs_says_no_match_for_other_jobs_and_noise(kb: Knowledge, typed: str) -> None:
    assert find_jobs(kb, typed) == ()


def test_a_title_on_two_steps_is_found_on_both(kb: Knowledge) -> None:
    matches = pay_of_job(kb, "assembler")
    assert [(m.job.title, m.step.number) for m in matches] == [("assembler", 2), ("assembler", 3)]
    assert [m.pay for m in matches] == [Pay(15, 24, HOUR), Pay(49_000, 55_000, YEAR)]


def test_machine_operator_names_both_machine_operator_jobs(kb: Knowledge) -> None:
    titles = {m.job.title for m in find_jobs(kb, "machine operator")}
    assert titles == {"production machine operator", "Machine operator trainee"}


def test_job_requirements_come_from_its_step(kb: Knowledge) -> None:
    (needs,) = job_requirements(kb, "cnc operator")
    assert needs.education is Education.ASSOCIATE
    assert "Associate degree in chosen area of manufacturing" in needs.requirements
    assert needs.duration_text == "two-year associate degree"
    welder = job_requirements(kb, "welder")[0]
    assert welder.preferred == ("Drafting", "blueprint reading")


def test_step_requirements_and_missing_steps(kb: Knowledge) -> None:
    it = kb.pathway("it")
    assert step_requirements(it, 2).additional_skills[0] == "retail experience"
    with pytest.raises(KeyError):
        step_requirements(it, 9)
    assert steps_numbered(kb, 9) == ()
    assert _labels(steps_numbered(kb, 3, "it")) == ["IT step 3"]


# ---- education and extremes -----------------------------------------------------------------


def test_steps_needing_an_education_level(kb: Knowledge) -> None:
    assert _labels(steps_needing(kb, Education.ASSOCIATE)) == ["Manufacturing step 4", "IT step 4"]
    assert _labels(steps_needing(kb, Education.HIGH_SCHOOL, exact=False)) == [
        "Manufacturing step 1",
        "Manufacturing step 2",
        "IT step 1",
        "IT step 2",
    ]


def test_highest_and_lowest_paid(kb: Knowledge) -> None:
    top, bottom = highest_paid(kb), lowest_paid(kb)
    assert top is not None and top.label == "IT step 5"
    assert bottom is not None and bottom.pay is not None and bottom.pay.min == 15
