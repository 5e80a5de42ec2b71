"""Workbooks for people: formatted tables, frozen headers, number formats,
colour scales, native Excel charts and a methods sheet.

This module only lays out what it is given; it computes no statistics.
Every string is stored as text (``data_type = 's'``), so an answer such as
``=HYPERLINK(...)`` coming from survey data can never become a live formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

HEADER_FILL = "1F3864"
PALETTE = ("1F3864", "C00000", "2E75B6", "70AD47", "ED7D31", "7030A0", "FFC000", "00B0F0", "A5A5A5",
           "264478", "9E480E", "636363", "43682B", "997300", "4472C4")
TITLE_SIZE = 13
MAX_COL_WIDTH = 60


@dataclass
class TableRef:
    """Where a table landed, so that charts can point at its cells."""

    sheet: str
    header_row: int
    first_row: int
    last_row: int
    columns: dict[str, int] = field(default_factory=dict)  # column name -> 1-based index


def default_number_format(column: str, values) -> str | None:
    """A sensible number format from a column's name and values."""
    name = column.lower()
    if name in ("n", "df", "k", "n_items", "rank") or name.startswith("n_") or name.endswith("_n"):
        return "0"
    if "pvalue" in name or name.startswith("p_") or name in ("p", "mw_pvalue"):
        return "0.0000"
    if name.endswith("_pct") or name.startswith("pct_") or "share" in name:
        return "0.0%"
    return "0.000"


