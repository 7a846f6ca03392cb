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

Import reads the package's collection with the standard library: the legacy ``collection.anki2``
/ ``collection.anki21`` files and the ``collection.anki21b`` file current Anki writes (zstd).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quizapp.decks.models import CLOZE_RE, Deck, card_items, validate_card
from quizapp.interop import InteropError
from quizapp.interop.html import html_to_text, text_to_html
from quizapp.interop.ids import card_id_for_guid, guid_for_card, slug
from quizapp.scheduling.scheduler import day_start, study_day
from quizapp.db.store import LEARNING, NEW, RELEARNING, REVIEW, Store, from_iso

MAX_UNPACKED_BYTES = 2 * 1024**3
"""A package whose collection unpacks to more than this is refused (a zip bomb, or not a deck)."""
DATA_FIELD = "quizapp"
"""The hidden field holding the card itself as JSON, so our cards come back exactly."""

_CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }\n" \
       ".nightMode .card { color: white; background: #222; }\n.cloze { font-weight: bold; color: #1f6feb; }\n"
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"
# Fixed ids: Anki recognises a note type it has seen before by its id, so they must never change.
_BASIC_ID, _REVERSED_ID, _CLOZE_ID, _TEXT_ID = 1742563001, 1742563002, 1742563003, 1742563004


def _models():
    import genanki

    fields = [{"name": "Front"}, {"name": "Back"}, {"name": DATA_FIELD}]
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
            fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": DATA_FIELD}],
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
    items = card_items(card, "")
    if card.kind == "cloze":
        return [(item.cloze_number - 1, item.id) for item in items]
    return [(i, item.id) for i, item in enumerate(items)]


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

        def __init__(self, decks, created: int, revlog: list[tuple]):
            super().__init__(decks)
            self.created = created
            self.revlog = revlog

        def write_to_db(self, cursor, timestamp, id_gen):
            super().write_to_db(cursor, timestamp, id_gen)
            # Review due dates are day numbers counted from the collection's creation (crt).
            cursor.execute("UPDATE col SET crt = ?", (self.created,))
            # Without schedVer 2 Anki upgrades the package as an old-scheduler collection and moves
            # every learning and relearning answer in the review log up a button.
            (conf,) = cursor.execute("SELECT conf FROM col").fetchone()
            cursor.execute("UPDATE col SET conf = ?", (json.dumps({**json.loads(conf), "schedVer": 2}),))
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
) -> ExportReport:
    """Write ``decks`` as an Anki package at ``path``; with ``store``, each card's progress too."""
    import genanki

    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    today = study_day(now, rollover_hour)
    models = _models()
    ScheduledCard = _card_class()
    rows = _progress_rows(store, decks) if store is not None else {}
    due_days = [study_day(from_iso(r["due"]), rollover_hour) for r in rows.values() if r["due"] and r["state"] != NEW]
    first_day = min([today, *due_days]) - timedelta(days=1)
    report = ExportReport(path)
    anki_decks, all_cards = [], []
    names: set[str] = set()
    for position, deck in enumerate(decks):
        name = f"quizapp::{deck.title}"
        if name in names:
            name = f"quizapp::{deck.title} ({deck.id})"
        names.add(name)
        anki_deck = genanki.Deck(_stable_int(f"quizapp-deck:{deck.id}"), name, description=text_to_html(deck.description))
        for card in deck.cards:
            key, fields = _note_fields(card)
            note = genanki.Note(
                model=models[key], fields=fields, tags=[_tag(t) for t in card.tags], guid=guid_for_card(card.id)
            )
            note.cards = [
                ScheduledCard(ord, item_id, _schedule(rows.get(item_id), len(all_cards) + i, first_day, rollover_hour,
                                                      report.progress if store is not None else None))
                for i, (ord, item_id) in enumerate(_ords(card))
            ]
            all_cards.extend(note.cards)
            anki_deck.add_note(note)
            report.notes += 1
        anki_decks.append(anki_deck)
    report.decks = len(anki_decks)
    report.cards = len(all_cards)
    revlog = _revlog(store, all_cards) if store is not None else []
    if store is not None:
        report.progress["revlog"] = len(revlog)
    package = _package_class()(anki_decks, int(day_start(first_day, rollover_hour).timestamp()), revlog)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.tmp")
    try:
        package.write_to_file(str(aside), timestamp=now.timestamp())
        aside.replace(path)
    except OSError as exc:
        aside.unlink(missing_ok=True)
        raise InteropError(f"cannot write {path}: {exc.strerror or exc}") from None
    return report


