"""Match what a job seeker typed to a question's choices, to yes/no, or to a number (pure).

`match_choice` tries, in order, and stops at the first that finds something:
1. the whole answer is a label, a synonym or a choice id (or, alone, an option number 1..n);
2. a label or synonym appears in the answer as whole words, or the answer inside one
   (scored by how much of the answer, or of the label, the hit covers);
3. typo-tolerant comparison of runs of the answer's words with runs of the choices' words.
Words right after 'no', 'not', 'didn't'... are ruled out instead of matched. Short words
(under 4 letters) and everyday words ('as', 'it') only ever match exactly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeAlias

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA

# ---- cut-offs (named so that tests and the flow author can see them) ------------------------

MATCH_CUTOFF: float = 80.0
"""Lowest rapidfuzz `fuzz.ratio` (0-100) between answer words and choice words that counts.

One slip in a 5-letter word scores 80 ("emial"/"email"), so it matches; "okey"/"okay" and
"work"/"word" score 75, so they do not. Lower, and everyday words start to hit short labels.
(The reported score of a fuzzy match then loses points for the part of the answer, and of
the label, that the matched words leave out; see UNCOVERED_PENALTY.)"""

AMBIGUOUS_MARGIN: float = 5.0
"""Two different choices whose best scores are closer than this are 'Did you mean ...?'.

Answers that only share a word with two choices ("degree", "school", "college") land 0-4
points apart; a typo of one whole choice ("hihg school", "highschool") leads by 11-12."""

CONTAINED_BASE: float = 80.0
"""Score floor of a whole-word hit of a label or synonym (or of the answer inside one).

The hit's score grows to 100 with the share of the answer (or of the label) it covers, so
a long hit ("didn't finish") beats a short one ("hs") in the same answer."""

EXACT_SCORE: float = 100.0
"""Score of an answer that is exactly a label, a synonym or an option number."""

MAX_INPUT_CHARS: int = 500
"""Only this many characters of an answer are read: long pastes stay fast."""

MAX_ANSWER_WORDS: int = 40
"""An answer with more words than this is not an answer to a choice question: NoMatch."""

FUZZY_MIN_CHARS: int = 4
"""Answers and choice words shorter than this are matched exactly, never fuzzily."""

FUZZY_MAX_CHARS: int = 40
"""Answers (or parts of a multi answer) longer than this are not fuzzily matched."""

UNCOVERED_PENALTY: float = 40.0
"""Fuzzy score lost when the matched words are none of the answer (scaled by the share).

So 'hihg school' (a typo of the whole answer, 91) beats 'school' alone of 'trade school'."""

PARTIAL_TERM_PENALTY: float = 10.0
"""Fuzzy score lost when the matched words are none of the label (scaled by the share)."""

MAX_GRAM_WORDS: int = 3
"""Fuzzy matching compares runs of up to this many words of the answer and of the choices."""

ABBREVIATION_SCORE: float = 90.0
"""Similarity given to a word that starts a choice word and is at least half of it ('assoc')."""

NEGATION_REACH: int = 3
"""A 'no', 'not', 'didn't' ... this many words before a choice rules it out."""

MAX_PARTS: int = 8
"""A multi answer is read in at most this many parts."""

MAX_OPTIONS: int = 3
"""An Ambiguous result offers at most this many choices."""

SHORT_TYPO_SCORE: float = 86.0
"""Similarity given to a short word one edit (or one swap) away from a choice word, or that
sounds the same ('esy' ~ 'easy', 'hrad' ~ 'hard', 'fone' ~ 'phone'): ratio scorers miss these
on 3-5 letter words, where one slip already costs 20-30 points."""

SHORT_TYPO_CHARS: tuple[int, int] = (3, 6)
"""Words of this many letters (inclusive) get the edit-distance reading."""


# ---- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """One choice of a question: its id, its button label and what people type for it.

    The id, with '_' read as a space, also counts as a synonym ('high_school').
    """

    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    ask_back: tuple[str, ...] = ()
    """Texts that only hint at this choice: matched, they ask 'Did you mean ...?'."""


@dataclass(frozen=True, slots=True)
class Matched:
    """The answer picks these choice ids (one for single choice); score is 0-100."""

    ids: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The answer fits 2-3 choices about equally: ask 'Did you mean ...?' (ids, best first)."""

    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NoMatch:
    """The answer fits no choice."""


MatchResult: TypeAlias = Matched | Ambiguous | NoMatch


# ---- normalizing ----------------------------------------------------------------------------

_DROP_CATEGORIES = frozenset({"Cf"})  # zero-width, bidi controls, BOM: glued words stay glued
_SPACE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "So", "Sk"})  # emoji, symbols, controls
_VARIATION = re.compile("[\ufe00-\ufe0f\u20e3\U000e0100-\U000e01ef]")


def _clean_chars(text: str) -> str:
    """Drop invisible format characters and turn emoji, symbols and controls into spaces."""
    text = _VARIATION.sub("", text)
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch if ch.isprintable() else " ")
            continue
        cat = unicodedata.category(ch)
        if cat in _DROP_CATEGORIES:
            continue
        out.append(" " if cat in _SPACE_CATEGORIES else ch)
    return "".join(out)


