"""Workbooks for people: formatted tables, frozen headers, number formats,
colour scales, native Excel charts and a methods sheet.

This module only lays out what it is given; it computes no statistics.
Every string is stored as text (``data_type = 's'``), so an answer such as
``=HYPERLINK(...)`` coming from survey data can never become a live formula.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field

HEADER_FILL = "1F3864"
PALETTE = ("1F3864", "C00000", "2E75B6", "70AD47", "ED7D31", "7030A0", "FFC000", "00B0F0", "A5A5A5",
           "264478", "9E480E", "636363", "43682B", "997300", "4472C4")
TITLE_SIZE = 13
MAX_COL_WIDTH = 60
MAX_NAME_WIDTH = 40  # column A (names, notes) stays narrow; longer names wrap
CODE_WIDTH = 22  # the narrow column of a variable's code beside its spec name


@dataclass
class TableRef:
    """Where a table landed, so that charts can point at its cells."""

    sheet: str
    header_row: int
    first_row: int
    last_row: int
    columns: dict[str, int] = field(default_factory=dict)  # column name -> 1-based index


P_FORMAT = '[<0.001]"<0.001";0.000'  # p-values: 0.042, and "<0.001" below a thousandth
SHARE_FORMAT = "0.0%"  # the one percent convention: *_share columns hold fractions 0-1


def is_pvalue_column(column: str) -> bool:
    """``p``, ``pvalue``, ``p_*``, ``*_p``, ``*_pvalue``, ``*_p_*``, ``pvalue_*``."""
    name = column.lower()
    return (name in ("p", "pvalue") or name.startswith(("p_", "pvalue")) or name.endswith(("_p", "_pvalue"))
            or "_pvalue" in name or "_p_" in name)


def is_share_column(column: str) -> bool:
    """``share`` and ``*_share``: fractions 0-1, shown as percentages."""
    name = column.lower()
    return name == "share" or name.endswith("_share")


def _plain_decimal(fmt: str | None) -> bool:
    return fmt is None or re.fullmatch(r"0(\.0+)?", fmt) is not None


def default_number_format(column: str, values) -> str | None:
    """A sensible number format from a column's name and values."""
    name = column.lower()
    if name in ("n", "df", "k", "n_items", "rank") or name.startswith("n_") or name.endswith("_n"):
        return "0"
    if is_pvalue_column(name):
        return P_FORMAT
    if is_share_column(name):
        return SHARE_FORMAT
    return "0.000"


def column_format(column: str, given: str | None) -> str | None:
    """The format a column gets: the layout's, except the workbook-wide rules that always apply
    (p-values as "<0.001" where a layout asked for plain decimals; ``*_share`` as percentages)."""
    if is_pvalue_column(column) and _plain_decimal(given):
        return P_FORMAT
    if is_share_column(column) and (given is None or "%" not in given):
        return SHARE_FORMAT
    return given or default_number_format(column, None)


def header_codes(ws, row: int) -> list:
    """The result column codes of a table's header row: the code noted on each translated header
    (its comment), else the header itself (tests and scripts read columns by code with this)."""
    return [(c.comment.text.strip() if c.comment is not None else c.value) for c in ws[row]]


