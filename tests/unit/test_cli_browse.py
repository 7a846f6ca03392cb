"""``quizapp search`` and ``quizapp card``: the card browser on the command line."""

import json

from quizapp.cli.main import main
from tests.support.decks import SMALL_DECK, write_deck


def test_search_prints_a_table_and_json(tmp_path, capsys):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    assert main(["--home", str(tmp_path), "search", "deck:small", "tag:compiler"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["card", "deck", "state", "due"]
    assert "s-reverse::reverse" in out and "2 cards" in out
    assert main(["--home", str(tmp_path), "search", "--json", "deck:small", "-is:new"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--home", str(tmp_path), "search", "--json", "deck:small", "Torch7"]) == 0
    cards = json.loads(capsys.readouterr().out)
    # Each deletion is a card; a choice card's question holds its choices.
    assert [c["id"] for c in cards] == ["s-cloze", "s-cloze::c2", "s-choice"]
    assert cards[0]["state"] == "new" and cards[0]["deck"] == "small"


def test_a_bad_search_or_unknown_card_is_a_one_line_message(tmp_path, capsys):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    assert main(["--home", str(tmp_path), "search", "is:soon"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("quizapp: unknown search 'is:soon'") and err.count("\n") == 1
    assert main(["--home", str(tmp_path), "card", "nope"]) == 1
    assert "no card with id 'nope'" in capsys.readouterr().err


def test_card_shows_details_and_history(tmp_path, capsys):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace

    opened = open_workspace(Workspace.resolve(tmp_path))
    opened.study().answer("s-choice", 3, 2000)
    opened.store.close()
    assert main(["--home", str(tmp_path), "card", "s-choice"]) == 0
    out = capsys.readouterr().out
    assert "question:    Which came first?" in out
    assert "state:       learning" in out
    assert "review     Good" in out
    assert main(["--home", str(tmp_path), "card", "--json", "s-choice"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [h["rating"] for h in data["history"]] == ["Good"] and data["answer"] == "Torch"
