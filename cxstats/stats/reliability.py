"""Scale reliability: Cronbach's alpha (psych::alpha), McDonald's omega, item statistics.

Pure computations: a DataFrame of item scores in, a result dataclass out.

* Alpha and every item statistic follow ``psych::alpha`` (2.2.9) exactly: with
  ``missing="pairwise"`` (psych's default) they come from the pairwise covariance
  matrix ``cov(x, use = "pairwise")``; with ``"listwise"`` only complete rows are used.
* Feldt's CI: ``1 - (1 - alpha) * qf(.975 / .025, n - 1, (n - 1)(k - 1))``, n = rows used.
* Bootstrap CI: percentile interval over rows resampled with replacement, each
  replicate analysed the same way (pairwise or listwise).
* Omega total two ways: psych's ``omega(x, nfactors = 1)$omega.tot`` (minres on the
  correlations, ``(sum(R) - sum(u2)) / sum(R)``) and semTools' ``compRelSEM`` of a
  one-factor ML CFA with ``std.lv = TRUE`` on complete rows: the default
  ``(sum l)^2 / 1'S1`` and ``obs.var = FALSE``: ``(sum l)^2 / ((sum l)^2 + sum theta)``.
* Survey weights (``weights``; :mod:`cxstats.stats.weights`): every statistic comes from the weighted
  covariance matrix (pairwise: each pair over the rows answering both, weighted means, divisor
  sum(w) - 1; listwise: the complete rows), the weights rescaled to sum to the rows used; item means,
  SDs, raw_r and the total score weighted; omega_cfa fitted to the weighted covariance of the complete
  rows (divisor sum(w), as lavaan's sampling.weights); Feldt's CI and psych's ase on Kish's effective
  n = (sum w)^2 / sum(w^2). Equal weights give the unweighted results; whole-number weights give the
  results of the data with rows repeated (complete or listwise data). No bootstrap with weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.errors import InputError

MISSING = ("pairwise", "listwise")


# --------------------------------------------------------------------------
# result objects
# --------------------------------------------------------------------------
@dataclass
class ItemStats:
    item: str
    n: int
    mean: float
    sd: float
    raw_r: float
    std_r: float
    r_cor: float
    r_drop: float
    alpha_if_dropped: float
    alpha_if_dropped_std: float
    average_r_if_dropped: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ScaleReliability:
    scale: str
    items: list[str]
    group: str | None
    missing: str
    n: int                      # rows used (pairwise: rows answering any item; listwise: complete rows)
    n_complete: int
    alpha: float
    alpha_std: float
    alpha_ci: dict              # Feldt: lower, upper, level, method
    alpha_ci_bootstrap: dict | None
    g6_smc: float
    average_r: float
    median_r: float
    s_n: float
    ase: float
    total_mean: float
    total_sd: float
    omega_total: float | None          # psych::omega(x, nfactors = 1)$omega.tot
    omega_cfa: dict | None             # lavaan/semTools one-factor ML CFA
    item_stats: list[ItemStats]
    reverse: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    n_eff: float | None = None         # with survey weights: Kish's effective n of the rows used
    ordinal: dict | None = None        # ordinal alpha/omega (polychoric), with --ordinal

    def to_dict(self) -> dict:
        return {**({"ordinal": self.ordinal} if self.ordinal is not None else {}),
            "scale": self.scale, "group": self.group, "items": [s.to_dict() for s in self.item_stats],
            "item_names": list(self.items), "reverse_keyed": list(self.reverse),
            "missing": self.missing, "n": self.n, "n_complete": self.n_complete,
            "alpha": self.alpha, "alpha_std": self.alpha_std, "alpha_ci": self.alpha_ci,
            "alpha_ci_bootstrap": self.alpha_ci_bootstrap,
            "omega_total": self.omega_total, "omega_cfa": self.omega_cfa,
            "g6_smc": self.g6_smc, "average_r": self.average_r, "median_r": self.median_r,
            "s_n": self.s_n, "ase": self.ase, "total_mean": self.total_mean,
            "total_sd": self.total_sd, "warnings": list(self.warnings),
            **({"n_eff": self.n_eff} if self.n_eff is not None else {}),
        }


@dataclass
class ReliabilityResult:
    scales: list[ScaleReliability]
    missing: str
    n_bootstrap: int = 0
    seed: int | None = None
    warnings: list[str] = field(default_factory=list)
    weight: str | None = None        # the survey-weight column, when weighted
    bootstrap_method: str = "row"    # row (resampled respondents) | poisson (engines' replicates)

    def to_dict(self) -> dict:
        out = {"missing": self.missing, "n_bootstrap": self.n_bootstrap, "seed": self.seed,
               "scales": [s.to_dict() for s in self.scales], "warnings": list(self.warnings)}
        if self.n_bootstrap and self.bootstrap_method != "row":
            out["bootstrap_method"] = self.bootstrap_method
        if self.weight:
            out["weight"] = self.weight
        return out

    def tables(self) -> dict:
        import pandas as pd

        rows, items = [], []
        for s in self.scales:
            omega = s.omega_cfa or {}
            row = {"scale": s.scale}
            if any(x.group is not None for x in self.scales):
                row["group"] = s.group
            row.update({"k": len(s.items), "n": s.n})
            if s.n_eff is not None:
                row["n_eff"] = s.n_eff
            row.update({"alpha": s.alpha, "alpha_std": s.alpha_std,
                        "ci_lower": s.alpha_ci["lower"], "ci_upper": s.alpha_ci["upper"]})
            if s.alpha_ci_bootstrap:
                row["boot_lower"] = s.alpha_ci_bootstrap["lower"]
                row["boot_upper"] = s.alpha_ci_bootstrap["upper"]
            row.update({"omega_total": s.omega_total, "omega_cfa": omega.get("omega"),
                        "average_r": s.average_r, "median_r": s.median_r, "g6_smc": s.g6_smc})
            if s.ordinal is not None:
                row.update({"alpha_ordinal": s.ordinal["alpha_ordinal"], "omega_ordinal": s.ordinal["omega_ordinal"],
                            "n_ordinal": s.ordinal["n"]})
            rows.append(row)
            for it in s.item_stats:
                r = {"scale": s.scale}
                if "group" in row:
                    r["group"] = s.group
                r.update({"item": it.item, "reversed": it.item in s.reverse, "n": it.n,
                          "mean": it.mean, "sd": it.sd, "r_drop": it.r_drop, "r_cor": it.r_cor,
                          "raw_r": it.raw_r, "std_r": it.std_r,
                          "alpha_if_dropped": it.alpha_if_dropped,
                          "alpha_if_dropped_std": it.alpha_if_dropped_std})
                items.append(r)
        return {"reliability": pd.DataFrame(rows), "items": pd.DataFrame(items)}

    def methods(self) -> list[tuple[str, str]]:
        out = [
            ("Cronbach's alpha",
             "Raw alpha = k/(k-1) * (1 - tr(C)/sum(C)) from the item covariance matrix C; standardized "
             "alpha = k*rbar/(1+(k-1)*rbar) from the mean inter-item correlation rbar. "
             + ("Pairwise deletion (psych::alpha default): C = cov(x, use='pairwise') on all rows. "
                if self.missing == "pairwise" else "Listwise deletion: rows complete on the scale's items. ")
             + "Matches psych::alpha 2.2.9."),
            ("Feldt confidence interval",
             "95% CI = 1 - (1 - alpha) * F quantile(.975 / .025; n - 1, (n - 1)(k - 1)) (Feldt, 1965), "
             "n = rows used (as psych)."),
            ("Item statistics",
             "r_drop: correlation of the item with the sum of the other items, from C (psych r.drop); "
             "alpha_if_dropped: raw alpha without the item; raw_r: correlation with the mean score; "
             "std_r: item-total correlation from the correlation matrix; r_cor: std_r corrected for "
             "item overlap with SMCs on the diagonal; G6(smc): Guttman's lambda 6."),
            ("Omega total",
             "omega_total: psych::omega(x, nfactors = 1)$omega.tot = (sum(R) - sum(u2))/sum(R) with a one-factor "
             "minres solution on the correlation matrix R. omega_cfa: a one-factor ML CFA (std.lv = TRUE, "
             "complete rows, lavaan conventions); omega = (sum l)^2 / 1'S1 (semTools::compRelSEM default), "
             "omega_model = (sum l)^2 / ((sum l)^2 + sum theta) (compRelSEM obs.var = FALSE)."),
        ]
        if self.weight:
            from cxstats.stats.weights import WEIGHT_METHODS

            out = [WEIGHT_METHODS, ("Weighted reliability",
                    f"Weighted by {self.weight}: alpha, omega and the item statistics from the weighted covariance "
                    "matrix C = sum(w (x - m)(x - m)')/(sum(w) - 1) (pairwise: each pair over the rows answering "
                    "both; listwise: complete rows), weighted item means, SDs, raw_r and total score; omega_cfa "
                    "from a one-factor ML CFA of the weighted covariance of complete rows (lavaan sampling.weights "
                    "convention). Feldt's CI and the asymptotic SE (ase) use Kish's effective n = (sum w)^2/"
                    "sum(w^2) (n_eff) instead of n.")] + out
        if any(s.ordinal is not None for s in self.scales):
            out.append(("Ordinal alpha and omega",
                        "alpha_ordinal and omega_ordinal (Zumbo, Gadermann & Zeisser 2007; Gadermann, Guhn & Zumbo "
                        "2012): psych::alpha and psych::omega(nfactors = 1)$omega.tot on the polychoric correlation "
                        "matrix R of the items (lavaan's two-step polychoric estimates; respondents complete on the "
                        "scale, n_ordinal): alpha = k/(k-1)(1 - k/1'R1); omega = (1'R1 - sum u2)/1'R1 with a "
                        "one-factor minres solution. The reliability of the latent responses behind the answer "
                        "categories. Matches psych 2.2.9 to 1e-5."))
        if self.n_bootstrap and self.bootstrap_method == "poisson":
            out.append(("Bootstrap CI",
                        f"Percentile 95% interval of raw alpha over {self.n_bootstrap} Poisson bootstrap "
                        f"replicates (seed {self.seed}): each respondent counts w times in a replicate, w a "
                        "Poisson(1) draw fixed by the seed, the respondent type and id (the same on the "
                        "pandas, DuckDB and Spark engines; one pass over the data for all replicates); "
                        "alpha of the weighted pairwise (or listwise) covariances, as on the rows repeated "
                        "w times (Hanley & MacGibbon 2006; Chamandy et al. 2012)."))
        elif self.n_bootstrap:
            out.append(("Bootstrap CI",
                        f"Percentile 95% interval of raw alpha over {self.n_bootstrap} bootstrap resamples "
                        f"of respondents (seed {self.seed}), each analysed with the same missing-data rule."))
        return out


# --------------------------------------------------------------------------
# core computations
# --------------------------------------------------------------------------
def alpha_from_cov(c) -> float:
    """Raw Cronbach's alpha from a covariance matrix."""
    import numpy as np

    k = c.shape[0]
    return float(k / (k - 1) * (1.0 - np.trace(c) / np.sum(c)))


