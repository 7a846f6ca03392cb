"""`quizapp stats` written to a pipe or a file: whole column headers, not ones cut to four letters."""

from __future__ import annotations

from datetime import timedelta

from quizapp.cli.main import main
from quizapp.db.records import utcnow
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.history import generate_history, write_generated_decks


def test_piped_stats_show_every_column_header_whole(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    write_generated_decks(tmp_path / "decks", {"gen-a": 30}, interview=1)
    opened = open_workspace(Workspace.resolve(tmp_path))
    ids = [r["id"] for r in opened.store.query("SELECT id FROM cards WHERE deck_id = 'gen-a' AND kind = 'basic'")]
    generate_history(opened.store, ids, end=utcnow() - timedelta(minutes=5), days=60)
    opened.store.close()
    assert main(["--home", str(tmp_path), "stats"]) == 0  # capsys: stdout is not a terminal
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "deck" in line and "cards" in line)
    for name in ("studied", "recall now", "reviews", "retention", "FSRS"):
        assert name in header, header
    assert "…" not in "".join(line for line in out.splitlines() if line.startswith("┃"))
    assert max(len(line) for line in out.splitlines()) <= 160
