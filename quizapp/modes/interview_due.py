"""How many mock-interview prompts wait to be practised, counted in SQL (the home screen's line,
without looking up each prompt's card as ``prompt_queue`` does). No Textual here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quizapp.db.store import Store, to_iso


@dataclass(frozen=True)
class PromptCounts:
    due: int
    """Answered prompts due again now (as ``prompt_queue`` marks them due)."""
    new: int
    """Prompts never answered."""
    drafts: int
    """Prompts with an answer in progress."""


def prompt_counts(store: Store, now: datetime) -> PromptCounts:
    row = store.conn.execute(
        """
        SELECT COALESCE(SUM(state != 0 AND due <= :now), 0), COALESCE(SUM(state = 0), 0),
               COALESCE(SUM(EXISTS (SELECT 1 FROM drafts d WHERE d.card_id = cards.id)), 0)
        FROM cards WHERE kind = 'interview' AND present = 1 AND suspended = 0
        """,
        {"now": to_iso(now)},
    ).fetchone()
    return PromptCounts(*row)
