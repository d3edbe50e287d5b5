"""Whole journeys through the real engine, flow and knowledge, written as conversations."""

from __future__ import annotations

import itertools

import pytest

from dialogs.state import Phase, Status
from tests.transcript import Player, TranscriptError, play

INTAKE_IT = """
    cmd: /start
    bot: Hi! I'm Pathways
    bot: highest school
    user: ged
    bot: Got it: High school or GED
    bot: English
    user: ok
    user: word and excel
    user: retail and some computer stuff
    bot: Retail, Computers
    user: computers and websites
    bot: 18 or older
    user: yep
    user: no thanks i'm fine
    user: nah
    user: 8
    bot: Information Technology
    bot: start at step 2
    bot: $15–17 an hour
"""


def test_diploma_and_retail_lead_to_it_at_step_two_with_a_dated_plan() -> None:
    player = play(
        INTAKE_IT
        + """
        bot: Choose IT
        tap: Choose IT
        bot: Great choice: Information Technology
        tap: Yes, set my goals
        bot: long-term goal
        tap: Step 4
        bot: Your plan
        bot: Maine JobLink
        bot: [roadmap]
        bot: [calendar]
        tap: More
        bot: Step 3: Earn a short-term IT industry-recognized certificate
        bot: Central Maine Community College: CompTIA+, CompTIA Security
        tap: More
        tap: More
        tap: More
        bot: Step 4: Earn a two-year associate degree in IT
        tap: Looks good
        bot: How often
        user: every 2 weeks
        bot: time of day
        tap: Evening
        bot: I will check in every 2 weeks
        effect: ScheduleCheckin
        state: phase=engaged
        """
    )
    it_first = player.state.milestones
    assert player.state.pathway_id == "it"
    assert player.state.entry_step == 2
    assert [m.step for m in it_first][-1] == 4
    assert all(a.target <= b.target for a, b in itertools.pairwise(it_first))


def test_no_diploma_starts_at_step_one_with_adult_education() -> None:
    player = play(
        """
        cmd: /start
        user: I didn't finish high school
        bot: No high school diploma
        tap: Hard
        tap: Phone only
        tap: None yet
        tap: Making things
        tap: That's all
        tap: Yes
        tap: Yes
        tap: A little
        tap: Childcare
        tap: Money
        tap: That's all
        tap: Yes, now
        tap: Less than 5
        bot: start at step 1
        tap: Choose Manufacturing
        tap: Yes, set my goals
        bot: A job now
        bot: ability to learn on the job
        tap: Step 2
        more:
        bot: finish high school
        bot: NorthStar Digital Literacy
        bot: Get a job now
        """
    )
    assert player.state.entry_step == 1
    assert player.state.goals.immediate_step is None


def test_welder_with_a_certificate_enters_manufacturing_at_step_three() -> None:
    player = play(
        """
        cmd: /start
        user: welding cert
        bot: A short certificate
        bot: Which certificate
        user: welding
        tap: Easy
        tap: Email and web
        user: welding and some factory work
        user: making things and fixing machines
        tap: Yes
        tap: Yes
        tap: I'm good at it
        tap: No help needed
        tap: I have a job
        tap: More than 20
        bot: 1. Manufacturing
        bot: start at step 3
        bot: $49,000–55,000 a year
        tap: Choose Manufacturing
        tap: Yes, set my goals
        bot: step 4
        tap: Step 5
        more:
        bot: Earn a two-year associate degree in your area of manufacturing
        bot: Precision Machining Technology
        bot: Earn a four-year degree
        bot: Northeastern University: Advanced Manufacturing Systems
        """
    )
    assert player.state.entry_step == 3
    assert player.state.goals.long_step == 5


@pytest.mark.parametrize(
    ("school", "field", "expected_step"),
    [("associates degree", "computer science", 4), ("bachelors", "comp sci", 5)],
)
def test_degrees_enter_high(school: str, field: str, expected_step: int) -> None:
    player = play(
        f"""
        cmd: /start
        user: {school}
        bot: What is your degree in
        user: {field}
        tap: Easy
        tap: Very well
        tap: Computers
        tap: That's all
        tap: Cyber security
        tap: That's all
        tap: Yes
        tap: No help needed
        tap: No
        tap: 10 to 20
        tap: Choose IT
        tap: Yes, set my goals
        """
    )
    assert player.state.entry_step == expected_step
    if expected_step == 5:
        # Already at the top: no long-term question, the plan comes straight away.
        assert player.state.phase is Phase.PLAN
        assert "Computer Network Architects" in player.said()


