"""Key-driver analysis: checks, OLS/logit, importance measures, dominance, bootstrap, IPA."""

from __future__ import annotations

import numpy as np

from cxstats.errors import InputError
from cxstats.stats.drivers import ipa as ipa_mod
from cxstats.stats.drivers.measures import RANK_ABSOLUTE, ranks, relative_weights
from cxstats.stats.drivers.result import DriversResult
from cxstats.stats.drivers.subsets import (MAX_EXACT, all_subset_r2, complete_dominance,
                                           conditional_dominance, memory_needed)

VIF_WARN = 5.0
VIF_SEVERE = 10.0
CONDITION_WARN = 30.0
COMPLETE_DOMINANCE_MAX_P = 20
SINGULAR_EIGEN = 1e-10
OUTCOME_TYPES = ("continuous", "binary")




def aspiration_values(aspiration, drivers):
    """Each driver's aspiration for IPA performance 'gap': one number for all, or {driver: number}
    (every driver needed). Shared by the row and moments paths."""
    import numpy as np

    if aspiration is None:
        raise InputError("performance 'gap' needs the aspiration (give it, or a spec with "
                         "aspirations per construct)", option="aspiration")
    if isinstance(aspiration, dict):
        missing = [d for d in drivers if aspiration.get(d) is None]
        if missing:
            raise InputError(f"no aspiration for driver {missing[0]!r} (needed for performance 'gap')",
                             column=missing[0], option="aspiration")
        return np.array([float(aspiration[d]) for d in drivers])
    return np.full(len(drivers), float(aspiration))

def check_size_and_performance(p: int, performance: str, source=None) -> None:
    """Refuse more drivers than exact LMG handles and an unknown IPA performance measure (the row
    path and the moments path, :mod:`cxstats.stats.from_moments`)."""
    if p > MAX_EXACT:
        raise InputError(
            f"{p} drivers: exact relative importance (LMG / dominance) needs the R² of all 2^p "
            f"driver subsets, {memory_needed(p) / 2**30:.1f} GiB for p = {p}, and doubles with every "
            f"driver; cxstats computes it exactly up to {MAX_EXACT} drivers (256 MiB). Group "
            "related items into constructs (e.g. their mean) or choose the drivers to compare",
            file=source)
    if performance not in ipa_mod.PERFORMANCE:
        raise InputError(f"performance {performance!r} is not known; use mean, top2 or gap",
                         option="performance")