class WorkbookBuilder:
    """Collects sheets and writes them atomically with :meth:`save`.

    Layout rules that hold on every sheet it writes (tested in tests/test_workbook_rules.py):

    * column A stays narrow: titles and notes are wrapped over merged cells in rows of a set
      height (:meth:`add_text`, ``title``/``note`` of :meth:`add_table`), never widening it;
    * the first table of a sheet has its header row and its name columns frozen, and (when it
      is the sheet's only table) its header repeated on every printed page;
    * rows of wrapped text get a height that fits the text (Methods rows never overlap);
    * every chart is anchored clear of every non-empty cell and of other charts (see
      :func:`chart_box`); content written after a chart goes below it;
    * bar charts keep both axes, show data labels and the bars in the table's order;
    * p-value columns show ``<0.001``; ``*_share`` columns are fractions shown as ``0.0%``.
    """

    def __init__(self, display=None):
        from openpyxl import Workbook

        from cxstats.report.i18n import Display

        self.display = display or Display()  # language and spec names (cxstats.report.i18n)
        self.wb = Workbook()
        self._first = True
        self._next_row: dict[str, int] = {}
        self._frozen: set[str] = set()
        self._tables: dict[str, int] = {}  # sheet -> number of tables written on it
        self._notes: list[tuple[str, int, int]] = []  # (sheet, row, line height) of wrapped notes
        self.first_sheet: str | None = None  # kept first whatever a layout moves (the cover)

    # -- sheets ---------------------------------------------------------
    def sheet(self, name: str):
        """The sheet a layout calls ``name`` (its English key), named in the study's language
        (``i18n.SHEETS``), created on first use."""
        name = _safe_sheet_name(self.display.sheet(name))
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

    def worksheet(self, name: str):
        """The openpyxl sheet a layout wrote as ``name`` (its English key)."""
        return self.wb[_safe_sheet_name(self.display.sheet(name))]

    def _start_row(self, ws) -> int:
        """The next free row: below the last table or text, and below every chart."""
        row = self._next_row[ws.title]
        for chart in ws._charts:
            row = max(row, chart_box(ws, chart)[3] + 2)
        return row

    def _note(self, ws, row: int, text, font) -> None:
        """A title or note in column A, wrapped over merged cells at save time (column A stays narrow)."""
        from openpyxl.styles import Alignment

        cell = ws.cell(row=row, column=1)
        _set_text(cell, text)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self._notes.append((ws.title, row, _line_height(font)))

    def add_text(self, sheet: str, lines: list[str], *, bold_first: bool = False, width: int = 100) -> None:
        """Lines of text, one a row; long lines wrap over merged cells ``width`` characters wide."""
        from openpyxl.styles import Font

        ws = self.sheet(sheet)
        row = self._start_row(ws)
        for i, line in enumerate(lines):
            font = Font(bold=True, size=TITLE_SIZE) if bold_first and i == 0 else Font()
            self._note(ws, row, line, font)
            row += 1
        self._next_row[ws.title] = row + 1

    def add_table(self, sheet: str, df, *, title: str | None = None, note: str | None = None,
                  formats: dict[str, str] | None = None, diverging: list[str] | None = None,
                  sequential: list[str] | None = None, freeze: bool = True,
                  index: bool = False, headers: dict[str, str] | None = None) -> TableRef:
        """Write a DataFrame as a formatted table below whatever the sheet holds.

        ``diverging`` columns get a red-white-blue colour scale centred on 0 (gaps);
        ``sequential`` columns a white-to-green scale. The first table of a sheet
        has its header row and name columns frozen. Headers are the columns' texts in the
        builder's language (``display.header``; ``headers`` overrides some, e.g. a gap's groups);
        the returned :class:`TableRef` keeps the result's column codes, and a translated header
        notes its code in a comment (:func:`header_codes` reads them back).
        """
        from openpyxl.comments import Comment
        from openpyxl.formatting.rule import ColorScaleRule
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        if index:
            df = df.reset_index()
        df = self.display.localize(df)  # spec names (codes beside them), groups in the study's language
        ws = self.sheet(sheet)
        row = self._start_row(ws)
        if title:
            self._note(ws, row, title, Font(bold=True, size=TITLE_SIZE))
            row += 1
        if note:
            self._note(ws, row, note, Font(italic=True, color="555555"))
            row += 1
        header_row = row
        columns = [str(c) for c in df.columns]
        given = headers or {}
        headers = [given.get(name) or self.display.header(name) for name in columns]  # keys stay codes
        code_columns = ({name for name in columns if name == "code" or name.endswith("_code")}
                        if self.display.translate and self.display.names else set())  # inserted by localize
        for j, name in enumerate(columns, start=1):
            c = ws.cell(row=header_row, column=j)
            _set_text(c, headers[j - 1])
            if headers[j - 1] != name:  # the result's column name (the JSON key) on hover
                c.comment = Comment(name, "cxstats", height=20, width=160)
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor=HEADER_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="center")
        formats = dict(formats or {})
        values = df.to_numpy(dtype=object)
        long_text = Alignment(wrap_text=True, vertical="top")
        for i in range(values.shape[0]):
            for j, name in enumerate(columns):
                cell = ws.cell(row=header_row + 1 + i, column=j + 1)
                _set_value(cell, values[i, j])
                if name in code_columns:
                    cell.font = Font(color="7F7F7F", size=9)  # the variable's code: secondary
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    fmt = column_format(name, formats.get(name))
                    if fmt == "0.000" and float(cell.value).is_integer() and name not in formats:
                        fmt = "#,##0"  # counts stored as floats: 2000, not 2000.000
                    if fmt:
                        cell.number_format = fmt
                elif isinstance(cell.value, str) and len(cell.value) > (CODE_WIDTH if name in code_columns
                                                                         else MAX_NAME_WIDTH if j == 0
                                                                         else MAX_COL_WIDTH) - 2:
                    cell.alignment = long_text  # wraps within the capped column; row height at save
        last_row = header_row + max(values.shape[0], 1)
        for j, name in enumerate(columns, start=1):
            letter = get_column_letter(j)
            head = headers[j - 1]
            # a header may wrap onto two lines (at words), so a long plain header does not widen its column
            head_len = max([max((len(w) for w in head.split()), default=0), math.ceil(len(head) / 2)])
            longest = max([head_len] + [len(_display(v)) for v in values[:, j - 1]] if values.size else [head_len])
            current = ws.column_dimensions[letter].width if ws.column_dimensions[letter].customWidth else 0
            cap = CODE_WIDTH if name in code_columns else MAX_NAME_WIDTH if j == 1 else MAX_COL_WIDTH
            ws.column_dimensions[letter].width = max(current or 0, min(cap, longest + 2))
            rng = f"{letter}{header_row + 1}:{letter}{last_row}"
            if diverging and name in diverging and values.shape[0]:
                ws.conditional_formatting.add(rng, ColorScaleRule(
                    start_type="min", start_color="F8696B", mid_type="num", mid_value=0,
                    mid_color="FFFFFF", end_type="max", end_color="5A8AC6"))
            if sequential and name in sequential and values.shape[0]:
                ws.conditional_formatting.add(rng, ColorScaleRule(
                    start_type="min", start_color="FFFFFF", end_type="max", end_color="63BE7B"))
        n_tables = self._tables.get(ws.title, 0)
        self._tables[ws.title] = n_tables + 1
        if freeze and ws.title not in self._frozen and n_tables == 0:
            frozen = _name_columns(values)
            if 0 < frozen < len(columns) - 1 and columns[frozen] in code_columns:
                frozen += 1  # the code beside a name stays in view with it
            ws.freeze_panes = ws.cell(row=header_row + 1, column=frozen + 1)
            self._frozen.add(ws.title)
            ws.print_title_rows = f"{header_row}:{header_row}"  # header on every printed page
        elif n_tables == 1 and ws.print_title_rows:
            ws._print_rows = None  # a second table: the first one's header would mislabel it
        self._next_row[ws.title] = last_row + 2
        return TableRef(ws.title, header_row, header_row + 1, last_row,
                        {name: j for j, name in enumerate(columns, start=1)})

    # -- charts ---------------------------------------------------------
    def add_bar_chart(self, ref: TableRef, category: str, series: list[str], *, title: str,
                      y_title: str | None = None, anchor: str | None = None,
                      horizontal: bool = False, width: float = 18, height: float = 9,
                      y_min: float | None = None, y_max: float | None = None) -> None:
        """A native Excel clustered bar chart of ``series`` columns against ``category``.

        Bars come in the table's order (top to bottom when ``horizontal``), with data labels
        and both axes shown. ``y_min``/``y_max`` fix the value axis, e.g. a rating scale's
        minimum (1 on a 1-5 scale), so that bars are not read against an axis from 0.
        """
        from openpyxl.chart import BarChart, Reference
        from openpyxl.chart.label import DataLabelList

        ws = self.wb[ref.sheet]
        chart = BarChart()
        chart.type = "bar" if horizontal else "col"
        chart.title = title
        chart.y_axis.title = y_title
        chart.width, chart.height = width, height
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for name in series:
            col = ref.columns[name]
            data = Reference(ws, min_col=col, min_row=ref.header_row, max_row=ref.last_row)
            chart.add_data(data, titles_from_data=True)
        cats = Reference(ws, min_col=ref.columns[category], min_row=ref.first_row, max_row=ref.last_row)
        chart.set_categories(cats)
        if horizontal:  # Excel draws the first category at the bottom: reverse, keep the axis below
            chart.x_axis.scaling.orientation = "maxMin"
            chart.y_axis.crosses = "max"
        if y_min is not None:
            chart.y_axis.scaling.min = y_min
        if y_max is not None:
            chart.y_axis.scaling.max = y_max
        chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False,
                                         showLegendKey=False, showPercent=False, showBubbleSize=False,
                                         showLeaderLines=False)
        fmt = ws.cell(row=ref.first_row, column=ref.columns[series[0]]).number_format
        if fmt and fmt != "General":
            chart.dataLabels.numFmt = fmt
        if len(series) == 1:
            chart.legend = None
        self._place_chart(ws, ref, chart, anchor)

    def add_line_chart(self, ref: TableRef, label: str, columns: list[str], *, title: str,
                       y_title: str | None = None, anchor: str | None = None, width: float = 13,
                       height: float = 7, y_min: float | None = None, y_max: float | None = None) -> None:
        """A small native Excel line chart: one line per table row (named by its ``label``
        cell) across the contiguous ``columns`` (their headers on the x axis, e.g. waves)."""
        from openpyxl.chart import LineChart, Reference
        from openpyxl.chart.series import SeriesLabel, StrRef
        from openpyxl.utils import get_column_letter, quote_sheetname

        ws = self.wb[ref.sheet]
        cols = [ref.columns[c] for c in columns]
        if cols != list(range(cols[0], cols[0] + len(cols))):
            raise ValueError("line chart columns must be contiguous")
        chart = LineChart()
        chart.title = title
        chart.y_axis.title = y_title
        chart.width, chart.height = width, height
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for r in range(ref.first_row, ref.last_row + 1):
            data = Reference(ws, min_col=cols[0], max_col=cols[-1], min_row=r, max_row=r)
            chart.add_data(data, from_rows=True, titles_from_data=False)
            s = chart.series[-1]
            cell = f"{quote_sheetname(ws.title)}!${get_column_letter(ref.columns[label])}${r}"
            s.tx = SeriesLabel(strRef=StrRef(cell))
            s.marker.symbol = "circle"
            s.marker.size = 6
            s.smooth = False
        chart.set_categories(Reference(ws, min_col=cols[0], max_col=cols[-1], min_row=ref.header_row,
                                       max_row=ref.header_row))
        if y_min is not None:
            chart.y_axis.scaling.min = y_min
        if y_max is not None:
            chart.y_axis.scaling.max = y_max
        if ref.last_row == ref.first_row:
            chart.legend = None
        self._place_chart(ws, ref, chart, anchor)

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
        self._place_chart(ws, ref, chart, anchor)

    def _place_chart(self, ws, ref: TableRef, chart, anchor: str | None) -> None:
        """Beside the table (or at ``anchor``) if that box is clear of every non-empty cell and
        chart; else below everything. Later content starts below the chart."""
        from openpyxl.utils import get_column_letter

        wanted = anchor or f"{get_column_letter(len(ref.columns) + 2)}{ref.header_row}"
        chart.anchor = wanted
        if not _box_is_clear(ws, chart_box(ws, chart), ws._charts):
            chart.anchor = f"A{_bottom(ws) + 2}"
        ws.add_chart(chart)
        self._next_row[ws.title] = max(self._next_row[ws.title], chart_box(ws, chart)[3] + 2)

    @staticmethod
    def _chart_anchor(ws, ref: TableRef) -> str:
        """Right of the table, level with its header (checked and moved by ``_place_chart``)."""
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(len(ref.columns) + 2)}{ref.header_row}"

    # -- methods sheet and saving ----------------------------------------
    def add_methods(self, entries: list[tuple[str, str]], sheet: str = "Methods") -> None:
        """A two-column sheet: topic, explanation (methods, formulas, sources)."""
        import pandas as pd

        # the method notes are written in English (formulas, R functions, references); a reader
        # in another language is told so above them
        note = self.display.t("methods_in_english") if self.display.lang != "en" and self.display.translate else None
        self.add_table(sheet, pd.DataFrame(entries, columns=["topic", "method"]),
                       title=self.display.t("methods_title"), note=note)
        ws = self.worksheet(sheet)
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 110
        from openpyxl.styles import Alignment
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    def finish(self) -> None:
        """Apply the rules that need the final column widths: wrapped notes over merged cells,
        row heights that fit wrapped text, and charts moved off any cell a layout wrote under them."""
        if self.first_sheet in self.wb.sheetnames:
            idx = self.wb.sheetnames.index(self.first_sheet)
            if idx:
                self.wb.move_sheet(self.first_sheet, offset=-idx)
        self.wb.active = 0
        for i, ws in enumerate(self.wb.worksheets):  # one selected tab (several = grouped sheets)
            ws.sheet_view.tabSelected = i == 0
        _finish_notes(self.wb, self._notes)
        self._notes = []
        for ws in self.wb.worksheets:
            _fit_row_heights(ws)
            for chart in ws._charts:
                others = [c for c in ws._charts if c is not chart]
                if not _box_is_clear(ws, chart_box(ws, chart), others):
                    chart.anchor = f"A{_bottom(ws, exclude=chart) + 2}"

    def save(self, path) -> None:
        from cxstats.report.atomic import atomic_path

        self.finish()
        with atomic_path(path) as tmp:
            self.wb.save(tmp)


