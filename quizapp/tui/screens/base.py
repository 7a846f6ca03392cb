"""Screens of quizapp's app, with ``self.quiz_app``: the app typed as ``QuizApp`` (its study, decks and actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

ResultType = TypeVar("ResultType")

IN_WORKER_FROM = 500
"""From this many cards on, the home screen counts and the browser reads and searches its cards in a
worker (at 100k cards counting takes about 0.1 s and reading every card two seconds; at 1,000 cards
reading them at once still held the screen 40-80 ms longer); a smaller collection is read at once,
so its screens never show half-read figures."""


class AppScreen(Screen[ResultType]):
    """A full screen of ``QuizApp``."""

    @property
    def quiz_app(self) -> QuizApp:
        """The app, typed: its study session, opened workspace and actions."""
        return cast("QuizApp", self.app)


    def card_count(self) -> int:
        """The cards in the progress database, present or not."""
        return int(self.quiz_app.opened.store.scalar("SELECT COUNT(*) FROM cards"))


class AppModal(ModalScreen[ResultType]):
    """A dialog of ``QuizApp``."""

    @property
    def quiz_app(self) -> QuizApp:
        """The app, typed: its study session, opened workspace and actions."""
        return cast("QuizApp", self.app)
