"""Anki's text formats: its "Notes in Plain Text" exports and hand-written files with its header
lines come in; quizapp's CSV/TSV export carries Anki's header lines and imports into Anki as is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anki.collection import Collection, ImportCsvRequest

from quizapp.cli.main import main
from quizapp.decks.models import card_items
from quizapp.interop.csvio import read_csv
from quizapp.interop.ids import guid_for_card

CORPUS = Path(__file__).parents[1] / "data" / "anki"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["files"]
TEXT = sorted(n for n in EXPECTED if not n.endswith((".apkg", ".colpkg")))


@pytest.mark.parametrize("name", TEXT)
def test_a_text_file_gives_the_cards_anki_makes_of_it(name):
    expected = EXPECTED[name]
    read = read_csv(CORPUS / name)
    items = sum(len(card_items(card, "")) for card in read.cards)
    if name.startswith("image_occlusion"):
        assert items == 0 and len(read.left_out) == 2 and read.problems == []
    elif expected["cards"]:
        # Anki's count, less a card whose question is only an image (left out, with the reason).
        assert read.problems == []
        assert items == expected["cards"] - sum("only an image" in p for p in read.left_out), read.left_out
    else:
        # Note types Anki cannot find in a fresh collection: Anki imports nothing; we read their fields.
        assert items > 0


def test_rows_anki_leaves_out_are_left_out_with_their_reason_and_the_rest_comes_in(tmp_path, capsys):
    """A row whose question is only an image (or, in a plain-text export, whose first field is
    empty) does not refuse the file as a malformed row does: the other rows come in."""
    (tmp_path / "decks").mkdir()
    for name in ("html.txt", "html.plain.txt"):
        assert main(["--home", str(tmp_path), "import", str(CORPUS / name), "--deck-id", "html"]) == 0
    out = capsys.readouterr().out
    assert "html.txt:14: its question is only an image" in out
    assert "html.plain.txt:13: its first field is empty" in out
    read = read_csv(CORPUS / "html.txt")
    assert len(read.cards) == EXPECTED["html.txt"]["cards"] - 1
    bad = tmp_path / "bad.txt"
    bad.write_text("#separator:tab\n#html:false\nfront\tback\nno answer\t\n", encoding="utf-8")
    assert main(["--home", str(tmp_path), "import", str(bad)]) != 0
    assert "bad.txt:4: a card needs a question (the first field) and an answer" in capsys.readouterr().err


def test_anki_header_lines_set_separator_deck_tags_and_html():
    read = read_csv(CORPUS / "handmade_headers.txt")
    assert read.deck_id == "piped" and read.problems == []
    cards = {card.front: card for card in read.cards}
    assert set(cards) == {"apple", "the <tensor> type", "quoted | pipe"}
    assert cards["apple"].tags == ["from-header", "fruit", "food"]
    assert cards["the <tensor> type"].back == "a bold answer"


def test_html_false_keeps_angle_brackets_as_text():
    read = read_csv(CORPUS / "handmade_html_false.tsv")
    assert {card.front for card in read.cards} == {"<tensor>", "a < b & c"}


def test_a_file_without_a_header_row_is_read_as_notes():
    read = read_csv(CORPUS / "handmade_noheader.csv")
    assert [(c.front, c.back) for c in read.cards] == [
        ("Paris", "capital of France"),
        ("Berlin, Germany", "has a comma, quoted"),
        ("multi\nline", 'field with ""quotes"" inside'),  # unquoted cell: Anki keeps the quotes too
    ]


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_our_export_imports_into_anki_without_settings(workspace, tmp_path, suffix):
    out = tmp_path / f"small{suffix}"
    assert main(["--home", str(workspace.home), "export", "--deck", "small", "-o", str(out)]) == 0
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        metadata = col.get_csv_metadata(str(out), None)
        log = col.import_csv(ImportCsvRequest(path=str(out), metadata=metadata)).log
        assert len(log.new) == 5 and not log.empty_first_field and not log.conflicting
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        basic = notes[guid_for_card("s-basic")]
        assert basic.note_type()["name"].startswith("Basic") and basic.fields[0] and basic.fields[1]
        assert notes[guid_for_card("s-cloze")].note_type()["name"] == "Cloze"
        assert "{{c1::" in notes[guid_for_card("s-cloze")].fields[0]
        assert col.decks.name(basic.cards()[0].did) == "small"
    finally:
        col.close()


def test_an_export_of_several_decks_comes_back_deck_by_deck(tmp_path, capsys):
    home = tmp_path / "ws"
    (home / "decks").mkdir(parents=True)
    for deck_id in ("one", "two"):
        (home / "decks" / f"{deck_id}.yaml").write_text(
            f"id: {deck_id}\ntitle: {deck_id}\ncards:\n"
            f"  - {{id: {deck_id}-1, kind: basic, front: q {deck_id}, back: a, source: notes.md}}\n",
            encoding="utf-8",
        )
    out = tmp_path / "all.csv"
    assert main(["--home", str(home), "export", "--deck", "one", "--deck", "two", "-o", str(out)]) == 0
    fresh = tmp_path / "fresh"
    (fresh / "decks").mkdir(parents=True)
    assert main(["--home", str(fresh), "import", str(out)]) == 0
    assert sorted(p.name for p in (fresh / "decks").glob("*.yaml")) == ["one.yaml", "two.yaml"]


def test_small_csv_problems_are_reported_where_they_are(tmp_path, capsys):
    header_only = tmp_path / "h.csv"
    header_only.write_text("front,back\n", encoding="utf-8")
    assert main(["--home", str(tmp_path), "import", str(header_only)]) != 0
    assert "header row but no cards" in capsys.readouterr().err
    open_quote = tmp_path / "q.csv"
    open_quote.write_text('front,back\n"a,b\nc,d\ne,f\n', encoding="utf-8")
    assert main(["--home", str(tmp_path), "import", str(open_quote)]) != 0
    assert "q.csv:2: a quoted cell starting on this line is never closed" in capsys.readouterr().err
    long_cell = tmp_path / "long.csv"
    long_cell.write_text("front,back\nq1," + "x" * 140_000 + "\nq2,a2\n", encoding="utf-8")
    assert main(["--home", str(tmp_path), "import", str(long_cell), "--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "1 added" in out and "column 'back': this text is 140,000 characters long" in out


def test_cloze_deletions_nested_beyond_reason_are_a_rows_problem(tmp_path):
    deep = tmp_path / "deep.txt"
    deep.write_text("#separator:tab\n#notetype:Cloze\n" + "{{c1::" * 5000 + "x" + "}}" * 5000 + "\textra\n",
                    encoding="utf-8")
    read = read_csv(deep)
    assert read.cards == [] and "nested too deeply" in read.problems[0]
