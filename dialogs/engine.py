"""The dialog engine: `handle(state, event, now) -> Turn`, pure, for every input.

Each pending question has a *stage*: how to ask it (text and buttons) and what an answer does.
Intake questions come from the flow file; the stages live in one module per phase
(intake, recommendations, selection, goals, planning, engagement, plus commands and handoff),
and the table `STAGES` at the bottom maps every pending id to its stage.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from dialogs import i18n, localize
from dialogs import messages as say
from dialogs.commands import (
    COMMANDS,
    answer_forget,
    answer_menu,
    answer_restart,
    ask_confirm,
    ask_menu,
    choose_language,
    command,
    menu_synonyms,
    mydata_text,
    progress_reply,
    yes_no_synonyms,
)
from dialogs.core import (
    MAX_TEXT,
    STAGES,
    Ctx,
    Outcome,
    Stage,
    ask_pending,
    idle,
    pending_options,
    reask,
    stage_id,
)
from dialogs.engagement import (
    CHECKIN_STAGES,
    RETURN_AFTER,
    answer_change,
    answer_changed,
    answer_checkin,
    answer_exit,
    answer_pause,
    answer_shift,
    answer_stuck,
    answer_stuck_next,
    answer_welcome_back,
    ask_change,
    ask_changed,
    ask_checkin,
    ask_exit,
    ask_pause,
    ask_shift,
    ask_stuck,
    ask_stuck_next,
    ask_welcome_back,
    changed_synonyms,
    checkin_due,
    checkin_synonyms,
    exit_synonyms,
    next_checkin,
    stuck_synonyms,
    welcome_back,
)
from dialogs.flow import Flow, Kind, Question, intake_flow
from dialogs.goals import answer_goal, ask_goal, goal_synonyms
from dialogs.handoff import (
    answer_consent,
    answer_lines,
    ask_consent,
    consent_synonyms,
    for_counselor,
    handback,
    handoff_summary,
    relay,
    start_handoff,
)
from dialogs.intake import (
    answer_intake,
    answer_several,
    record_typed,
    referral_code,
    start_intake,
)
from dialogs.languages import LANGUAGE_PREFIX, language_named
from dialogs.matching import (
    EXACT_SCORE,
    Ambiguous,
    Candidate,
    Matched,
    MatchResult,
    NoMatch,
    key,
    leftover,
    looks_like_question,
    match_key,
    match_yes_no,
    parse_number,
    yes_no_word,
)
from dialogs.pages import MORE_ID, with_option
from dialogs.planning import (
    CADENCE_LABELS,
    CADENCES,
    answer_cadence,
    answer_checkin_time,
    answer_plan_ok,
    ask_cadence,
    ask_checkin_time,
    ask_plan_ok,
    cadence_synonyms,
    checkin_time_synonyms,
    plan_synonyms,
)
from dialogs.questions import Answer, answer_question, mentions_pay
from dialogs.reading import Nav, Reading, Social, read
from dialogs.selection import (
    answer_pick,
    answer_select,
    ask_pick,
    ask_select,
    pick_synonyms,
    select_synonyms,
)
from dialogs.state import (
    CheckinDue,
    Choice,
    Command,
    CounselorMessage,
    DialogState,
    Event,
    Handback,
    Media,
    Option,
    Phase,
    Reply,
    Status,
    Text,
    Turn,
    clip_history,
)
from dialogs.undo import CHANGE_PREFIX, reopen, step_back
from dialogs.words import foreign_hints, yes_no_words
from dialogs.words import of as words_of
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge

__all__ = [
    "CADENCES",
    "CADENCE_LABELS",
    "COMMANDS",
    "MAX_TEXT",
    "RETURN_AFTER",
    "STAGES",
    "STALE_CHOICE",
    "Ctx",
    "Outcome",
    "Stage",
    "answer_lines",
    "handle",
    "handoff_summary",
    "mydata_text",
    "next_checkin",
    "progress_reply",
    "referral_code",
]


def handle(
    state: DialogState,
    event: Event,
    now: datetime,
    *,
    kb: Knowledge | None = None,
    flow: Flow | None = None,
    counselors: bool = True,
) -> Turn:
    """The next state, replies and effects for one event; never raises."""
    language = state.language
    kb_here = localize.knowledge(kb or get_knowledge(), language)
    ctx = Ctx(kb_here, localize.flow(flow or intake_flow(), language), now, counselors)
    with i18n.use(state.language):  # every reply of this turn in the person's language
        try:
            step = _dispatch(ctx, state, event)
        except Exception:  # the user must never meet silence: keep the state, say sorry, re-ask
            retry = ask_pending(ctx, state)
            return Turn(
                state=state,
                replies=(Reply(i18n.gettext(say.SORRY)), *((retry,) if retry else ())),
                error=traceback.format_exc(),
            )
    new = step.state
    if isinstance(event, CounselorMessage):
        lines = [("counselor", event.text)]
        new = replace(new, version=state.version + 1, history=clip_history(new.history, lines))
    elif isinstance(event, CheckinDue | Handback):
        new = replace(new, version=state.version + 1)
    else:
        lines = [("user", _event_text(event)), *(("bot", r.text) for r in step.replies if r.text)]
        new = replace(
            new,
            version=state.version + 1,
            last_seen=now,
            started_on=new.started_on or ctx.today,
            history=clip_history(new.history, lines),
        )
    return Turn(state=new, replies=_laid_out(step.replies, new.language), effects=step.effects)


def _laid_out(replies: tuple[Reply, ...], code: str) -> tuple[Reply, ...]:
    """Replies in a right-to-left language laid out for it (i18n.bidi: each line starts right
    to left, Latin names and figures set apart); other languages as they are."""
    if not i18n.language(code).rtl:
        return replies
    with i18n.use(code):
        return tuple(replace(r, text=i18n.bidi(r.text)) if r.text else r for r in replies)


def _event_text(event: Text | Choice | Command | Media) -> str:
    if isinstance(event, Media):
        return f"[{event.kind}]"
    if isinstance(event, Text):
        return event.text
    if isinstance(event, Choice):
        return f"[{event.choice_id}]"
    return f"/{event.name} {event.arg}".strip()


def _dispatch(ctx: Ctx, state: DialogState, event: Event) -> Outcome:
    if isinstance(event, CheckinDue):
        return checkin_due(ctx, state, event)
    if isinstance(event, CounselorMessage):
        return Outcome(state, (Reply(say.COUNSELOR_SAYS.format(text=event.text[:MAX_TEXT])),))
    if isinstance(event, Handback):
        return handback(ctx, state)
    if state.handed_off and for_counselor(ctx, state, event):
        return relay(ctx, state, event)
    if isinstance(event, Media):
        return Outcome(state, (Reply(say.MEDIA), *reask(ctx, state, "")))
    if isinstance(event, Command):
        return command(ctx, state, event)
    if state.status is not Status.ACTIVE and state.pending not in {
        "pause_reason",
        "welcome_back",
        "shift",
        "confirm_forget",
        "confirm_restart",
        "consent",
        "exit_reason",
        "what_changed",
    }:
        return welcome_back(ctx, state)
    away = state.last_seen is not None and ctx.now - state.last_seen > RETURN_AFTER
    if away and isinstance(event, Text) and state.pending not in CHECKIN_STAGES:
        return welcome_back(ctx, state)
    if isinstance(event, Choice):
        return _choice(ctx, replace(state, suggested=()), event)
    return _text(ctx, replace(state, suggested=()), event.text, state.suggested)


def _choice(ctx: Ctx, state: DialogState, event: Choice) -> Outcome:
    if event.choice_id == "person" and ctx.counselors:
        return start_handoff(ctx, state)
    if event.choice_id.startswith(CHANGE_PREFIX):
        return reopen(ctx, state, event.choice_id.removeprefix(CHANGE_PREFIX))
    if event.choice_id == MORE_ID:
        return _more(ctx, state)
    if event.choice_id.startswith(LANGUAGE_PREFIX):
        return choose_language(ctx, state, event.choice_id.removeprefix(LANGUAGE_PREFIX))
    if event.choice_id == STALE_CHOICE:  # bot.service: a button from an earlier question
        return Outcome(state, reask(ctx, state, say.STALE_BUTTON))
    valid = {o.id for o in pending_options(ctx, state)}
    if event.choice_id not in valid:
        return Outcome(state, reask(ctx, state, say.MOVED_ON))
    return _answer(ctx, state, event.choice_id)


def _answer(ctx: Ctx, state: DialogState, option_id: str) -> Outcome:
    state = replace(state, no_match=0)
    if state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question is not None:
            return answer_intake(ctx, state, question, (option_id,))
    stage = STAGES.get(stage_id(state) or "")
    if stage is None:
        return Outcome(state, (idle(ctx, state),))
    return stage.answer(ctx, state, option_id)


def _candidates(ctx: Ctx, state: DialogState) -> list[Candidate]:
    if state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question is not None:
            extra = [Candidate("done", say.THATS_ALL, ("done", "that's all", "finished"))]
            base = [Candidate(c.id, c.label, c.synonyms, c.ask_back) for c in question.choices]
            return base + (extra if question.kind is Kind.MULTI else [])
    stage = STAGES.get(stage_id(state) or "")
    synonyms = stage.synonyms(ctx, state) if stage and stage.synonyms else {}
    said = words_of(state.language)
    return [
        Candidate(o.id, o.label, _with_yes_no(synonyms.get(o.id, ()), said.yes, said.no))
        for o in pending_options(ctx, state)
    ]


def _with_yes_no(
    synonyms: tuple[str, ...], yes: tuple[str, ...], no: tuple[str, ...]
) -> tuple[str, ...]:
    """A stage's English words, plus the person's own yes (or no) where 'yes' (or 'no') is
    one of them: 'haa' is "Looks good" as 'yes' is."""
    extra = (yes if "yes" in synonyms else ()) + (no if "no" in synonyms else ())
    return (*synonyms, *extra) if extra else synonyms


def _text(ctx: Ctx, state: DialogState, raw: str, suggested: Sequence[str] = ()) -> Outcome:
    reading = read(raw)
    lead: tuple[Reply, ...] = (Reply(say.TOO_LONG),) if reading.cut else ()
    if reading.empty:
        return Outcome(state, (*lead, Reply(say.EMPTY), *reask(ctx, state, "")))
    if state.pending is None and state.phase is Phase.INTAKE and not state.answers:
        return Outcome(state).then(start_intake(ctx, state, ""))
    named = language_named(raw)
    if named is not None and named != state.language:  # "español", "Soomaali", "arabic"
        return choose_language(ctx, state, named)
    if reading.nav is Nav.BACK:
        return step_back(ctx, state)
    if reading.nav is Nav.HELP:
        return Outcome(state, (Reply(say.HELP), *reask(ctx, state)))
    if _asks_why(reading) and state.pending and state.pending.startswith("q:"):
        question = ctx.flow.question(state.pending[2:])
        if question and question.why:
            return Outcome(
                state, (*lead, Reply(say.WHY.format(why=question.why)), *reask(ctx, state))
            )
    step = _match_text(ctx, state, reading, suggested)
    return Outcome(step.state, lead + step.replies, step.effects)


_WHY = frozenset(key(w) for w in ("why", "why do you ask", "why ask", "why is that", "por que"))


def _asks_why(reading: Reading) -> bool:
    return reading.key in _WHY


def _own_yes_no(reading: Reading, language: str) -> bool | None:
    """A yes or no in the person's own language ('haa' in Somali; 'si' in English stays a
    fragment that is asked back)."""
    said = words_of(language)
    return True if reading.key in said.yes_keys else False if reading.key in said.no_keys else None


def _as_yes_no(
    reading: Reading, candidates: Sequence[Candidate], language: str = "en"
) -> Matched | None:
    """Everyday yes and no ("yep", "nah", "not really"): the yes/no choices, or the one choice
    whose label starts with Yes (or No), such as "Yes, go on"."""
    if reading.asks:
        return None
    said = match_yes_no(reading.raw)
    said = _own_yes_no(reading, language) if said is None else said  # "haa", "sim", "نعم"
    if said is None:
        return None
    ids = {c.id for c in candidates}
    if {"yes", "no"} <= ids:
        return Matched(("yes" if said else "no",), 100.0)
    starting = [c.id for c in candidates if _label_says(c.label) is said]
    return Matched((starting[0],), 100.0) if len(starting) == 1 else None


def _label_says(label: str) -> bool | None:
    """Yes or no, for a button that starts with the word Yes or No, in English or the
    person's language ('Yes, go on', 'Sí, sigue', 'Haa, ...'); None for any other ('OK' is
    no 'Yes', 'Not yet' no 'No')."""
    head = key(label.split(",")[0].split("،")[0])
    if head in {key("yes"), key(i18n.gettext("Yes"))}:
        return True
    if head in {key("no"), key(i18n.gettext("No"))}:
        return False
    return None


def _ask(ctx: Ctx, state: DialogState, raw: str) -> Answer | None:
    """The answer to a free question, in whatever language the person asked it."""
    if state.language == i18n.DEFAULT:
        return answer_question(raw, ctx.kb)
    return localize.answer_in(raw, state.language, ctx.kb)


def _match_text(
    ctx: Ctx, state: DialogState, reading: Reading, suggested: Sequence[str] = ()
) -> Outcome:
    """The pending stage reads the text first; only a text that is not an answer is a question."""
    pending = state.pending or ""
    question = ctx.flow.question(pending[2:]) if pending.startswith("q:") else None
    candidates = _candidates(ctx, state)
    if not candidates:
        found = None if reading.junk else _ask(ctx, state, reading.raw)
        if found is not None:
            return _answered(ctx, state, found, (idle(ctx, state),))
        return Outcome(state, (idle(ctx, state),))
    if reading.junk:
        return _not_understood(ctx, state, say.JUNK)
    offered = _offered(candidates, suggested)
    if offered and reading.option is not None and 1 <= reading.option <= len(offered):
        return _take(ctx, state, question, offered[reading.option - 1])  # counted as shown
    said = _yes_no_word(reading)
    yes_no_question = {"yes", "no"} <= {c.id for c in candidates}
    if offered and said is not None and yes_no_question:
        if said and tuple(suggested) == ("yes",):  # "Did you mean Yes?" "si"
            return _take(ctx, state, question, "yes")
        return Outcome(state, reask(ctx, state, say.ASK_AGAIN))
    multi = question is not None and question.kind is Kind.MULTI
    hints = foreign_hints(state.language, question.id) if question is not None else None
    result = match_key(reading.key, reading.option, candidates, multi=multi, hints=hints)
    if reading.social is not None and not _names_a_choice(reading, candidates):
        return _talk(ctx, state, reading.social)  # "bom dia" is not "good"
    if question is not None and _ranged(question) and not _exact(result):
        counted = _by_number(question, reading)  # "less than 10" is no "less than 5"
        if isinstance(counted, Ambiguous) and not _worded_question(reading):
            return _did_you_mean(candidates, counted, state)  # hours, not pay: ask which
        result = counted or result
    if offered and said is not None and not _exact(result):  # "ok" is the choice OK if any
        return _confirmed(ctx, state, question, candidates, suggested, said)
    if said is not None and isinstance(result, Matched) and not (_exact(result) or yes_no_question):
        result = NoMatch()  # "correcto" is a yes, not "correo" (Email and web)
    if offered and not isinstance(result, Matched) and not reading.asks:
        said = match_yes_no(reading.raw)  # "yes that one", "nope"
        if said is not None:
            return _confirmed(ctx, state, question, candidates, suggested, said)
    if not isinstance(result, Matched):
        result = _as_yes_no(reading, candidates, state.language) or result
    if isinstance(result, Matched) and reading.asks and result.score < CONFIDENT_ANSWER:
        found = _ask(ctx, state, reading.raw)  # a question that brushes a choice word
        if found is not None:
            return _answered(ctx, state, found, reask(ctx, state))
        result = Ambiguous(result.ids[:3])  # "what is a ged": asked back, never recorded
    if isinstance(result, Matched):
        state = replace(state, no_match=0)
        if question is not None:
            later = _carried(ctx, state, question, reading, candidates, result.ids)
            return answer_several(ctx, state, ((question, result.ids), *later))
        return _answer(ctx, state, result.ids[0])
    found = None if _bare_amount(question, reading) else _ask(ctx, state, reading.raw)
    if found is not None:
        return _answered(ctx, state, found, reask(ctx, state))
    if isinstance(result, Ambiguous):
        return _did_you_mean(candidates, result, state)
    return _not_understood(ctx, state, say.NOT_UNDERSTOOD.format(said=_quoted(reading)))


def _bare_amount(question: Question | None, reading: Reading) -> bool:
    """'less than 5' at the math question: a number given as an answer that is not one, never a
    pay question (that needs money, pay or a question in its words: 'less than $5?')."""
    return question is not None and reading.compare != 0 and not mentions_pay(reading.raw)


def _worded_question(reading: Reading) -> bool:
    """A question by its words ("what pays more than 10"), not by a number or a "?"."""
    return looks_like_question(reading.clean)


def _exact(result: MatchResult) -> bool:
    """A label, a synonym or an option number, typed whole."""
    return isinstance(result, Matched) and result.score >= EXACT_SCORE


# ---- one message, several answers ("bachelors in biology") ------------------------------------

CARRY_SCORE = 90.0
"""A later question takes a part of the message only when that part matches this well."""
CARRY_MIN_CHARS = 5
"""...and is at least this long, unless it names the question's topic ('english is ok')."""
_PER_DAY = re.compile(
    r"\b(?:a day|per day|every day|each day|daily|a night|al dia|al día|por dia|por día|"
    r"cada dia|cada día|par jour|chaque jour|maalintii|maalin kasta|يوميا|في اليوم|كل يوم)\b"
)
_KILOS = re.compile(r"\d\s*(?:kg|kgs|kilo|kilos|kilogram|kilograms|kilogramos|quilos|كيلو|كغ)\b")
POUNDS_PER_KILO = 2.2046
"""Weights are asked in pounds (the seed's 40 pounds); kilos typed are turned into pounds."""
DAYS_A_WEEK = (5, 7)
"""'2 hours a day' is 10 to 14 hours a week: taken when both fall in one choice, else asked."""


