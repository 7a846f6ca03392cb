"""Keys on the mock-interview result screen keep working after reading earlier attempts."""

from __future__ import annotations

from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.attempts import AttemptsScreen
from quizapp.tui.screens.interview import InterviewScreen
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck

SECOND_PROMPT = """
  - id: s-interview-2
    kind: interview
    prompt: How would you serve a model to many users?
    model_answer: [Batch requests]
    rubric:
      - {point: Batching, stage: serving, evidence: ["batch + request"]}
    source: 002_18f98a9d08c2b30b.txt
    tags: [serving]
"""


async def test_n_goes_to_the_next_prompt_after_earlier_attempts_and_escape(tmp_path, clock):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK.rstrip("\n") + "\n" + SECOND_PROMPT.lstrip("\n"))
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    try:
        app = QuizApp(opened, clock=clock, start="interview", card="s-interview")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("n", "o")
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert isinstance(app.screen, AttemptsScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, InterviewScreen) and app.screen.phase == "done"
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, InterviewScreen)
            assert app.screen.item.id == "s-interview-2"
    finally:
        opened.store.close()
