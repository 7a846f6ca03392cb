"""The figures: each measures ours beside its references on one generated collection, taking turns.

Every figure works on a scratch copy of the collection (``Sandbox``), so answering and optimising
never change the generated data and each suite run starts from the same state.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bench.generate import ROOT, Generated, data_root
from bench.timing import Measured, Stopwatch, Summary, interleaved
from quizapp.db.records import LogEntry, new_id, to_iso, utcnow
from quizapp.db.store import Store
from quizapp.decks.loader import load_decks
from quizapp.decks.models import DeckSet
from quizapp.scheduling.scheduler import load_settings, save_settings
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace

ANKI_SEARCH = "deck:bench"
"""Every generated card: Anki's decks are ``bench::<deck id>``."""


@dataclass
class Row:
    """One line of the table: ours against one reference, on one size."""

    figure: str
    """Key of the figure, e.g. ``queue``."""
    label: str
    size: str
    ours: Summary
    reference: str
    ref: Summary
    unit: str = "ms"
    target: float | None = None
    """The most ``ours / ref`` may be; None when the figure has no target."""
    target_text: str = ""
    target_here: bool = True
    """Whether the issue's target applies at this size (it names one size for some figures)."""
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours.median / self.ref.median if self.ref.median else float("inf")

    @property
    def verdict(self) -> str:
        if self.target is None or not self.target_here:
            return ""
        return "meets" if self.ratio <= self.target else "MISSES"

    def to_json(self) -> dict:
        return {
            "figure": self.figure, "label": self.label, "size": self.size, "unit": self.unit,
            "ours": self.ours.to_json(), "reference": self.reference, "ref": self.ref.to_json(),
            "ratio": self.ratio, "target": self.target, "target_text": self.target_text,
            "target_applies": self.target_here, "verdict": self.verdict, "note": self.note,
        }


@dataclass
class Sandbox:
    """Scratch copies of one generated collection: our workspace and Anki's collection file."""

    generated: Generated
    home: Path
    anki: Path
    decks: DeckSet = field(repr=False)

    @classmethod
    def make(cls, generated: Generated) -> "Sandbox":
        # One scratch folder per process, so that runs side by side never share one.
        home = data_root() / "scratch" / f"{generated.size}-{os.getpid()}"
        if home.exists():
            shutil.rmtree(home)
        atexit.register(shutil.rmtree, home, True)
        (home / "progress").mkdir(parents=True)
        (home / "anki").mkdir()
        # The decks are only read; a link keeps the copy quick.
        (home / "decks").symlink_to(generated.decks_dir, target_is_directory=True)
        shutil.copy2(generated.db_path, home / "progress" / "quizapp.db")
        shutil.copy2(generated.anki, home / "anki" / "collection.anki2")
        decks = load_decks([generated.decks_dir])
        return cls(generated, home, home / "anki" / "collection.anki2", decks)

    @property
    def db_path(self) -> Path:
        return self.home / "progress" / "quizapp.db"

    def workspace(self) -> Workspace:
        return Workspace(self.home, (self.home / "decks",), "bench")


def anki():
    from anki.collection import Collection

    return Collection


def on_fresh_store(box: Sandbox, work) -> Measured:
    """Times ``work(store)`` on our database opened just before (opening is not counted)."""

    def run(watch: Stopwatch) -> None:
        store = Store.open(box.db_path)
        try:
            with watch.timing():
                work(store)
        finally:
            store.close()

    return run


def on_fresh_collection(box: Sandbox, work) -> Measured:
    """Times ``work(col)`` on Anki's collection opened just before (opening is not counted)."""
    Collection = anki()

    def run(watch: Stopwatch) -> None:
        col = Collection(str(box.anki))
        try:
            with watch.timing():
                work(col)
        finally:
            col.close()

    return run


