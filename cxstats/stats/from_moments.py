"""Analyses from sufficient statistics (:mod:`cxstats.moments`) instead of rows.

The same numbers as the row-level entry points, computed from what an engine (pandas, DuckDB,
Spark) returns after one pass over the data:

* :func:`analyze_reliability_moments` - ``analyze_reliability`` from :class:`PatternMoments`
  per group: alpha (raw/std, Feldt CI), G6, average/median r, item statistics (r_drop,
  alpha if dropped, raw_r, std_r, r_cor), omega (psych minres and the one-factor ML CFA).
  Pairwise deletion (psych's default) needs the moments per answer pattern: every pairwise
  covariance and correlation is a Chan merge of the patterns answering both items, and each
  respondent's scale score (the mean of the items answered) is linear within a pattern, so its
  correlation with each item is exact too. The row bootstrap is not available from moments.
* :func:`nps_from_category_counts` - NPS and its adjusted-Wald CI from counts per answer.
* :func:`compare_two_counts` - Welch t, Student t, Mann-Whitney U (mid-ranks per category: ties
  exact, R's normal approximation with tie and continuity correction) and Hedges' g from counts
  per answer value of two groups (``compare_two`` of ``stats.gaps.tests``).
* :func:`drivers_from_moments` - OLS (classical SEs), R², standardized betas, LMG, relative
  weights, Pratt, VIF from the co-moments of the complete rows. HC3 standard errors need each
  row's residual and leverage: :func:`hc3_from_meat` from a second pass's sums.
* :func:`analyze_gaps_counts` - the whole two-group ``analyze_gaps`` result (unweighted, not
  paired) from counts per score value and cell (group x segment): Holm/BH, segments, invariance.
* :func:`analyze_drivers_moments` - the whole continuous ``analyze_drivers`` result without
  bootstrap and penalty-reward: dominance, warnings, the IPA quadrants and (given a second
  pass) HC3 SEs.
* :func:`fit_sem_moments` / :func:`analyze_cfa_moments` - the ML fit of a lavaan model to the
  complete-case moments (per group), as ``fit_sem(..., missing="listwise")``.
* :func:`analyze_efa_moments` - ``analyze_efa`` (Pearson) from pattern moments (pairwise or
  listwise correlations) and, for the parallel analysis, each item's counts per answer.
* :func:`analyze_sem_patterns` - ``analyze_sem`` (ML/FIML, no bootstrap) from pattern moments.
* :func:`analyze_invariance_patterns` (:func:`model_invariance_patterns`,
  :func:`construct_invariance_patterns`) - the ML invariance sequence from each group's pattern
  moments, a model as a whole or a construct at a time.
"""

from __future__ import annotations

import math

import numpy as np

from cxstats.errors import InputError
from cxstats.moments import Counts, Moments, PatternMoments

ROW_LEVEL = ("the row bootstrap", "verbatims")   # penalty-reward: stats.drivers.ipa.penalty_reward_moments


# ------------------------------------------------------------------------------- reliability

def _item_total(pm: PatternMoments, j: int) -> Moments:
    """Moments of (item j, scale score) over the rows answering item j, the score being each
    row's mean of the items it answered (linear within an answer pattern)."""
    name = pm.names[j]
    out = Moments.empty((name, "_lin"))
    for key, m in sorted(pm.patterns.items()):
        if not key[j]:
            continue
        k_obs = len(m.names)
        out = out.merge(m.linear((name,), np.full(k_obs, 1.0 / k_obs)))
    return out


def _score_moments(pm: PatternMoments) -> Moments:
    out = Moments.empty(("_lin",))
    for key, m in sorted(pm.patterns.items()):
        if any(key):
            k_obs = len(m.names)
            out = out.merge(m.linear((), np.full(k_obs, 1.0 / k_obs)))
    return out


def scale_reliability_moments(pm: PatternMoments, *, scale: str = "scale", group=None,
                              missing: str = "pairwise", omega: bool = True, file=None):
    """``stats.reliability.scale_reliability`` from the pattern moments of the scale's items
    (already reverse-keyed)."""
    from cxstats.stats._factor import cov2cor
    from cxstats.stats.reliability import (MISSING, ItemStats, ScaleReliability, checked_omega_cfa, feldt_ci,
                                           omega_psych, scale_statistics)

    if missing not in MISSING:
        raise InputError(f"must be 'pairwise' or 'listwise', not {missing!r}", option="missing")
    items = list(pm.names)
    where = f"scale '{scale}'" + (f" (group {group})" if group is not None else "")
    if len(items) < 2:
        raise InputError(f"{where}: alpha needs at least 2 items, got {len(items)} ({', '.join(items)})")
    pm = pm.answering_any()
    full = pm.complete()
    n_complete = int(full.n)
    if missing == "listwise":
        pm = PatternMoments(pm.names, {k: m for k, m in pm.patterns.items() if all(k)})
    n, k = pm.n, len(items)
    if n <= k:
        raise InputError(f"{where}: {n} usable respondents for {k} items; reliability needs more "
                         f"respondents than items" + (" (listwise: rows complete on every item)"
                                                      if missing == "listwise" else ""), file=file)
    warnings: list[str] = []
    marg = [pm.observed((it,)) for it in items]
    counts = np.array([m.n for m in marg])
    sds = np.array([math.sqrt(m.m2[0, 0] / (m.n - 1)) if m.n > 1 else np.nan for m in marg])
    for j, it in enumerate(items):
        if counts[j] < 2:
            raise InputError(f"{where}: item has {counts[j]} answers; it cannot enter a reliability analysis",
                             file=file, column=it)
        if not sds[j] > 0:
            raise InputError(f"{where}: item is constant (every answer is {marg[j].mean[0]:g}); "
                             "a constant item has no variance and cannot enter alpha; drop it from the scale",
                             file=file, column=it)
    if missing == "listwise":
        c = full.cov(1)
        pair_cor = cov2cor(c)
    else:
        c, pair_cor, _ = pm.pairwise()
    r, singular, tot, drops, sum_r, std_r, r_cor = scale_statistics(c, items, where, file, warnings)
    raw_r = []
    for j in range(k):
        it = _item_total(pm, j)
        raw_r.append(float(it.m2[0, 1] / math.sqrt(it.m2[0, 0] * it.m2[1, 1])) if it.n > 1 else float("nan"))
    score = _score_moments(pm)
    item_stats = []
    for i, it in enumerate(items):
        rest = [j for j in range(k) if j != i]
        c_drop = float(np.sum(c[:, i]) - c[i, i])
        v_drop = float(np.sum(c[np.ix_(rest, rest)]))
        r_drop = c_drop / np.sqrt(c[i, i] * v_drop)
        if drops[i] is not None:
            ad, ads, avd = drops[i]["raw"], drops[i]["std"], drops[i]["av_r"]
        else:
            ad = ads = avd = float("nan")
        item_stats.append(ItemStats(it, int(counts[i]), float(marg[i].mean[0]), float(sds[i]),
                                    raw_r[i], float(std_r[i]), float(r_cor[i]), float(r_drop),
                                    ad, ads, avd))
        if k > 2 and ad > tot["raw"] + 0.05 and r_drop < 0.2:
            warnings.append(f"{where}: item '{it}' has r_drop {r_drop:.2f} and alpha rises to {ad:.3f} "
                            "without it; check its wording or keying")
    lo, hi = feldt_ci(tot["raw"], n, k)
    om_t, om_cfa = None, None
    if omega:
        if k < 3:
            warnings.append(f"{where}: omega needs at least 3 items (a one-factor model with "
                            f"{k} items is not identified); only alpha is reported")
        elif not singular:
            om_t = omega_psych(pair_cor if missing == "pairwise" else r)
            om_cfa = checked_omega_cfa(lambda: omega_cfa_moments(full), int(full.n), items, where, warnings)
    if n < 30:
        warnings.append(f"{where}: only {n} respondents; reliability estimates are imprecise")
    return ScaleReliability(
        scale=scale, items=items, group=group, missing=missing, n=int(n), n_complete=n_complete,
        alpha=tot["raw"], alpha_std=tot["std"],
        alpha_ci={"lower": float(lo), "upper": float(hi), "level": 0.95, "method": "feldt"},
        alpha_ci_bootstrap=None, g6_smc=tot["g6"], average_r=tot["av_r"], median_r=tot["med_r"],
        s_n=tot["sn"], ase=float(np.sqrt(tot["q"] / n)) if tot["q"] >= 0 else float("nan"),
        total_mean=float(score.mean[0]), total_sd=float(math.sqrt(score.m2[0, 0] / (score.n - 1))),
        omega_total=om_t, omega_cfa=om_cfa, item_stats=item_stats, warnings=warnings)


