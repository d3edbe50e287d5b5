"""Pacing: a turn's few messages leave at once, then one a second per chat, 20 a minute per group
(Telegram's limits)."""

from __future__ import annotations

from bot.delivery.sender import PER_CHAT_BURST, PER_CHAT_INTERVAL, ChatPacer, GroupBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_three_then_one_message_a_second() -> None:
    clock = Clock()
    pacer = ChatPacer(PER_CHAT_BURST, PER_CHAT_INTERVAL, clock)
    waits = [pacer.wait_time(7) for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == [1.0, 2.0, 3.0]  # each later message one more second behind


def test_chats_are_paced_apart_and_a_quiet_chat_gets_its_burst_back() -> None:
    clock = Clock()
    pacer = ChatPacer(3, 1.0, clock)
    for _ in range(3):
        pacer.wait_time(1)
    assert pacer.wait_time(2) == 0.0  # another chat is not held up
    assert pacer.wait_time(1) == 1.0
    clock.now += 10
    pacer.prune()
    assert [pacer.wait_time(1) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_pruning_never_hands_a_busy_chat_a_fresh_burst() -> None:
    clock = Clock()
    pacer = ChatPacer(3, 1.0, clock)
    for _ in range(4):
        pacer.wait_time(1)
    clock.now += 0.5
    pacer.prune()
    assert pacer.wait_time(1) > 0


def test_a_group_gets_twenty_a_minute_and_a_new_sender_counts_the_old_ones() -> None:
    clock = Clock()
    groups = GroupBudget(20, 60.0, clock)
    assert [groups.wait_time(-5) for _ in range(20)] == [0.0] * 20
    assert groups.wait_time(-5) == 60.0  # the 21st waits for the first to leave the minute
    assert groups.wait_time(-6) == 0.0  # another group has its own minute
    taking_over = GroupBudget(20, 60.0, clock)
    taking_over.seed({-5: [10.0] * 20, -6: [70.0]})  # sent 10 s ago; one over a minute ago
    assert taking_over.wait_time(-5) == 50.0
    assert [taking_over.wait_time(-6) for _ in range(20)] == [0.0] * 20
