"""Roadmap and comparison pictures (Pillow), sized and lettered for a phone screen."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from PIL import Image, ImageDraw, ImageFont, features

from dialogs import i18n, localize
from dialogs.i18n import N_, _
from dialogs.state import DialogState, Milestone
from knowledge.model import Pathway, Pay, PayUnit, Step

WIDTH = 1080
"""Picture width in pixels (a phone screen at full resolution)."""
CAPTION_LIMIT = 1024
"""Telegram's limit for a photo caption, in characters."""

RGB = tuple[int, int, int]
INK: RGB = (17, 17, 17)
MUTED: RGB = (66, 66, 66)
PAPER: RGB = (255, 255, 255)
BACKDROP: RGB = (236, 239, 243)
ROAD: RGB = (110, 110, 110)
HERE: RGB = (13, 60, 140)
"""Dark blue for 'you are here' (dark in grayscale too, with white letters)."""
GOAL: RGB = (255, 196, 0)
"""Amber for 'your goal' (light in grayscale, with black letters and a black frame)."""
PAY: RGB = (0, 84, 40)
"""Dark green for pay (near-black in grayscale)."""

HEAD, TITLE, BODY, SMALL = 50, 38, 32, 28
"""Type sizes in pixels: nothing on a picture is smaller than 28 px."""
LEADING = 1.28
MARGIN, GAP, PAD = 28, 18, 22
RAIL = 112
"""Width of the road on the left, where the step numbers sit."""
BIG_DOT, DOT = 38, 30
BORDER, STRONG_BORDER = 3, 8
MAX_JOBS = 3
MAX_DATES = 3
"""Milestones shown on one step's card; the rest become '+ 2 more dates'."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HERE_LABEL, GOAL_LABEL = N_("YOU ARE HERE"), N_("YOUR GOAL")
ESTIMATES = N_("Dates are estimates. You can change them.")
PAY_NOTE = N_("Pay is the average range for each step.")
FONT = Path(__file__).parent / "fonts" / "PathwaysNotoSans-Regular.ttf"
"""Noto Sans with Noto Sans Arabic merged in (OFL, fonts/OFL.txt; docs/make_font.py): one font
for every language, with dashes, curly quotes and Arabic, shaped right to left by raqm."""

_TRAILING = frozenset({"in", "of", "for", "and", "the", "to"})
_STEP_PREFIX = re.compile(r"^step \d+\s*:\s*", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\([^)]*\)")
_BIDI = frozenset("\u200e\u200f\u2066\u2067\u2068\u2069")
"""Direction marks and isolates: no glyph of their own, but they keep '$15–24' whole in Arabic."""
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


# ---- public API ------------------------------------------------------------------------------


def current_step(state: DialogState) -> int:
    """The step the user stands on: the entry step, raised by milestones already done."""
    done = [m.step for m in state.milestones if m.done]
    if state.entry_step is not None:
        return max([state.entry_step, *done])
    if done:
        return max(done)
    milestone = state.current_milestone
    return milestone.step if milestone else 1


def roadmap_png(pathway: Pathway, state: DialogState) -> bytes:
    """The user's own roadmap: the steps bottom-up, where they are, their goal, their dates."""
    with i18n.use(state.language):
        here, goal = current_step(state), state.goals.long_step
        header = _layout(_header_runs(pathway, here, goal), WIDTH - 2 * MARGIN)
        width = WIDTH - 2 * MARGIN - RAIL
        cards = [_card(pathway, step, state, here, goal, width) for step in _top_down(pathway)]
        footer = _layout([_Run(_(ESTIMATES), SMALL, fill=MUTED)], width)
        body = sum(card.height + GAP for card in cards)
        image, draw = _canvas(MARGIN + _height(header) + GAP + body + _height(footer) + MARGIN)
        y = _draw_lines(draw, header, MARGIN, MARGIN) + GAP
        tops = []
        for card in cards:
            tops.append(y)
            y = _draw_card(draw, card, MARGIN + RAIL, y) + GAP
        _draw_road(draw, cards, tops, here, goal)
        _draw_lines(draw, footer, MARGIN + RAIL, y)
        return _png(image)


