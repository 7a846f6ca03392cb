"""Transitional: the names quizapp/interview.py, tui/screens/interview.py and tests/deck_quality.py
import from the old ``quizapp.deck`` module while they are being changed on main. Remove once they
import from ``quizapp.decks`` instead."""

from quizapp.decks.loader import load_decks
from quizapp.decks.models import CLOZE_RE, STAGES, Item, RubricPoint

__all__ = ["CLOZE_RE", "STAGES", "Item", "RubricPoint", "load_decks"]
