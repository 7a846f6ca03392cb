"""Two quizapp processes on one workspace at once: both work, nothing is lost, nothing is corrupted.

Both start together on a new workspace (so both create and migrate the same file at the same
moment), then answer cards as fast as they can; their queues begin with the same cards, so they
answer the same cards at the same time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from quizapp.db.schema import SCHEMA_VERSION
from quizapp.db.store import Store
from quizapp.scheduling.scheduler import Scheduler, load_settings
from tests.support.decks import SMALL_DECK, write_deck

ANSWERS = 60

CHILD = textwrap.dedent(
    """
    import random, sys, time
    from pathlib import Path
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace

    home, count, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    print("waiting", flush=True)
    while not (home / "go").exists():
        time.sleep(0.002)
    opened = open_workspace(Workspace(home, (home / "decks",), "two processes"))
    study = opened.study()
    items = sorted(study.items)
    for _ in range(count):
        item = study.next_item()
        entry = study.answer(item.id if item is not None else rng.choice(items), rng.randint(1, 4), 1000)
        print("ack", entry.id, entry.card_id, flush=True)
    opened.store.close()
    """
)


def test_two_processes_answering_at_once_lose_nothing(tmp_path):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path), str(ANSWERS), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in (1, 2)
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == "waiting"
    (tmp_path / "go").touch()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out)

    acks = [line.split()[1:] for out in outputs for line in out.splitlines() if line.startswith("ack")]
    assert len(acks) == 2 * ANSWERS
    cards_by_process = [{line.split()[2] for line in out.splitlines() if line.startswith("ack")} for out in outputs]
    assert cards_by_process[0] & cards_by_process[1], "the two processes should have answered the same cards"

    store = Store.open(tmp_path / "progress" / "quizapp.db")
    try:
        assert store.scalar("PRAGMA integrity_check") == "ok"
        logged = {r[0] for r in store.conn.execute("SELECT id FROM review_log")}
        assert {answer_id for answer_id, _ in acks} == logged
        scheduler = Scheduler(load_settings(store))
        for (card_id,) in store.conn.execute("SELECT id FROM cards").fetchall():
            log = store.log_for(card_id)
            assert store.card_state(card_id) == scheduler.replay(card_id, log), card_id
            assert store.card_state(card_id).reps == len(log)
        # Both created the file at once; its migrations were applied once.
        assert store.scalar("SELECT COUNT(*) FROM _sqlite_migrations") == SCHEMA_VERSION
    finally:
        store.close()


def test_a_second_process_waits_for_the_first_and_both_answers_land(tmp_path):
    """A write lock held briefly by one process only delays the other's answer."""
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace

    ws = Workspace(tmp_path, (tmp_path / "decks",), "test")
    opened = open_workspace(ws)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"UPDATE settings SET value = value\")\n"
            "print('locked', flush=True)\n"
            "time.sleep(0.5)\n"
            "c.execute('COMMIT')\n",
            str(ws.db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    study = opened.study()
    # The other process holds the write lock now; the answer waits for it rather than failing.
    entry = study.answer(study.next_item().id, 3)
    assert holder.wait(timeout=30) == 0
    assert opened.store.scalar("SELECT COUNT(*) FROM review_log WHERE id = ?", [entry.id]) == 1
    opened.store.close()
