"""The Poisson bootstrap: B replicate weights per row, the same in numpy, DuckDB SQL and Spark SQL.

The row bootstrap draws n rows with replacement: each row's count is Multinomial(n; 1/n ...),
which needs every row at once. The Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al.
2012, "Estimating uncertainty for massive data streams") gives each row, independently, a
Poisson(1) count per replicate - the large-n limit of the multinomial counts - so a replicate's
moments are weighted sums computed in ONE pass over the data for all B replicates at once, on any
engine, chunk or machine. Statistics that depend on the data only through moments (alpha: the
pairwise covariances; OLS, LMG, relative weights, Pratt: the co-moments of the complete rows)
follow per replicate; percentile intervals as the row bootstrap.

The weights are a deterministic function of (seed, row key, replicate b), written here and in
SQL (:meth:`cxstats.engine.survey.EngineSurvey.bootstrap_sums`) with exact integer arithmetic
that cannot overflow a signed 64-bit integer, so the three engines give the same replicates:

* key: ``md5("SEED:RESPONDENT_TYPE:RESPONDENT_ID")`` (hex; MD5 of the UTF-8 text, as DuckDB's
  and Spark's ``md5``); ``a`` = its hex digits 1-15 and ``c`` = digits 16-30 as 60-bit
  integers, each reduced modulo the prime P = 2^31 - 1;
* replicate b: ``x = (a + b c) mod P`` - for two replicates b != b' the map (a, c) -> (x_b, x_b')
  is a bijection modulo P (determinant b' - b != 0), so a row's values in two replicates are
  independent and uniform when (a, c) is (pairwise-independent hashing; Carter & Wegman 1979);
  then ``y = x^5 mod P`` (a permutation of 0..P-1 since gcd(5, P - 1) = 1) scrambles the
  arithmetic progression over b; every product is below 2^62;
* weight: the Poisson(1) inverse CDF of y / P, as integer comparisons ``y < T_k`` with
  ``T_k = round(P * F(k))``, F the Poisson(1) CDF (scipy.stats.poisson.cdf; constants below).
  Its largest value is 12 (P(X > 12) = 6e-11 < 1/P).

Hand-written (no library offers a SQL-portable counter-based Poisson generator); its quality is
checked in tests/test_poisson_bootstrap.py (mean and variance 1, chi-square of the frequencies,
correlation between replicates and between rows).

A jackknife (for BCa intervals) uses groups ``a mod G`` of rows (hash groups), the same on every
engine. Without a respondent id there is no key an engine can compute in the file order the
pandas path sees: refused there.
"""

from __future__ import annotations

import hashlib

import numpy as np

PRIME = 2147483647                      # 2^31 - 1
# round(P * poisson.cdf(k, 1)), k = 0..11 (scipy 1.x); a draw y < T_k has weight <= k; else 12
THRESHOLDS = (790015084, 1580030168, 1975037710, 2106706891, 2139624186, 2146207645,
              2147304888, 2147461637, 2147481231, 2147483408, 2147483625, 2147483645)
MAX_WEIGHT = len(THRESHOLDS)
JACKKNIFE_GROUPS = 1000


def key_text(seed, respondent_type, respondent_id) -> str:
    """The text whose MD5 keys a row (the SQL builds the same with concat)."""
    return f"{int(seed)}:{respondent_type}:{respondent_id}"


def row_hashes(keys) -> tuple[np.ndarray, np.ndarray]:
    """(a, c): two integers in 0..P-1 per key text (hex digits 1-15 and 16-30 of its MD5)."""
    a = np.empty(len(keys), dtype=np.int64)
    c = np.empty(len(keys), dtype=np.int64)
    for i, k in enumerate(keys):
        h = hashlib.md5(str(k).encode("utf-8")).hexdigest()
        a[i] = int(h[:15], 16) % PRIME
        c[i] = int(h[15:30], 16) % PRIME
    return a, c


def draws(a, c, b) -> np.ndarray:
    """y = ((a + b c) mod P)^5 mod P for replicate ``b`` (int64 throughout: products < 2^62)."""
    x = (np.asarray(a, dtype=np.int64) + int(b) * np.asarray(c, dtype=np.int64)) % PRIME
    x2 = x * x % PRIME
    x4 = x2 * x2 % PRIME
    return x4 * x % PRIME


def poisson_weights(a, c, replicates: int) -> np.ndarray:
    """(B, n) Poisson(1) weights of replicates b = 1..B."""
    t = np.asarray(THRESHOLDS, dtype=np.int64)
    return np.stack([np.searchsorted(t, draws(a, c, b), side="right") for b in range(1, replicates + 1)]
                    ).astype(np.int64) if replicates else np.zeros((0, len(a)), dtype=np.int64)


def jackknife_groups(a, groups: int = JACKKNIFE_GROUPS) -> np.ndarray:
    return np.asarray(a, dtype=np.int64) % groups


# ------------------------------------------------------------------ replicate sums (numpy)

