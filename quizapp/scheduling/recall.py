"""FSRS's forgetting curve as SQL: the recall a card is predicted to have at a moment, computed by
SQLite over many cards at once (stats and the interview-date plan)."""

from __future__ import annotations

import math
import sqlite3

from quizapp.scheduling.scheduler import Scheduler


def ensure_sql_math(conn: sqlite3.Connection) -> None:
    """Give the connection ``pow()`` when its SQLite was built without the math functions."""
    try:
        conn.execute("SELECT pow(2, 2)").fetchone()
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)


def recall_sql(stability: str, last_review: str, at: str, unknown: str = "0.0") -> str:
    """SQL for FSRS's retrievability of a card with ``stability`` last reviewed at ``last_review``,
    at the moment ``at`` (three SQL expressions; times as ISO text).

    It is py-fsrs's ``get_card_retrievability`` (whole days elapsed, FSRS-6 forgetting curve) and
    needs the parameters ``:decay`` and ``:factor`` from ``curve_params``. A card never reviewed
    gives ``unknown`` (0, as py-fsrs says).
    """
    days = f"MAX(0, CAST(ROUND((julianday({at}) - julianday({last_review})) * 86400000) AS INTEGER) / 86400000)"
    return (
        f"(CASE WHEN {stability} > 0 AND {last_review} IS NOT NULL "
        f"THEN pow(1 + :factor * {days} / {stability}, :decay) ELSE {unknown} END)"
    )


def curve_params(scheduler: Scheduler) -> dict[str, float]:
    """The forgetting curve's ``:decay`` and ``:factor`` for ``recall_sql``, from the parameters in use."""
    decay = -scheduler.exact.parameters[20]
    return {"decay": decay, "factor": 0.9 ** (1 / decay) - 1}
