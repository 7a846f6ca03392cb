"""A writer process for the system tests: it opens a workspace and answers the small deck's cards as
fast as it can, printing each answer's id once it is committed (acknowledged), until a ``stop``
file appears in the workspace or it is killed; it prints ``diverted`` once when its store starts
writing to a side file (the database file was replaced under it)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

WRITER = r"""
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
said = False
while not (home / "stop").exists():
    entry = study.record(ids[n % len(ids)], 1 + n % 4)
    print(entry.id, flush=True)  # acknowledged: the answer is committed
    if opened.store.diverted is not None and not said:
        print("diverted", flush=True)
        said = True
    n += 1
opened.store.close()
"""


def start_writer(home: Path) -> subprocess.Popen:
    """A writer answering in the workspace at ``home``, once it has opened it."""
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(home)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read()
    return child


def acknowledged(out: str) -> list[str]:
    """The answer ids in a writer's output."""
    return [line for line in out.split("\n") if len(line) == 36]


def kill_writer(child: subprocess.Popen) -> list[str]:
    """SIGKILL the writer; what it acknowledged."""
    assert child.stdout is not None and child.stderr is not None
    child.send_signal(signal.SIGKILL)
    out = child.stdout.read()
    child.wait()
    child.stderr.close()
    return acknowledged(out)


def logged_ids(path: Path) -> set[str]:
    """The ids of the answers in the review log of the database at ``path``."""
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM review_log")}
    finally:
        conn.close()
