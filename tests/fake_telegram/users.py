"""The user side: people in a test who write to the bot, press its buttons and send files."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from PIL import Image

from .markup import detect_entities
from .model import CallbackQuery, Chat, Message, Person

if TYPE_CHECKING:
    from .fake import FakeTelegram


def sample_png(
    width: int = 4, height: int = 3, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A small real PNG picture, for users to send and the bot to upload."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


class FakeUser:
    """One Telegram user talking to the bot (in their private chat unless `chat=` is given)."""

    def __init__(self, fake: FakeTelegram, person: Person) -> None:
        self.fake = fake
        self.person = person
        self.chat = Chat.private(person)

    @property
    def id(self) -> int:
        """The user's id (also their private chat's id)."""
        return self.person.id

    def _target(self, chat: Chat | int | None) -> Chat:
        if chat is None:
            return self.chat
        if isinstance(chat, Chat):
            return chat
        return self.fake.chat(chat)

    def _say(self, chat: Chat | int | None, **content: Any) -> Message:
        return self.fake.state.user_message(self.person, self._target(chat), **content)

    async def send(
        self, text: str, *, chat: Chat | int | None = None, reply_to: Message | None = None
    ) -> Message:
        """Type `text` and send it (commands and links get their entities, as Telegram adds)."""
        return self._say(chat, text=text, entities=detect_entities(text), reply_to=reply_to)

    async def command(self, command: str, *args: str, chat: Chat | int | None = None) -> Message:
        """Send a command such as `/start` with optional arguments (`/start code`)."""
        name = command if command.startswith("/") else f"/{command}"
        return await self.send(" ".join((name, *args)), chat=chat)

    async def press(self, message: Message, button: str) -> CallbackQuery:
        """Press the inline button of `message` with this callback data (or else this label)."""
        current = self.fake.message(message.chat.id, message.message_id)
        if current.deleted or not current.from_bot:
            raise LookupError(f"message {message.message_id} has no buttons to press")
        found = current.button(button)
        if found.callback_data is None:
            raise LookupError(f"button {found.text!r} sends no callback data")
        return self.fake.state.new_query(self.person, current, found.callback_data)

    async def send_unreadable(self) -> int:
        """Send a message python-telegram-bot cannot read: a poll with only an id, as an older
        self-hosted Bot API server sends it (PTB 22 requires question, options and more).
        Returns the update id."""
        message = self.fake.state.add_message(
            self.fake.state.chat_state(self.chat), self.person, text=None
        )
        payload = {**message.to_json(), "poll": {"id": "5"}}
        payload.pop("text", None)
        return self.fake.state.push("message", payload, self.chat.id).update_id

    async def send_photo(
        self, data: bytes, *, caption: str | None = None, chat: Chat | int | None = None
    ) -> Message:
        """Send a photo (real image bytes: JPEG, PNG, ...)."""
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        file = self.fake.state.store_file("photo", data, width=width, height=height)
        return self._say(chat, file=file, caption=caption)

    async def send_document(
        self,
        data: bytes,
        filename: str = "document.pdf",
        *,
        mime_type: str = "application/pdf",
        caption: str | None = None,
        chat: Chat | int | None = None,
    ) -> Message:
        """Send a file as a document."""
        file = self.fake.state.store_file("document", data, file_name=filename, mime_type=mime_type)
        return self._say(chat, file=file, caption=caption)

    async def send_sticker(self, emoji: str = "👍", *, chat: Chat | int | None = None) -> Message:
        """Send a sticker showing `emoji`."""
        file = self.fake.state.store_file("sticker", emoji.encode("utf-8"), emoji=emoji)
        return self._say(chat, file=file)

    async def send_voice(
        self, data: bytes = b"OggS\x00voice", duration: int = 2, *, chat: Chat | int | None = None
    ) -> Message:
        """Send a voice note."""
        file = self.fake.state.store_file("voice", data, duration=duration, mime_type="audio/ogg")
        return self._say(chat, file=file)

    async def send_location(
        self, latitude: float, longitude: float, *, chat: Chat | int | None = None
    ) -> Message:
        """Share a location."""
        return self._say(chat, extra={"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(
        self, phone_number: str, first_name: str | None = None, *, chat: Chat | int | None = None
    ) -> Message:
        """Share a contact (by default the user's own, with their user_id)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.person.first_name,
        }
        if first_name is None:
            contact["user_id"] = self.id
        return self._say(chat, extra={"contact": contact})

    async def edit(self, message: Message, text: str) -> Message:
        """Edit a text message this user sent earlier (the bot gets `edited_message`)."""
        return self.fake.state.user_edit(message, text=text, entities=detect_entities(text))

    async def block(self) -> None:
        """Block the bot: the bot gets `my_chat_member` and then 403 on every send."""
        self.fake.block(self.id)

    async def unblock(self) -> None:
        """Unblock the bot (restart it)."""
        self.fake.unblock(self.id)

    def messages(self) -> list[Message]:
        """What the bot has sent to this user's private chat."""
        return self.fake.messages(self.id)

    async def next_reply(self, timeout: float = 5.0) -> Message:
        """The next message the bot sends to this user's private chat."""
        return await self.fake.next_reply(self.id, timeout=timeout)