def omega_cfa_moments(full: Moments) -> dict:
    """``stats.reliability.omega_cfa`` from the moments of the complete rows."""
    from cxstats.stats._factor import one_factor_cfa

    n = full.n
    s = full.m2 / n
    fit = one_factor_cfa(s, n)
    lam, th = fit["loadings"], fit["residual_variances"]
    l2 = float(np.sum(lam)) ** 2
    std_all = lam / np.sqrt(lam ** 2 + th)
    ls = float(np.sum(std_all))
    return {"omega": l2 / float(np.sum(s)), "omega_model": l2 / (l2 + float(np.sum(th))),
            "omega_std": ls ** 2 / (ls ** 2 + float(np.sum(1.0 - std_all ** 2))),
            "n": int(n), "loadings": lam.tolist(), "residual_variances": th.tolist(),
            "loadings_std_all": std_all.tolist(), "chisq": fit["chisq"], "df": fit["df"],
            "converged": fit["converged"]}


def analyze_reliability_moments(moments: dict, scales: dict, *, missing: str = "pairwise",
                                reverse=(), n_boot: int = 0, file=None):
    """``analyze_reliability`` from ``{group label or None: PatternMoments}`` over (at least) the
    scales' items, reverse keying already applied by the engine. ``n_boot`` > 0 is refused:
    the row bootstrap needs the rows."""
    from cxstats.stats.reliability import ReliabilityResult

    if n_boot:
        raise InputError("the bootstrap CI of alpha resamples respondents and needs the rows; the "
                         "moment engines give Feldt's CI: use engine pandas for a bootstrap (on a "
                         "sample if the data are large)", option="bootstrap")
    reverse = list(reverse or [])
    results, warnings = [], []
    groups = [g for g in moments if g is not None]
    order = [None] if None in moments else sorted(groups, key=str)
    for name, items in scales.items():
        for g in order:
            res = scale_reliability_moments(moments[g].project(items), scale=name, group=g,
                                            missing=missing, file=file)
            res.reverse = [r for r in reverse if r in items]
            results.append(res)
            warnings.extend(res.warnings)
    return ReliabilityResult(results, missing, n_bootstrap=0, seed=None, warnings=warnings)


# ---------------------------------------------------------------------------------------- NPS

def nps_from_category_counts(counts: Counts) -> dict:
    """``stats.nps.nps_stats`` from counts per 0-10 answer."""
    from cxstats.stats.nps import nps_from_counts

    c = counts.counts
    prom = sum(v for k, v in c.items() if k >= 9)
    pas = sum(v for k, v in c.items() if 7 <= k < 9)
    det = sum(v for k, v in c.items() if k < 7)
    return nps_from_counts(int(prom), int(pas), int(det))


# --------------------------------------------------------------------------------------- gaps

def welch_moments(a: Moments, b: Moments) -> dict:
    """Welch's t test (R ``t.test(a, b)``) from each group's n, mean and M2."""
    from scipy import stats

    out = {"welch_t": math.nan, "welch_df": math.nan, "pvalue": math.nan,
           "welch_ci_lower": math.nan, "welch_ci_upper": math.nan}
    if a.n < 2 or b.n < 2:
        return out
    va, vb = a.m2[0, 0] / (a.n - 1) / a.n, b.m2[0, 0] / (b.n - 1) / b.n
    se = math.sqrt(va + vb)
    if not se > 0:
        return out
    diff = float(a.mean[0] - b.mean[0])
    t = diff / se
    df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1))
    q = float(stats.t.ppf(0.975, df))
    out.update(welch_t=t, welch_df=df, pvalue=float(2 * stats.t.sf(abs(t), df)),
               welch_ci_lower=diff - q * se, welch_ci_upper=diff + q * se)
    return out


def student_moments(a: Moments, b: Moments) -> dict:
    """Student's pooled t test (R ``t.test(a, b, var.equal = TRUE)``) from moments."""
    from scipy import stats

    out = {"student_t": math.nan, "student_df": math.nan, "student_p": math.nan}
    if a.n < 2 or b.n < 2:
        return out
    df = a.n + b.n - 2
    sp2 = (a.m2[0, 0] + b.m2[0, 0]) / df
    se = math.sqrt(sp2 * (1 / a.n + 1 / b.n))
    if not se > 0:
        return out
    t = float(a.mean[0] - b.mean[0]) / se
    out.update(student_t=t, student_df=float(df), student_p=float(2 * stats.t.sf(abs(t), df)))
    return out


def mann_whitney_counts(a: Counts, b: Counts) -> dict:
    """Mann-Whitney U of the first sample from counts per value (mid-ranks; R
    ``wilcox.test(a, b, exact = FALSE, correct = TRUE)``, scipy ``method="asymptotic"``)."""
    from scipy import stats

    out = {"mw_u": math.nan, "mw_pvalue": math.nan}
    n1, n2 = a.n, b.n
    if n1 < 1 or n2 < 1:
        return out
    values = sorted(set(a.counts) | set(b.counts))
    ca = np.array([a.counts.get(v, 0) for v in values], dtype=float)
    cb = np.array([b.counts.get(v, 0) for v in values], dtype=float)
    t = ca + cb
    before = np.concatenate([[0.0], np.cumsum(t)[:-1]])
    midrank = before + (t + 1) / 2
    r1 = float(ca @ midrank)
    u1 = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    mu = n1 * n2 / 2
    tie = float(np.sum(t ** 3 - t))
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1))))
    u = max(u1, n1 * n2 - u1)
    z = (u - mu - 0.5) / s if s > 0 else math.nan
    p = min(1.0, float(2 * stats.norm.sf(z))) if math.isfinite(z) else math.nan
    out.update(mw_u=float(u1), mw_pvalue=p)
    return out


def hedges_g_moments(a: Moments, b: Moments) -> dict:
    """``stats.gaps.tests.hedges_g`` from moments."""
    from cxstats.stats.gaps.tests import hedges_g_summary

    return hedges_g_summary(a.n, b.n, float(a.mean[0]), float(b.mean[0]), float(a.m2[0, 0]), float(b.m2[0, 0]))


