"""The dialog engine: `handle(state, event, now) -> Turn`, pure, for every input.

Each pending question has a *stage*: how to ask it (text and buttons) and what an answer does.
Intake questions come from the flow file; the computed stages (recommendations, goals, plan,
check-ins, pause and re-entry) are below, one function each, and the table `STAGES` at the
bottom maps every pending id to its stage.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from dialogs import messages as say
from dialogs.flow import Flow, Kind, Question, intake_flow
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
from dialogs.plan import build_goals, build_plan, job_names, shift_plan
from dialogs.questions import answer_question, looks_like_question
from dialogs.recommend import entry_step, recommend
from dialogs.state import (
    Attachment,
    CancelCheckins,
    CheckinDue,
    Choice,
    CloseHandoff,
    Command,
    CounselorMessage,
    DialogState,
    Effect,
    Event,
    ForgetUser,
    Handback,
    Media,
    Option,
    Phase,
    RelayToCounselor,
    Reply,
    RequestHandoff,
    ScheduleCheckin,
    Status,
    Text,
    Turn,
    clip_history,
)
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge, Pathway

MAX_TEXT = 2000
"""Longer messages are cut to this many characters before they are read."""
RETURN_AFTER = timedelta(days=30)
"""A user silent this long is greeted with 'Welcome back' and a summary."""
REMINDER_AFTER = timedelta(days=2)
QUIET_AFTER_CHAT = timedelta(days=1)
"""No check-in prompt within a day of the user's last message."""
BACKOFF = timedelta(days=30)
MAX_UNANSWERED = 3
CADENCES = {"weekly": 7, "biweekly": 14, "monthly": 30}
CADENCE_LABELS = {"weekly": "Every week", "biweekly": "Every 2 weeks", "monthly": "Every month"}
SHIFTS = {"shift1": 1, "shift3": 3, "shift6": 6}
CHECKIN_HOURS = (
    (9, "Morning (9 am)"),
    (12, "Noon"),
    (15, "Afternoon (3 pm)"),
    (18, "Evening (6 pm)"),
)
PROGRESS_WIDTH = 10
CHECKIN_STAGES = frozenset({"checkin", "stuck", "stuck_next", "shift"})


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


# ---- entry point ------------------------------------------------------------------------------


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
        retry = _ask_pending(ctx, state)
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
        return _checkin_due(ctx, state, event)
    if isinstance(event, CounselorMessage):
        return Outcome(state, (Reply(say.COUNSELOR_SAYS.format(text=event.text[:MAX_TEXT])),))
    if isinstance(event, Handback):
        return _handback(ctx, state)
    if state.handed_off and _for_counselor(ctx, state, event):
        return _relay(ctx, state, event)
    if isinstance(event, Media):
        return Outcome(state, (Reply(say.MEDIA), *_reask(ctx, state, "")))
    if isinstance(event, Command):
        return _command(ctx, state, event)
    if state.status is not Status.ACTIVE and state.pending not in {
        "pause_reason",
        "welcome_back",
        "shift",
        "confirm_forget",
        "confirm_restart",
        "consent",
    }:
        return _welcome_back(ctx, state)
    away = state.last_seen is not None and ctx.now - state.last_seen > RETURN_AFTER
    if away and isinstance(event, Text) and state.pending not in CHECKIN_STAGES:
        return _welcome_back(ctx, state)
    if isinstance(event, Choice):
        return _choice(ctx, state, event)
    return _text(ctx, state, event.text)


# ---- asking and answering -------------------------------------------------------------------


def _options(ctx: Ctx, state: DialogState) -> tuple[Option, ...]:
    reply = _ask_pending(ctx, state)
    return reply.choices if reply else ()


def _ask_pending(ctx: Ctx, state: DialogState) -> Reply | None:
    """The current question again, with its buttons (None when nothing is pending)."""
    if state.pending is None:
        return None
    if state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        return _ask_question(question, state) if question else None
    stage = STAGES.get(state.pending)
    return stage.ask(ctx, state) if stage else None


def _ask_question(question: Question, state: DialogState) -> Reply:
    options = tuple(Option(c.id, c.label) for c in question.choices)
    if question.kind is Kind.MULTI:
        chosen = state.answers.get(f"{question.id}.partial", ())
        picked = chosen if isinstance(chosen, tuple) else ()
        options = tuple(o for o in options if o.id not in picked)
        if picked:
            options = (*options, Option("done", say.THATS_ALL))
    return Reply(question.text, options)


def _reask(ctx: Ctx, state: DialogState, lead: str = say.BACK_TO) -> tuple[Reply, ...]:
    reply = _ask_pending(ctx, state)
    if reply is None:
        return (_idle(ctx, state),)
    text = f"{lead}\n{reply.text}" if lead else reply.text
    return (Reply(text, reply.choices, reply.attachment),)


def _choice(ctx: Ctx, state: DialogState, event: Choice) -> Outcome:
    if event.choice_id == "person" and ctx.counselors:
        return _handoff(ctx, state)
    valid = {o.id for o in _options(ctx, state)}
    if event.choice_id not in valid:
        return Outcome(state, _reask(ctx, state, say.MOVED_ON))
    return _answer(ctx, state, event.choice_id)


def _answer(ctx: Ctx, state: DialogState, option_id: str) -> Outcome:
    state = replace(state, no_match=0)
    if state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question is not None:
            return _answer_question(ctx, state, question, (option_id,))
    stage = STAGES.get(state.pending or "")
    if stage is None:
        return Outcome(state, (_idle(ctx, state),))
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
    return [Candidate(o.id, o.label, synonyms.get(o.id, ())) for o in _options(ctx, state)]


