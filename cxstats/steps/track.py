"""Analysis ``track``: every KPI per wave with its 95% CI, the changes between waves with a
test suited to the statistic, adjusted across the dashboard (Holm and BH), and trends.

With a spec (its ``fielding`` block gives the wave column or rule; without one the analysis
does not apply): the KPIs are the NPS outcome, the CSAT outcome's top-2-box share, the CES
mean, every touchpoint score (mean of its constructs' scores) and every construct score (mean
of its items), customers only; and the gaps as KPIs of their own: each construct's gap to its
aspiration (``<construct>.vs_aspiration``) and, when frontline staff answered in the waves, the
customer-staff perception gap (``<construct>.vs_staff``). ``period`` (week, month, quarter) replaces the waves by periods
of the response time (a continuous transactional stream). ``within_window`` keeps only answers
given within ``max_lag_hours`` of the contact, and says how many were left out. Without a spec
(one plain file): ``wave`` names the wave column, ``nps`` the 0-10 column, ``means`` columns
tracked as means and ``top2`` columns tracked as top-2-box shares (``{column: scale max}``).

Options (plan keys = command-line options): ``by`` (segment), ``min_n`` (30), ``baseline``
(default: the first wave), ``alpha`` (0.05), ``kpis`` (keep only these KPI ids), ``period``,
``within_window``, ``max_lag_hours``; plain file: ``wave``, ``nps``, ``means``, ``top2``,
``date_order``, ``timezone``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "track"
WORKBOOK = "tracking"


@dataclass
class Options(StepOptions):
    by: str | None = None                 # a segment column: KPIs per wave and segment value
    min_n: int = 30                       # cells with fewer answers suppressed, their changes untested
    baseline: str | None = None           # the wave every later wave is also compared with
    alpha: float = 0.05                   # significance level of the Holm-adjusted p
    kpis: list[str] | None = None         # keep only these KPIs (ids: outcome, touchpoint, construct)
    period: Literal["week", "month", "quarter"] | None = None  # periods of the response time as waves
    within_window: bool = False           # only answers given within max_lag_hours of the contact
    max_lag_hours: float | None = None    # the window (spec: fielding.max_lag_hours, 48)
    wave: str | None = None               # plain file: the wave column
    nps: str | None = None                # plain file: the 0-10 recommend column
    means: list[str] | None = None        # plain file: columns tracked as means
    top2: dict[str, float] | None = None  # plain file: column -> scale max, tracked as top-2-box share
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the counts and moments are computed
    spark_master: str | None = None       # engine spark: the cluster (default: the active session or local)

    def validate(self):
        if self.min_n < 2:
            raise InputError(f"must be at least 2, not {self.min_n}", option="min_n")
        if not 0 < self.alpha < 1:
            raise InputError(f"must lie between 0 and 1, not {self.alpha}", option="alpha")
        if self.max_lag_hours is not None and not self.max_lag_hours > 0:
            raise InputError(f"must be a positive number of hours, not {self.max_lag_hours}",
                             option="max_lag_hours")
        for name, top in (self.top2 or {}).items():
            if isinstance(top, bool) or not isinstance(top, (int, float)):
                raise InputError(f"the scale maximum of {name!r} must be a number, not {top!r}", option="top2")


def _spec_kpis(ctx, frame):
    """KPIs of a spec and the frame with touchpoint and construct score columns; staff answers
    given in the waves are appended (rows marked in the returned ``staff`` mask) for the
    customer-staff gaps."""
    import numpy as np
    import pandas as pd

    spec = ctx.spec
    data = ctx.survey.data
    all_scores = ctx.survey.construct_scores()
    scores = all_scores.loc[data["respondent_type"] == "customer"].reset_index(drop=True)
    staff_rows = (data["respondent_type"] == "staff") & data["wave"].notna()
    kpis = _kpi_list(spec, bool(staff_rows.any()))
    cols = {}
    for t in spec.touchpoints():
        ids = [c.id for c in t.constructs]
        cols[f"__tp_{t.id}"] = scores[ids].mean(axis=1, skipna=False)
    for c in spec.constructs():
        cols[f"__c_{c.id}"] = scores[c.id]
    frame = pd.concat([frame, pd.DataFrame(cols)], axis=1)
    staff = np.zeros(len(frame), dtype=bool)
    if staff_rows.any():
        st = data.loc[staff_rows].reset_index(drop=True)
        st_scores = all_scores.loc[staff_rows].reset_index(drop=True)
        extra = pd.DataFrame({"wave": st["wave"], **{f"__c_{c.id}": st_scores[c.id] for c in spec.constructs()}})
        for col in frame.columns:
            if col not in extra.columns and col in st.columns:
                extra[col] = st[col].to_numpy()
        frame = pd.concat([frame, extra], ignore_index=True)
        staff = np.r_[staff, np.ones(len(extra), dtype=bool)]
    return frame, kpis, staff


def _kpi_list(spec, staff: bool) -> list:
    """The KPIs of a spec (columns: outcome ids, ``__tp_<touchpoint>``, ``__c_<construct>``);
    ``staff``: frontline staff answered in the waves (customer-staff gaps)."""
    from cxstats.stats.track import Kpi

    kpis = []
    o = spec.outcome_of_type("nps")
    if o is not None:
        kpis.append(Kpi(o.id, o.id, "nps", "outcome"))
    o = spec.outcome_of_type("csat")
    if o is not None:
        kpis.append(Kpi(o.id, o.id, "top2", "outcome", threshold=o.scale.max - 1))
    o = spec.outcome_of_type("ces")
    if o is not None:
        kpis.append(Kpi(o.id, o.id, "mean", "outcome"))
    for t in spec.touchpoints():
        kpis.append(Kpi(t.id, f"__tp_{t.id}", "mean", "touchpoint", touchpoint=t.id))
    for c in spec.constructs():
        kpis.append(Kpi(c.id, f"__c_{c.id}", "mean", "construct", aspiration=c.aspiration, touchpoint=c.touchpoint))
    # the gaps, each a KPI of its own: to the client's aspiration, and customers vs staff
    for c in spec.constructs():
        if c.aspiration is not None:
            kpis.append(Kpi(f"{c.id}.vs_aspiration", f"__c_{c.id}", "gap_aspiration", "gap",
                            aspiration=c.aspiration, touchpoint=c.touchpoint, of=c.id))
    if staff:
        for c in spec.constructs():
            kpis.append(Kpi(f"{c.id}.vs_staff", f"__c_{c.id}", "gap_staff", "gap", touchpoint=c.touchpoint, of=c.id))
    return kpis


def _plain_kpis(options, frame, path, table):
    from cxstats.io.tables import load_numeric
    from cxstats.stats.track import Kpi

    kpis, numeric = [], []
    if options.nps:
        kpis.append(Kpi(options.nps, options.nps, "nps", "outcome"))
        numeric.append(options.nps)
    for col, top in (options.top2 or {}).items():
        kpis.append(Kpi(col, col, "top2", "outcome", threshold=float(top) - 1))
        numeric.append(col)
    for col in options.means or []:
        kpis.append(Kpi(col, col, "mean", "score"))
        numeric.append(col)
    if not kpis:
        raise InputError("name what to track: --nps COL, --means C1,C2 or --top2 COL=MAX (or give a study "
                         "spec)", option="means")
    table.require_columns(numeric)
    values = load_numeric(path, numeric, table=table)
    for col in numeric:
        frame[col] = values[col].to_numpy()
    return frame, kpis


def run(ctx: StepContext, options: Options):
    import numpy as np

    from cxstats.io.timestamps import period_label
    from cxstats.stats.track import analyze_track
    from cxstats.steps.immediacy import fielding_frame

    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options)
    if ctx.has_spec:
        for key in ("wave", "nps", "means", "top2"):
            if getattr(options, key) is not None:
                raise InputError("with a spec, the KPIs and the wave come from the spec", option=key)
        if engine != "pandas":
            return _run_on_engine(ctx, options, engine)
        frame, fielding, _, notes = fielding_frame(ctx, options)
        frame, kpis, staff = _spec_kpis(ctx, frame)
        waves = list(fielding.waves)
        if fielding.wave is None and fielding.wave_period is None and options.period is None:
            raise NotApplicable("the spec's fielding block names no wave column (fielding.wave) or rule "
                                "(fielding.wave_period): give period: week|month|quarter", option="period")
    else:
        from cxstats.io.readers import read_table
        from cxstats.spec.model import Fielding

        if not options.wave and not options.period:
            raise InputError("name the wave column (or give a study spec with a fielding block)", option="wave")
        path = ctx.one_file()
        table = read_table(path)
        table.require_columns([options.wave] if options.wave else [])
        if options.period or options.within_window:
            raise InputError("periods and the immediacy window need the times: give a study spec with a "
                             "fielding block", option="period" if options.period else "within_window")
        from cxstats.io.tables import load_column_text

        import pandas as pd

        frame = pd.DataFrame({"wave": load_column_text(path, options.wave, table=table)})
        frame, kpis = _plain_kpis(options, frame, path, table)
        staff = np.zeros(len(frame), dtype=bool)
        fielding, waves, notes = Fielding(), [], []
        if options.by:
            table.require_columns([options.by])
            frame[options.by] = load_column_text(path, options.by, table=table)
    if options.by and options.by not in frame.columns:
        raise InputError(f"{options.by!r} is not a column of the survey table", option="by")
    if options.kpis:
        known = {k.id for k in kpis}
        for k in options.kpis:
            if k not in known:
                raise InputError(f"{k!r} is not a KPI of this study ({', '.join(sorted(known))})", option="kpis")
        kpis = [k for k in kpis if k.id in set(options.kpis)]
    wave_col = "wave"
    if options.period:
        frame = frame.copy()
        frame["__period"] = period_label(frame["response_time"].to_numpy(), options.period)
        wave_col, waves = "__period", []
    sample = {"answers": int((~staff).sum()), "within_window": bool(options.within_window)}
    if staff.any():
        sample["staff_answers"] = int(staff.sum())
    if options.within_window:  # customers' answers only: staff answer no contact
        window = options.max_lag_hours if options.max_lag_hours is not None else fielding.max_lag_hours
        lag = frame["lag_hours"].to_numpy(dtype=float)
        late = int(np.sum((lag > window) & ~staff))
        unknown = int(np.sum(~np.isfinite(lag) & ~staff))
        keep = staff | (np.isfinite(lag) & (lag <= window))
        frame, staff = frame[keep].reset_index(drop=True), staff[keep]
        sample.update(max_lag_hours=float(window), excluded_late=late, excluded_unknown_lag=unknown,
                      used=int((~staff).sum()))
        notes = list(notes) + [f"only answers within {window:g} h of the contact: {late} late answer(s) and "
                               f"{unknown} without a known lag left out ({int((~staff).sum())} used)"]
    elif options.max_lag_hours is not None:
        raise InputError("the window applies with within_window: true", option="max_lag_hours")
    result = analyze_track(frame, kpis, wave=wave_col, waves=waves, by=options.by, baseline=options.baseline,
                           min_n=options.min_n, alpha=options.alpha, control_limits=options.period is not None,
                           staff=staff)
    return _finish(ctx, result, sample, notes)


def _finish(ctx, result, sample, notes):
    """The sample, weights, invariance marks and notes of a result (both engines)."""
    result.sample = sample
    if ctx.has_spec:
        _mark_invariance(ctx, result)
    weight = ctx.spec.weight if ctx.has_spec else None
    result.weights = ("unweighted: the spec names a weight column, but wave estimates here are unweighted "
                      "(the NPS adjusted-Wald and Welch tests are for simple random samples)" if weight else
                      "unweighted (the spec names no weight column)" if ctx.has_spec else
                      "unweighted (no spec, no weights)")
    if weight:
        result.warnings.append(f"the spec's weights ('{weight}') are not applied by track: its cells and tests "
                               "are unweighted")
    result.warnings[:0] = notes
    return result


def _run_on_engine(ctx, options, engine):
    """The same analysis from counts per answer (NPS, top-2-box) and n, mean, M2 (scores, CES)
    per wave x segment x respondent type, on a SQL engine: one pass for the sample counts, one
    for the counts, one for the moments; trends (HC3) and control limits from the per-wave
    summaries (:func:`cxstats.stats.track.track_core`)."""
    from cxstats.stats.track import Sample, track_core

    spec = ctx.spec
    fielding = spec.fielding
    if fielding is None:
        raise NotApplicable("the spec has no fielding block (contact and response time columns): "
                            "add one to measure immediacy and track waves")
    if fielding.wave is None and fielding.wave_period is None and options.period is None:
        raise NotApplicable("the spec's fielding block names no wave column (fielding.wave) or rule "
                            "(fielding.wave_period): give period: week|month|quarter", option="period")
    es = ctx.engine_survey(engine, options.spark_master)
    q = es.b.quote
    view_cols = ["respondent_type", *spec.scored_columns(), *(g.id for g in spec.segments), "survey_mode",
                 "contact_touchpoint", "wave", "time_flag", "lag_hours"]
    if options.by and options.by not in view_cols:
        raise InputError(f"{options.by!r} is not a column of the survey table", option="by")
    window = options.max_lag_hours if options.max_lag_hours is not None else fielding.max_lag_hours
    if options.max_lag_hours is not None and not options.within_window:
        raise InputError("the window applies with within_window: true", option="max_lag_hours")
    cust, staff_in = "respondent_type = 'customer'", "respondent_type = 'staff' AND wave IS NOT NULL"
    lag = "lag_hours"
    row = es.b.query(f"SELECT sum(CASE WHEN {cust} THEN 1 ELSE 0 END), sum(CASE WHEN {staff_in} THEN 1 ELSE 0 END), "
                     f"sum(CASE WHEN {cust} AND {lag} > {es.double(window)} THEN 1 ELSE 0 END), "
                     f"sum(CASE WHEN {cust} AND {lag} IS NULL THEN 1 ELSE 0 END) FROM ({es.view()}) cx_v")[0]
    es.passes += 1
    n_cust, n_staff, late, unknown = (int(v or 0) for v in row)
    kpis = _kpi_list(spec, n_staff > 0)
    if options.kpis:
        known = {k.id for k in kpis}
        for k in options.kpis:
            if k not in known:
                raise InputError(f"{k!r} is not a KPI of this study ({', '.join(sorted(known))})", option="kpis")
        kpis = [k for k in kpis if k.id in set(options.kpis)]
    sample = {"answers": n_cust, "within_window": bool(options.within_window)}
    if n_staff:
        sample["staff_answers"] = n_staff
    notes = es.fielding_notes()   # what ingest notes on the times (pandas: run_step)
    keep = cust
    if options.within_window:
        keep = f"{cust} AND {lag} IS NOT NULL AND {lag} <= {es.double(window)}"
        used = n_cust - late - unknown
        sample.update(max_lag_hours=float(window), excluded_late=late, excluded_unknown_lag=unknown, used=used)
        notes.append(f"only answers within {window:g} h of the contact: {late} late answer(s) and "
                     f"{unknown} without a known lag left out ({used} used)")
    wave = f"response_{options.period}" if options.period else "wave"
    constructs = {c.id: c for c in spec.constructs()}
    exprs = {}
    for k in kpis:
        if k.column.startswith("__c_"):
            exprs[k.column] = es.score_expr(constructs[k.column[4:]].item_ids)
        elif k.column.startswith("__tp_"):
            tp = next(t for t in spec.touchpoints() if t.id == k.column[5:])
            parts = [f"({es.score_expr(c.item_ids)})" for c in tp.constructs]
            exprs[k.column] = f"({' + '.join(parts)}) / {float(len(parts))!r}"   # NULL unless every score
        else:
            exprs[k.column] = f"CAST({q(k.column)} AS DOUBLE)"
    counted = {k.column for k in kpis if k.kind in ("nps", "top2")}
    measured = {k.column for k in kpis if k.kind not in ("nps", "top2")}
    cells = [wave, options.by]
    # the window as a condition inside the aggregates, not a WHERE: Spark would push a filter on
    # the lag down through the view's nested levels, inlining (and multiplying) their expressions
    kept = "__kept"
    counts = es.cell_counts_many({kept: f"CASE WHEN {keep} THEN 1 END",
                                  **{c: f"CASE WHEN {keep} THEN {exprs[c]} END" for c in counted}}, cells, cust)
    staff_keep = f"({keep}) OR ({staff_in})"
    moments = es.cell_moments({kept: f"CASE WHEN {staff_keep} THEN 1.0 END",
                               **{c: f"CASE WHEN {staff_keep} THEN {exprs[c]} END" for c in measured}},
                              [wave, options.by, "respondent_type"], f"{cust} OR {staff_in}" if n_staff else cust)
    rows_kept = counts.pop(kept)
    moments_kept = moments.pop(kept)
    # Samples per (column, wave, segment or None, staff); cells of rows without a wave only name segments
    by_cell: dict = {}
    for col, cc in counts.items():
        for (w, seg), c in cc.items():
            by_cell[(col, w, seg, False)] = Sample.of_counts(c.counts)
    for col, mm in moments.items():
        for (w, seg, rtype), m in mm.items():
            if m.n:
                by_cell[(col, w, seg, rtype == "staff")] = Sample(m.n, float(m.mean[0]), float(m.m2[0, 0]))
    present = sorted({w for (w, _), c in rows_kept.items() if w is not None and c.n})
    segments = sorted({sg for (_, sg), c in rows_kept.items() if sg is not None and c.n}
                      | {sg for (_, sg, _), m in moments_kept.items() if sg is not None and m.n}) if options.by else []

    def sample_of(k, seg_name, w, staff_side):
        out = Sample(0)
        for (col, w2, seg, st), v in by_cell.items():
            if col == k.column and w2 == w and st == staff_side and (seg_name == "all" or seg == seg_name):
                out = out.merge(v)
        return out

    def trend(k, seg_name, index):
        from cxstats.stats.track import trend_from_samples

        return trend_from_samples({index[w]: sample_of(k, seg_name, w, False).recoded(k) for w in index})

    def control(chart_kpis, order):
        from cxstats.stats.track import control_rows

        rows = []
        for k in chart_kpis:
            ys = {w: sample_of(k, "all", w, False).recoded(k) for w in order}
            rows += control_rows(k, {w: (v.n, v.mean, v.m2) for w, v in ys.items() if v.n >= options.min_n})
        return rows
    result = track_core(kpis, present, segments, sample_of, trend, control, has_staff=n_staff > 0,
                        waves=[] if options.period else list(fielding.waves), by=options.by,
                        baseline=options.baseline, min_n=options.min_n, alpha=options.alpha,
                        control_limits=options.period is not None)
    return _finish(ctx, result, sample, notes)


def _mark_invariance(ctx, result) -> None:
    """Constructs below scalar invariance across the waves (an earlier ``invariance`` step of the
    plan with ``group: wave``) are marked not comparable, with the touchpoints holding them."""
    from cxstats.stats.invariance import InvarianceResult

    waves = {str(w) for w in result.waves}
    earlier = ctx.latest(InvarianceResult,
                         where=lambda r: {str(g) for g in (getattr(r, "group_labels", None) or [])} == waves)
    if earlier is None:
        result.invariance = {"checked": False, "how": "add a step 'invariance' with group: wave before 'track' "
                                                      "to check longitudinal invariance"}
        return
    verdicts = dict(earlier.construct_verdicts)
    below = sorted(c for c, v in verdicts.items() if v not in ("scalar", "strict"))
    tps = sorted({c.touchpoint for c in ctx.spec.constructs() if c.id in below})
    result.invariance = {"checked": True, "verdicts": verdicts, "not_comparable": below + tps}
    gaps = {k["kpi"] for k in result.kpis if k["group"] == "gap" and k.get("of") in below}
    for k in result.kpis:
        if k["group"] in ("construct", "touchpoint", "gap"):
            k["comparable"] = k["kpi"] not in below and k["kpi"] not in tps and k["kpi"] not in gaps
    for c in result.changes:
        if c["kpi"] in below or c["kpi"] in tps or c["kpi"] in gaps:
            c["comparable"] = False
    if below:
        result.warnings.append(f"below scalar invariance across waves, so their means are not comparable between "
                               f"waves: {', '.join(below)} (and touchpoints {', '.join(tps)}); their changes are "
                               "marked comparable: false")
