"""The progress dashboard: today, the interview plan, a year of study days, retention, forecast,
topics and stages, the weakest cards and mock-interview scores; plus setting the interview date and
fitting FSRS to the log. Every figure comes from ``quizapp.stats.queries``, computed in a worker thread.

Longer than 400 lines: one screen with six tabs, each a few short methods that fill a table or chart
from the report; the dialogs are in ``tui/dialogs``. A tab per module is the next cut.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.lazy import Lazy
from textual.widgets import (
    Footer,
    Header,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from quizapp.decks.models import STAGES
from quizapp.errors import QuizappError
from quizapp.stats.queries import Stats, reading
from quizapp.stats.report import Report
from quizapp.study.plan import PlanReport, load_plan
from quizapp.study.study import Focus
from quizapp.text import literal, printable
from quizapp.tui.collector import collector_paused
from quizapp.tui.dialogs.optimize import OptimizeScreen
from quizapp.tui.dialogs.plan import PlanScreen
from quizapp.tui.messages import FiguresFailed, FiguresReady, PlanFiguresReady
from quizapp.tui.screens.base import AppScreen
from quizapp.tui.widgets.charts import HEAT_STYLES, Chart, Heatmap, show_bars, show_lines
from quizapp.tui.widgets.tab_body import HorizontalTabBody, TabBodyMounted, VerticalTabBody
from quizapp.tui.widgets.table import SteppedTable

TABS = ("overview", "decks", "topics", "weakest", "interviews", "plan")
LATER_TABS = TABS[1:]
"""The tabs mounted a frame after the overview."""


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def shade(value: float | None) -> str:
    """Red for weak, yellow for middling, green for strong."""
    if value is None:
        return "dim"
    return "bold red" if value < 0.7 else "yellow" if value < 0.85 else "green"


def cell(value: float | None) -> Text:
    return Text(percent(value), style=shade(value))


def number(value: int) -> Text:
    return Text(str(value), style="" if value else "dim")


def fill(table: SteppedTable, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """Set the table's columns, then its rows (a step per refresh: see ``SteppedTable``)."""
    table.clear(columns=True)
    for n, name in enumerate(columns):
        table.add_column(Text(name), key=f"c{n}")
    table.show_rows([(None, row) for row in rows])


