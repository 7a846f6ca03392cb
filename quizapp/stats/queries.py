"""Progress figures for the dashboard and ``quizapp stats``: SQL over the progress database. No Textual.

Every figure is a query over ``cards``, ``review_log`` and ``attempts``; the decks only add what the
database does not hold (card tags, which give topics and stages, and card titles). The TUI and the
CLI both call ``Stats.report()``, so they show the same numbers. The report is a pydantic model:
``quizapp stats --json`` prints it and ``quizapp stats --schema`` prints its JSON Schema, in which
every field carries the description written here.

Definitions used throughout:

- A *study day* runs from the rollover hour (4 a.m. local by default) to the next one, as in review.
- *True retention* is the share of review-mode answers on cards in the review state
  (``state_before = 2``) that were not rated Again. Quiz answers are left out (picking from choices
  is easier than recalling, and a right pick does not move the schedule), and so are answers on
  cards still in (re)learning.
- *Predicted retention* is FSRS's own forecast for those same answers: the retrievability each card
  had at the moment it was answered (logged with the answer in ``review_log.recall``; for older rows
  worked out from the state in ``prev``). Beside true retention it shows whether FSRS's memory model
  fits you (see ``quizapp optimize``).
- *Recall now* is a card's FSRS retrievability at this moment (0 for a card never studied).

Longer than 400 lines: one method per figure over the same connection and bounds; the report's
models are in ``stats/report.py``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from quizapp.db.records import to_iso, utcnow
from quizapp.db.store import Store, one_transaction
from quizapp.decks.models import STAGES, DeckSet, Item
from quizapp.scheduling.recall import curve_params, ensure_sql_math, recall_sql
from quizapp.scheduling.scheduler import StudySettings, day_start, study_day
from quizapp.stats.report import (
    FORECAST_DAYS,
    HEATMAP_DAYS,
    LEECH_LAPSES,
    RETENTION_WEEKS,
    WEAKEST,
    Attempt,
    DayCount,
    DeckRecall,
    ForecastDay,
    LeechCard,
    Report,
    Retention,
    StageCell,
    StageScore,
    Today,
    TopicMastery,
    WeakCard,
)
from quizapp.study.plan import PlanReport, load_plan, plan_report
from quizapp.study.study import Study
from quizapp.study.tags import load_tags


def day_bounds(days: Sequence[date], rollover_hour: int) -> str:
    """JSON ``[[day, start, end], ...]`` of study days, their UTC bounds as stored text, for ``json_each``."""
    # A day ends where the next begins: each boundary is worked out once (the time zone conversions
    # cost more than the query over a long history).
    starts: dict[date, str | None] = {}
    for d in days:
        for boundary in (d, d + timedelta(days=1)):
            if boundary not in starts:
                starts[boundary] = to_iso(day_start(boundary, rollover_hour))
    return json.dumps([[d.isoformat(), starts[d], starts[d + timedelta(days=1)]] for d in days])


BOUNDS_CTE = (
    "b AS (SELECT CAST(key AS INTEGER) AS n, json_extract(value, '$[0]') AS day, "
    "json_extract(value, '$[1]') AS s, json_extract(value, '$[2]') AS e FROM json_each(:bounds))"
)
"""A CTE ``b(n, day, s, e)`` over the ``:bounds`` parameter made by ``day_bounds``."""


@contextmanager
def reading(store: Store) -> Iterator[Store]:
    """A read-only connection to the store's database, for figures computed in another thread while
    the app goes on writing (WAL lets both run at once); the store itself when it lives in memory."""
    if store.path is None:
        yield store
        return
    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    # A long log is read several times over; keep its pages and the sorts in memory.
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA temp_store = MEMORY")
    reader = Store(conn, store.path)
    try:
        yield reader
    finally:
        reader.close()


def item_title(item: Item, width: int = 70) -> str:
    """The first line of a card's question, shortened to ``width`` characters."""
    text = "".join(piece for piece, _ in item.front_spans()).strip()
    line = text.splitlines()[0] if text else item.id
    return line if len(line) <= width else line[: width - 1] + "…"




