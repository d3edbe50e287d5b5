"""The Bot API methods the fake answers, with Telegram's checks and error texts."""

from __future__ import annotations

import io
import json
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PIL import Image, UnidentifiedImageError

from . import errors
from .errors import bad_request
from .markup import parse, utf16_len
from .model import BotCommand, Entity, File, Json, Message, Upload
from .params import Params
from .state import DEFAULT_ALLOWED, BotState, ChatState, Webhook

Handler = Callable[[BotState, Params], Awaitable[Any]]
H = TypeVar("H", bound=Handler)
METHODS: dict[str, tuple[str, Handler]] = {}

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
PHOTO_BYTES_LIMIT = 10 * 1024 * 1024
INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
BUTTON_URL = re.compile(r"^(https?|tg)://\S+$")
MARKUP_JSON = "can't parse reply keyboard markup JSON object"
BUTTON_TEXT = 'can\'t parse {kind}: Field "text" must be of type String'


@dataclass(frozen=True, slots=True)
class Described:
    """A result that Telegram sends with a `description` next to it."""

    result: Any
    description: str


def method(name: str) -> Callable[[H], H]:
    """Register a handler under its Bot API name (method names are case-insensitive)."""

    def register(handler: H) -> H:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


# ---- shared checks ------------------------------------------------------------------------


def _chat_id(p: Params) -> int:
    value = p.raw.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(errors.CHAT_NOT_FOUND) from None


def _text(p: Params) -> tuple[str, tuple[Entity, ...]]:
    source = p.text("text") or ""
    entities = p.structured("entities", "can't parse entities JSON object")
    text, found = parse(source, p.text("parse_mode"), entities)
    if not text:
        raise bad_request(errors.TEXT_EMPTY)
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request(errors.TEXT_TOO_LONG)
    return text, found


def _caption(p: Params) -> tuple[str | None, tuple[Entity, ...]]:
    source = p.text("caption")
    if not source:
        return None, ()
    entities = p.structured("caption_entities", "can't parse entities JSON object")
    text, found = parse(source, p.text("parse_mode"), entities)
    if utf16_len(text) > CAPTION_LIMIT:
        raise bad_request(errors.CAPTION_TOO_LONG)
    return text or None, found


def _markup(p: Params, *, inline_only: bool = False) -> Json | None:
    raw = p.structured("reply_markup", MARKUP_JSON)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request(MARKUP_JSON)
    if "inline_keyboard" in raw:
        _check_inline(raw["inline_keyboard"])
        return raw
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        _check_reply_keyboard(raw["keyboard"])
        return raw
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return raw
    raise bad_request(MARKUP_JSON)