def _word_keys(text: str) -> frozenset[str]:
    """The comparison keys of the words in text."""
    return frozenset(key(w) for w in text.split())


_CARRY_SPLIT = _word_keys("and but also plus then y pero tambien mas mais et aussi iyo laakiin و")
_CARRY_FILLER = _word_keys(
    """a an the my i im is are am was in on at of for to with from it its me
    un una el la los las mi mis en de del con es soy um uma o os as meu minha na do da com em
    sou une le les l mon ma mes du des avec est je j suis au aux dans waa ku في e"""
)


def _carried(
    ctx: Ctx,
    state: DialogState,
    question: Question,
    reading: Reading,
    candidates: Sequence[Candidate],
    ids: Sequence[str],
) -> list[tuple[Question, tuple[str, ...]]]:
    """Later questions that the rest of the message answers plainly ("bachelors in biology":
    the degree's field is biology, Something else); nothing when the rest is unclear."""
    rest = leftover(reading.key, candidates, ids)
    if not rest:
        return []
    now = record_typed(state, question, ids)[0]
    taken: list[tuple[Question, tuple[str, ...]]] = []
    clause: list[str] = []
    for word in [*rest.split(), "and"]:
        if word not in _CARRY_SPLIT:
            clause += [word] if word not in _CARRY_FILLER else []
            continue
        for later in _open_after(ctx, now, question) if clause else ():
            follow_up = later.ask_if is not None and later.ask_if.answer == question.id
            found = _carry_one(clause, later, follow_up=follow_up)
            if found:
                taken.append((later, found))
                now = record_typed(now, later, found)[0]
                break
        clause = []
    return taken


