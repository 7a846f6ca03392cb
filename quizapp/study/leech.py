"""Leeches: a card forgotten ``leech_threshold`` times after being learned (Anki's default: 8) is
tagged leech and suspended, then again at every half of the threshold more (Anki's rule). The tag is
the ``cards.leech`` column: deck tags belong to the deck files. No Textual here."""

from __future__ import annotations

import sqlite3

from quizapp.db.records import REVIEW


def is_leech_lapse(lapses: int, threshold: int) -> bool:
    """Whether reaching ``lapses`` lapses makes a card a leech (again)."""
    if threshold <= 0 or lapses < threshold:
        return False
    return (lapses - threshold) % max(1, threshold // 2) == 0


def mark_if_leech(c: sqlite3.Connection, card_id: str, prior: tuple | None, rating: int, threshold: int) -> list:
    """Inside an answer's transaction: when this answer (``rating`` on the card stored as ``prior``,
    its ``STATE_COLUMNS``) is a lapse that makes the card a leech, tag and suspend it. Returns what
    undo needs to put back ([suspended, leech] before), or nothing."""
    if prior is None or prior[0] != REVIEW or rating != 1:
        return []
    if not is_leech_lapse(prior[7] + 1, threshold):
        return []
    old = c.execute("SELECT suspended, leech FROM cards WHERE id = ?", [card_id]).fetchone()
    c.execute("UPDATE cards SET leech = 1, suspended = 1 WHERE id = ?", [card_id])
    return [old[0], old[1]]


def restore(store, card_id: str, old: list) -> None:
    """Undo ``mark_if_leech``."""
    with store.write() as c:
        c.execute("UPDATE cards SET suspended = ?, leech = ? WHERE id = ?", [old[0], old[1], card_id])


def leeches(store) -> list[dict]:
    """Every card tagged leech, most lapses first: id, deck, lapses, whether still suspended."""
    return store.query(
        "SELECT id, deck_id, lapses, suspended FROM cards WHERE leech = 1 AND present = 1 ORDER BY lapses DESC, id"
    )
