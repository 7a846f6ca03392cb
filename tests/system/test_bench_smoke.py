"""The benchmark generator writes the same collection into both engines (run at a tiny size)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("anki.collection", reason="the benchmarks compare against Anki: pip install '.[bench]'")

from anki.collection import Collection  # noqa: E402

from bench.generate import generate  # noqa: E402
from quizapp.session import open_workspace  # noqa: E402


def test_both_engines_hold_the_same_cards_history_and_queue(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(tmp_path / "cache"))
    generated = generate("60x500", root=tmp_path, log=lambda message: None)
    opened = open_workspace(generated.workspace())
    try:
        assert opened.sync == {"added": 0, "changed": 0, "orphaned": 0}
        ours_cards = opened.store.scalar("SELECT COUNT(*) FROM cards")
        ours_reviews = opened.store.log_count()
        ours_queue = opened.study().remaining()
        studied = opened.store.scalar("SELECT COUNT(*) FROM cards WHERE state != 0")
    finally:
        opened.store.close()
    assert (ours_cards, generated.cards) == (60, 60)
    assert 450 <= ours_reviews == generated.reviews
    assert 0 < studied < 60  # some cards studied, some still new

    col = Collection(str(generated.anki))
    try:
        assert col.get_config("fsrs") is True
        assert col.card_count() == ours_cards
        assert col.db.scalar("SELECT COUNT(*) FROM revlog") == ours_reviews
        assert col.db.scalar("SELECT COUNT(*) FROM cards WHERE type != 0") == studied
        queued = col.sched.get_queued_cards()
        assert (queued.new_count, queued.learning_count, queued.review_count) == ours_queue
        assert queued.cards, "Anki offers a card to study"
    finally:
        col.close()

    again = generate("60x500", root=tmp_path, log=lambda message: None)
    assert again == generated  # made once, then reused


def test_the_csv_import_bench_runs_all_three_on_the_same_rows(tmp_path: Path, monkeypatch, capsys):
    import bench.csv_import as csv_bench

    monkeypatch.setattr(csv_bench, "DATA", tmp_path)
    assert csv_bench.main(["--rows", "200", "--runs", "1", "--decks", "2"]) == 0  # Anki's import checks its count
    table = capsys.readouterr().out
    assert "import of a 200-row CSV of 2 decks" in table and "peak memory (RSS)" in table
