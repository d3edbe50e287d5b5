"""Phase 4, employment goals: immediate, mid-term and long-term."""

from __future__ import annotations

from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome, chosen_pathway, reask
from dialogs.plan import build_goals, job_names
from dialogs.planning import to_plan
from dialogs.state import (
    DialogState,
    Goals,
    Option,
    Phase,
    Reply,
)
from knowledge.model import Pathway


def to_goals(ctx: Ctx, state: DialogState) -> Outcome:
    """Phase 4: the immediate and mid-term goals, then the long-term goal to choose."""
    pathway = chosen_pathway(ctx, state)
    entry = state.entry_step or 1
    state = replace(state, phase=Phase.GOALS)
    goals = build_goals(pathway, ctx.kb.process, entry, entry, state.answers)
    lines = [say.GOALS_INTRO, say.GOAL_IMMEDIATE.format(goal=_goal_text(pathway, goals))]
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


def _goal_text(pathway: Pathway, goals: Goals) -> str:
    if goals.immediate_step is None:
        return goals.immediate
    step = pathway.step(goals.immediate_step)
    return f"{goals.immediate} ({step.pay.text()})" if step.pay else goals.immediate


def ask_goal(ctx: Ctx, state: DialogState) -> Reply:
    """Every step from the entry step up (staying is a goal too), or another pathway."""
    pathway = chosen_pathway(ctx, state)
    entry = state.entry_step or 1
    options = []
    for step in pathway.steps:
        if step.number >= entry and step.jobs:
            pay = f", {step.pay.text()}" if step.pay else ""
            label = say.GOAL_STAY if step.number == entry else say.GOAL_STEP
            options.append(
                Option(
                    f"goal:{step.number}",
                    label.format(step=step.number, jobs=job_names(step, 1), pay=pay),
                )
            )
    options.append(Option("goal:other", say.GOAL_OTHER_PATHWAY))
    return Reply(say.GOAL_LONG_ASK, tuple(options))


def goal_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    pathway = chosen_pathway(ctx, state)
    found = {
        f"goal:{s.number}": (f"step {s.number}", *(j.title for j in s.jobs)) for s in pathway.steps
    }
    found["goal:other"] = ("another pathway", "other pathway", "different pathway")
    return found


def answer_goal(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "goal:other":
        state = replace(state, phase=Phase.RECOMMEND, pending="pick")
        return Outcome(state, reask(ctx, state, ""))
    pathway = chosen_pathway(ctx, state)
    long_step = int(option.removeprefix("goal:"))
    entry = state.entry_step or 1
    goals = build_goals(pathway, ctx.kb.process, entry, long_step, state.answers)
    lines = [say.GOALS_SET, say.GOAL_IMMEDIATE.format(goal=_goal_text(pathway, goals))]
    for label, number in ((say.GOAL_MID_IS, goals.mid_step), (say.GOAL_LONG_IS, goals.long_step)):
        if (
            number
            and number > entry
            and (label is say.GOAL_LONG_IS or number < (goals.long_step or 0))
        ):
            step = pathway.step(number)
            pay = f" ({step.pay.text()})" if step.pay else ""
            lines.append(label.format(step=number, jobs=job_names(step), pay=pay))
    state = replace(state, goals=goals)
    return Outcome(state, (Reply("\n".join(lines)),)).then(to_plan(ctx, state))
