"""`quizapp update-anki`: answers given in quizapp reach the user's own Anki collection, on the
original cards (Anki's package import never changes a card it already has), checked with Anki's
engine: collection -> .apkg -> `quizapp import` -> answers here -> update-anki -> the collection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.interop.ids import guid_for_card
from quizapp.scheduling.scheduler import study_day
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.anki import CORPUS, anki_export, anki_import
from tests.support.decks import Clock


def _users_collection(tmp_path: Path) -> tuple[Path, Path]:
    """A user's Anki collection holding a deck with history, and the .apkg Anki exported of it."""
    from anki.collection import Collection

    (tmp_path / "profile").mkdir()
    path = tmp_path / "profile" / "collection.anki2"
    col = Collection(str(path))
    try:
        anki_import(col, CORPUS / "history.sched.apkg")
        package = anki_export(col, tmp_path / "mine.apkg", with_scheduling=True)
    finally:
        col.close()
    return path, package


def _snapshot(path: Path) -> dict:
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        return {
            "notes": sorted(tuple(r) for r in col.db.all("SELECT id, guid FROM notes")),
            "cards": {cid: (type_, queue, due, ivl, reps, data) for cid, type_, queue, due, ivl, reps, data in
                      col.db.all("SELECT id, type, queue, due, ivl, reps, data FROM cards")},
            "revlog": sorted(tuple(r) for r in col.db.all("SELECT id, cid, ease, type FROM revlog")),
        }
    finally:
        col.close()


def _answer_here(ws: Workspace, count: int, rating: int = 3) -> list[str]:
    """Answer ``count`` of the imported cards in quizapp (Good by default), a minute from now."""
    opened = open_workspace(ws)
    try:
        clock = Clock(datetime.now(UTC) + timedelta(minutes=1))
        study = Study(opened.store, opened.decks, clock=clock)
        items = [r["id"] for r in opened.store.query("SELECT id FROM cards WHERE suspended = 0 ORDER BY id")][:count]
        for item in items:
            study.answer(item, rating)
            clock.advance(seconds=30)
    finally:
        opened.store.close()
    return items


def _states(ws: Path, items: list[str]) -> dict[str, dict]:
    """Our state of each of ``items``, by its Anki note's GUID: days until due, memory, last review."""
    opened = open_workspace(Workspace(ws, ((ws / "decks").resolve(),), "test"))
    try:
        rows = opened.store.query("SELECT * FROM cards")
    finally:
        opened.store.close()
    origin = json.loads(next((ws / "decks").glob("*.anki.json")).read_text(encoding="utf-8"))
    guid_of = {item: guid for guid, note in origin["notes"].items() for item in note["items"]}
    out = {}
    for row in rows:
        if row["id"] in items:
            due, last = datetime.fromisoformat(row["due"]), datetime.fromisoformat(row["last_review"])
            out[guid_of[row["id"]]] = {"days": (study_day(due, 4) - study_day(last, 4)).days,
                                       "stability": row["stability"], "difficulty": row["difficulty"],
                                       "last_review": int(last.timestamp())}
    return out


def test_answers_given_in_quizapp_reach_the_original_cards_in_anki(tmp_path, capsys):
    from anki.collection import Collection

    path, package = _users_collection(tmp_path)
    ws = tmp_path / "ws"
    (ws / "decks").mkdir(parents=True)
    assert main(["--home", str(ws), "import", str(package)]) == 0
    answered = _answer_here(Workspace(ws, ((ws / "decks").resolve(),), "test"), 4)
    before = _snapshot(path)
    capsys.readouterr()

    assert main(["--home", str(ws), "update-anki", str(path)]) == 0
    out = capsys.readouterr().out
    assert "4 answers added" in out and "4 cards rescheduled" in out
    assert list((path.parent / "backups").glob("*.colpkg")), "Anki's own backup comes first"
    after = _snapshot(path)

    # The same notes, none added; the review log gains our four answers on the original cards.
    assert after["notes"] == before["notes"]
    assert set(after["cards"]) == set(before["cards"])
    new_rows = sorted(set(after["revlog"]) - set(before["revlog"]))
    assert len(new_rows) == 4 and set(before["revlog"]) <= set(after["revlog"])
    assert all(row[1] in before["cards"] and row[2] == 3 for row in new_rows)
    moved = {row[1] for row in new_rows}
    ours = _states(ws, answered)
    col = Collection(str(path))
    try:
        for cid in moved:
            ctype, queue, due, ivl, reps, data = after["cards"][cid]
            assert reps > before["cards"][cid][4]
            state = ours[col.db.scalar("SELECT n.guid FROM notes n JOIN cards c ON c.nid = n.id WHERE c.id = ?", cid)]
            # The history cards were in review: Good keeps them there, due as quizapp has them.
            assert (ctype, queue) == (2, 2) and ivl == state["days"]
            assert abs(due - col.sched.today - ivl) <= 1  # a study day may start between answer and update
            memory = json.loads(data)
            assert (memory["s"], memory["d"]) == pytest.approx((state["stability"], state["difficulty"]), abs=1e-3)
            assert memory["lrt"] == state["last_review"]
        problems, ok = col.fix_integrity()
        assert ok and problems.strip().splitlines() == ["Database rebuilt and optimized."], problems
    finally:
        col.close()

    # A second run adds nothing and moves nothing.
    assert main(["--home", str(ws), "update-anki", str(path)]) == 0
    assert "0 answers added" in capsys.readouterr().out
    again = _snapshot(path)
    assert again["revlog"] == after["revlog"] and again["cards"] == after["cards"]


