"""SIGKILL at random moments of a review session, ~200 times: no acknowledged answer is ever lost and
every card's state is what its log replays to.

A helper process imports quizapp once and forks a fresh session for each round (so the loop is not
spent importing); the session opens the workspace, answers cards through the core and writes
``ack <answer id>`` to the shared pipe only after ``Study.answer`` returned, i.e. after the commit.
The test SIGKILLs the session at a random moment: while it loads the decks, opens or migrates the
database, or between and inside answers.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from quizapp.db.backup import has_progress, take_backup
from quizapp.db.store import Store
from quizapp.scheduling.scheduler import Scheduler, load_settings
from tests.support.decks import SMALL_DECK, write_deck

KILLS = 200
MAX_DELAY_S = 0.15

FORK_SERVER = textwrap.dedent(
    """
    import os, random, sys, traceback
    from pathlib import Path
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace
    # What a first start imports only when it parses decks and creates the schema: imported here
    # once, so that the kills land among the first start's writes rather than among its imports.
    import quizapp.decks.schema, yaml
    from quizapp.db.store import _sqlite_utils
    _sqlite_utils()

    def session(home, seed):
        rng = random.Random(seed)
        ws = Workspace(home, (home / "decks",), "kill test")
        opened = open_workspace(ws)
        study = opened.study()
        items = sorted(study.items)
        os.write(1, b"ready -\\n")
        while True:
            item = study.next_item()
            item_id = item.id if item is not None else rng.choice(items)
            entry = study.answer(item_id, rng.randint(1, 4), rng.randint(0, 8000))
            os.write(1, f"ack {entry.id}\\n".encode())

    for line in sys.stdin:
        seed, home = line.rstrip("\\n").split(" ", 1)
        seed, home = int(seed), Path(home)
        pid = os.fork()
        if pid == 0:
            try:
                session(home, seed)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(3)
        os.write(1, f"pid {pid}\\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"done {status}\\n".encode())
    """
)


def many_cards_deck(count: int) -> str:
    cards = "".join(
        f"  - {{id: k-{n:03d}, front: 'Question {n}', back: 'Answer {n}', source: s.txt}}\n" for n in range(count)
    )
    return f"id: kill\ntitle: Kill test\ncards:\n{cards}"


def project_env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[2])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def run_kill_loop(
    homes: list[Path], rng: random.Random, max_delay: float, during_start: float = 0.25
) -> tuple[set[str], list[int], list[str]]:
    """One session per entry of ``homes``, each SIGKILLed at a random moment: with probability
    ``during_start`` up to ``max_delay`` after it was forked (often while it opens the workspace),
    otherwise up to ``max_delay`` after it is ready to answer and has answered up to three cards.

    Returns the acknowledged answer ids, the number acknowledged by each killed session, and any
    session's own crash.
    """
    server = subprocess.Popen(
        [sys.executable, "-c", FORK_SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=project_env(),
        text=True,
        bufsize=1,
    )
    acked: set[str] = set()
    killed: list[int] = []
    crashes: list[str] = []
    try:
        for home in homes:
            before = len(acked)
            server.stdin.write(f"{rng.randrange(2**32)} {home}\n")
            server.stdin.flush()
            pid = None
            while pid is None:
                line = server.stdout.readline()
                assert line, f"the fork server died: {server.stderr.read()}"
                kind, value = line.split()
                if kind == "ack":
                    acked.add(value)
                elif kind == "pid":
                    pid = int(value)
            ended = None
            if rng.random() >= during_start:
                # Up to three answers first, so that a loaded machine's slow answers still get killed
                # among answers and not only just after start-up.
                wanted, ready = rng.randrange(4), False
                while ended is None and not (ready and len(acked) - before >= wanted):
                    kind, value = server.stdout.readline().split()
                    if kind == "ready":
                        ready = True
                    elif kind == "ack":
                        acked.add(value)
                    elif kind == "done":
                        ended = int(value)
            time.sleep(rng.uniform(0, max_delay))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            while True:
                if ended is not None:
                    kind, value = "done", str(ended)
                else:
                    kind, value = server.stdout.readline().split()
                if kind == "ack":
                    acked.add(value)
                elif kind == "done":
                    status = int(value)
                    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
                        killed.append(len(acked) - before)
                    else:
                        crashes.append(f"session ended by itself with status {status}")
                    break
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        errors = server.stderr.read()
        if errors.strip():
            crashes.append(errors)
    return acked, killed, crashes


def test_sigkill_at_random_moments_loses_no_acknowledged_answer(tmp_path):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    (tmp_path / "decks" / "kill.yaml").write_text(many_cards_deck(40))
    seed = int(os.environ.get("QUIZAPP_KILL_SEED", random.randrange(2**32)))
    started = time.monotonic()
    acked, killed, crashes = run_kill_loop([tmp_path] * KILLS, random.Random(seed), MAX_DELAY_S)
    elapsed = time.monotonic() - started

    assert crashes == [], f"seed {seed}: " + "\n".join(crashes)
    store = Store.open(tmp_path / "progress" / "quizapp.db")
    try:
        assert store.scalar("PRAGMA integrity_check") == "ok"
        logged = {r[0] for r in store.conn.execute("SELECT id FROM review_log")}
        lost = acked - logged
        scheduler = Scheduler(load_settings(store))
        disagree = [
            card_id
            for (card_id,) in store.conn.execute("SELECT id FROM cards").fetchall()
            if store.card_state(card_id) != scheduler.replay(card_id, store.log_for(card_id))
        ]
    finally:
        store.close()
    print(
        f"\nkill loop (seed {seed}): {len(killed)} SIGKILLs in {elapsed:.0f} s "
        f"({sum(1 for n in killed if n > 0)} after at least one answer), {len(acked)} acknowledged answers, "
        f"{len(logged)} in the log, {len(lost)} lost, {len(disagree)} cards disagreeing with their log"
    )
    assert len(killed) == KILLS
    # Most kills land among answers, not only during start-up.
    assert sum(1 for n in killed if n > 0) > KILLS // 2
    assert lost == set(), f"seed {seed}: lost {len(lost)} acknowledged answers"
    assert disagree == [], f"seed {seed}: {disagree}"


def test_sigkill_while_a_new_database_is_created_never_leaves_it_unusable(tmp_path):
    """Kills during the very first start (creating the file, the first migrations): the next start
    must open it, never call it foreign or half-migrated."""
    homes = [tmp_path / f"w{n}" for n in range(30)]
    for home in homes:
        write_deck(home / "decks", "small.yaml", SMALL_DECK)
    seed = int(os.environ.get("QUIZAPP_KILL_SEED", random.randrange(2**32)))
    _, killed, crashes = run_kill_loop(homes, random.Random(seed), max_delay=0.2, during_start=1.0)
    assert crashes == [] and len(killed) == len(homes), f"seed {seed}: {crashes}"
    created = [home / "progress" / "quizapp.db" for home in homes if (home / "progress" / "quizapp.db").exists()]
    for db in created:
        files = sorted((p.name, p.stat().st_size) for p in db.parent.iterdir())
        # A backup (which reads it first) and the next start both find it usable.
        try:
            if has_progress(db):
                assert take_backup(db, "periodic").written
            Store.open(db).close()
        except Exception as exc:
            raise AssertionError(f"seed {seed}: {db} with {files}: {exc}") from exc
    assert created, "no kill landed after the file was created"
