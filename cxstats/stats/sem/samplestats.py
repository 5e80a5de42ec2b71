"""Sample statistics per group: covariance (divisor N, lavaan's likelihood="normal"), means, n."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxstats.errors import InputError, ModelError


@dataclass
class SampleStats:
    names: list[str]              # variable order of cov/mean
    cov: list[np.ndarray]         # per group, divisor n
    mean: list[np.ndarray]
    n: list[int]
    group_labels: list[str]
    weight_n: list | None = None  # with sampling weights: each group's sum of (rescaled) weights

    @property
    def group_size(self) -> list:
        """The group sizes the fit weighs groups by: the sums of the sampling weights when there are
        weights (lavaan), else the numbers of cases."""
        return list(self.weight_n) if self.weight_n is not None else list(self.n)

    @property
    def ngroups(self) -> int:
        return len(self.n)

    @property
    def ntotal(self) -> int:
        return int(sum(self.n))

    @classmethod
    def from_moments(cls, names, cov, mean, n, group_labels=None, *, unbiased: bool = False):
        """From covariance matrices (divisor n, or n-1 with ``unbiased=True``) and means."""
        covs = [np.asarray(c, float) for c in (cov if isinstance(cov, (list, tuple)) else [cov])]
        means = [np.asarray(m, float) for m in (mean if isinstance(mean, (list, tuple)) else [mean])]
        ns = [int(x) for x in (n if isinstance(n, (list, tuple)) else [n])]
        if unbiased:
            covs = [c * (k - 1) / k for c, k in zip(covs, ns)]
        labels = list(group_labels) if group_labels is not None else [str(i + 1) for i in range(len(ns))]
        return cls(list(names), covs, means, ns, labels)


def group_codes(group, group_labels, n_rows: int):
    """Rows' group indices: (codes, labels, keep, warnings). One group when ``group`` is None;
    labels in order of first appearance (lavaan) unless ``group_labels`` is given; rows
    without a group value (or with a value not among the labels) are not kept."""
    import pandas as pd

    warnings: list[str] = []
    if group is None:
        return np.zeros(n_rows, dtype=int), ["all"], np.ones(n_rows, bool), warnings
    gser = pd.Series(list(group), dtype=object)
    keep = gser.notna().to_numpy()
    if group_labels is None:
        labels = []
        for v in gser[keep]:
            if v not in labels:
                labels.append(v)
    else:
        labels = list(group_labels)
    lut = {v: i for i, v in enumerate(labels)}
    g = np.array([lut.get(v, -1) for v in gser], dtype=int)
    keep &= g >= 0
    if (~keep).sum():
        warnings.append(f"{int((~keep).sum())} row(s) without a group value were left out")
    return g, labels, keep, warnings


def sample_stats(frame, names, group=None, group_labels=None, *, where: str = "data") -> tuple[SampleStats, list[str]]:
    """Listwise-complete sample statistics for ``names`` of a DataFrame.

    ``group``: a sequence of group labels per row (None = one group). Groups are
    ordered by first appearance (lavaan) unless ``group_labels`` is given.
    Returns the stats and a list of warnings (rows dropped).
    """
    X = frame[list(names)].to_numpy(dtype=float)
    g, labels, keep_g, warnings = group_codes(group, group_labels, len(X))
    complete = ~np.isnan(X).any(axis=1)
    dropped = int((keep_g & ~complete).sum())
    if dropped:
        warnings.append(f"{dropped} row(s) with missing values on the model variables were left out "
                        "(listwise deletion, lavaan's default)")
    keep = keep_g & complete
    covs, means, ns = [], [], []
    p = len(names)
    for i, lab in enumerate(labels):
        Xi = X[keep & (g == i)]
        n = len(Xi)
        if n < 2 or n <= p:
            which = f"group {lab!r}" if group is not None else where
            raise ModelError(f"{which} has {n} complete case(s) for {p} variables; "
                             f"the covariance matrix needs more cases than variables")
        m = Xi.mean(axis=0)
        C = (Xi - m).T @ (Xi - m) / n
        sd = np.sqrt(np.diag(C))
        const = [names[j] for j in range(p) if not sd[j] > 0]
        if const:
            which = f" in group {lab!r}" if group is not None else ""
            raise InputError(f"variable(s) {', '.join(const)} have no variance{which}; "
                             "a constant item cannot be modelled", column=const[0])
        R = C / np.outer(sd, sd)
        eig = np.linalg.eigvalsh(R)
        if eig[0] < 1e-10:
            which = f" in group {lab!r}" if group is not None else ""
            raise ModelError(f"the sample covariance matrix{which} is singular (smallest eigenvalue "
                             f"{eig[0]:.2e} of the correlation matrix): some variables are linear "
                             "combinations of others (duplicated items or a total score?)")
        covs.append(C)
        means.append(m)
        ns.append(n)
    return SampleStats(list(names), covs, means, ns, [str(x) for x in labels]), warnings


def group_arrays(frame, names, group=None, group_labels=None) -> list:
    """Per group, the complete rows of ``names`` (n_g x p arrays): the cases behind
    :func:`sample_stats` (same groups, same listwise deletion), for casewise computations
    (robust standard errors and tests)."""
    X = frame[list(names)].to_numpy(dtype=float)
    g, labels, keep, _ = group_codes(group, group_labels, len(X))
    keep = keep & ~np.isnan(X).any(axis=1)
    return [X[keep & (g == i)] for i in range(len(labels))]


def weighted_sample_stats(frame, names, weights, group=None, group_labels=None, *, where: str = "data"):
    """Sample statistics with sampling weights (lavaan's ``sampling.weights``): the complete rows
    with a weight; the weights rescaled to sum to the number of those rows over all groups
    (lavaan's default ``sampling.weights.normalization = "total"``); per group the weighted mean
    and the weighted covariance matrix (divisor the group's sum of weights).

    Returns (SampleStats, per-group data arrays, per-group weight arrays, warnings). Rows whose
    weight is missing are left out (with a warning); a negative weight is an error."""
    X = frame[list(names)].to_numpy(dtype=float)
    w = np.asarray(weights, dtype=float)
    g, labels, keep_g, warnings = group_codes(group, group_labels, len(X))
    no_w = np.isnan(w) & keep_g
    if no_w.any():
        warnings.append(f"{int(no_w.sum())} row(s) without a sampling weight were left out")
    bad = np.flatnonzero(keep_g & ~np.isnan(w) & (w < 0))
    if len(bad):
        raise InputError(f"sampling weights cannot be negative (row {int(bad[0]) + 1}: {w[bad[0]]:g})",
                         row=int(bad[0]) + 1)
    complete = ~np.isnan(X).any(axis=1)
    dropped = int((keep_g & ~no_w & ~complete).sum())
    if dropped:
        warnings.append(f"{dropped} row(s) with missing values on the model variables were left out "
                        "(listwise deletion)")
    keep = keep_g & ~no_w & complete
    if not keep.any() or not w[keep].sum() > 0:
        raise InputError("the sampling weights of the rows used are all zero")
    wn = np.where(keep, w, 0.0) * keep.sum() / w[keep].sum()
    covs, means, ns, arrays, warrays, wsum = [], [], [], [], [], []
    p = len(names)
    for i, lab in enumerate(labels):
        rows = keep & (g == i)
        Xi, wi = X[rows], wn[rows]
        n = len(Xi)
        if n <= p:
            which = f"group {lab!r}" if group is not None else where
            raise ModelError(f"{which} has {n} complete case(s) for {p} variables; "
                             f"the covariance matrix needs more cases than variables")
        m = (wi[:, None] * Xi).sum(axis=0) / wi.sum()
        E = Xi - m
        C = (wi[:, None] * E).T @ E / wi.sum()
        sd = np.sqrt(np.diag(C))
        const = [names[j] for j in range(p) if not sd[j] > 0]
        if const:
            raise InputError(f"variable(s) {', '.join(const)} have no (weighted) variance; a constant item "
                             "cannot be modelled", column=const[0])
        covs.append(C)
        means.append(m)
        ns.append(n)
        wsum.append(float(wi.sum()))
        arrays.append(Xi)
        warrays.append(wi)
    stats = SampleStats(list(names), covs, means, ns, [str(x) for x in labels], wsum)
    return stats, arrays, warrays, warnings
