"""CSV and TSV files of cards: one card per row, a header row naming the columns.

The columns are the deck file's field names (``id``, ``kind``, ``front``, ``back``, ``text``,
``choices``, ...) plus ``deck``; any subset may be used, in any order. Lists (``tags``,
``source``, ``choices``, ``items``, ``model_answer``) hold their items separated by ``|`` (a ``|``
inside an item is written ``\\|``); an interview's ``rubric`` is JSON. A row without a kind is
taken as the kind its filled columns suggest (``front``/``back`` basic, ``text`` cloze, ...).

Ids follow the same rules as Anki packages: the ``id`` column when filled, else the ``guid``
column (an Anki note's GUID), else an id made from the row's question, so importing the same
file again updates its cards instead of adding copies.

A little over 400 lines: export and import share the columns, the list escaping and the names of
Anki's columns; a row's card and the message naming its line and field belong with the reading.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quizapp.decks.models import KINDS, Deck, card_items, validate_card
from quizapp.interop import InteropError, discard
from quizapp.interop.ankitext import cards_from_rows, read_headers, sniff_separator
from quizapp.interop.cells import neutralise, restore
from quizapp.interop.deckwriter import card_data, too_long
from quizapp.interop.ids import card_id_for_guid, card_id_for_text, guid_for_card, is_card_id, slug

COLUMNS = (
    "id", "deck", "kind", "front", "back", "reverse", "text", "extra", "question", "choices", "answer",
    "explanation", "prompt", "items", "model_answer", "rubric", "time_limit", "tags", "source", "year", "event", "notes",
)
"""The columns an export writes, in order."""
LIST_COLUMNS = ("tags", "source", "choices", "items", "model_answer")
ANKI_COLUMNS = ("guid", "notetype", "anki front", "anki back", "anki tags")
"""The columns an export writes first, for Anki: note GUID, note type, its two fields, its tags. An
import understands them besides ``COLUMNS``: the GUID is the card's id when there is no ``id``; the
others it passes over."""


def anki_columns(card: Any) -> dict[str, str]:
    """A card as Anki's stock note types hold it (Basic, Basic (and reversed card), Cloze)."""
    item = card_items(card, "")[0]
    if card.kind == "cloze":
        notetype, front, back = "Cloze", card.text, card.extra
    elif card.kind == "basic":
        notetype, front, back = "Basic (and reversed card)" if card.reverse else "Basic", card.front, card.back
    else:
        notetype = "Basic"
        front = "".join(text for text, _ in item.front_spans())
        back = "".join(text for text, _ in item.back_spans())
    tags = " ".join("_".join(t.split()) for t in card.tags)
    return {"guid": guid_for_card(card.id), "notetype": notetype, "anki front": front, "anki back": back,
            "anki tags": tags}
_QUESTION = ("front", "text", "question", "prompt")
_SPLIT_RE = re.compile(r"(?<!\\)((?:\\\\)*)\|")
MAX_SHOWN_PROBLEMS = 50
MAX_CELL_CHARS = 64 * 1024 * 1024
"""Cells up to this long are read (and a card's text limit then applies to it)."""


def delimiter_for(path: Path) -> str:
    """Tab for ``.tsv`` and ``.tab`` files, a comma otherwise."""
    return "\t" if Path(path).suffix.lower() in (".tsv", ".tab") else ","


def join_list(values: list[str]) -> str:
    return " | ".join(v.replace("\\", "\\\\").replace("|", "\\|") for v in values)


def split_list(cell: str) -> list[str]:
    if "\\" not in cell:  # nothing escaped: a plain split gives the same items
        return [item for item in (part.strip() for part in cell.split("|")) if item]
    parts, start = [], 0
    for m in _SPLIT_RE.finditer(cell):
        parts.append(cell[start : m.start() + len(m.group(1))])
        start = m.end()
    parts.append(cell[start:])
    out = [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]
    return [p for p in out if p]


# --------------------------------------------------------------------------- export


def export_rows(decks: list[Deck]) -> list[dict[str, str]]:
    rows = []
    for deck in decks:
        for card in deck.cards:
            data = card_data(card)
            row = {"deck": deck.id}
            for name, value in data.items():
                if name in LIST_COLUMNS:
                    row[name] = join_list(value)
                elif name == "rubric":
                    row[name] = json.dumps(value, ensure_ascii=False)
                elif isinstance(value, bool):
                    row[name] = "true" if value else "false"
                else:
                    row[name] = str(value)
            rows.append({name: neutralise(cell) for name, cell in row.items()})
    return rows