def _alpha1(c, r) -> dict:
    """psych's internal alpha.1: the statistics of one covariance/correlation pair."""
    import numpy as np

    from cxstats.stats._factor import smc

    k = c.shape[0]
    sum_r = float(np.sum(r))
    raw = alpha_from_cov(c)
    std = (1.0 - k / sum_r) * (k / (k - 1))
    g6 = 1.0 - (k - float(np.sum(smc(r)))) / sum_r
    av_r = (sum_r - k) / (k * (k - 1))
    off = r[~np.eye(k, dtype=bool)]
    med_r = float(np.median(off))
    sn = k * av_r / (1.0 - av_r) if av_r != 1 else float("inf")
    sc = float(np.sum(c))
    trc = float(np.trace(c))
    q = (2.0 * k ** 2 / ((k - 1) ** 2 * sc ** 3)) * (sc * (float(np.trace(c @ c)) + trc ** 2)
                                                     - 2.0 * trc * float(np.sum(c @ c)))
    return {"raw": raw, "std": std, "g6": g6, "av_r": av_r, "med_r": med_r, "sn": sn, "q": q}


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) F-based confidence interval for alpha."""
    from scipy.stats import f

    a = (1.0 - level) / 2.0
    d1, d2 = n - 1, (n - 1) * (k - 1)
    return (1.0 - (1.0 - alpha) * f.ppf(1.0 - a, d1, d2), 1.0 - (1.0 - alpha) * f.ppf(a, d1, d2))


def _cov(x, missing: str):
    """(covariance, rows used) for a float array under the missing-data rule."""
    import numpy as np

    from cxstats.stats._factor import pairwise_cov

    if missing == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
        return np.cov(x, rowvar=False, ddof=1), x.shape[0]
    c, _ = pairwise_cov(x)
    return c, x.shape[0]


BOOT_BLOCK = 100  # replicates per matrix product in the vectorised bootstrap


def bootstrap_alpha(x, *, n_boot: int = 1000, seed=None, missing: str = "pairwise",
                    level: float = 0.95, progress=None) -> dict:
    """Percentile bootstrap CI for raw alpha. ``x``: rows x items (NaN = missing).
    ``seed``: int or numpy Generator. ``progress(done, n_boot)`` is called as blocks of
    replicates complete.

    A replicate's covariance follows from how often each row was drawn: count-weighted
    sums of products over the rows where both items (pairwise) or all items (listwise)
    were answered. So blocks of replicates are matrix products instead of a Python loop
    (several times faster; the same draws and the same CIs as resampling one by one).
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    est = _alpha_replicates_weighted(x, missing, n_boot, rng, progress)
    ok = est[np.isfinite(est)]
    a = (1.0 - level) / 2.0
    lo, hi = (np.quantile(ok, [a, 1.0 - a]) if ok.size else (np.nan, np.nan))
    return {"lower": float(lo), "upper": float(hi), "level": level, "method": "percentile",
            "n_boot": int(n_boot), "n_valid": int(ok.size), "se": float(np.std(ok, ddof=1)) if ok.size > 1 else None}


