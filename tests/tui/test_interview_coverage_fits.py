"""The interview result's coverage bars keep their "covered/asked missed" figures at 80x24."""

import pytest
from textual.widgets import Static

from quizapp.tui.app import QuizApp
from quizapp.tui.screens.interview import InterviewScreen

ANSWER = "The model is too big for the memory of one GPU. Shard the parameters. Watch GPU utilization."


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_every_stage_figure_is_shown_whole_beside_its_bar(opened, clock, size):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("i", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        await pilot.press(*ANSWER)
        await pilot.press("ctrl+s")
        await pilot.pause()
        box = app.screen.query_one("#iv-coverage-box").content_region
        shown = {}
        for stage in ("data", "model", "serving", "monitoring", "tradeoff"):
            count = app.screen.query_one(f"#cov-{stage}").query_one(".count", Static)
            text = str(count.render()).strip()
            region = count.content_region
            assert region.width >= len(text) and region.right <= box.right, (stage, text, region, box)
            shown[stage] = text
        # The small deck's rubric: two model points, one trade-off, one monitoring point.
        assert shown["data"] == "not asked"
        assert shown["model"] == "2/2"
        assert "missed" in shown["tradeoff"] and shown["tradeoff"].startswith("0/1")
