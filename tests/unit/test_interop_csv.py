"""CSV and TSV: a round trip keeps every card, malformed rows are named by file and line, re-imports update."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.decks.loader import load_decks
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.decks import Clock


def fresh_workspace(path: Path) -> Workspace:
    (path / "decks").mkdir(parents=True)
    return Workspace(path, ((path / "decks").resolve(),), "test")


def only_deck(ws: Workspace):
    loaded = load_decks([ws.decks_dir])
    assert loaded.problems == []
    (deck,) = loaded.decks
    return deck


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_every_kind_of_card_survives_a_round_trip(workspace, tmp_path, suffix, capsys):
    originals = {c.id: c for c in load_decks(workspace.deck_dirs).decks[0].cards}
    out = tmp_path / f"small{suffix}"
    assert main(["--home", str(workspace.home), "export", "--deck", "small", "-o", str(out)]) == 0
    assert f"wrote {out}: 7 cards (5 notes, one row each) from 1 decks" in capsys.readouterr().out
    sep = "," if suffix == ".csv" else "\t"
    assert next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("#columns:")).count(
        f"{sep}id{sep}deck{sep}kind{sep}") == 1

    ws = fresh_workspace(tmp_path / "ws")
    assert main(["--home", str(ws.home), "import", str(out)]) == 0
    deck = only_deck(ws)
    assert deck.id == "small"  # from the deck column
    assert {c.id: c for c in deck.cards} == originals


def test_list_cells_keep_separators_and_markup_literally(tmp_path):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "tricky.csv"
    source.write_text(
        "id,kind,question,choices,answer,tags\n"
        'pipes,choice,"Which is the shell pipe, written x[0]?","a \\| b | [bold]b[/] | c","a | b",shell | quoting\n',
        encoding="utf-8",
    )
    assert main(["--home", str(ws.home), "import", str(source)]) == 0
    (card,) = only_deck(ws).cards
    assert card.question == "Which is the shell pipe, written x[0]?"
    assert card.choices == ["a | b", "[bold]b[/]", "c"] and card.answer == "a | b"
    assert card.tags == ["shell", "quoting"]

    again = tmp_path / "again.csv"
    assert main(["--home", str(ws.home), "export", "-o", str(again)]) == 0
    ws2 = fresh_workspace(tmp_path / "ws2")
    assert main(["--home", str(ws2.home), "import", str(again), "--deck-id", "tricky"]) == 0
    assert only_deck(ws2).cards == [card]


BAD = (
    "front,back,kind\n"
    "What is a tensor?,An n-dimensional array,\n"
    "No answer here,,\n"
    "Three,cells,basic,and a fourth\n"
    '"Multi\nline question",fine,\n'
    "Odd kind,x,flashcard\n"
)


def test_malformed_rows_are_named_by_file_line_and_column_and_nothing_comes_in(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "bad.csv"
    source.write_text(BAD, encoding="utf-8")
    assert main(["--home", str(ws.home), "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:3: column 'back': field required" in err
    assert f"{source}:4: 4 cells, but the header row names 3 columns" in err
    # The multi-line row starts on line 5, so the next one is line 7.
    assert f"{source}:7: column 'kind': 'flashcard' is not a card kind" in err
    assert "3 of 5 rows" in err and "nothing was imported" in err and "--skip-bad" in err
    assert "Traceback" not in err
    assert list(ws.decks_dir.iterdir()) == []
    assert not ws.db_path.exists()


def test_skip_bad_brings_in_the_good_rows_and_lists_the_others(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "bad.csv"
    source.write_text(BAD, encoding="utf-8")
    assert main(["--home", str(ws.home), "import", str(source), "--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "deck 'bad': 2 added" in out and "3 of 5 rows had problems and were left out" in out and f"{source}:4:" in out
    fronts = sorted(c.front for c in only_deck(ws).cards)
    assert fronts == ["Multi\nline question", "What is a tensor?"]


def test_a_bad_header_is_refused_before_any_row(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "h.tsv"
    source.write_text("front\tanswr\nq\ta\n", encoding="utf-8")
    assert main(["--home", str(ws.home), "import", str(source), "--skip-bad"]) == 1
    assert f"{source}:1: unknown column 'answr'" in capsys.readouterr().err


def test_rows_from_several_decks_come_in_deck_by_deck_or_into_one_deck_id(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "mixed.csv"
    source.write_text("deck,front,back\na,q1,a1\nb,q2,a2\n", encoding="utf-8")
    assert main(["--home", str(ws.home), "import", str(source)]) == 0
    assert sorted(p.name for p in ws.decks_dir.glob("*.yaml")) == ["a.yaml", "b.yaml"]
    other = fresh_workspace(tmp_path / "other")
    assert main(["--home", str(other.home), "import", str(source), "--deck-id", "both"]) == 0
    assert len(only_deck(other).cards) == 2


def test_a_second_import_updates_rows_without_ids_and_keeps_progress(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "mine.csv"
    source.write_text("front,back\nWhat is dropout?,Zeroing units\nWhat is a GPU?,A graphics processor\n", encoding="utf-8")
    assert main(["--home", str(ws.home), "import", str(source)]) == 0
    first = {c.front: c.id for c in only_deck(ws).cards}
    opened = open_workspace(ws)
    try:
        Study(opened.store, opened.decks, clock=Clock()).answer(first["What is dropout?"], 4)
        before = opened.store.card_row(first["What is dropout?"])
    finally:
        opened.store.close()

    source.write_text(
        "front,back\nWhat is  dropout?,Randomly zeroing units in training\nWhat is a GPU?,A graphics processor\n"
        "What is a TPU?,Google's tensor processor\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--home", str(ws.home), "import", str(source)]) == 0
    assert "1 added, 1 updated, 1 unchanged" in capsys.readouterr().out
    cards = {c.id: c for c in only_deck(ws).cards}
    assert len(cards) == 3
    assert cards[first["What is dropout?"]].back == "Randomly zeroing units in training"
    opened = open_workspace(ws)
    try:
        after = opened.store.card_row(first["What is dropout?"])
    finally:
        opened.store.close()
    assert (after["state"], after["due"], after["reps"]) == (before["state"], before["due"], before["reps"])
    assert len(list(ws.backups_dir.glob("quizapp-*-import-*.db"))) == 1


def test_with_progress_is_refused_for_csv(workspace, tmp_path, capsys):
    assert main(["--home", str(workspace.home), "export", "--with-progress", "-o", str(tmp_path / "x.csv")]) == 1
    assert "--with-progress is for Anki packages only" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_terminal_control_characters_in_a_bad_row_are_shown_as_symbols(tmp_path, capsys):
    ws = fresh_workspace(tmp_path / "ws")
    source = tmp_path / "esc.csv"
    source.write_text("front,back,kind\nq,a,\x1b]52;c;aGk=\x07evil\n", encoding="utf-8")
    assert main(["--home", str(ws.home), "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "'␛]52;c;aGk=␇evil' is not a card kind" in err