def _alpha_replicates_weighted(x, missing, n_boot, rng, progress):
    """Alpha of each bootstrap replicate from resample counts, as :func:`_cov` would give
    on the resampled rows (R's ``cov(use = "pairwise")`` or listwise deletion)."""
    import numpy as np

    n, k = x.shape
    observed = ~np.isnan(x)
    if missing == "listwise":
        observed &= observed.all(axis=1, keepdims=True)
    centre = np.nanmean(np.where(observed, x, np.nan), axis=0)  # shift invariance: less cancellation
    centre = np.where(np.isfinite(centre), centre, 0.0)
    x0 = np.where(observed, x - centre, 0.0)
    mf = observed.astype(float)
    xx = (x0[:, :, None] * x0[:, None, :]).reshape(n, k * k)   # x_i x_j on rows with both
    xm = (x0[:, :, None] * mf[:, None, :]).reshape(n, k * k)   # x_i on rows with i and j
    mm = (mf[:, :, None] * mf[:, None, :]).reshape(n, k * k)   # rows with i and j
    est = np.full(n_boot, np.nan)
    for start in range(0, n_boot, BOOT_BLOCK):
        stop = min(n_boot, start + BOOT_BLOCK)
        w = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(start, stop)]).astype(float)
        nij = (w @ mm).reshape(-1, k, k)
        sxy = (w @ xx).reshape(-1, k, k)
        sx = (w @ xm).reshape(-1, k, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = (sxy - sx * np.transpose(sx, (0, 2, 1)) / nij) / (nij - 1)
            total = cov.sum(axis=(1, 2))
            alpha = k / (k - 1) * (1.0 - np.trace(cov, axis1=1, axis2=2) / total)
        rows = nij[:, 0, 0] if missing == "listwise" else np.full(stop - start, float(n))
        valid = (rows > k) & (nij.min(axis=(1, 2)) >= 2) & (total > 0) & np.isfinite(alpha)
        est[start:stop] = np.where(valid, alpha, np.nan)
        if progress is not None:
            progress(stop, n_boot)
    return est


def omega_psych(r) -> float:
    """psych::omega(x, nfactors = 1)$omega.tot from a correlation matrix."""
    import numpy as np

    from cxstats.stats._factor import fit_minres

    lam, _ = fit_minres(r, 1)
    u2 = 1.0 - lam[:, 0] ** 2
    return float((np.sum(r) - np.sum(u2)) / np.sum(r))


def omega_cfa(x_complete, weights=None) -> dict:
    """One-factor ML CFA (lavaan conventions, std.lv = TRUE) on complete rows;
    omega as semTools::compRelSEM (default and obs.var = FALSE). ``weights``: survey weights of the
    rows (the weighted covariance with divisor sum(w), n = Kish's effective n)."""
    import numpy as np

    from cxstats.stats._factor import one_factor_cfa

    n = x_complete.shape[0]
    if weights is None:
        s = np.cov(x_complete, rowvar=False, ddof=0)
    else:
        from cxstats.stats.weights import kish_n

        w = np.asarray(weights, dtype=float)
        m = (w[:, None] * x_complete).sum(axis=0) / w.sum()
        E = x_complete - m
        s = (w[:, None] * E).T @ E / w.sum()
        n = kish_n(w)
    fit = one_factor_cfa(s, n)
    lam, th = fit["loadings"], fit["residual_variances"]
    l2 = float(np.sum(lam)) ** 2
    std_all = lam / np.sqrt(lam ** 2 + th)
    ls = float(np.sum(std_all))
    return {"omega": l2 / float(np.sum(s)), "omega_model": l2 / (l2 + float(np.sum(th))),
            "omega_std": ls ** 2 / (ls ** 2 + float(np.sum(1.0 - std_all ** 2))),
            "n": int(round(n)), "loadings": lam.tolist(), "residual_variances": th.tolist(),
            "loadings_std_all": std_all.tolist(), "chisq": fit["chisq"], "df": fit["df"],
            "converged": fit["converged"]}


def reverse_key(df, reverse, lo, hi, *, file=None, row_of=None):
    """Recode ``reverse`` columns as lo + hi - x; values outside [lo, hi] are refused."""
    import numpy as np

    if not reverse:
        return df
    if lo is None or hi is None:
        raise InputError("reverse-keyed items need the answer scale's range: give its lowest code lo and "
                         f"highest code hi (e.g. 1 and 5) to recode {', '.join(reverse)} as lo + hi - x",
                         option="lo" if lo is None else "hi")
    if not lo < hi:
        raise InputError(f"the lowest answer code lo ({lo:g}) must be below the highest hi ({hi:g})",
                         option="lo")
    df = df.copy()
    for col in reverse:
        if col not in df.columns:
            raise InputError("reverse-keyed item is not one of the scale items", column=col)
        v = df[col].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isnan(v) & ((v < lo) | (v > hi)))
        if bad.size:
            i = int(bad[0])
            raise InputError(f"outside the answer scale {lo:g}..{hi:g} given for reverse keying "
                             f"({bad.size} such cells)", file=file, column=col, row=(row_of(i) if row_of else i + 2),
                             value=f"{v[i]:g}")
        df[col] = lo + hi - v
    return df


