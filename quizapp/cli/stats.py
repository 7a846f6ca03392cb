"""``quizapp stats``, ``quizapp optimize`` and ``quizapp plan``: the progress figures on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from quizapp.cli.common import open_workspace, positive_int
from quizapp.text import literal


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60:02d} s"


PIPED_WIDTH = 160
"""Columns for tables written to a file or a pipe (Rich would assume 80 and cut the headers short);
``COLUMNS`` set in the environment wins. Tables take only the room they need."""


def _console() -> Console:
    """A console on stdout: the terminal's width, or ``PIPED_WIDTH`` when stdout is not a terminal."""
    import os

    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").strip().isdigit():
        return Console()
    return Console(width=PIPED_WIDTH)


def _table(title: str, columns: Iterable[str], right_from: int = 1) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for n, name in enumerate(columns):
        if n < right_from:
            # Names are cut short rather than wrapped over several lines.
            table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=28)
        else:
            table.add_column(name, justify="right")
    return table


# ---------------------------------------------------------------- quizapp stats


def stats_args(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print every figure as JSON (fields: see --schema)")
    out.add_argument("--schema", action="store_true", help="print the JSON Schema of --json, with a description of every field")
    p.add_argument("--top", type=positive_int, default=20, metavar="N", help="rows shown in the topic tables (default 20; --json has all)")


def cmd_stats(args: argparse.Namespace) -> int:
    from quizapp.stats.queries import Stats
    from quizapp.stats.report import report_schema

    if args.schema:
        print(json.dumps(report_schema(), indent=2))
        return 0
    opened = open_workspace(args)
    try:
        report = Stats(opened.store, opened.decks).report()
    finally:
        opened.store.close()
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    print_report(report, _console(), top=max(1, args.top))
    return 0


def print_report(report, console: Console, top: int = 20) -> None:
    """The report as Rich tables, in the order the dashboard shows it."""
    t = report.today
    console.print(Text(f"Progress on {t.day.isoformat()}", style="bold"))
    summary = Table.grid(padding=(0, 2))
    summary.add_column()
    summary.add_column(justify="right")
    for label, value in (
        ("Due today", f"{t.due} reviews, {t.learning} learning"),
        ("New left today", str(t.new)),
        ("Answered today", t.answered_text()),
        ("Time today", _minutes(t.seconds)),
        ("Streak", f"{t.streak} day(s); longest {t.longest_streak}"),
        ("True retention", f"{_percent(report.retention.true_retention)} of {report.retention.answers} reviews "
                           f"(FSRS predicted {_percent(report.retention.predicted_retention)})"),
    ):
        summary.add_row(label, value)
    console.print(summary)

    if report.plan is not None:
        print_plan(report.plan, console, top)

    decks = _table("Decks (retention: review answers not rated Again; FSRS: what it predicted for them)",
                   ["deck", "cards", "studied", "recall now", "reviews", "retention", "FSRS"])
    for d in report.decks:
        decks.add_row(literal(d.title), str(d.cards), str(d.studied), _percent(d.recall_now), str(d.answers),
                      _percent(d.true_retention), _percent(d.predicted_retention))
    console.print(decks)

    months: dict[str, int] = {}
    for day in report.heatmap:
        months[day.day.strftime("%Y-%m")] = months.get(day.day.strftime("%Y-%m"), 0) + day.reviews
    activity = _table("Answers per month (last 365 days)", ["month", "answers", "days studied"])
    studied_days: dict[str, int] = {}
    for day in report.heatmap:
        studied_days[day.day.strftime("%Y-%m")] = studied_days.get(day.day.strftime("%Y-%m"), 0) + (day.reviews > 0)
    for month, count in months.items():
        activity.add_row(month, str(count), str(studied_days[month]))
    console.print(activity)

    forecast = _table("Due in the next 30 days", ["day", "due"])
    for f in report.forecast:
        if f.due:
            forecast.add_row(f.day.strftime("%a %Y-%m-%d"), str(f.due))
    if forecast.row_count:
        console.print(forecast)
    else:
        console.print(Text("Nothing falls due in the next 30 days."))

    if report.retention_weeks:
        weeks = _table("Retention per week", ["week of", "reviews", "retention", "FSRS"])
        for w in report.retention_weeks:
            weeks.add_row(w.key, str(w.answers), _percent(w.true_retention), _percent(w.predicted_retention))
        console.print(weeks)

    topics = _table(f"Topics, weakest first ({min(top, len(report.topics))} of {len(report.topics)})",
                    ["topic", "cards", "studied", "mastery", "recall now", "retention"])
    for m in report.topics[:top]:
        topics.add_row(literal(m.topic), str(m.cards), str(m.studied), _percent(m.mastery), _percent(m.recall_now),
                       _percent(m.true_retention))
    console.print(topics)

    if report.stage_map:
        from quizapp.decks.models import STAGES

        cells = {(c.topic, c.stage): c for c in report.stage_map}
        names = sorted({c.topic for c in report.stage_map}, key=lambda n: min(cells[(n, s)].strength for s in STAGES if (n, s) in cells))
        stages = _table(f"Topic × stage strength ({min(top, len(names))} of {len(names)} topics)", ["topic", *STAGES])
        for name in names[:top]:
            stages.add_row(literal(name), *(_percent(cells[(name, s)].strength) if (name, s) in cells else "" for s in STAGES))
        console.print(stages)

    if report.weakest:
        weak = _table("Weakest cards", ["card", "deck", "recall now", "lapses", "leech"], right_from=2)
        for w in report.weakest:
            weak.add_row(literal(w.title), literal(w.deck_id), _percent(w.recall_now), str(w.lapses), "yes" if w.leech else "")
        console.print(weak)

    if report.interviews:
        interviews = _table(f"Mock interviews ({len(report.interviews)} attempts)", ["stage", "attempts", "mean", "latest 5"])
        for s in report.interview_stages:
            interviews.add_row(s.stage, str(s.attempts), _percent(s.mean), _percent(s.recent))
        console.print(interviews)


# ---------------------------------------------------------------- quizapp plan


def print_plan(plan, console: Console, top: int = 20) -> None:
    if plan.passed:
        console.print(Text(f"The interview day {plan.day.isoformat()} has passed; set a new one with "
                           "`quizapp plan --date YYYY-MM-DD` or remove it with `quizapp plan --clear`.", style="yellow"))
        return
    when = "today" if plan.days_left == 0 else f"in {plan.days_left} day(s)"
    head = Text()
    head.append(f"Interview {plan.day.isoformat()} ({when}), target recall {plan.target:.0%}\n", style="bold")
    head.append(f"Predicted recall on the day if you stop now: {plan.recall_on_day:.0%} over {plan.cards} cards "
                f"({plan.below_target} below target, {plan.new_to_learn} never studied).\n")
    if plan.days_left > 0:
        head.append(f"To have every card above {plan.target:.0%} on the day: about {plan.answers_per_day} answers a day "
                    f"({plan.answers_needed} in all), introducing {plan.new_per_day} new card(s) a day.")
    console.print(head)
    columns = ["cards", "studied", "on the day", "of studied", "below target"]
    decks = _table("Predicted recall on the interview day, per deck", ["deck", *columns])
    for g in plan.decks:
        decks.add_row(literal(g.title), str(g.cards), str(g.studied), _percent(g.recall_on_day), _percent(g.recall_studied), str(g.below_target))
    console.print(decks)
    topics = _table(f"Predicted recall on the interview day, per topic, weakest first ({min(top, len(plan.topics))} of {len(plan.topics)})",
                    ["topic", *columns])
    for g in plan.topics[:top]:
        topics.add_row(literal(g.title), str(g.cards), str(g.studied), _percent(g.recall_on_day), _percent(g.recall_studied), str(g.below_target))
    console.print(topics)


def plan_args(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group()
    which.add_argument("--date", metavar="YYYY-MM-DD", help="the day of your interview")
    which.add_argument("--clear", action="store_true", help="forget the interview date")
    p.add_argument("--target", type=float, metavar="R", help="recall wanted on the day, 0.70-0.99 (default: your desired retention)")
    p.add_argument("--json", action="store_true", help="print the plan's figures as JSON")
    p.add_argument("--top", type=positive_int, default=20, metavar="N", help="topics shown (default 20)")
    p.add_argument("--apply", action="store_true", help="set new cards a day (`quizapp config new_per_day`) to the plan's suggestion")


def cmd_plan(args: argparse.Namespace) -> int:
    from quizapp.db.records import utcnow
    from quizapp.errors import QuizappError
    from quizapp.scheduling.scheduler import load_settings, study_day
    from quizapp.study.plan import clear_plan, load_plan, parse_plan, plan_report, save_plan

    opened = open_workspace(args)
    console = _console()
    try:
        store = opened.store
        settings = load_settings(store)
        if args.clear:
            print("Interview date removed." if clear_plan(store) else "No interview date was set.")
            return 0
        if args.date is not None:
            plan = parse_plan(args.date, args.target, study_day(utcnow(), settings.rollover_hour), settings)
            save_plan(store, plan)
        else:
            loaded = load_plan(store)
            if loaded is None:
                if args.target is not None:
                    raise QuizappError("--target needs --date (the interview date)")
                print("No interview date is set. Set one with `quizapp plan --date YYYY-MM-DD`.")
                return 0
            plan = loaded
            if args.target is not None:
                plan = parse_plan(plan.day.isoformat(), args.target, study_day(utcnow(), settings.rollover_hour), settings)
                save_plan(store, plan)
        report = plan_report(store, opened.decks, plan, settings)
        applied = _apply_plan(store, report.new_per_day, settings.new_per_day) if args.apply else None
    finally:
        opened.store.close()
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print_plan(report, console, top=max(1, args.top))
    if applied:
        print(applied, file=sys.stderr if args.json else sys.stdout)
    return 0


def _apply_plan(store, suggested: int, current: int) -> str:
    from quizapp.scheduling.config import change

    if suggested <= 0:
        return f"No new cards are left to learn: new_per_day stays {current}."
    change(store, "new_per_day", str(suggested))
    return f"new_per_day = {suggested}" + ("" if suggested == current else f"  (was {current})")


# ---------------------------------------------------------------- quizapp optimize


def cmd_optimize(args: argparse.Namespace) -> int:
    from quizapp.scheduling.optimize import optimize

    opened = open_workspace(args)
    console = Console(stderr=True)
    try:
        with console.status("Reading the review log") as status:
            # The fit runs in this process: nothing else here needs to keep moving while fsrs-rs holds
            # the interpreter lock (the status line's spinner pauses), and a child Python costs ~0.4 s.
            fit = optimize(opened.store, progress=lambda message: status.update(message + " …"), in_child=False)
    finally:
        opened.store.close()
    out = _console()
    out.print(Text(f"{fit.answers:,} scheduled answers on {fit.cards:,} cards; fitted on {fit.usable:,} of them."))
    table = _table("How well FSRS predicts your answers (lower is better)", ["parameters", "log loss", "RMSE (bins)"])
    table.add_row("before" + (" (FSRS defaults)" if fit.previous is None else ""), f"{fit.before.log_loss:.4f}", f"{fit.before.rmse:.4f}")
    table.add_row("fitted", f"{fit.after.log_loss:.4f}", f"{fit.after.rmse:.4f}")
    out.print(table)
    if fit.saved:
        out.print(Text("The fitted parameters are saved and schedule every answer from now on.", style="green"))
    else:
        out.print(Text("The fit was no better than the parameters in use, which are kept.", style="yellow"))
    out.print(Text("parameters: " + ", ".join(f"{p:.4f}" for p in fit.parameters), style="dim"))
    return 0

