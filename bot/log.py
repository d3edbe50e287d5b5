"""Logging set-up that never lets a secret (the bot token) or personal data reach a log line.

Personal data: python-telegram-bot logs whole requests and updates at DEBUG (names,
usernames, what people typed, what a counselor wrote). Records of the `telegram` loggers keep
their text but lose every argument that is not a number or a short plain word, so
"Calling Bot API endpoint `sendMessage` with parameters `[data]`" is all that is left. Our
own log lines name people only by `who(user_id)`, a keyed hash that stays the same from one
line to the next (so a person's turns can be followed) but cannot be turned back into an id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY_LOGGERS = ("httpx", "httpcore")
"""httpx logs every request URL at INFO, and Bot API URLs contain the token."""


class Redactor:
    """Replaces every occurrence of the secrets (and their URL-encoded forms) in text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""))}
        self.secrets: tuple[str, ...] = tuple(sorted(forms, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """The text with each secret replaced by [REDACTED]."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def scrub(self, record: logging.LogRecord) -> None:
        """Redact a record in place: message with its args, traceback and stack."""
        if not self.secrets:
            return
        message = _message(record)
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            clean = self.redact(record.exc_text)
            if clean != record.exc_text:
                # The cached text is what formatters print; drop the live exception so no
                # handler formats it again with the secret in it.
                record.exc_text, record.exc_info = clean, None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


_FORMATTER = logging.Formatter()

# ---- personal data ---------------------------------------------------------------------------

HIDDEN = "[data]"
LIBRARY_LOGGERS = ("telegram", "tornado", "aiosqlite")
"""(httpx logs only request URLs, kept: the token in them is redacted like any secret.)"""
PLAIN_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/`]{0,63}$")
"""An argument of a library log line shown as it is: a method name, a class name..."""
_log_key = secrets.token_bytes(32)


def set_log_key(key: bytes) -> None:
    """Use this key for `who` (the database's own, so hashes match across restarts)."""
    global _log_key
    _log_key = key


def who(user_id: int | None, key: bytes | None = None) -> str:
    """A user or chat id as it may appear in a log line: a keyed hash ("u:3f9a...")."""
    if user_id is None:
        return "u:none"
    digest = hmac.new(key or _log_key, str(user_id).encode(), hashlib.sha256).hexdigest()
    return "u:" + digest[:12]


ID_KEYS = frozenset({"id", "user_id", "chat_id", "from_chat_id", "sender_chat_id"})
KEPT_TEXT_KEYS = frozenset({"type", "status", "mime_type", "emoji"})
"""Texts of an update that say what kind of thing it is, not what anybody said."""


def redact_update(value: Any, key: bytes, name: str = "") -> Any:
    """Update JSON without personal data: ids as keyed hashes, texts as their length,
    coordinates and other fractions gone; structure, update and message ids, dates kept."""
    if isinstance(value, dict):
        return {k: redact_update(v, key, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_update(v, key, name) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return who(value, key) if name in ID_KEYS else value
    if isinstance(value, str):
        return value if name in KEPT_TEXT_KEYS else f"<text, {len(value)} characters>"
    return HIDDEN


def _plain(arg: Any) -> Any:
    """A library log argument, or HIDDEN unless it is a number or a short plain word."""
    if isinstance(arg, bool | int | float):
        return arg
    if isinstance(arg, str) and PLAIN_WORD.match(arg):
        return arg
    return HIDDEN


def hide_personal_data(record: logging.LogRecord) -> None:
    """Library records keep their text, not their data (see the module docstring)."""
    if not record.name.startswith(LIBRARY_LOGGERS) or not record.args:
        return
    if isinstance(record.args, dict):
        record.args = {k: _plain(v) for k, v in record.args.items()}
    else:
        record.args = tuple(_plain(a) for a in record.args)


def _message(record: logging.LogRecord) -> str:
    """The formatted message; a broken format string still yields its parts (to redact)."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return f"{record.msg} {record.args!r}"


class RedactingFilter(logging.Filter):
    """A handler filter that redacts every record passing through it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record and let it through."""
        hide_personal_data(record)
        self.redactor.scrub(record)
        return True


class RedactingRecordFactory:
    """A LogRecord factory that redacts at birth, covering handlers added after set-up."""

    def __init__(self, inner: Callable[..., logging.LogRecord], redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        """Make the record with the wrapped factory, then redact it."""
        record = self.inner(*args, **kwargs)
        hide_personal_data(record)
        self.redactor.scrub(record)
        return record


def setup_logging(level: str, secrets: Iterable[str]) -> Redactor:
    """Configure the root logger at `level` with every secret redacted from every record."""
    current = logging.getLogRecordFactory()
    known: tuple[str, ...] = ()
    if isinstance(current, RedactingRecordFactory):
        known, current = current.redactor.secrets, current.inner
    redactor = Redactor((*known, *secrets))
    logging.setLogRecordFactory(RedactingRecordFactory(current, redactor))
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(stream)
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactingFilter(redactor))
    root.setLevel(level.upper())
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redactor
