"""Typed answers a job seeker might send, matched to intake choices, yes/no and numbers."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from dialogs.matching import (
    AMBIGUOUS_MARGIN,
    MATCH_CUTOFF,
    MAX_INPUT_CHARS,
    Ambiguous,
    Candidate,
    Matched,
    MatchResult,
    NoMatch,
    key,
    looks_like_question,
    match_choice,
    match_yes_no,
    normalize,
    parse_number,
)

C = Candidate


def syn(phrases: str) -> tuple[str, ...]:
    """Synonyms written as one '|'-separated string."""
    return tuple(phrases.split("|"))


EDUCATION = (
    C(
        "no_hs",
        "No high school diploma",
        syn(
            "no|none|no diploma|didn't finish|did not finish|dropped out|never finished"
            "|no high school|left school|middle school"
        ),
    ),
    C(
        "hs",
        "High school or GED",
        syn(
            "hs|high school|ged|hiset|hi set|diploma|hs diploma|high school diploma"
            "|finished high school|graduated|some college"
        ),
    ),
    C(
        "cert",
        "Short certificate",
        syn(
            "cert|certificate|certification|cna|comptia|a+|welding cert|trade school"
            "|license|vocational"
        ),
    ),
    C(
        "assoc",
        "Associate degree",
        syn(
            "aa|as|aas|associate|associates|associate's|2 year degree|two year degree"
            "|community college"
        ),
    ),
    C(
        "bach",
        "Bachelor's degree",
        syn(
            "ba|bs|bsc|bachelor|bachelors|college grad|college degree|4 year degree"
            "|university|masters|phd|comp sci degree"
        ),
    ),
)
ENGLISH = (
    C("easy", "Easy", ("very easy", "fluent", "native", "no problem", "good", "great")),
    C("ok", "OK", ("okay", "so so", "fine", "not bad", "medium", "a little", "some")),
    C("hard", "Hard", ("difficult", "not good", "bad", "very hard", "learning", "poco")),
)
COMPUTER = (
    C(
        "phone",
        "I use a phone only",
        ("phone only", "only phone", "just my phone", "smartphone", "no computer", "never"),
    ),
    C(
        "web",
        "Email and web",
        ("email", "internet", "web", "browsing", "facebook", "youtube", "a little", "basic"),
    ),
    C(
        "office",
        "Word, Excel",
        ("word", "excel", "office", "microsoft office", "spreadsheets", "google docs", "typing"),
    ),
    C(
        "very",
        "Very comfortable",
        ("very", "expert", "advanced", "programming", "coding", "i fix computers", "a lot"),
    ),
)
EXPERIENCE = (
    C("retail", "Retail", ("store", "shop", "cashier", "sales", "walmart", "target", "grocery")),
    C(
        "customer",
        "Customer service",
        ("call center", "customer support", "front desk", "waitress", "server", "fast food"),
    ),
    C("computers", "Computers", ("computer", "it", "tech support", "help desk", "computer stuff")),
    C(
        "assembly",
        "Assembly or production",
        ("assembly line", "factory", "assembler", "manufacturing", "machine operator", "packing"),
    ),
    C(
        "maintenance",
        "Maintenance or repair",
        ("repair", "mechanic", "fixing cars", "handyman", "janitor", "fix things"),
    ),
    C("welding", "Welding", ("welder", "weld", "fabrication", "fabricator", "sheet metal")),
    C("drafting", "Drafting or blueprints", ("blueprint", "cad", "autocad", "drawing")),
    C("none", "None yet", ("none", "no", "nothing", "no experience", "never worked", "n/a")),
)
INTERESTS = (
    C("making", "Making things", ("production", "building things", "build", "hands on")),
    C("fixing", "Fixing machines", ("maintenance", "repair", "fixing things", "mechanic")),
    C("safety", "Safety", ("health and safety", "environment", "osha")),
    C("shipping", "Shipping and stock", ("logistics", "inventory", "warehouse", "forklift")),
    C("process", "Improving processes", ("process improvement", "making things faster")),
    C("quality", "Checking quality", ("quality control", "qa", "qc", "inspection", "testing")),
    C(
        "networks",
        "Computers and networks",
        ("computer", "networking", "it", "comp sci", "computer science", "hardware"),
    ),
    C("cyber", "Cyber security", ("cybersecurity", "security", "hacking", "infosec")),
    C("games", "Games", ("gaming", "video games", "game design")),
    C("websites", "Websites", ("web design", "website", "web sites", "html")),
)
SETS = {
    "education": EDUCATION,
    "english": ENGLISH,
    "computer": COMPUTER,
    "experience": EXPERIENCE,
    "interests": INTERESTS,
}
MULTI = {"experience", "interests"}


def amb(*ids: str) -> Ambiguous:
    """An expected 'Did you mean ...?' with these ids, best first."""
    return Ambiguous(ids)


NO = NoMatch()

# (question, what the user typed, what the bot should understand)
CHOICE_TABLE: list[tuple[str, str, tuple[str, ...] | Ambiguous | NoMatch]] = [
    # education: exact synonyms, abbreviations, typos, negation
    ("education", "GED", ("hs",)),
    ("education", "ged.", ("hs",)),
    ("education", "HS", ("hs",)),
    ("education", "HiSET", ("hs",)),
    ("education", "i have my ged", ("hs",)),
    ("education", "highschool", ("hs",)),
    ("education", "hihg school", ("hs",)),
    ("education", "high scool", ("hs",)),
    ("education", "i have a diploma", ("hs",)),
    ("education", "some college", ("hs",)),
    ("education", "dropped out", ("no_hs",)),
    ("education", "didnt finish hs", ("no_hs",)),
    ("education", "I didn't finish high school", ("no_hs",)),
    ("education", "I didn’t finish high school", ("no_hs",)),  # curly apostrophe
    ("education", "i have no diploma", ("no_hs",)),
    ("education", "no", ("no_hs",)),
    ("education", "CNA", ("cert",)),
    ("education", "comptia a+", ("cert",)),
    ("education", "i got a cert", ("cert",)),
    ("education", "certifcate", ("cert",)),
    ("education", "assoc", ("assoc",)),
    ("education", "AA degree", ("assoc",)),
    ("education", "associates", ("assoc",)),
    ("education", "asociate degree", ("assoc",)),
    ("education", "a bachelors in biology", ("bach",)),
    ("education", "BS in comp sci", ("bach",)),
    ("education", "college grad", ("bach",)),
    ("education", "comp sci degree", ("bach",)),
    ("education", "bachlors", ("bach",)),
    ("education", "Bachelor’s degree!!!", ("bach",)),
    ("education", "degree", amb("assoc", "bach")),
    ("education", "school", amb("no_hs", "hs", "cert")),
    ("education", "no, i have a ged", amb("hs", "no_hs")),
    ("education", "same as my brother", NO),  # "as" is a synonym, but only on its own
    ("education", "this", NO),  # holds "hs" as letters, not as a word
    ("education", "what is a ged?", NO),  # a question for the question handler
    ("education", "banana", NO),
    ("education", "1", ("no_hs",)),
    ("education", "5", ("bach",)),
    ("education", "6", NO),
    ("education", "0", NO),
    # English comfort
    ("english", "easy", ("easy",)),
    ("english", "Ok!!", ("ok",)),
    ("english", "its ok", ("ok",)),
    ("english", "so-so", ("ok",)),
    ("english", "not good", ("hard",)),
    ("english", "not so good", NO),  # negated "good": not easy, and we do not guess
    ("english", "dificult", ("hard",)),
    ("english", "hard 😅", ("hard",)),
    ("english", "i'm fluent", ("easy",)),
    ("english", "native speaker", ("easy",)),
    ("english", "fine, dificult sometimes", ("ok",)),  # a synonym beats a typo
    # computer comfort
    ("computer", "word and excel", ("office",)),
    ("computer", "WORD, EXCEL", ("office",)),
    ("computer", "i use excel at work", ("office",)),
    ("computer", "exel", ("office",)),
    ("computer", "spreadsheats", ("office",)),
    ("computer", "emial", ("web",)),
    ("computer", "just email", ("web",)),
    ("computer", "facebook and youtube", ("web",)),
    ("computer", "only my phone 📱", ("phone",)),
    ("computer", "VERY!!!", ("very",)),
    ("computer", "comfortable", ("very",)),
    ("computer", "programing", ("very",)),
    ("computer", "not very", NO),
    ("computer", "i dont have a computer", NO),
    ("computer", "wat pays more then 20 dolars an hr?", NO),
    ("computer", "3", ("office",)),
    ("computer", "\u200fword\u200f", ("office",)),  # right-to-left marks
    ("computer", "e\u200bmail", ("web",)),  # zero-width space inside the word
    ("computer", "ＥＸＣＥＬ", ("office",)),  # full-width letters
    # work experience (multi)
    ("experience", "retail and some computer stuff", ("retail", "computers")),
    ("experience", "Retail, customer service", ("retail", "customer")),
    ("experience", "cashier at walmart", ("retail",)),
    ("experience", "welding & fabrication", ("welding",)),
    ("experience", "mechanic and welder and cashier", ("retail", "maintenance", "welding")),
    ("experience", "factory work + fixing cars", ("assembly", "maintenance")),
    ("experience", "welder/fabricator, also some blueprints", ("welding", "drafting")),
    ("experience", "custmer service and welding", ("customer", "welding")),
    ("experience", "I did assembly line work and maintanance", ("assembly", "maintenance")),
    ("experience", "i worked in retial for 3 years", ("retail",)),
    ("experience", "call center plus help desk", ("customer", "computers")),
    ("experience", "Retail, and I also did some tech support", ("retail", "computers")),
    ("experience", "retail but no computers", ("retail",)),
    ("experience", "WALMART!!! 🛒", ("retail",)),
    ("experience", "none", ("none",)),
    ("experience", "no", ("none",)),
    ("experience", "nothing yet", ("none",)),
    ("experience", "n/a", ("none",)),
    ("experience", "retail and none", ("retail",)),
    ("experience", "1, 3", ("retail", "computers")),
    ("experience", "babysitting", NO),
    ("experience", "not welding", NO),  # a bare "not" is not "none"
    # interests (multi)
    ("interests", "comp sci", ("networks",)),
    ("interests", "IT", ("networks",)),
    ("interests", "i like it", NO),  # "it" the word, not IT
    ("interests", "fixing cars and forklifts", ("fixing", "shipping")),
    ("interests", "making things faster", ("process",)),
    ("interests", "i like making things", ("making",)),
    ("interests", "cyber securty", ("cyber",)),
    ("interests", "video games and websites", ("games", "websites")),
    ("interests", "websights", ("websites",)),
    ("interests", "hacking + gaming", ("cyber", "games")),
    ("interests", "quality control, inspection", ("quality",)),
    ("interests", "building stuff, fixing machines and games", ("making", "fixing", "games")),
    ("interests", "safety 👷‍♀️ and shipping", ("safety", "shipping")),
    ("interests", "everything", NO),
]


def expected_result(expected: tuple[str, ...] | Ambiguous | NoMatch) -> type[MatchResult]:
    """The result class a table row expects."""
    return Matched if isinstance(expected, tuple) else type(expected)


@pytest.mark.parametrize(("question", "text", "expected"), CHOICE_TABLE)
def test_typed_answer_is_understood(
    question: str, text: str, expected: tuple[str, ...] | Ambiguous | NoMatch
) -> None:
    result = match_choice(text, SETS[question], multi=question in MULTI)
    assert isinstance(result, expected_result(expected)), result
    if isinstance(result, Matched):
        assert result.ids == expected
    else:
        assert result == expected


def test_table_is_big_enough() -> None:
    assert len(CHOICE_TABLE) >= 60


# ---- the cut-offs ---------------------------------------------------------------------------


def test_match_cutoff_keeps_one_slip_and_drops_two() -> None:
    # "emial" is one swap away from "email" and scores exactly the cut-off: it matches.
    assert fuzz.ratio("emial", "email") >= MATCH_CUTOFF
    found = match_choice("emial", COMPUTER)
    assert isinstance(found, Matched) and found.ids == ("web",) and found.score >= MATCH_CUTOFF
    # "okey" against "okay" scores under it, but it is one letter off a short word: the
    # edit-distance reading takes it, which the ratio scorer alone would miss.
    assert fuzz.ratio("okey", "okay") < MATCH_CUTOFF
    okey = match_choice("okey", ENGLISH)
    assert isinstance(okey, Matched) and okey.ids == ("ok",)
    # two slips in a short word are too many: the bot asks again rather than guess.
    assert not isinstance(match_choice("ukey", ENGLISH), Matched)


def test_ambiguous_margin_separates_a_typo_from_a_shared_word() -> None:
    clear = match_choice("hihg school", EDUCATION)
    assert isinstance(clear, Matched) and clear.ids == ("hs",)
    assert match_choice("degree", EDUCATION) == Ambiguous(("assoc", "bach"))
    assert 0 < AMBIGUOUS_MARGIN < 100 - MATCH_CUTOFF


def test_two_close_labels_are_ambiguous_not_guessed() -> None:
    shifts = (C("day", "Day shift"), C("night", "Night shift"), C("any", "Any time"))
    assert match_choice("shift", shifts) == Ambiguous(("day", "night"))
    typo = match_choice("nite shift", shifts)
    assert isinstance(typo, Matched) and typo.ids == ("night",)


def test_exact_hit_scores_100_and_fuzzy_less() -> None:
    exact = match_choice("ged", EDUCATION)
    fuzzy = match_choice("hihg school", EDUCATION)
    assert isinstance(exact, Matched) and exact.score == 100.0
    assert isinstance(fuzzy, Matched) and MATCH_CUTOFF <= fuzzy.score < 100.0


def test_ambiguous_offers_two_or_three_distinct_choices() -> None:
    for question, text, _expected in CHOICE_TABLE:
        result = match_choice(text, SETS[question], multi=question in MULTI)
        if isinstance(result, Ambiguous):
            assert 1 <= len(result.options) <= 3
            assert len(set(result.options)) == len(result.options)


# ---- short words ----------------------------------------------------------------------------


def test_no_never_fuzzy_matches_none_yet() -> None:
    bare = (C("some", "Some"), C("none", "None yet"))
    assert match_choice("no", bare) == NoMatch()
    listed = (C("some", "Some"), C("none", "None yet", ("no",)))
    assert match_choice("no", listed) == Matched(("none",), 100.0)


def test_abbreviation_needs_an_explicit_synonym() -> None:
    bare = (C("no_diploma", "No diploma"), C("high_school", "High school or GED"))
    assert match_choice("hs", bare) == NoMatch()
    listed = (C("no_diploma", "No diploma"), C("high_school", "High school or GED", ("hs",)))
    assert match_choice("hs", listed) == Matched(("high_school",), 100.0)


def test_choice_id_counts_as_a_synonym() -> None:
    shifts = (C("day_shift", "Mornings"), C("night_shift", "Evenings"))
    assert match_choice("Night shift", shifts) == Matched(("night_shift",), 100.0)


def test_numbers_pick_options_only_as_the_whole_answer() -> None:
    assert match_choice("2", COMPUTER) == Matched(("web",), 100.0)
    assert match_choice(" 2. ", COMPUTER) == Matched(("web",), 100.0)
    assert match_choice("2 years", COMPUTER) == NoMatch()
    assert match_choice("I was 2", COMPUTER) == NoMatch()


# ---- multi ----------------------------------------------------------------------------------


def test_multi_ids_follow_candidate_order_without_repeats() -> None:
    result = match_choice("welder, cashier, welding and walmart", EXPERIENCE, multi=True)
    assert result == Matched(("retail", "welding"), 100.0)


def test_none_is_dropped_when_something_else_is_picked() -> None:
    assert match_choice("nothing, maybe a bit of retail", EXPERIENCE, multi=True) == Matched(
        ("retail",), 100.0
    )
    assert match_choice("nothing", EXPERIENCE, multi=True) == Matched(("none",), 100.0)


def test_single_choice_never_returns_several_ids() -> None:
    for question, text, _expected in CHOICE_TABLE:
        result = match_choice(text, SETS[question])
        if isinstance(result, Matched):
            assert len(result.ids) == 1


# ---- hostile input --------------------------------------------------------------------------


def garbage(seed: int, alphabet: str, length: int = 5_000) -> str:
    """A long paste of random characters."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


