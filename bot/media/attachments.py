"""Turn an engine `Attachment` (a name) into bytes: the roadmap, the comparison, the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.media.calendar import plan_ics
from bot.media.pictures import comparison_caption, comparison_png, roadmap_caption, roadmap_png
from dialogs import i18n
from dialogs.i18n import _
from dialogs.state import Attachment, DialogState
from knowledge.loader import get_knowledge
from knowledge.model import Knowledge


@dataclass(frozen=True, slots=True)
class Made:
    """A rendered attachment ready to send."""

    filename: str
    data: bytes
    is_picture: bool
    caption: str
    label: str


def render_attachment(
    attachment: Attachment, state: DialogState, tz: ZoneInfo, kb: Knowledge | None = None
) -> Made | None:
    """The bytes for an attachment, from the user's current state (None when not applicable),
    in the user's language."""
    with i18n.use(state.language):
        return _render(attachment, state, tz, kb or get_knowledge())


def _render(attachment: Attachment, state: DialogState, tz: ZoneInfo, kb: Knowledge) -> Made | None:
    if attachment.kind == "comparison":
        pathways = kb.pathways
        return Made(
            "pathways.png",
            comparison_png(pathways),
            True,
            comparison_caption(pathways),
            _("picture"),
        )
    if not state.pathway_id:
        return None
    pathway = kb.pathway(state.pathway_id)
    if attachment.kind == "roadmap":
        return Made(
            "roadmap.png",
            roadmap_png(pathway, state),
            True,
            roadmap_caption(pathway, state),
            _("picture"),
        )
    if attachment.kind == "calendar" and state.milestones:
        return Made(
            "my-plan.ics",
            plan_ics(state, pathway, tz),
            False,
            _("Open this file to add your plan to your calendar."),
            _("calendar file"),
        )
    return None
