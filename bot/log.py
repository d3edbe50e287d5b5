"""Logging set-up that never lets a secret (the bot token) reach a log line."""

from __future__ import annotations

import logging
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
