"""Card tags for SQL: the database holds no tags, so the decks' tags (topics and interview stages) are
given to a connection as a temporary view for the figures that group by them (stats, plan)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from quizapp.db.store import one_transaction
from quizapp.decks.models import STAGES, DeckSet, card_item_ids

STAGE_TAGS = {**{stage: stage for stage in STAGES}, "tradeoffs": "tradeoff", "trade-off": "tradeoff", "trade-offs": "tradeoff"}
"""Card tags that name an interview stage rather than a topic, and the stage each names."""


TAGS_TABLE = "temp.stats_tags"
"""Per card (item) id of the progress database, its topics (``kind`` 'topic': tags that are not
stages) and its stages (``kind`` 'stage'), from the decks (the database does not hold tags): a view
made by ``load_tags``."""


@dataclass(frozen=True)
class TagGroups:
    """The cards' tags, grouped: cards share a handful of tag lists, each distinct list is a group."""

    of_item: dict[str, int]
    """Item id -> its group (items without topic or stage tags are left out)."""
    tags: list[tuple[int, str, str]]
    """(group, 'topic' or 'stage', tag) for every group."""


def tag_groups(decks: DeckSet) -> TagGroups:
    """The tag groups of ``decks``: cards share a handful of tag lists, so the view over them is small."""
    groups: dict[tuple[str, ...], int | None] = {}
    rows: list[tuple[int, str, str]] = []
    of_item: dict[str, int] = {}
    for deck in decks.decks:
        for card in deck.cards:
            key = tuple(card.tags)
            if key not in groups:
                topics = sorted({t for t in key if t not in STAGE_TAGS})
                stages = sorted({STAGE_TAGS[t] for t in key if t in STAGE_TAGS})
                grp = groups[key] = len(groups) if topics or stages else None
                if grp is not None:
                    rows += [(grp, "topic", t) for t in topics] + [(grp, "stage", s) for s in stages]
            grp = groups[key]
            if grp is not None:
                for item_id in card_item_ids(card):
                    # An id in two decks counts once, in the first (as the item map has it).
                    of_item.setdefault(item_id, grp)
    return TagGroups(of_item, rows)


def load_tags(conn: sqlite3.Connection, decks: DeckSet) -> str:
    """Give the connection the tag groups of ``decks``: the SQL function ``stats_group(item id)``
    (its group, NULL without topic or stage tags), the temporary table ``stats_groups(grp, kind,
    tag)``, and the view ``TAGS_TABLE`` over both; returns the view's name."""
    found = tag_groups(decks)
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