GARBAGE = [
    "x" * 5_000,
    garbage(1, string.ascii_letters + string.punctuation),
    garbage(2, string.ascii_lowercase + "     "),
    garbage(3, "😀👍🔥\u200b\u200f\u202e\u2066абвгд中文字 "),
    "ged " * 1_250,  # a real synonym, pasted over and over
]


@pytest.mark.parametrize("text", GARBAGE, ids=["one-letter", "ascii", "words", "unicode", "ged"])
@pytest.mark.parametrize("question", sorted(SETS))
def test_long_garbage_is_no_match(question: str, text: str) -> None:
    assert match_choice(text, SETS[question], multi=question in MULTI) == NoMatch()


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200f", "😀🔥", "?!...", "\n\t"])
def test_empty_answers_are_no_match(text: str) -> None:
    for question, candidates in SETS.items():
        assert match_choice(text, candidates, multi=question in MULTI) == NoMatch()
    assert match_yes_no(text) is None
    assert parse_number(text) is None


def test_no_candidates_is_no_match() -> None:
    assert match_choice("ged", ()) == NoMatch()


def test_questions_are_recognized() -> None:
    assert looks_like_question("What pays more than $20 an hour?")
    assert looks_like_question("how long does it take")
    assert not looks_like_question("word and excel")
    assert not looks_like_question("what?")


