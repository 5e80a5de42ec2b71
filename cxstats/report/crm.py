"""Case lists for a CRM: CSV (UTF-8 with BOM, ``,`` or ``;``) or XLSX with fixed columns.

Only the result's declared columns are written. Text never becomes a formula: in XLSX every
text cell is stored as text; in CSV a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with ``'`` (OWASP's CSV-injection advice), since a spreadsheet
opening a CSV decides by itself what is a formula.
"""

from __future__ import annotations

from pathlib import Path

from cxstats.errors import InputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A CSV cell that no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_case_list(result, path, *, sep: str = ",", lang: str | None = None) -> None:
    """Write ``result`` (a FollowupResult) to ``path`` (.csv or .xlsx), atomically, with the
    display texts (reason, touchpoint) in ``lang`` (default: the result's own language)."""
    suffix = Path(path).suffix.lower()
    cases = result.cases_in(lang) if hasattr(result, "cases_in") else result.cases
    if suffix == ".csv":
        _write_csv(result, cases, path, sep)
    elif suffix == ".xlsx":
        _write_xlsx(result, cases, path)
    else:
        raise InputError("a case list is written as .csv or .xlsx", file=path, option="out")


def _write_csv(result, cases, path, sep):
    import csv
    import io

    from cxstats.report.atomic import write_bytes

    if sep not in (",", ";"):
        raise InputError(f"the CSV separator is ',' or ';', not {sep!r}", option="sep")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    cols = result.columns
    w.writerow(cols)
    for case in cases:
        w.writerow(["" if case.get(c) is None else neutralise(case.get(c)) for c in cols])
    write_bytes(path, buf.getvalue().encode("utf-8-sig"))


def _write_xlsx(result, cases, path):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cxstats.report.atomic import atomic_path

    wb = Workbook()
    ws = wb.active
    ws.title = "cases"
    cols = result.columns
    _row(ws, 1, cols)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r, case in enumerate(cases, start=2):
        _row(ws, r, [case.get(c) for c in cols])
    ws.freeze_panes = "A2"
    sm = wb.create_sheet("summary")
    _row(sm, 1, ["owner", "manager", "priority", "n"])
    for r, s in enumerate(result.summary, start=2):
        _row(sm, r, [s["owner"], s["manager"], s["priority"], s["n"]])
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _row(ws, r, values):
    for j, v in enumerate(values, start=1):
        if v is None:
            continue
        cell = ws.cell(row=r, column=j)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            cell.value = str(v)
            cell.data_type = "s"  # never a formula, whatever the text starts with
        else:
            cell.value = v
