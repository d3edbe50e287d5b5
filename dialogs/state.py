"""The values the dialog engine reads and writes: state, events, replies, effects, turns."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from dialogs.i18n import current as current_language
from dialogs.i18n import gettext

SCHEMA_VERSION = 1
HISTORY_LIMIT = 12
"""How many recent lines of the conversation the state keeps (for re-entry and handoff)."""

AnswerValue: TypeAlias = str | int | bool | tuple[str, ...]


class Phase(StrEnum):
    """The six phases of the Career Pathways process."""

    INTAKE = "intake"
    RECOMMEND = "recommendations"
    SELECT = "selection"
    GOALS = "goals"
    PLAN = "plan"
    ENGAGED = "engaged"


PHASE_ORDER = tuple(Phase)


class Status(StrEnum):
    """Whether the user is on the pathway, paused (exit with re-entry), or gone."""

    ACTIVE = "active"
    PAUSED = "paused"
    EXITED = "exited"


# ---- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Something the user typed."""

    text: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A button the user tapped; `version` is the state version the button was made for."""

    choice_id: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command such as /start, with what followed it."""

    name: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class CheckinDue:
    """A scheduled check-in came due (`kind`: "checkin", "reminder" or "snooze")."""

    kind: str = "checkin"
    milestone_id: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """Something the bot cannot read: a photo, sticker, voice note, location, contact, file."""

    kind: str


@dataclass(frozen=True, slots=True)
class CounselorMessage:
    """A counselor at the agency wrote to the user (relayed from the counselor chat)."""

    text: str


@dataclass(frozen=True, slots=True)
class Handback:
    """The counselor handed the user back to the bot."""


Event: TypeAlias = Text | Choice | Command | CheckinDue | Media | CounselorMessage | Handback


# ---- replies and effects --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One button: a stable id and the words on it."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A picture or file the bot layer renders and sends (the engine only names it)."""

    kind: str
    """'roadmap' | 'comparison' (pictures) or 'calendar' (a file)."""
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the user: text, optional buttons, optional attachment."""

    text: str
    choices: tuple[Option, ...] = ()
    attachment: Attachment | None = None

    def __post_init__(self) -> None:
        # Button labels written in code (N_-marked tables) come out in the turn's language;
        # labels already translated, and any outside a turn (English), are left as they are.
        if self.choices and current_language() != "en":
            labels = tuple(Option(o.id, gettext(o.label)) for o in self.choices)
            object.__setattr__(self, "choices", labels)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        """The reply a `to_dict` produced."""
        att = data.get("attachment")
        return cls(
            text=str(data["text"]),
            choices=tuple(Option(str(c["id"]), str(c["label"])) for c in data.get("choices", ())),
            attachment=Attachment(str(att["kind"]), str(att.get("caption", ""))) if att else None,
        )


@dataclass(frozen=True, slots=True)
class ScheduleCheckin:
    """Ask the bot to send a check-in at `due` (UTC), replacing any pending one."""

    due: datetime
    kind: str = "checkin"
    milestone_id: str | None = None


@dataclass(frozen=True, slots=True)
class CancelCheckins:
    """Cancel every pending check-in of this user."""


@dataclass(frozen=True, slots=True)
class ForgetUser:
    """Delete everything stored about this user."""


@dataclass(frozen=True, slots=True)
class RequestHandoff:
    """Hand the user to a person at the agency, with a summary they agreed to share."""

    summary: str


@dataclass(frozen=True, slots=True)
class RelayToCounselor:
    """Pass what the user wrote, while handed off, to the counselor chat."""

    text: str


@dataclass(frozen=True, slots=True)
class CloseHandoff:
    """The user is back with the bot: close their open handoff and tell the counselor."""

    by_user: bool = False


Effect: TypeAlias = (
    ScheduleCheckin | CancelCheckins | ForgetUser | RequestHandoff | RelayToCounselor | CloseHandoff
)


# ---- state ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestone:
    """One dated step of the plan."""

    id: str
    title: str
    step: int
    target: date
    action: str = ""
    done_on: date | None = None
    start: date | None = None
    """When work on it begins (None: the same as `target`)."""
    timeframe: str = ""
    """How long it takes, in the documents' words ("short-term (one year or less)")."""
    source: str = ""
    """The knowledge field it comes from ("it.yaml:steps[3].entry"), so every item is traceable."""

    @property
    def begins(self) -> date:
        """The day work on it begins."""
        return self.start or self.target

    @property
    def done(self) -> bool:
        """True once the user said it is done."""
        return self.done_on is not None


