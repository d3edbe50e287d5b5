"""python-telegram-bot 22's real Application against the fake, by polling and by webhook."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fake_telegram import FakeTelegram, free_port, sample_png

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say back what the user typed, in bold HTML, with a button."""
    assert update.message is not None and update.message.text is not None
    said = html.escape(update.message.text)
    await update.message.reply_text(
        f"<b>You said:</b> {said}", parse_mode="HTML", reply_markup=AGAIN
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button press and edit the message it belongs to."""
    assert update.callback_query is not None
    await update.callback_query.answer("Done")
    await update.callback_query.edit_message_text("Pressed")


async def photo_back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the user's photo and upload the same bytes back."""
    assert update.message is not None
    file = await update.message.photo[-1].get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_photo(bytes(data), caption="Same picture")


def echo_bot(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    """The echo bot, pointed at the fake, with PTB's rate limiter retrying 429s."""
    app = (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.file_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.PHOTO, photo_back))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


@asynccontextmanager
async def running(fake: FakeTelegram, mode: str) -> AsyncIterator[None]:
    """Run the echo bot by long polling or behind a webhook until the block ends."""
    app = echo_bot(fake)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    if mode == "polling":
        await app.updater.start_polling(poll_interval=0, timeout=1)
    else:
        port = free_port()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="hook-secret",
        )
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_echo_bot_conversation(fake_telegram: FakeTelegram, mode: str) -> None:
    user = fake_telegram.user(first_name="Maria")
    async with running(fake_telegram, mode):
        await user.send("Salary < $20?")
        reply = await user.next_reply()
        assert reply.text == "You said: Salary < $20?"
        assert reply.labels == ["Again"]
        query = await user.press(reply, "Again")
        edited = await fake_telegram.next_edit(reply)
        picture = sample_png(30, 20)
        await user.send_photo(picture)
        photo = await user.next_reply()
    assert edited.text == "Pressed" and edited.buttons == ()
    answer = fake_telegram.answer(query)
    assert answer is not None and answer.text == "Done"
    assert photo.file is not None and photo.file.data == picture
    assert photo.caption == "Same picture"
    if mode == "webhook":
        assert fake_telegram.webhook is not None
        assert fake_telegram.webhook.secret_token == "hook-secret"


async def test_rate_limiter_retries_after_a_429(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 23's retry_after type, without the warning
    user = fake_telegram.user()
    fake_telegram.faults.rate_limit_next(1, retry_after=1, methods="sendMessage")
    async with running(fake_telegram, "polling"):
        await user.send("hello")
        reply = await user.next_reply()
    assert reply.text == "You said: hello"
    assert [call.status for call in fake_telegram.calls_to("sendMessage")] == [429, 200]
    assert fake_telegram.stats.sent_429 == 1


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_no_token_in_any_log_line(
    fake_telegram: FakeTelegram, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything at DEBUG, except the two loggers that print the token: httpx logs each request
    # URL at INFO and PTB's Bot logs its base URL at DEBUG. bot/ must keep them at these levels
    # (or redact them) the same way.
    caplog.set_level(logging.WARNING, logger="httpx")
    caplog.set_level(logging.INFO, logger="telegram.ext.ExtBot")
    caplog.set_level(logging.INFO, logger="telegram.Bot")
    caplog.set_level(logging.DEBUG)  # last: it also sets the capture handler's level
    user = fake_telegram.user()
    fake_telegram.faults.fail_next(1, status=502, methods="sendMessage")
    async with running(fake_telegram, mode):
        await user.send("first")
        await user.send("second")
        await user.next_reply()
    secret = fake_telegram.token.split(":")[1]
    formatter = logging.Formatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert len(lines) > 20, "the bot logged its work"
    assert any("502" in line or "Bad Gateway" in line for line in lines), "the failure was logged"
    assert [line for line in lines if secret in line] == []
