"""Phase 1, intake and assessment: the flow file's questions, asked and answered."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome, ask_question, reask
from dialogs.flow import Kind, Question
from dialogs.languages import welcome_options, welcome_text
from dialogs.pages import with_option
from dialogs.recommendations import to_recommendations
from dialogs.state import (
    DialogState,
    Reply,
)
from dialogs.undo import after_intake, change_option, say_back


def answer_intake(
    ctx: Ctx, state: DialogState, question: Question, ids: Sequence[str], *, typed: bool = False
) -> Outcome:
    if question.kind is Kind.MULTI:
        return _answer_multi(ctx, state, question, ids, typed=typed)
    choice = question.choice(ids[0])
    if choice is None:
        return Outcome(state, reask(ctx, state, say.MOVED_ON))
    value: str | int = choice.value if question.kind is Kind.NUMBER and choice.value else choice.id
    state = state.with_answer(question.id, value)
    return _after_answer(ctx, state, question, say_back(question, (choice.label,)))


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
        reply = ask_question(question, state)
        return Outcome(state, (Reply(say.PICK_MORE.format(added=added), reply.choices),))
    if not chosen:
        chosen = ["none"] if question.choice("none") else []
    answers = {k: v for k, v in state.answers.items() if k != partial_key}
    state = replace(state, answers={**answers, question.id: tuple(chosen)})
    return _after_answer(
        ctx,
        state,
        question,
        say_back(question, [c.label for c in question.choices if c.id in chosen]),
    )


def _after_answer(ctx: Ctx, state: DialogState, question: Question, ack: str) -> Outcome:
    """Say the answer back, then ask the next question (or recommend); the Change button rides
    on the next message with buttons, so a turn still sends one message."""
    replies = (Reply(ack),)
    nxt = ctx.flow.next_question(state.answers, after=question.id)
    nxt = nxt or ctx.flow.next_question(state.answers)
    if nxt is not None:
        state = replace(state, pending=f"q:{nxt.id}")
        done = Outcome(state, (*replies, ask_question(nxt, state)))
    else:
        done = after_intake(ctx, state, replies)
    return replace(done, replies=with_option(done.replies, change_option(question)))


REFERRAL = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a Telegram deep-link payload may hold: anything else is not an agency's code."""


def referral_code(arg: str) -> str:
    """The referral code from `/start <code>` (lowercased), or "" for text that is not one."""
    arg = arg.strip()
    return arg.lower() if REFERRAL.fullmatch(arg) else ""


def start_intake(ctx: Ctx, state: DialogState, referral: str) -> Outcome:
    if referral and not state.referral:
        state = replace(state, referral=referral_code(referral))
    first = ctx.flow.next_question(state.answers)
    if first is None:
        return to_recommendations(ctx, state)
    state = replace(state, pending=f"q:{first.id}")
    welcome = Reply(welcome_text(), welcome_options(state))
    return Outcome(state, (welcome, ask_question(first, state)))
