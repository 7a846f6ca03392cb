"""What the progress database holds, as Python values: a card's scheduling state and one answer of
the review log; times are timezone-aware UTC, stored as ISO text."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3

def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime | None) -> str | None:
    """UTC ISO-8601 text, the only form times take in the database."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("times stored in progress must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _required(moment: datetime | None) -> datetime:
    if moment is None:
        raise ValueError("a review log row without a time")
    return moment


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def time_of(text: str) -> datetime:
    """A time a row must have (a NOT NULL column)."""
    moment = from_iso(text)
    if moment is None:
        raise ValueError("a row without its time")
    return moment


@dataclass
class CardState:
    """The scheduling state of one item, as cached in ``cards``."""

    id: str
    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @classmethod
    def from_stored(cls, card_id: str, values: tuple) -> "CardState":
        """The state from its ``STATE_COLUMNS`` values as stored (see ``Store.state_values``)."""
        state, step, stability, difficulty, due, last_review, reps, lapses = values
        return cls(card_id, state, step, stability, difficulty, from_iso(due), from_iso(last_review), reps, lapses)

    def stored(self) -> tuple:
        """The ``STATE_COLUMNS`` values as they are stored."""
        return (
            self.state, self.step, self.stability, self.difficulty,
            to_iso(self.due), to_iso(self.last_review), self.reps, self.lapses,
        )

    @classmethod
    def from_row(cls, row: dict) -> "CardState":
        return cls(
            id=row["id"],
            state=row["state"],
            step=row["step"],
            stability=row["stability"],
            difficulty=row["difficulty"],
            due=from_iso(row["due"]),
            last_review=from_iso(row["last_review"]),
            reps=row["reps"],
            lapses=row["lapses"],
        )

    def columns(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": to_iso(self.due),
            "last_review": to_iso(self.last_review),
            "reps": self.reps,
            "lapses": self.lapses,
        }

    def to_json(self) -> str:
        return json.dumps(self.columns(), sort_keys=True)

    @classmethod
    def from_json(cls, card_id: str, text: str) -> "CardState":
        """The state saved by ``to_json`` (a log row's ``prev``)."""
        return cls.from_row({**json.loads(text), "id": card_id})


@dataclass
class LogEntry:
    """One answer: the append-only truth that card state is derived from."""

    id: str
    card_id: str
    rating: int
    reviewed_at: datetime
    duration_ms: int = 0
    mode: str = "review"
    scheduled: bool = True
    """Whether this answer moved the card's schedule (a right quiz answer does not)."""
    state_before: int = NEW
    due_after: datetime | None = None
    prev: str | None = None
    recall: float | None = None
    """FSRS's predicted chance, just before the answer, that the card would be recalled (None for a
    new card, or when not recorded)."""

    def values(self) -> tuple:
        """The row's values in ``LOG_COLUMNS`` order, as stored."""
        return (
            self.id, self.card_id, self.rating, to_iso(self.reviewed_at), self.duration_ms, self.mode,
            int(self.scheduled), self.state_before, to_iso(self.due_after), self.prev, self.recall,
        )

    def row(self) -> dict[str, Any]:
        # A shallow copy: asdict() deep-copies every value and was a third of an answer's work.
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["reviewed_at"] = to_iso(self.reviewed_at)
        data["due_after"] = to_iso(self.due_after)
        data["scheduled"] = int(self.scheduled)
        return data

    @classmethod
    def from_row(cls, row: dict) -> "LogEntry":
        return cls(
            id=row["id"],
            card_id=row["card_id"],
            rating=row["rating"],
            reviewed_at=_required(from_iso(row["reviewed_at"])),
            duration_ms=row["duration_ms"],
            mode=row["mode"],
            scheduled=bool(row["scheduled"]),
            state_before=row["state_before"],
            due_after=from_iso(row["due_after"]),
            prev=row["prev"],
            recall=row.get("recall"),
        )


STATE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
"""The columns of ``cards`` that hold a card's scheduling state (``CardState`` without its id)."""
LOG_COLUMNS = tuple(LogEntry.__dataclass_fields__)
"""The columns of ``review_log``, in ``LogEntry.values`` order."""


def new_id() -> str:
    """A random (version 4) UUID as text, the form of every log id."""
    return str(uuid.uuid4())
