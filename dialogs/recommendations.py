"""Phase 2, recommendations: the short list of pathways, with reasons, cautions and pay.

The ranking itself is pure logic in `dialogs.recommend`.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome
from dialogs.pages import screens
from dialogs.plan import job_names, unskilled_jobs
from dialogs.recommend import is_tie, recommend
from dialogs.selection import ask_pick
from dialogs.state import (
    DialogState,
    Phase,
    Reply,
)
from knowledge.model import Pathway


def to_recommendations(ctx: Ctx, state: DialogState) -> Outcome:
    """The short list: each pathway with reasons from the answers, cautions, entry step, pay."""
    state = replace(state, phase=Phase.RECOMMEND, pending="pick")
    ranked = recommend(ctx.kb, ctx.flow, state.answers)
    head = say.RECOMMEND_TIE if is_tie(ranked) else say.RECOMMEND_INTRO
    replies = [Reply(head)]
    for n, rec in enumerate(ranked, 1):
        lines = [f"{n}. {rec.pathway.name}"]
        lines.extend(f"   {r}" for r in rec.reasons)
        lines.extend(f"   ⚠ {c}" for c in rec.cautions)
        lines.extend(f"   {line}" for line in step_lines(ctx, rec.pathway, rec.entry_step))
        if rec.missing:
            lines.append(f"   {rec.missing}")
        # a pathway a message, each one screen (a longer one in two)
        replies += [Reply(t) for t in screens("\n".join(lines), ctx.kb.glossary)]
    return Outcome(state, (*replies, ask_pick(ctx, state)))


def step_lines(ctx: Ctx, pathway: Pathway, number: int) -> list[str]:
    """Where the person starts, what it pays now, and what the next step pays (in both units
    when the two steps' pay is stated in different units)."""
    step = pathway.step(number)
    lines = [say.START_AT.format(step=number, title=step.name)]
    if step.jobs and step.pay:
        lines.append(say.START_PAY.format(jobs=job_names(step), pay=step.pay.text()))
    elif not step.jobs:
        lines.append(say.NO_PAY_YET.format(jobs=unskilled_jobs(ctx.kb.process)))
    if number < len(pathway.steps):
        nxt = pathway.step(number + 1)
        if nxt.jobs and nxt.pay:
            mixed = step.pay is not None and step.pay.unit is not nxt.pay.unit
            pay = nxt.pay.text_both() if mixed else nxt.pay.text()
            lines.append(say.NEXT_PAY.format(step=nxt.number, jobs=job_names(nxt), pay=pay))
    return lines
