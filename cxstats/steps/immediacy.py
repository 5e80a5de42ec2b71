"""Analysis ``immediacy``: how soon after the contact customers answered (the programme's
48-hour rule), per survey channel, touchpoint, wave and segment, with the late answers listed,
and whether the lag (in bands) or the channel (mode effects) moves the answers.

With a spec: its ``fielding`` block names the contact and response times, the channel and the
wave (without a fielding block the analysis does not apply: :class:`NotApplicable`);
``max_lag_hours`` defaults to ``fielding.max_lag_hours`` (48); ``outcomes`` to the spec's NPS and
CSAT outcomes and every construct score. Without a spec (one plain file): ``contact_time`` and
``response_time`` name the columns, with ``channel``, ``touchpoint``, ``wave``, ``date_order``
and ``timezone`` as in a spec's fielding block.

Options (plan keys = command-line options): ``max_lag_hours``, ``by`` (a segment column),
``outcomes`` (columns regressed on lag band and channel), and for plain files ``contact_time``,
``response_time``, ``channel``, ``touchpoint``, ``wave``, ``date_order``, ``timezone``, ``id_column``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "immediacy"
WORKBOOK = "tracking"


@dataclass
class Options(StepOptions):
    max_lag_hours: float | None = None    # the immediacy window (spec: fielding.max_lag_hours, 48)
    by: str | None = None                 # a segment column: immediacy per value
    outcomes: list[str] | None = None     # columns regressed on lag band and channel (spec: NPS, CSAT, constructs)
    contact_time: str | None = None       # plain file: the contact (touchpoint event) time column
    response_time: str | None = None      # plain file: the response time column
    channel: str | None = None            # plain file: the survey channel column
    touchpoint: str | None = None         # plain file: the column naming the touchpoint of each answer
    wave: str | None = None               # plain file: the wave column
    date_order: Literal["dmy", "mdy", "ymd"] | None = None  # plain file: order of 05/03/2026
    timezone: str = "UTC"                 # plain file: zone of times written without one
    id_column: str | None = None          # plain file: respondent id column (default: file row)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the summaries are computed
    spark_master: str | None = None       # engine spark: the cluster (default: the active session or local)

    def validate(self):
        if self.max_lag_hours is not None and not self.max_lag_hours > 0:
            raise InputError(f"must be a positive number of hours, not {self.max_lag_hours!r}",
                             option="max_lag_hours")


def fielding_frame(ctx: StepContext, options) -> tuple:
    """(frame with the fielding columns and the survey's other columns, Fielding, outcomes, notes)."""
    if ctx.has_spec:
        spec = ctx.spec
        if spec.fielding is None:
            raise NotApplicable("the spec has no fielding block (contact and response time columns): "
                                "add one to measure immediacy and track waves")
        for key in ("contact_time", "response_time", "channel", "touchpoint", "wave", "date_order", "id_column"):
            if getattr(options, key, None) is not None:
                raise InputError("with a spec, the fielding block names the columns and formats",
                                 option=key)
        frame = ctx.survey.data
        frame = frame[frame["respondent_type"] == "customer"].reset_index(drop=True)
        outcomes = [o.id for o in spec.outcomes if o.type in ("nps", "csat")]
        return frame, spec.fielding, outcomes, []
    from cxstats.io.fielding_file import read_fielding_file
    from cxstats.io.tables import load_numeric
    from cxstats.spec.model import Fielding

    if not options.response_time:
        raise InputError("name the response-time column (or give a study spec with a fielding block)",
                         option="response_time")
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(options.timezone)
    except Exception:
        raise InputError(f"{options.timezone!r} is not a time-zone name (e.g. Europe/Madrid, UTC)",
                         option="timezone") from None
    fielding = Fielding(response_time=options.response_time, contact_time=options.contact_time,
                        channel=options.channel, touchpoint=getattr(options, "touchpoint", None),
                        wave=options.wave, date_order=options.date_order,
                        timezone=options.timezone)
    path = ctx.one_file()
    if options.contact_time is None:
        raise InputError("name the contact-time column: immediacy is the time from contact to answer",
                         option="contact_time")
    frame, table, notes = read_fielding_file(path, fielding, options.id_column)
    table.require_columns([options.contact_time])
    extra = [c for c in (getattr(options, "outcomes", None) or []) if c]
    if extra:
        table.require_columns(extra)
        numeric = load_numeric(path, extra, table=table)
        for c in extra:
            frame[c] = numeric[c].to_numpy()
    by = getattr(options, "by", None)
    if by:
        from cxstats.io.tables import load_column_text

        table.require_columns([by])
        frame[by] = load_column_text(path, by, table=table)
    return frame, fielding, extra, notes


LATE_LISTED = 10_000   # engines: the late answers listed (the latest first)


def run(ctx: StepContext, options: Options):
    from cxstats.stats.immediacy import analyze_immediacy
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options)
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine)
    frame, fielding, outcomes, notes = fielding_frame(ctx, options)
    if ctx.has_spec:  # construct scores are outcomes too: does the lag or the channel move them?
        import pandas as pd

        scores = ctx.survey.construct_scores()
        scores = scores.loc[ctx.survey.data["respondent_type"] == "customer"].reset_index(drop=True)
        ids = [c.id for c in ctx.spec.constructs() if c.id not in frame.columns]
        frame = pd.concat([frame, scores[ids]], axis=1)
        outcomes = outcomes + ids
    if options.outcomes is not None:
        outcomes = list(options.outcomes)
    for col in [options.by, *outcomes]:
        if col and col not in frame.columns:
            raise InputError(f"{col!r} is not a column of the survey table",
                             option="by" if col == options.by else "outcomes")
    if fielding.contact_time is None:
        raise NotApplicable("the fielding block names no contact-time column: immediacy (time from "
                            "contact to answer) cannot be computed", option="contact_time")
    window = options.max_lag_hours if options.max_lag_hours is not None else fielding.max_lag_hours
    result = analyze_immediacy(frame, max_lag_hours=window, segment=options.by, outcomes=outcomes)
    result.warnings[:0] = notes
    return result


