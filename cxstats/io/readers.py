"""Readers for survey exports: CSV (any common encoding, ``,``/``;``/tab, decimal
comma), Excel ``.xlsx``, SPSS ``.sav`` (value labels kept) and Qualtrics CSV
exports (their two extra header rows are recognised and dropped).

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

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav", ".zsav")
_QUALTRICS_IMPORT = re.compile(r'^\s*\{\s*"ImportId"\s*:')


@dataclass
class RawTable:
    frame: object  # pandas.DataFrame
    path: Path
    kind: str  # csv | xlsx | sav | qualtrics-csv
    first_row: int  # file row (1-based, as a spreadsheet shows it) of the first data row
    row_label: str = "row"  # 'row' (file row) or 'case' (SPSS case number)
    encoding: str | None = None
    delimiter: str | None = None
    value_labels: dict = field(default_factory=dict)  # column -> {code: label} (SPSS)
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
    if suffix in (".sav", ".zsav"):
        return _read_sav(path)
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
        raise InputError(f"not a readable .xlsx workbook ({exc})", file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _refuse_duplicate_columns(frame, path)
    return _drop_qualtrics_rows(RawTable(frame, path, "xlsx", first_row=2))


def _read_sav(path: Path) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:
        raise InputError(f"not a readable SPSS file ({exc})", file=path) from None
    labels = {col: dict(vals) for col, vals in (meta.variable_value_labels or {}).items()}
    questions = dict(zip(meta.column_names, meta.column_labels or [])) if meta.column_labels else {}
    return RawTable(frame, path, "sav", first_row=1, row_label="case", value_labels=labels,
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
    """Qualtrics exports carry two rows under the header: question text, then ImportId JSON."""
    frame = table.frame
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
