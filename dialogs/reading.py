"""One typed message, read once: the reading every stage and the question answerer share (pure).

`read(text)` cleans the text and works out, once, what the engine needs to know about it: its
clean words and comparison key, a number in it, whether it is a bare option number, whether it
holds money, a negation or a question, whether it is junk (markup, '-1', a lone letter) and
whether it is a navigation word ('back', 'undo', 'help'). Matching and the question answerer
take the reading's parts instead of normalizing the text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dialogs.matching import (
    is_junk,
    key,
    key_of_clean,
    looks_like_question,
    normalize,
    option_number,
    parse_number,
)
from dialogs.questions import looks_like_question as asks_about_jobs

MAX_TEXT = 2000
"""Longer messages are cut to this many characters before they are read."""


class Social(StrEnum):
    """A message that is talk, not an answer."""

    HELLO = "hello"
    LOST = "lost"


def _phrases(*texts: str) -> frozenset[str]:
    return frozenset(key(t) for text in texts for t in text.split("|"))


_HELLO = _phrases(
    "hi|hello|hey|hiya|good morning|good afternoon|good evening|thanks|thank you|thx|ty|sorry|"
    "lol|ok thanks|ok thank you",
    "hola|buenas|buenos dias|buenos días|buenas tardes|buenas noches|gracias|muchas gracias|"
    "perdon|perdón|disculpa|jaja|jajaja",
    "oi|ola|olá|bom dia|boa tarde|boa noite|obrigado|obrigada|valeu|desculpa|desculpe|kkk|rsrs",
    "salut|bonjour|bonsoir|coucou|merci|merci beaucoup|pardon|désolé|desole|mdr|ptdr",
    "مرحبا|اهلا|أهلا|السلام عليكم|سلام|صباح الخير|مساء الخير|شكرا|شكرا لك|شكرا جزيلا|آسف|اسف|هههه",
    "salaan|salaam|asc|assalamu alaikum|subax wanaagsan|galab wanaagsan|habeen wanaagsan|"
    "mahadsanid|mahad sanid|aad baad u mahadsantahay|iga raali ahow|raali ahow",
)
_LOST = _phrases(
    "i dont understand|i do not understand|dont understand|i no understand|i not understand|"
    "no understand|what|what?|huh|i dont get it|i am confused|im confused|confused",
    "no entiendo|no entendi|no entendí|no comprendo|que|qué|como|cómo|mande",
    "não entendi|nao entendi|não entendo|nao entendo|não compreendo|como assim|o que",
    "je comprends pas|je ne comprends pas|j'ai pas compris|je n'ai pas compris|pas compris|quoi|"
    "comment",
    "ما فهمت|لم افهم|لم أفهم|مش فاهم|ما فهمت شي|ماذا|شو|ايش|يعني ايش",
    "ma fahmin|ma fahmi|ma fahmin waxaad tiri|ma garanayo|maxay|maxaad tiri|waa maxay",
)
_LAUGH = re.compile(r"^(?:ha|ja|he|hi|ke|k|rs|ه)+$|^x+d+$")
"""A laugh ('haha', 'jaja', 'kkkk', 'rsrs', 'هههه', 'xd'), three letters or more; 'haa' (Somali
yes) is none."""


def _social(answer_key: str) -> Social | None:
    """Talk that is not an answer: hello, thanks, sorry, a laugh; or being lost."""
    if answer_key in _LOST:
        return Social.LOST
    squeezed = answer_key.replace(" ", "")
    if answer_key in _HELLO or (len(squeezed) >= 3 and _LAUGH.match(squeezed)):
        return Social.HELLO
    return None


class Nav(StrEnum):
    """A typed navigation word, read like its command."""

    BACK = "back"
    HELP = "help"


_BACK = frozenset(
    key(w)
    for w in (
        "back",
        "go back",
        "undo",
        "previous",
        "back please",
        "go back please",
        "previous question",
        "last question",
        "wait go back",
        "oops",
        "oops back",
        "atras",
        "regresar",
        "volver",
    )
)
_HELP = frozenset(key(w) for w in ("help", "help me", "i need help", "help please", "ayuda"))
_MONEY = re.compile(r"\$|\b(?:dollars?|bucks?|usd|grand|salary|wages?|pay|paid|earn\w*)\b|\d\s*k\b")
_LESS = re.compile(
    r"\b(?:less than|fewer than|under|below|up to|at most|max|maximum|not more than|"
    r"menos de|menos que|moins de|moins que|au plus|أقل من|اقل من|ka yar|ka yaryahay)\b"
)
_MORE = re.compile(
    r"\b(?:more than|over|above|at least|plus|mas de|más de|mais de|mais que|plus de|plus que|"
    r"au moins|pelo menos|por lo menos|al menos|أكثر من|اكثر من|على الأقل|ka badan|ugu yaraan)\b"
    r"|\d\s*\+"
)
_NEGATION = re.compile(
    r"\b(?:no|not|never|dont|don't|didnt|didn't|cant|can't|cannot|wont|won't|without|nope)\b"
)


_ONE_TO_TWENTY = (
    # Spanish, Portuguese, French, Somali, Arabic ("-": none; 'un', 'um', 'une' are also 'a')
    "uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciseis diecisiete dieciocho diecinueve veinte",
    "- dois tres quatro cinco seis sete oito nove dez onze doze treze catorze quinze "
    "dezesseis dezessete dezoito dezenove vinte",
    "- deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize dix-sept dix-huit dix-neuf vingt",
    "kow laba saddex afar shan lix toddoba siddeed sagaal toban - - - - - - - - - labaatan",
    "واحد اثنين ثلاث اربع خمس ست سبع ثمان تسع عشر - - - - - - - - - عشرين",
)
_TENS_WORDS = {
    "veinticinco": 25, "treinta": 30, "cuarenta": 40, "vinte e cinco": 25, "trinta": 30,
    "quarenta": 40, "vingt-cinq": 25, "trente": 30, "quarante": 40, "soddon": 30,
    "afartan": 40, "ثلاثين": 30, "اربعين": 40, "ثلاثة": 3, "اربعة": 4, "خمسة": 5, "ستة": 6,
    "سبعة": 7, "ثمانية": 8, "تسعة": 9, "عشرة": 10,
}  # fmt: skip
_NUMBER_WORDS = {
    key(word): value
    for words in _ONE_TO_TWENTY
    for value, word in enumerate(words.split(), 1)
    if word != "-"
} | {key(word): value for word, value in _TENS_WORDS.items()}
_NUMBER_PHRASES = sorted(_NUMBER_WORDS.items(), key=lambda kv: -len(kv[0]))


def _number(clean: str) -> float | None:
    """A number in the text, digits or words, in English or the other languages ('veinte')."""
    found = parse_number(clean)
    if found is not None:
        return found
    said = f" {key(clean)} "
    for phrase, value in _NUMBER_PHRASES:
        said = said.replace(f" {phrase} ", f" {value} ")
    return parse_number(said) if said.strip() != key(clean) else None


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message says, worked out once."""

    raw: str
    """The text as typed (cut to MAX_TEXT)."""
    clean: str
    """NFKC, casefolded, emoji and invisible marks out, spaces collapsed."""
    key: str
    """The comparison form matching uses (punctuation out, singular words)."""
    number: float | None
    """A number in the text ('about 12', 'ten', '10-15' -> 12.5)."""
    option: int | None
    """The whole text is this option number ('3', '#3', '3.', 'option 3'), 1-based."""
    money: bool
    """It names money or pay ('$', 'bucks', 'salary', '50k')."""
    negated: bool
    """It holds a negation ('not', "can't", 'never')."""
    asks: bool
    """It reads as a question (about jobs and pay, or a 'what/how/...' sentence, or '?')."""
    junk: bool
    """Never an answer: markup, a signed number ('-1'), a lone letter, no letters or digits."""
    nav: Nav | None
    """A navigation word typed as text ('back', 'undo', 'help')."""
    cut: bool = False
    """The message was longer than MAX_TEXT."""
    social: Social | None = None
    """A greeting, a thanks, a laugh or "I don't understand", in any of the six languages:
    never an answer, whatever choice word it brushes ('bom dia' is not 'good')."""
    compare: int = 0
    """-1 when the number is a most ('less than 10', 'menos de 10'), +1 when it is a least
    ('more than 10', 'au moins 10', '10+'), else 0."""

    @property
    def empty(self) -> bool:
        """Nothing readable at all (a thumbs up alone is readable)."""
        return not self.clean and not _has_emoji_answer(self.raw)


