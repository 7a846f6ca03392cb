"""``quizapp stats [--json]``, ``quizapp plan`` and ``quizapp optimize`` as a user runs them."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from quizapp.cli.main import main
from quizapp.db.records import utcnow
from quizapp.db.store import Store
from quizapp.scheduling.scheduler import load_settings
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck
from tests.support.history import add_attempt, generate_history, write_generated_decks

MARKUP_DECK = """
id: tricky
title: "[bold red]Tricky[/] deck"
cards:
  - {id: t1, front: "[link=x]q[/link]", back: a, source: s.txt, tags: ["[b]topic[/b]"]}
"""


@pytest.fixture
def home(tmp_path):
    """A workspace (its generated decks beside the bundled ones) with a year of history ending now."""
    write_generated_decks(tmp_path / "decks", {"gen-a": 80, "gen-b": 40}, interview=1)
    opened = open_workspace(Workspace.resolve(tmp_path))
    ids = [r["id"] for r in opened.store.query("SELECT id FROM cards WHERE kind = 'basic' AND deck_id LIKE 'gen-%' ORDER BY id")]
    generate_history(opened.store, ids[:100], end=utcnow() - timedelta(minutes=5), days=365)
    add_attempt(opened.store, "gen-a-prompt-0", utcnow() - timedelta(days=2), {"data": 0.5, "model": 1.0, "serving": 0.0})
    opened.store.close()
    return tmp_path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_stats_json_holds_every_figure_and_agrees_with_the_database(home, capsys):
    code, out, _ = run(capsys, "--home", str(home), "stats", "--json")
    assert code == 0
    report = json.loads(out)
    store = Store.open(home / "progress" / "quizapp.db")
    try:
        review_answers = store.scalar("SELECT COUNT(*) FROM review_log WHERE state_before = 2 AND mode = 'review'")
        kept = store.scalar("SELECT COUNT(*) FROM review_log WHERE state_before = 2 AND mode = 'review' AND rating > 1")
        last_year = store.scalar("SELECT COUNT(*) FROM review_log WHERE reviewed_at >= ?",
                                 [(utcnow() - timedelta(days=360)).isoformat()])
    finally:
        store.close()
    assert set(report) >= {"today", "heatmap", "retention", "decks", "retention_weeks", "forecast", "topics",
                           "stage_map", "weakest", "interviews", "interview_stages", "plan"}
    assert report["retention"]["answers"] == review_answers
    assert report["retention"]["true_retention"] == pytest.approx(kept / review_answers)
    decks = {d["key"]: d for d in report["decks"]}
    assert decks["gen-a"]["studied"] + decks["gen-b"]["studied"] == 100
    assert decks["gen-a"]["answers"] + decks["gen-b"]["answers"] == review_answers
    assert len(report["heatmap"]) == 365 and len(report["forecast"]) == 30
    assert sum(d["reviews"] for d in report["heatmap"]) >= last_year
    assert report["interviews"][0]["stages"] == {"data": 0.5, "model": 1.0, "serving": 0.0}
    assert report["plan"] is None
    assert report["today"]["longest_streak"] >= 1


def test_stats_schema_documents_the_json_fields(capsys):
    code, out, _ = run(capsys, "stats", "--schema")
    schema = json.loads(out)
    assert code == 0
    today = schema["$defs"]["Today"]["properties"]
    assert today["streak"]["description"].startswith("Study days in a row")
    assert "true_retention" in schema["$defs"]["Retention"]["properties"]


def test_stats_tables_show_deck_text_literally(tmp_path, capsys):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    write_deck(tmp_path / "decks", "tricky.yaml", MARKUP_DECK)
    code, out, _ = run(capsys, "--home", str(tmp_path), "stats", "--top", "500")
    assert code == 0
    assert "[bold red]Tricky[/] deck" in out
    assert "[b]topic[/b]" in out
    assert "True retention" in out and "Streak" in out


def test_plan_is_set_shown_and_cleared_from_the_command_line(home, capsys):
    day = (date.today() + timedelta(days=30)).isoformat()
    code, out, _ = run(capsys, "--home", str(home), "plan", "--date", day, "--target", "0.85")
    assert code == 0
    assert f"Interview {day}" in out and "target recall 85%" in out
    assert "answers a day" in out and "Predicted recall on the interview day, per deck" in out
    code, out, _ = run(capsys, "--home", str(home), "plan", "--json")
    assert json.loads(out)["target"] == 0.85 and json.loads(out)["days_left"] in (29, 30, 31)
    code, out, _ = run(capsys, "--home", str(home), "stats", "--json")
    assert json.loads(out)["plan"]["day"] == day
    code, out, _ = run(capsys, "--home", str(home), "plan", "--clear")
    assert "removed" in out
    code, out, _ = run(capsys, "--home", str(home), "plan")
    assert "No interview date is set" in out


def test_a_bad_plan_date_is_a_message_not_a_traceback(home, capsys):
    code, out, err = run(capsys, "--home", str(home), "plan", "--date", "next friday")
    assert code == 1
    assert "quizapp: the interview date must be written YYYY-MM-DD" in err and "Traceback" not in err


def test_optimize_fits_the_log_and_says_what_it_did(home, capsys):
    code, out, err = run(capsys, "--home", str(home), "optimize")
    assert code == 0, err
    assert "log loss" in out and "before (FSRS defaults)" in out and "fitted" in out
    store = Store.open(home / "progress" / "quizapp.db")
    try:
        saved = load_settings(store).parameters
    finally:
        store.close()
    assert ("saved" in out) == (saved is not None)


def test_optimize_with_too_little_history_says_how_much_more_is_needed(tmp_path, capsys):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    code, out, err = run(capsys, "--home", str(tmp_path), "optimize")
    assert code == 1
    assert "not enough reviews" in err and "About 400 more" in err and "Traceback" not in err