def roadmap_text(pathway: Pathway, state: DialogState) -> dict[int, tuple[str, ...]]:
    """The words on each step's card, by step number, as drawn ('[x]' marks a ticked date)."""
    with i18n.use(state.language):
        here, goal = current_step(state), state.goals.long_step
        width = WIDTH - 2 * MARGIN - RAIL
        cards = [_card(pathway, step, state, here, goal, width) for step in _top_down(pathway)]
        return {card.number: (*card.labels, *map(_line_words, card.lines)) for card in cards}


def _line_words(line: _Line) -> str:
    box = {"done": "[x] ", "todo": "[ ] "}.get(line.box, "")
    lead = f"{line.lead} " if line.lead else ""
    return f"{box}{lead}{line.text}"


def roadmap_caption(pathway: Pathway, state: DialogState) -> str:
    """A short text alternative to the roadmap, at most CAPTION_LIMIT characters."""
    with i18n.use(state.language):
        here, goal = current_step(state), state.goals.long_step
        lines = [
            _("Your roadmap: {pathway}.").format(pathway=_(pathway.name)),
            _("You are here: {step}.").format(step=_step_words(pathway, here)),
        ]
        if goal == here:
            lines.append(_("This is also your goal step."))
        elif goal is not None:
            lines.append(
                _("Your goal: {step}.").format(
                    step=_step_words(pathway, goal, state.goals.long_job)
                )
            )
        dates = [_milestone_words(m) for m in state.milestones]
        return _fit([*lines, *([_("Your dates:"), *dates] if dates else [])], _(ESTIMATES))


def comparison_png(pathways: Sequence[Pathway]) -> bytes:
    """The pathways' steps side by side, top step first: pay first, then jobs."""
    if not pathways:
        raise ValueError("no pathways to compare")
    col = (WIDTH - 2 * MARGIN - RAIL - GAP * (len(pathways) - 1)) // len(pathways)
    title = _layout([_Run(_("Compare pathways"), HEAD, bold=True)], WIDTH - 2 * MARGIN)
    heads = [_layout([_Run(_(p.name), TITLE, bold=True)], col - 2 * PAD) for p in pathways]
    head_h = max(_height(h) for h in heads) + 2 * PAD
    numbers = sorted({s.number for p in pathways for s in p.steps}, reverse=True)
    rows = [_row(pathways, n, col) for n in numbers]
    note = _layout([_Run(_(PAY_NOTE), SMALL, fill=MUTED)], WIDTH - 2 * MARGIN)
    body = sum(row.height + GAP for row in rows)
    top = MARGIN + _height(title) + GAP + head_h + GAP
    image, draw = _canvas(top + body + _height(note) + MARGIN)
    y = _draw_lines(draw, title, MARGIN, MARGIN) + GAP
    y = _draw_heads(draw, heads, col, head_h, y)
    for row in rows:
        y = _draw_row(draw, row, col, y)
    _draw_lines(draw, note, MARGIN, y)
    return _png(image)


def comparison_caption(pathways: Sequence[Pathway]) -> str:
    """A short text alternative to the comparison, at most CAPTION_LIMIT characters."""
    lines = [_("Compare pathways, step by step:")]
    for number in sorted({s.number for p in pathways for s in p.steps}):
        lines.append(_compare_words(pathways, number))
    return _fit(lines, _(PAY_NOTE))


# ---- words --------------------------------------------------------------------------------


PLAIN_STEP_NAMES = (
    N_("Intake and your plan"),
    N_("Semi-skilled jobs"),
    N_("Entry-level skilled jobs"),
    N_("Mid-level skilled jobs"),
    N_("Upper-level skilled jobs"),
)
"""What short_title makes of the documents' five step titles (listed for the catalogue)."""


def short_title(pathway: Pathway, step: Step) -> str:
    """A step's short title, in the picture's language."""
    return _(_short_title(pathway, step))


def _short_title(pathway: Pathway, step: Step) -> str:
    """A step title short enough for a phone: 'Entry-level skilled jobs', 'Intake and your plan'."""
    title = step.title.strip()
    if "intake" in title.lower() and len(title) > 40:
        return "Intake and your plan"
    for prefix in ("Preparation for Employment in ", "Preparation for "):
        if title.lower().startswith(prefix.lower()):
            title = title[len(prefix) :]
    drop = {pathway.short_name.lower(), pathway.name.lower(), pathway.id.lower()}
    words = [w for w in title.split() if w.lower() not in drop]
    while words and words[-1].lower() in _TRAILING:
        words.pop()
    words = [w if w.isupper() and len(w) > 1 else w.lower() for w in words] or [title]
    return _capital(" ".join(words))