def _normalize_once(text: str) -> str:
    """One pass of NFKC, casefold, character cleaning and space collapsing."""
    text = unicodedata.normalize("NFKC", _clean_chars(text)).casefold()
    text = unicodedata.normalize("NFKC", _clean_chars(text))
    return " ".join(text.split())[:MAX_INPUT_CHARS].rstrip()


def normalize(text: str) -> str:
    """Return text in NFKC, casefolded, without emoji or invisible marks, spaces collapsed."""
    result = _normalize_once(text[:MAX_INPUT_CHARS])
    for _ in range(3):  # casefold and NFKC can feed each other; settle on a fixed point
        again = _normalize_once(result)
        if again == result:
            break
        result = again
    return result


# ---- keys: the word form that matching compares ---------------------------------------------

_APOSTROPHES = re.compile("['\u2019\u2018\u02bc`\u00b4]")
_JOINERS = re.compile(r"[,/;&|]")


def _stem(word: str) -> str:
    """Drop one plural 's' from longer words, so 'blueprints' meets 'blueprint'."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def key(text: str) -> str:
    """Return the comparison form of text: normalized, punctuation-free, singular words."""
    return key_of_clean(normalize(text))


_ELISION = re.compile(r"\b([cdjlmnst]|qu)['\u2019](?=\w)")
"""French elisions: "l'usine" is "l usine", "j'ai" is "j ai" (English "don't" is untouched)."""


_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th|º|°|e|eme|ème|ᵉ)\b")


_ARABIC_AND = re.compile(r"(?<!\w)و(?=ال\w{2})|(?<=\w )و(?=\w{4})")
"""The Arabic 'and' written onto the next word: onto a word with its article ('والانجليزي'),
or onto a longer word after another one ('مستودع وتنظيف'); 'وقت' (time) stays whole."""


def _unaccented(text: str) -> str:
    """Without accents and other combining marks: 'inglés' = 'ingles', 'أ' = 'ا', as typed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key_of_clean(clean: str) -> str:
    """The comparison form of text already normalized (a message is normalized only once)."""
    text = _APOSTROPHES.sub("", _unaccented(_ELISION.sub(r"\1 ", clean)))
    text = _ORDINAL.sub(r"\1", text)  # "10th grade" = "10 grade"
    text = _ARABIC_AND.sub("و ", text)  # "والانجليزي صعب" = "و الانجليزي صعب"
    text = _JOINERS.sub(" and ", text).replace("+", " plus ")  # "Word, Excel" = "word and excel"
    return " ".join(_stem(w) for w in utils.default_process(text).split())


def _keys(phrases: str, sep: str | None = None) -> frozenset[str]:
    """Keys of the words (or, with sep, the phrases) listed in one string."""
    return frozenset(key(p) for p in phrases.split(sep))


_SPLIT_WORDS = _keys("and also plus some too")
_FILLER = _keys(
    """i im ive me my a an the of in on at to for with from as or but then so just only
    did do done doing have had has was were been be am is are also some and plus too
    worked work working job jobs like liked love enjoy stuff things thing kind bit
    lot really very well mostly mainly maybe probably think guess year years month months
    experience before now used use it that this there here etc please yes yeah yep
    trabajo trabaje trabajaba trabajado tengo tenia soy estoy fui hice de en
    trabalho trabalhei trabalhava tenho sou estou fiz em
    travail travaille travaillais suis ai etais
    shaqo shaqeeyay shaqeeya waan baan waxaan ayaan
    اشتغلت اشتغل عملت اعمل عندي
    cosas cosa coisas coisa choses chose alaab wax اشياء شي"""
)
_COMMON_WORDS = _keys(
    """a an i it is in on at to as or of if so do be by my me we us he up go am and the
    for not but are was all any can has had how its who why you your our out one"""
)
"""Everyday words that, as a synonym, count only when they are the whole answer."""

_NEGATIONS = _keys(
    """no not never dont didnt doesnt cant cannot wont havent hasnt hadnt isnt arent
    wasnt werent without nor nothing none nope nah
    pas ne jamais sans sin sem nao nunca ni nem لا لم ليس مش بدون ما"""
)
_CLAUSE_BREAKS = _keys("and but then also plus")
_QUESTION_WORDS = _keys("what whats wat how why when where which who whom whose")


def looks_like_question(text: str) -> bool:
    """Return True when text reads as a question ('what pays more than $20?'), not an answer."""
    words = key(text).split()
    return len(words) >= 3 and words[0] in _QUESTION_WORDS