# -- geometry: where a chart lands on the grid ------------------------------------------------
EMU_PER_PX = 9525
EMU_PER_PT = 12700
EMU_PER_CM = 360000
DEFAULT_COL_PX = 64  # Excel's default column (8.43 characters)
DEFAULT_ROW_PT = 15.0
NOTE_WIDTH = 100  # characters a wrapped note spans at least (if the sheet is narrower)


def column_px(ws, col: int) -> int:
    """Width of column ``col`` (1-based) in pixels, as Excel computes it from characters."""
    from openpyxl.utils import get_column_letter

    dim = ws.column_dimensions.get(get_column_letter(col))
    if dim is None or not dim.customWidth or dim.width is None:
        return DEFAULT_COL_PX
    if dim.hidden:
        return 0
    return int(((256 * dim.width + int(128 / 7)) / 256) * 7)


def row_pt(ws, row: int) -> float:
    dim = ws.row_dimensions.get(row)
    if dim is None or dim.height is None:
        return DEFAULT_ROW_PT
    return 0.0 if dim.hidden else float(dim.height)


def chart_box(ws, chart) -> tuple[int, int, int, int]:
    """The cells a chart covers: (first column, first row, last column, last row), 1-based,
    inclusive, from its anchor cell and size (cm on a new chart, EMU on a read one) and the
    sheet's column widths and row heights."""
    from openpyxl.drawing.spreadsheet_drawing import OneCellAnchor, TwoCellAnchor
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    anchor = chart.anchor
    if isinstance(anchor, str):
        letters, row = coordinate_from_string(anchor)
        col, col_off, row_off = column_index_from_string(letters), 0, 0
        cx, cy = chart.width * EMU_PER_CM, chart.height * EMU_PER_CM
    else:
        col, row = anchor._from.col + 1, anchor._from.row + 1
        col_off, row_off = anchor._from.colOff or 0, anchor._from.rowOff or 0
        if isinstance(anchor, TwoCellAnchor):
            return col, row, anchor.to.col + 1, anchor.to.row + 1
        if isinstance(anchor, OneCellAnchor):
            cx, cy = anchor.ext.width, anchor.ext.height
        else:  # absolute anchor: treat its size from the anchor cell
            cx, cy = anchor.ext.width, anchor.ext.height
    last_col, left = col, cx + col_off
    while left > column_px(ws, last_col) * EMU_PER_PX:
        left -= column_px(ws, last_col) * EMU_PER_PX
        last_col += 1
    last_row, down = row, cy + row_off
    while down > row_pt(ws, last_row) * EMU_PER_PT:
        down -= row_pt(ws, last_row) * EMU_PER_PT
        last_row += 1
    return col, row, last_col, last_row


