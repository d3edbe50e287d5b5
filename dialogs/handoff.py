"""Talking to a person: consent, the counselor's summary, relaying messages and handing back."""

from __future__ import annotations

from dataclasses import replace

from dialogs import i18n, localize
from dialogs import messages as say
from dialogs.core import MAX_TEXT, Ctx, Outcome, chosen_pathway, pending_options, reask
from dialogs.flow import Flow, Kind
from dialogs.state import (
    Choice,
    CloseHandoff,
    Command,
    DialogState,
    Event,
    Media,
    Option,
    Phase,
    RelayToCounselor,
    Reply,
    RequestHandoff,
    Status,
    Text,
)


def start_handoff(ctx: Ctx, state: DialogState) -> Outcome:
    """Ask for a person: consent first (once), then the request goes to the counselor chat."""
    if not ctx.counselors:
        return Outcome(state, (Reply(say.NO_COUNSELOR), *reask(ctx, state)))
    if state.handed_off:
        return Outcome(state, (Reply(say.HANDOFF_ALREADY, _back_option()),))
    if state.share_consent is None:
        state = replace(state, pending="consent", handoff_return=state.pending)
        return Outcome(state, (ask_consent(ctx, state),))
    lines = counselor_summary(ctx, state)
    state = replace(state, handed_off=True, no_match=0)
    reply = Reply(say.HANDOFF_SENT, _back_option())
    return Outcome(state, (reply,), (RequestHandoff("\n".join(lines)),))


def _back_option() -> tuple[Option, ...]:
    return (Option("back_to_bot", say.BACK_TO_BOT),)


def ask_consent(ctx: Ctx, state: DialogState) -> Reply:
    return Reply(
        say.HANDOFF_CONSENT, (Option("share_yes", say.SHARE_YES), Option("share_no", say.SHARE_NO))
    )


def answer_consent(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    state = replace(
        state,
        share_consent=option == "share_yes",
        pending=state.handoff_return,
        handoff_return=None,
    )
    return start_handoff(ctx, state)


def consent_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "share_yes": ("yes", "ok", "okay", "sure", "share", "yes share"),
        "share_no": ("no", "don't", "do not", "not share", "private"),
    }


def counselor_summary(ctx: Ctx, state: DialogState) -> list[str]:
    """What the counselor reads: in English whatever the person reads, their language named."""
    english = replace(ctx, kb=localize.english(ctx.kb), flow=localize.english(ctx.flow))
    with i18n.use(i18n.DEFAULT):
        lines = handoff_summary(english, state) if state.share_consent else [say.HANDOFF_PRIVATE]
    if state.language != i18n.DEFAULT:
        name = i18n.language(state.language).english_name
        lines.insert(0, f"Language: {name}. The person reads {name}; their messages are in it.")
    return lines


def handoff_summary(ctx: Ctx, state: DialogState) -> list[str]:
    """What the counselor sees when the user agreed: answers, plan and the last messages."""
    lines = [*answer_lines(ctx.flow, state), *summary_lines(ctx, state)]
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


def for_counselor(ctx: Ctx, state: DialogState, event: Event) -> bool:
    """While handed off, what goes to the counselor: typing and media, not commands, not a tap
    on a current button (e.g. "Yes" to /forget), not a typed answer to a confirmation."""
    if isinstance(event, Command):
        return False
    if isinstance(event, Choice):
        return event.choice_id == "back_to_bot" or event.choice_id not in {
            o.id for o in pending_options(ctx, state)
        }
    return state.pending not in {"confirm_forget", "confirm_restart"}


def relay(ctx: Ctx, state: DialogState, event: Event) -> Outcome:
    """While handed off, what the user writes goes to the counselor; the bot stays quiet."""
    if isinstance(event, Choice) and event.choice_id == "back_to_bot":
        state = replace(state, handed_off=False)
        return Outcome(
            state, (Reply(say.LEFT_HANDOFF), *reask(ctx, state, "")), (CloseHandoff(by_user=True),)
        )
    if isinstance(event, Text):
        said = event.text[:MAX_TEXT]
    elif isinstance(event, Media):
        said = f"[{event.kind}]"
    else:
        said = f"[tapped a button: {event.choice_id if isinstance(event, Choice) else ''}]"
    return Outcome(state, (Reply(say.HANDOFF_WAIT, _back_option()),), (RelayToCounselor(said),))


def handback(ctx: Ctx, state: DialogState) -> Outcome:
    """The counselor is done: back to the question that was open (nothing if not handed off)."""
    if not state.handed_off:
        return Outcome(state)
    state = replace(state, handed_off=False, no_match=0)
    return Outcome(state, (Reply(say.HANDED_BACK), *reask(ctx, state, "")), (CloseHandoff(),))


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


def summary_lines(ctx: Ctx, state: DialogState) -> list[str]:
    lines = []
    if state.pathway_id:
        pathway = chosen_pathway(ctx, state)
        lines.append(f"Pathway: {pathway.name}, starting at step {state.entry_step or 1}.")
    done = [m for m in state.milestones if m.done]
    if state.milestones:
        lines.append(f"Done: {len(done)} of {len(state.milestones)} milestones.")
        nxt = state.current_milestone
        if nxt:
            lines.append(f"Next: {nxt.title} (by {i18n.month_year(nxt.target)}).")
    elif state.phase is Phase.INTAKE:
        answered = sum(1 for q in ctx.flow.questions if q.id in state.answers)
        lines.append(f"Questions answered: {answered}.")
    return lines
