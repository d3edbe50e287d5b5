"""Settings: the only reader of the environment (environment, then `.env`, then defaults)."""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

T = TypeVar("T")

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""Telegram's rule for `secret_token` in setWebhook."""
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MASK = "**********"
DEFAULT_TZ = ZoneInfo("America/New_York")
"""The seeds come from Maine."""


class ConfigError(ValueError):
    """One or more settings are wrong; the message names each variable, never a secret."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("Bad settings:\n  " + "\n  ".join(problems))


class Secret:
    """A value that never shows itself in repr, str, logs or errors; `.reveal()` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value itself (pass it to the library that needs it, never to a log)."""
        return self._value

    def __repr__(self) -> str:
        return MASK

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment, parsed and checked."""

    telegram_bot_token: Secret | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    database_path: Path = Path("pathways.db")
    admin_ids: frozenset[int] = frozenset()
    counselor_chat_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8443
    tz: ZoneInfo = DEFAULT_TZ
    log_level: str = "INFO"
    checkin_hour: int = 10
    quiet_start: int = 21
    quiet_end: int = 8
    database_url: Secret | None = None
    """DATABASE_URL: ``sqlite:///path`` or ``postgresql://...`` (may hold a password);
    unset: the SQLite file at `database_path`."""
    privacy_url: str | None = None
    """The agency's own privacy policy, linked from /privacy."""
    retention_months: int | None = None
    """Participants silent this many months are deleted (after a notice); None: never."""

    def secrets(self) -> tuple[str, ...]:
        """The secret values set, for the log redaction filter."""
        found = (self.telegram_bot_token, self.webhook_secret, self.database_url)
        return tuple(s.reveal() for s in found if s is not None)

    @property
    def database(self) -> str:
        """The database to open, as a URL (pass it to `bot.storage.open_store`)."""
        if self.database_url is not None:
            return self.database_url.reveal()
        return f"sqlite:///{self.database_path}"

    def in_quiet_hours(self, hour: int) -> bool:
        """True when a local hour (0-23) is quiet (may wrap midnight; start == end: never)."""
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= hour < self.quiet_end
        return hour >= self.quiet_start or hour < self.quiet_end


# ---- parsers: each raises ValueError with a message that is safe to show -------------------


def _show(raw: str) -> str:
    """A non-secret value, quoted and shortened for an error message."""
    return repr(raw if len(raw) <= 60 else raw[:57] + "...")


def _token(raw: str) -> Secret:
    if not TOKEN_PATTERN.match(raw):
        raise ValueError(
            "does not look like a bot token (expected digits, a colon and 20 or more "
            "letters, digits, _ or -, as @BotFather gives it)"
        )
    return Secret(raw)


def _webhook_secret(raw: str) -> Secret:
    if not WEBHOOK_SECRET_PATTERN.match(raw):
        raise ValueError("must be 1-256 characters, only letters, digits, _ and -")
    return Secret(raw)


def _url(schemes: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc:
            need = " or ".join(f"{s}://" for s in schemes)
            raise ValueError(f"{_show(raw)} is not a URL starting with {need}")
        return raw

    return parse


def _webhook_url(raw: str) -> str:
    """https://, or http:// to this machine only (a local proxy or Bot API server, tests)."""
    host = urlsplit(raw).hostname or ""
    local = host in ("127.0.0.1", "localhost", "::1")
    return _url(("https", "http") if local else ("https",))(raw)


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"{_show(raw)} is not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}-{high}")
        return value

    return parse


def _ids(*, allow_negative: bool) -> Callable[[str], frozenset[int]]:
    def parse(raw: str) -> frozenset[int]:
        ids: set[int] = set()
        for part in (p.strip() for p in raw.split(",")):
            if not part:
                continue
            if not re.fullmatch(r"-?\d{1,20}", part) or int(part) == 0:
                raise ValueError(f"{_show(part)} is not a Telegram id (expected numbers like 1,2)")
            if int(part) < 0 and not allow_negative:
                raise ValueError(f"{_show(part)} is not a user id (user ids are positive)")
            ids.add(int(part))
        return frozenset(ids)

    return parse


