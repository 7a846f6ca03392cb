"""Searching cards the way Anki's browser does, for the TUI's card browser and ``quizapp search``.

A query is words joined by AND: free text (found in a card's question and answer, case-insensitive),
``deck:ID``, ``tag:T`` (both take ``*`` wildcards), ``is:due``, ``is:new``, ``is:learn``,
``is:review``, ``is:suspended``, ``is:buried``, ``is:leech``; ``-`` before a word negates it, and
quotes keep words together (``"data parallel"``). Queries are run by SQLite on a ``CardIndex``, an
in-memory copy of every card's text and figures. No Textual here.
"""

from __future__ import annotations

import shlex
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quizapp.db.records import from_iso, to_iso
from quizapp.db.store import Store
from quizapp.decks.models import DeckSet, Item, card_items
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


Term = tuple[str, dict[str, object]]
"""One word of a query: a condition on the index's ``cards`` table (never NULL) and its parameters."""

IS_TERMS: dict[str, str] = {
    "due": "state != 0 AND due_ts < :day_end",
    "new": "state = 0",
    "learn": "state IN (1, 3)",
    "review": "state IN (2, 3)",
    "suspended": "suspended",
    "buried": "buried_until IS NOT NULL AND buried_until >= :today",
    # Tagged leech in its deck file, or marked so in the progress database.
    "leech": f"leech OR EXISTS (SELECT 1 FROM tags WHERE tags.card = cards.rowid AND tags.tag = '{LEECH_TAG}')",
}
"""``is:NAME`` and what it means (``:day_end`` and ``:today`` come from the ``Context``); add an entry
to add a predicate."""


def _glob(pattern: str) -> str:
    """A ``*``/``?`` wildcard pattern, lower-cased, as SQLite's GLOB takes it."""
    return pattern.lower().replace("[!", "[^")


def _term(word: str, name: str) -> Term:
    """``word`` as a condition; ``name`` names its parameters (unique in the query)."""
    key, sep, value = word.partition(":")
    key = key.lower()
    if sep and key == "is":
        condition = IS_TERMS.get(value.lower())
        if condition is None:
            known = ", ".join(f"is:{k}" for k in IS_TERMS)
            raise SearchError(f"unknown search 'is:{value}' (known: {known})")
        return condition, {}
    if sep and key == "deck":
        if not value:
            raise SearchError("'deck:' needs a deck id, e.g. deck:pytorch-history")
        return f"deck_lower GLOB :{name}", {name: _glob(value)}
    if sep and key == "tag":
        if not value:
            raise SearchError("'tag:' needs a tag, e.g. tag:compiler")
        # As in Anki, tag:T also finds T's child tags (T::x).
        child = value.lower() + "::"
        return (f"EXISTS (SELECT 1 FROM tags WHERE tags.card = cards.rowid AND (tags.tag GLOB :{name} "
                f"OR substr(tags.tag, 1, {len(child)}) = :{name}_child))", {name: _glob(value), f"{name}_child": child})
    return f"instr(text_lower, :{name})", {name: word.lower()}


def parse_query(query: str) -> list[Term]:
    """The query's words as conditions a card must all meet; raises ``SearchError`` for a query
    that cannot be read."""
    try:
        words = shlex.split(query)
    except ValueError as exc:
        raise SearchError(f"cannot read the search {query!r}: {exc}") from None
    terms: list[Term] = []
    for n, word in enumerate(words):
        negate = word.startswith("-") and len(word) > 1
        condition, params = _term(word[1:] if negate else word, f"w{n}")
        condition = f"coalesce(({condition}), 0)"
        terms.append((f"NOT {condition}" if negate else condition, params))
    return terms


def _one_line(spans: list[tuple[str, str]]) -> str:
    return " ".join("".join(text for text, _ in spans).split())


def _texts(item: Item | None) -> tuple[str, str, tuple[str, ...]]:
    if item is None:
        return "", "", ()
    return _one_line(item.front_spans()), _one_line(item.back_spans()), tuple(item.card.tags)


