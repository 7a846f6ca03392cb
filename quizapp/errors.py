"""Errors a user can cause, each carrying a message that says where and how to get out."""

from __future__ import annotations


class QuizappError(Exception):
    """Base for every error quizapp reports to a user as a message, never a traceback."""


class DeckError(QuizappError):
    """One or more problems in one deck file; ``problems`` lists them all, one line each."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


class StoreError(QuizappError):
    """The progress database cannot be opened or written safely."""


class StoreLockedError(StoreError):
    """Another process holds the progress database for longer than we are willing to wait."""
