"""The python-telegram-bot Application: updates in, engine events out, lifecycle of the parts.

Handlers only translate: a Telegram update becomes a `Text`, `Choice`, `Command` or `Media`
event for `Service.turn`, which commits the state and the replies together; `Delivery` sends
them. The database, the sender and the check-in sweeper open in `post_init` and close in
`post_shutdown`, so SIGTERM stops taking updates, finishes the turn in flight and flushes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, BotCommandScope, BotCommandScopeChat, InputFile, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.agency.desk import Agency
from bot.config import Settings
from bot.console import parse_event
from bot.delivery.sender import Delivery, rate_limiter
from bot.scheduling.checkins import Sweeper, placer
from bot.service import Service, utcnow
from bot.storage import Storage, open_store
from bot.telegram.polling import ConfirmAfterCommit
from bot.telegram.render import parse_callback
from dialogs.state import Choice, Event, Media, Text
from knowledge.loader import get_knowledge

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", "Start or pick up where you left off"),
    ("progress", "How far you are"),
    ("plan", "Your plan, picture and calendar"),
    ("pathways", "See the pathways side by side"),
    ("change", "Change your pathway or goal"),
    ("pause", "Take a break"),
    ("resume", "Come back after a break"),
    ("counselor", "Talk to a person"),
    ("mydata", "See what is saved about you"),
    ("forget", "Delete your data"),
    ("help", "What I can do"),
)
ADMIN_MENU = (
    ("stats", "Participant figures"),
    ("export", "Participants as a CSV file"),
    ("newcode", "Make a referral link: /newcode <name>"),
    ("codes", "Referral codes and their links"),
)
COUNSELOR_MENU = (
    ("reply", "Answer a participant: /reply <number> <text>"),
    ("handback", "Hand a participant back to the bot: /handback <number>"),
    ("open", "Open requests"),
)
EXPORT_CAPTION = "Participants (ids are pseudonyms, not Telegram ids). Keep this file private."
ADMIN_COMMANDS = tuple(name for name, _ in ADMIN_MENU)
PRIVATE_ONLY = "Let's talk in a private chat, so your answers stay private: {link}"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


@dataclass
class Parts:
    """What the Application owns while it runs."""

    store: Storage
    service: Service
    delivery: Delivery
    sweeper: Sweeper
    agency: Agency


def parts(app: Application[Any, Any, Any, Any, Any, Any]) -> Parts:
    """The running parts, kept in bot_data."""
    found = app.bot_data["parts"]
    assert isinstance(found, Parts)
    return found


def media_kind(update: Update) -> str | None:
    """What kind of non-text message this is, if it is one."""
    message = update.message
    if message is None:
        return None
    for kind in ("photo", "sticker", "voice", "video", "audio", "document", "location", "contact"):
        if getattr(message, kind, None):
            return kind
    return "message" if message.text is None else None


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message: text or command -> the engine; anything else -> a kind note."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        link = f"https://t.me/{context.bot.username}"
        with contextlib.suppress(TelegramError):
            await message.reply_text(PRIVATE_ONLY.format(link=link))
        return
    kind = media_kind(update)
    event: Event = Media(kind) if kind else parse_event(message.text or "")
    if isinstance(event, Text) and not message.text:
        event = Media("message")
    await parts(context.application).service.turn(
        user.id, message.chat.id, event, update_id=update.update_id
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button tap: acknowledge it at once, take the keyboard off, run the choice."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    message = query.message
    chat_id = message.chat.id if message is not None else user.id
    if message is not None and getattr(message.chat, "type", ChatType.PRIVATE) != ChatType.PRIVATE:
        return
    if message is not None:
        with contextlib.suppress(BadRequest, TelegramError):
            await context.bot.edit_message_reply_markup(
                chat_id, message.message_id, reply_markup=None
            )
    choice = parse_callback(query.data)
    event: Event = choice if choice is not None else Choice("", None)
    await parts(context.application).service.turn(
        user.id, chat_id, event, update_id=update.update_id
    )


async def on_counselor(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in a counselor chat: answers to participants, /reply, /handback, /open."""
    message = update.message
    if message is None:
        return
    replied, replied_id = message.reply_to_message, None
    if replied is not None and replied.from_user and replied.from_user.id == context.bot.id:
        replied_id = replied.message_id
    await parts(context.application).agency.counselor_message(
        message.chat.id,
        message.text or message.caption,
        replied_id,
        update.update_id,
        group=message.chat.type != ChatType.PRIVATE,
    )


async def on_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's command in a private chat: referral codes, figures, export."""
    message, user = update.message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    agency = parts(context.application).agency
    command, _, arg = message.text.partition(" ")
    command = command.split("@", 1)[0].lstrip("/").lower()
    username = context.bot.username
    if command == "export":
        name, data = await agency.export()
        await context.bot.send_document(
            message.chat.id, InputFile(data, filename=name), caption=EXPORT_CAPTION
        )
        return
    if command == "stats":
        text = await agency.figures()
    elif command == "newcode":
        text = await agency.new_code(user.id, arg, username)
    else:
        text = await agency.codes(username)
    await agency.tell(message.chat.id, text, update.update_id)


