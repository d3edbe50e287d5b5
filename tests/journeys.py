"""Whole journeys of different people through the real engine, collecting every message they
receive: intake, recommendations (and the comparison with every More page), goals, the plan,
/pathways, /plan, /progress, check-ins (done, stuck and its answers), leaving and coming back.

Each person is a list of moves written with button ids, so the same person can be played in
every language (the words they read come from the catalogue of that language).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.telegram.render import merge_replies
from dialogs.state import CheckinDue, Choice, Command, DialogState, Reply, Text
from tests.transcript import Player

Profile = Mapping[str, str | tuple[str, ...]]
Move = tuple[str, ...]

BASE: dict[str, str | tuple[str, ...]] = {
    "english": "easy",
    "computer": "office",
    "experience": ("none",),
    "interests": ("it_infrastructure",),
    "age": "yes",
    "lifting": "yes",
    "math": "good",
    "support": ("none",),
    "job_now": "no",
    "hours": "h25",
}

ENGAGED = (
    ("ok",),  # the plan looks good
    ("tap", "cad:weekly"),
    ("tap", "hour:18"),
    ("cmd", "progress"),
    ("cmd", "plan"),
    ("more",),
    ("wait", "8"),
    ("due",),
    ("tap", "ci:done"),
    ("wait", "8"),
    ("due",),
    ("tap", "ci:stuck"),
)
"""After the goal: agree the plan, check-ins weekly, look at the plan, two check-ins."""


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who uses the bot: their intake answers and what they do after."""

    name: str
    answers: Profile
    moves: tuple[Move, ...]


PEOPLE = (
    Person(
        "no diploma, needs work now",
        {
            "school": "none",
            "english": "ok",
            "computer": "phone_only",
            "experience": ("production",),
            "interests": ("mfg_production",),
            "math": "weak",
            "support": ("money", "transport"),
            "job_now": "yes",
            "hours": "h8",
        },
        (
            ("pick", "manufacturing"),
            ("tap", "sel:yes"),
            ("goal", "3"),
            *ENGAGED,
            ("tap", "stuck:money"),
            ("tap", "sn:move"),
            ("tap", "shift3"),
        ),
    ),
    Person(
        "English learner",
        {
            "school": "high_school",
            "english": "hard",
            "computer": "basic",
            "experience": ("retail", "customer_service"),
            "interests": ("it_web",),
            "support": ("childcare",),
        },
        (
            ("pick", "it"),
            ("tap", "sel:yes"),
            ("goal", "3"),
            *ENGAGED,
            ("tap", "stuck:childcare"),
            ("tap", "sn:keep"),
            ("cmd", "progress"),
        ),
    ),
    Person(
        "graduate aiming high, degree in another subject",
        {
            "school": "bachelor",
            "degree_field": "other",
            "computer": "advanced",
            "experience": ("computers",),
            "interests": ("it_security",),
        },
        (
            ("pick", "it"),
            ("tap", "sel:yes"),
            ("goal", "top"),
            *ENGAGED,
            ("tap", "stuck:course"),
            ("tap", "sn:move"),
            ("tap", "shift1"),
        ),
    ),
    Person(
        "certificate holder",
        {
            "school": "credential",
            "credential": "manufacturing",
            "experience": ("welding",),
            "interests": ("mfg_maintenance", "quality"),
            "job_now": "have_job",
            "hours": "h15",
        },
        (
            ("pick", "manufacturing"),
            ("tap", "sel:yes"),
            ("goal", "top"),
            *ENGAGED,
            ("tap", "stuck:time"),
            ("tap", "sn:pause"),
            ("tap", "pause:work"),
            ("cmd", "resume"),
        ),
    ),
    Person(
        "compares the pathways",
        {
            "school": "associate",
            "degree_field": "manufacturing",
            "computer": "office",
            "experience": ("drafting", "computers"),
            "interests": ("mfg_process", "it_infrastructure"),
        },
        (
            ("tap", "compare"),
            ("more",),
            ("more",),
            ("more",),
            ("more",),
            ("more",),
            ("pick", "manufacturing"),
            ("tap", "sel:compare"),
            ("tap", "sel:yes"),
            ("goal", "top"),
            *ENGAGED,
            ("tap", "stuck:health"),
            ("tap", "sn:keep"),
            ("cmd", "pathways"),
            ("more",),
        ),
    ),
    Person(
        "leaves and comes back",
        {
            "school": "high_school",
            "computer": "basic",
            "experience": ("maintenance",),
            "interests": ("mfg_maintenance",),
            "math": "some",
            "lifting": "unsure",
        },
        (
            ("pick", "manufacturing"),
            ("tap", "sel:yes"),
            ("goal", "4"),
            *ENGAGED,
            ("tap", "stuck:job"),
            ("tap", "sn:keep"),
            ("cmd", "leave"),
            ("tap", "exit:job"),
            ("wait", "45"),
            ("text", "hi"),
            ("tap", "changed:credential"),
            ("tap", "manufacturing"),
            ("pick", "manufacturing"),
            ("tap", "sel:yes"),
            ("goal", "top"),
            ("ok",),
            ("tap", "cad:monthly"),
            ("cmd", "progress"),
        ),
    ),
)


@dataclass
class Journey:
    """One person's whole journey; `received` is every message as Telegram shows it."""

    person: Person
    language: str = "en"
    player: Player = field(init=False)
    received: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.player = Player(state=DialogState(language=self.language))

    def _keep(self, replies: Sequence[Reply]) -> None:
        self.received += [r.text for r in merge_replies(replies) if r.text]

    def send(self, event: Command | Choice | Text | CheckinDue) -> None:
        self.player.send(event)
        self._keep(self.player.replies)

    def tap(self, choice_id: str) -> None:
        ids = [o.id for r in self.player.replies for o in r.choices]
        assert choice_id in ids, (self.person.name, choice_id, self.player.tail())
        self.send(Choice(choice_id, self.player.state.version))

    def intake(self) -> None:
        self.send(Command("start"))
        answers = {**BASE, **self.person.answers}
        for _ in range(40):
            pending = self.player.state.pending or ""
            if not pending.startswith("q:"):
                break
            wanted = answers[pending[2:]]
            for choice in (*wanted, "done") if isinstance(wanted, tuple) else (wanted,):
                if self.player.state.pending != pending:
                    break
                self.tap(choice)

    def move(self, move: Move) -> None:
        kind, *args = move
        if kind == "tap":
            self.tap(args[0])
        elif kind == "pick":
            self.tap(f"pick:{args[0]}")
        elif kind == "goal":
            ids = [o.id for r in self.player.replies for o in r.choices if o.id[-1:].isdigit()]
            self.tap(ids[-1] if args[0] == "top" else f"goal:{args[0]}")
        elif kind == "ok":
            self.tap("plan:yes")
        elif kind == "more":
            self.tap("more")
        elif kind == "cmd":
            self.send(Command(args[0]))
        elif kind == "text":
            self.send(Text(args[0]))
        elif kind == "wait":
            self.player.now += timedelta(days=int(args[0]))
        elif kind == "due":
            self.send(CheckinDue())
        else:
            raise ValueError(move)

    def play(self) -> Journey:
        self.intake()
        for move in self.person.moves:
            self.move(move)
        return self


def received(language: str) -> list[str]:
    """Every message every person received, in order, in one language."""
    return [text for person in PEOPLE for text in Journey(person, language).play().received]
