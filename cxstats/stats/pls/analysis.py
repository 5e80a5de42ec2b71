"""``analyze_pls``: PLS-SEM / PLSc with quality criteria, bootstrap and IPMA (seminr, SmartPLS)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxstats.errors import InputError, ModelError
from cxstats.stats.pls import quality
from cxstats.stats.pls.estimate import SCHEMES, Layout, fit_pls, standardize, total_effects
from cxstats.stats.pls.model import PlsModel, parse_pls_model
from cxstats.stats.pls.result import PlsResult

JACKKNIFE_GROUPS = 500   # BCa acceleration: leave-one-out up to this n, else this many random groups


def analyze_pls(frame: pd.DataFrame, model: str | PlsModel, *, scheme: str = "path", consistent: bool = True,
                missing: str = "mean", max_iter: int = 300, tol: float = 1e-7, bootstrap: int = 0,
                seed=None, ci: str = "percentile", ci_level: float = 0.95, target: str | None = None,
                scale_range: dict | None = None, predict_folds: int = 0, predict_repetitions: int = 10,
                groups=None, permutations: int = 1000, progress=None, predict_progress=None,
                group_progress=None) -> PlsResult:
    """Estimate a PLS path model on ``frame`` (numeric indicator columns, NaN = missing).

    ``missing``: ``mean`` (each missing answer replaced by its indicator's mean, seminr's
    ``mean_replacement``) or ``listwise``. ``tol``: the stop criterion on the summed absolute change
    of the outer weights (seminr ``10^-stopCriterion``). ``target``: the IPMA target construct
    (default the last endogenous construct of the model). ``scale_range``: indicator -> (min, max)
    for IPMA (default the observed minimum and maximum, stated). ``predict_folds``: k of the
    PLSpredict cross-validation (0 = none), repeated ``predict_repetitions`` times. ``groups``: a
    label per row of ``frame`` (two distinct values): MICOM and permutation MGA with
    ``permutations`` permutations. ``progress`` / ``predict_progress`` / ``group_progress``:
    ``progress(done, total)`` callbacks of the bootstrap, PLSpredict and the permutations."""
    if scheme not in SCHEMES:
        raise InputError(f"the inner weighting scheme is one of {', '.join(SCHEMES)}, not {scheme!r}", option="scheme")
    if missing not in ("mean", "listwise"):
        raise InputError(f"missing is 'mean' (mean replacement) or 'listwise', not {missing!r}", option="missing")
    if ci not in ("percentile", "bca"):
        raise InputError(f"ci is 'percentile' or 'bca', not {ci!r}", option="ci")
    pm = model if isinstance(model, PlsModel) else parse_pls_model(model)
    absent = [x for x in pm.indicators if x not in frame.columns]
    if absent:
        raise InputError(f"indicator(s) {', '.join(absent)} not in the data", column=absent[0])
    raw = frame[pm.indicators].astype(float)
    n_total = len(raw)
    n_missing = int(raw.isna().sum().sum())
    warnings: list[str] = []
    if missing == "listwise":
        raw = raw.dropna()
        method = f"listwise: {len(raw)} of {n_total} rows complete"
    else:
        empty = [c for c in raw.columns if raw[c].isna().all()]
        if empty:
            raise InputError(f"indicator {empty[0]!r} has no answers", column=empty[0])
        raw = raw.fillna(raw.mean())
        method = f"mean replacement: {n_missing} missing answer(s) replaced by their indicator's mean"
    if n_missing and missing == "mean":
        share = n_missing / raw.size
        if share > 0.05:
            warnings.append(f"{share:.1%} of the answers are missing and were replaced by indicator means: mean "
                            f"replacement shrinks variances and correlations beyond about 5% missing (Hair et al. "
                            f"2022); consider listwise deletion or imputation")
    x = raw.to_numpy(float)
    n = len(x)
    k = len(pm.constructs)
    if n < max(10, k + 2):
        raise InputError(f"{n} rows are too few to estimate a model with {k} constructs", option="missing")
    const = [c for c in raw.columns if not np.nanstd(raw[c].to_numpy()) > 0]
    if const:
        raise InputError(f"indicator {const[0]!r} has no variance (every answer the same)", column=const[0])
    lay = Layout.of(pm, consistent=consistent)
    z = standardize(x)
    zcor = (z.T @ z) / (n - 1)
    fit = fit_pls(z, lay, scheme=scheme, max_iter=max_iter, tol=tol, zcor=zcor)
    if not fit.converged:
        warnings.append(f"the PLS algorithm did not converge in {fit.iterations} iterations (weight change "
                        f"{fit.weight_change:.2g} >= {tol:g}): the estimates are not reliable")
    if target is None:
        target = pm.endogenous[-1]
        for c in reversed(pm.constructs):       # a construct with no successor, preferably
            if c in pm.endogenous and not any(f == c for f, _ in pm.paths):
                target = c
                break
    if target not in pm.constructs:
        raise InputError(f"{target!r} is not a construct of the model ({', '.join(pm.constructs)})", option="target")
    ranges = _ranges(pm, raw, scale_range)
    from cxstats.stats.pls.ipma import ipma

    ip = ipma(x, lay, fit, pm.constructs.index(target), ranges[0], ranges[1])
    ip["scale_source"] = "given" if scale_range else "observed minimum and maximum of each indicator"
    if ip["negative_weights"]:
        warnings.append(f"IPMA: {', '.join(ip['negative_weights'])} have negative rescaled outer weights; their "
                        f"performance may leave 0-100 and is hard to read (Ringle & Sarstedt 2016)")
    rng = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
    seeds = rng.integers(0, 2 ** 32, size=3)   # bootstrap, PLSpredict, permutations: independent streams
    pred = None
    if predict_folds:
        from cxstats.stats.pls.predict import pls_predict

        if predict_folds < 2 or predict_folds > n:
            raise InputError(f"PLSpredict needs between 2 and {n} folds, not {predict_folds}", option="predict_folds")
        if not any(not lay.adjacency[:, j].any() for j in range(k)):
            raise InputError("PLSpredict needs an exogenous construct", option="predict_folds")
        pred = pls_predict(x, lay, scheme=scheme, max_iter=max_iter, tol=tol, folds=predict_folds,
                           repetitions=predict_repetitions, seed=int(seeds[1]), progress=predict_progress)
        if pred["failed_folds"]:
            warnings.append(f"PLSpredict: {pred['failed_folds']} training folds could not be estimated and were "
                            f"left out")
    grp = None
    if groups is not None:
        from cxstats.stats.pls.groups import compare_groups

        labels = pd.Series(list(groups), index=frame.index).loc[raw.index]
        if labels.isna().any():
            raise InputError("rows without a group value: give every row a group, or leave them out",
                             option="group")
        values = sorted(labels.astype(str).unique())
        if len(values) != 2:
            raise InputError(f"multi-group analysis compares two groups; the group column has {len(values)} "
                             f"({', '.join(values[:6])})", option="group")
        g = (labels.astype(str) == values[0]).to_numpy()
        if min(g.sum(), (~g).sum()) < max(10, k + 2):
            raise InputError(f"a group has too few rows ({int(g.sum())} and {int((~g).sum())}) to estimate the model "
                             f"in each", option="group")
        grp = compare_groups(x, g, lay, scheme=scheme, max_iter=max_iter, tol=tol, permutations=permutations,
                             seed=int(seeds[2]), names=tuple(values), progress=group_progress)
        if grp["failed_permutations"]:
            warnings.append(f"MGA: {grp['failed_permutations']} permutations could not be estimated and were left out")
    boot = None
    if bootstrap:
        boot = _bootstrap(x, lay, fit, zcor, scheme=scheme, max_iter=max_iter, tol=tol, replicates=bootstrap,
                          seed=int(seeds[0]), ci_level=ci_level, progress=progress,
                          ipma_of=(pm.constructs.index(target), ranges[0], ranges[1]))
        warnings += boot.pop("warnings")
        boot["seed"] = seed if isinstance(seed, (int, type(None))) else str(seed)   # the run's seed, stated
    result = PlsResult(model=pm, layout=lay, fit=fit, n=n, n_total=n_total, scheme=scheme, consistent=consistent,
                       missing=missing, missing_note=method, max_iter=max_iter, tol=tol, zcor=zcor,
                       ipma=ip, bootstrap=boot, predict=pred, groups=grp, ci=ci, ci_level=ci_level, seed=seed,
                       warnings=warnings, row_index=list(raw.index))
    result.warnings += result.quality_warnings()
    return result


def _ranges(pm, raw, scale_range):
    lo = raw.min().to_numpy(float)
    hi = raw.max().to_numpy(float)
    if scale_range:
        for i, ind in enumerate(pm.indicators):
            if ind in scale_range:
                lo[i], hi[i] = map(float, scale_range[ind])
        bad = [ind for i, ind in enumerate(pm.indicators) if not hi[i] > lo[i]]
        if bad:
            raise InputError(f"the scale range of {bad[0]!r} is empty: give MIN below MAX", option="scale_range")
        out = [ind for i, ind in enumerate(pm.indicators)
               if raw[ind].min() < lo[i] - 1e-9 or raw[ind].max() > hi[i] + 1e-9]
        if out:
            raise InputError(f"answers of {out[0]!r} lie outside the scale range given", column=out[0],
                             option="scale_range")
    return lo, hi


# ------------------------------------------------------------------------------------ bootstrap

def statistics(fit, lay, zcor, ipma_of=None, x=None) -> np.ndarray:
    """The bootstrapped quantities of one fit, flattened in :func:`labels` order (the IPMA
    importances when ``ipma_of`` = (target index, scale minimums, scale maximums) and the raw ``x``)."""
    d = lay.adjacency
    t = total_effects(fit.paths)
    ind = t - fit.paths
    h = quality.htmt_matrix(lay.blocks, zcor)
    ii, jj = np.nonzero(d)
    mi, mj = np.nonzero(lay.mask)
    ti, tj = _effect_pairs(d)
    hi, hj = np.triu_indices(len(lay.constructs), 1)
    imp = np.zeros(0)
    if ipma_of is not None:
        from cxstats.stats.pls.ipma import ipma

        target, lo, hi_ = ipma_of
        imp = np.array([r["importance"] for r in ipma(x, lay, fit, target, lo, hi_)["constructs"]])
    return np.concatenate([fit.paths[ii, jj], fit.loadings[mi, mj], fit.weights[mi, mj], t[ti, tj], ind[ti, tj],
                           imp, h[hi, hj]])


def _effect_pairs(d):
    reach = total_effects(d) > 0            # i reaches j
    return np.nonzero(reach)


def _indirect_possible(d):
    two = total_effects(d) - d
    return two > 0


def labels(lay, ipma_of=None) -> list[tuple[str, str, str, str]]:
    """(kind, lhs, op, rhs) for each bootstrapped quantity."""
    c, ind = lay.constructs, lay.indicators
    d = lay.adjacency
    out = [("path", c[j], "~", c[i]) for i, j in zip(*np.nonzero(d))]
    mi, mj = np.nonzero(lay.mask)
    out += [("loading", c[j], "=~", ind[i]) for i, j in zip(mi, mj)]
    out += [("weight", c[j], "<~", ind[i]) for i, j in zip(mi, mj)]
    ti, tj = _effect_pairs(d)
    out += [("total", c[j], "~", c[i]) for i, j in zip(ti, tj)]
    out += [("indirect", c[j], "~", c[i]) for i, j in zip(ti, tj)]
    if ipma_of is not None:
        t = total_effects(d)
        target = ipma_of[0]
        out += [("importance", c[target], "ipma", c[j]) for j in range(len(c)) if j != target and t[j, target] > 0]
    hi, hj = np.triu_indices(len(c), 1)
    out += [("htmt", c[i], "htmt", c[j]) for i, j in zip(hi, hj)]
    return out


def _bootstrap(x, lay, fit, zcor, *, scheme, max_iter, tol, replicates, seed, ci_level, progress, ipma_of=None):
    from cxstats.stats.drivers.bootstrap import bca_interval

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = len(x)
    est = statistics(fit, lay, zcor, ipma_of, x)
    samples = np.full((replicates, len(est)), np.nan)
    failed = inadmissible = 0
    step = max(1, replicates // 100)
    for r in range(replicates):
        rows = rng.integers(0, n, n)
        try:
            samples[r], bad = _stat_of(x[rows], lay, scheme, max_iter, tol, ipma_of, flag=True)
            inadmissible += bad
        except (ModelError, np.linalg.LinAlgError, FloatingPointError):
            failed += 1
        if progress is not None and ((r + 1) % step == 0 or r + 1 == replicates):
            progress(r + 1, replicates)
    ok = ~np.isnan(samples[:, : len(est) - _n_htmt(lay)]).any(axis=1)
    samples = samples[ok]
    # jackknife for the BCa acceleration (leave-one-out, or random groups of rows for large n)
    groups = n if n <= JACKKNIFE_GROUPS else JACKKNIFE_GROUPS
    assign = np.arange(n) if groups == n else rng.permutation(np.arange(n) % groups)
    jack = np.full((groups, len(est)), np.nan)
    for g in range(groups):
        try:
            jack[g] = _stat_of(x[assign != g], lay, scheme, max_iter, tol, ipma_of)
        except (ModelError, np.linalg.LinAlgError):
            pass
    jack = jack[~np.isnan(jack[:, : len(est) - _n_htmt(lay)]).any(axis=1)]
    import warnings as _w

    alpha = 1 - ci_level
    with np.errstate(invalid="ignore"), _w.catch_warnings():
        _w.simplefilter("ignore", RuntimeWarning)   # HTMT of single-item constructs: all NaN, by design
        se = np.nanstd(samples, axis=0, ddof=1) if len(samples) > 1 else np.full(len(est), np.nan)
        pl, pu = (np.nanquantile(samples, [alpha / 2, 1 - alpha / 2], axis=0) if len(samples)
                  else (est * np.nan, est * np.nan))
        upper_one_sided = np.nanquantile(samples, ci_level, axis=0) if len(samples) else est * np.nan
    bl, bu = bca_interval(np.nan_to_num(samples, nan=np.inf), est, np.nan_to_num(jack, nan=0.0), ci_level)
    warnings = []
    if inadmissible:
        warnings.append(f"bootstrap: in {inadmissible} of {replicates} resamples consistent PLS was inadmissible (a "
                        f"disattenuated construct correlation beyond ±1): the PLSc paths are unstable here and "
                        f"their intervals wide; consider consistent=False")
    if failed:
        warnings.append(f"bootstrap: {failed} of {replicates} resamples could not be estimated (a constant "
                        f"indicator or collinear constructs in the resample) and were left out")
    return {"replicates": replicates, "valid": int(len(samples)), "failed": failed, "ci_level": ci_level,
            "seed": seed if isinstance(seed, (int, type(None))) else str(seed), "jackknife_groups": int(len(jack)),
            "labels": labels(lay, ipma_of), "est": est, "se": se, "pct_lower": pl, "pct_upper": pu,
            "bca_lower": bl, "bca_upper": bu, "upper_one_sided": upper_one_sided,
            "samples": samples, "warnings": warnings}


def _n_htmt(lay):
    k = len(lay.constructs)
    return k * (k - 1) // 2


def _stat_of(xb, lay, scheme, max_iter, tol, ipma_of=None, flag=False):
    z = standardize(xb)
    zc = (z.T @ z) / (len(z) - 1)
    f = fit_pls(z, lay, scheme=scheme, max_iter=max_iter, tol=tol, zcor=zc)
    out = statistics(f, lay, zc, ipma_of, xb)
    if flag:
        off = np.abs(f.construct_cor - np.eye(len(f.construct_cor)))
        return out, bool(lay.corrected.any() and off.max() > 1)
    return out