def _open_after(ctx: Ctx, state: DialogState, question: Question) -> list[Question]:
    """The questions after `question` that are open and apply, in order."""
    ids = [q.id for q in ctx.flow.questions]
    after = ctx.flow.questions[ids.index(question.id) + 1 :] if question.id in ids else ()
    return [
        q
        for q in after
        if q.id not in state.answers and (q.ask_if is None or q.ask_if.holds(state.answers))
    ]


def _carry_one(
    words: Sequence[str], question: Question, *, follow_up: bool
) -> tuple[str, ...] | None:
    """The choice one part of a message names at a later question, if it names one plainly:
    matched word for word, not a bare yes or no, and naming the question's topic ('english is
    ok') unless the question follows up the one answered ('bachelors in biology')."""
    topic = _topic(question)
    named = any(_in_topic(w, topic) for w in words)
    bare = [w for w in words if not _in_topic(w, topic)]
    if not (named or follow_up):
        return None  # 'yes i strong' at the lifting question says nothing about math
    for text in dict.fromkeys((" ".join(words), " ".join(bare))):  # "no english", "english ok"
        found = _carry_text(text, question, named) if text else None
        if found:
            return found
    return None


def _carry_text(text: str, question: Question, named: bool) -> tuple[str, ...] | None:
    if _yes_no_text(text) and not named:
        return None
    if question.kind is Kind.NUMBER and not _HOUR_WORDS.intersection(text.split()):
        return None  # 'trabajo medio tiempo' is about the job, not hours of classes
    choices = [Candidate(c.id, c.label, c.synonyms) for c in question.choices]
    if question.kind is Kind.NUMBER:
        number = parse_number(text)
        hits = question.for_number(number) if number is not None else ()
        return (hits[0].id,) if len(hits) == 1 else None
    result = match_key(text, None, choices, multi=question.kind is Kind.MULTI)
    if not isinstance(result, Matched) or result.score < CARRY_SCORE:
        return None
    if leftover(text, choices, result.ids) != "":
        return None
    yes_no = {"yes", "no"} <= {c.id for c in question.choices}
    if not named and (yes_no or len(text.replace(" ", "")) < CARRY_MIN_CHARS):
        return None
    return result.ids