class WorkbookBuilder:
    """Collects sheets and writes them atomically with :meth:`save`."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook()
        self._first = True
        self._next_row: dict[str, int] = {}
        self._frozen: set[str] = set()

    # -- sheets ---------------------------------------------------------
    def sheet(self, name: str):
        name = _safe_sheet_name(name)
        if name in self.wb.sheetnames and not self._first:
            return self.wb[name]
        if self._first:
            ws = self.wb.active
            ws.title = name
            self._first = False
        else:
            ws = self.wb.create_sheet(name)
        self._next_row[name] = 1
        _print_setup(ws)
        return ws

    def add_text(self, sheet: str, lines: list[str], *, bold_first: bool = False, width: int = 100) -> None:
        from openpyxl.styles import Alignment, Font

        ws = self.sheet(sheet)
        row = self._next_row[ws.title]
        for i, line in enumerate(lines):
            cell = ws.cell(row=row, column=1)
            _set_text(cell, line)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold_first and i == 0:
                cell.font = Font(bold=True, size=TITLE_SIZE)
            row += 1
        ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, width)
        self._next_row[ws.title] = row + 1

    def add_table(self, sheet: str, df, *, title: str | None = None, note: str | None = None,
                  formats: dict[str, str] | None = None, diverging: list[str] | None = None,
                  sequential: list[str] | None = None, freeze: bool = True,
                  index: bool = False) -> TableRef:
        """Write a DataFrame as a formatted table below whatever the sheet holds.

        ``diverging`` columns get a red-white-blue colour scale centred on 0 (gaps);
        ``sequential`` columns a white-to-green scale. The first table of a sheet
        has its header frozen.
        """
        from openpyxl.formatting.rule import ColorScaleRule
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        if index:
            df = df.reset_index()
        ws = self.sheet(sheet)
        row = self._next_row[ws.title]
        if title:
            c = ws.cell(row=row, column=1)
            _set_text(c, title)
            c.font = Font(bold=True, size=TITLE_SIZE)
            row += 1
        if note:
            c = ws.cell(row=row, column=1)
            _set_text(c, note)
            c.font = Font(italic=True, color="555555")
            row += 1
        header_row = row
        columns = [str(c) for c in df.columns]
        for j, name in enumerate(columns, start=1):
            c = ws.cell(row=header_row, column=j)
            _set_text(c, name)
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor=HEADER_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="center")
        formats = dict(formats or {})
        values = df.to_numpy(dtype=object)
        for i in range(values.shape[0]):
            for j, name in enumerate(columns):
                cell = ws.cell(row=header_row + 1 + i, column=j + 1)
                _set_value(cell, values[i, j])
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    fmt = formats.get(name) or default_number_format(name, None)
                    if fmt == "0.000" and float(cell.value).is_integer() and name not in formats:
                        fmt = "#,##0"  # counts stored as floats: 2000, not 2000.000
                    if fmt:
                        cell.number_format = fmt
        last_row = header_row + max(values.shape[0], 1)
        for j, name in enumerate(columns, start=1):
            letter = get_column_letter(j)
            longest = max([len(name)] + [len(_display(v)) for v in values[:, j - 1]] if values.size else [len(name)])
            current = ws.column_dimensions[letter].width or 0
            ws.column_dimensions[letter].width = max(current, min(MAX_COL_WIDTH, longest + 2))
            rng = f"{letter}{header_row + 1}:{letter}{last_row}"
            if diverging and name in diverging and values.shape[0]:
                ws.conditional_formatting.add(rng, ColorScaleRule(
                    start_type="min", start_color="F8696B", mid_type="num", mid_value=0,
                    mid_color="FFFFFF", end_type="max", end_color="5A8AC6"))
            if sequential and name in sequential and values.shape[0]:
                ws.conditional_formatting.add(rng, ColorScaleRule(
                    start_type="min", start_color="FFFFFF", end_type="max", end_color="63BE7B"))
        if freeze and ws.title not in self._frozen:
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
            self._frozen.add(ws.title)
        self._next_row[ws.title] = last_row + 2
        return TableRef(ws.title, header_row, header_row + 1, last_row,
                        {name: j for j, name in enumerate(columns, start=1)})

    # -- charts ---------------------------------------------------------
    def add_bar_chart(self, ref: TableRef, category: str, series: list[str], *, title: str,
                      y_title: str | None = None, anchor: str | None = None,
                      horizontal: bool = False, width: float = 18, height: float = 9) -> None:
        """A native Excel clustered bar chart of ``series`` columns against ``category``."""
        from openpyxl.chart import BarChart, Reference

        ws = self.wb[ref.sheet]
        chart = BarChart()
        chart.type = "bar" if horizontal else "col"
        chart.title = title
        chart.y_axis.title = y_title
        chart.width, chart.height = width, height
        for name in series:
            col = ref.columns[name]
            data = Reference(ws, min_col=col, min_row=ref.header_row, max_row=ref.last_row)
            chart.add_data(data, titles_from_data=True)
        cats = Reference(ws, min_col=ref.columns[category], min_row=ref.first_row, max_row=ref.last_row)
        chart.set_categories(cats)
        ws.add_chart(chart, anchor or self._chart_anchor(ws, ref))

    def add_scatter_chart(self, ref: TableRef, x: str, y: str, *, title: str, x_title: str,
                          y_title: str, anchor: str | None = None, label: str | None = None,
                          width: float = 18, height: float = 10) -> None:
        """A native Excel scatter chart (markers only) of column ``y`` against ``x``.

        With ``label``, every row is its own series named by that column, so the legend
        tells which point is which (e.g. each driver in an importance-performance chart).
        """
        from openpyxl.chart import Reference, ScatterChart, Series
        from openpyxl.chart.series import SeriesLabel, StrRef
        from openpyxl.utils import get_column_letter, quote_sheetname

        ws = self.wb[ref.sheet]
        chart = ScatterChart()
        chart.title = title
        chart.style = 13
        chart.x_axis.title = x_title
        chart.y_axis.title = y_title
        chart.width, chart.height = width, height
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        rows = [(ref.first_row, ref.last_row)] if label is None else \
            [(r, r) for r in range(ref.first_row, ref.last_row + 1)]
        for lo, hi in rows:
            xs = Reference(ws, min_col=ref.columns[x], min_row=lo, max_row=hi)
            if label is None:
                ys = Reference(ws, min_col=ref.columns[y], min_row=ref.header_row, max_row=hi)
                s = Series(ys, xs, title_from_data=True)
            else:
                ys = Reference(ws, min_col=ref.columns[y], min_row=lo, max_row=hi)
                s = Series(ys, xs)
                cell = f"{quote_sheetname(ws.title)}!${get_column_letter(ref.columns[label])}${lo}"
                s.tx = SeriesLabel(strRef=StrRef(cell))
            s.marker.symbol = "circle"
            s.marker.size = 8
            colour = PALETTE[len(chart.series) % len(PALETTE)]
            s.marker.graphicalProperties.solidFill = colour
            s.marker.graphicalProperties.line.solidFill = colour
            s.graphicalProperties.line.noFill = True
            chart.series.append(s)
        for axis, col in ((chart.x_axis, x), (chart.y_axis, y)):  # fit the axes to the points
            vals = [ws.cell(row=r, column=ref.columns[col]).value for r in range(ref.first_row, ref.last_row + 1)]
            vals = [v for v in vals if isinstance(v, (int, float))]
            if vals:
                lo, hi = min(vals), max(vals)
                pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
                axis.scaling.min, axis.scaling.max = lo - pad, hi + pad
        ws.add_chart(chart, anchor or self._chart_anchor(ws, ref))

    @staticmethod
    def _chart_anchor(ws, ref: TableRef) -> str:
        """Right of everything on the sheet so far, level with the table's header."""
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(max(len(ref.columns), ws.max_column) + 2)}{ref.header_row}"

    # -- methods sheet and saving ----------------------------------------
    def add_methods(self, entries: list[tuple[str, str]], sheet: str = "Methods") -> None:
        """A two-column sheet: topic, explanation (methods, formulas, sources)."""
        import pandas as pd

        self.add_table(sheet, pd.DataFrame(entries, columns=["topic", "method"]),
                       title="How these numbers were computed")
        ws = self.wb[_safe_sheet_name(sheet)]
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 110
        from openpyxl.styles import Alignment
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    def save(self, path) -> None:
        from cxstats.report.atomic import atomic_path

        with atomic_path(path) as tmp:
            self.wb.save(tmp)


def _print_setup(ws) -> None:
    """Print (and PDF-convert) landscape, one page wide, as many pages tall as needed."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _safe_sheet_name(name: str) -> str:
    for ch in '[]:*?/\\':
        name = name.replace(ch, "-")
    return name[:31]


def _display(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _set_text(cell, text) -> None:
    cell.value = str(text)
    cell.data_type = "s"  # never a formula, whatever the text starts with


def _set_value(cell, v) -> None:
    """Numbers as numbers, missing as empty, everything else as text."""
    import numpy as np

    if v is None:
        return
    if isinstance(v, (bool, np.bool_)):
        cell.value = bool(v)
        return
    if isinstance(v, (int, np.integer)):
        cell.value = int(v)
        return
    if isinstance(v, (float, np.floating)):
        if math.isfinite(float(v)):
            cell.value = float(v)
        return
    if v.__class__.__name__ in ("NAType", "NaTType"):
        return
    _set_text(cell, v)
