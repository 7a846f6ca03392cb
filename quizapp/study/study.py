"""A study session: today's queue, answering, undo, bury and suspend. No Textual here.

Longer than 400 lines: the queue, answering and undo share the session's state and the queue's SQL;
a split into queue and answering is the next cut.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from quizapp.db.records import NEW, REVIEW, CardState, LogEntry, new_id, to_iso, utcnow
from quizapp.db.store import PLAN_KEY, Store, write_states
from quizapp.decks.models import DeckSet, Item, card_items
from quizapp.errors import QuizappError
from quizapp.scheduling.replay import replay_card
from quizapp.scheduling.scheduler import Scheduler, StudySettings, day_start, load_settings, study_day
from quizapp.study import leech, queue


class StaleCardError(QuizappError):
    """The card was answered elsewhere since its answer was shown: nothing was saved."""


LEARN_AHEAD = timedelta(minutes=20)
"""When nothing else is left, learning cards due within this long are shown early (as Anki does)."""
STUDY_KINDS = ("basic", "cloze", "choice", "order")
"""Kinds that the daily review shows; interview prompts are studied in mock-interview mode."""


@dataclass
class DeckCounts:
    deck_id: str
    title: str
    new: int = 0
    """New cards that today's limit will still introduce."""
    learning: int = 0
    due: int = 0
    learned: int = 0
    """Cards graduated to review (relearning ones too): learning cards are not learned yet."""
    total: int = 0
    """The deck's cards: every side and cloze deletion, interview prompts and suspended cards too
    (the one count of a deck's cards every screen shows)."""


@dataclass(frozen=True)
class Focus:
    """A review of chosen cards whether due or not, e.g. the dashboard's weakest cards."""

    ids: tuple[str, ...]
    """The cards, in the order they are shown."""
    since: datetime
    """When this review began: a card reviewed since then is done, apart from its learning steps."""
    title: str = ""
    """What the review screen calls it (the dashboard's weakest cards when empty)."""
    mode: str = "review"
    """``cram``: answers are logged with this mode and change no schedule; a card is done once
    answered other than Again since the cram began."""


@dataclass
class Answered:
    item_id: str
    rating: int
    duration_ms: int
    was_new: bool
    was_review: bool = False


@dataclass(frozen=True)
class Outcomes:
    """What each rating would do to a card, computed when its answer was shown (``Study.preview``).

    py-fsrs uses the moment of an answer only through the whole days since the card's last review
    and as the start of the next interval, so an answer given later on the same card, by the same
    scheduler, with the same whole days elapsed, gets exactly these states moved by the time between;
    fuzz is drawn once, here, so the interval on a button is the one scheduled.
    """

    item_id: str
    stored: tuple
    """The card's state columns as read (``Store.state_values``): an answer checks them again."""
    scheduler: Scheduler
    at: datetime
    """The moment the outcomes were computed for."""
    days: int | None
    """Whole days from the last review to ``at`` (None for a card never reviewed)."""
    before: CardState
    prev: str
    recall: float | None
    after: dict[int, CardState]

    def applies(self, item_id: str, stored: tuple, scheduler: Scheduler, now: datetime) -> bool:
        """Whether an answer at ``now`` to the card now stored as ``stored`` gets these outcomes: the
        same card in the same state, the same scheduler, the same whole days since its last review."""
        return (
            item_id == self.item_id
            and stored == self.stored
            and scheduler is self.scheduler
            and _whole_days(self.before, now) == self.days
        )

    def after_at(self, rating: int, now: datetime) -> CardState:
        """The state after ``rating`` given at ``now`` (which ``applies``)."""
        shifted = copy(self.after[rating])
        assert shifted.due is not None  # every outcome of an answer is due at some time
        shifted.due = shifted.due + (now - self.at)
        shifted.last_review = now
        return shifted


def _whole_days(state: CardState, now: datetime) -> int | None:
    return (now - state.last_review).days if state.last_review is not None else None


def _answer_moment(state: CardState, now: datetime) -> datetime:
    if state.last_review is not None and now <= state.last_review:
        # A clock set back, or two answers within its resolution: replay orders a card's
        # answers by their times, so the log must keep them in the order they were given.
        return state.last_review + timedelta(microseconds=1)
    return now


@dataclass
class SessionSummary:
    answers: list[Answered] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.answers)

    @property
    def cards(self) -> int:
        return len({a.item_id for a in self.answers})

    @property
    def new_cards(self) -> int:
        return len({a.item_id for a in self.answers if a.was_new})

    @property
    def seconds(self) -> float:
        return sum(a.duration_ms for a in self.answers) / 1000

    def by_rating(self) -> dict[int, int]:
        out = {1: 0, 2: 0, 3: 0, 4: 0}
        for a in self.answers:
            out[a.rating] += 1
        return out

    @property
    def correct_share(self) -> float:
        return sum(1 for a in self.answers if a.rating > 1) / len(self.answers) if self.answers else 0.0


