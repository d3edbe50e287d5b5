"""Crash safety at length: `python -m bot` killed with SIGKILL 50 times while users talk to it.

The same run as tests/test_bot_crash.py, longer, with figures: how many kills fell in start-up,
how long a restart takes, how many answers and replies went through, and how many replies
arrived twice (only the one in flight at a kill may). Stops with an error at the first lost
answer or reply, or a failed integrity check.

Run from the repository root: .venv/bin/python bench/crash.py [--kills 50] [--lanes 4]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.bot_process import crash_run, delivery_report, integrity, stored_answers
from tests.fake_telegram import FakeTelegram


async def main(kills: int, lanes: int, seed: int) -> int:
    """Run the kills and print the figures; 1 if anything was lost or sent twice unexplained."""
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # requests cut short by a kill
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with FakeTelegram() as fake:
            run = await crash_run(fake, workdir, kills=kills, lanes=lanes, seed=seed)
            db = workdir / "pathways.db"
            report = delivery_report(fake, db, run.marks)
            answers = sum(len(a) for a in stored_answers(db).values())
            check = integrity(db)
    starts = sorted(run.starts)
    print(f"kills (SIGKILL)            {run.kills} ({run.startup_kills} during start-up)")
    print(f"wall time                  {run.seconds:.1f} s")
    print(
        f"start-up to first poll     p50 {statistics.median(starts):.2f} s, "
        f"max {starts[-1]:.2f} s ({len(starts)} starts)"
    )
    print(f"users / answers stored     {len(run.conversations)} / {answers}")
    print(f"replies committed          {report.committed}")
    print(f"replies lost               {len(report.lost)}")
    print(f"replies unsent at the end  {report.unsent}")
    print(f"replies sent twice         {report.duplicates} (in flight at a kill)")
    print(f"doubles not at a kill      {len(report.unexplained)}")
    print(f"integrity_check            {check}")
    for line in report.unexplained + report.lost:
        print("  ", line)
    failed = report.lost or report.unsent or report.unexplained or check != "ok"
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--lanes", type=int, default=4, help="users talking at once")
    parser.add_argument("--seed", type=int, default=50)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.kills, args.lanes, args.seed)))
