"""Shared fixtures: a small deck folder, a workspace around it, a store and a study session with a fixed clock."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizapp.db.store import Store
from quizapp.session import open_workspace
from quizapp.workspace import Workspace

SMALL_DECK = """
id: small
title: Small deck
cards:
  - id: s-basic
    front: "What does [bold]x[0][/] print?"
    back: "list[int] and [@click=app.quit]z[/]"
    source: 002_18f98a9d08c2b30b.txt
    tags: [markup]
  - id: s-cloze
    kind: cloze
    text: "Torch7 used {{c1::Lua}}; PyTorch uses {{c2::Python}}."
    source: 002_18f98a9d08c2b30b.txt
    tags: [origins]
  - id: s-choice
    kind: choice
    question: Which came first?
    choices: [Torch, Torch7, PyTorch]
    answer: Torch
    source: 002_18f98a9d08c2b30b.txt
    tags: [timeline]
  - id: s-reverse
    front: TorchDynamo
    back: Captures Python bytecode into graphs
    reverse: true
    year: 2023
    event: TorchDynamo ships in PyTorch 2.0
    source: 002_18f98a9d08c2b30b.txt
    tags: [compiler]
  - id: s-interview
    kind: interview
    prompt: When would you pick FSDP over DDP?
    model_answer: [Model does not fit on one GPU, Shard params grads and optimizer state]
    rubric:
      - {point: Memory per GPU, stage: model, evidence: ["memory|fit + gpu|device|each"]}
      - {point: Sharding, stage: model, evidence: ["shard|partition|split + param|parameter|gradient|optimizer state"]}
      - {point: Communication cost, stage: tradeoff, evidence: ["communication|bandwidth|all-gather + cost|overhead|more|slower"]}
      - {point: Watch throughput, stage: monitoring, evidence: ["watch|monitor|track + throughput|utilization"]}
    source: 002_18f98a9d08c2b30b.txt
    tags: [distributed]
"""

FIXED_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = FIXED_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now = self.now + timedelta(**kwargs)


def write_deck(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture(autouse=True, scope="session")
def _deck_cache_in_a_temporary_folder(tmp_path_factory):
    """Tests never write into the user's own cache folder."""
    import os

    old = os.environ.get("QUIZAPP_CACHE_DIR")
    os.environ["QUIZAPP_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("QUIZAPP_CACHE_DIR", None)
    else:
        os.environ["QUIZAPP_CACHE_DIR"] = old


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A workspace holding only the small deck (no bundled decks)."""
    decks = tmp_path / "decks"
    write_deck(decks, "small.yaml", SMALL_DECK)
    return Workspace(tmp_path, (decks,), "test")


@pytest.fixture
def opened(workspace):
    o = open_workspace(workspace)
    yield o
    o.store.close()


@pytest.fixture
def study(opened, clock):
    return opened.study(clock)


@pytest.fixture
def fresh_store():
    store = Store.open(None)
    yield store
    store.close()
