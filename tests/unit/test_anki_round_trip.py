"""Anki -> quizapp -> Anki: a package imported into quizapp and exported again updates the user's
original notes in Anki (same note type, same GUID, same fields), adding no note, card or note type.

Anki's package import never changes a card it already has, nor adds review-log rows for it
(rslib import_export/package/apkg/import/cards.rs), so answers given in quizapp reach Anki for
cards it does not have (see test_anki_history for the trip into a fresh collection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.decks.loader import load_decks
from quizapp.workspace import Workspace
from tests.support.anki import CORPUS, anki_import


def _fresh(path: Path) -> Workspace:
    (path / "decks").mkdir(parents=True)
    return Workspace(path, ((path / "decks").resolve(),), "test")


@pytest.mark.parametrize("name", ["custom.apkg", "history.sched.legacy.apkg", "cloze.apkg", "localized_de.apkg"])
def test_a_package_comes_home_to_anki_updating_its_notes(name, tmp_path, collection):
    first = anki_import(collection, CORPUS / name)
    notes, cards = collection.note_count(), collection.card_count()
    note_types = len(collection.models.all_names_and_ids())
    fields_before = {collection.get_note(nid).guid: collection.get_note(nid).fields for nid in collection.find_notes("")}

    ws = _fresh(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(CORPUS / name)]) == 0
    out = tmp_path / "back.apkg"
    (deck,) = load_decks([ws.decks_dir]).decks
    assert main(["--home", str(ws.home), "export", "--with-progress", "--deck", deck.id, "-o", str(out)]) == 0

    log = anki_import(collection, out)
    assert len(log.conflicting) == 0 and len(log.new) == 0 and len(log.missing_notetype) == 0
    assert len(log.updated) + len(log.duplicate) == len(first.new)
    assert (collection.note_count(), collection.card_count()) == (notes, cards)
    assert len(collection.models.all_names_and_ids()) == note_types
    fields_after = {collection.get_note(nid).guid: collection.get_note(nid).fields for nid in collection.find_notes("")}
    assert fields_after == fields_before


def test_only_notes_edited_in_quizapp_count_as_updated_in_anki(tmp_path, collection):
    anki_import(collection, CORPUS / "basic.apkg")
    ws = _fresh(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(CORPUS / "basic.apkg")]) == 0
    (deck,) = load_decks([ws.decks_dir]).decks
    out = tmp_path / "back.apkg"
    assert main(["--home", str(ws.home), "export", "--deck", deck.id, "-o", str(out)]) == 0
    log = anki_import(collection, out)
    assert (len(log.updated), len(log.duplicate)) == (0, 5)

    text = deck.path.read_text(encoding="utf-8")
    deck.path.write_text(text.replace("front: dog", "front: the dog"), encoding="utf-8")
    assert main(["--home", str(ws.home), "export", "--deck", deck.id, "-o", str(out)]) == 0
    log = anki_import(collection, out)
    assert (len(log.updated), len(log.duplicate), len(log.conflicting)) == (1, 4, 0)
    assert collection.get_note(collection.db.scalar("SELECT id FROM notes WHERE guid = 'qzbasic0001'"))["Front"] == "the dog"
