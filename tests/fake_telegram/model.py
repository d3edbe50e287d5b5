"""The fake's values: people, chats, files, messages, buttons, updates, and their Bot API JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Person:
    """A Telegram user: a person playing in a test, or the bot itself."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> Json:
        """The Bot API `User` object."""
        body: Json = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


@dataclass(frozen=True, slots=True)
class Chat:
    """A private chat (id equals the user's id) or a group chat (negative id)."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    def to_json(self) -> Json:
        """The Bot API `Chat` object."""
        body: Json = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body

    @staticmethod
    def private(person: Person) -> Chat:
        """The private chat between `person` and the bot."""
        return Chat(
            person.id,
            "private",
            first_name=person.first_name,
            last_name=person.last_name,
            username=person.username,
        )


@dataclass(frozen=True, slots=True)
class Entity:
    """A Bot API `MessageEntity`; offsets and lengths are in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_json(self) -> Json:
        """The Bot API `MessageEntity` object."""
        body: Json = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


@dataclass(frozen=True, slots=True)
class File:
    """A file the bot or a user sent; `data` holds the exact bytes."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0
    emoji: str | None = None

    @property
    def file_path(self) -> str:
        """The path under the file URL where the bytes can be downloaded."""
        return f"{self.kind}s/{self.file_unique_id}"

    def to_json(self) -> Any:
        """The Bot API object for this kind (`photo` is a list of `PhotoSize`)."""
        base: Json = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.kind == "photo":
            return [{**base, "width": self.width, "height": self.height}]
        if self.kind == "sticker":
            flags = {"type": "regular", "is_animated": False, "is_video": False}
            return {**base, **flags, "width": 512, "height": 512, "emoji": self.emoji}
        if self.kind == "voice":
            return {**base, "duration": self.duration, "mime_type": self.mime_type}
        return {**base, "file_name": self.file_name, "mime_type": self.mime_type}


@dataclass(frozen=True, slots=True)
class Button:
    """One keyboard button: inline (with callback data or a URL) or a reply-keyboard label."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    row: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class Edit:
    """An earlier version of an edited message."""

    text: str | None
    caption: str | None
    reply_markup: Json | None
    date: int


@dataclass(frozen=True, slots=True)
class Message:
    """A message in a chat, from the bot or from a user, in its current version."""

    chat: Chat
    message_id: int
    sender: Person
    date: int
    text: str | None = None
    entities: tuple[Entity, ...] = ()
    caption: str | None = None
    caption_entities: tuple[Entity, ...] = ()
    reply_markup: Json | None = None
    file: File | None = None
    extra: Json = field(default_factory=dict)
    source: str | None = None
    parse_mode: str | None = None
    reply_to: Message | None = None
    edit_date: int | None = None
    edits: tuple[Edit, ...] = ()
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        """The id of the chat the message is in."""
        return self.chat.id

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent this message."""
        return self.sender.is_bot

    @property
    def buttons(self) -> tuple[Button, ...]:
        """Every button of the message's inline keyboard or reply keyboard, row by row."""
        return buttons_of(self.reply_markup)

    @property
    def labels(self) -> list[str]:
        """The labels of the message's buttons, row by row."""
        return [button.text for button in self.buttons]

    def button(self, key: str) -> Button:
        """The button whose callback data, or else whose label, equals `key`."""
        for attribute in ("callback_data", "text"):
            for button in self.buttons:
                if getattr(button, attribute) == key:
                    return button
        raise LookupError(f"no button {key!r} in message {self.message_id}: {self.labels}")

    def to_json(self, *, with_reply: bool = True) -> Json:
        """The Bot API `Message` object, as Telegram returns and delivers it."""
        body: Json = {
            "message_id": self.message_id,
            "from": self.sender.to_json(),
            "chat": self.chat.to_json(),
            "date": self.date,
        }
        if self.edit_date is not None:
            body["edit_date"] = self.edit_date
        if self.reply_to is not None and with_reply:
            body["reply_to_message"] = self.reply_to.to_json(with_reply=False)
        body.update(self._content_json())
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            body["reply_markup"] = self.reply_markup
        return body

    def _content_json(self) -> Json:
        body: Json = {}
        if self.text is not None:
            body["text"] = self.text
            if self.entities:
                body["entities"] = [entity.to_json() for entity in self.entities]
        if self.file is not None:
            body[self.file.kind] = self.file.to_json()
        if self.caption is not None:
            body["caption"] = self.caption
            if self.caption_entities:
                body["caption_entities"] = [e.to_json() for e in self.caption_entities]
        body.update(self.extra)
        return body


def buttons_of(markup: Json | None) -> tuple[Button, ...]:
    """The buttons of an inline or reply keyboard markup, row by row."""
    if not markup:
        return ()
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    found: list[Button] = []
    for r, row in enumerate(rows):
        for c, raw in enumerate(row):
            if isinstance(raw, str):
                found.append(Button(raw, row=r, column=c))
            else:
                data, url = raw.get("callback_data"), raw.get("url")
                found.append(Button(raw.get("text", ""), data, url, row=r, column=c))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Update:
    """One update waiting for the bot: `kind` is the Update field (`message`, ...)."""

    update_id: int
    kind: str
    payload: Json
    chat_id: int

    def to_json(self) -> Json:
        """The Bot API `Update` object."""
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass(frozen=True, slots=True)
class CallbackQuery:
    """A button press a user made: what `FakeUser.press` returns."""

    id: str
    user: Person
    message: Message
    data: str


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """The bot's `answerCallbackQuery` for one press."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True, slots=True)
class BotCommand:
    """One entry of the bot's command menu."""

    command: str
    description: str


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    data: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API request the fake answered: method, decoded parameters and outcome."""

    method: str
    params: Json
    status: int
    description: str | None = None
