"""Saying back what was understood, Change, and /back (pure).

Every intake answer is said back with a one-tap *Change* (`change:<question id>`), which reopens
that question. `/back` (or typed 'back', 'undo', 'go back') steps back one question at a time
through intake, then goals and plan. An answer changed after intake recomputes only what depends
on it: the recommendations, the entry step, the goals and the plan, with the advice helpers'
own functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome, ask_question, chosen_pathway, reask
from dialogs.flow import Question
from dialogs.goals import ask_goal, to_goals
from dialogs.plan import build_goals
from dialogs.planning import ask_cadence, ask_plan_ok, to_plan
from dialogs.recommend import entry_step
from dialogs.recommendations import to_recommendations
from dialogs.selection import ask_pick
from dialogs.state import DialogState, Option, Phase, Reply

CHANGE_PREFIX = "change:"
"""Choice ids of the Change buttons: 'change:school' reopens the school question."""

_BACK_STAGES = {
    "select": "pick",
    "goal": "pick",
    "plan_ok": "goal",
    "cadence": "plan_ok",
    "checkin_time": "cadence",
}
"""Where /back goes from the computed stages before check-ins start."""
_STAGE_PHASES = {
    "pick": Phase.RECOMMEND,
    "goal": Phase.GOALS,
    "plan_ok": Phase.PLAN,
    "cadence": Phase.PLAN,
}


def change_option(question: Question) -> Option:
    """The Change button under a said-back answer."""
    return Option(f"{CHANGE_PREFIX}{question.id}", say.CHANGE)


def say_back(question: Question, labels: Sequence[str]) -> str:
    """'Got it: English is easy for you.' from the question's ack and the chosen labels."""
    template = question.ack or say.GOT_IT
    said = ", ".join(_lower_first(label) for label in labels)
    return template.format(answer=", ".join(labels), said=said)


def _lower_first(text: str) -> str:
    """'Easy' -> 'easy', 'Yes, now' -> 'yes, now'; 'I have a job', "I'm good at it" and 'IT'
    stay."""
    first = text.split(" ", 1)[0]
    if first == "I" or first.startswith(("I'", "I’")) or (len(first) > 1 and first.isupper()):
        return text
    return text[:1].lower() + text[1:]


def reopen(ctx: Ctx, state: DialogState, question_id: str, lead: str = say.CHANGE_LEAD) -> Outcome:
    """Open an answered question again (from its Change button, or one step back)."""
    question = ctx.flow.question(question_id)
    if question is None or question_id not in state.answers:
        return Outcome(state, reask(ctx, state, say.MOVED_ON))
    state = replace(state, pending=f"q:{question.id}", no_match=0)
    return Outcome(state, (Reply(lead), ask_question(question, state)))


def step_back(ctx: Ctx, state: DialogState) -> Outcome:
    """One step back: the previous intake question, or the previous stage of goals and plan."""
    pending = state.pending or ""
    if pending.startswith("q:"):
        previous = _previous_question(ctx, state, pending[2:])
        if previous is None:
            return Outcome(state, (Reply(say.BACK_FIRST), *reask(ctx, state, "")))
        return reopen(ctx, state, previous.id, say.BACK_DONE)
    if pending == "pick":
        last = _previous_question(ctx, state, None)
        if last is None:
            return Outcome(state, reask(ctx, state, ""))
        return reopen(ctx, state, last.id, say.BACK_DONE)
    target = _BACK_STAGES.get(pending)
    if target is None:
        return Outcome(state, (Reply(say.BACK_NONE), *reask(ctx, state, "")))
    state = replace(state, pending=target, phase=_STAGE_PHASES.get(target, state.phase))
    again = {"pick": ask_pick, "goal": ask_goal, "plan_ok": ask_plan_ok, "cadence": ask_cadence}
    return Outcome(state, (Reply(say.BACK_DONE), again[target](ctx, state)))


def _previous_question(ctx: Ctx, state: DialogState, before: str | None) -> Question | None:
    """The last answered question before `before` in flow order (or the last of all)."""
    found: Question | None = None
    for question in ctx.flow.questions:
        if question.id == before:
            break
        if question.id in state.answers:
            found = question
    return found


def after_intake(ctx: Ctx, state: DialogState, replies: tuple[Reply, ...]) -> Outcome:
    """Intake is complete: recommend the first time; after a change, recompute what depends."""
    lead = Outcome(state, replies)
    if state.phase is Phase.INTAKE or not state.pathway_id:
        return lead.then(to_recommendations(ctx, state))
    pathway = chosen_pathway(ctx, state)
    entry = entry_step(pathway, state.answers)
    state = replace(state, entry_step=entry)
    note = Outcome(state, (Reply(say.RECOMPUTED.format(step=entry, name=pathway.name)),))
    if not state.milestones or state.goals.long_step is None:
        return lead.then(note).then(to_goals(ctx, state))
    long_step = max(state.goals.long_step, entry)
    goals = build_goals(pathway, ctx.kb.process, entry, long_step, state.answers)
    return lead.then(note).then(to_plan(ctx, replace(state, goals=goals)))
