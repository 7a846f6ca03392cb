"""Review history between Anki and quizapp: answers keep their ratings both ways, imported history
rebuilds each card's FSRS state by replay, and suspensions are kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from quizapp.interop.anki.apkg import export_apkg
from quizapp.interop.ids import guid_for_card
from quizapp.session import open_workspace
from quizapp.study.study import Study
from tests.conftest import Clock

CORPUS = Path(__file__).parent / "data" / "anki"


@pytest.fixture
def collection(tmp_path):
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def anki_import(col: Collection, package: Path) -> None:
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True))
    col.import_anki_package(request)


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