# ---- prepared candidates --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    """One label or synonym in key form, with the index of its candidate."""

    key: str
    owner: int


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Candidates turned into keys once, for every later match against them."""

    ids: tuple[str, ...]
    terms: tuple[_Term, ...]
    exact: dict[str, tuple[int, ...]]
    grams: tuple[str, ...]
    gram_owner: tuple[int, ...]
    gram_share: tuple[float, ...]
    none_index: int | None
    sounds: tuple[tuple[str, int], ...] = ()
    """(sound form, gram index) of each one-word gram, for short typos and sound-alikes."""
    gram_negated: tuple[bool, ...] = ()


_NONE_KEYS = _keys("none|none yet|nothing|no experience|no help needed", "|")


def is_none_choice(candidate: Candidate) -> bool:
    """Return True for the 'none' choice of a multi question, which other picks override."""
    return candidate.id.casefold() == "none" or key(candidate.label) in _NONE_KEYS


def _content(words: Sequence[str]) -> bool:
    """True when some word is not filler ('i did some' carries no choice)."""
    return not all(w in _FILLER for w in words)


def _says_something(words: Sequence[str]) -> bool:
    """True when some word is neither filler nor a negation (a bare 'not' names no choice)."""
    return not all(w in _FILLER or w in _NEGATIONS for w in words)


_QUALIFIERS = _keys("some only very not no")
"""A term starting with one of these keeps it in every run: 'high school' is no part of
'some high school', nor 'little' of 'very little'."""


def _grams(term_key: str) -> dict[str, float]:
    """Word runs of a term (up to MAX_GRAM_WORDS) that fuzzy matching compares, with share.

    A run keeps the term's 'no'/'not': 'high school' alone is no part of 'no high school'.
    """
    words = term_key.split()
    total = _chars(term_key)
    negations = _NEGATIONS.intersection(words)
    grams: dict[str, float] = {}
    last_start = 0 if words and words[0] in _QUALIFIERS else len(words)
    for size in range(1, min(len(words), MAX_GRAM_WORDS) + 1):
        for start in range(min(len(words) - size, last_start) + 1):
            run = words[start : start + size]
            gram = " ".join(run)
            if _gram_ok(run, gram) and negations.issubset(run):
                grams[gram] = _chars(gram) / total
    if len(term_key) >= FUZZY_MIN_CHARS:
        grams[term_key] = 1.0
    return grams


def _gram_ok(run: Sequence[str], gram: str) -> bool:
    """True for a run long and meaningful enough to compare fuzzily."""
    return len(gram) >= FUZZY_MIN_CHARS and _content(run) and gram not in _COMMON_WORDS


@lru_cache(maxsize=512)
def _prepare(candidates: tuple[Candidate, ...]) -> _Prepared:
    """Turn candidates into keys, exact look-ups and fuzzy targets."""
    terms: list[_Term] = []
    exact: dict[str, list[int]] = {}
    grams: dict[tuple[str, int], float] = {}
    for index, cand in enumerate(candidates):
        for text in (cand.label, cand.id.replace("_", " "), *cand.synonyms):
            term_key = key(text)
            owners = exact.setdefault(term_key, []) if term_key else [index]
            if index in owners:
                continue
            owners.append(index)
            terms.append(_Term(term_key, index))
            for gram, share in _grams(term_key).items():
                grams[gram, index] = max(share, grams.get((gram, index), 0.0))
    gram_texts = tuple(g for g, _ in grams)
    return _Prepared(
        ids=tuple(c.id for c in candidates),
        terms=tuple(terms),
        exact={k: tuple(v) for k, v in exact.items()},
        grams=gram_texts,
        gram_owner=tuple(i for _, i in grams),
        gram_share=tuple(grams.values()),
        none_index=next((i for i, c in enumerate(candidates) if is_none_choice(c)), None),
        sounds=tuple(
            (sound(g), i)
            for i, g in enumerate(gram_texts)
            if " " not in g and len(g) >= SHORT_TYPO_CHARS[0] and g not in _COMMON_WORDS
        ),
        gram_negated=tuple(bool(_NEGATIONS.intersection(g.split())) for g in gram_texts),
    )


_SOUNDS = (("ph", "f"), ("ck", "k"), ("wh", "w"), ("kn", "n"), ("ee", "i"), ("ea", "e"))


@lru_cache(maxsize=4096)
def sound(word: str) -> str:
    """A rough sound form: 'phone' and 'fone' -> 'fon'; 'easy' and 'esy' -> 'esy'."""
    for written, said in _SOUNDS:
        word = word.replace(written, said)
    word = re.sub(r"(.)\1+", r"\1", word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


# ---- scoring one answer (or one part of a multi answer) -------------------------------------


def _chars(text: str) -> int:
    """Letters and digits in a key (spaces do not count toward coverage)."""
    return len(text) - text.count(" ")


def _negated(words: Sequence[str], start: int) -> bool:
    """True when one of the NEGATION_REACH words before words[start] negates it."""
    for word in reversed(words[max(0, start - NEGATION_REACH) : start]):
        if word in _NEGATIONS:
            return True
        if word in _CLAUSE_BREAKS:
            return False
    return False


@dataclass(frozen=True, slots=True)
class _Hit:
    """A whole-word occurrence of a term inside the answer: word span [start, end)."""

    owner: int
    start: int
    end: int
    length: int


def _find_hits(words: Sequence[str], terms: Sequence[_Term]) -> tuple[list[_Hit], bool]:
    """Find whole-word term occurrences; also say whether a negated one was dropped."""
    hits: list[_Hit] = []
    negated = False
    padded = " " + " ".join(words) + " "
    starts = _word_starts(words)
    for term in terms:
        if term.key in _COMMON_WORDS:
            continue
        needle = " " + term.key + " "
        pos = padded.find(needle)
        while pos >= 0:
            start = starts[pos]
            if _negated(words, start):
                negated = True
            else:
                end = start + term.key.count(" ") + 1
                hits.append(_Hit(term.owner, start, end, _chars(term.key)))
            pos = padded.find(needle, pos + 1)
    return hits, negated


def _word_starts(words: Sequence[str]) -> dict[int, int]:
    """Map the offset of each word's leading space in the padded text to the word's index."""
    starts: dict[int, int] = {}
    offset = 0
    for index, word in enumerate(words):
        starts[offset] = index
        offset += len(word) + 1
    return starts


def _contained(coverage: float) -> float:
    """Score of a hit covering this share of the answer times this share of the term."""
    return CONTAINED_BASE + (EXACT_SCORE - CONTAINED_BASE) * min(coverage, 1.0)


def _raise(scores: dict[int, float], owner: int, score: float) -> None:
    """Keep the best score per candidate."""
    if score > scores.get(owner, -1.0):
        scores[owner] = score


def _contained_scores(text: str, prep: _Prepared) -> tuple[dict[int, float], bool]:
    """Score candidates whose term is in the answer, or whose term holds the whole answer."""
    words = text.split()
    total = _chars(text)
    hits, negated = _find_hits(words, prep.terms)
    scores: dict[int, float] = {}
    for hit in hits:
        _raise(scores, hit.owner, _contained(hit.length / total))
    if total >= 3 and _says_something(words):
        needle = " " + text + " "
        for term in prep.terms:
            if len(term.key) > len(text) and needle in " " + term.key + " ":
                _raise(scores, term.owner, _contained(total / _chars(term.key)))
    return scores, negated


def _windows(words: Sequence[str]) -> list[tuple[int, str]]:
    """Runs of the answer's words worth comparing fuzzily: (first word index, text)."""
    found: list[tuple[int, str]] = []
    for size in range(1, min(len(words), MAX_GRAM_WORDS + 1) + 1):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            window = " ".join(run)
            if _gram_ok(run, window) or (size == 1 and _short_ok(window)):
                found.append((start, window))
    return found


