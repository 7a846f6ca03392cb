"""The interview-date plan: recall predicted for the day of the interview, the daily work needed to
have every card above the target by then, and which of today's reviews come first. No Textual.

The plan lives in the ``settings`` table under ``plan`` (``{"day": "2026-12-15", "target": 0.9}``).
"The day" is measured at the start of the interview's study day. Recall on the day is FSRS's
retrievability then, assuming nothing more is studied; a card never studied counts 0.

The workload is simulated with FSRS itself (py-fsrs, no fuzz) aiming at the target retention: every
card in review or learning is answered Good each time it falls due before the day, and the new cards
are spread evenly over the days left, each learned and then reviewed the same way. The answers that
takes, divided by the days left, is the daily workload; it is a floor, since a forgotten card costs
more answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta

import fsrs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quizapp.db.records import NEW, CardState, to_iso, utcnow
from quizapp.db.store import PLAN_KEY, Store
from quizapp.decks.models import DeckSet
from quizapp.errors import QuizappError
from quizapp.scheduling.recall import curve_params, ensure_sql_math, recall_sql
from quizapp.scheduling.scheduler import Scheduler, StudySettings, day_start, load_settings, study_day, to_fsrs
from quizapp.study.tags import load_tags

MAX_ANSWERS_PER_CARD = 100
"""The simulation stops a card after this many answers (a target near 0.99 makes intervals short)."""


MAX_PLAN_DAYS = 3653
"""How far ahead an interview date may be (ten years): the forecast counts every day up to it."""


class PlanError(QuizappError):
    """A plan date or target that cannot be used."""


class Plan(BaseModel):
    """The interview date and the recall wanted on that day."""

    model_config = ConfigDict(extra="ignore")

    day: date = Field(le=date(2999, 12, 31))
    """The interview's date (a local study day); a stored date past any sensible plan is ignored."""
    target: float = Field(0.9, ge=0.7, le=0.99)
    """The recall every card should have on the day."""


def load_plan(store: Store) -> Plan | None:
    """The plan set with ``quizapp plan --date``, or None (also for a stored value that no longer validates)."""
    raw = store.get_setting(PLAN_KEY)
    if not raw:
        return None
    try:
        return Plan.model_validate(raw)
    except ValidationError:
        return None


def save_plan(store: Store, plan: Plan) -> None:
    store.set_setting(PLAN_KEY, plan.model_dump(mode="json"))


def clear_plan(store: Store) -> bool:
    """Forget the plan; False when there was none."""
    with store.write() as c:
        return c.execute("DELETE FROM settings WHERE key = ?", [PLAN_KEY]).rowcount > 0


