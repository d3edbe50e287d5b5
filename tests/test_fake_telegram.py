"""The fake Telegram Bot API's own behaviour, over raw HTTP: each method and each error."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fake_telegram import FakeTelegram, FakeUser, FloodLimits, free_port, sample_png

Json = dict[str, Any]
KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


async def call(
    fake: FakeTelegram, method: str, *, token: str | None = None, **params: Any
) -> tuple[int, Json]:
    """POST a Bot API call as JSON; returns the HTTP status and the decoded body."""
    url = f"{fake.url}/bot{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=params) as response:
        return response.status, await response.json(content_type=None)


async def upload(
    fake: FakeTelegram, method: str, field: str, data: bytes, name: str, **params: Any
) -> tuple[int, Json]:
    """POST a multipart Bot API call with one file, the way python-telegram-bot does."""
    form = aiohttp.FormData()
    for key, value in params.items():
        form.add_field(key, value if isinstance(value, str) else json.dumps(value))
    form.add_field(field, data, filename=name, content_type="application/octet-stream")
    url = f"{fake.url}/bot{fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        return response.status, await response.json(content_type=None)


async def started(fake: FakeTelegram, first_name: str = "Ann") -> FakeUser:
    """A user who has written to the bot, so the bot may write back."""
    user = fake.user(first_name=first_name)
    await user.command("/start")
    return user


async def send(fake: FakeTelegram, chat_id: int, text: str, **params: Any) -> tuple[int, Json]:
    """sendMessage."""
    return await call(fake, "sendMessage", chat_id=chat_id, text=text, **params)


# ---- identity, routing, tokens ------------------------------------------------------------------


async def test_get_me_describes_the_bot_like_telegram(fake_telegram: FakeTelegram) -> None:
    status, body = await call(fake_telegram, "getMe")
    assert status == 200 and body["ok"] is True
    me = body["result"]
    assert me["is_bot"] is True
    assert me["id"] == int(fake_telegram.token.split(":")[0])
    assert me["username"] == "pathways_test_bot" and me["can_join_groups"] is True


async def test_unknown_method_is_404_not_found(fake_telegram: FakeTelegram) -> None:
    status, body = await call(fake_telegram, "sendTelepathy", chat_id=1)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_wrong_token_is_401_and_malformed_token_404(fake_telegram: FakeTelegram) -> None:
    wrong = "123:" + "x" * 35
    assert await call(fake_telegram, "getMe", token=wrong) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, _ = await call(fake_telegram, "getMe", token="not-a-token")
    assert status == 404


async def test_method_names_are_case_insensitive_and_forms_work(
    fake_telegram: FakeTelegram,
) -> None:
    user = await started(fake_telegram)
    url = f"{fake_telegram.url}/bot{fake_telegram.token}/sendmessage"
    form = {"chat_id": str(user.id), "text": "hi", "reply_markup": json.dumps(KEYBOARD)}
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        body = await response.json()
    assert body["result"]["text"] == "hi"
    assert body["result"]["reply_markup"] == KEYBOARD


# ---- getUpdates -------------------------------------------------------------------------------


async def test_user_text_arrives_as_a_message_update(fake_telegram: FakeTelegram) -> None:
    user = fake_telegram.user(first_name="Maria", username="maria_k")
    await user.command("/start", "ref42")
    _, body = await call(fake_telegram, "getUpdates")
    [update] = body["result"]
    message = update["message"]
    assert message["text"] == "/start ref42"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"] == {
        "id": user.id,
        "is_bot": False,
        "first_name": "Maria",
        "username": "maria_k",
        "language_code": "en",
    }
    assert message["chat"] == {
        "id": user.id,
        "type": "private",
        "first_name": "Maria",
        "username": "maria_k",
    }
    assert isinstance(message["date"], int) and abs(message["date"] - time.time()) < 60


async def test_offset_confirms_earlier_updates_and_limit_caps(fake_telegram: FakeTelegram) -> None:
    user = fake_telegram.user()
    for text in ("one", "two", "three"):
        await user.send(text)
    _, first = await call(fake_telegram, "getUpdates", limit=2)
    ids = [u["update_id"] for u in first["result"]]
    assert [u["message"]["text"] for u in first["result"]] == ["one", "two"]
    assert ids[1] == ids[0] + 1
    _, again = await call(fake_telegram, "getUpdates")
    assert len(again["result"]) == 3, "unconfirmed updates are delivered again"
    _, rest = await call(fake_telegram, "getUpdates", offset=ids[1] + 1)
    assert [u["message"]["text"] for u in rest["result"]] == ["three"]
    assert fake_telegram.pending_updates == 1


async def test_negative_offset_keeps_only_the_last_updates(fake_telegram: FakeTelegram) -> None:
    user = fake_telegram.user()
    for text in ("one", "two", "three"):
        await user.send(text)
    _, body = await call(fake_telegram, "getUpdates", offset=-1)
    assert [u["message"]["text"] for u in body["result"]] == ["three"]
    assert fake_telegram.pending_updates == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake_telegram: FakeTelegram) -> None:
    poll = asyncio.create_task(call(fake_telegram, "getUpdates", timeout=30))
    await fake_telegram.wait_for(lambda: fake_telegram.stats.requests["getUpdates"])
    await fake_telegram.user().send("wake up")
    status, body = await asyncio.wait_for(poll, 5)
    assert status == 200 and body["result"][0]["message"]["text"] == "wake up"


async def test_long_poll_with_nothing_to_return_gives_an_empty_list(
    fake_telegram: FakeTelegram,
) -> None:
    assert await call(fake_telegram, "getUpdates", timeout=0.05) == (
        200,
        {"ok": True, "result": []},
    )


async def test_a_newer_get_updates_terminates_the_waiting_one(fake_telegram: FakeTelegram) -> None:
    older = asyncio.create_task(call(fake_telegram, "getUpdates", timeout=30))
    await fake_telegram.wait_for(lambda: fake_telegram.stats.requests["getUpdates"])
    assert (await call(fake_telegram, "getUpdates"))[0] == 200
    status, body = await asyncio.wait_for(older, 5)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def test_allowed_updates_drops_other_kinds(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    _, sent = await send(fake_telegram, user.id, "Pick", reply_markup=KEYBOARD)
    await call(fake_telegram, "getUpdates", offset=-1, allowed_updates=["callback_query"])
    await call(fake_telegram, "getUpdates", offset=10**9)
    await user.send("ignored")
    await user.press(fake_telegram.messages(user.id)[0], "yes")
    _, body = await call(fake_telegram, "getUpdates")
    assert [list(u)[1] for u in body["result"]] == ["callback_query"]
    assert sent["ok"]


# ---- webhooks -----------------------------------------------------------------------------------


async def test_get_updates_conflicts_while_a_webhook_is_set(fake_telegram: FakeTelegram) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    status, body = await call(fake_telegram, "setWebhook", url=url, secret_token="s3cret_-X")
    assert (status, body["result"], body["description"]) == (200, True, "Webhook was set")
    status, body = await call(fake_telegram, "getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    _, info = await call(fake_telegram, "getWebhookInfo")
    assert info["result"]["url"] == url and info["result"]["max_connections"] == 40
    _, deleted = await call(fake_telegram, "deleteWebhook")
    assert deleted["description"] == "Webhook was deleted"
    assert (await call(fake_telegram, "getUpdates"))[0] == 200


async def test_webhook_rejects_a_bad_secret_token(fake_telegram: FakeTelegram) -> None:
    status, body = await call(
        fake_telegram, "setWebhook", url="http://127.0.0.1:9/h", secret_token="no spaces!"
    )
    assert status == 400 and "secret token" in body["description"]


async def test_webhook_gets_updates_with_the_secret_and_retries_failures(
    fake_telegram: FakeTelegram,
) -> None:
    received: list[tuple[str | None, Json]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        url = f"http://127.0.0.1:{port}/hook"
        await call(fake_telegram, "setWebhook", url=url, secret_token="s3cret")
        await fake_telegram.user().send("hello hook")
        await fake_telegram.wait_for(
            lambda: len(received) >= 2 and not fake_telegram.pending_updates
        )
        _, info = await call(fake_telegram, "getWebhookInfo")
    finally:
        await runner.cleanup()
    assert [secret for secret, _ in received] == ["s3cret", "s3cret"]
    assert received[0][1] == received[1][1], "the failed update is sent again"
    assert received[1][1]["message"]["text"] == "hello hook"
    assert info["result"]["last_error_message"] == (
        "Wrong response from the webhook: 500 Internal Server Error"
    )


# ---- sendMessage --------------------------------------------------------------------------------


async def test_send_message_returns_the_message_and_keeps_it(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    status, body = await send(
        fake_telegram, user.id, "<b>Hi</b> &lt;you&gt;", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert status == 200
    result = body["result"]
    assert result["message_id"] == 2, "message ids count per chat, the user's /start was 1"
    assert result["from"]["is_bot"] is True and result["chat"]["id"] == user.id
    assert result["text"] == "Hi <you>"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["reply_markup"] == KEYBOARD
    reply = await user.next_reply()
    assert (reply.text, reply.labels, reply.source) == (
        "Hi <you>",
        ["Yes"],
        "<b>Hi</b> &lt;you&gt;",
    )
    assert reply.button("Yes").callback_data == "yes"


async def test_text_limit_is_4096_characters(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    assert (await send(fake_telegram, user.id, "a" * 4096))[0] == 200
    status, body = await send(fake_telegram, user.id, "a" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, _ = await send(fake_telegram, user.id, "😀" * 2049)
    assert status == 400, "emoji count twice, like Telegram's UTF-16 length"


@pytest.mark.parametrize("text", ["", "   \n "])
async def test_empty_text_is_refused(fake_telegram: FakeTelegram, text: str) -> None:
    user = await started(fake_telegram)
    status, body = await send(fake_telegram, user.id, text)
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_callback_data_over_64_bytes_is_refused(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)

    def keyboard(data: str) -> Json:
        return {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}

    assert (await send(fake_telegram, user.id, "ok", reply_markup=keyboard("é" * 32)))[0] == 200
    status, body = await send(fake_telegram, user.id, "no", reply_markup=keyboard("é" * 32 + "x"))
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_bad_html_is_refused_with_telegrams_words(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    status, body = await send(fake_telegram, user.id, "Pay < $20 an hour", parse_mode="HTML")
    assert status == 400
    assert body["description"] == (
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 4'
    )


async def test_unknown_chat_is_400_chat_not_found(fake_telegram: FakeTelegram) -> None:
    status, body = await send(fake_telegram, 424242, "hello?")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_bot_cannot_write_first(fake_telegram: FakeTelegram) -> None:
    user = fake_telegram.user()
    status, body = await send(fake_telegram, user.id, "hello?")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )


async def test_blocked_user_gives_403_and_a_member_update(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    await user.block()
    status, body = await send(fake_telegram, user.id, "still there?")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    _, updates = await call(fake_telegram, "getUpdates")
    member = updates["result"][-1]["my_chat_member"]
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    await user.unblock()
    assert (await send(fake_telegram, user.id, "welcome back"))[0] == 200


async def test_reply_to_a_missing_message_is_refused(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    status, body = await send(fake_telegram, user.id, "re", reply_parameters={"message_id": 99})
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")
    _, ok = await send(fake_telegram, user.id, "re", reply_parameters={"message_id": 1})
    assert ok["result"]["reply_to_message"]["text"] == "/start"


# ---- editing, deleting, callbacks ---------------------------------------------------------------


async def test_edit_text_keeps_history_and_drops_the_keyboard(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    _, sent = await send(fake_telegram, user.id, "Question?", reply_markup=KEYBOARD)
    mid = sent["result"]["message_id"]
    status, body = await call(
        fake_telegram, "editMessageText", chat_id=user.id, message_id=mid, text="Answered"
    )
    assert status == 200 and "reply_markup" not in body["result"]
    assert isinstance(body["result"]["edit_date"], int)
    current = fake_telegram.message(user.id, mid)
    assert (current.text, current.buttons) == ("Answered", ())
    assert [e.text for e in current.edits] == ["Question?"]


async def test_editing_to_the_same_content_is_not_modified(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    _, sent = await send(fake_telegram, user.id, "Same", reply_markup=KEYBOARD)
    mid = sent["result"]["message_id"]
    for method, extra in (("editMessageText", {"text": "Same"}), ("editMessageReplyMarkup", {})):
        status, body = await call(
            fake_telegram, method, chat_id=user.id, message_id=mid, reply_markup=KEYBOARD, **extra
        )
        assert status == 400
        assert body["description"].startswith("Bad Request: message is not modified: ")


async def test_edit_reply_markup_replaces_the_buttons(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    _, sent = await send(fake_telegram, user.id, "Pick", reply_markup=KEYBOARD)
    mid = sent["result"]["message_id"]
    other = {"inline_keyboard": [[{"text": "No", "callback_data": "no"}]]}
    await call(
        fake_telegram, "editMessageReplyMarkup", chat_id=user.id, message_id=mid, reply_markup=other
    )
    assert fake_telegram.message(user.id, mid).labels == ["No"]


async def test_edit_errors(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    missing = await call(fake_telegram, "editMessageText", chat_id=user.id, message_id=77, text="x")
    theirs = await call(fake_telegram, "editMessageText", chat_id=user.id, message_id=1, text="x")
    not_found = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message to edit not found",
    }
    assert missing == (400, not_found)
    assert theirs[1]["description"] == "Bad Request: message can't be edited"


async def test_delete_message_once(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    _, sent = await send(fake_telegram, user.id, "Oops")
    mid = sent["result"]["message_id"]
    assert await call(fake_telegram, "deleteMessage", chat_id=user.id, message_id=mid) == (
        200,
        {"ok": True, "result": True},
    )
    assert fake_telegram.messages(user.id) == []
    status, body = await call(fake_telegram, "deleteMessage", chat_id=user.id, message_id=mid)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")


async def test_button_press_is_a_callback_query_answered_once(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    await send(fake_telegram, user.id, "Ready?", reply_markup=KEYBOARD)
    question = await user.next_reply()
    query = await user.press(question, "Yes")
    _, body = await call(fake_telegram, "getUpdates")
    callback = body["result"][-1]["callback_query"]
    assert callback["data"] == "yes" and callback["id"] == query.id
    assert callback["message"]["message_id"] == question.message_id
    assert callback["chat_instance"].isdigit() and callback["from"]["id"] == user.id
    answer = await call(fake_telegram, "answerCallbackQuery", callback_query_id=query.id, text="ok")
    assert answer == (200, {"ok": True, "result": True})
    recorded = fake_telegram.answer(query)
    assert recorded is not None and recorded.text == "ok"
    status, again = await call(fake_telegram, "answerCallbackQuery", callback_query_id=query.id)
    assert (status, again["description"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_press_needs_an_existing_button(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    await send(fake_telegram, user.id, "Ready?", reply_markup=KEYBOARD)
    with pytest.raises(LookupError, match="Yes"):
        await user.press(await user.next_reply(), "Maybe")


async def test_chat_action_is_recorded_and_checked(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    assert (await call(fake_telegram, "sendChatAction", chat_id=user.id, action="typing"))[0] == 200
    status, body = await call(fake_telegram, "sendChatAction", chat_id=user.id, action="dancing")
    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")
    assert fake_telegram.chat_actions(user.id) == ["typing"]


# ---- files --------------------------------------------------------------------------------------


async def test_photo_upload_keeps_the_bytes_and_can_be_downloaded(
    fake_telegram: FakeTelegram,
) -> None:
    user = await started(fake_telegram)
    picture = sample_png(40, 30)
    status, body = await upload(
        fake_telegram, "sendPhoto", "photo", picture, "map.png", chat_id=user.id, caption="Map"
    )
    assert status == 200
    [size] = body["result"]["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (40, 30, len(picture))
    reply = await user.next_reply()
    assert reply.file is not None and reply.file.data == picture and reply.caption == "Map"
    _, info = await call(fake_telegram, "getFile", file_id=size["file_id"])
    url = f"{fake_telegram.file_url}{fake_telegram.token}/{info['result']['file_path']}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert await response.read() == picture
    resent = await call(fake_telegram, "sendPhoto", chat_id=user.id, photo=size["file_id"])
    assert resent[1]["result"]["photo"][0]["file_unique_id"] == size["file_unique_id"]


async def test_photo_errors(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    long_caption = {"caption": "c" * 1025}
    status, body = await upload(
        fake_telegram, "sendPhoto", "photo", sample_png(), "a.png", chat_id=user.id, **long_caption
    )
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    status, body = await upload(
        fake_telegram, "sendPhoto", "photo", b"not an image", "a.png", chat_id=user.id
    )
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    status, body = await call(fake_telegram, "sendPhoto", chat_id=user.id, photo="AgACunknown")
    assert body["description"] == "Bad Request: wrong file identifier/HTTP URL specified"


async def test_document_upload_keeps_name_and_bytes(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    data = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    status, body = await upload(
        fake_telegram, "sendDocument", "document", data, "plan.ics", chat_id=user.id
    )
    assert status == 200 and body["result"]["document"]["file_name"] == "plan.ics"
    reply = await user.next_reply()
    assert reply.file is not None and reply.file.data == data


# ---- commands -----------------------------------------------------------------------------------


async def test_commands_are_set_per_scope_and_validated(fake_telegram: FakeTelegram) -> None:
    commands = [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "?"},
    ]
    assert (await call(fake_telegram, "setMyCommands", commands=commands))[0] == 200
    _, got = await call(fake_telegram, "getMyCommands")
    assert got["result"] == commands
    assert [c.command for c in fake_telegram.commands()] == ["start", "help"]
    _, private = await call(fake_telegram, "getMyCommands", scope={"type": "all_private_chats"})
    assert private["result"] == []
    bad = [{"command": "Start Now", "description": "x"}]
    status, body = await call(fake_telegram, "setMyCommands", commands=bad)
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")
    await call(fake_telegram, "deleteMyCommands")
    assert fake_telegram.commands() == []


# ---- flood limits and faults --------------------------------------------------------------------


async def test_flood_limit_per_chat_answers_429_and_counts(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    fake_telegram.flood.enable(FloodLimits(per_chat_per_second=1, chat_burst=1))
    assert (await send(fake_telegram, user.id, "one"))[0] == 200
    status, body = await send(fake_telegram, user.id, "two")
    assert (status, body) == (429, {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    })  # fmt: skip
    assert (fake_telegram.stats.flood_429, fake_telegram.stats.sent_429) == (1, 1)
    assert fake_telegram.stats.flood_429_by_chat[user.id] == 1
    fake_telegram.flood.disable()
    assert (await send(fake_telegram, user.id, "three"))[0] == 200


async def test_flood_limit_overall_across_chats(fake_telegram: FakeTelegram) -> None:
    users = [await started(fake_telegram, name) for name in ("A", "B", "C")]
    fake_telegram.flood.enable(FloodLimits(per_second=2, burst=2))
    statuses = [(await send(fake_telegram, u.id, "news"))[0] for u in users]
    assert statuses == [200, 200, 429]


async def test_scaled_clock_shrinks_the_wait(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    fake_telegram.flood.enable(FloodLimits(per_chat_per_second=0.001, chat_burst=1))
    await send(fake_telegram, user.id, "one")
    _, unscaled = await send(fake_telegram, user.id, "two")
    assert unscaled["parameters"]["retry_after"] == 1000
    fake_telegram.time_scale = 10
    _, scaled = await send(fake_telegram, user.id, "two")
    assert 99 <= scaled["parameters"]["retry_after"] <= 100, "1000 s of fake time, 100 s real"


async def test_injected_errors_hit_only_the_chosen_method(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    fake_telegram.faults.fail_next(1, status=500, methods="sendMessage")
    assert (await call(fake_telegram, "getMe"))[0] == 200
    assert await send(fake_telegram, user.id, "a") == (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    assert (await send(fake_telegram, user.id, "b"))[0] == 200
    assert [m.text for m in fake_telegram.messages(user.id)] == ["b"]


async def test_bad_gateway_is_an_html_page(fake_telegram: FakeTelegram) -> None:
    fake_telegram.faults.fail_next(1, status=502)
    url = f"{fake_telegram.url}/bot{fake_telegram.token}/getMe"
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        assert response.status == 502 and "502 Bad Gateway" in await response.text()


async def test_rate_limit_next_is_counted(fake_telegram: FakeTelegram) -> None:
    fake_telegram.faults.rate_limit_next(2, retry_after=3)
    for _ in range(2):
        status, body = await call(fake_telegram, "getMe")
        assert (status, body["parameters"]) == (429, {"retry_after": 3})
    assert (await call(fake_telegram, "getMe"))[0] == 200
    assert (fake_telegram.stats.injected_429, fake_telegram.stats.sent_429) == (2, 2)


async def test_dropped_connection_before_and_after_sending(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    fake_telegram.faults.drop_connections(1, methods="sendMessage")
    with pytest.raises(aiohttp.ClientError):
        await send(fake_telegram, user.id, "lost")
    fake_telegram.faults.drop_connections(1, methods="sendMessage", after=True)
    with pytest.raises(aiohttp.ClientError):
        await send(fake_telegram, user.id, "sent, answer lost")
    assert [m.text for m in fake_telegram.messages(user.id)] == ["sent, answer lost"]
    assert fake_telegram.stats.dropped_connections == 2


async def test_slow_answers_outlast_a_short_client_timeout(fake_telegram: FakeTelegram) -> None:
    fake_telegram.faults.slow(0.3, methods="getMe")
    url = f"{fake_telegram.url}/bot{fake_telegram.token}/getMe"
    timeout = aiohttp.ClientTimeout(total=0.05)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        with pytest.raises(TimeoutError):
            await session.post(url)
    fake_telegram.faults.clear()
    assert (await call(fake_telegram, "getMe"))[0] == 200


# ---- the user side ------------------------------------------------------------------------------


async def test_user_side_kinds_of_messages(fake_telegram: FakeTelegram) -> None:
    user = fake_telegram.user()
    group = fake_telegram.group("Job club")
    await user.send("hi all", chat=group)
    await user.send_photo(sample_png(8, 8), caption="me")
    await user.send_document(b"%PDF-1.4", "cv.pdf")
    await user.send_sticker("👍")
    await user.send_voice()
    await user.send_location(40.7, -74.0)
    await user.send_contact("+15551234567")
    mine = await user.send("helo")
    await user.edit(mine, "hello")
    _, body = await call(fake_telegram, "getUpdates")
    updates = [u.get("message") or u.get("edited_message") for u in body["result"]]
    assert updates[0]["chat"] == {"id": group.id, "type": "group", "title": "Job club"}
    assert group.id < 0
    assert updates[1]["photo"][0]["width"] == 8 and updates[1]["caption"] == "me"
    assert updates[2]["document"]["file_name"] == "cv.pdf"
    assert updates[3]["sticker"]["emoji"] == "👍"
    assert updates[4]["voice"]["mime_type"] == "audio/ogg"
    assert updates[5]["location"] == {"latitude": 40.7, "longitude": -74.0}
    assert updates[6]["contact"]["user_id"] == user.id
    assert "edited_message" in body["result"][-1] and updates[-1]["text"] == "hello"
    assert isinstance(updates[-1]["edit_date"], int)


async def test_next_reply_times_out_with_the_failed_calls(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    await send(fake_telegram, user.id, "")
    with pytest.raises(TimeoutError, match="message text is empty"):
        await user.next_reply(timeout=0.05)


async def test_edit_caption_of_a_photo(fake_telegram: FakeTelegram) -> None:
    user = await started(fake_telegram)
    _, sent = await upload(
        fake_telegram, "sendPhoto", "photo", sample_png(), "a.png", chat_id=user.id, caption="Old"
    )
    mid = sent["result"]["message_id"]
    status, body = await call(
        fake_telegram, "editMessageCaption", chat_id=user.id, message_id=mid, caption="<i>New</i>",
        parse_mode="HTML",
    )  # fmt: skip
    assert status == 200 and body["result"]["caption"] == "New"
    assert body["result"]["caption_entities"] == [{"type": "italic", "offset": 0, "length": 3}]
    _, text_message = await send(fake_telegram, user.id, "plain")
    status, body = await call(
        fake_telegram, "editMessageCaption", chat_id=user.id,
        message_id=text_message["result"]["message_id"], caption="x",
    )  # fmt: skip
    assert (status, body["description"]) == (
        400,
        "Bad Request: there is no caption in the message to edit",
    )


async def test_descriptions_are_kept_per_language(fake_telegram: FakeTelegram) -> None:
    await call(fake_telegram, "setMyDescription", description="Find your career path.")
    await call(fake_telegram, "setMyShortDescription", short_description="Hola", language_code="es")
    _, english = await call(fake_telegram, "getMyDescription")
    _, spanish = await call(fake_telegram, "getMyShortDescription", language_code="es")
    assert english["result"] == {"description": "Find your career path."}
    assert spanish["result"] == {"short_description": "Hola"}
    status, body = await call(fake_telegram, "setMyShortDescription", short_description="x" * 121)
    assert status == 400 and "too long" in body["description"]