def replicate_sums(x, weights, missing: str = "pairwise", shifts=None):
    """(n, sx, sxy), each (B, k, k), of the rows ``x`` (n x k, NaN = missing) weighted by each
    replicate's ``weights`` (B x n): ``n[b,i,j]`` = sum of weights of the rows answering i and j,
    ``sx[b,i,j]`` = weighted sum of x_i - shift_i over those rows, ``sxy[b,i,j]`` = weighted sum of
    (x_i - shift_i)(x_j - shift_j). ``listwise``: only rows complete on every column (then
    n[b] is the same for every i, j). Whole-number codes shifted by whole numbers give exact sums
    (every partial sum is an integer below 2^53), so they equal the engines' sums bit for bit."""
    x = np.asarray(x, dtype=float)
    n_rows, k = x.shape
    m = ~np.isnan(x)
    if missing == "listwise":
        m &= m.all(axis=1, keepdims=True)
    shift = np.zeros(k) if shifts is None else np.asarray(shifts, dtype=float)
    x0 = np.where(m, x - shift, 0.0)
    mf = m.astype(float)
    w = np.asarray(weights, dtype=float)
    nn = (w @ (mf[:, :, None] * mf[:, None, :]).reshape(n_rows, k * k)).reshape(-1, k, k)
    sx = (w @ (x0[:, :, None] * mf[:, None, :]).reshape(n_rows, k * k)).reshape(-1, k, k)
    sxy = (w @ (x0[:, :, None] * x0[:, None, :]).reshape(n_rows, k * k)).reshape(-1, k, k)
    return nn, sx, sxy


