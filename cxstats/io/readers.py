"""Readers for survey exports: CSV (any common encoding, ``,``/``;``/tab, decimal
comma), Excel ``.xlsx``, SPSS ``.sav`` and portable ``.por``, Stata ``.dta`` (value
labels kept; user-missing values read as missing) and Qualtrics CSV exports (their
two extra header rows, or the one question-text row of legacy ``V1..Vn`` exports, are
recognised and dropped).

A CSV row with more or fewer fields than the header, and an Excel formula cell with no
saved result, are refused naming the row (they would shift or blank answers silently).

A reader returns a :class:`RawTable`: the cells as read (text for CSV), plus
what is needed to point a user at a cell: the file row of every data row.
Nothing here knows about study specs; :mod:`cxstats.io.survey` does.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from cxstats.errors import InputError

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav", ".zsav", ".dta", ".por")
_QUALTRICS_IMPORT = re.compile(r'^\s*\{\s*"ImportId"\s*:')


@dataclass
class RawTable:
    frame: object  # pandas.DataFrame
    path: Path
    kind: str  # csv | xlsx | sav | dta | por | qualtrics-csv | qualtrics-legacy-csv | qualtrics-xlsx
    first_row: int  # file row (1-based, as a spreadsheet shows it) of the first data row
    row_label: str = "row"  # 'row' (file row) or 'case' (SPSS case number)
    encoding: str | None = None
    delimiter: str | None = None
    value_labels: dict = field(default_factory=dict)  # column -> {code: label} (SPSS, Stata)
    question_text: dict = field(default_factory=dict)  # column -> text (Qualtrics)

    def file_row(self, i: int) -> int:
        """The row number a user sees for the i-th data row (0-based)."""
        return self.first_row + int(i)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def require_columns(self, names) -> None:
        """Refuse names that are not columns, suggesting near misses."""
        have = self.columns
        for name in names:
            if name not in have:
                close = difflib.get_close_matches(name, have, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                shown = ", ".join(have[:30]) + (" ..." if len(have) > 30 else "")
                raise InputError(f"no such column{hint} (the file has: {shown})",
                                 file=self.path, column=name)


def read_table(path) -> RawTable:
    """Read a survey export, recognising its format from the file name and content."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path)
    if path.is_dir():
        raise InputError("is a folder, not a data file", file=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path)
    if suffix in (".sav", ".zsav", ".dta", ".por"):
        return _read_labelled(path, suffix)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _read_csv(path)
    raise InputError(f"unsupported file type {suffix!r}; use one of {', '.join(SUPPORTED)}", file=path)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then Windows-1252, then Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(path: Path) -> RawTable:
    import pandas as pd

    text, encoding = decode_bytes(path.read_bytes())
    if not text.strip():
        raise InputError("the file is empty", file=path)
    delimiter = sniff_delimiter(text)
    _refuse_ragged_rows(text, delimiter, path)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            na_filter=False, skipinitialspace=False)
    except pd.errors.ParserError as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _refuse_duplicate_columns(frame, path)
    table = RawTable(frame, path, "csv", first_row=2, encoding=encoding, delimiter=delimiter)
    return _drop_qualtrics_rows(table)


def _read_excel(path: Path) -> RawTable:
    import pandas as pd

    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # a broken or non-Excel file
        raise InputError(f"not a readable .xlsx workbook ({str(exc)[:200]})", file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _refuse_duplicate_columns(frame, path)
    _refuse_uncomputed_formulas(path, frame)
    return _drop_qualtrics_rows(RawTable(frame, path, "xlsx", first_row=2))


def _refuse_uncomputed_formulas(path: Path, frame) -> None:
    """Refuse formula cells whose result was never saved (workbooks written by scripts, or
    saved without recalculation): they would be read as blanks, i.e. as missing answers.

    Only formula cells that read as blank are refused, on the sheet pandas read (the first)."""
    import openpyxl

    if not frame.isna().to_numpy().any() or not _has_formulas(path):
        return
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # pandas read it; nothing more to check
        return
    try:
        sheet = book.worksheets[0]
        for r, row in enumerate(sheet.iter_rows(), start=1):
            for cell in row:
                v = getattr(cell, "value", None)
                if not (getattr(cell, "data_type", None) == "f" or (isinstance(v, str) and v.startswith("="))):
                    continue
                i, j = r - 2, (getattr(cell, "column", None) or 0) - 1
                inside = 0 <= i < len(frame) and 0 <= j < frame.shape[1]
                if not inside or _blank_cell(frame.iat[i, j]):
                    raise InputError(
                        f"cell {getattr(cell, 'coordinate', '?')} holds a formula whose result was never "
                        "saved, so it would be read as blank; open the workbook in Excel or LibreOffice, "
                        "let it recalculate and save it (or paste the values instead of the formulas)",
                        file=path, column=frame.columns[j] if 0 <= j < frame.shape[1] else None,
                        row=r, value=_short(v))
    finally:
        book.close()


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a fast scan of the XML, so that
    large exports without formulas are not read twice)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with z.open(name) as f:
                        tail = b""
                        while chunk := f.read(1 << 20):
                            if _FORMULA_TAG.search(tail + chunk):
                                return True
                            tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile):
        return True  # let openpyxl look
    return False


