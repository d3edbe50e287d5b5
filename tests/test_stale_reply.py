"""A tap on a button of an earlier question is said to be stale in the person's own language,
with the question now open, and records nothing: through the real Service on a SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.service import Service
from bot.storage.sqlite import Store
from dialogs import i18n
from dialogs import messages as say
from dialogs.state import Choice, Command, Text

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize("language", ["en", "es", "ar", "so"])
async def test_a_stale_button_says_so_in_the_persons_language(
    tmp_path: Path, language: str
) -> None:
    store = await Store.open(tmp_path / "pathways.db")
    try:
        service = Service(store, clock=lambda: NOW)
        await service.turn(1, 1, Command("start"), language=language)
        state = await store.load_state(1)
        assert state is not None and state.language == language
        asked_at = state.version
        await service.turn(1, 1, Text("ged"))  # the school question is answered
        rows = await service.turn(1, 1, Choice("none", asked_at))  # the old school button
        text = "\n".join(str(r.payload["text"]) for r in rows)
        with i18n.use(language):
            stale, moved = say.STALE_BUTTON, say.MOVED_ON
        assert text.startswith(stale), text
        assert moved not in text
        if language != "en":
            assert "earlier question" not in text  # not the English sentence
        after = await store.load_state(1)
        assert after is not None and after.answers == {"school": "high_school"}
    finally:
        await store.close()
