"""CSV import, point by point: an export of several decks comes back into a fresh workspace, a very
long cell is one row's problem, an unclosed quote is named where it opened, a file with only its
header says so."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.decks.loader import load_decks
from quizapp.interop.csvio import read_csv_decks

DECKS = {
    "one": "  - {id: one-1, kind: basic, front: 'q one', back: 'a one', tags: [x, y], source: notes.md}\n"
           "  - {id: one-2, kind: cloze, text: 'The {{c1::GPU}} computes', source: notes.md}\n",
    "two": "  - {id: two-1, kind: choice, question: 'pick', choices: [a, b], answer: b, source: notes.md}\n"
           "  - {id: two-2, kind: order, prompt: 'sort', items: [first, second, third], source: notes.md}\n",
}


def _workspace(home: Path) -> Path:
    (home / "decks").mkdir(parents=True)
    return home


def _cards(home: Path) -> dict[str, list]:
    loaded = load_decks([home / "decks"], base=home)
    return {deck.id: sorted(deck.cards, key=lambda c: c.id) for deck in loaded.decks}


def test_an_export_of_several_decks_imports_into_a_fresh_workspace(tmp_path, capsys):
    home = _workspace(tmp_path / "home")
    for deck_id, cards in DECKS.items():
        (home / "decks" / f"{deck_id}.yaml").write_text(f"id: {deck_id}\ntitle: {deck_id}\ncards:\n{cards}", encoding="utf-8")
    out = tmp_path / "x.csv"
    assert main(["--home", str(home), "export", "--deck", "one", "--deck", "two", "-o", str(out)]) == 0
    assert [read.deck_id for read in read_csv_decks(out)] == ["one", "two"]

    fresh = _workspace(tmp_path / "fresh")
    assert main(["--home", str(fresh), "import", str(out)]) == 0
    said = capsys.readouterr().out
    assert "deck 'one': 2 added" in said and "deck 'two': 2 added" in said
    before, after = _cards(home), _cards(fresh)
    assert sorted(after) == ["one", "two"]
    for deck_id in DECKS:
        # The same cards, kind for kind and word for word (the source says where they came from).
        assert [(c.id, c.kind) for c in after[deck_id]] == [(c.id, c.kind) for c in before[deck_id]]
        assert [c.model_copy(update={"source": []}) for c in after[deck_id]] == \
            [c.model_copy(update={"source": []}) for c in before[deck_id]]


def test_a_row_without_a_deck_in_a_file_of_several_decks_is_named_and_nothing_comes_in(tmp_path, capsys):
    home = _workspace(tmp_path)
    path = tmp_path / "mixed.csv"
    path.write_text("deck,front,back\none,q1,a1\n,q2,a2\ntwo,q3,a3\n", encoding="utf-8")
    assert main(["--home", str(home), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: column 'deck': empty, but the file names 2 decks" in err
    assert list((home / "decks").iterdir()) == []


@pytest.fixture
def default_field_limit():
    """The csv module's field limit as a fresh process has it (131,072 characters): another test
    may have raised it already, and this one must see what a user's first import sees."""
    was = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(was)


def test_a_cell_over_131072_characters_does_not_fail_the_whole_file(tmp_path, capsys, default_field_limit):
    home = _workspace(tmp_path)
    path = tmp_path / "long.csv"
    path.write_text("front,back\nq1,a1\nq2," + "x" * 140_000 + "\nq3,a3\n", encoding="utf-8")
    assert main(["--home", str(home), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: column 'back': this text is 140,000 characters long" in err
    assert "1 of 3 rows" in err and list((home / "decks").iterdir()) == []
    assert main(["--home", str(home), "import", str(path), "--skip-bad"]) == 0
    assert "2 added" in capsys.readouterr().out
    assert sorted(c.front for c in _cards(home)["long"]) == ["q1", "q3"]


def test_an_unterminated_quote_is_reported_at_the_line_where_it_opened(tmp_path, capsys):
    home = _workspace(tmp_path)
    path = tmp_path / "quote.csv"
    path.write_text('front,back\nq1,a1\nq2,"a2 never closed\nq3,a3\nq4,a4\n', encoding="utf-8")
    assert main(["--home", str(home), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: a quoted cell starting on this line is never closed" in err
    assert "nothing was imported" in err and list((home / "decks").iterdir()) == []


@pytest.mark.parametrize(("name", "body", "said"), [
    ("plain.csv", "front,back\r\n", ":1: no cards in the file: it has its header row but no cards below it"),
    ("tabs.tsv", "front\tback\n", ":1: no cards in the file: it has its header row but no cards below it"),
    ("export.csv", "#separator:Comma\n#html:false\n#columns:guid,notetype,id,deck,kind,front,back\n",
     ":3: no cards in the file: it has its header row but no cards below it"),
    ("anki.txt", "#separator:Tab\n#html:false\n", ":3: no notes in the file: it has its header lines but no notes below it"),
], ids=["csv", "tsv", "our export's header lines", "Anki's header lines"])
def test_a_header_only_file_says_it_has_only_its_header(tmp_path, capsys, name, body, said):
    home = _workspace(tmp_path)
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    assert main(["--home", str(home), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}{said}; nothing was imported" in err and "already holds" not in err
    assert list((home / "decks").iterdir()) == []
