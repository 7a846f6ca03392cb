"""Text from decks, files, paths and users for the few Textual places that read markup (the command
palette's titles and help): shown literally, control characters as visible symbols."""

from __future__ import annotations

from quizapp.text import printable


def markup_literal(text: str) -> str:
    """``text`` as markup that shows exactly ``text`` (with ``printable``'s visible control characters)."""
    # Every "[" escaped, not only those starting a known tag:
    # Textual's own escape leaves "[2J" alone, and such an opening bracket swallows later escapes.
    return printable(text).replace("[", "\\[")