def _yes_no_text(text: str) -> bool:
    return text in yes_no_words() or yes_no_word(text) is not None


def _topic(question: Question) -> frozenset[str]:
    """The words of a question that are no choice by themselves ('english' of 'How easy is
    English for you?'): a part of a message that names one is about that question."""
    whole = {key(t) for c in question.choices for t in (c.label, c.id, *c.synonyms)}
    return frozenset(
        _plain(w)
        for w in key(question.text).split()
        if w not in whole and len(w) >= TOPIC_MIN_CHARS and w not in _TOPIC_STOP
    )


TOPIC_PREFIX_CHARS = 5
"""A typed word this long names a topic word it starts ('الانجليزي' of 'الانجليزية')."""


def _in_topic(word: str, topic: frozenset[str]) -> bool:
    plain = _plain(word)
    if plain in topic:
        return True
    return len(plain) >= TOPIC_PREFIX_CHARS and any(
        t.startswith(plain) or plain.startswith(t) for t in topic if len(t) >= TOPIC_PREFIX_CHARS
    )


def _plain(word: str) -> str:
    """A word without accents ('inglés' -> 'ingles'), for topic words typed either way."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_HOUR_WORDS = _word_keys(
    "hour hours hr hrs horas hora heures heure saacadood saac saacad ساعة ساعات"
)
"""A number carried to the hours question must say it is hours ('12 hours', '12 horas')."""


TOPIC_MIN_CHARS = 4
"""Shorter words of a question ('can', 'you') name no topic."""
_TOPIC_STOP = _word_keys(
    """what which many much your with have that this these them then there often need
    kind sound sounds good first highest finished tap fit thats all would like feel about
    right away while train work done help easy
    cuantas cuanto cual puedes tienes para esto como quantas quanto qual voce pode isso
    quel quelle combien pour avec est-ce tout cette intee sidee miyaad waxaad"""
)


def _ranged(question: Question) -> bool:
    """A question whose choices cover numbers (hours, age): a number typed is read by range."""
    return any(c.range is not None for c in question.choices)


def _by_number(question: Question, reading: Reading) -> MatchResult | None:
    """A number of hours ('12', 'about 12'): the choice whose range holds it; a number on an end
    two choices share ('20': '10 to 20' or 'More than 20?') is asked back, and so is a bound
    that spans two ('less than 10': 'Less than 5' or '5 to 10?')."""
    number = reading.number
    if number is None or not 0 <= number <= MAX_NUMBER or reading.money:
        return None
    if _worded_question(reading) or (question.kind is not Kind.NUMBER and reading.asks):
        return None  # "do i need to be 18 to work in a factory" asks, it does not answer
    if question.kind is not Kind.NUMBER and reading.option is not None and number < BARE_NUMBER:
        return None  # a lone '3' at "Are you 18 or older?" is a slip of an option number
    if question.kind is not Kind.NUMBER and _KILOS.search(reading.clean):
        number *= POUNDS_PER_KILO  # "30 kg" at "lift up to 40 pounds" is 66 pounds
    hits = question.for_number(number)
    if question.kind is Kind.NUMBER and _PER_DAY.search(reading.clean):
        week = [c for days in DAYS_A_WEEK for c in question.for_number(number * days)]
        hits = tuple(dict.fromkeys(week))
    if reading.compare:
        ranged = [c for c in question.choices if c.range is not None]
        below = [c for c in ranged if c.range and c.range[0] < number]
        above = [c for c in ranged if c.range and c.range[1] > number]
        hits = tuple(below if reading.compare < 0 else above) if ranged else hits
    if len(hits) == 1:
        return Matched((hits[0].id,), 100.0)
    return Ambiguous(tuple(c.id for c in hits)) if hits else None


BARE_NUMBER = 10
"""At a question that is not about a number, a number typed alone is read by range only from
this on ('17' at the age question; not '3')."""
MAX_NUMBER = 168
"""Hours in a week: a bigger number is no answer to a question read by number."""


def _yes_no_word(reading: Reading) -> bool | None:
    """A whole message that is a yes or a no in some language ('yes', 'si', 'sim', 'haa')."""
    return yes_no_words().get(reading.key, yes_no_word(reading.key))


def _offered(candidates: Sequence[Candidate], suggested: Sequence[str]) -> tuple[str, ...]:
    """The choice ids in the order "Did you mean ...?" showed them: the likely ones first."""
    ids = [c.id for c in candidates]
    first = [i for i in suggested if i in ids]
    return (*first, *(i for i in ids if i not in first)) if first else ()


def _take(ctx: Ctx, state: DialogState, question: Question | None, option_id: str) -> Outcome:
    """Record the choice a reply to "Did you mean ...?" picked."""
    state = replace(state, no_match=0)
    if question is not None:
        return answer_intake(ctx, state, question, (option_id,), typed=True)
    return _answer(ctx, state, option_id)


def _confirmed(
    ctx: Ctx,
    state: DialogState,
    question: Question | None,
    candidates: Sequence[Candidate],
    suggested: Sequence[str],
    yes: bool,
) -> Outcome:
    """A yes to "Did you mean X?" takes X; a yes to two options asks which; a no asks again."""
    if not yes:
        return Outcome(state, reask(ctx, state, say.ASK_AGAIN))
    if len(suggested) == 1:
        return _take(ctx, state, question, suggested[0])
    asked = _did_you_mean(candidates, Ambiguous(tuple(suggested)), state)  # yes to two: which?
    (reply,) = asked.replies
    return replace(asked, replies=(replace(reply, text=say.WHICH_ONE),))


def _did_you_mean(
    candidates: Sequence[Candidate], result: Ambiguous, state: DialogState
) -> Outcome:
    """Ask back: the likely choices first, then the others, all as buttons (the likely ones
    kept in the state, so that a typed yes or number means what the person saw)."""
    labels = {c.id: c.label for c in candidates}
    first = [i for i in result.options if i in labels]
    options = tuple(Option(i, labels[i]) for i in _offered(candidates, first))
    text = (
        say.DID_YOU_MEAN_ONE.format(label=labels[first[0]]) if len(first) == 1 else say.DID_YOU_MEAN
    )
    return Outcome(replace(state, suggested=tuple(first)), (Reply(text, options),))


def _names_a_choice(reading: Reading, candidates: Sequence[Candidate]) -> bool:
    """The whole message is a choice's label or one of its words ('no thanks': No help)."""
    return any(reading.key in {key(t) for t in (c.label, *c.synonyms)} for c in candidates)


