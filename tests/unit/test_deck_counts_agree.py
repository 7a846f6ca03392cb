"""One count of a deck's cards on every screen, interview prompts included; learned means graduated."""

from __future__ import annotations

from quizapp.cli.main import main
from quizapp.stats.queries import Stats


def test_a_decks_card_count_is_the_same_in_decks_check_and_the_dashboard(study, workspace, capsys):
    study.suspend("s-basic")
    home = study.deck_counts()[0]
    report = Stats(study.store, study.decks, clock=study.clock).report(with_plan=False)
    assert home.total == report.decks[0].cards == 7  # 6 sides and deletions and the interview prompt
    assert main(["check", str(workspace.home / "decks")]) == 0
    assert "1 decks, 7 cards" in capsys.readouterr().out
    assert main(["--home", str(workspace.home), "decks"]) == 0
    row = next(line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("small "))
    assert row[:6] == ["small", "3", "0", "0", "0", "7"]


def test_learned_counts_graduated_cards_not_learning_ones(study):
    study.answer("s-basic", 3)  # into learning
    study.answer("s-choice", 4)  # straight to review
    assert study.deck_counts()[0].learned == 1
