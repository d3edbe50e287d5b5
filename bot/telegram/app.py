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
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, BotCommandScope, BotCommandScopeChat, InputFile, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
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
from bot.agency.privacy import privacy_text
from bot.config import Settings
from bot.console import parse_event
from bot.delivery.lease import Sender
from bot.delivery.sender import Delivery, rate_limiter
from bot.log import set_log_key
from bot.scheduling.checkins import Sweeper, placer
from bot.scheduling.retention import Retention
from bot.service import Service, utcnow
from bot.storage import Storage, open_store
from bot.telegram.polling import ConfirmAfterCommit, Ledger, is_storage_error
from bot.telegram.render import parse_callback
from bot.telegram.webhook import Receiver, WebhookServer
from dialogs import i18n
from dialogs.i18n import N_
from dialogs.state import Choice, Command, Event, Media, Reply
from knowledge.loader import get_knowledge

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", N_("Start or pick up where you left off")),
    ("progress", N_("How far you are")),
    ("plan", N_("Your plan, picture and calendar")),
    ("pathways", N_("See the pathways side by side")),
    ("change", N_("Change your pathway or goal")),
    ("pause", N_("Take a break")),
    ("resume", N_("Come back after a break")),
    ("leave", N_("Leave the pathway (you can come back)")),
    ("counselor", N_("Talk to a person")),
    ("language", N_("Change the language")),
    ("mydata", N_("See what is saved about you")),
    ("forget", N_("Delete your data")),
    ("privacy", N_("How your data is kept")),
    ("help", N_("What I can do")),
)
DESCRIPTION = N_(
    "Pathways helps you plan a path to a better job, step by step: training, pay and dates. "
    "Free. You can stop any time and pick up later. Tap Start."
)
"""What Telegram shows in an empty chat, before /start (at most 512 characters)."""
SHORT_DESCRIPTION = N_("Plan your path to a better job, step by step.")
"""The bot's profile line and share text (at most 120 characters)."""
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
POLL_TIMEOUT = 10
"""Seconds of one long poll."""
STARTUP_BACKOFF = (1.0, 60.0)
"""Seconds between tries to reach the Bot API at start-up: first wait, and the longest."""
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
COULD_NOT_SAVE = "I could not save that, please try again in a minute."
EDITS_NOT_READ = (
    "I do not read changes to a message I already answered. "
    "If you meant something else, please send it again."
)
MEDIA_KINDS: tuple[str, ...] = (
    *("photo", "sticker", "voice", "video", "audio", "document", "location", "contact"),
    *("animation", "video_note", "poll", "dice", "venue", "game", "story"),
)


@dataclass
class Parts:
    """What the Application owns while it runs."""

    store: Storage
    service: Service
    delivery: Delivery
    sweeper: Sweeper
    agency: Agency
    ledger: Ledger
    sender: Sender
    retention: Retention | None = None


def parts(app: Application[Any, Any, Any, Any, Any, Any]) -> Parts:
    """The running parts, kept in bot_data."""
    found = app.bot_data["parts"]
    assert isinstance(found, Parts)
    return found


def media_kind(update: Update) -> str | None:
    """What kind of non-text message this is, if it is one (None for text, and for service
    messages such as a pinned message, which carry nothing to read)."""
    message = update.message
    if message is None:
        return None
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return kind
    return None


def addressed_to_bot(message: Any, username: str | None, bot_id: int) -> bool:
    """In a group: a command, a mention of the bot, or a reply to it (not the chatter)."""
    text = message.text or message.caption or ""
    if text.startswith("/"):
        return True
    if username and f"@{username.lower()}" in text.lower():
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


async def take_turn(
    context: ContextTypes.DEFAULT_TYPE,
    user_id: int,
    event: Event,
    update_id: int,
    language: str | None = None,
) -> None:
    """Run a turn in the user's private chat; when the database refuses to save it, tell them
    (once per update: Telegram gives it to us again until it is saved)."""
    found = parts(context.application)
    try:
        await found.service.turn(user_id, user_id, event, update_id=update_id, language=language)
    except Exception as exc:
        if is_storage_error(exc) and found.ledger.first_failure(update_id):
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(user_id, COULD_NOT_SAVE)
        raise