def _text(ctx: Ctx, state: DialogState, raw: str) -> Outcome:
    text = raw[:MAX_TEXT]
    lead: tuple[Reply, ...] = (Reply(say.TOO_LONG),) if len(raw) > MAX_TEXT else ()
    if not normalize(text):
        return Outcome(state, (*lead, Reply(say.EMPTY), *_reask(ctx, state, "")))
    if state.pending is None and state.phase is Phase.INTAKE and not state.answers:
        return Outcome(state).then(_start(ctx, state, ""))
    if _asks_why(text) and state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question and question.why:
            return Outcome(
                state, (*lead, Reply(say.WHY.format(why=question.why)), *_reask(ctx, state))
            )
    if looks_like_question(text):
        found = answer_question(text, ctx.kb)
        if found is not None:
            return Outcome(state, (*lead, Reply(found.text), *_reask(ctx, state)))
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
            return _answer_question(ctx, state, question, (question.value_of(number).id,))
    candidates = _candidates(ctx, state)
    if not candidates:
        found = answer_question(text, ctx.kb)
        if found is not None:
            return Outcome(state, (Reply(found.text), _idle(ctx, state)))
        return Outcome(state, (_idle(ctx, state),))
    multi = question is not None and question.kind is Kind.MULTI
    result = match_choice(text, candidates, multi=multi)
    if not isinstance(result, Matched):
        result = _as_yes_no(text, candidates) or result
    if isinstance(result, Matched):
        state = replace(state, no_match=0)
        if question is not None:
            return _answer_question(ctx, state, question, result.ids, typed=True)
        return _answer(ctx, state, result.ids[0])
    found = answer_question(text, ctx.kb)
    if found is not None:
        return Outcome(state, (Reply(found.text), *_reask(ctx, state)))
    if isinstance(result, Ambiguous):
        labels = {c.id: c.label for c in candidates}
        options = tuple(Option(i, labels[i]) for i in result.options if i in labels)
        return Outcome(state, (Reply(say.DID_YOU_MEAN, options),))
    assert isinstance(result, NoMatch)
    state = replace(state, no_match=state.no_match + 1)
    reply = _ask_pending(ctx, state)
    choices = reply.choices if reply else ()
    listing = "\n".join(f"{i}. {o.label}" for i, o in enumerate(choices, 1))
    text_out = f"{say.NOT_UNDERSTOOD}\n{listing}" if listing else say.NOT_UNDERSTOOD
    if state.no_match >= 2 and ctx.counselors:  # two misses in a row: offer a person
        choices = (*choices, Option("person", say.TALK_TO_PERSON))
    return Outcome(state, (Reply(text_out, choices),))


# ---- intake -----------------------------------------------------------------------------------


def _answer_question(
    ctx: Ctx, state: DialogState, question: Question, ids: Sequence[str], *, typed: bool = False
) -> Outcome:
    if question.kind is Kind.MULTI:
        return _answer_multi(ctx, state, question, ids, typed=typed)
    choice = question.choice(ids[0])
    if choice is None:
        return Outcome(state, _reask(ctx, state, say.MOVED_ON))
    value: str | int = choice.value if question.kind is Kind.NUMBER and choice.value else choice.id
    state = state.with_answer(question.id, value)
    ack = question.ack.format(answer=choice.label) if question.ack else ""
    return _after_answer(ctx, state, question, ack)


def _answer_multi(
    ctx: Ctx, state: DialogState, question: Question, ids: Sequence[str], *, typed: bool
) -> Outcome:
    partial_key = f"{question.id}.partial"
    partial = state.answers.get(partial_key, ())
    chosen = list(partial) if isinstance(partial, tuple) else []
    finished = typed or "done" in ids or "none" in ids
    for i in ids:
        if i != "done" and i not in chosen and question.choice(i):
            chosen.append(i)
    if "none" in chosen and len(chosen) > 1:
        chosen.remove("none")
    if not finished:
        state = state.with_answer(partial_key, tuple(chosen))
        added = question.labels([i for i in ids if i != "done"])
        reply = _ask_question(question, state)
        return Outcome(state, (Reply(say.PICK_MORE.format(added=added), reply.choices),))
    if not chosen:
        chosen = ["none"] if question.choice("none") else []
    answers = {k: v for k, v in state.answers.items() if k != partial_key}
    state = replace(state, answers={**answers, question.id: tuple(chosen)})
    ack = question.ack.format(answer=question.labels(chosen)) if question.ack else ""
    return _after_answer(ctx, state, question, ack)


def _after_answer(ctx: Ctx, state: DialogState, question: Question, ack: str) -> Outcome:
    replies = (Reply(ack),) if ack else ()
    nxt = ctx.flow.next_question(state.answers, after=question.id)
    nxt = nxt or ctx.flow.next_question(state.answers)
    if nxt is not None:
        state = replace(state, pending=f"q:{nxt.id}")
        return Outcome(state, (*replies, _ask_question(nxt, state)))
    return Outcome(state, replies).then(_to_recommendations(ctx, state))


REFERRAL = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a Telegram deep-link payload may hold: anything else is not an agency's code."""


def referral_code(arg: str) -> str:
    """The referral code from `/start <code>` (lowercased), or "" for text that is not one."""
    arg = arg.strip()
    return arg.lower() if REFERRAL.fullmatch(arg) else ""


def _start(ctx: Ctx, state: DialogState, referral: str) -> Outcome:
    if referral and not state.referral:
        state = replace(state, referral=referral_code(referral))
    first = ctx.flow.next_question(state.answers)
    if first is None:
        return _to_recommendations(ctx, state)
    state = replace(state, pending=f"q:{first.id}")
    return Outcome(state, (Reply(say.WELCOME), _ask_question(first, state)))


# ---- phases 2 and 3: recommendations and selection --------------------------------------------


