"""Synthetic collections for the benchmarks, written into our progress database and into Anki's.

A collection of one size is a workspace folder (``decks/`` with 200 cards per file, ``progress/``
with the SQLite database) plus an Anki collection (``anki/collection.anki2``, FSRS switched on)
holding the same cards and the same review history:

- the deck files are written first and loaded with ``quizapp.decks.models.load_decks`` (so they are valid);
- the history is simulated by ``tests.support.history.generate_history`` (FSRS-6 with a learner whose
  memory really follows FSRS), two years long, ending at the moment of generation;
- the Anki side is then written from our database with bulk SQL: one Basic note and one card per
  item (same deck, same new-card order, same FSRS memory state and due day), and one ``revlog`` row
  per ``review_log`` row (same time, rating and duration). The collection is opened again through
  ``anki.collection.Collection`` afterwards, and its day count, card count and review count are
  checked against ours.

Collections are cached (under ``$QUIZAPP_BENCH_DATA``, else the system temp folder) and made again
when missing, when the generator changed, or with ``--fresh``; a database written before a schema
change is upgraded by quizapp's own migrations, as a user's would be.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from quizapp.db.records import from_iso, utcnow
from quizapp.db.schema import SCHEMA_VERSION  # noqa: E402
from quizapp.db.store import Store
from quizapp.decks.loader import load_decks
from quizapp.decks.models import DeckSet  # noqa: E402
from quizapp.scheduling.scheduler import study_day  # noqa: E402
from quizapp.workspace import Workspace  # noqa: E402

SIZES: dict[str, tuple[int, int]] = {"1k": (1_000, 10_000), "10k": (10_000, 100_000), "100k": (100_000, 1_000_000)}
"""Size name -> (cards, reviews at most)."""
CARDS_PER_FILE = 200
"""So the 10k collection is 10,000 cards in 50 files, as the start-up figure asks."""
HISTORY_DAYS = 730
"""Two years of study: about 11 answers per card, so the review cap leaves roughly a tenth of the
cards new, as in a collection still being worked through."""
GENERATOR_VERSION = 3
"""Bumped whenever what is generated changes, so cached collections are made again."""
ROLLOVER_HOUR = 4
"""Both engines' default: a study day starts at 4 a.m. local time."""

TOPICS = ("compilers", "distributed", "serving-infra", "data-pipelines", "autograd", "kernels", "quantization",
          "checkpointing", "profiling", "evaluation")
STAGE_CYCLE = ("data", "model", "serving", "monitoring", "tradeoff")
WORDS = (
    "tensor gradient kernel shard batch latency throughput optimizer checkpoint graph operator dispatcher "
    "allocator stream compiler fusion backend frontend autograd module parameter buffer activation memory "
    "bandwidth collective allreduce pipeline stage replica rank world process group launcher scheduler "
    "queue request cache warmup profile trace benchmark metric dashboard alert drift feature label sample "
    "dataset loader worker prefetch shuffle epoch step loss accuracy precision recall quantized calibration "
    "export runtime serving endpoint rollout canary shadow traffic budget regression baseline ablation"
).split()


@dataclass
class Generated:
    """One synthetic collection on disk, in both engines."""

    size: str
    home: Path
    """Workspace folder: ``decks/`` and ``progress/quizapp.db``."""
    anki: Path
    """The Anki collection file."""
    cards: int
    reviews: int
    files: int
    end: str
    """When the simulated history ends (UTC ISO), i.e. when it was generated."""

    @property
    def decks_dir(self) -> Path:
        return self.home / "decks"

    @property
    def db_path(self) -> Path:
        return self.home / "progress" / "quizapp.db"

    def workspace(self) -> Workspace:
        """The workspace with the generated decks only (the bundled decks would make the engines differ)."""
        return Workspace(self.home, (self.decks_dir,), "bench")


def data_root() -> Path:
    import os

    return Path(os.environ.get("QUIZAPP_BENCH_DATA") or Path(tempfile.gettempdir()) / "quizapp-bench")


# ---------------------------------------------------------------- deck files


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _quoted(text: str) -> str:
    return json.dumps(text)


