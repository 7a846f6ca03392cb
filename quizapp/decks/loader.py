"""Loading the deck files of a workspace's folders: each file read (or taken from the cache) and
validated, ids checked across files."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from quizapp.decks.cache import DeckCache
from quizapp.decks.emitted_yaml import IMPORTED_MARK
from quizapp.decks.models import Deck, DeckSet
from quizapp.decks.yaml_reader import parse_deck

MAX_DECK_BYTES = 5 * 1024 * 1024
"""Deck files larger than this are refused before parsing."""
MAX_IMPORTED_BYTES = 256 * 1024 * 1024
"""A file an import wrote (it starts with ``IMPORTED_MARK``) was checked card by card when it was
written, and a user's Anki collection can be far larger than a hand-written deck, so it may grow to
this (an import of 100,000 notes is ~25 MB)."""


def _imported(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(IMPORTED_MARK)) == IMPORTED_MARK


def load_deck_file(
    path: Path, name: str | None = None, root: Path | None = None, cache: DeckCache | None = None
) -> tuple[Deck | None, list[str]]:
    """Read and validate one file, refusing links that lead outside ``root`` and oversized files.
    With ``cache``, a file read before and unchanged since is not parsed again."""
    name = name or str(path)
    try:
        if root is not None and path.is_symlink():
            try:
                target = path.resolve()
            except RuntimeError:  # a loop of links
                return None, [f"{name}:1:1 a loop of symbolic links; skipped"]
            if not target.is_relative_to(root.resolve()):
                return None, [f"{name}:1:1 a link to a file outside the decks folder ({target}) is not followed"]
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            # A folder, a FIFO (reading it would wait forever), a device or a socket named like a deck.
            return None, [f"{name}:1:1 not a regular file; skipped"]
        if st.st_size > MAX_DECK_BYTES and not (st.st_size <= MAX_IMPORTED_BYTES and _imported(path)):
            return None, [
                f"{name}:1:1 the file is {st.st_size / 1e6:.1f} MB; deck files are limited to {MAX_DECK_BYTES // 2**20} MB"
            ]
        if cache is not None:
            found, data = cache.get(path, name, st)
            if found is not None:
                return found
        else:
            data = None
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        return None, [f"{name}:1:1 cannot read the file: {exc.strerror or exc}"]
    found = parse_deck(data, name, path)
    sha1 = hashlib.sha1(data).hexdigest()
    if found[0] is not None:
        found[0].digest = sha1
    if cache is not None:
        cache.put(path, name, st, sha1, found)
    return found


def deck_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_decks(folders: Iterable[Path], base: Path | None = None, cache: DeckCache | None = None) -> DeckSet:
    """Load every deck file in ``folders``; a bad file or card never stops the others loading.

    Ids must be unique across all decks: a card whose id another file already used is reported and
    left out, as is a second deck with the same deck id. ``cache`` keeps parsed files between runs.
    """
    return _load_decks(folders, base, cache)


def _load_decks(folders: Iterable[Path], base: Path | None, cache: DeckCache | None) -> DeckSet:
    folders = list(folders)
    # A file in a later folder with the same name as one in an earlier folder takes its place (a
    # workspace's edited copy of a bundled deck), in the earlier one's position.
    chosen: dict[str, tuple[Path, Path]] = {}
    for folder in folders:
        for path in deck_files(folder):
            chosen[path.name] = (folder, path)
    files: list[tuple[str, Deck | None, list[str]]] = []
    for folder, path in chosen.values():
        parent = _display_parent(folder, base)
        name = str(parent / path.name) if parent is not None else str(path)
        deck, problems = load_deck_file(path, name, root=folder, cache=cache)
        files.append((name, deck, problems))
    # Which decks and cards are left out because another file already used their ids depends only on
    # the files: worked out once for the same files, and kept in the cache like the files themselves.
    key = (DeckCache.FORMAT, DeckCache._code(), [(name, deck.id, deck.digest) if deck else name for name, deck, _ in files])
    outcome = cache.get_crosscheck(folders, key) if cache is not None else None
    if outcome is None:
        outcome = _crosscheck(files)
        if cache is not None:
            cache.put_crosscheck(folders, key, outcome)
    result = DeckSet()
    for (name, deck, problems), (skip, dropped, messages) in zip(files, outcome):
        result.problems.extend(problems)
        result.problems.extend(messages)
        if deck is None or skip:
            continue
        if dropped:
            gone = set(dropped)
            deck.cards = [card for card in deck.cards if card.id not in gone]
        result.decks.append(deck)
    if cache is not None and cache.written:
        cache.prune()
    return result


def _crosscheck(files: list[tuple[str, Deck | None, list[str]]]) -> list[tuple[bool, list[str], list[str]]]:
    """For each file: whether its deck is left out (its deck id is taken), the ids of its cards left
    out (taken by an earlier file), and the messages saying so."""
    outcome: list[tuple[bool, list[str], list[str]]] = []
    seen: set[str] = set()
    """Every card id so far."""
    owners: list[tuple[Deck, str]] = []
    """Decks whose ids are not yet in ``card_owner`` (made only when an id turns up twice)."""
    card_owner: dict[str, str] = {}
    deck_owner: dict[str, str] = {}
    for name, deck, _ in files:
        if deck is None:
            outcome.append((False, [], []))
            continue
        if deck.id in deck_owner:
            outcome.append((True, [], [f"{name}:1:1 id: deck id '{deck.id}' is already used by {deck_owner[deck.id]}"]))
            continue
        deck_owner[deck.id] = name
        ids = deck.card_ids()
        before = len(seen)
        seen.update(ids)
        if len(seen) == before + len(ids):  # no id used before: the usual case, checked in bulk
            owners.append((deck, name))
            outcome.append((False, [], []))
            continue
        _owners(owners, card_owner)
        owners = []
        dropped, messages = [], []
        for card_id in ids:
            if card_id in card_owner:
                line, col = deck.lines.get(card_id, (1, 1))
                messages.append(
                    f"{name}:{line}:{col} id: card id '{card_id}' is already used in {card_owner[card_id]}; "
                    "this card is left out"
                )
                dropped.append(card_id)
            else:
                card_owner[card_id] = name
        outcome.append((False, dropped, messages))
    return outcome


def _owners(decks: list[tuple[Deck, str]], owner: dict[str, str] | None = None) -> dict[str, str]:
    owner = {} if owner is None else owner
    for deck, name in decks:
        owner.update(dict.fromkeys(deck.card_ids(), name))
    return owner


def _display_parent(folder: Path, base: Path | None) -> Path | None:
    """How the files of ``folder`` are named in messages: relative to ``base``, else to the current
    folder; None to name them as given."""
    # The folder resolved, not the files: a link is named as itself, not as what it points to.
    resolved = folder.resolve()
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return resolved.relative_to(root.resolve())
        except ValueError:
            continue
    return None
