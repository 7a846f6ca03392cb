"""The topic x stage map right after a mock interview: a prompt counts by its rubric points, not by its recall."""

from quizapp.modes.interview import make_ticks, submit
from quizapp.session import open_workspace
from quizapp.stats.queries import Stats
from quizapp.workspace import Workspace
from tests.support.decks import write_deck

STAGED_PROMPT_DECK = """
id: staged
title: Staged prompts
cards:
  - id: p1
    kind: interview
    prompt: How would you serve this model?
    model_answer: [Batch requests, Watch latency]
    rubric:
      - {point: Batching, stage: serving, evidence: ["batch + request"]}
      - {point: Latency, stage: monitoring, evidence: ["watch + latency"]}
      - {point: Unstaged remark, evidence: ["history"]}
    source: s.txt
    tags: [inference, serving, monitoring]
"""


def test_a_rubric_confirmed_at_nothing_shows_nothing_on_the_map_right_after(tmp_path, clock):
    write_deck(tmp_path / "decks", "staged.yaml", STAGED_PROMPT_DECK)
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    try:
        study = opened.study(clock)
        item = study.items["p1"]
        rubric = item.card.rubric
        start = study.now()
        clock.advance(seconds=60)
        submit(study, item, "no idea", start, study.now(), make_ticks(rubric, [False] * 3, [False] * 3))
        cells = {(c.topic, c.stage): c for c in Stats(opened.store, opened.decks, clock=clock).stage_map()}
    finally:
        opened.store.close()
    # The prompt was just answered (its recall now is near 100%), but none of its points was covered.
    for stage in ("serving", "monitoring"):
        cell = cells[("inference", stage)]
        assert cell.strength == 0.0, (stage, cell)
        assert (cell.cards, cell.attempts) == (0, 1)
