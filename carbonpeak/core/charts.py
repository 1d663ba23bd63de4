"""Every chart's data as a table too: the same series, for screen readers, keyboards and print (WCAG 1.1.1).

A view builds a `ChartTable` from the very data it hands the chart; the page shows it under the chart with
`{% include "core/_chart_table.html" with table=... chart="chart-id" %}` (a <details> holding a <table>, marked
`data-chart-table` with the chart's id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from carbonpeak.core.numbers import for_people


@dataclass(frozen=True)
class ChartTable:
    caption: str
    columns: list[str]
    rows: list[list[str]]


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return for_people(value)
    return str(value)


def series_table(caption: str, x_label: str, xs: Sequence, series: Mapping[str, Sequence]) -> ChartTable:
    """One row per x (a year, a month, a unit), one column per series; numbers rounded for people."""
    columns = [x_label, *map(str, series)]
    rows = [[_cell(x), *(_cell(values[i] if i < len(values) else None) for values in series.values())]
            for i, x in enumerate(xs)]
    return ChartTable(caption, columns, rows)


def pairs_table(caption: str, columns: Sequence[str], rows: Sequence[Sequence]) -> ChartTable:
    """A table of given rows (label, value, ...) with numbers rounded for people."""
    return ChartTable(caption, list(map(str, columns)), [[_cell(v) for v in row] for row in rows])
