"""Writing cards into a deck file of the workspace, the one way every import ends.

The file is written in the same YAML format as the bundled decks (by ``yamlemit``, whose text the
loader reads back as written), from cards validated one by one, and replaced in one step (write
aside, then rename), so a failed import leaves the old file as it was; the deck written goes
straight into the deck cache. Cards are matched by id: importing the same cards again
updates them in place, and cards already in the file that the import does not mention stay.

Longer than 400 lines: writing, caching and syncing an imported deck are one step that must
succeed or leave everything as it was.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from quizapp.decks.loader import load_deck_file, load_decks
from quizapp.decks.models import BasicCard, Deck
from quizapp.decks.yaml_reader import parse_deck
from quizapp.interop import InteropError, discard
from quizapp.workspace import Workspace

_FIELD_ORDER = (
    "id", "kind", "front", "back", "reverse", "text", "extra", "question", "choices", "answer",
    "explanation", "prompt", "items", "model_answer", "rubric", "time_limit", "tags", "source", "year", "event",
)


_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter is ~10x faster


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """Plain YAML our loader accepts: no anchors or aliases, multi-line text as ``|`` blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    # Short lists of one-line text read best on one line: tags: [timeline, compiler]
    short = all(isinstance(v, str) and "\n" not in v for v in value) and sum(len(v) + 2 for v in value) < 70
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def card_data(card: Any) -> dict[str, Any]:
    """A card as the mapping a deck file holds: defaults left out, fields in a readable order."""
    data = _without_defaults(card)
    data["kind"] = card.kind
    data["source"] = list(card.source)
    return dict(sorted(data.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER))))


def _plain_basic(card: BasicCard) -> bool:
    """Whether a basic card has nothing but id, sides, tags and source (all else as by default)."""
    return not card.reverse and card.year is None and card.event is None and not card.notes


