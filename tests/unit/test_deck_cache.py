"""Parsed deck files are cached between starts; an edited file is always read again."""

from __future__ import annotations

import os
from pathlib import Path

from quizapp.decks.cache import DeckCache
from quizapp.decks.loader import load_decks
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck


def fronts(decks) -> list[str]:
    return [c.front for d in decks.decks for c in d.cards if c.kind == "basic"]


def test_unchanged_decks_load_from_the_cache_the_same(tmp_path: Path):
    folder = tmp_path / "decks"
    write_deck(folder, "small.yaml", SMALL_DECK)
    first_cache = DeckCache(tmp_path / "cache")
    first = load_decks([folder], cache=first_cache)
    again_cache = DeckCache(tmp_path / "cache")
    again = load_decks([folder], cache=again_cache)
    assert (first_cache.written, again_cache.written) == (1, 0)
    assert [(d.id, d.title, d.cards, d.lines) for d in again.decks] == [(d.id, d.title, d.cards, d.lines) for d in first.decks]
    assert list(again.item_map()) == [i.id for i in first.items()]


def test_a_typo_fixed_in_the_same_second_with_the_same_length_is_seen(tmp_path: Path):
    folder = tmp_path / "decks"
    path = write_deck(folder, "small.yaml", SMALL_DECK)
    stamp = path.stat()
    assert "TorchDynamo" in fronts(load_decks([folder], cache=DeckCache(tmp_path / "cache")))
    path.write_text(path.read_text().replace("front: TorchDynamo", "front: TorchDynama"))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same size and time as before
    assert "TorchDynama" in fronts(load_decks([folder], cache=DeckCache(tmp_path / "cache")))


def test_problems_are_reported_again_when_the_file_comes_from_the_cache(tmp_path: Path):
    folder = tmp_path / "decks"
    write_deck(folder, "bad.yaml", "id: bad\ntitle: Bad\ncards:\n  - id: x\n    front: q\n    source: s\n")
    for _ in range(2):
        decks = load_decks([folder], base=tmp_path, cache=DeckCache(tmp_path / "cache"))
        assert decks.problems == ["decks/bad.yaml:4:5 cards[0].back: field required"]


def test_a_damaged_or_unwritable_cache_only_costs_a_parse(tmp_path: Path):
    folder = tmp_path / "decks"
    write_deck(folder, "small.yaml", SMALL_DECK)
    cache = tmp_path / "cache"
    load_decks([folder], cache=DeckCache(cache))
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"\x80\x05garbage")
    assert "TorchDynamo" in fronts(load_decks([folder], cache=DeckCache(cache)))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    assert "TorchDynamo" in fronts(load_decks([folder], cache=DeckCache(blocked)))


def test_opening_a_workspace_caches_outside_it(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(tmp_path / "cache"))
    home = tmp_path / "home"
    write_deck(home / "decks", "small.yaml", SMALL_DECK)
    workspace = Workspace(home, (home / "decks",), "test")
    for _ in range(2):
        opened = open_workspace(workspace)
        assert opened.study().items["s-reverse::reverse"].variant == "reverse"
        opened.store.close()
    assert len([p for p in (tmp_path / "cache").glob("*.pickle") if not p.name.startswith("folders-")]) == 1
    assert sorted(p.name for p in (home).iterdir()) == ["decks", "progress"]


def test_every_item_is_found_by_id_without_listing_them_all(workspace):
    decks = load_decks(workspace.deck_dirs)
    items = decks.item_map()
    assert items["s-cloze::c2"].cloze_number == 2
    assert items.get("s-reverse::reverse").variant == "reverse"
    assert "s-basic::reverse" not in items and "s-cloze::c3" not in items and "missing" not in items
    assert list(items) == [i.id for i in decks.items()]
    assert len(items) == len(decks.items())


def test_items_are_found_whatever_deck_the_database_names(tmp_path: Path):
    folder = tmp_path / "decks"
    write_deck(folder, "small.yaml", SMALL_DECK)
    write_deck(folder, "other.yaml", "id: other\ntitle: Other\ncards:\n  - {id: o1, front: q, back: a, source: s}\n")
    decks = load_decks([folder])
    for hint in ("other", "small", "gone", None):
        items = decks.item_map(deck_of=lambda card_id: hint)
        assert items["o1"].deck_id == "other"
        assert items["s-cloze::c2"].deck_id == "small"
        assert "o2" not in items


def test_cards_of_a_cached_deck_are_read_only_when_used(tmp_path: Path):
    folder = tmp_path / "decks"
    write_deck(folder, "small.yaml", SMALL_DECK)
    first = load_decks([folder], cache=DeckCache(tmp_path / "cache"))
    again = load_decks([folder], cache=DeckCache(tmp_path / "cache"))
    deck = again.decks[0]
    assert not deck.loaded
    assert deck.item_keys() == [(i.id, i.kind) for i in first.decks[0].items()]
    assert deck.card_ids() == [c.id for c in first.decks[0].cards]
    assert not deck.loaded
    assert deck.cards == first.decks[0].cards and deck.loaded