def filled_cells(ws):
    """(row, column) of every non-empty cell, merged ranges counted whole."""
    out = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.value not in (None, "")}
    for rng in ws.merged_cells.ranges:
        if ws.cell(row=rng.min_row, column=rng.min_col).value not in (None, ""):
            out.update((r, c) for r in range(rng.min_row, rng.max_row + 1)
                       for c in range(rng.min_col, rng.max_col + 1))
    return out


def chart_overlaps(ws) -> list[str]:
    """Every overlap of a chart with a non-empty cell or another chart, described (empty = none)."""
    from openpyxl.utils import get_column_letter

    problems = []
    cells = filled_cells(ws)
    boxes = [chart_box(ws, c) for c in ws._charts]
    for i, (c1, r1, c2, r2) in enumerate(boxes):
        hit = sorted((r, c) for r, c in cells if r1 <= r <= r2 and c1 <= c <= c2)
        if hit:
            r, c = hit[0]
            problems.append(f"{ws.title}: chart {i + 1} ({get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}) "
                            f"covers {get_column_letter(c)}{r} ({ws.cell(row=r, column=c).value!r})")
        for j in range(i):
            d1, s1, d2, s2 = boxes[j]
            if c1 <= d2 and d1 <= c2 and r1 <= s2 and s1 <= r2:
                problems.append(f"{ws.title}: charts {j + 1} and {i + 1} overlap")
    return problems


