"""Quiz mode: questions built from the decks, scored with partial credit, folded into the review log.

Four kinds of question come out of the decks:

- ``choice``: a choice card, asked as written (its choices in the order the deck gives them);
- ``year``: "In what year did this happen?" about a dated card (one with ``year`` and ``event``),
  offered with nearby years, preferring years other events in the decks happened in;
- ``first``: "Which came first?" between dated events of different years, preferring close years;
- ``order``: an ordering card as written, or "Put these in order" over dated events of different years.

How quiz answers fold into FSRS (see ``QuizRound.answer``): every answer appends one row to the
review log with mode ``quiz``. A fully right answer is logged as Good with ``scheduled = 0``: a
multiple-choice pick is easier than recalling the answer unaided, so it leaves the card's schedule
where it is (replay skips it too). Anything less than fully right (a wrong pick, an ordering with
any pair out of place) is logged as Again with ``scheduled = 1``: FSRS moves the card into
(re)learning, so it is due again within minutes in the daily review, exactly as if it had been
forgotten there.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from quizapp.decks.models import DeckSet, card_items, shuffled_items

DEFAULT_QUESTIONS = 10
"""Questions in a round when the user does not say."""
RIGHT_RATING = 3
"""The rating logged for a fully right quiz answer (Good, without moving the schedule)."""
WRONG_RATING = 1
"""The rating logged for a wrong or partly wrong quiz answer (Again, scheduled: due again soon)."""
YEAR_CHOICES = 4
"""Choices offered for an "in what year" question."""
YEAR_SPREAD = 4
"""Distractor years lie at most this far from the right year."""
FIRST_CHOICES = 3
"""Events offered in a "which came first" question."""
ORDER_EVENTS = 4
"""Events to put in order in a question built from dated cards."""

QuestionKind = Literal["choice", "year", "first", "order"]
Response = int | tuple[str, ...]
"""The index of the picked choice, or the items in the order the user put them."""


@dataclass(frozen=True)
class Question:
    """One quiz question, with everything needed to show it, score it and log it."""

    kind: QuestionKind
    prompt: str
    item_ids: tuple[str, ...]
    """The review items the question is built from; the first is the one it is about."""
    choices: tuple[str, ...] = ()
    """What can be picked (choice, year and first questions)."""
    answer: int = -1
    """The index of the right choice."""
    items: tuple[str, ...] = ()
    """For an ordering: the items in their right order."""
    start: tuple[str, ...] = ()
    """For an ordering: the order the items are first shown in (never the right one)."""
    item_of: tuple[str, ...] = ()
    """For an ordering of dated events: the review item of each entry of ``items``."""
    explanation: str = ""
    """Shown with the feedback, under the right answer."""

    @property
    def is_ordering(self) -> bool:
        return self.kind == "order"

    def score(self, response: Response) -> float:
        """1.0 for a right answer, 0.0 for a wrong pick; for an ordering, the share of item pairs
        the user put in the right relative order (so one swap of neighbours still earns most)."""
        if not isinstance(response, tuple):
            return 1.0 if response == self.answer else 0.0
        return pairs_in_order(self.items, response)

    def right_answer(self) -> str:
        if self.is_ordering:
            return "\n".join(f"{i}. {x}" for i, x in enumerate(self.items, 1))
        return self.choices[self.answer]

    def response_text(self, response: Response) -> str:
        if isinstance(response, tuple):
            return "\n".join(f"{i}. {x}" for i, x in enumerate(response, 1))
        return self.choices[response]

    def item_for(self, response: Response) -> str:
        """The review item an answer is logged against.

        The question's own item, except for an ordering of dated events: there, the event the user
        put furthest from its right place (the first one when the order is right), because that is
        the date they know least well.
        """
        if not (self.is_ordering and self.item_of and isinstance(response, tuple)):
            return self.item_ids[0]
        placed = list(response)
        worst = max(range(len(self.items)), key=lambda i: (abs(placed.index(self.items[i]) - i), -i))
        return self.item_of[worst]


def pairs_in_order(right: Sequence[str], given: Sequence[str]) -> float:
    """The share of pairs of items whose relative order in ``given`` matches ``right``."""
    if sorted(right) != sorted(given):
        raise ValueError("an ordering must contain exactly the question's items")
    n = len(right)
    if n < 2:
        return 1.0
    position = {x: i for i, x in enumerate(given)}
    good = sum(1 for i in range(n) for j in range(i + 1, n) if position[right[i]] < position[right[j]])
    return good / (n * (n - 1) // 2)


# --------------------------------------------------------------------------- building a round


@dataclass(frozen=True)
class _Dated:
    event: str
    year: int
    item_id: str


def _first_item(card: Any, deck_id: str) -> str:
    # A cloze card numbered from c2 has no item called by the card's own id.
    return card_items(card, deck_id)[0].id


def pick_cards(decks: DeckSet, deck_ids: Iterable[str] | None = None, tags: Iterable[str] | None = None) -> list[tuple[Any, str]]:
    """The (card, deck id) pairs a round may ask about: in one of ``deck_ids`` (all when None) and
    carrying one of ``tags`` (any when None). Interview prompts are never quiz questions."""
    wanted_decks = set(deck_ids) if deck_ids else None
    wanted_tags = set(tags) if tags else None
    out = []
    for deck in decks.decks:
        if wanted_decks is not None and deck.id not in wanted_decks:
            continue
        for card in deck.cards:
            if not card.quizzable:
                continue
            if wanted_tags is not None and not wanted_tags.intersection(card.tags):
                continue
            out.append((card, deck.id))
    return out


def _dated_events(cards: Iterable[tuple[Any, str]]) -> list[_Dated]:
    """One entry per distinct event text; an event the decks date to two different years is left
    out, since no question about it would have a single right answer."""
    years: dict[str, set[int]] = {}
    first: dict[str, str] = {}
    for card, deck_id in cards:
        if card.year is None or not card.quizzable:
            continue
        years.setdefault(card.event, set()).add(card.year)
        first.setdefault(card.event, _first_item(card, deck_id))
    return [_Dated(event, next(iter(ys)), first[event]) for event, ys in years.items() if len(ys) == 1]


def _year_question(subject: _Dated, known_years: set[int], rng: random.Random) -> Question:
    # Never offer a year after the latest one any event in the decks happened in (plus one),
    # unless that leaves too few years to choose from.
    top = min(subject.year + YEAR_SPREAD, max(known_years | {subject.year}) + 1)
    if top - max(1900, subject.year - YEAR_SPREAD) < YEAR_CHOICES - 1:
        top = subject.year + 2 * YEAR_SPREAD
    nearby = [y for y in range(max(1900, subject.year - YEAR_SPREAD), top + 1) if y != subject.year]
    real = [y for y in nearby if y in known_years]
    other = [y for y in nearby if y not in known_years]
    rng.shuffle(real)
    rng.shuffle(other)
    years = sorted([subject.year, *(real + other)[: YEAR_CHOICES - 1]])
    return Question(
        kind="year",
        prompt=f"In what year did this happen?\n\n{subject.event}",
        item_ids=(subject.item_id,),
        choices=tuple(str(y) for y in years),
        answer=years.index(subject.year),
    )


def _distinct_years(events: Iterable[_Dated], rng: random.Random) -> dict[int, list[_Dated]]:
    by_year: dict[int, list[_Dated]] = {}
    for e in events:
        by_year.setdefault(e.year, []).append(e)
    for group in by_year.values():
        rng.shuffle(group)
    return by_year


def _dated_text(events: Iterable[_Dated]) -> str:
    return "\n".join(f"{e.year}  {e.event}" for e in sorted(events, key=lambda e: e.year))


def _first_question(subject: _Dated, events: list[_Dated], rng: random.Random) -> Question | None:
    by_year = _distinct_years((e for e in events if e.event != subject.event), rng)
    later = sorted((y for y in by_year if y > subject.year), key=lambda y: (y - subject.year, rng.random()))
    if not later:
        return None
    # Close years make the question worth asking; take the nearest few, then shuffle who shows where.
    others = [by_year[y][0] for y in later[: FIRST_CHOICES - 1]]
    shown = [subject, *others]
    rng.shuffle(shown)
    return Question(
        kind="first",
        prompt="Which came first?",
        item_ids=(subject.item_id, *(e.item_id for e in others)),
        choices=tuple(e.event for e in shown),
        answer=shown.index(subject),
        explanation=_dated_text(shown),
    )


def _dated_order_question(events: list[_Dated], rng: random.Random) -> Question | None:
    by_year = _distinct_years(events, rng)
    if len(by_year) < 3:
        return None
    years = rng.sample(sorted(by_year), min(ORDER_EVENTS, len(by_year)))
    chosen = sorted((by_year[y][0] for y in years), key=lambda e: e.year)
    right = tuple(e.event for e in chosen)
    start = list(right)
    while tuple(start) == right:
        rng.shuffle(start)
    return Question(
        kind="order",
        prompt="Put these in order, earliest first.",
        item_ids=tuple(e.item_id for e in chosen),
        items=right,
        start=tuple(start),
        item_of=tuple(e.item_id for e in chosen),
        explanation=_dated_text(chosen),
    )


def _card_question(card: Any, deck_id: str) -> Question:
    item_id = _first_item(card, deck_id)
    if card.kind == "choice":
        return Question(
            kind="choice",
            prompt=card.question,
            item_ids=(item_id,),
            choices=tuple(card.choices),
            answer=card.choices.index(card.answer),
            explanation=card.explanation,
        )
    return Question(
        kind="order",
        prompt=card.prompt,
        item_ids=(item_id,),
        items=tuple(card.items),
        start=tuple(shuffled_items(card)),
    )


def build_round(
    decks: DeckSet,
    count: int = DEFAULT_QUESTIONS,
    deck_ids: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    rng: random.Random | None = None,
) -> list[Question]:
    """Up to ``count`` questions from the chosen decks and tags, the kinds taken in turn so a round
    mixes them, never two questions about the same card. Fewer when the decks have fewer to ask."""
    rng = rng or random.Random()
    cards = pick_cards(decks, deck_ids, tags)
    events = _dated_events(cards)
    # Distractor events may come from every deck when the chosen ones have too few dates to compare.
    pool = events if len({e.year for e in events}) >= ORDER_EVENTS else _dated_events(
        (c, d.id) for d in decks.decks for c in d.cards
    )
    known_years = {e.year for e in pool}

    written = [(c, d) for c, d in cards if c.kind in ("choice", "order")]
    rng.shuffle(written)
    subjects = list(events)
    rng.shuffle(subjects)

    written_iter = iter(written)
    year_iter = iter(subjects)
    first_iter = iter(rng.sample(subjects, len(subjects)))

    def from_card() -> Question | None:
        return next((_card_question(c, d) for c, d in written_iter), None)

    def year() -> Question | None:
        return next((_year_question(s, known_years, rng) for s in year_iter), None)

    def first() -> Question | None:
        candidates = (_first_question(s, pool, rng) for s in first_iter)
        return next((q for q in candidates if q is not None), None)

    def dated_order() -> Question | None:
        # Only events from the chosen cards are put in order, so the question stays on topic.
        return _dated_order_question(events, rng)

    live: list[Callable[[], Question | None]] = [from_card, year, first, dated_order]
    rng.shuffle(live)
    clashes = dict.fromkeys(live, 0)
    questions: list[Question] = []
    used: set[str] = set()
    turn = 0
    while len(questions) < count and live:
        make = live[turn % len(live)]
        question = make()
        if question is None:
            live.remove(make)
            continue
        if used.intersection(question.item_ids):
            clashes[make] += 1
            if clashes[make] > 20:
                live.remove(make)
            continue
        used.update(question.item_ids)
        questions.append(question)
        turn += 1
    rng.shuffle(questions)
    return questions


# --------------------------------------------------------------------------- a round being played


@dataclass
class QuizResult:
    """One answered question."""

    question: Question
    response: Response
    score: float
    log_id: str
    """The review_log row written for it."""

    @property
    def right(self) -> bool:
        return self.score >= 1.0


@dataclass
class QuizRound:
    """A round being played: answering a question logs it at once, so quitting midway keeps it."""

    study: Any
    """The ``quizapp.study.study.Study`` whose store and clock the answers go to."""
    questions: list[Question]
    results: list[QuizResult] = field(default_factory=list)

    @property
    def current(self) -> Question | None:
        index = len(self.results)
        return self.questions[index] if index < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return len(self.results) >= len(self.questions)

    def answer(self, response: Response, duration_ms: int = 0) -> QuizResult:
        """Score the current question and log it (mode ``quiz``): right answers as Good without
        moving the schedule, anything less as Again, which makes the card due again soon."""
        question = self.current
        if question is None:
            raise IndexError("the round is over")
        if isinstance(response, list):
            response = tuple(response)
        score = question.score(response)
        right = score >= 1.0
        entry = self.study.record(
            question.item_for(response),
            RIGHT_RATING if right else WRONG_RATING,
            duration_ms,
            mode="quiz",
            scheduled=not right,
        )
        result = QuizResult(question, response, score, entry.id)
        self.results.append(result)
        return result

    @property
    def points(self) -> float:
        """Sum of the scores so far (an ordering can add a fraction)."""
        return sum(r.score for r in self.results)

    @property
    def misses(self) -> list[QuizResult]:
        return [r for r in self.results if not r.right]
