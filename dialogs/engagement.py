"""Phase 6, pathway engagement: check-ins, stuck, moving dates, change, pause, welcome back."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dialogs import i18n
from dialogs import messages as say
from dialogs.core import (
    Ctx,
    Outcome,
    ask_question,
    chosen_pathway,
    phase_pending,
    resume_prompt,
)
from dialogs.goals import ask_goal
from dialogs.handoff import start_handoff, summary_lines
from dialogs.i18n import N_, _, ngettext
from dialogs.plan import follow_finish, shift_plan
from dialogs.planning import CADENCES, moved_text, show_plan
from dialogs.recommend import education_of
from dialogs.recommendations import to_recommendations
from dialogs.state import (
    CancelCheckins,
    CheckinDue,
    DialogState,
    Effect,
    Option,
    Phase,
    Reply,
    ScheduleCheckin,
    Status,
)
from knowledge.model import Education

RETURN_AFTER = timedelta(days=30)
"""A user silent this long is greeted with 'Welcome back' and a summary."""


REMINDER_AFTER = timedelta(days=2)


QUIET_AFTER_CHAT = timedelta(days=1)
"""No check-in prompt within a day of the user's last message."""


BACKOFF = timedelta(days=30)


MAX_UNANSWERED = 3


SHIFTS = {"shift1": 1, "shift3": 3, "shift6": 6}


CHECKIN_STAGES = frozenset({"checkin", "stuck", "stuck_next", "shift"})


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


CHECKIN_OPTIONS = (
    ("ci:done", N_("Done!")),
    ("ci:working", N_("Still working on it")),
    ("ci:stuck", N_("I'm stuck")),
    ("ci:change", N_("Change my plan")),
    ("ci:pause", N_("Pause")),
    ("ci:tomorrow", N_("Ask me tomorrow")),
    ("ci:week", N_("Ask me next week")),
)


STUCK_OPTIONS = (
    ("stuck:money", N_("Money")),
    ("stuck:time", N_("Time")),
    ("stuck:childcare", N_("Childcare")),
    ("stuck:transport", N_("Getting there")),
    ("stuck:course", N_("Course full or not there")),
    ("stuck:job", N_("I lost my job")),
    ("stuck:health", N_("Health")),
    ("stuck:other", N_("Something else")),
)


def checkin_due(ctx: Ctx, state: DialogState, event: CheckinDue) -> Outcome:
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
    prompt = ask_checkin(ctx, state)
    text = template.format(milestone=milestone.title, date=i18n.month_year(milestone.target))
    if unanswered == 1:
        nxt = ScheduleCheckin(ctx.now + REMINDER_AFTER, "reminder", milestone.id)
    else:
        nxt = ScheduleCheckin(ctx.now + BACKOFF, "checkin", milestone.id)
    return Outcome(state, (Reply(text, prompt.choices),), (nxt,))


def ask_checkin(ctx: Ctx, state: DialogState) -> Reply:
    milestone = state.current_milestone
    title = milestone.title if milestone else ""
    return Reply(
        _("How is it going?\n{milestone}").format(milestone=title),
        tuple(Option(i, label) for i, label in CHECKIN_OPTIONS),
    )


def checkin_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "ci:done": ("done", "finished", "i did it", "completed", "yes"),
        "ci:working": ("working", "still working", "in progress", "going ok", "good", "fine"),
        "ci:stuck": ("stuck", "help", "problem", "not good", "bad", "hard"),
        "ci:change": ("change", "change plan", "new plan"),
        "ci:pause": ("pause", "stop", "break", "take a break"),
        "ci:tomorrow": ("tomorrow", "later"),
        "ci:week": ("next week", "in a week"),
    }


