"""An uplift on answers that stop at the scale's top (and bottom).

A roadmap's uplift of ``u`` scale points is what the initiative does to the answers: every
answer rises by ``u`` but cannot pass the scale's maximum (the demo's world, and the world of any
bounded rating scale: ``clip(round(y* + u), min, max)``). The construct score (mean of its items)
therefore rises by less than ``u``: by

    u_eff(u) = sum_items 1/k sum_v share_item(v) x (clip(v + u, min, max) - v)

over the observed answer distribution (``share_item(v)``: share of the item's answers equal to v;
a customer at the top gains nothing, one below gains ``min(u, max - v)``; with answers uniform
within a rounding bin this is the expected change of the rounded answer). The chain's driver
coefficients are per point of the construct score as measured (the SEM's loadings and the OLS
slopes are estimated on the clipped answers), so the chain multiplies them by ``u_eff``, not by
``u``: reading ``u`` as a rise of the score itself overstates the effect by the share of answers at
the top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxstats.errors import InputError


@dataclass
class AnswerSupport:
    """The answers of one construct's items as (values, weights) with the scale's bounds."""

    values: np.ndarray
    weights: np.ndarray
    low: float
    high: float
    bounds_source: str = "scale"

    def effective_uplift(self, uplift):
        """u_eff for a scalar or an array of uplifts (one per draw)."""
        u = np.asarray(uplift, float)
        moved = np.clip(self.values[None, :] + u.reshape(-1, 1), self.low, self.high) - self.values[None, :]
        out = moved @ self.weights
        return out.reshape(u.shape) if u.ndim else float(out[0])

    @property
    def share_at_top(self) -> float:
        return float(self.weights[self.values >= self.high].sum())

    def to_dict(self) -> dict:
        return {"scale_min": self.low, "scale_max": self.high, "bounds_source": self.bounds_source,
                "share_at_top": self.share_at_top}


def answer_support(frame, columns: list, *, bounds=None, construct: str = "") -> AnswerSupport:
    """Pool the answers of ``columns`` (each item weighted 1/k) with the scale ``bounds`` (low, high);
    without bounds the observed minimum and maximum answers are used (and said)."""
    data = frame[list(columns)].apply(lambda s: s.astype(float))
    parts = []
    for c in columns:
        x = data[c].to_numpy(float)
        x = x[np.isfinite(x)]
        if len(x):
            v, n = np.unique(x, return_counts=True)
            parts.append((v, n / n.sum() / len(columns)))
    if not parts:
        raise InputError(f"construct {construct!r} has no answers to read the uplift's clipping from",
                         column=columns[0] if columns else None)
    vals = np.concatenate([p[0] for p in parts])
    wts = np.concatenate([p[1] for p in parts])
    uniq, inv = np.unique(vals, return_inverse=True)
    w = np.bincount(inv, weights=wts)
    w = w / w.sum()
    if bounds is None:
        return AnswerSupport(uniq, w, float(uniq.min()), float(uniq.max()), "observed min and max answers")
    return AnswerSupport(uniq, w, float(bounds[0]), float(bounds[1]), "scale")


def answer_supports(frame, constructs: list, items: dict | None, bounds: dict | None) -> dict:
    """{construct: AnswerSupport}: from its items when known, else from its score column."""
    out = {}
    for c in constructs:
        cols = list((items or {}).get(c) or [c])
        cols = [x for x in cols if x in frame.columns]
        if not cols:
            continue
        out[c] = answer_support(frame, cols, bounds=(bounds or {}).get(c), construct=c)
    return out