def _talk(ctx: Ctx, state: DialogState, social: Social) -> Outcome:
    """A hello, a thanks or a laugh: a kind word and the question again; being lost counts as a
    miss (two in a row offer a person)."""
    if social is Social.HELLO:
        return Outcome(state, reask(ctx, state, say.SOCIAL))
    state = replace(state, no_match=state.no_match + 1)
    (reply,) = reask(ctx, state, say.LOST)[-1:]
    if state.no_match >= 2 and ctx.counselors:
        reply = replace(reply, choices=(*reply.choices, Option("person", say.TALK_TO_PERSON)))
    return Outcome(state, (reply,))


def _not_understood(ctx: Ctx, state: DialogState, head: str) -> Outcome:
    """Say so in one short line: the choices are the buttons under it (Telegram and the
    terminal chat both show them), so they are not listed again; after two misses in a row,
    offer a person."""
    state = replace(state, no_match=state.no_match + 1)
    reply = ask_pending(ctx, state)
    choices = reply.choices if reply else ()
    if state.no_match >= 2 and ctx.counselors:  # two misses in a row: offer a person
        choices = (*choices, Option("person", say.TALK_TO_PERSON))
    return Outcome(state, (Reply(head, choices),))


QUOTE_CHARS = 40
"""What the person typed is quoted back up to this many characters."""


