"""Bringing cards in and taking them out: Anki packages, CSV/TSV files, and new deck files.

Every import ends as a deck file in the workspace's ``decks/`` folder, in the same YAML format as
the bundled decks, so it is checked, studied and kept in progress by card id like any other deck.
"""

from __future__ import annotations

from quizapp.errors import QuizappError


class InteropError(QuizappError):
    """A file cannot be imported or exported as asked; the message says which file, where, and why."""


def discard(path) -> None:
    """Remove a half-written file if there is one; where the folder cannot be written to at all
    (a read-only file system) there is none, and the error is the write's, not this removal's."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