async def note(context: ContextTypes.DEFAULT_TYPE, user_id: int, text: str, update_id: int) -> None:
    """Queue a message to a user outside a turn (once per update, even if redelivered); it
    carries their user id, so /forget deletes it with the rest."""
    found = parts(context.application)
    await found.store.enqueue(
        user_id, Reply(text), now=utcnow(), user_id=user_id, dedup_key=f"note:{update_id}"
    )
    found.delivery.wake()


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message: text or command -> the engine; a picture, sticker... -> a kind
    note; a group message addressed to the bot -> a link to a private chat."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        if addressed_to_bot(message, context.bot.username, context.bot.id):
            link = f"https://t.me/{context.bot.username}"
            with contextlib.suppress(TelegramError):
                await message.reply_text(PRIVATE_ONLY.format(link=link))
        return
    kind = media_kind(update)
    if kind is None and not (message.text or "").strip():
        return  # a service message (pinned, title changed...) or no words: nothing to answer
    event: Event = Media(kind) if kind else parse_event(message.text or "")
    if parse_event(message.text or "") == Command("privacy") and kind is None:
        settings = context.application.bot_data["settings"]
        await note(context, user.id, privacy_text(settings), update.update_id)
        return
    await take_turn(context, user.id, event, update.update_id, user.language_code)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button tap: acknowledge it at once, take the keyboard off, run the choice. Replies go
    to the user's own private chat, never to the chat the callback names."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    message = query.message
    if message is not None and (
        getattr(message.chat, "type", ChatType.PRIVATE) != ChatType.PRIVATE
        or message.chat.id != user.id
    ):
        return
    if message is not None:
        with contextlib.suppress(BadRequest, TelegramError):
            await context.bot.edit_message_reply_markup(
                user.id, message.message_id, reply_markup=None
            )
    choice = parse_callback(query.data)
    event: Event = choice if choice is not None else Choice("", None)
    await take_turn(context, user.id, event, update.update_id, user.language_code)


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
    """An edited message changes nothing (the answer was already taken): say so, in a
    private chat, so the person knows to send the correction again."""
    message = update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE or not message.text:
        return
    await note(context, message.chat.id, EDITS_NOT_READ, update.update_id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A turn failed: count it (the update is not confirmed, so Telegram gives it again) and
    log it by update id, with the traceback only the first time. The user's saved progress
    is untouched."""
    error = context.error
    if not isinstance(update, Update) or error is None:
        log.error("handler failed outside an update", exc_info=error)
        return
    ledger = parts(context.application).ledger
    failure = ledger.failed(update.update_id, error)
    if failure.storage:
        log.warning(
            "could not save update %s (%s: the database refused); it will be retried",
            update.update_id,
            type(error).__name__,
        )
    elif failure.count == 1:
        log.error("turn failed on update %s; it will be retried", update.update_id, exc_info=error)
    else:
        log.error("turn failed again on update %s (%s)", update.update_id, failure.count)


def on_polling_error(exc: TelegramError) -> None:
    """getUpdates failed (409 conflict, network): one line, no traceback; the Updater retries."""
    log.warning("polling failed: %s: %s; retrying", type(exc).__name__, exc)


async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open the database, start the sender and the sweeper, set the command menu."""
    settings: Settings = app.bot_data["settings"]
    opened = app.bot_data.pop("store", None)  # serve() opens it before going online
    store: Storage = opened if opened is not None else await open_store(settings.database)
    ledger: Ledger = app.bot_data["ledger"]
    ledger.store, ledger.clock = store, utcnow
    ledger.key = await store.secret_key("log")
    set_log_key(ledger.key)
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
    retention = None
    if settings.retention_months:
        months = settings.retention_months
        retention = Retention(store, months, clock=utcnow, on_outbox=delivery.wake)
    sender = Sender(delivery, store)
    app.bot_data["parts"] = Parts(
        store, service, delivery, sweeper, agency, ledger, sender, retention
    )
    sender.start()
    sweeper.start()
    if retention is not None:
        retention.start()
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
    await set_words(app)


async def set_words(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The ordinary menu and the bot's descriptions in each language, for the people whose
    Telegram is set to it (Telegram picks by the person's language_code; English otherwise)."""
    for code in i18n.LANGUAGES:
        language = None if code == i18n.DEFAULT else code
        with i18n.use(code):
            menu = [BotCommand(n, i18n.gettext(d)) for n, d in COMMANDS]
            description, short = i18n.gettext(DESCRIPTION), i18n.gettext(SHORT_DESCRIPTION)
        try:
            if language is not None:
                await app.bot.set_my_commands(menu, language_code=language)
            await app.bot.set_my_description(description, language_code=language)
            await app.bot.set_my_short_description(short, language_code=language)
        except TelegramError as exc:
            log.warning("could not set the menu or description in %s: %s", code, exc)


async def post_stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the sweeper and send what is queued, while the Bot can still send (run_polling and
    run_webhook shut the Bot's connections down before post_shutdown)."""
    found = app.bot_data.get("parts")
    if isinstance(found, Parts):
        await found.sweeper.stop()
        if found.retention is not None:
            await found.retention.stop()
        await found.sender.stop()


async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the sweeper, send what is queued (if post_stop did not), close the database."""
    found = app.bot_data.get("parts")
    if not isinstance(found, Parts):
        return
    await found.sweeper.stop()
    if found.retention is not None:
        await found.retention.stop()
    await found.sender.stop()
    await found.store.close()


def build_application(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application for these settings (Bot API URL from settings, so a fake or self-hosted
    server works the same)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    ledger = Ledger()
    polls = ConfirmAfterCommit(ledger)
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
    app.bot_data["ledger"] = ledger
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
    asyncio.run(serve(settings))


class StopSignals:
    """SIGINT and SIGTERM set `stopping`; a repeated signal (a supervisor that signals the
    whole process group sends it twice) is noted and does not cut the clean stop short."""

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def install(self) -> None:
        """Take over SIGINT and SIGTERM for the running loop."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.add_signal_handler(sig, self._received, sig)

    def remove(self) -> None:
        """Give the signals back."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.remove_signal_handler(sig)

    def _received(self, sig: signal.Signals) -> None:
        if self.stopping.is_set():
            log.info("%s again: already stopping cleanly", sig.name)
            return
        log.info("%s: stopping (finishing the turns in flight, sending what is queued)", sig.name)
        self.stopping.set()


async def with_retries(
    what: str, action: Callable[[], Awaitable[None]], stopping: asyncio.Event
) -> bool:
    """Run `action` until it works, backing off while the Bot API is unreachable; False if a
    stop signal came first. A rejected token (InvalidToken) is not retried."""
    delay = STARTUP_BACKOFF[0]
    while not stopping.is_set():
        try:
            await action()
            return True
        except (NetworkError, RetryAfter) as exc:  # TimedOut is a NetworkError
            log.warning("%s failed (%s); retrying in %.0f s", what, type(exc).__name__, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
        delay = min(STARTUP_BACKOFF[1], delay * 2)
    return False


async def serve(settings: Settings, signals: StopSignals | None = None) -> None:
    """The bot's whole life: open the database (refusing a damaged one) before going online,
    reach the Bot API (retrying with backoff), take updates until a stop signal, then stop
    cleanly: no new updates, turns in flight finished, the outbox sent, the database closed."""
    signals = signals or StopSignals()
    signals.install()
    store = await open_store(settings.database)
    app = build_application(settings)
    app.bot_data["store"] = store
    started = webhook = None
    try:
        if not await with_retries("reaching the Bot API", app.initialize, signals.stopping):
            return
        await post_init(app)
        await app.start()
        started = app
        if settings.webhook_url:
            webhook = await _start_webhook(app, settings, signals.stopping)
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=POLL_TIMEOUT,
                bootstrap_retries=-1,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                error_callback=on_polling_error,
            )
        log.info("the bot is running")
        await signals.stopping.wait()
    finally:
        await _stop(app, started is not None, webhook, store)
        signals.remove()


async def _start_webhook(
    app: Application[Any, Any, Any, Any, Any, Any], settings: Settings, stopping: asyncio.Event
) -> WebhookServer:
    """Listen, then tell Telegram where to post (retried while the Bot API is unreachable)."""
    secret = settings.webhook_secret.reveal() if settings.webhook_secret else None
    receiver = Receiver(app, parts(app).ledger, secret)
    server = WebhookServer(receiver, settings.listen_host, settings.listen_port)
    server.start()

    async def set_webhook() -> None:
        await app.bot.set_webhook(
            settings.webhook_url or "", allowed_updates=ALLOWED_UPDATES, secret_token=secret
        )

    await with_retries("setting the webhook", set_webhook, stopping)
    return server


async def _stop(
    app: Application[Any, Any, Any, Any, Any, Any],
    started: bool,
    webhook: WebhookServer | None,
    store: Storage,
) -> None:
    """The clean stop, in order; runs to the end whatever signals arrive meanwhile."""
    if webhook is not None:
        await webhook.stop()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if started and app.running:
        await app.stop()
    await post_stop(app)
    await post_shutdown(app)
    await store.close()  # (post_shutdown closed it already if it was handed over: harmless)
    with contextlib.suppress(RuntimeError):  # never initialised: nothing to shut down
        await app.shutdown()


async def start_for_tests(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """Start the Application with long polling inside a running loop (tests and benchmarks)."""
    app = build_application(settings)
    await app.initialize()
    await post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0,
        timeout=1,
        allowed_updates=ALLOWED_UPDATES,
        error_callback=on_polling_error,
    )
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
