"""Keys a user can find and rely on: q backs out of every screen and quits from home, earlier
attempts are ctrl+o on every interview screen, Z quizzes the highlighted deck, home shows the
mock-interview prompts waiting, and F1 shows the keys even while typing an answer."""

from __future__ import annotations

from textual.widgets import Static, TextArea

from quizapp.tui.app import QuizApp
from quizapp.tui.dialogs.keys import KeysDialog
from quizapp.tui.screens.attempts import AttemptsScreen
from quizapp.tui.screens.dashboard import DashboardScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.interview import InterviewPickScreen, InterviewScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.review import ReviewScreen


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


async def test_q_backs_out_of_every_screen_to_home(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        for key, screen in (("r", ReviewScreen), ("z", QuizScreen), ("i", InterviewPickScreen),
                            ("d", DashboardScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
            await pilot.press("q")
            await pilot.pause()
            if not isinstance(app.screen, HomeScreen):  # a quiz round ends on its summary first
                await pilot.press("q")
                await pilot.pause()
            assert isinstance(app.screen, HomeScreen), key
        assert app.is_running


async def test_q_while_typing_an_interview_answer_is_a_letter(opened, clock):
    app = QuizApp(opened, clock=clock, start="interview", card="s-interview")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        await pilot.press("q", "question_mark")
        assert app.screen.query_one(TextArea).text == "q?"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeysDialog)
        assert "Submit answer" in dict(app.screen.keys).values()


async def test_ctrl_o_opens_earlier_attempts_from_the_chooser(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, AttemptsScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, InterviewPickScreen)


async def test_shift_z_quizzes_the_highlighted_deck(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("Z")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.deck_ids == ["small"]


async def test_home_shows_the_mock_interview_prompts_waiting(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "Mock interviews: 0 due · 0 drafts · 1 never answered" in screen_text(app)
    study = opened.study(clock)
    study.answer("s-interview", 1, 1000)
    clock.advance(days=2)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "Mock interviews: 1 due · 0 drafts · 0 never answered" in screen_text(app)