def test_a_touched_but_unchanged_file_is_not_parsed_again(tmp_path: Path):
    folder = tmp_path / "decks"
    path = write_deck(folder, "small.yaml", SMALL_DECK)
    load_decks([folder], cache=DeckCache(tmp_path / "cache"))
    path.touch()
    cache = DeckCache(tmp_path / "cache")
    assert "TorchDynamo" in fronts(load_decks([folder], cache=cache))
    assert cache.written == 0


def test_an_edit_that_keeps_size_and_modification_time_is_seen_days_later(tmp_path: Path):
    folder = tmp_path / "decks"
    path = write_deck(folder, "small.yaml", SMALL_DECK)
    old = path.stat()
    os.utime(path, ns=(old.st_atime_ns - 10**13, old.st_mtime_ns - 10**13))  # written long ago
    stamp = path.stat()
    load_decks([folder], cache=DeckCache(tmp_path / "cache"))
    load_decks([folder], cache=DeckCache(tmp_path / "cache"))  # trusted by its times from now on
    path.write_text(path.read_text().replace("front: TorchDynamo", "front: TorchDynama"))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert "TorchDynama" in fronts(load_decks([folder], cache=DeckCache(tmp_path / "cache")))


def test_opening_again_with_the_same_decks_skips_the_sync_and_an_edit_does_not(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(tmp_path / "cache"))
    home = tmp_path / "home"
    path = write_deck(home / "decks", "small.yaml", SMALL_DECK)
    workspace = Workspace(home, (home / "decks",), "test")
    opened = open_workspace(workspace)
    assert opened.sync["added"] > 0
    opened.store.close()
    opened = open_workspace(workspace)
    assert opened.sync == {"added": 0, "changed": 0, "orphaned": 0}
    assert not any(d.loaded for d in opened.decks.decks)
    assert opened.study().next_item() is not None
    opened.store.close()
    path.write_text(path.read_text().replace("cards:\n", "cards:\n  - {id: s-new, front: q, back: a, source: s}\n", 1))
    opened = open_workspace(workspace)
    assert opened.sync["added"] == 1
    assert opened.store.scalar("SELECT count(*) FROM cards WHERE id = 's-new'") == 1
    # A database whose cards no longer match (another copy restored, rows removed) is synced again.
    with opened.store.write() as c:
        c.execute("DELETE FROM cards WHERE id = 's-new'")
    opened.store.close()
    opened = open_workspace(workspace)
    assert opened.sync["added"] == 1
    opened.store.close()


def test_ids_used_twice_across_several_files_name_the_first_file(tmp_path: Path):
    folder = tmp_path / "decks"
    card = "  - {{id: {}, front: q, back: a, source: s}}\n"
    write_deck(folder, "a.yaml", "id: a\ntitle: A\ncards:\n" + card.format("x"))
    write_deck(folder, "b.yaml", "id: b\ntitle: B\ncards:\n" + card.format("y") + card.format("x"))
    write_deck(folder, "c.yaml", "id: c\ntitle: C\ncards:\n" + card.format("z") + card.format("y"))
    for _ in range(2):  # parsed, then from the cache
        decks = load_decks([folder], base=tmp_path, cache=DeckCache(tmp_path / "cache"))
        assert [(d.id, d.card_ids()) for d in decks.decks] == [("a", ["x"]), ("b", ["y"]), ("c", ["z"])]
        assert decks.problems == [
            "decks/b.yaml:5:10 id: card id 'x' is already used in decks/a.yaml; this card is left out",
            "decks/c.yaml:5:10 id: card id 'y' is already used in decks/b.yaml; this card is left out",
        ]


def test_a_start_from_the_cache_imports_no_parser_validator_or_migrator(tmp_path: Path):
    import subprocess
    import sys

    home = tmp_path / "home"
    write_deck(home / "decks", "small.yaml", SMALL_DECK)
    code = (
        "import sys; from pathlib import Path; from quizapp.session import open_workspace; "
        "from quizapp.workspace import Workspace; home = Path(sys.argv[1]); "
        "opened = open_workspace(Workspace(home, (home / 'decks',), 'test')); "
        "item = opened.study().next_item(); print(item.front_spans()[0][0]); "
        "print(sorted(m for m in ('pydantic', 'yaml', 'sqlite_utils') if m in sys.modules))"
    )
    env = {**os.environ, "QUIZAPP_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True, env=env)
    again = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split("\n")[1] == "['pydantic', 'sqlite_utils', 'yaml']"  # parsed, schema created
    assert again.stdout.split("\n") == [first.stdout.split("\n")[0], "[]", ""]