def _short_ok(word: str) -> bool:
    """A three-letter word worth the edit-distance reading ('esy'), not filler ('the')."""
    return len(word) >= SHORT_TYPO_CHARS[0] and word not in _FILLER and word not in _COMMON_WORDS


def _fuzzy_scores(text: str, prep: _Prepared) -> tuple[dict[int, float], bool]:
    """Score candidates by typo-tolerant comparison of answer words with choice words."""
    scores: dict[int, float] = {}
    if not SHORT_TYPO_CHARS[0] <= len(text) <= FUZZY_MAX_CHARS:
        return scores, False
    words = text.split()
    total = _chars(text)
    negated = False
    for start, window in _windows(words):
        found = _similar(window, prep)
        if found and _negated(words, start):
            negated = True
            continue
        answer_share = _chars(window) / total
        window_negated = bool(_NEGATIONS.intersection(window.split()))
        for index, similarity in found:
            if prep.gram_negated and prep.gram_negated[index] != window_negated:
                continue  # 'i can' is no typo of 'i cant': a slip never flips a negation
            score = (
                similarity
                - UNCOVERED_PENALTY * (1.0 - answer_share)
                - PARTIAL_TERM_PENALTY * (1.0 - prep.gram_share[index])
            )
            _raise(scores, prep.gram_owner[index], score)
    return scores, negated


def _short_typos(window: str, prep: _Prepared) -> list[tuple[int, float]]:
    """One-word grams one edit or swap away from a short word, or sounding the same."""
    low, high = SHORT_TYPO_CHARS
    if " " in window or not low <= len(window) <= high or window in _FILLER:
        return []
    said = sound(window)
    found: list[tuple[int, float]] = []
    for form, index in prep.sounds:
        gram = prep.grams[index]
        if gram == window or (gram[0] != window[0] and form[0] != said[0]):
            continue
        if form == said or (
            min(len(gram), len(window)) >= 4 and OSA.distance(window, gram, score_cutoff=1) <= 1
        ):
            found.append((index, SHORT_TYPO_SCORE))
    return found


def _similar(window: str, prep: _Prepared) -> list[tuple[int, float]]:
    """Grams close to the window (rapidfuzz ratio), plus grams it abbreviates ('assoc')."""
    if len(window) < FUZZY_MIN_CHARS:
        return _short_typos(window, prep)
    found = process.extract(
        window,
        prep.grams,
        scorer=fuzz.ratio,
        processor=None,  # both sides are already utils.default_process'ed by key()
        score_cutoff=MATCH_CUTOFF,
        limit=None,
    )
    similar = [(index, float(score)) for _gram, score, index in found]
    similar += _short_typos(window, prep)
    if " " not in window and len(window) >= FUZZY_MIN_CHARS:
        similar += [
            (index, ABBREVIATION_SCORE)
            for index, gram in enumerate(prep.grams)
            if gram.startswith(window) and " " not in gram and len(window) * 2 >= len(gram)
        ]
    return similar


