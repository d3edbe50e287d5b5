"""What the counselor chat is told: a request for a person, what the participant wrote, a close.

Participants are named by their request number (``#12``), never by name or Telegram id: the
counselor answers by replying to the message or with ``/reply 12 <text>``.
"""

from __future__ import annotations

REQUEST = (
    "Request #{case}: a participant asks to talk to a person.\n\n{summary}\n\n"
    "To answer, reply to this message or type /reply {case} <your text>.\n"
    "When you are done: /handback {case}"
)
RELAY = "#{case} writes: {text}"
CLOSED = {
    True: "#{case} went back to the bot.",
    False: "#{case} is back with the bot.",
}


def request(case: int, summary: str) -> str:
    """The first message a counselor gets about a handoff."""
    return REQUEST.format(case=case, summary=summary)


def relay(case: int, text: str) -> str:
    """Something the participant wrote while handed off."""
    return RELAY.format(case=case, text=text)


def closed(case: int, *, by_user: bool) -> str:
    """The handoff ended (by the participant or by /handback)."""
    return CLOSED[by_user].format(case=case)
