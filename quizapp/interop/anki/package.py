"""Reading an Anki package's collection: note types with their card templates, notes, cards, decks
and the review log, from the legacy ``collection.anki2`` / ``collection.anki21`` files (schema 11,
JSON in ``col``) and the ``collection.anki21b`` file current Anki writes (zstd, schema 18, tables
with protobuf configs). Standard library only, besides zstandard for the latest format.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.interop import InteropError
from quizapp.interop.anki import checks
from quizapp.interop.anki.checks import Malformed

MAX_UNPACKED_BYTES = 2 * 1024**3
"""A package whose collection unpacks to more than this is refused (a zip bomb, or not a deck)."""
IMAGE_OCCLUSION = 6
"""Anki's ``original_stock_kind`` of its Image Occlusion note type."""


@dataclass
class Template:
    """One card template of a note type: Anki makes a card from it when its question is not empty."""

    ord: int
    name: str
    qfmt: str
    afmt: str


@dataclass
class NoteType:
    id: int
    name: str
    cloze: bool
    fields: list[str]
    templates: list[Template]
    stock_kind: int = 0
    """Anki's ``original_stock_kind``: 1 basic, 2 and reversed, 3 optional reversed, 4 typing,
    5 cloze, 6 image occlusion; 0 when not known."""
    css: str = ""


@dataclass(slots=True)  # a package can hold 100,000s of them
class AnkiCard:
    """One card of a note, with the scheduling columns an import keeps."""

    id: int
    ord: int
    deck: str
    type: int
    queue: int


@dataclass(slots=True)  # a package can hold 100,000s of them
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
    note_type: NoteType | None = None
    cards: list[AnkiCard] = field(default_factory=list)
    mod: int = 0
    """When the note was last changed (seconds): Anki updates a note only from a newer one."""


@dataclass(slots=True)  # a package can hold 100,000s of them
class Revlog:
    """One row of Anki's review log."""

    id: int
    """Milliseconds since the epoch when the answer was given (and unique)."""
    cid: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    type: int


@dataclass
class Collection:
    """What an import needs of a package's collection."""

    notes: list[AnkiNote]
    revlog: list[Revlog]
    sched_ver: int
    """2 for the v2/v3 schedulers; 1 for old collections, whose learning answers had three buttons."""


def read_package(path: Path) -> list[AnkiNote]:
    """Every note in the Anki package at ``path``, in the order they were added."""
    return read_collection(path).notes


def read_collection(path: Path) -> Collection:
    """The notes (with their note types and cards) and review log of the Anki package at ``path``."""
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
        try:
            if "collection.anki21b" in names:
                checks.check_member(archive, "collection.anki21b")
                _unpack_zstd(archive, "collection.anki21b", db_path, path)
            elif "collection.anki21" in names or "collection.anki2" in names:
                member = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
                checks.check_member(archive, member)
                _unpack(archive, member, db_path, path)
            else:
                raise InteropError(f"{path} holds no Anki collection (collection.anki2, .anki21 or .anki21b); "
                                   "is it an Anki deck package?")
        except Malformed as exc:
            raise InteropError(f"{path}: {exc}") from None
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise InteropError(f"{path}: its collection cannot be opened: {exc}") from None
        try:
            return _collection(conn)
        except Malformed as exc:
            raise InteropError(f"{path}: {exc}") from None
        except RecursionError:
            raise InteropError(f"{path}: its collection is nested too deeply to read; is it a damaged package?") from None
        except (sqlite3.DatabaseError, KeyError, ValueError, TypeError, IndexError) as exc:
            raise InteropError(f"{path}: its collection cannot be read ({exc}); is it a damaged package?") from None
        finally:
            conn.close()


def _unpack(archive: zipfile.ZipFile, member: str, target: Path, path: Path) -> None:
    info = archive.getinfo(member)
    if info.file_size > MAX_UNPACKED_BYTES:
        raise InteropError(f"{path}: {member} unpacks to {info.file_size / 1e9:.1f} GB, more than quizapp accepts")
    try:
        with archive.open(member) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise checks.damaged(member, exc) from None


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
        except (zstandard.ZstdError, zipfile.BadZipFile, EOFError) as exc:
            raise InteropError(f"{path}: {member} is damaged ({exc})") from None