def _deck_texts(decks: DeckSet) -> Callable[[str], tuple[str, str, tuple[str, ...]]]:
    """An item id's (question, answer, tags) from the decks, its card's items made when asked for
    and not kept beyond the next card (rows come card by card). Keeping an item per card, as an
    ``ItemMap`` does, grows what Python's collector walks by 100,000 objects at 100k cards."""
    card_of = {card.id: card for deck in decks.decks for card in deck.cards}
    deck_of = {card.id: deck.id for deck in decks.decks for card in deck.cards}
    made: dict[str, Item] = {}

    def texts(item_id: str) -> tuple[str, str, tuple[str, ...]]:
        nonlocal made
        if item_id not in made:
            card_id = item_id.split("::", 1)[0]
            card = card_of.get(card_id)
            made = {} if card is None else {item.id: item for item in card_items(card, deck_of[card_id])}
        return _texts(made.get(item_id))

    return texts


def card_rows(store: Store, decks: DeckSet, scheduler: Scheduler, now: datetime,
              card_ids: list[str] | None = None) -> list[CardRow]:
    """Every card in the progress database (or those of ``card_ids``) with its text from the decks,
    in deck order."""
    with CardIndex.read(store, decks, scheduler, now, card_ids) as index:
        return index.find([])[1]


def context(now: datetime, rollover_hour: int) -> Context:
    today = study_day(now, rollover_hour)
    return Context(now=now, today=today, day_end=day_start(today + timedelta(days=1), rollover_hour))


SORT_COLUMNS = {
    "card": "card_key", "deck": "deck_id", "state": "state", "due": "due_ts", "interval": "interval_days",
    "stability": "stability", "difficulty": "difficulty", "recall": "recall", "lapses": "lapses",
}
"""What the found cards can be sorted by, and the index's column for each (a card's key is its
question, lower-cased, or its id when it has none)."""

_INDEX_SCHEMA = """
CREATE TABLE cards (
    text_lower TEXT, deck_lower TEXT, due_ts REAL, interval_days REAL, card_key TEXT,
    id TEXT, deck_id TEXT, kind TEXT, state INTEGER, due TEXT, last_review TEXT,
    stability REAL, difficulty REAL, recall REAL, reps INTEGER, lapses INTEGER, suspended INTEGER,
    buried_until TEXT, present INTEGER, tags TEXT, leech INTEGER, question TEXT, answer TEXT
);
CREATE TABLE tags (card INTEGER, tag TEXT);
"""
_SEARCHED = 5
"""The index's first columns are what is searched and sorted (first, so that SQLite finds them
without reading past a long question): the question, answer and id lower-cased (one text, split by
a unit separator), the deck lower-cased, the due time, the interval and the card column's sort key.
A ``CardRow`` is made from the rest."""
_SEPARATOR = "\x1f"
"""Between the texts joined in one column (the searched text, the tags): a character no text holds."""

_CARDS_SQL = """
SELECT id, deck_id, kind, state, due, last_review, stability, difficulty,
       CASE WHEN state != 0 THEN {recall} END, reps, lapses, suspended, buried_until, present, leech,
       (julianday(due) - 2440587.5) * 86400, CASE WHEN state != 0 THEN julianday(due) - julianday(last_review) END
FROM cards {where} ORDER BY deck_id, new_position
"""
"""Every card's figures, with its recall now, its due time as a Unix time (to compare and sort) and its interval in days."""