def export_csv(decks: list[Deck], path: Path, delimiter: str | None = None) -> int:
    """Write every card of ``decks`` to ``path`` (CSV, or TSV by its extension unless ``delimiter`` is
    given); returns the row count."""
    rows = export_rows(decks)
    delimiter = delimiter or delimiter_for(path)
    for card, row in zip((card for deck in decks for card in deck.cards), rows):
        row.update({name: neutralise(cell) for name, cell in anki_columns(card).items()})
    names = list(ANKI_COLUMNS + COLUMNS)
    buffer = io.StringIO(newline="")
    # Anki's header lines, so Anki imports the file as it is: its note type, GUID, deck and tags
    # columns, the first two fields from the Anki columns, HTML off (``<tensor>`` is text).
    buffer.write(f"#separator:{'Tab' if delimiter == chr(9) else 'Comma' if delimiter == ',' else delimiter}\n")
    buffer.write("#html:false\n")
    for key, column in (("guid", "guid"), ("notetype", "notetype"), ("deck", "deck"), ("tags", "anki tags")):
        buffer.write(f"#{key} column:{names.index(column) + 1}\n")
    buffer.write(f"#columns:{delimiter.join(names)}\n")
    writer = csv.DictWriter(buffer, fieldnames=names, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    path = Path(path)
    aside = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        aside.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        aside.replace(path)
    except OSError as exc:
        discard(aside)
        raise InteropError(f"cannot write {path}: {exc.strerror or exc}") from None
    return len(rows)


# --------------------------------------------------------------------------- import


@dataclass
class CsvCards:
    """The cards read from a CSV/TSV file, and one message per row that could not become a card."""

    cards: list[Any]
    deck_id: str
    title: str
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    bad_rows: int = 0
    left_out: list[str] = field(default_factory=list)
    """Rows of an Anki text file that cannot become cards here (see ``ankitext.NoteRows``)."""

    @property
    def card_count(self) -> int:
        return len(self.cards)


class SeveralDecks(InteropError):
    """The file's deck column names several decks and no deck was chosen."""

    def __init__(self, message: str, decks: list[str]):
        super().__init__(message)
        self.decks = decks


def read_csv(path: Path, deck_id: str | None = None) -> CsvCards:
    """Read cards from a CSV or TSV file with a header row into one deck (see ``read_csv_decks``);
    a file whose deck column names several decks, without ``deck_id``, raises ``SeveralDecks``."""
    reads = read_csv_decks(path, deck_id)
    if len(reads) > 1:
        names = [read.title for read in reads]
        raise SeveralDecks(
            f"{path}: the deck column names {len(names)} decks ({', '.join(sorted(names)[:5])}); "
            "import one deck per file, or give --deck-id to put every row in one deck", names
        )
    return reads[0]


def read_csv_decks(path: Path, deck_id: str | None = None) -> list[CsvCards]:
    """Read cards from a CSV or TSV file with a header row: one ``CsvCards`` per deck the file's
    deck column names (as ``quizapp export -o x.csv`` writes them), or all rows into ``deck_id``.

    Every row is checked; problems are reported as ``file:line: column 'name': what is wrong``.
    Rows become cards as they are read, so a large file is held once, as text, besides its cards.
    Without ``deck_id`` a deck is the deck column's value (a row that leaves it empty goes with the
    others when the file names one deck), else the file's name.
    """
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InteropError(f"{path}: no such file") from None
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InteropError(f"{name}:{line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                           "save it as UTF-8 and import again") from None
    del data
    headers = read_headers(text)
    if headers.lines:
        parts = text.split("\n", headers.lines)
        text = parts[headers.lines] if len(parts) > headers.lines else ""
        del parts
    delimiter = headers.separator or (
        sniff_separator(text.split("\n", 1)[0]) if path.suffix.lower() == ".txt" else delimiter_for(path)
    )
    # A long cell is one card's problem (the deck's text limit says so), not the whole file's.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
    rows = _numbered_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True),
                          headers.lines, name)
    known = set(COLUMNS) | set(ANKI_COLUMNS)
    labels = [c.strip().lower() for c in (headers.get("columns") or "").split(delimiter)] if headers.get("columns") else []
    if labels and all(label in known for label in labels) and "kind" in labels:
        header_line, header = headers.lines, labels  # our own export: the columns are named in the header lines
    else:
        first = next(rows, None)
        if headers.lines or path.suffix.lower() == ".txt" or (first and not set(_cells(first[1])) & known):
            # Anki's notes, fields in order, with or without its header lines.
            return [_anki_rows(([first] if first else []) + list(rows), headers, name, path, deck_id)]
        if first is None:
            raise InteropError(f"{name}:1: the file is empty; it needs a header row naming the columns, e.g. front,back")
        header_line, header = first
    del text
    columns = [c.strip().lower() for c in header]
    for col in columns:
        if col not in known:
            raise InteropError(
                f"{name}:{header_line}: unknown column '{col}' in the header row; "
                f"the columns are {', '.join(COLUMNS + ANKI_COLUMNS)}"
            )
        if columns.count(col) > 1:
            raise InteropError(f"{name}:{header_line}: the column '{col}' is named twice in the header row")
    if not set(columns) & set(_QUESTION):
        raise InteropError(f"{name}:{header_line}: the header row names no question column ({', '.join(_QUESTION)})")

    at = columns.index("deck") if "deck" in columns and deck_id is None else None
    reads: dict[str, CsvCards] = {}
    undecked: list[tuple[int, list[str]]] = []  # rows leaving the deck cell empty: their deck is known at the end
    first_line: dict[str, int] = {}
    empty = 0

    def add(read: CsvCards, line: int, row: list[str]) -> None:
        read.rows += 1
        try:
            card = _row_card(row, columns, read.deck_id, path.name)
        except _RowProblem as exc:
            read.problems.extend(f"{name}:{line}: {p}" for p in exc.problems)
            read.bad_rows += 1
            return
        if card.id in first_line:
            read.problems.append(f"{name}:{line}: column 'id': '{card.id}' is already used on line {first_line[card.id]}")
            read.bad_rows += 1
            return
        first_line[card.id] = line
        read.cards.append(card)

    for line, row in rows:
        if not any(cell.strip() for cell in row):
            empty += 1
            continue
        deck = row[at].strip() if at is not None and len(row) > at else ""
        if at is not None and not deck:
            undecked.append((line, row))
            continue
        read = reads.get(deck)
        if read is None:
            read = reads[deck] = CsvCards([], deck_id or (_deck_id(deck) if deck else slug(path.stem)),
                                          deck or path.stem)
        add(read, line, row)
    if not reads and not undecked:
        raise InteropError(f"{name}:{header_line}: {_no_cards(empty, 'cards', 'its header row')}")
    if undecked:
        if len(reads) > 1:
            only = reads[min(reads)]
            for line, _ in undecked:
                only.rows += 1
                only.bad_rows += 1
                only.problems.append(f"{name}:{line}: column 'deck': empty, but the file names {len(reads)} decks; "
                                     "name this row's deck, or give --deck-id to put every row in one deck")
        else:
            read = next(iter(reads.values())) if reads else reads.setdefault("", CsvCards([], slug(path.stem), path.stem))
            for line, row in undecked:
                add(read, line, row)
    return list(reads.values())


