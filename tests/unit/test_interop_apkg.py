"""Anki packages: ours open in Anki's own engine, Anki's come in as deck files, and both ways keep identity."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import genanki
import pytest
from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from hypothesis import given
from hypothesis import strategies as st

from quizapp.cli.main import main
from quizapp.db.records import REVIEW
from quizapp.decks.loader import load_decks
from quizapp.interop.anki.apkg import export_apkg, read_package
from quizapp.interop.ids import card_id_for_guid, guid_for_card
from quizapp.scheduling.scheduler import study_day
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.decks import FIXED_NOW, Clock


@pytest.fixture
def collection(tmp_path):
    """An empty Anki collection, opened with Anki's own library."""
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def anki_import(col: Collection, package: Path, with_scheduling: bool = False):
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    )
    return col.import_anki_package(request)


def anki_export(col: Collection, package: Path, legacy: bool = False) -> Path:
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=legacy)
    col.export_anki_package(out_path=str(package), options=options, limit=None)
    return package


def note_by_guid(col: Collection, guid: str):
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        if note.guid == guid:
            return note
    raise AssertionError(f"no note with GUID {guid!r}")


def visible(html: str) -> str:
    """The text a card shows, without its style sheet and tags."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL))


def fresh_workspace(path: Path) -> Workspace:
    """A workspace with an empty decks/ of its own and no bundled decks."""
    (path / "decks").mkdir(parents=True)
    return Workspace(path, ((path / "decks").resolve(),), "test")


# --------------------------------------------------------------------------- ours -> Anki


def test_an_exported_package_opens_in_anki_with_every_note_and_readable_cards(workspace, tmp_path, collection, capsys):
    out = tmp_path / "small.apkg"
    assert main(["--home", str(workspace.home), "export", "--format", "apkg", "--deck", "small", "-o", str(out)]) == 0
    assert "7 cards (5 notes, 7 Anki cards) from 1 decks" in capsys.readouterr().out

    anki_import(collection, out)
    assert collection.note_count() == 5
    # The cloze has two deletions and one basic card is studied both ways: seven cards.
    assert collection.card_count() == 7
    assert [name for name in (d.name for d in collection.decks.all_names_and_ids()) if "Small" in name] == [
        "quizapp::Small deck"
    ]
    basic = note_by_guid(collection, guid_for_card("s-basic"))
    card = basic.cards()[0]
    # Rich markup in our text reaches Anki as text, HTML-escaped, never as tags.
    assert "What does [bold]x[0][/] print?" in card.question()
    assert "list[int] and [@click=app.quit]z[/]" in card.answer()
    cloze = note_by_guid(collection, guid_for_card("s-cloze"))
    second = next(c for c in cloze.cards() if c.ord == 1)
    assert "Torch7 used Lua; PyTorch uses [...]." in visible(second.question())
    assert "Torch7 used Lua; PyTorch uses Python." in visible(second.answer())
    choice = note_by_guid(collection, guid_for_card("s-choice"))
    assert "1. Torch" in choice.cards()[0].question().replace("<br>", "\n")
    assert basic.tags == ["markup"]


def test_exporting_twice_and_importing_both_into_anki_does_not_duplicate(workspace, tmp_path, collection):
    decks = load_decks(workspace.deck_dirs).decks
    first = export_apkg(decks, tmp_path / "one.apkg", now=FIXED_NOW).path
    deck_file = workspace.deck_dirs[0] / "small.yaml"
    deck_file.write_text(deck_file.read_text().replace("Captures Python bytecode", "Captures CPython bytecode"))
    decks = load_decks(workspace.deck_dirs).decks
    second = export_apkg(decks, tmp_path / "two.apkg", now=FIXED_NOW + timedelta(hours=1)).path

    anki_import(collection, first)
    anki_import(collection, second)
    assert collection.note_count() == 5 and collection.card_count() == 7
    assert "CPython" in note_by_guid(collection, guid_for_card("s-reverse"))["Back"]


def test_with_progress_anki_gets_due_day_interval_memory_state_and_review_log(workspace, tmp_path, collection):
    clock = Clock()
    opened = open_workspace(workspace)
    try:
        study = Study(opened.store, opened.decks, clock=clock)
        for _ in range(3):  # Good until the card graduates to review
            study.answer("s-basic", 3)
            clock.advance(days=1)
        study.suspend("s-choice")
        state = opened.store.card_state("s-basic")
        assert state.state == REVIEW
        row = opened.store.card_row("s-basic")
        out = export_apkg(opened.decks.decks, tmp_path / "p.apkg", opened.store, now=clock())
    finally:
        opened.store.close()
    assert out.progress["review"] == 1 and out.progress["suspended"] == 1 and out.progress["revlog"] == 3

    anki_import(collection, out.path, with_scheduling=True)
    card = note_by_guid(collection, guid_for_card("s-basic")).cards()[0]
    assert (card.type, card.queue) == (2, 2)
    assert (card.reps, card.lapses) == (row["reps"], row["lapses"])
    assert card.memory_state.stability == pytest.approx(state.stability, abs=1e-3)
    assert card.memory_state.difficulty == pytest.approx(state.difficulty, abs=1e-3)
    due_day = study_day(state.due)
    assert card.ivl == (due_day - study_day(state.last_review)).days
    # Anki counts review due days from its collection's creation day; the day itself must survive.
    created = date.fromtimestamp(collection.crt)
    assert created + timedelta(days=card.due) == due_day
    assert len(collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)) == 3
    suspended = note_by_guid(collection, guid_for_card("s-choice")).cards()[0]
    assert suspended.queue == -1
    new = note_by_guid(collection, guid_for_card("s-cloze")).cards()[0]
    assert new.type == 0


# --------------------------------------------------------------------------- Anki -> ours


def foreign_package(path: Path, back: str = "An <b>n</b>-dimensional array&nbsp;&amp; more", extra: bool = False) -> Path:
    """A package as another tool would make it: Anki's stock note types, HTML fields, tags, a subdeck."""
    vocab = genanki.Model(
        1607392319,
        "Vocab",
        fields=[{"name": "Word"}, {"name": "Meaning"}, {"name": "Example"}],
        templates=[{"name": "Card 1", "qfmt": "{{Word}}", "afmt": "{{FrontSide}}<hr id=answer>{{Meaning}}"}],
    )
    deck = genanki.Deck(2059400110, "ML interview::Basics")
    notes = [
        genanki.Note(genanki.BASIC_MODEL, ["What is a <i>tensor</i>?", back], tags=["math", "basics"], guid="Ab1!x~"),
        genanki.Note(genanki.CLOZE_MODEL, ["Adam keeps <b>{{c1::first}}</b> and {{c2::second}} moments", "<div>see paper</div>"],
                     guid="clz#1"),
        genanki.Note(genanki.BASIC_AND_REVERSED_CARD_MODEL, ["ReLU", "max(0, x)"], guid="rev/2"),
        genanki.Note(vocab, ["overfitting", "fits noise<br>not signal", "e.g. memorising"], guid="voc:3"),
        genanki.Note(genanki.BASIC_MODEL, ["Which curve?", '<img src="roc.png">'], guid="img;4"),
    ]
    if extra:
        notes.append(genanki.Note(genanki.BASIC_MODEL, ["What is dropout?", "Randomly zeroing units"], guid="new*5"))
    for note in notes:
        deck.add_note(note)
    genanki.Package(deck).write_to_file(str(path))
    return path


