"""Mock interviews in the core: detection, scores and ratings, attempts, drafts, and which prompt comes first."""

import json
from datetime import timedelta

import pytest

from quizapp.db.store import Store
from quizapp.errors import StoreError
from quizapp.modes.grading import detect
from quizapp.modes.interview import (
    DraftSaver,
    Session,
    attempts_for,
    load_draft,
    make_ticks,
    next_prompt,
    prompt_queue,
    rating_for,
    save_draft,
    score_of,
    stage_scores,
    submit,
)
from quizapp.scheduling.scheduler import Scheduler
from tests.support.decks import SMALL_DECK, write_deck

ANSWER = "FSDP shards the parameters, so a model too big for the memory of one GPU trains. Watch GPU utilization."


def test_detection_marks_each_rubric_point_the_answer_shows(study):
    rubric = study.items["s-interview"].card.rubric
    # memory on a GPU, sharding parameters, (no communication cost), watching utilization
    assert detect(rubric, ANSWER) == [True, True, False, True]
    assert detect(rubric, "") == [False, False, False, False]


@pytest.mark.parametrize(
    "score, rating", [(0.0, 1), (0.25, 1), (0.39, 1), (0.4, 2), (0.5, 2), (0.69, 2), (0.7, 3), (0.75, 3), (0.89, 3), (0.9, 4), (1.0, 4)]
)
def test_score_to_rating_mapping(score, rating):
    assert rating_for(score) == rating


def test_score_and_stage_scores_count_the_users_ticks_not_the_detection(study):
    rubric = study.items["s-interview"].card.rubric
    ticks = make_ticks(rubric, [True, True, False, True], [True, False, True, True])
    assert score_of(ticks) == 0.75
    assert stage_scores(ticks) == {"model": 0.5, "monitoring": 1.0, "tradeoff": 1.0}


# ------------------------------------------------------------------ attempts


def judged(study, ticked):
    rubric = study.items["s-interview"].card.rubric
    return make_ticks(rubric, detect(rubric, ANSWER), ticked)


def test_a_submitted_attempt_is_stored_with_its_log_row_and_replaces_the_draft(study, clock):
    item = study.items["s-interview"]
    start = study.now()
    save_draft(study.store, item.id, "half an answer", start, start + timedelta(seconds=30))
    clock.advance(seconds=330)
    attempt = submit(study, item, ANSWER, start, study.now(), judged(study, [True, True, False, True]))
    rows = study.store.query("SELECT * FROM attempts")
    assert len(rows) == 1
    row = rows[0]
    assert row["card_id"] == "s-interview" and row["answer"] == ANSWER
    assert (row["time_limit_s"], row["duration_s"], row["overrun_s"]) == (300, 330.0, 30.0)
    assert row["score"] == 0.75 and row["rating"] == 3
    assert json.loads(row["stage_scores"]) == {"model": 1.0, "monitoring": 1.0, "tradeoff": 0.0}
    ticks = json.loads(row["ticks"])
    assert ticks[2] == {"point": "Communication cost", "stage": "tradeoff", "detected": False, "ticked": False}
    log = study.store.query("SELECT * FROM review_log")
    assert len(log) == 1 and row["review_id"] == log[0]["id"] == attempt.review_id
    assert (log[0]["mode"], log[0]["rating"], log[0]["scheduled"], log[0]["duration_ms"]) == ("interview", 3, 1, 330000)
    assert load_draft(study.store, item.id) is None
    assert attempts_for(study.store, item.id) == [attempt]


def test_a_weak_answer_brings_a_learned_prompt_back_within_minutes(study, clock):
    item = study.items["s-interview"]
    submit(study, item, ANSWER, study.now(), study.now(), judged(study, [True] * 4))
    clock.advance(days=30)
    state = study.store.card_state(item.id)
    submit(study, item, "no idea", study.now(), study.now(), judged(study, [False, True, False, False]))
    weak = study.store.card_state(item.id)
    assert weak.due - study.now() <= timedelta(minutes=10) and weak.lapses == state.lapses + 1
    # the log alone rebuilds the prompt's state
    assert Scheduler(study.settings).replay(item.id, study.store.log_for(item.id)) == weak


def test_strong_answers_push_the_prompt_out_by_days(study, clock):
    item = study.items["s-interview"]
    submit(study, item, ANSWER, study.now(), study.now(), judged(study, [True] * 4))
    assert study.store.card_state(item.id).due - study.now() > timedelta(days=3)