def card_lines(rng: random.Random, card_id: str, n: int) -> list[str]:
    """One card of deck YAML, about as long as the shipped decks' cards (a few hundred bytes)."""
    tags = f"    tags: [{TOPICS[n % len(TOPICS)]}, {STAGE_CYCLE[n % len(STAGE_CYCLE)]}]"
    source = "    source: [bench.txt]"
    kind = n % 10
    if kind < 6:
        return [
            f"  - id: {card_id}",
            f"    front: {_quoted(_sentence(rng, 14) + '?')}",
            f"    back: {_quoted(_sentence(rng, 40) + '.')}",
            source,
            tags,
        ]
    if kind < 8:
        before, hidden, after = _sentence(rng, 14), rng.choice(WORDS), " ".join(rng.choice(WORDS) for _ in range(14))
        return [
            f"  - id: {card_id}",
            "    kind: cloze",
            f"    text: {_quoted(f'{before} {{{{c1::{hidden}}}}} {after}.')}",
            f"    extra: {_quoted(_sentence(rng, 16) + '.')}",
            source,
            tags,
        ]
    if kind == 8:
        choices = [f"{_sentence(rng, 3)} {i}" for i in range(4)]
        return [
            f"  - id: {card_id}",
            "    kind: choice",
            f"    question: {_quoted(_sentence(rng, 16) + '?')}",
            "    choices:",
            *[f"      - {_quoted(c)}" for c in choices],
            f"    answer: {_quoted(choices[n % 4])}",
            f"    explanation: {_quoted(_sentence(rng, 20) + '.')}",
            source,
            tags,
        ]
    return [
        f"  - id: {card_id}",
        "    kind: order",
        f"    prompt: {_quoted('Put in order: ' + _sentence(rng, 10))}",
        "    items:",
        *[f"      - {_quoted(f'{_sentence(rng, 4)} {i}')}" for i in range(5)],
        source,
        tags,
    ]


def write_decks(folder: Path, cards: int, seed: int = 5) -> int:
    """Write ``cards`` cards, ``CARDS_PER_FILE`` to a file (one deck per file); returns the file count."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, cards, CARDS_PER_FILE):
        deck_id = f"bench-{files:03d}"
        lines = [f"id: {deck_id}", f"title: Bench deck {files:03d}", "description: Generated for the benchmarks.", "cards:"]
        for n in range(start, min(cards, start + CARDS_PER_FILE)):
            lines += card_lines(rng, f"{deck_id}-{n:06d}", n)
        (folder / f"{deck_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files += 1
    return files


# ---------------------------------------------------------------- our database


def write_ours(home: Path, decks: DeckSet, reviews: int, end: datetime) -> int:
    """Create the progress database, add every item, and simulate the history; returns the answers written."""
    from tests.support.history import generate_history

    store = Store.open(home / "progress" / "quizapp.db")
    try:
        items = decks.items()
        store.sync_items(((i.id, i.deck_id, i.kind) for i in items), now=end - timedelta(days=HISTORY_DAYS + 1))
        written = generate_history(store, [i.id for i in items], end=end, days=HISTORY_DAYS, max_rows=reviews, seed=11)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.conn.execute("ANALYZE")
    finally:
        store.close()
    return written


# ---------------------------------------------------------------- Anki's collection

ANKI_STATE = {0: (0, 0), 1: (1, 1), 2: (2, 2), 3: (3, 1)}
"""Our card state -> Anki's (type, queue) for cards due within the day."""
REVLOG_TYPE = {0: 0, 1: 0, 2: 1, 3: 2}
"""Our state before an answer -> Anki's revlog type (learn, learn, review, relearn)."""
LEARNING_STEPS, RELEARNING_STEPS = 2, 1
"""Both engines' default step counts (1 m, 10 m and 10 m)."""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _interval(start: datetime, end: datetime | None) -> int:
    """Anki's revlog interval: days when a day or more, else negative seconds."""
    if end is None:
        return 0
    seconds = (end - start).total_seconds()
    return round(seconds / 86400) if seconds >= 86400 else -max(1, int(seconds))


