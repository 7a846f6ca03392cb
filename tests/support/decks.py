"""Deck texts, a fixed moment and a hand-moved clock, shared by the tests (fixtures are in conftest.py)."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

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


DATED_DECK = """
id: dated
title: Dated deck
cards:
  - id: d-2001
    front: Torch?
    back: "2001"
    year: 2001
    event: Torch is created at IDIAP
    source: s.txt
    tags: [timeline]
  - id: d-2011
    front: Torch7?
    back: "2011"
    year: 2011
    event: Torch7 adopts Lua
    source: s.txt
    tags: [timeline]
  - id: d-2016
    front: PyTorch?
    back: "2016"
    year: 2016
    event: PyTorch starts at FAIR
    source: s.txt
    tags: [timeline]
  - id: d-2018
    front: 1.0?
    back: "2018"
    year: 2018
    event: PyTorch 1.0 ships
    source: s.txt
    tags: [timeline]
  - id: d-2022
    kind: cloze
    text: "The {{c1::PyTorch Foundation}} was formed in 2022."
    year: 2022
    event: The PyTorch Foundation is created
    source: s.txt
    tags: [timeline, governance]
  - id: d-2023
    front: 2.0?
    back: "2023"
    year: 2023
    event: PyTorch 2.0 ships torch.compile
    source: s.txt
    tags: [timeline, compiler]
  - id: d-conflict-a
    front: ONNX (a)?
    back: "2017"
    year: 2017
    event: ONNX appears
    source: s.txt
    tags: [timeline]
  - id: d-conflict-b
    front: ONNX (b)?
    back: "2018"
    year: 2018
    event: ONNX appears
    source: s.txt
    tags: [timeline]
  - id: d-choice
    kind: choice
    question: "Which release brought [bold]torch.compile[/]?"
    choices: [PyTorch 1.0, PyTorch 2.0, PyTorch 2.5]
    answer: PyTorch 2.0
    explanation: The 2.0 release, in 2023.
    source: s.txt
    tags: [compiler]
  - id: d-order
    kind: order
    prompt: Put the lineage in order.
    items: [Torch, Torch7, PyTorch, PyTorch 2.0]
    source: s.txt
    tags: [timeline]
"""


def cloze_heavy_deck(cards: int) -> str:
    """A deck where most cards have siblings: cloze cards with three deletions and reversed cards."""
    lines = ["id: sim", "title: Simulated", "cards:"]
    for n in range(cards):
        if n % 3 == 0:
            lines += [f"  - id: c{n}", "    kind: cloze", '    text: "{{c1::One}}, {{c2::two}} and {{c3::three}}."']
        elif n % 3 == 1:
            lines += [f"  - id: r{n}", "    front: Front", "    back: Back", "    reverse: true"]
        else:
            lines += [f"  - id: b{n}", "    front: Front", "    back: Back"]
        lines.append("    source: s.txt")
    return "\n".join(lines) + "\n"
