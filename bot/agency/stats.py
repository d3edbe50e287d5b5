"""Participant figures for the agency (/stats) and the participant export (/export, a CSV).

Everything is counted by SQLite from the columns the store copies out of each state on every
commit (users.phase, status, inactive, pathway_id, ...), the milestone rows and the check-in
rows: no state JSON is parsed (bench/stats.py: /stats on 100,000 participants in about a
third of a second, the CSV of them in about a second).

Every stored user is one participant; a user who used /forget is deleted by the store and so
is in neither the figures nor the export.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from bot.storage import Storage, from_epoch, to_epoch
from dialogs.state import Phase
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge

INACTIVE = "inactive"
PAUSED = "paused"
EXITED = "exited"
GROUPS = (*(str(p) for p in Phase), PAUSED, EXITED, INACTIVE)
"""The rows of 'by phase', in this order. Each participant is in exactly one of them."""
GROUP_LABELS = {
    "intake": "Intake (answering questions)",
    "recommendations": "Recommendations (choosing a pathway)",
    "selection": "Selection",
    "goals": "Goals",
    "plan": "Plan (making their plan)",
    "engaged": "Engaged (on their plan)",
    PAUSED: "Paused",
    EXITED: "Exited",
    INACTIVE: "Inactive (blocked the bot)",
}
PROMPT_KINDS = ("checkin", "reminder", "snooze")
NO_CODE = ""
MAX_REFERRALS_SHOWN = 15
MAX_CODE_SHOWN = 40
TELEGRAM_LIMIT = 4096
EXPORT_PAGE = 2000
"""Participants read per query while writing the CSV (bounds the memory of one page)."""
MIN_ID = -(2**63)
QUARTER_HOUR = 900
ID_BYTES = 6
"""Participant ids are 12 hex characters (48 bits): no collision in practice up to millions."""

GROUP_SQL = f"""
CASE WHEN inactive = 1 THEN '{INACTIVE}'
     WHEN status = 'exited' THEN '{EXITED}'
     WHEN status = 'paused' THEN '{PAUSED}'
     ELSE phase END"""

STATS_SQL = f"""
WITH u AS MATERIALIZED (
    SELECT {GROUP_SQL} AS grp, pathway_id, entry_step, referral,
           CAST(julianday(plan_made_on) - julianday(started_on) AS INTEGER) AS plan_days
    FROM users
)
SELECT 'people', grp, pathway_id, entry_step, COUNT(*) FROM u
    GROUP BY grp, pathway_id, entry_step
UNION ALL
SELECT 'referral', referral, NULL, NULL, COUNT(*) FROM u GROUP BY referral
UNION ALL
SELECT 'plan_days', plan_days, NULL, NULL, COUNT(*) FROM u
    WHERE plan_days IS NOT NULL GROUP BY plan_days
UNION ALL
SELECT 'done_month', NULL, NULL, NULL, COUNT(*) FROM milestones
    WHERE done_on >= ?1 AND done_on < ?2
UNION ALL
SELECT 'checkins', COUNT(*), TOTAL(answered_at IS NOT NULL), TOTAL(done_at >= ?3 AND done_at < ?4),
       TOTAL(done_at >= ?3 AND done_at < ?4 AND answered_at IS NOT NULL)
    FROM checkins
    WHERE status = 'done' AND prompted = 1 AND kind IN ({", ".join(f"'{k}'" for k in PROMPT_KINDS)})
UNION ALL
SELECT 'code', code, name, NULL, NULL FROM referral_codes
"""
"""Every figure in one statement, so all come from one snapshot of the database. Each row is
(kind, and four values); the users table is read once (three groupings of that one read)."""
STATS_SQL_PG = f"""
WITH u AS MATERIALIZED (
    SELECT {GROUP_SQL} AS grp, pathway_id, entry_step, referral,
           plan_made_on::date - started_on::date AS plan_days
    FROM users
)
SELECT 'people', grp, pathway_id, entry_step::bigint, COUNT(*) FROM u
    GROUP BY grp, pathway_id, entry_step