def month(day: date) -> str:
    """'Jun 2027' ('jun 2027', 'يونيو 2027': the month in the language of the picture)."""
    if i18n.current() == i18n.DEFAULT:
        return f"{MONTHS[day.month - 1]} {day.year}"
    return str(format_date(day, "LLL y", locale=i18n.locale()))


def jobs_text(step: Step, limit: int = MAX_JOBS) -> str:
    """A few of the step's jobs, notes in brackets left out: 'Welder, fabricator, pipefitter'."""
    titles = dict.fromkeys(_BRACKETS.sub("", _(job.title)).strip() for job in step.jobs)
    return _capital(", ".join(list(titles)[:limit]))


def milestone_text(milestone: Milestone) -> str:
    """A milestone's title for its step's card: no 'Step 3:' before it, no brackets after it."""
    return _capital(_BRACKETS.sub("", _STEP_PREFIX.sub("", _(milestone.title))).strip())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _step_words(pathway: Pathway, number: int, job: str = "") -> str:
    step = _find(pathway, number)
    if step is None:
        return _("step {number}").format(number=number)
    words = _("step {number} of {total}, {title}").format(
        number=number, total=len(pathway.steps), title=short_title(pathway, step).lower()
    )
    if job:
        words += f" ({job})"
    return words + (f", {_in_language(step.pay).text()}" if step.pay else "")


def _milestone_words(milestone: Milestone) -> str:
    when = _("Done") if milestone.done else month(milestone.target)
    return f"• {'✓ ' if milestone.done else ''}{when}: {milestone_text(milestone)}"


def _compare_words(pathways: Sequence[Pathway], number: int) -> str:
    """'Step 3, entry-level skilled jobs: Manufacturing $49,000–55,000 a year (…); IT $18–23 …'."""
    steps = [(p, s) for p in pathways if (s := _find(p, number))]
    titles = {short_title(p, s).lower() for p, s in steps}
    title = titles.pop() if len(titles) == 1 else ""
    both = _mixed_units(pathways, number)
    pays = [f"{p.short_name} {_pay_words(s.pay, both)}" for p, s in steps if s.pay]
    if not pays:
        return _("Step {number}: {title}.").format(number=number, title=title or _("no pay given"))
    head = (
        _("Step {number}, {title}").format(number=number, title=title)
        if title
        else _("Step {number}").format(number=number)
    )
    return f"{head}: {'; '.join(pays)}."


def _pay_words(pay: Pay, both: bool) -> str:
    pay = _in_language(pay)
    return pay.text_both() if both else pay.text()


def _in_language(pay: Pay) -> Pay:
    """The pay range written the way the picture's language writes it ('$24 por hora')."""
    return replace(pay, words=localize.pay_words(i18n.current()))


def _fit(lines: Iterable[str], last: str) -> str:
    """The lines and then `last`, leaving out lines past the caption limit (with a '…')."""
    kept: list[str] = []
    room = CAPTION_LIMIT - len(last) - 2
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) + 2 > room:
            kept.append("…")
            break
        kept.append(line)
    return "\n".join([*kept, last])[:CAPTION_LIMIT]


def _find(pathway: Pathway, number: int) -> Step | None:
    return next((s for s in pathway.steps if s.number == number), None)


def _mixed_units(pathways: Sequence[Pathway], number: int) -> bool:
    units = {s.pay.unit for p in pathways if (s := _find(p, number)) and s.pay}
    return len(units) > 1


def _top_down(pathway: Pathway) -> list[Step]:
    return sorted(pathway.steps, key=lambda s: s.number, reverse=True)


# ---- text layout --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Run:
    """A paragraph to wrap, optionally led by a check box and a bold date column."""

    text: str
    size: int
    bold: bool = False
    fill: RGB = INK
    box: str = ""
    """'', 'todo' or 'done'."""
    lead: str = ""
    """Bold words in a column of their own before the text (a date)."""


@dataclass(frozen=True, slots=True)
class _Line:
    """One wrapped line, placed relative to its block; box and lead only on a run's first line."""

    text: str
    size: int
    bold: bool
    fill: RGB
    x: int
    y: int
    box: str = ""
    lead: str = ""


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """The bundled font; shaped by raqm where Pillow has it (Arabic needs it to join letters)."""
    raqm = features.check("raqm")
    layout = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONT), size, layout_engine=layout)


