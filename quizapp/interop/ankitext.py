"""Anki's text files: "Notes in Plain Text" exports, hand-written files with Anki's header lines
(``#separator:``, ``#html:``, ``#columns:``, ``#notetype:``, ``#deck:``, ``#tags:`` and the
``#guid/notetype/deck/tags column:`` lines), and files without any header row.

Without a ``#columns:`` line naming quizapp's own columns, the columns are an Anki note's fields in
order (besides the GUID, note type, deck and tags columns the header names). A note type whose
name says cloze (or a first field with ``{{c1::...}}``) makes a cloze card of its first field, with
the second as extra; any other makes a basic card of its first two fields, reversed when the note
type's name says so (the optional kinds only when their third field is filled). The header lines
quizapp's own export writes are in ``ANKI_HEADER`` below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from quizapp.decks.models import validate_card
from quizapp.interop.html import IMAGE_MARK_RE, html_to_text
from quizapp.interop.ids import card_id_for_guid, card_id_for_text, slug

SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|", "colon": ":"}
_HEADER_RE = re.compile(r"^#([a-z ]+):(.*)$", re.IGNORECASE)
_CLOZE_RE = re.compile(r"\{\{c\d+(?:,\d+)*::")
_REVERSED = ("revers", "umgekehrt", "反転", "invers", "inverti")
_OPTIONAL = ("optional", "wahlweise", "任意", "opcional", "facoltativ")
_CLOZE_TYPES = ("cloze", "lückentext", "穴埋め", "texte à trous", "huecos")


@dataclass
class Headers:
    """Anki's header lines at the top of a text file."""

    values: dict[str, str] = field(default_factory=dict)
    lines: int = 0
    """How many lines they take (the rows start after them)."""

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def column(self, key: str) -> int | None:
        """The 0-based index of ``#<key> column:``; None when not given or not a number."""
        value = self.values.get(f"{key} column")
        return int(value) - 1 if value and value.strip().isdigit() and int(value) > 0 else None

    @property
    def separator(self) -> str | None:
        value = self.values.get("separator")
        if value is None:
            return None
        return SEPARATORS.get(value.strip().lower(), value[:1] or None)

    @property
    def html(self) -> bool:
        return (self.values.get("html") or "true").strip().lower() != "false"


def read_headers(text: str) -> Headers:
    """The ``#key:value`` lines a file starts with."""
    headers = Headers()
    for line in text.splitlines():
        match = _HEADER_RE.match(line.rstrip("\r"))
        if not match:
            break
        headers.values[match.group(1).strip().lower()] = match.group(2).strip()
        headers.lines += 1
    return headers


def sniff_separator(first_line: str) -> str:
    """Anki's guess for a file that does not say: a tab, else a semicolon, else a comma."""
    for candidate in ("\t", ";", ","):
        if candidate in first_line:
            return candidate
    return "\t"


@dataclass
class NoteRows:
    """The cards read from rows of Anki notes, with one message per row that could not come in."""

    cards: list[Any]
    deck_id: str
    title: str
    problems: list[str] = field(default_factory=list)
    bad_rows: int = 0
    left_out: list[str] = field(default_factory=list)
    """Rows left out as Anki's own import or quizapp's package import leaves them out (image
    occlusion, a question that is only an image, an empty first field), each with its reason: they
    do not stop the rest of the file."""


