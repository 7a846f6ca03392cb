"""`doctor --check` while another quizapp answers reports no disagreement that is not there."""

from __future__ import annotations

from datetime import timedelta

from quizapp.repair.doctor import examine
from quizapp.session import open_workspace


def test_an_answer_given_while_the_doctor_reads_is_no_disagreement(workspace, opened, clock):
    study = opened.study(clock)
    for _ in range(2):
        study.answer(study.next_item().id, 3, 1000)
    reviewer = open_workspace(workspace)  # another quizapp, answering meanwhile
    other = reviewer.study(clock)
    clock.advance(minutes=5)
    store = opened.store
    real_query = store.query
    answered = []

    def query(sql, params=()):
        rows = real_query(sql, params)
        if "FROM review_log" in sql and not answered:
            # The other quizapp answers between the doctor's reads of the log and of the cards.
            answered.append(other.answer(other.next_item().id, 3, 1000))
        return rows

    store.query = query  # type: ignore[method-assign]
    try:
        report = examine(store, fix=False, now=clock() + timedelta(minutes=1))
    finally:
        del store.query
        reviewer.store.close()
    assert answered, "the other answer was given during the check"
    assert [f.kind for f in report.findings] == [], report.findings