@lru_cache(maxsize=512)
def _drawable(char: str) -> bool:
    """False for characters the font would draw as an empty box."""
    return _glyph(char) != _glyph("\uffff")


def _glyph(char: str) -> bytes:
    """The pixels of one character drawn alone (the font's empty box for one it lacks)."""
    image = Image.new("L", (40, 40), 0)
    ImageDraw.Draw(image).text((8, 4), char, font=_font(20), fill=255)
    return image.tobytes()


def _plain(text: str) -> str:
    """The text without the characters the bundled font lacks (they would be empty boxes)."""
    return "".join(c for c in text if c.isascii() or c in _BIDI or _drawable(c))


def _wrap(text: str, size: int, width: int) -> list[str]:
    """Greedy word wrap to `width` pixels; a word longer than a line is cut."""
    font, lines, line = _font(size), [], ""
    for word in _plain(text).split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            candidate = word
        while font.getlength(candidate) > width and len(candidate) > 1:
            cut = _longest_prefix(candidate, font, width)
            lines.append(candidate[:cut])
            candidate = candidate[cut:]
        line = candidate
    return [*lines, line] if line else lines


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    cut = len(word) - 1
    while cut > 1 and font.getlength(word[:cut]) > width:
        cut -= 1
    return cut


def _line_height(size: int) -> int:
    return round(size * LEADING)


def _box_width(size: int) -> int:
    return round(size * 1.45)


def _lead_width(size: int) -> int:
    """Room for the widest bold 'May 2000' (in the picture's language) and a gap."""
    return _lead_width_in(size, i18n.current())


@lru_cache(maxsize=64)
def _lead_width_in(size: int, language: str) -> int:
    widest = max(_font(size).getlength(month(date(2000, m, 1))) for m in range(1, 13))
    return round(widest) + 2 + size // 2


def _layout(runs: Sequence[_Run], width: int) -> list[_Line]:
    """Wrap the runs into lines, one under another, starting at y = 0."""
    lines, y = [], 0
    for run in runs:
        x = (_box_width(run.size) if run.box else 0) + (_lead_width(run.size) if run.lead else 0)
        for i, text in enumerate(_wrap(run.text, run.size, width - x) or [""]):
            first = i == 0
            box, lead = (run.box, run.lead) if first else ("", "")
            lines.append(_Line(text, run.size, run.bold, run.fill, x, y, box, lead))
            y += _line_height(run.size)
    return lines


def _height(lines: Sequence[_Line]) -> int:
    return max((ln.y + _line_height(ln.size) for ln in lines), default=0)


# ---- drawing ------------------------------------------------------------------------------


class _Mirrored(ImageDraw.ImageDraw):
    """Draws the layout mirrored for a right-to-left language: the road on the right, text set
    from the right edge of its box and ordered right to left by raqm."""

    def _x(self, x: float) -> float:
        return WIDTH - x

    def _xy(self, xy: Any) -> Any:
        if len(xy) == 4 and all(isinstance(v, int | float) for v in xy):
            x0, y0, x1, y1 = xy
            return (self._x(x1), y0, self._x(x0), y1)
        return [(self._x(x), y) for x, y in xy]

    def rounded_rectangle(self, xy: Any, *args: Any, **kwargs: Any) -> None:
        super().rounded_rectangle(self._xy(xy), *args, **kwargs)

    def ellipse(self, xy: Any, *args: Any, **kwargs: Any) -> None:
        super().ellipse(self._xy(xy), *args, **kwargs)

    def line(self, xy: Any, *args: Any, **kwargs: Any) -> None:
        super().line(self._xy(xy), *args, **kwargs)

    def polygon(self, xy: Any, *args: Any, **kwargs: Any) -> None:
        super().polygon(self._xy(xy), *args, **kwargs)

    def text(self, xy: Any, text: Any, *args: Any, **kwargs: Any) -> None:
        anchor = str(kwargs.pop("anchor", None) or "la")
        flipped = {"l": "r", "r": "l"}.get(anchor[0], anchor[0]) + anchor[1:]
        if features.check("raqm") and _RTL_LETTER.search(str(text)):
            kwargs["direction"] = "rtl"  # a line with no Arabic letter keeps its own order
        kwargs["anchor"] = flipped
        super().text((self._x(xy[0]), xy[1]), text, *args, **kwargs)


