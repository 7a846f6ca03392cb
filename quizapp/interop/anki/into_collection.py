"""Progress made in quizapp written into the user's own Anki collection (``quizapp update-anki``).

Anki's package import never changes a card it already has and takes review-log rows only for the
cards it adds, so answers given in quizapp cannot reach the user's existing cards through an .apkg.
This opens the collection file itself with Anki's own library (``pip install 'quizapp[anki]'``),
with Anki closed:

- each of our cards is found by its note's GUID (the Anki note it was imported from, as the
  ``decks/<deck>.anki.json`` sidecar keeps it, or the GUID an .apkg export gave our own note) and
  the card's template ordinal;
- our answers Anki does not have yet are added to its review log (an answer Anki already holds for
  that card in the same second is the same answer, brought in by ``quizapp import``), written as
  an .apkg export writes them;
- where our latest answer is newer than Anki's latest entry for the card, the card takes our
  scheduling: review, learning or relearning, due day or due time, interval, reps, lapses and the
  FSRS memory state (``last_review_time`` too); suspended when suspended here;
- notes the collection does not have are counted, not added (that is what an .apkg export is for).

Anki's own backup of the collection (a ``.colpkg`` in ``backups/`` beside it, which Anki's
*Switch Profile > Open Backup* restores) is made first. The cards are changed through Anki's
``update_cards`` and the review-log rows added in the same transaction, marked for the next sync.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quizapp.db.records import LEARNING, RELEARNING, REVIEW, from_iso
from quizapp.db.store import Store
from quizapp.decks.models import Deck
from quizapp.interop import InteropError
from quizapp.interop.anki.apkg import anki_cards, revlog_rows
from quizapp.interop.anki.origin import Origins
from quizapp.scheduling.scheduler import study_day

_NEWEST_SCHEMA = 18
"""The collection schema of Anki 2.1.50 and later."""
NEEDS_ANKI = ("updating an Anki collection needs Anki's own library, which is not installed: "
              "pip install 'quizapp[anki]' (or pip install anki)")


@dataclass
class CollectionReport:
    """What ``update_collection`` found and changed."""

    path: Path
    backup: Path | None = None
    counts: Counter = field(default_factory=Counter)
    """cards found, answers added, cards rescheduled, cards answered here (and notes) the collection
    lacks, cards left alone in filtered decks."""

    def lines(self) -> list[str]:
        c = self.counts
        out = []
        if self.backup is not None:
            out.append(f"backed up {self.path.name} to {self.backup}")
        out.append(f"{self.path}: {c['found']} of our cards found in the collection; {c['answers']} answers added to "
                   f"its review log; {c['rescheduled']} cards rescheduled from newer answers here")
        if c["missing_cards"]:
            out.append(f"{c['missing_cards']} cards answered here ({c['missing_notes']} whole notes) are not in this "
                       "collection and were not added: `quizapp export --with-progress -o FILE.apkg` and import that "
                       "in Anki to add them")
        if c["filtered"]:
            out.append(f"{c['filtered']} cards are in a filtered deck and kept their scheduling: empty the filtered "
                       "deck in Anki and run this again")
        return out


def _check_closed(path: Path) -> int:
    """Refuse a file that is missing, not an Anki collection, or open in Anki (which locks it);
    return its schema version."""
    if not path.is_file():
        raise InteropError(f"{path}: no such file; give the collection.anki2 of your Anki profile "
                           "(in the Anki2/<profile> folder: ~/.local/share on Linux, %APPDATA% on Windows, ~/Library/Application "
                           "Support on macOS)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.1)
        try:
            (ver,) = conn.execute("SELECT ver FROM col").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise _locked(path) from None
        raise InteropError(f"{path}: not an Anki collection ({exc}); nothing was written") from None
    except (sqlite3.DatabaseError, TypeError) as exc:
        raise InteropError(f"{path}: not an Anki collection ({exc}); nothing was written") from None
    if not isinstance(ver, int):
        raise InteropError(f"{path}: not an Anki collection (no schema version); nothing was written")
    return ver


def _locked(path: Path) -> InteropError:
    return InteropError(f"{path} is open in Anki (or another program): close Anki, then run this again; "
                        "nothing was written")


def update_collection(
    path: Path, decks: list[Deck], store: Store, origins: Origins, rollover_hour: int = 4,
    now: datetime | None = None,
) -> CollectionReport:
    """Write the progress of ``decks`` into the Anki collection at ``path`` (see the module's text)."""
    try:
        from anki.collection import Collection
        from anki.errors import BackendError, DBError
    except ImportError:
        raise InteropError(NEEDS_ANKI) from None
    path = Path(path)
    schema = _check_closed(path)
    try:
        col = Collection(str(path))
    except DBError:
        raise _locked(path) from None
    except BackendError as exc:
        raise InteropError(f"Anki's library cannot open {path} ({exc}); nothing was written") from None
    report = CollectionReport(path)
    try:
        backups = path.parent / "backups"
        try:
            backups.mkdir(exist_ok=True)
            # No new backup when the newest one already holds the collection as it is.
            col.create_backup(backup_folder=str(backups), force=True, wait_for_completion=True)
        except (OSError, BackendError) as exc:
            raise InteropError(f"cannot back up {path} into {backups} ({exc}); nothing was written") from None
        report.backup = max(backups.glob("*.colpkg"), key=lambda p: p.stat().st_mtime, default=None)
        try:
            _merge(col, decks, store, origins, rollover_hour, (now or datetime.now(UTC)).astimezone(UTC), report)
        except BackendError as exc:
            raise InteropError(f"Anki could not write into {path} ({exc}); the changes were rolled back") from None
    finally:
        # Anki's library moves an older collection to its newest schema; one an older Anki wrote
        # goes back to the schema every Anki since 2.1 opens.
        col.close(downgrade=schema < _NEWEST_SCHEMA)
    return report


def _merge(col: Any, decks: list[Deck], store: Store, origins: Origins, rollover_hour: int, now: datetime,
           report: CollectionReport) -> None:
    anki = {(guid, ord): (cid, odid) for cid, guid, ord, odid in
            col.db.all("SELECT c.id, n.guid, c.ord, c.odid FROM cards c JOIN notes n ON n.id = c.nid")}
    targets: dict[str, int] = {}
    counts = report.counts
    answered = {r["card_id"] for r in store.query("SELECT DISTINCT card_id FROM review_log WHERE scheduled = 1")}
    for deck in decks:
        for card in deck.cards:
            guid, ords = anki_cards(card, origins)
            found = [(anki[(guid, ord)], item) for ord, item in ords if (guid, ord) in anki]
            lost = [item for ord, item in ords if (guid, ord) not in anki and item in answered]
            counts["missing_notes"] += bool(lost) and not found
            counts["missing_cards"] += len(lost)
            for (cid, odid), item in found:
                counts["found"] += 1
                targets[item] = cid
    if not targets:
        return
    ids = set(targets.values())
    existing = col.db.all("SELECT id, cid FROM revlog")
    used_ids = {rid for rid, _ in existing}
    seconds = {(cid, rid // 1000) for rid, cid in existing if cid in ids}
    latest: dict[int, int] = {}
    for rid, cid in existing:
        if cid in ids and rid > latest.get(cid, 0):
            latest[cid] = rid
    rows = [r for r in revlog_rows(store, targets, used_ids) if (r[1], r[0] // 1000) not in seconds]
    added: Counter = Counter(r[1] for r in rows)
    lapses: Counter = Counter(r[1] for r in rows if r[2] == 1 and r[7] == 1)
    filtered = {cid for (cid, odid) in anki.values() if odid and cid in ids}
    states = {r["id"]: r for r in store.query("SELECT * FROM cards") if r["id"] in targets}
    cards = []
    for item, cid in targets.items():
        row = states.get(item)
        last = from_iso(row["last_review"]) if row else None
        if row is None or last is None or row["state"] not in (LEARNING, REVIEW, RELEARNING):
            continue
        if int(last.timestamp() * 1000) <= latest.get(cid, 0):
            continue  # Anki's own latest answer (or reschedule) is as new as ours: it stays
        if cid in filtered:
            counts["filtered"] += 1
            continue
        card = col.get_card(cid)
        _schedule(col, card, row, last, rollover_hour, now, added[cid], lapses[cid])
        cards.append(card)
    counts["answers"] = len(rows)
    counts["rescheduled"] = len(cards)
    if not rows and not cards:
        return

    def write() -> None:
        if cards:
            col.update_cards(cards, skip_undo_entry=True)
        col.db.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?,?,-1,?,?,?,?,?,?)",
            [(rid, cid, *rest) for rid, cid, *rest in rows],
        )

    col.db.transact(write)


def _schedule(col: Any, card: Any, row: dict, last: datetime, rollover_hour: int, now: datetime,
              added: int, lapses: int) -> None:
    """Set an Anki card's scheduling from our card's state ``row``."""
    from anki.cards_pb2 import FsrsMemoryState

    due = from_iso(row["due"]) or now
    today = col.sched.today
    state = row["state"]
    if state == REVIEW:
        due_days = (study_day(due, rollover_hour) - study_day(now, rollover_hour)).days
        card.type, card.queue, card.due = 2, 2, today + due_days
        card.ivl = max(1, (study_day(due, rollover_hour) - study_day(last, rollover_hour)).days)
        card.left = 0
    else:
        # Learning and relearning steps are due at a time: today's in the learning queue (by the
        # second), a later day's in the day-learning queue (by day).
        card.type = 1 if state == LEARNING else 3
        if due.timestamp() < col.sched.day_cutoff:
            card.queue, card.due = 1, int(due.timestamp())
        else:
            card.queue = 3
            card.due = today + max(1, (study_day(due, rollover_hour) - study_day(now, rollover_hour)).days)
        card.ivl = max(1, card.ivl) if state == RELEARNING else 0
        card.left = 1
    if card.type in (2, 3) and card.factor == 0:
        card.factor = 2500
    if row["suspended"]:
        card.queue = -1
    card.reps = max(row["reps"], card.reps + added)
    card.lapses = max(row["lapses"], card.lapses + lapses)
    if row["stability"] and row["difficulty"]:
        card.memory_state = FsrsMemoryState(stability=float(row["stability"]), difficulty=float(row["difficulty"]))
    card.last_review_time = int(last.timestamp())

