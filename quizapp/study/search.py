"""Searching cards the way Anki's browser does, for the TUI's card browser and ``quizapp search``.

A query is words joined by AND: free text (found in a card's question and answer, case-insensitive),
``deck:ID``, ``tag:T`` (both take ``*`` wildcards), ``is:due``, ``is:new``, ``is:learn``,
``is:review``, ``is:suspended``, ``is:buried``, ``is:leech``; ``-`` before a word negates it, and
quotes keep words together (``"data parallel"``). No Textual here.
"""

from __future__ import annotations

import fnmatch
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quizapp.db.records import from_iso, to_iso
from quizapp.db.store import Store
from quizapp.decks.models import DeckSet, Item
from quizapp.errors import QuizappError
from quizapp.scheduling.recall import curve_params, ensure_sql_math, recall_sql
from quizapp.scheduling.scheduler import Scheduler, day_start, study_day

STATE_NAMES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}
"""The word each scheduling state is shown as."""
LEECH_TAG = "leech"
"""The tag that marks a leech (Anki's, and quizapp's)."""


class SearchError(QuizappError):
    """A query that cannot be read (an unknown ``is:``, an unclosed quote)."""


@dataclass(slots=True)
class CardRow:
    """One card as the browser lists it: its scheduling figures and the text it is searched by."""

    id: str
    deck_id: str
    kind: str
    question: str
    """The question as one line ('' for a card no longer in any deck)."""
    answer: str
    state: int
    due: datetime | None
    last_review: datetime | None
    stability: float | None
    difficulty: float | None
    recall: float | None
    """FSRS's predicted chance of recalling it now (None for a new card)."""
    reps: int
    lapses: int
    suspended: bool
    buried_until: str | None
    """The study day (ISO date) it is buried through, if any."""
    present: bool
    tags: tuple[str, ...] = ()
    """A tuple: Python's garbage collector stops walking a tuple of strings, and the browser holds
    one row per card (at 100k cards the walks of lists stalled the screen)."""
    leech: bool = False
    """Marked a leech in the progress database (after too many lapses)."""

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, str(self.state))

    @property
    def interval_days(self) -> float | None:
        """Days from the last review to the due time (None for a new card)."""
        if self.due is None or self.last_review is None or self.state == 0:
            return None
        return (self.due - self.last_review).total_seconds() / 86400

    def to_json(self) -> dict:
        return {
            "id": self.id, "deck": self.deck_id, "kind": self.kind, "question": self.question,
            "state": self.state_name, "due": to_iso(self.due), "interval_days": self.interval_days,
            "stability": self.stability, "difficulty": self.difficulty, "recall": self.recall,
            "reps": self.reps, "lapses": self.lapses, "suspended": self.suspended,
            "buried_until": self.buried_until, "in_decks": self.present, "tags": list(self.tags),
        }


@dataclass(frozen=True)
class Context:
    """What the ``is:`` predicates compare against: now, and today's study day and its end."""

    now: datetime
    today: date
    day_end: datetime


def _is_leech(card: CardRow, ctx: Context) -> bool:
    # Tagged leech in its deck file, or marked so in the progress database.
    return card.leech or LEECH_TAG in (t.lower() for t in card.tags)


IS_PREDICATES: dict[str, Callable[[CardRow, Context], bool]] = {
    "due": lambda c, ctx: c.state != 0 and c.due is not None and c.due < ctx.day_end,
    "new": lambda c, ctx: c.state == 0,
    "learn": lambda c, ctx: c.state in (1, 3),
    "review": lambda c, ctx: c.state in (2, 3),
    "suspended": lambda c, ctx: c.suspended,
    "buried": lambda c, ctx: c.buried_until is not None and c.buried_until >= ctx.today.isoformat(),
    "leech": _is_leech,
}
"""``is:NAME`` and what it means; add an entry to add a predicate."""


Predicate = Callable[[CardRow, Context], bool]


def _wildcard(pattern: str) -> Callable[[str], bool]:
    pattern = pattern.lower()
    return lambda value: fnmatch.fnmatchcase(value.lower(), pattern)


