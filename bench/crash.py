"""Crash safety at length: `python -m bot` killed with SIGKILL 50 times while users talk to it,
in polling mode, then in webhook mode killed right after Telegram's POST got its 200.

The same run as tests/test_bot_crash.py, longer, with figures: how many kills fell in start-up,
how long a restart takes, how many answers and replies went through, and how many replies
arrived twice (only the one in flight at a kill may). Stops with an error at the first lost
answer or reply, or a failed integrity check.

Webhook mode: SIGKILLed the moment the (fake) Telegram gets a 200, while users talk, and then
right after the first 200 of bursts of 60 users writing at once. Every acknowledged update
must be committed (Telegram never sends it again); before, 8 of 20 and 181 of 300 were lost.

Run from the repository root:
  .venv/bin/python bench/crash.py [--kills 50] [--lanes 4] [--webhook-kills 20] [--bursts 5]
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

from tests.bot_process import (
    crash_run,
    delivery_report,
    integrity,
    stored_answers,
    webhook_kill_run,
)
from tests.fake_telegram import FakeTelegram, free_port


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


async def webhook(kills: int, lanes: int, bursts: int, seed: int) -> int:
    """Kill the webhook bot right after a 200, print the figures; 1 if anything was lost."""
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with FakeTelegram() as fake:
            run = await webhook_kill_run(
                fake, workdir, free_port(), kills=kills, lanes=lanes, bursts=bursts, seed=seed
            )
            db = workdir / "pathways.db"
            report = delivery_report(fake, db, run.marks)
            check = integrity(db)
    print(f"webhook: kills right after a 200   {run.kills} ({bursts} in bursts of 60)")
    print(f"webhook: wall time                 {run.seconds:.1f} s")
    print(f"webhook: updates acknowledged      {run.acknowledged} ({run.burst_updates} in bursts)")
    print(f"webhook: acknowledged, not stored  {len(run.lost)}")
    print(f"webhook: replies committed / lost  {report.committed} / {len(report.lost)}")
    print(f"webhook: replies sent twice        {report.duplicates} (in flight at a kill)")
    print(f"webhook: doubles not at a kill     {len(report.unexplained)}")
    print(f"webhook: integrity_check           {check}")
    failed = run.lost or report.lost or report.unsent or report.unexplained or check != "ok"
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--lanes", type=int, default=4, help="users talking at once")
    parser.add_argument("--seed", type=int, default=50)
    parser.add_argument("--webhook-kills", type=int, default=20)
    parser.add_argument("--bursts", type=int, default=5, help="webhook bursts of 60 users")
    args = parser.parse_args()
    polling = asyncio.run(main(args.kills, args.lanes, args.seed))
    hooked = asyncio.run(webhook(args.webhook_kills, args.lanes, args.bursts, args.seed))
    sys.exit(polling or hooked)
