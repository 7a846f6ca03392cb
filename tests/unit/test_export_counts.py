"""Export counts a deck's cards as home, `decks`, the dashboard and `check` do (each side, cloze
deletion and interview prompt is one card), and says how many notes (file rows) that made."""

import pytest

from quizapp.cli.main import main


def cards_in_check(workspace, capsys) -> str:
    assert main(["check", str(workspace.home / "decks")]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    return line.split(", ")[1]  # "7 cards (5 written in the files)"


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".apkg"])
def test_export_reports_the_same_card_count_as_check(workspace, tmp_path, suffix, capsys):
    counted = cards_in_check(workspace, capsys)
    assert counted.startswith("7 cards")
    out = tmp_path / f"small{suffix}"
    assert main(["--home", str(workspace.home), "export", "--deck", "small", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"wrote {out}: 7 cards (5 notes" in said
    assert "from 1 decks" in said