def _without_defaults(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    kind: type = type(obj)
    for f in _card_fields(kind):
        value = getattr(obj, f.name)
        if f.default is not MISSING and value == f.default:
            continue
        if f.default_factory is not MISSING and value == f.default_factory():
            continue
        if isinstance(value, list):
            value = [_without_defaults(v) if is_dataclass(v) else v for v in value]
        data[f.name] = value
    return data


_ORDER = {name: i for i, name in enumerate(_FIELD_ORDER)}


@functools.cache
def _card_fields(cls: type) -> tuple[Field, ...]:
    return fields(cls)


def too_long(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, what is wrong) for each text in a card's plain data longer than a deck file may hold (the
    loader's limit), so that a row or note is left out with its reason rather than failing the file."""
    from quizapp.decks.models import MAX_TEXT_CHARS

    out = []
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        for text in values:
            if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
                out.append((name, f"this text is {len(text):,} characters long; a value holds at most {MAX_TEXT_CHARS:,}"))
                break
    return out


def deck_yaml(deck_id: str, title: str, description: str, cards: list[Any], comment: str = "") -> str:
    """The text of a deck file holding ``cards``."""
    return "".join(deck_document(deck_id, title, description, cards, comment)[0])


def deck_document(
    deck_id: str, title: str, description: str, cards: list[Any], comment: str = ""
) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The text of a deck file holding ``cards``, in pieces, and where each card's id stands (line,
    column), as the loader would report it."""
    from quizapp.interop import yamlemit

    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    doc: dict[str, Any] = {"id": deck_id, "title": title}
    if description:
        doc["description"] = description
    pieces = [head, yamlemit.header_text(doc), "cards:\n"]
    line = sum(piece.count("\n") for piece in pieces) + 1
    lines: dict[str, tuple[int, int]] = {}
    for card in cards:
        if type(card) is BasicCard and _plain_basic(card):
            text = yamlemit.basic_card_text(card.id, card.front, card.back, card.tags, card.source)
            pieces.append(text)
            lines.setdefault(card.id, (line, 7))  # where "- id: " puts the id
            line += text.count("\n")
            continue
        data = card_data(card)
        try:
            text = yamlemit.card_text(data)
        except yamlemit.Unsupported:
            text = yaml.dump([data], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                             default_flow_style=False)
        lines.setdefault(card.id, (line, 7))  # where "- id: " puts the id
        line += text.count("\n")
        pieces.append(text)
    return pieces, lines


def write_deck_file(path: Path, text: str | list[str], cache_as: str | None = None, deck: Deck | None = None) -> None:
    """Check ``text`` as a deck file, then put it at ``path`` in one step (durably, or not at all).
    With ``cache_as`` (the name the loader gives the file), the checked deck also goes into the deck
    cache, so that opening the workspace next does not parse a large import a second time.

    ``deck``, when given, is the deck ``text`` holds, made from cards validated one by one and
    written by ``deck_document`` (whose output the loader reads back as written): the text is then
    not parsed again."""
    pieces = [text] if isinstance(text, str) else text
    problems: list[str] = []
    refuse_read_only(path.parent, "the deck file goes there")
    if deck is None:
        data = "".join(pieces).encode("utf-8")
        deck, problems = parse_deck(data, str(path), path)
        if deck is None or problems:
            # A card that validated on its own but not in the file would be a bug here, not bad input.
            raise InteropError(f"refusing to write {path}; it would not load:\n" + "\n".join(problems))
    sha1 = _write_pieces(path, pieces)
    if cache_as is not None:
        _cache_deck(path, cache_as, deck, sha1, problems)


def _write_pieces(path: Path, pieces: list[str]) -> str:
    """Put the text ``pieces`` at ``path`` in one step, durably; returns the SHA-1 of the bytes."""
    import hashlib

    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.tmp")
    digest = hashlib.sha1()
    try:
        with open(aside, "wb") as fh:
            for piece in pieces:  # piece by piece: a large import is not held twice more in memory
                chunk = piece.encode("utf-8")
                digest.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(aside, path)
    except OSError as exc:
        discard(aside)
        raise InteropError(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None
    return digest.hexdigest()


def _cache_deck(path: Path, name: str, deck: Deck, sha1: str, problems: list[str]) -> None:
    from quizapp.decks.cache import DeckCache
    from quizapp.workspace import deck_cache_dir

    deck.digest = sha1
    DeckCache(deck_cache_dir()).put(path, name, path.stat(), sha1, (deck, problems))


def _loader_name(path: Path, workspace: Workspace) -> str:
    """The name the deck loader gives ``path`` when it opens ``workspace`` (its cache is keyed by it)."""
    from quizapp.decks.loader import _display_parent

    parent = _display_parent(path.parent, workspace.home)
    return str(parent / path.name) if parent is not None else str(path)


def timestamp(moment: datetime | None = None) -> str:
    """A file-name-safe UTC time stamp, e.g. ``20260310T120000Z``."""
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def refuse_read_only(folder: Path, why: str) -> None:
    """Refuse before anything is written when ``folder`` (or the nearest folder that exists above
    it) cannot be written to: read-only permissions or a read-only file system."""
    existing = Path(folder)
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not os.access(existing, os.W_OK):
        raise InteropError(f"{existing} is read-only, and {why}. Nothing was written; make the folder "
                           "writable, or choose another workspace with --home.")


def backup_progress(workspace: Workspace, reason: str = "import") -> Path | None:
    """Back up the progress database (see ``quizapp.db.backup``) before an import writes anything;
    returns the backup, or None when there is no progress yet."""
    from quizapp.db.backup import has_progress, take_backup

    if not has_progress(workspace.db_path):
        return None
    outcome = take_backup(workspace.db_path, reason, backups_dir=workspace.backups_dir)
    return outcome.backup.path if outcome.backup else None


@dataclass
class ImportResult:
    """What an import did, for the report a user reads."""

    deck_id: str
    path: Path
    added: list[str] = field(default_factory=list)
    """Ids of cards new to the deck file."""
    updated: list[str] = field(default_factory=list)
    """Ids of cards already in the file whose content the import changed."""
    unchanged: int = 0
    kept: int = 0
    """Cards in the file before that this import did not mention (left as they were)."""
    left_out: list[str] = field(default_factory=list)
    """One message per note or row that did not come in, saying where and why."""
    notes: list[str] = field(default_factory=list)
    """Other things worth knowing (note types imported as basic, media left out)."""
    backup: Path | None = None
    """The copy of the progress database taken before writing."""

    @property
    def written(self) -> bool:
        return bool(self.added or self.updated)

    def lines(self) -> list[str]:
        """The report, one line each; deck and file text is passed through as data, not markup."""
        out = [
            f"{self.path}: deck '{self.deck_id}': {len(self.added)} added, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged" + (f", {self.kept} already there kept" if self.kept else "")
        ]
        out.extend(self.notes)
        if self.left_out:
            out.append("left out:")
            out.extend(f"  {line}" for line in self.left_out)
        if self.backup:
            out.append(f"progress backed up first to {self.backup}")
        if not self.written:
            out.append("nothing was imported" if self.left_out and not self.unchanged
                       else "nothing to write: the deck file already holds these cards")
        return out


def save_import(
    workspace: Workspace,
    deck_id: str,
    title: str,
    description: str,
    cards: list[Any],
    origin: str,
    left_out: list[str] | None = None,
    notes: list[str] | None = None,
) -> ImportResult:
    """Merge ``cards`` into the workspace's deck ``deck_id`` (creating ``decks/<deck_id>.yaml`` when
    there is none), after backing up progress, and add the new cards to the progress database.

    A card whose id belongs to another deck is left out and reported: that card already has a home
    and its progress must not be tied to two texts.
    """
    decks_dir = workspace.decks_dir
    folders = list(dict.fromkeys([*workspace.deck_dirs, decks_dir.resolve() if decks_dir.exists() else decks_dir]))
    from quizapp.decks.cache import DeckCache
    from quizapp.workspace import deck_cache_dir

    # From the cache when the files are as cached: a large earlier import is not parsed again.
    loaded = load_decks([f for f in folders if Path(f).is_dir()], base=workspace.home, cache=DeckCache(deck_cache_dir()))
    target = _target(loaded.decks, deck_id, decks_dir)
    result = ImportResult(deck_id, target.path if target else decks_dir / f"{deck_id}.yaml")
    result.left_out = list(left_out or [])
    result.notes = list(notes or [])
    if target is None and result.path.exists():
        _refuse_unreadable(result.path, deck_id)

    owner = {
        card.id: deck for deck in loaded.decks if target is None or deck.path != target.path for card in deck.cards
    }
    existing = list(target.cards) if target else []
    index = {card.id: i for i, card in enumerate(existing)}
    merged = list(existing)
    seen: set[str] = set()
    owned: dict[Deck, list[str]] = {}
    for card in cards:
        if card.id in seen:
            result.left_out.append(f"{origin}: card id '{card.id}' comes twice; the first one was kept")
            continue
        seen.add(card.id)
        if card.id in owner:
            owned.setdefault(owner[card.id], []).append(card.id)
            continue
        if card.id in index:
            before = existing[index[card.id]]
            if list(card.source) == [origin]:
                # The source an import fills in is the file's name; a renamed file is not new content.
                card = card.model_copy(update={"source": before.source})
            if before == card:
                result.unchanged += 1
            else:
                merged[index[card.id]] = card
                result.updated.append(card.id)
        else:
            merged.append(card)
            result.added.append(card.id)
    for other, ids in owned.items():
        # One line a deck, however many cards: a second version of a package names its deck anew.
        shown = ", ".join(f"'{i}'" for i in ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        result.left_out.append(
            f"{origin}: {len(ids)} cards are already in deck '{other.id}' ({_shown(other.path, workspace)}): {shown}; "
            f"they stay as they are. To update them from this file, import it with --deck-id {other.id}"
        )
    result.kept = len([c for c in existing if c.id not in seen])
    if not result.written:
        return result

    refuse_read_only(workspace.decks_dir, "the imported deck file goes there")
    if workspace.db_path.exists():
        refuse_read_only(workspace.db_path.parent, "the progress database and its backups are there")
    result.backup = backup_progress(workspace, "import")
    if target is not None:
        _keep_old_file(workspace, target.path)
    title, description = (target.title, target.description) if target else (title, description)
    pieces, lines = deck_document(
        deck_id, title, description, merged,
        comment=f"Imported with `quizapp import` from {origin}.\n"
        "Importing it again updates these cards by id; cards added here by hand stay.",
    )
    # The cards were validated one by one as they were read, and ``deck_document`` writes text the
    # loader reads back as written (tests/unit/test_deck_emitter.py): the file is not parsed again,
    # and the deck goes straight into the deck cache, so that the next start does not parse it either.
    sha1 = _write_pieces(result.path, pieces)
    del pieces
    _cache_deck(result.path, _loader_name(result.path, workspace), Deck(deck_id, title, description, result.path, merged, lines),
                sha1, [])
    return result


def _target(decks: list[Deck], deck_id: str, decks_dir: Path) -> Deck | None:
    for deck in decks:
        if deck.id != deck_id:
            continue
        if deck.path.resolve().parent == decks_dir.resolve():
            return deck
        raise InteropError(
            f"deck id '{deck_id}' is already used by {deck.path}, which is not in the workspace's "
            f"decks folder ({decks_dir}); nothing was imported. Choose another id with --deck-id."
        )
    return None


def _refuse_unreadable(path: Path, deck_id: str) -> None:
    deck, problems = load_deck_file(path)
    if deck is None or problems or deck.id != deck_id:
        what = f"holds deck '{deck.id}'" if deck and deck.id != deck_id else "has problems (see `quizapp check`)"
        raise InteropError(
            f"{path} already exists and {what}; it was left untouched and nothing was imported. "
            "Fix it, or choose another deck id with --deck-id."
        )


def _keep_old_file(workspace: Workspace, path: Path) -> None:
    folder = workspace.backups_dir / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, folder / f"{timestamp()}-{path.name}")


def _shown(path: Path, workspace: Workspace) -> str:
    try:
        return str(path.resolve().relative_to(workspace.home.resolve()))
    except ValueError:
        return str(path)
