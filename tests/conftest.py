"""Shared fixtures: a small deck folder, a workspace around it, a store and a study session with a fixed clock."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from quizapp.db.store import Store
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.anki import collection  # noqa: F401 (a fixture the Anki tests share)
from tests.support.decks import DATED_DECK, SMALL_DECK, Clock, write_deck

TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder (unit, tui, system); every system test is also slow."""
    for item in items:
        folder = Path(item.path).relative_to(TESTS).parts[0] if Path(item.path).is_relative_to(TESTS) else ""
        if folder in ("unit", "tui", "system"):
            item.add_marker(folder)
        if folder == "system":
            item.add_marker("slow")


@pytest.fixture(autouse=True, scope="session")
def _deck_cache_in_a_temporary_folder(tmp_path_factory):
    """Tests never write into the user's own cache folder."""
    import os

    old = os.environ.get("QUIZAPP_CACHE_DIR")
    os.environ["QUIZAPP_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("QUIZAPP_CACHE_DIR", None)
    else:
        os.environ["QUIZAPP_CACHE_DIR"] = old


@pytest.fixture(autouse=True)
def _nothing_frozen_after_a_test():
    """The TUI freezes the objects it holds soon after it starts (``QuizApp.keep_cards``); a test's
    objects must not outlive the test because of it."""
    yield
    gc.unfreeze()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A workspace holding only the small deck (no bundled decks)."""
    decks = tmp_path / "decks"
    write_deck(decks, "small.yaml", SMALL_DECK)
    return Workspace(tmp_path, (decks,), "test")


@pytest.fixture
def opened(workspace):
    o = open_workspace(workspace)
    yield o
    o.store.close()


@pytest.fixture
def study(opened, clock):
    return opened.study(clock)


@pytest.fixture
def fresh_store():
    store = Store.open(None)
    yield store
    store.close()


@pytest.fixture
def quiz_ws(tmp_path):
    """A workspace holding the small deck and a deck of dated cards (the quiz's questions)."""
    decks = tmp_path / "decks"
    write_deck(decks, "small.yaml", SMALL_DECK)
    write_deck(decks, "dated.yaml", DATED_DECK)
    return Workspace(tmp_path, (decks,), "test")


@pytest.fixture
def quiz_opened(quiz_ws):
    opened = open_workspace(quiz_ws)
    yield opened
    opened.store.close()