def analyze_drivers(frame, outcome: str, drivers, *, outcome_type: str | None = None,
                binary_threshold: float | None = None, bootstrap: int = 0, seed=None,
                ci_level: float = 0.95, progress=None, performance: str = "mean",
                aspiration=None, scale=None, ipa_cutoffs=None, low_boxes: int = 2,
                high_boxes: int = 1, complete: bool | None = None, penalty_reward: bool | None = None,
                source=None, weights=None, weight_name: str | None = None, boot_keys=None) -> DriversResult:
    """Relative importance of ``drivers`` for ``outcome`` in a numeric DataFrame.

    ``outcome_type``: 'continuous' (OLS; LMG, relative weights, Pratt, dominance) or
    'binary' (logistic; relative weights on the logit scale). ``binary_threshold`` t
    makes the outcome binary as ``outcome >= t`` (promoters: t = 9 on 0-10).
    ``scale``: (min, max) of the answer scale (default: observed per driver), for
    top-2-box performance and penalty-reward boxes. ``penalty_reward``: None runs it
    when a scale is given or every driver holds whole numbers spanning at most 11
    points (a rating scale). ``aspiration``: number or
    {driver: number} for ``performance='gap'``. ``bootstrap``: replicates for CIs;
    ``progress(done, total)`` is called as they are computed. ``weights``: survey weights, one per
    row of ``frame`` (checked on the complete rows: none missing or negative, not all zero): WLS with
    HC3 SEs and every importance measure from the weighted correlation matrix (continuous outcome, no
    bootstrap, no penalty-reward; :mod:`cxstats.stats.weights`). ``boot_keys``: one key text per
    row of ``frame`` (:func:`cxstats.stats.poisson_bootstrap.key_text`): the bootstrap is the
    Poisson bootstrap, with the SQL engines' replicates (continuous outcomes).
    """
    drivers = list(drivers)
    if binary_threshold is not None:
        if outcome_type not in (None, "binary"):
            raise InputError("a binary threshold makes the outcome binary; it cannot be combined "
                             f"with outcome type {outcome_type!r}", option="binary_threshold")
        outcome_type = "binary"
    outcome_type = outcome_type or "continuous"
    if outcome_type not in OUTCOME_TYPES:
        raise InputError(f"outcome type {outcome_type!r} is not known; use continuous or binary",
                         option="outcome_type")
    _check_names(outcome, drivers, frame, source)
    p = len(drivers)
    check_size_and_performance(p, performance, source)

    data = frame[drivers + [outcome]].to_numpy(dtype=float)
    complete_rows = ~np.isnan(data).any(axis=1)
    n_all = len(data)
    data = data[complete_rows]
    n = len(data)
    warnings = []
    w = None
    if weights is not None:
        from cxstats.stats.weights import check_weights, kish_n, normalize

        if outcome_type == "binary":
            raise InputError("survey weights work with a continuous outcome (WLS); a binary (logit) outcome "
                             "with weights is not available", option="weight")
        if bootstrap:
            raise InputError("bootstrap intervals with survey weights are not available; leave out the "
                             "bootstrap", option="bootstrap")
        w = check_weights(weights, column=weight_name, used=complete_rows, file=source)
        w = normalize(w[complete_rows])
    if n < n_all:
        warnings.append(f"{n_all - n} of {n_all} rows have a missing outcome or driver and were left "
                        f"out (listwise deletion); n = {n}")
    if n < p + 2:
        raise InputError(f"{n} rows with complete answers but {p} drivers: a regression with {p} "
                         f"drivers needs at least {p + 2} complete rows (more drivers than cases); "
                         "use fewer drivers or more data", file=source)
    x, y = data[:, :p], data[:, p]
    for j, name in enumerate(drivers):
        if np.ptp(x[:, j]) == 0:
            raise InputError(f"driver is constant (every complete row has {x[0, j]:g}), so it cannot "
                             "explain anything; leave it out", file=source, column=name)
    if binary_threshold is not None:
        y = (y >= binary_threshold).astype(float)
    if outcome_type == "binary":
        vals = set(np.unique(y).tolist())
        if not vals <= {0.0, 1.0}:
            raise InputError("a binary outcome must be coded 0/1; give a binary threshold T to count "
                             f"answers >= T as 1 (found values {sorted(vals)[:6]})",
                             file=source, column=outcome, option="binary_threshold")
    if np.ptp(y) == 0:
        raise InputError(f"the outcome is constant (every complete row has {y[0]:g})"
                         + (" after applying the binary threshold" if binary_threshold is not None else ""),
                         file=source, column=outcome)

    if w is None:
        corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    else:
        from cxstats.stats._factor import cov2cor
        from cxstats.stats.weights import weighted_cov

        corr = cov2cor(weighted_cov(np.column_stack([x, y]), w))
    rxx = corr[:p, :p]
    eig = checked_eigenvalues(rxx, drivers, source)
    vif = np.diag(np.linalg.inv(rxx))
    condition = float(np.sqrt(eig[-1] / eig[0]))
    warnings.extend(_collinearity_warnings(drivers, vif, condition))
    if n < 10 * p:
        warnings.append(f"only {n} complete rows for {p} drivers (fewer than 10 per driver): "
                        "importance estimates are unstable; see the bootstrap intervals")

    res = DriversResult(outcome=outcome, outcome_type=outcome_type, drivers=drivers, n=n,
                        n_dropped=n_all - n, binary_threshold=binary_threshold, vif=vif,
                        condition_number=condition, warnings=warnings, zero_order_r=corr[:p, p])
    if w is not None:
        res.weight = weight_name or "weight"
        res.n_eff = kish_n(w)
    if outcome_type == "continuous":
        _continuous(res, x, y, corr, complete, w)
    else:
        _binary(res, x, y, source)

    if bootstrap:
        keys = None if boot_keys is None else np.asarray(boot_keys, dtype=object)[complete_rows]
        res.bootstrap = _bootstrap(res, x, y, corr, bootstrap, seed, ci_level, progress, source, keys)
        res.warnings.extend(res.bootstrap.warnings)

    if w is not None and penalty_reward:
        raise InputError("penalty-reward with survey weights is not available; leave it out",
                         option="penalty_reward")
    _ipa(res, x, y, performance, aspiration, scale, ipa_cutoffs, low_boxes, high_boxes,
         False if w is not None else penalty_reward, source, ci_level, seed, w)
    if w is not None:
        res.warnings.append("survey weights: penalty-reward and bootstrap intervals are not computed with "
                            "weights")
    return res


