"""Timestamps in SQL, read as ingest reads them (:mod:`cxstats.io.timestamps`), on DuckDB and Spark.

The cells a survey export holds (ISO 8601 with or without a zone, ``yyyy/mm/dd``, and
``dd/mm/yyyy`` or ``mm/dd/yyyy`` with the declared ``date_order``) are split by regular
expressions into their parts and turned into UTC seconds by integer arithmetic (days from the
civil date, H. Hinnant's algorithm), the same SQL on both engines (no backslashes: Spark
unescapes string literals, DuckDB does not). A time without a zone is local time in the spec's
``timezone``: its offset comes from a balanced ``CASE`` over the zone's transitions (read from
the IANA database through :mod:`zoneinfo` for 1850-2150), so a local time that does not exist or
is ambiguous at a daylight-saving change is caught as pandas' ``tz_localize(ambiguous="raise",
nonexistent="raise")`` catches it. A cell that cannot be read is marked bad (``cx_<n>_bad``); the
caller asks ingest's own parser for the reason of a sample of them and refuses the file.

Hand-written rather than the engines' own time functions because those differ between DuckDB
and Spark (formats, time-zone handling, ANSI errors) and would not refuse what ingest refuses.
"""

from __future__ import annotations

from functools import lru_cache

BLANKS = ("", "na", "n/a", "nan", ".", "null", "none", "#n/a", "-")   # cxstats.io.values.MISSING_TOKENS
ISO = ("^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)?"
       " *(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$")
YMD = "^([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$"
NUM = "^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{2,4})(?:[ T,]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$"
FIRST_YEAR, LAST_YEAR = 1850, 2150


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _g(col: str, pattern: str, i: int) -> str:
    return f"nullif(regexp_extract({col}, {_lit(pattern)}, {i}), '')"


def _int(x: str) -> str:
    return f"CAST({x} AS BIGINT)"


def _fl(x: str) -> str:   # floor of a quotient (exact: small whole numbers in double precision)
    return f"CAST(floor({x}) AS BIGINT)"


