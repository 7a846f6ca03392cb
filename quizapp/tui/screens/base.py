"""Screens of quizapp's app, with ``self.quiz_app``: the app typed as ``QuizApp`` (its study, decks and actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

ResultType = TypeVar("ResultType")


class AppScreen(Screen[ResultType]):
    """A full screen of ``QuizApp``."""

    @property
    def quiz_app(self) -> QuizApp:
        """The app, typed: its study session, opened workspace and actions."""
        return cast("QuizApp", self.app)


class AppModal(ModalScreen[ResultType]):
    """A dialog of ``QuizApp``."""

    @property
    def quiz_app(self) -> QuizApp:
        """The app, typed: its study session, opened workspace and actions."""
        return cast("QuizApp", self.app)
