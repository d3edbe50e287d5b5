"""Over every intake answer: plans in date order, lengths only from the documents, every item
traceable to a YAML field, every requirement decided on or shown, and always a way forward."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import messages as say
from dialogs.core import Ctx, ask_pending
from dialogs.engine import handle
from dialogs.flow import Kind, intake_flow
from dialogs.plan import build_goals, build_plan, months_between
from dialogs.planning import plan_lines
from dialogs.recommend import entry_need_problems, entry_step
from dialogs.state import AnswerValue, Choice, Command, DialogState, Milestone, Phase
from knowledge.loader import get_knowledge
from knowledge.model import Pathway

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
KB = get_knowledge()
FLOW = intake_flow()
SOURCE = re.compile(r"^(?P<file>[a-z_]+)\.yaml:(?:steps\[(?P<step>\d+)\]\.)?(?P<field>[a-z_]+)$")


@st.composite
def intake_answers(draw: st.DrawFn) -> dict[str, AnswerValue]:
    """One answer (or set of answers) to every intake question, as the flow would store it."""
    answers: dict[str, AnswerValue] = {}
    for question in FLOW.questions:
        ids = [c.id for c in question.choices]
        if question.kind is Kind.MULTI:
            answers[question.id] = tuple(draw(st.lists(st.sampled_from(ids), unique=True)))
        elif question.kind is Kind.NUMBER:
            answers[question.id] = draw(st.sampled_from([c.value or 0 for c in question.choices]))
        else:
            answers[question.id] = draw(st.sampled_from(ids))
    return answers


def _traceable(m: Milestone, pathway: Pathway) -> bool:
    found = SOURCE.match(m.source)
    if found is None:
        return False
    if found["file"] == "process":
        return bool(getattr(KB.process, found["field"], None))
    if found["file"] != pathway.id or found["step"] is None:
        return False
    step = pathway.steps[int(found["step"])]
    return step.number == m.step and bool(getattr(step, found["field"], None))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=intake_answers(), pathway=st.sampled_from(KB.pathways), goal=st.integers(1, 5))
def test_every_plan_is_in_order_documented_and_traceable(
    answers: Mapping[str, AnswerValue], pathway: Pathway, goal: int
) -> None:
    entry = entry_step(pathway, answers)
    goals = build_goals(pathway, KB.process, entry, goal, answers)
    plan = build_plan(pathway, KB.process, entry, goals, answers, TODAY)
    assert plan, "a plan always has something to do now"
    assert plan[0].begins == TODAY
    for a, b in itertools.pairwise(plan):
        assert a.target <= b.target, (a, b)
    for m in plan:
        assert m.begins <= m.target
        assert _traceable(m, pathway), m
        step = pathway.step(m.step)
        months = months_between(m.begins, m.target)
        if months:  # only a step's own training takes time, exactly its documented length
            assert months == step.duration_months and m.timeframe == step.duration_text, m
        else:
            assert m.timeframe in {"", say.NOW, say.NO_LENGTH} or m.timeframe == step.duration_text
    assert [m.id for m in plan] == [f"m{i}" for i in range(1, len(plan) + 1)]


def test_every_requirement_is_decided_on_or_shown_to_the_person() -> None:
    """A person climbing each pathway from step 1 to the top sees every requirement that the
    entry-step rule does not use; the rest are entry needs (checked against the step's words
    by the loader)."""
    answers: dict[str, AnswerValue] = {"school": "none", "english": "easy", "age": "yes"}
    for pathway in KB.pathways:
        state = DialogState(
            phase=Phase.PLAN,
            pathway_id=pathway.id,
            entry_step=1,
            answers=answers,
        )
        goals = build_goals(pathway, KB.process, 1, len(pathway.steps), answers)
        plan = build_plan(pathway, KB.process, 1, goals, answers, TODAY)
        shown = "\n".join(plan_lines(Ctx(KB, FLOW, NOW), _with(state, plan)))
        for step in pathway.steps:
            needs = [n.need.lower() for n in step.entry]
            for requirement in step.requirements:
                used = any(n in requirement.lower() for n in needs)
                assert used or requirement in shown, (pathway.id, step.number, requirement)


def _with(state: DialogState, plan: tuple[Milestone, ...]) -> DialogState:
    return replace(state, milestones=plan)


def test_every_entry_need_names_real_intake_questions_and_answers() -> None:
    assert entry_need_problems(KB, FLOW) == []
    broken = replace(FLOW, questions=tuple(q for q in FLOW.questions if q.id != "credential"))
    assert sorted(entry_need_problems(KB, broken)) == [
        f"{name}.yaml: steps[2].entry[{i}].answers.credential: no intake question 'credential'"
        for name, i in (("it", 0), ("manufacturing", 1))
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=intake_answers(),
    pathway=st.sampled_from([p.id for p in KB.pathways]),
    taps=st.lists(st.integers(0, 6), min_size=6, max_size=14),
)
def test_every_state_on_the_way_has_a_way_forward(
    answers: Mapping[str, AnswerValue], pathway: str, taps: list[int]
) -> None:
    """From the recommendations on, whatever button is tapped, the person always has buttons
    to tap (or, paused or gone, a command that brings them back)."""
    answers = {k: v for k, v in answers.items() if not isinstance(v, tuple) or v}
    state = DialogState(answers=answers)
    state = handle(state, Command("start"), NOW).state
    state = handle(state, Choice(f"pick:{pathway}", state.version), NOW).state
    ctx = Ctx(KB, FLOW, NOW)
    for tap in taps:
        reply = ask_pending(ctx, state)
        if reply is None or not reply.choices:
            turn = handle(state, Command("help"), NOW)
            assert any("/" in r.text for r in turn.replies), state
            assert state.status.value != "active" or state.phase is not Phase.ENGAGED, state
            return
        option = reply.choices[tap % len(reply.choices)]
        if option.id in {"person", "sn:person", "share_yes", "share_no"} or option.id.startswith(
            "forget"
        ):
            continue
        turn = handle(state, Choice(option.id, state.version), NOW)
        assert not turn.error, turn.error
        assert turn.replies, (state.pending, option)
        state = turn.state


def test_the_support_step_of_a_spanish_plan_has_no_english_words() -> None:
    from dialogs.state import DialogState
    from tests.transcript import Player, play

    player = Player(state=DialogState(language="es"))
    play(
        """
        cmd: /start
        user: no termine la secundaria
        user: dificil
        user: solo celular
        user: fabrica
        user: hacer cosas
        user: si
        user: si
        user: un poco
        user: cuidado de niños y transporte
        user: necesito trabajo
        user: menos de 5
        tap: Elegir Manufactura
        tap: Sí
        tap: Paso 3
        """,
        player,
    )
    support = [m.title for m in player.state.milestones if "Workforce Solutions" in m.title]
    assert support, [m.title for m in player.state.milestones]
    assert "cuidado de niños" in support[0] and "transporte" in support[0]
    assert "childcare" not in support[0] and "Solutions or Adult" not in support[0]
