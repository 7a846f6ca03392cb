"""`quizapp new-deck NAME`: a commented starter deck with every card kind that checks clean and can be studied."""

from __future__ import annotations

from quizapp.cli.main import main
from quizapp.decks.loader import load_decks
from quizapp.decks.models import KINDS
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck


def test_a_new_deck_shows_every_kind_once_and_passes_check(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "new-deck", "Transformers"]) == 0
    path = tmp_path / "decks" / "transformers.yaml"
    assert f"wrote {path}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  # ") >= len(KINDS)  # a comment above each example card

    assert main(["--home", str(tmp_path), "check", str(path)]) == 0
    assert "1 decks, 6 cards (5 written in the files), 0 problems" in capsys.readouterr().out
    # The whole workspace, bundled decks included, still checks clean: the new ids clash with none.
    assert main(["--home", str(tmp_path), "check"]) == 0

    (deck,) = load_decks([tmp_path / "decks"]).decks
    assert (deck.id, deck.title) == ("transformers", "Transformers")
    assert sorted(card.kind for card in deck.cards) == sorted(KINDS)


def test_the_new_deck_can_be_studied_at_once(tmp_path):
    assert main(["--home", str(tmp_path), "new-deck", "Transformers"]) == 0
    opened = open_workspace(Workspace.resolve(tmp_path))
    try:
        states = [r["state"] for r in opened.store.query("SELECT state FROM cards WHERE deck_id = 'transformers'")]
        first = opened.study().next_item("transformers")
    finally:
        opened.store.close()
    assert states == [0] * 6  # five cards; the cloze has two deletions
    assert first is not None and first.deck_id == "transformers"


def test_a_name_with_markup_and_symbols_keeps_its_title_and_gets_a_plain_id(tmp_path):
    name = 'C++ & CUDA: "kernels" [bold]fast[/]'
    assert main(["--home", str(tmp_path), "new-deck", name]) == 0
    (deck,) = load_decks([tmp_path / "decks"]).decks
    assert deck.id == "c-cuda-kernels-bold-fast"
    assert deck.title == name
    assert deck.path.name == "c-cuda-kernels-bold-fast.yaml"


def test_an_existing_deck_is_never_overwritten(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "new-deck", "Mine"]) == 0
    path = tmp_path / "decks" / "mine.yaml"
    path.write_text(path.read_text() + "# my edits\n")
    assert main(["--home", str(tmp_path), "new-deck", "Mine"]) == 1
    assert "already exists; it was left untouched" in capsys.readouterr().err
    assert path.read_text().endswith("# my edits\n")


def test_a_deck_id_another_deck_uses_is_refused(tmp_path, capsys):
    write_deck(tmp_path / "decks", "other-file.yaml", SMALL_DECK)
    assert main(["--home", str(tmp_path), "new-deck", "Small"]) == 1
    assert "the deck id 'small' is already used by" in capsys.readouterr().err
    assert not (tmp_path / "decks" / "small.yaml").exists()
    assert main(["--home", str(tmp_path), "new-deck", "Small", "--id", "my-small"]) == 0
    assert main(["--home", str(tmp_path), "check"]) == 0
