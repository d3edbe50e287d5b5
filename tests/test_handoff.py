"""Talking to a person, through the real engine: consent once, relay, handback, no counselor."""

from __future__ import annotations

from datetime import timedelta

from dialogs.engine import handle
from dialogs.state import CheckinDue, Command, RelayToCounselor, RequestHandoff, ScheduleCheckin
from tests.transcript import play

TO_ENGLISH = """
    cmd: /start
    user: ged
    bot: English
"""


def test_consent_is_asked_once_and_the_summary_follows_it() -> None:
    player = play(
        TO_ENGLISH
        + """
        cmd: /counselor
        bot: May I show them your answers
        tap: Yes, share
        bot: A person will reply here soon
        effect: RequestHandoff
        state: handed_off=True
        handback:
        bot: handed you back
        bot: How easy is English
        state: handed_off=False
        cmd: /counselor
        not: May I show them
        bot: A person will reply here soon
        """
    )
    request = next(e for e in player.effects if isinstance(e, RequestHandoff))
    assert "High school or GED" in request.summary and "/counselor" not in request.summary


def test_no_to_sharing_sends_no_answers_and_mydata_says_so() -> None:
    player = play(
        TO_ENGLISH
        + """
        cmd: /counselor
        tap: No, don't share
        effect: RequestHandoff
        """
    )
    request = next(e for e in player.effects if isinstance(e, RequestHandoff))
    assert "High school" not in request.summary and "chose not to share" in request.summary
    play("cmd: /mydata\nbot: You chose not to share", player)


def test_while_handed_off_the_bot_relays_and_does_not_answer() -> None:
    player = play(
        TO_ENGLISH
        + """
        cmd: /counselor
        tap: Yes
        user: what pays more than $20 an hour?
        bot: I sent this to the counselor
        not: Welder
        effect: RelayToCounselor
        counselor: Hi, welders earn more than $20 an hour.
        bot: Counselor: Hi, welders earn more
        state: handed_off=True
        """
    )
    assert player.state.history[-1] == ("counselor", "Hi, welders earn more than $20 an hour.")


def test_the_user_can_go_back_to_the_bot_and_the_counselor_is_told() -> None:
    play(
        TO_ENGLISH
        + """
        cmd: /counselor
        tap: Yes
        tap: Back to the bot
        bot: you are back with me
        bot: How easy is English
        effect: CloseHandoff
        state: handed_off=False
        user: ok
        bot: How do you use computers
        """
    )


def test_forget_still_works_while_handed_off() -> None:
    play(
        TO_ENGLISH
        + """
        cmd: /counselor
        tap: Yes
        cmd: /forget
        tap: Yes
        effect: ForgetUser
        """
    )


def test_a_check_in_due_while_handed_off_waits_a_day() -> None:
    engaged = play(
        """
        cmd: /start
        user: ged
        user: ok
        user: word and excel
        user: retail and some computer stuff
        user: computers and websites
        user: yep
        user: no thanks i'm fine
        user: nah
        user: 8
        tap: Choose IT
        tap: Yes, set my goals
        tap: Step 4
        tap: Looks good
        user: every 2 weeks
        tap: Evening
        state: phase=engaged
        cmd: /counselor
        tap: Yes
        """
    )
    later = engaged.now + timedelta(days=14)
    turn = handle(engaged.state, CheckinDue("checkin"), later)
    assert turn.replies == ()
    assert [type(e) for e in turn.effects] == [ScheduleCheckin]
    effect = turn.effects[0]
    assert isinstance(effect, ScheduleCheckin) and effect.due == later + timedelta(days=1)


def test_without_a_counselor_chat_the_user_is_told_who_to_call() -> None:
    player = play(TO_ENGLISH)
    turn = handle(player.state, Command("counselor"), player.now, counselors=False)
    assert "Workforce Solutions or Adult Education" in turn.replies[0].text
    assert not any(isinstance(e, RequestHandoff | RelayToCounselor) for e in turn.effects)
    assert not turn.state.handed_off


def test_two_misses_in_a_row_offer_a_person_but_one_does_not() -> None:
    player = play(TO_ENGLISH.replace("user: ged\n    bot: English\n", ""))
    play("user: zzqx\nnot: Talk to a person\nuser: qqqq wwww\nbot: Talk to a person", player)
    play("tap: Talk to a person\nbot: May I show them", player)


def test_only_a_deep_link_code_is_kept_as_the_referral() -> None:
    assert play("cmd: /start Portland_Library-3f9a").state.referral == "portland_library-3f9a"
    assert play("cmd: /start call me at 555 1234").state.referral == ""
    assert play("cmd: /start =HYPERLINK(x)").state.referral == ""
    assert play("cmd: /start " + "a" * 65).state.referral == ""