def cards_from_rows(rows: list[tuple[int, list[str]]], headers: Headers, name: str, source: str,
                    stem: str, deck_id: str | None) -> NoteRows:
    """Cards from ``rows`` (line number, cells) of Anki notes; problems say ``name:line: ...``."""
    guid_at, type_at, deck_at, tags_at = (headers.column(k) for k in ("guid", "notetype", "deck", "tags"))
    labels = [c.strip().lower() for c in (headers.get("columns") or "").split(headers.separator or ",")] \
        if headers.get("columns") else []
    if tags_at is None and "tags" in labels:
        tags_at = labels.index("tags")
    special = {i for i in (guid_at, type_at, deck_at, tags_at) if i is not None}
    global_tags = (headers.get("tags") or "").split()
    decks = {_cell(row, deck_at) for _, row in rows if deck_at is not None} - {""}
    if not decks and headers.get("deck"):
        decks = {headers.get("deck") or ""}
    title = _common_deck(decks) or stem
    result = NoteRows([], deck_id or slug(title), title)
    seen: dict[str, int] = {}
    for line, row in rows:
        fields = [cell for i, cell in enumerate(row) if i not in special]
        if headers.html:
            fields = [html_to_text(cell)[0] for cell in fields]
        notetype = _cell(row, type_at) or headers.get("notetype") or "Basic"
        tags = global_tags + _cell(row, tags_at).split()
        deck = _cell(row, deck_at) or headers.get("deck") or ""
        if len(decks) > 1 and deck:
            tags.append("_".join(deck.split()))
        guid = _cell(row, guid_at)
        try:
            try:
                cards = _card(fields, notetype, tags, guid, result.deck_id, source)
            except RecursionError:
                raise _Problem("its cloze deletions are nested too deeply to read") from None
        except _LeftOut as exc:
            result.left_out.append(f"{name}:{line}: {exc}")
            continue
        except _Problem as exc:
            result.problems.append(f"{name}:{line}: {exc}")
            result.bad_rows += 1
            continue
        if cards[0].id in seen:
            result.problems.append(f"{name}:{line}: this note is already on line {seen[cards[0].id]}")
            result.bad_rows += 1
            continue
        seen[cards[0].id] = line
        result.cards.extend(cards)
    return result


class _Problem(Exception):
    pass


class _LeftOut(_Problem):
    """A row that is no mistake but cannot become a card here: it is left out with its reason."""


def _cell(row: list[str], at: int | None) -> str:
    return row[at].strip() if at is not None and at < len(row) else ""


def _common_deck(decks: set[str]) -> str:
    if not decks:
        return ""
    parts = [d.split("::") for d in decks]
    common = parts[0]
    for other in parts[1:]:
        n = 0
        while n < min(len(common), len(other)) and common[n] == other[n]:
            n += 1
        common = common[:n]
    return common[-1] if common and common[-1] not in ("", "Default") else ""


def _card(fields: list[str], notetype: str, tags: list[str], guid: str, deck_id: str, source: str) -> list[Any]:
    """The cards of one row: one, or for nested cloze deletions one per number, as Anki asks them."""
    from quizapp.interop.anki.templates import cloze_numbers, flatten, needs_flattening

    fields = fields + ["", "", ""]
    kind = notetype.lower()
    first = fields[0]
    common: dict[str, Any] = {"tags": list(dict.fromkeys(t for t in tags if t)), "source": [source]}
    card_id = card_id_for_guid(guid) if guid else card_id_for_text(deck_id, first)
    if "image occlusion" in kind:
        raise _LeftOut("an image occlusion note: its questions are shapes drawn on an image, which quizapp cannot show")
    if any(word in kind for word in _CLOZE_TYPES) or _CLOZE_RE.search(first):
        numbers = cloze_numbers(first)
        if not numbers:
            raise _Problem("the first field has no cloze deletion {{c1::...}}")
        if not needs_flattening(first):
            return [_valid({"id": card_id, "kind": "cloze", "text": first, "extra": fields[1], **common})]
        return [
            _valid({"id": card_id if n == numbers[0] else f"{card_id}-c{n}", "kind": "cloze",
                    "text": flatten(first, n), "extra": fields[1], **common})
            for n in numbers
        ]
    if first.strip() and not IMAGE_MARK_RE.sub("", first).strip():
        raise _LeftOut("its question is only an image, which quizapp cannot show")
    if not first.strip():
        raise _LeftOut("its first field is empty (Anki leaves such a note out too)")
    if not first.strip() or not fields[1].strip():
        raise _Problem("a card needs a question (the first field) and an answer (the second)")
    reverse = any(word in kind for word in _REVERSED)
    if reverse and any(word in kind for word in _OPTIONAL):
        reverse = bool(fields[2].strip())
    return [_valid({"id": card_id, "kind": "basic", "front": first, "back": fields[1], "reverse": reverse, **common})]


def _valid(raw: dict) -> Any:
    from quizapp.interop.deckwriter import too_long

    if too_long(raw):
        raise _Problem("; ".join(f"{name}: {message}" for name, message in too_long(raw)))
    try:
        return validate_card(raw)
    except ValidationError as exc:
        raise _Problem("; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())) from None
