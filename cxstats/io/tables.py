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
# The answer scale declared on the command line (--scale-range MIN,MAX) for the command being run:
# None, or (lo, hi); every value outside it that is not a declared missing code is refused.
declared_scale_range: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("scale_range", default=None)


def _fmt(x) -> str:
    return f"{x:g}"


def suspected_codes(finite) -> tuple[list, str]:
    """Values of a column that look like missing-value codes rather than answers, and why.

    The rules, applied to whole-number columns whose other answers lie on a rating scale
    (between -1 and 11; a column of revenues, ages or scores such as 3.25 is left alone):

    1. 97-99, 997-999 or 9997-9999 ("don't know" / "no answer" codes);
    2. negative values beside 3 or more distinct non-negative answers, unless the column looks
       like a bipolar scale (-3..+3): they are codes when the answers have no 0 (a bipolar scale
       has a midpoint),
       when the most negative value lies further below 0 than the largest answer lies above it
       (-9 or -99 beside 1-7), or when a single negative value that does not mirror the largest
       answer sits beside 3 or more answers (-1 beside 0-10, but not -3 beside 0-3);
    3. a largest value of 8 or 9 far above the rest (at least 2 unused whole numbers between
       them: 9 beside 1-5 or 1-6, 8 beside 1-5) when the rest hold at least 3 distinct answers
       (a 1-10 scale with gaps in a small sample is left alone);
    4. 0 beside answers running from 1 up to 4-7 (0 beside 1-5); 0-3 and 0-10 scales are
       left alone.

    A scale declared with ``scale_range`` replaces these rules by the range itself.
    """
    import numpy as np

    if finite.size == 0 or not np.all(np.isclose(finite, np.round(finite))):
        return [], ""
    values = np.unique(finite)
    suspects = [c for c in SUSPECT_MISSING_CODES if c in values]
    rest = values[~np.isin(values, suspects)]
    if suspects and rest.size and rest.min() >= -1 and rest.max() <= RATING_SCALE_MAX:
        return suspects, "97-99, 997-999 and 9997-9999 are the usual codes"
    if suspects or rest.size == 0:
        return [], ""
    neg, pos = rest[rest < 0], rest[rest >= 0]
    if neg.size and pos.size >= 3 and pos.max() <= RATING_SCALE_MAX:
        if pos.min() > 0 or -neg.min() > pos.max() or (neg.size == 1 and pos.size >= 3 and -neg[0] != pos.max()):
            return sorted(neg.tolist()), "a negative value among positive answers"
    if neg.size or rest.max() > RATING_SCALE_MAX:
        return [], ""
    if rest.size >= 4 and rest[-1] in (8, 9) and rest[-2] <= 6 and rest[-1] - rest[-2] >= 3:
        return [rest[-1]], "a value far above all the other answers"
    if rest.size >= 4 and rest[0] == 0 and rest[1] == 1 and 4 <= rest[-1] <= 7:
        return [0.0], "a 0 beside answers that start at 1"
    return [], ""


def check_missing_codes(table: RawTable, column: str, values, codes=(), scale_range=None):
    """Blank declared missing codes; refuse undeclared codes hiding among rating-scale answers.

    Without a spec nothing says that 99 (or -99, or 0) means "No sabe": read as a number it
    would wreck means, correlations and factor analyses silently. ``codes`` (several, negative
    allowed) become missing. With ``scale_range=(lo, hi)`` every other value outside lo-hi is
    refused; without it the values :func:`suspected_codes` finds are refused. Each refusal
    names file, column, row and value and says how to declare the code (``--missing-code``) or
    the scale (``--scale-range``).
    """
    import numpy as np

    x = values.copy()
    if codes:
        x[np.isin(x, codes)] = np.nan
    finite = x[np.isfinite(x)]
    if scale_range is not None:
        lo, hi = scale_range
        outside = (x < lo) | (x > hi)
        if outside.any():
            first = int(np.flatnonzero(outside)[0])
            found = np.unique(x[outside])
            shown = ", ".join(_fmt(v) for v in found[:8]) + (" ..." if found.size > 8 else "")
            raise InputError(
                f"outside the scale {_fmt(lo)}-{_fmt(hi)} ({int(outside.sum())} cell(s) hold {shown}); "
                f"if it is a missing-value code, declare it with "
                f"{' '.join(f'--missing-code {_fmt(v)}' for v in found[:3])}",
                file=table.path, column=column, row=table.file_row(first), value=_fmt(x[first]))
        return x
    suspects, why = suspected_codes(finite)
    if not suspects:
        return x
    rest = finite[~np.isin(finite, suspects)]
    hits = np.isin(x, suspects)
    first = int(np.flatnonzero(hits)[0])
    code = x[first]
    declare = " ".join(f"--missing-code {_fmt(c)}" for c in suspects[:4])
    lo, hi = min(rest.min(), min(suspects)), max(rest.max(), max(suspects))
    answer = (f" or, if it is an answer, give the scale with --scale-range {_fmt(lo)},{_fmt(hi)};"
              if lo >= -1 and hi <= RATING_SCALE_MAX else "")
    raise InputError(
        f"looks like a missing-value code ('don't know' / 'no answer'), not an answer: {why}; the other "
        f"answers run {_fmt(rest.min())}-{_fmt(rest.max())} and {int(hits.sum())} cell(s) hold "
        f"{', '.join(_fmt(c) for c in suspects)}. Declare it with {declare} (repeatable);{answer} or read "
        "the file through --spec, whose scales list their missing codes",
        file=table.path, column=column, row=table.file_row(first), value=_fmt(code))


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


def load_numeric(path, columns=None, *, table: RawTable | None = None, missing_codes=None,
                 scale_range=None):
    """Read ``path`` and return ``columns`` (default: all) as a float DataFrame.

    Blanks and common missing markers (NA, ., empty) become NaN; a decimal comma
    is accepted; ``missing_codes`` (default: those declared with --missing-code;
    several, negative allowed) become NaN. ``scale_range=(lo, hi)`` (default: the one
    declared with --scale-range, see :data:`declared_scale_range`) is the answer scale
    of every column read: other values outside it are refused. Without it, values that
    look like missing-value codes on a rating column (99, -99, 9 beside 1-5, 0 beside
    1-5: the rules of :func:`suspected_codes`) are refused. Unknown columns and
    non-numeric cells raise :class:`InputError`.
    """
    import pandas as pd

    table = table or read_table(path)
    columns = list(columns) if columns is not None else table.columns
    table.require_columns(columns)
    if len(table.frame) == 0:
        raise InputError("the file has a header but no data rows", file=table.path)
    codes = tuple(missing_codes if missing_codes is not None else declared_missing_codes.get())
    scale_range = _scale_range(scale_range if scale_range is not None else declared_scale_range.get())
    return pd.DataFrame({c: check_missing_codes(table, c, numeric_column(table, c), codes, scale_range)
                         for c in columns})


def _scale_range(value):
    if value is None:
        return None
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(f"a scale range is two numbers MIN,MAX (e.g. 1,7), not {value!r}",
                         option="scale_range") from None
    if not lo < hi:
        raise InputError(f"the scale range's MIN must be below its MAX, not {lo:g},{hi:g}", option="scale_range")
    return lo, hi


def load_column_text(path, column, *, table: RawTable | None = None):
    """A grouping column as text (blanks -> None), e.g. ``--group school``."""
    from cxstats.io.values import is_blank

    table = table or read_table(path)
    table.require_columns([column])
    vals = table.frame[column].tolist()
    return [None if is_blank(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
            for v in vals]