# ---------------------------------------------------------------- cold start, start-up sync, memory


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["TEXTUAL_DRIVER"] = "textual.drivers.headless_driver:HeadlessDriver"
    # An installed quizapp has its bytecode compiled; so must the checkout, or every start would
    # compile quizapp's modules again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def cold_start_once(kind: str, home: Path | None) -> dict:
    launched = time.time_ns()
    done = subprocess.run(
        [sys.executable, "-m", "bench.coldstart", kind, str(home or "-"), str(launched)],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=600,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"cold start ({kind}) failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(lines[-1])


def cold_start(box: Sandbox, runs: int) -> list[Row]:
    """``quizapp review`` to the first card, against a bare Textual app with one Static, each in a fresh
    process; the same processes give the peak memory."""
    results: dict[str, list[dict]] = {"quizapp": [], "bare": []}

    def contender(kind: str):
        def run(watch: Stopwatch) -> None:
            results[kind].append(cold_start_once(kind, box.home if kind == "quizapp" else None))

        return run

    # One round first and not counted: it writes the bytecode caches and warms the file cache.
    interleaved(runs, {"quizapp": contender("quizapp"), "bare": contender("bare")}, warmup=1)
    kept = {kind: values[1:] for kind, values in results.items()}
    ms = {kind: Summary([v["ms"] for v in values]) for kind, values in kept.items()}
    cpu = {kind: Summary([v["cpu_ms"] for v in values]) for kind, values in kept.items()}
    mb = {kind: Summary([v["rss_kb"] / 1024 for v in values]) for kind, values in kept.items()}
    size = box.generated.size
    return [
        Row("cold_start", "cold start of `quizapp review` to the first card", size, ms["quizapp"],
            "bare Textual app, one Static", ms["bare"], target=1.2, target_text="within 1.2x"),
        Row("cold_start_cpu", "cold start, processor time (user + system)", size, cpu["quizapp"],
            "bare Textual app, one Static", cpu["bare"], target=1.2, target_text="within 1.2x"),
        Row("rss", "peak memory (RSS) at the first card", size, mb["quizapp"], "bare Textual app", mb["bare"],
            unit="MB", target_text="report (largest size)", target_here=size == "100k"),
    ]


def startup_sync(box: Sandbox, runs: int, cold: Summary) -> Row:
    """Loading the deck files and syncing them into the database when nothing changed, in this process
    (its imports already done), as a share of the cold start."""
    workspace = box.workspace()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        opened = open_workspace(workspace)
        samples.append((time.perf_counter() - started) * 1000)
        if any(opened.sync.values()):
            raise RuntimeError(f"the decks and the database differ: {opened.sync}")
        opened.store.close()
    files = len(list((box.home / "decks").glob("*.yaml")))
    return Row("startup_sync", "deck load + sync at start-up, nothing changed", box.generated.size,
               Summary(samples), "cold start of `quizapp review` (same size)", cold,
               target=0.10, target_text="a small share (<= 10%)", note=f"{files} deck files")


# ---------------------------------------------------------------- today's queue


def queue(box: Sandbox, runs: int) -> list[Row]:
    """The first queue after opening: our Study's next card and counts; Anki's first
    ``get_queued_cards()``; and the raw indexed SQL that lists today's cards (the floor)."""

    def first_queue(store: Store) -> None:
        study = Study(store, box.decks)
        study.next_item()
        study.remaining()

    ours = on_fresh_store(box, first_queue)
    theirs = on_fresh_collection(box, lambda col: col.sched.get_queued_cards())

    store = Store.open(box.db_path)
    bounds = Study(store, DeckSet())._bounds()  # today's limits, as the study session computes them
    store.close()

    def floor(watch: Stopwatch) -> None:
        conn = sqlite3.connect(str(box.db_path))
        visible = "suspended = 0 AND present = 1"
        try:
            with watch.timing():
                conn.execute(f"SELECT id FROM cards WHERE state IN (1, 3) AND due < :day_end AND {visible} ORDER BY due",
                             bounds).fetchall()
                conn.execute(f"SELECT id FROM cards WHERE state = 2 AND due < :day_end AND {visible} ORDER BY due LIMIT 200",
                             bounds).fetchall()
                conn.execute(f"SELECT id FROM cards WHERE state = 0 AND {visible} ORDER BY new_position LIMIT 20").fetchall()
        finally:
            conn.close()

    got = interleaved(runs, {"ours": ours, "anki": theirs, "floor": floor}, warmup=1)
    size = box.generated.size
    label = "today's queue, first build after opening"
    return [
        Row("queue", label, size, got["ours"], "Anki get_queued_cards()", got["anki"], target=0.2,
            target_text="5x faster (at 100k)", target_here=size == "100k"),
        Row("queue_floor", label, size, got["ours"], "raw indexed SQL (floor)", got["floor"]),
    ]


# ---------------------------------------------------------------- answering


def answers(box: Sandbox, runs: int) -> list[Row]:
    """One answer made durable (FSRS outcome + commit), against Anki's ``answer_card`` and a raw SQLite
    transaction writing the same rows; then an answer followed by the next card and the counts, as the
    review screen does, against Anki's ``answer_card`` followed by ``get_queued_cards``."""
    Collection = anki()
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    # Today's limits would leave a small collection only a couple of dozen cards to answer; both
    # engines get the same higher new-card limit, so every run answers a card the queue offers.
    store = Store.open(box.db_path)
    save_settings(store, load_settings(store).model_copy(update={"new_per_day": 9999}))
    study = Study(store, box.decks)
    col = Collection(str(box.anki))
    config = col.decks.config_dict_for_deck_id(col.decks.id("bench"))
    config["new"]["perDay"] = 9999
    col.decks.update_config(config)
    raw = sqlite3.connect(str(box.db_path), isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw_ids = [r[0] for r in raw.execute("SELECT id FROM cards WHERE state = 2 ORDER BY due DESC LIMIT 500")]
    template = store.card_state(raw_ids[0])

    def anki_answer(watch: Stopwatch, then_next: bool) -> None:
        queued = col.sched.get_queued_cards().cards[0]
        card = Card(col)
        card._load_from_backend_card(queued.card)
        card.start_timer()
        answer = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
        with watch.timing():
            col.sched.answer_card(answer)
            if then_next:
                col.sched.get_queued_cards()

    def ours_answer(watch: Stopwatch, then_next: bool) -> None:
        item = study.next_item()
        # The review screen computes the four outcomes when it shows the answer (the intervals on its
        # buttons), before the key is pressed, as Anki's states come from its queue before
        # answer_card: neither is timed.
        study.preview(item.id)
        with watch.timing():
            study.answer(item.id, 3, 5000)
            if then_next:
                study.next_item()
                study.remaining()

    def floor(watch: Stopwatch) -> None:
        card_id = raw_ids.pop()
        now = utcnow()
        entry = LogEntry(new_id(), card_id, 3, now, 5000, state_before=2, due_after=now + timedelta(days=9),
                         prev=template.to_json())
        row = entry.row()
        state = template.columns() | {"due": to_iso(now + timedelta(days=9)), "last_review": to_iso(now)}
        with watch.timing():
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(f"INSERT INTO review_log({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
            raw.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in state)} WHERE id = ?", [*state.values(), card_id])
            raw.execute("COMMIT")

    try:
        one = interleaved(runs, {"ours": lambda w: ours_answer(w, False), "anki": lambda w: anki_answer(w, False),
                                 "floor": floor}, warmup=1)
        chained = interleaved(runs, {"ours": lambda w: ours_answer(w, True), "anki": lambda w: anki_answer(w, True)},
                              warmup=1)
    finally:
        raw.close()
        col.close()
        store.close()
    size = box.generated.size
    label = "one answer, durable (FSRS outcome + commit)"
    return [
        Row("answer", label, size, one["ours"], "Anki answer_card()", one["anki"], target=1.0, target_text="no slower"),
        Row("answer_cpu", "one answer, processor time only (no waiting for the disk)", size,
            Summary(one["ours"].cpu), "Anki answer_card()", Summary(one["anki"].cpu)),
        Row("answer_floor", label, size, one["ours"], "raw SQLite transaction (floor)", one["floor"]),
        Row("answer_next", "answer, then the next card and the counts", size, chained["ours"],
            "Anki answer_card() + get_queued_cards()", chained["anki"]),
    ]


# ---------------------------------------------------------------- the dashboard


def dashboard(box: Sandbox, runs: int) -> Row:
    """Every figure of the progress dashboard (``Stats.report()``) against Anki's statistics
    (``graphs`` over all of the history), each on a freshly opened database."""
    from quizapp.stats.queries import Stats

    ours = on_fresh_store(box, lambda store: Stats(store, box.decks).report())
    theirs = on_fresh_collection(box, lambda col: col._backend.graphs(search=ANKI_SEARCH, days=0))
    got = interleaved(runs, {"ours": ours, "anki": theirs}, warmup=1)
    size = box.generated.size
    return Row("dashboard", "progress dashboard figures (Stats.report)", size, got["ours"],
               "Anki statistics graphs, all history", got["anki"], target=1 / 3,
               target_text="3x faster (largest history)", target_here=size == "100k")


def stalls(box: Sandbox, runs: int) -> list[Row]:
    """The longest event-loop stall while opening each screen and answering (``bench.stalls``),
    against a bare Textual app idle for as long; the target is under 100 ms."""
    from bench.stalls import measure

    ours, bare = measure(box.workspace(), runs)
    size = box.generated.size
    return [
        Row("stall", f"longest event-loop stall: {name}", size, ours[name], "bare Textual app, idle as long",
            bare[name], target=100 / bare[name].median if bare[name].median else None,
            target_text="under 100 ms", target_here=size == "100k")
        for name in ours
    ]


# ---------------------------------------------------------------- FSRS optimisation


def optimisation(box: Sandbox, runs: int) -> list[Row]:
    """``quizapp.scheduling.optimize.optimize`` as ``quizapp optimize`` runs it, timed whole and in its two parts:

    - fitting: from the start until the fit is evaluated (read the log, build the training items,
      fit, evaluate the parameters in use and the fitted ones), against fsrs-rs-python's
      ``compute_parameters`` called directly on the same items and against Anki's optimiser on the
      same history;
    - saving: the rest (back up, save the parameters, recompute every card's memory state from its
      log), against Anki saving a preset with new FSRS parameters (``update_deck_configs``, which
      recomputes the memory state of every card using the preset).

    Every run starts from the same database: the default parameters, the cards' states from before,
    and no backup, so each run backs up and writes every card as a user's first optimisation does.
    """
    import fsrs_rs_python
    from anki import deck_config_pb2

    from quizapp.db.backup import backups_dir_for
    from quizapp.scheduling.optimize import histories, optimize, training_items
    from quizapp.scheduling.scheduler import Scheduler

    Collection = anki()
    store = Store.open(box.db_path)
    items = training_items(histories(store))
    defaults = list(Scheduler().exact.parameters)
    columns = "state, step, stability, difficulty, due, last_review, reps, lapses"
    before = store.conn.execute(f"SELECT {columns}, id FROM cards").fetchall()
    col = Collection(str(box.anki))
    deck = col.decks.id_for_name("bench")
    preset = col._backend.get_deck_configs_for_update(deck)
    config = preset.all_config[0].config
    fitted_by_anki = list(col._backend.compute_fsrs_params(
        search=ANKI_SEARCH, current_params=[], ignore_revlogs_before_ms=0, num_of_relearning_steps=1, health_check=False
    ).params)
    parts: dict[str, list[float]] = {"fitting": [], "saving": []}

    def ours(watch: Stopwatch) -> None:
        marks: list[float] = []
        started = time.perf_counter()
        with watch.timing():
            optimize(store, in_child=False, progress=lambda message: marks.append(time.perf_counter())
                     if message.startswith("Comparing") else None)
        ended = time.perf_counter()
        parts["fitting"].append((marks[0] - started) * 1000)
        parts["saving"].append((ended - marks[0]) * 1000)
        # Back to the state before, so every run fits from the same start and writes every card.
        with store.write() as c:
            c.execute("DELETE FROM settings WHERE key = 'study'")
            c.executemany(f"UPDATE cards SET ({columns}) = (?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?", before)
        shutil.rmtree(backups_dir_for(box.db_path), ignore_errors=True)

    def direct(watch: Stopwatch) -> None:
        with watch.timing():
            fsrs_rs_python.FSRS(defaults).compute_parameters(items)

    def theirs(watch: Stopwatch) -> None:
        with watch.timing():
            col._backend.compute_fsrs_params(search=ANKI_SEARCH, current_params=[], ignore_revlogs_before_ms=0,
                                             num_of_relearning_steps=1, health_check=False)

    def anki_save(watch: Stopwatch) -> None:
        # Alternately Anki's fitted parameters and the defaults: every run changes them, so every run
        # recomputes every card's memory state.
        current = list(config.config.fsrs_params_6)
        config.config.ClearField("fsrs_params_6")
        config.config.fsrs_params_6.extend([] if current else fitted_by_anki)
        with watch.timing():
            col._backend.update_deck_configs(
                target_deck_id=deck, configs=[config], removed_config_ids=[],
                mode=deck_config_pb2.UPDATE_DECK_CONFIGS_MODE_NORMAL, card_state_customizer=preset.card_state_customizer,
                limits=preset.current_deck.limits, new_cards_ignore_review_limit=preset.new_cards_ignore_review_limit,
                fsrs=True, apply_all_parent_limits=preset.apply_all_parent_limits, fsrs_reschedule=False,
                fsrs_health_check=False,
            )

    try:
        got = interleaved(runs, {"ours": ours, "direct": direct, "anki": theirs, "anki_save": anki_save})
    finally:
        col.close()
        store.close()
    size = box.generated.size
    fitting, saving = Summary(parts["fitting"]), Summary(parts["saving"])
    label = f"FSRS optimisation: fitting ({len(items):,} training items)"
    return [
        Row("optimise", label, size, fitting, "fsrs-rs-python compute_parameters, same items", got["direct"],
            target=1.2, target_text="within 1.2x (100k reviews)", target_here=size == "10k"),
        Row("optimise_anki", label, size, fitting, "Anki compute_fsrs_params", got["anki"]),
        Row("optimise_save", "saving a fit: every card's memory state recomputed", size, saving,
            "Anki update_deck_configs, new FSRS parameters", got["anki_save"]),
        Row("optimise_total", "quizapp optimize, the whole wait", size, got["ours"],
            "fsrs-rs-python compute_parameters, same items", got["direct"]),
    ]
