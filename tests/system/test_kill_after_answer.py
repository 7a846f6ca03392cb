"""SIGKILL straight after an answer is acknowledged loses nothing."""

import os
import signal
import subprocess
import sys
import textwrap

from quizapp.db.store import Store
from quizapp.scheduling.scheduler import Scheduler, load_settings

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace
    ws = Workspace(Path(sys.argv[1]), (Path(sys.argv[1]) / "decks",), "test")
    study = open_workspace(ws).study()
    item = study.next_item()
    entry = study.answer(item.id, 3, 1000)
    print(entry.id, flush=True)
    time.sleep(60)
    """
)


def test_sigkill_right_after_an_answer_loses_nothing(workspace):
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(workspace.home)], stdout=subprocess.PIPE, text=True
    )
    acknowledged = proc.stdout.readline().strip()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    store = Store.open(workspace.db_path)
    rows = store.query("SELECT id, card_id FROM review_log")
    assert [r["id"] for r in rows] == [acknowledged]
    card_id = rows[0]["card_id"]
    assert store.card_state(card_id) == Scheduler(load_settings(store)).replay(card_id, store.log_for(card_id))
    store.close()