def test_a_failed_attempt_write_leaves_no_log_row_and_keeps_the_draft(study):
    item = study.items["s-interview"]
    save_draft(study.store, item.id, "my draft", study.now(), study.now())
    study.store.conn.execute(
        "CREATE TRIGGER no_attempts BEFORE INSERT ON attempts BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    with pytest.raises(Exception):
        submit(study, item, ANSWER, study.now(), study.now(), judged(study, [True] * 4))
    assert study.store.log_count() == 0
    assert study.store.card_state(item.id).state == 0
    assert load_draft(study.store, item.id).text == "my draft"


def test_earlier_attempts_come_newest_first(study, clock):
    item = study.items["s-interview"]
    first = submit(study, item, "first", study.now(), study.now(), judged(study, [True, False, False, False]))
    clock.advance(days=2)
    second = submit(study, item, "second", study.now(), study.now(), judged(study, [True, True, True, False]))
    assert [a.answer for a in attempts_for(study.store, item.id)] == ["second", "first"]
    assert [a.score for a in attempts_for(study.store, item.id)] == [second.score, first.score] == [0.75, 0.25]


# ------------------------------------------------------------------ drafts


def test_continuous_typing_is_saved_within_a_few_seconds_and_a_pause_saves_sooner(clock):
    saver = DraftSaver()
    t0 = clock()
    saved_at = None
    for tenth in range(100):  # checked every 0.1 s; a keystroke every 0.4 s: never a one-second pause
        now = t0 + timedelta(seconds=tenth / 10)
        if tenth % 4 == 0:
            saver.changed(now)
        if saver.due(now):
            saved_at = now
            break
    assert saved_at is not None and saved_at - t0 <= timedelta(seconds=3)
    saver.saved()
    saver.changed(t0)
    assert not saver.due(t0 + timedelta(seconds=0.5))
    assert saver.due(t0 + timedelta(seconds=1))


def test_a_draft_survives_a_restart_with_its_answering_time(workspace, clock):
    store = Store.open(workspace.db_path)
    from quizapp.session import open_workspace

    opened = open_workspace(workspace)
    item = opened.decks.item_map()["s-interview"]
    session = Session(opened.store, item, clock())
    assert not session.resumed and session.text == ""
    clock.advance(seconds=40)
    session.typed("Shard the model", clock())
    clock.advance(seconds=1)
    assert session.save_if_due(clock())
    # no clean exit: another connection (the next run) already sees it
    assert load_draft(store, item.id).text == "Shard the model"
    opened.store.close()
    store.close()

    clock.advance(hours=5)  # away from the app: not counted
    reopened = open_workspace(workspace)
    again = Session(reopened.store, item, clock())
    assert again.resumed and again.text == "Shard the model"
    assert again.elapsed(clock()) == timedelta(seconds=41)
    assert again.remaining(clock()) == timedelta(seconds=300 - 41)
    reopened.store.close()


def test_emptying_the_answer_removes_the_draft(study, clock):
    item = study.items["s-interview"]
    session = Session(study.store, item, clock())
    session.typed("something", clock())
    session.flush(clock())
    assert load_draft(study.store, item.id) is not None
    session.typed("   ", clock())
    session.flush(clock())
    assert load_draft(study.store, item.id) is None


def test_a_draft_that_cannot_be_saved_stays_unsaved_and_is_retried(study, clock, monkeypatch):
    item = study.items["s-interview"]
    session = Session(study.store, item, clock())
    session.typed("important", clock())

    def locked(*args, **kwargs):
        raise StoreError("locked")

    monkeypatch.setattr("quizapp.modes.interview.save_draft", locked)
    with pytest.raises(StoreError):
        session.flush(clock())
    monkeypatch.undo()
    assert session.flush(clock())
    assert load_draft(study.store, item.id).text == "important"


# ------------------------------------------------------------------ choosing a prompt

MORE_PROMPTS = """
id: more
title: More prompts
cards:
  - id: p-a
    kind: interview
    prompt: Prompt A
    model_answer: [a]
    rubric: [{point: A, stage: data, terms: [a]}]
    source: s.txt
  - id: p-b
    kind: interview
    prompt: Prompt B
    model_answer: [b]
    rubric: [{point: B, stage: serving, terms: [b]}]
    source: s.txt
  - id: p-c
    kind: interview
    prompt: Prompt C
    model_answer: [c]
    rubric: [{point: C, stage: serving, terms: [c]}]
    source: s.txt
"""


def test_due_prompts_come_first_then_new_ones_then_the_rest(tmp_path, clock):
    from quizapp.session import open_workspace
    from quizapp.workspace import Workspace

    decks = tmp_path / "decks"
    write_deck(decks, "a.yaml", SMALL_DECK)
    write_deck(decks, "b.yaml", MORE_PROMPTS)
    opened = open_workspace(Workspace(tmp_path, (decks,), "test"))
    study = opened.study(clock)
    items = study.items
    assert [s.item.id for s in prompt_queue(study)] == ["p-a", "p-b", "p-c", "s-interview"]  # decks take turns

    def answer(card_id, ticked):
        rubric = items[card_id].card.rubric
        submit(study, items[card_id], "x", study.now(), study.now(), make_ticks(rubric, [False] * len(rubric), ticked))

    answer("p-b", [True])  # strong: due in days
    answer("s-interview", [False] * 4)  # weak: due in minutes
    clock.advance(minutes=15)
    queue = prompt_queue(study)
    assert [s.item.id for s in queue] == ["s-interview", "p-a", "p-c", "p-b"]
    assert queue[0].is_due and queue[0].attempts == 1 and queue[0].last_score == 0.0
    assert queue[1].due is None and not queue[3].is_due
    # a prompt with a draft in progress is offered first, to finish it
    save_draft(study.store, "p-c", "half", study.now(), study.now())
    assert next_prompt(study).id == "p-c"
    opened.store.close()