class DashboardScreen(AppScreen[None]):
    """Progress at a glance; w reviews the weakest cards, p sets the interview date, o fits FSRS."""

    DEFAULT_CSS = """
    DashboardScreen #dash-tabs { height: 1fr; }
    DashboardScreen #dash-top { height: 11; }
    DashboardScreen .dash-panel { width: 1fr; height: 11; padding: 0 1; border: round $primary-muted; }
    DashboardScreen #today-box { width: 60; }
    DashboardScreen #today { height: 7; }
    DashboardScreen #spark-label { height: 1; }
    DashboardScreen #spark { height: 1; }
    DashboardScreen .dash-title { height: auto; padding: 0 1; }
    DashboardScreen #dash-charts { height: 1fr; min-height: 10; }
    DashboardScreen #forecast-box { width: 3fr; }
    DashboardScreen #retention-box { width: 2fr; }
    DashboardScreen DataTable { height: 1fr; }
    DashboardScreen .tab-body { height: 1fr; }
    DashboardScreen #topics-left, DashboardScreen #topics-right { width: 1fr; }
    DashboardScreen #interview-chart { width: 1fr; }
    DashboardScreen #interview-table { width: 44; margin-left: 1; }
    DashboardScreen #plan-decks { height: auto; max-height: 14; margin-bottom: 1; }
    """

    BINDINGS = [
        Binding("w", "review_weakest", "Review weakest", id="dashboard.review_weakest"),
        Binding("p", "set_plan", "Interview date", id="dashboard.plan"),
        Binding("a", "apply_plan", "Apply plan's new/day", id="dashboard.apply_plan"),
        Binding("o", "optimize", "Optimize FSRS", id="dashboard.optimize"),
        Binding("escape", "leave", "Home", id="dashboard.leave"),
        Binding("q", "leave", "Home", show=False, id="dashboard.quit"),
        *[Binding(str(n + 1), f"show_tab('{tab}')", tab.title(), show=False, id=f"dashboard.tab_{tab}")
          for n, tab in enumerate(TABS)],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        """The figures on screen (None until the first load finishes)."""
        self.figures_shown = False
        """Whether the latest figures have been put on screen (their tables may still be filling)."""
        self.load_seconds = 0.0
        """How long the latest figures took to compute."""
        self.plan_pending = False
        """Whether an interview date is set and its figures are still being worked out."""
        self.mounted_tabs: set[str] = set()
        """The tabs mounted after the overview (see compose) that are there to be filled."""

    @property
    def loaded(self) -> bool:
        """Whether the latest figures are on screen, every table filled."""
        return self.figures_shown and not any(table.filling for table in self.query(SteppedTable))

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="dash-tabs", initial="overview"):
            with TabPane("1 Overview", id="overview"):
                with Horizontal(id="dash-top"):
                    with Vertical(id="today-box", classes="dash-panel"):
                        yield Static(id="today")
                        yield Static(Text("answers, last 30 days", style="dim"), id="spark-label")
                        yield Sparkline([], id="spark")
                    yield Static(id="plan-summary", classes="dash-panel")
                yield Static(id="heat-title", classes="dash-title")
                yield Heatmap(id="heatmap")
                with Horizontal(id="dash-charts"):
                    with Vertical(id="forecast-box"):
                        yield Static(Text("Due in the next 30 days", style="bold"), classes="dash-title")
                        yield Chart(id="forecast")
                    with Vertical(id="retention-box"):
                        title = Text("Retention per week, %  ", style="bold")
                        title.append("━━ true", style="#3fb950")
                        title.append("  ")
                        title.append("━━ FSRS", style="#58a6ff")
                        yield Static(title, classes="dash-title")
                        yield Chart(id="retention-chart")
            # The other tabs are mounted a frame after the overview shows (Lazy), so it shows sooner;
            # each is filled when its body says it is mounted (TabBodyMounted).
            with TabPane("2 Decks", id="decks"):
                with Lazy(VerticalTabBody("decks", classes="tab-body")):
                    yield Static(id="retention-head", classes="dash-title")
                    yield SteppedTable(id="deck-table", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Topics", id="topics"):
                with Lazy(HorizontalTabBody("topics", classes="tab-body")):
                    with Vertical(id="topics-left"):
                        yield Static(Text("Mastery by topic, weakest first", style="bold"), classes="dash-title")
                        yield SteppedTable(id="topic-table", cursor_type="row", zebra_stripes=True)
                    with Vertical(id="topics-right"):
                        yield Static(Text("Topic × stage: recall of stage-tagged cards and mock-interview rubric scores",
                                          style="bold"), classes="dash-title")
                        yield SteppedTable(id="stage-table", cursor_type="row", zebra_stripes=True)
            with TabPane("4 Weakest", id="weakest"):
                with Lazy(VerticalTabBody("weakest", classes="tab-body")):
                    yield Static(id="weak-head", classes="dash-title")
                    yield SteppedTable(id="weak-table", cursor_type="row", zebra_stripes=True)
            with TabPane("5 Interviews", id="interviews"):
                with Lazy(VerticalTabBody("interviews", classes="tab-body")):
                    yield Static(id="interview-head", classes="dash-title")
                    with Horizontal():
                        yield Chart(id="interview-chart")
                        yield SteppedTable(id="interview-table", cursor_type="none")
            with TabPane("6 Plan", id="plan"):
                with Lazy(VerticalTabBody("plan", classes="tab-body")):
                    yield Static(id="plan-head", classes="dash-title")
                    yield SteppedTable(id="plan-decks", cursor_type="row", zebra_stripes=True)
                    yield SteppedTable(id="plan-topics", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Progress"
        self.query_one("#dash-tabs").loading = True

    def on_screen_resume(self) -> None:
        # Also runs when the screen is first shown; after a review the figures are taken again.
        self.figures_shown = False
        self.load()

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self) -> None:
        """Compute every figure but the plan's on a read-only connection, off the UI thread."""
        self.load_started = time.perf_counter()
        worker = get_current_worker()
        try:
            with reading(self.quiz_app.opened.store) as store, collector_paused():
                report = Stats(store, self.quiz_app.opened.decks, clock=self.quiz_app.study.clock).report(with_plan=False)
                self.plan_pending = load_plan(store) is not None
        except Exception as exc:  # noqa: BLE001 - a failure is shown on screen, never a crash
            if not worker.is_cancelled:
                self.post_message(FiguresFailed(exc))
            return
        if not worker.is_cancelled:
            self.post_message(FiguresReady(report))

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load_plan_figures(self) -> None:
        """Compute the plan's figures (the slowest), once the others are on screen."""
        worker = get_current_worker()
        try:
            with reading(self.quiz_app.opened.store) as store, collector_paused():
                stats = Stats(store, self.quiz_app.opened.decks, clock=self.quiz_app.study.clock)
                plan = stats.plan() if self.plan_pending else None
        except Exception as exc:  # noqa: BLE001 - a failure is shown on screen, never a crash
            if not worker.is_cancelled:
                self.post_message(FiguresFailed(exc))
            return
        if not worker.is_cancelled:
            self.load_seconds = time.perf_counter() - self.load_started
            self.post_message(PlanFiguresReady(plan))

    @on(FiguresFailed)
    def failed(self, message: FiguresFailed) -> None:
        if not self.is_attached:
            return
        self.query_one("#dash-tabs").loading = False
        self.notify(f"The figures could not be computed: {message.error}", title="Dashboard", severity="error",
                    timeout=10, markup=False)

    @on(FiguresReady)
    def show_report(self, message: FiguresReady) -> None:
        """Show the figures, then work out the plan's: its simulation is pure Python, and started while
        the screen draws the other figures it would slow that drawing down several times over (both
        need the interpreter lock)."""
        if not self.is_attached:  # left (or the app closed) while the figures were computed
            return
        self.report = report = message.report
        self.query_one("#dash-tabs").loading = False
        self.show_overview(report)
        self.show_tabs(LATER_TABS)
        self.call_after_refresh(self.load_plan_figures)

    @on(PlanFiguresReady)
    def plan_figures_ready(self, message: PlanFiguresReady) -> None:
        self.show_plan_report(message.plan)

    def show_plan_report(self, plan: PlanReport | None) -> None:
        """The plan's figures, which come after the others."""
        if self.report is None or not self.is_attached:
            return
        self.plan_pending = False
        self.report = self.report.model_copy(update={"plan": plan})
        self.show_plan_summary(plan)
        self.show_tabs(("plan",))

    @on(TabBodyMounted)
    def tab_mounted(self, message: TabBodyMounted) -> None:
        """A tab mounted after the overview is there: fill it, when the figures are."""
        self.mounted_tabs.add(message.tab)
        self.show_tabs((message.tab,))

    def show_tabs(self, tabs: Iterable[str]) -> None:
        """Fill the ``tabs`` (from ``LATER_TABS``) that are mounted; the others are filled when they are."""
        if self.report is None or not self.is_attached:
            return
        fill: dict[str, Callable[[Report], None]] = {
            "decks": self.show_decks, "topics": self.show_topics, "weakest": self.show_weakest,
            "interviews": self.show_interviews, "plan": self.show_plan,
        }
        for tab in tabs:
            if tab in self.mounted_tabs:
                fill[tab](self.report)
        self.figures_shown = not self.plan_pending and self.mounted_tabs.issuperset(LATER_TABS)

    # ------------------------------------------------------------ overview

    def show_overview(self, report: Report) -> None:
        t = report.today
        text = Text()
        text.append(f"Today · {t.day.strftime('%a %d %b %Y')}\n", style="bold")
        rows = [
            ("Due", f"{t.due} reviews · {t.learning} learning"),
            ("New", f"{t.new} left today"),
            ("Answered", t.answered_text()),
            ("Time", f"{t.seconds // 60} min {t.seconds % 60:02d} s"),
            ("Streak", f"{t.streak} day{'s' if t.streak != 1 else ''} · longest {t.longest_streak}"),
        ]
        for label, value in rows:
            text.append(f"{label:<10}", style="dim")
            text.append(value + "\n")
        text.append(f"{'Retention':<10}", style="dim")
        text.append(percent(report.retention.true_retention), style=shade(report.retention.true_retention))
        text.append(f" true · {percent(report.retention.predicted_retention)} FSRS predicted")
        self.query_one("#today", Static).update(text)
        self.query_one("#spark", Sparkline).data = [d.reviews for d in report.heatmap[-30:]]
        self.show_plan_summary(report.plan)

        days = [(d.day, d.reviews) for d in report.heatmap]
        starts = self.query_one(Heatmap).show(days)
        studied = sum(1 for _, n in days if n)
        title = Text()
        title.append("Answers per study day, last 12 months", style="bold")
        title.append(f"   {sum(n for _, n in days):,} answers on {studied} days   less ")
        for style in HEAT_STYLES:
            title.append("■", style=style)
        title.append(" more" + (f"  ({', '.join(f'{s}+' for s in starts)} answers)" if studied else ""))
        self.query_one("#heat-title", Static).update(title)

        show_bars(self.query_one("#forecast", Chart), [f.day.strftime("%d %b") for f in report.forecast],
                  [f.due for f in report.forecast], style="#58a6ff")
        weeks = report.retention_weeks
        show_lines(
            self.query_one("#retention-chart", Chart),
            [w.key[5:] for w in weeks],
            {
                "true": ([None if w.true_retention is None else 100 * w.true_retention for w in weeks], "#3fb950"),
                "FSRS": ([None if w.predicted_retention is None else 100 * w.predicted_retention for w in weeks], "#58a6ff"),
            },
            # From just under the lowest week, so the small chart spends its rows where the values are.
            y_range=(10 * ((min([100.0] + [100 * v - 3 for w in weeks
                                            for v in (w.true_retention, w.predicted_retention) if v is not None])) // 10),
                     101),
            ticks=4,
        )

    def show_plan_summary(self, plan: PlanReport | None) -> None:
        text = Text()
        if plan is None and self.plan_pending:
            text.append("Working out your interview plan…", style="bold")
        elif plan is None:
            text.append("No interview date set\n\n", style="bold")
            text.append("Press ")
            text.append("p", style="bold reverse")
            text.append(" to set the day of your interview: the dashboard then shows how much you would recall "
                        "on that day, deck by deck and topic by topic, and the daily work that gets every card "
                        "above your target by then. The review queue puts first the cards you would otherwise "
                        "have forgotten.")
        elif plan.passed:
            text.append(f"The interview day {plan.day.isoformat()} has passed\n\n", style="bold")
            text.append("Press p to set a new date or clear it.")
        else:
            when = "today" if plan.days_left == 0 else f"in {plan.days_left} day{'s' if plan.days_left != 1 else ''}"
            text.append(f"Interview {when} · {plan.day.strftime('%a %d %b %Y')}\n", style="bold")
            text.append("Predicted recall on the day: ")
            text.append(percent(plan.recall_on_day), style=shade(plan.recall_on_day / plan.target))
            text.append(f"  (target {plan.target:.0%})\n")
            text.append(f"{plan.below_target} of {plan.cards} cards below target on the day, "
                        f"{plan.new_to_learn} never studied\n")
            if plan.days_left > 0:
                text.append("To be ready: ", style="bold")
                text.append(f"~{plan.answers_per_day} answers a day", style="bold green")
                text.append(f", {plan.new_per_day} new card{'s' if plan.new_per_day != 1 else ''} a day")
                text.append(" (a: apply)\n" if plan.new_per_day != self.quiz_app.study.settings.new_per_day else "\n", style="dim")
            if plan.decks:
                weakest = plan.decks[0]
                text.append("Weakest deck on the day: ")
                text.append(printable(weakest.title))
                text.append(f" {percent(weakest.recall_on_day)}\n")
            text.append("Tab 6 has every deck and topic; p changes the date.", style="dim")
        self.query_one("#plan-summary", Static).update(text)

    # ------------------------------------------------------------ tabs

    def show_decks(self, report: Report) -> None:
        r = report.retention
        head = Text()
        head.append("True retention", style="bold")
        head.append(" (review answers on learned cards not rated Again) beside FSRS's prediction for the same answers: "
                    f"{percent(r.true_retention)} vs {percent(r.predicted_retention)} over {r.answers:,} answers. ")
        head.append("A wide gap means FSRS's default memory model does not fit you: press o to fit it.", style="dim")
        self.query_one("#retention-head", Static).update(head)
        fill(
            self.query_one("#deck-table", SteppedTable),
            ["Deck", "Cards", "Studied", "Recall now", "Reviews", "True retention", "FSRS predicted"],
            [
                (literal(d.title), number(d.cards), number(d.studied), cell(d.recall_now), number(d.answers),
                 cell(d.true_retention), cell(d.predicted_retention))
                for d in report.decks
            ],
        )

    def show_topics(self, report: Report) -> None:
        fill(
            self.query_one("#topic-table", SteppedTable),
            ["Topic", "Cards", "Studied", "Mastery", "Recall now"],
            [(literal(m.topic), number(m.cards), number(m.studied), cell(m.mastery), cell(m.recall_now))
             for m in report.topics],
        )
        cells = {(c.topic, c.stage): c for c in report.stage_map}
        topics = sorted({c.topic for c in report.stage_map},
                        key=lambda t: min(cells[(t, s)].strength for s in STAGES if (t, s) in cells))
        fill(
            self.query_one("#stage-table", SteppedTable),
            ["Topic", *STAGES],
            [
                (literal(t), *(cell(cells[(t, s)].strength) if (t, s) in cells else Text("·", style="dim")
                               for s in STAGES))
                for t in topics
            ],
        )

    def show_weakest(self, report: Report) -> None:
        head = Text()
        if report.weakest:
            head.append(f"The {len(report.weakest)} weakest cards: leeches (8+ lapses) first, then the lowest recall now. ")
            head.append("Press w to review them now, due or not.", style="bold")
        else:
            head.append("No weak cards yet: cards appear here once you have studied them.")
        if report.leeches:
            suspended = sum(1 for c in report.leeches if c.suspended)
            head.append(f"\n{len(report.leeches)} leech{'es' if len(report.leeches) != 1 else ''}", style="bold red")
            head.append(f" ({suspended} suspended; `quizapp unsuspend ID` brings one back): ")
            head.append(", ".join(printable(f"{c.id} ({c.lapses} lapses)") for c in report.leeches[:8]))
            if len(report.leeches) > 8:
                head.append(" …")
        self.query_one("#weak-head", Static).update(head)
        fill(
            self.query_one("#weak-table", SteppedTable),
            ["Card", "Deck", "Recall now", "Lapses", "Reps", "Leech"],
            [
                (literal(w.title), literal(w.deck_id), cell(w.recall_now), number(w.lapses), number(w.reps),
                 Text("leech", style="bold red") if w.leech else Text(""))
                for w in report.weakest
            ],
        )

    def show_interviews(self, report: Report) -> None:
        attempts = report.interviews
        colours = dict(zip(STAGES, ("#d29922", "#58a6ff", "#3fb950", "#bc8cff", "#f85149")))
        head = Text()
        if attempts:
            head.append(f"{len(attempts)} mock-interview attempts: share of rubric points covered per stage (%), "
                        "attempt by attempt   ", style="bold")
            for stage in STAGES:
                head.append("━━ ", style=colours[stage])
                head.append(f"{stage}  ")
        else:
            head.append("No mock interviews yet: press i on the home screen to answer a prompt against the clock.")
        self.query_one("#interview-head", Static).update(head)
        show_lines(
            self.query_one("#interview-chart", Chart),
            [str(n + 1) for n in range(len(attempts))],
            {stage: ([100 * a.stages[stage] if stage in a.stages else None for a in attempts], colours[stage])
             for stage in STAGES},
            y_range=(0, 105),
        )
        fill(
            self.query_one("#interview-table", SteppedTable),
            ["Stage", "Attempts", "Mean", "Latest 5"],
            [(Text(s.stage), number(s.attempts), cell(s.mean), cell(s.recent)) for s in report.interview_stages],
        )

    def show_plan(self, report: Report) -> None:
        plan = report.plan
        head = Text()
        columns = ["Cards", "Studied", "On the day", "Of studied", "Below target"]
        if plan is None and self.plan_pending:
            head.append("Working out your interview plan…")
            groups_decks: list = []
            groups_topics: list = []
        elif plan is None:
            head.append("No interview date set. Press p to set one.")
            groups_decks, groups_topics = [], []
        else:
            head.append(f"Predicted recall on {plan.day.isoformat()} if you stop studying now ", style="bold")
            head.append(f"(target {plan.target:.0%}; cards never studied count 0). ")
            if plan.days_left > 0:
                head.append(f"{plan.answers_needed} answers before the day get every card above target: "
                            f"about {plan.answers_per_day} a day, {plan.new_per_day} of them new cards.")
            groups_decks, groups_topics = plan.decks, plan.topics
        self.query_one("#plan-head", Static).update(head)

        def rows(groups):
            return [(literal(g.title), number(g.cards), number(g.studied), cell(g.recall_on_day), cell(g.recall_studied),
                     number(g.below_target)) for g in groups]

        fill(self.query_one("#plan-decks", SteppedTable), ["Deck", *columns], rows(groups_decks))
        fill(self.query_one("#plan-topics", SteppedTable), ["Topic", *columns], rows(groups_topics))

    # ------------------------------------------------------------ actions

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_review_weakest(self) -> None:
        if self.report is None or not self.report.weakest:
            self.notify("No weak cards yet: study some cards first.")
            return
        from quizapp.tui.screens.review import ReviewScreen

        focus = Focus(tuple(w.id for w in self.report.weakest), self.quiz_app.study.now())
        self.quiz_app.push_screen(ReviewScreen(focus=focus))

    def action_set_plan(self) -> None:
        def done(changed: bool | None) -> None:
            if changed:
                self.figures_shown = False
                self.load()

        self.quiz_app.push_screen(PlanScreen(), done)

    def action_apply_plan(self) -> None:
        """Set new cards a day to the plan's suggestion (as ``quizapp plan --apply``)."""
        from quizapp.scheduling.config import change

        plan = self.report.plan if self.report is not None else None
        if plan is None or plan.passed or plan.new_per_day <= 0:
            self.notify("No plan suggestion to apply: set an interview date with p (or nothing is left to learn).")
            return
        try:
            settings = change(self.quiz_app.opened.store, "new_per_day", str(plan.new_per_day))
        except QuizappError as exc:
            self.notify(str(exc), title="Not applied", severity="error", markup=False)
            return
        self.quiz_app.study.use_settings(settings)
        self.show_plan_summary(plan)
        self.notify(f"New cards a day: {plan.new_per_day}", title="Plan applied")

    def action_optimize(self) -> None:
        def done(saved: bool | None) -> None:
            if saved:
                self.figures_shown = False
                self.load()

        self.quiz_app.push_screen(OptimizeScreen(), done)

    def action_leave(self) -> None:
        self.quiz_app.pop_screen()

    def screen_commands(self):
        yield SystemCommand("Review the weakest cards", "Study the dashboard's weakest cards now, due or not",
                            self.action_review_weakest)
        yield SystemCommand("Set the interview date", "Plan for the day of your interview", self.action_set_plan)
        yield SystemCommand("Optimize FSRS parameters", "Fit FSRS to your own review log (fsrs-rs)", self.action_optimize)
        for n, tab in enumerate(TABS):
            yield SystemCommand(f"Dashboard tab: {tab}", f"Show the {tab} tab (key {n + 1})",
                                lambda tab=tab: self.action_show_tab(tab))