def _check_names(outcome, drivers, frame, source):
    if not drivers:
        raise InputError("no drivers given (name the columns that may drive the outcome)", option="drivers")
    dup = sorted({d for d in drivers if drivers.count(d) > 1})
    if dup:
        raise InputError(f"driver {dup[0]!r} is listed twice", column=dup[0])
    if outcome in drivers:
        raise InputError("the outcome is also listed as a driver", column=outcome)
    missing = [c for c in [outcome] + drivers if c not in frame.columns]
    if missing:
        raise InputError(f"no such column (columns: {', '.join(map(str, frame.columns))})",
                         file=source, column=missing[0])


def _collinearity_warnings(drivers, vif, condition):
    out = []
    high = [(d, v) for d, v in zip(drivers, vif) if v > VIF_WARN]
    if high:
        worst = max(v for _, v in high)
        level = "severe" if worst > VIF_SEVERE else "moderate"
        out.append(f"collinearity ({level}): VIF above {VIF_WARN:g} for "
                   + ", ".join(f"{d} ({v:.1f})" for d, v in high)
                   + f" (thresholds: > {VIF_WARN:g} moderate, > {VIF_SEVERE:g} severe); regression "
                   "weights are unstable, rely on LMG / relative weights")
    if condition > CONDITION_WARN:
        out.append(f"collinearity: condition number of the driver correlation matrix "
                   f"{condition:.1f} > {CONDITION_WARN:g} (Belsley, Kuh & Welsch 1980)")
    return out


def _continuous(res, x, y, corr, complete, w=None):
    import statsmodels.api as sm

    p = x.shape[1]
    design = sm.add_constant(x, has_constant="add")
    fit = sm.OLS(y, design).fit() if w is None else sm.WLS(y, design, weights=w).fit()
    hc3 = fit.get_robustcov_results(cov_type="HC3", use_t=True)
    res.ols = {
        "b": fit.params, "se": fit.bse, "t": fit.tvalues, "pvalue": fit.pvalues,
        "se_hc3": hc3.bse, "t_hc3": hc3.tvalues, "pvalue_hc3": hc3.pvalues,
    }
    res.model = {"r2": float(fit.rsquared), "adj_r2": float(fit.rsquared_adj),
                 "sigma": float(np.sqrt(fit.scale)), "f": float(fit.fvalue), "f_df1": p,
                 "f_df2": int(fit.df_resid), "f_pvalue": float(fit.f_pvalue)}
    if w is None:
        sd = x.std(axis=0, ddof=1)
        res.std_beta = fit.params[1:] * sd / y.std(ddof=1)
    else:   # weighted SDs (the divisor cancels in the ratio)
        mx, my = (w[:, None] * x).sum(axis=0) / w.sum(), np.sum(w * y) / w.sum()
        sd = np.sqrt((w[:, None] * (x - mx) ** 2).sum(axis=0))
        res.std_beta = fit.params[1:] * sd / np.sqrt(np.sum(w * (y - my) ** 2))
    r2_all = all_subset_r2(corr)
    cd = conditional_dominance(r2_all, p)
    res.conditional_dominance = cd
    res.lmg = cd.mean(axis=1)
    res.r2_subsets_full = float(r2_all[-1])
    if complete is None:
        complete = p <= COMPLETE_DOMINANCE_MAX_P
    res.complete_dominance = complete_dominance(r2_all, p) if complete else None
    del r2_all
    res.relative_weight = relative_weights(corr)
    res.pratt = res.std_beta * corr[:p, p]


def _binary(res, x, y, source):
    from cxstats.stats.drivers.binary import fit_logit, logit_relative_weights

    fit, notes = fit_logit(y, x, source=source)
    res.warnings.extend(notes)
    robust = fit.model.fit(disp=0, maxiter=200, cov_type="HC0")
    res.ols = {"b": fit.params, "se": fit.bse, "t": fit.tvalues, "pvalue": fit.pvalues,
               "se_hc0": robust.bse}
    out = logit_relative_weights(y, x)
    if out is None:
        raise InputError("the logistic regression on the orthogonalized drivers did not converge "
                         "(near-separation); merge or drop drivers, or analyse the outcome as continuous",
                         file=source)
    eps, r2o, std_beta = out
    res.relative_weight = eps
    res.std_beta = std_beta
    res.model = {"r2": float(r2o), "mcfadden_r2": float(fit.prsquared), "llr": float(fit.llr),
                 "llr_pvalue": float(fit.llr_pvalue), "events": int(y.sum()),
                 "event_share": float(y.mean())}
    if min(y.sum(), len(y) - y.sum()) < 10 * x.shape[1]:
        res.warnings.append(f"fewer than 10 events per driver ({int(min(y.sum(), len(y) - y.sum()))} in "
                            f"the rarer class for {x.shape[1]} drivers): logistic estimates are unstable")


