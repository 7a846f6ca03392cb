"""Charts for the progress dashboard, drawn with textual-plot's PlotWidget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from textual_plot import AxisFormatter, HiResMode, PlotWidget

HEAT_STYLES = ("#30363d", "#0e4429", "#006d32", "#26a641", "#39d353")
"""Colours of the heatmap's levels, from no answers to the busiest days (GitHub's greens)."""
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class FixedTicks(AxisFormatter):
    """Ticks at chosen positions, each with its own label (months, weekdays, dates)."""

    def __init__(self, labels: dict[float, str]):
        self.labels = labels

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        return [t for t in sorted(self.labels) if min_ <= t <= max_]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [self.labels.get(t, "") for t in ticks]


class Chart(PlotWidget):
    """A PlotWidget that leaves the keys to the screen (no zooming or panning by keyboard or mouse)."""

    DEFAULT_CSS = """
    Chart {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes, allow_pan_and_zoom=False)
        self.can_focus = False

    def reset(self) -> None:
        """Empty the chart and undo any fixed ticks and limits."""
        self.clear()
        self.set_xticks(None)
        self.set_yticks(None)
        self.set_xlimits(None, None)
        self.set_ylimits(None, None)


class Heatmap(Chart):
    """A calendar of answers per study day: a column per week, Monday at the top, greener when busier."""

    DEFAULT_CSS = """
    Heatmap {
        height: 12;
    }
    """

    def on_mount(self) -> None:
        self.margin_top = 1
        self.margin_bottom = 2
        self.margin_left = 5

    def show(self, days: Sequence[tuple[date, int]]) -> list[int]:
        """Draw ``(day, answers)`` pairs, oldest first; returns the answer count each level starts at."""
        self.reset()
        if not days:
            return []
        first_monday = days[0][0] - timedelta(days=days[0][0].weekday())
        counts = sorted(n for _, n in days if n)
        # Four levels of busy days, split at quartiles of the days that had answers.
        starts = [1] + [counts[len(counts) * q // 4] for q in (1, 2, 3)] if counts else [1, 1, 1, 1]
        points: list[tuple[list[float], list[float]]] = [([], []) for _ in HEAT_STYLES]
        for day, n in days:
            level = 0 if n == 0 else max(k + 1 for k, start in enumerate(starts) if n >= start)
            points[level][0].append((day - first_monday).days // 7)
            points[level][1].append(6 - day.weekday())
        for (xs, ys), style in zip(points, HEAT_STYLES):
            if xs:
                self.scatter(xs, ys, marker="■", marker_style=style)
        weeks = (days[-1][0] - first_monday).days // 7
        self.set_xlimits(-0.5, weeks + 0.5)
        self.set_ylimits(-0.5, 6.5)
        months = {}
        for day, _ in days:
            if day.day <= 7 and day.weekday() == 0:
                months[float((day - first_monday).days // 7)] = day.strftime("%b")
        self.set_x_formatter(FixedTicks(months))
        self.set_xticks(sorted(months))
        weekdays = {float(6 - k): WEEKDAYS[k] for k in (0, 2, 4)}
        self.set_y_formatter(FixedTicks(weekdays))
        self.set_yticks(sorted(weekdays))
        return starts


def show_bars(chart: Chart, labels: Sequence[str], values: Sequence[float], style: str, every: int = 7) -> None:
    """A bar per value, labelled every ``every`` bars."""
    chart.reset()
    xs = list(range(len(values)))
    # Zero-height bars are left out: drawn, they would still fill a row.
    shown = [(x, v) for x, v in zip(xs, values) if v]
    if shown:
        chart.bar([x for x, _ in shown], [v for _, v in shown], width=0.5, bar_style=style, hires_mode=HiResMode.HALFBLOCK)
    chart.set_x_formatter(FixedTicks({float(x): labels[x] for x in xs[::every]}))
    chart.set_xticks([float(x) for x in xs[::every]])
    chart.set_xlimits(-0.6, len(values) - 0.4)
    chart.set_ylimits(0, max(1.0, max(values, default=0) * 1.1))


def show_lines(
    chart: Chart,
    labels: Sequence[str],
    series: dict[str, tuple[Sequence[float | None], str]],
    y_range: tuple[float, float] = (0, 100),
    ticks: int = 6,
) -> None:
    """One line per series (``name -> (values, style)``; None leaves a gap), x labelled by ``labels``
    (about ``ticks`` of them).
    The caller names the series beside the chart: a legend would cover the lines."""
    chart.reset()
    for name, (values, style) in series.items():
        xs = [float(x) for x, v in enumerate(values) if v is not None]
        ys = [v for v in values if v is not None]
        if xs:
            chart.plot(xs, ys, line_style=style, hires_mode=HiResMode.BRAILLE, label=name)
            chart.scatter(xs, ys, marker="●", marker_style=style)
    step = max(1, -(-len(labels) // ticks))
    chart.set_x_formatter(FixedTicks({float(x): labels[x] for x in range(0, len(labels), step)}))
    chart.set_xticks([float(x) for x in range(0, len(labels), step)])
    chart.set_xlimits(-0.5, max(len(labels) - 0.5, 0.5))
    chart.set_ylimits(*y_range)
