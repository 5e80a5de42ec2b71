"""Ingest of the ``fielding`` block: contact and response times, survey channel, wave.

Adds to the survey table (see :class:`cxstats.spec.model.Fielding`):

* ``contact_time``, ``response_time``: UTC times (:mod:`cxstats.io.timestamps`); a cell that
  cannot be read is refused (file, column, row, value), never guessed;
* ``lag_hours``: response minus contact, in hours;
* ``time_flag``: ``response_before_contact`` or ``future`` for impossible times, which are kept
  out of the lag (NaN) and reported in the ingest notes with their rows; None otherwise;
* ``survey_mode``: the channel's value mapped to CAWI / IVR / CATI / APP / other
  (``fielding.channels``; unmapped values refused), or the value itself without a mapping;
* ``wave``: the wave column's value as text, or the period of the response time
  (``wave_period``);
* ``contact_touchpoint``: the touchpoint the answer refers to (``fielding.touchpoint``): the
  cell mapped to a journey touchpoint id (``fielding.touchpoints``, or the touchpoints' own ids
  and names; unknown values refused), or the value itself in a plain file without a spec.

An export without the contact-time column still loads: its lags are missing and a note says
that immediacy cannot be computed for it.
"""

from __future__ import annotations

FLAG_BEFORE = "response_before_contact"
FLAG_FUTURE = "future"
FUTURE_SLACK_HOURS = 24.0  # clocks and zones: a time up to a day ahead is not called "future"


def read_fielding_columns(fielding, table, problems, notes=None, now=None) -> dict:
    import numpy as np
    import pandas as pd

    from cxstats.io.timestamps import lag_hours, parse_time_column, period_label
    from cxstats.io.values import is_blank, normalise_label

    frame, n = table.frame, len(table.frame)
    excel = table.kind.endswith("xlsx")
    name = table.path.name

    def times(col):
        values, bad = parse_time_column(frame[col].tolist(), date_order=fielding.date_order,
                                        timezone=fielding.timezone, excel=excel)
        for i, cell, reason in bad:
            problems.add(col, table.file_row(i), cell, reason)
        return values

    table.require_columns([fielding.response_time])
    response = times(fielding.response_time)
    if fielding.contact_time and fielding.contact_time in frame.columns:
        contact = times(fielding.contact_time)
    else:
        contact = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        if notes is not None and fielding.contact_time:
            notes.append(f"{name}: no contact-time column '{fielding.contact_time}': the time from "
                         "contact to answer (immediacy) cannot be computed for this file")
    lag = lag_hours(contact, response)
    flag = np.full(n, None, dtype=object)
    now = pd.Timestamp.now(tz="UTC").tz_localize(None) if now is None else pd.Timestamp(now)
    limit = (now + pd.Timedelta(hours=FUTURE_SLACK_HOURS)).to_datetime64()
    future = (~np.isnat(response) & (response > limit)) | (~np.isnat(contact) & (contact > limit))
    before = np.nan_to_num(lag, nan=0.0) < 0
    flag[before] = FLAG_BEFORE
    flag[future] = FLAG_FUTURE
    lag[before | future] = np.nan
    if notes is not None:
        for mask, what in ((before, "the response is dated before the contact"),
                           (future, "a time lies in the future")):
            rows = np.flatnonzero(mask)
            if len(rows):
                shown = ", ".join(f"row {table.file_row(i)}" for i in rows[:5])
                notes.append(f"{name}: {len(rows)} answer(s) where {what} ({shown}"
                             f"{' ...' if len(rows) > 5 else ''}); their lag is left out of immediacy")
    out = {"contact_time": contact, "response_time": response, "lag_hours": lag, "time_flag": flag}

    if fielding.channel:
        table.require_columns([fielding.channel])
        modes = []
        for i, v in enumerate(frame[fielding.channel].tolist()):
            if is_blank(v):
                modes.append(None)
            elif fielding.channels:
                mode = fielding.channels.get(normalise_label(v))
                if mode is None:
                    problems.add(fielding.channel, table.file_row(i), str(v),
                                 f"unknown survey channel (mapped in fielding.channels: "
                                 f"{', '.join(fielding.channels)})")
                modes.append(mode)
            else:
                modes.append(str(v).strip())
        out["survey_mode"] = modes
    else:
        out["survey_mode"] = [None] * n

    if fielding.touchpoint:
        table.require_columns([fielding.touchpoint])
        tps = []
        for i, v in enumerate(frame[fielding.touchpoint].tolist()):
            if is_blank(v):
                tps.append(None)
            elif fielding.touchpoints:
                tp = fielding.touchpoints.get(normalise_label(v))
                if tp is None:
                    known = sorted(set(fielding.touchpoints.values()))
                    problems.add(fielding.touchpoint, table.file_row(i), str(v),
                                 f"not a touchpoint of the journeys ({', '.join(known)}); map export values "
                                 "to touchpoint ids in fielding.touchpoints")
                tps.append(tp)
            else:
                tps.append(str(v).strip())
        out["contact_touchpoint"] = tps
    else:
        out["contact_touchpoint"] = [None] * n

    if fielding.wave:
        table.require_columns([fielding.wave])
        out["wave"] = [None if is_blank(v) else (str(int(v)) if isinstance(v, float) and v.is_integer()
                                                 else str(v).strip()) for v in frame[fielding.wave].tolist()]
        if fielding.waves:
            for i, w in enumerate(out["wave"]):
                if w is not None and w not in fielding.waves:
                    problems.add(fielding.wave, table.file_row(i), w,
                                 f"not one of the waves listed in fielding.waves ({', '.join(fielding.waves)})")
    elif fielding.wave_period:
        out["wave"] = period_label(response, fielding.wave_period)
    else:
        out["wave"] = [None] * n
    return out