def compare_two_counts(a: Counts, b: Counts, *, top2_threshold: float | None = None) -> dict:
    """``stats.gaps.tests.compare_two`` (unweighted) from counts per value of the two groups."""
    ma, mb = a.moments(), b.moments()
    n1, n2 = ma.n, mb.n
    row = {"n": [n1, n2]}
    m = [float(x.mean[0]) if x.n else math.nan for x in (ma, mb)]
    s = [math.sqrt(x.m2[0, 0] / (x.n - 1)) if x.n > 1 else math.nan for x in (ma, mb)]
    t2 = [sum(c for v, c in x.counts.items() if v >= top2_threshold) / x.n
          if x.n and top2_threshold is not None else math.nan for x in (a, b)]
    row["mean"], row["sd"], row["top2_share"] = m, s, t2
    row["diff"] = m[0] - m[1]
    row.update(welch_moments(ma, mb))
    row.update(student_moments(ma, mb))
    row.update(mann_whitney_counts(a, b))
    if n1 and n2 and math.isfinite(row["mw_u"]):
        row["mw_u_other"] = n1 * n2 - row["mw_u"]
        row["rank_biserial"] = 2 * row["mw_u"] / (n1 * n2) - 1
    row.update(hedges_g_moments(ma, mb))
    return row


# ------------------------------------------------------------------------------------ drivers

def drivers_from_moments(m: Moments, outcome: str, drivers) -> dict:
    """OLS of ``outcome`` on ``drivers`` and the importance measures from the co-moments of the
    complete rows: b, se, t, pvalue (classical), r2, adj_r2, sigma, F, std_beta, lmg,
    relative_weight, pratt, vif; inv_sxx and df for :func:`hc3_from_meat`."""
    from scipy import stats

    from cxstats.stats.drivers.measures import relative_weights
    from cxstats.stats.drivers.subsets import all_subset_r2, conditional_dominance

    drivers = list(drivers)
    mm = m.select(drivers + [outcome])
    p, n = len(drivers), mm.n
    if n < p + 2:
        raise InputError(f"{n} rows with complete answers but {p} drivers: a regression with {p} "
                         f"drivers needs at least {p + 2} complete rows")
    sxx, sxy, syy = mm.m2[:p, :p], mm.m2[:p, p], mm.m2[p, p]
    inv = np.linalg.inv(sxx)
    b = inv @ sxy
    b0 = float(mm.mean[p] - mm.mean[:p] @ b)
    sse = float(syy - sxy @ b)
    df = n - p - 1
    s2 = sse / df
    se = np.sqrt(np.diag(inv) * s2)
    se0 = math.sqrt(s2 * (1.0 / n + mm.mean[:p] @ inv @ mm.mean[:p]))
    coef = np.concatenate([[b0], b])
    ses = np.concatenate([[se0], se])
    tv = coef / ses
    r2 = 1.0 - sse / syy
    f = (r2 / p) / ((1 - r2) / df)
    d = np.sqrt(np.diag(mm.m2))
    corr = mm.m2 / np.outer(d, d)
    std_beta = b * d[:p] / d[p]
    cd = conditional_dominance(all_subset_r2(corr), p)
    return {"n": int(n), "b": coef, "se": ses, "t": tv, "pvalue": 2 * stats.t.sf(np.abs(tv), df),
            "r2": float(r2), "adj_r2": float(1 - (1 - r2) * (n - 1) / df), "sigma": math.sqrt(s2),
            "f": float(f), "f_df1": p, "f_df2": int(df), "f_pvalue": float(stats.f.sf(f, p, df)),
            "std_beta": std_beta, "lmg": cd.mean(axis=1), "relative_weight": relative_weights(corr),
            "pratt": std_beta * corr[:p, p], "vif": np.diag(np.linalg.inv(corr[:p, :p])),
            "inv_sxx": inv, "df": int(df)}


# hc3_from_meat lives in stats/hc3.py (penalty-reward in stats/drivers/ipa.py uses it too, and
# from_moments imports stats.drivers): re-exported here
from cxstats.stats.hc3 import hc3_from_meat  # noqa: E402,F401


# --------------------------------------------------------------------------------- CFA / SEM

def fit_sem_moments(model, moments, *, group_labels=None, std_lv: bool = False, group_equal=(),
                    group_partial=()):
    """``fit_sem(model, data, missing="listwise")`` (ML) from the complete-case :class:`Moments`
    of the model's variables: one object, or one per group (a list, with ``group_labels``)."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem import ModelOptions, build_partable, fit_moments
    from cxstats.stats.sem.fit import unknown_variable_message
    from cxstats.stats.sem.samplestats import SampleStats
    from cxstats.stats.sem.syntax import parse_model

    parsed = parse_model(model) if isinstance(model, str) else model
    groups = list(moments) if isinstance(moments, (list, tuple)) else [moments]
    opts = ModelOptions(std_lv=std_lv, group_equal=tuple(group_equal), group_partial=tuple(group_partial))
    pt = build_partable(parsed, len(groups), opts)
    absent = [v for v in pt.ov if v not in groups[0].names]
    if absent:
        raise ModelError(unknown_variable_message(absent, list(groups[0].names)))
    sel = [g.select(list(pt.ov)) for g in groups]
    stats = SampleStats.from_moments(list(pt.ov), [g.m2 / g.n for g in sel], [g.mean for g in sel],
                                     [g.n for g in sel], group_labels)
    fitres = fit_moments(pt, stats)
    n = stats.ntotal
    fitres.missing_info = {"method": "listwise", "n_rows": n, "n_used": n, "n_dropped_incomplete": 0}
    return fitres


def analyze_cfa_moments(model: str, moments, **kwargs):
    """``analyze_cfa`` (ML, complete cases) from moments; HTMT from the moments' correlations."""
    from cxstats.stats.cfa import cfa_from_fit

    fit = fit_sem_moments(model, moments, **kwargs)
    return cfa_from_fit(fit, model, None)


# ------------------------------------------------------------------- FIML from pattern moments

def group_patterns_moments(pm: PatternMoments):
    """``stats.sem.fiml.GroupPatterns.from_array`` from pattern moments (rows answering nothing
    excluded): each pattern's n, mean and covariance (divisor n) are its sufficient statistics."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem.fiml import LOG2PI, GroupPatterns, _Block

    p = len(pm.names)
    pats = [(k, m) for k, m in sorted(pm.patterns.items()) if any(k)]
    n = int(sum(m.n for _, m in pats))
    if n == 0:
        raise ModelError("no cases to fit")
    by_q: dict = {}
    for key, m in pats:
        o = np.flatnonzero(key)
        by_q.setdefault(len(o), []).append((o, m.n, np.asarray(m.mean, float), m.m2 / m.n))
    blocks = []
    for q, items in sorted(by_q.items()):
        for single in (True, False):
            its = [it for it in items if (it[1] == 1) == single]
            if not its:
                continue
            obs = np.array([it[0] for it in its], dtype=int)
            blocks.append(_Block(obs, np.array([it[1] for it in its], float), np.array([it[2] for it in its]),
                                 None if single else np.array([it[3] for it in its]),
                                 (obs[:, :, None] * p + obs[:, None, :]).ravel()))
    marg = [pm.observed((v,)) for v in pm.names]
    n_obs = np.array([m.n for m in marg])
    with np.errstate(invalid="ignore", divide="ignore"):
        am = np.array([m.mean[0] if m.n else np.nan for m in marg])
        av = np.array([m.m2[0, 0] / m.n if m.n else np.nan for m in marg])
    qs = sum(m.n * sum(k) for k, m in pats)
    return GroupPatterns(p, n, blocks, len(pats), int(sum(m.n for k, m in pats if not all(k))),
                         float(qs * LOG2PI), n_obs, am, av, int(sum(m.n for k, m in pats if all(k))))


def fiml_data_moments(patterns: list, names, labels, *, grouped: bool = False):
    """``stats.sem.fiml.fiml_data`` from one :class:`PatternMoments` per group (no fixed.x)."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem.fiml import FimlData, group_saturated
    from cxstats.stats.sem.samplestats import SampleStats

    warnings: list[str] = []
    names = list(names)
    n_rows = int(sum(pm.n for pm in patterns))
    n_empty = int(sum(m.n for pm in patterns for k, m in pm.patterns.items() if not any(k)))
    if n_empty:
        warnings.append(f"{n_empty} row(s) with no answer on any model variable were left out "
                        "(full-information ML needs at least one observed value per respondent)")
    pats, covs, means, ns, lls, iters = [], [], [], [], [], []
    for pm, lab in zip(patterns, labels):
        pm = pm.project(names)
        which = f" in group {lab!r}" if grouped else ""
        n_used = int(sum(m.n for k, m in pm.patterns.items() if any(k)))
        if n_used < 2:
            raise ModelError(f"{'group ' + repr(lab) if grouped else 'the data'} has {n_used} "
                             "usable case(s); at least 2 are needed")
        gp = group_patterns_moments(pm)
        pats.append(gp)
        C, m, ll, it = group_saturated(gp, names, which, warnings)
        covs.append(C)
        means.append(m)
        ns.append(gp.n)
        lls.append(ll)
        iters.append(it)
    h1 = SampleStats(names, covs, means, ns, [str(x) for x in labels])
    return FimlData(pats, h1, lls, n_rows, n_empty, 0, iters), warnings