def _canvas(height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A blank picture and its pen (mirrored for a right-to-left language)."""
    image = Image.new("RGB", (WIDTH, height), BACKDROP)
    return image, _Mirrored(image) if i18n.language().rtl else ImageDraw.Draw(image)


def _png(image: Image.Image) -> bytes:
    """PNG bytes with no metadata, so the same picture always gives the same bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _text(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, fill: RGB, bold: bool
) -> None:
    """Text, made bold by a one-pixel stroke (the bundled font has one weight), set in the middle
    of its line (Noto's tall ascenders and Arabic marks stay inside the line)."""
    font, stroke = _font(size), 1 if bold else 0
    x, y = xy[0], xy[1] + _line_height(size) // 2
    draw.text(
        (x, y), text, font=font, fill=fill, stroke_width=stroke, stroke_fill=fill, anchor="lm"
    )


def _draw_lines(
    draw: ImageDraw.ImageDraw, lines: Sequence[_Line], x: int, y: int, fill: RGB | None = None
) -> int:
    """Draw the lines at (x, y); return the y under the last one."""
    for ln in lines:
        if ln.box:
            _check_box(draw, x, y + ln.y, ln.size, ln.box == "done")
        if ln.lead:
            lead_x = x + (_box_width(ln.size) if ln.box else 0)
            _text(draw, (lead_x, y + ln.y), ln.lead, ln.size, fill or ln.fill, bold=True)
        _text(draw, (x + ln.x, y + ln.y), ln.text, ln.size, fill or ln.fill, ln.bold)
    return y + _height(lines)


def _check_box(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, done: bool) -> None:
    """An empty box for a date to come, a ticked one for a date done."""
    s, top = size, y + round(size * 0.12)
    _box(draw, (x, top, x + s, top + s), fill=PAPER, outline=INK, width=3, radius=4)
    if done:
        tick = [(x + s * 0.18, top + s * 0.52), (x + s * 0.42, top + s * 0.78)]
        tick.append((x + s * 0.86, top + s * 0.2))
        draw.line(tick, fill=PAY, width=max(4, s // 6), joint="curve")


def _box(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int, int, int],
    *,
    fill: RGB,
    outline: RGB,
    width: int,
    radius: int = 14,
) -> None:
    draw.rounded_rectangle(xy, radius=radius, fill=fill, outline=outline, width=width)


def _dot(
    draw: ImageDraw.ImageDraw,
    centre: tuple[int, int],
    r: int,
    number: int,
    colours: tuple[RGB, ...],
) -> None:
    """A numbered circle on the road; `colours` are fill, number and ring."""
    (cx, cy), (fill, ink, ring) = centre, colours
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill, outline=ring, width=5)
    font = _font(TITLE if r > DOT else BODY)
    draw.text(
        centre, str(number), font=font, fill=ink, anchor="mm", stroke_width=1, stroke_fill=ink
    )


def _star(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    draw.polygon(points, fill=INK)


# ---- the roadmap --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Card:
    """One step's card on the roadmap, laid out and measured."""

    number: int
    here: bool
    goal: bool
    lines: tuple[_Line, ...]
    width: int

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels across the card's top."""
        return (_(HERE_LABEL),) * self.here + (_(GOAL_LABEL),) * self.goal

    @property
    def banner(self) -> int:
        """Height of the label strip on top ('YOU ARE HERE', 'YOUR GOAL'), or 0."""
        return _line_height(SMALL) + 16 if self.here or self.goal else 0

    @property
    def height(self) -> int:
        return self.banner + _height(self.lines) + 2 * PAD

    @property
    def anchor(self) -> int:
        """Offset from the card's top to the middle of its title line."""
        return self.banner + PAD + _line_height(TITLE) // 2


def _header_runs(pathway: Pathway, here: int, goal: int | None) -> list[_Run]:
    where = _("You are on step {step} of {total}.").format(step=here, total=len(pathway.steps))
    if goal == here:
        where += " " + _("This is your goal step.")
    elif goal is not None:
        where += " " + _("Your goal: step {step}.").format(step=goal)
    return [
        _Run(_("Your roadmap"), HEAD, bold=True),
        _Run(_(pathway.name), TITLE, bold=True),
        _Run(where, BODY),
    ]


def _card(
    pathway: Pathway, step: Step, state: DialogState, here: int, goal: int | None, width: int
) -> _Card:
    runs = [_Run(short_title(pathway, step), TITLE, bold=True)]
    if jobs := jobs_text(step):
        runs.append(_Run(jobs, BODY))
    if step.pay is not None:
        runs.append(_Run(_in_language(step.pay).text(), BODY, bold=True, fill=PAY))
    runs.extend(_date_runs(_milestones_on(pathway, step, state)))
    lines = tuple(_layout(runs, width - 2 * PAD))
    return _Card(step.number, step.number == here, step.number == goal, lines, width)


def _milestones_on(pathway: Pathway, step: Step, state: DialogState) -> list[Milestone]:
    """The milestones drawn on this step's card (steps out of range go to the nearest card)."""
    numbers = [s.number for s in pathway.steps]
    low, high = min(numbers), max(numbers)
    return [m for m in state.milestones if min(max(m.step, low), high) == step.number]


def _date_runs(milestones: Sequence[Milestone]) -> list[_Run]:
    runs = [
        _Run(milestone_text(m), SMALL, box="done" if m.done else "todo", lead=month(m.target))
        for m in milestones[:MAX_DATES]
    ]
    if len(milestones) > MAX_DATES:
        more = len(milestones) - MAX_DATES
        words = i18n.ngettext("+ {n} more date", "+ {n} more dates", more).format(n=more)
        runs.append(_Run(words, SMALL, fill=MUTED))
    return runs


def _draw_card(draw: ImageDraw.ImageDraw, card: _Card, x: int, y: int) -> int:
    """Draw one step's card at (x, y); return its bottom."""
    bottom, strong = y + card.height, card.here or card.goal
    outline = HERE if card.here else INK
    width = STRONG_BORDER if strong else BORDER
    _box(draw, (x, y, x + card.width, bottom), fill=PAPER, outline=outline, width=width)
    if strong:
        _draw_badges(draw, card, x, y)
    _draw_lines(draw, card.lines, x + PAD, y + card.banner + PAD)
    return bottom


def _draw_badges(draw: ImageDraw.ImageDraw, card: _Card, x: int, y: int) -> None:
    """The 'YOU ARE HERE' and 'YOUR GOAL' labels across the top of a card."""
    h = card.banner
    if card.here:
        x = _badge(draw, _(HERE_LABEL), (x, y, h), (HERE, PAPER, HERE), star=False)
    if card.goal:
        _badge(draw, _(GOAL_LABEL), (x, y, h), (GOAL, INK, INK), star=True)


def _badge(
    draw: ImageDraw.ImageDraw,
    text: str,
    where: tuple[int, int, int],
    colours: tuple[RGB, RGB, RGB],
    *,
    star: bool,
) -> int:
    """One label at (x, y) of height h; return where the next one starts."""
    (x, y, h), (fill, ink, frame) = where, colours
    icon = h if star else 0
    width = round(_font(SMALL).getlength(text)) + 2 * PAD + icon
    _box(draw, (x, y, x + width, y + h), fill=fill, outline=frame, width=4)
    if star:
        _star(draw, x + PAD + h // 2 - 6, y + h // 2, h // 2 - 6)
    _text(draw, (x + PAD + icon, y + (h - _line_height(SMALL)) // 2 + 2), text, SMALL, ink, True)
    return x + width - 4


def _draw_road(
    draw: ImageDraw.ImageDraw,
    cards: Sequence[_Card],
    tops: Sequence[int],
    here: int,
    goal: int | None,
) -> None:
    """The road on the left: a line through numbered circles, your stretch drawn thick."""
    cx = MARGIN + RAIL // 2 - 6
    centre = {card.number: top + card.anchor for card, top in zip(cards, tops, strict=True)}
    draw.line([(cx, min(centre.values())), (cx, max(centre.values()))], fill=ROAD, width=10)
    if goal is not None and goal != here and {goal, here} <= centre.keys():
        _draw_route(draw, cx, centre[here], centre[goal])
    for card in cards:
        _dot(draw, (cx, centre[card.number]), *_dot_style(card))


def _dot_style(card: _Card) -> tuple[int, int, tuple[RGB, RGB, RGB]]:
    if card.here:
        return BIG_DOT, card.number, (HERE, PAPER, GOAL if card.goal else HERE)
    if card.goal:
        return BIG_DOT, card.number, (GOAL, INK, INK)
    return DOT, card.number, (PAPER, INK, ROAD)


def _draw_route(draw: ImageDraw.ImageDraw, cx: int, start: int, end: int) -> None:
    """Your stretch of the road, from where you are to your goal, with an arrow head."""
    draw.line([(cx, start), (cx, end)], fill=INK, width=16)
    way = -1 if end < start else 1
    tip = end - way * (BIG_DOT + 4)
    base = tip - way * 34
    draw.polygon([(cx - 28, base), (cx + 28, base), (cx, tip)], fill=INK)


# ---- the comparison -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """One step across the pathways: a shared title over one cell per pathway."""

    number: int
    title: tuple[_Line, ...]
    cells: tuple[tuple[_Line, ...], ...]

    @property
    def cell_height(self) -> int:
        return max((_height(cell) for cell in self.cells), default=0) + 2 * PAD

    @property
    def height(self) -> int:
        cells = self.cell_height if any(self.cells) else 0
        return max(_height(self.title) + cells, 2 * BIG_DOT + 4)


def _row(pathways: Sequence[Pathway], number: int, col: int) -> _Row:
    """Lay out one step: the title once if the pathways share it, else in each cell."""
    steps = [_find(p, number) for p in pathways]
    titles = {short_title(p, s) for p, s in zip(pathways, steps, strict=True) if s}
    shared = titles.pop() if len(titles) == 1 else None
    both = _mixed_units(pathways, number)
    cells = tuple(
        tuple(_layout(_cell_runs(p, s, both, shared is None), col - 2 * PAD)) if s else ()
        for p, s in zip(pathways, steps, strict=True)
    )
    title = _layout([_Run(shared, BODY, bold=True)], WIDTH - 2 * MARGIN - RAIL) if shared else []
    return _Row(number, tuple(title), cells)


def _cell_runs(pathway: Pathway, step: Step, both: bool, titled: bool) -> list[_Run]:
    """Pay first (in both units when the row mixes them), then a few jobs."""
    runs = [_Run(short_title(pathway, step), SMALL, bold=True)] if titled else []
    if step.pay is not None:
        runs.append(_Run(_in_language(step.pay).text(), BODY, bold=True, fill=PAY))
        if both:
            runs.append(_Run(f"({_in_language(_other_unit(step.pay)).text()})", SMALL, fill=MUTED))
    if jobs := jobs_text(step):
        runs.append(_Run(jobs, SMALL))
    return runs


def _other_unit(pay: Pay) -> Pay:
    return pay.yearly if pay.unit is PayUnit.HOUR else pay.hourly


def _draw_heads(
    draw: ImageDraw.ImageDraw, heads: Sequence[Sequence[_Line]], col: int, h: int, y: int
) -> int:
    """The pathway names in dark boxes over their columns; return the y under them."""
    for i, head in enumerate(heads):
        x = MARGIN + RAIL + i * (col + GAP)
        _box(draw, (x, y, x + col, y + h), fill=INK, outline=INK, width=BORDER)
        _draw_lines(draw, head, x + PAD, y + PAD, fill=PAPER)
    rail = (MARGIN + RAIL // 2 - 6, y + h // 2)
    draw.text(
        rail, _("Step"), font=_font(SMALL), fill=INK, anchor="mm", stroke_width=1, stroke_fill=INK
    )
    return y + h + GAP


def _draw_row(draw: ImageDraw.ImageDraw, row: _Row, col: int, y: int) -> int:
    """One step across all pathways, its number on the left; return the y under it."""
    y0 = y
    title_y = y + (row.height - _height(row.title)) // 2 if not any(row.cells) else y
    y = _draw_lines(draw, row.title, MARGIN + RAIL + 4, title_y)
    if any(row.cells):
        for i, cell in enumerate(row.cells):
            x = MARGIN + RAIL + i * (col + GAP)
            if cell:
                box = (x, y, x + col, y + row.cell_height)
                _box(draw, box, fill=PAPER, outline=INK, width=BORDER)
                _draw_lines(draw, cell, x + PAD, y + PAD)
    centre = (MARGIN + RAIL // 2 - 6, (y0 + y0 + row.height) // 2)
    _dot(draw, centre, BIG_DOT, row.number, (PAPER, INK, INK))
    return y0 + row.height + GAP