def scale_reliability(data, items, *, scale: str = "scale", group: str | None = None,
                      missing: str = "pairwise", reverse=(), n_boot: int = 0, seed=None,
                      progress=None, omega: bool = True, file=None, weights=None,
                      boot_keys=None, boot_shifts=None) -> ScaleReliability:
    """Alpha, omega and item statistics of one scale. ``data``: DataFrame with the item
    columns as floats (NaN = missing), already reverse-keyed. ``weights``: survey weights, one per
    row of ``data`` (already checked; see the module docstring). ``boot_keys``: each row's key
    text (:func:`cxstats.stats.poisson_bootstrap.key_text`): the bootstrap is the Poisson bootstrap
    (the engines' replicates; ``boot_shifts``: each item's whole-number shift, as the engines')."""
    import numpy as np

    from cxstats.stats._factor import pairwise_cor

    if missing not in MISSING:
        raise InputError(f"must be 'pairwise' or 'listwise', not {missing!r}", option="missing")
    items = list(items)
    where = f"scale '{scale}'" + (f" (group {group})" if group is not None else "")
    if len(items) < 2:
        raise InputError(f"{where}: alpha needs at least 2 items, got {len(items)} ({', '.join(items)})")
    if len(set(items)) != len(items):
        dup = sorted({i for i in items if items.count(i) > 1})
        raise InputError(f"{where}: item listed twice: {', '.join(dup)}")
    x = data[items].to_numpy(dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    answered = ~np.isnan(x).all(axis=1)       # respondents who skipped the whole scale are left out
    x = x[answered]
    complete = ~np.isnan(x).any(axis=1)
    n_complete = int(complete.sum())
    if boot_keys is not None:
        boot_keys = np.asarray(boot_keys, dtype=object)[answered]
        if missing == "listwise":
            boot_keys = boot_keys[complete]
    if missing == "listwise":
        x = x[complete]
    if w is not None:
        from cxstats.stats.weights import kish_n, normalize

        w = w[answered][complete] if missing == "listwise" else w[answered]
        if n_boot:
            raise InputError("a bootstrap interval with survey weights is not available; leave out the "
                             "bootstrap (Feldt's interval uses Kish's effective n)", option="bootstrap")
        if not w.sum() > 0:
            raise InputError(f"{where}: the survey weights of the respondents answering the scale sum to zero",
                             option="weight")
        w = normalize(w)
    n, k = x.shape
    if n <= k:
        raise InputError(f"{where}: {n} usable respondents for {k} items; reliability needs more "
                         f"respondents than items" + (" (listwise: rows complete on every item)"
                                                      if missing == "listwise" else ""), file=file)
    warnings: list[str] = []
    counts = (~np.isnan(x)).sum(axis=0)
    if w is None:
        sds = np.array([np.nanstd(x[:, j], ddof=1) if counts[j] > 1 else np.nan for j in range(k)])
    else:
        from cxstats.stats.weights import weighted_pairwise_cov

        wc, _ = weighted_pairwise_cov(x, w)
        sds = np.sqrt(np.where(np.diag(wc) > 0, np.diag(wc), 0.0))
    for j, it in enumerate(items):
        if counts[j] < 2:
            raise InputError(f"{where}: item has {counts[j]} answers; it cannot enter a reliability analysis",
                             file=file, column=it)
        if not sds[j] > 0:
            raise InputError(f"{where}: item is constant (every answer is {np.nanmin(x[:, j]):g}); "
                             "a constant item has no variance and cannot enter alpha; drop it from the scale",
                             file=file, column=it)
    c = wc if w is not None else _cov(x, "listwise" if missing == "listwise" else "pairwise")[0]
    r, singular, tot, drops, sum_r, std_r, r_cor = scale_statistics(c, items, where, file, warnings)
    total = np.nanmean(x, axis=1)
    with np.errstate(invalid="ignore"):
        raw_r = []
        for j in range(k):
            ok = ~np.isnan(x[:, j])
            if w is None:
                raw_r.append(float(np.corrcoef(total[ok], x[ok, j])[0, 1]))
            else:
                from cxstats.stats.weights import weighted_corr

                raw_r.append(weighted_corr(total[ok], x[ok, j], w[ok]))
    item_stats = []
    for i, it in enumerate(items):
        rest = [j for j in range(k) if j != i]
        c_drop = float(np.sum(c[:, i]) - c[i, i])
        v_drop = float(np.sum(c[np.ix_(rest, rest)]))
        r_drop = c_drop / np.sqrt(c[i, i] * v_drop)
        if drops[i] is not None:
            ad, ads, avd = drops[i]["raw"], drops[i]["std"], drops[i]["av_r"]
        else:  # two items: dropping one leaves one item (psych reports the remaining item's r)
            ad = ads = avd = float("nan")
        ok_i = ~np.isnan(x[:, i])
        mean_i = (float(np.nanmean(x[:, i])) if w is None else
                  float(np.sum(w[ok_i] * x[ok_i, i]) / np.sum(w[ok_i])))
        item_stats.append(ItemStats(it, int(counts[i]), mean_i, float(sds[i]),
                                    raw_r[i], float(std_r[i]), float(r_cor[i]), float(r_drop),
                                    ad, ads, avd))
        if k > 2 and ad > tot["raw"] + 0.05 and r_drop < 0.2:
            warnings.append(f"{where}: item '{it}' has r_drop {r_drop:.2f} and alpha rises to {ad:.3f} "
                            "without it; check its wording or keying")
    n_eff = kish_n(w) if w is not None else None
    n_ci = n_eff if w is not None else n            # Feldt and ase on Kish's effective n with weights
    lo, hi = feldt_ci(tot["raw"], n_ci, k)
    boot = None
    if n_boot and boot_keys is not None:
        from cxstats.stats.poisson_bootstrap import alpha_interval_rows

        shifts = None if boot_shifts is None else [boot_shifts[i] for i in items]
        boot = alpha_interval_rows(x, boot_keys, n_boot, missing, shifts)
        if progress is not None:
            progress(n_boot, n_boot)
    elif n_boot:
        boot = bootstrap_alpha(x, n_boot=n_boot, seed=seed, missing=missing, progress=progress)
        boot["seed"] = seed if isinstance(seed, int) else None
    om_t, om_cfa = None, None
    if omega:
        if k < 3:
            warnings.append(f"{where}: omega needs at least 3 items (a one-factor model with "
                            f"{k} items is not identified); only alpha is reported")
        elif singular:
            pass
        else:
            # psych::omega correlates the raw data with cor(x, use = "pairwise")
            if w is not None:
                from cxstats.stats.weights import weighted_pairwise_cor

                om_t = omega_psych(weighted_pairwise_cor(x, w) if missing == "pairwise" else r)
            else:
                om_t = omega_psych(pairwise_cor(x)[0] if missing == "pairwise" else r)
            cmask = ~np.isnan(x).any(axis=1)
            xc = x[cmask]
            om_cfa = checked_omega_cfa(lambda: omega_cfa(xc, None if w is None else w[cmask]), xc.shape[0],
                                       items, where, warnings)
    if n < 30:
        warnings.append(f"{where}: only {n} respondents; reliability estimates are imprecise")
    return ScaleReliability(
        scale=scale, items=items, group=group, missing=missing, n=int(n), n_complete=n_complete,
        alpha=tot["raw"], alpha_std=tot["std"],
        alpha_ci={"lower": float(lo), "upper": float(hi), "level": 0.95, "method": "feldt"},
        alpha_ci_bootstrap=boot, g6_smc=tot["g6"], average_r=tot["av_r"], median_r=tot["med_r"],
        s_n=tot["sn"], ase=float(np.sqrt(tot["q"] / n_ci)) if tot["q"] >= 0 else float("nan"),
        total_mean=_total_mean(total, w), total_sd=_total_sd(total, w),
        omega_total=om_t, omega_cfa=om_cfa, item_stats=item_stats, warnings=warnings, n_eff=n_eff)


def _total_mean(total, w) -> float:
    import numpy as np

    if w is None:
        return float(np.nanmean(total))
    ok = ~np.isnan(total)
    return float(np.sum(w[ok] * total[ok]) / np.sum(w[ok]))


def _total_sd(total, w) -> float:
    import numpy as np

    if w is None:
        return float(np.nanstd(total, ddof=1))
    ok = ~np.isnan(total)
    m = _total_mean(total, w)
    return float(np.sqrt(np.sum(w[ok] * (total[ok] - m) ** 2) / (np.sum(w[ok]) - 1.0)))



def checked_omega_cfa(fit, n_complete: int, items, where: str, warnings: list):
    """The one-factor CFA omega from ``fit()`` (row path or moments path), or None, with the warnings
    on too few complete rows, a singular covariance, non-convergence and Heywood cases."""
    import numpy as np

    if n_complete <= len(items):
        warnings.append(f"{where}: too few complete rows ({n_complete}) for the one-factor CFA omega")
        return None
    try:
        om_cfa = fit()
    except np.linalg.LinAlgError:
        warnings.append(f"{where}: the covariance matrix of complete rows is singular; "
                        "the one-factor CFA omega is not available")
        return None
    if not om_cfa["converged"]:
        warnings.append(f"{where}: the one-factor CFA for omega did not converge")
    heywood = [items[j] for j, t in enumerate(om_cfa["residual_variances"]) if t < 0]
    if heywood:
        warnings.append(f"{where}: Heywood case in the one-factor CFA (negative residual "
                        f"variance for {', '.join(heywood)}); omega_cfa is unreliable")
    return om_cfa

def scale_statistics(c, items, where, file, warnings):
    """From a scale's item covariance ``c``: the correlation matrix, whether it is singular, alpha
    (raw, standardized, G6), alpha if each item is dropped, and the standardized and smc-corrected
    item-total correlations (psych::alpha). Shared by the row path and the moments path
    (:mod:`cxstats.stats.from_moments`), so both compute them one way."""
    import numpy as np

    from cxstats.stats._factor import cov2cor, is_singular, most_collinear_item, smc

    k = len(items)
    if not np.all(np.isfinite(c)):
        i, j = np.argwhere(~np.isfinite(c))[0]
        raise InputError(f"{where}: items '{items[i]}' and '{items[j]}' are never answered together, "
                         "so their covariance is unknown; use fewer items or other data", file=file)
    r = cov2cor(c)
    singular = is_singular(r)
    if singular:
        bad = items[most_collinear_item(r)]
        warnings.append(f"{where}: the item correlation matrix is singular or not positive definite "
                        f"(item '{bad}' is (nearly) a linear combination of the others, or pairwise "
                        "deletion produced an inconsistent matrix); alpha is still computed, G6(smc), r_cor "
                        "and omega use a pseudo-inverse or are not available")
    tot = _alpha1(c, r)
    if tot["raw"] < 0:
        warnings.append(f"{where}: alpha is negative ({tot['raw']:.3f}): some items correlate negatively "
                        "with the rest; check for items that should be reverse-keyed")
    # item statistics (psych::alpha)
    drops = [(_alpha1(c[np.ix_(keep, keep)], r[np.ix_(keep, keep)]) if k > 2 else None)
             for keep in ([j for j in range(k) if j != i] for i in range(k))]
    sum_r = float(np.sum(r))
    std_r = np.sum(r, axis=0) / np.sqrt(sum_r)
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    r_cor = np.sum(rc, axis=0) / np.sqrt(np.sum(rc))
    return r, singular, tot, drops, sum_r, std_r, r_cor

def analyze_reliability(data, scales: dict, *, missing: str = "pairwise", reverse=(), lo=None,
                        hi=None, groups=None, n_boot: int = 0, seed=None, progress=None,
                        file=None, reversed_already: bool = False, row_of=None, weights=None,
                        weight_name: str | None = None, ordinal: bool = False, boot_keys=None,
                        boot_shifts=None) -> ReliabilityResult:
    """Reliability of several scales, optionally per group.

    ``scales``: {name: [items]}; ``reverse``: items to recode as lo + hi - x (unless
    ``reversed_already``); ``groups``: a list of labels (one per row, None = no group)
    or None. ``progress(done, total)`` counts bootstrap replicates over every analysis
    (``total = n_boot * number of analyses``). ``weights``: survey weights, one per row of ``data``
    (checked: none missing or negative among the rows of a group; see the module docstring).
    ``ordinal``: also ordinal alpha and omega (:mod:`cxstats.stats.ordinal_reliability`).
    ``boot_keys``: one key text per row (:func:`cxstats.stats.poisson_bootstrap.key_text`): the
    Poisson bootstrap, with the SQL engines' replicates (``boot_shifts``: {item: whole shift}).
    """
    import numpy as np

    reverse = list(reverse or [])
    all_items = [i for its in scales.values() for i in its]
    unknown = [r for r in reverse if r not in all_items]
    if unknown:
        raise InputError(f"reverse-keyed items that are in no scale: {', '.join(unknown)}", option="reverse")
    df = data if reversed_already else reverse_key(data, reverse, lo, hi, file=file, row_of=row_of)
    if groups is None:
        parts = [(None, np.ones(len(df), dtype=bool))]
    else:
        labels = [g for g in dict.fromkeys(groups) if g is not None]
        arr = np.array([g if g is not None else "\0" for g in groups], dtype=object)
        parts = [(g, arr == g) for g in sorted(labels, key=str)]
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    results, warnings = [], []
    done = 0
    total = n_boot * len(scales) * len(parts)
    for name, items in scales.items():
        for g, mask in parts:
            sub = df.loc[mask, items]
            wsub = None
            if weights is not None:
                from cxstats.stats.weights import check_weights

                wsub = check_weights(np.asarray(weights, dtype=object)[mask], column=weight_name,
                                     row_of=(lambda i, idx=np.flatnonzero(mask): (row_of(int(idx[i])) if row_of
                                                                                  else int(idx[i]) + 2)),
                                     file=file)
            cb = None
            if progress is not None and n_boot:
                cb = (lambda i, _n, base=done: progress(base + i, total))
            res = scale_reliability(sub, items, scale=name, group=g, missing=missing,
                                    reverse=[r for r in reverse if r in items], n_boot=n_boot,
                                    seed=rng, progress=cb, file=file, weights=wsub,
                                    boot_keys=None if boot_keys is None else np.asarray(boot_keys, dtype=object)[mask],
                                    boot_shifts=boot_shifts)
            if res.alpha_ci_bootstrap is not None:
                res.alpha_ci_bootstrap["seed"] = seed if isinstance(seed, int) else None
            res.reverse = [r for r in reverse if r in items]
            if ordinal:
                from cxstats.stats.ordinal_reliability import ordinal_reliability

                res.ordinal = ordinal_reliability(sub, items)
            done += n_boot
            results.append(res)
            warnings.extend(res.warnings)
    return ReliabilityResult(results, missing, n_bootstrap=n_boot,
                             seed=seed if (isinstance(seed, int) and n_boot) else None, warnings=warnings,
                             bootstrap_method="poisson" if (boot_keys is not None and n_boot) else "row",
                             weight=(weight_name or "weight") if weights is not None else None)