def _bootstrap(res, x, y, corr, replicates, seed, ci_level, progress, source, keys=None):
    from cxstats.stats.drivers import bootstrap as bs

    if replicates < 50:
        raise InputError(f"use at least 50 replicates, not {replicates} (1,000 or more for "
                         "BCa intervals that can be trusted)", option="bootstrap")
    if not 0.5 <= ci_level < 1:
        raise InputError(f"confidence level {ci_level} must be between 0.5 and 1", option="ci_level")
    if res.outcome_type == "continuous":
        est = {"lmg": res.lmg, "relative_weight": res.relative_weight, "pratt": res.pratt,
               "std_beta": res.std_beta}
        if keys is not None:
            from cxstats.stats.poisson_bootstrap import drivers_rows_bootstrap

            out = drivers_rows_bootstrap(np.column_stack([x, y]), keys, res.drivers, est,
                                         replicates=replicates, seed=seed, ci_level=ci_level)
            if progress is not None:
                progress(replicates, replicates)
            return out
        return bs.bootstrap_continuous(np.column_stack([x, y]), res.drivers, est, replicates=replicates,
                                       seed=seed, ci_level=ci_level, progress=progress)
    from cxstats.stats.drivers.binary import logit_relative_weights

    if keys is not None:
        raise InputError("the Poisson bootstrap works from moments: a continuous outcome; a binary "
                         "(logit) outcome needs the row bootstrap (bootstrap_method row)",
                         option="bootstrap_method")
    est = {"relative_weight": res.relative_weight, "std_beta": res.std_beta}

    def stat(rows):
        xb, yb = x[rows], y[rows]
        if np.ptp(yb) == 0 or np.any(np.ptp(xb, axis=0) == 0):
            return None
        with np.errstate(all="ignore"):
            out = logit_relative_weights(yb, xb)
        if out is None or not (np.all(np.isfinite(out[0])) and np.all(np.isfinite(out[2]))):
            return None
        return {"relative_weight": out[0], "std_beta": out[2]}

    return bs.bootstrap_generic(len(y), stat, res.drivers, est, replicates=replicates, seed=seed,
                                ci_level=ci_level, progress=progress)


def checked_eigenvalues(rxx, drivers, source=None):
    """Eigenvalues (ascending) of the drivers' correlation matrix ``rxx``; refuses perfect
    collinearity naming the drivers involved (the row and the moments paths)."""
    eig, vec = np.linalg.eigh(rxx)
    if eig[0] < SINGULAR_EIGEN:
        weights = np.abs(vec[:, 0])
        involved = [drivers[j] for j in np.argsort(-weights) if weights[j] > 0.1]
        raise InputError("perfect collinearity: drivers " + ", ".join(repr(d) for d in involved)
                         + " are an exact linear combination of each other (for example one is "
                         "the sum or a copy of others); leave one of them out", file=source)
    return eig


def driver_scales(drivers, scale, observed=None):
    """(minima, maxima, note) of each driver's answer scale: ``scale`` is ``{driver: (min, max)}``
    (the spec's), one ``(min, max)`` for all, or None - then ``observed`` (the rows' minima and
    maxima), which a moments path does not have (refused: give the scale). The row and the
    moments paths (``stats.from_moments._ipa_moments``)."""
    p = len(drivers)
    if isinstance(scale, dict):
        missing = [d for d in drivers if d not in scale]
        if missing:
            raise InputError(f"no answer scale for driver {missing[0]!r}", column=missing[0])
        smin = np.array([float(scale[d][0]) for d in drivers])
        smax = np.array([float(scale[d][1]) for d in drivers])
        note = "each driver's answer scale from the spec"
    elif scale is not None:
        smin, smax = (np.full(p, float(scale[0])), np.full(p, float(scale[1])))
        note = f"answer scale {scale[0]:g}-{scale[1]:g}"
    elif observed is not None:
        smin, smax = observed
        note = "observed minimum and maximum of each driver (no scale given)"
    else:
        raise InputError("the observed minimum and maximum of each driver need the rows: give the "
                         "answer scale (scale_range)", option="scale_range")
    if np.any(smin >= smax):
        raise InputError("answer scale: the minimum must be below the maximum")
    return smin, smax, note


