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
    Option,
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
    if not chosen:  # "That's all" before any pick, where there is no "None" to stand for it
        return Outcome(state, reask(ctx, state, say.PICK_ONE))
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
    done = _next(ctx, state, question, (Reply(ack),))
    return replace(done, replies=with_option(done.replies, change_option(question)))


def _next(ctx: Ctx, state: DialogState, last: Question, replies: tuple[Reply, ...]) -> Outcome:
    """After the answers said back in `replies`: the next open question, or what follows intake."""
    nxt = ctx.flow.next_question(state.answers, after=last.id)
    nxt = nxt or ctx.flow.next_question(state.answers)
    if nxt is None:
        return after_intake(ctx, state, replies)
    state = replace(state, pending=f"q:{nxt.id}")
    return Outcome(state, (*replies, ask_question(nxt, state)))


def answer_several(
    ctx: Ctx, state: DialogState, taken: Sequence[tuple[Question, Sequence[str]]]
) -> Outcome:
    """One message answered several questions (the one asked, then later ones): record each,
    say each back, and give each its own Change button."""
    if len(taken) == 1:
        question, ids = taken[0]
        return answer_intake(ctx, state, question, ids, typed=True)
    replies: list[Reply] = []
    changes: list[Option] = []
    for question, ids in taken:
        state, labels = record_typed(state, question, ids)
        replies.append(Reply(say_back(question, labels)))
        changes.append(Option(change_option(question).id, _change_label(labels)))
    done = _next(ctx, state, taken[0][0], tuple(replies))  # the first open one after
    out = done.replies
    for change in changes:
        out = with_option(out, change)
    return replace(done, replies=out)


CHANGE_LABEL_CHARS = 28
"""A Change button names the answer it changes, cut to this many characters."""


def _change_label(labels: Sequence[str]) -> str:
    said = ", ".join(labels)
    if len(said) > CHANGE_LABEL_CHARS:
        said = said[: CHANGE_LABEL_CHARS - 1].rstrip() + "…"
    return say.CHANGE_ONE.format(answer=said)


def record_typed(
    state: DialogState, question: Question, ids: Sequence[str]
) -> tuple[DialogState, tuple[str, ...]]:
    """A typed answer recorded whole (a multi answer finished): the state and the labels."""
    if question.kind is Kind.MULTI:
        partial_key = f"{question.id}.partial"
        partial = state.answers.get(partial_key, ())
        chosen = list(partial) if isinstance(partial, tuple) else []
        chosen += [i for i in ids if i != "done" and i not in chosen and question.choice(i)]
        if "none" in chosen and len(chosen) > 1:
            chosen.remove("none")
        chosen = chosen or (["none"] if question.choice("none") else [])
        answers = {k: v for k, v in state.answers.items() if k != partial_key}
        state = replace(state, answers={**answers, question.id: tuple(chosen)})
        return state, tuple(c.label for c in question.choices if c.id in chosen)
    choice = question.choice(ids[0])
    if choice is None:
        return state, ()
    value: str | int = choice.value if question.kind is Kind.NUMBER and choice.value else choice.id
    return state.with_answer(question.id, value), (choice.label,)


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
