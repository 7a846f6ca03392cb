"""Mock-interview mode: choosing a prompt, drafts saved as the user types, rubric scoring, attempts.

An attempt goes: the prompt is shown with its time limit; the answer is typed (and saved as a
draft while typing); on submit, the rubric points the answer gives evidence for
(``quizapp.modes.grading``) are pre-ticked as detected, the user confirms or changes every tick, and the share of points ticked is
the score. The score becomes the FSRS rating for the prompt (``rating_for``), and the attempt, its
review_log row (mode ``interview``) and the removal of the draft commit in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from quizapp.db.records import from_iso, new_id, time_of, to_iso
from quizapp.db.store import Store
from quizapp.decks.models import STAGES, Item, RubricPoint

DRAFT_QUIET = timedelta(seconds=1)
"""A draft is saved once typing pauses this long..."""
DRAFT_MAX_WAIT = timedelta(seconds=3)
"""...and at the latest this long after the first unsaved keystroke, even while typing goes on."""

RATING_THRESHOLDS = ((0.9, 4), (0.7, 3), (0.4, 2))
"""(lowest score, rating): see ``rating_for``."""


def rating_for(score: float) -> int:
    """The FSRS rating an interview score becomes.

    ======================  ==========
    share of rubric points  rating
    ======================  ==========
    0.9 or more             4 Easy
    0.7 up to 0.9           3 Good
    0.4 up to 0.7           2 Hard
    below 0.4               1 Again
    ======================  ==========

    So a prompt answered with under 40 % of its points comes back within minutes, a patchy answer
    soon, and a full one much later.
    """
    for lowest, rating in RATING_THRESHOLDS:
        if score >= lowest - 1e-9:
            return rating
    return 1


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Tick:
    """One rubric point as judged for an attempt."""

    point: str
    stage: str | None
    """Where the point sits in data -> model -> serving -> monitoring, or None."""
    detected: bool
    """The grader found evidence for it in the answer."""
    ticked: bool
    """The user confirmed the answer covers it."""

    def to_dict(self) -> dict[str, Any]:
        return {"point": self.point, "stage": self.stage, "detected": self.detected, "ticked": self.ticked}


def make_ticks(rubric: Sequence[RubricPoint], detected: Sequence[bool], ticked: Sequence[bool]) -> list[Tick]:
    if not (len(rubric) == len(detected) == len(ticked)):
        raise ValueError("one detected and one ticked flag per rubric point")
    return [Tick(p.point, p.stage, bool(d), bool(t)) for p, d, t in zip(rubric, detected, ticked)]


def score_of(ticks: Sequence[Tick]) -> float:
    """The share of rubric points ticked (every point weighs the same)."""
    return sum(t.ticked for t in ticks) / len(ticks) if ticks else 0.0


def stage_scores(ticks: Sequence[Tick]) -> dict[str, float]:
    """For each stage the rubric has points in, the share of them ticked; stages without points are
    left out rather than counted as missed."""
    out: dict[str, float] = {}
    for stage in STAGES:
        mine = [t for t in ticks if t.stage == stage]
        if mine:
            out[stage] = sum(t.ticked for t in mine) / len(mine)
    return out


# --------------------------------------------------------------------------- attempts


@dataclass(frozen=True)
class Attempt:
    """One stored mock-interview answer (a row of ``attempts``)."""

    id: str
    card_id: str
    started_at: datetime
    submitted_at: datetime
    time_limit_s: int
    duration_s: float
    overrun_s: float
    answer: str
    ticks: list[Tick]
    score: float
    stage_scores: dict[str, float]
    rating: int
    review_id: str | None

    @classmethod
    def from_row(cls, row: dict) -> "Attempt":
        return cls(
            id=row["id"],
            card_id=row["card_id"],
            started_at=time_of(row["started_at"]),
            submitted_at=time_of(row["submitted_at"]),
            time_limit_s=row["time_limit_s"],
            duration_s=row["duration_s"],
            overrun_s=row["overrun_s"],
            answer=row["answer"],
            ticks=[Tick(**t) for t in json.loads(row["ticks"])],
            score=row["score"],
            stage_scores=json.loads(row["stage_scores"]),
            rating=row["rating"],
            review_id=row["review_id"],
        )

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "card_id": self.card_id,
            "started_at": to_iso(self.started_at),
            "submitted_at": to_iso(self.submitted_at),
            "time_limit_s": self.time_limit_s,
            "duration_s": self.duration_s,
            "overrun_s": self.overrun_s,
            "answer": self.answer,
            "ticks": json.dumps([t.to_dict() for t in self.ticks]),
            "score": self.score,
            "stage_scores": json.dumps(self.stage_scores),
            "rating": self.rating,
            "review_id": self.review_id,
        }


def attempts_for(store: Store, card_id: str) -> list[Attempt]:
    """The prompt's earlier attempts, newest first."""
    rows = store.query("SELECT * FROM attempts WHERE card_id = ? ORDER BY submitted_at DESC, id", [card_id])
    return [Attempt.from_row(r) for r in rows]


