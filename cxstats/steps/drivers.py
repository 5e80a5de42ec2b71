"""Analysis ``drivers``: key-driver analysis (exact relative importance) of an outcome.

With a spec (customers' answers only): ``outcome`` is an outcome id of the spec (default: the
csat outcome, else the first) or a construct id (scored as the mean of its items, e.g. a
multi-item satisfaction block); ``drivers`` are construct ids (scored as the mean of their
items) or item ids, default every construct other than the outcome (``drivers: constructs``
says the same). Each driver's answer scale and aspiration come from the spec unless
``scale_range`` / ``aspiration`` are given.

Without a spec (one plain file): ``outcome`` and ``drivers`` name numeric columns;
``scale_range`` (MIN, MAX) is the drivers' answer scale: a driver value outside it that is not a
declared missing code is refused (the outcome may be on another scale).

``bootstrap`` replicates give percentile and BCa intervals (default 200 here; the command
line's ``--bootstrap`` defaults to 0 = none). Sheets go to the client (``gaps``) workbook.

``weight``: a column of survey weights: weighted least squares (HC3 SEs) and every importance measure
(LMG, dominance, relative weights, Pratt) from the weighted correlation matrix; continuous outcomes;
no bootstrap (turned off, with a warning) and no penalty-reward with weights.

``engine`` (auto | pandas | duckdb | spark; with a spec): on a SQL engine the co-moments of the
customers' complete rows (construct scores computed in the query) give OLS (classical SEs), LMG /
dominance, relative weights, Pratt, VIF and the IPA (:func:`cxstats.stats.from_moments.
analyze_drivers_moments`); HC3 SEs from a second pass over the same rows (residuals and
leverages of the first pass's fit); penalty-reward (every regressor a 0/1 box dummy) from one
GROUP BY pass counting the complete rows by (mask of the dummies, outcome value): moments, OLS and
HC3 from the exact counts by the row path's own code (:func:`cxstats.stats.drivers.ipa.
penalty_reward_counts`), so the block is the pandas one bit for bit (an outcome that is not
whole-coded, or over 31 drivers: the dummies' co-moments and one more HC3 pass instead);
``weight``, binary outcomes and ``bootstrap_method: row`` are refused naming the option (``auto``:
pandas).

``bootstrap_method``: ``row`` resamples respondents (pandas only); ``poisson`` gives each
respondent a Poisson(1) count per replicate fixed by the seed, respondent type and id
(:mod:`cxstats.stats.poisson_bootstrap`): a SQL engine computes every replicate's co-moments of
the complete rows in ONE more pass (with the jackknife groups of the BCa intervals), and pandas,
DuckDB and Spark give the same intervals (LMG, relative weights, Pratt, standardized betas, ranks,
the IPA's 'determined'); continuous outcomes. ``auto`` (default): row on pandas, poisson on the
engines. Engines need a respondent id (``respondents: id_column``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "drivers"
WORKBOOK = "gaps"


@dataclass
class Options(StepOptions):
    outcome: str | None = None               # outcome column / spec outcome or construct id
    drivers: list[str] | None = None         # driver columns / construct or item ids (default: constructs)
    outcome_type: Literal["continuous", "binary"] | None = None
    binary_threshold: float | None = None    # binary outcome = answer >= T
    bootstrap: int = 200                     # replicates for the intervals (0 = none)
    bootstrap_method: Literal["auto", "row", "poisson"] = "auto"  # auto: row on pandas, poisson on engines
    ci_level: float = 0.95
    performance: Literal["mean", "top2", "gap"] = "mean"
    aspiration: float | None = None          # one aspiration for every driver (gap performance)
    scale_range: list[float] | None = None   # MIN, MAX of the answer scale
    ipa_cutoffs: list[float] | None = None   # IMP, PERF quadrant cut-offs
    low_boxes: int = 2
    high_boxes: int = 1
    ipa_png: str | None = None               # plan: file name of the IPA chart (PNG + SVG) in the output folder
    weight: str | None = None                # survey-weight column (WLS; weighted correlations)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the moments are computed
    spark_master: str | None = None          # engine spark: the cluster (default: the active session or local)

    def validate(self):
        if self.bootstrap < 0:
            raise InputError(f"the number of replicates cannot be negative ({self.bootstrap})",
                             option="bootstrap")
        if not 0.5 <= self.ci_level <= 0.999:
            raise InputError(f"give a confidence level between 0.5 and 0.999, not {self.ci_level:g}",
                             option="ci_level")
        for name in ("low_boxes", "high_boxes"):
            if getattr(self, name) < 1:
                raise InputError(f"give at least 1 box, not {getattr(self, name)}", option=name)
        for name, what in (("scale_range", "MIN,MAX (e.g. 1,5)"), ("ipa_cutoffs", "IMP,PERF")):
            value = getattr(self, name)
            if value is not None and len(value) != 2:
                raise InputError(f"expected two numbers {what}, not {value}", option=name)
        if self.ipa_png is not None and (not self.ipa_png.strip() or "/" in self.ipa_png or "\\" in self.ipa_png
                                         or self.ipa_png.startswith((".", "~"))):
            raise InputError(f"{self.ipa_png!r}: give a plain file name (e.g. ipa.png); the chart goes to "
                             "the output folder, with an SVG beside it", option="ipa_png")
        if self.scale_range is not None and self.scale_range[0] >= self.scale_range[1]:
            raise InputError(f"the minimum must be below the maximum ({self.scale_range})", option="scale_range")


def run(ctx: StepContext, options: Options):
    from cxstats.stats.drivers import analyze_drivers
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options, needs_rows=bool(_row_options(options)))
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine)
    weights = None
    poisson = bool(options.bootstrap) and options.bootstrap_method == "poisson"
    boot_keys = None
    if ctx.has_spec:
        frame, outcome, names, scale, aspiration, source = _from_spec(ctx, options)
        if poisson:
            from cxstats.stats.poisson_bootstrap import key_text

            full = ctx.survey.customers_with_scores()
            boot_keys = [key_text(_seed(ctx), t, i) for t, i in zip(full["respondent_type"].tolist(),
                                                                     full["respondent_id"].tolist())]
        if options.weight:
            from cxstats.steps._weights import from_survey

            full = ctx.survey.customers_with_scores()
            used = full[[outcome, *names]].notna().all(axis=1).to_numpy()
            weights = from_survey(ctx, full, options.weight, used=used)
    else:
        frame, outcome, names, scale, aspiration, source = _from_file(ctx, options)
        if poisson:        # no id: rows keyed by position
            from cxstats.stats.poisson_bootstrap import key_text

            boot_keys = [key_text(_seed(ctx), "row", i + 1) for i in range(len(frame))]
        if options.weight:
            from cxstats.io.readers import read_table
            from cxstats.steps._weights import from_table

            weights = from_table(read_table(source), options.weight,
                                 used=frame[[outcome, *names]].notna().all(axis=1).to_numpy())
    bootstrap = options.bootstrap
    if weights is not None and bootstrap:
        bootstrap = 0          # not available with weights: said in a warning below
    scale = tuple(options.scale_range) if options.scale_range is not None else scale
    if options.aspiration is not None:
        aspiration = options.aspiration
    cutoffs = tuple(options.ipa_cutoffs) if options.ipa_cutoffs is not None else None
    result = analyze_drivers(frame, outcome, names, outcome_type=options.outcome_type,
                             binary_threshold=options.binary_threshold, bootstrap=bootstrap,
                             seed=ctx.seed, ci_level=options.ci_level,
                             progress=ctx.progress("drivers bootstrap") if bootstrap else None,
                             performance=options.performance, aspiration=aspiration, scale=scale,
                             ipa_cutoffs=cutoffs, low_boxes=options.low_boxes, high_boxes=options.high_boxes,
                             source=source, weights=weights, weight_name=options.weight,
                             boot_keys=boot_keys if bootstrap else None)
    if bootstrap != options.bootstrap:
        result.warnings.append(f"the {options.bootstrap} bootstrap replicates asked for were not run: bootstrap "
                               "intervals with survey weights are not available")
    return result


def _row_options(options) -> list:
    """(option, why) of the options of this run that need the rows (a SQL engine computes the
    co-moments of the complete rows)."""
    out = []
    if options.bootstrap and options.bootstrap_method == "row":
        out.append(("bootstrap_method", "the row bootstrap resamples respondents"))
    if options.weight:
        out.append(("weight", "survey weights are applied row by row"))
    if options.outcome_type == "binary":
        out.append(("outcome_type", "a binary outcome is fitted by logistic regression on the rows"))
    if options.binary_threshold is not None:
        out.append(("binary_threshold", "a binary outcome is fitted by logistic regression on the rows"))
    return out


def _hc3_meat(esurvey, exprs, outcome, names, where, n_first):
    """The centred HC3 meat sum_i z_i z_i' e_i^2 / (1 - h_i)^2, z_i = (1, x_i - mean), over the
    complete rows, in a SECOND aggregation pass. Why two passes: e_i = y_i - x_i'b and the
    leverage h_i = x_i'(X'X)^-1 x_i need b and (X'X)^-1, which only the first pass's co-moments
    give; with them as SQL literals (every bit: ``sql_double``) the meat is a sum over rows of
    products, so HC3 is exact (the plan JSON's engine ``passes`` counts this pass too).
    Centred on the first pass's means: e_i = (y_i - ȳ) - (x_i - x̄)'b and
    h_i = 1/n + (x_i - x̄)' Sxx^-1 (x_i - x̄), so large offsets (values near 1e6) cancel in the
    subtraction of two nearby numbers once per row, not in sums of squares."""
    lit = esurvey.double

    def meat(center, b, inv, n):
        import numpy as np

        p = len(names)
        cols = {f"cx_{j}": f"({exprs[d]}) - {lit(center[j])}" for j, d in enumerate(names)}
        cols["cx_y"] = f"({exprs[outcome]}) - {lit(center[p])}"
        fitted = " + ".join(f"{lit(b[j])} * cx_{j}" for j in range(p))
        quad = " + ".join([f"{lit(inv[j, j])} * cx_{j} * cx_{j}" for j in range(p)]
                          + [f"{lit(2.0 * inv[j, k])} * cx_{j} * cx_{k}"
                             for j in range(p) for k in range(j + 1, p)])
        then = ({"cx_e": f"cx_y - ({fitted})", "cx_h": f"{lit(1.0 / n)} + {quad}"},
                {"cx_w": "cx_e * cx_e / ((1.0e0 - cx_h) * (1.0e0 - cx_h))"})
        z = ["1.0e0"] + [f"cx_{j}" for j in range(p)]
        pairs = [(i, j) for i in range(p + 1) for j in range(i, p + 1)]
        rows, sums = esurvey.row_sums(cols, [f"{z[i]} * {z[j]} * cx_w" for i, j in pairs], where, then=then)
        if rows != n_first or rows != n:
            raise RuntimeError(f"the HC3 pass saw {rows} complete rows, the first pass {n}")
        out = np.zeros((p + 1, p + 1))
        for (i, j), v in zip(pairs, sums):
            out[i, j] = out[j, i] = v
        return out
    return meat


def _run_on_engine(ctx, options, engine):
    """OLS, LMG / dominance, relative weights, Pratt, VIF and the IPA quadrants from the
    co-moments of the customers' complete rows, one aggregation pass on a SQL engine; HC3 SEs
    from a second pass (:func:`_hc3_meat`); penalty-reward from counts (:func:`_penalty_reward_from_counts`)."""
    from cxstats.engine.survey import WholeSQL
    from cxstats.stats.drivers import ipa as ipa_mod
    from cxstats.stats.from_moments import analyze_drivers_moments

    for option, why in _row_options(options):
        raise InputError(f"{why}; engine {engine} computes moments: use --engine pandas"
                         + (" or --bootstrap-method poisson (one more pass; the same intervals as "
                            "pandas with poisson)" if option == "bootstrap_method" else ""), option=option)
    spec = ctx.spec
    esurvey = ctx.engine_survey(engine, options.spark_master)
    where = "respondent_type = 'customer'"
    n_all = esurvey.count_rows(where)
    if not n_all:
        raise InputError("the data have no customer answers (key drivers use customers only)",
                         file=", ".join(esurvey.sources) or None)
    outcome, names, scale, aspiration = _choose(spec, options)
    constructs = {c.id: c for c in spec.constructs()}
    columns = set(spec.scored_columns())
    exprs = {}
    for name in [outcome, *names]:
        if name in constructs:
            exprs[name] = esurvey.score_expr(constructs[name].item_ids)
        elif name in columns:            # one column: a score of one item (exact moments)
            exprs[name] = esurvey.score_expr([name])
        else:
            raise InputError(f"{name!r} is not a column of the survey table", option="drivers")
    scale = tuple(options.scale_range) if options.scale_range is not None else scale
    if options.aspiration is not None:
        aspiration = options.aspiration
    tops = {}
    if options.performance == "top2" and scale is not None:
        for name in names:
            top = float(scale[name][1] if isinstance(scale, dict) else scale[1])
            tops[f"_top2_{name}"] = WholeSQL(f"CASE WHEN ({exprs[name]}) IS NULL THEN NULL WHEN ({exprs[name]}) >= "
                                             f"{top - 1!r} THEN 1 ELSE 0 END")
    if scale is None:
        raise InputError("the observed minimum and maximum of each driver need the rows: give the "
                         "answer scale (scale_range)", option="scale_range")
    # penalty-reward: each driver's bottom-box and top-box dummies (0/1, exact sums)
    dummies, low_cut, high_cut = _box_dummies(esurvey, exprs, names, scale, options)
    cols = [*names, outcome, *tops]
    # every regressor of penalty-reward is a dummy: rows counted by (dummy pattern, outcome value)
    # in one GROUP BY pass give its moments and HC3 (_penalty_reward_from_counts), so the dummies
    # stay out of the co-moment pass; else (over 62 dummies, an outcome not whole-coded) the
    # dummies' co-moments in this pass or one of their own, and HC3 from one more pass
    by_counts = len(dummies) <= 62 and esurvey.counts_exactly(exprs[outcome])
    if by_counts:
        pm = esurvey.pattern_moments(cols, where=where, exprs={**exprs, **tops})
        m = pm[None].complete() if None in pm else None
        m_pr = None
    elif len(cols) + len(dummies) <= 62:
        pm = esurvey.pattern_moments(cols + list(dummies), where=where, exprs={**exprs, **tops, **dummies},
                                     blocks=[cols, [*dummies, outcome]])
        m = pm[None].complete() if None in pm else None
        m_pr = m
    else:       # too many columns for one query's answer-pattern mask: the dummies in a pass of their own
        pm = esurvey.pattern_moments(cols, where=where, exprs={**exprs, **tops})
        m = pm[None].complete() if None in pm else None
        m_pr = None
    source = ", ".join(esurvey.sources) or None
    if m is None or m.n == 0:
        raise InputError("no customer has answered the outcome and every driver: 0 complete rows",
                         file=source)
    complete = where + "".join(f" AND ({exprs[d]}) IS NOT NULL" for d in [*names, outcome])
    if m_pr is None and not by_counts:
        m_pr = esurvey.pattern_moments([*dummies, outcome], where=complete, exprs={**dummies, outcome: exprs[outcome]})[None].complete()
    shares = [float(m.mean[cols.index(t)]) for t in tops] if tops else None
    cutoffs = tuple(options.ipa_cutoffs) if options.ipa_cutoffs is not None else None
    boot = None
    if options.bootstrap:
        boot = _poisson_bootstrap(esurvey, options, _seed(ctx), m, cols, outcome, names, exprs, tops,
                                  where, aspiration)
    res = analyze_drivers_moments(m, outcome, names, n_all=n_all, performance=options.performance,
                                  aspiration=aspiration, scale=scale, ipa_cutoffs=cutoffs,
                                  top2_shares=shares, source=source,
                                  hc3_meat=_hc3_meat(esurvey, exprs, outcome, names, where, int(m.n)),
                                  bootstrap=boot)
    if by_counts:       # the row path's own code (stats.drivers.ipa.penalty_reward_counts)
        rows, r2, notes = _penalty_reward_from_counts(esurvey, exprs, outcome, where, names, low_cut, high_cut,
                                                      options, int(m.n))
    else:               # the same formula as the row path (stats.drivers.ipa.penalty_reward_moments)
        pr_exprs = {**dummies, outcome: exprs[outcome]}
        rows, r2, notes = ipa_mod.penalty_reward_moments(
            m_pr, outcome, names, low_cut, high_cut, ci_level=options.ci_level,
            hc3_meat_for=lambda selected: _hc3_meat(esurvey, pr_exprs, outcome, selected, complete, int(m.n)))
    res.penalty_reward = ipa_mod.penalty_reward_section(rows, r2, low_boxes=options.low_boxes,
                                                        high_boxes=options.high_boxes,
                                                        scale_note=res.ipa["scale"], ci_level=options.ci_level)
    res.warnings.extend(notes)
    return res


def _seed(ctx) -> int:
    return 0 if ctx.seed is None else int(ctx.seed)


def _poisson_bootstrap(esurvey, options, seed, m, cols, outcome, names, exprs, tops, where, aspiration):
    """``bootstrap(res)`` for :func:`analyze_drivers_moments`: the Poisson replicates' co-moments of
    the complete rows (and the jackknife groups' sums, and the top-2 shares) in ONE pass
    (:meth:`EngineSurvey.bootstrap_sums`), shifted by the rounded means as the pandas path."""
    import numpy as np

    from cxstats.stats.drivers.core import aspiration_values
    from cxstats.stats.poisson_bootstrap import drivers_bootstrap

    B = options.bootstrap
    if B < 50:      # as the row path (stats.drivers.core._bootstrap)
        raise InputError(f"use at least 50 replicates, not {B} (1,000 or more for "
                         "BCa intervals that can be trusted)", option="bootstrap")
    order = [*names, outcome]
    shifts = {c: float(np.round(m.mean[cols.index(c)])) for c in order}
    sums = esurvey.bootstrap_sums(order, B, seed, where=where, exprs={**exprs, **tops}, missing="listwise",
                                  shifts=shifts, jackknife=True, sums_only=list(tops))
    cell = sums.get(None)
    p = len(names)
    n = cell["n"][:, 0, 0]
    s1 = cell["sx"][:, :, 0]
    jack = [(v[0][0, 0], v[1][:, 0], v[2]) for _, v in sorted(cell["jack"].items())]
    with np.errstate(divide="ignore", invalid="ignore"):
        if options.performance == "top2" and tops:
            perf = cell["s_only"] / n[:, None]
        else:
            perf = s1[:, :p] / n[:, None] + np.array([shifts[c] for c in names])
            if options.performance == "gap":
                perf = perf - aspiration_values(aspiration, names)

    def bootstrap(res):
        est = {"lmg": res.lmg, "relative_weight": res.relative_weight, "pratt": res.pratt,
               "std_beta": res.std_beta}
        return drivers_bootstrap(names, est, (n, s1, cell["sxy"]), jack, replicates=B, seed=seed,
                                 ci_level=options.ci_level, performance=perf)
    return bootstrap


def _penalty_reward_from_counts(esurvey, exprs, outcome, where, names, low_cut, high_cut, options, n_first):
    """Penalty-reward from ONE aggregation pass: the complete rows counted by (mask of the box
    dummies, exact outcome value) (:meth:`EngineSurvey.bits_value_counts`), then the row path's
    :func:`cxstats.stats.drivers.ipa.penalty_reward_counts` on the counts (moments, OLS and the
    HC3 meat per group: exact integer counts, so the same numbers on DuckDB, Spark and pandas)."""
    import numpy as np

    from cxstats.stats.drivers import ipa as ipa_mod

    # each driver's score once per row (an alias), its two dummies compare it with the cuts: NULL
    # when it is missing, so only the complete rows count (those of the co-moment pass)
    lit = esurvey.double
    scores = {f"cx_d{j}": f"({exprs[name]})" for j, name in enumerate(names)}
    bits = [f"CAST(cx_d{j} {op} {lit(cut[j])} AS INTEGER)" for j in range(len(names))
            for op, cut in (("<=", low_cut), (">=", high_cut))]
    got = esurvey.bits_value_counts(bits, exprs[outcome], where=where, exprs=scores)
    q = len(bits)
    masks = np.array([g[0] for g in got], dtype=np.int64)
    patterns = (masks[:, None] >> np.arange(q, dtype=np.int64)) & 1
    y = np.array([g[1] for g in got], dtype=float)
    counts = np.array([g[2] for g in got], dtype=np.int64)
    if int(counts.sum()) != n_first:
        raise RuntimeError(f"the penalty-reward pass saw {int(counts.sum())} complete rows, the first pass {n_first}")
    return ipa_mod.penalty_reward_counts(patterns, y, counts, names, low_cut, high_cut, ci_level=options.ci_level)


def _box_dummies(esurvey, exprs, names, scale, options):
    """({dummy name: WholeSQL}, low cuts, high cuts): 1 when the driver's score is in its bottom
    (top) boxes, 0 otherwise, NULL when it is missing - the dummies of the row path."""
    import numpy as np

    from cxstats.engine.survey import WholeSQL
    from cxstats.stats.drivers import ipa as ipa_mod

    p = len(names)
    if isinstance(scale, dict):
        smin = np.array([float(scale[d][0]) for d in names])
        smax = np.array([float(scale[d][1]) for d in names])
    else:
        smin, smax = np.full(p, float(scale[0])), np.full(p, float(scale[1]))
    low_cut, high_cut = ipa_mod.box_cuts(p, smin, smax, options.low_boxes, options.high_boxes)
    lit = esurvey.double
    out = {}
    for j, name in enumerate(names):
        e = exprs[name]
        out[ipa_mod.dummy_name(j, "low")] = WholeSQL(
            f"CASE WHEN ({e}) IS NULL THEN NULL WHEN ({e}) <= {lit(low_cut[j])} THEN 1 ELSE 0 END")
        out[ipa_mod.dummy_name(j, "high")] = WholeSQL(
            f"CASE WHEN ({e}) IS NULL THEN NULL WHEN ({e}) >= {lit(high_cut[j])} THEN 1 ELSE 0 END")
    return out, low_cut, high_cut


def _from_spec(ctx, options):
    """Customers' outcome and driver scores, each driver's answer scale and aspiration."""
    spec, survey = ctx.spec, ctx.survey
    if not (survey.data["respondent_type"] == "customer").any():
        raise InputError("the data have no customer answers (key drivers use customers only)",
                         file=ctx.source or None)
    outcome, names, scale, asp = _choose(spec, options)
    frame = survey.customers_with_scores()[[outcome, *names]]
    # data problems name the command's files; a plan locates them at its step instead
    return frame, outcome, names, scale, asp, ctx.source or None


def _choose(spec, options):
    """(outcome, drivers, each driver's answer scale or None, aspirations or None) of a spec run."""
    outcomes = [o.id for o in spec.outcomes]
    constructs = {c.id: c for c in spec.constructs()}
    items = {i.id: i for i in spec.items()}
    choices = f"outcomes: {', '.join(outcomes) or 'none'}; constructs: {', '.join(constructs)}"
    outcome = options.outcome
    if outcome is None:
        csat = spec.outcome_of_type("csat")
        outcome = csat.id if csat is not None else (outcomes[0] if outcomes else None)
        if outcome is None:
            raise InputError("the spec has no outcomes; name a construct as the outcome "
                             "(e.g. satisfaction)", option="outcome")
    if outcome not in outcomes and outcome not in constructs:
        raise InputError(f"no such outcome or construct in the spec: {outcome!r} ({choices})",
                         column=outcome, option="outcome")
    wanted = options.drivers
    names = ([c for c in constructs if c != outcome] if not wanted or wanted == ["constructs"]
             else list(wanted))
    if outcome in names:
        raise InputError(f"{outcome!r} is the outcome; it cannot also be a driver", option="drivers")
    scale, asp = {}, {}
    for name in names:
        if name in constructs:
            c = constructs[name]
            scale[name] = (c.scale.min, c.scale.max)
            if c.aspiration is not None:
                asp[name] = c.aspiration
        elif name in items:
            if items[name].scale is not None:
                scale[name] = (items[name].scale.min, items[name].scale.max)
        else:
            raise InputError(f"{name!r} is neither a construct nor an item of the spec (constructs: "
                             f"{', '.join(constructs)})", option="drivers")
    return outcome, names, scale if len(scale) == len(names) else None, asp or None


def _from_file(ctx, options):
    from cxstats.io.tables import load_numeric

    path = ctx.one_file()
    if not options.outcome:
        raise InputError("give the outcome column (the column to explain)", option="outcome")
    if not options.drivers:
        raise InputError("give the driver columns (the columns that may drive the outcome)", option="drivers")
    import pandas as pd

    from cxstats.io.readers import read_table

    names = list(options.drivers)
    table = read_table(path)
    table.require_columns([options.outcome] + names)
    # the answer scale (scale_range) is the drivers' scale: values outside it are refused there;
    # the outcome (e.g. NPS 0-10) may be on another scale
    out = load_numeric(path, [options.outcome], table=table)
    drv = load_numeric(path, [d for d in names if d != options.outcome], table=table,
                       scale_range=tuple(options.scale_range) if options.scale_range is not None else None)
    frame = pd.concat([out, drv], axis=1)
    return frame, options.outcome, names, None, None, path