def fit_sem_patterns(model, patterns: list, *, group_labels=None, missing: str = "auto",
                     std_lv: bool = False, group_equal=(), group_partial=()):
    """``fit_sem`` (estimator ML) from one :class:`PatternMoments` per group over (at least) the
    model's variables: FIML (``missing="ml"``, or ``"auto"`` when an answer is missing) from the
    moments per answer pattern, listwise ML from the complete pattern."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem import ModelOptions, build_partable, fit_moments
    from cxstats.stats.sem.fit import fit_fiml, missing_note, unknown_variable_message
    from cxstats.stats.sem.samplestats import SampleStats
    from cxstats.stats.sem.syntax import parse_model

    parsed = parse_model(model) if isinstance(model, str) else model
    grouped = group_labels is not None
    labels = list(group_labels) if grouped else ["all"]
    opts = ModelOptions(std_lv=std_lv, group_equal=tuple(group_equal), group_partial=tuple(group_partial))
    pt0 = build_partable(parsed, 1, opts)
    absent = [v for v in pt0.ov if v not in patterns[0].names]
    if absent:
        raise ModelError(unknown_variable_message(absent, list(patterns[0].names)))
    ov = list(pt0.ov)
    if pt0.ov_x:
        raise InputError("exogenous covariates (fixed.x) are fitted from the rows; use engine pandas",
                         option="engine")
    patterns = [pm.project(ov) for pm in patterns]
    if missing == "auto":
        missing = "ml" if any(not all(k) for pm in patterns for k in pm.patterns) else "listwise"
    if missing == "ml":
        opts.meanstructure = True
        pt0 = build_partable(parsed, 1, opts)
        fdata, warns = fiml_data_moments(patterns, ov, labels, grouped=grouped)
        pt = build_partable(parsed, len(labels), opts) if len(labels) != 1 else pt0
        fitres = fit_fiml(pt, fdata)
        fitres.warnings = warns + [missing_note(fitres.missing_info)] + fitres.warnings
        return fitres
    warns = []
    n_rows = int(sum(pm.n for pm in patterns))
    full = [pm.complete() for pm in patterns]
    dropped = n_rows - int(sum(m.n for m in full))
    if dropped:
        warns.append(f"{dropped} row(s) with missing values on the model variables were left out "
                     "(listwise deletion, lavaan's default)")
    p = len(ov)
    for m, lab in zip(full, labels):
        if m.n < 2 or m.n <= p:
            which = f"group {lab!r}" if grouped else "data"
            raise ModelError(f"{which} has {m.n} complete case(s) for {p} variables; "
                             f"the covariance matrix needs more cases than variables")
    stats = SampleStats.from_moments(ov, [m.m2 / m.n for m in full], [m.mean for m in full],
                                     [m.n for m in full], [str(x) for x in labels])
    pt = build_partable(parsed, len(labels), opts) if len(labels) != 1 else pt0
    fitres = fit_moments(pt, stats)
    fitres.warnings = warns + fitres.warnings
    fitres.missing_info = {"method": "listwise", "n_rows": n_rows, "n_used": stats.ntotal,
                           "n_dropped_incomplete": n_rows - stats.ntotal}
    return fitres


def analyze_cfa_patterns(model: str, patterns: list, *, group_labels=None, missing: str = "auto",
                         std_lv: bool = False, group_equal=(), group_partial=(), modindices=None):
    """``analyze_cfa`` (estimator ML, no weights) from pattern moments per group."""
    from cxstats.stats.cfa import add_modindices, cfa_from_fit

    fit = fit_sem_patterns(model, patterns, group_labels=group_labels, missing=missing, std_lv=std_lv,
                           group_equal=group_equal, group_partial=group_partial)
    res = cfa_from_fit(fit, model, None)
    if modindices is not None:
        add_modindices(res, fit, modindices)
    return res


# ------------------------------------------------------------------------ NPS, CSAT, CES

def _cells(cells: dict, group=..., segment=...) -> Counts:
    """Merge of the ``{(group, segment): Counts}`` cells matching ``group`` and ``segment``
    (``...`` = any)."""
    out = Counts({})
    for (g, s), c in cells.items():
        if (group is ... or g == group) and (segment is ... or s == segment):
            out = out.merge(c)
    return out


def _three(c: Counts) -> tuple:
    v = c.counts
    return (int(sum(n for k, n in v.items() if k >= 9)), int(sum(n for k, n in v.items() if 7 <= k < 9)),
            int(sum(n for k, n in v.items() if k < 7)))


def nps_difference_counts(a: Counts, b: Counts) -> dict:
    """``stats.nps.nps_difference`` from counts per answer."""
    from cxstats.stats.nps import Z975, _adjusted, nps_from_counts

    ca, cb = _three(a), _three(b)
    sa, sb = nps_from_counts(*ca), nps_from_counts(*cb)
    out = {"diff": sa["nps"] - sb["nps"], "diff_se": math.nan, "z": math.nan, "pvalue": math.nan,
           "diff_ci_lower": math.nan, "diff_ci_upper": math.nan}
    if sa["n"] == 0 or sb["n"] == 0:
        return out
    (ea, va), (eb, vb) = _adjusted(ca), _adjusted(cb)
    se = math.sqrt(va + vb)
    z = (ea - eb) / se
    out.update(diff_se=100 * se, z=z, pvalue=math.erfc(abs(z) / math.sqrt(2)),
               diff_ci_lower=100 * (ea - eb - Z975 * se), diff_ci_upper=100 * (ea - eb + Z975 * se))
    return out


def csat_counts(c: Counts, scale_max: float) -> dict:
    """``stats.nps.csat_stats`` from counts per answer."""
    from cxstats.stats.nps import wilson_interval

    n = int(c.n)
    out = {"n": n, "mean": float(c.moments().mean[0]) if n else math.nan, "scale_max": scale_max}
    for key, thr in (("top_box", scale_max), ("top2_box", scale_max - 1)):
        x = int(sum(k for v, k in c.counts.items() if v >= thr))
        lo, hi = wilson_interval(x, n)
        out[f"{key}_share"] = x / n if n else math.nan
        out[f"{key}_share_ci_lower"] = lo
        out[f"{key}_share_ci_upper"] = hi
    return out


def ces_counts(c: Counts) -> dict:
    """``stats.nps.ces_stats`` from counts per answer."""
    from scipy import stats

    n = int(c.n)
    m = c.moments()
    out = {"n": n, "mean": float(m.mean[0]) if n else math.nan, "sd": math.nan,
           "ci_lower": math.nan, "ci_upper": math.nan}
    if n >= 2:
        sd = math.sqrt(m.m2[0, 0] / (n - 1))
        h = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        out.update(sd=sd, ci_lower=out["mean"] - h, ci_upper=out["mean"] + h)
    return out


def analyze_nps_counts(counts: dict, column: str | None, *, group: str | None = None, compare=None,
                       by: str | None = None, min_n: int = 30, csat: dict | None = None, ces=None,
                       scale=None):
    """``analyze_nps`` from counts: ``counts[col]`` = ``{(group label or None, segment or None):
    Counts}`` for the recommend column and each CSAT/CES column (answers already validated by
    the engine's recoding)."""
    from cxstats.stats.nps import NpsResult, _suppress, check_nps_scale, comparison_pair, nps_from_counts

    def nps(c: Counts) -> dict:
        return nps_from_counts(*_three(c))

    csat, ces = dict(csat or {}), list(ces or [])
    if column is None and not (csat or ces):
        raise InputError("name the 0-10 likelihood-to-recommend column, or CSAT/CES columns", option="column")
    labels = sorted({g for col in counts.values() for g, _ in col if g})
    if column is None:
        res = NpsResult(column=None, overall=None, min_n=min_n,
                        warnings=["no likelihood-to-recommend (0-10) question: CSAT/CES reported alone, no NPS"])
        if group:
            if not labels:
                raise InputError("the group column has no values", column=group)
            res.group_column = group
            for g in compare or []:
                if g not in labels:
                    raise InputError(f"group {g!r} has no respondents (values present: {', '.join(labels)})",
                                     column=group, value=g)
        _csat_ces_counts(res, counts, labels if group else None, csat, ces)
        return res
    cells = counts[column]
    allc = _cells(cells)
    check_nps_scale(np.array(sorted(allc.counts), dtype=float), column, scale)
    warnings = []
    overall = nps(allc)
    if overall["n"] == 0:
        raise InputError("the NPS column has no answers", column=column)
    if overall["n"] < min_n:
        warnings.append(f"only {overall['n']} NPS answers: the interval is wide")
    if overall["n"] >= 100 and min(allc.counts) >= 1:
        warnings.append(f"no answer is 0 among {overall['n']}: NPS is defined on a 0-10 scale; if the "
                        "question was asked 1-10 (or 1-5), the score is not comparable with published NPS")
    res = NpsResult(column=column, overall=overall, min_n=min_n, warnings=warnings)
    present = sorted({g for g, _ in cells if g})
    if group:
        if not present:
            raise InputError("the group column has no values", column=group)
        res.group_column = group
        for g in present:
            s = nps(_cells(cells, group=g))
            res.groups.append({"group": g, **s})
            if 0 < s["n"] < min_n:
                warnings.append(f"group {g}: only {s['n']} NPS answers")
        pair = comparison_pair(compare, present, group)
        if pair:
            res.comparison = {"group1": pair[0], "group2": pair[1],
                              **nps_difference_counts(_cells(cells, group=pair[0]), _cells(cells, group=pair[1]))}
    if by:
        res.segment_column = by
        for seg in sorted({s for _, s in cells if s}):
            res.segments.append(_suppress({"segment": seg, "group": "All", **nps(_cells(cells, segment=seg))}, min_n))
            if group:
                for g in present:
                    res.segments.append(_suppress({"segment": seg, "group": g,
                                                   **nps(_cells(cells, group=g, segment=seg))}, min_n))
        n_sup = sum(1 for r in res.segments if r["suppressed"])
        if n_sup:
            warnings.append(f"{n_sup} segment cells have fewer than {min_n} answers and are suppressed")
    _csat_ces_counts(res, counts, present if group else None, csat, ces)
    return res


def _csat_ces_counts(res, counts, labels, csat, ces):
    for col, smax in csat.items():
        res.csat.append({"column": col, "group": "All", **csat_counts(_cells(counts[col]), float(smax))})
        for g in labels or []:
            res.csat.append({"column": col, "group": g, **csat_counts(_cells(counts[col], group=g), float(smax))})
    for col in ces:
        res.ces.append({"column": col, "group": "All", **ces_counts(_cells(counts[col]))})
        for g in labels or []:
            res.ces.append({"column": col, "group": g, **ces_counts(_cells(counts[col], group=g))})


# ------------------------------------------------------------------------- gaps (whole analysis)

def analyze_gaps_counts(counts: dict, rows: dict, group: str, *, levels: dict, compare=None,
                        scale_max=None, aspirations=None, by: str | None = None, min_n: int = 30,
                        invariance=None, alpha: float = 0.05):
    """``stats.gaps.analyze_gaps`` (two independent groups, unweighted) from counts.

    ``counts``: ``{(level, name): {(group value, segment value): Counts}}`` of each row's score
    (an item's answer; a scale's mean of the items answered when at least half are, as
    ``stats.gaps.analysis._scores``); ``rows``: ``{(group value, segment value): number of
    rows}`` (None = no value). ``levels``: ``{level: {name: [items]}}`` (every (level, name) in
    ``counts``). Welch t, Mann-Whitney U (ties exact from the counts), Hedges' g, top-2-box,
    aspirations, Holm/BH per level, segments and invariance notes as the row-level analysis;
    ``scale_max``: a number, or ``{item: maximum}`` covering every item (the spec's scales).
    """
    from cxstats.stats.gaps.analysis import LEVELS, _adjust, _choose_groups, _with_aspiration, note_rows
    from cxstats.stats.gaps.result import GapsResult, _apply_note, _invariance_notes

    levels = {lv: dict(m) for lv, m in levels.items() if m}
    warnings = []
    present = [g for (g, _s) in rows if g is not None]
    g1, g2 = _choose_groups(present, group, compare)
    n_unknown = sum(n for (g, _s), n in rows.items() if g is None)
    if n_unknown:
        warnings.append(f"{n_unknown} respondents have no value in {group} and are left out")
    if isinstance(scale_max, dict):
        per_item = {str(k): float(v) for k, v in scale_max.items()}
        needed = {i for m in levels.values() for its in m.values() for i in its}
        if not needed <= set(per_item):
            raise InputError("the observed scale maximum needs the rows: give the scale maximum "
                             f"(items without a scale: {', '.join(sorted(needed - set(per_item)))})",
                             option="scale_max")
        scale_max_v, source = (max(per_item.values()) if per_item else None), "the scale of each item"
    else:
        if scale_max is None:
            raise InputError("give the scale maximum (the observed maximum needs the rows)", option="scale_max")
        per_item, scale_max_v, source = {}, float(scale_max), "given"

    def threshold(level, name):
        tops = {per_item.get(i, scale_max_v) for i in levels[level][name]}
        tops.discard(None)
        return max(tops) - 1 if tops else None

    sizes = {g: int(sum(n for (gg, _s), n in rows.items() if gg == g)) for g in (g1, g2)}
    for g, n in sizes.items():
        if n == 0:
            raise InputError(f"group {g!r} has no respondents left to compare", column=group, value=g)
    asp = {k: dict(v) for k, v in (aspirations or {}).items()}

    def cell(level, name, g, seg):
        out = Counts({})
        for (gg, s), c in counts[(level, name)].items():
            if gg == g and (seg is ... or s == seg):
                out = out.merge(c)
        return out

    def block(seg, block_min_n):
        out = []
        for level in LEVELS:
            for name in (levels.get(level) or {}):
                a, b = cell(level, name, g1, seg), cell(level, name, g2, seg)
                r = {"level": level, "name": name}
                na, nb = int(a.n), int(b.n)
                if block_min_n is not None and (na < block_min_n or nb < block_min_n):
                    r.update(n=[na, nb], suppressed=True,
                             note=f"suppressed: fewer than {block_min_n} answers in a group")
                    out.append(r)
                    continue
                r.update(compare_two_counts(a, b, top2_threshold=threshold(level, name)))
                out.append(_with_aspiration(r, asp, level, name, block_min_n))
        return out

    result_rows = block(..., None)
    _adjust(result_rows, alpha, False)
    notes = _invariance_notes(levels, invariance)
    note_rows(result_rows, notes, (g1, g2), min_n, warnings)
    seg_rows = []
    if by:
        for seg in sorted({s for (_g, s) in rows if s is not None}):
            b = block(seg, min_n)
            _adjust(b, alpha, False)
            for r in b:
                _apply_note(r, notes)
                r["segment"] = seg
            seg_rows.extend(b)
        n_sup = sum(1 for r in seg_rows if r.get("suppressed"))
        if n_sup:
            warnings.append(f"{n_sup} segment cells have fewer than {min_n} answers in a group and are suppressed")
    return GapsResult(groups=(g1, g2), group_column=group, rows=result_rows, scale_max=scale_max_v,
                      scale_max_source=source, weight=None, segment_column=by, min_n=min_n,
                      segments=seg_rows, group_sizes=sizes, invariance=dict(invariance or {}),
                      alpha=alpha, levels=levels, warnings=warnings)


# ----------------------------------------------------------------------- drivers (whole analysis)

def analyze_drivers_moments(m: Moments, outcome: str, drivers, *, n_all: int | None = None,
                            performance: str = "mean", aspiration=None, scale=None, ipa_cutoffs=None,
                            top2_shares=None, complete: bool | None = None, source=None,
                            row_level_note: str | None = None, hc3_meat=None, bootstrap=None):
    """``stats.drivers.analyze_drivers`` (continuous outcome, unweighted, no bootstrap) from the
    co-moments ``m`` of the complete rows of ``drivers`` + ``outcome``: OLS with classical SEs,
    R², F, standardized betas, LMG / dominance (general, conditional, complete), relative weights,
    Pratt, VIF, condition number, the collinearity and listwise warnings (``n_all``: rows before
    listwise deletion) and the IPA quadrants (performance ``mean`` and ``gap`` from the means;
    ``top2`` from ``top2_shares``: each driver's share of complete rows at or above its scale
    maximum - 1). HC3 SEs need each row's residual and leverage: ``hc3_meat(center, b, inv_sxx,
    n)`` (a second pass over the same complete rows, e.g. ``_hc3_meat`` of ``steps.drivers``)
    returns the centred meat of :func:`hc3_from_meat` for the first pass's means ``center``
    (drivers, then outcome), slopes ``b`` and ``inv_sxx`` = (centred X'X)^-1; without it they are
    null. Penalty-reward is not part of this result: the caller adds it from the box dummies
    co-moments (:func:`cxstats.stats.drivers.ipa.penalty_reward_moments`, as ``steps.drivers``);
    ``row_level_note``, if given, is appended to the warnings. ``bootstrap``:
    ``bootstrap(res) -> BootstrapResult`` from the estimates (the Poisson bootstrap of
    :func:`cxstats.stats.poisson_bootstrap.drivers_bootstrap`): its intervals, and the IPA's
    'determined' from them, as the row path."""
    from cxstats.stats.drivers.core import (COMPLETE_DOMINANCE_MAX_P, _check_names, checked_eigenvalues,
                                            _collinearity_warnings, check_size_and_performance)
    from cxstats.stats.drivers.result import DriversResult
    from cxstats.stats.drivers.subsets import all_subset_r2, complete_dominance, conditional_dominance

    drivers = list(drivers)

    class _Cols:                       # _check_names reads frame.columns
        columns = list(m.names)
    _check_names(outcome, drivers, _Cols, source)
    p = len(drivers)
    check_size_and_performance(p, performance, source)
    mm = m.select(drivers + [outcome])
    n = int(mm.n)
    n_all = n if n_all is None else int(n_all)
    warnings = []
    if n < n_all:
        warnings.append(f"{n_all - n} of {n_all} rows have a missing outcome or driver and were left "
                        f"out (listwise deletion); n = {n}")
    if n < p + 2:
        raise InputError(f"{n} rows with complete answers but {p} drivers: a regression with {p} "
                         f"drivers needs at least {p + 2} complete rows (more drivers than cases); "
                         "use fewer drivers or more data", file=source)
    for j, name in enumerate(drivers):
        if not mm.m2[j, j] > 0:
            raise InputError(f"driver is constant (every complete row has {mm.mean[j]:g}), so it cannot "
                             "explain anything; leave it out", file=source, column=name)
    if not mm.m2[p, p] > 0:
        raise InputError(f"the outcome is constant (every complete row has {mm.mean[p]:g})",
                         file=source, column=outcome)
    d = np.sqrt(np.diag(mm.m2))
    corr = mm.m2 / np.outer(d, d)
    rxx = corr[:p, :p]
    eig = checked_eigenvalues(rxx, drivers, source)
    fit = drivers_from_moments(mm, outcome, drivers)
    vif = fit["vif"]
    condition = float(np.sqrt(eig[-1] / eig[0]))
    warnings.extend(_collinearity_warnings(drivers, vif, condition))
    if n < 10 * p:
        warnings.append(f"only {n} complete rows for {p} drivers (fewer than 10 per driver): "
                        "importance estimates are unstable; see the bootstrap intervals")
    res = DriversResult(outcome=outcome, outcome_type="continuous", drivers=drivers, n=n,
                        n_dropped=n_all - n, binary_threshold=None, vif=vif,
                        condition_number=condition, warnings=warnings, zero_order_r=corr[:p, p])
    nan = np.full(p + 1, np.nan)
    res.ols = {"b": fit["b"], "se": fit["se"], "t": fit["t"], "pvalue": fit["pvalue"],
               "se_hc3": nan, "t_hc3": nan, "pvalue_hc3": nan}
    if hc3_meat is not None:
        meat = hc3_meat(np.asarray(mm.mean, dtype=float), np.asarray(fit["b"][1:], dtype=float),
                        fit["inv_sxx"], n)
        res.ols.update(hc3_from_meat(mm, fit, meat))
    res.model = {k: fit[k] for k in ("r2", "adj_r2", "sigma", "f", "f_df1", "f_df2", "f_pvalue")}
    res.std_beta = fit["std_beta"]
    r2_all = all_subset_r2(corr)
    cd = conditional_dominance(r2_all, p)
    res.conditional_dominance = cd
    res.lmg = cd.mean(axis=1)
    res.r2_subsets_full = float(r2_all[-1])
    if complete is None:
        complete = p <= COMPLETE_DOMINANCE_MAX_P
    res.complete_dominance = complete_dominance(r2_all, p) if complete else None
    res.relative_weight = fit["relative_weight"]
    res.pratt = fit["pratt"]
    if bootstrap is not None:
        res.bootstrap = bootstrap(res)
        res.warnings.extend(res.bootstrap.warnings)
    _ipa_moments(res, mm, performance, aspiration, scale, ipa_cutoffs, top2_shares)
    if row_level_note:
        res.warnings.append(row_level_note)
    return res


def _ipa_moments(res, mm, performance, aspiration, scale, cutoffs, top2_shares):
    """``stats.drivers.core._ipa`` from the means (the Poisson bootstrap's intervals when given;
    penalty-reward is added by the caller)."""
    from cxstats.stats.drivers.core import aspiration_values, driver_scales, ipa_section

    p = len(res.drivers)
    smin, smax, scale_note = driver_scales(res.drivers, scale)
    means = np.asarray(mm.mean[:p], dtype=float)
    if performance == "gap":
        asp = aspiration_values(aspiration, res.drivers)
        perf = means - asp
    elif performance == "top2":
        if top2_shares is None:
            raise InputError("top-2-box performance needs each driver's share at the top of its scale",
                             option="performance")
        perf = np.asarray(top2_shares, dtype=float)
    else:
        perf = means
    importance = res.importance_share()
    ic, pc = (cutoffs or (None, None))
    if pc is None and performance == "gap":
        pc = 0.0
    interval = perf_interval = None
    if getattr(res, "bootstrap", None) is not None:     # the Poisson bootstrap (as stats.drivers.core._ipa)
        from cxstats.stats.poisson_bootstrap import performance_interval

        samples = res.bootstrap.samples.get(res.importance_name())
        if samples is not None and len(samples) > 1:
            shares = samples / samples.sum(axis=1, keepdims=True)
            alpha = 1 - res.bootstrap.ci_level
            interval = tuple(np.quantile(shares, [alpha / 2, 1 - alpha / 2], axis=0))
        perf_interval = performance_interval(res.bootstrap, None, performance, smax,
                                             asp if performance == "gap" else None)
    ipa_section(res, importance, perf, interval, perf_interval, ic, pc, performance, scale_note)


# ----------------------------------------------------------------------------------------- EFA

def analyze_efa_moments(pm: PatternMoments, counts: dict | None = None, *, n_factors: int | None = None,
                        method: str = "minres", rotation: str = "oblimin", missing: str = "pairwise", seed=None,
                        n_iter: int = 20, parallel: bool = True, progress=None, file=None):
    """``stats.efa.analyze_efa`` (Pearson correlations) from the pattern moments of the items over
    every row of the group (rows answering no item included: psych's n.obs = rows given).

    Pairwise: R's ``cor(use = "pairwise")`` (each entry a Chan merge of the patterns answering both
    items, :meth:`PatternMoments.pairwise`), n = every row; listwise: the complete pattern's
    correlations, n = its rows. KMO, Bartlett, extraction, rotation and fit then come from that
    matrix (:func:`cxstats.stats.efa.efa_from_correlation`, shared with the rows). The parallel
    analysis simulates normal data of n rows and resamples each item from its own values: ``counts``
    ``{item: Counts}`` over the rows it uses (pairwise: every row of the group; listwise: the
    complete rows) are what the row path resamples (:func:`cxstats.stats.efa.parallel_from`), so the
    seeded draws are the same."""
    from cxstats.stats._factor import cov2cor
    from cxstats.stats.efa import (_blank_warning, _check_efa_options, _check_item, efa_from_correlation,
                                   parallel_from)

    items = _check_efa_options(method, rotation, missing, pm.names)
    p = len(items)
    n_rows = int(pm.n)
    n_blank = int(sum(m.n for k, m in pm.patterns.items() if not any(k)))
    warnings = _blank_warning(n_blank, n_rows, p, missing)
    for it in items:
        m = pm.observed((it,))
        _check_item(it, int(m.n), float(m.mean[0]) if m.n >= 2 and not m.m2[0, 0] > 0 else None, file)
    if missing == "listwise":
        full = pm.complete()
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cov2cor(full.m2) if full.n else np.full((p, p), np.nan)
        n_obs = n_sim = int(full.n)
    else:
        _, r, _ = pm.pairwise()
        n_obs = n_sim = n_rows
    def pa():
        return parallel_from(r, [counts[it].arrays() for it in items], n_sim, n_iter=n_iter, seed=seed, fm=method,
                             progress=progress)

    if parallel and (counts is None or any(it not in counts for it in items)):
        raise ValueError("the parallel analysis needs each item's counts per answer")
    return efa_from_correlation(r, n_obs, items, n_rows=n_rows, n_blank=n_blank, warnings=warnings,
                                parallel=pa if parallel else None,
                                n_factors=n_factors, method=method, rotation=rotation, missing=missing, file=file)


# ----------------------------------------------------------------------------------------- SEM

def analyze_sem_patterns(model: str, patterns: list, *, missing: str = "auto", std_lv: bool = False,
                         modindices: int | None = None, level: float = 0.95):
    """``stats.sem_analysis.analyze_sem`` (estimator ML, no weights, no bootstrap) from the pattern
    moments of one group over (at least) the model's observed variables: FIML from the moments per
    answer pattern, or listwise ML (:func:`fit_sem_patterns`); the result is assembled by the row
    path's :func:`cxstats.stats.sem_analysis.sem_from_fit`. The row bootstrap needs the rows."""
    from cxstats.stats.sem_analysis import check_continuous_missing, sem_from_fit

    check_continuous_missing(missing)
    fit = fit_sem_patterns(model, list(patterns), missing=missing, std_lv=std_lv)
    return sem_from_fit(fit, model, level=level, modindices=modindices)


# ---------------------------------------------------------------------------------- invariance

def _invariance_gate(gate: dict) -> dict:
    """The configural fit cut-offs given (the defaults of ``stats.invariance`` otherwise), checked."""
    from cxstats.stats.invariance import _gate
    from cxstats.thresholds import CONFIGURAL_CFI, CONFIGURAL_RMSEA, CONFIGURAL_SRMR

    unknown = set(gate) - {"configural_cfi", "configural_rmsea", "configural_srmr"}
    if unknown:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(unknown))}")
    return _gate(gate.get("configural_cfi", CONFIGURAL_CFI), gate.get("configural_rmsea", CONFIGURAL_RMSEA),
                 gate.get("configural_srmr", CONFIGURAL_SRMR))