def parse_plan(text: str, target: float | None, today: date, settings: StudySettings) -> Plan:
    """A plan from what the user typed: the date as YYYY-MM-DD, from today on; the target (default: the
    desired retention) between 0.70 and 0.99."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise PlanError(f"the interview date must be written YYYY-MM-DD, e.g. 2026-12-15 (got {text.strip()!r})") from None
    if day < today:
        raise PlanError(f"the interview date {day.isoformat()} is in the past (today is {today.isoformat()}); give a later date")
    if day > today + timedelta(days=MAX_PLAN_DAYS):
        raise PlanError(
            f"the interview date {day.isoformat()} is more than ten years away; give a date before "
            f"{(today + timedelta(days=MAX_PLAN_DAYS + 1)).isoformat()}"
        )
    chosen = settings.desired_retention if target is None else target
    if not 0.7 <= chosen <= 0.99:
        raise PlanError(f"the target recall must be between 0.70 and 0.99 (got {chosen:g})")
    return Plan(day=day, target=chosen)


# ---------------------------------------------------------------- the report


class PlanGroup(BaseModel):
    """Recall on the interview day for one deck or topic."""

    key: str = Field(description="Deck id or topic (card tag).")
    title: str = Field(description="Deck title, or the topic.")
    cards: int = Field(description="Cards (present, not suspended).")
    studied: int = Field(description="Of those, cards studied at least once.")
    recall_on_day: float = Field(description="Mean predicted recall on the day over all the cards, unstudied ones counting 0, if nothing more is studied.")
    recall_studied: float | None = Field(description="The same over the studied cards only; null when none.")
    below_target: int = Field(description="Cards whose recall on the day would be below the target if nothing more is studied (unstudied cards included).")


class PlanReport(BaseModel):
    """Where the user stands for the interview day and what it takes to be ready."""

    day: date = Field(description="The interview date.")
    target: float = Field(description="The recall wanted on the day for every card.")
    days_left: int = Field(description="Study days from today up to the interview day (today counts, the day itself does not); negative once it has passed.")
    passed: bool = Field(description="Whether the interview day is before today.")
    cards: int = Field(description="Cards in the plan (present, not suspended, every kind).")
    studied: int = Field(description="Of those, cards studied at least once.")
    recall_on_day: float = Field(description="Mean predicted recall on the day over all cards (unstudied count 0), if nothing more is studied.")
    below_target: int = Field(description="Cards that would be below the target on the day if nothing more is studied.")
    new_to_learn: int = Field(description="Cards never studied: all of them must be learned before the day.")
    answers_needed: int = Field(description="Answers needed before the day (learning the new cards included), if every answer is Good.")
    answers_per_day: int = Field(description="answers_needed spread over the days left, rounded up.")
    new_per_day: int = Field(description="New cards to introduce each day to have learned them all before the day.")
    decks: list[PlanGroup] = Field(description="Per deck, weakest on the day first.")
    topics: list[PlanGroup] = Field(description="Per topic, weakest on the day first.")


def plan_moment(plan: Plan, settings: StudySettings) -> datetime:
    """The moment recall is predicted for: the start of the interview's study day."""
    return day_start(plan.day, settings.rollover_hour)


def plan_report(
    store: Store,
    decks: DeckSet,
    plan: Plan,
    settings: StudySettings | None = None,
    clock: Callable[[], datetime] = utcnow,
    tags: str | None = None,
) -> PlanReport:
    """The plan's figures. ``tags`` names a table ``stats.load_tags`` already filled on this
    connection (``Stats.report`` passes its own); otherwise it is filled here."""
    settings = settings or load_settings(store)
    now = clock()
    today = study_day(now, settings.rollover_hour)
    scheduler = Scheduler(settings)
    ensure_sql_math(store.conn)
    params = {"at": to_iso(plan_moment(plan, settings)), "target": plan.target, **curve_params(scheduler)}
    recall = recall_sql("stability", "last_review", ":at")
    tags = tags or load_tags(store.conn, decks)
    grouped = """
        SELECT {key} AS key, COUNT(*) AS cards, SUM(state != 0) AS studied,
               SUM(recall) / COUNT(*) AS recall_on_day,
               AVG(CASE WHEN state != 0 THEN recall END) AS recall_studied,
               SUM(recall < :target) AS below_target
        FROM {source} GROUP BY {key} ORDER BY recall_on_day, cards DESC, key
    """
    visible = f"SELECT id, deck_id, state, {recall} AS recall FROM cards WHERE present = 1 AND suspended = 0"
    titles = {d.id: d.title for d in decks.decks}
    deck_rows = store.query(grouped.format(key="deck_id", source=f"({visible})"), params)
    topic_rows = store.query(
        grouped.format(key="t.tag", source=f"{tags} AS t JOIN ({visible}) AS c ON c.id = t.card_id AND t.kind = 'topic'"),
        params,
    )
    total = store.query(
        f"SELECT COUNT(*) AS cards, SUM(state != 0) AS studied, COALESCE(SUM(recall), 0) AS recall, "
        f"SUM(recall < :target) AS below FROM ({visible})",
        params,
    )[0]

    def groups(rows: list[dict], title: Callable[[str], str]) -> list[PlanGroup]:
        return [
            PlanGroup(
                key=r["key"],
                title=title(r["key"]),
                cards=r["cards"],
                studied=r["studied"],
                recall_on_day=r["recall_on_day"],
                recall_studied=r["recall_studied"],
                below_target=r["below_target"],
            )
            for r in rows
        ]

    days_left = (plan.day - today).days
    answers, new_cards = workload(store, plan, settings, now) if days_left > 0 else (0, _new_count(store))
    cards = total["cards"]
    return PlanReport(
        day=plan.day,
        target=plan.target,
        days_left=days_left,
        passed=days_left < 0,
        cards=cards,
        studied=total["studied"] or 0,
        recall_on_day=total["recall"] / cards if cards else 0.0,
        below_target=total["below"] or 0,
        new_to_learn=new_cards,
        answers_needed=answers,
        answers_per_day=math.ceil(answers / days_left) if days_left > 0 else 0,
        new_per_day=math.ceil(new_cards / days_left) if days_left > 0 else 0,
        decks=groups(deck_rows, lambda k: titles.get(k, k)),
        topics=groups(topic_rows, lambda k: k),
    )


