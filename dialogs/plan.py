"""Phases 4 and 5: employment goals and a dated plan of milestones, computed from the knowledge."""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from datetime import date, timedelta

from dialogs.i18n import N_, _
from dialogs.state import AnswerValue, Goals, Milestone
from knowledge.model import Education, Pathway, Process, Step

FULL_TIME_STUDY_HOURS = 20
"""Hours a week at which the seed's course lengths hold; fewer hours stretch the plan."""
MAX_STRETCH = 2.0
ESTIMATED_STEP_MONTHS = 6
"""Our estimate for a step whose length the seed does not give (step 2's coursework)."""
JOB_SEARCH_MONTHS = 1
FIRST_ACTION_DAYS = 14

TRAINING_OF = {
    Education.HIGH_SCHOOL: N_("finish high school and the step 2 classes"),
    Education.CREDENTIAL: N_("earn a short-term certificate"),
    Education.ASSOCIATE: N_("earn an associate degree"),
    Education.BACHELOR: N_("earn a bachelor's degree"),
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stretch(hours: AnswerValue | None) -> float:
    """How much longer than full-time study the plan takes at `hours` a week."""
    if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
        return 1.0
    # Square root: part-time students take longer, but not in proportion (classes are fixed).
    return min(MAX_STRETCH, max(1.0, math.sqrt(FULL_TIME_STUDY_HOURS / hours)))


def step_months(step: Step, hours: AnswerValue | None) -> int:
    """Months to finish a step's training at this many study hours a week."""
    base = step.duration_months or ESTIMATED_STEP_MONTHS
    return math.ceil(base * stretch(hours))


def job_names(step: Step, limit: int = 3) -> str:
    """A few of a step's jobs, in plain words: 'welder, fabricator or pipefitter'."""
    titles = [job.title for job in step.jobs[:limit]]
    if len(titles) <= 1:
        return "".join(titles)
    return ", ".join(titles[:-1]) + _(" or ") + titles[-1]


def unskilled_jobs(process: Process, limit: int = 5) -> str:
    """The seed's unskilled job types, for a job right now."""
    jobs = list(process.unskilled_jobs[:limit])
    return ", ".join(jobs[:-1]) + _(" or ") + jobs[-1] if len(jobs) > 1 else "".join(jobs)


def build_goals(
    pathway: Pathway,
    process: Process,
    entry: int,
    long_step: int,
    answers: Mapping[str, AnswerValue],
) -> Goals:
    """Immediate, mid-term and long-term goals that fit where the person starts."""
    long_step = max(entry, min(long_step, len(pathway.steps)))
    entry_jobs = pathway.step(entry).jobs
    if answers.get("job_now") == "yes" or not entry_jobs:
        immediate = _("A job now: {jobs}").format(jobs=unskilled_jobs(process))
        immediate_step = None
    else:
        immediate, immediate_step = job_names(pathway.step(entry)), entry
    mid = min(entry + 1, long_step) if long_step > entry else entry
    long_jobs = pathway.step(long_step).jobs
    return Goals(
        immediate=immediate,
        immediate_step=immediate_step,
        mid_step=mid,
        long_step=long_step,
        long_job=long_jobs[0].title if long_jobs else "",
    )


def _first_action(pathway: Pathway, word: str) -> str | None:
    return next((a for a in pathway.step(1).actions if word.lower() in a.lower()), None)


def _enrol_action(step: Step) -> str:
    if step.resources:
        return _("Enroll: {place}").format(place=step.resources[0].text())
    if step.actions:
        return step.actions[0]
    return _("Ask Adult Education or Workforce Solutions about classes for this step.")


def build_plan(
    pathway: Pathway,
    process: Process,
    entry: int,
    goals: Goals,
    answers: Mapping[str, AnswerValue],
    today: date,
) -> tuple[Milestone, ...]:
    """Dated milestones from the entry step to the long-term goal (dates are estimates)."""
    milestones: list[Milestone] = []

    def add(title: str, step: int, target: date, action: str = "") -> None:
        milestones.append(Milestone(f"m{len(milestones) + 1}", title, step, target, action))

    joblink = _first_action(pathway, "JobLink")
    if joblink:
        add(joblink, 1, today + timedelta(days=FIRST_ACTION_DAYS), joblink)
    northstar = _first_action(pathway, "NorthStar")
    if northstar and answers.get("computer") == "phone_only":
        add(northstar, 1, add_months(today, 2), northstar)
    if goals.immediate_step is None and answers.get("job_now") == "yes":
        add(
            _("Get a job now: {jobs}").format(jobs=unskilled_jobs(process)),
            entry,
            add_months(today, JOB_SEARCH_MONTHS),
            _("Show you can learn on the job, follow directions, and keep a positive attitude."),
        )
    cursor = today
    hours = answers.get("hours")
    for number in range(entry + 1, (goals.long_step or entry) + 1):
        step = pathway.step(number)
        cursor = add_months(cursor, step_months(step, hours))
        training = _(TRAINING_OF.get(step.education, N_("finish step {number}"))).format(
            number=number
        )
        add(
            _("Step {number}: {training}").format(number=number, training=training),
            number,
            cursor,
            _enrol_action(step),
        )
        if step.jobs:
            pay = f" ({step.pay.text()})" if step.pay else ""
            cursor = add_months(cursor, JOB_SEARCH_MONTHS)
            add(_("Apply for jobs: {jobs}").format(jobs=job_names(step)) + pay, number, cursor)
    if (goals.long_step or entry) == entry and pathway.step(entry).jobs:
        step = pathway.step(entry)
        pay = f" ({step.pay.text()})" if step.pay else ""
        add(
            _("Apply for jobs: {jobs}").format(jobs=job_names(step)) + pay,
            entry,
            add_months(today, JOB_SEARCH_MONTHS),
        )
    return tuple(milestones)


def shift_plan(milestones: tuple[Milestone, ...], months: int) -> tuple[Milestone, ...]:
    """Move every milestone not yet done by `months` (the user asked for more time)."""
    return tuple(
        m if m.done else Milestone(m.id, m.title, m.step, add_months(m.target, months), m.action)
        for m in milestones
    )
