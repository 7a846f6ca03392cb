"""Quiz mode driven by keys: a whole round, orderings moved into place, feedback, the summary, and the log."""

import threading
from datetime import timedelta

import pytest
from textual.widgets import Static

from quizapp.cli.main import main
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.quiz import QuizScreen, QuizSummaryScreen


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


def footer_keys(app) -> set[str]:
    return {key for key, b in app.screen.active_bindings.items() if b.binding.show and b.enabled}


async def round_drawn(app, pilot) -> None:
    """Wait until the round, drawn in a worker, is on screen."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def put_in_order(pilot, screen, wanted) -> None:
    """Arrange the ordering with the keys a user would press: up/down to an item, shift+up to move it."""
    for target, item in enumerate(wanted):
        while screen.order.index(item) != screen.cursor:
            await pilot.press("down")
        while screen.cursor > target:
            await pilot.press("shift+up")


async def test_a_whole_round_from_the_home_screen_is_scored_logged_and_summarised(quiz_opened, clock):
    app = QuizApp(quiz_opened, clock=clock)
    expected = []  # (item logged, right?)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("z")
        await round_drawn(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        total = len(screen.round.questions)
        # ten by default; this small collection may run out of distinct cards earlier, depending on
        # the draw
        assert 0 < total <= 10
        n = 0
        while isinstance(app.screen, QuizScreen):
            q = screen.question
            assert f"Question {n + 1} of {total}" in screen_text(app)
            answer_right = n % 2 == 0
            if q.is_ordering:
                assert {"shift+up", "shift+down", "enter"} <= footer_keys(app)
                assert "1" not in footer_keys(app)
                wanted = q.items if answer_right else (q.items[1], q.items[0], *q.items[2:])
                await put_in_order(pilot, screen, wanted)
                assert tuple(screen.order) == tuple(wanted)
                await pilot.press("enter")
                expected.append((q.item_for(tuple(wanted)), answer_right))
            else:
                assert "1" in footer_keys(app) and "shift+up" not in footer_keys(app)
                pick = q.answer if answer_right else (q.answer + 1) % len(q.choices)
                await pilot.press(str(pick + 1))
                expected.append((q.item_ids[0], answer_right))
            await pilot.pause()
            shown = screen_text(app)
            # Immediate feedback with the right answer
            if answer_right:
                assert "Right!" in shown
            else:
                assert "The right answer:" in shown and q.right_answer().splitlines()[0] in shown
            # Keys that picked an answer do nothing more until the next question
            before = quiz_opened.store.log_count()
            await pilot.press("1", "2")
            assert quiz_opened.store.log_count() == before == n + 1
            await pilot.press("enter")
            await pilot.pause()
            n += 1
        assert isinstance(app.screen, QuizSummaryScreen)
        summary = screen_text(app)
        misses = [e for e in expected if not e[1]]
        assert f"Misses ({len(misses)})" in summary and len(misses) == total // 2
        rows = quiz_opened.store.query("SELECT card_id, rating, scheduled, mode FROM review_log ORDER BY reviewed_at, rowid")
        assert len(rows) == total and {r["mode"] for r in rows} == {"quiz"}
        assert [(r["card_id"], r["rating"] == 3) for r in rows] == expected
        assert all(r["scheduled"] == (0 if r["rating"] == 3 else 1) for r in rows)
        # each missed card is due in review within minutes
        for card_id, _ in misses:
            state = quiz_opened.store.card_state(card_id)
            assert state.state in (1, 3) and state.due - clock() <= timedelta(minutes=10)
        score = float(summary.split("Score: ")[1].split(" /")[0])
        right = total - len(misses)
        assert right <= score < total  # the right ones, plus partial credit on any half-right ordering
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_choice_text_is_shown_literally_and_only_valid_numbers_answer(quiz_opened, clock):
    app = QuizApp(quiz_opened, clock=clock, start="quiz", deck="dated", count=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await round_drawn(app, pilot)
        screen = app.screen
        while not (screen.question.kind == "choice" and screen.question.item_ids[0] == "d-choice"):
            q = screen.question
            await pilot.press("enter" if q.is_ordering else "1")
            await pilot.press("enter")
            await pilot.pause()
        assert "Which release brought [bold]torch.compile[/]?" in screen_text(app)
        logged = quiz_opened.store.log_count()
        await pilot.press("9")  # only three choices
        assert quiz_opened.store.log_count() == logged
        await pilot.press("2")
        await pilot.pause()
        assert quiz_opened.store.log_count() == logged + 1
        assert "Right!" in screen_text(app) and "The 2.0 release, in 2023." in screen_text(app)


async def test_escape_ends_the_round_early_with_the_score_so_far(quiz_opened, clock):
    app = QuizApp(quiz_opened, clock=clock, start="quiz", count=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await round_drawn(app, pilot)
        q = app.screen.question
        await pilot.press("enter" if q.is_ordering else str(q.answer + 1))
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert isinstance(app.screen, QuizSummaryScreen)
        text = screen_text(app)
        assert "Ended after 1 of 5 questions." in text
        assert quiz_opened.store.log_count() == 1


async def test_a_quiz_of_one_tag_from_the_command_palette(quiz_opened, clock):
    app = QuizApp(quiz_opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"tag: governance")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await round_drawn(app, pilot)
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.tags == ["governance"]
        assert [q.item_ids[0] for q in app.screen.round.questions] == ["d-2022"]


async def test_decks_without_quiz_material_say_so(opened, clock, tmp_path):
    app = QuizApp(opened, clock=clock, start="quiz", tags=["markup"])
    async with app.run_test(size=(120, 40)) as pilot:
        await round_drawn(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "no quiz questions" in " ".join(str(n.message) for n in app._notifications)


def held_round(monkeypatch) -> threading.Event:
    """Rounds are drawn only once the returned event is set (the decks of a large collection take a while)."""
    import quizapp.tui.screens.quiz as quiz_screen

    release = threading.Event()
    draw = quiz_screen.build_round

    def slow(*args, **kwargs):
        release.wait(10)
        return draw(*args, **kwargs)

    monkeypatch.setattr(quiz_screen, "build_round", slow)
    return release


async def test_the_round_is_drawn_while_the_screen_answers_keys_and_then_shows_its_first_question(
    quiz_opened, clock, monkeypatch
):
    release = held_round(monkeypatch)
    app = QuizApp(quiz_opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert "Drawing the questions" in screen_text(app)
        # Keys pressed before any question shows answer nothing and break nothing.
        await pilot.press("1", "2", "down", "shift+up", "enter", "d")
        assert quiz_opened.store.log_count() == 0 and screen.question is None
        release.set()
        await round_drawn(app, pilot)
        assert "Question 1 of" in screen_text(app) and "Drawing" not in screen_text(app)
        q = screen.question
        assert q is not None and q.prompt.splitlines()[0] in screen_text(app)
        if q.is_ordering:
            await put_in_order(pilot, screen, q.items)
            await pilot.press("enter")
        else:
            await pilot.press(str(q.answer + 1))
        await pilot.pause()
        assert quiz_opened.store.log_count() == 1 and "Right!" in screen_text(app)


async def test_leaving_while_the_round_is_drawn_goes_home_and_the_late_round_changes_nothing(
    quiz_opened, clock, monkeypatch
):
    release = held_round(monkeypatch)
    app = QuizApp(quiz_opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        release.set()
        await pilot.pause(0.3)
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 2
        assert quiz_opened.store.log_count() == 0


def test_the_quiz_command_refuses_unknown_decks_and_tags(quiz_opened, capsys):
    home = str(quiz_opened.workspace.home)
    assert main(["--home", home, "quiz", "--deck", "nope"]) == 1
    assert "no deck with id 'nope'" in capsys.readouterr().err
    assert main(["--home", home, "quiz", "--tag", "nope"]) == 1
    assert "no card has the tag 'nope'" in capsys.readouterr().err
    assert main(["--home", home, "quiz", "--tag", "markup"]) == 1
    assert "no quiz questions" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--home", home, "quiz", "-n", "0"])
