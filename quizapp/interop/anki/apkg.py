"""Anki packages (.apkg): our decks out with genanki, Anki's notes in as a deck file.

Export: one Anki deck per quizapp deck, under ``quizapp::``. Basic cards use a Front/Back note
type (a second template when ``reverse`` is set), cloze cards a cloze note type, and choice,
order and interview cards a Front/Back type showing them as text. Every note also carries the
card as JSON in a ``quizapp`` field, so a package imported back gives the very same cards, and its
GUID is derived from the card id (see ``ids``).

With progress, each card takes what Anki can hold of it honestly: a review card keeps its due
day, interval, reps, lapses and FSRS memory state (stability, difficulty); a relearning card
becomes a review card due on the day it is due; new and learning cards are new in Anki (learning
steps last minutes and follow Anki's own step settings); suspended cards stay suspended; a bury
lasts a day and is not exported. The scheduled answers go into Anki's review log.

Import is in ``package`` (reading a collection), ``notes`` (notes to cards by their templates) and
``history`` (review log and suspensions); the names it uses are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from quizapp.db.records import LEARNING, NEW, RELEARNING, REVIEW, from_iso
from quizapp.db.store import Store
from quizapp.decks.models import Deck, card_items
from quizapp.interop import InteropError, discard
from quizapp.interop.anki.notes import (  # noqa: F401
    DATA_FIELD,
    PackageCards,
    cards_from_package,
    default_deck_id,
)
from quizapp.interop.anki.origin import Origins
from quizapp.interop.anki.package import MAX_UNPACKED_BYTES, AnkiNote, read_package  # noqa: F401
from quizapp.interop.html import text_to_html
from quizapp.interop.ids import guid_for_card
from quizapp.scheduling.scheduler import day_start, study_day

_CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }\n" \
       ".nightMode .card { color: white; background: #222; }\n.cloze { font-weight: bold; color: #1f6feb; }\n"
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"
DATA_DESCRIPTION = "quizapp's own copy of this card, to bring it back exactly; edit the fields above instead"
# Fixed ids: Anki recognises a note type it has seen before by its id, so they must never change.
_BASIC_ID, _REVERSED_ID, _CLOZE_ID, _TEXT_ID = 1742563001, 1742563002, 1742563003, 1742563004


def _models():
    import genanki

    # Our card as JSON is for quizapp: on no template, collapsed in Anki's editor, left out of its
    # searches, and described there. Anki has no per-note storage hidden from its editor that
    # survives its exports: unknown keys of a note type are kept, but a later package's are ignored
    # once Anki has the note type, so the cards of a second export would come back without theirs.
    data = {"name": DATA_FIELD, "collapsed": True, "excludeFromSearch": True, "description": DATA_DESCRIPTION}
    fields = [{"name": "Front"}, {"name": "Back"}, data]
    forward = {"name": "Card 1", "qfmt": "{{Front}}", "afmt": _ANSWER + "{{Back}}"}
    backward = {"name": "Card 2", "qfmt": "{{Back}}", "afmt": _ANSWER + "{{Front}}"}
    return {
        "basic": genanki.Model(_BASIC_ID, "quizapp basic", fields=fields, templates=[forward], css=_CSS),
        "reversed": genanki.Model(
            _REVERSED_ID, "quizapp basic (and reversed card)", fields=fields, templates=[forward, backward], css=_CSS
        ),
        "cloze": genanki.Model(
            _CLOZE_ID,
            "quizapp cloze",
            fields=[{"name": "Text"}, {"name": "Back Extra"}, dict(data)],
            templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}"}],
            css=_CSS,
            model_type=genanki.Model.CLOZE,
        ),
        "text": genanki.Model(_TEXT_ID, "quizapp question", fields=fields, templates=[forward], css=_CSS),
    }


def _stable_int(text: str) -> int:
    """A positive id for Anki (which wants integers) that the same text always gives."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:6], "big") + 1


def _tag(tag: str) -> str:
    return "_".join(tag.split())


def _card_json(card: Any) -> str:
    from quizapp.interop.deckwriter import card_data

    return json.dumps(card_data(card), ensure_ascii=True, separators=(",", ":"))