def _box_is_clear(ws, box, charts) -> bool:
    c1, r1, c2, r2 = box
    for r in range(r1, min(r2, ws.max_row) + 1):
        for c in range(c1, min(c2, ws.max_column) + 1):
            if ws.cell(row=r, column=c).value not in (None, ""):
                return False
    for rng in ws.merged_cells.ranges:
        if rng.min_col <= c2 and c1 <= rng.max_col and rng.min_row <= r2 and r1 <= rng.max_row:
            return False
    for other in charts:
        d1, s1, d2, s2 = chart_box(ws, other)
        if c1 <= d2 and d1 <= c2 and r1 <= s2 and s1 <= r2:
            return False
    return True


def _bottom(ws, exclude=None) -> int:
    """The last row holding a value or a chart."""
    last = 0
    for row in ws.iter_rows():
        if any(c.value not in (None, "") for c in row):
            last = row[0].row
    for chart in ws._charts:
        if chart is not exclude:
            last = max(last, chart_box(ws, chart)[3])
    return last


# -- wrapped text ------------------------------------------------------------------------------
def _line_height(font) -> float:
    size = float(font.sz or 11) if font is not None else 11.0
    return round(size * 1.35 + 0.5, 1)


def _chars(ws, first: int, last: int) -> float:
    """Characters that fit across columns first..last (pixels / 7, less the cell padding)."""
    return max(1.0, sum(column_px(ws, c) for c in range(first, last + 1)) / 7.0 - 1)


