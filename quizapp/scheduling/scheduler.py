"""FSRS scheduling (py-fsrs), the study day, and rebuilding card state from the review log."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import fsrs

from quizapp.db.records import NEW, CardState, LogEntry

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
FORGET_MODE = "forget"
"""The ``mode`` of a review-log row that puts its card back to new (the browser's forget); its rating
is not an answer, and replay starts the card afresh after it."""
FORGET = 0
"""What replay takes as the rating of a forget row."""


_NUMBER_LIMITS = {
    "desired_retention": (float, 0.7, 0.99),
    "new_per_day": (int, 0, 9999),
    "reviews_per_day": (int, 0, 99999),
    "rollover_hour": (int, 0, 23),
    "maximum_interval": (int, 1, None),
    "leech_threshold": (int, 0, 99),
}

NEW_ORDERS = ("mixed", "before", "after")
"""Where new cards go among the day's reviews: spread through them (Anki's default), first, or last."""


def _number(name: str, value: Any, kind: type, low: float | None, high: float | None) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
        raise ValueError(f"{name}: expected {'a whole number' if kind is int else 'a number'}, got {value!r}")
    value = kind(value)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name}: must be {bounds}, got {value}")
    return value


def _numbers(name: str, value: Any, optional: bool = False) -> list[float] | None:
    if value is None and optional:
        return None
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name}: expected a list of numbers, got {value!r}")
    return [_number(f"{name}[{i}]", v, float, None, None) for i, v in enumerate(value)]


@dataclass(frozen=True)
class StudySettings:
    """What a user can tune about scheduling; stored in the ``settings`` table under ``study``.

    Checked when made (a value out of range raises ``ValueError`` naming the field). A plain
    dataclass rather than a pydantic model: it is read at every start, where pydantic's import would
    be a tenth of the time to the first card."""

    desired_retention: float = 0.9
    """The share of reviews FSRS aims to have you recall."""
    new_per_day: int = 20
    """New cards introduced per study day."""
    reviews_per_day: int = 200
    """Review-state cards shown per study day."""
    rollover_hour: int = 4
    """The local hour at which a new study day starts (Anki's convention: 4 a.m.)."""
    learning_steps_min: list[float] = field(default_factory=lambda: [1.0, 10.0])
    """Minutes between the first answers of a new card."""
    relearning_steps_min: list[float] = field(default_factory=lambda: [10.0])
    """Minutes between answers after a lapse."""
    maximum_interval: int = 36500
    """The longest interval, in days."""
    fuzz: bool = True
    """Spread review intervals a little so cards learned together do not stay together."""
    parameters: list[float] | None = None
    """FSRS parameters fitted by ``quizapp optimize``; the FSRS defaults when unset."""
    new_order: str = "mixed"
    """Where new cards go among the day's reviews (``NEW_ORDERS``)."""
    bury_siblings: bool = True
    """An answered card's new siblings (other sides, other deletions) wait until the next day, and a
    new card waits while a sibling of it is due: the due one is shown, the new one waits."""
    leech_threshold: int = 8
    """Lapses after which a card is tagged leech and suspended (Anki's default); 0: never."""

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name, (kind, low, high) in _NUMBER_LIMITS.items():
            put(self, name, _number(name, getattr(self, name), kind, low, high))
        put(self, "learning_steps_min", _numbers("learning_steps_min", self.learning_steps_min))
        put(self, "relearning_steps_min", _numbers("relearning_steps_min", self.relearning_steps_min))
        put(self, "parameters", _numbers("parameters", self.parameters, optional=True))
        for name in ("learning_steps_min", "relearning_steps_min"):
            for i, step in enumerate(getattr(self, name)):
                if not 0 < step <= 60 * 24 * 365:
                    raise ValueError(f"{name}[{i}]: must be between 0 and 525600 minutes (more than 0), got {step:g}")
        for name in ("fuzz", "bury_siblings"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: expected true or false, got {getattr(self, name)!r}")
        if self.new_order not in NEW_ORDERS:
            raise ValueError(f"new_order: must be one of {', '.join(NEW_ORDERS)}, got {self.new_order!r}")

    @classmethod
    def model_validate(cls, data: Any) -> "StudySettings":
        """Settings from stored JSON; keys this version does not know are ignored."""
        if not isinstance(data, dict):
            raise ValueError(f"study settings: expected a mapping, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def model_dump(self) -> dict[str, Any]:
        return asdict(self)

    def model_copy(self, update: dict[str, Any] | None = None) -> "StudySettings":
        """A copy with ``update``'s values, checked like any other."""
        return replace(self, **(update or {}))


def load_settings(store) -> StudySettings:
    return StudySettings.model_validate(store.get_setting("study", {}))


def save_settings(store, settings: StudySettings) -> None:
    store.set_setting("study", settings.model_dump())


# ---------------------------------------------------------------- the study day


def study_day(moment: datetime, rollover_hour: int = 4) -> date:
    """The local calendar day a moment counts towards; a day runs from ``rollover_hour`` to ``rollover_hour``."""
    local = moment.astimezone()
    day = (local - timedelta(hours=rollover_hour)).date()
    # On a daylight-saving day the rollover hour can be skipped or repeated; ``day_start`` is the
    # boundary the queries use, so the day is whichever of its neighbours that boundary puts us in.
    if moment < day_start(day, rollover_hour):
        return day - timedelta(days=1)
    if moment >= day_start(day + timedelta(days=1), rollover_hour):
        return day + timedelta(days=1)
    return day


def day_start(day: date, rollover_hour: int = 4) -> datetime:
    """The UTC moment the study day ``day`` begins."""
    return datetime.combine(day, time(rollover_hour)).astimezone().astimezone(timezone.utc)


# ---------------------------------------------------------------- FSRS


def fsrs_id(card_id: str) -> int:
    # py-fsrs sleeps 1 ms to invent an id when none is given; any stable integer will do.
    return zlib.crc32(card_id.encode())


def to_fsrs(state: CardState) -> fsrs.Card:
    if state.state == NEW:
        return fsrs.Card(card_id=fsrs_id(state.id))
    return fsrs.Card(
        card_id=fsrs_id(state.id),
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def from_fsrs(card_id: str, card: fsrs.Card, reps: int, lapses: int) -> CardState:
    return CardState(
        id=card_id,
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=reps,
        lapses=lapses,
    )


class Scheduler:
    """py-fsrs's scheduler with the user's settings, plus previews and replay."""

    def __init__(self, settings: StudySettings | None = None):
        self.settings = settings or StudySettings()
        kwargs: dict[str, Any] = dict(
            desired_retention=self.settings.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in self.settings.learning_steps_min),
            relearning_steps=tuple(timedelta(minutes=m) for m in self.settings.relearning_steps_min),
            maximum_interval=self.settings.maximum_interval,
        )
        if self.settings.parameters:
            kwargs["parameters"] = tuple(self.settings.parameters)
        self.fsrs = fsrs.Scheduler(enable_fuzzing=self.settings.fuzz, **kwargs)
        """Schedules real answers (with fuzz when enabled)."""
        self.exact = fsrs.Scheduler(enable_fuzzing=False, **kwargs)
        """Previews and replays: the same maths without randomness."""

    def answer(self, state: CardState, rating: int, now: datetime) -> CardState:
        """The card's state after answering ``rating`` at ``now``."""
        now = _safe_now(state, now)
        card, _ = self.fsrs.review_card(to_fsrs(state), fsrs.Rating(rating), now)
        lapsed = state.state == 2 and rating == 1
        return from_fsrs(state.id, card, state.reps + 1, state.lapses + int(lapsed))

    def retrievability(self, state: CardState, at: datetime) -> float:
        """FSRS's predicted chance of recalling the card at ``at`` (0 for a new card)."""
        if state.state == NEW:
            return 0.0
        return self.exact.get_card_retrievability(to_fsrs(state), at.astimezone(timezone.utc))

    def replay(self, card_id: str, log: Iterable[LogEntry]) -> CardState:
        """Rebuild a card's state from its answers (``scheduling.replay.replay_log``)."""
        # Imported here: replay builds on this module's scheduler.
        from quizapp.scheduling.replay import replay_log

        return replay_log(self, card_id, log)


def _safe_now(state: CardState, now: datetime) -> datetime:
    """Never review before the last review: a clock set back must not make negative intervals."""
    now = now.astimezone(timezone.utc)
    if state.last_review is not None and now < state.last_review:
        return state.last_review
    return now


def format_interval(delta: timedelta) -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return f"{int(seconds)}s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30.44:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365.25:.1f}y".replace(".0y", "y")
