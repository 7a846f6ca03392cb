"""Quiz questions from the decks, their scoring, and how quiz answers fold into the review log and FSRS."""

import random
from datetime import timedelta

import pytest

from quizapp.db.records import LEARNING, NEW, RELEARNING
from quizapp.decks.loader import load_decks
from quizapp.modes.quiz import QuizRound, build_round, pairs_in_order
from quizapp.scheduling.scheduler import Scheduler


@pytest.fixture
def quiz_study(quiz_opened, clock):
    return quiz_opened.study(clock)


def decks(quiz_ws):
    return load_decks(quiz_ws.deck_dirs)


def rounds(quiz_ws, seeds=range(60), **kwargs):
    loaded = decks(quiz_ws)
    for seed in seeds:
        yield build_round(loaded, rng=random.Random(seed), **kwargs)


YEARS = {"Torch is created at IDIAP": 2001, "Torch7 adopts Lua": 2011, "PyTorch starts at FAIR": 2016,
         "PyTorch 1.0 ships": 2018, "The PyTorch Foundation is created": 2022, "PyTorch 2.0 ships torch.compile": 2023, "TorchDynamo ships in PyTorch 2.0": 2023}


# ------------------------------------------------------------------ building a round


def test_a_round_has_the_asked_number_of_questions_of_every_kind_and_never_repeats_a_card(quiz_ws):
    kinds = set()
    for questions in rounds(quiz_ws, count=5):
        assert len(questions) == 5
        subjects = [q.item_ids[0] for q in questions]
        assert len(subjects) == len(set(subjects))
        kinds.update(q.kind for q in questions)
    assert kinds == {"choice", "year", "first", "order"}


def test_a_round_is_shorter_when_the_decks_have_fewer_questions(quiz_ws):
    for questions in rounds(quiz_ws, count=10, tags=["compiler"]):
        # compiler: the choice card and two dated cards of 2023, each asked once at most
        assert 1 <= len(questions) <= 3
        assert {q.item_ids[0] for q in questions} <= {"d-choice", "d-2023", "s-reverse"}
        assert any(q.kind == "choice" for q in questions)


def test_interview_prompts_and_plain_cards_are_never_asked(quiz_ws):
    for questions in rounds(quiz_ws, count=20):
        for q in questions:
            assert not any(i.startswith("s-interview") or i == "s-basic" for i in q.item_ids)


def test_choice_cards_are_asked_as_written(quiz_ws):
    for questions in rounds(quiz_ws, count=20, deck_ids=["dated"], seeds=range(5)):
        q = next(q for q in questions if q.kind == "choice")
        assert q.prompt == "Which release brought [bold]torch.compile[/]?"
        assert q.choices == ("PyTorch 1.0", "PyTorch 2.0", "PyTorch 2.5")
        assert q.choices[q.answer] == "PyTorch 2.0"


def test_year_questions_offer_nearby_distinct_years_with_the_right_one(quiz_ws):
    seen = 0
    for questions in rounds(quiz_ws, count=20):
        for q in (q for q in questions if q.kind == "year"):
            seen += 1
            event = q.prompt.split("\n\n", 1)[1]
            right = YEARS[event]
            years = [int(c) for c in q.choices]
            assert len(years) == 4 and len(set(years)) == 4
            assert years == sorted(years) and years[q.answer] == right
            assert all(abs(y - right) <= 4 for y in years)
            # never a year past the latest event the decks know (2023) plus one
            assert max(years) <= 2024
    assert seen > 50


def test_events_the_decks_date_differently_are_left_out(quiz_ws):
    for questions in rounds(quiz_ws, count=20):
        for q in questions:
            text = " ".join([q.prompt, *q.choices, *q.items])
            assert "ONNX" not in text


def test_which_came_first_offers_events_of_different_years_and_the_earliest_is_right(quiz_ws):
    seen = 0
    for questions in rounds(quiz_ws, count=20):
        for q in (q for q in questions if q.kind == "first"):
            seen += 1
            years = [YEARS[c] for c in q.choices]
            assert len(set(q.choices)) == len(q.choices) >= 2
            assert len(set(years)) == len(years)
            assert years[q.answer] == min(years)
            assert q.explanation.splitlines()[0].startswith(str(min(years)))
    assert seen > 20


def test_dated_orderings_start_out_of_order_and_span_distinct_years(quiz_ws):
    seen = 0
    for questions in rounds(quiz_ws, count=20):
        for q in (q for q in questions if q.kind == "order" and q.item_of):
            seen += 1
            years = [YEARS[x] for x in q.items]
            assert years == sorted(set(years))
            assert q.start != q.items and sorted(q.start) == sorted(q.items)
    assert seen > 20


def test_written_orderings_never_start_in_the_right_order(quiz_ws):
    for questions in rounds(quiz_ws, count=20, seeds=range(5)):
        q = next(q for q in questions if q.kind == "order" and not q.item_of)
        assert q.items == ("Torch", "Torch7", "PyTorch", "PyTorch 2.0")
        assert q.start != q.items


def test_deck_and_tag_filters_choose_the_cards(quiz_ws):
    for questions in rounds(quiz_ws, count=20, tags=["governance"], seeds=range(10)):
        # the only governance card is d-2022; distractor events may come from elsewhere
        assert {q.item_ids[0] for q in questions} == {"d-2022"}
    for questions in rounds(quiz_ws, count=20, deck_ids=["small"], seeds=range(10)):
        assert {q.item_ids[0] for q in questions} <= {"s-choice", "s-reverse"}


