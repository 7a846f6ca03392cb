"""The deck cache: parsed deck files kept between starts."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass
from quizapp.decks.models import Deck, code_version
from quizapp.decks.yaml_reader import parse_deck


class DeckCache:
    """Parsed deck files kept on disk, so that a file that did not change is not parsed again at the
    next start (parsing and validating YAML costs far more than anything else at start-up).

    One entry per deck file, in the user's own cache folder (``workspace.deck_cache_dir()``), never
    in the workspace. An entry holds, one pickle after the other: its key (format, loader code, name,
    path), the file's identity (size, times, inode and the SHA-1 of its bytes), the deck's ids and
    problems, and last the cards themselves, which are read only when the deck is first used.

    A file whose size, modification and change times and inode are as recorded is not read again,
    as Python's own bytecode cache and git's index do; the change time cannot be set back by a
    program, so an edit always shows. An entry written within seconds of its file's last change
    is checked by content (the SHA-1) until a later start finds the file unchanged, because an edit
    in the same clock tick would leave the times as they were.
    """

    FORMAT = 4
    CHUNK = 5000
    """Cards per pickle of a deck's cards: one pickle of 100,000 cards would hold a table of every
    object in it while it is written (~50 MB more at the peak of a large import)."""
    MAX_AGE_DAYS = 60
    """Entries not rewritten for this long are removed whenever another entry is written."""
    RACY_NS = 2_000_000_000
    """A file changed this close to the moment its entry was written is checked by content."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.written = 0
        """Entries written by this instance for files parsed because they changed."""

    @staticmethod
    def _code() -> str:
        return code_version()

    def _entry(self, path: Path) -> Path:
        return self.folder / (hashlib.sha1(str(path.absolute()).encode()).hexdigest()[:32] + ".pickle")

    def _key(self, path: Path, name: str) -> tuple:
        return (self.FORMAT, self._code(), name, str(path))

    @staticmethod
    def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def get(self, path: Path, name: str, st: os.stat_result) -> tuple[tuple[Deck | None, list[str]] | None, bytes | None]:
        """The cached result for the file, if it is the one cached; and the file's bytes when they had
        to be read to tell (so that a miss does not read them twice)."""
        entry = self._entry(path)
        data: bytes | None = None
        try:
            with open(entry, "rb") as fh:
                key = pickle.load(fh)
                if key != self._key(path, name):
                    return None, None
                identity, sha1, trusted = pickle.load(fh)
                if not (trusted and identity == self._identity(st)):
                    data = path.read_bytes()
                    if hashlib.sha1(data).hexdigest() != sha1:
                        return None, data
                    self._refresh(entry, fh, key, st, sha1)
                head, problems = pickle.load(fh)
                offset = fh.tell()
        except Exception:  # missing, damaged or from other code: parse the file instead
            return None, data
        if head is None:
            return (None, problems), data
        deck_id, title, description, card_ids, item_ids, kinds = head
        index = (card_ids, item_ids, kinds)
        deck = Deck(
            deck_id, title, description, path, index=index,
            load=lambda: self._cards(entry, key, sha1, offset, path, name),
        )
        deck.digest = sha1
        return (deck, problems), data

    def _refresh(self, entry: Path, fh, key: tuple, st: os.stat_result, sha1: str) -> None:
        # The bytes are as cached but the file's identity is new (touched, copied, checked out) or
        # was too recent to trust: record it, so that the next start need not read the file.
        at = fh.tell()
        rest = fh.read()
        fh.seek(at)
        self._write(entry, [key, (self._identity(st), sha1, self._trusted(st))], rest, parsed=False)

    def _cards(self, entry: Path, key: tuple, sha1: str, offset: int, path: Path, name: str):
        try:
            with open(entry, "rb") as fh:
                if pickle.load(fh) == key and pickle.load(fh)[1] == sha1:
                    fh.seek(offset)
                    count = pickle.load(fh)
                    cards = [card for _ in range(count) for card in pickle.load(fh)]
                    return cards, pickle.load(fh)
        except Exception:
            pass
        # The entry changed or went away since the deck was listed: read the file itself.
        deck, _ = parse_deck(path.read_bytes(), name, path)
        return (deck.cards, deck.lines) if deck else ([], {})

    def _trusted(self, st: os.stat_result) -> bool:
        return max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - self.RACY_NS

    def put(self, path: Path, name: str, st: os.stat_result, sha1: str, result: tuple[Deck | None, list[str]]) -> None:
        deck, problems = result
        if deck is None:
            head: tuple[str, ...] | None = None
            payload: list[Any] = [0, {}]
        else:
            # Ids never hold a line break: joined, they unpickle many times faster than lists.
            keys = deck.item_keys()
            head = (deck.id, deck.title, deck.description, "\n".join(deck.card_ids()),
                    "\n".join(k[0] for k in keys), "\n".join(k[1] for k in keys))
            cards = deck.cards
            chunks = [cards[i : i + self.CHUNK] for i in range(0, len(cards), self.CHUNK)]
            payload = [len(chunks), *chunks, deck.lines]
        ident = (self._identity(st), sha1, self._trusted(st))
        # Pickled straight into the file: a large deck's cards are not held again as bytes.
        self._write(self._entry(path), [self._key(path, name), ident, (head, problems), *payload], b"")

    def _write(self, entry: Path, first: list, tail: bytes, parsed: bool = True) -> None:
        temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with open(temporary, "wb") as fh:
                for obj in first:
                    pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.write(tail)
            os.replace(temporary, entry)
            self.written += parsed
        except Exception:  # a cache that cannot be written only costs time
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass

    def _crosscheck_entry(self, folders: list[Path]) -> Path:
        joined = "\n".join(str(folder.absolute()) for folder in folders)
        return self.folder / ("folders-" + hashlib.sha1(joined.encode()).hexdigest()[:32] + ".pickle")

    def get_crosscheck(self, folders: list[Path], key: Any) -> Any:
        """What ``_crosscheck`` found for exactly these files, if it was kept."""
        try:
            with open(self._crosscheck_entry(folders), "rb") as fh:
                if pickle.load(fh) == key:
                    return pickle.load(fh)
        except Exception:
            pass
        return None

    def put_crosscheck(self, folders: list[Path], key: Any, outcome: Any) -> None:
        self._write(self._crosscheck_entry(folders), [key], pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL),
                    parsed=False)

    def prune(self) -> None:
        """Remove entries not rewritten for ``MAX_AGE_DAYS`` (deck files that moved or went away)."""
        oldest = time.time() - self.MAX_AGE_DAYS * 86400
        try:
            for entry in self.folder.glob("*.pickle"):
                if entry.stat().st_mtime < oldest:
                    entry.unlink(missing_ok=True)
        except OSError:
            pass
