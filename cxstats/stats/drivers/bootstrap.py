"""Bootstrap confidence intervals for importance measures and their ranks.

Rows are resampled with replacement (a seeded ``numpy.random.Generator``). For
a continuous outcome nothing is refitted: each replicate's resampling counts
w (how often each row was drawn) give its moments as matrix products
(Σ w x, Σ w x x'), hence its correlation matrix, and every measure follows
from that (all-subset R² and LMG batched over replicates). Replicates are
processed in blocks, with ``progress(done, total)`` called after each block.

Intervals: percentile, and BCa (Efron 1987; Efron & Tibshirani 1993, ch. 14)
with bias correction z0 = Φ⁻¹(#{θ* < θ̂}/B + ½ #{θ* = θ̂}/B) and acceleration
a = Σ d³ / (6 (Σ d²)^{3/2}), d = jackknife mean − jackknife value. The
jackknife leaves out one row when n ≤ JACKKNIFE_GROUPS, otherwise one of
JACKKNIFE_GROUPS random groups of rows (a grouped, delete-d jackknife; the
acceleration is a skewness ratio and keeps its expectation under grouping).
Ranks get percentile intervals only (they are discrete) and the share of
replicates in which each driver ranks first (``top_rank_share``, a fraction 0-1).
In the JSON, ``pct_lower``/``pct_upper`` are the limits of the *percentile* interval
(not percentages) and ``bca_lower``/``bca_upper`` those of the BCa interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxstats.stats.drivers.measures import RANK_ABSOLUTE, all_measures, correlation_from_moments, ranks

JACKKNIFE_GROUPS = 1000
BLOCK_ELEMENTS = 2_000_000  # replicates per block ~ this / n


@dataclass
class BootstrapResult:
    replicates: int
    seed: object
    ci_level: float
    drivers: list
    estimates: dict            # measure -> (p,) point estimates
    samples: dict              # measure -> (B_ok, p) replicate values
    jackknife: dict            # measure -> (G, p)
    jackknife_groups: int
    failed: int = 0
    warnings: list = field(default_factory=list)
    resampling: str = "row"            # row | poisson (cxstats.stats.poisson_bootstrap)
    performance_samples: object = None  # poisson: (B, p) replicate IPA performance values

    def intervals(self) -> dict:
        """measure -> list of per-driver dicts (est, se, pct_lower, pct_upper, bca_lower, bca_upper)."""
        alpha = 1 - self.ci_level
        out = {}
        for m, est in self.estimates.items():
            s = self.samples[m]
            se = s.std(axis=0, ddof=1) if len(s) > 1 else np.full(len(est), np.nan)
            pl, pu = np.quantile(s, [alpha / 2, 1 - alpha / 2], axis=0) if len(s) else (est * np.nan,) * 2
            bl, bu = bca_interval(s, est, self.jackknife[m], self.ci_level)
            out[m] = [{"driver": d, "est": float(est[j]), "se": float(se[j]),
                       "pct_lower": float(pl[j]), "pct_upper": float(pu[j]),
                       "bca_lower": float(bl[j]), "bca_upper": float(bu[j])}
                      for j, d in enumerate(self.drivers)]
        return out

    def rank_intervals(self) -> dict:
        alpha = 1 - self.ci_level
        out = {}
        for m, est in self.estimates.items():
            r0 = ranks(est, absolute=RANK_ABSOLUTE[m])
            rs = ranks(self.samples[m], absolute=RANK_ABSOLUTE[m])
            if len(rs):
                lo = np.quantile(rs, alpha / 2, axis=0, method="inverted_cdf")
                hi = np.quantile(rs, 1 - alpha / 2, axis=0, method="inverted_cdf")
                top = (rs == 1).mean(axis=0)
            else:
                lo = hi = top = np.full(len(est), np.nan)
            out[m] = [{"driver": d, "rank": int(r0[j]), "pct_lower": float(lo[j]),
                       "pct_upper": float(hi[j]), "top_rank_share": float(top[j])}
                      for j, d in enumerate(self.drivers)]
        return out

    def to_dict(self) -> dict:
        out = {"replicates": self.replicates, "failed_replicates": self.failed,
               "ci_level": self.ci_level,
               "seed": self.seed if isinstance(self.seed, (int, type(None))) else str(self.seed),
               "jackknife_groups": self.jackknife_groups,
               "intervals": self.intervals(), "ranks": self.rank_intervals()}
        if self.resampling != "row":
            out["resampling"] = self.resampling
        return out


def bca_interval(samples, est, jack, level):
    """BCa limits per column; NaN where undefined (no spread, all replicates on one side)."""
    from scipy.special import ndtr, ndtri

    alpha = 1 - level
    p = len(est)
    lo = np.full(p, np.nan)
    hi = np.full(p, np.nan)
    if len(samples) < 2:
        return lo, hi
    prop = (samples < est).mean(axis=0) + 0.5 * (samples == est).mean(axis=0)
    z0 = ndtri(np.clip(prop, 0.0, 1.0))
    d = jack.mean(axis=0) - jack
    ss = (d ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ss > 0, (d ** 3).sum(axis=0) / (6 * ss ** 1.5), 0.0)
    for j in np.flatnonzero((prop > 0) & (prop < 1)):
        zs = z0[j] + ndtri(np.array([alpha / 2, 1 - alpha / 2]))
        lo[j], hi[j] = np.quantile(samples[:, j], ndtr(z0[j] + zs / (1 - a[j] * zs)))
    return lo, hi


def _valid(corr, sd):
    """Replicates whose predictors all vary and are not (nearly) perfectly collinear."""
    ok = np.all(sd > 0, axis=1) & np.all(np.isfinite(corr), axis=(1, 2))
    if ok.any():
        sign, logdet = np.linalg.slogdet(np.where(ok[:, None, None], corr[:, :-1, :-1], np.eye(corr.shape[1] - 1)))
        ok &= (sign > 0) & (logdet > np.log(1e-12))
    return ok


def _measures_checked(corr, sd):
    ok = _valid(corr, sd)
    m = all_measures(corr[ok]) if ok.any() else None
    return ok, m


def bootstrap_continuous(data, drivers, estimates, *, replicates: int, seed=None, ci_level: float = 0.95,
                         progress=None) -> BootstrapResult:
    """``data``: (n, p+1) complete rows, outcome last. ``estimates``: measure -> (p,)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    x = np.asarray(data, dtype=float)
    n, q = x.shape
    xc = x - x.mean(axis=0)
    prods = (xc[:, :, None] * xc[:, None, :]).reshape(n, q * q)
    keys = list(estimates)
    collected = {k: [] for k in keys}
    failed = 0
    block = max(1, min(replicates, BLOCK_ELEMENTS // n))
    done = 0
    while done < replicates:
        c = min(block, replicates - done)
        idx = rng.integers(0, n, size=(c, n))
        counts = np.bincount((np.arange(c)[:, None] * n + idx).ravel(), minlength=c * n).reshape(c, n).astype(float)
        corr, sd = correlation_from_moments(np.full(c, float(n)), counts @ xc, (counts @ prods).reshape(c, q, q))
        ok, m = _measures_checked(corr, sd)
        failed += int((~ok).sum())
        if m is not None:
            for k in keys:
                collected[k].append(m[k])
        done += c
        if progress is not None:
            progress(done, replicates)
    samples = {k: (np.vstack(v) if v else np.empty((0, q - 1))) for k, v in collected.items()}
    jack, groups = _jackknife_continuous(xc, prods, rng)
    return _finish(replicates, seed, ci_level, drivers, estimates, samples, jack, groups, failed)


def _jackknife_continuous(xc, prods, rng):
    n, q = xc.shape
    groups = min(n, JACKKNIFE_GROUPS)
    order = rng.permutation(n) if groups < n else np.arange(n)
    starts = np.linspace(0, n, groups + 1).astype(int)
    sizes = np.diff(starts).astype(float)
    g1 = np.add.reduceat(xc[order], starts[:-1], axis=0)
    g2 = np.add.reduceat(prods[order], starts[:-1], axis=0)
    s1, s2 = xc.sum(axis=0), prods.sum(axis=0)
    corr, sd = correlation_from_moments(n - sizes, s1 - g1, (s2 - g2).reshape(groups, q, q))
    ok, m = _measures_checked(corr, sd)
    return ({k: v for k, v in m.items()} if m is not None else {}), groups


def bootstrap_generic(n: int, stat, drivers, estimates, *, replicates: int, seed=None,
                      ci_level: float = 0.95, progress=None, jackknife_groups: int = 200) -> BootstrapResult:
    """Refit per replicate: ``stat(rows) -> {measure: (p,)}`` or None when it cannot be fitted."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    keys = list(estimates)
    collected = {k: [] for k in keys}
    failed = 0
    for r in range(replicates):
        m = stat(rng.integers(0, n, size=n))
        if m is None:
            failed += 1
        else:
            for k in keys:
                collected[k].append(m[k])
        if progress is not None:
            progress(r + 1, replicates)
    p = len(drivers)
    samples = {k: (np.vstack(v) if v else np.empty((0, p))) for k, v in collected.items()}
    groups = min(n, jackknife_groups)
    order = rng.permutation(n)
    starts = np.linspace(0, n, groups + 1).astype(int)
    jack = {k: [] for k in keys}
    for g in range(groups):
        rows = np.r_[order[:starts[g]], order[starts[g + 1]:]]
        m = stat(rows)
        if m is not None:
            for k in keys:
                jack[k].append(m[k])
    jack = {k: np.vstack(v) for k, v in jack.items() if v}
    return _finish(replicates, seed, ci_level, drivers, estimates, samples, jack, groups, failed)


def _finish(replicates, seed, ci_level, drivers, estimates, samples, jack, groups, failed):
    est = {k: np.asarray(v, dtype=float) for k, v in estimates.items()}
    jack = {k: jack.get(k, np.full((1, len(drivers)), np.nan)) for k in est}
    warnings = []
    if failed:
        warnings.append(f"{failed} of {replicates} bootstrap replicates could not be computed (a driver "
                        "without variation or perfectly collinear drivers in the resample) and were left out")
    return BootstrapResult(replicates, seed if not isinstance(seed, np.random.Generator) else None,
                           ci_level, list(drivers), est, samples, jack, groups, failed, warnings)