def _share(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None


class Stats:
    """The figures over one store and one set of decks, at the moment the object is made."""

    def __init__(
        self,
        store: Store,
        decks: DeckSet,
        settings: StudySettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.store = store
        self.decks = decks
        self.study = Study(store, decks, settings, clock)
        """Today's counts come from the study session, so they match the home screen."""
        self.settings = self.study.settings
        self.scheduler = self.study.scheduler
        self.now = self.study.now()
        """Every figure is taken at this one moment."""
        self.day = self.study.today()
        ensure_sql_math(store.conn)
        # The temporary tables and sorts of a large collection are megabytes: in memory, rather than
        # spilled to temporary files. (Set before any temporary table: changing it drops them.)
        if not store.conn.in_transaction and store.conn.execute("PRAGMA temp_store").fetchone()[0] != 2:
            store.conn.execute("PRAGMA temp_store = MEMORY")
        self.tags = load_tags(store.conn, decks)
        """The view of card topics and stages (see ``TAGS_TABLE``)."""
        self._answers_made = False
        self._cards_made = False

    def _params(self, **extra) -> dict:
        return {"now": to_iso(self.now), "today": self.day.isoformat(), **curve_params(self.scheduler), **extra}

    def _bounds(self, first: date, last: date) -> str:
        return day_bounds([first + timedelta(days=i) for i in range((last - first).days + 1)], self.settings.rollover_hour)

    # ------------------------------------------------------------ today and streaks

    def today(self) -> Today:
        new, learning, due = self.study.remaining()
        done = self.study.done_today()
        streak, longest = self.streaks()
        return Today(
            day=self.day,
            due=due,
            learning=learning,
            new=new,
            answers=done["answers"],
            reviewed=done["reviews"],
            new_studied=done["new"],
            seconds=int(done["seconds"]),
            streak=streak,
            longest_streak=longest,
        )

    def streaks(self) -> tuple[int, int]:
        """(current, longest) runs of consecutive study days with at least one answer."""
        first = self.store.scalar("SELECT MIN(reviewed_at) FROM review_log")
        if first is None:
            return 0, 0
        start = min(study_day(datetime.fromisoformat(first), self.settings.rollover_hour), self.day)
        runs = self.store.query(
            f"""
            WITH {BOUNDS_CTE},
            studied AS (SELECT n FROM b WHERE EXISTS (
                SELECT 1 FROM review_log WHERE reviewed_at >= b.s AND reviewed_at < b.e)),
            islands AS (SELECT n, n - ROW_NUMBER() OVER (ORDER BY n) AS g FROM studied)
            SELECT MAX(n) AS last, COUNT(*) AS length FROM islands GROUP BY g
            """,
            {"bounds": self._bounds(start, self.day)},
        )
        today_n = (self.day - start).days
        longest = max((r["length"] for r in runs), default=0)
        current = next((r["length"] for r in runs if r["last"] in (today_n, today_n - 1)), 0)
        return current, longest

    def heatmap(self, days: int = HEATMAP_DAYS) -> list[DayCount]:
        rows = self.store.query(
            f"""
            WITH {BOUNDS_CTE}
            SELECT day, (SELECT COUNT(*) FROM review_log WHERE reviewed_at >= b.s AND reviewed_at < b.e) AS reviews
            FROM b ORDER BY n
            """,
            {"bounds": self._bounds(self.day - timedelta(days=days - 1), self.day)},
        )
        return [DayCount(day=r["day"], reviews=r["reviews"]) for r in rows]

    # ------------------------------------------------------------ retention

    _RETAINED = "state_before = 2 AND mode = 'review'"
    """The answers true retention is measured on (written as the index ``review_log_retained`` is, so
    SQLite uses it: card by card, without reading the table while ``recall`` is logged)."""

    def _predicted(self, alias: str = "r") -> str:
        # The recall logged with the answer; for rows from before it was logged, worked out from the
        # state in ``prev`` (COALESCE reads that only when needed); NULL where neither says (AVG and
        # COUNT skip those).
        derived = recall_sql(
            f"json_extract({alias}.prev, '$.stability')",
            f"json_extract({alias}.prev, '$.last_review')",
            f"{alias}.reviewed_at",
            unknown="NULL",
        )
        return f"COALESCE({alias}.recall, {derived})"

    def _answers_by_card(self) -> str:
        """A temporary table, made once per ``Stats``: per card, the answers true retention is measured
        on, how many were kept, and FSRS's predictions for them. Per-deck and per-topic figures join it,
        so the log is read once for both."""
        if not self._answers_made:
            c = self.store.conn
            c.execute("DROP TABLE IF EXISTS temp.stats_answers")
            c.execute(
                "CREATE TEMP TABLE stats_answers (card_id TEXT PRIMARY KEY, answers INTEGER, kept INTEGER,"
                " predicted REAL, predictable INTEGER) WITHOUT ROWID"
            )
            c.execute(
                f"""
                INSERT INTO temp.stats_answers
                SELECT card_id, COUNT(*), SUM(rating > 1), SUM(predicted), COUNT(predicted)
                FROM (SELECT r.card_id, r.rating, {self._predicted()} AS predicted
                      FROM review_log AS r WHERE r.{self._RETAINED})
                GROUP BY card_id
                """,
                self._params(),
            )
            self._answers_made = True
        return "temp.stats_answers"

    def _cards(self) -> str:
        """A temporary table, made once per ``Stats``: one row per card with what the per-card figures
        need, worked out once: whether it is shown (present, not suspended), whether it was studied,
        its recall now, its tag group and its retention answers. The per-deck, per-topic, per-stage
        and weakest-card figures all read it instead of the cards."""
        if not self._cards_made:
            c = self.store.conn
            answers_by_card = self._answers_by_card()
            c.execute("DROP TABLE IF EXISTS temp.stats_cards")
            # Keyed by the card's row in ``cards``: the figures that need more of a card (its deck, its
            # id) look it up there, and only for the rows they keep.
            c.execute(
                "CREATE TEMP TABLE stats_cards (cid INTEGER PRIMARY KEY, shown INTEGER, studied INTEGER,"
                " recall REAL, grp INTEGER, answers INTEGER, kept INTEGER, predicted REAL, predictable INTEGER,"
                " prompt INTEGER)"
            )
            c.execute(
                f"""
                INSERT INTO temp.stats_cards
                SELECT c.rowid, c.present = 1 AND c.suspended = 0, c.state != 0,
                       {recall_sql('c.stability', 'c.last_review', ':now')}, stats_group(c.id),
                       a.answers, a.kept, a.predicted, a.predictable, c.kind = 'interview'
                FROM cards AS c LEFT JOIN {answers_by_card} AS a ON a.card_id = c.id
                """,
                self._params(),
            )
            # Per tag group, the sums the topic and stage figures add up over the group's tags.
            c.execute("DROP TABLE IF EXISTS temp.stats_by_group")
            c.execute(
                """
                CREATE TEMP TABLE stats_by_group AS
                SELECT grp, COUNT(*) AS cards, SUM(studied) AS studied,
                       SUM(CASE WHEN studied THEN recall END) AS recall_studied, SUM(recall) AS recall_all,
                       COALESCE(SUM(answers), 0) AS answers, SUM(kept) AS kept,
                       SUM(studied AND NOT prompt) AS studied_cards,
                       SUM(CASE WHEN studied AND NOT prompt THEN recall END) AS recall_cards
                FROM temp.stats_cards WHERE shown AND grp IS NOT NULL GROUP BY grp
                """
            )
            self._cards_made = True
        return "temp.stats_cards"

    def decks_recall(self) -> tuple[Retention, list[DeckRecall]]:
        """True and predicted retention over all time, overall and per deck, with each deck's recall now."""
        cards = self._cards()
        # Along the deck index (which holds the row ids): the cards come deck by deck, no sort.
        rows = {
            r["deck_id"]: r
            for r in self.store.query(
                f"""
                SELECT c.deck_id, SUM(c.present) AS cards, SUM(s.shown AND s.studied) AS studied,
                       AVG(CASE WHEN s.shown AND s.studied THEN s.recall END) AS recall_now,
                       COALESCE(SUM(s.answers), 0) AS answers, SUM(s.kept) AS kept,
                       SUM(s.predicted) AS predicted, SUM(s.predictable) AS predictable
                FROM cards AS c INDEXED BY cards_deck JOIN {cards} AS s ON s.cid = c.rowid
                GROUP BY c.deck_id
                """
            )
        }
        out = []
        for deck in self.decks.decks:
            r = rows.get(deck.id, {})
            out.append(
                DeckRecall(
                    key=deck.id,
                    title=deck.title,
                    answers=r.get("answers", 0),
                    true_retention=_share(r.get("kept"), r.get("answers")),
                    predicted_retention=_share(r.get("predicted"), r.get("predictable")),
                    cards=r.get("cards") or 0,
                    studied=r.get("studied") or 0,
                    recall_now=r.get("recall_now"),
                )
            )
        # Answers on orphaned cards count in the total even though no deck shows them.
        total = self.store.query(
            f"SELECT COALESCE(SUM(answers), 0) AS answers, SUM(kept) AS kept, SUM(predicted) AS predicted,"
            f" SUM(predictable) AS predictable FROM {self._answers_by_card()}"
        )[0]
        overall = Retention(
            key="all",
            title="all",
            answers=total["answers"],
            true_retention=_share(total["kept"], total["answers"]),
            predicted_retention=_share(total["predicted"], total["predictable"]),
        )
        return overall, out

    def retention_weeks(self, weeks: int = RETENTION_WEEKS) -> list[Retention]:
        monday = self.day - timedelta(days=self.day.weekday())
        starts = [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
        c = self.store.conn
        with one_transaction(c):
            c.execute("DROP TABLE IF EXISTS temp.stats_weeks")
            c.execute("CREATE TEMP TABLE stats_weeks (n INTEGER PRIMARY KEY, day TEXT, s TEXT, e TEXT)")
            c.executemany(
                "INSERT INTO temp.stats_weeks VALUES (?, ?, ?, ?)",
                [
                    (i, s.isoformat(), to_iso(day_start(s, self.settings.rollover_hour)),
                     to_iso(day_start(s + timedelta(weeks=1), self.settings.rollover_hour)))
                    for i, s in enumerate(starts)
                ],
            )
        # Week by week along the time index, the answers come grouped by week (no sort of them all);
        # CROSS JOIN and INDEXED BY keep SQLite from indexing the whole log for this one query instead.
        rows = self.store.query(
            f"""
            SELECT b.day, COUNT(*) AS answers, SUM(r.rating > 1) AS kept, AVG({self._predicted()}) AS predicted
            FROM temp.stats_weeks AS b CROSS JOIN review_log AS r INDEXED BY review_log_time
                 ON r.reviewed_at >= b.s AND r.reviewed_at < b.e
            WHERE r.{self._RETAINED} GROUP BY b.n ORDER BY b.n
            """,
            self._params(),
        )
        return [
            Retention(
                key=r["day"],
                title=r["day"],
                answers=r["answers"],
                true_retention=_share(r["kept"], r["answers"]),
                predicted_retention=r["predicted"],
            )
            for r in rows
        ]

    # ------------------------------------------------------------ forecast

    def forecast(self, days: int = FORECAST_DAYS) -> list[ForecastDay]:
        bounds = json.loads(self._bounds(self.day, self.day + timedelta(days=days - 1)))
        bounds[0][1] = ""  # everything overdue falls due today
        rows = self.store.query(
            f"""
            WITH {BOUNDS_CTE}
            SELECT day, (SELECT COUNT(*) FROM cards WHERE {Study._VISIBLE}
                         AND state IN (1, 2, 3) AND due >= b.s AND due < b.e) AS due
            FROM b ORDER BY n
            """,
            self._params(bounds=json.dumps(bounds)),
        )
        return [ForecastDay(day=r["day"], due=r["due"]) for r in rows]

    # ------------------------------------------------------------ topics and stages

    def topic_mastery(self) -> list[TopicMastery]:
        self._cards()
        rows = self.store.query(
            """
            SELECT t.tag AS topic, SUM(g.cards) AS cards, SUM(g.studied) AS studied,
                   SUM(g.recall_studied) / SUM(g.studied) AS recall_now,
                   SUM(g.recall_all) / SUM(g.cards) AS mastery,
                   SUM(g.answers) AS answers, SUM(g.kept) AS kept
            FROM temp.stats_by_group AS g JOIN temp.stats_groups AS t ON t.grp = g.grp AND t.kind = 'topic'
            GROUP BY t.tag ORDER BY mastery, cards DESC, topic
            """
        )
        return [
            TopicMastery(
                topic=r["topic"],
                cards=r["cards"],
                studied=r["studied"],
                recall_now=r["recall_now"],
                mastery=r["mastery"],
                answers=r["answers"],
                true_retention=_share(r["kept"], r["answers"]),
            )
            for r in rows
        ]

    def stage_map(self) -> list[StageCell]:
        self._cards()
        # Each studied card gives its recall now, each latest attempt its stage's share; the cards of
        # a tag group come summed (``value``) with their count (``weight``). A mock-interview prompt
        # counts by its staged rubric points only: its recall just after a failed attempt is near
        # 100%, which would lift a cell confirmed at 0%.
        rows = self.store.query(
            """
            WITH from_cards AS (
                SELECT t.tag AS topic, s.tag AS stage, g.recall_cards AS value, g.studied_cards AS weight,
                       g.studied_cards AS card, 0 AS attempt
                FROM temp.stats_by_group AS g
                JOIN temp.stats_groups AS t ON t.grp = g.grp AND t.kind = 'topic'
                JOIN temp.stats_groups AS s ON s.grp = g.grp AND s.kind = 'stage'
                WHERE g.studied_cards > 0),
            latest AS (
                SELECT card_id, stage_scores FROM (
                    SELECT card_id, stage_scores,
                           ROW_NUMBER() OVER (PARTITION BY card_id ORDER BY submitted_at DESC, id DESC) AS k
                    FROM attempts) WHERE k = 1),
            from_attempts AS (
                SELECT t.tag AS topic, e.key AS stage, e.value AS value, e.value IS NOT NULL AS weight,
                       0 AS card, 1 AS attempt
                FROM latest JOIN temp.stats_groups AS t ON t.grp = stats_group(latest.card_id) AND t.kind = 'topic',
                     json_each(latest.stage_scores) AS e
                WHERE json_valid(latest.stage_scores))
            SELECT topic, stage, TOTAL(value) / SUM(weight) AS strength, SUM(card) AS cards, SUM(attempt) AS attempts
            FROM (SELECT * FROM from_cards UNION ALL SELECT * FROM from_attempts)
            GROUP BY topic, stage ORDER BY topic, stage
            """,
            self._params(),
        )
        return [StageCell(**r) for r in rows if r["stage"] in STAGES]

    # ------------------------------------------------------------ weakest cards

    def weakest(self, limit: int = WEAKEST) -> list[WeakCard]:
        items = self.study.items
        rows = self.store.query(
            f"""
            SELECT c.id, c.deck_id, c.lapses, c.reps, s.recall
            FROM {self._cards()} AS s JOIN cards AS c ON c.rowid = s.cid
            WHERE s.studied AND {Study._VISIBLE}
            ORDER BY c.lapses >= :leech DESC, s.recall, c.lapses DESC, c.id LIMIT :n
            """,
            self._params(leech=LEECH_LAPSES, n=limit * 2),
        )
        out = [
            WeakCard(
                id=r["id"],
                deck_id=r["deck_id"],
                title=item_title(items[r["id"]]),
                recall_now=r["recall"],
                lapses=r["lapses"],
                reps=r["reps"],
                leech=r["lapses"] >= LEECH_LAPSES,
            )
            for r in rows
            if r["id"] in items
        ]
        return out[:limit]

    def leeches(self) -> list[LeechCard]:
        """Cards tagged leech, most lapses first."""
        from quizapp.study.leech import leeches

        items = self.study.items
        return [
            LeechCard(id=r["id"], deck_id=r["deck_id"], title=item_title(items[r["id"]]), lapses=r["lapses"],
                      suspended=bool(r["suspended"]))
            for r in leeches(self.store)
            if r["id"] in items
        ]

    # ------------------------------------------------------------ mock interviews

    def interviews(self) -> tuple[list[Attempt], list[StageScore]]:
        attempts = [
            Attempt(submitted_at=r["submitted_at"], card_id=r["card_id"], score=r["score"], stages=json.loads(r["stages"]))
            for r in self.store.query(
                """
                SELECT submitted_at, card_id, score,
                       CASE WHEN json_valid(stage_scores) THEN stage_scores ELSE '{}' END AS stages
                FROM attempts ORDER BY submitted_at, id
                """
            )
        ]
        per_stage = {
            r["stage"]: r
            for r in self.store.query(
                """
                WITH e AS (SELECT a.submitted_at, a.id, j.key AS stage, j.value AS share
                           FROM attempts AS a, json_each(a.stage_scores) AS j WHERE json_valid(a.stage_scores)),
                ranked AS (SELECT stage, share, ROW_NUMBER() OVER (PARTITION BY stage ORDER BY submitted_at DESC, id DESC) AS k FROM e)
                SELECT stage, COUNT(*) AS attempts, AVG(share) AS mean, AVG(CASE WHEN k <= 5 THEN share END) AS recent
                FROM ranked GROUP BY stage
                """
            )
        }
        stages = [
            StageScore(stage=s, attempts=per_stage.get(s, {}).get("attempts", 0), mean=per_stage.get(s, {}).get("mean"),
                       recent=per_stage.get(s, {}).get("recent"))
            for s in STAGES
        ]
        return attempts, stages

    # ------------------------------------------------------------ everything

    def plan(self) -> PlanReport | None:
        """The interview-date plan's figures, or None when no date is set."""
        chosen = load_plan(self.store)
        if chosen is None:
            return None
        return plan_report(self.store, self.decks, chosen, self.settings, lambda: self.now, tags=self.tags)

    def report(self, with_plan: bool = True) -> Report:
        """Every figure; the plan's (the slowest to work out) only ``with_plan``."""
        with one_transaction(self.store.conn):
            overall, decks = self.decks_recall()
            attempts, stages = self.interviews()
            return Report(
                generated_at=self.now,
                today=self.today(),
                heatmap=self.heatmap(),
                retention=overall,
                decks=decks,
                retention_weeks=self.retention_weeks(),
                forecast=self.forecast(),
                topics=self.topic_mastery(),
                stage_map=self.stage_map(),
                weakest=self.weakest(),
                leeches=self.leeches(),
                interviews=attempts,
                interview_stages=stages,
                plan=self.plan() if with_plan else None,
            )
