"""Random and hostile input never breaks the engine, never loses progress unasked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.engine import handle
from dialogs.state import (
    PHASE_ORDER,
    CheckinDue,
    Choice,
    Command,
    DialogState,
    Event,
    Media,
    Text,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
HOSTILE = [
    "",
    " ",
    "x" * 5000,
    "😀" * 300,
    "\u202eevil\u202c",
    "a\u200bb\u200dc",
    "'; DROP TABLE users; --",
    "%s %d {0} {answer}",
    "\x00\x01\x02",
    "ًًًًًًً",
    "/start",
    "<b>bold</b>",
    "null",
    "9" * 400,
]
ANSWERS = [
    "ged",
    "yes",
    "no",
    "1",
    "2",
    "3",
    "that's all",
    "every week",
    "looks good",
    "it",
    "done",
]
COMMANDS = [
    "start",
    "help",
    "progress",
    "plan",
    "pathways",
    "change",
    "pause",
    "resume",
    "restart",
    "mydata",
    "forget",
    "counselor",
    "checkins",
    "unknowncmd",
    "",
]

texts = st.one_of(st.sampled_from(HOSTILE + ANSWERS), st.text(max_size=200))
events: st.SearchStrategy[Event] = st.one_of(
    texts.map(Text),
    st.builds(
        Choice,
        st.one_of(
            st.sampled_from(["yes", "none", "pick:it", "goal:4", "ci:done"]), st.text(max_size=70)
        ),
        st.one_of(st.none(), st.integers(-5, 500)),
    ),
    st.builds(Command, st.sampled_from(COMMANDS), st.one_of(st.just(""), st.text(max_size=80))),
    st.builds(CheckinDue, st.sampled_from(["checkin", "reminder", "snooze", "weird"])),
    st.builds(Media, st.sampled_from(["photo", "sticker", "voice", "location", "contact"])),
)
DESTRUCTIVE = {"restart", "forget", "change"}


def _tapped_a_valid_option(state: DialogState, event: Event) -> bool:
    return isinstance(event, Choice)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(events, st.integers(0, 90)), min_size=1, max_size=25))
def test_any_sequence_returns_turns_and_keeps_a_valid_state(
    steps: list[tuple[Event, int]],
) -> None:
    state, now = DialogState(), NOW
    asked_to_reset = False
    for event, days in steps:
        now += timedelta(days=days, minutes=1)
        turn = handle(state, event, now)
        assert turn.error == "", turn.error
        assert turn.state.version == state.version + 1
        assert DialogState.from_json(turn.state.to_json()) == turn.state
        for reply in turn.replies:
            assert reply.text or reply.attachment, reply
            assert len(reply.text) <= 4096
            assert all(len(f"{turn.state.version}:{o.id}".encode()) <= 64 for o in reply.choices)
        if isinstance(event, Command) and event.name in DESTRUCTIVE:
            asked_to_reset = True
        if not asked_to_reset:
            # Progress never goes backwards unasked: answers are kept, the phase never drops.
            assert set(state.answers) - {k for k in state.answers if k.endswith(".partial")} <= set(
                turn.state.answers
            )
            assert PHASE_ORDER.index(turn.state.phase) >= PHASE_ORDER.index(state.phase)
        state = turn.state


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(HOSTILE))
def test_hostile_text_mid_intake_changes_no_answer(text: str) -> None:
    state = handle(DialogState(), Command("start"), NOW).state
    state = handle(state, Text("ged"), NOW).state
    turn = handle(state, Text(text), NOW)
    assert turn.state.answers == state.answers or text in {"/start"}
    assert turn.replies, "every input gets a reply"
    assert turn.state.pending == state.pending


def test_a_state_from_an_older_schema_loads() -> None:
    old = '{"schema": 0, "phase": "intake", "answers": {"school": "none"}, "step": 1}'
    state = DialogState.from_json(old)
    assert state.entry_step == 1
    assert state.answers["school"] == "none"
