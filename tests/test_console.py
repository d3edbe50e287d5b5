"""The terminal chat through a pipe: killed mid-intake, started again, it resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.console import parse_event
from dialogs.state import Command, Text

ROOT = Path(__file__).resolve().parent.parent


def chat(db: Path) -> subprocess.Popen[str]:
    """The terminal chat as a real process reading a pipe."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--db", str(db), "--user", "42"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(proc: subprocess.Popen[str], needle: str, timeout: float = 20) -> str:
    """Lines printed by the chat until one contains `needle`."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle.lower() in line.lower():
            return "".join(seen)
    raise AssertionError(f"never saw {needle!r}; got:\n{''.join(seen)}")


def say(proc: subprocess.Popen[str], text: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(text + "\n")
    proc.stdin.flush()


def test_killed_mid_intake_and_restarted_it_resumes_with_every_answer(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    first = chat(db)
    try:
        read_until(first, "highest school")
        say(first, "hs")
        read_until(first, "How easy is English")
        say(first, "2")
        read_until(first, "How do you use computers")
        say(first, "how much does a welder make")
        read_until(first, "Back to where we were")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    second = chat(db)
    try:
        out = read_until(second, "Welcome back")
        out += read_until(second, "How do you use computers")
        assert "Questions answered: 2" in out
        say(second, "/mydata")
        data = read_until(second, "Type /forget")
        assert "High school or GED" in data and "OK" in data
    finally:
        second.kill()
        second.wait(timeout=10)


def test_lines_become_commands_or_text() -> None:
    assert parse_event("/start abc") == Command("start", "abc")
    assert parse_event("/") == Text("/")
    assert parse_event("  hello\n") == Text("  hello")


JOURNEY = [
    "hs", "easy", "word and excel", "none", "computers", "yes", "none", "no", "25",
    "1",  # Choose the first pathway
    "1",  # Yes, set my goals
    "1",  # the first goal
    "1",  # Looks good
    "1",  # Every week
    "1",  # Morning
]  # fmt: skip


def chat_on(db: Path, day: str | None, lines: list[str]) -> str:
    """One whole run of the terminal chat (optionally on another date), its whole output."""
    args = [sys.executable, "-m", "bot", "chat", "--db", str(db), "--user", "42"]
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        args + (["--date", day] if day else []),
        cwd=ROOT,
        env=env,
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_check_ins_come_in_the_terminal_chat_on_the_date_given(tmp_path: Path) -> None:
    from datetime import date, timedelta

    db = tmp_path / "chat.db"
    today = date.today()
    made = chat_on(db, today.isoformat(), JOURNEY)
    assert "I will check in every week" in made
    # The next day: nothing due yet, no check-in.
    tomorrow = chat_on(db, (today + timedelta(days=1)).isoformat(), [])
    assert "How is it going" not in tomorrow
    # Two weeks on: the due check-in is the first thing the chat says, and it can be answered.
    later = chat_on(db, (today + timedelta(days=14)).isoformat(), ["1"])
    assert later.index("How is it going") < later.index("Well done")
    assert "Welcome back" not in later.split("How is it going")[0]
    # The date was for that run only: a run without --date is on today, nothing is due.
    again = chat_on(db, None, [])
    assert "How is it going" not in again