def _to_recommendations(ctx: Ctx, state: DialogState) -> Outcome:
    state = replace(state, phase=Phase.RECOMMEND, pending="pick")
    lines = [say.RECOMMEND_INTRO]
    for n, rec in enumerate(recommend(ctx.kb, ctx.flow, state.answers), 1):
        lines.append("")
        lines.append(f"{n}. {rec.pathway.name}")
        lines.extend(f"   {r}" for r in rec.reasons)
        lines.extend(f"   ⚠ {c}" for c in rec.cautions)
        lines.extend(f"   {line}" for line in _step_lines(rec.pathway, rec.entry_step))
    return Outcome(state, (Reply("\n".join(lines)), _ask_pick(ctx, state)))


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


def _ask_pick(ctx: Ctx, state: DialogState) -> Reply:
    ranked = recommend(ctx.kb, ctx.flow, state.answers)
    options = [
        Option(f"pick:{r.pathway.id}", say.CHOOSE.format(name=r.pathway.short_name)) for r in ranked
    ]
    return Reply(say.PICK_PATHWAY, (*options, Option("compare", say.COMPARE)))


def _pick_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    found = {f"pick:{p.id}": (p.name, p.short_name, *p.synonyms) for p in ctx.kb.pathways}
    found["compare"] = ("compare", "both", "side by side", "difference", "not sure")
    return found


