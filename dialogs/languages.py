"""Which language a person reads: the buttons that switch it and the words that name it."""

from __future__ import annotations

from dialogs import i18n
from dialogs import messages as say
from dialogs.matching import normalize
from dialogs.state import DialogState, Option

LANGUAGE_PREFIX = "lang:"
"""Buttons that switch the language ("lang:es"); they work from any message, at any point."""
LANGUAGE_WORDS = {
    "en": ("english", "inglés", "ingles", "inglês", "anglais", "الإنجليزية", "ingiriisi"),
    "es": ("español", "espanol", "spanish", "castellano", "espagnol", "espanhol"),
    "pt": ("português", "portugues", "portuguese", "portugués", "portugais"),
    "fr": ("français", "francais", "french", "francés", "frances", "francês"),
    "ar": ("العربية", "عربي", "عربى", "arabic", "árabe", "arabe"),
    "so": ("soomaali", "somali", "af soomaali", "af-soomaali"),
}
"""What people type to ask for a language: its own name and its names in the other languages."""


def language_named(text: str) -> str | None:
    """The language a whole message names ("Español", "somali"), or None."""
    said = normalize(text).strip(" .!?¿¡")
    return next((code for code, words in LANGUAGE_WORDS.items() if said in words), None)


def language_options(state: DialogState) -> tuple[Option, ...]:
    """A button per language, each in its own name, the person's own first and ticked."""
    order = sorted(i18n.LANGUAGES.values(), key=lambda lang: lang.code != state.language)
    return tuple(
        Option(
            LANGUAGE_PREFIX + lang.code, lang.name + (" ✓" if lang.code == state.language else "")
        )
        for lang in order
    )


LANGUAGE_NOTE = "Other languages: /language (Español, Português, Français, العربية, Soomaali)"
"""The line under the English welcome: the other languages in their own names (not translated:
only a person reading English sees it)."""


def welcome_options(state: DialogState) -> tuple[Option, ...]:
    """On the welcome of a person whose Telegram is not in English: their language ticked,
    English, and the whole list."""
    if state.language == i18n.DEFAULT:
        return ()
    own = i18n.language(state.language)
    return (
        Option(LANGUAGE_PREFIX + own.code, f"{own.name} ✓"),
        Option(LANGUAGE_PREFIX + i18n.DEFAULT, i18n.LANGUAGES[i18n.DEFAULT].name),
        Option(LANGUAGE_PREFIX + "?", i18n.gettext(say.LANGUAGE_OTHER)),
    )


def welcome_text() -> str:
    """The welcome, with the way to other languages for a person reading English."""
    text = i18n.gettext(say.WELCOME)
    return f"{text}\n{LANGUAGE_NOTE}" if i18n.current() == i18n.DEFAULT else text
