"""What an Anki package must be before it is read: the checks at the package-reading boundary.

A package is a file from anywhere. Its zip members may be encrypted, damaged or packed with a
method Python cannot unpack; its collection may hold NULLs where Anki writes text, note types that
are not a JSON object of note types, JSON nested beyond reason, deck names that are not text. Each
fault is a ``Malformed`` with a short reason; ``package.read_collection`` turns it into one line
naming the file, before anything is written.
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

READABLE_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}


class Malformed(ValueError):
    """The package is not what Anki writes; the message says what is wrong (without the file's name)."""


def check_member(archive: zipfile.ZipFile, member: str) -> None:
    """Refuse a zip member that is encrypted or packed with a method quizapp cannot unpack."""
    info = archive.getinfo(member)
    if info.flag_bits & 0x1:
        raise Malformed(f"{member} is encrypted (password-protected); Anki never encrypts its packages")
    if info.compress_type not in READABLE_METHODS:
        raise Malformed(f"{member} uses a compression method quizapp cannot unpack (zip method "
                        f"{info.compress_type}; it reads {', '.join(READABLE_METHODS.values())})")


def damaged(member: str, exc: BaseException) -> Malformed:
    """The fault of a member whose bytes do not unpack (a wrong CRC, a cut-off stream)."""
    return Malformed(f"{member} is damaged ({exc}); download or export the package again")


def col_json(text: object, column: str) -> Any:
    """One of the legacy ``col`` table's JSON columns, parsed."""
    if not isinstance(text, str | bytes):
        raise Malformed(f"col.{column} is {_kind(text)}, not Anki's JSON")
    try:
        return json.loads(text)
    except RecursionError:
        raise Malformed(f"col.{column} is nested too deeply to be Anki's JSON") from None
    except ValueError as exc:
        raise Malformed(f"col.{column} is not valid JSON ({exc})") from None


def note_types_v11(models: object) -> dict[str, dict]:
    """``col.models``: a JSON object of note types by id, each with a name, fields and templates."""
    if not isinstance(models, dict):
        raise Malformed(f"col.models is {_kind(models)}, not Anki's note types (a JSON object of note types by id)")
    for mid, model in models.items():
        where = f"col.models note type {mid!r}"
        if not _is_int(mid):
            raise Malformed(f"{where}: id is not a number")
        if not isinstance(model, dict):
            raise Malformed(f"{where} is {_kind(model)}, not a note type")
        _text(model.get("name"), f"{where}: name")
        for key, parts in (("flds", "fields"), ("tmpls", "templates")):
            value = model.get(key, [] if key == "tmpls" else None)
            if not isinstance(value, list) or not all(isinstance(part, dict) for part in value):
                raise Malformed(f"{where}: {parts} are {_kind(value)}, not a list of {parts}")
        for part in model["flds"]:
            _text(part.get("name"), f"{where}: a field's name")
            _number(part.get("ord", 0), f"{where}: a field's ord")
        for part in model.get("tmpls", []):
            for key in ("name", "qfmt", "afmt"):
                _text(part.get(key, ""), f"{where}: a template's {key}")
            _number(part.get("ord", 0), f"{where}: a template's ord")
        _number(model.get("type", 0), f"{where}: type")
        _number(model.get("originalStockKind", 0) or 0, f"{where}: originalStockKind")
        _text(model.get("css", ""), f"{where}: css")
    return models


def deck_names_v11(decks: object) -> dict[int, str]:
    """``col.decks``: deck id -> name, every name text."""
    if not isinstance(decks, dict):
        raise Malformed(f"col.decks is {_kind(decks)}, not Anki's decks (a JSON object of decks by id)")
    out = {}
    for did, deck in decks.items():
        if not _is_int(did) or not isinstance(deck, dict):
            raise Malformed(f"col.decks entry {did!r} is not a deck")
        out[int(did)] = _text(deck.get("name"), f"deck {did}: deck name")
    return out


def deck_name_v18(did: object, name: object) -> str:
    return _text(name, f"deck {did}: deck name").replace("\x1f", "::")


def note_row(nid: object, guid: object, mid: object, mod: object, tags: object, flds: object) -> None:
    """A row of the notes table: Anki writes text for its GUID, tags and fields, numbers for the rest."""
    where = f"note {nid}"
    _number(nid, "a note's id")
    _text(guid, f"{where}: GUID")
    _number(mid, f"{where}: note type id")
    _number(mod, f"{where}: modification time")
    _text(tags, f"{where}: tags")
    _text(flds, f"{where}: fields")


def card_row(cid: object, nid: object, did: object, ord: object, ctype: object, queue: object) -> None:
    for value, what in ((cid, "id"), (nid, "note id"), (did, "deck id"), (ord, "ord"), (ctype, "type"),
                        (queue, "queue")):
        _number(value, f"card {cid}: {what}")


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{what}: {_kind(value)} where Anki writes text")
    return value


def _number(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Malformed(f"{what}: {_kind(value)} where Anki writes a number")
    return value


def _is_int(text: object) -> bool:
    return isinstance(text, str) and text.lstrip("-").isdigit()


def _kind(value: object) -> str:
    if value is None:
        return "NULL"
    return {dict: "an object", list: "a list", str: "text", bytes: "binary data", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)
