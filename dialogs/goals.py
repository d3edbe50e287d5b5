"""Phase 4, employment goals: immediate, mid-term and long-term."""

from __future__ import annotations

from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome, chosen_pathway
from dialogs.i18n import _
from dialogs.plan import build_goals, job_names
from dialogs.planning import to_plan
from dialogs.state import (
    DialogState,
    Option,
    Phase,
    Reply,
)


def to_goals(ctx: Ctx, state: DialogState) -> Outcome:
    pathway = chosen_pathway(ctx, state)
    entry = state.entry_step or 1
    state = replace(state, phase=Phase.GOALS)
    goals = build_goals(pathway, ctx.kb.process, entry, entry, state.answers)
    lines = [say.GOALS_INTRO, say.GOAL_IMMEDIATE.format(goal=goals.immediate)]
    if state.answers.get("job_now") == "yes":
        skills = ", ".join(s.lower() for s in ctx.kb.process.work_readiness_skills)
        lines.append(say.WORK_READY.format(skills=skills))
    if entry < len(pathway.steps):
        nxt = pathway.step(entry + 1)
        if nxt.jobs and nxt.pay:
            lines.append(
                say.GOAL_MID.format(step=nxt.number, jobs=job_names(nxt), pay=nxt.pay.text())
            )
        state = replace(state, pending="goal")
        return Outcome(state, (Reply("\n".join(lines)), ask_goal(ctx, state)))
    top = pathway.step(entry)
    pay = top.pay.text() if top.pay else ""
    lines.append(say.GOAL_TOP.format(jobs=job_names(top), pay=pay))
    state = replace(state, goals=goals)
    return Outcome(state, (Reply("\n".join(lines)),)).then(to_plan(ctx, state))


def ask_goal(ctx: Ctx, state: DialogState) -> Reply:
    pathway = chosen_pathway(ctx, state)
    entry = state.entry_step or 1
    options = []
    for step in pathway.steps:
        if step.number > entry and step.jobs:
            pay = f", {step.pay.text()}" if step.pay else ""
            options.append(
                Option(
                    f"goal:{step.number}",
                    _("Step {number}: {jobs}").format(number=step.number, jobs=job_names(step, 2))
                    + pay,
                )
            )
    return Reply(say.GOAL_LONG_ASK, tuple(options))


def goal_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    pathway = chosen_pathway(ctx, state)
    return {
        f"goal:{s.number}": (f"step {s.number}", *(j.title for j in s.jobs)) for s in pathway.steps
    }


def answer_goal(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    pathway = chosen_pathway(ctx, state)
    long_step = int(option.removeprefix("goal:"))
    goals = build_goals(pathway, ctx.kb.process, state.entry_step or 1, long_step, state.answers)
    return to_plan(ctx, replace(state, goals=goals))