def _progress_rows(store: Store, decks: list[Deck]) -> dict[str, dict]:
    wanted = {item.id for deck in decks for item in deck.items()}
    return {r["id"]: r for r in store.query("SELECT * FROM cards") if r["id"] in wanted}


def _schedule(row: dict | None, position: int, first_day: date, rollover_hour: int, counts: Counter | None) -> _Schedule:
    if row is None:
        if counts is not None:
            counts["new"] += 1
        return _Schedule(due=position)
    suspended = bool(row["suspended"])
    counts["suspended"] += int(suspended)
    state = row["state"]
    if state in (NEW, LEARNING) or not row["due"]:
        counts["learning" if state == LEARNING else "new"] += 1
        return _Schedule(due=row["new_position"], queue=-1 if suspended else 0)
    counts["review" if state == REVIEW else "relearning"] += 1
    due_day = study_day(from_iso(row["due"]), rollover_hour)
    last = from_iso(row["last_review"])
    interval = (due_day - study_day(last, rollover_hour)).days if last and state == REVIEW else 1
    memory = {"s": round(row["stability"], 4), "d": round(row["difficulty"], 4)} if row["stability"] else {}
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
    by_item = {card.item_id: card for card in cards}
    entries = store.query(
        "SELECT card_id, rating, reviewed_at, duration_ms, state_before, due_after FROM review_log "
        "WHERE scheduled = 1 ORDER BY card_id, reviewed_at, id"
    )
    rows, used_ids, last_ivl = [], set(), {}
    for entry in entries:
        card = by_item.get(entry["card_id"])
        if card is None:
            continue
        at = from_iso(entry["reviewed_at"])
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
        rows.append((revlog_id, card, entry["rating"], ivl, previous, 2500 if kind else 0, entry["duration_ms"], kind))
    return rows


# --------------------------------------------------------------------------- reading


@dataclass
class AnkiNote:
    """One note read from a package, its fields still as Anki's HTML."""

    guid: str
    notetype: str
    cloze: bool
    field_names: list[str]
    fields: list[str]
    tags: list[str]
    deck: str
    templates: int
    """How many card templates its note type has (2 for a basic-and-reversed type)."""


@dataclass
class _NoteType:
    name: str
    cloze: bool
    fields: list[str]
    templates: int