@lru_cache(maxsize=64)
def zone_pieces(tz: str, lo: int | None = None, hi: int | None = None) -> tuple:
    """``((local second from which it holds, offset seconds or None), ...)`` ascending: the UTC
    offset of a local time of zone ``tz`` between local seconds ``lo`` and ``hi`` (default
    1850-2150); None in a daylight-saving gap (the local time does not exist) or overlap (it is
    ambiguous). The zone's offset is scanned day by day and each change bisected to the second."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    utc = dt.timezone.utc

    def off(t: int) -> int:
        return int(dt.datetime.fromtimestamp(t, utc).astimezone(zone).utcoffset().total_seconds())

    day = 86400
    t0 = int(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=utc).timestamp()) if lo is None else int(lo) - 2 * day
    t1 = int(dt.datetime(LAST_YEAR, 1, 1, tzinfo=utc).timestamp()) if hi is None else int(hi) + 2 * day
    pieces = [(None, off(t0))]
    t, o = t0, off(t0)
    while t < t1:
        o2 = off(t + day)
        if o2 != o:   # a transition within (t, t + day]: bisect to the second
            lo_, hi_ = t, t + day
            while hi_ - lo_ > 1:
                mid = (lo_ + hi_) // 2
                lo_, hi_ = (mid, hi_) if off(mid) == o else (lo_, mid)
            a, b = hi_ + min(o, o2), hi_ + max(o, o2)   # local [a, b): a gap or an overlap
            pieces += [(a, None), (b, o2)]
            o = o2
        t += day
    return tuple(pieces)


def _offset_tree(pieces, local: str) -> str:
    """A balanced CASE giving the offset of the local second ``local`` (NULL: no such time)."""
    if len(pieces) == 1:
        o = pieces[0][1]
        return "CAST(NULL AS BIGINT)" if o is None else f"CAST({o} AS BIGINT)"
    mid = len(pieces) // 2
    return (f"CASE WHEN {local} < {pieces[mid][0]} THEN {_offset_tree(pieces[:mid], local)} "
            f"ELSE {_offset_tree(pieces[mid:], local)} END")


def parse_levels(cols: dict, date_order: str | None) -> list:
    """The nested SELECT lists (each ``*, new columns`` over the previous level) that read each
    time column: ``cols`` = ``{n: SQL of the raw cell}``; adds ``cx_<n>_f`` (0 blank, -1 not a
    time format, else the format), ``cx_<n>_local`` (seconds since 1970 of the written time, NULL
    for a blank or a cell ingest would refuse), ``cx_<n>_ns`` (nanoseconds within that second) and
    ``cx_<n>_zoff`` (the offset written in the cell, seconds). :func:`utc_level` adds the UTC
    seconds."""
    blank = ", ".join(_lit(b) for b in BLANKS)
    a, b, c = [], [], []
    for n, raw in cols.items():
        s = f"trim(CAST({raw} AS STRING))"
        a.append(f"{s} AS cx_{n}_txt")
        a.append(f"CASE WHEN {s} IS NULL OR lower({s}) IN ({blank}) THEN 0 "
                 + " ".join(f"WHEN regexp_extract({s}, {_lit(p)}, 0) <> '' THEN {i}"
                            for i, p in ((1, ISO), (2, YMD), (3, NUM))) + f" ELSE -1 END AS cx_{n}_f")
        f = f"cx_{n}_f"

        def part(i_iso, i_ymd, i_num, default=None, n=n, f=f):
            alts = []
            for code, pat, i in ((1, ISO, i_iso), (2, YMD, i_ymd), (3, NUM, i_num)):
                if i is not None:
                    alts.append(f"WHEN {code} THEN {_g(f'cx_{n}_txt', pat, i)}")
            expr = f"CASE {f} " + " ".join(alts) + " END"
            return f"coalesce({expr}, {_lit(default)})" if default is not None else expr
        first, second = (1, 2) if date_order != "mdy" else (2, 1)   # dmy: day first
        b += [f"{_int(part(1, 1, None))} AS cx_{n}_y0",
              f"CASE WHEN {f} = 3 THEN {part(None, None, 3)} END AS cx_{n}_y3",
              f"{_int(part(2, 2, second))} AS cx_{n}_mo",
              f"{_int(part(3, 3, first))} AS cx_{n}_d",
              f"{_int(part(4, 4, 4, '0'))} AS cx_{n}_hh",
              f"{_int(part(5, 5, 5, '0'))} AS cx_{n}_mi",
              f"{_int(part(6, 6, 6, '0'))} AS cx_{n}_ss",
              f"{_int(f'rpad(substr(coalesce({part(7, None, None)}, {_lit(chr(48))}), 1, 9), 9, {_lit(chr(48))})')}"
              f" AS cx_{n}_ns",
              f"{part(8, None, None)} AS cx_{n}_z"]
        y = f"coalesce(cx_{n}_y0, CASE WHEN length(cx_{n}_y3) = 4 THEN {_int(f'cx_{n}_y3')} END)"
        mo, dd = f"cx_{n}_mo", f"cx_{n}_d"
        dim = (f"CASE WHEN {mo} IN (1, 3, 5, 7, 8, 10, 12) THEN 31 WHEN {mo} IN (4, 6, 9, 11) THEN 30 "
               f"WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 THEN 29 ELSE 28 END")
        ok = (f"{y} BETWEEN 1678 AND 2261 AND {mo} BETWEEN 1 AND 12 AND {dd} BETWEEN 1 AND {dim} "
              f"AND cx_{n}_hh BETWEEN 0 AND 23 AND cx_{n}_mi BETWEEN 0 AND 59 AND cx_{n}_ss BETWEEN 0 AND 59"
              + ("" if date_order in ("dmy", "mdy") else f" AND {f} <> 3"))
        c.append(f"CASE WHEN {f} > 0 AND {ok} THEN {days_from_civil(y, mo, dd)} * 86400 + cx_{n}_hh * 3600 "
                 f"+ cx_{n}_mi * 60 + cx_{n}_ss END AS cx_{n}_local")
        z = f"cx_{n}_z"
        zone = (f"CASE WHEN {z} = 'Z' THEN CAST(0 AS BIGINT) WHEN {z} IS NOT NULL THEN "
                f"(CASE WHEN substr({z}, 1, 1) = '-' THEN -1 ELSE 1 END) * ({_int(f'substr({z}, 2, 2)')} * 3600 "
                f"+ CASE WHEN length({z}) > 3 THEN {_int(f'substr({z}, length({z}) - 1, 2)')} * 60 ELSE 0 END) END")
        c.append(f"{zone} AS cx_{n}_zoff")
    return [a, b, c]


def pieces_between(tz: str, lo, hi) -> tuple:
    """:func:`zone_pieces` of ``tz`` that local seconds in [lo, hi] can fall in."""
    pieces = zone_pieces(tz, lo, hi)
    if lo is None or hi is None:
        return pieces
    ends = [p[0] for p in pieces[1:]] + [None]
    kept = [p for p, end in zip(pieces, ends) if (end is None or end > lo) and (p[0] is None or p[0] <= hi)]
    return tuple(kept) or pieces[-1:]


def utc_level(cols, tz: str, ranges: dict) -> tuple:
    """(SELECT list adding ``cx_<n>_s`` (UTC seconds, BIGINT) and ``cx_<n>_bad`` (a cell ingest
    would refuse, a daylight-saving gap or overlap included), whether a gap or overlap lies in
    the range): ``ranges`` = ``{n: (lowest, highest local second)}`` of the data, so that the
    offset CASE holds only the transitions in the data's span."""
    out, dst = [], False
    for n in cols:
        pieces = pieces_between(tz, *ranges.get(n, (None, None)))
        dst = dst or any(o is None for _, o in pieces)
        local, f = f"cx_{n}_local", f"cx_{n}_f"
        offset = f"coalesce(cx_{n}_zoff, {_offset_tree(pieces, local)})"
        out += [f"{local} - {offset} AS cx_{n}_s",
                f"CASE WHEN {f} = 0 THEN false WHEN {local} IS NULL OR ({local} - {offset}) IS NULL THEN true "
                f"ELSE false END AS cx_{n}_bad"]
    return out, dst


