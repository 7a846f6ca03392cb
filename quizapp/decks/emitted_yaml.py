"""A fast reader for the YAML that quizapp writes itself (``interop/yamlemit.py``, used by imports).

PyYAML builds a node object for every scalar, and composing an imported deck of 100,000 notes took
~10 s and over 1 GB before any card was checked. Deck files written by an import use a small
subset of YAML: a comment header, ``key: value`` lines, values that are plain words, one-line
double-quoted strings (JSON's escapes), ``|`` / ``|-`` literal blocks, ``[a, "b"]`` flow lists of
text and block lists at the key's indent of text or of mappings. This reads exactly that subset,
every scalar as text as the loader wants it, and gives up (``None``) on anything else: the file is
then read by PyYAML as every hand-written deck is, so what a deck means and every error message
(with file, line and field) stay PyYAML's. ``tests/unit/test_emitted_yaml.py`` checks both readers
agree on emitted decks of awkward text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from quizapp.decks.models import MAX_TEXT_CHARS

IMPORTED_MARK = b"# Imported with `quizapp import`"
"""How a deck file written by an import starts: only such files are tried with this reader."""
_ODD = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")
"""Characters this reader leaves to PyYAML: tabs, carriage returns, control characters, YAML's other
line breaks (NEL, LS, PS), byte-order marks, surrogates."""
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")
_PLAIN = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_.()?!'/ -]*[A-Za-z0-9_.()?!'/-])?|-?[0-9]+")
"""Text that any YAML reader takes as it stands (no ``:``, ``#``, ``,``, brackets or quotes that would
mean something, no space at either end), and whole numbers (read as text by the loader)."""
_FLOW_ITEM = re.compile(r"\"(?:[^\"\\]|\\.)*\"|[A-Za-z_](?:[A-Za-z0-9_.()?!'/ -]*[A-Za-z0-9_.()?!'/-])?")
_PLAIN_LIST = re.compile(r"\[{0}(?:, {0})*\]".format(r"[A-Za-z_](?:[A-Za-z0-9_.()?!'/ -]*[A-Za-z0-9_.()?!'/-])?"))
"""A flow list of plain words only (most tag lists)."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]", re.IGNORECASE)
"""``\\ud83d\\ude00`` is one character to JSON but two to YAML: left to PyYAML."""


class _Other(Exception):
    """Not the subset: PyYAML reads the file."""


def read_emitted(text: str) -> tuple[dict[str, Any], dict[int, tuple[int, int]]] | None:
    """The document and, for each card of its ``cards`` list, where its id's value stands (line,
    column) as PyYAML would report it; ``None`` when the text is not of the subset."""
    if _ODD.search(text) or not text.endswith("\n"):
        return None
    lines = text.split("\n")
    lines.pop()
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    reader = _Reader(lines, start)
    try:
        doc, _ = reader.mapping(0)
    except (_Other, ValueError, RecursionError):
        return None
    if reader.i != len(lines) or not doc:
        return None
    return doc, reader.card_ids


class _Reader:
    def __init__(self, lines: list[str], start: int):
        self.lines = lines
        self.i = start
        self.card_ids: dict[int, tuple[int, int]] = {}

    def mapping(self, indent: int) -> tuple[dict[str, Any], tuple[int, int] | None]:
        """A block mapping whose keys stand at column ``indent``; (mapping, where its id's value is)."""
        lines = self.lines
        pad = " " * indent
        key_match = _KEY.match
        out: dict[str, Any] = {}
        id_at = None
        while self.i < len(lines):
            line = lines[self.i]
            if not line.startswith(pad):
                break  # less indented: the mapping ends
            after = line[indent:indent + 2]
            if after == "- ":
                break  # the next item of the list this mapping is in
            if after[:1] == " ":
                raise _Other
            m = key_match(line, indent)
            if m is None:
                raise _Other
            key, rest = m.groups()
            if key in out:
                raise _Other
            if key == "id":
                id_at = (self.i + 1, m.start(2) + 1)
            self.i += 1
            if rest is None:
                out[key] = self.sequence(indent, top=indent == 0 and key == "cards")
            else:
                out[key] = self.value(rest, indent + 2)
        return out, id_at

    def sequence(self, indent: int, top: bool = False) -> list[Any]:
        """A block list whose ``- `` stand at column ``indent`` (the key's own column)."""
        lines = self.lines
        items: list[Any] = []
        pad = " " * indent + "- "
        inner = " " * (indent + 2)
        while self.i < len(lines) and lines[self.i].startswith(pad):
            rest = lines[self.i][indent + 2:]
            if _KEY.match(rest) and not rest.startswith(" "):
                lines[self.i] = inner + rest
                item, id_at = self.mapping(indent + 2)
                if top and id_at is not None:
                    self.card_ids[len(items)] = id_at
                items.append(item)
            else:
                self.i += 1
                items.append(self.value(rest, indent + 2))
        if not items:
            raise _Other
        return items

    def value(self, rest: str, block_indent: int) -> Any:
        """The value written after ``key: `` (or ``- ``); a literal block's lines stand at
        ``block_indent``."""
        first = rest[:1]
        if first == '"':
            return _quoted(rest)
        if first == "[":
            return _flow_list(rest)
        if rest in ("|", "|-"):
            return self.block(block_indent, keep_end=rest == "|")
        if _PLAIN.fullmatch(rest):
            return _checked(rest)
        raise _Other

    def block(self, indent: int, keep_end: bool) -> str:
        lines = self.lines
        pad = " " * indent
        body: list[str] = []
        while self.i < len(lines):
            line = lines[self.i]
            if line.startswith(pad):
                body.append(line[indent:])
            elif line == "":
                body.append("")
            elif line.strip(" ") == "":
                raise _Other
            else:
                break
            self.i += 1
        while body and body[-1] == "":
            body.pop()
        if not body or body[0] == "" or body[0].startswith(" "):
            raise _Other
        text = "\n".join(body)
        return _checked(text + "\n" if keep_end else text)


def _checked(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise _Other  # PyYAML's reading says how long it is and where
    return text


def _quoted(text: str) -> str:
    if text.count('"') == 2 and text[-1] == '"' and "\\" not in text:
        return _checked(text[1:-1])  # nothing escaped: the text between the quotes
    if _SURROGATE_ESCAPE.search(text):
        raise _Other
    value = json.loads(text)
    if not isinstance(value, str):
        raise _Other
    return _checked(value)


def _flow_list(text: str) -> list[str]:
    if text == "[]":
        return []
    if '"' not in text and len(text) <= MAX_TEXT_CHARS and _PLAIN_LIST.fullmatch(text):
        return text[1:-1].split(", ")
    if not text.endswith("]"):
        raise _Other
    items = []
    at, end = 1, len(text) - 1
    while True:
        m = _FLOW_ITEM.match(text, at)
        if m is None:
            raise _Other
        item = m.group()
        items.append(_quoted(item) if item.startswith('"') else _checked(item))
        at = m.end()
        if at == end:
            return items
        if not text.startswith(", ", at):
            raise _Other
        at += 2