def _numbered_rows(reader: Any, offset: int, name: str) -> Iterator[tuple[int, list[str]]]:
    """The reader's rows, each with the line of the file it starts on (after ``offset`` header
    lines); a file the reader cannot read is a message naming the line."""
    line = offset + 1
    try:
        for row in reader:
            yield line, row
            line = offset + reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            # The row that never ends began where its quote was opened: say that line, not the last.
            raise InteropError(f"{name}:{line}: a quoted cell starting on this line is never closed "
                               "(a \" is missing); nothing was imported") from None
        raise InteropError(f"{name}:{offset + reader.line_num}: {exc}; nothing was imported") from None


def _deck_id(deck: str) -> str:
    """The deck id for a value of the deck column: itself when it can be one, else made from it."""
    return deck if is_card_id(deck) else slug(deck)


def _no_cards(empty: int, what: str, only: str) -> str:
    """What happened when a file brought no cards: only a header, or how many rows were empty."""
    if empty == 0:
        return f"no {what} in the file: it has {only} but no {what} below it; nothing was imported"
    return f"no {what} in the file: {empty:,} {'row was' if empty == 1 else 'rows were'} empty; nothing was imported"


def _cells(row: list[str]) -> list[str]:
    return [c.strip().lower() for c in row]


def _anki_rows(rows: list[tuple[int, list[str]]], headers, name: str, path: Path, deck_id: str | None) -> CsvCards:
    body = [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
    if not body:
        raise InteropError(f"{name}:{headers.lines + 1}: {_no_cards(len(rows), 'notes', 'its header lines')}")
    read = cards_from_rows(body, headers, name, path.name, path.stem, deck_id)
    return CsvCards(read.cards, read.deck_id, read.title, read.problems, rows=len(body), bad_rows=read.bad_rows,
                    left_out=read.left_out)


class _RowProblem(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems


def _guess_kind(values: dict[str, str]) -> str:
    if "text" in values:
        return "cloze"
    if "choices" in values or "question" in values:
        return "choice"
    if "rubric" in values or "model_answer" in values:
        return "interview"
    if "items" in values:
        return "order"
    return "basic"


def _row_card(row: list[str], columns: list[str], deck_id: str, source: str) -> Any:
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
        raise _RowProblem([
            f"{len(row)} cells, but the header row names {len(columns)} columns "
            "(a cell holding the separator must be quoted)"
        ])
    # Missing cells at the end of a row are empty ones: hand-written files often leave them out.
    values = {col: restore(cell) for col, cell in zip(columns, row) if cell.strip() and col != "deck"}
    problems = []
    raw: dict[str, Any] = {}
    for col, cell in values.items():
        if col in LIST_COLUMNS:
            raw[col] = split_list(cell)
        elif col == "rubric":
            try:
                raw[col] = json.loads(cell)
            except json.JSONDecodeError as exc:
                problems.append(f"column 'rubric': not valid JSON ({exc.msg} at character {exc.pos + 1})")
            except RecursionError:
                problems.append("column 'rubric': nested too deeply to be a rubric")
        elif col in ANKI_COLUMNS:
            continue
        else:
            raw[col] = cell.strip() if col in ("id", "kind", "reverse", "time_limit", "year") else cell
    kind = raw.get("kind") or _guess_kind(values)
    if kind not in KINDS:
        problems.append(f"column 'kind': '{kind}' is not a card kind ({', '.join(KINDS)})")
    if problems:
        raise _RowProblem(problems)
    raw["kind"] = kind
    raw.setdefault("source", [source])
    if "id" not in raw:
        if "guid" in values:
            raw["id"] = card_id_for_guid(values["guid"].strip())
        else:
            question = next((values[c] for c in _QUESTION if c in values), "")
            if not question:
                raise _RowProblem([f"column '{_QUESTION[0]}': the question is empty, and there is no id to name the card by"])
            raw["id"] = card_id_for_text(deck_id, question)
    long_texts = too_long(raw)
    if long_texts:
        raise _RowProblem([f"column '{name}': {message}" for name, message in long_texts])
    try:
        return validate_card(raw)
    except ValidationError as exc:
        raise _RowProblem([_error_text(e, kind) for e in exc.errors()]) from None


def _error_text(err: Mapping[str, Any], kind: str) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    if loc and loc[0] in KINDS:
        loc = loc[1:]
    column = str(loc[0]) if loc else ""
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    msg = err["msg"]
    if err["type"] == "missing":
        msg = "field required (the cell is empty or the column is missing)"
    elif err["type"] == "extra_forbidden" and len(loc) == 1:
        msg = f"a {kind} card has no {column}; leave this cell empty or set the kind"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    msg = msg[:1].lower() + msg[1:]
    return f"column '{column}'{rest}: {msg}" if column else msg


def problems_text(problems: list[str]) -> str:
    """Problems one per line, cut at ``MAX_SHOWN_PROBLEMS`` with a count of the rest."""
    shown = problems[:MAX_SHOWN_PROBLEMS]
    more = len(problems) - len(shown)
    return "\n".join(shown + ([f"... and {more} more"] if more else []))