def days_from_civil(y: str, m: str, d: str) -> str:
    """SQL of the days since 1970-01-01 of a proleptic Gregorian date (BIGINT)."""
    yy = f"({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)"
    era = _fl(f"{yy} / 400")
    yoe = f"({yy} - {era} * 400)"
    doy = f"({_fl(f'(153 * (({m} + 9) % 12) + 2) / 5')} + {d} - 1)"
    doe = f"({yoe} * 365 + {_fl(f'{yoe} / 4')} - {_fl(f'{yoe} / 100')} + {doy})"
    return f"({era} * 146097 + {doe} - 719468)"


def period_levels(seconds: str) -> list:
    """Nested SELECT lists adding ``cx_per_week``, ``cx_per_month`` and ``cx_per_quarter``: the
    :func:`cxstats.io.timestamps.period_label` (``2026-W10`` ISO week, ``2026-03``, ``2026-Q1``;
    NULL for NULL) of the UTC ``seconds`` since 1970 (a column of the previous level). One
    step per level (H. Hinnant's civil_from_days), so that no expression is written twice."""
    days = _fl(f"{seconds} / 86400")
    levels = [[f"{days} AS cx_pd_d"],
              ["(((cx_pd_d % 7) + 7 + 3) % 7) AS cx_pd_wd"],      # Monday 0 (1970-01-01 was a Thursday)
              ["cx_pd_d - cx_pd_wd + 3 AS cx_pt_d"]]               # the Thursday of the ISO week
    steps = [("z", "cx_{p}_d + 719468"), ("era", _fl("cx_{p}_z / 146097")), ("doe", "cx_{p}_z - cx_{p}_era * 146097"),
             ("yoe", _fl(f"(cx_{{p}}_doe - {_fl('cx_{p}_doe / 1460')} + {_fl('cx_{p}_doe / 36524')} - "
                         f"{_fl('cx_{p}_doe / 146096')}) / 365")),
             ("doy", f"cx_{{p}}_doe - (365 * cx_{{p}}_yoe + {_fl('cx_{p}_yoe / 4')} - {_fl('cx_{p}_yoe / 100')})"),
             ("mp", _fl("(5 * cx_{p}_doy + 2) / 153")),
             ("m", "CASE WHEN cx_{p}_mp < 10 THEN cx_{p}_mp + 3 ELSE cx_{p}_mp - 9 END"),
             ("y", "cx_{p}_yoe + cx_{p}_era * 400 + CASE WHEN cx_{p}_m <= 2 THEN 1 ELSE 0 END")]
    for name, expr in steps:   # (year, month) of the day (pd) and of its ISO week's Thursday (pt)
        levels.append([f"{expr.format(p=p)} AS cx_{p}_{name}" for p in ("pd", "pt")])
    jan1 = days_from_civil("cx_pt_y", "1", "1")
    week = _fl(f"(cx_pt_d - {jan1}) / 7") + " + 1"
    levels.append([
        f"CAST(cx_pt_y AS STRING) || '-W' || lpad(CAST({week} AS STRING), 2, '0') AS cx_per_week",
        "CAST(cx_pd_y AS STRING) || '-' || lpad(CAST(cx_pd_m AS STRING), 2, '0') AS cx_per_month",
        f"CAST(cx_pd_y AS STRING) || '-Q' || CAST({_fl('(cx_pd_m - 1) / 3')} + 1 AS STRING) AS cx_per_quarter"])
    return levels