def _quoted(reading: Reading) -> str:
    """The typed words, short enough to quote in one line."""
    words = " ".join(reading.raw.split())
    return words if len(words) <= QUOTE_CHARS else words[: QUOTE_CHARS - 1].rstrip() + "…"


CONFIDENT_ANSWER = 90.0
"""A text that reads as a question is an answer only when it names a choice this clearly."""

STALE_CHOICE = "stale"
"""The choice bot.service sends for a tap on a button of an earlier question: the engine says
so in the person's language and asks the current question, recording nothing."""


def _answered(ctx: Ctx, state: DialogState, found: Answer, after: tuple[Reply, ...]) -> Outcome:
    """A free question answered: its first page (with More when there is more), then `after`."""
    first, *rest = found.pages()
    state = replace(state, more_pages=tuple(rest))
    replies = (Reply(first), *after)
    return Outcome(state, with_option(replies, Option(MORE_ID, say.MORE)) if rest else replies)


def _more(ctx: Ctx, state: DialogState) -> Outcome:
    """The next page of the last long answer."""
    if not state.more_pages:
        return Outcome(state, (Reply(say.NO_MORE), *reask(ctx, state, "")))
    page, *rest = state.more_pages
    state = replace(state, more_pages=tuple(rest))
    after = reask(ctx, state) if state.pending else (idle(ctx, state),)
    replies = (Reply(page), *after)
    return Outcome(state, with_option(replies, Option(MORE_ID, say.MORE)) if rest else replies)