# ---- normalize ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Word,   EXCEL  ", "word, excel"),
        ("G\u200bED", "ged"),
        ("\u202bged\u202c", "ged"),
        ("\u2067hs\u2069", "hs"),
        ("ＧＥＤ", "ged"),
        ("Straße", "strasse"),
        ("👍🏽 yes", "yes"),
        ("retail🛒and computers", "retail and computers"),
        ("line\none\ttwo", "line one two"),
        ("\ufeffbom", "bom"),
    ],
)
def test_normalize_cleans_what_phones_send(raw: str, clean: str) -> None:
    assert normalize(raw) == clean


def test_normalize_caps_length() -> None:
    assert len(normalize("a" * 5_000)) == MAX_INPUT_CHARS
    assert len(normalize("ﷺ" * 5_000)) <= MAX_INPUT_CHARS  # one character, 18 after NFKC


def test_key_drops_punctuation_apostrophes_and_plurals() -> None:
    assert key("Bachelor's Degrees!") == "bachelor degree"
    assert key("didn’t finish") == "didnt finish"
    assert key("Word, Excel") == key("word and excel")


# ---- yes / no -------------------------------------------------------------------------------

YES_NO_TABLE: list[tuple[str, bool | None]] = [
    ("yes", True),
    ("Yes!!", True),
    ("yep", True),
    ("yeah", True),
    ("ya", True),
    ("yesss", True),
    ("sure", True),
    ("ok", True),
    ("of course", True),
    ("si", None),  # Spanish: asked back at the question (flow ask_back), not taken as yes
    ("Sí, claro", True),
    ("👍", True),
    ("👍🏽", True),
    ("YES I DID", True),
    ("absolutly", True),
    ("definatly", True),
    ("no problem", True),  # a yes, although it holds "no"
    ("sure, why not", True),
    ("I would love to", True),
    ("no", False),
    ("nah", False),
    ("nope", False),
    ("noooo", False),
    ("not really", False),
    ("no way", False),
    ("👎", False),
    ("of course not", False),  # negation wins
    ("yeah no", False),
    ("i dont think so", False),
    ("no thanks", False),
    ("maybe", None),
    ("not sure", None),
    ("idk", None),
    ("I am not sure", None),
    ("not really sure", None),  # negated "sure" is unsure, not a no
    ("dunno 🤷", None),
    ("yes 👎", None),  # the words and the emoji disagree
    ("banana", None),
    ("i work the night shift", None),  # "night" is not a typo of "right"
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), YES_NO_TABLE)
def test_yes_no(text: str, expected: bool | None) -> None:
    assert match_yes_no(text) is expected


