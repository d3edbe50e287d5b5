"""A journey in Arabic through the real engine: answers typed in Arabic, replies in Arabic with
the documents' names and dollar figures kept, figures set apart so they read left to right."""

from __future__ import annotations

from dialogs.state import DialogState, Phase
from tests.transcript import Player, play

INTAKE_AR = """
    cmd: /start
    bot: مرحبًا! أنا Pathways
    user: انهيت الثانوية
    bot: فهمت
    user: صعبة
    user: وورد و اكسل
    user: متجر
    user: كمبيوتر و مواقع
    user: نعم
    user: لا أحتاج مساعدة
    user: عندي عمل
    user: 8
    bot: هذا ما يناسبك أكثر
    bot: في الساعة
    not: an hour
"""


def test_an_arabic_intake_is_understood_and_answered_in_arabic() -> None:
    player = play(INTAKE_AR, Player(state=DialogState(language="ar")))
    answers = player.state.answers
    assert answers["school"] == "high_school"
    assert answers["english"] == "hard"
    assert answers["computer"] == "office"
    assert answers["job_now"] == "have_job"
    assert player.state.phase is Phase.RECOMMEND
    said = player.said()
    assert "\u2066$15–17\u2069" in said  # the range kept whole inside right-to-left text
