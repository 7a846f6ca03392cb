"""Writing deck files' YAML directly: the shapes a card's plain data takes (text, numbers, flags,
lists of text, lists of mappings), in the layout PyYAML would give them, without building PyYAML's
node tree (an import of 100,000 notes spent most of its time there).

Text is written plain when it cannot be read as anything else, as a ``|`` block when it has
several lines and nothing a block would change, and double-quoted with escapes otherwise. The deck
loader reads every scalar as text, so what comes back is exactly what was written
(``tests/unit/test_deck_emitter.py`` checks it against the loader for awkward text).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

_PLAIN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.()?!'/ -]*")
"""Text safe to write without quotes in a block and in a flow list: it starts with a letter, holds
no ``:``, ``#``, ``,`` or brackets, and (checked apart) does not end with a space."""
_SPECIAL_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
"""Plain words other YAML readers take for flags or nothing (our loader reads them as text)."""
_BLOCK_UNSAFE_RE = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]|[ ]\n|[ ]$")
"""What a ``|`` block cannot hold as written: control characters, tabs, carriage returns, Unicode
line separators, byte-order marks, and spaces at the end of a line."""
_QUOTE_ESCAPE_RE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
"""Characters JSON leaves as they are but a YAML reader refuses or takes for a line break."""


class Unsupported(TypeError):
    """A value of a shape this writer does not know (the caller falls back to PyYAML)."""


def _quoted(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    if _QUOTE_ESCAPE_RE.search(out):
        out = _QUOTE_ESCAPE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return out


@functools.lru_cache(maxsize=4096)
def _flow_scalar(text: str) -> str:
    if _PLAIN_RE.fullmatch(text) and not text.endswith(" ") and text.lower() not in _SPECIAL_WORDS:
        return text
    return _quoted(text)


def _block_scalar(text: str, indent: int) -> str:
    """Text after ``key:``, with a leading space, for a value at ``indent`` spaces."""
    if "\n" not in text:
        return " " + _flow_scalar(text)
    if text[0] in " \n" or text.endswith("\n\n") or _BLOCK_UNSAFE_RE.search(text):
        return " " + _quoted(text)
    pad = " " * (indent + 2)
    head = " |\n" if text.endswith("\n") else " |-\n"
    body = text[:-1] if text.endswith("\n") else text
    return head + "\n".join(pad + line if line else "" for line in body.split("\n"))


def _entry(out: list[str], lead: str, key: str, value: Any, indent: int) -> None:
    """``key: value`` of a mapping whose keys stand at ``indent``; ``lead`` starts the line."""
    if isinstance(value, str):
        out.append(f"{lead}{key}:{_block_scalar(value, indent)}\n")
    elif isinstance(value, bool):
        out.append(f"{lead}{key}: {'true' if value else 'false'}\n")
    elif isinstance(value, int):
        out.append(f"{lead}{key}: {value}\n")
    elif isinstance(value, list):
        if not value:
            out.append(f"{lead}{key}: []\n")
        elif all(isinstance(v, str) and "\n" not in v for v in value) and sum(len(v) + 2 for v in value) < 70:
            out.append(f"{lead}{key}: [{', '.join(_flow_scalar(v) for v in value)}]\n")
        else:
            out.append(f"{lead}{key}:\n")
            pad = " " * indent
            for item in value:
                if isinstance(item, str):
                    out.append(f"{pad}- {_block_scalar(item, indent)[1:]}\n")
                elif isinstance(item, dict) and item:
                    mapping(out, item, indent, f"{pad}- ")
                else:
                    raise Unsupported(f"{key}: {type(item).__name__}")
    else:
        raise Unsupported(f"{key}: {type(value).__name__}")


def mapping(out: list[str], data: dict[str, Any], indent: int, first_lead: str) -> None:
    """A block mapping whose keys stand at ``indent`` + len of ``first_lead`` on its first line."""
    pad = " " * (indent + 2) if first_lead.endswith("- ") else " " * indent
    inner = indent + 2 if first_lead.endswith("- ") else indent
    lead = first_lead
    for key, value in data.items():
        if not _PLAIN_RE.fullmatch(key):
            raise Unsupported(f"key {key!r}")
        _entry(out, lead, key, value, inner)
        lead = pad


def basic_card_text(card_id: str, front: str, back: str, tags: list[str], source: list[str]) -> str:
    """``card_text`` of a basic card with only these fields (what most imported notes give), the
    same text made in one step."""
    if tags and sum(len(v) + 2 for v in tags) < 70 and not any("\n" in v for v in tags):
        tag_text = f"  tags: [{', '.join(map(_flow_scalar, tags))}]\n"
    else:
        tag_text = "".join(mapping_text({"tags": tags}, 2)) if tags else ""
    if len(source) == 1 and len(source[0]) < 66 and "\n" not in source[0]:
        source_text = f"  source: [{_flow_scalar(source[0])}]\n"
    else:
        source_text = mapping_text({"source": source}, 2)
    return (f"- id:{_block_scalar(card_id, 2)}\n  kind: basic\n  front:{_block_scalar(front, 2)}\n"
            f"  back:{_block_scalar(back, 2)}\n{tag_text}{source_text}")


def mapping_text(data: dict[str, Any], indent: int) -> str:
    out: list[str] = []
    mapping(out, data, indent, " " * indent)
    return "".join(out)


def card_text(data: dict[str, Any]) -> str:
    """One card of a deck file's ``cards:`` list, starting ``- id: ...`` at the line's start."""
    out: list[str] = []
    mapping(out, data, 0, "- ")
    return "".join(out)


def header_text(fields: dict[str, str]) -> str:
    """The deck's own keys (id, title, description), one a line."""
    out: list[str] = []
    mapping(out, fields, 0, "")
    return "".join(out)
