"""The card browser's core, as ``quizapp search`` and the browser screen use it: queries, card
actions, forget kept in the log (doctor and merge agree), and editing a deck file."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.db.store import Store
from quizapp.interop.editdeck import deck_file_for_editing, editor_command
from quizapp.repair.doctor import examine
from quizapp.repair.merge import merge_stores
from quizapp.session import open_workspace, reload_decks
from quizapp.study import cards as card_actions
from quizapp.study.search import SORT_COLUMNS, CardIndex, SearchError, card_rows, context, parse_query, search
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck

EXTRA_DECK = """
id: extra
title: Extra deck
cards:
  - id: x-leech
    front: A card that keeps being forgotten
    back: NCCL all-reduce
    source: notes.md
    tags: [leech, distributed::nccl]
  - id: x-plain
    front: What is a data loader for?
    back: Feeding batches
    source: notes.md
    tags: [data]
"""


@pytest.fixture
def two_decks(workspace):
    write_deck(workspace.deck_dirs[0], "extra.yaml", EXTRA_DECK)
    o = open_workspace(workspace)
    yield o
    o.store.close()


def found(opened, study, query: str) -> list[str]:
    return [c.id for c in search(opened.store, opened.decks, study.scheduler, query, study.now())]


@pytest.fixture
def answered(two_decks, clock):
    """s-basic in review, s-choice learning (Again), x-plain suspended, s-cloze buried today."""
    study = two_decks.study(clock)
    study.answer("s-basic", 4, 1000)
    study.answer("s-choice", 1, 1000)
    two_decks.store.set_flags("x-plain", suspended=True)
    card_actions.set_buried(two_decks.store, "s-cloze", study.today())
    return study


def test_free_text_finds_question_and_answer_text_case_insensitively(two_decks, answered):
    assert found(two_decks, answered, "tORCHdynamo") == ["s-reverse", "s-reverse::reverse"]
    assert found(two_decks, answered, "nccl") == ["x-leech"]  # in the answer only
    assert found(two_decks, answered, '"data loader"') == ["x-plain"]


def test_deck_and_tag_searches_take_wildcards_and_child_tags(two_decks, answered):
    assert set(found(two_decks, answered, "deck:extra")) == {"x-leech", "x-plain"}
    assert set(found(two_decks, answered, "deck:ex*")) == {"x-leech", "x-plain"}
    assert found(two_decks, answered, "tag:distributed") == ["x-leech", "s-interview"]  # x-leech: distributed::nccl
    assert found(two_decks, answered, "tag:comp*") == ["s-reverse", "s-reverse::reverse"]


def test_state_searches(two_decks, answered):
    assert found(two_decks, answered, "is:review") == ["s-basic"]
    assert found(two_decks, answered, "is:learn") == ["s-choice"]
    assert found(two_decks, answered, "is:due") == ["s-choice"]  # learning, due in minutes
    assert found(two_decks, answered, "is:suspended") == ["x-plain"]
    assert found(two_decks, answered, "is:buried") == ["s-cloze"]
    assert found(two_decks, answered, "is:leech") == ["x-leech"]
    assert "s-basic" not in found(two_decks, answered, "is:new")
    answered.clock.advance(days=30)
    assert "s-basic" in found(two_decks, answered, "is:due")
    assert found(two_decks, answered, "is:buried") == []  # buried for one study day only


def test_words_combine_with_and_and_minus_negates(two_decks, answered):
    assert found(two_decks, answered, "deck:extra -is:suspended") == ["x-leech"]
    assert found(two_decks, answered, "is:new deck:small -tag:compiler") == ["s-cloze", "s-cloze::c2", "s-interview"]
    assert found(two_decks, answered, "-deck:small -deck:extra") == []


def test_a_leech_flag_in_the_database_is_found_too(two_decks, answered):
    two_decks.store.conn.execute("UPDATE cards SET leech = 1 WHERE id = 's-basic'")
    assert found(two_decks, answered, "is:leech") == ["x-leech", "s-basic"]


def test_bad_queries_say_what_is_wrong(two_decks, answered):
    with pytest.raises(SearchError, match="unknown search 'is:dued'.*is:due"):
        found(two_decks, answered, "is:dued")
    with pytest.raises(SearchError, match="cannot read the search"):
        found(two_decks, answered, '"unclosed')


def test_rows_carry_the_figures_the_table_shows(two_decks, answered):
    row = search(two_decks.store, two_decks.decks, answered.scheduler, "s-basic", answered.now())[0]
    assert row.state_name == "review" and row.lapses == 0
    assert row.interval_days and row.interval_days >= 1
    assert row.stability and row.difficulty and 0.99 < row.recall <= 1.0
    assert "What does [bold]x[0][/] print?" == row.question  # literal text, markup and all


def test_suspend_unsuspend_bury_unbury(two_decks, answered):
    store = two_decks.store
    card_actions.set_suspended(store, "s-basic", True)
    assert found(two_decks, answered, "is:suspended") == ["x-plain", "s-basic"]
    card_actions.set_suspended(store, "s-basic", False)
    card_actions.set_buried(store, "s-cloze", None)
    assert found(two_decks, answered, "is:suspended") == ["x-plain"]
    assert found(two_decks, answered, "is:buried") == []
    with pytest.raises(card_actions.NoSuchCard, match="no card with id 'nope'"):
        card_actions.set_suspended(store, "nope", True)


def test_forget_puts_the_card_back_to_new_and_keeps_its_history(two_decks, answered):
    store = two_decks.store
    answered.clock.advance(minutes=5)
    card_actions.forget(store, "s-basic", answered.now())
    assert store.card_state("s-basic").state == 0
    assert "s-basic" in found(two_decks, answered, "is:new")
    rows = card_actions.history(store, "s-basic")
    assert [(r.mode, r.rating) for r in rows] == [("review", "Easy"), ("forget", "")]
    # The doctor replays the log to the same state: nothing to repair.
    report = examine(store, fix=False, now=answered.now())
    assert [f.kind for f in report.findings if f.kind == "state"] == []
    # Answered again after the forget, it is scheduled as a new card would be.
    answered.clock.advance(minutes=5)
    answered.answer("s-basic", 3, 1000)
    assert store.card_state("s-basic").reps == 1
    assert [f.kind for f in examine(store, fix=False, now=answered.now()).findings if f.kind == "state"] == []


def test_a_forget_merged_from_another_machine_resets_the_card_there_too(two_decks, answered):
    other = Store.open(None)
    two_decks.store.conn.backup(other.conn)
    answered.clock.advance(minutes=5)
    card_actions.forget(two_decks.store, "s-basic", answered.now())
    merge_stores(other, two_decks.store)
    assert other.card_state("s-basic").state == 0
    assert other.card_state("s-basic") == two_decks.store.card_state("s-basic")
    other.close()


def test_a_bundled_deck_is_copied_into_the_workspace_before_editing(tmp_path):
    bundled = tmp_path / "bundled"
    write_deck(bundled, "small.yaml", SMALL_DECK)
    home = tmp_path / "ws"
    ws = Workspace(home, (bundled,), "test")
    opened = open_workspace(ws)
    try:
        deck = opened.decks.deck("small")
        target = deck_file_for_editing(ws, deck, "s-choice")
        assert target.path == home / "decks" / "small.yaml" and target.copied_from == bundled / "small.yaml"
        assert target.path.read_text().splitlines()[target.line - 1].strip() == "- id: s-choice"
        # The copy takes the bundled file's place once edited.
        target.path.write_text(target.path.read_text().replace("Which came first?", "Which was first?"))
        reload_decks(opened)
        assert opened.decks.card("s-choice").question == "Which was first?"
        assert not opened.decks.problems
        # A second edit uses the copy already there.
        assert deck_file_for_editing(opened.workspace, opened.decks.deck("small"), None).copied_from is None
    finally:
        opened.store.close()


def test_editor_command_puts_the_line_where_the_editor_wants_it():
    path = Path("/w/decks/a.yaml")
    assert editor_command(path, 12, {"EDITOR": "nvim"}) == ["nvim", "+12", "/w/decks/a.yaml"]
    assert editor_command(path, 12, {"EDITOR": "emacs -nw", "VISUAL": ""}) == ["emacs", "-nw", "+12", "/w/decks/a.yaml"]
    assert editor_command(path, 3, {"VISUAL": "code"}) == ["code", "--wait", "--goto", "/w/decks/a.yaml:3"]
    assert editor_command(path, 1, {}) == ["vi", "+1", "/w/decks/a.yaml"]


def _python_order(rows: list, key: str, reverse: bool) -> list[str]:
    """What sorting the rows in Python gives: cards without a value last, deck order among equals."""
    value = {
        "card": lambda r: r.question.lower() or r.id, "deck": lambda r: r.deck_id, "state": lambda r: r.state,
        "due": lambda r: r.due, "interval": lambda r: r.interval_days, "stability": lambda r: r.stability,
        "difficulty": lambda r: r.difficulty, "recall": lambda r: r.recall, "lapses": lambda r: r.lapses,
    }[key]
    return [r.id for r in sorted(rows, key=lambda r: (value(r) is None, value(r) if value(r) is not None else 0),
                                 reverse=reverse)]


@pytest.mark.parametrize("reverse", [False, True])
def test_the_index_sorts_every_column_as_python_would(two_decks, answered, reverse):
    answered.answer("x-leech", 1, 1000)
    answered.clock.advance(days=3)
    answered.answer("s-basic", 3, 1000)
    answered.answer("s-reverse", 3, 1000)
    now, scheduler = answered.now(), answered.scheduler
    rows = card_rows(two_decks.store, two_decks.decks, scheduler, now)
    ctx = context(now, scheduler.settings.rollover_hour)
    with CardIndex.read(two_decks.store, two_decks.decks, scheduler, now) as index:
        for key in SORT_COLUMNS:
            total, found = index.find([], ctx, key, reverse)
            assert total == len(rows)
            assert [r.id for r in found] == _python_order(rows, key, reverse), key
            # With a query and a limit: the count of all found, the first of them in order.
            terms = parse_query("-is:suspended")
            kept = [r for r in rows if not r.suspended]
            total, first = index.find(terms, ctx, key, reverse, limit=3)
            assert total == len(kept) and [r.id for r in first] == _python_order(kept, key, reverse)[:3], key


def test_rows_read_back_from_the_index_are_the_cards_as_read(two_decks, answered):
    """Every field of a row survives the index: text with markup, tags, flags, times."""
    now, scheduler = answered.now(), answered.scheduler
    with CardIndex.read(two_decks.store, two_decks.decks, scheduler, now, ["x-leech", "s-basic", "x-plain"]) as index:
        total, rows = index.find([])
    assert total == 3
    by_id = {r.id: r for r in rows}
    assert by_id["x-leech"].tags == ("leech", "distributed::nccl") and by_id["x-leech"].answer == "NCCL all-reduce"
    assert by_id["x-plain"].suspended and not by_id["s-basic"].suspended and by_id["x-plain"].tags == ("data",)
    basic = by_id["s-basic"]
    assert basic.due is not None and basic.due > now and basic.last_review is not None and basic.reps == 1
    assert basic.question == "What does [bold]x[0][/] print?"


def test_an_interrupt_with_no_search_running_spares_the_next_search(two_decks, answered):
    """The browser interrupts before each new search; when the old one is already done, the new one
    must still run to the end."""
    now, scheduler = answered.now(), answered.scheduler
    ctx = context(now, scheduler.settings.rollover_hour)
    with CardIndex.read(two_decks.store, two_decks.decks, scheduler, now) as index:
        index.interrupt()
        total, rows = index.find(parse_query("deck:extra"), ctx)
    assert total == 2 and {r.id for r in rows} == {"x-leech", "x-plain"}
