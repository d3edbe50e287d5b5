"""The knowledge and the intake flow in the person's language, made once per language.

`handle` reads `ctx.kb` and `ctx.flow` everywhere; giving it copies whose display text comes
from the catalogue (step titles, jobs, requirements, actions, questions, button labels, acks,
"why" lines, pay units) puts every phase's words in the person's language without each phase
calling the catalogue itself. Ids, synonyms, aliases, figures and proper names (resources,
providers, terms) are left as they are; a choice keeps its English label and synonyms, so an
answer typed in English is still understood, and gains the words of its language from
`locale/<lang>/synonyms.yaml`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from dialogs import i18n, words
from dialogs.flow import Flow, FlowChoice, Question
from dialogs.saying import pay_words as pay_words  # pictures.py asks localize for it
from knowledge.model import Knowledge, Pay, PayWords, Resource, Term

if TYPE_CHECKING:
    from dialogs.questions import Answer

KEEP = frozenset({"id", "synonyms", "aliases", "pathway_id", "provider"})
"""Fields that are codes, words for matching or proper names: never translated."""
PROPER_NAMED = (Resource, Term)
"""Values whose `name` is a proper name (a programme, a website, an office)."""

T = TypeVar("T")

_originals: dict[int, Any] = {}
"""id(localized copy) -> (English original, the copy), so a turn can switch language."""


def english(value: T) -> T:
    """The English original of a localized knowledge or flow (the value itself if English)."""
    found = _originals.get(id(value))
    return found[0] if found is not None and found[1] is value else value


def knowledge(kb: Knowledge, code: str) -> Knowledge:
    """The knowledge with its display text in `code` (the same object for English)."""
    kb = english(kb)
    if i18n.resolve(code) == i18n.DEFAULT:
        return kb
    return _cached(kb, i18n.resolve(code), _translate_knowledge)


def flow(source: Flow, code: str) -> Flow:
    """The intake flow in `code`, each choice also matching that language's words."""
    source = english(source)
    if i18n.resolve(code) == i18n.DEFAULT:
        return source
    return _cached(source, i18n.resolve(code), _translate_flow)


_made: dict[tuple[int, str], Any] = {}


def _cached(source: T, code: str, make: Any) -> T:
    key = (id(source), code)
    made = _made.get(key)
    if made is None or english(made) is not source:
        with i18n.use(code):
            made = make(source, code)
        _made[key] = made
        _originals[id(made)] = (source, made)
    return made  # type: ignore[no-any-return]


def _translate_knowledge(kb: Knowledge, code: str) -> Knowledge:
    words = pay_words(code)
    return _walk(kb, words)  # type: ignore[no-any-return]


