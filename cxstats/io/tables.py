"""Plain tables without a spec: the named columns as numbers, or a clear refusal."""

from __future__ import annotations

from cxstats.errors import InputError
from cxstats.io.readers import RawTable, read_table
from cxstats.io.values import NotANumber, parse_number

MAX_REPORTED = 5


def numeric_column(table: RawTable, column: str):
    """One column as float64 (NaN for blanks); text that is not a number is refused
    with file, column, row and value (and how many more cells are affected)."""
    import numpy as np

    values = table.frame[column].tolist()
    out = np.empty(len(values), dtype=float)
    bad = []
    for i, v in enumerate(values):
        try:
            out[i] = parse_number(v)
        except NotANumber:
            bad.append((i, v))
            out[i] = np.nan
    if bad:
        i, v = bad[0]
        more = [f"{table.row_label} {table.file_row(j)}: {w!r}" for j, w in bad[1:MAX_REPORTED]]
        if len(bad) > MAX_REPORTED:
            more.append(f"... {len(bad) - MAX_REPORTED} more")
        raise InputError(
            "not a number (if the file holds answer labels such as 'Muy satisfecho', give "
            "--spec so labels are mapped to codes)",
            file=table.path, column=column, row=table.file_row(i), value=str(v), details=more)
    return out


def load_numeric(path, columns=None, *, table: RawTable | None = None):
    """Read ``path`` and return ``columns`` (default: all) as a float DataFrame.

    Blanks and common missing markers (NA, ., empty) become NaN; a decimal comma
    is accepted. Unknown columns and non-numeric cells raise :class:`InputError`.
    """
    import pandas as pd

    table = table or read_table(path)
    columns = list(columns) if columns is not None else table.columns
    table.require_columns(columns)
    if len(table.frame) == 0:
        raise InputError("the file has a header but no data rows", file=table.path)
    return pd.DataFrame({c: numeric_column(table, c) for c in columns})


def load_column_text(path, column, *, table: RawTable | None = None):
    """A grouping column as text (blanks -> None), e.g. ``--group school``."""
    from cxstats.io.values import is_blank

    table = table or read_table(path)
    table.require_columns([column])
    vals = table.frame[column].tolist()
    return [None if is_blank(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
            for v in vals]
