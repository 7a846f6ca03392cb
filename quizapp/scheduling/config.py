"""The study settings a user changes (``quizapp config`` and the Settings screen): their names, what
they mean, how a value is written, and checking one with a message naming the key, the value and
what is allowed. Stored in ``StudySettings`` under the ``settings`` table's ``study`` key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from quizapp.errors import QuizappError
from quizapp.scheduling.scheduler import NEW_ORDERS, StudySettings, load_settings, save_settings


@dataclass(frozen=True)
class Setting:
    """One setting a user may change."""

    key: str
    """The name ``quizapp config`` takes."""
    field: str
    """The ``StudySettings`` field it is stored in."""
    label: str
    """Its name on the Settings screen."""
    allowed: str
    """What values are allowed, as the message for a bad one says."""
    help: str
    """One line on what it does."""


SETTINGS: tuple[Setting, ...] = (
    Setting("new_per_day", "new_per_day", "New cards a day", "a whole number from 0 to 9999",
            "New cards introduced each study day (a card's sides and deletions count once)."),
    Setting("reviews_per_day", "reviews_per_day", "Reviews a day", "a whole number from 0 to 99999",
            "Review cards shown each study day at most."),
    Setting("desired_retention", "desired_retention", "Desired retention", "a number from 0.7 to 0.99",
            "The share of reviews FSRS aims to have you recall; higher means more reviews."),
    Setting("rollover_hour", "rollover_hour", "Day starts at (hour)", "a whole hour from 0 to 23",
            "The local hour at which a new study day starts (Anki's default: 4)."),
    Setting("learning_steps", "learning_steps_min", "Learning steps", "steps like '1m 10m' (m, h or d; each over 0, up to 365d)",
            "Waits between the first answers of a new card."),
    Setting("relearning_steps", "relearning_steps_min", "Relearning steps", "steps like '10m' (m, h or d; each over 0, up to 365d)",
            "Waits between answers after a forgotten review."),
    Setting("new_order", "new_order", "New cards", "one of " + ", ".join(NEW_ORDERS),
            "Where new cards go: mixed with the reviews (spread through them), before or after them."),
    Setting("bury_siblings", "bury_siblings", "Bury siblings", "yes or no",
            "A card's other sides and deletions wait for the next day once one is answered."),
    Setting("leech_threshold", "leech_threshold", "Leech threshold", "a whole number from 0 to 99 (0: never)",
            "Lapses after which a card is tagged leech and suspended."),
)
BY_KEY = {s.key: s for s in SETTINGS}

_STEP = re.compile(r"^(\d+(?:\.\d+)?)([mhd]?)$")
_UNIT_MINUTES = {"": 1, "m": 1, "h": 60, "d": 60 * 24}


def setting(key: str) -> Setting:
    found = BY_KEY.get(key.strip().replace("-", "_"))
    if found is None:
        raise QuizappError(f"no setting '{key}' (settings: {', '.join(BY_KEY)})")
    return found


def format_value(key: str, value: Any) -> str:
    """A setting's value as ``quizapp config`` shows it and reads it back."""
    if setting(key).field.endswith("_steps_min"):
        return " ".join(_format_step(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _format_step(minutes: float) -> str:
    for unit, size in (("d", 60 * 24), ("h", 60)):
        if minutes >= size and minutes % size == 0:
            return f"{minutes / size:g}{unit}"
    return f"{minutes:g}m"


def parse_value(key: str, text: str) -> Any:
    """The value ``text`` stands for; a ``QuizappError`` naming key, value and what is allowed when
    it is not one."""
    s = setting(key)
    raw = text.strip()
    bad = QuizappError(f"{s.key} = {text!r}: expected {s.allowed}")
    if s.field.endswith("_steps_min"):
        if raw.lower() in ("", "none"):
            return []
        steps = []
        for part in raw.replace(",", " ").split():
            m = _STEP.match(part.lower())
            if not m:
                raise bad
            steps.append(float(m.group(1)) * _UNIT_MINUTES[m.group(2)])
        return steps
    if s.field == "bury_siblings":
        lowered = raw.lower()
        if lowered in ("yes", "true", "on", "1"):
            return True
        if lowered in ("no", "false", "off", "0"):
            return False
        raise bad
    if s.field == "new_order":
        if raw.lower() not in NEW_ORDERS:
            raise bad
        return raw.lower()
    try:
        return float(raw) if s.field == "desired_retention" else int(raw)
    except ValueError:
        raise bad from None


def with_value(settings: StudySettings, key: str, text: str) -> StudySettings:
    """``settings`` with the setting ``key`` set from ``text``, checked."""
    s = setting(key)
    value = parse_value(key, text)
    try:
        return settings.model_copy(update={s.field: value})
    except ValueError:
        raise QuizappError(f"{s.key} = {text!r}: expected {s.allowed}") from None


def change(store, key: str, text: str) -> StudySettings:
    """Set one setting in the database; returns the settings now in force."""
    settings = with_value(load_settings(store), key, text)
    save_settings(store, settings)
    return settings


def rows(settings: StudySettings) -> list[tuple[Setting, str, str]]:
    """Every setting with its value and its default, as text."""
    default = StudySettings()
    return [
        (s, format_value(s.key, getattr(settings, s.field)), format_value(s.key, getattr(default, s.field)))
        for s in SETTINGS
    ]
