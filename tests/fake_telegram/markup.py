"""Formatted text the way Telegram reads it: HTML, MarkdownV2 and Markdown into text + entities.

Error texts follow tdlib ("can't parse entities: ..."), offsets in error texts are UTF-8 byte
offsets of the source, entity offsets are UTF-16 code units of the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request
from .model import Entity

HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
URL = re.compile(r"https?://[^\s<>\"]+")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts entities (and limits) in."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _fail(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def parse(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, tuple[Entity, ...]]:
    """The plain text and entities a user sees for `text` sent with `parse_mode`, trimmed."""
    mode = (parse_mode or "").lower()
    if mode == "":
        plain, found = text, _given_entities(text, entities)
    elif mode == "html":
        plain, found = _Html(text).run()
    elif mode == "markdownv2":
        plain, found = _MarkdownV2(text).run()
    elif mode == "markdown":
        plain, found = _markdown(text)
    else:
        raise bad_request("unsupported parse_mode")
    return _trim(plain, found)


def detect_entities(text: str) -> tuple[Entity, ...]:
    """Entities Telegram adds to what a user types: bot commands and links."""
    found = [
        Entity(kind, utf16_len(text[: m.start()]), utf16_len(m.group()))
        for kind, pattern in (("bot_command", COMMAND), ("url", URL))
        for m in pattern.finditer(text)
    ]
    return tuple(sorted(found, key=lambda e: (e.offset, -e.length)))


def _given_entities(text: str, raw: Any) -> list[Entity]:
    if not raw:
        return []
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    size, found = utf16_len(text), []
    for item in raw:
        entity = Entity(
            str(item.get("type")), int(item.get("offset", -1)), int(item.get("length", 0))
        )
        if entity.offset < 0 or entity.offset + entity.length > size:
            raise bad_request("can't parse entities: entity beyond the end of the text")
        found.append(Entity(entity.type, entity.offset, entity.length, item.get("url")))
    return found


def _trim(text: str, entities: list[Entity]) -> tuple[str, tuple[Entity, ...]]:
    stripped = text.strip()
    if not stripped:
        return "", ()
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for e in entities:
        start = max(e.offset - shift, 0)
        end = min(e.offset + e.length - shift, size)
        if end > start:
            kept.append(Entity(e.type, start, end - start, e.url, e.language, e.custom_emoji_id))
    return stripped, tuple(sorted(kept, key=lambda e: (e.offset, -e.length)))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """An HTML character reference at `i` (tdlib: only lt, gt, amp, quot and numeric ones)."""
    m = re.compile(r"&(?:#x([0-9a-fA-F]{1,8})|#([0-9]{1,8})|([A-Za-z]+));?").match(text, i)
    if m is None:
        return None
    hexa, deci, name = m.groups()
    if name is not None:
        char = NAMED_ENTITIES.get(name)
        return (char, m.end()) if char is not None else None
    code = int(hexa, 16) if hexa is not None else int(deci)
    if code == 0 or code >= 0x10FFFF:
        return None
    return chr(code), m.end()


@dataclass(slots=True)
class _Open:
    tag: str
    start: int
    index: int
    attributes: dict[str, str]


@dataclass(slots=True)
class _Html:
    source: str
    out: list[str] = field(default_factory=list)
    pos: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def run(self) -> tuple[str, list[Entity]]:
        text, i = self.source, 0
        while i < len(text):
            if text[i] == "&" and (decoded := _decode_entity(text, i)) is not None:
                self._emit(decoded[0])
                i = decoded[1]
            elif text[i] != "<":
                self._emit(text[i])
                i += 1
            elif text.startswith("</", i):
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            raise _fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        return "".join(self.out), self.entities

    def _emit(self, chars: str) -> None:
        self.out.append(chars)
        self.pos += utf16_len(chars)

    def _at(self, i: int) -> int:
        return _byte_offset(self.source, i)

    def _start_tag(self, begin: int) -> int:
        text, i = self.source, begin + 1
        while i < len(text) and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= len(text):
            raise _fail(f"Unclosed start tag at byte offset {self._at(begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in HTML_TAGS:
            raise _fail(f'Unsupported start tag "{tag}" at byte offset {self._at(begin)}')
        attributes, i = self._attributes(i, tag, begin)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _fail(f'Tag "span" must have class "tg-spoiler" at byte offset {self._at(begin)}')
        self.stack.append(_Open(tag, self.pos, begin, attributes))
        return i + 1

    def _attributes(self, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
        text, found = self.source, dict[str, str]()
        pattern = re.compile(r"\s*([^\s=>]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9.\-]*))?")
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                raise _fail(f"Unclosed start tag at byte offset {self._at(begin)}")
            if text[i] == ">":
                return found, i
            m = pattern.match(text, i)
            if m is None or (
                m.group(2) is None and (tag, m.group(1)) != ("blockquote", "expandable")
            ):
                raise _fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self._at(begin)}"
                )
            value = m.group(2) or ""
            if value[:1] in ("'", '"'):
                value = _unescape(value[1:-1])
            found[m.group(1).lower()] = value
            i = m.end()

    def _end_tag(self, begin: int) -> int:
        text, i = self.source, begin + 2
        if not self.stack:
            raise _fail(f"Unexpected end tag at byte offset {self._at(begin)}")
        while i < len(text) and not text[i].isspace() and text[i] != ">":
            i += 1
        name = text[begin + 2 : i].lower()
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text) or text[i] != ">":
            raise _fail(f"Unclosed end tag at byte offset {self._at(begin)}")
        top = self.stack[-1]
        if name and name != top.tag:
            raise _fail(
                f'Unmatched end tag at byte offset {self._at(begin)}, expected "</{top.tag}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self._close(top)
        return i + 1

    def _close(self, top: _Open) -> None:
        length = self.pos - top.start
        if length <= 0:
            return
        kind, attrs = HTML_TAGS[top.tag], top.attributes
        if kind == "code" and self.stack and self.stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one `pre` entity with a language
            self.stack[-1].attributes[" language"] = attrs.get("class", "").removeprefix(
                "language-"
            )
            return
        url = attrs.get("href") if kind == "text_link" else None
        emoji = attrs.get("emoji-id") if kind == "custom_emoji" else None
        language = attrs.get(" language") or None
        if kind == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        if kind == "text_link" and not url:
            return
        self.entities.append(Entity(kind, top.start, length, url, language, emoji))


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        decoded = _decode_entity(value, i) if value[i] == "&" else None
        if decoded is None:
            out.append(value[i])
            i += 1
        else:
            out.append(decoded[0])
            i = decoded[1]
    return "".join(out)


MD2_TYPES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
    "`": "code",
    "```": "pre",
    "[": "text_link",
}
MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


@dataclass(slots=True)
class _Span:
    kind: str
    start: int
    at: int
    language: str | None = None


@dataclass(slots=True)
class _MarkdownV2:
    source: str
    out: list[str] = field(default_factory=list)
    pos: int = 0
    stack: list[_Span] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quote: int | None = None

    def run(self) -> tuple[str, list[Entity]]:
        text, i = self.source, 0
        while i < len(text):
            i = self._step(text, i)
        self._end_quote()
        if self.stack:
            top = self.stack[-1]
            name = "PreCode" if top.language else MD2_NAMES[top.kind]
            raise _fail(f"Can't find end of {name} entity at byte offset {top.at}")
        return "".join(self.out), self.entities

    def _emit(self, chars: str) -> None:
        self.out.append(chars)
        self.pos += utf16_len(chars)

    def _in_code(self) -> bool:
        return bool(self.stack) and self.stack[-1].kind in ("code", "pre")

    def _step(self, text: str, i: int) -> int:
        c = text[i]
        if c == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            self._emit(text[i + 1])
            return i + 2
        if c == "\n":
            if not text.startswith(">", i + 1):
                self._end_quote()
            self._emit(c)
            return i + 1
        if c == ">" and (i == 0 or text[i - 1] == "\n") and not self._in_code():
            self.quote = self.pos if self.quote is None else self.quote
            return i + 1
        if c not in MD2_RESERVED:
            self._emit(c)
            return i + 1
        marker = self._closing_marker(text, i)
        if marker is not None:
            return self._close(text, i + len(marker))
        if self._in_code():
            self._emit(c)
            return i + 1
        return self._open(text, i)

    def _closing_marker(self, text: str, i: int) -> str | None:
        if not self.stack:
            return None
        kind = self.stack[-1].kind
        if kind == "text_link":
            return "]" if text.startswith("]", i) else None
        if kind == "italic" and text.startswith("__", i):
            return None
        marker = next(m for m, k in MD2_TYPES.items() if k == kind)
        return marker if text.startswith(marker, i) else None

    def _open(self, text: str, i: int) -> int:
        at = _byte_offset(text, i)
        for marker in ("```", "__", "||", "*", "_", "~", "`", "["):
            if text.startswith(marker, i):
                self.stack.append(_Span(MD2_TYPES[marker], self.pos, at))
                end = i + len(marker)
                return self._skip_language(text, end) if marker == "```" else end
        char = text[i]
        raise _fail(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")

    def _skip_language(self, text: str, i: int) -> int:
        end = text.find("\n", i)
        if end == -1:
            return i
        language = text[i:end]
        if language and not any(ch.isspace() for ch in language):
            self.stack[-1].language = language
        return end + 1

    def _close(self, text: str, i: int) -> int:
        top = self.stack.pop()
        url = None
        if top.kind == "text_link":
            url, i = self._link_target(text, i, top.start)
        length = self.pos - top.start
        if length > 0 and (top.kind != "text_link" or url):
            self.entities.append(Entity(top.kind, top.start, length, url, top.language))
        return i

    def _link_target(self, text: str, i: int, start: int) -> tuple[str | None, int]:
        if not text.startswith("(", i):
            return None, i
        end = text.find(")", i)
        if end == -1:
            raise _fail(f"Can't find end of a url at byte offset {_byte_offset(text, i)}")
        return text[i + 1 : end], end + 1

    def _end_quote(self) -> None:
        if self.quote is not None and self.pos > self.quote:
            self.entities.append(Entity("blockquote", self.quote, self.pos - self.quote))
        self.quote = None


LEGACY = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}
LINK_TARGET = re.compile(r"\(([^)]*)\)")


def _markdown(text: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````, `[text](url)`."""
    out: list[str] = []
    entities: list[Entity] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 2] in ("_", "*", "`", "["):
            out.append(text[i + 1])
            i += 2
        elif text[i] in LEGACY:
            i = _legacy_entity(text, i, out, entities)
        else:
            out.append(text[i])
            i += 1
    return "".join(out), entities


def _legacy_entity(text: str, i: int, out: list[str], entities: list[Entity]) -> int:
    """Read one legacy Markdown entity starting at `i`; return where reading goes on."""
    opener = text[i]
    pre = text.startswith("```", i)
    marker = "```" if pre else ("]" if opener == "[" else opener)
    start = i + (3 if pre else 1)
    end = text.find(marker, start)
    if end == -1:
        at = _byte_offset(text, i)
        raise _fail(f"Can't find end of the entity starting at byte offset {at}")
    inner, i = text[start:end], end + len(marker)
    url = None
    if opener == "[":
        m = LINK_TARGET.match(text, i)
        url, i = (m.group(1), m.end()) if m else (inner, i)
    if inner:
        kind = "pre" if pre else LEGACY[opener]
        entities.append(Entity(kind, utf16_len("".join(out)), utf16_len(inner), url))
    out.append(inner)
    return i