# ------------------------------------------------------------------ scoring


def test_ordering_partial_credit_is_the_share_of_pairs_in_order():
    right = ("a", "b", "c", "d")
    assert pairs_in_order(right, right) == 1.0
    assert pairs_in_order(right, ("b", "a", "c", "d")) == pytest.approx(5 / 6)
    assert pairs_in_order(right, ("d", "c", "b", "a")) == 0.0
    with pytest.raises(ValueError):
        pairs_in_order(right, ("a", "b", "c"))


def test_a_dated_ordering_is_logged_against_the_event_placed_furthest_off(quiz_ws):
    q = next(q for qs in rounds(quiz_ws, count=20) for q in qs if q.kind == "order" and len(q.item_of) == 4)
    assert q.item_for(q.items) == q.item_of[0]
    moved = (q.items[1], q.items[2], q.items[3], q.items[0])  # the earliest put last
    assert q.item_for(moved) == q.item_of[0]
    assert q.score(moved) == pytest.approx(3 / 6)


# ------------------------------------------------------------------ folding into the review log


def one_question(study, kind, **kwargs):
    for seed in range(100):
        questions = build_round(study.decks, count=20, rng=random.Random(seed), **kwargs)
        for q in questions:
            if q.kind == kind:
                return q
    raise AssertionError(f"no {kind} question")


def test_a_right_answer_is_logged_without_moving_the_schedule(quiz_study):
    q = one_question(quiz_study, "choice", deck_ids=["dated"])
    quiz = QuizRound(quiz_study, [q])
    result = quiz.answer(q.answer, 1800)
    assert result.right and result.score == 1.0 and quiz.finished
    row = quiz_study.store.query("SELECT * FROM review_log")[0]
    assert (row["id"], row["card_id"], row["mode"], row["rating"], row["scheduled"], row["duration_ms"]) == (
        result.log_id, "d-choice", "quiz", 3, 0, 1800)
    assert quiz_study.store.card_state("d-choice").state == NEW
    # the daily review still introduces it as a new card
    assert quiz_study.remaining()[0] > 0


def test_a_wrong_answer_on_a_learned_card_makes_it_due_again_within_minutes(quiz_study):
    clock = quiz_study.clock
    quiz_study.answer("d-choice", 4)
    clock.advance(days=1)
    assert quiz_study.store.card_state("d-choice").due - quiz_study.now() > timedelta(days=2)
    q = one_question(quiz_study, "choice", deck_ids=["dated"])
    quiz = QuizRound(quiz_study, [q])
    quiz.answer((q.answer + 1) % len(q.choices))
    state = quiz_study.store.card_state("d-choice")
    assert state.state == RELEARNING and state.lapses == 1
    assert state.due - quiz_study.now() <= timedelta(minutes=10)
    row = quiz_study.store.query("SELECT rating, scheduled, mode FROM review_log WHERE mode = 'quiz'")[0]
    assert row == {"rating": 1, "scheduled": 1, "mode": "quiz"}
    clock.advance(minutes=10)
    assert quiz_study.next_item().id == "d-choice"
    # the log alone still rebuilds the card: the quiz answer is replayed with the review
    assert Scheduler(quiz_study.settings).replay("d-choice", quiz_study.store.log_for("d-choice")) == state


def test_a_wrong_answer_on_a_new_card_puts_it_into_learning(quiz_study):
    q = one_question(quiz_study, "year", tags=["governance"])
    QuizRound(quiz_study, [q]).answer((q.answer + 1) % 4)
    state = quiz_study.store.card_state("d-2022")
    assert state.state == LEARNING and state.due - quiz_study.now() <= timedelta(minutes=1)


def test_a_partly_right_ordering_earns_partial_credit_and_counts_as_a_miss(quiz_study):
    q = one_question(quiz_study, "order", deck_ids=["dated"], tags=["timeline"])
    quiz = QuizRound(quiz_study, [q])
    swapped = (q.items[1], q.items[0], *q.items[2:])
    result = quiz.answer(list(swapped))
    n = len(q.items)
    assert result.score == pytest.approx(1 - 1 / (n * (n - 1) / 2))
    assert quiz.misses == [result] and quiz.points == result.score
    row = quiz_study.store.query("SELECT card_id, rating, scheduled FROM review_log")[0]
    assert row["rating"] == 1 and row["scheduled"] == 1 and row["card_id"] in q.item_ids


def test_quiz_answers_stay_out_of_the_review_sessions_undo_and_summary(quiz_study):
    q = one_question(quiz_study, "choice", deck_ids=["dated"])
    QuizRound(quiz_study, [q]).answer(q.answer)
    assert quiz_study.undo() is None
    assert quiz_study.summary.count == 0 and quiz_study.store.log_count() == 1


def test_answering_after_the_last_question_is_refused(quiz_study):
    q = one_question(quiz_study, "choice", deck_ids=["dated"])
    quiz = QuizRound(quiz_study, [q])
    quiz.answer(q.answer)
    with pytest.raises(IndexError):
        quiz.answer(q.answer)
    assert quiz_study.store.log_count() == 1