def _lines(text: str, width: float) -> int:
    out = 0
    for part in str(text).split("\n"):
        if " " not in part.strip():  # one word (a column name): broken only where it must
            out += max(1, math.ceil(len(part) / max(1, int(width))))
        else:  # prose wraps at words (its letters are narrower than the digit '0' Excel measures)
            out += max(1, len(textwrap.wrap(part, max(1, int(width)))))
    return out


def _finish_notes(wb, notes) -> None:
    """Merge each note over the columns it needs (at least NOTE_WIDTH characters or the sheet's
    width), wrapped, in a row tall enough for it."""
    for sheet, row, line_pt in notes:
        ws = wb[sheet]
        cell = ws.cell(row=row, column=1)
        text = cell.value
        if text is None:
            continue
        last = 1
        target = min(max(len(str(text)) + 2, 10), NOTE_WIDTH)
        target = max(target, min(_chars(ws, 1, max(ws.max_column, 1)), NOTE_WIDTH))
        while _chars(ws, 1, last) < target and last < 60:
            last += 1
        if any(ws.cell(row=row, column=c).value not in (None, "") for c in range(2, last + 1)):
            last = 1
        if last > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        lines = _lines(text, _chars(ws, 1, last))
        height = max(DEFAULT_ROW_PT, lines * line_pt)
        current = ws.row_dimensions[row].height
        ws.row_dimensions[row].height = max(current or 0, height)


