"""Fitting FSRS's parameters to the user's own review log with fsrs-rs-python (no torch). No Textual.

The log's scheduled answers (the ones FSRS counted, as replay does) are grouped by card and turned
into fsrs-rs training items, one per answer given on a later study day than the card's previous
one, as fsrs-rs's own examples do. With fewer than ``MIN_REVIEWS`` such answers nothing is fitted:
the fit would follow noise. Otherwise fsrs-rs fits new parameters and evaluates the current and the
new ones on the same items (log loss and RMSE over bins, as it reports them); the new parameters
are saved in ``StudySettings.parameters`` when they fit at least as well, and every answer from then
on is scheduled with them.

fsrs-rs holds Python's interpreter lock while it fits, so the fit runs in a child Python: a screen or
a spinner in this process keeps moving meanwhile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import fsrs_rs_python
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quizapp.db.store import Store
from quizapp.errors import QuizappError
from quizapp.scheduling.scheduler import Scheduler, StudySettings, load_settings

MIN_REVIEWS = 400
"""Answers usable for fitting (given a day or more after the card's previous answer) needed before
fitting: below this, a fit mostly follows noise."""

History = list[tuple[int, int]]
"""One card's answers in order, each (rating, study days since the previous answer; 0 for the first)."""


class NotEnoughReviews(QuizappError):
    """Too few answers to fit parameters; says how many more are needed."""

    def __init__(self, usable: int, needed: int = MIN_REVIEWS):
        self.usable = usable
        self.needed = needed
        super().__init__(
            f"not enough reviews to fit FSRS to yet: {usable} answer(s) given a day or more after the card's "
            f"previous one, and fitting needs {needed}. About {needed - usable} more such reviews are needed; "
            "until then the default parameters are the better guess."
        )


@dataclass(frozen=True)
class Evaluation:
    """How well a set of parameters predicts the user's answers (lower is better)."""

    log_loss: float
    rmse: float
    """fsrs-rs's RMSE over bins of predicted recall."""


@dataclass(frozen=True)
class Fit:
    """The outcome of ``optimize``."""

    answers: int
    """Scheduled answers read from the log."""
    cards: int
    """Cards those answers are on."""
    usable: int
    """Answers the fit was trained and evaluated on."""
    before: Evaluation
    """The parameters in use before, on those answers."""
    after: Evaluation
    """The fitted parameters, on the same answers."""
    previous: list[float] | None
    """The parameters before (None: FSRS's defaults)."""
    parameters: list[float]
    """The fitted parameters."""
    saved: bool
    """Whether the fitted parameters were saved (they are only when they fit at least as well)."""


def histories(store: Store, rollover_hour: int = 4) -> list[History]:
    """Every card's scheduled answers as (rating, days since its previous answer), counted in study days."""
    # `+card_id` keeps SQLite off the card index: scanning the table and sorting is faster than
    # visiting the rows in index order, which then needs a sort for the time and id anyway.
    rows = store.conn.execute(
        """
        SELECT card_id, rating, CAST(julianday(date(reviewed_at, 'localtime', :shift)) AS INTEGER) AS day
        FROM review_log WHERE scheduled = 1 ORDER BY +card_id, reviewed_at, id
        """,
        {"shift": f"-{int(rollover_hour)} hours"},
    )
    out: list[History] = []
    history: History = []
    card, last = None, 0
    for card_id, rating, day in rows:
        if day is None:
            continue  # an unreadable time, which replay skips too
        if card_id != card:
            history = [(rating, 0)]
            out.append(history)
            card = card_id
        else:
            history.append((rating, day - last))
        last = day
    return out


def usable_count(cards: Sequence[History]) -> int:
    """How many answers a fit can learn from: those given a day or more after the card's previous one."""
    return sum(1 for history in cards for _, delta in history[1:] if delta > 0)


def training_items(cards: Sequence[History]) -> list[fsrs_rs_python.FSRSItem]:
    """fsrs-rs items: for each usable answer, the card's answers up to and including it."""
    # Every item ends with an answer given a day or more after the one before it, so each has the
    # long-term review fsrs-rs needs and none has to be filtered out.
    Review, Item = fsrs_rs_python.FSRSReview, fsrs_rs_python.FSRSItem
    items: list[fsrs_rs_python.FSRSItem] = []
    for history in cards:
        reviews = [Review(rating, delta) for rating, delta in history]
        items.extend(Item(reviews[: n + 1]) for n in range(1, len(history)) if history[n][1] > 0)
    return items


def fit(cards: Sequence[History], current: Sequence[float]) -> tuple[list[float], Evaluation, Evaluation]:
    """Fit parameters to ``cards`` and evaluate ``current`` and the fitted ones on them (runs in this process)."""
    items = training_items(cards)
    fitted = fsrs_rs_python.FSRS(list(current)).compute_parameters(items)
    before = fsrs_rs_python.FSRS(list(current)).evaluate(items)
    after = fsrs_rs_python.FSRS(fitted).evaluate(items)
    return (
        list(fitted),
        Evaluation(before.log_loss, before.rmse_bins),
        Evaluation(after.log_loss, after.rmse_bins),
    )


REQUEST_SLICE = 2000
"""Cards written to the fitting child at a time."""


def fit_in_child(cards: Sequence[History], current: Sequence[float]) -> tuple[list[float], Evaluation, Evaluation]:
    """``fit`` in a child Python (``python -m quizapp.scheduling.optimize``, talking JSON over its stdin and
    stdout), so this process's threads keep running while fsrs-rs works."""
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    child = subprocess.Popen(
        [sys.executable, "-m", "quizapp.scheduling.optimize"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdin is not None
    try:
        # The request is written a slice of cards at a time: one ``json.dumps`` of a million answers
        # holds the interpreter for a third of a second, which froze the TUI while it fitted.
        child.stdin.write('{"current": %s, "cards": [' % json.dumps(list(current)))
        for start in range(0, len(cards), REQUEST_SLICE):
            part = json.dumps(list(cards[start:start + REQUEST_SLICE]))[1:-1]
            child.stdin.write(("," if start else "") + part)
        child.stdin.write("]}")
    except BrokenPipeError:
        pass  # the child ended early: what it said is read below
    stdout, stderr = child.communicate()
    if child.returncode != 0:
        problem = (stderr.strip().splitlines() or ["no message"])[-1]
        raise QuizappError(f"fitting FSRS failed: {problem}. Nothing was changed.")
    out = json.loads(stdout)
    return out["parameters"], Evaluation(**out["before"]), Evaluation(**out["after"])


def _child() -> None:
    request = json.load(sys.stdin)
    cards = [[tuple(answer) for answer in history] for history in request["cards"]]
    parameters, before, after = fit(cards, request["current"])
    json.dump({"parameters": parameters, "before": asdict(before), "after": asdict(after)}, sys.stdout)


def within_bounds(parameters: Sequence[float]) -> list[float]:
    """The parameters clamped to the bounds py-fsrs accepts (fsrs-rs works in 32-bit floats and can
    land a hair outside them)."""
    return [min(max(p, lo), hi) for p, lo, hi in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)]


def fit_log(
    store: Store,
    settings: StudySettings | None = None,
    progress: Callable[[str], None] = lambda message: None,
    in_child: bool = True,
) -> Fit:
    """Read the store's review log and fit FSRS to it; nothing is saved (see ``save_fit``).

    ``progress`` is told what is happening, step by step. Raises ``NotEnoughReviews`` when the log is
    too short to fit.
    """
    settings = settings or load_settings(store)
    progress("Reading the review log")
    cards = histories(store, settings.rollover_hour)
    usable = usable_count(cards)
    if usable < MIN_REVIEWS:
        raise NotEnoughReviews(usable)
    current = list(settings.parameters or Scheduler(settings).exact.parameters)
    progress(f"Fitting FSRS to {usable:,} reviews of {len(cards):,} cards")
    fitted, before, after = (fit_in_child if in_child else fit)(cards, current)
    return Fit(
        answers=sum(len(h) for h in cards),
        cards=len(cards),
        usable=usable,
        before=before,
        after=after,
        previous=settings.parameters,
        parameters=within_bounds(fitted),
        saved=False,
    )


def save_fit(store: Store, fit_result: Fit, settings: StudySettings | None = None) -> tuple[Fit, StudySettings]:
    """Save the fitted parameters when they predict the log at least as well as those in use.

    Returns the fit (``saved`` set) and the settings now in force.
    """
    settings = settings or load_settings(store)
    if fit_result.after.log_loss > fit_result.before.log_loss:
        return fit_result, settings
    updated = settings.model_copy(update={"parameters": fit_result.parameters})
    scheduler = Scheduler(updated)  # refuses parameters py-fsrs cannot use, before anything is saved
    from quizapp.scheduling.replay import log_snapshot, replay_all, replay_snapshot, store_states

    # As Anki does when parameters change, every card's memory state (stability, difficulty) is
    # recomputed from its log with the new parameters; due dates stay as the answers set them. The
    # backup is taken meanwhile, in a thread: SQLite copies and checks the file without holding the
    # interpreter lock. Nothing is written until the backup is complete.
    backup = _Backup(store.path) if store.path is not None else None
    try:
        states, snapshot = replay_snapshot(store.conn, scheduler)
    finally:
        if backup is not None:
            backup.wait()  # raises what stopped the backup: then nothing is saved
    with store.write() as c:
        c.execute(
            "INSERT INTO settings(key, value) VALUES ('study', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [json.dumps(updated.model_dump())],
        )
        if log_snapshot(c) != snapshot:  # answers were given meanwhile: replay the log as it is now
            states = list(replay_all(c, scheduler))
        store_states(c, states)
    return replace(fit_result, saved=True), updated


class _Backup:
    """``take_backup(path, "optimize")`` in a thread; ``wait`` for it and re-raise what it raised."""

    def __init__(self, path: Path):
        from quizapp.db.backup import take_backup

        self.error: BaseException | None = None

        def run() -> None:
            try:
                take_backup(path, "optimize")
            except BaseException as exc:  # handed to wait(), in the thread that saves
                self.error = exc

        self.thread = threading.Thread(target=run, name="quizapp-optimize-backup", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def optimize(
    store: Store,
    settings: StudySettings | None = None,
    progress: Callable[[str], None] = lambda message: None,
    in_child: bool = True,
) -> Fit:
    """Fit FSRS to the store's review log and save the parameters when they fit at least as well."""
    settings = settings or load_settings(store)
    fitted = fit_log(store, settings, progress, in_child)
    progress("Comparing with the parameters in use")
    return save_fit(store, fitted, settings)[0]


if __name__ == "__main__":
    _child()
