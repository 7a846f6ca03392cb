"""Leeches: a card forgotten 8 times after being learned is tagged leech and suspended; it can come back."""

from __future__ import annotations

from quizapp.cli.main import main
from quizapp.db.records import REVIEW
from quizapp.scheduling.scheduler import StudySettings, save_settings
from quizapp.stats.queries import Stats
from quizapp.study.leech import is_leech_lapse


def lapse_until_leech(study, card_id: str, lapses: int) -> None:
    study.answer(card_id, 4)
    for _ in range(lapses):
        while study.store.card_state(card_id).state != REVIEW:
            study.clock.advance(minutes=30)
            study.answer(card_id, 4)
        study.clock.advance(days=3)
        study.answer(card_id, 1)


def test_the_eighth_lapse_tags_the_card_leech_and_suspends_it(study):
    lapse_until_leech(study, "s-basic", 7)
    row = study.store.card_row("s-basic")
    assert (row["lapses"], row["leech"], row["suspended"]) == (7, 0, 0)
    lapse_until_leech(study, "s-basic", 0)
    while study.store.card_state("s-basic").state != REVIEW:
        study.clock.advance(minutes=30)
        study.answer("s-basic", 4)
    study.clock.advance(days=3)
    study.answer("s-basic", 1)
    row = study.store.card_row("s-basic")
    assert (row["lapses"], row["leech"], row["suspended"]) == (8, 1, 1)
    assert "s-basic" not in {getattr(study.next_item(), "id", None)}
    # ctrl+z takes the lapse back, and with it the leech tag and the suspension.
    study.undo()
    row = study.store.card_row("s-basic")
    assert (row["lapses"], row["leech"], row["suspended"]) == (7, 0, 0)


def test_a_leech_is_reported_and_unsuspend_brings_it_back(study, workspace, capsys):
    save_settings(study.store, StudySettings(leech_threshold=2))
    study.settings = StudySettings(leech_threshold=2)
    lapse_until_leech(study, "s-basic", 2)
    report = Stats(study.store, study.decks, clock=study.clock).report(with_plan=False)
    assert [(c.id, c.lapses, c.suspended) for c in report.leeches] == [("s-basic", 2, True)]
    assert main(["--home", str(workspace.home), "unsuspend", "s-basic"]) == 0
    assert "s-basic: unsuspended" in capsys.readouterr().out
    row = study.store.card_row("s-basic")
    assert (row["suspended"], row["leech"]) == (0, 1)
    assert main(["--home", str(workspace.home), "unsuspend", "nope"]) == 1
    assert "no card with id 'nope'" in capsys.readouterr().err


def test_leech_threshold_zero_never_tags_and_anki_re_tags_every_half_threshold():
    assert not any(is_leech_lapse(n, 0) for n in range(40))
    assert [n for n in range(1, 20) if is_leech_lapse(n, 8)] == [8, 12, 16]
