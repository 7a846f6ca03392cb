"""Open a workspace: load its decks (through the deck cache), open and upgrade its progress database,
and sync the database's cards with the decks by card id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from quizapp.db.records import utcnow
from quizapp.db.store import Store
from quizapp.decks.cache import DeckCache
from quizapp.decks.loader import load_decks
from quizapp.decks.models import DeckSet
from quizapp.study.study import Study
from quizapp.workspace import Workspace, deck_cache_dir


@dataclass
class Opened:
    """A workspace opened for study: its store, decks, and the problems found loading them."""

    workspace: Workspace
    store: Store
    decks: DeckSet
    sync: dict[str, int]

    def study(self, clock: Callable[[], datetime] = utcnow) -> Study:
        return Study(self.store, self.decks, clock=clock)


def interleaved(decks: DeckSet) -> list[tuple[str, str, str]]:
    """(item id, deck id, kind) of every item, taking one from each deck in turn, so that new cards
    of "review all" mix the decks. Needs only the decks' ids, never their cards."""
    queues = [[(item_id, deck.id, kind) for item_id, kind in deck.item_keys()] for deck in decks.decks]
    out: list[tuple[str, str, str]] = []
    for round_ in range(max((len(q) for q in queues), default=0)):
        out.extend(q[round_] for q in queues if round_ < len(q))
    return out


def open_workspace(workspace: Workspace, db_path: Path | None = None) -> Opened:
    """Load the decks, open (and migrate) the progress database, and sync cards by id (skipped when
    the deck files are exactly those of the last sync)."""
    decks = load_decks(workspace.deck_dirs, base=workspace.home, cache=DeckCache(deck_cache_dir()))
    store = Store.open(db_path or workspace.db_path)
    try:
        sync = store.sync_items(lambda: interleaved(decks), fingerprint=decks.fingerprint())
    except Exception:
        store.close()
        raise
    return Opened(workspace, store, decks, sync)


def sync_deck(workspace: Workspace, deck_id: str) -> int:
    """Add a deck just written to the workspace's decks/ to the progress database now (opening the
    workspace with that folder among its deck folders); returns how many of its cards are new to study
    (sides and cloze deletions counted one by one)."""
    dirs = tuple(dict.fromkeys([*workspace.deck_dirs, workspace.decks_dir.resolve()]))
    opened = open_workspace(Workspace(workspace.home, dirs, workspace.how))
    try:
        return opened.store.scalar(
            "SELECT COUNT(*) FROM cards WHERE deck_id = ? AND state = 0 AND present = 1", [deck_id]
        )
    finally:
        opened.store.close()


def reload_decks(opened: Opened) -> dict[str, int]:
    """Read the deck files again (after one was edited) into ``opened``, with the workspace's own
    decks/ among the folders even when it did not exist at start, and sync the cards; returns the sync."""
    workspace = opened.workspace
    own = workspace.decks_dir.resolve()
    if own.is_dir() and own not in workspace.deck_dirs:
        workspace = Workspace(workspace.home, (*workspace.deck_dirs, own), workspace.how)
    decks = load_decks(workspace.deck_dirs, base=workspace.home, cache=DeckCache(deck_cache_dir()))
    opened.sync = opened.store.sync_items(lambda: interleaved(decks), fingerprint=decks.fingerprint())
    opened.workspace, opened.decks = workspace, decks
    return opened.sync