def _ipa(res, x, y, performance, aspiration, scale, cutoffs, low_boxes, high_boxes, run_pr, source,
         ci_level=0.95, seed=None, w=None):
    smin, smax, scale_note = driver_scales(res.drivers, scale, observed=(x.min(axis=0), x.max(axis=0)))
    if performance == "gap":
        asp = aspiration_values(aspiration, res.drivers)
    else:
        asp = None
    perf = ipa_mod.performance_values(x, performance, scale_max=smax, aspiration=asp, weights=w)
    importance = res.importance_share()
    ic, pc = (cutoffs or (None, None))
    if pc is None and performance == "gap":
        pc = 0.0  # at the aspiration: a driver below it (negative gap) performs low
    interval = perf_interval = None
    if res.bootstrap is not None:
        samples = res.bootstrap.samples.get(res.importance_name())
        if samples is not None and len(samples) > 1:
            shares = samples / samples.sum(axis=1, keepdims=True)
            alpha = 1 - res.bootstrap.ci_level
            interval = tuple(np.quantile(shares, [alpha / 2, 1 - alpha / 2], axis=0))
        # performance: its own resamples (a stream of the same seed), as many as the importance
        # bootstrap; each axis is judged against its cut on its own
        if getattr(res.bootstrap, "resampling", "row") == "poisson":   # the same Poisson replicates
            from cxstats.stats.poisson_bootstrap import performance_interval

            perf_interval = performance_interval(res.bootstrap, x, performance, smax, asp)
        else:
            rng = seed if isinstance(seed, np.random.Generator) else \
                np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
            perf_interval = ipa_mod.performance_interval(x, performance, scale_max=smax, aspiration=asp,
                                                         replicates=res.bootstrap.replicates,
                                                         ci_level=res.bootstrap.ci_level, rng=rng)
    ipa_section(res, importance, perf, interval, perf_interval, ic, pc, performance, scale_note)
    if run_pr is None:
        run_pr = scale is not None or bool(np.all(x == np.round(x)) and np.all(np.ptp(x, axis=0) <= 10))
    if not run_pr:
        return
    rows, r2, notes = ipa_mod.penalty_reward(y, x, res.drivers, scale_min=smin, scale_max=smax,
                                             low_boxes=low_boxes, high_boxes=high_boxes, ci_level=ci_level)
    res.penalty_reward = ipa_mod.penalty_reward_section(rows, r2, low_boxes=low_boxes, high_boxes=high_boxes,
                                                        scale_note=scale_note, ci_level=ci_level)
    res.warnings.extend(notes)


__all__ = ["analyze_drivers", "RANK_ABSOLUTE", "ranks"]


def ipa_section(res, importance, perf, interval, perf_interval, ic, pc, performance, scale_note) -> None:
    """``res.ipa``: each driver's quadrant (by its point estimate, and with the bootstrap intervals
    when there are any: 'determined' or not), the cuts and the rule in words - the one table of the
    row path (:func:`_ipa`) and the moments path (``stats.from_moments._ipa_moments``)."""
    from cxstats.stats.drivers import ipa as ipa_mod

    positions, ic, pc = ipa_mod.quadrants(importance, perf, importance_cut=ic, performance_cut=pc)
    labels, _, _ = ipa_mod.quadrants(importance, perf, importance_cut=ic, performance_cut=pc,
                                     importance_interval=interval, performance_interval=perf_interval)
    settled = ipa_mod.determined(interval, perf_interval, ic, pc, len(res.drivers))
    rule = ("quadrants split at importance_cut (mean importance share of the drivers unless given) and "
            "performance_cut (" + ("0 = at the aspiration" if performance == "gap" else
                                   "mean performance of the drivers") + " unless given)")
    if settled is not None:
        rule += (f"; a driver whose {res.bootstrap.ci_level:.0%} bootstrap percentile interval of its "
                 "importance share or of its performance holds the cut of that axis (cuts taken as "
                 "fixed) is 'not determined' (determined = false; position: the quadrant of its point "
                 "estimate)")
    rows = []
    for j, d in enumerate(res.drivers):
        row = {"driver": d, "importance": float(importance[j]), "performance": float(perf[j])}
        if interval is not None:
            row.update(importance_lower=float(interval[0][j]), importance_upper=float(interval[1][j]))
        if perf_interval is not None:
            row.update(performance_lower=float(perf_interval[0][j]),
                       performance_upper=float(perf_interval[1][j]))
        row.update(quadrant=labels[j], position=positions[j],
                   determined=None if settled is None else settled[j])
        rows.append(row)
    res.ipa = {"importance": res.importance_name() + "_share", "performance": performance,
               "importance_cut": ic, "performance_cut": pc, "scale": scale_note, "rule": rule,
               "rows": rows}
