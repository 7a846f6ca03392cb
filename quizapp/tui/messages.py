"""Messages the app's workers post to their screens, handled there with ``@on``: a worker never
touches a widget itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the app imports this module at start-up, before any of these is needed
    from quizapp.modes.quiz import Question
    from quizapp.scheduling.optimize import Fit
    from quizapp.scheduling.scheduler import StudySettings
    from quizapp.stats.report import Report
    from quizapp.study.plan import PlanReport
    from quizapp.study.search import CardIndex, CardRow
    from quizapp.tui.screens.home import HomeFigures


@dataclass
class FiguresReady(Message):
    """The dashboard's figures, all but the plan's."""

    report: Report


@dataclass
class PlanFiguresReady(Message):
    """The plan's figures (None without an interview date), computed after the others are on screen."""

    plan: PlanReport | None


@dataclass
class FiguresFailed(Message):
    """The figures could not be computed."""

    error: Exception


@dataclass
class FitProgress(Message):
    """What the FSRS fit is doing now."""

    step: str


@dataclass
class FitDone(Message):
    """The fit's outcome: the fit and the settings now in force, or None and why nothing was fitted."""

    fit: Fit | None
    settings: StudySettings | None
    problem: str


@dataclass
class ParametersSaved(Message):
    """New FSRS parameters were saved: the app's study session schedules with them from now on."""

    settings: StudySettings


@dataclass
class BackupFailed(Message):
    """A periodic backup could not be made; the user is told why."""

    reason: str


@dataclass
class BrowseIndexRead(Message):
    """The card browser's cards, read off the UI thread into a ``CardIndex``."""

    index: CardIndex
    generation: int


@dataclass
class BrowseFound(Message):
    """A browser search's outcome (run off the UI thread): how many cards it found, and the first
    of them in the table's order."""

    found: int
    shown: list[CardRow]
    generation: int


@dataclass
class BrowseFailed(Message):
    """Reading or searching the cards failed; the status line says why."""

    reason: str


@dataclass
class QuizRoundBuilt(Message):
    """A quiz round's questions, drawn from the decks off the UI thread (empty: nothing to ask)."""

    questions: list[Question]


@dataclass
class HomeCounted(Message):
    """The home screen's counts, taken off the UI thread (None: they could not be, and ``problem`` says why)."""

    figures: HomeFigures | None
    problem: str = ""