@dataclass(frozen=True, slots=True)
class Goals:
    """Immediate, mid-term and long-term employment goals (job titles with their step)."""

    immediate: str = ""
    immediate_step: int | None = None
    mid_step: int | None = None
    long_step: int | None = None
    long_job: str = ""


HISTORY_LINE_LIMIT = 300


def clip_history(
    history: tuple[tuple[str, str], ...], lines: Sequence[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """History with these lines added (each cut to HISTORY_LINE_LIMIT), keeping the last few."""
    added = tuple((who, text[:HISTORY_LINE_LIMIT]) for who, text in lines)
    return (*history, *added)[-HISTORY_LIMIT:]


@dataclass(frozen=True, slots=True)
class DialogState:
    """Everything the engine remembers about one user."""

    version: int = 0
    phase: Phase = Phase.INTAKE
    status: Status = Status.ACTIVE
    pending: str | None = None
    answers: Mapping[str, AnswerValue] = field(default_factory=dict)
    pathway_id: str | None = None
    entry_step: int | None = None
    goals: Goals = field(default_factory=Goals)
    milestones: tuple[Milestone, ...] = ()
    cadence_days: int | None = None
    checkin_hour: int | None = None
    unanswered: int = 0
    paused_until: date | None = None
    pause_reason: str = ""
    no_match: int = 0
    handed_off: bool = False
    """True while a counselor has the conversation: the bot relays instead of answering."""
    share_consent: bool | None = None
    """Whether the user agreed to share their answers with a counselor (None: not asked yet)."""
    handoff_return: str | None = None
    """The question that was open before the consent question, to go back to."""
    referral: str = ""
    started_on: date | None = None
    plan_made_on: date | None = None
    last_seen: datetime | None = None
    history: tuple[tuple[str, str], ...] = ()
    asked_version: int = 0
    """The version at which the pending question was first asked: buttons stamped with an
    older version are from an earlier question (set by bot.service, not by the engine)."""
    more_pages: tuple[str, ...] = ()
    """The rest of a long answer, shown a page at a time with a More button."""
    language: str = "en"
    """The language the person reads (a code of dialogs.i18n.LANGUAGES); replies come out in it."""
    suggested: tuple[str, ...] = ()
    """The choice ids the last "Did you mean ...?" offered first (cleared by the next event):
    a typed yes takes the one suggested, a no asks again, a number counts the options shown."""

    def answer(self, key: str) -> AnswerValue | None:
        """A profile answer, or None when not given."""
        return self.answers.get(key)

    def with_answer(self, key: str, value: AnswerValue) -> DialogState:
        """A copy with one more profile answer."""
        return replace(self, answers={**self.answers, key: value})

    def remember(self, who: str, text: str) -> DialogState:
        """A copy with one more line of history, keeping the last HISTORY_LIMIT."""
        return replace(self, history=clip_history(self.history, [(who, text)]))

    @property
    def current_milestone(self) -> Milestone | None:
        """The first milestone not yet done."""
        return next((m for m in self.milestones if not m.done), None)

    # ---- JSON ---------------------------------------------------------------------------

    def to_json(self) -> str:
        """The state as JSON with a schema version (written field by field: it runs on every
        turn, and the generic `_encode` walk took most of a turn's time)."""
        return _ENCODER.encode(_state_dict(self))

    @classmethod
    def from_json(cls, text: str) -> DialogState:
        """Load a state saved by any schema version up to SCHEMA_VERSION."""
        data = json.loads(text)
        data = _upgrade(data)
        return _decode_state(data)


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _state_dict(s: DialogState) -> dict[str, Any]:
    """The JSON-ready dict of a state; `_encode(s)` gives the same (a test holds them equal)."""
    g = s.goals
    return {
        "schema": SCHEMA_VERSION,
        "version": s.version,
        "phase": str(s.phase),
        "status": str(s.status),
        "pending": s.pending,
        "answers": {k: list(v) if isinstance(v, tuple) else v for k, v in s.answers.items()},
        "pathway_id": s.pathway_id,
        "entry_step": s.entry_step,
        "goals": {
            "immediate": g.immediate,
            "immediate_step": g.immediate_step,
            "mid_step": g.mid_step,
            "long_step": g.long_step,
            "long_job": g.long_job,
        },
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "step": m.step,
                "target": m.target.isoformat(),
                "action": m.action,
                "done_on": _iso(m.done_on),
                "start": _iso(m.start),
                "timeframe": m.timeframe,
                "source": m.source,
            }
            for m in s.milestones
        ],
        "cadence_days": s.cadence_days,
        "checkin_hour": s.checkin_hour,
        "unanswered": s.unanswered,
        "paused_until": _iso(s.paused_until),
        "pause_reason": s.pause_reason,
        "no_match": s.no_match,
        "handed_off": s.handed_off,
        "share_consent": s.share_consent,
        "handoff_return": s.handoff_return,
        "referral": s.referral,
        "started_on": _iso(s.started_on),
        "plan_made_on": _iso(s.plan_made_on),
        "last_seen": _iso(s.last_seen),
        "history": [[who, text] for who, text in s.history],
        "asked_version": s.asked_version,
        "more_pages": list(s.more_pages),
        "language": s.language,
        "suggested": list(s.suggested),
    }