def test_a_package_made_with_genanki_comes_in_as_a_deck_file_that_loads(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    package = foreign_package(tmp_path / "interview.apkg")
    assert main(["--home", str(ws.home), "import", str(package)]) == 0
    out = capsys.readouterr().out
    assert "deck 'basics': 4 added" in out
    assert "note 'img;4'" in out and "its answer is empty" in out

    loaded = load_decks([ws.decks_dir])
    assert loaded.problems == []
    (deck,) = loaded.decks
    assert deck.path == ws.decks_dir / "basics.yaml" and deck.title == "Basics"
    cards = {c.id: c for c in deck.cards}
    tensor = cards[card_id_for_guid("Ab1!x~")]
    assert (tensor.front, tensor.back) == ("What is a tensor?", "An n-dimensional array & more")
    assert tensor.tags == ["math", "basics"] and tensor.source == ["interview.apkg"]
    cloze = cards[card_id_for_guid("clz#1")]
    assert cloze.kind == "cloze" and cloze.numbers() == [1, 2] and cloze.extra == "see paper"
    assert cloze.text == "Adam keeps {{c1::first}} and {{c2::second}} moments"
    assert cards[card_id_for_guid("rev/2")].reverse is True
    vocab = cards[card_id_for_guid("voc:3")]
    assert (vocab.kind, vocab.front, vocab.back) == ("basic", "overfitting", "fits noise\nnot signal")
    assert assert_check_passes(ws)
    # The cards are in progress as new cards, the reversed one with both sides.
    opened = open_workspace(ws)
    try:
        ids = {r["id"] for r in opened.store.query("SELECT id FROM cards WHERE state = 0 AND deck_id = 'basics'")}
    finally:
        opened.store.close()
    assert card_id_for_guid("rev/2") + "::reverse" in ids and len(ids) == 6


def assert_check_passes(ws: Workspace) -> bool:
    return main(["--home", str(ws.home), "check"]) == 0


def test_a_second_import_updates_cards_and_keeps_their_progress(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    package = foreign_package(tmp_path / "interview.apkg")
    assert main(["--home", str(ws.home), "import", str(package)]) == 0
    tensor_id = card_id_for_guid("Ab1!x~")
    opened = open_workspace(ws)
    try:
        Study(opened.store, opened.decks, clock=Clock()).answer(tensor_id, 3)
        before = opened.store.card_row(tensor_id)
    finally:
        opened.store.close()
    # A card written into the file by hand stays through the next import.
    deck_file = ws.decks_dir / "basics.yaml"
    deck_file.write_text(deck_file.read_text() + "- id: my-own\n  front: Mine?\n  back: Yes\n  source: me\n")
    capsys.readouterr()

    edited = foreign_package(tmp_path / "interview-v2.apkg", back="A multi-dimensional array", extra=True)
    assert main(["--home", str(ws.home), "import", str(edited)]) == 0
    out = capsys.readouterr().out
    assert "1 added, 1 updated, 3 unchanged, 1 already there kept" in out
    assert "progress backed up first to" in out
    backups = list((ws.home / "progress" / "backups").glob("quizapp-*-import-*.db"))
    assert len(backups) == 1

    (deck,) = load_decks([ws.decks_dir]).decks
    cards = {c.id: c for c in deck.cards}
    assert len(cards) == 6 and "my-own" in cards
    assert cards[tensor_id].back == "A multi-dimensional array"
    opened = open_workspace(ws)
    try:
        after = opened.store.card_row(tensor_id)
        assert opened.store.log_count() == 1
    finally:
        opened.store.close()
    assert (after["state"], after["due"], after["reps"]) == (before["state"], before["due"], before["reps"])


def test_a_package_from_current_anki_is_read(tmp_path, collection):
    basic = collection.models.by_name("Basic")
    note = collection.new_note(basic)
    note["Front"], note["Back"] = "Why <b>batch norm</b>?", "Stable activations"
    note.tags = ["norm"]
    collection.add_note(note, collection.decks.id("Training"))
    cloze = collection.new_note(collection.models.by_name("Cloze"))
    cloze["Text"] = "{{c1::Gradient clipping}} bounds the update"
    collection.add_note(cloze, collection.decks.id("Training"))
    package = anki_export(collection, tmp_path / "current.apkg", legacy=False)
    assert "collection.anki21b" in zipfile.ZipFile(package).namelist()

    ws = fresh_workspace(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(package)]) == 0
    (deck,) = load_decks([ws.decks_dir]).decks
    assert deck.id == "training"
    cards = {c.id: c for c in deck.cards}
    assert cards[card_id_for_guid(note.guid)].front == "Why batch norm?"
    assert cards[card_id_for_guid(note.guid)].tags == ["norm"]
    assert cards[card_id_for_guid(cloze.guid)].kind == "cloze"


def test_our_cards_travel_through_anki_and_back_unchanged_with_edits_kept(workspace, tmp_path, collection):
    originals = {c.id: c for c in load_decks(workspace.deck_dirs).decks[0].cards}
    anki_import(collection, export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "out.apkg").path)
    edited = note_by_guid(collection, guid_for_card("s-reverse"))
    edited["Front"] = "TorchDynamo <b>(2.0)</b>"
    collection.update_note(edited)
    back_from_anki = anki_export(collection, tmp_path / "from-anki.apkg", legacy=False)

    ws = fresh_workspace(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(back_from_anki), "--deck-id", "small"]) == 0
    (deck,) = load_decks([ws.decks_dir]).decks
    cards = {c.id: c for c in deck.cards}
    assert set(cards) == set(originals)
    for card_id, card in originals.items():
        if card_id != "s-reverse":
            assert cards[card_id] == card, card_id
    assert cards["s-reverse"].front == "TorchDynamo (2.0)"
    assert cards["s-reverse"].model_copy(update={"front": "TorchDynamo"}) == originals["s-reverse"]


