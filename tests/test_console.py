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