def _walk(value: Any, words: PayWords) -> Any:
    if isinstance(value, Pay):
        return replace(value, words=words)
    if isinstance(value, str):
        return i18n.gettext(value)
    if isinstance(value, tuple):
        return tuple(_walk(v, words) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            if f.name in KEEP or (f.name == "name" and isinstance(value, PROPER_NAMED)):
                continue
            old = getattr(value, f.name)
            new = _walk(old, words)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value


def synonyms(code: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """`locale/<lang>/synonyms.yaml`: question id -> choice id -> the words people type."""
    return words.of(code).synonyms


def load_synonyms(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Read and check a synonyms file (its questions); errors name the file and the field."""
    return words.load(path).synonyms


def _translate_flow(source: Flow, code: str) -> Flow:
    said = words.of(code)
    return replace(
        source,
        questions=tuple(
            _question(q, said.synonyms.get(q.id, {}), said.ask_back.get(q.id, {}))
            for q in source.questions
        ),
    )


def _question(
    q: Question, extra: dict[str, tuple[str, ...]], hints: dict[str, tuple[str, ...]]
) -> Question:
    return replace(
        q,
        text=i18n.gettext(q.text),
        ack=i18n.gettext(q.ack),
        why=i18n.gettext(q.why),
        choices=tuple(_choice(c, extra.get(c.id, ()), hints.get(c.id, ())) for c in q.choices),
    )


def _choice(c: FlowChoice, extra: tuple[str, ...], hints: tuple[str, ...]) -> FlowChoice:
    label = i18n.gettext(c.label)
    keep: tuple[str, ...] = (c.label,) if label != c.label else ()
    bare = _key(label)  # "ensino medio" for "Ensino médio ou GED": typed without accents
    keep += (bare,) if bare != label.lower() else ()
    return replace(
        c, label=label, synonyms=(*extra, *c.synonyms, *keep), ask_back=(*hints, *c.ask_back)
    )


# ---- questions asked in another language ------------------------------------------------------


def _key(text: str) -> str:
    """Lower case, no accents, no ¿¡?!, single spaces: how the phrase tables are matched."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[¿¡?!.,;:؟،]", " ", plain).split())


@functools.cache
def question_phrases(code: str) -> tuple[tuple[str, str], ...]:
    """`locale/<lang>/questions.yaml`: the words of a question in that language and their
    English, longest first (the question answerer reads English)."""
    path = i18n.LOCALE_DIR / code / "questions.yaml"
    if not path.exists():
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = [(_key(str(k)), str(v)) for k, v in data.items()]
    return tuple(sorted(pairs, key=lambda kv: -len(kv[0])))


def _titles(kb: Knowledge, code: str) -> tuple[tuple[str, str], ...]:
    """Job titles and pathway names in `code`, with their English, longest first."""
    local = knowledge(kb, code)
    pairs = [(_key(b.title), a.title) for a, b in zip(kb.jobs, local.jobs, strict=True)]
    pairs += [  # "operador de CNC (máquinas ...)" is asked for as "operador de CNC"
        (_key(re.sub(r"\s*\([^)]*\)", "", b.title)), a.title)
        for a, b in zip(kb.jobs, local.jobs, strict=True)
    ]
    pairs += [(_key(b.name), a.name) for a, b in zip(kb.pathways, local.pathways, strict=True)]
    return tuple(sorted({k: v for k, v in pairs if k}.items(), key=lambda kv: -len(kv[0])))


CLITICS = {"ar": ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")}
"""Letters that attach to an Arabic word ('and', 'the', 'in', 'for'): a word not in the table is
looked up again without them ('والوظائف' -> 'وظائف')."""


@functools.cache
def _single_words(code: str) -> dict[str, str]:
    """The one-word entries of `locale/<lang>/questions.yaml`."""
    return {k: v for k, v in question_phrases(code) if " " not in k}


def _phrase_pattern(kb: Knowledge, code: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every job title and question phrase of `code`, longest first, so each
    typed word is put into English once (an English word the table made is never read again:
    Portuguese 'do' is 'of the', but not in 'where do i start')."""
    key = (id(kb), code)
    found = _patterns.get(key)
    if found is None or found[0] is not kb:
        table: dict[str, str] = {}
        for local, english_words in (*_titles(kb, code), *question_phrases(code)):
            table.setdefault(local, english_words.lower())
        names = sorted(table, key=len, reverse=True)
        alternation = "|".join(map(re.escape, names))
        found = (kb, re.compile(rf"(?<!\S)(?:{alternation})(?!\S)"), table)
        _patterns[key] = found
    return found[1], found[2]


_patterns: dict[tuple[int, str], tuple[Knowledge, re.Pattern[str], dict[str, str]]] = {}


def english_question(text: str, code: str, kb: Knowledge) -> str:
    """A question typed in `code` put into the English words the answerer reads ("¿Cuánto gana
    un soldador?" -> "how much does a welder make"); figures and names pass through."""
    pattern, table = _phrase_pattern(english(kb), code)
    said = pattern.sub(lambda m: table[m.group()], _key(text))
    if code in CLITICS:
        said = " ".join(_unclitic(w, code) for w in said.split())
    return said.strip() + "?"


def _unclitic(word: str, code: str) -> str:
    """The English of a word typed with a clitic attached, or the word as it is."""
    words = _single_words(code)
    for clitic in CLITICS[code]:
        rest = word[len(clitic) :]
        if word.startswith(clitic) and len(rest) >= 2 and rest in words:
            return words[rest].lower()
    return word


def answer_in(text: str, code: str, kb: Knowledge) -> Answer | None:
    """The answer to a question asked in `code`, written in `code` (the answerer reads the
    English words of the question and says its answer through the catalogue); None when it is
    not a question."""
    from dialogs.questions import answer_question, looks_like_question

    asked = english_question(text, code, kb)
    if not (looks_like_question(asked.rstrip("?")) or any(m in text for m in "?¿؟")):
        return None  # not a question: the stage says it did not understand, as in English
    with i18n.use(code):
        found = answer_question(asked, english(kb))
    if found is None:
        return None
    said = _QUOTED.sub(lambda m: m[1] + _as_typed(m[2], text, code, kb) + m[3], found.text)
    return replace(found, text=said)


_QUOTED = re.compile(r"(“|«\s?)([^”»“«]+?)(\s?»|”)")
"""A quotation in an answer: the job or the words the person typed ('I don't know “nurse”')."""


def _as_typed(quoted: str, text: str, code: str, kb: Knowledge) -> str:
    """Words the answer quotes from the English reading, put back as the person typed them
    ('nurse' -> 'enfermera', 'dollars' -> 'dólares'); other words unchanged."""
    typed_key = f" {_key(text)} "
    _, table = _phrase_pattern(english(kb), code)
    back = {eng: local for local, eng in table.items() if f" {local} " in typed_key and eng}
    for word in typed_key.split() if code in CLITICS else ():  # 'الممرضة' read as 'nurse'
        eng = _unclitic(word, code)
        if eng != word:
            back.setdefault(eng, word)
    for eng in sorted(back, key=len, reverse=True):
        quoted = re.sub(rf"(?<!\S){re.escape(eng)}(?!\S)", back[eng], quoted)
    as_written = {_key(w): w.lower() for w in re.findall(r"[^\s¿¡?!.,;:؟،]+", text)}
    return " ".join(as_written.get(w, w) for w in quoted.split())