def _new_count(store: Store) -> int:
    return store.scalar("SELECT COUNT(*) FROM cards WHERE present = 1 AND suspended = 0 AND state = 0")


def workload(store: Store, plan: Plan, settings: StudySettings, now: datetime) -> tuple[int, int]:
    """(answers needed before the day, new cards to learn), simulated as the module docstring says."""
    aiming = Scheduler(settings.model_copy(update={"desired_retention": plan.target, "fuzz": False})).exact
    deadline = plan_moment(plan, settings)
    today = study_day(now, settings.rollover_hour)
    days_left = max(1, (plan.day - today).days)
    answers = 0
    new_cards = store.scalar("SELECT COUNT(*) FROM cards WHERE present = 1 AND suspended = 0 AND state = 0")
    per_day = math.ceil(new_cards / days_left) if new_cards else 0
    # A studied card falling due after the day needs nothing before it: only the others are
    # simulated, one at a time as they are read (a large collection is never held whole).
    columns = ("id", "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
    cursor = store.conn.execute(
        f"SELECT {', '.join(columns)} FROM cards WHERE present = 1 AND suspended = 0"
        " AND (state = 0 OR due < :deadline) ORDER BY state = 0, new_position, id",
        {"deadline": to_iso(deadline)},
    )
    learned = 0
    for row in cursor:
        state = CardState.from_row(dict(zip(columns, row)))
        if state.state == NEW:
            # The k-th new card is learned on the (k // per_day)-th day from today, two hours into it.
            start = day_start(today + timedelta(days=learned // per_day), settings.rollover_hour) + timedelta(hours=2)
            learned += 1
        else:
            start = state.due or now
        answers += _answers_until(aiming, to_fsrs(state), max(now, start), deadline)
    return answers, new_cards


def _answers_until(scheduler: fsrs.Scheduler, card: fsrs.Card, when: datetime, deadline: datetime) -> int:
    count = 0
    while when < deadline and count < MAX_ANSWERS_PER_CARD:
        card, _ = scheduler.review_card(card, fsrs.Rating.Good, when)
        count += 1
        when = max(card.due, when)
    return count


# ---------------------------------------------------------------- the review queue


def review_order(store: Store, scheduler: Scheduler, now: datetime) -> tuple[str, dict]:
    """How today's reviews are ordered: by due time; with a plan whose day is still ahead, the cards
    that would be below the target on the day come first, the lowest first.

    Returns an ORDER BY clause over ``cards`` and the parameters it needs.
    """
    plan = load_plan(store)
    if plan is None or plan.day < study_day(now, scheduler.settings.rollover_hour):
        return "due", {}
    ensure_sql_math(store.conn)
    recall = recall_sql("stability", "last_review", ":plan_at")
    params = {"plan_at": to_iso(plan_moment(plan, scheduler.settings)), "plan_target": plan.target, **curve_params(scheduler)}
    return f"{recall} >= :plan_target, {recall}, due", params