def _rows(rows: Any, field: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the keyboard markup must be an Array of Arrays')
    return rows


def _check_inline(rows: Any) -> None:
    for row in _rows(rows, "inline_keyboard"):
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(BUTTON_TEXT.format(kind="inline keyboard button"))
    if not any(action in button for action in INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= CALLBACK_DATA_LIMIT:
        raise bad_request(errors.BUTTON_DATA_INVALID)
    url = button.get("url")
    if url is not None and not BUTTON_URL.match(str(url)):
        raise bad_request("BUTTON_URL_INVALID")


def _check_reply_keyboard(rows: Any) -> None:
    for row in _rows(rows, "keyboard"):
        for button in row:
            label = button if isinstance(button, str) else (button or {}).get("text")
            if not isinstance(label, str) or not label:
                raise bad_request(BUTTON_TEXT.format(kind="keyboard button"))


def _reply_to(state: BotState, chat: ChatState, p: Params) -> Message | None:
    wanted = p.structured("reply_parameters", "can't parse reply parameters JSON object") or {}
    message_id = wanted.get("message_id") if isinstance(wanted, dict) else None
    message_id = message_id if message_id is not None else p.integer("reply_to_message_id")
    if message_id is None:
        return None
    found = state.find(chat, int(message_id))
    lenient = bool(wanted.get("allow_sending_without_reply")) if isinstance(wanted, dict) else False
    if found is None and not (lenient or p.flag("allow_sending_without_reply")):
        raise bad_request("message to be replied not found")
    return found


def _sent(state: BotState, chat: ChatState, p: Params, **content: Any) -> Json:
    """Flood-check, then store a message the bot sends, and return its JSON."""
    reply_to = _reply_to(state, chat, p)
    state.flood.check(chat.chat.id, chat.is_group)
    markup = content.pop("reply_markup")
    message = state.bot_sent(
        chat, reply_markup=markup, reply_to=reply_to, parse_mode=p.text("parse_mode"), **content
    )
    return message.to_json()


# ---- identity and updates -----------------------------------------------------------------


@method("getMe")
async def get_me(state: BotState, p: Params) -> Json:
    """The bot's own `User`, with the bot-only flags."""
    return {
        **state.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(state: BotState, p: Params) -> list[Json]:
    """Long polling: confirm by `offset`, return up to `limit`, wait up to `timeout` seconds."""
    if state.webhook is not None:
        raise errors.conflict(errors.WEBHOOK_ACTIVE)
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = min(max(p.number("timeout") or 0.0, 0.0), 50.0)
    allowed = p.structured("allowed_updates", "can't parse allowed updates JSON object")
    if allowed is not None:
        state.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED
    updates = await state.long_poll(p.integer("offset"), limit, timeout)
    return [update.to_json() for update in updates]


@method("setWebhook")
async def set_webhook(state: BotState, p: Params) -> Described:
    """Start POSTing updates to `url` (an empty url removes the webhook)."""
    url = p.text("url") or ""
    if not url:
        return await delete_webhook(state, p)
    _check_webhook_url(url, strict=state.strict_webhook_url)
    secret = p.text("secret_token")
    if secret is not None and not SECRET_TOKEN.match(secret):
        raise bad_request("secret token contains unallowed characters")
    connections = p.integer("max_connections") or 40
    if not 1 <= connections <= 100:
        raise bad_request("invalid max_connections specified")
    allowed = p.structured("allowed_updates", "can't parse allowed updates JSON object")
    if allowed is not None:
        state.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED
    if p.flag("drop_pending_updates"):
        state.updates.clear()
    same = state.webhook is not None and state.webhook.url == url
    state.webhook = Webhook(url, secret, connections, tuple(allowed) if allowed else None)
    state.on_webhook_change()
    return Described(True, "Webhook is already set" if same else "Webhook was set")


def _check_webhook_url(url: str, *, strict: bool) -> None:
    m = re.match(r"^(https?)://([^/:]+)(?::(\d+))?(/.*)?$", url)
    if m is None:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if strict and m.group(1) != "https":
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    if strict and m.group(3) not in (None, "80", "88", "443", "8443"):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


@method("deleteWebhook")
async def delete_webhook(state: BotState, p: Params) -> Described:
    """Stop webhook delivery; getUpdates works again."""
    if p.flag("drop_pending_updates"):
        state.updates.clear()
    if state.webhook is None:
        return Described(True, "Webhook is already deleted")
    state.webhook = None
    state.on_webhook_change()
    return Described(True, "Webhook was deleted")


@method("getWebhookInfo")
async def get_webhook_info(state: BotState, p: Params) -> Json:
    """The current webhook, its pending updates and its last delivery error."""
    hook = state.webhook
    info: Json = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if hook is None:
        return info
    info.update(max_connections=hook.max_connections, ip_address="127.0.0.1")
    if hook.allowed_updates is not None:
        info["allowed_updates"] = list(hook.allowed_updates)
    if hook.last_error_date is not None:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


# ---- commands and descriptions ------------------------------------------------------------


def _scope_key(p: Params) -> tuple[str, str]:
    scope = p.structured("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), p.text("language_code") or ""


@method("setMyCommands")
async def set_my_commands(state: BotState, p: Params) -> bool:
    """Set the command menu for a scope and language."""
    raw = p.structured("commands", "can't parse commands JSON object")
    if not isinstance(raw, list) or len(raw) > 100:
        raise bad_request("can't parse commands JSON object")
    commands = tuple(_command(item) for item in raw)
    state.commands[_scope_key(p)] = commands
    return True


def _command(item: Any) -> BotCommand:
    if not isinstance(item, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name, text = str(item.get("command", "")), str(item.get("description", ""))
    if not COMMAND_NAME.match(name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(text) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return BotCommand(name, text)


@method("getMyCommands")
async def get_my_commands(state: BotState, p: Params) -> list[Json]:
    """The command menu for a scope and language."""
    commands = state.commands.get(_scope_key(p), ())
    return [{"command": c.command, "description": c.description} for c in commands]


@method("deleteMyCommands")
async def delete_my_commands(state: BotState, p: Params) -> bool:
    """Remove the command menu of a scope and language."""
    state.commands.pop(_scope_key(p), None)
    return True


def _describe(field: str, limit: int) -> tuple[Handler, Handler]:
    async def setter(state: BotState, p: Params) -> bool:
        text = p.text(field) or ""
        if len(text) > limit:
            raise bad_request(f"{field} is too long")
        state.texts[(field, p.text("language_code") or "")] = text
        return True

    async def getter(state: BotState, p: Params) -> Json:
        return {field: state.texts.get((field, p.text("language_code") or ""), "")}

    return setter, getter


for _field, _limit, _name in (
    ("description", 512, "MyDescription"),
    ("short_description", 120, "MyShortDescription"),
    ("name", 64, "MyName"),
):
    _set, _get = _describe(_field, _limit)
    method(f"set{_name}")(_set)
    method(f"get{_name}")(_get)


# ---- sending ------------------------------------------------------------------------------


@method("sendMessage")
async def send_message(state: BotState, p: Params) -> Json:
    """Send a text message (HTML/MarkdownV2/Markdown parsed, ≤ 4096 characters)."""
    chat = state.chat_for_bot(_chat_id(p))
    text, entities = _text(p)
    markup = _markup(p)
    source = p.text("text")
    return _sent(state, chat, p, text=text, entities=entities, reply_markup=markup, source=source)


def _media(state: BotState, p: Params, field: str) -> Upload | File:
    value = p.raw.get(field)
    if isinstance(value, str) and value.startswith("attach://"):
        value = p.raw.get(value.removeprefix("attach://"))
    if isinstance(value, Upload):
        return value
    if isinstance(value, str) and value:
        known = state.files.get(value)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if known.kind != field:
            raise bad_request(f"can't use file of type {known.kind.title()} as {field.title()}")
        return known
    raise bad_request(f"there is no {field} in the request")


def _image_size(data: bytes) -> tuple[int, int]:
    if len(data) > PHOTO_BYTES_LIMIT:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    if width + height > 10_000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def _send_media(state: BotState, p: Params, kind: str) -> Json:
    chat = state.chat_for_bot(_chat_id(p))
    media = _media(state, p, kind)
    caption, entities = _caption(p)
    markup = _markup(p)
    if isinstance(media, Upload):
        media = _stored(state, kind, media)
    content = {"caption": caption, "caption_entities": entities, "source": p.text("caption")}
    return _sent(state, chat, p, file=media, reply_markup=markup, **content)


def _stored(state: BotState, kind: str, upload: Upload) -> File:
    if kind == "photo":
        width, height = _image_size(upload.data)
        return state.store_file("photo", upload.data, width=width, height=height)
    name = upload.filename or "document"
    mime = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return state.store_file(kind, upload.data, file_name=name, mime_type=mime)


@method("sendPhoto")
async def send_photo(state: BotState, p: Params) -> Json:
    """Send a photo: an upload (kept byte for byte) or a known file_id; caption ≤ 1024."""
    return _send_media(state, p, "photo")


@method("sendDocument")
async def send_document(state: BotState, p: Params) -> Json:
    """Send a document: an upload (kept byte for byte) or a known file_id; caption ≤ 1024."""
    return _send_media(state, p, "document")


@method("sendChatAction")
async def send_chat_action(state: BotState, p: Params) -> bool:
    """Show "typing…" and the like; the fake records the action."""
    chat = state.chat_for_bot(_chat_id(p))
    action = p.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    chat.signal.fire()
    return True


# ---- editing and deleting -----------------------------------------------------------------


def _editable(state: BotState, p: Params) -> tuple[ChatState, Message]:
    if p.raw.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = state.chat_for_bot(_chat_id(p), sending=False)
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = state.find(chat, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


@method("editMessageText")
async def edit_message_text(state: BotState, p: Params) -> Json:
    """Replace a text message's text (and inline keyboard: leaving it out removes it)."""
    chat, message = _editable(state, p)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = _text(p)
    markup = _markup(p, inline_only=True)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(errors.NOT_MODIFIED)
    source, mode = p.text("text"), p.text("parse_mode")
    new = state.edited(
        chat, message, text=text, entities=entities, reply_markup=markup, source=source,
        parse_mode=mode,
    )  # fmt: skip
    return new.to_json()


@method("editMessageCaption")
async def edit_message_caption(state: BotState, p: Params) -> Json:
    """Replace a media message's caption (and inline keyboard)."""
    chat, message = _editable(state, p)
    if message.file is None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = _caption(p)
    markup = _markup(p, inline_only=True)
    current = (message.caption, message.caption_entities, message.reply_markup)
    if (caption, entities, markup) == current:
        raise bad_request(errors.NOT_MODIFIED)
    new = state.edited(
        chat, message, caption=caption, caption_entities=entities, reply_markup=markup,
        source=p.text("caption"), parse_mode=p.text("parse_mode"),
    )  # fmt: skip
    return new.to_json()


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: BotState, p: Params) -> Json:
    """Replace (or, when left out, remove) a message's inline keyboard."""
    chat, message = _editable(state, p)
    markup = _markup(p, inline_only=True)
    if markup == message.reply_markup:
        raise bad_request(errors.NOT_MODIFIED)
    return state.edited(chat, message, reply_markup=markup).to_json()


@method("deleteMessage")
async def delete_message(state: BotState, p: Params) -> bool:
    """Delete a message of the chat."""
    chat = state.chat_for_bot(_chat_id(p), sending=False)
    message = state.find(chat, p.integer("message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    state.deleted(chat, message)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(state: BotState, p: Params) -> bool:
    """Answer a button press (once, within the query's lifetime)."""
    text = p.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    state.answer(p.text("callback_query_id") or "", text, p.flag("show_alert"), p.text("url"))
    return True


# ---- files --------------------------------------------------------------------------------


@method("getFile")
async def get_file(state: BotState, p: Params) -> Json:
    """A file's size and download path."""
    file = state.files.get(p.text("file_id") or "")
    if file is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.data),
        "file_path": file.file_path,
    }
