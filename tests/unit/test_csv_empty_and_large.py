"""CSV files that bring no cards say what happened; a large file imports in bounded time and memory."""

from __future__ import annotations

import pytest

from quizapp.cli.main import main


@pytest.mark.parametrize(("body", "said"), [
    ("front,back\n" + ",\n" * 1_000_000, "no cards in the file: 1,000,000 rows were empty"),
    ("front,back\n", "no cards in the file: it has its header row but no cards below it"),
    ("front,back\n \t, \n", "no cards in the file: 1 row was empty"),
], ids=["a million empty rows", "header only", "one blank row"])
def test_a_file_without_cards_says_what_happened(tmp_path, capsys, body, said):
    path = tmp_path / "cards.csv"
    path.write_text(body)
    (tmp_path / "decks").mkdir()
    assert main(["--home", str(tmp_path), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert said in err and str(path) in err and "nothing was imported" in err
    assert list((tmp_path / "decks").iterdir()) == []
