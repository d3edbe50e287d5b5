"""Settings from the environment and .env, and secrets kept out of every log line."""

from __future__ import annotations

import io
import logging
import os
import pickle
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import telegram

from bot.config import ConfigError, Secret, Settings, load_settings
from bot.log import REDACTED, setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
HOOK_SECRET = "s3cret-hook_value"


def load(env: dict[str, str], tmp_path: Path, dotenv: str | None = None) -> Settings:
    """Settings from a given environment and optional .env text (never the real ones)."""
    env_file = tmp_path / ".env"
    if dotenv is not None:
        env_file.write_text(dotenv, encoding="utf-8")
    return load_settings(env, env_file)


def problems_of(env: dict[str, str], tmp_path: Path) -> str:
    """The ConfigError message for a bad environment."""
    with pytest.raises(ConfigError) as info:
        load(env, tmp_path)
    return str(info.value)


# ---- values and precedence ------------------------------------------------------------------


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    s = load({}, tmp_path)
    assert s.telegram_bot_token is None
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.database_path == Path("pathways.db")
    assert s.tz == ZoneInfo("America/New_York")
    assert (s.listen_host, s.listen_port, s.log_level) == ("127.0.0.1", 8443, "INFO")
    assert (s.checkin_hour, s.quiet_start, s.quiet_end) == (10, 21, 8)
    assert s.admin_ids == frozenset() and s.webhook_url is None


def test_every_setting_is_read_and_cast(tmp_path: Path) -> None:
    s = load(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_FILE_URL": "http://127.0.0.1:8081/file/bot",
            "DATABASE_PATH": "/tmp/x.db",
            "ADMIN_IDS": " 1, 22 ,333",
            "COUNSELOR_CHAT_IDS": "-1001234567890,42",
            "WEBHOOK_URL": "https://bot.example.org/telegram",
            "WEBHOOK_SECRET": HOOK_SECRET,
            "LISTEN_HOST": "0.0.0.0",
            "LISTEN_PORT": "8080",
            "TZ": "America/Chicago",
            "LOG_LEVEL": "debug",
            "CHECKIN_HOUR": "18",
            "QUIET_START": "22",
            "QUIET_END": "7",
        },
        tmp_path,
    )
    assert s.telegram_bot_token is not None and s.telegram_bot_token.reveal() == TOKEN
    assert s.admin_ids == {1, 22, 333} and s.counselor_chat_ids == {-1001234567890, 42}
    assert s.webhook_secret is not None and s.webhook_secret.reveal() == HOOK_SECRET
    assert s.database_path == Path("/tmp/x.db") and s.listen_port == 8080
    assert s.tz == ZoneInfo("America/Chicago") and s.log_level == "DEBUG"
    assert (s.checkin_hour, s.quiet_start, s.quiet_end) == (18, 22, 7)
    assert s.telegram_file_url == "http://127.0.0.1:8081/file/bot"


def test_environment_wins_over_dotenv_which_wins_over_default(tmp_path: Path) -> None:
    dotenv = "LISTEN_PORT=9000\nCHECKIN_HOUR=11\nTZ=Europe/Berlin\n"
    s = load({"LISTEN_PORT": "9001", "TZ": ""}, tmp_path, dotenv)
    assert s.listen_port == 9001  # environment
    assert s.checkin_hour == 11  # .env
    assert s.tz == ZoneInfo("Europe/Berlin")  # empty in the environment counts as unset
    assert s.log_level == "INFO"  # default


def test_dotenv_is_read_without_touching_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADMIN_IDS", raising=False)
    s = load({}, tmp_path, "# comment\nADMIN_IDS=7,8\nLOG_LEVEL=\n")
    assert s.admin_ids == {7, 8} and s.log_level == "INFO"
    assert "ADMIN_IDS" not in os.environ


def test_example_env_file_loads_to_the_defaults() -> None:
    example = Path(__file__).resolve().parent.parent / ".env.example"
    assert load_settings({}, example) == Settings()


