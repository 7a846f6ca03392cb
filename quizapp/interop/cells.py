"""Spreadsheet formula injection: CSV/TSV cells that a spreadsheet would run as a formula.

As OWASP recommends, a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a single quote in front, which spreadsheets show as text; a cell that already starts
with a quote before one of those gets one more, so import can take exactly one off again and every
cell comes back as it was.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def _guarded(cell: str) -> bool:
    rest = cell.lstrip("'")
    return rest.startswith(FORMULA_STARTS)


def neutralise(cell: str) -> str:
    """The cell as written to a CSV/TSV export."""
    return "'" + cell if _guarded(cell) else cell


def restore(cell: str) -> str:
    """The cell as it was before ``neutralise`` (a cell a person wrote is left as it is unless it
    has that very form)."""
    return cell[1:] if cell.startswith("'") and _guarded(cell) else cell
