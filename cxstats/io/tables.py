"""Plain tables without a spec: the named columns as numbers, or a clear refusal."""

from __future__ import annotations

import contextvars

from cxstats.errors import InputError
from cxstats.io.readers import RawTable, read_table
from cxstats.io.values import NotANumber, NumberOverflow, parse_number

MAX_REPORTED = 5
# Codes survey platforms use for "don't know" / "no answer" on rating scales.
SUSPECT_MISSING_CODES = (99, 98, 97, 999, 998, 997, 9999, 9998, 9997)
RATING_SCALE_MAX = 11
# Missing codes declared on the command line (--missing-code) for the command being run.
declared_missing_codes: contextvars.ContextVar[tuple] = contextvars.ContextVar("missing_codes", default=())


def check_missing_codes(table: RawTable, column: str, values, codes=()):
    """Blank declared missing codes; refuse an undeclared one hiding among rating-scale answers.

    Without a spec nothing says that 99 means "No sabe": read as a number it
    would wreck means, correlations and factor analyses silently. A column whose
    other answers lie on a rating scale (-1 to 11) and that also holds 97-99,
    997-999 or 9997-9999 is refused with a message saying how to declare the code.
    """
    import numpy as np

    x = values.copy()
    if codes:
        x[np.isin(x, codes)] = np.nan
        return x
    finite = x[np.isfinite(x)]
    suspects = [c for c in SUSPECT_MISSING_CODES if np.any(finite == c)]
    if not suspects:
        return x
    rest = finite[~np.isin(finite, suspects)]
    if rest.size and rest.min() >= -1 and rest.max() <= RATING_SCALE_MAX:
        code = suspects[0]
        first = int(np.flatnonzero(x == code)[0])
        count = int(np.sum(np.isin(finite, suspects)))
        raise InputError(
            f"looks like a missing-value code ('don't know' / 'no answer'): the other answers run "
            f"{rest.min():g}-{rest.max():g} and {count} cell(s) hold {', '.join(f'{c:g}' for c in suspects)}. "
            f"Declare it with --missing-code {code:g} (repeatable), or read the file through --spec, "
            "whose scales list their missing codes",
            file=table.path, column=column, row=table.file_row(first), value=f"{code:g}")
    return x


def _short(value, limit: int = 40) -> str:
    """A cell for a message: long cells (a 400-digit number) are cut."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def numeric_column(table: RawTable, column: str):
    """One column as float64 (NaN for blanks); text that is not a number is refused
    with file, column, row and value (and how many more cells are affected)."""
    import numpy as np

    values = table.frame[column].tolist()
    out = np.empty(len(values), dtype=float)
    bad, huge = [], []
    for i, v in enumerate(values):
        try:
            out[i] = parse_number(v)
        except NumberOverflow:
            huge.append((i, v))
            out[i] = np.nan
        except NotANumber:
            bad.append((i, v))
            out[i] = np.nan
    if huge:
        i, v = huge[0]
        raise InputError(NumberOverflow.reason, file=table.path, column=column, row=table.file_row(i),
                         value=_short(v), details=[f"{table.row_label} {table.file_row(j)}: {_short(w)!r}"
                                                   for j, w in huge[1:MAX_REPORTED]])
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


def load_numeric(path, columns=None, *, table: RawTable | None = None, missing_codes=None):
    """Read ``path`` and return ``columns`` (default: all) as a float DataFrame.

    Blanks and common missing markers (NA, ., empty) become NaN; a decimal comma
    is accepted; ``missing_codes`` (default: those declared with --missing-code)
    become NaN, and an undeclared code among rating-scale answers is refused
    (:func:`check_missing_codes`). Unknown columns and non-numeric cells raise
    :class:`InputError`.
    """
    import pandas as pd

    table = table or read_table(path)
    columns = list(columns) if columns is not None else table.columns
    table.require_columns(columns)
    if len(table.frame) == 0:
        raise InputError("the file has a header but no data rows", file=table.path)
    codes = tuple(missing_codes if missing_codes is not None else declared_missing_codes.get())
    return pd.DataFrame({c: check_missing_codes(table, c, numeric_column(table, c), codes) for c in columns})


def load_column_text(path, column, *, table: RawTable | None = None):
    """A grouping column as text (blanks -> None), e.g. ``--group school``."""
    from cxstats.io.values import is_blank

    table = table or read_table(path)
    table.require_columns([column])
    vals = table.frame[column].tolist()
    return [None if is_blank(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
            for v in vals]