class CardIndex:
    """Every card's text and figures in an in-memory SQLite database, searched and sorted there: a
    search hands back the cards it shows, and no Python object is kept per card. (The browser held
    100,000 ``CardRow``; walking and freeing them stalled the screen for 0.1-0.25 s at a time.) Safe
    to use from one thread after another, as the browser's workers do."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._conn.executescript(_INDEX_SCHEMA)
        self._lock = threading.Lock()
        self.size = 0
        """How many cards the index holds."""

    @classmethod
    def read(cls, store: Store, decks: DeckSet, scheduler: Scheduler, now: datetime,
             card_ids: list[str] | None = None) -> CardIndex:
        """Every card of the progress database (or those of ``card_ids``), with its text from the decks."""
        ensure_sql_math(store.conn)
        params: dict = {**curve_params(scheduler), "now": to_iso(now)}
        where = ""
        if card_ids is not None:
            where = f"WHERE id IN ({', '.join(f':id{i}' for i in range(len(card_ids)))})"
            params.update({f"id{i}": card_id for i, card_id in enumerate(card_ids)})
        sql = _CARDS_SQL.format(recall=recall_sql("stability", "last_review", ":now", unknown="NULL"), where=where)
        index = cls()
        index._add(store.conn.execute(sql, params), _deck_texts(decks))
        return index

    def _add(self, cards: Iterable[tuple], texts: Callable[[str], tuple[str, str, tuple[str, ...]]]) -> None:
        tags: list[tuple[int, str]] = []

        def records() -> Iterator[tuple]:
            for (card_id, deck_id, kind, state, due, last_review, stability, difficulty, recall, reps, lapses,
                 suspended, buried_until, present, leech, due_ts, interval) in cards:
                self.size += 1  # the row's rowid, as rows are added in order to an empty table
                question, answer, card_tags = texts(card_id)
                tags.extend((self.size, t.lower()) for t in card_tags)
                question_lower = question.lower()
                yield (f"{question_lower}{_SEPARATOR}{answer.lower()}{_SEPARATOR}{card_id.lower()}",
                       deck_id.lower(), due_ts, interval, question_lower or card_id,
                       card_id, deck_id, kind, state, due, last_review, stability, difficulty, recall, reps, lapses,
                       suspended, buried_until, present, _SEPARATOR.join(card_tags), leech, question, answer)

        marks = ", ".join("?" * 23)
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany(f"INSERT INTO cards VALUES ({marks})", records())
            self._conn.executemany("INSERT INTO tags VALUES (?, ?)", tags)
            self._conn.execute("CREATE INDEX tags_card ON tags(card)")
            self._conn.execute("COMMIT")

    def find(self, terms: list[Term], ctx: Context | None = None, sort: str | None = None, reverse: bool = False,
             limit: int | None = None) -> tuple[int, list[CardRow]]:
        """(how many cards meet every term, the first ``limit`` of them as rows), sorted by the
        ``SORT_COLUMNS`` key ``sort`` (cards without a value last), else in deck order. ``ctx`` is
        needed by the ``is:`` terms that compare with today."""
        where = " AND ".join(condition for condition, _ in terms) or "1"
        params: dict[str, object] = {}
        if ctx is not None:
            params.update(day_end=ctx.day_end.timestamp(), today=ctx.today.isoformat())
        for _, term_params in terms:
            params.update(term_params)
        column, direction = ("rowid", "") if sort is None else (SORT_COLUMNS[sort], " DESC" if reverse else "")
        last = -1 if limit is None else int(limit)
        with self._lock:
            if not terms:
                # As Python's stable sort, reversed or not: deck order among equal values.
                order = f"{column} IS NULL{direction}, {column}{direction}, rowid"
                found = self._conn.execute(f"SELECT *, {self.size} FROM cards ORDER BY {order} LIMIT {last}").fetchall()
            else:  # the cards found (row and sort value) are gathered in one pass, then counted and sorted
                found = self._conn.execute(
                    f"WITH found(card, key) AS MATERIALIZED (SELECT rowid, {column} FROM cards WHERE {where}) "
                    f"SELECT cards.*, (SELECT count(*) FROM found) FROM found JOIN cards ON cards.rowid = found.card "
                    f"ORDER BY key IS NULL{direction}, key{direction}, card LIMIT {last}", params).fetchall()
        total = found[0][-1] if found else 0
        return total, [_card_row(values[_SEARCHED:-1]) for values in found]

    def interrupt(self) -> None:
        """Stop the search running in another thread, if any (its ``find`` raises
        ``sqlite3.OperationalError``): a newer one replaces it."""
        self._conn.interrupt()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> CardIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _card_row(values: tuple) -> CardRow:
    (card_id, deck_id, kind, state, due, last_review, stability, difficulty, recall, reps, lapses, suspended,
     buried_until, present, tags, leech, question, answer) = values
    return CardRow(
        id=card_id, deck_id=deck_id, kind=kind, question=question, answer=answer, state=state, due=from_iso(due),
        last_review=from_iso(last_review), stability=stability, difficulty=difficulty, recall=recall, reps=reps,
        lapses=lapses, suspended=bool(suspended), buried_until=buried_until, present=bool(present),
        tags=tuple(tags.split(_SEPARATOR)) if tags else (), leech=bool(leech),
    )


def search(store: Store, decks: DeckSet, scheduler: Scheduler, query: str, now: datetime) -> list[CardRow]:
    """The cards the query finds, in deck order; raises ``SearchError`` for a query it cannot read."""
    terms = parse_query(query)
    with CardIndex.read(store, decks, scheduler, now) as index:
        return index.find(terms, context(now, scheduler.settings.rollover_hour))[1]