def model_invariance_patterns(patterns: dict, model, *, group_labels, n_unlabelled: int = 0, free=(),
                              levels=None, rule: str = "cfi", alpha: float = 0.05, std_lv: bool = False,
                              missing: str = "auto", estimator: str = "ML", **gate):
    """``stats.invariance.model_invariance`` (estimator ML, no weights) from ``{group label:
    PatternMoments}`` over (at least) the model's observed variables: every step (configural,
    metric, scalar, strict; lavaan's group.equal and group.partial) a multi-group ML fit from the
    moments (:func:`fit_sem_patterns`: FIML from the moments per answer pattern, or listwise), the
    groups in ``group_labels`` order (the first is the reference group); the sequence is judged by
    the row path's ``_assemble``. ``n_unlabelled``: rows left out for want of a group value (said
    in a warning, as the rows' path does). Robust and ordinal estimators need the rows."""
    from cxstats.stats.invariance import LEVELS, RULES, _assemble, _check_estimator, _check_free, _fit_steps
    from cxstats.stats.sem.partable import ModelOptions, build_partable
    from cxstats.stats.sem.syntax import parse_model

    if rule not in RULES:
        raise InputError(f"unknown invariance rule {rule!r}; use one of {', '.join(RULES)}", option="rule")
    gate = _invariance_gate(gate)
    if _check_estimator(estimator) != "ML":
        raise InputError("robust and ordinal estimators need each respondent's answers; from moments the "
                         "invariance sequence is fitted by ML (FIML)", option="estimator")
    levels = [lv for lv in LEVELS if levels is None or lv in levels]
    parsed = parse_model(model) if isinstance(model, str) else model
    free = _check_free(parsed, list(free or ()))
    labels = list(group_labels)
    names = next(iter(patterns.values())).names if patterns else ()
    pms = [patterns.get(lab, PatternMoments(tuple(names), {})) for lab in labels]
    if missing == "auto":
        ov = build_partable(parsed, 1, ModelOptions(std_lv=std_lv)).ov
        absent = [v for v in ov if v not in names]
        missing = "ml" if not absent and any(not all(k) for pm in pms for k in pm.project(ov).patterns) \
            else "listwise"
    note = [f"{int(n_unlabelled)} row(s) without a group value were left out"] if n_unlabelled else []

    def fit_step(eq):
        f = fit_sem_patterns(parsed, pms, group_labels=labels, missing=missing, std_lv=std_lv, group_equal=eq,
                             group_partial=free)
        f.warnings = note + list(f.warnings)
        return f

    warnings: list = []
    fits = _fit_steps(levels, fit_step, warnings)
    return _assemble(parsed.text, fits, free, rule, alpha, warnings, gate)


