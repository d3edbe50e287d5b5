"""Transcripts: every answer said back with Change; /back and typed 'back' step back; a changed
answer recomputes the entry step and the plan; the hours question by number, label and words."""

from __future__ import annotations

from dialogs.state import Choice, Phase
from tests.transcript import Player, play

INTAKE = """
    cmd: /start
    bot: highest school
    user: 8th grade
    bot: Got it: No high school diploma
    bot: Change
    user: esy
    bot: English is easy for you
    user: fone
    bot: computers: phone only
    user: trabajo en fabrica
    bot: Did you mean “Factory work”?
    tap: Factory work
    tap: That's all
    bot: your work so far: factory work
    user: making things
    bot: you like making things
    user: yes
    bot: 18 or older: yes
    user: i can lift heavy
    bot: lifting 40 pounds: yes
    bot: fractions and measuring
    user: back
    bot: one step back
    bot: lift up to 40 pounds
    user: not sure
    bot: lifting 40 pounds: not sure
    bot: fractions and measuring
    user: 2
    bot: math: a little
    user: none
    bot: help you need: no help needed
    user: i have a part time job
    bot: a job right away: I have a job
    user: about 12
    bot: Got it: 10 to 20 hours a week
    bot: Manufacturing
    tap: Choose Manufacturing
    tap: Yes, set my goals
    bot: long-term goal
    tap: Step 4
    bot: Your plan
    state: entry_step=1
"""


def _plan_lines(player: Player) -> list[str]:
    return [m.title for m in player.state.milestones]


def test_a_whole_intake_with_two_changes_and_back_recomputes_the_plan() -> None:
    player = play(INTAKE)
    first_plan = player.state.milestones
    assert player.state.phase is Phase.PLAN and first_plan
    # Change 1: the school answer, from its Change button, long after it was given.
    player.send(Choice("change:school", player.state.version))
    play(
        """
        bot: let's change that
        bot: highest school
        user: ged
        bot: Got it: High school or GED
        bot: I updated your plan
        bot: start at step 2 of Manufacturing
        bot: Your plan
        state: entry_step=2
        state: pending=plan_ok
        """,
        player,
    )
    second_plan = player.state.milestones
    assert second_plan != first_plan
    assert player.state.answers["english"] == "easy"  # nothing else changed
    assert player.state.answers["lifting"] == "unsure"
    # /back from the plan review reopens the goal; a new goal rebuilds the plan.
    play(
        """
        cmd: /back
        bot: one step back
        bot: long-term goal
        tap: Step 5
        bot: Your plan
        state: pending=plan_ok
        """,
        player,
    )
    assert player.state.goals.long_step == 5
    # Change 2: the hours, by option number: the dates keep the documents' lengths, the plan
    # says part-time study may take longer, the entry step stays.
    player.send(Choice("change:hours", player.state.version))
    before = max(m.target for m in player.state.milestones)
    play(
        """
        bot: hours a week
        user: 1
        bot: Got it: Less than 5 hours a week
        bot: I updated your plan
        state: entry_step=2
        """,
        player,
    )
    assert player.state.answers["hours"] == 3
    assert max(m.target for m in player.state.milestones) == before
    play("more:", player)
    assert "Part-time study may take longer" in player.said()
    assert player.state.goals.long_step == 5


def test_typed_back_at_the_first_question_says_so() -> None:
    play(
        """
        cmd: /start
        user: go back
        bot: first question
        bot: highest school
        """
    )


HOURS_START = """
    cmd: /start
    user: ged
    user: easy
    user: word and excel
    user: retail
    user: computers
    user: yes
    user: none
    user: no
    bot: hours a week
"""


def test_hours_by_option_number_is_that_option_not_hours() -> None:
    player = play(HOURS_START + "user: 3\nbot: Got it: 10 to 20 hours a week")
    assert player.state.answers["hours"] == 15


def test_hours_by_label_is_that_option_not_a_pay_question() -> None:
    player = play(HOURS_START + "user: 10 to 20\nbot: Got it: 10 to 20 hours a week\nnot: $10")
    assert player.state.answers["hours"] == 15


def test_hours_in_words_about_12() -> None:
    player = play(HOURS_START + "user: about 12\nbot: Got it: 10 to 20 hours a week")
    assert player.state.answers["hours"] == 15


def test_a_pay_question_at_the_hours_question_is_answered_and_the_question_stays() -> None:
    player = play(
        HOURS_START
        + """
        user: i want to make 20 bucks an hour
        bot: $20 an hour
        bot: Back to where we were
        bot: hours a week
        """
    )
    assert "hours" not in player.state.answers


def test_a_long_answer_comes_in_pages_with_more() -> None:
    player = play(
        """
        cmd: /start
        user: what pays more than $20 an hour?
        bot: more than $20 an hour
        bot: More
        """
    )
    assert all(len(r.text) <= 700 for r in player.replies)
    play("tap: More\nbot: step 5", player)


MATH_START = """
    cmd: /start
    user: no diploma
    user: easy
    user: phone only
    user: factory work
    user: making things
    user: yes
    user: yes
    bot: fractions and measuring
"""


def test_a_bare_comparison_at_the_math_question_is_asked_back_not_taken_for_pay() -> None:
    player = play(
        MATH_START
        + """
        user: less than 5
        not: an hour
        bot: did not get that
        """
    )
    assert "math" not in player.state.answers
    play("user: less than $5 an hour?\nbot: $5 an hour\nbot: Back to where we were", player)
    assert "math" not in player.state.answers


def test_a_label_starting_with_i_m_keeps_its_capital_i_when_said_back() -> None:
    player = play(MATH_START + "user: 1\nbot: Got it: math: I'm good at it.")
    assert player.state.answers["math"] == "good"
