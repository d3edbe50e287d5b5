"""The advice fourteen kinds of job seekers get: entry step, recommendations, goals and plan.

Each person answers the real intake (by button id, or typed where people type), then the
test reads what the bot said, as the person would, and the state the figures read.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import timedelta

from dialogs.core import Ctx
from dialogs.engine import handoff_summary
from dialogs.flow import intake_flow
from dialogs.state import (
    CancelCheckins,
    CheckinDue,
    Choice,
    Command,
    DialogState,
    Phase,
    Status,
    Text,
)
from knowledge.loader import get_knowledge
from tests.journeys import BASE
from tests.transcript import START, Player

Profile = Mapping[str, str | tuple[str, ...]]


def intake(profile: Profile, language: str = "en") -> Player:
    """A player who answered every intake question from `profile` (a button id, or words the
    person types) and now sees the recommendations."""
    player = Player(state=DialogState(language=language))
    player.send(Command("start"))
    answers = {**BASE, **profile}
    for _ in range(40):
        if not (player.state.pending and player.state.pending.startswith("q:")):
            break
        question = player.state.pending[2:]
        wanted = answers[question]
        if isinstance(wanted, tuple):
            for choice in (*wanted, "done"):
                if player.state.pending != f"q:{question}":
                    break
                player.send(Choice(choice, player.state.version))
        elif (asked := intake_flow().question(question)) and asked.choice(wanted) is None:
            player.send(Text(wanted))  # not a button: the person types it
        else:
            player.send(Choice(wanted, player.state.version))
    assert player.state.pending == "pick", player.tail()
    return player


def recommendation(player: Player) -> str:
    """The recommendations text: the intro and each pathway (a message each), together."""
    start = next(i for i, r in enumerate(player.replies) if "Thank you!" in r.text)
    return "\n\n".join(r.text for r in player.replies[start:] if r.text and not r.choices)


def whole_plan(player: Player) -> str:
    """The plan as the person reads it: the first screen, and every screen behind More."""
    pages = [next(r.text for r in player.replies if r.text.startswith("Your plan"))]
    while any(o.id == "more" for r in player.replies for o in r.choices):
        player.send(Choice("more", player.state.version))
        pages.append(player.replies[0].text)
        assert all(len(p) <= 600 for p in pages), pages
    return "\n".join(pages)


def choose(player: Player, pathway: str, goal: int | None = None) -> str:
    """Choose a pathway, confirm it, pick a long-term goal; the plan text."""
    player.send(Choice(f"pick:{pathway}", player.state.version))
    assert player.state.phase is Phase.SELECT and player.state.pending == "select"
    player.send(Choice("sel:yes", player.state.version))
    if player.state.pending == "goal":
        options = [o.id for r in player.replies for o in r.choices]
        pick = f"goal:{goal}" if goal else next(i for i in reversed(options) if i[-1].isdigit())
        player.send(Choice(pick, player.state.version))
    assert player.state.phase is Phase.PLAN, player.tail()
    return whole_plan(player)


def dates_in_order(player: Player) -> bool:
    items = player.state.milestones
    return all(m.begins <= m.target for m in items) and all(
        a.target <= b.target for a, b in itertools.pairwise(items)
    )


def test_no_diploma_needing_work_now_gets_a_job_and_the_four_skills_first_then_school() -> None:
    player = intake(
        {"school": "none", "experience": ("none",), "interests": ("mfg_production",)}
        | {"job_now": "yes", "computer": "basic", "math": "weak"}
    )
    assert player.state.answers["school"] == "none"
    text = recommendation(player)
    assert "start at step 1" in text and "custodians" in text
    plan = choose(player, "manufacturing", 2)
    first = player.state.milestones[0]
    assert first.title.startswith("Get a job now: custodians")
    assert first.target == START.date()
    assert "positive attitude" in first.action and "follow directions" in first.action
    titles = [m.title for m in player.state.milestones]
    school = titles.index("Finish high school through Adult Education")
    classes = "Take Manufacturing classes that mix school basics, work skills and English if needed"
    assert school < titles.index(f"Step 2: {classes}")
    assert "Take higher-level math courses" in plan
    assert "Unskilled jobs may be needed" in plan
    assert dates_in_order(player)


def test_ged_and_retail_who_likes_computers_is_told_it_first_with_pay_now_and_next() -> None:
    player = intake(
        {"school": "high_school", "experience": ("retail",), "interests": ("it_infrastructure",)}
    )
    text = recommendation(player)
    assert text.index("Information Technology") < text.index("Manufacturing")
    assert "You have done: retail." in text and "You like: computers, networks." in text
    it_part = text[text.index("Information Technology") : text.index("Manufacturing")]
    assert "start at step 2" in it_part
    assert "$15–17 an hour" in it_part
    assert "step 3: Help Desk and User Support" in it_part and "$18–23 an hour" in it_part
    assert "fits you best" in text


def test_english_hard_puts_english_classes_first_and_says_it_step_two_needs_english() -> None:
    player = intake({"school": "high_school", "english": "hard"})
    text = recommendation(player)
    it_part = text[text.index("Information Technology") :]
    assert "Needed at step 2: English" in it_part and "start at step 1" in it_part
    plan = choose(player, "it", 3)
    titles = [m.title for m in player.state.milestones]
    english = titles.index("Take English classes. Ask at Adult Education.")
    step2 = titles.index(
        "Step 2: Take IT classes that mix school basics, work skills and English if needed"
    )
    assert english < step2
    assert "Step 3: Earn a short-term IT industry-recognized certificate" in plan


def test_phone_only_gets_northstar_and_basic_computer_courses_on_it() -> None:
    player = intake({"school": "high_school", "computer": "phone_only"})
    plan = choose(player, "it", 3)
    assert "Enroll in NorthStar Digital Literacy" in plan
    assert "Take basic computer courses" in plan


def test_bachelor_in_an_unrelated_field_starts_at_step_two_and_hears_what_is_missing() -> None:
    player = intake({"school": "bachelor", "degree_field": "business administration"})
    assert player.state.answers["degree_field"] == "other"
    text = recommendation(player)
    assert "start at step 5" not in text
    assert text.count("start at step 2") == 2
    assert (
        "You have a bachelor's degree. For step 5 you also need: applicable specialized "
        "experience." in text
    )
    assert (
        "You have a bachelor's degree, but not in IT or computers. Step 5 asks for one in IT or "
        "computers." in text
    )
    assert "Bachelor's degree means a 4-year college degree." in text
    plan = choose(player, "it", 3)
    assert "Computer Network Architects" not in plan


def test_bachelor_in_computer_information_systems_starts_at_it_step_five() -> None:
    player = intake(
        {"school": "bachelor", "degree_field": "computer information systems"}
        | {"experience": ("computers",)}
    )
    text = recommendation(player)
    assert "Your degree in IT or computers counts here." in text
    assert text.index("Information Technology") < text.index("Manufacturing")
    plan = choose(player, "it")
    assert player.state.entry_step == 5
    assert "Apply for jobs now: Computer Network Architects" in plan
    # At the top step, "change my goal" still shows choices and a way out.
    for option in ("plan:yes", "cad:monthly", "hour:9"):
        player.send(Choice(option, player.state.version))
    player.send(Text("change my goal"))
    labels = [o.label for r in player.replies for o in r.choices]
    assert any(label.startswith("Stay at step 5") for label in labels), player.tail()
    assert "Pick a new pathway" in labels


def test_associate_in_precision_machining_with_experience_starts_at_manufacturing_step_4() -> None:
    player = intake(
        {"school": "associate", "degree_field": "precision machining"}
        | {"experience": ("production",), "interests": ("mfg_production",)}
    )
    text = recommendation(player)
    assert text.index("Manufacturing") < text.index("Information Technology")
    plan = choose(player, "manufacturing", 5)
    assert player.state.entry_step == 4
    assert "Step 4 also lists: mechanical aptitude, industry-recognized credentials." in plan
    assert "Step 5: Earn a four-year degree" in plan
    assert "Northeastern University: Advanced Manufacturing Systems" in plan
    five = next(m for m in player.state.milestones if m.title.startswith("Step 5"))
    assert five.timeframe == "four-year degree or beyond"
    assert (five.target.year - five.begins.year) * 12 + five.target.month - five.begins.month == 48


def test_associate_in_an_unrelated_field_starts_at_step_two_on_both() -> None:
    player = intake({"school": "associate", "degree_field": "nursing"})
    text = recommendation(player)
    assert text.count("start at step 2") == 2
    assert "You have an associate degree, but not in IT or computers." in text
    assert (
        "Step 4 asks for one in Manufacturing or machining or Engineering. It also asks for: "
        "prior on-the-job experience." in text
    )


def test_a_cna_certificate_does_not_count_as_an_it_credential() -> None:
    player = intake({"school": "credential", "credential": "cna"})
    assert player.state.answers["credential"] == "other"
    text = recommendation(player)
    assert text.count("start at step 2") == 2
    assert (
        "You have a certificate, but not in IT (like CompTIA or help desk). Step 3 asks for one in "
        "IT (like CompTIA or help desk)." in text
    )


def test_comptia_and_help_desk_work_start_at_it_step_three() -> None:
    player = intake(
        {"school": "credential", "credential": "comptia a+", "experience": ("computers",)}
    )
    text = recommendation(player)
    it_part = text[text.index("Information Technology") :]
    assert "start at step 3" in it_part
    assert "Your certificate in IT (like CompTIA or help desk) counts here." in it_part
    assert "step 4: IT Support Specialist" in it_part and "$57,000–68,000 a year" in it_part
    choose(player, "it", 4)
    four = next(m for m in player.state.milestones if m.title.startswith("Step 4"))
    assert four.title == "Step 4: Earn a two-year associate degree in IT"
    assert "Central Maine Community College" in four.action


def test_under_18_hears_the_age_rule_and_that_it_does_not_list_it() -> None:
    player = intake({"school": "high_school", "age": "no", "interests": ("mfg_production",)})
    text = recommendation(player)
    assert (
        "Needed at steps 2 to 4: generally at least 18 years of age. IT does not list this." in text
    )
    mfg = text[text.index("Manufacturing") :]
    assert "start at step 1" in mfg.split("\n\n")[0]


def test_cannot_lift_hears_the_lifting_rule_and_it_fits_instead() -> None:
    player = intake({"school": "high_school", "lifting": "no", "interests": ("mfg_production",)})
    text = recommendation(player)
    assert "Needed at steps 2 to 4: ability to lift up to 40 pounds. IT does not list this." in text
    mfg = text[text.index("Manufacturing") :].split("\n\n")[0]
    it = text[text.index("Information Technology") :].split("\n\n")[0]
    assert "start at step 1" in mfg and "start at step 2" in it


def test_childcare_and_transport_needs_reach_the_plan_and_the_counselor() -> None:
    player = intake({"school": "high_school", "support": ("childcare", "transport")})
    plan = choose(player, "it", 3)
    assert (
        "Ask for help with childcare and getting there. Ask about support services at "
        "Workforce Solutions or Adult Education." in plan
    )
    assert "free" not in plan.lower()
    ctx = Ctx(get_knowledge(), intake_flow(), START)
    summary = "\n".join(handoff_summary(ctx, player.state))
    assert "Childcare, Getting there" in summary


def test_leaving_for_a_job_and_coming_back_with_a_certificate_replans_from_there() -> None:
    player = intake({"school": "high_school", "experience": ("computers",)})
    choose(player, "it", 4)
    for option in ("plan:yes", "cad:weekly", "hour:9"):
        player.send(Choice(option, player.state.version))
    player.send(Command("leave"))
    player.send(Choice("exit:job", player.state.version))
    assert player.state.status is Status.EXITED and player.state.pause_reason == "job"
    assert any(isinstance(e, CancelCheckins) for e in player.effects)
    assert "come back any time" in player.said()
    player.now += timedelta(days=182)
    player.send(Text("hi"))
    assert "What changed" in player.said()
    player.send(Choice("changed:credential", player.state.version))
    assert player.state.pending == "q:credential"
    player.send(Text("comptia"))
    assert player.state.status is Status.ACTIVE
    text = recommendation(player)
    assert "start at step 3" in text[text.index("Information Technology") :]
    choose(player, "it", 4)
    assert player.state.entry_step == 3
    assert player.state.milestones[0].target == player.now.date()


def test_a_tie_is_shown_as_a_tie() -> None:
    player = intake(
        {"school": "high_school", "interests": ("quality",), "computer": "basic", "math": "some"}
    )
    text = recommendation(player)
    assert text.startswith("Thank you! Both fit you.")
    assert "fits you best" not in text


def test_finishing_an_item_with_no_set_length_moves_the_later_dates_and_keeps_their_lengths() -> (
    None
):
    player = intake({"school": "high_school", "english": "hard", "experience": ("computers",)})
    choose(player, "it", 3)
    for option in ("plan:yes", "cad:weekly", "hour:9"):
        player.send(Choice(option, player.state.version))
    training = next(m for m in player.state.milestones if m.title.startswith("Step 3"))
    length = (training.target - training.begins).days
    planned = {m.id: m.target for m in player.state.milestones}
    for _ in range(10):
        current = player.state.current_milestone
        assert current is not None
        player.now += timedelta(days=40)
        player.send(CheckinDue())
        player.send(Choice("ci:done", player.state.version))
        if current.timeframe == "no set length":
            break
    else:
        raise AssertionError("no item without a set length before the training")
    assert "I moved the later dates to start from today" in player.said()
    moved = next(m for m in player.state.milestones if m.id == training.id)
    assert moved.begins == player.now.date()
    assert (moved.target - moved.begins).days == length  # the documents' length, kept
    later = [m for m in player.state.milestones if not m.done]
    assert all(m.target > planned[m.id] for m in later)
    assert dates_in_order(player)
    for m in player.state.milestones:
        if m.done and m.id != current.id:
            assert m.target == planned[m.id]  # what is done keeps its dates


def test_a_plan_made_in_spanish_speaks_english_after_the_language_changes() -> None:
    english = intake({"school": "high_school"})
    choose(english, "it", 3)
    player = intake({"school": "high_school"}, language="es")
    for choice in ("pick:it", "sel:yes", "goal:3", "plan:yes", "cad:weekly", "hour:9"):
        player.send(Choice(choice, player.state.version))
    spanish = [m.title for m in player.state.milestones]
    assert any("Saca un certificado corto" in t for t in spanish), spanish
    player.send(Command("language", "en"))
    titles = [m.title for m in player.state.milestones]
    assert titles == [m.title for m in english.state.milestones]
    assert [m.target for m in player.state.milestones] == [
        m.target for m in english.state.milestones
    ]
    player.send(Command("plan"))
    shown = "\n".join([r.text for r in player.replies] + list(player.state.more_pages))
    assert "Step 3: Earn a short-term IT industry-recognized certificate" in shown
    player.now += timedelta(days=8)
    player.send(CheckinDue())
    assert "How is it going" in player.said() and titles[0] in player.said()