def _collection(conn: sqlite3.Connection) -> Collection:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "notetypes" in tables:
        types = _note_types_v18(conn)
        decks = {did: checks.deck_name_v18(did, name) for did, name in conn.execute("SELECT id, name FROM decks")}
        sched_ver = 2
        if "config" in tables:
            row = conn.execute("SELECT val FROM config WHERE key = 'schedVer'").fetchone()
            sched_ver = int(json.loads(row[0])) if row else 2
    else:
        models_json, decks_json, conf = conn.execute("SELECT models, decks, conf FROM col").fetchone()
        models = checks.note_types_v11(checks.col_json(models_json, "models"))
        types = {int(mid): _note_type_v11(int(mid), m) for mid, m in models.items()}
        decks = checks.deck_names_v11(checks.col_json(decks_json, "decks"))
        sched_ver = int(json.loads(conf or "{}").get("schedVer", 1))
    cards: dict[int, list[AnkiCard]] = {}
    for cid, nid, did, ord, ctype, queue in conn.execute(
        "SELECT id, nid, did, ord, type, queue FROM cards ORDER BY nid, ord"
    ):
        checks.card_row(cid, nid, did, ord, ctype, queue)
        cards.setdefault(nid, []).append(AnkiCard(cid, ord, decks.get(did, ""), ctype, queue))
    notes = []
    shared: dict[str, str] = {}
    for nid, guid, mid, mod, tags, flds in conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"):
        checks.note_row(nid, guid, mid, mod, tags, flds)
        kind = types.get(mid) or NoteType(mid, f"note type {mid}", False, [], [])
        values = flds.split("\x1f")
        # Shared by every note of the type that has as many fields (the usual case).
        names = kind.fields if len(values) == len(kind.fields) else (
            kind.fields + [f"Field {i + 1}" for i in range(len(kind.fields), len(values))])[: len(values)]
        own = cards.get(nid, [])
        notes.append(
            AnkiNote(
                guid=guid,
                notetype=kind.name,
                cloze=kind.cloze,
                field_names=names,
                fields=values,
                tags=[shared.setdefault(t, t) for t in tags.split()],  # one string per tag, not per note
                deck=own[0].deck if own else "",
                templates=len(kind.templates),
                note_type=kind,
                cards=own,
                mod=mod,
            )
        )
    revlog = [Revlog(*row) for row in conn.execute(
        "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"
    )]
    return Collection(notes, revlog, sched_ver)


def _note_type_v11(mid: int, m: dict) -> NoteType:
    templates = [Template(t.get("ord", i), t.get("name", ""), t.get("qfmt", ""), t.get("afmt", ""))
                 for i, t in enumerate(m.get("tmpls", []))]
    return NoteType(
        mid,
        m["name"],
        m.get("type", 0) == 1,
        [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])],
        sorted(templates, key=lambda t: t.ord),
        int(m.get("originalStockKind", 0) or 0),
        m.get("css", ""),
    )


def _note_types_v18(conn: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, _, name in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[Template]] = {}
    for ntid, ord, name, config in conn.execute("SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord"):
        message = protobuf_fields(config)
        templates.setdefault(ntid, []).append(
            Template(ord, name, _string(message, 1), _string(message, 2))
        )
    out = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        message = protobuf_fields(config)
        out[ntid] = NoteType(ntid, name, _number(message, 1) == 1, fields.get(ntid, []), templates.get(ntid, []),
                             _number(message, 9), _string(message, 3))
    return out


def _string(message: dict[int, list], number: int) -> str:
    values = message.get(number)
    return values[-1].decode("utf-8", "replace") if values and isinstance(values[-1], bytes) else ""


def _number(message: dict[int, list], number: int) -> int:
    values = message.get(number)
    return values[-1] if values and isinstance(values[-1], int) else 0


def protobuf_fields(blob: bytes) -> dict[int, list]:
    """A protobuf message's top-level fields: number -> values (ints for varints, bytes otherwise).

    Current Anki keeps a note type's kind (field 1) and original stock kind (field 9) in its config
    message, and a template's question and answer formats as fields 1 and 2 of its config.
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

    out: dict[int, list] = {}
    pos = 0
    while pos < len(blob):
        key, pos = varint(pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(pos)
            out.setdefault(number, []).append(value)
        elif wire == 1:
            out.setdefault(number, []).append(blob[pos : pos + 8])
            pos += 8
        elif wire == 2:
            length, pos = varint(pos)
            out.setdefault(number, []).append(blob[pos : pos + length])
            pos += length
        elif wire == 5:
            out.setdefault(number, []).append(blob[pos : pos + 4])
            pos += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    return out
