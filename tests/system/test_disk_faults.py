"""A full disk and a read-only progress folder: a clear message, and every earlier answer intact.

The real thing runs in a private mount namespace (``unshare``) on a tiny tmpfs that is filled up or
remounted read-only; SQLite's ``max_page_count`` gives a portable full-disk test besides.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizapp.db.store import Store
from quizapp.errors import StoreError
from quizapp.session import open_workspace
from tests.support.decks import SMALL_DECK


def _namespace_prefix() -> list[str] | None:
    """A command prefix that runs a shell in a private mount namespace where tmpfs can be mounted."""
    if shutil.which("unshare") is None:
        return None
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        probe = subprocess.run(
            [*prefix, "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d"],
            capture_output=True,
        )
        if probe.returncode == 0:
            return prefix
    return None


NAMESPACE = _namespace_prefix()
needs_namespace = pytest.mark.skipif(NAMESPACE is None, reason="cannot mount a tmpfs in a private namespace here")

SCENARIO = textwrap.dedent(
    """
    import errno, json, os, subprocess, sys
    from pathlib import Path
    from quizapp.db.backup import take_backup
    from quizapp.errors import StoreError
    from quizapp.db.store import Store
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace

    home, what = Path(sys.argv[1]), sys.argv[2]
    ws = Workspace(home, (home / "decks",), "disk faults")
    out = {}
    opened = open_workspace(ws)
    study = opened.study()
    out["answered"] = [study.answer(study.next_item().id, 3, 1000).id for _ in range(4)]
    take_backup(ws.db_path)

    def attempt(name, fn):
        try:
            fn()
            out[name] = "ok"
        except StoreError as exc:
            out[name] = "StoreError: " + str(exc)

    if what == "full":
        # Fill the filesystem to the last byte.
        fd = os.open(home / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"x" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        for n in range(50):  # a few answers may still fit in pages the file already has
            attempt("answer", lambda: study.answer(study.next_item().id, 2, 1000))
            if out["answer"] != "ok":
                break
            out["answered"].append(study.store.scalar("SELECT id FROM review_log ORDER BY rowid DESC LIMIT 1"))
        attempt("backup", lambda: take_backup(ws.db_path, force=True))
        (home / "filler").unlink()
        attempt("answer_after_space_freed", lambda: out["answered"].append(study.answer(study.next_item().id, 4).id))
    else:
        opened.store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(home)], check=True)
        attempt("open", lambda: open_workspace(ws))
        attempt("backup", lambda: take_backup(ws.db_path, force=True))

    reader = Store.open(ws.db_path) if what == "full" else None
    if reader is None:
        import sqlite3
        conn = sqlite3.connect(ws.db_path.as_uri() + "?immutable=1", uri=True)
    else:
        conn = reader.conn
    out["logged"] = [r[0] for r in conn.execute("SELECT id FROM review_log")]
    out["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    print(json.dumps(out))
    """
)


def run_in_namespace(tmp_path: Path, what: str) -> dict:
    home = tmp_path / "ws"
    home.mkdir()
    root = str(Path(__file__).resolve().parents[2])
    deck = textwrap.dedent(SMALL_DECK).lstrip()
    shell = (
        f'mount -t tmpfs -o size=1m tmpfs "{home}" && mkdir "{home}/decks" && '
        f'cat > "{home}/decks/small.yaml" && exec "{sys.executable}" -c "$0" "{home}" {what}'
    )
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [*NAMESPACE, "sh", "-c", shell, SCENARIO], input=deck, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_namespace
def test_a_full_disk_gives_a_message_and_loses_no_earlier_answer(tmp_path):
    out = run_in_namespace(tmp_path, "full")
    assert out["answer"].startswith("StoreError: the disk holding"), out["answer"]
    assert "is full" in out["answer"] and "earlier progress is intact" in out["answer"]
    assert out["backup"].startswith("StoreError: cannot write a backup") and "disk is full" in out["backup"]
    assert out["answer_after_space_freed"] == "ok"
    assert out["integrity"] == "ok"
    assert set(out["answered"]) == set(out["logged"])


@needs_namespace
def test_a_read_only_progress_folder_gives_a_message_and_keeps_the_data(tmp_path):
    out = run_in_namespace(tmp_path, "readonly")
    assert out["open"].startswith("StoreError:"), out["open"]
    assert "read-only" in out["open"] or "cannot be written" in out["open"]
    assert "Traceback" not in out["open"]
    assert out["backup"].startswith("StoreError:")
    assert out["integrity"] == "ok"
    assert set(out["answered"]) == set(out["logged"])


def test_disk_full_while_answering_keeps_every_earlier_answer(workspace, clock):
    """Portable: SQLite refuses to grow the file past ``max_page_count``, as on a full disk."""
    opened = open_workspace(workspace)
    study = opened.study(clock)
    earlier = [study.answer(study.next_item().id, 3).id for _ in range(3)]
    store = opened.store
    store.conn.execute(f"PRAGMA max_page_count = {store.scalar('PRAGMA page_count')}")
    failed = None
    for _ in range(200):
        item = study.next_item() or study.items["s-basic"]
        before = store.card_state(item.id)
        try:
            earlier.append(study.answer(item.id, 3, 1000).id)
        except StoreError as exc:
            failed = str(exc)
            break
        clock.advance(minutes=30)
    assert failed is not None and "is full" in failed and "earlier progress is intact" in failed
    # The answer that did not fit left no trace, not even half of one.
    assert store.card_state(item.id) == before
    assert sorted(r[0] for r in store.conn.execute("SELECT id FROM review_log")) == sorted(earlier)
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    study.answer(item.id, 3)
    assert store.log_count() == len(earlier) + 1
    store.close()


async def test_the_review_screen_says_the_answer_was_not_saved(workspace, clock):
    from quizapp.tui.app import QuizApp

    cards = "".join(f"  - {{id: f-{n}, front: 'Q {n}', back: 'A {n}', source: s.txt}}\n" for n in range(80))
    (workspace.deck_dirs[0] / "many.yaml").write_text(f"id: many\ntitle: Many\ncards:\n{cards}")
    opened = open_workspace(workspace)
    opened.store.set_setting("study", {"new_per_day": 100})
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        store = opened.store
        store.conn.execute(f"PRAGMA max_page_count = {store.scalar('PRAGMA page_count')}")
        # Fill the file's free space: answer other cards behind the screen's back until one does not fit.
        try:
            while True:
                store.conn.execute("INSERT INTO settings(key, value) VALUES (hex(randomblob(16)), hex(randomblob(300)))")
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)
        shown = app.screen.item.id
        with pytest.raises(StoreError):
            for item_id in sorted(app.study.items):
                if item_id != shown:
                    app.study.record(item_id, 3)
        # Answer until one does not fit: a few may still go into pages the file already has.
        saved = store.log_count()
        for _ in range(60):
            before = store.log_count()
            await pilot.press("space", "3")
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            if messages:
                break
            saved = store.log_count()
        assert any("is full" in m and "earlier progress is intact" in m for m in messages), messages
        assert store.log_count() == before == saved
        # The card stays on screen with its answer shown, so pressing the key again retries.
        assert app.screen.revealed
        store.conn.execute("PRAGMA max_page_count = 1073741823")
    opened.store.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_read_only_folder_by_permissions(workspace, clock):
    opened = open_workspace(workspace)
    study = opened.study(clock)
    answered = study.answer(study.next_item().id, 3).id
    opened.store.close()
    progress = workspace.progress_dir
    for path in progress.iterdir():
        path.chmod(0o444)
    progress.chmod(0o555)
    try:
        with pytest.raises(StoreError) as caught:
            open_workspace(workspace)
        assert "Traceback" not in str(caught.value)
    finally:
        progress.chmod(0o755)
        for path in progress.iterdir():
            path.chmod(0o644)
    store = Store.open(workspace.db_path)
    assert [r[0] for r in store.conn.execute("SELECT id FROM review_log")] == [answered]
    store.close()

