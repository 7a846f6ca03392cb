"""The whole report over a generated history, figure by figure, against a straightforward computation
in Python from the raw rows (py-fsrs's retrievability, every answer and card looked at one by one):
the report's queries group, join and reuse per-card results, and a wrong shortcut must fail here."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from quizapp.db.records import REVIEW, CardState, LogEntry, new_id, to_iso
from quizapp.decks.loader import load_decks
from quizapp.decks.models import STAGES, card_item_ids, card_items
from quizapp.scheduling.scheduler import Scheduler, day_start, load_settings, study_day
from quizapp.session import open_workspace
from quizapp.stats.queries import LEECH_LAPSES, Stats, item_title
from quizapp.study.tags import STAGE_TAGS
from quizapp.workspace import Workspace
from tests.support.decks import FIXED_NOW
from tests.support.history import add_attempt, generate_history, write_generated_decks

DAY = timedelta(days=1)

MIXED_DECK = """
id: mixed
title: Mixed kinds
cards:
  - id: m-cloze
    kind: cloze
    text: "{{c1::Adam}} keeps {{c2::two}} moments; {{c3::bias}} correction"
    source: gen.txt
    tags: [compilers, model]
  - id: m-reverse
    front: Front
    back: Back
    reverse: true
    source: gen.txt
    tags: [distributed, trade-offs]
  - id: m-untagged
    front: No tags
    back: None
    source: gen.txt
  - id: m-stage-only
    front: Only a stage
    back: Serving
    source: gen.txt
    tags: [serving]
  - id: m-choice
    kind: choice
    question: Pick one
    choices: [a, b]
    answer: a
    source: gen.txt
    tags: [serving-infra, monitoring, data]
