"""System tests: SIGKILL loops and a database file swapped under a running writer lose no
acknowledged answer. Each prints its figures (runs, answers acknowledged, answers lost)."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.decks import SMALL_DECK, write_deck

pytestmark = pytest.mark.slow

DRIVER = r"""
import sys
from pathlib import Path
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
home = Path(sys.argv[1])
opened = open_workspace(Workspace(home, (home / "decks",), "test"))
study = opened.study()
ids = ["s-basic", "s-cloze", "s-choice", "s-reverse"]
n = 0
print("ready", flush=True)
while True:
    entry = study.record(ids[n % len(ids)], 1 + n % 4)
    print(entry.id, flush=True)  # acknowledged: the answer is committed
    n += 1
"""


def _workspace(tmp_path: Path) -> Path:
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    return tmp_path


def _start(home: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", DRIVER, str(home)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def _kill(child: subprocess.Popen) -> list[str]:
    child.send_signal(signal.SIGKILL)
    out = child.stdout.read()
    child.wait()
    return [line for line in out.split("\n") if len(line) == 36]


def _ids(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM review_log")}
    finally:
        conn.close()


def _clean(home: Path) -> None:
    from quizapp.db.store import Store
    from quizapp.repair.doctor import examine

    store = Store.open(home / "progress" / "quizapp.db")
    try:
        assert not [f for f in examine(store, fix=False).findings if f.kind in ("state", "damaged")]
    finally:
        store.close()


def test_sigkill_loop_loses_no_acknowledged_answer(tmp_path):
    home = _workspace(tmp_path)
    rng = random.Random(16)
    acknowledged: list[str] = []
    runs = 8
    for _ in range(runs):
        child = _start(home)
        time.sleep(rng.uniform(0.05, 0.4))
        acknowledged += _kill(child)
    lost = set(acknowledged) - _ids(home / "progress" / "quizapp.db")
    print(f"\nkill loop: {runs} runs, {len(acknowledged)} answers acknowledged, {len(lost)} lost")
    assert acknowledged and not lost
    _clean(home)
