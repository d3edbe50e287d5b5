"""Request parameters as Telegram reads them: from the query string, a form, multipart or JSON."""

from __future__ import annotations

import json
from typing import Any

from .errors import bad_request
from .model import Json, Upload

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})


class Params:
    """Typed access to one request's parameters (form values arrive as strings)."""

    def __init__(self, raw: Json) -> None:
        self.raw = raw

    def text(self, name: str) -> str | None:
        """A string parameter (numbers sent as JSON are turned into text)."""
        value = self.raw.get(name)
        if value is None or isinstance(value, Upload):
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str) -> int | None:
        """An integer parameter, or 400 when it is not one."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def number(self, name: str) -> float | None:
        """A numeric parameter (int or float), or 400 when it is not one."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def flag(self, name: str) -> bool:
        """A boolean parameter (`true`, `1`, JSON true)."""
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in TRUE_WORDS
        return bool(value)

    def structured(self, name: str, error: str) -> Any:
        """A JSON-serialized parameter (objects and arrays are sent as JSON strings)."""
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error) from None
