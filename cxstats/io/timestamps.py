"""Timestamps as researchers receive them, read without guessing.

Accepted cells (one column may mix them):

* date/time objects (Excel date cells, read by openpyxl);
* ISO 8601 text, with or without a zone: ``2026-03-05``, ``2026-03-05 14:22``,
  ``2026-03-05T14:22:10.123+01:00``, ``...Z`` (Qualtrics ``StartDate``/``EndDate``/
  ``RecordedDate``, KoBo ``start``/``end``); year-first with slashes ``2026/03/05 14:22``;
* numbers in an Excel workbook: Excel serial dates (days since 1899-12-30, the 1900 system);
* ``dd/mm/yyyy hh:mm`` (Spanish and Latin-American exports) or ``mm/dd/yyyy`` - only with the
  order declared (``fielding.date_order: dmy | mdy``): ``05/03/2026`` is 5 March or 3 May, and
  a reader never guesses which. Without a declared order such a cell is refused.

Times without a zone are taken in ``timezone`` (an IANA name such as ``Europe/Madrid``;
default UTC); every time is returned in UTC (naive ``datetime64``). A cell that cannot be read,
an impossible date (31/02), or a local time that does not exist or is ambiguous at a
daylight-saving change is reported as a problem ``(position, value, reason)``; the caller names
file, column and row. Parsing uses pandas (``Timestamp``, ``to_datetime``); each distinct cell is
parsed once.
"""

from __future__ import annotations

import math
import re

DATE_ORDERS = ("dmy", "mdy", "ymd")
EXCEL_EPOCH = "1899-12-30"  # Excel's 1900 date system (Lotus' leap-year bug included)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class TimeProblem(ValueError):
    pass


def _excel_serial(x: float):
    import pandas as pd

    if not 1 <= x < 2958466:  # 1900-01-01 .. 9999-12-31
        raise TimeProblem(f"{x:g} is not an Excel date serial (days since 1899-12-30)")
    return pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(round(x * 86400, 3), unit="s")


def _from_parts(y, mo, d, hh, mm, ss):
    import pandas as pd

    try:
        return pd.Timestamp(year=int(y), month=int(mo), day=int(d), hour=int(hh or 0),
                            minute=int(mm or 0), second=int(ss or 0))
    except ValueError:
        raise TimeProblem(f"impossible date (year {y}, month {mo}, day {d}, "
                          f"{int(hh or 0):02d}:{int(mm or 0):02d})") from None


def parse_time_cell(value, *, date_order: str | None = None, excel: bool = False):
    """One cell -> a ``pandas.Timestamp`` (naive or with its zone) or None for a blank;
    raises :class:`TimeProblem` with the reason."""
    import datetime as dt

    import pandas as pd

    from cxstats.io.values import is_blank

    if is_blank(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(value)
    if isinstance(value, dt.date):
        return pd.Timestamp(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise TimeProblem("true/false is not a time")
    if isinstance(value, (int, float)) or getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u", "f"):
        if excel:
            return _excel_serial(float(value))
        raise TimeProblem("a bare number is not a time here (Excel serial dates are read from .xlsx "
                          "workbooks); export the time as text, e.g. 2026-03-05 14:22")
    text = str(value).strip()
    if _ISO.match(text):
        try:
            return pd.Timestamp(text.replace(",", "."))
        except ValueError:
            raise TimeProblem("impossible date or time") from None
    m = _YMD_SLASH.match(text)
    if m:
        y, mo, d, hh, mm, ss = m.groups()
        return _from_parts(y, mo, d, hh, mm, ss)
    m = _NUMERIC_DATE.match(text)
    if m:
        a, b, y, hh, mm, ss = m.groups()
        if date_order not in ("dmy", "mdy"):
            raise TimeProblem("ambiguous date: is it day/month/year or month/day/year? Declare the "
                              "order in the spec (fielding.date_order: dmy for 05/03/2026 = 5 March, "
                              "mdy for 3 May)")
        if len(y) != 4:
            raise TimeProblem("two-digit year: the century would be a guess; export four-digit years")
        d, mo = (a, b) if date_order == "dmy" else (b, a)
        return _from_parts(y, mo, d, hh, mm, ss)
    if excel:
        try:
            return _excel_serial(float(text))
        except ValueError:
            pass
    raise TimeProblem("not a date/time (expected ISO 8601 such as 2026-03-05 14:22, or the declared "
                      "day/month order such as 05/03/2026 14:22)")


def parse_time_column(values, *, date_order: str | None = None, timezone: str = "UTC", excel: bool = False):
    """A column of cells -> (UTC ``datetime64[ns]`` array with NaT for blanks, problems).

    ``problems`` is a list of ``(position, cell text, reason)``; their positions are NaT.
    """
    import numpy as np
    import pandas as pd

    index, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    parsed, reasons = [], []
    for u in uniques:
        try:
            ts = parse_time_cell(u, date_order=date_order, excel=excel)
            if ts is not None:
                if ts.tzinfo is None:
                    ts = ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
                ts = ts.tz_convert("UTC").tz_localize(None)
            parsed.append(np.datetime64("NaT") if ts is None else ts.to_datetime64())
            reasons.append(None)
        except TimeProblem as exc:
            parsed.append(np.datetime64("NaT"))
            reasons.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - pytz's DST gap/overlap errors derive from Exception only
            parsed.append(np.datetime64("NaT"))
            reasons.append(f"not a valid time in {timezone} (a daylight-saving gap or overlap, or out "
                           f"of range: {type(exc).__name__} {str(exc)[:80]})")
    lookup = np.array(parsed + [np.datetime64("NaT")], dtype="datetime64[ns]")
    out = lookup[index]
    problems = [(int(i), str(uniques[index[i]]), reasons[index[i]])
                for i in np.flatnonzero(index >= 0) if reasons[index[i]]]
    return out, problems


def period_label(times, period: str):
    """Wave labels from times: ``week`` (ISO year-week, 2026-W10), ``month`` (2026-03),
    ``quarter`` (2026-Q1). NaT -> None."""
    import pandas as pd

    s = pd.Series(pd.to_datetime(times))
    out = []
    for t in s:
        if pd.isna(t):
            out.append(None)
        elif period == "week":
            iso = t.isocalendar()
            out.append(f"{iso[0]}-W{iso[1]:02d}")
        elif period == "month":
            out.append(f"{t.year}-{t.month:02d}")
        elif period == "quarter":
            out.append(f"{t.year}-Q{(t.month - 1) // 3 + 1}")
        else:
            raise ValueError(period)
    return out


def lag_hours(contact, response):
    """Hours from contact to response (float array, NaN where either is missing)."""
    import numpy as np

    c = np.asarray(contact, dtype="datetime64[ns]")
    r = np.asarray(response, dtype="datetime64[ns]")
    lag = (r - c).astype("timedelta64[s]").astype(float) / 3600.0
    lag[np.isnat(c) | np.isnat(r)] = math.nan
    return lag
