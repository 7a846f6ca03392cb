"""FSRS scheduling: settings, the scheduler, the study day, the replay of the log, optimisation."""

# Transitional: tui/screens/interview.py imports these from ``quizapp.scheduling`` while it is being
# changed on main. Remove once it imports from ``quizapp.scheduling.scheduler``.
from quizapp.scheduling.scheduler import RATINGS, format_interval

__all__ = ["RATINGS", "format_interval"]
