"""The plan as a calendar file (.ics): milestones as all-day events, check-ins at local times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from icalendar import Alarm, Calendar, Event

from dialogs import i18n
from dialogs.i18n import N_, _
from dialogs.state import DialogState, Milestone
from knowledge.model import Pathway

PRODID = "-//Pathways//Career pathway plan//EN"
UID_DOMAIN = "pathways"
DONE_MARK = "✓ "
"""Put before a done milestone's summary (STATUS:COMPLETED is only valid on to-dos, not events)."""
CHECKIN_MINUTES = 15
CHECKIN_SUMMARY = N_("Check-in with Pathways")
CHECKIN_TEXT = N_("I will send you a message on Telegram. Tell me how your plan is going.")
TIMELESS = frozenset({"now", "no set length"})
"""Milestone timeframes that say no length (dialogs.messages NOW and NO_LENGTH)."""
REMIND_DAYS = 7
"""An open milestone's calendar reminder comes this many days before its date."""
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def plan_ics(
    state: DialogState, pathway: Pathway, tz: ZoneInfo, checkins: Sequence[datetime] = ()
) -> bytes:
    """The plan's milestones (all-day) and check-ins (timed, in `tz`) as iCalendar bytes."""
    stamp = _stamp(state)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("My plan: {pathway}").format(pathway=_(pathway.name)))
    calendar.add("x-wr-timezone", tz.key)
    for milestone in state.milestones:
        calendar.add_component(_milestone_event(milestone, pathway, stamp, state.version))
    dues = sorted(_local(moment, tz) for moment in checkins)
    for due in dues:
        calendar.add_component(_checkin_event(due, stamp, state.version))
    if dues:
        first, last = date(dues[0].year, 1, 1), date(dues[-1].year + 2, 1, 1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def milestone_uid(milestone: Milestone) -> str:
    """A milestone's stable UID, so a new file updates the same event instead of adding one."""
    return f"{milestone.id}@{UID_DOMAIN}"


def checkin_uid(due: datetime) -> str:
    """A check-in's stable UID, made from its time in UTC."""
    return f"checkin-{due.astimezone(UTC):%Y%m%dT%H%MZ}@{UID_DOMAIN}"


def _stamp(state: DialogState) -> datetime:
    """DTSTAMP from the state itself (last activity), so the same plan gives the same bytes."""
    if state.last_seen is not None:
        seen = state.last_seen
        return (seen if seen.tzinfo else seen.replace(tzinfo=UTC)).astimezone(UTC)
    if state.plan_made_on is not None:
        return datetime.combine(state.plan_made_on, time(), tzinfo=UTC)
    return _EPOCH


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware time converted to `tz`; a naive one is read as wall-clock time in `tz`."""
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _milestone_event(milestone: Milestone, pathway: Pathway, stamp: datetime, seq: int) -> Event:
    event = Event()
    title = f"{DONE_MARK}{milestone.title}" if milestone.done else milestone.title
    event.add("uid", milestone_uid(milestone))
    event.add("dtstamp", stamp)
    event.add("sequence", seq)
    event.add("summary", title)
    event.add("description", _description(milestone, pathway))
    event.add("dtstart", milestone.target)
    event.add("dtend", milestone.target + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")
    if not milestone.done:
        event.add_component(_reminder(milestone.title, timedelta(days=-REMIND_DAYS)))
    return event


def _description(milestone: Milestone, pathway: Pathway) -> str:
    lines = [milestone.action or milestone.title]
    if milestone.start is not None and milestone.start < milestone.target:
        lines.append(_("From {day}.").format(day=_day(milestone.start)))
    if milestone.timeframe and milestone.timeframe not in TIMELESS:
        lines.append(_("How long: {timeframe}.").format(timeframe=milestone.timeframe))
    lines.append(
        _("Step {step} of {total}, {name}.").format(
            step=milestone.step, total=len(pathway.steps), name=_(pathway.name)
        )
    )
    if milestone.done_on is not None:
        lines.append(_("Done on {day}.").format(day=_day(milestone.done_on)))
    else:
        lines.append(_("The date is an estimate. You can change it with Pathways."))
    return "\n".join(lines)


def _day(day: date) -> str:
    """'August 20, 2026' ('20 de agosto de 2026': in the person's language)."""
    if i18n.current() != i18n.DEFAULT:
        return str(format_date(day, "long", locale=i18n.locale()))
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _checkin_event(due: datetime, stamp: datetime, seq: int) -> Event:
    event = Event()
    event.add("uid", checkin_uid(due))
    event.add("dtstamp", stamp)
    event.add("sequence", seq)
    event.add("summary", _(CHECKIN_SUMMARY))
    event.add("description", _(CHECKIN_TEXT))
    event.add("dtstart", due)
    event.add("dtend", due + timedelta(minutes=CHECKIN_MINUTES))
    event.add("status", "CONFIRMED")
    return event


def _reminder(text: str, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", before)
    return alarm
