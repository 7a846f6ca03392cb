"""Bringing cards in and taking them out: Anki packages, CSV/TSV files, and new deck files.

Every import ends as a deck file in the workspace's ``decks/`` folder, in the same YAML format as
the bundled decks, so it is checked, studied and kept in progress by card id like any other deck.
"""

from __future__ import annotations

from quizapp.errors import QuizappError


class InteropError(QuizappError):
    """A file cannot be imported or exported as asked; the message says which file, where, and why."""
