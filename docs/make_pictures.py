"""Make the sample pictures and calendar in docs/ from the real knowledge and planner.

Run from the project root: `.venv/bin/python docs/make_pictures.py`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.media.calendar import plan_ics
from bot.media.pictures import comparison_caption, comparison_png, roadmap_caption, roadmap_png
from dialogs.plan import build_goals, build_plan
from dialogs.state import AnswerValue, DialogState
from knowledge.loader import load_knowledge

DOCS = Path(__file__).parent
TODAY = date(2026, 11, 23)


def sample_state() -> DialogState:
    """Maria: IT, starting on step 2, aiming for step 4, JobLink account already made."""
    knowledge = load_knowledge()
    pathway = knowledge.pathway("it")
    answers: dict[str, AnswerValue] = {"hours": 10, "computer": "word_excel"}
    goals = build_goals(pathway, knowledge.process, 2, 4, answers)
    milestones = build_plan(pathway, knowledge.process, 2, goals, answers, TODAY)
    done = replace(milestones[0], done_on=date(2026, 12, 1))
    return DialogState(
        pathway_id="it", entry_step=2, goals=goals, milestones=(done, *milestones[1:])
    )


def main() -> None:
    """Write docs/roadmap-it.png, docs/compare.png and docs/plan-it.ics; print the captions."""
    knowledge = load_knowledge()
    pathway, state = knowledge.pathway("it"), sample_state()
    (DOCS / "roadmap-it.png").write_bytes(roadmap_png(pathway, state))
    (DOCS / "compare.png").write_bytes(comparison_png(knowledge.pathways))
    checkins = [datetime(2026, 12, 7, 15, 0, tzinfo=UTC), datetime(2026, 12, 21, 15, 0, tzinfo=UTC)]
    ics = plan_ics(state, pathway, ZoneInfo("America/New_York"), checkins)
    (DOCS / "plan-it.ics").write_bytes(ics)
    print(roadmap_caption(pathway, state), "", comparison_caption(knowledge.pathways), sep="\n")


if __name__ == "__main__":
    main()
