"""Mock interviews driven by keys: countdown and overrun, drafts that survive a restart, judging the
rubric, the rating, and earlier attempts side by side."""

import json

from textual.widgets import DataTable, ProgressBar, Static, TextArea

from quizapp.cli.main import main
from quizapp.db.store import Store
from quizapp.modes.interview import load_draft
from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.attempts import AttemptsScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.interview import InterviewPickScreen, InterviewScreen
from quizapp.tui.widgets.rubric import RubricChecklist

ANSWER = "The model is too big for the memory of one GPU. Shard the parameters [b]x[/]. Watch GPU utilization."


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


def coverage(app) -> dict[str, tuple[float, float]]:
    out = {}
    for stage in ("data", "model", "serving", "monitoring", "tradeoff"):
        bar = app.screen.query_one(f"#cov-{stage}").query_one(ProgressBar)
        out[stage] = (bar.progress, bar.total)
    return out


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_a_whole_mock_interview_from_the_home_screen(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InterviewPickScreen)
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][:2] == ["When would you pick FSDP over DDP?", "new"]
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen) and screen.item.id == "s-interview"
        assert "5:00 left" in screen_text(app)
        await type_text(pilot, ANSWER)
        assert screen.query_one(TextArea).text == ANSWER
        clock.advance(seconds=330)  # half a minute past the 5-minute limit
        await pilot.pause(0.7)
        assert "0:30 over" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        # The answer beside the model outline; markup typed by the user stays literal
        text = screen_text(app)
        assert ANSWER in text and "Shard params grads and optimizer state" in text
        assert "Answered in 5:30" in text and "0:30 over the 5:00 limit" in text
        checklist = screen.query_one(RubricChecklist)
        assert checklist.detected == [True, True, False, True]
        assert checklist.ticked == [True, True, False, True]
        assert str(checklist.render()).count("detected") == 3
        # The highlighted pre-ticked point shows the sentence that earned it
        assert "↳ “The model is too big for the memory of one GPU.”" in str(checklist.render())
        assert "Watch GPU utilization" not in str(checklist.render())
        assert coverage(app)["model"] == (2, 2) and coverage(app)["tradeoff"] == (0, 1)
        assert "3 of 4 points = 75%" in screen_text(app)
        # The user changes two ticks: point 3 by its number, point 4 with the cursor and space
        await pilot.press("3", "down", "space")
        await pilot.pause()
        assert "↳ “Watch GPU utilization.”" in str(checklist.render())  # the highlighted point's sentence
        assert checklist.ticked == [True, True, True, False]
        assert coverage(app)["tradeoff"] == (1, 1) and coverage(app)["monitoring"] == (0, 1)
        assert opened.store.log_count() == 0  # nothing stored before the ticks are confirmed
        await pilot.press("c")
        await pilot.pause()
        assert "Saved: 75% of the rubric → rated Good" in screen_text(app)
    rows = opened.store.query("SELECT * FROM attempts")
    assert len(rows) == 1
    row = rows[0]
    assert row["answer"] == ANSWER and row["card_id"] == "s-interview"
    assert (row["duration_s"], row["overrun_s"], row["time_limit_s"]) == (330.0, 30.0, 300)
    assert row["score"] == 0.75 and row["rating"] == 3
    assert json.loads(row["stage_scores"]) == {"model": 1.0, "monitoring": 0.0, "tradeoff": 1.0}
    ticks = json.loads(row["ticks"])
    assert [(t["detected"], t["ticked"]) for t in ticks] == [(True, True), (True, True), (False, True), (True, False)]
    log = opened.store.query("SELECT * FROM review_log")
    assert len(log) == 1 and log[0]["id"] == row["review_id"]
    assert (log[0]["mode"], log[0]["rating"], log[0]["card_id"]) == ("interview", 3, "s-interview")
    assert opened.store.scalar("SELECT COUNT(*) FROM drafts") == 0