def _answer_pick(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "compare":
        return Outcome(state, (_comparison(ctx), _ask_pick(ctx, state)))
    pathway = ctx.kb.pathway(option.removeprefix("pick:"))
    entry = entry_step(pathway, state.answers)
    state = replace(state, pathway_id=pathway.id, entry_step=entry, phase=Phase.SELECT)
    first = Reply(say.CHOSEN.format(name=pathway.name))
    return Outcome(state, (first,)).then(_to_goals(ctx, state))


def _comparison(ctx: Ctx) -> Reply:
    lines = [say.COMPARE_INTRO]
    for pathway in ctx.kb.pathways:
        lines.append("")
        lines.append(pathway.name)
        for step in pathway.steps:
            pay = f" - {step.pay.text_both()}" if step.pay else ""
            jobs = f": {job_names(step, 2)}" if step.jobs else ""
            lines.append(f"  {step.number}. {step.title}{jobs}{pay}")
    return Reply("\n".join(lines), attachment=Attachment("comparison"))


# ---- phase 4: goals ---------------------------------------------------------------------------


def _pathway(ctx: Ctx, state: DialogState) -> Pathway:
    return ctx.kb.pathway(state.pathway_id or ctx.kb.pathways[0].id)


def _to_goals(ctx: Ctx, state: DialogState) -> Outcome:
    pathway = _pathway(ctx, state)
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
        return Outcome(state, (Reply("\n".join(lines)), _ask_goal(ctx, state)))
    top = pathway.step(entry)
    pay = top.pay.text() if top.pay else ""
    lines.append(say.GOAL_TOP.format(jobs=job_names(top), pay=pay))
    state = replace(state, goals=goals)
    return Outcome(state, (Reply("\n".join(lines)),)).then(_to_plan(ctx, state))


def _ask_goal(ctx: Ctx, state: DialogState) -> Reply:
    pathway = _pathway(ctx, state)
    entry = state.entry_step or 1
    options = []
    for step in pathway.steps:
        if step.number > entry and step.jobs:
            pay = f", {step.pay.text()}" if step.pay else ""
            options.append(
                Option(f"goal:{step.number}", f"Step {step.number}: {job_names(step, 2)}{pay}")
            )
    return Reply(say.GOAL_LONG_ASK, tuple(options))


def _goal_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    pathway = _pathway(ctx, state)
    return {
        f"goal:{s.number}": (f"step {s.number}", *(j.title for j in s.jobs)) for s in pathway.steps
    }


def _answer_goal(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    pathway = _pathway(ctx, state)
    long_step = int(option.removeprefix("goal:"))
    goals = build_goals(pathway, ctx.kb.process, state.entry_step or 1, long_step, state.answers)
    return _to_plan(ctx, replace(state, goals=goals))


# ---- phase 5: the plan ------------------------------------------------------------------------


def _to_plan(ctx: Ctx, state: DialogState) -> Outcome:
    pathway = _pathway(ctx, state)
    entry = state.entry_step or 1
    milestones = build_plan(pathway, ctx.kb.process, entry, state.goals, state.answers, ctx.today)
    state = replace(state, phase=Phase.PLAN, milestones=milestones, pending="plan_ok")
    return Outcome(state, (*_plan_replies(ctx, state), _ask_plan_ok(ctx, state)))


def _plan_replies(ctx: Ctx, state: DialogState) -> tuple[Reply, ...]:
    lines = [say.PLAN_INTRO]
    for m in state.milestones:
        tick = "✓ " if m.done else ""
        lines.append(f"{tick}{m.target:%b %Y}  {m.title}")
    nxt = state.current_milestone
    if nxt and nxt.action:
        lines.append("")
        lines.append(say.NEXT_ACTION.format(action=nxt.action))
    summary = "\n".join(lines)
    return (
        Reply(summary),
        Reply("", attachment=Attachment("roadmap")),
        Reply("", attachment=Attachment("calendar")),
    )


def _ask_plan_ok(ctx: Ctx, state: DialogState) -> Reply:
    options = (
        Option("plan:yes", say.PLAN_YES),
        Option("plan:slower", say.PLAN_SLOWER),
        Option("plan:goal", say.PLAN_GOAL),
    )
    return Reply(say.PLAN_OK, options)


def _plan_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "plan:yes": ("yes", "ok", "good", "fine", "great", "looks good", "perfect"),
        "plan:slower": ("more time", "slower", "too fast", "later", "longer"),
        "plan:goal": ("change goal", "other goal", "different goal"),
    }


def _answer_plan_ok(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "plan:slower":
        state = replace(state, milestones=shift_plan(state.milestones, 3))
        moved = Reply(say.PLAN_MOVED.format(months=3))
        return Outcome(state, (moved, *_plan_replies(ctx, state), _ask_plan_ok(ctx, state)))
    if option == "plan:goal":
        state = replace(state, phase=Phase.GOALS, pending="goal")
        return Outcome(state, (_ask_goal(ctx, state),))
    state = replace(state, pending="cadence", plan_made_on=state.plan_made_on or ctx.today)
    return Outcome(state, (_ask_cadence(ctx, state),))


def _ask_cadence(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.CADENCE_ASK, tuple(Option(f"cad:{k}", v) for k, v in CADENCE_LABELS.items()))


def _cadence_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "cad:weekly": ("weekly", "every week", "once a week", "7 days", "week"),
        "cad:biweekly": ("every two weeks", "2 weeks", "biweekly", "every other week", "fortnight"),
        "cad:monthly": ("monthly", "every month", "once a month", "month"),
    }


def _answer_cadence(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    key = option.removeprefix("cad:")
    state = replace(state, cadence_days=CADENCES[key], unanswered=0)
    if state.checkin_hour is None:
        state = replace(state, pending="checkin_time")
        return Outcome(state, (_ask_checkin_time(ctx, state),))
    return _start_checkins(ctx, state)


def _start_checkins(ctx: Ctx, state: DialogState) -> Outcome:
    days = state.cadence_days or CADENCES["biweekly"]
    label = next(CADENCE_LABELS[k] for k, v in CADENCES.items() if v == days)
    due = ctx.now + timedelta(days=days)
    state = replace(state, phase=Phase.ENGAGED, pending=None, unanswered=0)
    text = say.CADENCE_SET.format(cadence=label.lower(), date=f"{due:%a %d %b}")
    return Outcome(state, (Reply(text),), (ScheduleCheckin(due),))


def _ask_checkin_time(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.TIME_ASK, tuple(Option(f"hour:{h}", label) for h, label in CHECKIN_HOURS))


def _checkin_time_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "hour:9": ("morning", "9", "9am", "early", "am"),
        "hour:12": ("noon", "midday", "lunch", "12"),
        "hour:15": ("afternoon", "3", "3pm", "after school"),
        "hour:18": ("evening", "6", "6pm", "night", "after work", "pm"),
    }


def _answer_checkin_time(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    state = replace(state, checkin_hour=int(option.removeprefix("hour:")))
    return _start_checkins(ctx, state)


def next_checkin(state: DialogState, now: datetime) -> ScheduleCheckin:
    """The next check-in the user's cadence calls for from `now` (sooner if a target is near)."""
    due = now + timedelta(days=state.cadence_days or CADENCES["biweekly"])
    milestone = state.current_milestone
    if milestone is not None:
        target = datetime.combine(milestone.target, now.timetz())
        if now < target < due:
            due = target  # a milestone date that comes sooner than the cadence pulls it in
    return ScheduleCheckin(due, milestone_id=milestone.id if milestone else None)


def _next_checkin(ctx: Ctx, state: DialogState) -> tuple[datetime, ScheduleCheckin]:
    effect = next_checkin(state, ctx.now)
    return effect.due, effect


def _idle(ctx: Ctx, state: DialogState) -> Reply:
    if state.status is Status.PAUSED:
        return Reply(say.PAUSED_NOTE)
    return Reply(say.ENGAGED_IDLE)


# ---- phase 6: check-ins -----------------------------------------------------------------------

CHECKIN_OPTIONS = (
    ("ci:done", "Done!"),
    ("ci:working", "Still working on it"),
    ("ci:stuck", "I'm stuck"),
    ("ci:change", "Change my plan"),
    ("ci:pause", "Pause"),
    ("ci:tomorrow", "Ask me tomorrow"),
    ("ci:week", "Ask me next week"),
)
STUCK_OPTIONS = (
    ("stuck:money", "Money"),
    ("stuck:time", "Time"),
    ("stuck:childcare", "Childcare"),
    ("stuck:transport", "Getting there"),
    ("stuck:course", "Course full or not there"),
    ("stuck:job", "I lost my job"),
    ("stuck:health", "Health"),
    ("stuck:other", "Something else"),
)


def _checkin_due(ctx: Ctx, state: DialogState, event: CheckinDue) -> Outcome:
    if state.status is not Status.ACTIVE or state.phase is not Phase.ENGAGED:
        return Outcome(state)
    if state.handed_off:  # a counselor has the conversation: ask again a day later
        later = ScheduleCheckin(ctx.now + QUIET_AFTER_CHAT, event.kind, event.milestone_id)
        return Outcome(state, (), (later,))
    recent = state.last_seen is not None and ctx.now - state.last_seen < QUIET_AFTER_CHAT
    if recent and event.kind != "snooze":
        # They talked to the bot within the last day: no prompt now, try again a day later.
        return Outcome(state, (), (ScheduleCheckin(ctx.now + QUIET_AFTER_CHAT, event.kind),))
    milestone = state.current_milestone
    if milestone is None:
        return Outcome(replace(state, pending=None), (Reply(say.ALL_DONE),))
    if state.unanswered >= MAX_UNANSWERED:
        return Outcome(replace(state, pending=None), (Reply(say.CHECKIN_STOP),))
    unanswered = state.unanswered + 1
    state = replace(state, pending="checkin", unanswered=unanswered)
    template = say.REMINDER if event.kind == "reminder" else say.CHECKIN
    prompt = _ask_checkin(ctx, state)
    text = template.format(milestone=milestone.title, date=f"{milestone.target:%b %Y}")
    if unanswered == 1:
        nxt = ScheduleCheckin(ctx.now + REMINDER_AFTER, "reminder", milestone.id)
    else:
        nxt = ScheduleCheckin(ctx.now + BACKOFF, "checkin", milestone.id)
    return Outcome(state, (Reply(text, prompt.choices),), (nxt,))


def _ask_checkin(ctx: Ctx, state: DialogState) -> Reply:
    milestone = state.current_milestone
    title = milestone.title if milestone else ""
    return Reply(
        f"How is it going?\n{title}", tuple(Option(i, label) for i, label in CHECKIN_OPTIONS)
    )


def _checkin_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "ci:done": ("done", "finished", "i did it", "completed", "yes"),
        "ci:working": ("working", "still working", "in progress", "going ok", "good", "fine"),
        "ci:stuck": ("stuck", "help", "problem", "not good", "bad", "hard"),
        "ci:change": ("change", "change plan", "new plan"),
        "ci:pause": ("pause", "stop", "break", "take a break"),
        "ci:tomorrow": ("tomorrow", "later"),
        "ci:week": ("next week", "in a week"),
    }


def _answer_checkin(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    state = replace(state, unanswered=0)
    if option == "ci:done":
        return _milestone_done(ctx, state)
    if option == "ci:working":
        due, effect = _next_checkin(ctx, state)
        state = replace(state, pending=None)
        return Outcome(state, (Reply(say.WORKING.format(date=f"{due:%a %d %b}")),), (effect,))
    if option == "ci:stuck":
        state = replace(state, pending="stuck")
        return Outcome(state, (_ask_stuck(ctx, state),))
    if option == "ci:change":
        state = replace(state, pending="change")
        return Outcome(state, (_ask_change(ctx, state),))
    if option == "ci:pause":
        state = replace(state, pending="pause_reason")
        return Outcome(state, (_ask_pause(ctx, state),))
    days = 1 if option == "ci:tomorrow" else 7
    due = ctx.now + timedelta(days=days)
    milestone = state.current_milestone
    effect = ScheduleCheckin(due, "snooze", milestone.id if milestone else None)
    state = replace(state, pending=None)
    return Outcome(state, (Reply(say.SNOOZED.format(date=f"{due:%a %d %b}")),), (effect,))


def _milestone_done(ctx: Ctx, state: DialogState) -> Outcome:
    milestone = state.current_milestone
    if milestone is None:
        return Outcome(replace(state, pending=None), (Reply(say.ALL_DONE),))
    done = replace(milestone, done_on=ctx.today)
    state = replace(
        state,
        milestones=tuple(done if m.id == milestone.id else m for m in state.milestones),
        pending=None,
    )
    replies = [Reply(say.DONE.format(milestone=milestone.title))]
    pathway = _pathway(ctx, state)
    nxt = state.current_milestone
    if nxt is None:
        replies.append(Reply(say.ALL_DONE))
        return Outcome(state, tuple(replies), (CancelCheckins(),))
    replies.append(Reply(say.DONE_NEXT.format(milestone=nxt.title, date=f"{nxt.target:%b %Y}")))
    now_pay = pathway.step(milestone.step).pay
    next_pay = pathway.step(nxt.step).pay
    if now_pay and next_pay and nxt.step > milestone.step:
        replies.append(
            Reply(say.DONE_PAY.format(now=now_pay.text(), step=nxt.step, next=next_pay.text_both()))
        )
    _, effect = _next_checkin(ctx, state)
    return Outcome(state, tuple(replies), (effect,))


def _ask_stuck(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.STUCK_ASK, tuple(Option(i, label) for i, label in STUCK_OPTIONS))


def _stuck_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "stuck:money": ("money", "cash", "pay", "bills", "broke", "cost"),
        "stuck:time": ("time", "busy", "no time"),
        "stuck:childcare": ("kids", "child care", "childcare", "children", "baby"),
        "stuck:transport": ("car", "bus", "transport", "ride", "travel"),
        "stuck:course": ("course full", "class full", "no class", "course", "class"),
        "stuck:job": ("lost my job", "fired", "laid off", "no job", "unemployed"),
        "stuck:health": ("sick", "health", "hospital", "ill", "injury"),
        "stuck:other": ("other", "something else"),
    }


def _answer_stuck(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    reason = option.removeprefix("stuck:")
    pathway = _pathway(ctx, state)
    process = ctx.kb.process
    replies: list[Reply] = []
    if reason in {"job", "money"}:
        skills = ", ".join(s.lower() for s in process.work_readiness_skills)
        jobs = ", ".join(process.unskilled_jobs)
        replies.append(Reply(say.STUCK_WORK.format(jobs=jobs, skills=skills)))
    if reason in {"money", "time", "childcare", "transport", "other"}:
        need = dict(STUCK_OPTIONS).get(option, "help").lower()
        replies.append(Reply(say.STUCK_SUPPORT.format(need=need)))
    if reason == "course":
        milestone = state.current_milestone
        step = pathway.step(milestone.step if milestone else state.entry_step or 1)
        names = "; ".join(r.text() for r in step.resources) or "ask Adult Education"
        replies.append(Reply(say.STUCK_COURSE.format(resources=names)))
        if step.number > 3:
            replies.append(Reply(say.STUCK_SHORTER))
    if reason == "health":
        replies.append(Reply(say.STUCK_HEALTH))
    state = replace(state, pending="stuck_next", pause_reason=reason)
    return Outcome(state, (*replies, _ask_stuck_next(ctx, state)))


def _ask_stuck_next(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.STUCK_NEXT,
        (
            Option("sn:move", say.MOVE_DATE),
            Option("sn:keep", say.KEEP_DATE),
            Option("sn:pause", "Pause my plan"),
            Option("sn:person", "Talk to a person"),
        ),
    )


def _answer_stuck_next(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "sn:move":
        state = replace(state, pending="shift")
        return Outcome(state, (_ask_shift(ctx, state),))
    if option == "sn:pause":
        state = replace(state, pending="pause_reason")
        return Outcome(state, (_ask_pause(ctx, state),))
    if option == "sn:person":
        return _handoff(ctx, replace(state, pending=None))
    due, effect = _next_checkin(ctx, state)
    state = replace(state, pending=None)
    return Outcome(state, (Reply(say.WORKING.format(date=f"{due:%a %d %b}")),), (effect,))


def _ask_shift(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.SHIFT_ASK,
        (Option("shift1", "1 month"), Option("shift3", "3 months"), Option("shift6", "6 months")),
    )


def _answer_shift(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    months = SHIFTS[option]
    state = replace(
        state, milestones=shift_plan(state.milestones, months), status=Status.ACTIVE, pending=None
    )
    replies = (Reply(say.PLAN_MOVED.format(months=months)), *_plan_replies(ctx, state))
    if state.phase is Phase.ENGAGED:
        _, effect = _next_checkin(ctx, state)
        return Outcome(state, replies, (effect,))
    return Outcome(replace(state, pending=_phase_pending(ctx, state)), replies).then(
        _resume_prompt(ctx, state)
    )


# ---- change, pause, re-entry -----------------------------------------------------------------


def _ask_change(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.CHANGE_ASK,
        (
            Option("ch:pathway", say.CHANGE_PATHWAY),
            Option("ch:goal", say.CHANGE_GOAL),
            Option("ch:cancel", say.CHANGE_CANCEL),
        ),
    )


def _answer_change(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "ch:pathway":
        return _to_recommendations(ctx, replace(state, status=Status.ACTIVE))
    if option == "ch:goal" and state.pathway_id:
        state = replace(state, phase=Phase.GOALS, pending="goal", status=Status.ACTIVE)
        return Outcome(state, (_ask_goal(ctx, state),))
    state = replace(state, pending=_phase_pending(ctx, state))
    return _resume_prompt(ctx, state)


PAUSE_OPTIONS = (
    ("pause:work", "Work"),
    ("pause:family", "Family"),
    ("pause:health", "Health"),
    ("pause:money", "Money"),
    ("pause:other", "Other"),
)


def _ask_pause(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.PAUSE_ASK, tuple(Option(i, label) for i, label in PAUSE_OPTIONS))


def _answer_pause(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    reason = option.removeprefix("pause:")
    state = replace(state, status=Status.PAUSED, pause_reason=reason, pending=None)
    return Outcome(state, (Reply(say.PAUSED),), (CancelCheckins(),))


def _phase_pending(ctx: Ctx, state: DialogState) -> str | None:
    """The question that belongs to the user's phase (used when coming back)."""
    if state.phase is Phase.INTAKE:
        nxt = ctx.flow.next_question(state.answers)
        return f"q:{nxt.id}" if nxt else "pick"
    return {
        Phase.RECOMMEND: "pick",
        Phase.SELECT: "goal",
        Phase.GOALS: "goal",
        Phase.PLAN: "plan_ok" if state.plan_made_on is None else "cadence",
    }.get(state.phase)


def _summary(ctx: Ctx, state: DialogState) -> list[str]:
    lines = []
    if state.pathway_id:
        pathway = _pathway(ctx, state)
        lines.append(f"Pathway: {pathway.name}, starting at step {state.entry_step or 1}.")
    done = [m for m in state.milestones if m.done]
    if state.milestones:
        lines.append(f"Done: {len(done)} of {len(state.milestones)} milestones.")
        nxt = state.current_milestone
        if nxt:
            lines.append(f"Next: {nxt.title} (by {nxt.target:%b %Y}).")
    elif state.phase is Phase.INTAKE:
        answered = sum(1 for q in ctx.flow.questions if q.id in state.answers)
        lines.append(f"Questions answered: {answered}.")
    return lines


def _welcome_back(ctx: Ctx, state: DialogState) -> Outcome:
    lines = [say.WELCOME_BACK, *_summary(ctx, state)]
    if state.phase is Phase.INTAKE and state.status is Status.ACTIVE:
        pending = _phase_pending(ctx, state)
        state = replace(state, pending=pending)
        return Outcome(state, (Reply("\n".join(lines)),)).then(_resume_prompt(ctx, state))
    state = replace(state, pending="welcome_back")
    return Outcome(state, (Reply("\n".join(lines)), _ask_welcome_back(ctx, state)))


def _ask_welcome_back(ctx: Ctx, state: DialogState) -> Reply:
    options = [Option("wb:continue", say.CONTINUE)]
    if state.milestones:
        options.append(Option("wb:dates", say.CHANGE_DATES))
    if state.pathway_id:
        options.append(Option("wb:change", say.CHANGE_PLAN))
    return Reply(say.RESUME_ASK, tuple(options))


def _answer_welcome_back(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "wb:dates":
        state = replace(state, pending="shift")
        return Outcome(state, (_ask_shift(ctx, state),))
    if option == "wb:change":
        state = replace(state, pending="change", status=Status.ACTIVE)
        return Outcome(state, (_ask_change(ctx, state),))
    state = replace(state, status=Status.ACTIVE, pause_reason="", unanswered=0)
    state = replace(state, pending=_phase_pending(ctx, state))
    effects: tuple[Effect, ...] = ()
    if state.phase is Phase.ENGAGED:
        _, effect = _next_checkin(ctx, state)
        effects = (effect,)
    return Outcome(state, (Reply(say.RESUMED),), effects).then(_resume_prompt(ctx, state))


def _resume_prompt(ctx: Ctx, state: DialogState) -> Outcome:
    reply = _ask_pending(ctx, state)
    if reply is None:
        return Outcome(state, (_idle(ctx, state),))
    return Outcome(state, (reply,))


# ---- commands ---------------------------------------------------------------------------------


def _command(ctx: Ctx, state: DialogState, event: Command) -> Outcome:
    name = normalize(event.name).lstrip("/").split("@")[0]
    handler = COMMANDS.get(name)
    if handler is None:
        return Outcome(state, (Reply(say.UNKNOWN_COMMAND), *_reask(ctx, state, "")))
    return handler(ctx, state, event.arg)


def _cmd_start(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.answers and state.phase is Phase.INTAKE:
        return _start(ctx, state, arg)
    if arg and not state.referral:
        state = replace(state, referral=referral_code(arg))
    return _welcome_back(ctx, state)


def _cmd_help(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return Outcome(state, (Reply(say.HELP), *_reask(ctx, state)))


def _cmd_progress(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.milestones or not state.pathway_id:
        return Outcome(state, (Reply(say.NO_PLAN), *_reask(ctx, state)))
    return Outcome(state, (progress_reply(ctx.kb, state), *_reask(ctx, state)))


def progress_reply(kb: Knowledge, state: DialogState) -> Reply:
    """'Step 2 of 5' with a bar, milestones done, the next one and what the next step pays."""
    pathway = kb.pathway(state.pathway_id or kb.pathways[0].id)
    nxt = state.current_milestone
    current = max([m.step for m in state.milestones if m.done] + [state.entry_step or 1])
    total = len(pathway.steps)
    filled = round(PROGRESS_WIDTH * current / total)
    bar = "▓" * filled + "░" * (PROGRESS_WIDTH - filled)
    done = sum(1 for m in state.milestones if m.done)
    lines = [
        say.PROGRESS.format(step=current, total=total, title=pathway.step(current).title, bar=bar),
        say.PROGRESS_DONE.format(done=done, total=len(state.milestones)),
    ]
    if nxt:
        lines.append(say.PROGRESS_NEXT.format(milestone=nxt.title, date=f"{nxt.target:%b %Y}"))
    if current < total:
        now_pay, next_pay = pathway.step(current).pay, pathway.step(current + 1).pay
        if next_pay:
            now = now_pay.text() if now_pay else "no pay yet"
            lines.append(say.DONE_PAY.format(now=now, step=current + 1, next=next_pay.text_both()))
    return Reply("\n".join(lines))


def _cmd_plan(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.milestones:
        return Outcome(state, (Reply(say.NO_PLAN), *_reask(ctx, state)))
    return Outcome(state, (*_plan_replies(ctx, state), *_reask(ctx, state)))


def _cmd_pathways(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return Outcome(state, (_comparison(ctx), *_reask(ctx, state)))


def _cmd_change(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.pathway_id:
        return Outcome(state, (Reply(say.NO_PLAN), *_reask(ctx, state)))
    state = replace(state, pending="change")
    return Outcome(state, (_ask_change(ctx, state),))


def _cmd_pause(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="pause_reason")
    return Outcome(state, (_ask_pause(ctx, state),))


def _cmd_resume(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if state.status is Status.ACTIVE and state.pending != "pause_reason":
        return Outcome(state, (Reply(say.NOT_PAUSED), *_reask(ctx, state, "")))
    return _answer_welcome_back(ctx, state, "wb:continue")


def _cmd_restart(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="confirm_restart")
    return Outcome(state, (_ask_confirm(say.RESTART_ASK),))


def _cmd_forget(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="confirm_forget")
    return Outcome(state, (_ask_confirm(say.FORGET_ASK),))


def _ask_confirm(text: str) -> Reply:
    return Reply(text, (Option("yes", say.YES), Option("no", say.NO)))


def _yes_no_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "yes": ("yes", "yep", "yeah", "sure", "ok", "do it", "y"),
        "no": ("no", "nope", "nah", "cancel", "don't", "n", "stop"),
    }


def _answer_restart(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option != "yes":
        state = replace(state, pending=_phase_pending(ctx, state))
        return Outcome(state, (Reply(say.KEPT),)).then(_resume_prompt(ctx, state))
    fresh = DialogState(version=state.version, referral=state.referral, started_on=ctx.today)
    return Outcome(fresh, (Reply(say.RESTART_DONE),), (CancelCheckins(),)).then(
        _start(ctx, fresh, "")
    )


def _answer_forget(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option != "yes":
        state = replace(state, pending=_phase_pending(ctx, state))
        return Outcome(state, (Reply(say.KEPT),)).then(_resume_prompt(ctx, state))
    return Outcome(DialogState(version=state.version), (Reply(say.FORGOTTEN),), (ForgetUser(),))


def _cmd_mydata(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return Outcome(state, (Reply(mydata_text(ctx.kb, ctx.flow, state)), *_reask(ctx, state)))


def answer_lines(flow: Flow, state: DialogState) -> list[str]:
    """Each intake question the user answered, with their answer in words."""
    lines = []
    for question in flow.questions:
        value = state.answers.get(question.id)
        if value is None:
            continue
        ids = value if isinstance(value, tuple) else (str(value),)
        shown = question.labels(ids) if question.kind is not Kind.NUMBER else f"{value} hours"
        lines.append(f"{question.text} {shown}")
    return lines


def mydata_text(kb: Knowledge, flow: Flow, state: DialogState) -> str:
    """Everything the state holds about the user, in readable lines."""
    lines = [say.MYDATA_INTRO]
    lines += [f"- {line}" for line in answer_lines(flow, state)]
    if state.pathway_id:
        lines.append(f"- Pathway: {kb.pathway(state.pathway_id).name}, step {state.entry_step}")
    for m in state.milestones:
        lines.append(f"- {'✓ ' if m.done else ''}{m.target:%d %b %Y}: {m.title}")
    if state.referral:
        lines.append(f"- Referral code: {state.referral}")
    lines.append(f"- Status: {state.status.value}, phase: {state.phase.value}")
    lines.append(f"- Last messages kept: {len(state.history)}")
    lines.append(say.MYDATA_SHARED[state.share_consent])
    lines.append(say.MYDATA_AGENCY)
    lines.append(say.MYDATA_OUTRO)
    return "\n".join(lines)


def _cmd_checkins(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if state.plan_made_on is None:
        return Outcome(state, (Reply(say.NO_PLAN), *_reask(ctx, state)))
    state = replace(state, pending="cadence")
    return Outcome(state, (_ask_cadence(ctx, state),))


def _cmd_counselor(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return _handoff(ctx, state)


# ---- talking to a person ----------------------------------------------------------------------


def _handoff(ctx: Ctx, state: DialogState) -> Outcome:
    """Ask for a person: consent first (once), then the request goes to the counselor chat."""
    if not ctx.counselors:
        return Outcome(state, (Reply(say.NO_COUNSELOR), *_reask(ctx, state)))
    if state.handed_off:
        return Outcome(state, (Reply(say.HANDOFF_ALREADY, _back_option()),))
    if state.share_consent is None:
        state = replace(state, pending="consent", handoff_return=state.pending)
        return Outcome(state, (_ask_consent(ctx, state),))
    lines = handoff_summary(ctx, state) if state.share_consent else [say.HANDOFF_PRIVATE]
    state = replace(state, handed_off=True, no_match=0)
    reply = Reply(say.HANDOFF_SENT, _back_option())
    return Outcome(state, (reply,), (RequestHandoff("\n".join(lines)),))


def _back_option() -> tuple[Option, ...]:
    return (Option("back_to_bot", say.BACK_TO_BOT),)


def _ask_consent(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.HANDOFF_CONSENT, (Option("share_yes", say.SHARE_YES), Option("share_no", say.SHARE_NO))
    )


def _answer_consent(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    state = replace(
        state,
        share_consent=option == "share_yes",
        pending=state.handoff_return,
        handoff_return=None,
    )
    return _handoff(ctx, state)


def _consent_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "share_yes": ("yes", "ok", "okay", "sure", "share", "yes share"),
        "share_no": ("no", "don't", "do not", "not share", "private"),
    }


def handoff_summary(ctx: Ctx, state: DialogState) -> list[str]:
    """What the counselor sees when the user agreed: answers, plan and the last messages."""
    lines = [*answer_lines(ctx.flow, state), *_summary(ctx, state)]
    if state.status is not Status.ACTIVE:
        lines.append(f"Status: {state.status.value}. {state.pause_reason}".strip())
    if state.referral:
        lines.append(f"Referral code: {state.referral}")
    asking = (say.HANDOFF_CONSENT, "/counselor", "[share_", "[person]", "[sn:person]")
    said = [(who, text) for who, text in state.history if not text.startswith(asking)]
    recent = [f"{who}: {text}" for who, text in said[-6:]]
    if recent:
        lines += ["Last messages:", *recent]
    return lines or ["New user, no answers yet."]


def _for_counselor(ctx: Ctx, state: DialogState, event: Event) -> bool:
    """While handed off, what goes to the counselor: typing and media, not commands, not a tap
    on a current button (e.g. "Yes" to /forget), not a typed answer to a confirmation."""
    if isinstance(event, Command):
        return False
    if isinstance(event, Choice):
        return event.choice_id == "back_to_bot" or event.choice_id not in {
            o.id for o in _options(ctx, state)
        }
    return state.pending not in {"confirm_forget", "confirm_restart"}


def _relay(ctx: Ctx, state: DialogState, event: Event) -> Outcome:
    """While handed off, what the user writes goes to the counselor; the bot stays quiet."""
    if isinstance(event, Choice) and event.choice_id == "back_to_bot":
        state = replace(state, handed_off=False)
        return Outcome(
            state, (Reply(say.LEFT_HANDOFF), *_reask(ctx, state, "")), (CloseHandoff(by_user=True),)
        )
    if isinstance(event, Text):
        said = event.text[:MAX_TEXT]
    elif isinstance(event, Media):
        said = f"[{event.kind}]"
    else:
        said = f"[tapped a button: {event.choice_id if isinstance(event, Choice) else ''}]"
    return Outcome(state, (Reply(say.HANDOFF_WAIT, _back_option()),), (RelayToCounselor(said),))


def _handback(ctx: Ctx, state: DialogState) -> Outcome:
    """The counselor is done: back to the question that was open (nothing if not handed off)."""
    if not state.handed_off:
        return Outcome(state)
    state = replace(state, handed_off=False, no_match=0)
    return Outcome(state, (Reply(say.HANDED_BACK), *_reask(ctx, state, "")), (CloseHandoff(),))


COMMANDS: dict[str, Callable[[Ctx, DialogState, str], Outcome]] = {
    "start": _cmd_start,
    "help": _cmd_help,
    "progress": _cmd_progress,
    "plan": _cmd_plan,
    "pathways": _cmd_pathways,
    "change": _cmd_change,
    "pause": _cmd_pause,
    "resume": _cmd_resume,
    "restart": _cmd_restart,
    "mydata": _cmd_mydata,
    "forget": _cmd_forget,
    "counselor": _cmd_counselor,
    "checkins": _cmd_checkins,
}

STAGES: dict[str, Stage] = {
    "pick": Stage(_ask_pick, _answer_pick, _pick_synonyms),
    "goal": Stage(_ask_goal, _answer_goal, _goal_synonyms),
    "plan_ok": Stage(_ask_plan_ok, _answer_plan_ok, _plan_synonyms),
    "cadence": Stage(_ask_cadence, _answer_cadence, _cadence_synonyms),
    "checkin_time": Stage(_ask_checkin_time, _answer_checkin_time, _checkin_time_synonyms),
    "checkin": Stage(_ask_checkin, _answer_checkin, _checkin_synonyms),
    "stuck": Stage(_ask_stuck, _answer_stuck, _stuck_synonyms),
    "stuck_next": Stage(_ask_stuck_next, _answer_stuck_next),
    "shift": Stage(_ask_shift, _answer_shift),
    "change": Stage(_ask_change, _answer_change),
    "pause_reason": Stage(_ask_pause, _answer_pause),
    "welcome_back": Stage(_ask_welcome_back, _answer_welcome_back),
    "consent": Stage(_ask_consent, _answer_consent, _consent_synonyms),
    "confirm_restart": Stage(
        lambda c, s: _ask_confirm(say.RESTART_ASK), _answer_restart, _yes_no_synonyms
    ),
    "confirm_forget": Stage(
        lambda c, s: _ask_confirm(say.FORGET_ASK), _answer_forget, _yes_no_synonyms
    ),
}