def _term(word: str) -> Predicate:
    name, sep, value = word.partition(":")
    key = name.lower()
    if sep and key == "is":
        predicate = IS_PREDICATES.get(value.lower())
        if predicate is None:
            known = ", ".join(f"is:{k}" for k in IS_PREDICATES)
            raise SearchError(f"unknown search 'is:{value}' (known: {known})")
        return predicate
    if sep and key == "deck":
        if not value:
            raise SearchError("'deck:' needs a deck id, e.g. deck:pytorch-history")
        match = _wildcard(value)
        return lambda c, ctx: match(c.deck_id)
    if sep and key == "tag":
        if not value:
            raise SearchError("'tag:' needs a tag, e.g. tag:compiler")
        match = _wildcard(value)
        # As in Anki, tag:T also finds T's child tags (T::x).
        return lambda c, ctx: any(match(t) or t.lower().startswith(value.lower() + "::") for t in c.tags)
    needle = word.lower()
    return lambda c, ctx: needle in c.question.lower() or needle in c.answer.lower() or needle in c.id.lower()


def parse_query(query: str) -> list[Predicate]:
    """The query's words as predicates a card must all satisfy; raises ``SearchError`` for a query
    that cannot be read."""
    try:
        words = shlex.split(query)
    except ValueError as exc:
        raise SearchError(f"cannot read the search {query!r}: {exc}") from None
    predicates: list[Predicate] = []
    for word in words:
        negate = word.startswith("-") and len(word) > 1
        predicate = _term(word[1:] if negate else word)
        predicates.append(_negated(predicate) if negate else predicate)
    return predicates


def _negated(predicate: Predicate) -> Predicate:
    return lambda c, ctx: not predicate(c, ctx)


def _one_line(spans: list[tuple[str, str]]) -> str:
    return " ".join("".join(text for text, _ in spans).split())


def _texts(item: Item | None) -> tuple[str, str, tuple[str, ...]]:
    if item is None:
        return "", "", ()
    return _one_line(item.front_spans()), _one_line(item.back_spans()), tuple(item.card.tags)


_CARDS_SQL = "SELECT *, {recall} AS recall_now FROM cards ORDER BY deck_id, new_position"


def card_rows(store: Store, decks: DeckSet, scheduler: Scheduler, now: datetime,
              card_ids: list[str] | None = None) -> list[CardRow]:
    """Every card in the progress database (or those of ``card_ids``) with its text from the decks."""
    ensure_sql_math(store.conn)
    sql = _CARDS_SQL.format(recall=recall_sql("stability", "last_review", ":now", unknown="NULL"))
    params: dict = {**curve_params(scheduler), "now": to_iso(now)}
    if card_ids is not None:
        marks = ", ".join(f":id{i}" for i in range(len(card_ids)))
        sql = sql.replace(" ORDER BY", f" WHERE id IN ({marks}) ORDER BY")
        params.update({f"id{i}": card_id for i, card_id in enumerate(card_ids)})
    items = decks.item_map()
    out = []
    for row in store.rows(sql, params):
        question, answer, tags = _texts(items.get(row["id"]))
        out.append(CardRow(
            id=row["id"], deck_id=row["deck_id"], kind=row["kind"], question=question, answer=answer,
            state=row["state"], due=from_iso(row["due"]), last_review=from_iso(row["last_review"]),
            stability=row["stability"], difficulty=row["difficulty"],
            recall=row["recall_now"] if row["state"] != 0 else None,
            reps=row["reps"], lapses=row["lapses"], suspended=bool(row["suspended"]),
            buried_until=row["buried_until"], present=bool(row["present"]), tags=tags, leech=bool(row["leech"]),
        ))
    return out


def context(now: datetime, rollover_hour: int) -> Context:
    today = study_day(now, rollover_hour)
    return Context(now=now, today=today, day_end=day_start(today + timedelta(days=1), rollover_hour))


def search(store: Store, decks: DeckSet, scheduler: Scheduler, query: str, now: datetime) -> list[CardRow]:
    """The cards the query finds, in deck order; raises ``SearchError`` for a query it cannot read."""
    predicates = parse_query(query)
    ctx = context(now, scheduler.settings.rollover_hour)
    return [c for c in card_rows(store, decks, scheduler, now) if all(p(c, ctx) for p in predicates)]