def _spans_text(spans: list[tuple[str, str]]) -> str:
    return "".join(text for text, _ in spans)


def _note_fields(card: Any) -> tuple[str, list[str]]:
    """(model key, field values as HTML) for one card."""
    data = text_to_html(_card_json(card))
    if card.kind == "basic":
        return ("reversed" if card.reverse else "basic"), [text_to_html(card.front), text_to_html(card.back), data]
    if card.kind == "cloze":
        return "cloze", [text_to_html(card.text), text_to_html(card.extra), data]
    item = card_items(card, "")[0]
    back = _spans_text(item.back_spans())
    if card.kind == "interview":
        back += "\n\nRubric:\n" + "\n".join(f"- {p.point} ({p.stage})" if p.stage else f"- {p.point}" for p in card.rubric)
    return "text", [text_to_html(_spans_text(item.front_spans())), text_to_html(back), data]


def _ords(card: Any) -> list[tuple[int, str]]:
    """(Anki card ordinal, our item id) for each card the note makes."""
    return [(card.ordinal(item.variant), item.id) for item in card_items(card, "")]


def anki_cards(card: Any, origins: Origins) -> tuple[str, list[tuple[int, str]]]:
    """The GUID of the Anki note ``card`` stands for (the note it was imported from, else the note an
    export makes of it) and (card ordinal, our item id) for each Anki card of it."""
    guid = origins.by_card.get(card.id)
    if guid is not None:
        items = origins.notes[guid]["items"]
        return guid, sorted((ord, item) for item, ord in items.items() if item.split("::", 1)[0] == card.id)
    return guid_for_card(card.id), _ords(card)


# --------------------------------------------------------------------------- export


@dataclass
class ExportReport:
    """What an export wrote."""

    path: Path
    decks: int = 0
    notes: int = 0
    cards: int = 0
    progress: Counter = field(default_factory=Counter)
    """With progress: how many cards went as review, relearning-as-review, new, suspended; and log rows."""

    def lines(self) -> list[str]:
        out = [f"wrote {self.path}: {self.notes} notes ({self.cards} Anki cards) from {self.decks} decks"]
        p = self.progress
        if p:
            out.append(
                f"progress: {p['review']} review cards with due day, interval and FSRS memory state; "
                f"{p['relearning']} relearning cards as review cards due on their day; "
                f"{p['learning']} learning and {p['new']} new cards as new; {p['suspended']} suspended; "
                f"{p['revlog']} answers in the review log"
            )
        return out


@dataclass
class _Schedule:
    """One Anki card's scheduling columns (a new card by default)."""

    type: int = 0
    queue: int = 0
    due: int = 0
    ivl: int = 0
    factor: int = 0
    reps: int = 0
    lapses: int = 0
    data: str = ""


def _card_class():
    import genanki

    class ScheduledCard(genanki.Card):
        """A genanki card that carries its scheduling and remembers the id it was written with."""

        def __init__(self, ord: int, item_id: str, schedule: _Schedule):
            super().__init__(ord, suspend=schedule.queue == -1)
            self.item_id = item_id
            self.schedule = schedule
            self.anki_id: int | None = None

        def write_to_db(self, cursor, timestamp, deck_id, note_id, id_gen, due=0):
            s = self.schedule
            self.anki_id = next(id_gen)
            cursor.execute(
                "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (self.anki_id, note_id, deck_id, self.ord, int(timestamp), -1, s.type, s.queue, s.due, s.ivl,
                 s.factor, s.reps, s.lapses, 0, 0, 0, 0, s.data),
            )

    return ScheduledCard


