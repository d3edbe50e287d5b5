"""The person's language: met from Telegram's language_code, changed with /language, remembered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.telegram.app import COMMANDS, start_for_tests, stop_for_tests
from dialogs.i18n import LANGUAGES
from dialogs.state import DialogState
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_bot import settings_for, tap, texts_until
from tests.transcript import Player, play

NAMES = [lang.name for lang in LANGUAGES.values()]


def test_language_lists_every_language_in_its_own_name_and_remembers_the_choice() -> None:
    player = play(
        """
        cmd: /start
        bot: highest school
        cmd: /language
        bot: Which language
        """
    )
    labels = [o.label for o in player.replies[-1].choices]
    assert labels[0] == "English ✓"
    assert sorted(label.removesuffix(" ✓") for label in labels) == sorted(NAMES)
    play(
        """
        tap: Español
        state: language=es
        state: pending=q:school
        """,
        player,
    )
    assert player.replies[-1].choices, "the open question is asked again, with its buttons"
    assert DialogState.from_json(player.state.to_json()).language == "es"


def test_typing_a_language_name_or_naming_it_after_the_command_switches() -> None:
    player = play(
        """
        cmd: /start
        user: Soomaali
        state: language=so
        cmd: /language arabic
        state: language=ar
        cmd: /language en
        state: language=en
        user: espanol
        state: language=es
        """
    )
    assert player.state.pending == "q:school"


def test_the_english_welcome_shows_the_way_to_other_languages() -> None:
    player = play("cmd: /start\nbot: /language")
    assert "Español" in player.replies[0].text and "العربية" in player.replies[0].text
    assert not player.replies[0].choices


def test_a_person_met_in_spanish_is_welcomed_with_the_choice_ticked() -> None:
    player = Player(state=DialogState(language="es"))
    play("cmd: /start", player)
    welcome = player.replies[0]
    assert [o.label for o in welcome.choices][:2] == ["Español ✓", "English"]
    assert len(welcome.choices) == 3  # and the whole list
    play("tap: English\nstate: language=en", player)


async def test_telegram_language_code_sets_the_language_of_a_new_person_and_menus_per_language(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_telegram
    app: Any = await start_for_tests(settings_for(fake, tmp_path / "pathways.db"))
    try:
        rosa = fake.user(first_name="Rosa", language_code="es-419")
        await rosa.command("/start")
        await texts_until(fake, rosa.id, "escuela más alta")  # asked in Spanish
        assert any("Español ✓" in m.labels for m in fake.messages(rosa.id))
        state = await app.bot_data["parts"].store.load_state(rosa.id)
        assert state.language == "es"
        await tap(fake, rosa, "English")
        await texts_until(fake, rosa.id, "I will write in English")
        state = await app.bot_data["parts"].store.load_state(rosa.id)
        assert state.language == "en"
        ann = fake.user(first_name="Ann", language_code=None)
        await ann.command("/start")
        await texts_until(fake, ann.id, "highest school")
        assert (await app.bot_data["parts"].store.load_state(ann.id)).language == "en"
        for code in LANGUAGES:
            if code != "en":
                menu = fake.commands(language_code=code)
                assert [c.command for c in menu] == [n for n, _ in COMMANDS], code
        assert "language" in [c.command for c in fake.commands()]
    finally:
        await stop_for_tests(app)


def test_a_counselor_reads_the_summary_in_english_with_the_persons_language_named() -> None:
    player = Player(state=DialogState(language="es"))
    play("cmd: /start\nuser: termine la secundaria\ncmd: /counselor", player)
    play(f"tap: {player.replies[-1].choices[0].label}", player)  # "Sí, mostrar"
    handoffs = [e for e in player.effects if type(e).__name__ == "RequestHandoff"]
    assert handoffs, player.effects
    summary = handoffs[0].summary  # type: ignore[attr-defined]
    assert summary.startswith("Language: Spanish.")
    assert "High school or GED" in summary  # the answers in English; her own words as typed
