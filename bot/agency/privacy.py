"""The answer to /privacy (Telegram's developer terms ask every bot to give one)."""

from __future__ import annotations

from bot.config import Settings

PRIVACY_INTRO = "How I keep your data:"
PRIVACY_STORED = (
    "• What I keep: your answers to my questions, your plan and goals, your check-ins, "
    "and our last messages. I do not keep your name, your username or your phone number."
)
PRIVACY_UNTIL_FORGET = "• How long: until you delete it with /forget."
PRIVACY_RETENTION = (
    "• How long: until you delete it with /forget, or when you have not written to me for "
    "{months} months. I send you a notice first."
)
PRIVACY_WHO = (
    "• Who sees it: the agency sees figures without names (how many people are at each "
    "step). If you ask for a person, a counselor sees what you write to them, and your "
    "answers only if you say yes to sharing."
)
PRIVACY_TELEGRAM = "• Telegram carries our messages; its own privacy policy applies to them."
PRIVACY_YOURS = "• See everything I keep with /mydata. Delete it all with /forget."
PRIVACY_POLICY = "• The agency's full privacy policy: {url}"


def privacy_text(settings: Settings) -> str:
    """The /privacy answer for these settings (retention, the agency's policy link)."""
    months = settings.retention_months
    lines = [
        PRIVACY_INTRO,
        PRIVACY_STORED,
        PRIVACY_RETENTION.format(months=months) if months else PRIVACY_UNTIL_FORGET,
        PRIVACY_WHO,
        PRIVACY_TELEGRAM,
        PRIVACY_YOURS,
    ]
    if settings.privacy_url:
        lines.append(PRIVACY_POLICY.format(url=settings.privacy_url))
    return "\n".join(lines)
