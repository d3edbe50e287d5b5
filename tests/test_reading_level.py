"""Reading level measured on the messages people actually get: six whole journeys
(tests/journeys.py: no diploma and needing work now, an English learner, a graduate aiming
high, a certificate holder, someone who compares the pathways page by page, someone who leaves
and comes back), through the real engine and the real knowledge, every message as Telegram
shows it (/pathways, /plan, /progress, check-ins, a stuck check-in and its answers included), in
all six languages. The figures are printed: `pytest -s tests/test_reading_level.py`.

A message is read line by line (a line of a list is a sentence of its own); messages under eight
words are left out of the grade (Flesch-Kincaid swings wildly on two or three words). The
documents' own names, which the bot must keep exact (job titles, the official step titles,
schools and programmes), are read as names: each counts as one short word in the grade. The
grade with the names counted as they are is printed too, and its median held to the same level.
"""

from __future__ import annotations

import functools
import re
import statistics

import textstat

from knowledge.loader import get_knowledge
from tests.journeys import PEOPLE, received

MIN_WORDS = 8
SCREEN = 600
"""One phone screen: no message is longer."""
LANGUAGES = ("en", "es", "pt", "fr", "ar", "so")


@functools.cache
def said(language: str) -> tuple[str, ...]:
    """Every message of the six journeys in one language, each once."""
    return tuple(dict.fromkeys(received(language)))


def readable(text: str) -> str:
    """The message as sentences: each line of a list read as a sentence of its own."""
    lines = [line.strip(" •-▓░✓⚠") for line in text.splitlines()]
    return " ".join(ln if ln[-1] in ".!?:" else f"{ln}." for ln in lines if ln)


@functools.cache
def _names() -> tuple[str, ...]:
    """The documents' names that stay exact, longest first."""
    kb = get_knowledge()
    found = {job.title for job in kb.jobs}
    for pathway in kb.pathways:
        for step in pathway.steps:
            found.add(step.title)
            for resource in step.resources:
                found.add(resource.name)
                found.update({resource.provider} if resource.provider else set())
    found.update(term.name for term in kb.process.terms)
    return tuple(sorted(found, key=len, reverse=True))


def as_names(text: str) -> str:
    """The documents' names each read as one short word."""
    for name in _names():
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "Name", text)
    return text


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def grades(names_as_names: bool) -> list[tuple[float, str]]:
    texts = [t for t in said("en") if words(t) >= MIN_WORDS]
    graded = [(as_names(readable(t)) if names_as_names else readable(t)) for t in texts]
    return [
        (float(textstat.flesch_kincaid_grade(g)), t) for g, t in zip(graded, texts, strict=True)
    ]


def test_six_people_receive_every_kind_of_message() -> None:
    texts = said("en")
    assert len(PEOPLE) >= 6
    for expected in (
        "Here is what fits you best",
        "Here are the pathways side by side",
        "The full names of the steps",
        "Your plan (dates are estimates",
        "How is it going with this step?",
        "What is in the way?",
        "What would help?",
        "Step 1 of 5",
        "What changed since we last talked?",
        "Well done! You finished",
    ):
        assert any(expected in t for t in texts), expected


def test_english_messages_read_at_about_grade_six_and_none_above_eight() -> None:
    named = grades(names_as_names=True)
    raw = grades(names_as_names=False)
    median, top = statistics.median(g for g, _ in named), max(g for g, _ in named)
    raw_median = statistics.median(g for g, _ in raw)
    print(f"\nEnglish: {len(named)} distinct messages of {MIN_WORDS}+ words from six journeys")
    print(f"  Flesch-Kincaid grade, the documents' names read as names: median {median:.1f},")
    print(f"  highest {top:.1f}, {sum(g > 8 for g, _ in named)} above grade 8")
    print(f"  with the names counted as they are: median {raw_median:.1f}, ")
    print(f"  {sum(g > 8 for g, _ in raw)} above grade 8 (the pages that list the names):")
    for grade, text in sorted(raw, reverse=True)[: sum(g > 8 for g, _ in raw)]:
        print(f"    {grade:5.1f}  {readable(text)[:100]}")
    assert len(named) >= 60
    assert median <= 6
    assert raw_median <= 6
    hard = [(round(g, 1), readable(t)[:120]) for g, t in named if g > 8]
    assert not hard, hard


def test_every_message_fits_one_phone_screen_in_every_language() -> None:
    print(f"\nlongest message (of {SCREEN} characters at most):")
    for code in LANGUAGES:
        texts = said(code)
        longest = max(texts, key=len)
        print(f"  {code}: {len(texts)} messages, longest {len(longest)} characters")
        over = [(len(t), t[:80]) for t in texts if len(t) > SCREEN]
        assert not over, (code, over)


def test_spanish_messages_are_as_easy_by_the_spanish_measures() -> None:
    texts = [t for t in said("es") if words(t) >= MIN_WORDS]
    textstat.set_lang("es")
    try:
        huerta = [float(textstat.fernandez_huerta(readable(t))) for t in texts]
        szigriszt = [float(textstat.szigriszt_pazos(readable(t))) for t in texts]
    finally:
        textstat.set_lang("en_US")
    print(f"\nSpanish: {len(texts)} messages; Fernández Huerta median")
    print(f"  {statistics.median(huerta):.1f} (lowest {min(huerta):.1f}), Szigriszt-Pazos median")
    print(f"  {statistics.median(szigriszt):.1f} (lowest {min(szigriszt):.1f}); 70+ reads easily")
    assert len(texts) >= 60
    assert statistics.median(huerta) >= 70 and statistics.median(szigriszt) >= 70


def test_spanish_journeys_say_no_english_sentence() -> None:
    english = re.compile(r"\b(the|you|your|and|an hour|a year|Step|Got it|Thanks|means)\b")
    leftovers = [t for t in said("es") if english.search(as_names(t))]
    assert not leftovers, leftovers[:3]


def test_sentence_and_word_length_of_every_language() -> None:
    print("\nwords per sentence (median) and letters per word (mean), over the same journeys:")
    for code in LANGUAGES:
        texts = [readable(t) for t in said(code) if words(t) >= MIN_WORDS]
        sentences = [s for t in texts for s in re.split(r"(?<=[.!?:؟])\s+", t) if s]
        found = [w for s in sentences for w in re.findall(r"[^\W\d_]+", s)]
        per_sentence = statistics.median(words(s) for s in sentences)
        per_word = statistics.mean(len(w) for w in found)
        print(f"  {code}: {per_sentence:.0f} words per sentence, {per_word:.1f} letters per word")
        assert per_sentence <= 12
        assert per_word <= 6.5