"""


def approx(value):
    # Sums of floats come out in another order than the reference's: equal to rounding.
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-12)


def mean(values):
    return sum(values) / len(values) if values else None


def test_card_item_ids_are_the_ids_of_card_items(tmp_path):
    (tmp_path / "mixed.yaml").write_text(MIXED_DECK, encoding="utf-8")
    decks = load_decks([tmp_path])
    for card in decks.decks[0].cards:
        assert card_item_ids(card) == [item.id for item in card_items(card, "mixed")]


@pytest.fixture
def history(tmp_path):
    """A generated history over several decks and every kind of card, with suspended, removed and
    orphaned cards, quiz answers, answers without a logged prediction and interview attempts."""
    folder = tmp_path / "decks"
    write_generated_decks(folder, {"gen-a": 30, "gen-b": 20, "gen-c": 12}, interview=3)
    (folder / "mixed.yaml").write_text(MIXED_DECK, encoding="utf-8")
    opened = open_workspace(Workspace(tmp_path, (folder,), "test"))
    store = opened.store
    ids = [r["id"] for r in store.query("SELECT id FROM cards WHERE kind != 'interview' ORDER BY id")]
    studied = [i for n, i in enumerate(ids) if n % 5 != 4]
    end = FIXED_NOW - timedelta(hours=2)
    generate_history(store, studied, end=end, days=240, seed=3)
    generate_history(store, ids[::7], end=end, days=200, seed=5, mode="quiz")
    with store.write() as c:
        # Predictions worked out from the previous state instead of logged.
        c.execute("UPDATE review_log SET recall = NULL WHERE rowid % 3 = 0")
        c.execute("UPDATE cards SET suspended = 1 WHERE id IN (?, ?)", [studied[1], studied[8]])
        c.execute("UPDATE cards SET present = 0 WHERE id = ?", [studied[2]])
        c.execute("UPDATE cards SET buried_until = ? WHERE id = ?", [FIXED_NOW.date().isoformat(), studied[3]])
        c.execute("UPDATE cards SET lapses = ? WHERE id IN (?, ?)", [LEECH_LAPSES + 1, studied[4], studied[5]])
    prev = CardState(id="gone", state=REVIEW, stability=5.0, difficulty=5.0, last_review=end - 9 * DAY, due=end)
    for rating in (1, 3, 3):
        store.record_answer(
            LogEntry(id=new_id(), card_id="gone", rating=rating, reviewed_at=end - DAY, state_before=REVIEW,
                     prev=prev.to_json()),
            None,
        )
    for n, (days, stages) in enumerate([(9, {"data": 1.0, "model": 0.0}), (3, {"data": 0.5, "serving": 1})]):
        add_attempt(store, "gen-a-prompt-0", FIXED_NOW - days * DAY, stages)
        add_attempt(store, f"gen-a-prompt-{n + 1}", FIXED_NOW - days * DAY, {"monitoring": 0.25, "tradeoff": 0.75})
    yield opened
    store.close()


def reference(opened, now):
    """Every figure the report computes, worked out row by row."""
    store, decks = opened.store, opened.decks
    settings = load_settings(store)
    scheduler = Scheduler(settings)
    today = study_day(now, settings.rollover_hour)
    cards = {r["id"]: r for r in store.query("SELECT * FROM cards")}
    log = list(store.query("SELECT * FROM review_log"))
    tags = {}
    for deck in decks.decks:
        for card in deck.cards:
            topics = {t for t in card.tags if t not in STAGE_TAGS}
            stages = {STAGE_TAGS[t] for t in card.tags if t in STAGE_TAGS}
            for item in card_items(card, deck.id):
                tags.setdefault(item.id, (topics, stages))

    def recall_now(card):
        if card["state"] == 0 or not card["stability"] or card["last_review"] is None:
            return 0.0
        state = CardState.from_row(card)
        return scheduler.retrievability(state, now)

    def predicted(row):
        if row["recall"] is not None:
            return row["recall"]
        if not row["prev"]:
            return None
        state = CardState.from_json(row["card_id"], row["prev"])
        if not state.stability or state.last_review is None:
            return None
        return scheduler.retrievability(replace(state, state=REVIEW), datetime.fromisoformat(row["reviewed_at"]))

    def shown(card):
        return card["present"] == 1 and card["suspended"] == 0

    def retention(rows):
        preds = [p for p in (predicted(r) for r in rows) if p is not None]
        kept = sum(r["rating"] > 1 for r in rows)
        return len(rows), (kept / len(rows) if rows else None), mean(preds)

    retained = [r for r in log if r["state_before"] == 2 and r["mode"] == "review"]
    out = {"retention": retention(retained)}

    decks_out = []
    for deck in decks.decks:
        in_deck = [c for c in cards.values() if c["deck_id"] == deck.id]
        studied = [c for c in in_deck if shown(c) and c["state"] != 0]
        ids = {c["id"] for c in in_deck}
        answers, true, pred = retention([r for r in retained if r["card_id"] in ids])
        # A deck's cards: present ones, suspended too (one definition on every screen).
        decks_out.append((deck.id, sum(c["present"] == 1 for c in in_deck), len(studied),
                          mean([recall_now(c) for c in studied]), answers, true, pred))
    out["decks"] = decks_out

    topics = defaultdict(list)
    for card in cards.values():
        if shown(card) and card["id"] in tags:
            for topic in tags[card["id"]][0]:
                topics[topic].append(card)
    topic_rows = []
    for topic, members in topics.items():
        studied = [c for c in members if c["state"] != 0]
        ids = {c["id"] for c in members}
        rows = [r for r in retained if r["card_id"] in ids]
        topic_rows.append((
            topic, len(members), len(studied), mean([recall_now(c) for c in studied]),
            sum(recall_now(c) for c in members) / len(members), len(rows),
            sum(r["rating"] > 1 for r in rows) / len(rows) if rows else None,
        ))
    out["topics"] = sorted(topic_rows, key=lambda t: (t[4], -t[1], t[0]))

    cells = defaultdict(lambda: ([], 0, 0))
    for card in cards.values():
        if shown(card) and card["state"] != 0 and card["kind"] != "interview" and card["id"] in tags:
            for topic in tags[card["id"]][0]:
                for stage in tags[card["id"]][1]:
                    values, n, a = cells[topic, stage]
                    cells[topic, stage] = (values + [recall_now(card)], n + 1, a)
    latest = {}
    for a in store.query("SELECT * FROM attempts ORDER BY submitted_at, id"):
        latest[a["card_id"]] = a
    for a in latest.values():
        for topic in tags.get(a["card_id"], (set(), set()))[0]:
            for stage, share in json.loads(a["stage_scores"]).items():
                values, n, k = cells[topic, stage]
                cells[topic, stage] = (values + [share], n, k + 1)
    out["stage_map"] = sorted(
        (topic, stage, mean(values), n, k) for (topic, stage), (values, n, k) in cells.items() if stage in STAGES
    )

    visible = [
        c for c in cards.values()
        if shown(c) and c["state"] != 0 and c["kind"] in ("basic", "cloze", "choice", "order")
        and (c["buried_until"] is None or c["buried_until"] < today.isoformat())
    ]
    visible.sort(key=lambda c: (-(c["lapses"] >= LEECH_LAPSES), recall_now(c), -c["lapses"], c["id"]))
    items = opened.decks.item_map()
    out["weakest"] = [
        (c["id"], c["deck_id"], item_title(items[c["id"]]), recall_now(c), c["lapses"], c["reps"],
         c["lapses"] >= LEECH_LAPSES)
        for c in visible if c["id"] in items
    ][:15]

    monday = today - timedelta(days=today.weekday())
    weeks = []
    for i in range(26):
        start = monday - timedelta(weeks=25 - i)
        lo, hi = day_start(start, settings.rollover_hour), day_start(start + timedelta(weeks=1), settings.rollover_hour)
        rows = [r for r in retained if to_iso(lo) <= r["reviewed_at"] < to_iso(hi)]
        if rows:
            weeks.append((start.isoformat(), *retention(rows)))
    out["weeks"] = weeks

    per_day = defaultdict(int)
    for r in log:
        per_day[study_day(datetime.fromisoformat(r["reviewed_at"]), settings.rollover_hour)] += 1
    out["heatmap"] = [(today - timedelta(days=364 - i), per_day[today - timedelta(days=364 - i)]) for i in range(365)]
    return out


def test_every_figure_matches_a_row_by_row_computation(history, clock):
    opened = history
    report = Stats(opened.store, opened.decks, clock=clock).report()
    expected = reference(opened, clock())

    answers, true, pred = expected["retention"]
    assert (report.retention.answers, report.retention.true_retention, report.retention.predicted_retention) == (
        answers, approx(true), approx(pred))
    assert answers > 100 and any(r for r in expected["weeks"])

    got_decks = [(d.key, d.cards, d.studied, d.recall_now, d.answers, d.true_retention, d.predicted_retention)
                 for d in report.decks]
    assert got_decks == [(k, n, s, approx(r), a, approx(t), approx(p)) for k, n, s, r, a, t, p in expected["decks"]]

    got_topics = [(t.topic, t.cards, t.studied, t.recall_now, t.mastery, t.answers, t.true_retention)
                  for t in report.topics]
    assert got_topics == [(k, n, s, approx(r), approx(m), a, approx(t)) for k, n, s, r, m, a, t in expected["topics"]]
    assert {t.topic for t in report.topics} >= {"compilers", "distributed", "serving-infra"}

    got_cells = [(c.topic, c.stage, c.strength, c.cards, c.attempts) for c in report.stage_map]
    assert got_cells == [(t, s, approx(v), n, k) for t, s, v, n, k in expected["stage_map"]]
    assert any(c.attempts for c in report.stage_map)

    got_weak = [(w.id, w.deck_id, w.title, w.recall_now, w.lapses, w.reps, w.leech) for w in report.weakest]
    assert got_weak == [(i, d, t, approx(r), la, re, le) for i, d, t, r, la, re, le in expected["weakest"]]
    assert report.weakest[0].leech

    got_weeks = [(w.key, w.answers, w.true_retention, w.predicted_retention) for w in report.retention_weeks]
    assert got_weeks == [(k, a, approx(t), approx(p)) for k, a, t, p in expected["weeks"]]

    assert [(d.day, d.reviews) for d in report.heatmap] == expected["heatmap"]


def test_the_figures_alone_match_the_report(history, clock):
    opened = history
    report = Stats(opened.store, opened.decks, clock=clock).report()
    stats = Stats(opened.store, opened.decks, clock=clock)
    assert stats.topic_mastery() == report.topics
    assert stats.stage_map() == report.stage_map
    assert stats.weakest() == report.weakest
    assert stats.decks_recall() == (report.retention, report.decks)
    assert stats.retention_weeks() == report.retention_weeks