def _decide(scores: dict[int, float], prep: _Prepared) -> MatchResult:
    """Turn candidate scores into Matched, Ambiguous (close scores) or NoMatch."""
    if not scores:
        return NoMatch()
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best_score = ranked[0][1]
    close = [owner for owner, score in ranked if best_score - score < AMBIGUOUS_MARGIN]
    if len(close) > 1:
        return Ambiguous(tuple(prep.ids[i] for i in close[:MAX_OPTIONS]))
    return Matched((prep.ids[ranked[0][0]],), round(best_score, 1))


def _option_number(text: str, count: int) -> int | None:
    """Return the 0-based index when the whole answer is an option number 1..count."""
    if re.fullmatch(r"\d{1,3}", text):
        number = int(text)
        if 1 <= number <= count:
            return number - 1
    return None


def _match_one(text: str, prep: _Prepared) -> MatchResult:
    """Match one key (a whole single answer, or one part of a multi answer)."""
    if not text:
        return NoMatch()
    owners = prep.exact.get(text)
    if owners:
        return _exact(owners, prep)
    scores, negated = _contained_scores(text, prep)
    if scores:
        return _decide(scores, prep)
    if negated:  # "not very": the user ruled a choice out; guessing another would be wrong
        return NoMatch()
    scores, negated = _fuzzy_scores(text, prep)
    return NoMatch() if negated else _decide(scores, prep)


def _exact(owners: tuple[int, ...], prep: _Prepared) -> MatchResult:
    """An exact hit: one owner is a match, several (a flow typo) are ambiguous."""
    if len(owners) == 1:
        return Matched((prep.ids[owners[0]],), EXACT_SCORE)
    return Ambiguous(tuple(prep.ids[i] for i in owners[:MAX_OPTIONS]))


# ---- multi answers --------------------------------------------------------------------------


def _pick_hits(words: Sequence[str], prep: _Prepared) -> list[_Hit]:
    """Choose non-overlapping term hits, longest first."""
    hits, _negated = _find_hits(words, prep.terms)
    taken = [False] * len(words)
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.length, h.start)):
        if not any(taken[hit.start : hit.end]):
            chosen.append(hit)
            for i in range(hit.start, hit.end):
                taken[i] = True
    return chosen


def _leftover_parts(words: Sequence[str], chosen: Sequence[_Hit]) -> list[str]:
    """Split the words no hit covered into parts, at hits, at 'and', 'plus'..., and negations."""
    covered = {i for hit in chosen for i in range(hit.start, hit.end)}
    parts: list[list[str]] = [[]]
    for index, word in enumerate(words):
        if index in covered or word in _SPLIT_WORDS or _negated(words, index):
            parts.append([])
        else:
            parts[-1].append(word)
    texts = [" ".join(p) for p in parts if p and _says_something(p)]
    return texts[:MAX_PARTS]


def _match_multi(text: str, prep: _Prepared) -> MatchResult:
    """Match an answer that may name several choices."""
    words = text.split()
    picked = _option_numbers(words, len(prep.ids))
    if picked:
        return _finish_multi(dict.fromkeys(picked, EXACT_SCORE), prep)
    chosen = _pick_hits(words, prep)
    found: dict[int, float] = {hit.owner: _contained(1.0) for hit in chosen}
    first_ambiguous: Ambiguous | None = None
    for part in _leftover_parts(words, chosen):
        result = _match_one(part, prep)
        if isinstance(result, Matched):
            for cid in result.ids:
                found.setdefault(prep.ids.index(cid), result.score)
        elif isinstance(result, Ambiguous) and first_ambiguous is None:
            first_ambiguous = result
    if not found:
        return first_ambiguous or _match_one(text, prep)
    return _finish_multi(found, prep)


def _option_numbers(words: Sequence[str], count: int) -> set[int]:
    """Indexes picked by an answer made only of option numbers ('1, 3'); else empty."""
    picked: set[int] = set()
    for word in words:
        index = _option_number(word, count)
        if index is None and word not in _SPLIT_WORDS:
            return set()
        if index is not None:
            picked.add(index)
    return picked


def _finish_multi(found: dict[int, float], prep: _Prepared) -> MatchResult:
    """Order ids as the candidates are, and drop 'none' when something else was picked."""
    if prep.none_index is not None and len(found) > 1:
        found.pop(prep.none_index, None)
    order = sorted(found)
    return Matched(tuple(prep.ids[i] for i in order), min(found.values()))


# ---- public matching ------------------------------------------------------------------------


CONFIDENT_SCORE: float = 70.0
"""A single best choice scoring below this is asked back ('Did you mean ...?'), not recorded."""

MULTI_CONFIDENT_SCORE: float = 52.0
"""The same for a multi answer, whose score is its weakest part's: one typo in a long
sentence ('i worked in retial for 3 years', 56) still counts; a stray word ('ever' in a
question about quokkas, 46, for 'server') does not."""