def test_yes_no_on_garbage_is_none() -> None:
    for text in GARBAGE[:4]:
        assert match_yes_no(text) is None


# ---- numbers --------------------------------------------------------------------------------

NUMBER_TABLE: list[tuple[str, float | None]] = [
    ("10", 10.0),
    ("ten", 10.0),
    ("about 15", 15.0),
    ("10-15", 12.5),
    ("10–15", 12.5),
    ("10 to 15 hours", 12.5),
    ("between 10 and 15", 12.5),
    ("2 or 3", 2.5),
    ("twenty five", 25.0),
    ("twenty-five", 25.0),
    ("thirty to forty", 35.0),
    ("1.5", 1.5),
    ("one and a half", 1.5),
    ("two and a half hours", 2.5),
    ("$20 an hour", 20.0),
    ("1,500", 1500.0),
    ("50k", 50_000.0),
    ("forty five thousand", 45_000.0),
    ("a couple hours", 2.0),
    ("15+", 15.0),
    ("around 20ish", 20.0),
    ("zero", 0.0),
    ("none", 0.0),
    ("idk", None),
    ("a lot", None),
    ("", None),
    ("9" * 400, None),  # not a finite answer
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_TABLE)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


# ---- properties -----------------------------------------------------------------------------

candidate_st = st.builds(
    Candidate,
    id=st.text(min_size=1, max_size=8),
    label=st.text(max_size=30),
    synonyms=st.lists(st.text(max_size=15), max_size=4).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), question=st.sampled_from(sorted(SETS)), multi=st.booleans())
def test_matching_never_raises_and_stays_in_the_choices(
    text: str, question: str, multi: bool
) -> None:
    candidates = SETS[question]
    ids = {c.id for c in candidates}
    result = match_choice(text, candidates, multi=multi)
    if isinstance(result, Matched):
        assert result.ids and set(result.ids) <= ids
        assert len(set(result.ids)) == len(result.ids)
        assert multi or len(result.ids) == 1
    elif isinstance(result, Ambiguous):
        assert set(result.options) <= ids and 1 <= len(result.options) <= 3


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=60), candidates=st.lists(candidate_st, max_size=6), multi=st.booleans()
)
def test_any_candidates_any_text(text: str, candidates: list[Candidate], multi: bool) -> None:
    ids = {c.id for c in candidates}
    result = match_choice(text, candidates, multi=multi)
    if isinstance(result, Matched):
        assert set(result.ids) <= ids
    elif isinstance(result, Ambiguous):
        assert set(result.options) <= ids


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert len(once) <= MAX_INPUT_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_yes_no_and_numbers_never_raise(text: str) -> None:
    assert match_yes_no(text) in (True, False, None)
    number = parse_number(text)
    assert number is None or number == number  # a real number, never NaN
