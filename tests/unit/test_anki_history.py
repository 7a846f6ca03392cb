"""Review history between Anki and quizapp: answers keep their ratings both ways, imported history
rebuilds each card's FSRS state by replay, and suspensions are kept."""

from __future__ import annotations

from pathlib import Path

from quizapp.cli.main import main
from quizapp.db.records import REVIEW
from quizapp.decks.loader import load_decks
from quizapp.interop.anki.apkg import export_apkg
from quizapp.interop.ids import card_id_for_guid, guid_for_card
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.anki import CORPUS, anki_import
from tests.support.decks import Clock


def test_learning_ratings_arrive_in_anki_as_given(workspace, tmp_path, collection):
    """Without schedVer 2 Anki takes the package for an old-scheduler one and shifts learning
    answers up a button (Hard becomes Good): its optimiser would learn from the wrong history."""
    clock = Clock()
    opened = open_workspace(workspace)
    try:
        study = Study(opened.store, opened.decks, clock=clock)
        for rating in (2, 3, 3, 1, 3):
            study.answer("s-basic", rating)
            clock.advance(days=1)
        ours = [r["rating"] for r in opened.store.query(
            "SELECT rating FROM review_log WHERE card_id = 's-basic' ORDER BY reviewed_at")]
        out = export_apkg(opened.decks.decks, tmp_path / "p.apkg", opened.store, now=clock())
    finally:
        opened.store.close()
    anki_import(collection, out.path)
    cid = collection.db.scalar("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ?",
                               guid_for_card("s-basic"))
    theirs = collection.db.list("SELECT ease FROM revlog WHERE cid = ? ORDER BY id", cid)
    assert theirs == ours == [2, 3, 3, 1, 3]


def _fresh(path: Path) -> Workspace:
    (path / "decks").mkdir(parents=True)
    return Workspace(path, ((path / "decks").resolve(),), "test")


def test_anki_history_comes_in_and_rebuilds_each_cards_state(tmp_path, capsys):
    ws = _fresh(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(CORPUS / "history.sched.apkg")]) == 0
    out = capsys.readouterr().out
    assert "history: 23 answers" in out and "2 cards suspended" in out
    assert "5 new cards to study" in out  # as Anki has them: the others have their history
    opened = open_workspace(ws)
    try:
        log = opened.store.query("SELECT card_id, rating, scheduled FROM review_log ORDER BY reviewed_at")
        cards = {r["id"]: r for r in opened.store.query("SELECT * FROM cards")}
    finally:
        opened.store.close()
    # Anki's 25 rows less its two manual ones (a reset and a set due date), ratings as given.
    assert len(log) == 23
    assert sorted(r["rating"] for r in log) == [1] * 3 + [2] * 3 + [3] * 15 + [4] * 2
    graduated = cards[card_id_for_guid("qzhistor0053")]
    assert graduated["state"] == REVIEW and graduated["reps"] == 4 and graduated["stability"] > 0
    assert sum(r["suspended"] for r in cards.values()) == 2
    # The card reset to new in Anki keeps its answers as history but starts again.
    reset = card_id_for_guid("qzhistor0060")
    assert [r["scheduled"] for r in log if r["card_id"] == reset] == [0, 0]
    assert cards[reset]["state"] == 0
    # Importing again adds nothing twice.
    assert main(["--home", str(ws.home), "import", str(CORPUS / "history.sched.apkg")]) == 0
    assert "history:" not in capsys.readouterr().out
    opened = open_workspace(ws)
    try:
        assert opened.store.scalar("SELECT COUNT(*) FROM review_log") == 23
    finally:
        opened.store.close()


def test_history_goes_back_to_anki_with_the_same_answers(tmp_path, collection, capsys):
    ws = _fresh(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(CORPUS / "history.sched.legacy.apkg")]) == 0
    out = tmp_path / "back.apkg"
    assert main(["--home", str(ws.home), "export", "--with-progress", "-o", str(out)]) == 0
    anki_import(collection, out)
    assert collection.db.scalar("SELECT COUNT(*) FROM revlog") == 21  # the 23 less the two before the reset
    assert sorted(collection.db.list("SELECT ease FROM revlog")) == [1] * 3 + [2] * 3 + [3] * 13 + [4] * 2


def test_anki_finds_nothing_to_fix_in_an_export_with_progress(workspace, tmp_path, collection):
    clock = Clock()
    opened = open_workspace(workspace)
    try:
        study = Study(opened.store, opened.decks, clock=clock)
        for _ in range(3):
            study.answer("s-basic", 3)
            clock.advance(days=1)
        out = export_apkg(opened.decks.decks, tmp_path / "p.apkg", opened.store, now=clock())
    finally:
        opened.store.close()
    anki_import(collection, out.path)
    problems, ok = collection.fix_integrity()
    assert ok and "last review" not in problems.lower(), problems


def test_our_data_field_is_collapsed_and_left_out_of_searches_in_anki(workspace, tmp_path, collection):
    out = export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "p.apkg")
    anki_import(collection, out.path)
    for name in ("quizapp basic", "quizapp cloze"):
        data = next(f for f in collection.models.by_name(name)["flds"] if f["name"] == "quizapp")
        assert data["collapsed"] is True and data["excludeFromSearch"] is True