UNION ALL
SELECT 'referral', referral, NULL, NULL, COUNT(*) FROM u GROUP BY referral
UNION ALL
SELECT 'plan_days', plan_days::text, NULL, NULL, COUNT(*) FROM u
    WHERE plan_days IS NOT NULL GROUP BY plan_days
UNION ALL
SELECT 'done_month', NULL, NULL, NULL, COUNT(*) FROM milestones
    WHERE done_on >= ?1 AND done_on < ?2
UNION ALL
SELECT 'checkins', COUNT(*)::text, (COUNT(*) FILTER (WHERE answered_at IS NOT NULL))::text,
       COUNT(*) FILTER (WHERE done_at >= ?3 AND done_at < ?4),
       COUNT(*) FILTER (WHERE done_at >= ?3 AND done_at < ?4 AND answered_at IS NOT NULL)
    FROM checkins
    WHERE status = 'done' AND prompted = 1 AND kind IN ({", ".join(f"'{k}'" for k in PROMPT_KINDS)})
UNION ALL
SELECT 'code', code, name, NULL, NULL FROM referral_codes
"""
"""STATS_SQL in PostgreSQL's words (a union's column has one type there: numbers that share
a column with text come as text, and `_stats` reads them with int())."""


# ---- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathwayCount:
    """Participants who chose one pathway, in all and by the step they entered at."""

    pathway_id: str
    total: int
    by_step: tuple[tuple[int | None, int], ...]


@dataclass(frozen=True, slots=True)
class ReferralCount:
    """Participants who came with one referral code ('' for none), and the code's name."""

    code: str
    name: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Checkins:
    """Check-in prompts the bot sent, and how many of them the user answered."""

    sent: int
    answered: int

    @property
    def share(self) -> int | None:
        """Answered as a whole percentage of sent (None when none were sent)."""
        return round(100 * self.answered / self.sent) if self.sent else None


@dataclass(frozen=True, slots=True)
class Stats:
    """The agency's figures at one moment (`at`, local time).

    `by_group` has a row for each of GROUPS (zeros included); each participant (a stored
    user) is in exactly one, so the rows add up to `participants`:

    - inactive: the user blocked the bot (Telegram answered 403; users.inactive = 1), whatever
      their phase. They leave this row when they write to the bot again.
    - exited: otherwise, the state's status is 'exited'.
    - paused: otherwise, the status is 'paused' (/pause, or "Pause" at a check-in).
    - intake, recommendations, selection, goals, plan, engaged: otherwise (status active), the
      phase the state is in. intake: answering the intake questions; recommendations: shown
      the pathways, none chosen yet; selection: chose one, goals not asked yet (the engine
      goes straight on to goals, so this is normally 0); goals: choosing a long-term goal;
      plan: plan shown, not yet confirmed or check-ins not yet set up; engaged: on their plan,
      with check-ins.

    `by_pathway`: every participant with a chosen pathway (any group), by their entry step.
    `done_this_month`: milestones marked done on a date in the local calendar month of `at`
    (it starts on `month_start`). `checkins`: prompts sent (check-in rows of kind checkin,
    reminder or snooze that ran, status 'done') and answered (the user wrote to the bot
    after one: answered_at set), in all; `checkins_month`: those sent this month.
    `median_days_to_plan`: over the `plans` participants with a plan, the median number of
    days from their first message (started_on) to confirming the plan (plan_made_on).
    `by_referral`: every participant by the referral code they started with ('' = none),
    most first, with the name an admin gave the code with /newcode (None if not made so).
    """

    at: datetime
    month_start: date
    participants: int
    by_group: tuple[tuple[str, int], ...]
    by_pathway: tuple[PathwayCount, ...]
    done_this_month: int
    checkins: Checkins
    checkins_month: Checkins
    median_days_to_plan: float | None
    plans: int
    by_referral: tuple[ReferralCount, ...]

    def group(self, name: str) -> int:
        """Participants in one group of `by_group` (0 for an unknown name)."""
        return dict(self.by_group).get(name, 0)