def _package_class():
    import genanki

    class ScheduledPackage(genanki.Package):
        """A genanki package whose collection starts on a chosen day and holds a review log."""

        def __init__(self, decks, created: int, revlog: list[tuple], note_times: dict[str, int]):
            super().__init__(decks)
            self.created = created
            self.revlog = revlog
            self.note_times = note_times

        def write_to_db(self, cursor, timestamp, id_gen):
            super().write_to_db(cursor, timestamp, id_gen)
            # Review due dates are day numbers counted from the collection's creation (crt).
            cursor.execute("UPDATE col SET crt = ?", (self.created,))
            # Without schedVer 2 Anki upgrades the package as an old-scheduler collection and moves
            # every learning and relearning answer in the review log up a button.
            (conf,) = cursor.execute("SELECT conf FROM col").fetchone()
            cursor.execute("UPDATE col SET conf = ?", (json.dumps({**json.loads(conf), "schedVer": 2}),))
            # A note's time is when its content last changed, not the export's: Anki updates a note
            # only from a newer one, so an unchanged note is not counted as updated again.
            cursor.executemany("UPDATE notes SET mod = ? WHERE guid = ?", [(t, g) for g, t in self.note_times.items()])
            cursor.executemany(
                "INSERT INTO revlog VALUES(?,?,?,?,?,?,?,?,?)",
                [(rid, card.anki_id, -1, *rest) for rid, card, *rest in self.revlog],
            )

    return ScheduledPackage


def export_apkg(
    decks: list[Deck],
    path: Path,
    store: Store | None = None,
    now: datetime | None = None,
    rollover_hour: int = 4,
    origins: Origins | None = None,
) -> ExportReport:
    """Write ``decks`` as an Anki package at ``path``; with ``store``, each card's progress too; with
    ``origins``, cards imported from Anki as their original notes (see ``origin``)."""
    import genanki

    now = (now or datetime.now(UTC)).astimezone(UTC)
    today = study_day(now, rollover_hour)
    models = _models()
    ScheduledCard = _card_class()
    rows = _progress_rows(store, decks) if store is not None else {}
    due_days = [study_day(_time(r["due"]), rollover_hour) for r in rows.values() if r["due"] and r["state"] != NEW]
    first_day = min([today, *due_days]) - timedelta(days=1)
    report = ExportReport(path)
    anki_decks: list[Any] = []
    all_cards: list[Any] = []
    note_times: dict[str, int] = {}
    names: set[str] = set()
    for position, deck in enumerate(decks):
        name = f"quizapp::{deck.title}"
        if name in names:
            name = f"quizapp::{deck.title} ({deck.id})"
        names.add(name)
        anki_deck = genanki.Deck(_stable_int(f"quizapp-deck:{deck.id}"), name, description=text_to_html(deck.description))
        originals: dict[str, Any] = {}
        changed_at = _changed_at(deck, now)
        for card in deck.cards:
            original = origins.note(card) if origins is not None else None
            if original is not None:
                # A card imported from Anki goes home as its own note, so Anki updates it.
                guid, model, fields, tags, ords, mod = original
                note = originals.get(guid)
                if note is None:
                    note = originals[guid] = genanki.Note(model=model, fields=fields, tags=tags, guid=guid)
                    note.cards = []
                    anki_deck.add_note(note)
                    report.notes += 1
                note_times[guid] = max(note_times.get(guid, 0), mod or changed_at)
            else:
                key, fields = _note_fields(card)
                note = genanki.Note(
                    model=models[key], fields=fields, tags=[_tag(t) for t in card.tags], guid=guid_for_card(card.id)
                )
                note.cards = []
                anki_deck.add_note(note)
                report.notes += 1
                ords = _ords(card)
                note_times[note.guid] = changed_at
            made = [
                ScheduledCard(ord, item_id, _schedule(rows.get(item_id), len(all_cards) + i, first_day, rollover_hour,
                                                      report.progress if store is not None else None))
                for i, (ord, item_id) in enumerate(ords)
            ]
            note.cards.extend(made)
            all_cards.extend(made)
        anki_decks.append(anki_deck)
    report.decks = len(anki_decks)
    report.cards = len(all_cards)
    revlog = _revlog(store, all_cards) if store is not None else []
    if store is not None:
        report.progress["revlog"] = len(revlog)
    package = _package_class()(anki_decks, int(day_start(first_day, rollover_hour).timestamp()), revlog, note_times)
    path = Path(path)
    aside = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        package.write_to_file(str(aside), timestamp=now.timestamp())
        aside.replace(path)
    except OSError as exc:
        discard(aside)
        raise InteropError(f"cannot write {path}: {exc.strerror or exc}") from None
    return report


