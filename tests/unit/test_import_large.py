"""A large Anki import (20,000 notes, as Anki itself writes them): the deck file it writes loads
with the full loader, card for card as imported, and the deck the import put into the cache is
the same one."""

from __future__ import annotations

from pathlib import Path

from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions

from quizapp.cli.main import main
from quizapp.decks.cache import DeckCache
from quizapp.decks.loader import load_deck_file
from quizapp.interop.ids import card_id_for_guid
from quizapp.session import open_workspace
from quizapp.workspace import deck_cache_dir

NOTES = 20_000
ODD = [
    "plain", "yes", "a: b # c", "- dash", '"quoted" and \'single\'', "line<br>break<br>", "&lt;tensor&gt; &amp; co",
    "  spaced  ", "tab\there", "ünïcödé 日本 😀", "[x, y]", "{z}", "50%", "x<br><br><br>y", "<b>bold</b> <i>it</i>",
]


def _package(path: Path, tmp: Path) -> dict[str, tuple[str, str]]:
    col = Collection(str(tmp / "collection.anki2"))
    try:
        deck = col.decks.id("Large deck")
        basic = col.models.by_name("Basic")
        requests = []
        for i in range(NOTES):
            note = col.new_note(basic)
            note["Front"] = f"Question {i}: {ODD[i % len(ODD)]}"
            note["Back"] = f"{ODD[(i * 7) % len(ODD)]} answer {i}"
            note.tags = ["large", f"group{i % 40}"]
            requests.append(AddNoteRequest(note=note, deck_id=deck))
        col.add_notes(requests)
        notes = {col.get_note(nid).guid: (col.get_note(nid)["Front"], col.get_note(nid)["Back"])
                 for nid in col.find_notes("")[:50]}
        options = ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=False)
        col.export_anki_package(out_path=str(path), options=options, limit=None)
    finally:
        col.close()
    return notes


def test_a_large_import_round_trips_and_loads(workspace, tmp_path):
    (tmp_path / "anki").mkdir()
    package = tmp_path / "large.apkg"
    sample = _package(package, tmp_path / "anki")
    assert main(["--home", str(workspace.home), "import", str(package)]) == 0
    path = workspace.decks_dir / "large-deck.yaml"

    # The file itself, read by the loader's full parse (no cache): every note, no problem.
    deck, problems = load_deck_file(path)
    assert problems == [] and deck is not None
    assert len(deck.cards) == NOTES
    by_id = {card.id: card for card in deck.cards}
    for guid, (front, back) in sample.items():
        card = by_id[card_id_for_guid(guid)]
        assert card.front.startswith("Question ") and card.back.endswith(back.rsplit(" ", 2)[-2] + " " + back.rsplit(" ", 1)[-1])
        assert "large" in card.tags and card.source == ["large.apkg"]
    texts = {card.front.split(": ", 1)[1] for card in deck.cards}
    assert {"yes", "a: b # c", "- dash", "line\nbreak", "<tensor> & co", "tab\there", "ünïcödé 日本 😀", "x\n\ny",
            "bold it", '"quoted" and \'single\''} <= texts

    # The deck the import put into the cache is the one the file holds, lines included.
    cached, _ = DeckCache(deck_cache_dir()).get(path, "decks/large-deck.yaml", path.stat())
    assert cached is not None and cached[0] is not None
    assert cached[0].cards == deck.cards and cached[0].lines == deck.lines

    # And the workspace opens with every card to study.
    opened = open_workspace(workspace)
    try:
        assert opened.store.scalar("SELECT COUNT(*) FROM cards WHERE deck_id = 'large-deck'") == NOTES
    finally:
        opened.store.close()