def test_compare_pathways_before_choosing() -> None:
    play(
        INTAKE_IT
        + """
        tap: Compare them
        bot: side by side
        bot: Manufacturing
        bot: [comparison]
        bot: Which pathway
        more:
        bot: Information Technology
        bot: Jobs at each step of Manufacturing
        bot: Initial Eligibility Determination, Intake and Identification of Potential Services
        tap: Choose Manufacturing
        bot: Great choice: Manufacturing
        tap: Yes, set my goals
        """
    )


def test_a_pay_question_mid_intake_is_answered_and_the_question_asked_again() -> None:
    player = play(
        """
        cmd: /start
        tap: High school or GED
        bot: How easy is English
        user: wat pays mor then 20 dolars an hr?
        bot: welder
        bot: Back to where we were
        bot: How easy is English
        """
    )
    assert player.state.pending == "q:english"
    assert "english" not in player.state.answers


def test_pause_then_resume_weeks_later_keeps_the_plan() -> None:
    player = play(
        INTAKE_IT
        + """
        tap: Choose IT
        tap: Yes, set my goals
        tap: Step 3
        tap: Looks good
        tap: Every week
        tap: Morning
        cmd: /pause
        tap: Family
        bot: paused and saved
        effect: CancelCheckins
        state: status=paused
        wait: 40d
        due: checkin
        state: status=paused
        cmd: /resume
        bot: Great to have you back
        effect: ScheduleCheckin
        state: status=active
        """
    )
    assert player.state.milestones
    assert player.state.phase is Phase.ENGAGED


def test_a_returning_user_is_welcomed_back_at_their_question() -> None:
    play(
        """
        cmd: /start
        tap: High school or GED
        tap: Easy
        wait: 60d
        user: hi
        bot: Welcome back
        bot: Questions answered: 2
        bot: How do you use computers
        """
    )


def test_change_pathway_keeps_the_answers() -> None:
    player = play(
        INTAKE_IT
        + """
        tap: Choose IT
        tap: Yes, set my goals
        tap: Step 3
        tap: Looks good
        tap: Every month
        tap: Noon
        cmd: /change
        tap: My pathway
        bot: Which pathway
        tap: Choose Manufacturing
        tap: Yes, set my goals
        tap: Step 4
        bot: CNC operator
        """
    )
    assert player.state.pathway_id == "manufacturing"
    assert player.state.answers["school"] == "high_school"


def test_forget_asks_first_then_deletes_everything() -> None:
    player = play(
        INTAKE_IT
        + """
        cmd: /forget
        bot: cannot be undone
        tap: No
        bot: nothing changed
        cmd: /forget
        tap: Yes
        bot: I deleted everything
        effect: ForgetUser
        """
    )
    assert player.state.answers == {}
    assert player.state.pathway_id is None


def test_checkin_done_moves_to_the_next_milestone_and_shows_pay() -> None:
    player = play(
        INTAKE_IT
        + """
        tap: Choose IT
        tap: Yes, set my goals
        tap: Step 4
        tap: Looks good
        tap: Every 2 weeks
        tap: Morning
        wait: 14d
        due: checkin
        bot: How is it going
        bot: Apply for jobs now
        tap: Done!
        bot: Well done
        bot: Next: Create an account with Maine JobLink
        effect: ScheduleCheckin
        wait: 14d
        due: checkin
        tap: I'm stuck
        bot: What is in the way
        tap: I lost my job
        bot: custodians
        bot: positive attitude
        tap: Move my date later
        tap: 3 months
        bot: moved your dates 3 months later
        """
    )
    assert player.state.milestones[0].done
    assert not player.state.milestones[1].done


def test_unanswered_checkins_remind_once_back_off_then_stop() -> None:
    player = play(
        INTAKE_IT
        + """
        tap: Choose IT
        tap: Yes, set my goals
        tap: Step 3
        tap: Looks good
        tap: Every week
        tap: Morning
        wait: 7d
        due: checkin
        bot: How is it going
        wait: 2d
        due: reminder
        bot: Just checking in again
        wait: 30d
        due: checkin
        wait: 30d
        due: checkin
        bot: stop checking in
        """
    )
    assert player.state.status is Status.ACTIVE
    assert not player.effects


def test_a_failing_transcript_line_is_reported() -> None:
    with pytest.raises(TranscriptError):
        play("cmd: /start\nbot: this text is never said")


def test_stale_button_gets_moved_on_and_the_current_question() -> None:
    player = Player()
    play("cmd: /start\ntap: High school or GED", player)
    from dialogs.state import Choice

    player.send(Choice("pick:it", 0))
    assert "moved on" in player.said()
    assert "English" in player.said()
