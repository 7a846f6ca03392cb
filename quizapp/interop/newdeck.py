"""``quizapp new-deck NAME``: a starter deck file showing every card kind once, with comments."""

from __future__ import annotations

import json
from pathlib import Path

from quizapp.decks.loader import load_decks
from quizapp.decks.yaml_reader import parse_deck
from quizapp.interop import InteropError
from quizapp.interop.deckwriter import write_deck_file
from quizapp.interop.ids import is_card_id, slug
from quizapp.workspace import Workspace

STARTER = """\
# {title_comment}: a new quizapp deck. Check it with `quizapp check`; study it with `quizapp review --deck {deck}`.
#
# Every card needs an `id` that is unique across all decks: progress is kept by it, so fix typos
# freely but never reuse or change an id. `source` says where the facts come from (a file, a page,
# a paper); `tags` group cards on the progress screens. Text is shown exactly as written: quote it
# ("...") when it starts with a special character such as [ {{ * & ! | > ' " % @ or contains ": ".
# Replace the examples below with your own cards, or delete the ones you do not need.
id: {deck}
title: {title}
description: My own cards.
cards:
  # basic: a question and its answer. `reverse: true` also asks it back to front.
  - id: {deck}-basic-example
    kind: basic
    front: What does FSRS stand for?
    back: Free Spaced Repetition Scheduler
    reverse: false
    source: my-notes.md
    tags: [example]

  # cloze: hide parts of a sentence with {{{{c1::answer}}}} or {{{{c1::answer::hint}}}}; each number
  # (c1, c2, ...) is studied as a card of its own. `extra` is shown under the answer.
  - id: {deck}-cloze-example
    kind: cloze
    text: "Data parallelism copies the {{{{c1::model}}}} to every GPU and splits the {{{{c2::batch}}}}."
    extra: Optional text shown with the answer.
    source: my-notes.md
    tags: [example]

  # choice: up to nine choices; `answer` is one of them, written exactly the same way.
  # A dated fact may add `year` and `event` (both together); quizzes then ask about the year.
  - id: {deck}-choice-example
    kind: choice
    question: Which optimiser keeps per-parameter first and second moment estimates?
    choices: [SGD, Adam, Momentum SGD]
    answer: Adam
    explanation: Adam keeps running averages of gradients and of their squares.
    year: 2014
    event: The Adam optimiser is published
    source: my-notes.md
    tags: [example]

  # order: the items in their right order; they are shown shuffled.
  - id: {deck}-order-example
    kind: order
    prompt: Put the steps of a training iteration in order.
    items: [Forward pass, Compute the loss, Backward pass, Optimiser step]
    source: my-notes.md
    tags: [example]

  # interview: a prompt answered in a timed mock interview (time_limit in seconds), an outline of a
  # strong answer, and rubric points. A point may have a stage (data, model, serving, monitoring,
  # tradeoff) and lists cues: groups joined by '+' that must all appear in one sentence of an
  # answer, each group's alternatives joined by '|' (any form of a word counts: monitor, monitoring).
  - id: {deck}-interview-example
    kind: interview
    prompt: How would you find out why a model's accuracy dropped after deployment?
    time_limit: 300
    model_answer:
      - Compare the live input distribution with the training data to look for drift
      - Check the labels and the metric pipeline before blaming the model
      - Roll back or retrain once the cause is known
    rubric:
      - point: Looks for data drift
        stage: data
        evidence:
          - "compare|check|look + drift|distribution|shift"
      - point: Checks the labels and metrics first
        stage: monitoring
        evidence:
          - "check|verify|audit + label|metric|pipeline"
      - point: Weighs rollback against retraining
        stage: tradeoff
        evidence:
          - "roll back|rollback|revert + retrain|new model"
    source: my-notes.md
    tags: [example]
"""


def starter_text(deck_id: str, title: str) -> str:
    """The starter deck file for ``deck_id`` titled ``title``."""
    comment_title = " ".join(title.split()) or deck_id
    return STARTER.format(deck=deck_id, title=json.dumps(title, ensure_ascii=False), title_comment=comment_title)


def new_deck(workspace: Workspace, name: str, deck_id: str | None = None) -> Path:
    """Write ``decks/<id>.yaml`` in the workspace with a starter deck titled ``name``; returns its path.

    Refuses, writing nothing, when the file or the deck id already exists.
    """
    title = name.strip()
    if not title:
        raise InteropError("a deck needs a name, e.g. quizapp new-deck \"Transformers\"")
    deck_id = deck_id or slug(title, fallback="my-deck")
    if not is_card_id(deck_id) or len(deck_id) > 80:
        raise InteropError(f"'{deck_id}' cannot be a deck id: use letters, digits, '.', '_' and '-' (at most 80)")
    path = workspace.decks_dir / f"{deck_id}.yaml"
    if path.exists():
        raise InteropError(f"{path} already exists; it was left untouched. Choose another name or --id.")
    folders = [f for f in dict.fromkeys([*workspace.deck_dirs, workspace.decks_dir]) if Path(f).is_dir()]
    for deck in load_decks(folders, base=workspace.home).decks:
        if deck.id == deck_id:
            raise InteropError(f"the deck id '{deck_id}' is already used by {deck.path}; choose another name or --id.")
    text = starter_text(deck_id, title)
    parsed, problems = parse_deck(text.encode("utf-8"), str(path), path)
    if parsed is None or problems:
        raise InteropError("the starter deck would not load:\n" + "\n".join(problems))
    write_deck_file(path, text)
    return path
