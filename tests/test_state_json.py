"""The saved state: the fast field-by-field JSON writer says exactly what the generic one says."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, date, datetime

from dialogs.state import (
    SCHEMA_VERSION,
    DialogState,
    Goals,
    Milestone,
    Phase,
    Status,
    _encode,
    _state_dict,
)
from tests.test_handoff import TO_ENGLISH
from tests.transcript import play

EVERY_FIELD_SET = DialogState(
    version=41,
    phase=Phase.ENGAGED,
    status=Status.PAUSED,
    pending="welcome_back",
    answers={"school": "ged", "work": ("retail", "care"), "hours": 12, "adult": True},
    pathway_id="it",
    entry_step=2,
    goals=Goals("Help desk", 3, 3, 5, "Network administrator"),
    milestones=(
        Milestone("m1", "Create an account", 2, date(2026, 12, 1), "Go online", date(2026, 11, 30)),
        Milestone("m2", "Earn a certificate", 3, date(2027, 6, 1)),
    ),
    cadence_days=14,
    checkin_hour=18,
    unanswered=2,
    paused_until=date(2027, 2, 1),
    pause_reason="childcare",
    no_match=1,
    handed_off=True,
    share_consent=False,
    handoff_return="q:english",
    referral="portland_3f9a",
    started_on=date(2026, 11, 2),
    plan_made_on=date(2026, 11, 9),
    last_seen=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
    history=(("user", "ged"), ("bot", "Got it — “GED”"), ("counselor", "Hi")),
    asked_version=39,
    more_pages=("• IT step 4: IT Consultant", "• IT step 5: IT Security"),
    language="es",
)


def test_every_field_of_the_state_is_written() -> None:
    written = json.loads(EVERY_FIELD_SET.to_json())
    assert set(written) == {"schema", *(f.name for f in fields(DialogState))}
    assert written == {"schema": SCHEMA_VERSION, **_encode(EVERY_FIELD_SET)}


def test_the_fast_writer_matches_the_generic_one_and_loads_back() -> None:
    for state in (DialogState(), EVERY_FIELD_SET, play(TO_ENGLISH).state):
        assert _state_dict(state) == {"schema": SCHEMA_VERSION, **_encode(state)}
        assert DialogState.from_json(state.to_json()) == state


def test_text_is_kept_as_typed_not_escaped() -> None:
    state = replace(DialogState(), history=(("user", '¿Dónde? 你好 "quoted" \\ \n'),))
    text = state.to_json()
    assert "¿Dónde? 你好" in text
    assert DialogState.from_json(text).history == state.history


def test_a_state_saved_before_languages_loads_in_english() -> None:
    old = json.loads(EVERY_FIELD_SET.to_json())
    del old["language"]
    assert DialogState.from_json(json.dumps(old)).language == "en"
    assert DialogState.from_json(EVERY_FIELD_SET.to_json()).language == "es"