def answer_checkin(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    state = replace(state, unanswered=0)
    if option == "ci:done":
        return _milestone_done(ctx, state)
    if option == "ci:working":
        due, effect = _next_checkin(ctx, state)
        state = replace(state, pending=None)
        return Outcome(state, (Reply(say.WORKING.format(date=i18n.weekday_date(due))),), (effect,))
    if option == "ci:stuck":
        state = replace(state, pending="stuck")
        return Outcome(state, (ask_stuck(ctx, state),))
    if option == "ci:change":
        state = replace(state, pending="change")
        return Outcome(state, (ask_change(ctx, state),))
    if option == "ci:pause":
        state = replace(state, pending="pause_reason")
        return Outcome(state, (ask_pause(ctx, state),))
    days = 1 if option == "ci:tomorrow" else 7
    due = ctx.now + timedelta(days=days)
    milestone = state.current_milestone
    effect = ScheduleCheckin(due, "snooze", milestone.id if milestone else None)
    state = replace(state, pending=None)
    return Outcome(state, (Reply(say.SNOOZED.format(date=i18n.weekday_date(due))),), (effect,))


def _milestone_done(ctx: Ctx, state: DialogState) -> Outcome:
    milestone = state.current_milestone
    if milestone is None:
        return Outcome(replace(state, pending=None), (Reply(say.ALL_DONE),))
    done = replace(milestone, done_on=ctx.today)
    marked = tuple(done if m.id == milestone.id else m for m in state.milestones)
    dated = follow_finish(marked, milestone, ctx.today)
    state = replace(state, milestones=dated, pending=None)
    replies = [Reply(say.DONE.format(milestone=milestone.title.rstrip(".")))]
    if dated != marked:
        replies.append(Reply(say.DATES_FOLLOW))
    pathway = chosen_pathway(ctx, state)
    nxt = state.current_milestone
    if nxt is None:
        replies.append(Reply(say.ALL_DONE))
        return Outcome(state, tuple(replies), (CancelCheckins(),))
    replies.append(
        Reply(say.DONE_NEXT.format(milestone=nxt.title, date=i18n.month_year(nxt.target)))
    )
    now_pay = pathway.step(milestone.step).pay
    next_pay = pathway.step(nxt.step).pay
    if now_pay and next_pay and nxt.step > milestone.step:
        replies.append(
            Reply(say.DONE_PAY.format(now=now_pay.text(), step=nxt.step, next=next_pay.text_both()))
        )
    _, effect = _next_checkin(ctx, state)
    return Outcome(state, tuple(replies), (effect,))


def ask_stuck(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.STUCK_ASK, tuple(Option(i, label) for i, label in STUCK_OPTIONS))


def stuck_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
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


def answer_stuck(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    reason = option.removeprefix("stuck:")
    pathway = chosen_pathway(ctx, state)
    process = ctx.kb.process
    replies: list[Reply] = []
    if reason in {"job", "money"}:
        skills = ", ".join(s.lower() for s in process.work_readiness_skills)
        jobs = "\n".join(f"• {job}" for job in process.unskilled_jobs)  # one a line
        replies.append(Reply(say.STUCK_WORK.format(jobs=jobs, skills=skills)))
    if reason in {"money", "time", "childcare", "transport", "other"}:
        need = _(dict(STUCK_OPTIONS).get(option, N_("help"))).lower()
        replies.append(Reply(say.STUCK_SUPPORT.format(need=need)))
    if reason == "course":
        milestone = state.current_milestone
        step = pathway.step(milestone.step if milestone else state.entry_step or 1)
        names = "; ".join(r.text() for r in step.resources) or _("ask Adult Education")
        replies.append(Reply(say.STUCK_COURSE.format(resources=names)))
        if step.number > 3:
            replies.append(Reply(say.STUCK_SHORTER))
    if reason == "health":
        replies.append(Reply(say.STUCK_HEALTH))
    state = replace(state, pending="stuck_next", pause_reason=reason)
    return Outcome(state, (*replies, ask_stuck_next(ctx, state)))


def ask_stuck_next(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.STUCK_NEXT,
        (
            Option("sn:move", say.MOVE_DATE),
            Option("sn:keep", say.KEEP_DATE),
            Option("sn:pause", N_("Pause my plan")),
            Option("sn:person", N_("Talk to a person")),
        ),
    )


def answer_stuck_next(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "sn:move":
        state = replace(state, pending="shift")
        return Outcome(state, (ask_shift(ctx, state),))
    if option == "sn:pause":
        state = replace(state, pending="pause_reason")
        return Outcome(state, (ask_pause(ctx, state),))
    if option == "sn:person":
        return start_handoff(ctx, replace(state, pending=None))
    due, effect = _next_checkin(ctx, state)
    state = replace(state, pending=None)
    return Outcome(state, (Reply(say.WORKING.format(date=i18n.weekday_date(due))),), (effect,))


def ask_shift(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.SHIFT_ASK,
        tuple(
            Option(f"shift{n}", ngettext("{n} month", "{n} months", n).format(n=n))
            for n in (1, 3, 6)
        ),
    )


def answer_shift(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    months = SHIFTS[option]
    state = replace(
        state, milestones=shift_plan(state.milestones, months), status=Status.ACTIVE, pending=None
    )
    moved = (Reply(moved_text(months)),)
    if state.phase is Phase.ENGAGED:
        _, effect = _next_checkin(ctx, state)
        shown = show_plan(ctx, state, moved)
        return Outcome(shown.state, shown.replies, (effect,))
    state = replace(state, pending=phase_pending(ctx, state))
    return show_plan(ctx, state, moved, resume_prompt(ctx, state).replies)


def ask_change(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.CHANGE_ASK,
        (
            Option("ch:pathway", say.CHANGE_PATHWAY),
            Option("ch:goal", say.CHANGE_GOAL),
            Option("ch:leave", say.LEAVE),
            Option("ch:cancel", say.CHANGE_CANCEL),
        ),
    )


def answer_change(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "ch:pathway":
        return to_recommendations(ctx, replace(state, status=Status.ACTIVE))
    if option == "ch:goal" and state.pathway_id:
        state = replace(state, phase=Phase.GOALS, pending="goal", status=Status.ACTIVE)
        return Outcome(state, (ask_goal(ctx, state),))
    if option == "ch:leave":
        state = replace(state, pending="exit_reason")
        return Outcome(state, (ask_exit(ctx, state),))
    state = replace(state, pending=phase_pending(ctx, state))
    return resume_prompt(ctx, state)


# ---- exit and re-entry ------------------------------------------------------------------------

EXIT_OPTIONS = (
    ("exit:job", "I got a job"),
    ("exit:moving", "I am moving"),
    ("exit:family", "Family"),
    ("exit:health", "Health"),
    ("exit:goal", "My goal changed"),
    ("exit:other", "Something else"),
)
CHANGED_OPTIONS = (
    ("changed:job", "A new job"),
    ("changed:credential", "A new certificate or finished course"),
    ("changed:school", "A new degree or diploma"),
    ("changed:nothing", "Nothing changed"),
)
CHANGED_ASKS = {
    "changed:job": ("experience",),
    "changed:credential": ("credential",),
    "changed:school": ("school", "degree_field", "credential"),
}
"""Which intake answers each change asks again (the rest of the answers are kept)."""


def ask_exit(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.EXIT_ASK, tuple(Option(i, label) for i, label in EXIT_OPTIONS))


def exit_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "exit:job": ("job", "got a job", "new job", "hired", "working now"),
        "exit:moving": ("moving", "move", "moving away", "new town"),
        "exit:family": ("family", "kids", "baby", "parents"),
        "exit:health": ("health", "sick", "ill", "hospital"),
        "exit:goal": ("goal changed", "changed my mind", "different career", "new goal"),
        "exit:other": ("other", "something else"),
    }


def answer_exit(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    """Leave the pathway: the reason kept for the figures, check-ins stopped, the way back said."""
    reason = option.removeprefix("exit:")
    state = replace(state, status=Status.EXITED, pause_reason=reason, pending=None)
    lead = say.EXIT_JOB if reason == "job" else say.EXIT_THANKS
    return Outcome(state, (Reply(f"{lead}\n{say.EXITED}"),), (CancelCheckins(),))


def ask_changed(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.CHANGED_ASK, tuple(Option(i, label) for i, label in CHANGED_OPTIONS))


def changed_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "changed:job": ("job", "new job", "work", "hired"),
        "changed:credential": ("certificate", "cert", "course", "class", "credential"),
        "changed:school": ("degree", "diploma", "ged", "graduated", "school"),
        "changed:nothing": ("nothing", "no", "same", "nothing changed"),
    }


def answer_changed(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    """Coming back: ask again what changed, then the entry step and the plan are made anew."""
    forget = CHANGED_ASKS.get(option, ())
    answers = {k: v for k, v in state.answers.items() if k not in forget}
    if option == "changed:credential" and education_of(answers) < Education.CREDENTIAL:
        answers["school"] = "credential"
    state = replace(
        state,
        status=Status.ACTIVE,
        pause_reason="",
        unanswered=0,
        answers=answers,
        phase=Phase.INTAKE,
        plan_made_on=None,
    )
    if forget:
        question = ctx.flow.question(forget[0])
        if question is not None:
            state = replace(state, pending=f"q:{question.id}")
            return Outcome(state, (Reply(say.REPLAN), ask_question(question, state)))
    return Outcome(state, (Reply(say.REPLAN),)).then(to_recommendations(ctx, state))


PAUSE_OPTIONS = (
    ("pause:work", N_("Work")),
    ("pause:family", N_("Family")),
    ("pause:health", N_("Health")),
    ("pause:money", N_("Money")),
    ("pause:other", N_("Other")),
)


def ask_pause(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.PAUSE_ASK, tuple(Option(i, label) for i, label in PAUSE_OPTIONS))


def answer_pause(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    reason = option.removeprefix("pause:")
    state = replace(state, status=Status.PAUSED, pause_reason=reason, pending=None)
    return Outcome(state, (Reply(say.PAUSED),), (CancelCheckins(),))


def welcome_back(ctx: Ctx, state: DialogState) -> Outcome:
    lines = [say.WELCOME_BACK, *summary_lines(ctx, state)]
    if state.status is Status.EXITED:
        state = replace(state, pending="what_changed")
        return Outcome(state, (Reply("\n".join(lines)), ask_changed(ctx, state)))
    if state.phase is Phase.INTAKE and state.status is Status.ACTIVE:
        pending = phase_pending(ctx, state)
        state = replace(state, pending=pending)
        return Outcome(state, (Reply("\n".join(lines)),)).then(resume_prompt(ctx, state))
    state = replace(state, pending="welcome_back")
    return Outcome(state, (Reply("\n".join(lines)), ask_welcome_back(ctx, state)))


def ask_welcome_back(ctx: Ctx, state: DialogState) -> Reply:
    options = [Option("wb:continue", say.CONTINUE)]
    if state.milestones:
        options.append(Option("wb:dates", say.CHANGE_DATES))
    if state.pathway_id:
        options.append(Option("wb:change", say.CHANGE_PLAN))
    return Reply(say.RESUME_ASK, tuple(options))


def answer_welcome_back(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "wb:dates":
        state = replace(state, pending="shift")
        return Outcome(state, (ask_shift(ctx, state),))
    if option == "wb:change":
        state = replace(state, pending="change", status=Status.ACTIVE)
        return Outcome(state, (ask_change(ctx, state),))
    state = replace(state, status=Status.ACTIVE, pause_reason="", unanswered=0)
    state = replace(state, pending=phase_pending(ctx, state))
    effects: tuple[Effect, ...] = ()
    if state.phase is Phase.ENGAGED:
        _, effect = _next_checkin(ctx, state)
        effects = (effect,)
    return Outcome(state, (Reply(say.RESUMED),), effects).then(resume_prompt(ctx, state))