async def test_the_draft_is_saved_while_typing_and_comes_back_after_a_restart(workspace, clock):
    opened = open_workspace(workspace)
    app = QuizApp(opened, clock=clock, start="interview", card="s-interview")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_text(pilot, "mem")
        clock.advance(seconds=40)
        await pilot.pause(0.7)  # the next tick of the countdown saves it
        # As if the process died here: another connection already reads the draft from disk.
        other = Store.open(workspace.db_path)
        assert load_draft(other, "s-interview").text == "mem"
        other.close()
        assert "draft saved" in screen_text(app)
    opened.store.close()

    clock.advance(hours=3)
    reopened = open_workspace(workspace)
    app = QuizApp(reopened, clock=clock, start="interview", card="s-interview")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        editor = app.screen.query_one(TextArea)
        assert editor.text == "mem"
        # 40 s were used before; the three hours away do not count
        assert "4:20 left" in screen_text(app)
    reopened.store.close()


async def test_quitting_mid_answer_keeps_the_last_keystrokes(workspace, clock):
    opened = open_workspace(workspace)
    app = QuizApp(opened, clock=clock, start="interview", card="s-interview")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_text(pilot, "abc")
        await pilot.press("ctrl+q")
    assert load_draft(opened.store, "s-interview").text == "abc"
    opened.store.close()


async def test_escape_saves_the_draft_and_the_chooser_offers_it_first(opened, clock):
    app = QuizApp(opened, clock=clock, start="interview")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await type_text(pilot, "half done")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InterviewPickScreen)
        assert [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)][1] == "draft"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "half done"


async def test_a_weak_answer_is_rated_again_and_earlier_attempts_read_side_by_side(opened, clock):
    app = QuizApp(opened, clock=clock, start="interview", card="s-interview")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_text(pilot, "no")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one(RubricChecklist).ticked == [False] * 4
        await pilot.press("c")
        await pilot.pause()
        assert "rated Again" in screen_text(app) and "comes back in 1m" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        clock.advance(minutes=2)
        await pilot.press("i")
        await pilot.pause()
        row = [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)]
        assert row[:4] == ["When would you pick FSDP over DDP?", "due", "1", "0%"]
        await pilot.press("enter")
        await type_text(pilot, "Shard the optimizer state. The communication overhead grows.")
        await pilot.press("ctrl+s", "c")
        await pilot.pause()
        assert "50% of the rubric → rated Hard" in screen_text(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, AttemptsScreen)
        columns = [str(s.render()) for s in app.screen.query(".att-column Static")]
        assert len(columns) == 3  # the model answer, then the newest attempt first
        assert columns[0].startswith("Model answer outline")
        assert "Attempt 2" in columns[1] and "Score 50% → Hard" in columns[1] and "Shard the optimizer state" in columns[1]
        assert "Attempt 1" in columns[2] and "Score 0% → Again" in columns[2] and "no" in columns[2]
        assert app.screen.focused is app.screen.query(".att-column")[1]
        await pilot.press("right")
        assert app.screen.focused is app.screen.query(".att-column")[2]
    assert [r["rating"] for r in opened.store.query("SELECT rating FROM review_log ORDER BY reviewed_at")] == [1, 2]


async def test_leaving_before_confirming_scores_nothing_and_keeps_the_draft(opened, clock):
    app = QuizApp(opened, clock=clock, start="interview", card="s-interview")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_text(pilot, "draft text")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert opened.store.log_count() == 0
    assert opened.store.scalar("SELECT COUNT(*) FROM attempts") == 0
    assert load_draft(opened.store, "s-interview").text == "draft text"


def test_the_interview_command_refuses_a_card_that_is_not_a_prompt(workspace, capsys):
    home = str(workspace.home)
    assert main(["--home", home, "interview", "--card", "nope"]) == 1
    assert "no card with id 'nope'" in capsys.readouterr().err
    assert main(["--home", home, "interview", "--card", "s-cloze"]) == 1
    assert "'s-cloze' is a cloze card, not an interview prompt" in capsys.readouterr().err
