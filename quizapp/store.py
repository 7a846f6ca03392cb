"""Transitional: the names quizapp/interview.py imports from the old ``quizapp.store`` module while it
is being changed on main. Remove once it imports from ``quizapp.db`` instead."""

from quizapp.db.records import from_iso, new_id, to_iso
from quizapp.db.store import Store

__all__ = ["Store", "from_iso", "new_id", "to_iso"]
