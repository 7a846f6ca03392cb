"""An answer uses the outcomes computed when the card's answer was shown, and only while they hold."""

import uuid
from datetime import timedelta

import pytest

from quizapp.db.records import REVIEW, new_id
from quizapp.db.store import Store
from quizapp.scheduling.scheduler import Scheduler, StudySettings, save_settings
from quizapp.study.study import StaleCardError, Study

RATINGS = (1, 2, 3, 4)


def reviewed(study: Study, item_id: str, times: int = 3) -> None:
    """Bring a card to the review state with an interval of some days (fuzz then matters)."""
    for _ in range(times):
        study.answer(item_id, 4)
        study.clock.now = study.store.card_state(item_id).due + timedelta(hours=1)
    assert study.store.card_state(item_id).state == REVIEW


def answered_row(study: Study, entry) -> tuple:
    row = study.store.query("SELECT * FROM review_log WHERE id = ?", [entry.id])[0]
    return tuple(v for k, v in row.items() if k != "id"), study.store.card_state(entry.card_id)


@pytest.fixture
def exact(opened, clock) -> Study:
    save_settings(opened.store, StudySettings(fuzz=False))
    return opened.study(clock)


def test_the_interval_on_each_button_is_the_one_scheduled_fuzz_and_all(study):
    item = study.next_item()
    reviewed(study, item.id)
    for _ in range(6):
        for rating in RATINGS:
            shown = study.preview(item.id)
            study.clock.advance(seconds=40)  # the time taken to choose
            entry = study.answer(item.id, rating, 40_000)
            assert entry.due_after - entry.reviewed_at == shown[rating]
            assert study.store.card_state(item.id).due == entry.due_after
            study.undo()


@pytest.mark.parametrize("delay", [timedelta(0), timedelta(seconds=3), timedelta(minutes=25), timedelta(hours=5)])
def test_answers_from_the_shown_outcomes_equal_answers_computed_afresh(exact, delay):
    """New, learning, review and relearning cards, each rating, answered some time after the preview."""
    study = exact
    item = study.next_item()
    for step in range(6):
        for rating in RATINGS:
            study.preview(item.id)
            study.clock.advance(seconds=delay.total_seconds())
            fast = answered_row(study, study.answer(item.id, rating, 1000))
            study.undo()
            study.shown = None
            slow = answered_row(study, study.answer(item.id, rating, 1000))
            assert fast == slow, (step, rating)
            study.undo()
        # On to the card's next state: through learning to review, then a lapse into relearning.
        study.answer(item.id, 1 if step == 3 else 3)
        study.clock.now = max(study.now(), study.store.card_state(item.id).due) + timedelta(minutes=1)


def test_a_new_whole_day_since_the_last_review_computes_the_answer_again(exact):
    study = exact
    item = study.next_item()
    reviewed(study, item.id)
    before = study.store.card_state(item.id)
    study.clock.now = before.last_review + timedelta(days=2, hours=23, minutes=59, seconds=50)
    shown = study.preview(item.id)
    study.clock.advance(seconds=20)  # now three whole days since the last review
    entry = study.answer(item.id, 3)
    expected = Scheduler(study.settings).answer(before, 3, study.now())
    assert study.store.card_state(item.id) == expected
    assert entry.due_after - entry.reviewed_at != shown[3]  # the stability grew with the extra day


def test_the_card_answered_elsewhere_since_the_preview_is_answered_from_its_new_state(exact, workspace):
    study = exact
    item = study.next_item()
    study.preview(item.id)
    other = Study(Store.open(workspace.db_path), study.decks, clock=study.clock)
    try:
        other.answer(item.id, 1)
    finally:
        other.store.close()
    study.clock.advance(minutes=2)
    # The buttons showed outcomes of a state that is gone: refused, then shown (previewed) again.
    with pytest.raises(StaleCardError):
        study.answer(item.id, 3)
    study.preview(item.id)
    study.answer(item.id, 3)
    state = study.store.card_state(item.id)
    assert state.reps == 2
    assert state == Scheduler(study.settings).replay(item.id, study.store.log_for(item.id))


def test_settings_changed_since_the_preview_schedule_the_answer(exact):
    study = exact
    item = study.next_item()
    reviewed(study, item.id)
    before = study.store.card_state(item.id)
    study.preview(item.id)
    study.use_settings(StudySettings(fuzz=False, desired_retention=0.8))
    study.answer(item.id, 3)
    assert study.store.card_state(item.id) == Scheduler(study.settings).answer(before, 3, study.now())


def test_an_answer_that_leaves_the_schedule_logs_the_card_as_it_was(exact):
    study = exact
    item = study.next_item()
    reviewed(study, item.id)
    before = study.store.card_state(item.id)
    study.preview(item.id)
    study.clock.advance(minutes=3)
    entry = study.record(item.id, 3, scheduled=False, mode="quiz")
    assert study.store.card_state(item.id) == before
    assert entry.due_after == before.due
    assert entry.prev == before.to_json()
    assert entry.recall == Scheduler(study.settings).retrievability(before, study.now())


def test_log_ids_are_random_version_4_uuids():
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:200]:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
