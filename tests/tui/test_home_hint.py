"""The home screen's hint line names every key a new user needs, settings and custom study included,
in at most two lines at 80 columns."""

from textual.widgets import Static

from quizapp.tui.app import QuizApp


async def test_the_home_hint_names_settings_and_custom_study_in_two_lines_at_80_columns(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        hint = app.screen.query_one("#hint", Static)
        text = str(hint.render())
        for key in ("enter:", "r:", "z:", "i:", "b:", "c: custom study", "s: settings", "?: keys"):
            assert key in text, key
        assert hint.content_region.height <= 2
        lines = text.splitlines()
        assert len(lines) <= 2 and all(len(line) <= hint.content_region.width for line in lines), lines