def construct_invariance_patterns(patterns: dict, constructs: dict, *, group_labels, n_unlabelled: int = 0,
                                  rule: str = "cfi", alpha: float = 0.05, free: dict | None = None,
                                  missing: str = "auto", estimator: str = "ML", **gate):
    """``stats.invariance.construct_invariance`` (ML) from ``{group label: PatternMoments}`` over the
    constructs' items: each construct's one-factor sequence by :func:`model_invariance_patterns` on
    the moments projected onto its items."""
    from cxstats.stats.invariance import RULES, _check_estimator, _construct_sequence

    estimator = _check_estimator(estimator)
    if rule not in RULES:
        raise InputError(f"unknown invariance rule {rule!r}; use one of {', '.join(RULES)}", option="rule")
    gate = _invariance_gate(gate)

    def run(cid, model):
        items = list(constructs[cid])
        return model_invariance_patterns({g: pm.project(items) for g, pm in patterns.items()}, model,
                                         group_labels=group_labels, n_unlabelled=n_unlabelled, rule=rule,
                                         alpha=alpha, free=(free or {}).get(cid, ()), missing=missing,
                                         estimator=estimator, **gate)
    return _construct_sequence(constructs, run, rule, gate, estimator)


def analyze_invariance_patterns(patterns: dict, model, *, group_labels, free=None, **kwargs):
    """``stats.invariance.analyze_invariance`` (ML) from ``{group label: PatternMoments}``: a lavaan
    model tested as a whole, or ``{construct: [items]}`` tested one construct at a time."""
    if isinstance(model, dict):
        if free is not None and not isinstance(free, dict):
            raise InputError("free maps a construct to the parameters released, e.g. {web: ['q3 ~ 1']}",
                             option="free")
        kwargs.pop("std_lv", None)
        kwargs.pop("levels", None)
        return construct_invariance_patterns(patterns, model, group_labels=group_labels, free=free, **kwargs)
    if isinstance(free, dict):
        raise InputError("free lists parameters of the model, e.g. ['x3 ~ 1']", option="free")
    return model_invariance_patterns(patterns, model, group_labels=group_labels, free=free or (), **kwargs)