_MARKUP = re.compile(r"<\s*/?\s*[a-z][^>]*>|\[[^\]]*\]\([^)]*\)|```|\*\*[^*]+\*\*", re.IGNORECASE)
_SIGNED = re.compile(r"^\s*[-+\u2212]\s*\d")
_OPTION = re.compile(r"(?:#|no\.?|number|option|choice)?\s*\(?(\d{1,2})\s*[.)]?")
_LETTER_ANSWERS = frozenset({"y", "n", "k"})


def option_number(clean: str) -> int | None:
    """The option number a whole answer is ('3', '#3', '3.', 'option 3'), else None."""
    found = _OPTION.fullmatch(clean)
    return int(found.group(1)) if found else None


def is_junk(raw: str, clean: str, answer_key: str) -> bool:
    """True for text that is never an answer: markup, '-1', a lone letter, no words at all."""
    return bool(
        _MARKUP.search(raw[:MAX_INPUT_CHARS])
        or _SIGNED.match(clean)
        or (clean and not answer_key and not (set(raw) & (_YES_EMOJI | _NO_EMOJI)))
        or (len(answer_key) == 1 and not answer_key.isdigit() and answer_key not in _LETTER_ANSWERS)
    )


def match_choice(text: str, candidates: Sequence[Candidate], *, multi: bool = False) -> MatchResult:
    """Match a typed answer to the choices of a question (several choices when multi)."""
    clean = normalize(text)
    answer = key_of_clean(clean)
    if is_junk(text, clean, answer):
        return NoMatch()
    return match_key(answer, option_number(clean), candidates, multi=multi)


def match_key(
    answer: str,
    option: int | None,
    candidates: Sequence[Candidate],
    *,
    multi: bool = False,
    hints: Mapping[str, tuple[str, ...]] | None = None,
) -> MatchResult:
    """Match an answer already read (its key and option number) to the choices; `hints` maps
    whole answers that only hint at choices (another language's words) to their ids."""
    prep = _prepare(tuple(Candidate(c.id, c.label, c.synonyms) for c in candidates))
    if not answer or not prep.ids:
        return NoMatch()
    if option is not None:
        if 1 <= option <= len(prep.ids):
            return Matched((prep.ids[option - 1],), EXACT_SCORE)
    elif answer in prep.exact:  # "n/a", "word and excel": a whole synonym, before any split
        return _exact(prep.exact[answer], prep)
    if len(answer.split()) > MAX_ANSWER_WORDS or looks_like_question(answer):
        return NoMatch()
    hinted = _ask_back(answer, candidates, exact=True)
    if hinted is not None:
        return hinted
    if hints and answer in hints:  # "trabajo en fabrica" in English: asked, not "fabrication"
        return Ambiguous(hints[answer][:MAX_OPTIONS])
    result = _match_multi(answer, prep) if multi else _match_one(answer, prep)
    unsure = isinstance(result, Matched) and result.score < CONFIDENT_SCORE
    if unsure or isinstance(result, NoMatch):
        hinted = _ask_back(answer, candidates, exact=False)
        if hinted is not None:
            return hinted
    if isinstance(result, Matched) and unsure and not multi:
        return Ambiguous(result.ids[:MAX_OPTIONS])
    if isinstance(result, Matched) and multi and result.score < MULTI_CONFIDENT_SCORE:
        return Ambiguous(result.ids[:MAX_OPTIONS])
    return result


def _ask_back(answer: str, candidates: Sequence[Candidate], *, exact: bool) -> Ambiguous | None:
    """A hint ('trabajo en fabrica', a bare 'yes' at the school question): 'Did you mean?'."""
    hinted = tuple(Candidate(c.id, c.ask_back[0], c.ask_back) for c in candidates if c.ask_back)
    if not hinted:
        return None
    prep = _prepare(hinted)
    owners = prep.exact.get(answer)
    if owners:
        return Ambiguous(tuple(prep.ids[i] for i in owners[:MAX_OPTIONS]))
    if exact:
        return None
    scores, _negated = _contained_scores(answer, prep)
    if not scores:
        return None
    best = max(scores.values())
    return Ambiguous(tuple(prep.ids[i] for i, v in scores.items() if best - v < AMBIGUOUS_MARGIN))


def leftover(answer: str, candidates: Sequence[Candidate], ids: Sequence[str]) -> str | None:
    """The words of `answer` (a key) that the chosen choices' words do not cover: for each id,
    its longest label or synonym found in the answer as whole words is taken out. None when one
    of them is not there word for word (a typo, a fuzzy match): what is left is then unknown."""
    words = answer.split()
    prep = _prepare(tuple(Candidate(c.id, c.label, c.synonyms) for c in candidates))
    used: set[int] = set()
    for cid in ids:
        if cid not in prep.ids:
            return None
        owner = prep.ids.index(cid)
        terms = sorted(
            (t.key.split() for t in prep.terms if t.owner == owner and t.key),
            key=len,
            reverse=True,
        )
        span = next((found for term in terms if (found := _span(words, term, used))), None)
        if span is None:
            return None
        used.update(span)
    return " ".join(w for i, w in enumerate(words) if i not in used)


