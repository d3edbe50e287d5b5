"""What every stage shares: the turn's context, a stage's outcome, asking the question again.

The table of stages lives in `dialogs.engine`, which fills `STAGES` here at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from dialogs import messages as say
from dialogs.flow import Flow, Kind, Question
from dialogs.state import (
    DialogState,
    Effect,
    Option,
    Phase,
    Reply,
    Status,
)
from knowledge.model import Knowledge, Pathway

MAX_TEXT = 2000
"""Longer messages are cut to this many characters before they are read."""


@dataclass(frozen=True, slots=True)
class Ctx:
    """What one turn may read besides the state: the knowledge, the flow and the time."""

    kb: Knowledge
    flow: Flow
    now: datetime
    counselors: bool = True
    """Whether a counselor chat is connected (else /counselor says who to call instead)."""

    @property
    def today(self) -> date:
        """Today's date at `now`."""
        return self.now.date()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one stage function: the new state, what to say, what to do."""

    state: DialogState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()

    def then(self, other: Outcome) -> Outcome:
        """This step followed by `other` (which already holds the final state)."""
        return Outcome(other.state, self.replies + other.replies, self.effects + other.effects)


@dataclass(frozen=True, slots=True)
class Stage:
    """How a pending question is asked and what an answer to it does."""

    ask: Callable[[Ctx, DialogState], Reply]
    answer: Callable[[Ctx, DialogState, str], Outcome]
    synonyms: Callable[[Ctx, DialogState], dict[str, tuple[str, ...]]] | None = None


STAGES: dict[str, Stage] = {}
"""Every pending id's stage; filled by `dialogs.engine` (the one table of stages)."""


def chosen_pathway(ctx: Ctx, state: DialogState) -> Pathway:
    return ctx.kb.pathway(state.pathway_id or ctx.kb.pathways[0].id)


def pending_options(ctx: Ctx, state: DialogState) -> tuple[Option, ...]:
    reply = ask_pending(ctx, state)
    return reply.choices if reply else ()


MENU = "menu"
"""The stage of an active user on their way with nothing asked: what they can do next."""


def stage_id(state: DialogState) -> str | None:
    """The pending question, or the menu when an engaged user has nothing pending."""
    if state.pending is None and state.phase is Phase.ENGAGED and state.status is Status.ACTIVE:
        return MENU
    return state.pending


def ask_pending(ctx: Ctx, state: DialogState) -> Reply | None:
    """The current question again, with its buttons (None when nothing is pending)."""
    pending = stage_id(state)
    if pending is None:
        return None
    if pending.startswith("q:"):
        question = ctx.flow.question(pending[2:])
        return ask_question(question, state) if question else None
    stage = STAGES.get(pending)
    return stage.ask(ctx, state) if stage else None


def ask_question(question: Question, state: DialogState) -> Reply:
    options = tuple(Option(c.id, c.label) for c in question.choices)
    if question.kind is Kind.MULTI:
        chosen = state.answers.get(f"{question.id}.partial", ())
        picked = chosen if isinstance(chosen, tuple) else ()
        options = tuple(o for o in options if o.id not in picked)
        if picked:
            options = (*options, Option("done", say.THATS_ALL))
    return Reply(question.text, options)


def reask(ctx: Ctx, state: DialogState, lead: str | None = None) -> tuple[Reply, ...]:
    lead = say.BACK_TO if lead is None else lead
    reply = ask_pending(ctx, state)
    if reply is None:
        return (idle(ctx, state),)
    text = f"{lead}\n{reply.text}" if lead else reply.text
    return (Reply(text, reply.choices, reply.attachment),)


def idle(ctx: Ctx, state: DialogState) -> Reply:
    if state.status is Status.PAUSED:
        return Reply(say.PAUSED_NOTE)
    return Reply(say.ENGAGED_IDLE)


def phase_pending(ctx: Ctx, state: DialogState) -> str | None:
    """The question that belongs to the user's phase (used when coming back)."""
    if state.phase is Phase.INTAKE:
        nxt = ctx.flow.next_question(state.answers)
        return f"q:{nxt.id}" if nxt else "pick"
    return {
        Phase.RECOMMEND: "pick",
        Phase.SELECT: "select" if state.pathway_id else "pick",
        Phase.GOALS: "goal",
        Phase.PLAN: "plan_ok" if state.plan_made_on is None else "cadence",
    }.get(state.phase)


def resume_prompt(ctx: Ctx, state: DialogState) -> Outcome:
    reply = ask_pending(ctx, state)
    if reply is None:
        return Outcome(state, (idle(ctx, state),))
    return Outcome(state, (reply,))
