"""Time per typed answer of dialogs.matching (goal: p99 <= 1 ms), beside a plain rapidfuzz call.

The baseline is what a naive matcher would do: one `process.extractOne` with WRatio over the
labels and synonyms. Prints p50, p99 and max in microseconds for each function.
"""

from __future__ import annotations

import random
import statistics
import string
import time
from collections.abc import Callable

from rapidfuzz import fuzz, process, utils

from dialogs.matching import Candidate, match_choice, match_yes_no, normalize, parse_number

C = Candidate
EDUCATION = (
    C("no_hs", "No high school diploma", ("no", "none", "didn't finish", "dropped out")),
    C("hs", "High school or GED", ("hs", "high school", "ged", "hiset", "diploma")),
    C("cert", "Short certificate", ("cert", "certificate", "cna", "comptia", "trade school")),
    C("assoc", "Associate degree", ("aa", "as", "associates", "2 year degree")),
    C("bach", "Bachelor's degree", ("ba", "bs", "bachelors", "college grad", "comp sci degree")),
)
EXPERIENCE = (
    C("retail", "Retail", ("store", "shop", "cashier", "sales", "walmart", "target")),
    C("customer", "Customer service", ("call center", "front desk", "waitress", "server")),
    C("computers", "Computers", ("computer", "it", "tech support", "help desk")),
    C("assembly", "Assembly or production", ("assembly line", "factory", "packing")),
    C("maintenance", "Maintenance or repair", ("repair", "mechanic", "fixing cars")),
    C("welding", "Welding", ("welder", "weld", "fabrication", "fabricator")),
    C("drafting", "Drafting or blueprints", ("blueprint", "cad", "autocad", "drawing")),
    C("none", "None yet", ("none", "no", "nothing", "no experience", "n/a")),
)
rng = random.Random(7)
GARBAGE = "".join(rng.choice(string.ascii_lowercase + "   ,") for _ in range(5_000))
ANSWERS = [
    "ged",
    "i have my ged",
    "hihg school",
    "I didn't finish high school",
    "a bachelors in biology",
    "retail and some computer stuff",
    "custmer service and welding",
    "I did assembly line work and maintanance, also some blueprints",
    "i worked in retial for 3 years",
    "wat pays more then 20 dolars an hr?",
    "banana",
    "x" * 5_000,
    GARBAGE,
]
ROUNDS = 300


def timings(call: Callable[[str], object]) -> list[float]:
    """Microseconds per call, over every answer, ROUNDS times."""
    found: list[float] = []
    for _ in range(ROUNDS):
        for answer in ANSWERS:
            start = time.perf_counter_ns()
            call(answer)
            found.append((time.perf_counter_ns() - start) / 1_000)
    return found


def report(name: str, micros: list[float]) -> None:
    """Print p50, p99 and max of a list of timings."""
    cuts = statistics.quantiles(micros, n=100)
    print(f"{name:34} p50 {cuts[49]:7.1f} us   p99 {cuts[98]:7.1f} us   max {max(micros):8.1f} us")


def baseline(candidates: tuple[Candidate, ...]) -> Callable[[str], object]:
    """One extractOne with WRatio over every label and synonym (no typed result, no split)."""
    choices = [text for c in candidates for text in (c.label, *c.synonyms)]

    def call(text: str) -> object:
        return process.extractOne(
            text, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80
        )

    return call


def main() -> None:
    """Run and print every figure."""
    print(f"{len(ANSWERS)} answers x {ROUNDS} rounds (two answers are 5,000-character pastes)")
    report("match_choice single (education)", timings(lambda t: match_choice(t, EDUCATION)))
    report(
        "match_choice multi (experience)",
        timings(lambda t: match_choice(t, EXPERIENCE, multi=True)),
    )
    report("match_yes_no", timings(match_yes_no))
    report("parse_number", timings(parse_number))
    report("normalize", timings(normalize))
    report("baseline extractOne WRatio (edu)", timings(baseline(EDUCATION)))
    report("baseline extractOne WRatio (exp)", timings(baseline(EXPERIENCE)))


if __name__ == "__main__":
    main()
