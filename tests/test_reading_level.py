"""Reading level measured on the messages people actually get: whole journeys through the real
engine, filled with the real knowledge, in English and in Spanish (and the other catalogues by
sentence and word length). The figures are printed (`pytest -s tests/test_reading_level.py`).

A message is read line by line (a line of a list is a sentence of its own); messages under eight
words are left out (Flesch-Kincaid swings wildly on two or three words).
"""

from __future__ import annotations

import functools
import re
import statistics
from collections.abc import Sequence

import textstat

from dialogs.state import DialogState
from tests.transcript import Player, play

MIN_WORDS = 8
ENGLISH = (
    ("ged", "ok", "word and excel", "retail", "computers and websites", "yes", "no thanks", "no"),
    ("no diploma", "hard", "phone only", "factory", "making things", "yes", "yes", "a little"),
    ("associate", "easy", "very well", "computers", "cyber security", "yes", "none", "have a job"),
)
SPANISH = (
    ("termine la secundaria", "mas o menos", "word y excel", "tienda", "computadoras y web", "si"),
    ("no termine la secundaria", "dificil", "solo el celular", "fabrica", "hacer cosas", "si"),
    ("titulo de dos años", "facil", "muy bien", "computadoras", "ciberseguridad", "si"),
)
ANSWERS_AFTER = {
    "en": ("none", "yes", "a little", "no", "10"),
    "es": ("ninguna", "si", "un poco", "no", "10"),
}
"""Whatever else the flow asks (support, lifting, math, a job now, hours) answered in a word:
a word that is not an answer is asked again, and the journey goes on with the next line."""


def _tap(player: Player, index: int) -> None:
    choices = player.replies[-1].choices if player.replies else ()
    if choices:
        play(f"tap: {choices[min(index, len(choices) - 1)].label}", player)


def journey(language: str, answers: Sequence[str], index: int) -> list[str]:
    """Every text the bot sent on a whole journey: intake, recommendations, goals, plan,
    check-ins, a check-in answered 'stuck', /progress, /plan and /help."""
    player, said = Player(state=DialogState(language=language)), []

    def run(script: str) -> None:
        play(script, player)
        said.extend(r.text for r in player.replies if r.text)

    run("cmd: /start")
    for answer in (*answers, *ANSWERS_AFTER[language], "10", "10"):
        if player.state.pending is None or not player.state.pending.startswith("q:"):
            break
        run(f"user: {answer}")
    for _ in range(8):
        if player.state.pending in {"pick", "goal"}:
            _tap(player, index)
        elif player.state.pending in {"plan_ok", "cadence", "checkin_time"}:
            _tap(player, 0)
        else:
            break
        said.extend(r.text for r in player.replies if r.text)
    run("wait: 8d\ndue: checkin")
    _tap(player, 2)  # "I'm stuck"
    said.extend(r.text for r in player.replies if r.text)
    _tap(player, 0)
    said.extend(r.text for r in player.replies if r.text)
    for command in ("/progress", "/plan", "/help"):
        run(f"cmd: {command}")
    return said


def readable(text: str) -> str:
    """The message as sentences: each line of a list read as a sentence of its own."""
    lines = [line.strip(" •-▓░") for line in text.splitlines()]
    return " ".join(ln if ln[-1] in ".!?:" else f"{ln}." for ln in lines if ln)


@functools.cache
def messages(language: str) -> tuple[str, ...]:
    """The distinct messages of eight words or more from three whole journeys."""
    people = ENGLISH if language == "en" else SPANISH
    said: list[str] = []
    for i, answers in enumerate(people):
        said += journey(language, answers, i % 2)
    texts = dict.fromkeys(readable(t) for t in said)
    return tuple(t for t in texts if len(re.findall(r"\w+", t)) >= MIN_WORDS)


def test_english_messages_read_at_about_grade_six() -> None:
    texts = messages("en")
    grades = [float(textstat.flesch_kincaid_grade(t)) for t in texts]
    median, above = statistics.median(grades), sum(g > 8 for g in grades)
    print(f"\nEnglish: {len(texts)} messages from whole journeys; Flesch-Kincaid grade median")
    print(f"  {median:.1f}, highest {max(grades):.1f}, {above} above grade 8:")
    for grade, text in sorted(zip(grades, texts, strict=True), reverse=True)[:above]:
        print(f"  {grade:5.1f}  {text[:110]}")
    assert len(texts) >= 25
    assert median <= 6


def test_spanish_messages_are_as_easy_by_the_spanish_measures() -> None:
    texts = messages("es")
    textstat.set_lang("es")
    try:
        huerta = [float(textstat.fernandez_huerta(t)) for t in texts]
        szigriszt = [float(textstat.szigriszt_pazos(t)) for t in texts]
    finally:
        textstat.set_lang("en_US")
    print(f"\nSpanish: {len(texts)} messages; Fernández Huerta median")
    print(f"  {statistics.median(huerta):.1f} (lowest {min(huerta):.1f}), Szigriszt-Pazos median")
    print(f"  {statistics.median(szigriszt):.1f} (lowest {min(szigriszt):.1f}); 70+ reads easily")
    assert len(texts) >= 20
    assert statistics.median(huerta) >= 70 and statistics.median(szigriszt) >= 70


def test_spanish_journeys_say_no_english_sentence() -> None:
    english = re.compile(r"\b(the|you|your|and|an hour|a year|Step|Got it|Thanks)\b")
    leftovers = [t for t in messages("es") if english.search(t)]
    assert not leftovers, leftovers[:3]


def test_sentence_and_word_length_of_every_language() -> None:
    print("\nwords per sentence and letters per word, median over the same messages:")
    for code in ("en", "es"):
        sentences = [s for t in messages(code) for s in re.split(r"(?<=[.!?:])\s+", t) if s]
        words = [w for s in sentences for w in re.findall(r"\w+", s)]
        per_sentence = statistics.median(len(re.findall(r"\w+", s)) for s in sentences)
        per_word = statistics.mean(len(w) for w in words)
        print(f"  {code}: {per_sentence:.0f} words per sentence, {per_word:.1f} letters per word")
        assert per_sentence <= 12
