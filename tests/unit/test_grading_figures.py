"""The grader against the labelled answers: the figures `python -m bench grading` prints may not fall
below their targets."""

import pytest

from bench.grading import ANSWERS, KINDS, TARGETS, evaluate, load_answers, substring_detect


@pytest.fixture(scope="module")
def result():
    return evaluate()


def test_the_labelled_set_is_broad_enough():
    entries = load_answers(ANSWERS)
    assert len(entries) >= 100
    assert len({e["card"] for e in entries}) >= 20
    assert {e["kind"] for e in entries} == set(KINDS)


def test_pre_ticks_agree_with_a_fair_interviewer(result):
    assert result.overall.f1 >= TARGETS["f1"]


def test_buzzword_lists_and_wrong_answers_are_rarely_ticked(result):
    assert result.false_tick_rate <= TARGETS["false_tick_rate"]


def test_strong_answers_in_other_words_are_mostly_found(result):
    assert result.other_words_recall >= TARGETS["other_words_recall"]


def test_the_earlier_substring_matching_ticks_buzzwords_that_the_grader_does_not(result):
    before = evaluate(detector=substring_detect)
    assert before.false_tick_rate > result.false_tick_rate
