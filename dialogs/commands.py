"""Slash commands: /start, /help, /progress, /plan, /mydata and the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs import i18n, localize
from dialogs import messages as say
from dialogs.core import Ctx, Outcome, phase_pending, reask, resume_prompt
from dialogs.engagement import (
    answer_change,
    answer_welcome_back,
    ask_change,
    ask_exit,
    ask_pause,
    welcome_back,
)
from dialogs.flow import Flow
from dialogs.handoff import answer_lines, start_handoff
from dialogs.intake import referral_code, start_intake
from dialogs.languages import language_named, language_options
from dialogs.matching import (
    normalize,
)
from dialogs.plan import retitled
from dialogs.planning import ask_cadence, show_plan
from dialogs.selection import show_comparison
from dialogs.state import (
    CancelCheckins,
    Command,
    DialogState,
    ForgetUser,
    Option,
    Phase,
    Reply,
    Status,
)
from dialogs.undo import step_back
from knowledge.model import Knowledge

PROGRESS_WIDTH = 10


def command(ctx: Ctx, state: DialogState, event: Command) -> Outcome:
    name = normalize(event.name).lstrip("/").split("@")[0]
    handler = COMMANDS.get(name)
    if handler is None:
        return Outcome(state, (Reply(say.UNKNOWN_COMMAND), *reask(ctx, state, "")))
    return handler(ctx, state, event.arg)


def _cmd_start(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.answers and state.phase is Phase.INTAKE:
        return start_intake(ctx, state, arg)
    if arg and not state.referral:
        state = replace(state, referral=referral_code(arg))
    return welcome_back(ctx, state)


def _cmd_language(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    named = language_named(arg) if arg else None
    if named is None and arg.strip().lower() in i18n.LANGUAGES:
        named = arg.strip().lower()
    if named is not None:
        return choose_language(ctx, state, named)
    return Outcome(state, (Reply(i18n.gettext(say.LANGUAGE_ASK), language_options(state)),))


def choose_language(ctx: Ctx, state: DialogState, code: str) -> Outcome:
    """Speak `code` from now on; say so in it and ask the open question again, in it."""
    if code == "?":  # "Other language": the whole list
        return _cmd_language(ctx, state, "")
    state = replace(state, language=i18n.resolve(code))
    ctx = replace(
        ctx,
        kb=localize.knowledge(ctx.kb, state.language),
        flow=localize.flow(ctx.flow, state.language),
    )
    with i18n.use(state.language):
        if state.milestones and state.pathway_id:  # the plan's words in the new language too
            pathway = ctx.kb.pathway(state.pathway_id)
            entry, goals = state.entry_step or 1, state.goals
            items = retitled(pathway, ctx.kb.process, entry, goals, state.answers, state.milestones)
            state = replace(state, milestones=items)
        if state.pending is None and state.phase is Phase.INTAKE and not state.answers:
            return Outcome(state, (Reply(i18n.gettext(say.LANGUAGE_SET)),)).then(
                start_intake(ctx, state, "")
            )
        return Outcome(state, (Reply(i18n.gettext(say.LANGUAGE_SET)), *reask(ctx, state, "")))


def _cmd_help(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return Outcome(state, (Reply(say.HELP), *reask(ctx, state)))


def _cmd_progress(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.milestones or not state.pathway_id:
        return Outcome(state, (Reply(say.NO_PLAN), *reask(ctx, state)))
    return Outcome(state, (progress_reply(ctx.kb, state), *reask(ctx, state)))


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
        say.PROGRESS.format(step=current, total=total, title=pathway.step(current).name, bar=bar),
        say.PROGRESS_DONE.format(done=done, total=len(state.milestones)),
    ]
    if nxt:
        lines.append(
            say.PROGRESS_NEXT.format(milestone=nxt.title, date=i18n.month_year(nxt.target))
        )
    if current < total:
        now_pay, next_pay = pathway.step(current).pay, pathway.step(current + 1).pay
        if next_pay:
            now = now_pay.text() if now_pay else "no pay yet"
            lines.append(say.DONE_PAY.format(now=now, step=current + 1, next=next_pay.text_both()))
    return Reply("\n".join(lines))


def _cmd_plan(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.milestones:
        return Outcome(state, (Reply(say.NO_PLAN), *reask(ctx, state)))
    return show_plan(ctx, state, after=reask(ctx, state))


def _cmd_pathways(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return show_comparison(ctx, state, reask(ctx, state))


def _cmd_change(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if not state.pathway_id:
        return Outcome(state, (Reply(say.NO_PLAN), *reask(ctx, state)))
    state = replace(state, pending="change")
    return Outcome(state, (ask_change(ctx, state),))


def _cmd_leave(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="exit_reason")
    return Outcome(state, (ask_exit(ctx, state),))


def ask_menu(ctx: Ctx, state: DialogState) -> Reply:
    """On the way with nothing asked: what the person can do next (never a dead end)."""
    return Reply(
        say.ENGAGED_IDLE,
        (
            Option("menu:progress", say.MENU_PROGRESS),
            Option("menu:plan", say.MENU_PLAN),
            Option("menu:goal", say.MENU_GOAL),
            Option("menu:pathway", say.MENU_PATHWAY),
            Option("menu:leave", say.LEAVE),
        ),
    )


def menu_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "menu:progress": ("progress", "how am i doing", "how far"),
        "menu:plan": ("plan", "my plan", "show plan"),
        "menu:goal": ("goal", "change goal", "change my goal", "new goal"),
        "menu:pathway": ("pathway", "change pathway", "change my pathway", "other pathway"),
        "menu:leave": ("leave", "quit", "exit", "leave the pathway", "stop"),
    }


def answer_menu(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "menu:progress":
        return _cmd_progress(ctx, state, "")
    if option == "menu:plan":
        return _cmd_plan(ctx, state, "")
    if option == "menu:goal":
        return answer_change(ctx, state, "ch:goal")
    if option == "menu:pathway":
        return answer_change(ctx, state, "ch:pathway")
    return _cmd_leave(ctx, state, "")


def _cmd_pause(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="pause_reason")
    return Outcome(state, (ask_pause(ctx, state),))


def _cmd_resume(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    if state.status is Status.ACTIVE and state.pending != "pause_reason":
        return Outcome(state, (Reply(say.NOT_PAUSED), *reask(ctx, state, "")))
    return answer_welcome_back(ctx, state, "wb:continue")


def _cmd_restart(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="confirm_restart")
    return Outcome(state, (ask_confirm(say.RESTART_ASK),))


def _cmd_forget(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    state = replace(state, pending="confirm_forget")
    return Outcome(state, (ask_confirm(say.FORGET_ASK),))


def ask_confirm(text: str) -> Reply:
    return Reply(text, (Option("yes", say.YES), Option("no", say.NO)))


def yes_no_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "yes": ("yes", "yep", "yeah", "sure", "ok", "do it", "y"),
        "no": ("no", "nope", "nah", "cancel", "don't", "n", "stop"),
    }


def answer_restart(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option != "yes":
        state = replace(state, pending=phase_pending(ctx, state))
        return Outcome(state, (Reply(say.KEPT),)).then(resume_prompt(ctx, state))
    fresh = DialogState(version=state.version, referral=state.referral, started_on=ctx.today)
    return Outcome(fresh, (Reply(say.RESTART_DONE),), (CancelCheckins(),)).then(
        start_intake(ctx, fresh, "")
    )


def answer_forget(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option != "yes":
        state = replace(state, pending=phase_pending(ctx, state))
        return Outcome(state, (Reply(say.KEPT),)).then(resume_prompt(ctx, state))
    return Outcome(DialogState(version=state.version), (Reply(say.FORGOTTEN),), (ForgetUser(),))


def _cmd_mydata(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return Outcome(state, (Reply(mydata_text(ctx.kb, ctx.flow, state)), *reask(ctx, state)))


def mydata_text(kb: Knowledge, flow: Flow, state: DialogState) -> str:
    """Everything the state holds about the user, in readable lines."""
    lines = [say.MYDATA_INTRO]
    lines += [f"- {line}" for line in answer_lines(flow, state)]
    if state.pathway_id:
        lines.append(f"- Pathway: {kb.pathway(state.pathway_id).name}, step {state.entry_step}")
    for m in state.milestones:
        lines.append(f"- {'✓ ' if m.done else ''}{i18n.day_month_year(m.target)}: {m.title}")
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
        return Outcome(state, (Reply(say.NO_PLAN), *reask(ctx, state)))
    state = replace(state, pending="cadence")
    return Outcome(state, (ask_cadence(ctx, state),))


def _cmd_counselor(ctx: Ctx, state: DialogState, arg: str) -> Outcome:
    return start_handoff(ctx, state)


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
    "back": lambda ctx, state, arg: step_back(ctx, state),
    "undo": lambda ctx, state, arg: step_back(ctx, state),
    "language": _cmd_language,
    "leave": _cmd_leave,
}
