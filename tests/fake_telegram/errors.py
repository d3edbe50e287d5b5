"""Bot API errors with Telegram's own status codes and descriptions."""

from __future__ import annotations

import math
from typing import Any


class ApiError(Exception):
    """A Bot API error answer: `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 `Bad Request: <detail>`."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 `Forbidden: <detail>`."""
    return ApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> ApiError:
    """409 `Conflict: <detail>`."""
    return ApiError(409, f"Conflict: {detail}")


def not_found() -> ApiError:
    """404 `Not Found`, for unknown methods and malformed tokens."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """401 `Unauthorized`, for well-formed but wrong tokens."""
    return ApiError(401, "Unauthorized")


def too_many_requests(retry_after: float) -> ApiError:
    """429 with `retry_after`: an int like Telegram's, unless a scaled clock made it a fraction."""
    shown: float = int(retry_after) if float(retry_after).is_integer() else retry_after
    words = math.ceil(retry_after)
    return ApiError(429, f"Too Many Requests: retry after {words}", retry_after=shown)


def server_error(status: int) -> ApiError:
    """An injected 5xx answer."""
    phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return ApiError(status, phrases.get(status, "Internal Server Error"))


BLOCKED = "bot was blocked by the user"
CANT_INITIATE = "bot can't initiate conversation with a user"
CHAT_NOT_FOUND = "chat not found"
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
