"""Phase 5, plan development: the milestones, agreeing them, and when to check in.

The milestones themselves are built by pure logic in `dialogs.plan`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from dialogs import i18n
from dialogs import messages as say
from dialogs.core import Ctx, Outcome, chosen_pathway, reask
from dialogs.i18n import N_, _, ngettext
from dialogs.pages import paged
from dialogs.plan import build_plan, months_between, part_time, shift_plan
from dialogs.state import (
    Attachment,
    DialogState,
    Milestone,
    Option,
    Phase,
    Reply,
    ScheduleCheckin,
)

CADENCES = {"weekly": 7, "biweekly": 14, "monthly": 30}


CADENCE_LABELS = {
    "weekly": N_("Every week"),
    "biweekly": N_("Every 2 weeks"),
    "monthly": N_("Every month"),
}


CHECKIN_HOURS = (
    (9, N_("Morning (9 am)")),
    (12, N_("Noon")),
    (15, N_("Afternoon (3 pm)")),
    (18, N_("Evening (6 pm)")),
)


def to_plan(ctx: Ctx, state: DialogState) -> Outcome:
    pathway = chosen_pathway(ctx, state)
    entry = state.entry_step or 1
    milestones = build_plan(pathway, ctx.kb.process, entry, state.goals, state.answers, ctx.today)
    state = replace(state, phase=Phase.PLAN, milestones=milestones, pending="plan_ok")
    return show_plan(ctx, state, after=(ask_plan_ok(ctx, state),))


def show_plan(
    ctx: Ctx, state: DialogState, before: tuple[Reply, ...] = (), after: tuple[Reply, ...] = ()
) -> Outcome:
    """The plan a screen at a time (More for the rest), its picture and calendar, then `after`."""
    files = (
        Reply("", attachment=Attachment("roadmap")),
        Reply("", attachment=Attachment("calendar")),
    )
    pages = ["\n".join(plan_lines(ctx, state))]
    state, replies = paged(state, pages, (*files, *after), ctx.kb.glossary)
    return Outcome(state, (*before, *replies))


def when(milestone: Milestone, today: date | None = None) -> str:
    """'Now', 'Next' (no set length yet), 'Dec 2027', or 'Dec 2026 to Dec 2027'."""
    if milestone.timeframe == say.NOW and not milestone.done:
        return say.PLAN_NOW
    if milestone.begins < milestone.target:
        return f"{milestone.begins:%b %Y} to {milestone.target:%b %Y}"
    if today is not None and milestone.target <= today and not milestone.done:
        return say.PLAN_NEXT
    return f"{milestone.target:%b %Y}"


def plan_lines(ctx: Ctx, state: DialogState) -> list[str]:
    """The plan in words: each milestone with its dates, how long, where; then the timeline."""
    pathway = chosen_pathway(ctx, state)
    made = state.plan_made_on or ctx.today
    lines = [say.PLAN_INTRO]
    items = state.milestones
    last_of_step = {m.step: i for i, m in enumerate(items)}
    for i, m in enumerate(items):
        tick = "✓ " if m.done else ""
        lines.append(f"{tick}{when(m, made)}  {m.title}")
        if m.timeframe and m.timeframe not in {say.NOW, say.NO_LENGTH}:
            lines.append(say.PLAN_HOW_LONG.format(timeframe=m.timeframe))
        if m.action and m.action != m.title:
            first, *more = m.action.split("\n")  # "Where:", then a line for each school
            lines += [f"   {first}", *(f"     {line}" for line in more)]
        shown = pathway.step(m.step).shown_requirements if m.step <= len(pathway.steps) else ()
        if last_of_step[m.step] == i and shown and m.step > 1:
            lines.append(say.PLAN_ALSO.format(step=m.step, needs=", ".join(shown)))
    lines += timeline_lines(state, made)
    nxt = state.current_milestone
    if nxt and nxt.action and len(items) > 1:
        lines.append("")
        lines.append(say.NEXT_ACTION.format(action=f"{nxt.title}"))
    return lines


def timeline_lines(state: DialogState, today: date) -> list[str]:
    """The overall timeline, and the notes that keep it honest."""
    if not state.milestones:
        return []
    lines = [""]
    start = min(m.begins for m in state.milestones)
    end = max(m.target for m in state.milestones)
    months = months_between(min(start, today), end)
    if months <= 0:
        lines.append(say.PLAN_OVERALL_NOW)
    else:
        span = f"{months} months" if months < 24 else f"{months // 12} years"
        if months >= 24 and months % 12:
            span = f"{months // 12} years and {months % 12} months"
        lines.append(say.PLAN_OVERALL.format(start=f"{start:%b %Y}", end=f"{end:%b %Y}", span=span))
    if any(m.timeframe == say.NO_LENGTH for m in state.milestones):
        lines.append(say.PLAN_NO_LENGTH)
    if part_time(state.answers):
        lines.append(say.PLAN_PART_TIME.format(hours=state.answers.get("hours")))
    if state.answers.get("job_now") == "yes":
        lines.append(say.PLAN_UNSKILLED)
    return lines


def moved_text(months: int) -> str:
    """'OK. I moved your dates 1 month later.' (3 months, in the person's language)."""
    return ngettext(
        "OK. I moved your dates {months} month later.",
        "OK. I moved your dates {months} months later.",
        months,
    ).format(months=months)


def ask_plan_ok(ctx: Ctx, state: DialogState) -> Reply:
    options = (
        Option("plan:yes", say.PLAN_YES),
        Option("plan:slower", say.PLAN_SLOWER),
        Option("plan:goal", say.PLAN_GOAL),
    )
    return Reply(say.PLAN_OK, options)


def plan_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "plan:yes": ("yes", "ok", "good", "fine", "great", "looks good", "perfect"),
        "plan:slower": ("more time", "slower", "too fast", "later", "longer"),
        "plan:goal": ("change goal", "other goal", "different goal"),
    }