def _encode(value: Any) -> Any:
    """Dataclasses, enums, dates and tuples to JSON-ready values."""
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older saved state up to SCHEMA_VERSION (one function per version step)."""
    schema = int(data.pop("schema", 0))
    if schema > SCHEMA_VERSION:
        raise ValueError(f"state schema {schema} is newer than this bot ({SCHEMA_VERSION})")
    if schema < 1 and "step" in data:
        # Version 0 (the first terminal chat) kept 'step' for the entry step.
        data["entry_step"] = data.pop("step")
    return data


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _answer(value: Any) -> AnswerValue:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _decode_state(data: Mapping[str, Any]) -> DialogState:
    known = {f.name for f in fields(DialogState)}
    data = {k: v for k, v in data.items() if k in known}
    goals = data.get("goals") or {}
    return DialogState(
        version=int(data.get("version", 0)),
        phase=Phase(data.get("phase", Phase.INTAKE)),
        status=Status(data.get("status", Status.ACTIVE)),
        pending=data.get("pending"),
        answers={str(k): _answer(v) for k, v in (data.get("answers") or {}).items()},
        pathway_id=data.get("pathway_id"),
        entry_step=data.get("entry_step"),
        goals=Goals(**{k: v for k, v in goals.items() if k in {f.name for f in fields(Goals)}}),
        milestones=tuple(
            Milestone(
                id=str(m["id"]),
                title=str(m["title"]),
                step=int(m["step"]),
                target=date.fromisoformat(m["target"]),
                action=str(m.get("action", "")),
                done_on=_date(m.get("done_on")),
                start=_date(m.get("start")),
                timeframe=str(m.get("timeframe", "")),
                source=str(m.get("source", "")),
            )
            for m in data.get("milestones") or ()
        ),
        cadence_days=data.get("cadence_days"),
        checkin_hour=data.get("checkin_hour"),
        unanswered=int(data.get("unanswered", 0)),
        paused_until=_date(data.get("paused_until")),
        pause_reason=str(data.get("pause_reason", "")),
        no_match=int(data.get("no_match", 0)),
        handed_off=bool(data.get("handed_off", False)),
        share_consent=data.get("share_consent"),
        handoff_return=data.get("handoff_return"),
        referral=str(data.get("referral", "")),
        started_on=_date(data.get("started_on")),
        plan_made_on=_date(data.get("plan_made_on")),
        last_seen=_datetime(data.get("last_seen")),
        history=tuple((str(w), str(t)) for w, t in data.get("history") or ()),
        asked_version=int(data.get("asked_version", 0)),
        more_pages=tuple(str(p) for p in data.get("more_pages") or ()),
        language=str(data.get("language") or "en"),
        suggested=tuple(str(i) for i in data.get("suggested") or ()),
    )


@dataclass(frozen=True, slots=True)
class Turn:
    """What one event did: the next state, the replies to send, the effects to carry out."""

    state: DialogState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    error: str = ""
    """A traceback when the engine caught its own failure (for the log, never for the user)."""
