"""Soon after the TUI starts, every deck's cards are read and frozen: Python's full garbage collection
holds the event loop while it walks the objects it tracks, and at 100k cards walking the cards
stalled the screens for 0.5-1.5 s (bench/README.md, "Event-loop stalls")."""

from __future__ import annotations

import gc

import quizapp.tui.app as app_module
from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp


def tracked(obj: object) -> bool:
    """Whether the collector walks ``obj`` (frozen objects are in no generation it collects)."""
    return any(o is obj for o in gc.get_objects())


async def test_soon_after_start_the_cards_are_read_and_the_collector_no_longer_walks_them(quiz_ws, monkeypatch):
    open_workspace(quiz_ws).store.close()  # the deck cache holds the cards now: a start reads them on use
    opened = open_workspace(quiz_ws)
    monkeypatch.setattr(app_module, "KEEP_CARDS_DELAY", 0.05)
    try:
        assert not any(deck.loaded for deck in opened.decks.decks)
        app = QuizApp(opened)
        async with app.run_test() as pilot:
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            assert all(deck.loaded for deck in opened.decks.decks)
            assert not any(tracked(card) for deck in opened.decks.decks for card in deck.cards)
    finally:
        opened.store.close()


async def test_cards_read_again_after_a_deck_edit_are_kept_too(quiz_ws, monkeypatch):
    opened = open_workspace(quiz_ws)
    monkeypatch.setattr(app_module, "KEEP_CARDS_DELAY", 0.05)
    try:
        app = QuizApp(opened)
        async with app.run_test() as pilot:
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            app.reload_decks()
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            assert not any(tracked(card) for deck in app.opened.decks.decks for card in deck.cards)
    finally:
        opened.store.close()
