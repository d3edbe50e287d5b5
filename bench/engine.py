"""Whole scripted journeys through `dialogs.engine.handle`: turns a second and match p99.

Run: .venv/bin/python bench/engine.py [--journeys N]
Baseline in the same run: a turn that only round-trips the state through JSON (the floor any
engine with durable state pays), so the ratio shows what the dialog logic itself costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.engine import handle
from dialogs.state import CheckinDue, Command, DialogState, Event, Text

JOURNEY: list[Event] = [
    Command("start"),
    Text("ged"),
    Text("ok"),
    Text("wat pays mor then 20 dolars an hr?"),
    Text("word and excel"),
    Text("retail and some computer stuff"),
    Text("computers and websites"),
    Text("yep"),
    Text("no thanks i'm fine"),
    Text("nah"),
    Text("10"),
    Text("1"),
    Text("yes"),
    Text("step 4"),
    Text("looks good"),
    Text("every 2 weeks"),
    Text("evening"),
    CheckinDue(),
    Text("done"),
    Command("progress"),
]


def run(journeys: int) -> tuple[int, float, list[float]]:
    turns, per_turn = 0, []
    start = time.perf_counter()
    for _ in range(journeys):
        state, now = DialogState(), datetime(2026, 11, 23, 15, tzinfo=UTC)
        for event in JOURNEY:
            now += timedelta(days=3)
            t0 = time.perf_counter()
            state = handle(state, event, now).state
            per_turn.append(time.perf_counter() - t0)
            turns += 1
    return turns, time.perf_counter() - start, per_turn


def baseline(turns: int) -> float:
    state = DialogState()
    start = time.perf_counter()
    for _ in range(turns):
        state = DialogState.from_json(state.to_json())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=300)
    args = parser.parse_args()
    run(5)  # warm caches (knowledge, flow, rapidfuzz)
    turns, seconds, per_turn = run(args.journeys)
    floor = baseline(turns)
    per_turn.sort()
    p99 = per_turn[int(len(per_turn) * 0.99)]
    print(f"engine: {turns} turns in {seconds:.2f} s = {turns / seconds:,.0f} turns/s (one core)")
    print(f"engine: turn p50 {statistics.median(per_turn) * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms")
    print(f"baseline (state JSON round trip only): {turns / floor:,.0f} turns/s")
    print(f"ratio engine/baseline time: {seconds / floor:.1f}x")


if __name__ == "__main__":
    main()