def test_example_env_file_documents_every_setting() -> None:
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    for name in (f.name.upper() for f in fields(Settings)):
        assert f"{name}=" in example, name


def test_quiet_hours_wrap_midnight() -> None:
    s = Settings()
    assert {h for h in range(24) if s.in_quiet_hours(h)} == {21, 22, 23, *range(8)}
    assert not any(Settings(quiet_start=9, quiet_end=9).in_quiet_hours(h) for h in range(24))


# ---- bad values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("LISTEN_PORT", "eighty", "not a whole number"),
        ("LISTEN_PORT", "70000", "outside 1-65535"),
        ("TZ", "Mars/Olympus_Mons", "not a known time zone"),
        ("ADMIN_IDS", "12,abc", "not a Telegram id"),
        ("ADMIN_IDS", "-5", "user ids are positive"),
        ("WEBHOOK_URL", "http://bot.example.org/hook", "https://"),
        ("TELEGRAM_API_URL", "api.telegram.org", "not a URL"),
        ("LOG_LEVEL", "LOUD", "not one of"),
        ("CHECKIN_HOUR", "24", "outside 0-23"),
        ("CHECKIN_HOUR", "23", "quiet hours"),
    ],
)
def test_bad_value_names_the_variable_and_the_problem(
    tmp_path: Path, name: str, value: str, words: str
) -> None:
    env = {name: value}
    if name == "WEBHOOK_URL":
        env["WEBHOOK_SECRET"] = HOOK_SECRET
    message = problems_of(env, tmp_path)
    assert f"{name}:" in message and words in message


@pytest.mark.parametrize(
    "bad_token",
    [
        "123456789",
        "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9",
        "123456789:short",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9 extra",
        "123456789:AAHdqTcv/CH1vGWJxfSeofSAs0K5PALDsaw9",
    ],
)
def test_malformed_token_is_refused_without_showing_it(tmp_path: Path, bad_token: str) -> None:
    message = problems_of({"TELEGRAM_BOT_TOKEN": bad_token}, tmp_path)
    assert "TELEGRAM_BOT_TOKEN:" in message and "BotFather" in message
    assert bad_token.split(":")[-1] not in message and bad_token not in message


def test_bad_webhook_secret_is_refused_without_showing_it(tmp_path: Path) -> None:
    bad = "has spaces and $ymbols!"
    message = problems_of(
        {"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": bad}, tmp_path
    )
    assert "WEBHOOK_SECRET:" in message and bad not in message


def test_webhook_needs_a_secret(tmp_path: Path) -> None:
    message = problems_of({"WEBHOOK_URL": "https://bot.example.org/hook"}, tmp_path)
    assert "WEBHOOK_SECRET: required" in message


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    message = problems_of({"LISTEN_PORT": "x", "TZ": "Nowhere/Land", "LOG_LEVEL": "?"}, tmp_path)
    assert "LISTEN_PORT:" in message and "TZ:" in message and "LOG_LEVEL:" in message


def test_error_from_bad_dotenv_value_has_no_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load({}, tmp_path, f"TELEGRAM_BOT_TOKEN={TOKEN}\nLISTEN_PORT=http\n")
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None


# ---- secrets never shown --------------------------------------------------------------------


def test_secret_hides_itself_everywhere(tmp_path: Path) -> None:
    s = load({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": HOOK_SECRET}, tmp_path)
    for text in (repr(s), str(s), f"{s}", f"{s.telegram_bot_token}", str(s.webhook_secret)):
        assert TOKEN not in text and HOOK_SECRET not in text
    assert "**********" in repr(s)
    assert s.secrets() == (TOKEN, HOOK_SECRET)
    assert Secret(TOKEN) == Secret(TOKEN) and Secret(TOKEN) != Secret("other")
    assert pickle.loads(pickle.dumps(Secret(TOKEN))).reveal() == TOKEN


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """A root handler writing to a buffer; the logging set-up is restored afterwards."""
    root = logging.getLogger()
    saved = (logging.getLogRecordFactory(), root.level, list(root.handlers))
    saved_filters = {h: list(h.filters) for h in root.handlers}
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "telegram")}
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    yield buffer
    factory, level, handlers = saved
    logging.setLogRecordFactory(factory)
    root.setLevel(level)
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    for h, filters in saved_filters.items():
        h.filters[:] = filters
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