def read(text: str) -> Reading:
    """Read one message once."""
    raw = text[:MAX_TEXT]
    clean = normalize(raw)
    k = key_of_clean(clean)
    junk = is_junk(raw, clean, k)
    nav = Nav.BACK if k in _BACK else Nav.HELP if k in _HELP else None
    return Reading(
        raw=raw,
        clean=clean,
        key=k,
        number=_number(clean) if not junk else None,
        option=option_number(clean),
        money=bool(_MONEY.search(clean)),
        negated=bool(_NEGATION.search(clean)),
        asks=bool(clean)
        and (looks_like_question(clean) or asks_about_jobs(raw) or _asks_abroad(k) or _MARK(raw)),
        junk=junk,
        nav=nav,
        cut=len(text) > MAX_TEXT,
        social=_social(k),
        compare=-1 if _LESS.search(clean) else 1 if _MORE.search(clean) else 0,
    )


_QUESTION_STARTS = frozenset(
    key(w)
    for w in (
        # the first words of a question in the other languages ('como' and the Arabic 'ما'
        # are left out: they also start answers, 'como 8' is 'about 8', 'ما اشتغلت' 'I did not')
        "que", "qué", "q", "cuanto", "cuánto", "cuanta", "cuántas", "donde", "dónde", "cual",
        "cuál", "por que", "o que", "oq", "quanto", "quanta", "onde", "qual", "quais",
        "quoi", "quel", "quelle", "quels", "combien", "comment", "ou", "où", "pourquoi",
        "c est quoi", "qu est ce", "est ce que", "ماذا", "شو", "ايش", "كم", "كيف", "أين", "اين",
        "هل", "ليش", "لماذا", "وين", "maxay", "waa maxay", "maxaa", "imisa", "sidee", "xagee",
        "halkee", "goorma", "yaa",
    )
)  # fmt: skip


def _asks_abroad(answer_key: str) -> bool:
    """A question in another language, by its first words ('q es el ged', 'c'est quoi')."""
    words = answer_key.split()
    return len(words) >= 2 and (
        words[0] in _QUESTION_STARTS
        or " ".join(words[:2]) in _QUESTION_STARTS
        or " ".join(words[:3]) in _QUESTION_STARTS
    )


def _MARK(raw: str) -> bool:
    """A question mark in any script ('?', '¿', '؟')."""
    return any(mark in raw for mark in "?¿؟")


def _has_emoji_answer(raw: str) -> bool:
    """A thumbs up or down is an answer even with no letters."""
    return any(ch in raw for ch in "👍👎👌✅❌")
