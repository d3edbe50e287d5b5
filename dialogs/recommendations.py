"""Phase 2, recommendations: the short list of pathways, with reasons, cautions and pay.

The ranking itself is pure logic in `dialogs.recommend`.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome
from dialogs.plan import job_names
from dialogs.recommend import recommend
from dialogs.selection import ask_pick
from dialogs.state import (
    DialogState,
    Phase,
    Reply,
)
from knowledge.model import Pathway


def to_recommendations(ctx: Ctx, state: DialogState) -> Outcome:
    state = replace(state, phase=Phase.RECOMMEND, pending="pick")
    lines = [say.RECOMMEND_INTRO]
    for n, rec in enumerate(recommend(ctx.kb, ctx.flow, state.answers), 1):
        lines.append("")
        lines.append(f"{n}. {rec.pathway.name}")
        lines.extend(f"   {r}" for r in rec.reasons)
        lines.extend(f"   ⚠ {c}" for c in rec.cautions)
        lines.extend(f"   {line}" for line in _step_lines(rec.pathway, rec.entry_step))
    return Outcome(state, (Reply("\n".join(lines)), ask_pick(ctx, state)))


def _step_lines(pathway: Pathway, number: int) -> list[str]:
    step = pathway.step(number)
    lines = [say.START_AT.format(step=number, title=step.title)]
    if step.jobs and step.pay:
        lines.append(say.START_PAY.format(jobs=job_names(step), pay=step.pay.text_both()))
    if number < len(pathway.steps):
        nxt = pathway.step(number + 1)
        if nxt.jobs and nxt.pay:
            lines.append(
                say.NEXT_PAY.format(step=nxt.number, jobs=job_names(nxt), pay=nxt.pay.text_both())
            )
    return lines
