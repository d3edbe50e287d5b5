"""Long polling that confirms an update to Telegram only once its turn is committed.

python-telegram-bot's Updater puts the updates of one `getUpdates` answer in the update queue
and at once asks for more with a higher `offset`, which tells Telegram to forget them. A bot
killed between that request and the turn's commit would lose the user's message. Here the
`getUpdates` request first waits until every update already fetched has been handled (the
queue is joined), so an update Telegram forgets is always in the database, and one the bot
dies holding is delivered again on restart (and recognised by its update id if it had
already been committed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.request import HTTPXRequest

Gate = Callable[[], Awaitable[None]]


class ConfirmAfterCommit(HTTPXRequest):
    """The `getUpdates` request: waits for the gate (fetched updates handled) before polling."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=1, **kwargs)
        self.gate: Gate | None = None

    def hold_until_handled(self, queue: asyncio.Queue[object]) -> None:
        """Poll again only once every update put in `queue` is done (task_done called)."""
        self.gate = queue.join

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Wait for the gate, then make the request."""
        if self.gate is not None:
            await self.gate()
        return await super().do_request(*args, **kwargs)
