"""Where imported cards came from in Anki, so that exporting them again updates the user's notes.

Anki updates a note it already has only when the package brings it with the same GUID and the same
note type (id, fields, templates). An import therefore keeps, beside its deck file, a sidecar
``decks/<deck id>.anki.json``: each note type the cards came from, and each note's GUID, note type,
fields as Anki's HTML, tags, and which Anki card (template ordinal) each of our items stands for.
The deck loader reads only ``*.yaml`` files, so the sidecar never becomes a deck.

On export, a card with an origin goes back as its original note: the original fields when the card
has not been edited in quizapp, else the edited text put in the fields its template shows.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from quizapp.interop import InteropError, discard
from quizapp.interop.anki.notes import PackageCards
from quizapp.interop.html import text_to_html

SUFFIX = ".anki.json"
_FIELD_RE = re.compile(r"\{\{(?:[^#^/{}][^{}]*:)?([^#^/:{}][^{}:]*)\}\}")


_CONTENT = ("kind", "front", "back", "reverse", "text", "extra")


def _content(card: Any) -> dict:
    """What of a card an export writes into the note's fields: an edit to any of it is sent home."""
    return {name: getattr(card, name) for name in _CONTENT if hasattr(card, name)}


def save_origin(path: Path, package: PackageCards) -> None:
    """Write (or extend) the sidecar at ``path`` with the notes ``package`` made cards from."""
    collection = package.collection
    if collection is None:
        return
    data = load_origin_file(path) if path.exists() else {"note_types": {}, "notes": {}}
    made = {card.id: card for card in package.cards}
    anki_to_item = package.items
    known: dict[str, Any] = data["notes"]
    described: set[int] = set()

    def entries(notes: Iterable[Any]) -> Iterator[tuple[str, dict]]:
        for note in notes:
            kind = note.note_type
            if kind is None:
                continue
            items = {anki_to_item[c.id]: c.ord for c in note.cards if c.id in anki_to_item}
            if not items:
                continue
            card_ids = sorted({item.split("::", 1)[0] for item in items})
            if any(card_id not in made for card_id in card_ids) or "quizapp" in note.field_names:
                continue
            if kind.id not in described:  # this package's version of the type, once
                described.add(kind.id)
                data["note_types"][str(kind.id)] = {
                    "name": kind.name, "cloze": kind.cloze, "fields": kind.fields, "css": kind.css,
                    "templates": [{"name": t.name, "qfmt": t.qfmt, "afmt": t.afmt} for t in kind.templates],
                }
            yield note.guid, {
                "note_type": str(kind.id), "fields": note.fields, "tags": note.tags, "items": items, "mod": note.mod,
                "cards": {card_id: _content(made[card_id]) for card_id in card_ids},
            }

    # Notes already in the file keep their place (updated from this package where it has them); the
    # others follow. Each note is written as it is made, not gathered first: a package can hold
    # 100,000s.
    renewed = dict(entries(n for n in collection.notes if n.guid in known))
    fresh = entries(n for n in collection.notes if n.guid not in known)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    aside = path.with_name(f".{path.name}.tmp")
    try:
        with open(aside, "w", encoding="utf-8") as fh:
            fh.write('{"notes":{')
            first = True
            for guid, entry in itertools.chain(((g, renewed.get(g, e)) for g, e in known.items()), fresh):
                fh.write(("" if first else ",") + dumps(guid) + ":" + dumps(entry))
                first = False
            extra = {k: v for k, v in data.items() if k not in ("notes", "note_types")}
            fh.write("}," + "".join(f"{dumps(k)}:{dumps(v)}," for k, v in extra.items()))
            fh.write(f'"note_types":{dumps(data["note_types"])}}}')
        os.replace(aside, path)
    except OSError as exc:
        discard(aside)
        raise InteropError(f"cannot write {path}: {exc.strerror or exc}") from None


def load_origin_file(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InteropError(f"{path}: cannot read where its cards came from in Anki ({exc}); "
                           "delete it to export those cards as quizapp notes") from None
    if not isinstance(data, dict) or not isinstance(data.get("notes"), dict):
        raise InteropError(f"{path}: not a quizapp Anki sidecar; delete it to export those cards as quizapp notes")
    return data


class Origins:
    """Every sidecar of the given deck folders, looked up by card id."""

    def __init__(self, folders: list[Path]):
        self.note_types: dict[str, dict] = {}
        self.notes: dict[str, dict] = {}
        self.by_card: dict[str, str] = {}
        for folder in folders:
            for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
                data = load_origin_file(path)
                self.note_types.update(data.get("note_types", {}))
                self.notes.update(data["notes"])
        for guid, note in self.notes.items():
            for card_id in note.get("cards", {}):
                self.by_card[card_id] = guid
        self._models: dict[str, Any] = {}

    def note(self, card: Any) -> tuple[str, Any, list[str], list[str], list[tuple[int, str]], int | None] | None:
        """(GUID, genanki model, fields, tags, [(ordinal, item id)], the note's time in Anki when the
        card is unchanged since it came, else None) of the Anki note ``card`` came from; None when
        it came from elsewhere."""
        guid = self.by_card.get(card.id)
        if guid is None:
            return None
        note = self.notes[guid]
        kind = self.note_types.get(note["note_type"])
        if kind is None:
            return None
        fields = list(note["fields"])
        tags = list(note.get("tags", []))
        mod = note.get("mod")
        if _content(card) != note["cards"].get(card.id):
            mod = None
            fields = _edited(fields, kind, card, note)
            tags = ["_".join(t.split()) for t in card.tags if "::" not in t or t in note.get("tags", [])]
        ords = sorted((ord, item) for item, ord in note["items"].items() if item.split("::", 1)[0] == card.id)
        return guid, self._model(note["note_type"], kind), fields, tags, ords, mod

    def _model(self, mid: str, kind: dict) -> Any:
        import genanki

        if mid not in self._models:
            self._models[mid] = genanki.Model(
                int(mid), kind["name"], fields=[{"name": n} for n in kind["fields"]],
                templates=kind["templates"], css=kind.get("css", ""),
                model_type=genanki.Model.CLOZE if kind["cloze"] else genanki.Model.FRONT_BACK,
            )
        return self._models[mid]


def _edited(fields: list[str], kind: dict, card: Any, note: dict) -> list[str]:
    """The note's fields with a card's edited text put where its template shows it."""
    names = kind["fields"]
    ords = [ord for item, ord in note["items"].items() if item == card.id]
    template = kind["templates"][ords[0] if ords and ords[0] < len(kind["templates"]) else 0]

    def first_field(fmt: str) -> int | None:
        for m in _FIELD_RE.finditer(fmt):
            if m.group(1).strip() in names:
                return names.index(m.group(1).strip())
        return None

    out = list(fields)
    if card.kind == "cloze":
        at = first_field(template["qfmt"])
        if at is not None:
            out[at] = text_to_html(card.text)
        return out
    if card.kind == "basic":
        q = first_field(template["qfmt"])
        after = re.split(r"<hr[^>]*id\s*=\s*[\"']?answer", template["afmt"], maxsplit=1, flags=re.IGNORECASE)[-1]
        a = first_field(after)
        if q is not None:
            out[q] = text_to_html(card.front)
        if a is not None and a != q:
            out[a] = text_to_html(card.back)
    return out