def _span(words: Sequence[str], term: Sequence[str], used: set[int]) -> range | None:
    """Where `term` stands in `words` as whole words, clear of the words already used."""
    size = len(term)
    for start in range(len(words) - size + 1):
        span = range(start, start + size)
        if list(words[start : start + size]) == list(term) and not used.intersection(span):
            return span
    return None


# ---- yes / no -------------------------------------------------------------------------------

_YES_EMOJI = frozenset("👍👌✅✔☑🙆🆗💯")
_NO_EMOJI = frozenset("👎❌✖🚫🙅⛔")

_YES = _keys(
    """yes|y|ye|yea|yeah|yeh|ya|yah|yas|yep|yup|yes please|sure|sure thing|for sure|ok|okay|k|
    kk|of course|ofc|definitely|absolutely|certainly|totally|indeed|right|correct|true|
    affirmative|alright|all right|fine|go ahead|lets go|lets do it|i do|i did|i am|i have|
    i can|i will|i think so|why not|love to|would love|id like that|no problem|no worries|
    not a problem|oui|claro|
    yes sir|uh huh|mhm|aye|bet|cool|great|good|perfect|please""",
    "|",
)
_NO = _keys(
    """no|n|nah|naw|nope|nop|no way|never|not really|not at all|no thanks|no thank you|
    negative|i dont|i didnt|i cant|i wont|i havent|i am not|im not|not yet|none|nada|
    dont|not|nein|hell no|no sir|uh uh|i dont think so|dont think so|rather not""",
    "|",
)
_UNSURE = _keys(
    """maybe|not sure|unsure|idk|i dont know|dont know|dunno|no idea|perhaps|possibly|
    kind of|kinda|sort of|sorta|depends|it depends|probably|probably not|i guess|hmm|
    who knows|not certain|maybe not|maybe later|not sure yet|i dont know yet|50 50|
    might|could be|no clue|no se|no sé""",
    "|",
)
_YES_WITH_NO = frozenset(k for k in _YES if set(k.split()) & _NEGATIONS)
_SURE = key("sure")
_YES_WORDS = frozenset(k for k in _YES if " " not in k and len(k) >= FUZZY_MIN_CHARS)
_NO_WORDS = frozenset(k for k in _NO if " " not in k and len(k) >= FUZZY_MIN_CHARS)
YES_NO_CUTOFF: float = 80.0
"""Lowest rapidfuzz ratio for a misspelled yes/no word ('absolutly', 'definatly' score 84+)."""

YES_NO_FUZZY_WORDS: int = 3
"""Misspellings are read only in answers this short: 'the night shift' is not 'right'."""


def _squeeze(text: str) -> str:
    """Collapse repeated letters ('yesss', 'noooo' -> 'yes', 'no')."""
    return re.sub(r"(.)\1+", r"\1", text)


def _has_phrase(words: str, phrases: Iterable[str]) -> bool:
    """True when one of phrases occurs in words as whole words."""
    padded = " " + words + " "
    return any(" " + p + " " in padded for p in phrases)


def _emoji_answer(text: str) -> bool | None:
    """Read a thumbs-up or thumbs-down (None when there is neither, or both)."""
    head = set(text[:MAX_INPUT_CHARS])
    yes, no = bool(head & _YES_EMOJI), bool(head & _NO_EMOJI)
    return yes if yes != no else None


_Reading: TypeAlias = bool | Literal["unclear"] | None
"""True/False for yes/no, None for unsure ('maybe'), 'unclear' when the words say neither."""


def _phrase_answer(words: str) -> _Reading:
    """Read yes/no from known phrases: unsure wins, then negation, then yes."""
    for phrase in _YES_WITH_NO:  # "no problem" is a yes, not a negation
        words = (" " + words + " ").replace(" " + phrase + " ", " yes ").strip()
    tokens = set(words.split())
    if _has_phrase(words, _UNSURE) or (_SURE in tokens and tokens & _NEGATIONS):
        return None
    if tokens & _NEGATIONS or _has_phrase(words, _NO):
        return False
    if _has_phrase(words, _YES):
        return True
    return _fuzzy_yes_no(tokens) if len(tokens) <= YES_NO_FUZZY_WORDS else "unclear"


def _fuzzy_yes_no(tokens: set[str]) -> _Reading:
    """Read misspelled yes/no words ('absolutly'); 'unclear' when there are none."""
    yes = no = False
    for token in tokens:
        if len(token) >= FUZZY_MIN_CHARS:
            yes |= _close(token, _YES_WORDS)
            no |= _close(token, _NO_WORDS)
    return yes if yes != no else "unclear"


def _close(token: str, words: frozenset[str]) -> bool:
    """True when token is a likely misspelling of one of words."""
    found = process.extractOne(token, words, scorer=fuzz.ratio, score_cutoff=YES_NO_CUTOFF)
    return found is not None


def _read_words(words: str) -> _Reading:
    """Read yes/no/unsure from the words of an answer (emoji already removed)."""
    if not words:
        return "unclear"
    if len(words.split()) > MAX_ANSWER_WORDS:
        return None  # a long paste is no answer, whatever emoji it holds
    for candidate in (words, _squeeze(words)):
        if candidate in _UNSURE:
            return None
        if candidate in _YES or candidate in _NO:
            return candidate in _YES
    answer = _phrase_answer(words)
    return _phrase_answer(_squeeze(words)) if answer == "unclear" else answer