# ------------------------------------------------------------------------------- describe

def analyze_describe_counts(cells: dict, rows: dict, scales: dict, *, by: str, meta=None, groups=None):
    """``stats.describe.analyze_describe`` (unweighted) from counts per answer: ``cells`` =
    ``{column: {group value: Counts}}``, ``rows`` = ``{group value: rows of the group}`` (None =
    no value, left out as pandas leaves it out). n, mean, SD (n - 1), top-2-box and missing
    share of whole codes are exact functions of the counts."""
    import pandas as pd

    from cxstats.stats.describe import DescribeResult

    levels = groups or sorted(g for g in rows if g is not None)
    records, warnings = [], []
    for column, (_, hi) in scales.items():
        for g in levels:
            c = cells.get(column, {}).get(g, Counts({}))
            n, total = int(c.n), int(rows.get(g, 0))
            m = c.moments()
            rec = {"variable": column, **(meta or {}).get(column, {}), "group": g, "n": n,
                   "mean": float(m.mean[0]) if n else None,
                   "sd": math.sqrt(float(m.m2[0, 0]) / (n - 1)) if n > 1 else None,
                   "top2_share": sum(k for v, k in c.counts.items() if v >= hi - 1) / n if n else None,
                   "missing_share": float(1 - n / total) if total else None}
            if n == 0 and total:
                warnings.append(f"{column}: no valid answers among {g}")
            records.append(rec)
    return DescribeResult(pd.DataFrame.from_records(records), list(levels), warnings)