def _changed_at(deck: Deck, now: datetime) -> int:
    """When the deck's cards last changed: its file's modification time (the export's time for a
    deck without a file)."""
    try:
        return min(int(Path(deck.path).stat().st_mtime), int(now.timestamp()))
    except OSError:
        return int(now.timestamp())


def _progress_rows(store: Store, decks: list[Deck]) -> dict[str, dict]:
    wanted = {item.id for deck in decks for item in deck.items()}
    return {r["id"]: r for r in store.query("SELECT * FROM cards") if r["id"] in wanted}


def _time(text: str) -> datetime:
    """A time the database holds (never empty where it is read here)."""
    moment = from_iso(text)
    if moment is None:
        raise ValueError("an empty time")
    return moment


def _schedule(
    row: dict | None, position: int, first_day: date, rollover_hour: int, counts: Counter | None
) -> _Schedule:
    counts = counts if counts is not None else Counter()
    if row is None:
        counts["new"] += 1
        return _Schedule(due=position)
    suspended = bool(row["suspended"])
    counts["suspended"] += int(suspended)
    state = row["state"]
    if state in (NEW, LEARNING) or not row["due"]:
        counts["learning" if state == LEARNING else "new"] += 1
        return _Schedule(due=row["new_position"], queue=-1 if suspended else 0)
    counts["review" if state == REVIEW else "relearning"] += 1
    due_day = study_day(_time(row["due"]), rollover_hour)
    last = from_iso(row["last_review"])
    interval = (due_day - study_day(last, rollover_hour)).days if last and state == REVIEW else 1
    memory = {"s": round(row["stability"], 4), "d": round(row["difficulty"], 4)} if row["stability"] else {}
    if last:
        memory["lrt"] = int(last.timestamp())  # the last review's time, which Anki's FSRS reads
    return _Schedule(
        type=2,
        queue=-1 if suspended else 2,
        due=(due_day - first_day).days,
        ivl=max(1, interval),
        factor=2500,
        reps=row["reps"],
        lapses=row["lapses"],
        data=json.dumps(memory, separators=(",", ":")) if memory else "",
    )


def _revlog(store: Store, cards: list) -> list[tuple]:
    """Anki review-log rows for the exported cards' scheduled answers: (id, card, ease, ivl, last ivl,
    factor, milliseconds, type); the card's Anki id is known only once it is written."""
    return revlog_rows(store, {card.item_id: card for card in cards}, set())


def revlog_rows(store: Store, targets: dict[str, Any], used_ids: set[int]) -> list[tuple]:
    """Anki review-log rows for the scheduled answers of the items in ``targets``: (id, target,
    ease, ivl, last ivl, factor, milliseconds, type) in Anki's conventions (ivl in days, or seconds
    when negative; type 0 learning, 1 review, 2 relearning). Each id is the answer's millisecond,
    moved on past any id in ``used_ids`` (which gains the ids given)."""
    entries = store.query(
        "SELECT card_id, rating, reviewed_at, duration_ms, state_before, due_after FROM review_log "
        "WHERE scheduled = 1 ORDER BY card_id, reviewed_at, id"
    )
    rows: list[tuple] = []
    last_ivl: dict[str, int] = {}
    for entry in entries:
        target = targets.get(entry["card_id"])
        if target is None:
            continue
        at = _time(entry["reviewed_at"])
        due_after = from_iso(entry["due_after"])
        seconds = int((due_after - at).total_seconds()) if due_after else 0
        ivl = seconds // 86400 if seconds >= 86400 else -seconds
        revlog_id = int(at.timestamp() * 1000)
        while revlog_id in used_ids:
            revlog_id += 1
        used_ids.add(revlog_id)
        kind = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}.get(entry["state_before"], 0)
        previous = last_ivl.get(entry["card_id"], 0)
        last_ivl[entry["card_id"]] = ivl
        rows.append((revlog_id, target, entry["rating"], ivl, previous, 2500 if kind else 0, entry["duration_ms"], kind))
    return rows
