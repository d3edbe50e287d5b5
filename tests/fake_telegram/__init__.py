"""A fake Telegram Bot API server for end-to-end tests, benchmarks and local demos.

The real python-telegram-bot `Application` talks HTTP to it as it would to Telegram, and a
test plays any number of users and injects the faults Telegram produces.

Start it (the pytest fixture `fake_telegram` in tests/conftest.py does this for you)::

    fake = FakeTelegram()                 # random valid-looking token, free port on 127.0.0.1
    await fake.start()                    # ... await fake.stop()  (or: async with FakeTelegram())
    app = (Application.builder().token(fake.token)
           .base_url(fake.base_url).base_file_url(fake.file_url).build())

Standalone: ``python -m tests.fake_telegram --port 8081`` prints the URL and token to give the
bot (``TELEGRAM_API_URL=http://127.0.0.1:8081/bot``) and lets you chat as a user in the terminal.

Bot side (Telegram's semantics and error texts): getMe, getUpdates (offset confirms, limit,
long-poll timeout, allowed_updates, 409 while a webhook is set or when a newer poll arrives),
setWebhook / deleteWebhook / getWebhookInfo (updates POSTed as JSON with the
X-Telegram-Bot-Api-Secret-Token header, in order per chat, failures retried with backoff),
set/get/deleteMyCommands, set/getMyDescription, set/getMyShortDescription, sendMessage,
sendPhoto, sendDocument (multipart; bytes kept), sendChatAction, editMessageText,
editMessageCaption, editMessageReplyMarkup, answerCallbackQuery, deleteMessage, getFile and
file downloads. Unknown method → 404 "Not Found"; wrong token → 401 "Unauthorized"
(malformed token → 404). Dates in seconds, message_id per chat, update_id global. Checked like
Telegram: text ≤ 4096 and caption ≤ 1024 UTF-16 units after parse_mode (HTML, MarkdownV2,
Markdown parsed and validated: "can't parse entities: ..."), empty text, callback_data ≤ 64
bytes, editing to the same content ("message is not modified: ..."), blocked user (403),
unknown chat (400 "chat not found"), user who never wrote (403 "bot can't initiate ...").

Users (`user = fake.user(id=None, first_name="Ann", username=..., language_code="en")`)::

    await user.send("hi")                 # -> Message; /commands and links get entities
    await user.command("/start", "code")  # "/start code" with a bot_command entity
    q = await user.press(message, "yes")  # callback_data, or else the label -> CallbackQuery
    await user.send_photo(png_bytes, caption=None)   # also send_document, send_sticker,
    await user.send_voice(), send_location(lat, lon), send_contact(phone)
    await user.edit(my_message, "new text")          # edited_message
    await user.block() / user.unblock()              # my_chat_member; sends then get 403
    g = fake.group("Job club"); await user.send("hi", chat=g)
    reply = await user.next_reply(timeout=5)         # = fake.next_reply(user.id)

Reading what the bot did::

    reply = await fake.next_reply(chat_id, timeout=5)  # next bot message not yet returned
    fake.messages(chat_id)       # bot's messages, current version: .text, .entities,
                                 # .reply_markup, .buttons, .labels, .button(key), .file (.data
                                 # bytes), .caption, .edits (earlier versions), .source, .deleted
    await fake.next_edit(reply)  # the message after its next edit
    fake.history(chat_id); fake.message(chat_id, message_id); fake.chat_actions(chat_id)
    fake.answers; fake.answer(q) # CallbackAnswer(query_id, text, show_alert, url)
    fake.commands("default")     # [BotCommand(command, description)]
    fake.calls; fake.calls_to("sendMessage")   # Call(method, params, status, description)
    fake.webhook; fake.pending_updates; fake.file(file_id)
    await fake.wait_for(lambda: ..., timeout=5); await fake.idle(quiet=0.1)

Helpers: `sample_png(width, height)` real picture bytes; `free_port()` for a webhook server.

Limits and faults::

    fake.flood.enable(FloodLimits(per_second=30, per_chat_per_second=1, chat_burst=3))
    fake.flood.disable()         # off by default; FakeTelegram(flood_limits=True) turns it on
                                 # (limits count sendMessage, sendPhoto and sendDocument)
    fake.time_scale = 100        # the limits' clock runs 100x faster; retry_after shrinks too
    fake.stats.sent_429, .flood_429, .injected_429, .flood_429_by_chat, .requests[method]
    fake.faults.fail_next(n, status=500, methods="sendMessage")   # 502 is nginx's HTML page
    fake.faults.rate_limit_next(n, retry_after=1, methods=None)
    fake.faults.slow(seconds, methods=None); fake.faults.drop_connections(n, after=False)
    fake.faults.clear()
    fake.block(user_id); fake.unblock(user_id)

Without `methods`, a fault hits the very next call of any method, which for a polling bot is
usually getUpdates. The fake never logs the token: its access log is off.
"""

from .errors import ApiError
from .fake import FakeTelegram, free_port, new_token
from .limits import FloodLimits
from .model import (
    BotCommand,
    Button,
    Call,
    CallbackAnswer,
    CallbackQuery,
    Chat,
    Edit,
    Entity,
    File,
    Message,
    Person,
)
from .users import FakeUser, sample_png

__all__ = [
    "ApiError",
    "BotCommand",
    "Button",
    "Call",
    "CallbackAnswer",
    "CallbackQuery",
    "Chat",
    "Edit",
    "Entity",
    "FakeTelegram",
    "FakeUser",
    "File",
    "FloodLimits",
    "Message",
    "Person",
    "free_port",
    "new_token",
    "sample_png",
]