def _fit_row_heights(ws) -> None:
    """Rows holding wrapped text (not a merged note) get the height of their tallest cell."""
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    need: dict[int, float] = {}
    for row in ws.iter_rows():
        for c in row:
            if not isinstance(c.value, str) or not c.alignment.wrap_text or (c.row, c.column) in merged:
                continue
            lines = _lines(c.value, _chars(ws, c.column, c.column))
            if lines > 1:
                need[c.row] = max(need.get(c.row, 0), lines * _line_height(c.font))
    from openpyxl.styles import Alignment

    for r, height in need.items():
        current = ws.row_dimensions[r].height
        if current is None or current < height:
            ws.row_dimensions[r].height = height
        for c in ws[r]:  # a tall row reads from the top: every cell beside the wrapped one too
            if c.value is not None and c.alignment.vertical is None:
                a = c.alignment
                c.alignment = Alignment(horizontal=a.horizontal, vertical="top", wrap_text=a.wrap_text,
                                        indent=a.indent, text_rotation=a.text_rotation,
                                        shrink_to_fit=a.shrink_to_fit)


def _name_columns(values) -> int:
    """How many leading columns hold names (text), to freeze beside the numbers (at most 2;
    0 when the table has no numbers after them)."""
    if values.size == 0:
        return 0
    n = 0
    for j in range(min(values.shape[1], 2)):
        col = [v for v in values[:, j] if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if col and all(isinstance(v, str) for v in col):
            n += 1
        else:
            break
    if n == values.shape[1]:
        return 0
    return n


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


# the folders of an absolute path (/home/ana/study/, C:\\Users\\ana\\): a workbook goes to a client
_FOLDERS = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:[\\/]|/)(?:[^\s,;()'\"\\/]+[\\/])+(?=[^\s,;()'\"\\/])")


def without_folders(text: str) -> str:
    """``mean over 1960 customers (/home/ana/finance.csv)`` -> ``... (finance.csv)``: file names only."""
    return _FOLDERS.sub("", text) if ("/" in text or "\\" in text) else text


def _set_text(cell, text) -> None:
    cell.value = without_folders(str(text))
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
