"""CSV/TSV files a spreadsheet opens safely, and hostile CSV files refused row by row, not with a traceback."""

from __future__ import annotations

import csv
import json

import pytest

from quizapp.decks.loader import load_decks
from quizapp.interop.csvio import export_csv, read_csv
from tests.support.decks import write_deck

FRONTS = ["=HYPERLINK(\"http://x\")", "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcr", "'=quoted already", "'plain", "ok"]


@pytest.mark.parametrize("suffix", ["csv", "tsv"])
def test_exported_cells_never_start_a_formula_and_import_gives_them_back(tmp_path, suffix):
    cards = "\n".join(
        f"  - {{id: f{n}, front: {json.dumps(front)}, back: {json.dumps(front)}, source: s.txt}}" for n, front in enumerate(FRONTS)
    )
    write_deck(tmp_path / "decks", "f.yaml", f"id: f\ntitle: F\ncards:\n{cards}\n")
    decks = load_decks([tmp_path / "decks"])
    assert not decks.problems
    out = tmp_path / f"out.{suffix}"
    export_csv(decks.decks, out)
    with open(out, newline="", encoding="utf-8") as fh:
        cells = [cell for row in csv.reader(fh, delimiter="\t" if suffix == "tsv" else ",") for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    back = read_csv(out)
    assert not back.problems
    assert [c.front for c in back.cards] == FRONTS


def test_a_rubric_nested_60000_deep_is_a_message_on_its_row(tmp_path):
    path = tmp_path / "deep.csv"
    deep = "[" * 60000 + "]" * 60000
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "kind", "prompt", "rubric", "source"])
        writer.writerow(["p1", "interview", "Why?", deep, "s"])
        writer.writerow(["b1", "basic", "", "", "s"])
    result = read_csv(path)
    assert any("deep.csv:2: column 'rubric': nested too deeply" in p for p in result.problems)