def test_an_anki_note_imported_and_exported_again_keeps_its_anki_guid(tmp_path):
    ws = fresh_workspace(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(foreign_package(tmp_path / "f.apkg"))]) == 0
    out = export_apkg(load_decks([ws.decks_dir]).decks, tmp_path / "again.apkg").path
    guids = {note.guid for note in read_package(out)}
    assert guids == {"Ab1!x~", "clz#1", "rev/2", "voc:3"}


def test_a_file_that_is_not_a_package_is_refused_with_its_name(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    bogus = tmp_path / "notes.apkg"
    bogus.write_text("front,back\n")
    assert main(["--home", str(ws.home), "import", str(bogus)]) == 1
    err = capsys.readouterr().err
    assert f"{bogus} is not an Anki package" in err and "Traceback" not in err
    assert list(ws.decks_dir.iterdir()) == []


def test_an_import_never_takes_a_card_id_another_deck_owns(workspace, tmp_path, capsys):
    out = export_apkg(load_decks(workspace.deck_dirs).decks, tmp_path / "small.apkg").path
    assert main(["--home", str(workspace.home), "import", str(out), "--deck-id", "copy"]) == 0
    text = capsys.readouterr().out
    assert "5 cards are already in deck 'small'" in text and "'s-basic'" in text and "nothing was imported" in text
    assert "import it with --deck-id small" in text and text.count("already in deck") == 1
    assert not (workspace.home / "decks" / "copy.yaml").exists()


# --------------------------------------------------------------------------- identity rules


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}", fullmatch=True))
def test_a_card_id_survives_the_trip_through_a_guid(card_id):
    assert card_id_for_guid(guid_for_card(card_id)) == card_id


@given(st.text(min_size=1, max_size=40))
def test_an_anki_guid_survives_the_trip_through_a_card_id(guid):
    card_id = card_id_for_guid(guid)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", card_id) and len(card_id) <= 120
    # Anki's GUIDs are 10 characters; only those past 57 UTF-8 bytes are hashed rather than spelled out.
    if not guid.startswith("quizapp:") and len(guid.encode("utf-8")) <= 57:
        assert guid_for_card(card_id) == guid