def read_package(path: Path) -> list[AnkiNote]:
    """Every note in the Anki package at ``path``, in the order they were added."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InteropError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InteropError(f"{path} is not an Anki package (.apkg is a zip file): {exc}") from None
    with archive, tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        names = set(archive.namelist())
        db_path = Path(tmp) / "collection.db"
        if "collection.anki21b" in names:
            _unpack_zstd(archive, "collection.anki21b", db_path, path)
        elif "collection.anki21" in names or "collection.anki2" in names:
            member = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
            _unpack(archive, member, db_path, path)
        else:
            raise InteropError(f"{path} holds no Anki collection (collection.anki2, .anki21 or .anki21b); "
                               "is it an Anki deck package?")
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise InteropError(f"{path}: its collection cannot be opened: {exc}") from None
        try:
            return _notes(conn)
        except (sqlite3.DatabaseError, KeyError, ValueError, TypeError) as exc:
            raise InteropError(f"{path}: its collection cannot be read ({exc}); is it a damaged package?") from None
        finally:
            conn.close()


def _unpack(archive: zipfile.ZipFile, member: str, target: Path, path: Path) -> None:
    info = archive.getinfo(member)
    if info.file_size > MAX_UNPACKED_BYTES:
        raise InteropError(f"{path}: {member} unpacks to {info.file_size / 1e9:.1f} GB, more than quizapp accepts")
    with archive.open(member) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)


def _unpack_zstd(archive: zipfile.ZipFile, member: str, target: Path, path: Path) -> None:
    import zstandard

    with archive.open(member) as src, open(target, "wb") as dst:
        reader = zstandard.ZstdDecompressor().stream_reader(src)
        written = 0
        try:
            while chunk := reader.read(1 << 20):
                written += len(chunk)
                if written > MAX_UNPACKED_BYTES:
                    raise InteropError(f"{path}: {member} unpacks to more than quizapp accepts")
                dst.write(chunk)
        except zstandard.ZstdError as exc:
            raise InteropError(f"{path}: {member} is damaged ({exc})") from None


def _notes(conn: sqlite3.Connection) -> list[AnkiNote]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "notetypes" in tables:
        types = _note_types_v18(conn)
        decks = {did: name.replace("\x1f", "::") for did, name in conn.execute("SELECT id, name FROM decks")}
    else:
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        types = {
            int(mid): _NoteType(
                m["name"],
                m.get("type", 0) == 1,
                [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])],
                len(m.get("tmpls", [])),
            )
            for mid, m in json.loads(models_json).items()
        }
        decks = {int(did): d["name"] for did, d in json.loads(decks_json).items()}
    notes = []
    query = (
        "SELECT n.guid, n.mid, n.tags, n.flds, "
        "(SELECT did FROM cards c WHERE c.nid = n.id ORDER BY c.ord LIMIT 1) FROM notes n ORDER BY n.id"
    )
    for guid, mid, tags, flds, did in conn.execute(query):
        kind = types.get(mid) or _NoteType(f"note type {mid}", False, [], 1)
        values = flds.split("\x1f")
        names = kind.fields + [f"Field {i + 1}" for i in range(len(kind.fields), len(values))]
        notes.append(
            AnkiNote(
                guid=guid,
                notetype=kind.name,
                cloze=kind.cloze,
                field_names=names[: len(values)],
                fields=values,
                tags=[t for t in tags.split() if t],
                deck=decks.get(did, "") if did is not None else "",
                templates=kind.templates,
            )
        )
    return notes


def _note_types_v18(conn: sqlite3.Connection) -> dict[int, _NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, _, name in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates = Counter(ntid for (ntid,) in conn.execute("SELECT ntid FROM templates"))
    return {
        ntid: _NoteType(name, _protobuf_varint(config, 1) == 1, fields.get(ntid, []), templates[ntid])
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes")
    }


def _protobuf_varint(blob: bytes, wanted: int) -> int:
    """The value of top-level varint field ``wanted`` in a protobuf message (0, its default, when absent).

    Current Anki keeps a note type's kind (0 normal, 1 cloze) as field 1 of its config message.
    """

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = blob[pos]
            value |= (byte & 0x7F) << shift
            pos += 1
            if byte < 0x80:
                return value, pos
            shift += 7

    pos = 0
    while pos < len(blob):
        key, pos = varint(pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(pos)
            if number == wanted:
                return value
        elif wire == 1:
            pos += 8
        elif wire == 2:
            length, pos = varint(pos)
            pos += length
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    return 0


# --------------------------------------------------------------------------- notes to cards


@dataclass
class PackageCards:
    """The cards made from a package's notes, with what could not come in and why."""

    cards: list[Any]
    title: str
    """The deck name the notes share (its last part), else the file's name."""
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def cards_from_package(path: Path) -> PackageCards:
    """Read an Anki package and turn each note into one of our cards.

    Basic-like note types (first fields Front and Back) become basic cards, reversed when the note
    type has a second template; cloze note types become cloze cards; notes of other types become
    basic cards from their first two fields and are counted. HTML becomes plain text. A note that
    cannot make a card (an empty side, a cloze without deletions) is left out with a reason.
    """
    path = Path(path)
    notes = read_package(path)
    source = path.name
    result = PackageCards([], _title(notes, path))
    other: Counter = Counter()
    with_media = 0
    for note in notes:
        where = f"{path.name}: note {note.guid!r} ({note.notetype}{', deck ' + note.deck if note.deck else ''})"
        try:
            card, media, is_other = _note_card(note, source)
        except _LeftOut as exc:
            result.left_out.append(f"{where}: {exc}")
            continue
        with_media += int(media > 0)
        other[note.notetype] += int(is_other)
        result.cards.append(card)
    if +other:
        listed = ", ".join(f"{name} ({n})" for name, n in (+other).most_common())
        result.notes.append(
            f"{sum(other.values())} notes of other note types came in as basic cards from their first two fields: {listed}"
        )
    if result.left_out:
        result.notes.append(f"{len(result.left_out)} of {len(notes)} notes could not become cards and were left out")
    if with_media:
        result.notes.append(f"{with_media} notes referred to images or sounds, which quizapp does not show; their text came in")
    return result