STAGES.update(
    {
        "pick": Stage(ask_pick, answer_pick, pick_synonyms),
        "select": Stage(ask_select, answer_select, select_synonyms),
        "goal": Stage(ask_goal, answer_goal, goal_synonyms),
        "plan_ok": Stage(ask_plan_ok, answer_plan_ok, plan_synonyms),
        "cadence": Stage(ask_cadence, answer_cadence, cadence_synonyms),
        "checkin_time": Stage(ask_checkin_time, answer_checkin_time, checkin_time_synonyms),
        "checkin": Stage(ask_checkin, answer_checkin, checkin_synonyms),
        "stuck": Stage(ask_stuck, answer_stuck, stuck_synonyms),
        "stuck_next": Stage(ask_stuck_next, answer_stuck_next),
        "shift": Stage(ask_shift, answer_shift),
        "change": Stage(ask_change, answer_change),
        "exit_reason": Stage(ask_exit, answer_exit, exit_synonyms),
        "what_changed": Stage(ask_changed, answer_changed, changed_synonyms),
        "menu": Stage(ask_menu, answer_menu, menu_synonyms),
        "pause_reason": Stage(ask_pause, answer_pause),
        "welcome_back": Stage(ask_welcome_back, answer_welcome_back),
        "consent": Stage(ask_consent, answer_consent, consent_synonyms),
        "confirm_restart": Stage(
            lambda c, s: ask_confirm(say.RESTART_ASK), answer_restart, yes_no_synonyms
        ),
        "confirm_forget": Stage(
            lambda c, s: ask_confirm(say.FORGET_ASK), answer_forget, yes_no_synonyms
        ),
    }
)
