"""Finding rubric points in a typed answer: words and their forms, one sentence, negation, the
prompt, and bare lists of key words."""

import pytest

from quizapp.decks.models import RubricPoint
from quizapp.modes.grading import check_rubric, detect, grade, keyword_list

DRIFT = RubricPoint(point="Monitors drift", stage="monitoring", evidence=["monitor|watch|track|alert + drift|distribution shift"])
SLO = RubricPoint(point="Holds a latency SLO", stage="serving", evidence=["slo|latency target|latency budget + p99|p95|tail latency"])
CI = RubricPoint(point="Integration tests", stage=None, evidence=["integration + test|check"])
SHARD = RubricPoint(point="Shards state", stage="model", evidence=["shard|partition|split + parameter|gradient|optimizer state"])


def found(point: RubricPoint, answer: str, prompt: str = "") -> bool:
    return detect([point], answer, prompt) == [True]


@pytest.mark.parametrize(
    "point, answer",
    [
        (CI, "We keep integrating checks into the pipeline."),
        (SHARD, "FSDP is sharding the optimizer's state across ranks."),
        (SHARD, "The gradients are partitioned over eight GPUs."),
        (DRIFT, "Set alerts when the input distribution shifts."),
        (SLO, "Keep the p99 inside the SLO."),
    ],
)
def test_a_point_is_found_in_other_forms_of_its_words(point, answer):
    assert found(point, answer)


def test_slower_is_not_an_slo():
    assert not found(SLO, "The p99 gets slower under load.")


@pytest.mark.parametrize(
    "answer",
    [
        "We would NOT need to monitor drift.",
        "There is no reason to track drift here.",
        "We don't watch for drift at all.",
        "Never shard the parameters of a model this small.",
    ],
)
def test_a_negated_statement_earns_nothing(answer):
    assert detect([DRIFT, SHARD], answer) == [False, False]


def test_negation_ends_with_its_clause():
    assert found(DRIFT, "Accuracy is not enough, but we monitor drift daily.")


def test_the_evidence_must_lie_in_one_sentence():
    assert not found(SHARD, "We shard things. The parameters are large.")
    assert found(SHARD, "We shard the parameters because they are large.")


def test_words_copied_from_the_prompt_earn_nothing():
    prompt = "How would you monitor drift in a recommender?"
    point = RubricPoint(point="Compares live inputs with training data", evidence=["drift|inputs + training data|baseline|monitor"])
    assert not found(point, "I would monitor drift in the recommender.", prompt)
    assert found(point, "Compare the drift of live inputs against the training data.", prompt)


def test_a_bare_list_of_key_words_earns_nothing():
    rubric = [DRIFT, SLO, CI, SHARD]
    assert detect(rubric, keyword_list(rubric)) == [False] * 4
    assert detect(rubric, "monitor drift slo p99 integration test shard parameter") == [False] * 4
    assert detect(rubric, "- monitor drift\n- p99 SLO\n- shard parameters") == [False] * 4


def test_the_evidence_names_the_sentence_and_the_words():
    evidence = grade([DRIFT, SLO], "Ship it behind a flag. Then track drift of the inputs weekly!")
    assert evidence[1] is None
    assert evidence[0].sentence == "Then track drift of the inputs weekly!"
    assert evidence[0].words == ("track", "drift")


def test_older_key_terms_still_grade():
    old = RubricPoint(point="Uses checkpoints", stage="model", terms=["checkpoint"])
    assert found(old, "Save a checkpoint every hour.")


def test_a_rubric_check_reports_what_its_own_answers_earn():
    from quizapp.decks.models import InterviewCard

    card = InterviewCard(
        id="x", kind="interview", source=["a.txt"], prompt="How do you watch a model in production?",
        model_answer=["Track drift of the inputs and alert on it.", "Hold the p99 under the SLO."],
        rubric=[DRIFT, SLO, CI],
    )
    report = check_rubric(card)
    assert report.missed_by_model_answer == [3]
    assert report.earned_by_prompt == [] and report.earned_by_negation == []
    assert report.problems == ["the model answer does not earn point(s) [3]"]


def test_a_negation_later_in_the_clause_takes_back_what_it_said():
    assert not found(SLO, "Tracking p99 against an SLO is unnecessary here.")
    assert not found(DRIFT, "Skip monitoring drift, accuracy is enough.")


def test_the_evidence_must_lie_in_one_clause():
    # "which" opens a new clause: the drift and the alerting belong to different statements
    assert not found(DRIFT, "The inputs drift, which is why we alert the team.")
    assert found(DRIFT, "We alert when the inputs drift.")


def test_lines_wrapped_inside_a_paragraph_are_one_sentence():
    assert found(SHARD, "FSDP shards the\noptimizer state across ranks.")
    assert not found(SHARD, "- shard\n- optimizer state")


def test_names_strung_together_by_arrows_say_nothing():
    point = RubricPoint(point="Inductor emits Triton", evidence=["inductor + triton"])
    assert not found(point, "Dynamo -> AOTAutograd -> Inductor -> Triton.")
    assert found(point, "Inductor writes the fused kernels in Triton.")