def covariances(nn, sx, sxy):
    """(B, k, k) covariance matrices (divisor n_ij - 1) from replicate sums: the pairwise (or
    listwise) covariance of the rows repeated as often as their weights."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (sxy - sx * np.transpose(sx, (0, 2, 1)) / nn) / (nn - 1)


def alpha_replicates(nn, sx, sxy) -> np.ndarray:
    """Raw alpha of each replicate from its sums (NaN where it cannot be computed: fewer rows
    than items, a pair answered by fewer than 2 rows, no variance), as ``bootstrap_alpha``."""
    k = nn.shape[-1]
    cov = covariances(nn, sx, sxy)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = cov.sum(axis=(1, 2))
        alpha = k / (k - 1) * (1.0 - np.trace(cov, axis1=1, axis2=2) / total)
    rows = np.max(np.diagonal(nn, axis1=1, axis2=2), axis=1)
    valid = (rows > k) & (nn.min(axis=(1, 2)) >= 2) & (total > 0) & np.isfinite(alpha)
    return np.where(valid, alpha, np.nan)


def percentile_interval(est, level: float = 0.95) -> dict:
    """The percentile interval of replicate estimates (NaN replicates left out), with the
    fields of :func:`cxstats.stats.reliability.bootstrap_alpha`."""
    est = np.asarray(est, dtype=float)
    ok = est[np.isfinite(est)]
    a = (1.0 - level) / 2.0
    lo, hi = (np.quantile(ok, [a, 1.0 - a]) if ok.size else (np.nan, np.nan))
    return {"lower": float(lo), "upper": float(hi), "level": level, "method": "percentile",
            "n_boot": int(est.size), "n_valid": int(ok.size),
            "se": float(np.std(ok, ddof=1)) if ok.size > 1 else None, "resampling": "poisson"}


def whole_shifts(x):
    """A whole-number shift per column (the rounded mean) when every value is a whole number
    (exact sums), else the column means."""
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        centre = np.nanmean(x, axis=0) if x.size else np.zeros(x.shape[1])
    centre = np.where(np.isfinite(centre), centre, 0.0)
    fin = x[np.isfinite(x)]
    if np.all(fin == np.round(fin)) and np.all(np.abs(fin) < 2 ** 20):
        return np.round(centre)
    return centre


def alpha_interval(sums, idx, level: float = 0.95) -> dict:
    """The Poisson-bootstrap percentile interval of alpha of the columns ``idx`` from replicate
    sums ``sums`` = (n, sx, sxy) (numpy's :func:`replicate_sums` or an engine's)."""
    ix = np.ix_(range(sums[0].shape[0]), idx, idx)
    return percentile_interval(alpha_replicates(*(a[ix] for a in sums)), level)


def alpha_interval_rows(x, keys, replicates: int, missing: str = "pairwise", shifts=None,
                        level: float = 0.95) -> dict:
    """The Poisson-bootstrap percentile interval of alpha from the rows ``x`` (n x k, NaN missing)
    and each row's key text (:func:`key_text`): the pandas path, the engines' numbers."""
    a, c = row_hashes(keys)
    w = poisson_weights(a, c, replicates)
    x = np.asarray(x, dtype=float)
    shifts = whole_shifts(x) if shifts is None else shifts
    return percentile_interval(alpha_replicates(*replicate_sums(x, w, missing, shifts)), level)


# ------------------------------------------------------------------ key drivers

def _correlations(n, s1, s2):
    """(corr (B, q, q), sd (B, q)) from counts (B,), sums (B, q) and cross-products (B, q, q) of
    shifted values: cov = (S2 - s1 s1'/n) / (n - 1), as the rows repeated by their weights."""
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (s2 - s1[:, :, None] * s1[:, None, :] / n[:, None, None]) / (n[:, None, None] - 1)
        sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    idx = np.arange(corr.shape[-1])
    corr[:, idx, idx] = 1.0
    return corr, sd


def drivers_bootstrap(drivers, estimates, sums, jack, *, replicates: int, seed, ci_level: float = 0.95,
                      performance=None):
    """The drivers' :class:`~cxstats.stats.drivers.bootstrap.BootstrapResult` (percentile and BCa
    intervals of LMG, relative weights, Pratt and standardized betas; ranks) from Poisson
    replicate sums of the complete rows: ``sums`` = (n (B,), s1 (B, q), s2 (B, q, q)), drivers then
    the outcome; ``jack`` = [(n, s1 (q,), s2 (q, q))] per hash group of rows (the BCa acceleration
    from the delete-a-group jackknife: total minus the group). ``performance``: (B, p) replicate
    performance values of the IPA (their percentile interval decides 'determined')."""
    from cxstats.stats.drivers import bootstrap as bs

    n, s1, s2 = (np.asarray(a, dtype=float) for a in sums)
    q = s1.shape[1]
    corr, sd = _correlations(n, s1, s2)
    ok, m = bs._measures_checked(corr, sd)
    samples = {k: (m[k] if m is not None else np.empty((0, q - 1))) for k in estimates}
    jn = np.array([g[0] for g in jack], dtype=float)
    j1 = np.array([g[1] for g in jack], dtype=float).reshape(-1, q)
    j2 = np.array([g[2] for g in jack], dtype=float).reshape(-1, q, q)
    corr, sd = _correlations(jn.sum() - jn, j1.sum(axis=0) - j1, j2.sum(axis=0) - j2)
    _, mj = bs._measures_checked(corr, sd)
    out = bs._finish(replicates, seed, ci_level, list(drivers), estimates, samples,
                     {k: v for k, v in (mj or {}).items()}, len(jack), int((~ok).sum()))
    out.resampling = "poisson"
    out.performance_samples = None if performance is None else np.asarray(performance, dtype=float)
    return out


def drivers_rows_bootstrap(data, keys, drivers, estimates, *, replicates: int, seed, ci_level: float = 0.95):
    """:func:`drivers_bootstrap` from the complete rows ``data`` (n x (p + 1), outcome last) and
    each row's key text: the pandas path, the engines' numbers."""
    data = np.asarray(data, dtype=float)
    a, c = row_hashes(keys)
    w = poisson_weights(a, c, replicates).astype(float)
    shifts = np.round(data.mean(axis=0))
    x0 = data - shifts
    q = data.shape[1]
    n = w.sum(axis=1)
    s1 = w @ x0
    s2 = (w @ (x0[:, :, None] * x0[:, None, :]).reshape(len(x0), q * q)).reshape(-1, q, q)
    groups = jackknife_groups(a)
    used = np.unique(groups)
    pos = np.searchsorted(used, groups)
    jn = np.bincount(pos, minlength=used.size).astype(float)
    j1 = np.zeros((used.size, q))
    np.add.at(j1, pos, x0)
    j2 = np.zeros((used.size, q * q))
    np.add.at(j2, pos, (x0[:, :, None] * x0[:, None, :]).reshape(len(x0), q * q))
    jack = [(jn[g], j1[g], j2[g].reshape(q, q)) for g in range(used.size)]
    out = drivers_bootstrap(drivers, estimates, (n, s1, s2), jack, replicates=replicates, seed=seed,
                            ci_level=ci_level)
    out.row_weights = w              # for the IPA performance interval (performance_interval)
    return out


def performance_interval(boot, x, kind: str, scale_max, aspiration):
    """(lower, upper) of each driver's IPA performance over the Poisson replicates of ``boot``:
    its ``performance_samples`` (an engine's, from replicate sums) or the weighted replicate means
    of the rows ``x`` (the pandas path keeps its replicate weights as ``row_weights``)."""
    samples = boot.performance_samples
    if samples is None:
        w = boot.row_weights
        x = np.asarray(x, dtype=float)
        values = (x >= np.asarray(scale_max, dtype=float) - 1).astype(float) if kind == "top2" else x
        with np.errstate(divide="ignore", invalid="ignore"):
            samples = (w @ values) / w.sum(axis=1)[:, None]
        if kind == "gap":
            samples = samples - np.asarray(aspiration, dtype=float)
    samples = np.asarray(samples, dtype=float)
    samples = samples[np.all(np.isfinite(samples), axis=1)]
    alpha = 1 - boot.ci_level
    lower, upper = np.quantile(samples, [alpha / 2, 1 - alpha / 2], axis=0)
    return lower, upper
