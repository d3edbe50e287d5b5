"""Phases 4 and 5: employment goals and a dated plan of milestones, computed from the knowledge.

Every milestone names the knowledge field it comes from (`Milestone.source`). Lengths come
only from the documents (a step's `duration_months` / `duration_text`); where the documents
give no length, the milestone says so and takes no time in the dates. Hours a week never
stretch a date: the plan says in one line that part-time study may take longer.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from dialogs import i18n
from dialogs import messages as say
from dialogs.i18n import _, ngettext
from dialogs.recommend import ids_of, math_caution, missing_needs, with_need
from dialogs.state import AnswerValue, Goals, Milestone
from knowledge.model import Pathway, Process, Resource, Step

PART_TIME_BELOW = 20
"""Hours a week under which the plan says part-time study may take longer (the intake's top
choice, "More than 20", is the one its own words call full time)."""
LOW_COMPUTER = frozenset({"phone_only", "basic"})
"""Computer answers that point to NorthStar Digital Literacy ("depending on readiness")."""
SUPPORT_NONE = "none"
WHERE_TO_START = ("Workforce Solutions", "Adult Education")
"""Proper names (the documents'), joined with 'or' in the person's language."""
SUPPORT_LABELS = {"childcare": "Childcare", "transport": "Getting there", "money": "Money"}
"""The support choices' labels (from the flow, so already in every catalogue)."""
"""Where step one "typically begins" (both documents, step one)."""
WHERE_FOR_CLASSES = "Adult Education"
"""Where the documents' foundational classes (English, high school completion) are taken."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


JOBS_CHARS = 50
"""Job titles shown in a sentence before 'and N more' (the rest are under /pathways)."""


def job_names(step: Step, limit: int = 2) -> str:
    """A step's jobs in plain words: all of them when few and short ('welder or fabricator'),
    else the first (at most `limit`, within JOBS_CHARS) and how many more ('Machine operator
    trainee, assembler and 5 more'). Titles stay as the documents write them."""
    titles = [job.title for job in step.jobs]
    if len(titles) <= limit + 1 and len(", ".join(titles)) <= JOBS_CHARS:
        if len(titles) <= 1:
            return "".join(titles)
        return ", ".join(titles[:-1]) + _(" or ") + titles[-1]
    shown = titles[:1]
    for title in titles[1:limit]:
        if len(", ".join([*shown, title])) > JOBS_CHARS:
            break
        shown.append(title)
    rest = len(titles) - len(shown)
    if not rest:
        return ", ".join(shown)
    return ngettext("{jobs} and {n} more", "{jobs} and {n} more", rest).format(
        jobs=", ".join(shown), n=rest
    )


def unskilled_jobs(process: Process, limit: int = 5) -> str:
    """The seed's unskilled job types, for a job right now."""
    jobs = list(process.unskilled_jobs[:limit])
    return ", ".join(jobs[:-1]) + _(" or ") + jobs[-1] if len(jobs) > 1 else "".join(jobs)


def where_to_enrol(resources: tuple[Resource, ...]) -> str:
    """The step's programs by their exact names, a line for each school."""
    groups: dict[str, list[str]] = {}
    alone: list[str] = []
    for r in resources:
        if r.provider:
            groups.setdefault(r.provider, []).append(r.name)
        else:
            alone.append(r.name)
    parts = [f"{school}: {', '.join(names)}" for school, names in groups.items()]
    return "\n".join(parts + alone)


def part_time(answers: Mapping[str, AnswerValue]) -> bool:
    """True when the person gave fewer study hours a week than full time."""
    hours = answers.get("hours")
    return isinstance(hours, int) and not isinstance(hours, bool) and hours < PART_TIME_BELOW


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


@dataclass
class _Plan:
    """Milestones as they are added, in date order."""

    pathway: Pathway
    items: list[Milestone] = field(default_factory=list)

    def add(
        self,
        title: str,
        step: int,
        start: date,
        target: date,
        source: str,
        action: str = "",
        timeframe: str = "",
    ) -> None:
        if any(m.title == title for m in self.items):
            return
        number = len(self.items) + 1
        self.items.append(
            Milestone(f"m{number}", title, step, target, action, None, start, timeframe, source)
        )

    def at(self, step: int, part: str) -> str:
        return f"{self.pathway.id}.yaml:steps[{step - 1}].{part}"


def _action(step: Step, *words: str) -> str | None:
    """The step's first action that names one of these words."""
    return next(
        (a for a in step.actions if any(w.lower() in a.lower() for w in words)),
        None,
    )


def _first_things(
    plan: _Plan,
    process: Process,
    entry: int,
    answers: Mapping[str, AnswerValue],
    today: date,
) -> None:
    """What starts now: a job now, jobs at the entry step, step 1's accounts, courses, help."""
    pathway = plan.pathway
    if answers.get("job_now") == "yes":
        skills = ", ".join(s.lower() for s in process.work_readiness_skills)
        plan.add(
            say.PLAN_JOB_NOW.format(jobs=unskilled_jobs(process)),
            entry,
            today,
            today,
            "process.yaml:unskilled_jobs",
            say.WORK_READY.format(skills=skills),
            say.NOW,
        )
    step = pathway.step(entry)
    if step.jobs and step.pay:
        plan.add(
            say.PLAN_APPLY_NOW.format(jobs=job_names(step), pay=step.pay.text()),
            entry,
            today,
            today,
            plan.at(entry, "jobs"),
            timeframe=say.NOW,
        )
    first = pathway.step(1)
    joblink = _action(first, "JobLink")
    if joblink:
        plan.add(joblink, 1, today, today, plan.at(1, "actions"), joblink, say.NOW)
    needs = [n for n in ids_of(answers, "support") if n != SUPPORT_NONE]
    if needs:
        plan.add(
            say.PLAN_SUPPORT.format(
                needs=_support_words(needs), where=i18n.join(list(WHERE_TO_START), "or")
            ),
            1,
            today,
            today,
            plan.at(1, "involves"),
            timeframe=say.NOW,
        )
    explore = _action(first, "O*NET")
    if explore and (entry == 1 or not ids_of(answers, "interests")):
        plan.add(
            say.PLAN_EXPLORE.format(action=explore),
            1,
            today,
            today,
            plan.at(1, "involves"),
            timeframe=say.NOW,
        )
    northstar = _action(first, "NorthStar")
    if northstar and answers.get("computer") in LOW_COMPUTER:
        plan.add(northstar, 1, today, today, plan.at(1, "actions"), northstar, say.NO_LENGTH)


def _support_words(needs: list[str]) -> str:
    """'childcare and getting there' in the person's language, from the choices' own labels."""
    labels = [_(SUPPORT_LABELS.get(n, n.capitalize())) for n in needs]
    words = [label[:1].lower() + label[1:] for label in labels]
    if i18n.current() == i18n.DEFAULT and len(words) > 2:
        return ", ".join(words[:-1]) + " and " + words[-1]
    return i18n.join(words)


def _classes_first(
    plan: _Plan, entry: int, goal: int, answers: Mapping[str, AnswerValue], today: date
) -> None:
    """English, math and computer classes the documents name, before the steps."""
    pathway = plan.pathway
    if answers.get("english") == "hard":
        step = next((s for s in pathway.steps if "english" in " ".join(s.involves).lower()), None)
        if step is not None:
            plan.add(
                say.PLAN_ENGLISH.format(where=WHERE_FOR_CLASSES),
                step.number,
                today,
                today,
                plan.at(step.number, "involves"),
                timeframe=say.NO_LENGTH,
            )
    climbing = [pathway.step(n) for n in range(max(entry, 2), goal + 1)]
    wanted: list[tuple[str, str]] = []  # (the action's keyword, why it is in the plan)
    if pathway.math_requirements and answers.get("math") in {"weak", "some"}:
        wanted.append(("math", math_caution(pathway.math_requirements)))
    if answers.get("computer") in LOW_COMPUTER and entry <= 2:
        wanted.append(("computer courses", ""))
    for keyword, why in wanted:
        found = next(((s, a) for s in climbing if (a := _action(s, keyword))), None)
        if found:
            step, action = found
            at = plan.at(step.number, "actions")
            plan.add(action, step.number, today, today, at, why, say.NO_LENGTH)


def build_plan(
    pathway: Pathway,
    process: Process,
    entry: int,
    goals: Goals,
    answers: Mapping[str, AnswerValue],
    today: date,
) -> tuple[Milestone, ...]:
    """Dated milestones from what starts now to the long-term goal, in date order."""
    plan = _Plan(pathway)
    goal = max(entry, goals.long_step or entry)
    _first_things(plan, process, entry, answers, today)
    _classes_first(plan, entry, goal, answers, today)
    have = dict(answers)
    if have.get("english") == "hard":
        have["english"] = "ok"  # the English classes above come first
    cursor = today
    for number in range(entry + 1, goal + 1):
        step = pathway.step(number)
        missing = missing_needs(step, have)
        for need in missing:
            have = with_need(have, need)
            if need.training or not need.todo:
                continue
            plan.add(need.todo, number, cursor, cursor, plan.at(number, "entry"), "", say.NO_LENGTH)
        training = next((n for n in missing if n.training), None)
        if training is not None and step.duration_months and step.duration_text:
            target = add_months(cursor, step.duration_months)
            plan.add(
                say.PLAN_STEP.format(step=number, todo=training.todo),
                number,
                cursor,
                target,
                plan.at(number, "resources" if step.resources else "entry"),
                say.WHERE.format(where=where_to_enrol(step.resources)) if step.resources else "",
                step.duration_text,
            )
            cursor = target
        elif not any(n.training for n in step.entry) and step.actions:
            plan.add(
                say.PLAN_STEP.format(step=number, todo=step.actions[0]),
                number,
                cursor,
                cursor,
                plan.at(number, "actions"),
                "",
                say.NO_LENGTH,
            )
        if step.jobs:
            pay = f" ({step.pay.text()})" if step.pay else ""
            plan.add(
                say.PLAN_APPLY.format(jobs=job_names(step), pay=pay),
                number,
                cursor,
                cursor,
                plan.at(number, "jobs"),
            )
    return tuple(plan.items)


def shift_plan(milestones: tuple[Milestone, ...], months: int) -> tuple[Milestone, ...]:
    """Move every milestone not yet done by `months` (the user asked for more time)."""
    return tuple(
        m
        if m.done
        else replace(
            m,
            target=add_months(m.target, months),
            start=add_months(m.start, months) if m.start else None,
        )
        for m in milestones
    )


def follow_finish(
    milestones: tuple[Milestone, ...], finished: Milestone, day: date
) -> tuple[Milestone, ...]:
    """The plan once an item with no set length is finished on `day`: the items after it that
    were to begin before that day begin then instead, keeping the length the documents give
    them, and the items chained after those move with them. Other items keep their dates."""
    if finished.timeframe != say.NO_LENGTH:
        return milestones
    after = False
    moved: list[Milestone] = []
    old_end = new_end = day
    for m in milestones:
        if m.id == finished.id:
            after = True
        if not after or m.done or m.id == finished.id:
            moved.append(m)
            continue
        begin = max(m.begins, day)
        if m.begins >= old_end:  # it was to start when the item before it ended
            begin = max(begin, m.begins + (new_end - old_end))
        shift = begin - m.begins
        old_end, new_end = max(old_end, m.target), max(new_end, m.target + shift)
        if shift:
            m = replace(m, target=m.target + shift, start=begin if m.start else None)
        moved.append(m)
    return tuple(moved)


def retitled(
    pathway: Pathway,
    process: Process,
    entry: int,
    goals: Goals,
    answers: Mapping[str, AnswerValue],
    milestones: tuple[Milestone, ...],
) -> tuple[Milestone, ...]:
    """The milestones with their words (title, action, how long) in the language `pathway` and
    `process` are in, their dates and done marks kept: the plan made anew in that language,
    item by item, when it has the same items from the same fields (else left as it is)."""
    if not milestones:
        return milestones
    day = min(m.begins for m in milestones)
    fresh = build_plan(pathway, process, entry, goals, answers, day)
    if [m.source for m in fresh] != [m.source for m in milestones]:
        return milestones
    return tuple(
        replace(old, title=new.title, action=new.action, timeframe=new.timeframe)
        for old, new in zip(milestones, fresh, strict=True)
    )


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`."""
    return (end.year - start.year) * 12 + end.month - start.month