async def test_httpx_request_url_with_token_never_logged(log_output: io.StringIO) -> None:
    setup_logging("DEBUG", [TOKEN])
    assert logging.getLogger("httpx").level == logging.WARNING
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # even if someone turns it back on
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.post(f"https://api.telegram.org/bot{TOKEN}/getMe")
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    logging.getLogger("httpx").warning("retrying %s", url)
    logging.getLogger("httpx").info("HTTP Request: POST %s", url.replace(":", "%3A"))
    text = log_output.getvalue()
    assert "HTTP Request: POST https://api.telegram.org/bot[REDACTED]/getMe" in text
    assert "retrying https://api.telegram.org/bot[REDACTED]/sendMessage" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


def test_httpx_info_lines_are_silenced_by_default(log_output: io.StringIO) -> None:
    setup_logging("DEBUG", [TOKEN])
    logging.getLogger("httpx").info("HTTP Request: GET https://example.org")
    logging.getLogger("bot").info("a bot line")
    assert "example.org" not in log_output.getvalue() and "a bot line" in log_output.getvalue()


def test_traceback_with_token_is_redacted(log_output: io.StringIO) -> None:
    setup_logging("INFO", [TOKEN])
    try:
        raise httpx.ConnectError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getUpdates")
    except httpx.ConnectError:
        logging.getLogger("bot.telegram.app").exception("polling failed for update %d", 7)
    text = log_output.getvalue()
    assert "polling failed for update 7" in text and "Traceback" in text
    assert f"bot{REDACTED}/getUpdates" in text and TOKEN not in text


def test_handler_added_after_setup_is_covered_too(log_output: io.StringIO) -> None:
    setup_logging("DEBUG", [TOKEN])
    late = io.StringIO()
    logging.getLogger().addHandler(logging.StreamHandler(late))
    telegram.Bot(TOKEN)  # python-telegram-bot logs its API URL (with the token) at DEBUG
    text = log_output.getvalue() + late.getvalue()
    assert "Set Bot API URL" in text and TOKEN not in text


def test_repeated_setup_keeps_earlier_secrets(log_output: io.StringIO) -> None:
    setup_logging("INFO", [TOKEN])
    setup_logging("INFO", [HOOK_SECRET])
    logging.getLogger("bot").warning("token %s secret %s", TOKEN, HOOK_SECRET)
    assert "token [REDACTED] secret [REDACTED]" in log_output.getvalue()


def test_privacy_and_retention_settings(tmp_path: Path) -> None:
    assert load({"RETENTION_MONTHS": "off"}, tmp_path).retention_months is None
    assert load({"RETENTION_MONTHS": "18"}, tmp_path).retention_months == 18
    url = "https://agency.example.org/privacy"
    assert load({"PRIVACY_URL": url}, tmp_path).privacy_url == url
    assert "RETENTION_MONTHS" in problems_of({"RETENTION_MONTHS": "500"}, tmp_path)
    assert "PRIVACY_URL" in problems_of({"PRIVACY_URL": "http://x.org/p"}, tmp_path)


def test_a_plain_http_webhook_only_to_this_machine(tmp_path: Path) -> None:
    local = {"WEBHOOK_URL": "http://127.0.0.1:8443/telegram", "WEBHOOK_SECRET": "s3cret"}
    assert load(local, tmp_path).webhook_url == local["WEBHOOK_URL"]
    remote = {**local, "WEBHOOK_URL": "http://bot.example.org/telegram"}
    assert "WEBHOOK_URL" in problems_of(remote, tmp_path)