def _run_on_engine(ctx, options, engine):
    """The same analysis on a SQL engine: lag summaries per channel, touchpoint, wave, segment
    and channel x wave in one pass (GROUPING SETS; exact median and P90), the lag-band and mode
    regressions (HC3, Wald) from n, mean, M2 per (lag band, channel) cell in one pass, and the
    late answers from a bounded query (the latest LATE_LISTED, ordered by lag then respondent id)."""
    from cxstats.stats.from_moments import analyze_immediacy_summaries
    from cxstats.stats.immediacy import lag_bands

    spec = ctx.spec
    if spec.fielding is None:
        raise NotApplicable("the spec has no fielding block (contact and response time columns): "
                            "add one to measure immediacy and track waves")
    for key in ("contact_time", "response_time", "channel", "touchpoint", "wave", "date_order", "id_column"):
        if getattr(options, key, None) is not None:
            raise InputError("with a spec, the fielding block names the columns and formats", option=key)
    fielding = spec.fielding
    es = ctx.engine_survey(engine, options.spark_master)
    q = es.b.quote
    constructs = {c.id: c for c in spec.constructs()}
    view_cols = ["respondent_id", "respondent_type", *spec.scored_columns(), *(g.id for g in spec.segments),
                 "survey_mode", "contact_touchpoint", "wave", "time_flag", "lag_hours"]
    outcomes = [o.id for o in spec.outcomes if o.type in ("nps", "csat")]
    outcomes += [c for c in constructs if c not in view_cols]
    if options.outcomes is not None:
        outcomes = list(options.outcomes)
    for col in [options.by, *outcomes]:
        if col and col not in view_cols and col not in constructs:
            raise InputError(f"{col!r} is not a column of the survey table",
                             option="by" if col == options.by else "outcomes")
    if fielding.contact_time is None:
        raise NotApplicable("the fielding block names no contact-time column: immediacy (time from "
                            "contact to answer) cannot be computed", option="contact_time")
    window = options.max_lag_hours if options.max_lag_hours is not None else fielding.max_lag_hours
    if not window > 0:
        raise InputError(f"must be a positive number of hours, not {window!r}", option="max_lag_hours")
    w = es.double(window)
    cust = "respondent_type = 'customer'"
    cells = ["survey_mode", "contact_touchpoint", "wave"] + ([options.by] if options.by else [])
    names = {"survey_mode": "channel", "contact_touchpoint": "touchpoint", "wave": "wave", options.by: "segment"}
    sets = [(), ("survey_mode",), ("contact_touchpoint",), ("wave",), ("survey_mode", "wave")]
    if options.by:
        sets.insert(4, (options.by,))
    aggs = ["count(lag_hours)", f"sum(CASE WHEN lag_hours <= {w} THEN 1 ELSE 0 END)",
            es.quantile_sql("lag_hours", 0.5), es.quantile_sql("lag_hours", 0.9),
            "count(*) - count(lag_hours)", "sum(CASE WHEN time_flag = 'future' THEN 1 ELSE 0 END)",
            "sum(CASE WHEN time_flag = 'response_before_contact' THEN 1 ELSE 0 END)"]
    got = es.grouped(aggs, cells, sets, cust)
    summaries = {tuple(names[c] for c in st): {k: v[:4] for k, v in vals.items()} for st, vals in got.items()}
    top = got.get((), {}).get((), [0] * len(aggs))
    flagged = {f: int(n or 0) for f, n in (("future", top[5]), ("response_before_contact", top[6])) if n}
    has_channel = any(k[0] is not None for k in got.get(("survey_mode",), {}))
    late_total = int(top[0] or 0) - int(top[1] or 0)
    late = []
    if late_total:
        # the lag condition in the ordering, not a WHERE: Spark would push a filter on the lag down
        # through the view's nested levels, inlining (and multiplying) their expressions
        rows = es.b.query(f"SELECT respondent_id, contact_touchpoint, wave, survey_mode, cx_late FROM (SELECT *, "
                          f"CASE WHEN lag_hours > {w} THEN lag_hours END AS cx_late FROM ({es.view()}) cx_v "
                          f"WHERE {cust}) cx_l ORDER BY cx_late DESC NULLS LAST, respondent_id LIMIT {LATE_LISTED}")
        es.passes += 1
        late = [{"respondent_id": None if r[0] is None else str(r[0]), "touchpoint": r[1], "wave": r[2],
                 "channel": r[3], "lag_hours": float(r[4])} for r in rows if r[4] is not None]
    bands = [b["band"] for b in lag_bands(window)]
    band = (f"CASE WHEN lag_hours IS NULL THEN NULL "
            f"WHEN lag_hours < {es.double(window / 2)} THEN {_sql_text(bands[0])} "
            f"WHEN lag_hours <= {w} THEN {_sql_text(bands[1])} WHEN lag_hours <= {es.double(2 * window)} "
            f"THEN {_sql_text(bands[2])} ELSE {_sql_text(bands[3])} END")
    exprs = {o: es.score_expr(constructs[o].item_ids) if o in constructs and o not in view_cols
             else f"CAST({q(o)} AS DOUBLE)" for o in outcomes}
    moments = es.cell_moments(exprs, ["cx_band", "survey_mode"], cust, cell_exprs={"cx_band": band}) if exprs else {}
    outcome_cells = {o: {k: (m.n, float(m.mean[0]) if m.n else 0.0, float(m.m2[0, 0]) if m.n else 0.0)
                         for k, m in moments[o].items()} for o in outcomes}
    note = (f"{late_total} late answers; the {len(late)} latest are listed (engine {engine}: ordered by lag, then "
            "respondent id); use --engine pandas for the full list")
    result = analyze_immediacy_summaries(max_lag_hours=window, segment=options.by, no_lag=int(top[4] or 0),
                                         flagged=flagged, summaries=summaries, late=late, late_total=late_total,
                                         outcome_cells=outcome_cells, has_channel=has_channel, late_note=note)
    if late and not spec.respondents.id_column:
        result.warnings.append(f"the spec names no respondent id column (respondents.id_column): engine {engine} "
                               "lists the late answers without ids (--engine pandas numbers them by row)")
    result.warnings[:0] = es.fielding_notes()   # what ingest notes on the times (pandas: run_step)
    return result


def _sql_text(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"