def write_anki(path: Path, db_path: Path, decks: DeckSet, history_start: datetime) -> tuple[int, int]:
    """Write the collection at ``path`` from our database; returns (cards, reviews) as Anki counts them."""
    from anki.collection import Collection
    from anki.utils import checksum, guid64

    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    try:
        first_day = study_day(history_start, ROLLOVER_HOUR)
        crt_moment = datetime.combine(first_day, datetime.min.time()).replace(hour=ROLLOVER_HOUR).astimezone()
        col.crt = int(crt_moment.timestamp())
        col.set_config("fsrs", True)
        col.set_config("rollover", ROLLOVER_HOUR)
        basic = col.models.by_name("Basic")
        deck_ids = {deck.id: col.decks.id(f"bench::{deck.id}") for deck in decks.decks}
        col.decks.select(col.decks.id("bench"))
    finally:
        col.close()

    col = Collection(str(path))
    try:
        now = utcnow()
        today = (study_day(now, ROLLOVER_HOUR) - first_day).days
        if col.sched.today != today:
            raise RuntimeError(f"Anki's day {col.sched.today} is not ours {today}: the day boundaries differ")
        decay = 0.1542  # FSRS-6's default decay; every card is scheduled with the default parameters

        def anki_day(moment: datetime) -> int:
            return (study_day(moment, ROLLOVER_HOUR) - first_day).days

        items = decks.item_map()
        ours = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        ours.row_factory = sqlite3.Row
        card_rows = ours.execute("SELECT * FROM cards ORDER BY new_position").fetchall()
        cid = {row["id"]: 1_400_000_000_000 + 2 * n + 1 for n, row in enumerate(card_rows)}
        mtime = int(now.timestamp())
        notes, cards = [], []
        for n, row in enumerate(card_rows):
            item = items[row["id"]]
            front = "".join(piece for piece, _ in item.front_spans())
            back = "".join(piece for piece, _ in item.back_spans())
            tags = " " + " ".join(item.card.tags) + " "
            nid = cid[row["id"]] - 1
            notes.append((nid, guid64(), basic["id"], mtime, -1, tags, f"{front}\x1f{back}", front,
                          int(checksum(front)[:8], 16), 0, ""))  # Anki's field checksum; no HTML here
            state = row["state"]
            ctype, queue = ANKI_STATE[state]
            due, ivl, left, data = row["new_position"], 0, 0, ""
            if state != 0:
                due_at, last = from_iso(row["due"]), from_iso(row["last_review"])
                data = json.dumps({"s": round(row["stability"], 4), "d": round(row["difficulty"], 3), "dr": 0.9,
                                   "decay": decay, "lrt": int(last.timestamp())}, separators=(",", ":"))
                if state == 2:
                    due, ivl = anki_day(due_at), max(1, anki_day(due_at) - anki_day(last))
                else:
                    steps = LEARNING_STEPS if state == 1 else RELEARNING_STEPS
                    remaining = max(1, steps - (row["step"] or 0))
                    left = remaining * 1000 + remaining
                    ivl = 0 if state == 1 else max(1, round(row["stability"]))
                    if anki_day(due_at) <= today:
                        due = int(due_at.timestamp())
                    else:
                        queue, due = 3, anki_day(due_at)
            cards.append((cid[row["id"]], nid, deck_ids[row["deck_id"]], 0, mtime, -1, ctype, queue, due, ivl, 2500,
                          row["reps"], row["lapses"], left, 0, 0, 0, data))
        finals = {row["id"]: row for row in card_rows}

        revlog, used = [], set()
        last_card, last_ivl, pending = None, 0, []

        def flush() -> None:
            # An answer's difficulty is the one the card had after it: the next answer's "before", or now.
            for k, (entry, moment) in enumerate(pending):
                after = json.loads(pending[k + 1][0]["prev"]) if k + 1 < len(pending) else finals[entry["card_id"]]
                difficulty = after["difficulty"] or 0
                revlog[entry["__index"]][6] = round(difficulty * 100)

        for entry in ours.execute("SELECT * FROM review_log ORDER BY card_id, reviewed_at, id"):
            entry = dict(entry)
            if entry["card_id"] != last_card:
                flush()
                last_card, last_ivl, pending = entry["card_id"], 0, []
            moment = from_iso(entry["reviewed_at"])
            rid = _ms(moment)
            while rid in used:  # revlog ids are milliseconds and must be unique
                rid += 1
            used.add(rid)
            ivl = _interval(moment, from_iso(entry["due_after"]))
            entry["__index"] = len(revlog)
            revlog.append([rid, cid[entry["card_id"]], -1, entry["rating"], ivl, last_ivl, 0,
                           min(60_000, entry["duration_ms"]), REVLOG_TYPE[entry["state_before"]]])
            pending.append((entry, moment))
            last_ivl = ivl
        flush()
        ours.close()

        def insert() -> None:
            col.db.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes)
            col.db.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
            col.db.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog)

        col.db.transact(insert)
        col.db.execute("ANALYZE")
    finally:
        col.close()

    col = Collection(str(path))
    try:
        counted = (col.card_count(), col.db.scalar("SELECT COUNT(*) FROM revlog"))
        col.sched.get_queued_cards()  # the collection schedules
    finally:
        col.close()
    return counted


