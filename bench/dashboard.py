"""How long the progress dashboard takes over a large review log (run by hand, not by the tests).

    .venv/bin/python bench/dashboard.py [--rows 1000000] [--cards 80000] [--fresh] [--plan DAYS]

Generates (once, cached under the system temp folder) a progress database with ``--rows`` review
rows over ``--cards`` cards in 8 decks, studied over three years, then prints:

- each figure of ``Stats.report()`` and the whole report, with a full scan of the review log in raw
  SQLite beside it as the yardstick;
- the dashboard opened in a headless Textual app: time until the screen is up, time until every
  figure is shown, and the longest the event loop went without running (a freeze a user would see).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp.db.store import Store  # noqa: E402
from quizapp.decks.models import BasicCard, Deck, DeckSet  # noqa: E402
from quizapp.session import Opened  # noqa: E402
from quizapp.stats.queries import Stats, reading  # noqa: E402
from quizapp.study.plan import Plan, clear_plan, save_plan  # noqa: E402
from quizapp.workspace import Workspace  # noqa: E402
from tests.support.history import STAGE_CYCLE, generate_history  # noqa: E402

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
TOPICS = [f"topic-{i:02d}" for i in range(40)]


def decks_for(cards: int) -> DeckSet:
    per_deck = cards // 8
    decks = []
    for d in range(8):
        deck_id = f"bench-{d}"
        made = [
            BasicCard(
                id=f"{deck_id}-{n:06d}",
                front=f"Question {n} of deck {d}",
                back=f"Answer {n}",
                source=["bench.txt"],
                tags=[TOPICS[(n * 7 + d) % len(TOPICS)], STAGE_CYCLE[n % len(STAGE_CYCLE)]],
            )
            for n in range(per_deck)
        ]
        decks.append(Deck(deck_id, f"Bench deck {d}", "", Path(f"{deck_id}.yaml"), made))
    return DeckSet(decks)


def build(path: Path, decks: DeckSet, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = Store.open(path)
    items = decks.items()
    store.sync_items(((i.id, i.deck_id, i.kind) for i in items), now=NOW - timedelta(days=3 * 365))
    started = time.perf_counter()
    # Spread the cards over the decks so every deck has history.
    order = [items[(k % 8) * (len(items) // 8) + k // 8] for k in range(len(items))]
    written = generate_history(store, [i.id for i in order], end=NOW, days=3 * 365, max_rows=rows, seed=11)
    store.close()
    print(f"generated {written:,} review rows in {time.perf_counter() - started:.0f} s -> {path}")


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def figures(store: Store, decks: DeckSet) -> float:
    clock = lambda: NOW  # noqa: E731
    raw = sqlite3.connect(str(store.path))
    scan, _ = timed(lambda: raw.execute("SELECT COUNT(*), SUM(rating > 1), SUM(duration_ms) FROM review_log").fetchone())
    raw.close()
    print(f"raw SQLite full scan of review_log:        {scan * 1000:8.0f} ms  (yardstick)")
    with reading(store) as reader:
        stats = Stats(reader, decks, clock=clock)
        for name in ("today", "heatmap", "decks_recall", "retention_weeks", "forecast", "topic_mastery", "stage_map",
                     "weakest", "interviews"):
            took, _ = timed(getattr(stats, name), repeat=1)
            print(f"  {name:<40} {took * 1000:8.0f} ms")

    def whole() -> None:
        with reading(store) as reader:
            Stats(reader, decks, clock=clock).report()

    total, _ = timed(whole)
    print(f"whole report (with the plan, if set):      {total * 1000:8.0f} ms  = {total / scan:.1f}x the raw scan")
    return total


async def open_dashboard(opened: Opened) -> None:
    from quizapp.tui.app import QuizApp
    from quizapp.tui.screens.dashboard import DashboardScreen

    app = QuizApp(opened, clock=lambda: NOW)
    gaps: list[float] = []
    painted: list[float] = []
    original_on_mount = DashboardScreen.on_mount

    def on_mount(screen: DashboardScreen) -> None:
        # Note when the screen has first been drawn (its figures still loading).
        original_on_mount(screen)
        screen.call_after_refresh(lambda: painted.append(time.perf_counter()))

    DashboardScreen.on_mount = on_mount
    async with app.run_test(size=(120, 40)) as pilot:
        # The backup quizapp takes when it starts is not part of opening the dashboard.
        await app.workers.wait_for_complete()
        await pilot.pause()
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now, now - last[0]))
            last[0] = now

        timer = app.set_interval(0.01, tick)
        started = time.perf_counter()
        await pilot.press("d")
        while not painted or not app.screen.query("#plan-topics"):
            await asyncio.sleep(0.002)
        # Every tab mounted (the last ones a frame after the first paint) and drawn once.
        drawn = asyncio.Event()
        app.screen.call_after_refresh(drawn.set)
        await drawn.wait()
        built = time.perf_counter()
        first = None
        while not app.screen.loaded:
            if first is None and app.screen.report is not None:
                first = time.perf_counter() - started
            await asyncio.sleep(0.005)
        filled = time.perf_counter() - started
        shown = painted[0] - started
        timer.stop()
    DashboardScreen.on_mount = original_on_mount
    print(f"dashboard drawn (figures loading) after:   {shown * 1000:8.0f} ms")
    print(f"figures shown (all but the plan's) after:  {(first or filled) * 1000:8.0f} ms")
    print(f"every figure shown after:                  {filled * 1000:8.0f} ms")
    # Gaps ending once every tab is mounted were spent while the figures loaded and were shown;
    # those before are the building of the screen itself, as for any screen.
    loading = [gap for end, gap in gaps if end > built + 0.015]
    opening = [gap for end, gap in gaps if end <= built + 0.015]
    print(f"longest event-loop stall while loading:    {max(loading, default=0) * 1000:8.0f} ms  (timer every 10 ms)")
    print(f"  (building the screen, before that:       {max(opening, default=0) * 1000:8.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=80_000)
    parser.add_argument("--fresh", action="store_true", help="generate the database again")
    parser.add_argument("--no-tui", action="store_true", help="time the figures only")
    parser.add_argument("--plan", type=int, metavar="DAYS", help="with an interview date DAYS days ahead (cleared after)")
    args = parser.parse_args()
    home = Path(tempfile.gettempdir()) / f"quizapp-bench-dashboard-{args.rows}-{args.cards}"
    path = home / "progress" / "quizapp.db"
    decks = decks_for(args.cards)
    if args.fresh or not path.exists():
        build(path, decks, args.rows)
    store = Store.open(path)
    rows = store.log_count()
    print(f"{rows:,} review rows, {store.scalar('SELECT COUNT(*) FROM cards'):,} cards, {path.stat().st_size / 1e6:.0f} MB")
    if args.plan is not None:
        save_plan(store, Plan(day=NOW.date() + timedelta(days=args.plan)))
        print(f"with an interview date {args.plan} days ahead")
    try:
        figures(store, decks)
        if not args.no_tui:
            opened = Opened(Workspace(home, (), "bench"), store, decks, {})
            asyncio.run(open_dashboard(opened))
    finally:
        clear_plan(store)
        store.close()


if __name__ == "__main__":
    main()