def submit(study: Any, item: Item, answer: str, started_at: datetime, submitted_at: datetime, ticks: Sequence[Tick]) -> Attempt:
    """Store a judged attempt: its review_log row (mode ``interview``, rated by ``rating_for``),
    the attempt pointing at that row, and the removal of the prompt's draft, in one transaction."""
    duration = max(0.0, (submitted_at - started_at).total_seconds())
    limit = item.card.time_limit
    score = score_of(ticks)
    attempt = Attempt(
        id=new_id(),
        card_id=item.id,
        started_at=started_at,
        submitted_at=submitted_at,
        time_limit_s=limit,
        duration_s=round(duration, 3),
        overrun_s=round(max(0.0, duration - limit), 3),
        answer=answer,
        ticks=list(ticks),
        score=score,
        stage_scores=stage_scores(ticks),
        rating=rating_for(score),
        review_id=None,
    )

    def write_attempt(c) -> None:
        # Runs inside the answer's transaction, right after its review_log row was inserted: the
        # newest row of this card is that one.
        row = attempt.row()
        del row["review_id"]
        c.execute(
            f"INSERT INTO attempts({', '.join(row)}, review_id) VALUES ({', '.join('?' for _ in row)}, "
            "(SELECT id FROM review_log WHERE card_id = ? ORDER BY rowid DESC LIMIT 1))",
            [*row.values(), item.id],
        )
        c.execute("DELETE FROM drafts WHERE card_id = ?", [item.id])

    entry = study.record(item.id, attempt.rating, int(duration * 1000), mode="interview", also=write_attempt)
    return replace(attempt, review_id=entry.id)


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class Draft:
    """An answer being typed: its text and the answering time it has used so far."""

    card_id: str
    text: str
    started_at: datetime
    updated_at: datetime

    @property
    def elapsed(self) -> timedelta:
        return self.updated_at - self.started_at


def load_draft(store: Store, card_id: str) -> Draft | None:
    rows = store.query("SELECT * FROM drafts WHERE card_id = ?", [card_id])
    if not rows:
        return None
    r = rows[0]
    return Draft(r["card_id"], r["text"], time_of(r["started_at"]), time_of(r["updated_at"]))


def save_draft(store: Store, card_id: str, text: str, started_at: datetime, now: datetime) -> None:
    """Write (or replace) the prompt's draft."""
    with store.write() as c:
        c.execute(
            "INSERT INTO drafts(card_id, text, started_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(card_id) DO UPDATE SET text = excluded.text, started_at = excluded.started_at, "
            "updated_at = excluded.updated_at",
            [card_id, text, to_iso(started_at), to_iso(now)],
        )


def discard_draft(store: Store, card_id: str) -> None:
    with store.write() as c:
        c.execute("DELETE FROM drafts WHERE card_id = ?", [card_id])


def resume_start(draft: Draft | None, now: datetime) -> datetime:
    """When the answering clock counts from: now for a fresh answer; for a draft, as far back as the
    time it has already used, so time spent away from the app is not counted against the limit.
    (A resumed draft is saved with this start, so ``updated_at - started_at`` stays the time used.)"""
    return now if draft is None else now - max(timedelta(0), draft.elapsed)


@dataclass
class DraftSaver:
    """When to save a draft while the user types: after a short pause, and at the latest a few
    seconds after the first unsaved change, so a crash loses at most ``DRAFT_MAX_WAIT`` of typing."""

    quiet: timedelta = DRAFT_QUIET
    max_wait: timedelta = DRAFT_MAX_WAIT
    first_change: datetime | None = None
    last_change: datetime | None = None

    @property
    def dirty(self) -> bool:
        return self.first_change is not None

    def changed(self, now: datetime) -> None:
        if self.first_change is None:
            self.first_change = now
        self.last_change = now

    def due(self, now: datetime) -> bool:
        if self.first_change is None or self.last_change is None:
            return False
        return now - self.last_change >= self.quiet or now - self.first_change >= self.max_wait

    def saved(self) -> None:
        self.first_change = self.last_change = None


