"""Phase 3, pathway selection: choose a pathway or compare them first."""

from __future__ import annotations

from dataclasses import replace

from dialogs import messages as say
from dialogs.core import Ctx, Outcome, chosen_pathway
from dialogs.goals import to_goals
from dialogs.pages import paged
from dialogs.recommend import entry_step, recommend
from dialogs.state import (
    Attachment,
    DialogState,
    Option,
    Phase,
    Reply,
)


def ask_pick(ctx: Ctx, state: DialogState) -> Reply:
    ranked = recommend(ctx.kb, ctx.flow, state.answers)
    options = [
        Option(f"pick:{r.pathway.id}", say.CHOOSE.format(name=r.pathway.short_name)) for r in ranked
    ]
    return Reply(say.PICK_PATHWAY, (*options, Option("compare", say.COMPARE)))


def pick_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    found = {f"pick:{p.id}": (p.name, p.short_name, *p.synonyms) for p in ctx.kb.pathways}
    found["compare"] = ("compare", "both", "side by side", "difference", "not sure")
    return found


def answer_pick(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "compare":
        state = replace(state, phase=Phase.SELECT)
        return show_comparison(ctx, state, (ask_pick(ctx, state),))
    pathway = ctx.kb.pathway(option.removeprefix("pick:"))
    entry = entry_step(pathway, state.answers)
    state = replace(
        state, pathway_id=pathway.id, entry_step=entry, phase=Phase.SELECT, pending="select"
    )
    return Outcome(state, (ask_select(ctx, state),))


def ask_select(ctx: Ctx, state: DialogState) -> Reply:
    """Phase 3: the choice said back with what it means, to confirm or compare first."""
    pathway = chosen_pathway(ctx, state)
    entry = state.entry_step or 1
    lines = [
        say.CHOSEN.format(name=pathway.name),
        say.START_AT.format(step=entry, title=pathway.step(entry).name),
        say.SELECT_ASK,
    ]
    options = (
        Option("sel:yes", say.SELECT_YES),
        Option("sel:compare", say.COMPARE_FIRST),
        Option("sel:list", say.SELECT_LIST),
    )
    return Reply("\n".join(lines), options)


def select_synonyms(ctx: Ctx, state: DialogState) -> dict[str, tuple[str, ...]]:
    return {
        "sel:yes": ("yes", "ok", "sure", "go on", "goals", "yes please", "that one"),
        "sel:compare": ("compare", "compare first", "side by side", "difference"),
        "sel:list": ("list", "back", "other", "another", "other pathway", "no"),
    }


def answer_select(ctx: Ctx, state: DialogState, option: str) -> Outcome:
    if option == "sel:compare":
        return show_comparison(ctx, state, (ask_select(ctx, state),))
    if option == "sel:list":
        return to_recommendations_again(ctx, state)
    return to_goals(ctx, state)


def to_recommendations_again(ctx: Ctx, state: DialogState) -> Outcome:
    """Back to the short list (phase 2) to choose again."""
    state = replace(state, phase=Phase.RECOMMEND, pending="pick")
    return Outcome(state, (ask_pick(ctx, state),))


def comparison_pages(ctx: Ctx) -> list[str]:
    """The pathways side by side, a screen each: every step's plain name and pay; then each
    step's jobs (the documents' titles, all of them) and the documents' own step names."""
    pages = []
    for i, pathway in enumerate(ctx.kb.pathways):
        lines = [say.COMPARE_INTRO, ""] if i == 0 else []
        lines.append(pathway.name)
        for step in pathway.steps:
            lines.append(f"{step.number}. {step.name}")
            if step.pay:
                lines.append(f"   {step.pay.text_both()}")
        pages.append("\n".join(lines))
    for pathway in ctx.kb.pathways:
        lines = [say.COMPARE_JOBS.format(name=pathway.name)]
        for step in pathway.steps:
            if step.jobs:
                titles = ", ".join(job.title for job in step.jobs)
                lines.append(say.COMPARE_STEP_JOBS.format(step=step.number, jobs=titles))
        pages.append("\n".join(lines))
    for pathway in ctx.kb.pathways:
        lines = [say.COMPARE_TITLES.format(name=pathway.name)]
        lines += [f"{step.number}. {step.title}" for step in pathway.steps]
        pages.append("\n".join(lines))
    return pages


def show_comparison(ctx: Ctx, state: DialogState, after: tuple[Reply, ...]) -> Outcome:
    """The comparison picture, the first page (More for the rest), then `after`."""
    state, replies = paged(state, comparison_pages(ctx), after, ctx.kb.glossary)
    return Outcome(state, (Reply("", attachment=Attachment("comparison")), *replies))
