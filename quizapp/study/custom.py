"""Custom study for the days before an interview (Anki's Custom Study): extra new cards today,
review ahead (cards due in the next days), and cram a tag or a deck without changing schedules.

Cram answers are logged with mode ``cram`` and ``scheduled = 0``, as right quiz answers are: the
history shows them, and no schedule, replay or retention figure counts them. No Textual here.
"""

from __future__ import annotations

from datetime import timedelta

from quizapp.decks.models import card_item_ids
from quizapp.errors import QuizappError
from quizapp.study.queue import CUSTOM_KEY, extra_new_today
from quizapp.study.study import STUDY_KINDS, Focus, Study

CRAM = "cram"
"""The mode of cram answers in the review log."""
MAX_EXTRA = 9999
MAX_AHEAD_DAYS = 365


def add_new_today(study: Study, count: int) -> int:
    """Raise today's new-card limit by ``count``; returns the new cards now left today."""
    if not 1 <= count <= MAX_EXTRA:
        raise QuizappError(f"--new {count}: expected a whole number from 1 to {MAX_EXTRA}")
    today = study.today().isoformat()
    study.store.set_setting(CUSTOM_KEY, {"day": today, "new": extra_new_today(study.store, today) + count})
    return study.remaining()[0]


def ahead_focus(study: Study, days: int) -> Focus:
    """Review cards due in the next ``days`` study days (not today), soonest first, to review now.
    They are scheduled as any review: FSRS takes the early answer into account."""
    if not 1 <= days <= MAX_AHEAD_DAYS:
        raise QuizappError(f"--ahead {days}: expected a whole number of days from 1 to {MAX_AHEAD_DAYS}")
    bounds = study._bounds()
    end = study.now() + timedelta(days=days)
    _, _, day_end, _ = study._day(end)
    ids = [
        r[0]
        for r in study.store.conn.execute(
            f"SELECT id FROM cards WHERE {study._VISIBLE} AND state = 2 AND due >= :day_end AND due < :until"
            " ORDER BY due, id",
            {**bounds, "until": day_end},
        )
        if r[0] in study.items
    ]
    return Focus(tuple(ids), study.now(), title=f"Review ahead ({days} day{'s' if days != 1 else ''})")


def cram_focus(study: Study, target: str) -> Focus:
    """The cards of a tag (``TAG``) or a deck (``deck:ID``) to cram: each shown until answered other
    than Again, answers logged without changing any schedule."""
    target = target.strip()
    if target.startswith("deck:"):
        deck_id = target[len("deck:"):]
        deck = study.decks.deck(deck_id)
        if deck is None:
            known = ", ".join(d.id for d in study.decks.decks) or "none"
            raise QuizappError(f"--cram {target}: no deck with id '{deck_id}' (decks: {known})")
        cards = [c for c in deck.cards if c.kind in STUDY_KINDS]
        deck_ids = {c.id: deck.id for c in cards}
    else:
        cards, deck_ids = [], {}
        for deck in study.decks.decks:
            for c in deck.cards:
                if c.kind in STUDY_KINDS and target in c.tags:
                    cards.append(c)
                    deck_ids[c.id] = deck.id
        if not cards:
            raise QuizappError(f"--cram {target}: no card is tagged '{target}' (or write deck:ID for a deck)")
    ids = tuple(i for c in cards for i in card_item_ids(c))
    return Focus(ids, study.now(), title=f"Cram {target}", mode=CRAM)