class Study:
    """Everything the review screen and ``quizapp review`` need, over one store and one set of decks."""

    def __init__(
        self,
        store: Store,
        decks: DeckSet,
        settings: StudySettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.store = store
        self.decks = decks
        self.items: Mapping[str, Item] = decks.item_map(
            deck_of=lambda card_id: store.scalar("SELECT deck_id FROM cards WHERE id = ?", [card_id])
        )
        """Every item by id; only the decks of the cards looked up are indexed."""
        self.settings = settings or load_settings(store)
        self.scheduler = Scheduler(self.settings)
        self.clock = clock
        """Returns the current UTC time; tests pass a fixed one."""
        self.undo_stack: list[tuple] = []
        """What ctrl+z can take back, newest last: ('answer', log id) or ('flags', item id, old flags)."""
        self.summary = SessionSummary()
        self.shown: Outcomes | None = None
        """The outcomes of the card whose answer was shown last (see ``preview``)."""
        self._siblings: dict[str, tuple[str, ...]] = {}

    def use_settings(self, settings: StudySettings) -> None:
        """Schedule every answer from now on with ``settings`` (e.g. just-fitted FSRS parameters)."""
        self.settings = settings
        self.scheduler = Scheduler(settings)

    # ------------------------------------------------------------ time

    def now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    def today(self) -> date:
        return self._day(self.now())[0]

    def _day(self, now: datetime) -> tuple[date, str | None, str | None, str]:
        """(the study day ``now`` falls in, its start and end as stored text, the day as text)."""
        hour = self.settings.rollover_hour
        today = study_day(now, hour)
        start, end = day_start(today, hour), day_start(today + timedelta(days=1), hour)
        return today, to_iso(start), to_iso(end), today.isoformat()

    def _bounds(self) -> dict:
        now = self.now()
        _, start, end, today = self._day(now)
        return {"now": to_iso(now), "ahead": to_iso(now + LEARN_AHEAD), "day_start": start, "day_end": end, "today": today}

    # ------------------------------------------------------------ counts and queue

    _VISIBLE = (
        "present = 1 AND suspended = 0 AND kind IN ('basic', 'cloze', 'choice', 'order') "
        "AND (buried_until IS NULL OR buried_until < :today)"
    )

    def done_today(self, bounds: dict | None = None) -> dict[str, int]:
        """New cards introduced, review cards answered, answers given and seconds spent this study day
        (the one ``bounds``, from ``_bounds``, are of: today's when not given)."""
        bounds = bounds or self._bounds()
        introduced, reviewed, answers, seconds = self._done_today(bounds)
        return {"new": introduced, "reviews": reviewed, "answers": answers, "seconds": seconds}

    # One statement, so that the figures are read from one state of the log.
    _DONE_TODAY = """
        SELECT COUNT(*), COALESCE(SUM(duration_ms), 0) / 1000,
               COUNT(DISTINCT CASE WHEN state_before = 0 AND mode = 'review' THEN card_id END),
               COUNT(DISTINCT CASE WHEN state_before = 2 AND mode = 'review' THEN card_id END)
        FROM review_log WHERE reviewed_at >= :day_start AND reviewed_at < :day_end
    """

    def _done_today(self, bounds: dict) -> tuple[int, int, int, int]:
        """(new cards introduced, review cards answered, answers, seconds) in the day ``bounds`` are of."""
        answers, seconds, introduced, reviewed = self.store.conn.execute(self._DONE_TODAY, bounds).fetchone()
        return introduced, reviewed, answers, seconds

    def limits_left(self, bounds: dict | None = None) -> tuple[int, int]:
        done = self.done_today(bounds)
        today = (bounds or self._bounds())["today"]
        return (
            max(0, self.settings.new_per_day + queue.extra_new_today(self.store, today) - done["new"]),
            max(0, self.settings.reviews_per_day - done["reviews"]),
        )

    def deck_counts(self) -> list[DeckCounts]:
        """Per deck: new (within today's limit), learning and review cards due today, learned and total."""
        new_left, reviews_left = self.limits_left()
        bury = self.settings.bury_siblings
        new_ok = queue.no_due_sibling() if bury else "1"
        note = queue.NOTE.format(t="cards") if bury else "cards.id"
        rows = {
            r["deck_id"]: r
            for r in self.store.query(
                f"""
                SELECT deck_id,
                       COUNT(DISTINCT CASE WHEN shown AND state = 0 AND ({new_ok}) THEN {note} END) AS new,
                       SUM(shown AND state IN (1, 3) AND due < :day_end) AS learning,
                       SUM(shown AND state = 2 AND due < :day_end) AS due,
                       SUM(state IN (2, 3)) AS learned,
                       COUNT(*) AS total
                FROM (SELECT *, ({self._VISIBLE}) AS shown FROM cards WHERE present = 1) AS cards
                GROUP BY deck_id
                """,
                self._bounds(),
            )
        }
        out = []
        for deck in self.decks.decks:
            r = rows.get(deck.id)
            if r is None:
                out.append(DeckCounts(deck.id, deck.title))
                continue
            out.append(
                DeckCounts(
                    deck.id,
                    deck.title,
                    new=min(r["new"], new_left),
                    learning=r["learning"],
                    due=min(r["due"], reviews_left),
                    learned=r["learned"],
                    total=r["total"],
                )
            )
        return out

    def _first(self, where: str, order: str, params: dict, deck_id: str | None, visible: str | None = None) -> str | None:
        deck_clause = " AND deck_id = :deck" if deck_id else ""
        rows = self.store.conn.execute(
            f"SELECT id FROM cards WHERE {visible or self._VISIBLE} AND {where}{deck_clause} ORDER BY {order} LIMIT 50",
            {**params, "deck": deck_id},
        )
        # Read row by row: the first card is nearly always the one, and each row read costs a lookup.
        try:
            for (card_id,) in rows:
                if card_id in self.items:
                    return card_id
            return None
        finally:
            rows.close()  # ends the statement, and with it the read it holds open

    def next_item(self, deck_id: str | None = None, focus: Focus | None = None) -> Item | None:
        """The next card to study: learning cards that are due, then reviews mixed with new cards,
        then learning cards due within the next 20 minutes; None when today's work is done.

        With an interview date set (``quizapp plan``), the reviews that would be below the target on
        that day come first. With ``focus``, only its cards, due or not (see ``Focus``)."""
        if focus is not None:
            return self._next_in_focus(focus)
        params = self._bounds()
        learning = self._first("state IN (1, 3) AND due <= :now", "due", params, deck_id)
        if learning:
            return self.items[learning]
        new_left, reviews_left = self.limits_left(params)
        order, order_params = "due", dict[str, object]()
        if self.store.scalar("SELECT 1 FROM settings WHERE key = ?", [PLAN_KEY]):
            from quizapp.study.plan import review_order  # its figures are needed only once a plan is set

            order, order_params = review_order(self.store, self.scheduler, self.now())
        review = (
            self._first("state = 2 AND due < :day_end", order, {**params, **order_params}, deck_id) if reviews_left else None
        )
        new = (
            self._first(queue.new_where(self.settings.bury_siblings), "new_position", params, deck_id)
            if new_left
            else None
        )
        if review and new:
            new_count, _, review_count = self._remaining(params, new_left, reviews_left, deck_id)
            answers = self.summary.answers
            pick = new if queue.new_comes_next(
                self.settings.new_order,
                sum(a.was_new for a in answers), sum(a.was_review for a in answers),
                new_count, review_count,
            ) else review
            return self.items[pick]
        if review or new:
            return self.items[review or new or ""]
        ahead = self._first("state IN (1, 3) AND due <= :ahead", "due", params, deck_id)
        return self.items[ahead] if ahead else None

    _IN_FOCUS = "id IN (SELECT value FROM json_each(:focus))"

    def _next_in_focus(self, focus: Focus) -> Item | None:
        params = {**self._bounds(), "focus": json.dumps(list(focus.ids)), "since": to_iso(focus.since)}
        if focus.mode == "cram":
            order = f"{queue.CRAM_LAST} IS NOT NULL, {queue.CRAM_LAST}, (SELECT CAST(key AS INTEGER) FROM json_each(:focus) WHERE value = cards.id)"
            waiting = self._first(f"{self._IN_FOCUS} AND {queue.CRAM_WAITING}", order, params, None, queue.CRAMMED)
            return self.items[waiting] if waiting else None
        learning = self._first(f"state IN (1, 3) AND due <= :now AND {self._IN_FOCUS}", "due", params, None)
        if learning:
            return self.items[learning]
        order = "(SELECT CAST(key AS INTEGER) FROM json_each(:focus) WHERE value = cards.id)"
        waiting = self._first(f"{self._IN_FOCUS} AND (last_review IS NULL OR last_review < :since)", order, params, None)
        if waiting:
            return self.items[waiting]
        ahead = self._first(f"state IN (1, 3) AND due <= :ahead AND {self._IN_FOCUS}", "due", params, None)
        return self.items[ahead] if ahead else None

    def focus_remaining(self, focus: Focus) -> int:
        """Cards of ``focus`` not yet reviewed since it began."""
        cram = focus.mode == "cram"
        waiting = queue.CRAM_WAITING if cram else "(last_review IS NULL OR last_review < :since)"
        return self.store.scalar(
            f"SELECT COUNT(*) FROM cards WHERE {queue.CRAMMED if cram else self._VISIBLE} AND {self._IN_FOCUS} AND {waiting}",
            {**self._bounds(), "focus": json.dumps(list(focus.ids)), "since": to_iso(focus.since)},
        )

    def remaining(self, deck_id: str | None = None) -> tuple[int, int, int]:
        """(new, learning, review) cards still to study today, as the review screen's header shows."""
        bounds = self._bounds()
        return self._remaining(bounds, *self.limits_left(bounds), deck_id)

    def _remaining(self, bounds: dict, new_left: int, reviews_left: int, deck_id: str | None) -> tuple[int, int, int]:
        where = self._where(deck_id)
        # Counted on the due and new indexes, stopping at today's limits: it must not read every card
        # of a large collection.
        row = self.store.conn.execute(
            f"""
            SELECT {queue.new_count_sql(where, self.settings.bury_siblings)},
                   (SELECT COUNT(*) FROM cards WHERE {where} AND state IN (1, 3) AND due < :day_end),
                   (SELECT COUNT(*) FROM (SELECT 1 FROM cards WHERE {where} AND state = 2 AND due < :day_end
                                          LIMIT :reviews_left))
            """,
            {**bounds, "deck": deck_id, "new_cap": new_left, "reviews_left": reviews_left},
        ).fetchone()
        return row[0], row[1], row[2]

    def _where(self, deck_id: str | None) -> str:
        return self._VISIBLE + (" AND deck_id = :deck" if deck_id else "")

    # ------------------------------------------------------------ answering

    def preview(self, item_id: str) -> dict[int, timedelta]:
        """For each rating, how long until the card would be due again: what the buttons show.

        The outcomes are kept, so that answering the card uses exactly them (see ``Outcomes``)."""
        self.shown = outcomes = self._outcomes(item_id, self.store.state_values(item_id), self.now())
        return {rating: state.due - outcomes.at for rating, state in outcomes.after.items() if state.due is not None}

    def _outcomes(self, item_id: str, stored: tuple | None, now: datetime) -> Outcomes:
        if stored is None:
            raise KeyError(item_id)
        before = CardState.from_stored(item_id, stored)
        now = _answer_moment(before, now)
        return Outcomes(
            item_id=item_id,
            stored=stored,
            scheduler=self.scheduler,
            at=now,
            days=_whole_days(before, now),
            before=before,
            prev=before.to_json(),
            recall=self.scheduler.retrievability(before, now) if before.state != NEW else None,
            after={rating: self.scheduler.answer(before, rating, now) for rating in (1, 2, 3, 4)},
        )

    def answer(
        self, item_id: str, rating: int, duration_ms: int = 0, mode: str = "review", scheduled: bool = True
    ) -> LogEntry:
        """Record one answer of this session durably (see ``record``); ctrl+z can take it back and the
        session summary counts it."""
        buried: list[str] = []
        flags: list = []
        with self.store.write():
            prior = self.store.state_values(item_id)
            shown = self.shown
            if shown is not None and shown.item_id == item_id and prior != shown.stored:
                # Another window answered this card since its answer was shown here: the buttons
                # showed outcomes of a state that is gone.
                self.shown = None
                raise StaleCardError(
                    f"{item_id} was answered elsewhere (another quizapp on this workspace) since it was "
                    "shown here; nothing was saved. It is shown again as it is now."
                )

            def also(c: sqlite3.Connection) -> None:
                if scheduled:
                    buried.extend(self._bury_siblings(c, item_id))
                    flags.extend(leech.mark_if_leech(c, item_id, prior, rating, self.settings.leech_threshold))

            entry = self.record(item_id, rating, duration_ms, mode=mode, scheduled=scheduled, also=also)
            self.shown = None
        self.undo_stack.append(("answer", entry.id, buried, flags))
        self.summary.answers.append(
            Answered(
                item_id, rating, entry.duration_ms,
                scheduled and entry.state_before == NEW, scheduled and entry.state_before == REVIEW,
            )
        )
        return entry

    def record(
        self,
        item_id: str,
        rating: int,
        duration_ms: int = 0,
        mode: str = "review",
        scheduled: bool = True,
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> LogEntry:
        """Write one answer to the log; the log row and the card's new state commit together.

        With ``scheduled=False`` the answer is logged but leaves the card's schedule as it was (a right
        quiz answer); replay skips it too. ``also`` adds writes to the same transaction. Quiz and
        interview answers come straight here: they are not part of the review session's undo or summary.
        """
        if rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        # The card is read inside the answer's transaction: another quizapp on the same workspace
        # may have just answered it, and the new state must build on that answer.
        with self.store.write():
            stored = self.store.state_values(item_id)
            if stored is None:
                raise KeyError(item_id)
            before = CardState.from_stored(item_id, stored)
            now = _answer_moment(before, self.now())
            shown = self.shown
            if shown is not None and shown.applies(item_id, stored, self.scheduler, now):
                # The outcomes shown on the buttons, computed for this very state of the card.
                after = shown.after_at(rating, now) if scheduled else None
                prev, recall = shown.prev, shown.recall
            else:
                after = self.scheduler.answer(before, rating, now) if scheduled else None
                prev = before.to_json()
                recall = self.scheduler.retrievability(before, now) if before.state != NEW else None
            entry = LogEntry(
                id=new_id(),
                card_id=item_id,
                rating=rating,
                reviewed_at=now,
                duration_ms=max(0, int(duration_ms)),
                mode=mode,
                scheduled=scheduled,
                state_before=before.state,
                due_after=after.due if after else before.due,
                prev=prev,
                recall=recall,
            )
            self.store.record_answer(entry, after, also)
        return entry

    def _sibling_ids(self, item_id: str) -> tuple[str, ...]:
        """The other items of the card ``item_id`` belongs to."""
        others = self._siblings.get(item_id)
        if others is None:
            item = self.items.get(item_id)
            if item is None:
                return ()
            others = self._siblings[item_id] = tuple(i.id for i in card_items(item.card, item.deck_id) if i.id != item_id)
        return others

    def _bury_siblings(self, c: sqlite3.Connection, item_id: str) -> list[str]:
        """As Anki does by default, the other sides of an answered card wait until the next study day.
        Runs inside the answer's transaction; returns the items it buried, for undo."""
        others = self._sibling_ids(item_id)
        if not others or not self.settings.bury_siblings:
            return []
        today = self.today().isoformat()
        marks = ",".join("?" for _ in others)
        # New siblings only: a due review is shown on its day whatever its siblings do.
        where = f"id IN ({marks}) AND state = 0 AND (buried_until IS NULL OR buried_until < ?)"
        buried = [r[0] for r in c.execute(f"SELECT id FROM cards WHERE {where}", [*others, today])]
        c.execute(f"UPDATE cards SET buried_until = ? WHERE {where}", [today, *others, today])
        return buried

    def undo(self) -> str | None:
        """Take back the newest answer, bury or suspend; returns the card it concerned."""
        if not self.undo_stack:
            return None
        action = self.undo_stack.pop()
        if action[0] == "answer":
            # The card gets the state its remaining answers replay to (not the one saved before the
            # answer): a quiz answer given since still counts, as it does in doctor and merge.
            with self.store.write() as c:
                card_id = self.store.undo_answer(action[1])
                if card_id is not None:
                    write_states(c, [replay_card(c, self.scheduler, card_id)])
            for sibling in action[2]:
                self.store.set_flags(sibling, buried_until=None)
            if len(action) > 3 and action[3] and card_id is not None:
                leech.restore(self.store, card_id, action[3])
            for i in range(len(self.summary.answers) - 1, -1, -1):
                if self.summary.answers[i].item_id == card_id:
                    del self.summary.answers[i]
                    break
            return card_id
        _, item_id, suspended, buried = action
        self.store.set_flags(item_id, suspended=bool(suspended), buried_until=buried)
        return item_id

    def _remember_flags(self, item_id: str) -> None:
        row = self.store.card_row(item_id)
        if row is None:
            return
        self.undo_stack.append(("flags", item_id, row["suspended"], row["buried_until"]))

    def bury(self, item_id: str) -> None:
        """Hide the card until the next study day."""
        self._remember_flags(item_id)
        self.store.set_flags(item_id, buried_until=self.today().isoformat())

    def suspend(self, item_id: str) -> None:
        """Take the card out of reviews until it is unsuspended."""
        self._remember_flags(item_id)
        self.store.set_flags(item_id, suspended=True)

    def unsuspend(self, item_id: str) -> None:
        """Bring a suspended card (a leech too) back into reviews; its leech tag stays."""
        self.store.set_flags(item_id, suspended=False)
