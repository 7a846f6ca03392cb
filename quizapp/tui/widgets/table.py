"""A DataTable that takes a long list of rows a step at a time.

Textual's DataTable measures every cell of each new row the next time it is idle, in one go: 500
rows of seven cells (the dashboard's deck table at 100k cards in 500 decks) held the screen for
0.1-0.2 s. ``SteppedTable.show_rows`` adds the rows ``STEP`` at a time, one step after each refresh,
so the first rows appear at once and keys are answered while the rest come in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.widgets import DataTable

Row = tuple[str | None, Sequence[Any]]
"""A row's key (None for a key made up by the table) and its cells."""

STEP = 50
"""Rows added between two refreshes (about 10-20 ms of the table's own work)."""


class SteppedTable(DataTable[Any]):
    """A DataTable whose ``show_rows`` adds its rows a step per refresh."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[Row] | None = None
        self._then: Callable[[], None] | None = None

    @property
    def filling(self) -> bool:
        """Whether rows given to ``show_rows`` are still to be added."""
        return self._pending is not None

    def clear(self, columns: bool = False) -> SteppedTable:
        """Clear the table, and drop the rows still to be added."""
        self._pending = self._then = None
        super().clear(columns)
        return self

    def show_rows(self, rows: Sequence[Row], then: Callable[[], None] | None = None) -> None:
        """Replace the rows with ``rows``, the first step now and the others after each refresh;
        ``then`` is called once the last one is in (at once when they fit in one step)."""
        self.clear()
        self._pending, self._then = list(rows), then
        self._add_step(self._pending, 0)

    def _add_step(self, rows: list[Row], start: int) -> None:
        if rows is not self._pending:  # cleared, or given other rows, since
            return
        for key, cells in rows[start:start + STEP]:
            self.add_row(*cells, key=key)
        if start + STEP < len(rows):
            self.call_after_refresh(self._add_step, rows, start + STEP)
            return
        then = self._then
        self._pending = self._then = None
        if then is not None:
            then()
