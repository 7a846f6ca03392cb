"""The smaller round-trip points between quizapp and Anki, one test each, Anki's engine where its
behaviour is the point: a package exported and imported again in a fresh workspace, a second
version of a package, Check Database on our exports, unchanged notes on re-import, and the field
that carries our card as JSON."""

from __future__ import annotations

import time
from pathlib import Path

from quizapp.cli.main import main
from quizapp.decks.loader import load_decks
from quizapp.interop.anki.apkg import DATA_DESCRIPTION, DATA_FIELD, export_apkg
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.anki import anki_export, anki_import
from tests.support.decks import Clock, write_deck

OTHER_DECK = """
id: other
title: Other deck
cards:
  - id: o-basic
    front: Another question
    back: Another answer
    source: [notes]
"""


def _fresh(path: Path) -> Workspace:
    (path / "decks").mkdir(parents=True)
    return Workspace(path, ((path / "decks").resolve(),), "test")


def test_an_apkg_export_imported_in_a_fresh_workspace_is_named_for_its_deck_not_quizapp(workspace, tmp_path, capsys):
    out = export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "export.apkg").path
    ws = _fresh(tmp_path / "fresh")
    capsys.readouterr()
    assert main(["--home", str(ws.home), "import", str(out)]) == 0
    text = capsys.readouterr().out
    deck = next(d for d in load_decks([ws.decks_dir]).decks)
    assert (deck.id, deck.title) == ("small-deck", "Small deck")
    assert "left out" not in text


def test_an_export_of_several_decks_is_named_for_its_file_not_quizapp(workspace, tmp_path):
    write_deck(workspace.deck_dirs[0], "other.yaml", OTHER_DECK)
    out = export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "mine.apkg").path
    ws = _fresh(tmp_path / "fresh")
    assert main(["--home", str(ws.home), "import", str(out)]) == 0
    (deck,) = load_decks([ws.decks_dir]).decks
    assert deck.id == "mine" and len(deck.cards) == 6


def test_an_export_imported_where_its_decks_already_are_says_one_line_a_deck(workspace, tmp_path, capsys):
    write_deck(workspace.deck_dirs[0], "other.yaml", OTHER_DECK)
    out = export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "mine.apkg").path
    capsys.readouterr()
    assert main(["--home", str(workspace.home), "import", str(out)]) == 0
    text = capsys.readouterr().out
    assert len([line for line in text.splitlines() if "already in deck" in line]) == 2
    assert "--deck-id small" in text and "--deck-id other" in text and len(text.splitlines()) < 8


def _package(path: Path, deck_name: str, back: str) -> Path:
    """A package of two notes of Anki's Basic type with fixed GUIDs, written by Anki."""
    from anki.collection import Collection

    folder = path.with_suffix("")
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    try:
        deck = col.decks.id(deck_name)
        for i in range(2):
            note = col.new_note(col.models.by_name("Basic"))
            note["Front"], note["Back"] = f"word {i}", f"{back} {i}"
            note.guid = f"vocabguid{i}"
            col.add_note(note, deck)
        return anki_export(col, path)
    finally:
        col.close()


def test_a_second_version_of_a_package_with_the_same_guids_says_deck_id(tmp_path, capsys):
    ws = _fresh(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(_package(tmp_path / "vocab-1.apkg", "Vocab", "meaning"))]) == 0
    second = _package(tmp_path / "vocab-2.apkg", "Vocab (2nd edition)", "better meaning")
    capsys.readouterr()
    assert main(["--home", str(ws.home), "import", str(second)]) == 0
    text = capsys.readouterr().out
    assert "2 cards are already in deck 'vocab'" in text and "import it with --deck-id vocab" in text
    assert main(["--home", str(ws.home), "import", str(second), "--deck-id", "vocab"]) == 0
    assert "0 added, 2 updated" in capsys.readouterr().out


def test_anki_check_database_finds_nothing_to_fix_in_our_exports(workspace, tmp_path, collection):
    clock = Clock()
    opened = open_workspace(workspace)
    try:
        study = Study(opened.store, opened.decks, clock=clock)
        items = [r["id"] for r in opened.store.query("SELECT id FROM cards ORDER BY id")]
        # Review, learning, relearning and new cards, and one suspended.
        for i, item in enumerate(items):
            for rating in [(3, 3, 3), (3,), (3, 3, 1), (), (3, 3, 3, 3)][i % 5]:
                study.answer(item, rating)
                clock.advance(days=2)
        study.suspend(items[0])
        with_progress = export_apkg(opened.decks.decks, tmp_path / "p.apkg", opened.store, now=clock()).path
    finally:
        opened.store.close()
    anki_import(collection, with_progress)
    anki_import(collection, export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "plain.apkg").path)
    problems, ok = collection.fix_integrity()
    assert ok and problems.strip().splitlines() == ["Database rebuilt and optimized."], problems


def test_reimporting_an_unchanged_export_into_anki_counts_no_note_as_updated(workspace, tmp_path, collection):
    decks = load_decks(workspace.deck_dirs).decks
    anki_import(collection, export_apkg(decks, tmp_path / "one.apkg").path)
    time.sleep(1.1)  # a later export, of the same cards
    log = anki_import(collection, export_apkg(decks, tmp_path / "two.apkg").path)
    assert (len(log.updated), len(log.duplicate), len(log.new)) == (0, 5, 0)


def test_our_json_field_is_on_no_template_collapsed_unsearched_and_says_what_it_is(workspace, tmp_path, collection):
    out = export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "p.apkg")
    anki_import(collection, out.path)
    for name in ("quizapp basic", "quizapp basic (and reversed card)", "quizapp cloze", "quizapp question"):
        note_type = collection.models.by_name(name)
        data = next(f for f in note_type["flds"] if f["name"] == DATA_FIELD)
        assert data["collapsed"] is True and data["excludeFromSearch"] is True
        assert data["description"] == DATA_DESCRIPTION
        for template in note_type["tmpls"]:
            assert DATA_FIELD not in template["qfmt"] + template["afmt"]
        note_id = collection.find_notes(f'"note:{name}"')[0]
        card = collection.get_note(note_id).cards()[0]
        assert "{&quot;" not in card.question() + card.answer() and '{"' not in card.question() + card.answer()