# ------------------------------------------------------------------------------ immediacy

def analyze_immediacy_summaries(*, max_lag_hours: float, segment: str | None, no_lag: int, flagged: dict,
                                summaries: dict, late: list, late_total: int, outcome_cells: dict,
                                has_channel: bool, late_note: str | None = None):
    """``stats.immediacy.analyze_immediacy`` from what an engine returns: ``summaries`` =
    ``{grouping set: {values: (answers with a lag, within the window, median, P90)}}`` for the
    sets (), (channel,), (touchpoint,), (wave,), (segment,), (channel, wave) of the customers'
    answers (exact quantiles, R type 7); ``late`` the listed late answers (``late_total`` in all);
    ``outcome_cells`` = ``{outcome: {(lag band, channel): (n, mean, M2)}}`` for the lag-band and
    mode regressions (:func:`cxstats.stats.immediacy.lag_mode_from_cells`)."""
    from cxstats.stats.immediacy import (ImmediacyResult, _holm_and_warn, lag_bands, lag_mode_from_cells, lag_notes,
                                         wilson_ci)

    if not max_lag_hours > 0:
        raise InputError(f"must be a positive number of hours, not {max_lag_hours!r}", option="max_lag_hours")
    res = ImmediacyResult(float(max_lag_hours), segment_column=segment)
    res.no_lag = int(no_lag)
    res.flagged = {str(k): int(v) for k, v in sorted(flagged.items())}
    overall = summaries.get((), {}).get((), None)
    if overall is None or not overall[0]:
        raise InputError("no answer has both a contact and a response time: immediacy cannot be "
                         "computed (add the contact time of each answer: fielding.contact_time)",
                         option="contact_time")
    lag_notes(res)

    def summary(vals):
        n, x, med, p90 = vals if vals is not None else (0, 0, None, None)
        n, x = int(n or 0), int(x or 0)
        lo, hi = wilson_ci(x, n)
        return {"n": n, "median_lag_hours": float(med) if n else math.nan,
                "p90_lag_hours": float(p90) if n else math.nan, "within": x,
                "share_within": x / n if n else math.nan, "share_within_ci_lower": lo, "share_within_ci_upper": hi}

    def row(level, group, vals, **keys):
        out = {"level": level, "group": group, "channel": None, "touchpoint": None, "wave": None, "segment": None}
        out.update(keys)
        return {**out, **summary(vals)}
    res.rows.append(row("overall", "all", overall))
    values = {}
    for level in ("channel", "touchpoint", "wave", "segment"):
        cells = summaries.get((level,), {})
        values[level] = sorted(k[0] for k in cells if k[0] is not None)
        for v in values[level]:
            res.rows.append(row(level, v, cells[(v,)], **{level: v}))
    if values["channel"] and values["wave"]:
        cells = summaries.get(("channel", "wave"), {})
        for v in values["channel"]:
            for w in values["wave"]:
                res.rows.append(row("channel x wave", f"{v} | {w}", cells.get((v, w)), channel=v, wave=w))
    res.late = list(late)
    if late_note and late_total > len(late):
        res.warnings.append(late_note)
    res.bands = lag_bands(max_lag_hours)
    for outcome, cells in outcome_cells.items():
        lag_mode_from_cells(res, outcome, cells, has_channel)
    _holm_and_warn(res)
    return res