# ---------------------------------------------------------------- the whole collection


def generate(size: str, root: Path | None = None, fresh: bool = False, log=print) -> Generated:
    """The collection of ``size`` (``1k``, ``10k``, ``100k``, or ``<cards>x<reviews>`` for tests), made
    when missing."""
    cards, reviews = parse_size(size)
    home = (root or data_root()) / size
    meta_path = home / "meta.json"
    if not fresh and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == GENERATOR_VERSION:
            if meta.get("schema") != SCHEMA_VERSION:
                # Upgraded the way a user's database is: the new migrations run on the old data.
                log(f"[{size}] upgrading the database to schema {SCHEMA_VERSION} ...")
                Store.open(home / "progress" / "quizapp.db").close()
                meta["schema"] = SCHEMA_VERSION
                meta_path.write_text(json.dumps(meta, indent=2))
            return Generated(size=size, home=home, anki=Path(meta["anki"]), cards=meta["cards"],
                             reviews=meta["reviews"], files=meta["files"], end=meta["end"])
    if home.exists():
        shutil.rmtree(home)
    started = time.perf_counter()
    files = write_decks(home / "decks", cards)
    decks = load_decks([home / "decks"])
    if decks.problems:
        raise RuntimeError("generated decks have problems:\n" + "\n".join(decks.problems[:5]))
    end = utcnow().replace(microsecond=0)
    log(f"[{size}] {files} deck files, {len(decks.items()):,} cards; simulating up to {reviews:,} answers ...")
    written = write_ours(home, decks, reviews, end)
    log(f"[{size}] {written:,} answers in our database; writing Anki's collection ...")
    anki_path = home / "anki" / "collection.anki2"
    anki_cards, anki_reviews = write_anki(anki_path, home / "progress" / "quizapp.db", decks,
                                          end - timedelta(days=HISTORY_DAYS + 1))
    if (anki_cards, anki_reviews) != (len(decks.items()), written):
        raise RuntimeError(f"Anki holds {anki_cards} cards / {anki_reviews} reviews, ours {len(decks.items())} / {written}")
    generated = Generated(size=size, home=home, anki=anki_path, cards=anki_cards, reviews=anki_reviews, files=files,
                          end=end.astimezone(timezone.utc).isoformat())
    meta = {**asdict(generated), "home": str(home), "anki": str(anki_path), "version": GENERATOR_VERSION,
            "schema": SCHEMA_VERSION}
    meta_path.write_text(json.dumps(meta, indent=2))
    log(f"[{size}] generated in {time.perf_counter() - started:.0f} s -> {home}")
    return generated


def parse_size(size: str) -> tuple[int, int]:
    if size in SIZES:
        return SIZES[size]
    try:
        cards, reviews = (int(part) for part in size.split("x"))
    except ValueError:
        raise SystemExit(f"unknown size {size!r}: use {', '.join(SIZES)} or CARDSxREVIEWS") from None
    return cards, reviews


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Generate the benchmark collections.")
    parser.add_argument("sizes", nargs="*", default=list(SIZES))
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    for name in args.sizes:
        print(generate(name, fresh=args.fresh))
