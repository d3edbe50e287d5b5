"""Roadmap and comparison pictures: size, determinism, highlights, words on the cards, captions.

Reference pictures live in tests/reference/. After an intended change to the pictures (or to the
knowledge they show), look at the new ones and refresh them with
`PATHWAYS_UPDATE_REFERENCE=1 .venv/bin/python -m pytest tests/test_pictures.py`.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageColor, ImageStat

from bot.media.pictures import (
    BACKDROP,
    CAPTION_LIMIT,
    GOAL,
    HERE,
    MARGIN,
    RAIL,
    WIDTH,
    comparison_caption,
    comparison_png,
    current_step,
    roadmap_caption,
    roadmap_png,
    roadmap_text,
)
from dialogs.plan import build_goals, build_plan
from dialogs.state import AnswerValue, DialogState, Goals, Milestone
from knowledge.loader import load_knowledge
from knowledge.model import Pathway

REFERENCE = Path(__file__).parent / "reference"
UPDATE = os.environ.get("PATHWAYS_UPDATE_REFERENCE") == "1"
SHRINK = 8
TOLERANCE = 4.0
"""Mean absolute difference (of 255) of the grayscale pictures shrunk 8 times: a one-pixel shift
or another font weight stays under it, a card moving or a highlight on another step does not."""
TODAY = date(2026, 11, 23)

KNOWLEDGE = load_knowledge()
PATHWAYS = {p.id: p for p in KNOWLEDGE.pathways}


def plan_state(pathway: Pathway, entry: int, goal: int | None, done: int = 1) -> DialogState:
    """A plan like the planner makes: sign up, then train and apply on each step up to the goal."""
    milestones = [Milestone("m1", "Create an account with Maine JobLink", 1, date(2026, 12, 7))]
    for number in range(entry + 1, (goal or entry) + 1):
        year = 2026 + 2 * (number - entry)
        jobs = ", ".join(job.title for job in pathway.step(number).jobs[:3])
        milestones.append(
            Milestone(f"s{number}", f"Step {number}: training", number, date(year, 6, 1))
        )
        milestones.append(
            Milestone(f"j{number}", f"Apply for jobs: {jobs}", number, date(year, 8, 1))
        )
    milestones = [
        replace(m, done_on=date(2026, 12, 1)) if i < done else m for i, m in enumerate(milestones)
    ]
    goal_jobs = pathway.step(goal).jobs if goal else ()
    goals = Goals(long_step=goal, long_job=goal_jobs[0].title if goal_jobs else "")
    return DialogState(
        pathway_id=pathway.id, entry_step=entry, goals=goals, milestones=tuple(milestones)
    )


def planned_state(pathway: Pathway, entry: int, goal: int) -> DialogState:
    """The plan the real planner makes for someone studying 10 hours a week."""
    answers: dict[str, AnswerValue] = {"hours": 10, "computer": "phone_only"}
    goals = build_goals(pathway, KNOWLEDGE.process, entry, goal, answers)
    milestones = build_plan(pathway, KNOWLEDGE.process, entry, goals, answers, TODAY)
    return DialogState(pathway_id=pathway.id, entry_step=entry, goals=goals, milestones=milestones)


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def region(image: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box of the pixels of exactly this colour."""
    r, g, b = (
        image.getchannel(i).point(lambda v, c=c: 255 if v == c else 0) for i, c in enumerate(colour)
    )
    box = ImageChops.multiply(ImageChops.multiply(r, g), b).getbbox()
    assert box is not None, f"no pixels of colour {colour}"
    return box


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of the two pictures in grayscale, shrunk SHRINK times."""
    size = (a.width // SHRINK, a.height // SHRINK)
    small = [i.convert("L").resize(size, Image.Resampling.BOX) for i in (a, b)]
    return float(ImageStat.Stat(ImageChops.difference(*small)).mean[0])


def check_reference(name: str, data: bytes) -> None:
    path = REFERENCE / name
    if UPDATE:
        REFERENCE.mkdir(exist_ok=True)
        path.write_bytes(data)
    expected, actual = picture(path.read_bytes()), picture(data)
    assert actual.size == expected.size, f"{name}: the layout changed size"
    assert difference(actual, expected) < TOLERANCE, f"{name}: looks different from the reference"


# ---- the roadmap ----------------------------------------------------------------------------


@pytest.mark.parametrize("pathway_id", sorted(PATHWAYS))
def test_roadmap_renders_for_every_entry_step_and_goal(pathway_id: str) -> None:
    pathway = PATHWAYS[pathway_id]
    for entry in range(1, 6):
        for goal in range(entry, 6):
            image = picture(roadmap_png(pathway, planned_state(pathway, entry, goal)))
            assert image.format == "PNG" and image.mode == "RGB"
            assert image.width == WIDTH
            assert 1000 <= image.height <= 2400, (entry, goal, image.height)


def test_roadmap_without_goal_or_milestones_still_renders() -> None:
    state = DialogState(pathway_id="it", entry_step=3)
    image = picture(roadmap_png(PATHWAYS["it"], state))
    assert image.width == WIDTH
    assert "YOUR GOAL" not in {
        line for lines in roadmap_text(PATHWAYS["it"], state).values() for line in lines
    }


def test_same_plan_gives_the_same_bytes() -> None:
    pathway = PATHWAYS["manufacturing"]
    state = plan_state(pathway, 2, 4)
    first = roadmap_png(pathway, state)
    assert roadmap_png(pathway, replace(state)) == first
    assert b"tIME" not in first and b"tEXt" not in first  # no timestamp or text metadata


def test_you_are_here_moves_up_with_the_current_step() -> None:
    pathway = PATHWAYS["it"]
    low = picture(roadmap_png(pathway, plan_state(pathway, 2, None, done=0)))
    high = picture(roadmap_png(pathway, plan_state(pathway, 3, None, done=0)))
    assert region(high, HERE)[1] < region(low, HERE)[1]
    # Steps 5 and 4 (under the header, which names the step) look the same in both pictures.
    top = (0, 220, WIDTH, region(high, HERE)[1] - 20)
    assert ImageChops.difference(low.crop(top), high.crop(top)).getbbox() is None
    # Where step 2 was highlighted, the pictures differ.
    assert ImageChops.difference(low, high).crop(region(low, HERE)).getbbox() is not None


def test_your_goal_is_marked_on_the_goal_step() -> None:
    pathway = PATHWAYS["manufacturing"]
    near = picture(roadmap_png(pathway, plan_state(pathway, 2, 3)))
    far = picture(roadmap_png(pathway, plan_state(pathway, 2, 5)))
    assert region(far, GOAL)[1] < region(near, GOAL)[1]


def test_highlights_differ_in_grayscale() -> None:
    here, goal = (ImageColor.getcolor("#{:02x}{:02x}{:02x}".format(*c), "L") for c in (HERE, GOAL))
    assert isinstance(here, int) and isinstance(goal, int)
    assert goal - here > 100  # a dark 'you are here' label, a light 'your goal' label


def test_cards_show_the_plan() -> None:
    pathway = PATHWAYS["it"]
    state = plan_state(pathway, 2, 4)
    cards = roadmap_text(pathway, state)
    assert cards[2][0] == "YOU ARE HERE" and cards[4][0] == "YOUR GOAL"
    assert "YOU ARE HERE" not in cards[4] and "YOUR GOAL" not in cards[2]
    assert "[x] Dec 2026 Create an account with Maine JobLink" in cards[1]
    assert "[ ] Jun 2028 Training" in cards[3]  # 'Step 3:' is left out on step 3's card
    assert any("$18–23 an hour" in line for line in cards[3])  # the bundled font has en dashes
    assert any("$57,000–68,000 a year" in line for line in cards[4])
    assert "Help Desk and User Support, Technical Support, Hardware Repair" in " ".join(cards[3])


def test_done_milestones_raise_the_current_step() -> None:
    pathway = PATHWAYS["it"]
    state = plan_state(pathway, 2, 4, done=3)  # sign-up, step 3 training and job done
    assert current_step(state) == 3
    assert roadmap_text(pathway, state)[3][0] == "YOU ARE HERE"


def test_long_words_wrap_inside_the_picture() -> None:
    pathway = PATHWAYS["it"]
    long_title = "Finish " + "W" * 120 + " and " + "the longest course title " * 8
    state = replace(
        plan_state(pathway, 2, 3),
        milestones=(Milestone("x", long_title, 3, date(2027, 1, 1)),),
    )
    image = picture(roadmap_png(pathway, state))
    assert image.width == WIDTH
    margin = image.crop((WIDTH - MARGIN + 2, 0, WIDTH, image.height))
    assert margin.getcolors() == [(margin.width * margin.height, BACKDROP)]


def test_many_milestones_on_one_step_are_summed_up() -> None:
    pathway = PATHWAYS["it"]
    many = tuple(Milestone(f"m{i}", f"Task {i}", 3, date(2027, i, 1)) for i in range(1, 9))
    state = replace(plan_state(pathway, 2, 3), milestones=many)
    assert roadmap_text(pathway, state)[3][-1] == "+ 5 more dates"
    assert picture(roadmap_png(pathway, state)).height <= 2400


@pytest.mark.parametrize("pathway_id", sorted(PATHWAYS))
def test_roadmap_looks_like_the_reference(pathway_id: str) -> None:
    pathway = PATHWAYS[pathway_id]
    check_reference(f"roadmap-{pathway_id}.png", roadmap_png(pathway, plan_state(pathway, 2, 4)))


# ---- captions -------------------------------------------------------------------------------


@pytest.mark.parametrize("pathway_id", sorted(PATHWAYS))
def test_roadmap_caption_names_where_you_are_and_your_goal(pathway_id: str) -> None:
    pathway = PATHWAYS[pathway_id]
    for entry in range(1, 6):
        for goal in range(entry, 6):
            caption = roadmap_caption(pathway, planned_state(pathway, entry, goal))
            assert len(caption) <= CAPTION_LIMIT
            assert f"You are here: step {entry} of 5" in caption
            if goal > entry:
                assert f"Your goal: step {goal} of 5" in caption
            else:
                assert "This is also your goal step." in caption


def test_roadmap_caption_lists_dates_with_units_and_ticks() -> None:
    pathway = PATHWAYS["it"]
    caption = roadmap_caption(pathway, plan_state(pathway, 2, 4))
    assert "$15–17 an hour" in caption and "$57,000–68,000 a year" in caption
    assert "• ✓ Done: Create an account with Maine JobLink" in caption
    assert "• Jun 2028: Training" in caption


def test_roadmap_caption_stays_within_the_limit_for_a_huge_plan() -> None:
    pathway = PATHWAYS["manufacturing"]
    many = tuple(Milestone(f"m{i}", "A long milestone title " * 5, 3, TODAY) for i in range(60))
    caption = roadmap_caption(pathway, replace(plan_state(pathway, 1, 5), milestones=many))
    assert len(caption) <= CAPTION_LIMIT
    assert "…" in caption and caption.endswith("You can change them.")


# ---- the comparison -------------------------------------------------------------------------


def test_comparison_shows_both_pathways_side_by_side() -> None:
    both = KNOWLEDGE.pathways
    data = comparison_png(both)
    image = picture(data)
    assert image.width == WIDTH and 1000 <= image.height <= 2400
    assert comparison_png(both) == data
    check_reference("comparison.png", data)


def test_comparison_of_one_pathway_is_a_single_column() -> None:
    image = picture(comparison_png([PATHWAYS["it"]]))
    assert image.width == WIDTH
    with pytest.raises(ValueError):
        comparison_png([])


def test_comparison_caption_gives_pay_in_both_units_where_they_differ() -> None:
    caption = comparison_caption(KNOWLEDGE.pathways)
    assert len(caption) <= CAPTION_LIMIT
    step3 = next(line for line in caption.splitlines() if line.startswith("Step 3"))
    assert "Manufacturing $49,000–55,000 a year (about $23.56–26.44 an hour)" in step3
    assert "IT $18–23 an hour (about $37,440–47,840 a year)" in step3
    step2 = next(line for line in caption.splitlines() if line.startswith("Step 2"))
    assert "about" not in step2  # both by the hour: no conversion needed


# ---- right to left ----------------------------------------------------------------------------


def _here_columns(image: Image.Image) -> set[int]:
    """The x of every pixel in the 'you are here' blue (the dot on the road and the badge)."""
    blue = HERE
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    return {x for x in range(0, width, 4) for y in range(0, height, 8) if pixels[x, y] == blue}


def test_a_right_to_left_roadmap_is_mirrored_with_the_road_on_the_right() -> None:
    pathway = PATHWAYS["it"]
    state = plan_state(pathway, 2, 4)
    english = picture(roadmap_png(pathway, state))
    arabic = picture(roadmap_png(pathway, replace(state, language="ar")))
    rail = MARGIN + RAIL - 10  # the road's band; the cards start past it
    left, right = _here_columns(english), _here_columns(arabic)
    assert any(x < rail for x in left) and not any(x > WIDTH - MARGIN for x in left)
    assert any(x > WIDTH - rail for x in right) and not any(x < MARGIN for x in right)


def test_the_arabic_roadmap_and_comparison_look_like_their_references() -> None:
    from dialogs import i18n

    pathway = PATHWAYS["it"]
    check_reference(
        "roadmap-it-ar.png", roadmap_png(pathway, replace(plan_state(pathway, 2, 4), language="ar"))
    )
    with i18n.use("ar"):
        check_reference("comparison-ar.png", comparison_png(KNOWLEDGE.pathways))