# --------------------------------------------------------------------------- choosing a prompt


@dataclass
class PromptStatus:
    """One interview prompt as the chooser lists it."""

    item: Item
    due: datetime | None
    """None for a prompt never answered."""
    is_due: bool
    attempts: int = 0
    last_score: float | None = None
    has_draft: bool = False
    suspended: bool = False


def prompt_queue(study: Any) -> list[PromptStatus]:
    """Every interview prompt, in the order to practise them: prompts with a draft in progress, then
    answered prompts that are due (most overdue first), then prompts never answered (in the order new
    cards are introduced, decks taking turns),
    then the rest by when they fall due. Suspended prompts come last."""
    now = study.now()
    # The prompts are looked up one by one: making every item of a large collection to find them
    # took most of a second at 100k cards.
    rows = study.store.query(
        """
        SELECT c.id, c.state, c.due, c.new_position, c.suspended,
               (SELECT COUNT(*) FROM attempts a WHERE a.card_id = c.id) AS attempts,
               (SELECT score FROM attempts a WHERE a.card_id = c.id ORDER BY submitted_at DESC LIMIT 1) AS last_score,
               EXISTS (SELECT 1 FROM drafts d WHERE d.card_id = c.id) AS has_draft
        FROM cards c WHERE c.kind = 'interview' AND c.present = 1
        """
    )
    out = []
    for r in rows:
        item = study.items.get(r["id"])
        if item is None or item.kind != "interview":
            continue
        due = from_iso(r["due"]) if r["state"] != 0 else None
        out.append(
            (
                r,
                PromptStatus(
                    item=item,
                    due=due,
                    is_due=due is not None and due <= now,
                    attempts=r["attempts"],
                    last_score=r["last_score"],
                    has_draft=bool(r["has_draft"]),
                    suspended=bool(r["suspended"]),
                ),
            )
        )

    def order(pair) -> tuple:
        r, s = pair
        if s.suspended:
            group = 4
        elif s.has_draft:
            group = 0
        elif s.is_due:
            group = 1
        elif s.due is None:
            group = 2
        else:
            group = 3
        when = s.due.timestamp() if s.due is not None else 0.0
        return (group, when, r["new_position"], s.item.id)

    return [s for _, s in sorted(out, key=order)]


def next_prompt(study: Any) -> Item | None:
    """The prompt the chooser offers first (see ``prompt_queue``)."""
    queue = prompt_queue(study)
    return queue[0].item if queue else None


class Session:
    """One prompt being answered: the answering clock, the text, and saving it as a draft."""

    def __init__(self, store: Store, item: Item, now: datetime):
        self.store = store
        self.item = item
        draft = load_draft(store, item.id)
        self.resumed = draft is not None
        """Whether a draft from an earlier sitting was brought back."""
        self.text = draft.text if draft else ""
        self.started_at = resume_start(draft, now)
        """When the answering clock counts from (see ``resume_start``)."""
        self.saver = DraftSaver()

    @property
    def time_limit(self) -> timedelta:
        return timedelta(seconds=self.item.card.time_limit)

    def elapsed(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.started_at)

    def remaining(self, now: datetime) -> timedelta:
        """Time left before the limit; negative once over it."""
        return self.time_limit - self.elapsed(now)

    def typed(self, text: str, now: datetime) -> None:
        """The editor's text changed."""
        if text != self.text:
            self.text = text
            self.saver.changed(now)

    def save_if_due(self, now: datetime) -> bool:
        """Save the draft when the saving policy says so; True when it was written."""
        if not self.saver.due(now):
            return False
        return self.flush(now)

    def flush(self, now: datetime) -> bool:
        """Save unsaved typing now (leaving the screen, quitting). An emptied answer removes the draft."""
        if not self.saver.dirty:
            return False
        if self.text.strip():
            save_draft(self.store, self.item.id, self.text, self.started_at, now)
        else:
            discard_draft(self.store, self.item.id)
        self.saver.saved()
        return True
