"""Making deck and user text safe to show in a terminal, character for character."""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def printable(text: str) -> str:
    """The text with terminal control characters and direction overrides shown as visible symbols,
    so no escape sequence, OSC 52 clipboard write or right-to-left trick reaches the terminal."""
    return _CONTROL.sub(_visible, text)


def literal(text: str, style: str = "") -> Text:
    """Deck or user text as Rich ``Text``: every character literal (never read as markup), control
    characters made visible."""
    return Text(printable(text), style=style)
