"""Run the fake Telegram standalone: `python -m tests.fake_telegram --port 8081`.

Point the bot at the printed URL and token, then chat with it as a user in this terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .fake import FakeTelegram
from .model import Message
from .users import FakeUser

DEMO_TOKEN = "123456789:AAFakeTelegramLocalDemoToken0000000"
HELP = (
    'Type a message and press Enter to send it as "{name}" (user {id}). "!N" presses button N of '
    'the last message with buttons, "!photo FILE" sends a picture, "!block" / "!unblock".'
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEMO_TOKEN, help="the bot token to accept")
    parser.add_argument("--flood", action="store_true", help="answer 429 above Telegram's limits")
    parser.add_argument("--time-scale", type=float, default=1.0, help="speed of the limits' clock")
    parser.add_argument("--user-id", type=int, default=1001)
    parser.add_argument("--name", default="You", help="your first name as the bot sees it")
    parser.add_argument("--no-chat", action="store_true", help="serve only; ignore the terminal")
    return parser.parse_args(argv)


def render(message: Message, prefix: str = "bot") -> str:
    """One bot message as terminal lines, with numbered buttons."""
    if message.file is not None:
        body = f"[{message.file.kind}, {len(message.file.data)} bytes] {message.caption or ''}"
    else:
        body = message.text or ""
    lines = [f"{prefix}: {body.rstrip()}"]
    if message.buttons:
        lines.append("   " + "  ".join(f"[{i}] {b.text}" for i, b in enumerate(message.buttons, 1)))
    return "\n".join(lines)


async def _watch(fake: FakeTelegram, user: FakeUser) -> None:
    seen: dict[int, int] = {}
    chat = fake.state.chats[user.id]
    while True:
        for message in fake.messages(user.id, include_deleted=True):
            version = -1 if message.deleted else len(message.edits)
            if seen.get(message.message_id) != version:
                label = "bot (edited)" if message.message_id in seen else "bot"
                label = "bot (deleted)" if message.deleted else label
                print(render(message, label), flush=True)
                seen[message.message_id] = version
        await chat.signal.wait(3600)


async def _act(fake: FakeTelegram, user: FakeUser, line: str) -> None:
    if line.startswith("!photo "):
        path = Path(line.removeprefix("!photo ").strip())
        await user.send_photo(await asyncio.to_thread(path.read_bytes))
    elif line in ("!block", "!unblock"):
        await (user.block() if line == "!block" else user.unblock())
    elif line[1:].isdigit() and line.startswith("!"):
        with_buttons = [m for m in fake.messages(user.id) if m.buttons]
        if not with_buttons:
            print("(no buttons to press)")
            return
        buttons = with_buttons[-1].buttons
        number = int(line[1:])
        if not 1 <= number <= len(buttons):
            print(f"(choose 1 to {len(buttons)})")
            return
        await user.press(with_buttons[-1], buttons[number - 1].callback_data or "")
    elif line:
        await user.send(line)


async def _chat(fake: FakeTelegram, user: FakeUser) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while raw := await reader.readline():
        try:
            await _act(fake, user, raw.decode("utf-8", "replace").strip())
        except (LookupError, OSError, ValueError) as exc:
            print(f"({exc})")


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT/SIGTERM, chatting on the terminal unless `--no-chat`."""
    fake = FakeTelegram(
        token=args.token, host=args.host, port=args.port, time_scale=args.time_scale
    )
    if args.flood:
        fake.flood.enable()
    await fake.start()
    user = fake.user(args.user_id, args.name)
    print(f"Fake Telegram Bot API on {fake.url}\nPoint the bot at it:")
    print(f"  TELEGRAM_API_URL={fake.base_url}\n  TELEGRAM_BOT_TOKEN={fake.token}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    tasks = []
    if not args.no_chat:
        print(HELP.format(name=args.name, id=args.user_id), flush=True)
        tasks = [asyncio.create_task(_watch(fake, user)), asyncio.create_task(_chat(fake, user))]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await fake.stop()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    asyncio.run(serve(_arguments(argv)))


if __name__ == "__main__":
    main()
