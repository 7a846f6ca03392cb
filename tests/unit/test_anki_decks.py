"""Anki deck names: names without Latin letters keep a deck id of their own, and subdecks are kept
as tags naming the Anki deck each card was in."""

from __future__ import annotations

from pathlib import Path

from quizapp.cli.main import main
from quizapp.decks.loader import load_decks
from quizapp.interop.anki.notes import cards_from_package, default_deck_id
from quizapp.interop.ids import slug
from quizapp.workspace import Workspace

CORPUS = Path(__file__).parents[1] / "data" / "anki"


def test_deck_names_without_latin_letters_keep_distinct_usable_ids(tmp_path, capsys):
    ids = {slug(name) for name in ("日本語", "Русский", "العربية", "日本語::語彙")}
    assert len(ids) == 4 and "imported" not in ids
    (tmp_path / "decks").mkdir()
    ws = Workspace(tmp_path, ((tmp_path / "decks").resolve(),), "test")
    assert main(["--home", str(tmp_path), "import", str(CORPUS / "localized_ja.apkg")]) == 0
    (deck,) = load_decks([ws.decks_dir]).decks
    assert deck.title == "日本語" and deck.id == default_deck_id(cards_from_package(CORPUS / "localized_ja.apkg"))
    assert deck.id != "imported"


def test_subdecks_are_kept_as_tags():
    package = cards_from_package(CORPUS / "decks.apkg")
    tags = {tag for card in package.cards for tag in card.tags}
    assert {"Parent::Child::Grandchild", "Parent::Child", "日本語::語彙", "Русский"} <= tags


def test_our_own_package_of_several_decks_is_not_named_after_its_quizapp_parent(workspace, tmp_path):
    from quizapp.interop.anki.apkg import export_apkg

    decks = load_decks(workspace.deck_dirs).decks
    renamed = tmp_path / "decks2"
    renamed.mkdir()
    text = (workspace.deck_dirs[0] / "small.yaml").read_text(encoding="utf-8")
    (renamed / "other.yaml").write_text(text.replace("id: small", "id: other", 1).replace("id: s-", "id: o-"),
                                        encoding="utf-8")
    decks = decks + load_decks([renamed]).decks
    out = export_apkg(decks, tmp_path / "mine.apkg").path
    package = cards_from_package(out)
    assert package.title == "mine" and default_deck_id(package) == "mine"
