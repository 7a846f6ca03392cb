"""The rules of today's queue that the counts and the next card must agree on: which new cards may
be shown while their siblings are due, how a note's new cards count, and where new cards go among
the reviews. No Textual here.

Anki's rule for siblings (the other sides of a card, the other deletions of a cloze): a due review
or learning card is always shown, and a new sibling of it is the one that waits for the next day.
Answering a card buries its new siblings only; a due review is never buried by a sibling, so no
review waits past its due day because of one.
"""

from __future__ import annotations

NOTE = "(CASE WHEN instr({t}.id, '::') > 0 THEN substr({t}.id, 1, instr({t}.id, '::') - 1) ELSE {t}.id END)"
"""The card (note, in Anki's words) an item belongs to: its id before '::' (ids never hold ':')."""

VISIBLE = (
    "{t}.present = 1 AND {t}.suspended = 0 AND {t}.kind IN ('basic', 'cloze', 'choice', 'order') "
    "AND ({t}.buried_until IS NULL OR {t}.buried_until < :today)"
)
"""Cards the daily review may show today (the same test as ``Study._VISIBLE``, for any table alias)."""


def no_due_sibling(t: str = "cards") -> str:
    """SQL true when no sibling of the card ``t`` is due today (a review or learning card shown today)."""
    note = NOTE.format(t=t)
    due = f"{VISIBLE.format(t='sib')} AND sib.state != 0 AND sib.due < :day_end"
    # The siblings named 'note::...' are one range of the primary key; the item named like the note
    # is looked up only for a card that is not that item itself (most cards are): one search a card
    # counted instead of two.
    return (
        f"NOT EXISTS (SELECT 1 FROM cards AS sib WHERE sib.id >= {note} || '::' AND sib.id < {note} || ':;'"
        f" AND sib.id != {t}.id AND {due})"
        f" AND ({t}.id = {note} OR NOT EXISTS (SELECT 1 FROM cards AS sib WHERE sib.id = {note} AND {due}))"
    )


def new_where(bury_siblings: bool, t: str = "cards") -> str:
    """SQL for a new card the review may introduce today (besides being visible)."""
    return f"{t}.state = 0" + (f" AND {no_due_sibling(t)}" if bury_siblings else "")


def new_count_sql(where: str, bury_siblings: bool) -> str:
    """Counts the new cards today's review would introduce among ``WHERE {where}`` (up to
    ``:new_cap``): one a card when siblings are buried (the first answered buries the others)."""
    if bury_siblings:
        return (
            f"(SELECT COUNT(*) FROM (SELECT DISTINCT {NOTE.format(t='cards')} FROM cards WHERE {where}"
            f" AND {new_where(True)} LIMIT :new_cap))"
        )
    return f"(SELECT COUNT(*) FROM (SELECT 1 FROM cards WHERE {where} AND state = 0 LIMIT :new_cap))"


def new_comes_next(order: str, new_done: int, reviews_done: int, new_left: int, reviews_left: int) -> bool:
    """Whether a new card rather than a review comes next, both being available.

    ``mixed`` spreads the day's new cards evenly through its reviews whichever there are more of
    (Anki's default): a new card comes when the share of new cards shown so far is behind the
    share of the whole session's. ``before`` shows new cards first, ``after`` last.
    """
    if order == "before":
        return True
    if order == "after":
        return False
    new_total, reviews_total = new_done + new_left, reviews_done + reviews_left
    return (new_done + 1) * (reviews_total + 1) <= (reviews_done + 1) * (new_total + 1)


CUSTOM_KEY = "custom_study"
"""The ``settings`` row holding today's extra new cards from custom study: {"day": "YYYY-MM-DD", "new": N}."""


def extra_new_today(store, today: str) -> int:
    """New cards added to today's limit by custom study (0 on any other day)."""
    stored = store.get_setting(CUSTOM_KEY)
    if isinstance(stored, dict) and stored.get("day") == today and isinstance(stored.get("new"), int):
        return max(0, stored["new"])
    return 0


CRAMMED = "present = 1 AND suspended = 0 AND kind IN ('basic', 'cloze', 'choice', 'order')"
"""Cards a cram shows: buried ones too (a cram changes no schedule), never suspended ones."""
CRAM_WAITING = (
    "NOT EXISTS (SELECT 1 FROM review_log AS r WHERE r.card_id = cards.id AND r.mode = 'cram'"
    " AND r.reviewed_at >= :since AND r.rating > 1)"
)
"""SQL true for a card of a cram not yet answered other than Again since the cram began (``:since``)."""
CRAM_LAST = (
    "(SELECT MAX(r.reviewed_at) FROM review_log AS r WHERE r.card_id = cards.id AND r.mode = 'cram'"
    " AND r.reviewed_at >= :since)"
)
"""SQL for when a card was last answered in the cram (NULL: not yet): unseen cards come first."""