class _LeftOut(Exception):
    """Why a note could not become a card."""


def _title(notes: list[AnkiNote], path: Path) -> str:
    decks = [n.deck.split("::") for n in notes if n.deck]
    if decks:
        common = decks[0]
        for parts in decks[1:]:
            n = 0
            while n < min(len(common), len(parts)) and common[n] == parts[n]:
                n += 1
            common = common[:n]
        if common and common[-1] not in ("", "Default"):
            return common[-1]
    return path.stem


def _text(note: AnkiNote, index: int) -> tuple[str, int]:
    if index >= len(note.fields):
        return "", 0
    return html_to_text(note.fields[index])


def _named(note: AnkiNote, *names: str) -> int | None:
    lowered = [n.lower() for n in note.field_names]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def _note_card(note: AnkiNote, source: str) -> tuple[Any, int, bool]:
    """(card, media references dropped, whether the note type was neither basic nor cloze)."""
    card_id = card_id_for_guid(note.guid)
    tags = [t for t in note.tags if t]
    ours = _own_card(note, card_id)
    if ours is not None:
        return ours, 0, False
    if note.cloze:
        text_at = _named(note, "Text")
        text_at = 0 if text_at is None else text_at
        extra_at = _named(note, "Back Extra", "Extra")
        if extra_at is None:
            extra_at = next((i for i in range(len(note.fields)) if i != text_at and note.field_names[i] != DATA_FIELD), -1)
        text, media = _text(note, text_at)
        extra, media_extra = _text(note, extra_at) if extra_at >= 0 else ("", 0)
        if not CLOZE_RE.search(text):
            raise _LeftOut("its text has no cloze deletion {{c1::...}} left once HTML is removed")
        raw = {"id": card_id, "kind": "cloze", "text": text, "extra": extra, "tags": tags, "source": [source]}
        return _validated(raw), media + media_extra, False
    basic = [n.lower() for n in note.field_names[:2]] == ["front", "back"]
    front, media_front = _text(note, 0)
    back, media_back = _text(note, 1)
    if len(note.fields) < 2:
        raise _LeftOut("its note type has a single field; a card needs a question and an answer")
    for side, value in (("first", front), ("second", back)):
        if not value.strip():
            name = note.field_names[0 if side == "first" else 1]
            raise _LeftOut(f"the {name} field is empty once HTML and media are removed")
    reverse = False
    if basic and note.templates >= 2:
        optional = _named(note, "Add Reverse")
        reverse = optional is None or bool(_text(note, optional)[0].strip())
    raw = {"id": card_id, "kind": "basic", "front": front, "back": back, "reverse": reverse, "tags": tags,
           "source": [source]}
    return _validated(raw), media_front + media_back, not basic


def _validated(raw: dict) -> Any:
    try:
        return validate_card(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        raise _LeftOut(problems) from None


def _own_card(note: AnkiNote, card_id: str) -> Any | None:
    """The card a note we exported carries, with the edits made to it in Anki; None for other notes."""
    at = _named(note, DATA_FIELD)
    if at is None or at >= len(note.fields):
        return None
    try:
        data = json.loads(html_to_text(note.fields[at])[0])
        card = validate_card(data)
    except (ValueError, ValidationError):
        return None
    if card.id != card_id:
        # A copy made in Anki has a new GUID: it is a card of its own, read from its fields.
        return None
    changes: dict[str, Any] = {}
    sides = {"basic": ("front", "back"), "cloze": ("text", "extra")}.get(card.kind, ())
    for index, name in enumerate(sides):
        value = html_to_text(note.fields[index])[0] if index < len(note.fields) else ""
        # Keep our exact text (trailing line breaks, spacing) unless the field was really edited.
        if value != html_to_text(text_to_html(getattr(card, name)))[0]:
            changes[name] = value
    if [_tag(t) for t in card.tags] != note.tags:
        changes["tags"] = note.tags
    return _validated({**card.model_dump(), **changes}) if changes else card


def default_deck_id(package: PackageCards) -> str:
    """The deck id an import uses when none is given: the package's deck name, made id-safe."""
    return slug(package.title)

