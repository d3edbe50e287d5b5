"""The fake reads formatted text the way Telegram does: HTML, MarkdownV2, Markdown, entities."""

from __future__ import annotations

import pytest

from tests.fake_telegram import ApiError, Entity
from tests.fake_telegram.markup import detect_entities, parse, utf16_len


def kinds(entities: tuple[Entity, ...]) -> list[tuple[str, int, int]]:
    """Entities as (type, offset, length)."""
    return [(e.type, e.offset, e.length) for e in entities]


def test_html_nesting_and_utf16_offsets() -> None:
    text, entities = parse("😀 <b>bold <i>both</i></b> &lt;3 &amp; &nbsp;", "HTML")
    assert text == "😀 bold both <3 & &nbsp;"
    assert kinds(entities) == [("bold", 3, 9), ("italic", 8, 4)]
    assert utf16_len("😀") == 2


def test_html_links_code_spoilers_and_quotes() -> None:
    markup = (
        '<a href="https://example.org/?a=1&amp;b=2">site</a> '
        '<pre><code class="language-python">x = 1</code></pre> '
        '<span class="tg-spoiler">secret</span> <blockquote expandable>long</blockquote>'
    )
    text, entities = parse(markup, "html")
    assert text == "site x = 1 secret long"
    link, pre, spoiler, quote = entities
    assert (link.type, link.url) == ("text_link", "https://example.org/?a=1&b=2")
    assert (pre.type, pre.language) == ("pre", "python")
    assert (spoiler.type, quote.type) == ("spoiler", "expandable_blockquote")


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é<b", "Unclosed start tag at byte offset 2"),
        ("<i>a</i   ", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_html_errors_use_tdlib_words(markup: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse(markup, "HTML")
    assert caught.value.status == 400
    assert caught.value.description == f"Bad Request: can't parse entities: {error}"


def test_markdown_v2_entities_and_escapes() -> None:
    source = r"*bold* _it_ __under__ ~gone~ ||hidden|| `x\`y` [site](https://x.org) 1\.5\!"
    text, entities = parse(source, "MarkdownV2")
    assert text == "bold it under gone hidden x`y site 1.5!"
    assert [e.type for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1].url == "https://x.org"


def test_markdown_v2_pre_with_language_and_blockquote() -> None:
    text, entities = parse("```python\nx = 1```\n>quoted\n>lines\nafter", "MarkdownV2")
    assert text == "x = 1\nquoted\nlines\nafter"
    assert [(e.type, e.language) for e in entities] == [("pre", "python"), ("blockquote", None)]
    assert entities[1].length == utf16_len("quoted\nlines")


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Pay $20.50", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("a |b", "Character '|' is reserved and must be escaped with the preceding '\\'"),
    ],
)
def test_markdown_v2_errors(source: str, error: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities") as caught:
        parse(source, "MarkdownV2")
    assert caught.value.description.endswith(error)


def test_legacy_markdown() -> None:
    text, entities = parse(r"*b* _i_ `c` [x](https://y.org) \_", "Markdown")
    assert text == "b i c x _"
    assert [e.type for e in entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(ApiError, match="Can't find end of the entity starting at byte offset 2"):
        parse("a *b", "Markdown")


def test_plain_text_is_trimmed_and_given_entities_shift() -> None:
    given = [{"type": "bold", "offset": 2, "length": 2}]
    text, entities = parse("  hi  ", None, given)
    assert (text, kinds(entities)) == ("hi", [("bold", 0, 2)])


def test_unknown_parse_mode_is_refused() -> None:
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse("x", "BBCode")


def test_commands_and_links_get_entities_like_telegram_adds() -> None:
    text = "/start@pathways_test_bot code, see https://example.org"
    assert kinds(detect_entities(text)) == [("bot_command", 0, 24), ("url", 35, 19)]
    assert detect_entities("no/command here") == ()
