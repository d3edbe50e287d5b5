"""Free questions answered from the real knowledge: the phrasing table, money, honesty."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.questions import Answer, Assumed, answer_question, looks_like_question, parse_money
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge, Pay, PayUnit
from tests.question_table import CASES, Case

TELEGRAM_LIMIT = 4096


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return get_knowledge()


def _titles(answer: Answer) -> set[str]:
    return {job.title.lower() for job in answer.jobs}


def test_the_table_is_big_enough() -> None:
    assert sum(1 for case in CASES if case.question) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.text for c in CASES])
def test_phrasing(case: Case, kb: Knowledge) -> None:
    answer = answer_question(case.text, kb)
    if not case.question:
        assert answer is None
        return
    assert answer is not None
    titles = _titles(answer)
    for title in case.has:
        assert title.lower() in titles, f"{title!r} missing from:\n{answer.text}"
    for title in case.lacks:
        assert title.lower() not in titles, f"{title!r} should not be in:\n{answer.text}"
    for words in case.says:
        assert words.lower() in answer.text.lower(), f"{words!r} not said in:\n{answer.text}"


_QUESTIONS = [c.text for c in CASES if c.question]


@pytest.mark.parametrize("text", _QUESTIONS)
def test_answers_fit_a_phone_message_and_name_the_jobs_they_list(text: str, kb: Knowledge) -> None:
    answer = answer_question(text, kb)
    assert answer is not None
    assert 0 < len(answer.text) < TELEGRAM_LIMIT
    for job in answer.jobs:
        assert job.title.lower() in answer.text.lower()


_RANGE = re.compile(r"(about )?\$([\d,.]+)(?:–([\d,.]+))? (an hour|a year)")


@pytest.mark.parametrize("text", _QUESTIONS)
def test_every_pay_range_said_is_a_seed_figure_or_its_conversion(text: str, kb: Knowledge) -> None:
    answer = answer_question(text, kb)
    assert answer is not None
    stated = {(p.min, p.max, p.unit) for p in _pays(kb)}
    converted = {
        (c.min, c.max, c.unit)
        for p in _pays(kb)
        for c in (p.to(PayUnit.HOUR), p.to(PayUnit.YEAR))
        if c.converted
    }
    facts = [line for line in answer.text.splitlines() if not line.endswith(":")]
    # header lines ("Jobs that pay between $20 and $30 an hour (...):") echo the user's amounts
    for about, low, high, unit_words in _RANGE.findall("\n".join(facts)):
        if not high:
            continue  # a single amount: the user's own figure, not a fact about a job
        unit = PayUnit.HOUR if unit_words == "an hour" else PayUnit.YEAR
        figure = (float(low.replace(",", "")), float(high.replace(",", "")), unit)
        ok = figure in (converted if about else stated)
        assert ok, f"{about}${low}–{high} {unit_words} is not from the knowledge:\n{answer.text}"


def _pays(kb: Knowledge) -> list[Pay]:
    return [s.pay for p in kb.pathways for s in p.steps if s.pay is not None]


def test_unknown_question_is_honest_and_offers_what_can_be_asked(kb: Knowledge) -> None:
    answer = answer_question("what's the weather today?", kb)
    assert answer is not None
    assert answer.jobs == ()
    assert "don't know" in answer.text
    assert "How much does a welder make?" in answer.text


def test_absurd_hourly_amount_lists_no_jobs(kb: Knowledge) -> None:
    answer = answer_question("more than $20k an hour", kb)
    assert answer is not None
    assert answer.jobs == ()


def test_no_job_above_the_top_says_which_step_is_highest(kb: Knowledge) -> None:
    answer = answer_question("what pays more than 70 an hour?", kb)
    assert answer is not None
    assert answer.jobs == ()
    assert "$98,000–132,000 a year (about $47.12–63.46 an hour)" in answer.text


def test_step_question_names_both_pathways_unless_one_is_named(kb: Knowledge) -> None:
    both = answer_question("what is step 4?", kb)
    one = answer_question("what is step 4 in manufacturing?", kb)
    assert both is not None and one is not None
    assert {j.pathway_id for j in both.jobs} == {"manufacturing", "it"}
    assert {j.pathway_id for j in one.jobs} == {"manufacturing"}


# ---- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit", "assumed"),
    [
        ("$20/hr", 20, PayUnit.HOUR, Assumed.STATED),
        ("50k", 50_000, PayUnit.YEAR, Assumed.BY_SIZE),
        ("25 bucks an hour", 25, PayUnit.HOUR, Assumed.STATED),
        ("60,000 a year", 60_000, PayUnit.YEAR, Assumed.STATED),
        ("$20k an hour", 20_000, PayUnit.HOUR, Assumed.STATED),
        ("$18", 18, PayUnit.HOUR, Assumed.BY_SIZE),
        ("$12.50 per hour", 12.5, PayUnit.HOUR, Assumed.STATED),
        ("45000 annually", 45_000, PayUnit.YEAR, Assumed.STATED),
        ("$800 a week", 20, PayUnit.HOUR, Assumed.CONVERTED),
        ("$4,000 a month", 48_000, PayUnit.YEAR, Assumed.CONVERTED),
        ("twenty dollars an hour", 20, PayUnit.HOUR, Assumed.STATED),
        ("$500", 500, None, Assumed.BY_SIZE),
    ],
)
def test_parse_money(text: str, amount: float, unit: PayUnit | None, assumed: Assumed) -> None:
    money = parse_money(text)
    assert money is not None
    assert (money.amount, money.unit, money.assumed) == (amount, unit, assumed)


def test_parse_money_reads_negative_and_ignores_step_numbers() -> None:
    negative = parse_money("more than -5 dollars")
    assert negative is not None and negative.negative
    assert parse_money("what is step 3") is None
    assert parse_money("hello") is None


# ---- question or answer? --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what pays more than $20 an hour?",
        "jobs over 50k",
        "more than $18",
        "anything above 25 bucks/hr",
        "welder salary",
        "how much does a welder make",
        "wat pays mor then 20",
        "is there anything for me?",
        "what?",
        "pay for welders?",
    ],
)
def test_looks_like_question(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "yes",
        "no",
        "ged",
        "word and excel",
        "step 3",
        "maria",
        "",
        "  ",
        "I went to college",
        "don't know",
        "not sure",
        "I like fixing things",
        "20",
        "ged?",
        "welder?",
    ],
)
def test_plain_answers_are_not_questions(text: str, kb: Knowledge) -> None:
    assert not looks_like_question(text)
    assert answer_question(text, kb) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gets_none_or_a_short_answer(text: str) -> None:
    answer = answer_question(text, get_knowledge())
    assert answer is None or 0 < len(answer.text) < TELEGRAM_LIMIT


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["what pays more than", "jobs under", "anything above", "less than"]),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.sampled_from(["", " an hour", "/hr", " a year", "k", " a week", " a month", " bucks"]),
)
def test_any_amount_gets_an_answer(lead: str, number: int, unit: str) -> None:
    answer = answer_question(f"{lead} ${number}{unit}", get_knowledge())
    assert answer is not None
    assert 0 < len(answer.text) < TELEGRAM_LIMIT
