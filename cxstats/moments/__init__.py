"""Sufficient statistics computed in one pass and merged exactly across chunks and machines.

Most analyses of cxstats depend on the data only through a few statistics per cell (wave x
segment x respondent type ...):

* :class:`Moments` - n, the sum of weights, the means and the centred co-moment matrix
  ``M2 = sum w (x - mean)(x - mean)'`` of variables observed together (Welch, Hedges' g,
  alpha, omega, OLS, LMG, relative weights, CFA/SEM by ML);
* :class:`PatternMoments` - one :class:`Moments` per pattern of answered variables (pairwise
  covariances, listwise covariances, reliability item-total statistics and FIML all follow);
* :class:`Counts` - counts per answer category (NPS, top-box, Mann-Whitney with exact ties).

Every type has ``merge`` (the statistics of the union of two disjoint sets of rows) and is
computed on a chunk of rows by ``from_array``. Merging uses the pairwise update of Chan, Golub &
LeVeque (1979): with ``delta = mean_b - mean_a``, ``mean = mean_a + delta w_b / w`` and
``M2 = M2_a + M2_b + delta delta' w_a w_b / w``. No raw sum of squares is ever differenced,
so data with a large offset (1e9 + a small spread) keep their variance to full precision, where
``(sum x^2 - (sum x)^2 / n) / (n - 1)`` loses every digit.

This layer is pure numpy: the engines (``cxstats.engine``: pandas, DuckDB, Spark) produce these
objects, the statistics (``cxstats.stats.from_moments``) consume them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Moments", "PatternMoments", "Counts", "merge_cells"]


@dataclass
class Moments:
    """Co-moments of ``names`` over rows where all of them are observed.

    ``n`` rows, ``w`` = sum of weights (= n without weights), ``w2`` = sum of squared weights,
    ``mean`` (weighted), ``m2`` = sum w (x - mean)(x - mean)' (weighted, centred). ``mean_lo``
    carries the rounding error of ``mean`` (a double-double mean): data at 1e9 keep the
    differences between chunk means to full precision, so merging many chunks costs nothing."""

    names: tuple
    n: int
    w: float
    w2: float
    mean: np.ndarray
    m2: np.ndarray
    mean_lo: np.ndarray | None = None

    def __post_init__(self):
        if self.mean_lo is None:
            self.mean_lo = np.zeros_like(np.asarray(self.mean, dtype=float))

    @classmethod
    def empty(cls, names) -> "Moments":
        k = len(names)
        return cls(tuple(names), 0, 0.0, 0.0, np.zeros(k), np.zeros((k, k)))

    @classmethod
    def from_array(cls, names, x, weights=None) -> "Moments":
        """Moments of the rows of ``x`` (rows x variables, no missing values) in two centred
        passes over the chunk, with the mean corrected by the residual sum (so the chunk's
        M2 is accurate even when the data sit far from zero)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        n, k = x.shape
        if n == 0:
            return cls.empty(names)
        if weights is None:
            mean = x.mean(axis=0)
            d = x - mean
            corr = d.mean(axis=0)            # rounding error of the first mean
            d = d - corr
            hi, lo = _two_sum(mean, corr)
            return cls(tuple(names), n, float(n), float(n), hi, d.T @ d, lo)
        wt = np.asarray(weights, dtype=float)
        sw = float(wt.sum())
        mean = (wt @ x) / sw
        d = x - mean
        corr = (wt @ d) / sw
        d = d - corr
        hi, lo = _two_sum(mean, corr)
        return cls(tuple(names), n, sw, float(wt @ wt), hi, (d * wt[:, None]).T @ d, lo)

    @classmethod
    def from_cov(cls, names, n, mean, cov, *, ddof: int = 1, w=None, w2=None) -> "Moments":
        """From a covariance matrix (divisor n - ddof) and means, e.g. an engine's ``covar_pop``."""
        cov = np.atleast_2d(np.asarray(cov, dtype=float))
        return cls(tuple(names), int(n), float(n if w is None else w), float(n if w2 is None else w2),
                   np.asarray(mean, dtype=float).reshape(-1), cov * (n - ddof))

    def merge(self, other: "Moments") -> "Moments":
        """The moments of both sets of rows (Chan, Golub & LeVeque 1979)."""
        if tuple(other.names) != tuple(self.names):
            raise ValueError(f"cannot merge moments of {other.names} into {self.names}")
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        w = self.w + other.w
        delta = (other.mean - self.mean) + (other.mean_lo - self.mean_lo)
        hi, lo = _two_sum(self.mean, delta * (other.w / w) + self.mean_lo)
        m2 = self.m2 + other.m2 + np.outer(delta, delta) * (self.w * other.w / w)
        return Moments(self.names, self.n + other.n, w, self.w2 + other.w2, hi, m2, lo)

    def select(self, names) -> "Moments":
        """The moments of a subset of the variables (same rows)."""
        idx = [self.names.index(v) for v in names]
        return Moments(tuple(names), self.n, self.w, self.w2, self.mean[idx].copy(),
                       self.m2[np.ix_(idx, idx)].copy(), self.mean_lo[idx].copy())

    def linear(self, names, coef) -> "Moments":
        """The moments of ``names`` (a subset) plus one more variable ``coef @ x`` (a linear
        combination of this object's variables), appended last as ``'_lin'``."""
        idx = [self.names.index(v) for v in names]
        a = np.asarray(coef, dtype=float)
        k = len(idx)
        mean = np.empty(k + 1)
        mean[:k] = self.mean[idx]
        mean[k] = a @ self.mean + a @ self.mean_lo
        m2 = np.empty((k + 1, k + 1))
        m2[:k, :k] = self.m2[np.ix_(idx, idx)]
        cross = self.m2[idx, :] @ a
        m2[:k, k] = cross
        m2[k, :k] = cross
        m2[k, k] = a @ self.m2 @ a
        lo = np.zeros(k + 1)
        lo[:k] = self.mean_lo[idx]
        return Moments(tuple(names) + ("_lin",), self.n, self.w, self.w2, mean, m2, lo)

    def cov(self, ddof: int = 1) -> np.ndarray:
        """Covariance matrix with divisor (n - ddof) (unweighted) or w * (n - ddof) / n
        (weighted: the n/(n-1) factor of ``weighted_mean_var``)."""
        if self.w == self.n:
            return self.m2 / (self.n - ddof)
        return self.m2 / self.w * (self.n / (self.n - ddof))

    def var(self, ddof: int = 1) -> np.ndarray:
        return np.diag(self.cov(ddof)).copy()

    def to_dict(self) -> dict:
        return {"names": list(self.names), "n": int(self.n), "w": self.w, "w2": self.w2,
                "mean": self.mean.tolist(), "mean_lo": self.mean_lo.tolist(), "m2": self.m2.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "Moments":
        return cls(tuple(d["names"]), int(d["n"]), float(d["w"]), float(d["w2"]),
                   np.asarray(d["mean"], dtype=float), np.asarray(d["m2"], dtype=float),
                   np.asarray(d.get("mean_lo", np.zeros(len(d["mean"]))), dtype=float))


def _two_sum(a, b):
    """(s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth's TwoSum), elementwise."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _pattern_key(observed_row) -> tuple:
    return tuple(bool(v) for v in observed_row)


@dataclass
class PatternMoments:
    """One :class:`Moments` per pattern of answered variables (rows answering none are kept
    as the all-False pattern with n only). ``patterns[key]`` holds the moments of the observed
    variables of ``key`` (a tuple of booleans over ``names``)."""

    names: tuple
    patterns: dict = field(default_factory=dict)

    @classmethod
    def from_array(cls, names, x, weights=None) -> "PatternMoments":
        """Pattern moments of a chunk (rows x variables, NaN = missing)."""
        x = np.asarray(x, dtype=float)
        names = tuple(names)
        obs = ~np.isnan(x)
        out = cls(names, {})
        if x.shape[0] == 0:
            return out
        keys, inverse = np.unique(obs, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        for p, key in enumerate(keys):
            rows = inverse == p
            cols = np.flatnonzero(key)
            sub = tuple(names[c] for c in cols)
            w = None if weights is None else np.asarray(weights, dtype=float)[rows]
            out.patterns[_pattern_key(key)] = Moments.from_array(sub, x[np.ix_(rows, cols)], w)
        return out

    def add(self, key, moments: Moments) -> None:
        key = tuple(bool(v) for v in key)
        self.patterns[key] = self.patterns[key].merge(moments) if key in self.patterns else moments

    def merge(self, other: "PatternMoments") -> "PatternMoments":
        if tuple(other.names) != tuple(self.names):
            raise ValueError(f"cannot merge pattern moments of {other.names} into {self.names}")
        out = PatternMoments(self.names, dict(self.patterns))
        for key, m in other.patterns.items():
            out.add(key, m)
        return out

    @property
    def n(self) -> int:
        return int(sum(m.n for m in self.patterns.values()))

    def project(self, names) -> "PatternMoments":
        """The pattern moments of a subset of the variables (patterns that agree on it merged)."""
        idx = [self.names.index(v) for v in names]
        out = PatternMoments(tuple(names), {})
        for key, m in sorted(self.patterns.items()):
            sub = tuple(key[i] for i in idx)
            keep = [names[j] for j, i in enumerate(idx) if key[i]]
            out.add(sub, m.select(keep))
        return out

    def answering_any(self) -> "PatternMoments":
        return PatternMoments(self.names, {k: m for k, m in self.patterns.items() if any(k)})

    def complete(self) -> Moments:
        """Moments of the rows that answered every variable (listwise deletion)."""
        return self.patterns.get(tuple([True] * len(self.names)), Moments.empty(self.names))

    def observed(self, names) -> Moments:
        """Moments of ``names`` over every row that answered all of them (all patterns merged)."""
        idx = [self.names.index(v) for v in names]
        out = Moments.empty(tuple(names))
        for key, m in sorted(self.patterns.items()):
            if all(key[i] for i in idx):
                out = out.merge(m.select(names))
        return out

    def pairwise(self):
        """(cov, cor, n_ij): R's ``cov(x, use = "pairwise")`` and ``cor(x, use = "pairwise")``,
        each entry over the rows answering both variables (means and SDs from those rows)."""
        k = len(self.names)
        cov = np.full((k, k), np.nan)
        cor = np.full((k, k), np.nan)
        nij = np.zeros((k, k))
        for i in range(k):
            for j in range(i, k):
                pair = (self.names[i],) if i == j else (self.names[i], self.names[j])
                m = self.observed(pair)
                nij[i, j] = nij[j, i] = m.n
                if m.n < 2:
                    continue
                c = m.m2 / (m.n - 1)
                if i == j:
                    cov[i, i] = c[0, 0]
                    continue
                cov[i, j] = cov[j, i] = c[0, 1]
                cor[i, j] = cor[j, i] = m.m2[0, 1] / np.sqrt(m.m2[0, 0] * m.m2[1, 1])
        np.fill_diagonal(cor, 1.0)
        return cov, cor, nij

    def to_dict(self) -> dict:
        return {"names": list(self.names),
                "patterns": [{"pattern": [int(b) for b in k], "moments": m.to_dict()}
                             for k, m in sorted(self.patterns.items())]}


@dataclass
class Counts:
    """Counts (or sums of weights) per answer value: ``{value: count}``."""

    counts: dict = field(default_factory=dict)

    @classmethod
    def from_array(cls, x, weights=None) -> "Counts":
        x = np.asarray(x, dtype=float)
        keep = ~np.isnan(x)
        if weights is None:
            vals, cnt = np.unique(x[keep], return_counts=True)
            return cls({float(v): int(c) for v, c in zip(vals, cnt)})
        w = np.asarray(weights, dtype=float)[keep]
        vals, inv = np.unique(x[keep], return_inverse=True)
        sums = np.bincount(inv.reshape(-1), weights=w, minlength=len(vals))
        return cls({float(v): float(s) for v, s in zip(vals, sums)})

    def merge(self, other: "Counts") -> "Counts":
        out = dict(self.counts)
        for v, c in other.counts.items():
            out[v] = out.get(v, 0) + c
        return Counts(out)

    @property
    def n(self):
        return sum(self.counts.values())

    def arrays(self):
        """(values ascending, counts) as numpy arrays."""
        vals = np.array(sorted(self.counts), dtype=float)
        return vals, np.array([self.counts[v] for v in vals], dtype=float)

    def moments(self, name: str = "x") -> Moments:
        """n, mean and M2 of the counted values (exact: a weighted sum over the categories)."""
        vals, cnt = self.arrays()
        if cnt.sum() == 0:
            return Moments.empty((name,))
        m = Moments.from_array((name,), vals[:, None], cnt)
        n = int(round(cnt.sum()))
        return Moments((name,), n, float(n), float(n), m.mean, m.m2)


def merge_cells(a: dict, b: dict) -> dict:
    """Merge two ``{cell: statistics}`` mappings (cells present in one only are kept)."""
    out = dict(a)
    for key, v in b.items():
        out[key] = out[key].merge(v) if key in out else v
    return out
