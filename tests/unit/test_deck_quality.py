"""The shipped decks as learning material: questions about PyTorch rather than the texts, in their
own words, asking for understanding, one card per fact, every fact covered, and rubrics that grade
honestly."""

import pytest

from quizapp.decks.loader import load_decks
from quizapp.modes.grading import check_rubric
from tests.support.deck_quality import (
    ROOT,
    SEEDS,
    all_cards,
    cards_naming_a_source,
    copied_runs,
    near_duplicates,
    review_cards,
    reworded_sentences,
    uncovered_terms,
    understanding_cards,
)

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the source documents are not beside this checkout")


@pytest.fixture(scope="module")
def cards():
    return all_cards(load_decks([ROOT / "decks"], base=ROOT))


def test_at_most_one_question_in_twenty_names_a_source(cards):
    naming = cards_naming_a_source(cards)
    assert len(naming) <= 0.05 * len(review_cards(cards)), naming


def test_at_least_three_in_ten_review_cards_ask_why_how_or_pose_a_scenario(cards):
    assert len(understanding_cards(cards)) >= 0.30 * len(review_cards(cards))


@needs_seeds
def test_no_card_shares_eight_words_in_a_row_with_a_source(cards):
    assert copied_runs(cards, run=8) == []


@needs_seeds
def test_no_card_is_a_source_sentence_with_words_swapped(cards):
    assert reworded_sentences(cards) == []


def test_no_two_cards_teach_the_same_fact(cards):
    assert near_duplicates(cards) == []


@needs_seeds
def test_every_name_and_year_in_the_sources_is_on_a_card(cards):
    assert uncovered_terms(cards) == {}


def test_every_model_answer_earns_every_point_of_its_rubric(cards):
    missed = {c.id: r.missed_by_model_answer for c in cards if c.kind == "interview" and (r := check_rubric(c)).missed_by_model_answer}
    assert missed == {}


def test_no_prompt_earns_a_point_of_its_own_rubric(cards):
    earned = {c.id: r.earned_by_prompt for c in cards if c.kind == "interview" and (r := check_rubric(c)).earned_by_prompt}
    assert earned == {}


def test_a_bare_list_of_a_rubrics_key_words_earns_at_most_one_point(cards):
    earned = {c.id: r.earned_by_keyword_list for c in cards if c.kind == "interview" and len((r := check_rubric(c)).earned_by_keyword_list) > 1}
    assert earned == {}


def test_a_negated_answer_earns_nothing(cards):
    earned = {c.id: r.earned_by_negation for c in cards if c.kind == "interview" and (r := check_rubric(c)).earned_by_negation}
    assert earned == {}