def yes_no_word(answer_key: str) -> bool | None:
    """True for a whole answer that is an English yes ('yes', 'ok', 'yep'), False for a no,
    None for anything else (no spelling slips: this reads only the exact words)."""
    for candidate in (answer_key, _squeeze(answer_key)):
        if candidate in _YES and candidate not in _UNSURE:
            return True
        if candidate in _NO:
            return False
    return None


def match_yes_no(text: str) -> bool | None:
    """Read a typed yes (True), no (False), or unsure/unclear answer (None)."""
    words = _read_words(key(text))
    emoji = _emoji_answer(text)
    if words == "unclear":
        return emoji
    if words is None or emoji is None or words == emoji:
        return words
    return None  # "yes 👎": words and emoji disagree


# ---- numbers --------------------------------------------------------------------------------

_UNIT_WORDS = """zero one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen"""
_UNITS = {w: i for i, w in enumerate(_UNIT_WORDS.split())}
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_TENS = {w: 10 * (i + 2) for i, w in enumerate(_TEN_WORDS.split())}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_SPECIAL = {"none": 0.0, "couple": 2.0, "dozen": 12.0, "half": 0.5}
_RANGE_WORDS = frozenset({"-", "–", "—", "to", "or", "and"})
_NUMBER_TOKEN = re.compile(r"\d+(?:\.\d+)?|\.\d+|[^\W\d_]+|[-–—]")
_MAX_DIGITS = 15


def _tokens_for_numbers(text: str) -> list[str]:
    """Split normalized text into numbers, words and dashes (thousand commas removed)."""
    text = re.sub(r"(?<=[0-9]),(?=[0-9]{3}\b)", "", normalize(text))
    text = re.sub(r"([0-9])\s*k\b", r"\g<1>000", text)
    return _NUMBER_TOKEN.findall(text)


def _word_value(words: Sequence[str], start: int) -> tuple[float | None, int]:
    """Read a spelled-out number starting at words[start]; return (value, next index)."""
    total, current, index, seen = 0.0, 0.0, start, False
    while index < len(words):
        word = words[index]
        if word in _UNITS or word in _TENS:
            current += _UNITS.get(word, _TENS.get(word, 0))
        elif word in _SCALES and (seen or word != "thousand"):
            current = max(current, 1.0) * _SCALES[word]
            if word != "hundred":
                total, current = total + current, 0.0
        elif word in _SCALES:
            current = float(_SCALES[word])
        elif word in ("-", "and") and seen and _joins_number(words, index):
            pass
        else:
            break
        seen, index = True, index + 1
    return (total + current if seen else None), index


def _joins_number(words: Sequence[str], index: int) -> bool:
    """True when '-' or 'and' joins a spelled number ('twenty-five', 'a hundred and two')."""
    before, after = words[index - 1], words[index + 1] if index + 1 < len(words) else ""
    if words[index] == "-":
        return before in _TENS and after in _UNITS and _UNITS[after] < 10
    return before in _SCALES and (after in _UNITS or after in _TENS)


def _values(tokens: Sequence[str]) -> list[float | str]:
    """Replace digit runs and spelled numbers by their values; keep other tokens as words."""
    out: list[float | str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token[0].isdecimal() or token[0] == ".":
            out.append(float(token) if len(token) <= _MAX_DIGITS else math.inf)
            index += 1
            continue
        value, after = _word_value(tokens, index)
        if value is None:
            out.append(_SPECIAL.get(token, token))
            index += 1
        else:
            out.append(value)
            index = after
    return _add_halves(out)


def _add_halves(items: list[float | str]) -> list[float | str]:
    """Fold 'N and a half' into N.5."""
    out: list[float | str] = []
    for item in items:
        tail = out[-3:]
        if item == 0.5 and len(tail) == 3 and tail[1:] == ["and", "a"] and _is_num(tail[0]):
            out[-3:] = [float(tail[0]) + 0.5]
        else:
            out.append(item)
    return out


def _is_num(item: float | str) -> bool:
    """True for a number value (not a word)."""
    return not isinstance(item, str)


def parse_number(text: str) -> float | None:
    """Read a number from text ('ten', 'about 15', '10-15' -> 12.5, '1.5'); None if none."""
    items = _values(_tokens_for_numbers(text))
    for index, item in enumerate(items):
        if isinstance(item, str):
            continue
        low = float(item)
        if index + 2 < len(items) and items[index + 1] in _RANGE_WORDS:
            high = items[index + 2]
            if not isinstance(high, str) and (items[index + 1] != "and" or _between(items, index)):
                return _finite((low + float(high)) / 2)
        return _finite(low)
    return None


def _between(items: Sequence[float | str], index: int) -> bool:
    """True for 'between A and B'."""
    return index > 0 and items[index - 1] == "between"


def _finite(value: float) -> float | None:
    """Drop infinities and NaN (a 500-digit number is not an answer)."""
    return value if math.isfinite(value) else None