def _blank_cell(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _short(value, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _refuse_ragged_rows(text: str, delimiter: str, path: Path) -> None:
    """Refuse a row with more or fewer fields than the header, naming the row (as a spreadsheet
    numbers it, the header being row 1) and the line: its answers would land in the wrong columns
    or be filled with blanks. Empty lines are left alone (they are skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        expected = len(header)
        for number, record in enumerate(reader, start=2):
            if not record or len(record) == expected:
                continue
            n = len(record)
            what = "more" if n > expected else "fewer"
            extra = ("check for an unquoted delimiter inside an answer" if n > expected
                     else "check for a line break inside an answer or a truncated line")
            line = f" (line {reader.line_num})" if reader.line_num != number else ""
            raise InputError(f"this row{line} has {n} fields, {what} than the {expected} columns of the "
                             f"header; its answers would land in the wrong columns ({extra})",
                             file=path, row=number)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file (line {reader.line_num}: {exc})", file=path) from None


_LABELLED = {".sav": ("read_sav", "sav", "SPSS"), ".zsav": ("read_sav", "sav", "SPSS"),
             ".dta": ("read_dta", "dta", "Stata"), ".por": ("read_por", "por", "SPSS portable")}


def _read_labelled(path: Path, suffix: str) -> RawTable:
    """SPSS .sav/.zsav/.por and Stata .dta through pyreadstat: codes as numbers, value labels
    kept per column, user-missing values (SPSS missing ranges, Stata .a-.z) read as missing."""
    import pyreadstat

    reader, kind, name = _LABELLED[suffix]
    try:
        frame, meta = getattr(pyreadstat, reader)(str(path), apply_value_formats=False)
    except Exception as exc:
        raise InputError(f"not a readable {name} file ({str(exc)[:200]})", file=path) from None
    labels = {col: dict(vals) for col, vals in (meta.variable_value_labels or {}).items()}
    questions = dict(zip(meta.column_names, meta.column_labels or [])) if meta.column_labels else {}
    return RawTable(frame, path, kind, first_row=1, row_label="case", value_labels=labels,
                    question_text={k: v for k, v in questions.items() if v})


def _refuse_duplicate_columns(frame, path) -> None:
    seen = set()
    for c in frame.columns:
        base = re.sub(r"\.\d+$", "", c)
        if c in seen:
            raise InputError("the column name appears twice in the header", file=path, column=c)
        seen.add(c)
        if base != c and base in seen and frame.columns.tolist().count(base):
            raise InputError("the column name appears twice in the header", file=path, column=base)


def _drop_qualtrics_rows(table: RawTable) -> RawTable:
    """Qualtrics exports carry two rows under the header: question text, then ImportId JSON.
    Legacy exports (before 2016) have a header ``V1, V2, V3, ..., Q1, ...`` and one row of
    question texts under it (``ResponseID``, ``ResponseSet``, ... in the ``V`` columns)."""
    frame = table.frame
    if len(frame) >= 1 and _is_legacy_qualtrics(frame):
        table.question_text = {c: str(v) for c, v in zip(frame.columns, frame.iloc[0].tolist())
                               if not _blank_cell(v) and str(v).strip()}
        table.frame = frame.iloc[1:].reset_index(drop=True)
        table.first_row += 1
        table.kind = f"qualtrics-legacy-{table.kind}"
        return table
    if len(frame) < 2:
        return table
    second = [str(v) for v in frame.iloc[1].tolist()]
    if not any(_QUALTRICS_IMPORT.match(v) for v in second):
        return table
    questions = {c: str(v) for c, v in zip(frame.columns, frame.iloc[0].tolist()) if str(v).strip()}
    table.frame = frame.iloc[2:].reset_index(drop=True)
    table.first_row += 2
    table.kind = f"qualtrics-{table.kind}"
    table.question_text = questions
    return table


def _is_legacy_qualtrics(frame) -> bool:
    """Header starting V1, V2, V3 and 'ResponseID' under V1 (the first of the question-text row
    of every legacy export). A data set whose columns merely are named V1, V2, ... is left alone."""
    cols = [str(c) for c in frame.columns]
    if len(cols) < 3 or cols[:3] != ["V1", "V2", "V3"]:
        return False
    return str(frame.iloc[0]["V1"]).strip().lower() == "responseid"


def read_text_file(path, what: str) -> str:
    """The text of a small hand-written file (a lavaan model, ...) as UTF-8 (a BOM is allowed).

    A missing file, a folder, a binary file (NUL bytes: a workbook, a PDF, UTF-16 text) or a
    file in another encoding raises :class:`InputError` naming the file and, for an encoding
    problem, the line; the file's content is never echoed."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such {what} file", file=path)
    if path.is_dir():
        raise InputError(f"is a folder, not a {what} file", file=path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"the {what} file is saved as UTF-16; save it as UTF-8 text", file=path)
    if b"\x00" in data:
        raise InputError(f"not a text file (it holds binary data); the {what} must be plain UTF-8 text",
                         file=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"the {what} file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line} "
                         "is not valid UTF-8; it was probably saved as Latin-1 or Windows-1252): "
                         "save it as UTF-8", file=path) from None
