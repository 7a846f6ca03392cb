"""Generated decks and review histories for the progress tests and the dashboard benchmark."""

from __future__ import annotations

import json
import random
import textwrap
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import fsrs

from quizapp.db.records import NEW, CardState, LogEntry, to_iso
from quizapp.db.store import Store
from quizapp.scheduling.scheduler import Scheduler, StudySettings

TRUE_PARAMETERS = tuple(
    p * 2.5 if i < 4 else p for i, p in enumerate(fsrs.Scheduler().parameters)
)
"""The memory the generated learner really has: initial stabilities 2.5 times FSRS's defaults, so a
fit of the parameters to the generated log has something to find."""
TOPICS = ("compilers", "distributed", "serving-infra", "data-pipelines")
STAGE_CYCLE = ("data", "model", "serving", "monitoring", "tradeoff")


def generated_deck(deck_id: str, cards: int, *, interview: int = 0, offset: int = 0) -> str:
    """Deck YAML with ``cards`` basic cards tagged with a topic and a stage, and ``interview`` prompts."""
    lines = [f"id: {deck_id}", f"title: Generated {deck_id}", "cards:"]
    for n in range(offset, offset + cards):
        lines += [
            f"  - id: {deck_id}-{n:04d}",
            f"    front: Question {n} of {deck_id}",
            f"    back: Answer {n}",
            "    source: gen.txt",
            f"    tags: [{TOPICS[n % len(TOPICS)]}, {STAGE_CYCLE[n % len(STAGE_CYCLE)]}]",
        ]
    for n in range(interview):
        lines += textwrap.indent(
            textwrap.dedent(
                f"""\
                - id: {deck_id}-prompt-{n}
                  kind: interview
                  prompt: Design prompt {n}
                  model_answer: [Outline]
                  rubric:
                    - {{point: Data, stage: data, terms: [data]}}
                    - {{point: Model, stage: model, terms: [model]}}
                    - {{point: Serving, stage: serving, terms: [latency]}}
                  source: gen.txt
                  tags: [{TOPICS[n % len(TOPICS)]}]
                """
            ),
            "  ",
        ).splitlines()
    return "\n".join(lines) + "\n"


def write_generated_decks(folder: Path, decks: dict[str, int], interview: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (deck_id, cards) in enumerate(decks.items()):
        (folder / f"{deck_id}.yaml").write_text(
            generated_deck(deck_id, cards, interview=interview if i == 0 else 0), encoding="utf-8"
        )


def generate_history(
    store: Store,
    card_ids: Sequence[str],
    *,
    end: datetime,
    days: int,
    seed: int = 7,
    true_parameters: Sequence[float] = TRUE_PARAMETERS,
    settings: StudySettings | None = None,
    mode: str = "review",
    max_rows: int | None = None,
) -> int:
    """Simulate studying ``card_ids`` over the ``days`` before ``end`` and write it to ``store``.

    Each card is first studied at a random moment, then answered whenever it falls due (sometimes a
    day or two late). Whether it is recalled follows FSRS with ``true_parameters``; the schedule
    follows ``settings`` (the defaults without fuzz). The log rows and the cards' final states are
    written directly, in one transaction, exactly as ``Study.answer`` would have written them.
    With ``max_rows``, cards are left unstudied once that many answers are written. Returns the
    number of answers written.
    """
    rng = random.Random(seed)
    scheduler = Scheduler(settings or StudySettings(fuzz=False))
    truth = fsrs.Scheduler(parameters=tuple(true_parameters), enable_fuzzing=False)
    start = end - timedelta(days=days)
    rows: list[tuple] = []
    finals: list[CardState] = []
    for n, card_id in enumerate(card_ids):
        if max_rows is not None and len(rows) >= max_rows:
            break
        state = CardState(id=card_id)
        memory = fsrs.Card(card_id=n + 1)
        when = start + timedelta(seconds=rng.uniform(0, days * 86400 * 0.9))
        while when < end:
            if state.state == NEW:
                rating = rng.choices((1, 2, 3, 4), (20, 10, 60, 10))[0]
            else:
                recalled = rng.random() < truth.get_card_retrievability(memory, when)
                rating = rng.choices((2, 3, 4), (10, 80, 10))[0] if recalled else 1
            after = scheduler.answer(state, rating, when)
            memory, _ = truth.review_card(memory, fsrs.Rating(rating), when)
            entry = LogEntry(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                card_id=card_id,
                rating=rating,
                reviewed_at=when,
                duration_ms=rng.randint(2000, 30000),
                mode=mode,
                state_before=state.state,
                due_after=after.due,
                prev=state.to_json(),
                recall=scheduler.retrievability(state, when) if state.state != NEW else None,
            )
            rows.append(tuple(entry.row().values()))
            state = after
            late = timedelta(hours=rng.choice((0, 0, 0, 2, 9, 30))) if state.state == 2 else timedelta(seconds=rng.randint(5, 90))
            when = max(state.due, when) + late
        finals.append(state)
    columns = list(LogEntry(id="", card_id="", rating=1, reviewed_at=end).row())
    rows.sort(key=lambda row: row[columns.index("reviewed_at")])  # a real log grows in time order
    with store.write() as c:
        c.executemany(
            f"INSERT INTO review_log({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows
        )
        for state in finals:
            cols = state.columns()
            c.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), state.id])
    return len(rows)


def add_attempt(store: Store, card_id: str, submitted_at: datetime, stages: dict[str, float], rating: int = 3) -> None:
    """Store one mock-interview attempt as the interview mode writes it (its score is the mean stage share)."""
    score = sum(stages.values()) / len(stages)
    with store.write() as c:
        c.execute(
            "INSERT INTO attempts(id, card_id, started_at, submitted_at, time_limit_s, duration_s, answer, ticks,"
            " score, stage_scores, rating) VALUES (?, ?, ?, ?, 300, 240, 'answer', '[]', ?, ?, ?)",
            [str(uuid.uuid4()), card_id, to_iso(submitted_at - timedelta(minutes=4)), to_iso(submitted_at), score,
             json.dumps(stages), rating],
        )
