"""The plan as an .ics file: it parses, holds exactly the plan's dates, check-ins at local times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.media.calendar import PRODID, plan_ics
from dialogs.plan import build_goals, build_plan
from dialogs.state import AnswerValue, DialogState
from knowledge.loader import load_knowledge

KNOWLEDGE = load_knowledge()
IT = KNOWLEDGE.pathway("it")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 11, 23)


def planned_state(entry: int = 2, goal: int = 4) -> DialogState:
    """The plan the real planner makes on the IT pathway."""
    answers: dict[str, AnswerValue] = {"hours": 10}
    goals = build_goals(IT, KNOWLEDGE.process, entry, goal, answers)
    milestones = build_plan(IT, KNOWLEDGE.process, entry, goals, answers, TODAY)
    return DialogState(
        version=7, pathway_id="it", entry_step=entry, goals=goals, milestones=milestones
    )


def events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def by_uid(data: bytes) -> dict[str, Any]:
    return {str(event["uid"]): event for event in events(data)}


def test_the_file_parses_and_names_itself() -> None:
    calendar = Calendar.from_ical(plan_ics(planned_state(), IT, NEW_YORK))
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == PRODID


def test_holds_exactly_the_plans_milestones_as_all_day_events() -> None:
    state = planned_state()
    assert len(state.milestones) >= 4
    found = by_uid(plan_ics(state, IT, NEW_YORK))
    assert set(found) == {f"{m.id}@pathways" for m in state.milestones}
    for milestone in state.milestones:
        event = found[f"{milestone.id}@pathways"]
        start = event.decoded("dtstart")
        assert type(start) is date and start == milestone.target  # all-day, on the plan's date
        assert event.decoded("dtend") == milestone.target + timedelta(days=1)
        assert str(event["summary"]) == milestone.title
        assert str(event["description"]).startswith(milestone.action or milestone.title)


def test_done_milestones_are_ticked_and_need_no_reminder() -> None:
    state = planned_state()
    first = replace(state.milestones[0], done_on=date(2026, 12, 1))
    state = replace(state, milestones=(first, *state.milestones[1:]))
    found = by_uid(plan_ics(state, IT, NEW_YORK))
    done, still = found[f"{first.id}@pathways"], found[f"{state.milestones[1].id}@pathways"]
    assert str(done["summary"]) == f"✓ {first.title}"
    assert "Done on December 1, 2026." in str(done["description"])
    assert not done.walk("VALARM")
    assert str(still["summary"]) == state.milestones[1].title
    assert [str(a["action"]) for a in still.walk("VALARM")] == ["DISPLAY"]


def test_check_ins_are_at_the_users_local_time() -> None:
    summer = datetime(2026, 9, 7, 14, 0, tzinfo=UTC)  # 10:00 in New York (daylight time)
    winter = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York (standard time)
    data = plan_ics(planned_state(), IT, NEW_YORK, [winter, summer])
    checkins = [e for e in events(data) if str(e["uid"]).startswith("checkin-")]
    starts = [e.decoded("dtstart") for e in checkins]
    assert [(s.month, s.hour, s.minute) for s in starts] == [(9, 10, 0), (12, 10, 0)]
    assert [s.astimezone(UTC) for s in starts] == [summer, winter]
    assert all(e["dtstart"].params["TZID"] == "America/New_York" for e in checkins)
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:America/New_York" in data


def test_a_naive_check_in_time_is_read_as_local() -> None:
    data = plan_ics(planned_state(), IT, ZoneInfo("Europe/Berlin"), [datetime(2027, 3, 1, 18, 30)])
    (checkin,) = [e for e in events(data) if str(e["uid"]).startswith("checkin-")]
    start = checkin.decoded("dtstart")
    assert (start.hour, start.minute) == (18, 30)
    assert start.astimezone(UTC) == datetime(2027, 3, 1, 17, 30, tzinfo=UTC)


def test_no_check_ins_means_only_milestones() -> None:
    state = planned_state()
    data = plan_ics(state, IT, NEW_YORK)
    assert len(events(data)) == len(state.milestones)
    assert b"VTIMEZONE" not in data


def test_same_plan_same_bytes_and_a_moved_date_updates_the_same_event() -> None:
    state = planned_state()
    checkins = [datetime(2026, 12, 7, 15, 0, tzinfo=UTC)]
    first = plan_ics(state, IT, NEW_YORK, checkins)
    assert plan_ics(replace(state), IT, NEW_YORK, checkins) == first
    moved = replace(state.milestones[-1], target=state.milestones[-1].target + timedelta(days=90))
    later = replace(state, version=state.version + 1, milestones=(*state.milestones[:-1], moved))
    old, new = by_uid(first), by_uid(plan_ics(later, IT, NEW_YORK, checkins))
    uid = f"{moved.id}@pathways"
    assert set(old) == set(new)
    assert new[uid].decoded("dtstart") == moved.target
    assert int(new[uid]["sequence"]) > int(old[uid]["sequence"])