def answer_plan_ok(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "plan:slower":
        state = replace(state, milestones=shift_plan(state.milestones, 3))
        moved = Reply(moved_text(3))
        return show_plan(ctx, state, (moved,), (ask_plan_ok(ctx, state),))
    if option == "plan:goal":
        state = replace(state, phase=Phase.GOALS, pending="goal")
        return Outcome(state, reask(ctx, state, ""))
    state = replace(state, pending="cadence", plan_made_on=state.plan_made_on or ctx.today)
    return Outcome(state, (ask_cadence(ctx, state),))


def ask_cadence(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.CADENCE_ASK, tuple(Option(f"cad:{k}", v) for k, v in CADENCE_LABELS.items()))


def cadence_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "cad:weekly": ("weekly", "every week", "once a week", "7 days", "week"),
        "cad:biweekly": ("every two weeks", "2 weeks", "biweekly", "every other week", "fortnight"),
        "cad:monthly": ("monthly", "every month", "once a month", "month"),
    }


def answer_cadence(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    key = option.removeprefix("cad:")
    state = replace(state, cadence_days=CADENCES[key], unanswered=0)
    if state.checkin_hour is None:
        state = replace(state, pending="checkin_time")
        return Outcome(state, (ask_checkin_time(ctx, state),))
    return _start_checkins(ctx, state)


def _start_checkins(ctx: Ctx, state: DialogState) -> Outcome:
    days = state.cadence_days or CADENCES["biweekly"]
    label = _(next(CADENCE_LABELS[k] for k, v in CADENCES.items() if v == days))
    due = ctx.now + timedelta(days=days)
    state = replace(state, phase=Phase.ENGAGED, pending=None, unanswered=0)
    text = say.CADENCE_SET.format(cadence=label.lower(), date=i18n.weekday_date(due))
    return Outcome(state, (Reply(text),), (ScheduleCheckin(due),))


def ask_checkin_time(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(say.TIME_ASK, tuple(Option(f"hour:{h}", label) for h, label in CHECKIN_HOURS))


def checkin_time_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "hour:9": ("morning", "9", "9am", "early", "am"),
        "hour:12": ("noon", "midday", "lunch", "12"),
        "hour:15": ("afternoon", "3", "3pm", "after school"),
        "hour:18": ("evening", "6", "6pm", "night", "after work", "pm"),
    }


def answer_checkin_time(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    state = replace(state, checkin_hour=int(option.removeprefix("hour:")))
    return _start_checkins(ctx, state)