# ---- figures --------------------------------------------------------------------------------


def month_bounds(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight on the first day of the month of `now` in `tz`, and of the next month."""
    local = now.astimezone(tz)
    start = datetime(local.year, local.month, 1, tzinfo=tz)
    after = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=tz)
    return start, after


async def compute_stats(store: Storage, now: datetime, tz: tzinfo) -> Stats:
    """Every figure of /stats, counted by the database in one statement (one snapshot)."""
    start, after = month_bounds(now, tz)
    days = (start.date().isoformat(), after.date().isoformat())
    sql = STATS_SQL if store.dialect == "sqlite" else STATS_SQL_PG
    rows = await store.read(sql, (*days, to_epoch(start), to_epoch(after)))
    return _stats(rows, now.astimezone(tz), start.date())


def _stats(rows: Sequence[tuple[Any, ...]], at: datetime, month_start: date) -> Stats:
    """The figures from the rows of STATS_SQL."""
    by_kind: dict[str, list[tuple[Any, ...]]] = {}
    for kind, *values in rows:
        by_kind.setdefault(kind, []).append(tuple(values))
    groups: dict[str, int] = {}
    for group, _, _, n in by_kind.get("people", []):
        groups[group] = groups.get(group, 0) + n
    plan_days = [(int(d), int(n)) for d, _, _, n in by_kind.get("plan_days", [])]
    sent, answered, sent_month, answered_month = by_kind["checkins"][0]
    return Stats(
        at=at,
        month_start=month_start,
        participants=sum(groups.values()),
        by_group=tuple((g, groups.get(g, 0)) for g in _ordered_groups(groups)),
        by_pathway=_pathways(by_kind.get("people", [])),
        done_this_month=int(by_kind["done_month"][0][3]),
        checkins=Checkins(int(sent), int(answered)),
        checkins_month=Checkins(int(sent_month), int(answered_month)),
        median_days_to_plan=median_of_counts(plan_days),
        plans=sum(n for _, n in plan_days),
        by_referral=_referrals(by_kind.get("referral", []), by_kind.get("code", [])),
    )


def _ordered_groups(found: dict[str, int]) -> list[str]:
    """GROUPS in order, then any phase an older or newer engine stored that we do not know."""
    return [*GROUPS, *sorted(g for g in found if g not in GROUPS)]


def _pathways(rows: Iterable[tuple[Any, ...]]) -> tuple[PathwayCount, ...]:
    """Per pathway (most participants first): the total and the count by entry step."""
    steps: dict[str, dict[int | None, int]] = {}
    for _, pathway_id, step, n in rows:
        if pathway_id is not None:
            counts = steps.setdefault(str(pathway_id), {})
            counts[step] = counts.get(step, 0) + int(n)
    found = [
        PathwayCount(p, sum(s.values()), tuple(sorted(s.items(), key=_step_order)))
        for p, s in steps.items()
    ]
    return tuple(sorted(found, key=lambda c: (-c.total, c.pathway_id)))


def _step_order(item: tuple[int | None, int]) -> tuple[bool, int]:
    """Entry steps in order, an unknown step (None) last."""
    return (item[0] is None, item[0] or 0)


def _referrals(
    rows: Iterable[tuple[Any, ...]], codes: Iterable[tuple[Any, ...]]
) -> tuple[ReferralCount, ...]:
    """Per referral code, most participants first, with the names admins gave the codes."""
    names = {str(code): str(name) for code, name, _, _ in codes}
    counts = [ReferralCount(str(c), names.get(str(c)), int(n)) for c, _, _, n in rows]
    return tuple(sorted(counts, key=lambda r: (-r.count, r.code)))


def median_of_counts(counts: Sequence[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times); None when there are none."""
    total = sum(n for _, n in counts)
    if total == 0:
        return None
    middle = ((total - 1) // 2, total // 2)  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value, n in sorted(counts):
        found.extend(value for k in middle if seen <= k < seen + n)
        seen += n
    return sum(found) / 2


# ---- the message ----------------------------------------------------------------------------


def format_stats(stats: Stats, kb: Knowledge | None = None) -> str:
    """The figures as a short plain-text Telegram message (at most 4,096 characters)."""
    kb = kb or get_knowledge()
    lines = [
        f"Participants: {stats.participants:,} (on {stats.at:%d %b %Y, %H:%M %Z})",
        "",
        "By phase:",
        *(f"  {GROUP_LABELS.get(g, g)}: {n:,}" for g, n in stats.by_group),
        "",
        "By pathway (and the step they started at):",
        *_pathway_lines(stats, kb),
        "",
        f"Milestones done in {stats.month_start:%B %Y}: {stats.done_this_month:,}",
        _checkin_line(stats),
        _median_line(stats),
        "",
        "By referral code:",
        *_referral_lines(stats),
    ]
    return "\n".join(lines)[:TELEGRAM_LIMIT]


def _pathway_lines(stats: Stats, kb: Knowledge) -> list[str]:
    if not stats.by_pathway:
        return ["  Nobody has chosen a pathway yet."]
    names = {p.id: p.name for p in kb.pathways}
    lines = []
    for p in stats.by_pathway:
        steps = ", ".join(
            f"step {s}: {n:,}" if s is not None else f"no step: {n:,}" for s, n in p.by_step
        )
        lines.append(f"  {names.get(p.pathway_id, p.pathway_id)}: {p.total:,} ({steps})")
    return lines


def _checkin_line(stats: Stats) -> str:
    month, total = stats.checkins_month, stats.checkins
    if total.sent == 0:
        return "Check-ins: none sent yet"
    return (
        f"Check-ins answered: {month.answered:,} of {month.sent:,} sent this month"
        f"{f' ({month.share}%)' if month.sent else ''};"
        f" {total.answered:,} of {total.sent:,} in all ({total.share}%)"
    )


def _median_line(stats: Stats) -> str:
    if stats.median_days_to_plan is None:
        return "Days from first message to plan: no plans yet"
    days = f"{stats.median_days_to_plan:g}"
    unit = "day" if days == "1" else "days"
    return f"Days from first message to plan: {days} {unit} (median of {stats.plans:,} plans)"


def _referral_lines(stats: Stats) -> list[str]:
    """Codes admins made (by name, most first), then the rest in one line each.

    A code nobody made with /newcode is text the user typed after /start: it is counted
    but not shown, so a name or a phone number typed there never reaches the admins' chat.
    """
    made = [r for r in stats.by_referral if r.name is not None]
    typed = sum(r.count for r in stats.by_referral if r.name is None and r.code != NO_CODE)
    none = sum(r.count for r in stats.by_referral if r.code == NO_CODE)
    lines = [
        f"  {r.code[:MAX_CODE_SHOWN]} ({(r.name or '')[:MAX_CODE_SHOWN]}): {r.count:,}"
        for r in made[:MAX_REFERRALS_SHOWN]
    ]
    if rest := made[MAX_REFERRALS_SHOWN:]:
        lines.append(f"  {len(rest):,} more codes: {sum(r.count for r in rest):,}")
    if typed:
        lines.append(f"  Codes not made with /newcode: {typed:,}")
    if none:
        lines.append(f"  No code: {none:,}")
    return lines or ["  Nobody yet."]


# ---- the export -----------------------------------------------------------------------------


def _inert(sql: str, char: str = "char") -> str:
    """SQL for text a spreadsheet shows as text: a leading ' stops =, +, -, @ formulas
    (`char`: the name of the code-to-character function, PostgreSQL's is chr)."""
    starts = ", ".join(f"'{c}'" for c in "=+-@") + f", {char}(9), {char}(13)"
    return f"CASE WHEN substr({sql}, 1, 1) IN ({starts}) THEN '''' || {sql} ELSE {sql} END"


CSV_HEADER = (
    "participant,status,phase,pathway,entry_step,milestones_done,milestones_total,"
    "started_on,plan_made_on,last_active,referral,referral_name,milestones"
)
EXPORT_SQL = f"""
WITH bound(last) AS (SELECT COALESCE(
        (SELECT user_id FROM users WHERE user_id > ?1 ORDER BY user_id LIMIT 1 OFFSET ?2 - 1),
        {2**63 - 1})),
names AS (SELECT key AS pathway, value AS name FROM json_each(?3))
SELECT u.user_id, u.last_seen,
       format('%s,%s,"%w",%s,%d,%d,%s,%s', iif(u.inactive, '{INACTIVE}', u.status), u.phase,
              COALESCE(n.name, u.pathway_id, ''), u.entry_step, u.milestones_done,
              u.milestones_total, u.started_on, u.plan_made_on),
       format('"%w","%w"', COALESCE({_inert("u.referral")}, ''), COALESCE({_inert("rc.name")}, ''))
FROM users u
LEFT JOIN names n ON n.pathway = u.pathway_id
LEFT JOIN referral_codes rc ON rc.code = u.referral
WHERE u.user_id > ?1 AND u.user_id <= (SELECT last FROM bound)
UNION ALL
SELECT user_id, NULL, NULL, group_concat(
           title || ' (by ' || target || iif(done_on IS NULL, '', ', done ' || done_on) || ')',
           '; ')
FROM milestones
WHERE user_id > ?1 AND user_id <= (SELECT last FROM bound)
GROUP BY user_id
"""
"""The next EXPORT_PAGE participants after user ?1, in one statement (one snapshot): a row
per participant (user_id, last_seen, CSV cells, CSV cells) and a row per participant with
milestones (user_id, NULL, NULL, their milestones as text). SQLite's printf makes the CSV
text ("%w" doubles the quotes inside a quoted cell), much faster than csv.writer; Python
adds the keyed participant id, the local date of last_seen and the quoted milestones.
Milestones is WITHOUT ROWID keyed by (user_id, position), so group_concat meets each
participant's milestones in plan order."""
EXPORT_SQL_PG = f"""
WITH bound(last) AS (SELECT COALESCE(
        (SELECT user_id FROM users WHERE user_id > ?1 ORDER BY user_id LIMIT 1 OFFSET ?2 - 1),
        {2**63 - 1})),
names AS (SELECT key AS pathway, value AS name FROM json_each_text(?3::json))
SELECT u.user_id, u.last_seen,
       format('%s,%s,"%s",%s,%s,%s,%s,%s',
              CASE WHEN u.inactive = 1 THEN '{INACTIVE}' ELSE u.status END, u.phase,
              replace(COALESCE(n.name, u.pathway_id, ''), '"', '""'), u.entry_step,
              u.milestones_done, u.milestones_total, u.started_on, u.plan_made_on),
       format('"%s","%s"',
              replace(COALESCE({_inert("u.referral", "chr")}, ''), '"', '""'),
              replace(COALESCE({_inert("rc.name", "chr")}, ''), '"', '""'))
FROM users u
LEFT JOIN names n ON n.pathway = u.pathway_id
LEFT JOIN referral_codes rc ON rc.code = u.referral
WHERE u.user_id > ?1 AND u.user_id <= (SELECT last FROM bound)
UNION ALL
SELECT user_id, NULL, NULL, string_agg(
           title || ' (by ' || target
           || CASE WHEN done_on IS NULL THEN '' ELSE ', done ' || done_on END || ')',
           '; ' ORDER BY position)
FROM milestones
WHERE user_id > ?1 AND user_id <= (SELECT last FROM bound)
GROUP BY user_id
"""
"""EXPORT_SQL in PostgreSQL's words (the same CSV cells)."""


def participant_id(user_id: int, key: bytes) -> str:
    """A pseudonymous participant id: a keyed hash of the user id (same key, same id)."""
    digest = hashlib.blake2b(str(user_id).encode(), key=key, digest_size=ID_BYTES)
    return f"p{digest.hexdigest()}"


class _Pseudonyms:
    """`participant_id` for many users: the keyed hash state is set up once and copied."""

    def __init__(self, key: bytes) -> None:
        self._keyed = hashlib.blake2b(key=key, digest_size=ID_BYTES)

    def __call__(self, user_id: int) -> str:
        digest = self._keyed.copy()
        digest.update(str(user_id).encode())
        return f"p{digest.hexdigest()}"


class _LocalDays:
    """The local date (ISO) of UTC epoch seconds, cached per quarter hour (every UTC offset
    in use is a whole number of quarter hours, so a quarter hour never spans two dates)."""

    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz
        self._seen: dict[int, str] = {}

    def __call__(self, seconds: int | None) -> str:
        if seconds is None:
            return ""
        quarter = seconds // QUARTER_HOUR
        day = self._seen.get(quarter)
        if day is None:
            day = from_epoch(quarter * QUARTER_HOUR).astimezone(self._tz).date().isoformat()
            self._seen[quarter] = day
        return day


def _quoted(text: str) -> str:
    """A quoted CSV cell (any quote inside doubled)."""
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if '"' in text else f'"{text}"'


async def export_chunks(
    store: Storage, key: bytes, *, tz: tzinfo = UTC, kb: Knowledge | None = None
) -> AsyncIterator[bytes]:
    """The CSV export in pieces: the header, then one piece per page of participants.

    The next page is read (on the store's reader thread) while this one is written.
    """
    names = json.dumps({p.id: p.name for p in (kb or get_knowledge()).pathways})
    ids, days = _Pseudonyms(key), _LocalDays(tz)
    yield f"\ufeff{CSV_HEADER}\r\n".encode()
    sql = EXPORT_SQL if store.dialect == "sqlite" else EXPORT_SQL_PG
    reading: asyncio.Future[list[tuple[Any, ...]]] | None = asyncio.ensure_future(
        store.read(sql, (MIN_ID, EXPORT_PAGE, names))
    )
    try:
        while reading is not None:
            rows = await reading
            people = [r for r in rows if r[2] is not None]
            reading = None
            if len(people) == EXPORT_PAGE:
                after = max(int(r[0]) for r in people)
                reading = asyncio.ensure_future(store.read(sql, (after, EXPORT_PAGE, names)))
            plans = {r[0]: r[3] for r in rows if r[2] is None}
            lines = (
                f"{ids(u)},{cells},{days(seen)},{more},{_quoted(plans.get(u, ''))}\r\n"
                for u, seen, cells, more in people
            )
            yield "".join(lines).encode()
    finally:
        if reading is not None:  # the reader of the chunks stopped early
            reading.cancel()


async def export_csv(
    store: Storage, key: bytes, *, tz: tzinfo = UTC, kb: Knowledge | None = None
) -> bytes:
    """Every participant as CSV (UTF-8 with a BOM, for spreadsheets), without Telegram ids.

    One row per stored user; `participant` is `participant_id(user_id, key)`. Columns:
    status (active, paused, exited, or inactive = blocked the bot), phase (the six phases),
    pathway name, entry step, milestones done and in all, the dates they started and
    confirmed their plan, their last message (local date in `tz`), referral code and its
    name, and last the milestones ("title (by target, done date)", joined by "; ").
    """
    out = io.BytesIO()
    async for chunk in export_chunks(store, key, tz=tz, kb=kb):
        out.write(chunk)
    return out.getvalue()