async def on_blocked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user blocked the bot in their private chat: stop now, not at the next failed send
    (check-ins cancelled, queued messages dropped). Unblocking and /start brings them back."""
    member = update.my_chat_member
    if member is None or member.chat.type != ChatType.PRIVATE:
        return
    if member.new_chat_member.status == ChatMemberStatus.BANNED:
        await parts(context.application).store.mark_inactive(member.from_user.id, utcnow())


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message changes nothing: the answer was already taken."""
    log.debug("ignored an edited message in update %s", update.update_id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any handler failure with the update id; the user's saved progress is untouched."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed on update %s", update_id, exc_info=context.error)


async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open the database, start the sender and the sweeper, set the command menu."""
    settings: Settings = app.bot_data["settings"]
    store = await open_store(settings.database)
    kb = get_knowledge()
    delivery = Delivery(app.bot, store, settings.tz, kb, clock=utcnow)
    service = Service(
        store,
        clock=utcnow,
        kb=kb,
        on_outbox=delivery.wake,
        place=placer(settings),
        counselor_chats=sorted(settings.counselor_chat_ids),
    )
    sweeper = Sweeper(store, service, settings, clock=utcnow)
    agency = Agency(
        store,
        service,
        counselor_chats=settings.counselor_chat_ids,
        admin_ids=settings.admin_ids,
        clock=utcnow,
        tz=settings.tz,
    )
    app.bot_data["parts"] = Parts(store, service, delivery, sweeper, agency)
    delivery.start()
    sweeper.start()
    await set_menus(app, settings)


async def set_menus(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    """The command menu: the ordinary one, plus admin commands for admins and the counselor
    commands in counselor chats (each chat sees only its own)."""
    menus: list[tuple[tuple[tuple[str, str], ...], BotCommandScope | None]] = [(COMMANDS, None)]
    menus += [(COMMANDS + ADMIN_MENU, BotCommandScopeChat(a)) for a in sorted(settings.admin_ids)]
    menus += [(COUNSELOR_MENU, BotCommandScopeChat(c)) for c in sorted(settings.counselor_chat_ids)]
    for menu, scope in menus:
        try:
            await app.bot.set_my_commands([BotCommand(n, d) for n, d in menu], scope=scope)
        except TelegramError as exc:
            log.warning("could not set the command menu for %s: %s", scope, exc)


async def post_stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the sweeper and send what is queued, while the Bot can still send (run_polling and
    run_webhook shut the Bot's connections down before post_shutdown)."""
    found = app.bot_data.get("parts")
    if isinstance(found, Parts):
        await found.sweeper.stop()
        await found.delivery.stop()


async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the sweeper, send what is queued (if post_stop did not), close the database."""
    found = app.bot_data.get("parts")
    if not isinstance(found, Parts):
        return
    await found.sweeper.stop()
    await found.delivery.stop()
    await found.store.close()


def build_application(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application for these settings (Bot API URL from settings, so a fake or self-hosted
    server works the same)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    polls = ConfirmAfterCommit()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.reveal())
        .base_url(settings.telegram_api_url)
        .get_updates_request(polls)
        .rate_limiter(rate_limiter())
        .concurrent_updates(True)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_file_url:
        builder = builder.base_file_url(settings.telegram_file_url)
    app = builder.build()
    polls.hold_until_handled(app.update_queue)
    app.bot_data["settings"] = settings
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edited))
    if settings.admin_ids:
        admins = filters.User(user_id=settings.admin_ids) & private & filters.UpdateType.MESSAGE
        app.add_handler(CommandHandler(ADMIN_COMMANDS, on_admin, filters=admins))
    if settings.counselor_chat_ids:
        counselors = filters.Chat(chat_id=settings.counselor_chat_ids)
        app.add_handler(MessageHandler(counselors & filters.UpdateType.MESSAGE, on_counselor))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~private, on_message))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(ChatMemberHandler(on_blocked, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


def run_telegram(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook when WEBHOOK_URL is set."""
    app = build_application(settings)
    if settings.webhook_url:
        secret = settings.webhook_secret.reveal() if settings.webhook_secret else None
        app.run_webhook(
            listen=settings.listen_host,
            port=settings.listen_port,
            url_path="telegram",
            secret_token=secret,
            webhook_url=settings.webhook_url,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)


async def start_for_tests(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """Start the Application with long polling inside a running loop (tests and benchmarks)."""
    app = build_application(settings)
    await app.initialize()
    await post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    return app


async def stop_for_tests(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop what `start_for_tests` started, flushing the outbox."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await post_shutdown(app)
    await app.shutdown()
    await asyncio.sleep(0)