def _zone(raw: str) -> ZoneInfo:
    name = raw.strip().removeprefix(":")  # POSIX allows TZ=":America/New_York"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{_show(raw)} is not a known time zone (e.g. America/New_York)") from None


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"{_show(raw)} is not one of {', '.join(LOG_LEVELS)}")
    return level


def _database_url(raw: str) -> Secret:
    """sqlite:///path or postgresql://... (the value is never shown: it may hold a password)."""
    scheme = raw.partition("://")[0] if "://" in raw else ""
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ValueError("expected sqlite:///path/to/file.db or postgresql://user@host/dbname")
    if scheme == "sqlite" and not raw.startswith("sqlite:///"):
        raise ValueError("a SQLite URL has three slashes: sqlite:///pathways.db")
    return Secret(raw)


def _retention(raw: str) -> int | None:
    if raw.strip().lower() in ("off", "0", "no", "never"):
        return None
    return _int_in(1, 120)(raw)


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _host(raw: str) -> str:
    host = raw.strip()
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", host):
        raise ValueError(f"{_show(raw)} is not a host name or address")
    return host


# ---- loading --------------------------------------------------------------------------------


class _Source:
    """Raw values: the environment first, then `.env`; empty counts as unset."""

    def __init__(self, env: Mapping[str, str], file_values: Mapping[str, str | None]) -> None:
        self._env = env
        self._file = file_values
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
        for layer in (self._env, self._file):
            value = layer.get(name)
            if value is not None and value.strip() != "":
                return value.strip()
        return None

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            self.problems.append(f"{name}: {exc}")
            return default


def _read_env_file(env_file: Path | None) -> Mapping[str, str | None]:
    """The `.env` file's values, taken literally (no interpolation); {} when there is none."""
    if env_file is None or not env_file.is_file():
        return {}
    return dotenv_values(env_file, interpolate=False)


def load_settings(
    env: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Settings from `env` (default: os.environ), then `env_file`, then defaults; checked."""
    src = _Source(os.environ if env is None else env, _read_env_file(env_file))
    d = Settings()
    settings = Settings(
        telegram_bot_token=src.get("TELEGRAM_BOT_TOKEN", _token, None),
        telegram_api_url=src.get("TELEGRAM_API_URL", _url(("https", "http")), d.telegram_api_url),
        telegram_file_url=src.get("TELEGRAM_FILE_URL", _url(("https", "http")), None),
        database_path=src.get("DATABASE_PATH", _path, d.database_path),
        admin_ids=src.get("ADMIN_IDS", _ids(allow_negative=False), d.admin_ids),
        counselor_chat_ids=src.get("COUNSELOR_CHAT_IDS", _ids(allow_negative=True), frozenset()),
        webhook_url=src.get("WEBHOOK_URL", _webhook_url, None),
        webhook_secret=src.get("WEBHOOK_SECRET", _webhook_secret, None),
        listen_host=src.get("LISTEN_HOST", _host, d.listen_host),
        listen_port=src.get("LISTEN_PORT", _int_in(1, 65535), d.listen_port),
        tz=src.get("TZ", _zone, d.tz),
        log_level=src.get("LOG_LEVEL", _log_level, d.log_level),
        checkin_hour=src.get("CHECKIN_HOUR", _int_in(0, 23), d.checkin_hour),
        quiet_start=src.get("QUIET_START", _int_in(0, 23), d.quiet_start),
        quiet_end=src.get("QUIET_END", _int_in(0, 23), d.quiet_end),
        database_url=src.get("DATABASE_URL", _database_url, None),
        privacy_url=src.get("PRIVACY_URL", _url(("https",)), None),
        retention_months=src.get("RETENTION_MONTHS", _retention, None),
    )
    problems = src.problems + _cross_checks(settings, src)
    if problems:
        raise ConfigError(problems)
    return settings


def _cross_checks(s: Settings, src: _Source) -> list[str]:
    """Problems that involve more than one setting."""
    problems: list[str] = []
    if s.webhook_url and s.webhook_secret is None and src.raw("WEBHOOK_SECRET") is None:
        problems.append(
            "WEBHOOK_SECRET: required when WEBHOOK_URL is set (make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if s.in_quiet_hours(s.checkin_hour):
        problems.append(
            f"CHECKIN_HOUR: {s.checkin_hour} falls in the quiet hours "
            f"({s.quiet_start}:00-{s.quiet_end}:00)"
        )
    return problems
