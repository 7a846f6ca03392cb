"""Card tags for SQL: the database holds no tags, so the decks' tags (topics and interview stages) are
given to a connection as a temporary view for the figures that group by them (stats, plan)."""

from __future__ import annotations

import sqlite3

from quizapp.db.store import one_transaction
from quizapp.decks.models import STAGE_TAGS, DeckSet

__all__ = ["STAGE_TAGS", "TAGS_TABLE", "load_tags"]

TAGS_TABLE = "temp.stats_tags"
"""Per card (item) id of the progress database, its topics (``kind`` 'topic': tags that are not
stages) and its stages (``kind`` 'stage'), from the decks (the database does not hold tags): a view
made by ``load_tags``."""


def load_tags(conn: sqlite3.Connection, decks: DeckSet) -> str:
    """Give the connection the tag groups of ``decks``: the SQL function ``stats_group(item id)``
    (its group, NULL without topic or stage tags), the temporary table ``stats_groups(grp, kind,
    tag)``, and the view ``TAGS_TABLE`` over both; returns the view's name."""
    found = decks.tag_groups
    # A lookup in the groups' dict for each card read costs less than filling a table of every item.
    conn.create_function("stats_group", 1, found.of_item.get, deterministic=True)
    with one_transaction(conn):
        conn.execute("DROP VIEW IF EXISTS temp.stats_tags")
        conn.execute("DROP TABLE IF EXISTS temp.stats_groups")
        conn.execute(
            "CREATE TEMP TABLE stats_groups (grp INTEGER NOT NULL, kind TEXT NOT NULL, tag TEXT NOT NULL,"
            " PRIMARY KEY (grp, kind, tag)) WITHOUT ROWID"
        )
        conn.executemany("INSERT INTO temp.stats_groups VALUES (?, ?, ?)", found.tags)
        conn.execute(
            "CREATE TEMP VIEW stats_tags AS SELECT c.id AS card_id, g.kind AS kind, g.tag AS tag"
            " FROM main.cards AS c JOIN temp.stats_groups AS g ON g.grp = stats_group(c.id)"
        )
    return TAGS_TABLE