def test_a_card_forgotten_here_relearns_in_anki(tmp_path, capsys):
    import sqlite3

    from anki.collection import Collection

    path, package = _users_collection(tmp_path)
    ws = tmp_path / "ws"
    (ws / "decks").mkdir(parents=True)
    assert main(["--home", str(ws), "import", str(package)]) == 0
    _answer_here(Workspace(ws, ((ws / "decks").resolve(),), "test"), 1, rating=1)
    before = _snapshot(path)
    with sqlite3.connect(path) as conn:
        lapses = dict(conn.execute("SELECT id, lapses FROM cards").fetchall())
    assert main(["--home", str(ws), "update-anki", str(path)]) == 0
    (row,) = set(_snapshot(path)["revlog"]) - set(before["revlog"])
    assert row[2:] == (1, 1)  # Again, on a review card
    col = Collection(str(path))
    try:
        card = col.get_card(row[1])
        assert (card.type, card.queue) in ((3, 1), (3, 3)) and card.left > 0
        assert card.lapses == lapses[row[1]] + 1
        problems, ok = col.fix_integrity()
        assert ok and problems.strip().splitlines() == ["Database rebuilt and optimized."], problems
    finally:
        col.close()


def test_a_collection_open_in_anki_is_refused_and_left_as_it_was(tmp_path, capsys):
    from anki.collection import Collection

    path, package = _users_collection(tmp_path)
    ws = tmp_path / "ws"
    (ws / "decks").mkdir(parents=True)
    assert main(["--home", str(ws), "import", str(package)]) == 0
    _answer_here(Workspace(ws, ((ws / "decks").resolve(),), "test"), 2)
    before = _snapshot(path)
    capsys.readouterr()

    anki = Collection(str(path))  # Anki has the profile open
    try:
        assert main(["--home", str(ws), "update-anki", str(path)]) == 1
        err = capsys.readouterr().err
        assert "open in Anki" in err and "close Anki" in err and "nothing was written" in err
    finally:
        anki.close()
    assert not (path.parent / "backups").exists()
    assert _snapshot(path) == before


def test_answered_cards_the_collection_lacks_are_reported_not_added(workspace, tmp_path, capsys, collection):
    collection.close()
    path = Path(collection.path)
    _answer_here(workspace, 1)
    assert main(["--home", str(workspace.home), "update-anki", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 cards answered here (1 whole notes) are not in this collection and were not added" in out
    assert "quizapp export --with-progress" in out
    assert _snapshot(path)["notes"] == []


def test_our_own_notes_exported_to_anki_take_the_answers_given_here_since(workspace, tmp_path, capsys, collection):
    from anki.collection import Collection

    out = tmp_path / "ours.apkg"
    assert main(["--home", str(workspace.home), "export", "-o", str(out)]) == 0
    anki_import(collection, out)
    collection.close()
    path = Path(collection.path)
    answered = _answer_here(workspace, 2)
    assert main(["--home", str(workspace.home), "update-anki", str(path)]) == 0
    assert "2 answers added" in capsys.readouterr().out
    col = Collection(str(path))
    try:
        rows = col.db.all("SELECT n.guid, c.type, c.reps FROM revlog r JOIN cards c ON c.id = r.cid "
                          "JOIN notes n ON n.id = c.nid")
        assert sorted(guid for guid, _, _ in rows) == sorted(guid_for_card(item.split("::")[0]) for item in answered)
        assert all(ctype in (1, 2) and reps == 1 for _, ctype, reps in rows)
        # One Good on a new card leaves it learning, due in minutes: in Anki's learning queue.
        assert col.db.scalar("SELECT COUNT(*) FROM cards WHERE type = 1 AND queue = 1 AND left > 0") >= 1
        problems, ok = col.fix_integrity()
        assert ok and problems.strip().splitlines() == ["Database rebuilt and optimized."], problems
    finally:
        col.close()


@pytest.mark.parametrize("name", ["missing.anki2", "not-a-collection.anki2"])
def test_a_path_that_is_not_a_collection_is_refused_by_name(name, workspace, tmp_path, capsys):
    path = tmp_path / name
    if name.startswith("not"):
        path.write_text("hello", encoding="utf-8")
    assert main(["--home", str(workspace.home), "update-anki", str(path)]) == 1
    err = capsys.readouterr().err
    assert name in err and "Traceback" not in err
    assert not path.exists() or path.read_text(encoding="utf-8") == "hello"


def test_without_ankis_library_it_says_how_to_install_it(workspace, tmp_path, capsys, monkeypatch):
    import sys

    path = tmp_path / "collection.anki2"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "anki.collection", None)
    assert main(["--home", str(workspace.home), "update-anki", str(path)]) == 1
    assert "pip install 'quizapp[anki]'" in capsys.readouterr().err


def test_a_collection_an_older_anki_wrote_keeps_its_schema(tmp_path, capsys):
    import sqlite3
    import zipfile

    (tmp_path / "profile").mkdir()
    path = tmp_path / "profile" / "collection.anki2"
    with zipfile.ZipFile(CORPUS / "all.legacy.colpkg") as archive:
        path.write_bytes(archive.read("collection.anki21"))
    ws = tmp_path / "ws"
    (ws / "decks").mkdir(parents=True)
    assert main(["--home", str(ws), "import", str(CORPUS / "all.legacy.colpkg")]) == 0
    _answer_here(Workspace(ws, ((ws / "decks").resolve(),), "test"), 2)
    assert main(["--home", str(ws), "update-anki", str(path)]) == 0
    assert "2 answers added" in capsys.readouterr().out
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT ver FROM col").fetchone() == (11,)
