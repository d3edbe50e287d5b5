"""The agency's side through the real Application and the fake Bot API: a person in the loop.

A counselor group gets requests for a person, answers by replying or with /reply, and hands
the participant back with /handback; admins make referral codes. Real SQLite file throughout.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.telegram.app import parts, start_for_tests, stop_for_tests
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_bot import said_times, settings_for, tap, tap_when, texts_until

Application = Any
COUNSELOR_GROUP = -100500
ADMIN = 700001


@pytest.fixture
def settings(fake_telegram: FakeTelegram, tmp_path: Path) -> Settings:
    fake_telegram.group("Counselors", id=COUNSELOR_GROUP, supergroup=True)
    return dataclasses.replace(
        settings_for(fake_telegram, tmp_path / "pathways.db"),
        counselor_chat_ids=frozenset({COUNSELOR_GROUP}),
        admin_ids=frozenset({ADMIN}),
    )


@pytest.fixture
async def bot_app(settings: Settings) -> AsyncIterator[Application]:
    app = await start_for_tests(settings)
    try:
        yield app
    finally:
        await stop_for_tests(app)


def group_text(fake: FakeTelegram) -> str:
    return "\n".join(m.text or "" for m in fake.messages(COUNSELOR_GROUP))


async def group_until(fake: FakeTelegram, needle: str, timeout: float = 8) -> str:
    await fake.wait_for(lambda: needle.lower() in group_text(fake).lower(), timeout=timeout)
    return group_text(fake)


async def ask_for_a_person(fake: FakeTelegram, user: Any, *, share: bool) -> None:
    """Start, answer the school question, then /counselor and the consent question."""
    await user.command("/start")
    await texts_until(fake, user.id, "highest school")
    await user.send("ged")
    await texts_until(fake, user.id, "How easy is English")
    await user.command("/counselor")
    await texts_until(fake, user.id, "May I show them your answers")
    await tap(fake, user, "Yes, share" if share else "No, don't share")
    await texts_until(fake, user.id, "A person will reply here soon")


async def test_handoff_round_trip_reply_then_handback_to_the_open_question(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    ann, counselor = fake.user(first_name="Ann"), fake.user(first_name="Cora")
    await ask_for_a_person(fake, ann, share=True)
    said = await group_until(fake, "Request #1")
    assert "High school or GED" in said and "Ann" not in said
    request = next(m for m in fake.messages(COUNSELOR_GROUP) if "Request #1" in (m.text or ""))

    await ann.send("I need help with childcare")
    await texts_until(fake, ann.id, "I sent this to the counselor")
    await group_until(fake, "#1 writes: I need help with childcare")

    await counselor.send(
        "Hi Ann, we have a childcare fund.", chat=COUNSELOR_GROUP, reply_to=request
    )
    await texts_until(fake, ann.id, "Counselor: Hi Ann, we have a childcare fund.")
    await group_until(fake, "Sent to #1.")

    await counselor.command("/handback", "1", chat=COUNSELOR_GROUP)
    said = await texts_until(fake, ann.id, "handed you back")
    assert (
        said.rstrip().endswith("How easy is English for you?")
        or "How easy is English" in (said.split("handed you back", 1)[1])
    )
    await group_until(fake, "#1 is back with the bot")
    await tap(fake, ann, "OK")
    await texts_until(fake, ann.id, "How do you use computers")
    state = await parts(bot_app).store.load_state(ann.id)
    assert state is not None and not state.handed_off and state.share_consent is True
    assert state.answers.get("english") is not None


async def test_a_handoff_survives_a_restart_in_the_middle(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    fake = fake_telegram
    bo, counselor = fake.user(first_name="Bo"), fake.user(first_name="Cora")
    app = await start_for_tests(settings)
    try:
        await ask_for_a_person(fake, bo, share=False)
        said = await group_until(fake, "Request #1")
        assert "chose not to share" in said and "High school" not in said
    finally:
        await stop_for_tests(app)
    app = await start_for_tests(settings)
    try:
        await bo.send("hello?")
        await group_until(fake, "#1 writes: hello?")
        await counselor.command("/reply", "1", "Hello Bo, how can I help?", chat=COUNSELOR_GROUP)
        await texts_until(fake, bo.id, "Counselor: Hello Bo, how can I help?")
        await counselor.command("/handback", "#1", chat=COUNSELOR_GROUP)
        await texts_until(fake, bo.id, "handed you back")
    finally:
        await stop_for_tests(app)
    app = await start_for_tests(settings)
    try:
        await bo.command("/mydata")
        said = await texts_until(fake, bo.id, "chose not to share")
        assert "Never your name" in said
    finally:
        await stop_for_tests(app)


async def test_counselor_mistakes_get_a_clear_answer_and_change_nothing(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    cy, counselor = fake.user(first_name="Cy"), fake.user(first_name="Cora")
    await ask_for_a_person(fake, cy, share=True)
    await group_until(fake, "Request #1")
    await counselor.command("/reply", "99", "hello", chat=COUNSELOR_GROUP)
    await group_until(fake, "There is no open request #99")
    await counselor.command("/reply", "one", chat=COUNSELOR_GROUP)
    await group_until(fake, "Type it like this: /reply 12")
    await counselor.send("just chatting among us counselors", chat=COUNSELOR_GROUP)
    await counselor.command("/open", chat=COUNSELOR_GROUP)
    await group_until(fake, "Open requests: #1")
    assert "This is the counselor chat" not in group_text(fake)  # the chatter was left alone
    # The participant cannot hand themself back or write as a counselor.
    await cy.command("/handback", "1")
    await cy.command("/reply", "1", "I am the counselor")
    await said_times(fake, cy.id, "know that command", 2)
    state = await parts(bot_app).store.load_state(cy.id)
    assert state is not None and state.handed_off
    assert "Counselor: I am the counselor" not in "\n".join(
        m.text or "" for m in fake.messages(cy.id)
    )


async def test_forget_during_a_handoff_removes_what_the_counselor_chat_was_sent(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    di, counselor = fake.user(first_name="Di"), fake.user(first_name="Cora")
    await ask_for_a_person(fake, di, share=True)
    await group_until(fake, "Request #1")
    await di.command("/forget")
    await tap_when(fake, di, "Yes")
    await texts_until(fake, di.id, "deleted")
    rows = await parts(bot_app).store.read("SELECT COUNT(*) FROM outbox WHERE handoff_id = 1")
    assert rows[0][0] == 0
    await counselor.command("/reply", "1", "still there?", chat=COUNSELOR_GROUP)
    await group_until(fake, "There is no open request #1")


async def test_two_misses_in_a_row_offer_a_person(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    ed = fake.user(first_name="Ed")
    await ed.command("/start")
    await texts_until(fake, ed.id, "highest school")
    await ed.send("zzqx")
    await ed.send("qqqq wwww")
    await tap_when(fake, ed, "Talk to a person")
    await texts_until(fake, ed.id, "May I show them your answers")


async def test_referral_codes_are_for_admins_in_private_only(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    admin, stranger = fake.user(ADMIN, first_name="Ada"), fake.user(first_name="Sam")
    store = parts(bot_app).store
    await stranger.command("/newcode", "Fake agency")
    await texts_until(fake, stranger.id, "know that command")  # the ordinary bot, no code
    group = fake.group("Job club")
    await admin.command("/newcode", "Library", chat=group.id)
    await fake.wait_for(
        lambda: any("private chat" in (m.text or "") for m in fake.messages(group.id))
    )
    assert await store.read("SELECT code FROM referral_codes") == []

    await admin.command("/newcode", "Portland Public Library")
    said = await texts_until(fake, admin.id, "Share this link")
    link = next(w for w in said.split() if w.startswith("https://t.me/"))
    code = link.split("start=", 1)[1]
    assert code.startswith("portland_public_library_")
    newcomer = fake.user(first_name="Nia")
    await newcomer.command("/start", code)
    await texts_until(fake, newcomer.id, "highest school")
    state = await store.load_state(newcomer.id)
    assert state is not None and state.referral == code
    await admin.command("/codes")
    await texts_until(fake, admin.id, f"{code} - Portland Public Library")


async def test_admins_and_counselor_chats_get_their_own_command_menus(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    everyone = [c.command for c in fake.commands("default")]
    admin = [c.command for c in fake.commands({"type": "chat", "chat_id": ADMIN})]
    counselors = [c.command for c in fake.commands({"type": "chat", "chat_id": COUNSELOR_GROUP})]
    assert "stats" not in everyone and "counselor" in everyone
    assert {"stats", "export", "newcode", "counselor"} <= set(admin)
    assert counselors == ["reply", "handback", "open"]


async def test_figures_and_export_for_admins_only_and_forget_removes_the_user(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    admin, stranger = fake.user(ADMIN, first_name="Ada"), fake.user(first_name="Sam")
    await admin.command("/newcode", "Job fair")
    said = await texts_until(fake, admin.id, "Share this link")
    code = said.split("start=", 1)[1].split()[0]
    fay, gus = fake.user(first_name="Fay"), fake.user(first_name="Gus")
    for user in (fay, gus):
        await user.command("/start", code)
        await texts_until(fake, user.id, "highest school")
    await stranger.command("/stats")
    await texts_until(fake, stranger.id, "know that command")  # the ordinary bot, no figures
    await stranger.command("/export")
    await said_times(fake, stranger.id, "know that command", 2)
    assert all(m.file is None for m in fake.messages(stranger.id))
    assert "Participants" not in "\n".join(m.text or "" for m in fake.messages(stranger.id))
    group = fake.group("Staff")
    await admin.command("/stats", chat=group.id)
    await fake.wait_for(
        lambda: any("private chat" in (m.text or "") for m in fake.messages(group.id))
    )
    assert not any("Participants" in (m.text or "") for m in fake.messages(group.id))

    await admin.command("/stats")
    said = await texts_until(fake, admin.id, "By referral code")
    assert f"{code} (Job fair): 2" in said and "Intake (answering questions): 3" in said
    await admin.command("/export")
    await fake.wait_for(lambda: any(m.file for m in fake.messages(admin.id)))
    export = next(m for m in fake.messages(admin.id) if m.file is not None)
    assert export.file is not None
    rows = list(csv.DictReader(io.StringIO(export.file.data.decode("utf-8-sig"))))
    assert len(rows) == 3 and sum(r["referral"] == code for r in rows) == 2
    assert not any(str(u.id) in export.file.data.decode() for u in (fay, gus, stranger))

    await gus.command("/forget")
    await tap_when(fake, gus, "Yes")
    await texts_until(fake, gus.id, "deleted")
    await admin.command("/stats")
    await fake.wait_for(
        lambda: any(f"{code} (Job fair): 1" in (m.text or "") for m in fake.messages(admin.id))
    )
