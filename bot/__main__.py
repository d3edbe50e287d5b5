"""Command line: `python -m bot [run|chat|ask|check|migrate-db]`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

EXAMPLES = (
    "what pays more than $20 an hour?",
    "how much does a welder make",
    "which jobs need an associate degree",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=(
            "Pathways: a chatbot that guides job seekers along a career pathway. "
            "With no command: talk to Telegram when TELEGRAM_BOT_TOKEN is set, "
            "otherwise chat in the terminal."
        ),
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="the bot (Telegram with a token, else the terminal chat)")
    chat = sub.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--user", type=int, default=1, help="user id to chat as (default 1)")
    chat.add_argument("--db", type=Path, help="SQLite file (default: DATABASE_PATH)")
    chat.add_argument(
        "--lang",
        choices=["en", "es", "pt", "fr", "ar", "so"],
        help="the language to chat in (a new user; an existing one is switched to it)",
    )
    chat.add_argument(
        "--date",
        type=date.fromisoformat,
        help="pretend today is YYYY-MM-DD for this run (try check-ins weeks ahead)",
    )
    ask = sub.add_parser("ask", help="answer one question about jobs and pay, then exit")
    ask.add_argument("question", nargs="+", help='e.g. "what pays more than $20 an hour?"')
    ask.add_argument(
        "--lang",
        default="en",
        help="the language the question is asked and answered in (es, ar, ...)",
    )
    sub.add_parser("check", help="validate the knowledge and the dialog flows")
    copy = sub.add_parser(
        "migrate-db", help="copy a SQLite database into an empty PostgreSQL database"
    )
    copy.add_argument("--from", dest="source", required=True, help="sqlite:///pathways.db")
    copy.add_argument(
        "--to", dest="target", required=True, help="postgresql://user:password@host/dbname"
    )
    return parser


def cmd_migrate_db(source: str, target: str) -> int:
    """Copy a SQLite database into an empty PostgreSQL one; print what was copied."""
    from bot.storage import StoreError
    from bot.storage.copy import copy_database

    try:
        copied = asyncio.run(copy_database(source, target))
    except (StoreError, OSError) as exc:
        print(f"migrate-db: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. PostgreSQL refused the connection: no URL in the message
        print(f"migrate-db: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(copied.summary())
    print("done: the bot can now run with DATABASE_URL set to the PostgreSQL URL")
    return 0


def cmd_ask(words: Sequence[str], lang: str = "en") -> int:
    """Print the answer to one question, asked and answered in `lang`."""
    from dialogs import i18n, localize
    from dialogs.questions import answer_question
    from knowledge.loader import get_knowledge

    code = i18n.resolve(lang)
    if code == i18n.DEFAULT:
        found = answer_question(" ".join(words), get_knowledge())
    else:
        found = localize.answer_in(" ".join(words), code, get_knowledge())
    if found is None:
        print("I can answer questions about jobs, pay and what jobs need. Try:")
        for example in EXAMPLES:
            print(f'  python -m bot ask "{example}"')
        return 1
    print("\n(More)\n".join(found.pages()))
    return 0


def cmd_check() -> int:
    """Validate every knowledge and flow file; one line per file."""
    from dialogs.flow import FLOWS_DIR, FlowError, intake_flow, load_flow
    from dialogs.recommend import entry_need_problems
    from knowledge.loader import KnowledgeError, check_summary, load_knowledge

    try:
        for line in check_summary():
            print(line)
        for path in sorted(FLOWS_DIR.glob("*.yaml")):
            flow = load_flow(path)
            print(f"{path.name}: {len(flow.questions)} questions")
        problems = entry_need_problems(load_knowledge(), intake_flow())
    except (KnowledgeError, FlowError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_run(
    chat_only: bool,
    user: int = 1,
    db: Path | None = None,
    lang: str | None = None,
    day: date | None = None,
) -> int:
    """Start the bot: Telegram when a token is configured, the terminal chat otherwise."""
    from dataclasses import replace

    from bot.config import ConfigError, load_settings
    from bot.log import setup_logging
    from bot.storage import StoreError, is_postgres, sqlite_path
    from bot.storage.lock import AlreadyRunning, DatabaseLock

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if db is not None:
        settings = replace(settings, database_path=db, database_url=None)
    token = settings.telegram_bot_token
    setup_logging(settings.log_level, settings.secrets())
    url = settings.database
    try:  # one bot per SQLite file (PostgreSQL takes several workers: no lock)
        lock = None if is_postgres(url) else DatabaseLock.acquire(sqlite_path(url))
    except (AlreadyRunning, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        return _run(settings, chat_only or token is None, user, lang, day)
    except StoreError as exc:  # a damaged or empty database file, refused before any turn
        print(exc, file=sys.stderr)
        return 2
    finally:
        if lock is not None:
            lock.release()


def _run(
    settings: Settings, chat_only: bool, user: int, lang: str | None = None, day: date | None = None
) -> int:
    """The terminal chat or the Telegram bot."""
    if chat_only:
        from bot.console import run_console

        if sys.stdin.isatty():
            print("Pathways in the terminal. Type your answers; /quit or Ctrl-D to stop.\n")
        asyncio.run(run_console(settings, user, language=lang, day=day))
        return 0
    return _run_telegram(settings)


def freeze_startup_objects() -> None:
    """Load the knowledge and the flow, then move every object made so far out of the garbage
    collector's sight: they live as long as the process, and each full collection went
    through all of them again (pauses of 70-270 ms under load, every turn waiting)."""
    from dialogs.flow import intake_flow
    from knowledge.loader import get_knowledge

    get_knowledge()
    intake_flow()
    gc.collect()
    gc.freeze()


def _run_telegram(settings: Settings) -> int:
    """Run the Telegram bot; errors are reported through the redacting log, never raw (PTB
    puts the token itself in the text of a rejected-token error)."""
    from telegram.error import InvalidToken

    from bot.storage import StoreError
    from bot.telegram.app import run_telegram

    freeze_startup_objects()
    try:
        run_telegram(settings)
    except InvalidToken:
        print(
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (@BotFather gives it; "
            "/revoke there makes a new one).",
            file=sys.stderr,
        )
        return 2
    except StoreError:
        raise
    except Exception:
        logging.getLogger("bot").exception("the bot stopped on an error")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    if args.command == "ask":
        return cmd_ask(args.question, args.lang)
    if args.command == "check":
        return cmd_check()
    if args.command == "chat":
        return cmd_run(True, args.user, args.db, args.lang, args.date)
    if args.command == "migrate-db":
        return cmd_migrate_db(args.source, args.target)
    return cmd_run(False)


if __name__ == "__main__":
    sys.exit(main())
