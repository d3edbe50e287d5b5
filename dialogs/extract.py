"""Babel extraction methods for the YAML the bot speaks from, and for dialogs/messages.py.

Flow files give their questions, button labels, acknowledgements and "why" lines; knowledge
files give every display text (titles, jobs, requirements, actions, summaries) except ids,
synonyms (each language has its own, in `locale/<lang>/synonyms.yaml`), codes and proper names
(the names of resources and their providers stay as the documents write them).

dialogs/messages.py keeps every fixed sentence as a module constant in plain English; each string
in it (dict values too) is a message, so the file reads as it did and code says `_(say.X)`.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

FLOW_KEYS = frozenset({"text", "ack", "why", "label"})
"""The keys of a flow file that the person reads."""
KNOWLEDGE_SKIP = frozenset(
    {
        "id",
        "synonyms",
        "aliases",
        "education",
        "kind",
        "unit",
        "pathways",
        "answer",
        "any_of",
        "provider",
        "school",
        "if_not_asked",
    }
)
"""Keys of a knowledge file that are codes or words for matching, never shown as they are."""
MATCHING_UNDER = frozenset({"synonyms", "aliases", "ask_if", "answers"})
"""Everything under these keys is words for matching or codes, at any depth."""
PROPER_NAMES_UNDER = frozenset({"resources", "terms"})
"""Lists whose `name` is a proper name (a programme or a website): kept untranslated."""

STR_TAG = "tag:yaml.org,2002:str"
"""Numbers and yes/no booleans resolve to other tags: only text is extracted."""
Extracted = tuple[int, str | None, str, list[str]]


Found = Iterator[tuple[yaml.ScalarNode, tuple[str, ...]]]


def _walk(node: yaml.Node, path: tuple[str, ...]) -> Found:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(value, (*path, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, path)
    elif isinstance(node, yaml.ScalarNode):
        yield node, path


def _wanted(path: tuple[str, ...], value: str, flow: bool) -> bool:
    if not path or not value.strip():
        return False
    key = path[-1]
    if flow:
        return key in FLOW_KEYS
    if key in KNOWLEDGE_SKIP or any(p in MATCHING_UNDER for p in path):
        return False
    return not (key == "name" and len(path) > 1 and path[-2] in PROPER_NAMES_UNDER)


def yaml_strings(text: str, *, flow: bool) -> Iterator[tuple[int, str, str]]:
    """(line, key path, text) of every string the person may read in one YAML document."""
    root = yaml.compose(text)
    if root is None:
        return
    for node, path in _walk(root, ()):
        value = str(node.value)
        if node.tag == STR_TAG and _wanted(path, value, flow):
            yield node.start_mark.line + 1, ".".join(path), value


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel's extraction entry point: one message per display string, its key as a comment."""
    text = fileobj.read().decode(str(options.get("encoding", "utf-8")))
    flow = str(options.get("kind", "knowledge")) == "flow"
    for line, key, value in yaml_strings(text, flow=flow):
        yield line, None, value, [key]


def extract_constants(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel's extraction entry point for a module of sentence constants: every string literal
    assigned at module level, with the constant's name as a comment for translators."""
    tree = ast.parse(fileobj.read().decode(str(options.get("encoding", "utf-8"))))
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            name = ", ".join(t.id for t in targets if isinstance(t, ast.Name))
            for node in ast.walk(statement.value):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
                    yield node.lineno, None, node.value, [name]
