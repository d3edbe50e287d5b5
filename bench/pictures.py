"""Time to make the plan's attachments: roadmap PNG, comparison PNG, calendar file.

The baseline is the floor under any picture of that size: PNG-encoding an already drawn picture
of the same size (so 'drawing' is the rest). Prints median and max milliseconds and the bytes.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from PIL import Image

from bot.media.calendar import plan_ics
from bot.media.pictures import comparison_png, roadmap_png
from dialogs.plan import build_goals, build_plan
from dialogs.state import AnswerValue, DialogState
from knowledge.loader import load_knowledge

RUNS = 15


def timed(make: Callable[[], bytes]) -> tuple[float, float, int]:
    """Median and max milliseconds over RUNS calls, and the size of the result."""
    times, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = len(make())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), size


def main() -> None:
    """Print one line per attachment, and the baseline."""
    knowledge = load_knowledge()
    pathway = knowledge.pathway("manufacturing")
    answers: dict[str, AnswerValue] = {"hours": 10, "computer": "phone_only"}
    goals = build_goals(pathway, knowledge.process, 1, 5, answers)
    milestones = build_plan(pathway, knowledge.process, 1, goals, answers, date(2026, 11, 23))
    state = DialogState(pathway_id=pathway.id, entry_step=1, goals=goals, milestones=milestones)
    drawn = Image.open(io.BytesIO(roadmap_png(pathway, state)))
    drawn.load()
    checkins = [datetime(2026, 12, 7 + 7 * i, 15, tzinfo=UTC) for i in range(3)]

    def encode_only() -> bytes:
        buffer = io.BytesIO()
        drawn.save(buffer, format="PNG")
        return buffer.getvalue()

    cases: list[tuple[str, Callable[[], bytes]]] = [
        ("roadmap_png (1 -> 5, all dates)", lambda: roadmap_png(pathway, replace(state))),
        ("comparison_png (2 pathways)", lambda: comparison_png(knowledge.pathways)),
        ("plan_ics (+3 check-ins)", lambda: plan_ics(state, pathway, ZoneInfo("UTC"), checkins)),
        (f"baseline: PNG-encode a drawn {drawn.width}x{drawn.height}", encode_only),
    ]
    print(f"{'what':45} {'median ms':>10} {'max ms':>8} {'bytes':>8}")
    for name, make in cases:
        median, worst, size = timed(make)
        print(f"{name:45} {median:10.1f} {worst:8.1f} {size:8,}")


if __name__ == "__main__":
    main()
