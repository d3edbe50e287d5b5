"""Per-chat pacing: a turn's few messages leave at once, then one a second (Telegram's limit)."""

from __future__ import annotations

from bot.delivery.sender import PER_CHAT_BURST, PER_CHAT_INTERVAL, ChatPacer


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
