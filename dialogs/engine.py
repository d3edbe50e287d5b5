"""The dialog engine: `handle(state, event, now) -> Turn`, pure, for every input.

Each pending question has a *stage*: how to ask it (text and buttons) and what an answer does.
Intake questions come from the flow file; the stages live in one module per phase
(intake, recommendations, selection, goals, planning, engagement, plus commands and handoff),
and the table `STAGES` at the bottom maps every pending id to its stage.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from dialogs import messages as say
from dialogs.commands import (
    COMMANDS,
    answer_forget,
    answer_restart,
    ask_confirm,
    command,
    mydata_text,
    progress_reply,
    yes_no_synonyms,
)
from dialogs.core import (
    MAX_TEXT,
    STAGES,
    Ctx,
    Outcome,
    Stage,
    ask_pending,
    idle,
    pending_options,
    reask,
)
from dialogs.engagement import (
    CHECKIN_STAGES,
    RETURN_AFTER,
    answer_change,
    answer_checkin,
    answer_pause,
    answer_shift,
    answer_stuck,
    answer_stuck_next,
    answer_welcome_back,
    ask_change,
    ask_checkin,
    ask_pause,
    ask_shift,
    ask_stuck,
    ask_stuck_next,
    ask_welcome_back,
    checkin_due,
    checkin_synonyms,
    next_checkin,
    stuck_synonyms,
    welcome_back,
)
from dialogs.flow import Flow, Kind, intake_flow
from dialogs.goals import answer_goal, ask_goal, goal_synonyms
from dialogs.handoff import (
    answer_consent,
    answer_lines,
    ask_consent,
    consent_synonyms,
    for_counselor,
    handback,
    handoff_summary,
    relay,
    start_handoff,
)
from dialogs.intake import answer_intake, referral_code, start_intake
from dialogs.matching import (
    Ambiguous,
    Candidate,
    Matched,
    NoMatch,
    match_choice,
    match_yes_no,
    normalize,
    parse_number,
)
from dialogs.planning import (
    CADENCE_LABELS,
    CADENCES,
    answer_cadence,
    answer_checkin_time,
    answer_plan_ok,
    ask_cadence,
    ask_checkin_time,
    ask_plan_ok,
    cadence_synonyms,
    checkin_time_synonyms,
    plan_synonyms,
)
from dialogs.questions import answer_question, looks_like_question
from dialogs.selection import answer_pick, ask_pick, pick_synonyms
from dialogs.state import (
    CheckinDue,
    Choice,
    Command,
    CounselorMessage,
    DialogState,
    Event,
    Handback,
    Media,
    Option,
    Phase,
    Reply,
    Status,
    Text,
    Turn,
    clip_history,
)
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge

__all__ = [
    "CADENCES",
    "CADENCE_LABELS",
    "COMMANDS",
    "MAX_TEXT",
    "RETURN_AFTER",
    "STAGES",
    "Ctx",
    "Outcome",
    "Stage",
    "answer_lines",
    "handle",
    "handoff_summary",
    "mydata_text",
    "next_checkin",
    "progress_reply",
    "referral_code",
]


def handle(
    state: DialogState,
    event: Event,
    now: datetime,
    *,
    kb: Knowledge | None = None,
    flow: Flow | None = None,
    counselors: bool = True,
) -> Turn:
    """The next state, replies and effects for one event; never raises."""
    ctx = Ctx(kb or get_knowledge(), flow or intake_flow(), now, counselors)
    try:
        step = _dispatch(ctx, state, event)
    except Exception:  # the user must never meet silence: keep the state, say sorry, re-ask
        retry = ask_pending(ctx, state)
        return Turn(
            state=state,
            replies=(Reply(say.SORRY), *((retry,) if retry else ())),
            error=traceback.format_exc(),
        )
    new = step.state
    if isinstance(event, CounselorMessage):
        lines = [("counselor", event.text)]
        new = replace(new, version=state.version + 1, history=clip_history(new.history, lines))
    elif isinstance(event, CheckinDue | Handback):
        new = replace(new, version=state.version + 1)
    else:
        lines = [("user", _event_text(event)), *(("bot", r.text) for r in step.replies if r.text)]
        new = replace(
            new,
            version=state.version + 1,
            last_seen=now,
            started_on=new.started_on or ctx.today,
            history=clip_history(new.history, lines),
        )
    return Turn(state=new, replies=step.replies, effects=step.effects)


def _event_text(event: Text | Choice | Command | Media) -> str:
    if isinstance(event, Media):
        return f"[{event.kind}]"
    if isinstance(event, Text):
        return event.text
    if isinstance(event, Choice):
        return f"[{event.choice_id}]"
    return f"/{event.name} {event.arg}".strip()


def _dispatch(ctx: Ctx, state: DialogState, event: Event) -> Outcome:
    if isinstance(event, CheckinDue):
        return checkin_due(ctx, state, event)
    if isinstance(event, CounselorMessage):
        return Outcome(state, (Reply(say.COUNSELOR_SAYS.format(text=event.text[:MAX_TEXT])),))
    if isinstance(event, Handback):
        return handback(ctx, state)
    if state.handed_off and for_counselor(ctx, state, event):
        return relay(ctx, state, event)
    if isinstance(event, Media):
        return Outcome(state, (Reply(say.MEDIA), *reask(ctx, state, "")))
    if isinstance(event, Command):
        return command(ctx, state, event)
    if state.status is not Status.ACTIVE and state.pending not in {
        "pause_reason",
        "welcome_back",
        "shift",
        "confirm_forget",
        "confirm_restart",
        "consent",
    }:
        return welcome_back(ctx, state)
    away = state.last_seen is not None and ctx.now - state.last_seen > RETURN_AFTER
    if away and isinstance(event, Text) and state.pending not in CHECKIN_STAGES:
        return welcome_back(ctx, state)
    if isinstance(event, Choice):
        return _choice(ctx, state, event)
    return _text(ctx, state, event.text)


def _choice(ctx: Ctx, state: DialogState, event: Choice) -> Outcome:
    if event.choice_id == "person" and ctx.counselors:
        return start_handoff(ctx, state)
    valid = {o.id for o in pending_options(ctx, state)}
    if event.choice_id not in valid:
        return Outcome(state, reask(ctx, state, say.MOVED_ON))
    return _answer(ctx, state, event.choice_id)


def _answer(ctx: Ctx, state: DialogState, option_id: str) -> Outcome:
    state = replace(state, no_match=0)
    if state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question is not None:
            return answer_intake(ctx, state, question, (option_id,))
    stage = STAGES.get(state.pending or "")
    if stage is None:
        return Outcome(state, (idle(ctx, state),))
    return stage.answer(ctx, state, option_id)


def _candidates(ctx: Ctx, state: DialogState) -> list[Candidate]:
    if state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question is not None:
            extra = [Candidate("done", say.THATS_ALL, ("done", "that's all", "finished"))]
            base = [Candidate(c.id, c.label, c.synonyms) for c in question.choices]
            return base + (extra if question.kind is Kind.MULTI else [])
    stage = STAGES.get(state.pending or "")
    synonyms = stage.synonyms(ctx, state) if stage and stage.synonyms else {}
    return [Candidate(o.id, o.label, synonyms.get(o.id, ())) for o in pending_options(ctx, state)]


def _text(ctx: Ctx, state: DialogState, raw: str) -> Outcome:
    text = raw[:MAX_TEXT]
    lead: tuple[Reply, ...] = (Reply(say.TOO_LONG),) if len(raw) > MAX_TEXT else ()
    if not normalize(text):
        return Outcome(state, (*lead, Reply(say.EMPTY), *reask(ctx, state, "")))
    if state.pending is None and state.phase is Phase.INTAKE and not state.answers:
        return Outcome(state).then(start_intake(ctx, state, ""))
    if _asks_why(text) and state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question and question.why:
            return Outcome(
                state, (*lead, Reply(say.WHY.format(why=question.why)), *reask(ctx, state))
            )
    if looks_like_question(text):
        found = answer_question(text, ctx.kb)
        if found is not None:
            return Outcome(state, (*lead, Reply(found.text), *reask(ctx, state)))
    step = _match_text(ctx, state, text)
    return Outcome(step.state, lead + step.replies, step.effects)


def _asks_why(text: str) -> bool:
    words = normalize(text)
    return words in {"why", "why?", "why do you ask", "why do you ask?", "why ask"}


def _as_yes_no(text: str, candidates: Sequence[Candidate]) -> Matched | None:
    """Everyday yes and no ("yep", "nah", "not really") for questions with yes/no choices."""
    ids = {c.id for c in candidates}
    if not {"yes", "no"} <= ids:
        return None
    said = match_yes_no(text)
    if said is None:
        return None
    return Matched(("yes" if said else "no",), 100.0)


def _match_text(ctx: Ctx, state: DialogState, text: str) -> Outcome:
    pending = state.pending or ""
    question = ctx.flow.question(pending[2:]) if pending.startswith("q:") else None
    if question is not None and question.kind is Kind.NUMBER:
        number = parse_number(text)
        if number is not None and 0 <= number <= 168:
            return answer_intake(ctx, state, question, (question.value_of(number).id,))
    candidates = _candidates(ctx, state)
    if not candidates:
        found = answer_question(text, ctx.kb)
        if found is not None:
            return Outcome(state, (Reply(found.text), idle(ctx, state)))
        return Outcome(state, (idle(ctx, state),))
    multi = question is not None and question.kind is Kind.MULTI
    result = match_choice(text, candidates, multi=multi)
    if not isinstance(result, Matched):
        result = _as_yes_no(text, candidates) or result
    if isinstance(result, Matched):
        state = replace(state, no_match=0)
        if question is not None:
            return answer_intake(ctx, state, question, result.ids, typed=True)
        return _answer(ctx, state, result.ids[0])
    found = answer_question(text, ctx.kb)
    if found is not None:
        return Outcome(state, (Reply(found.text), *reask(ctx, state)))
    if isinstance(result, Ambiguous):
        labels = {c.id: c.label for c in candidates}
        options = tuple(Option(i, labels[i]) for i in result.options if i in labels)
        return Outcome(state, (Reply(say.DID_YOU_MEAN, options),))
    assert isinstance(result, NoMatch)
    state = replace(state, no_match=state.no_match + 1)
    reply = ask_pending(ctx, state)
    choices = reply.choices if reply else ()
    listing = "\n".join(f"{i}. {o.label}" for i, o in enumerate(choices, 1))
    text_out = f"{say.NOT_UNDERSTOOD}\n{listing}" if listing else say.NOT_UNDERSTOOD
    if state.no_match >= 2 and ctx.counselors:  # two misses in a row: offer a person
        choices = (*choices, Option("person", say.TALK_TO_PERSON))
    return Outcome(state, (Reply(text_out, choices),))


STAGES.update(
    {
        "pick": Stage(ask_pick, answer_pick, pick_synonyms),
        "goal": Stage(ask_goal, answer_goal, goal_synonyms),
        "plan_ok": Stage(ask_plan_ok, answer_plan_ok, plan_synonyms),
        "cadence": Stage(ask_cadence, answer_cadence, cadence_synonyms),
        "checkin_time": Stage(ask_checkin_time, answer_checkin_time, checkin_time_synonyms),
        "checkin": Stage(ask_checkin, answer_checkin, checkin_synonyms),
        "stuck": Stage(ask_stuck, answer_stuck, stuck_synonyms),
        "stuck_next": Stage(ask_stuck_next, answer_stuck_next),
        "shift": Stage(ask_shift, answer_shift),
        "change": Stage(ask_change, answer_change),
        "pause_reason": Stage(ask_pause, answer_pause),
        "welcome_back": Stage(ask_welcome_back, answer_welcome_back),
        "consent": Stage(ask_consent, answer_consent, consent_synonyms),
        "confirm_restart": Stage(
            lambda c, s: ask_confirm(say.RESTART_ASK), answer_restart, yes_no_synonyms
        ),
        "confirm_forget": Stage(
            lambda c, s: ask_confirm(say.FORGET_ASK), answer_forget, yes_no_synonyms
        ),
    }
)
