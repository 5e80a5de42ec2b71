"""An uplift on answers that stop at the scale's top (and bottom).

A roadmap's uplift of ``u`` scale points is what the initiative does to the answers: every
customer's latent response ``y*`` to the construct's items rises by ``u``, and the recorded answer
is, as always, ``y*`` rounded to the nearest answer code and clipped at the scale's bounds
(``x = clip(floor(y* + u + 0.5), min, max)``, the demo's world and the usual reading of a rating
scale). Customers at the top gain nothing on the answer scale, so reading ``u`` as a rise of the
construct score itself overstates the effect where answers crowd at the top.

How the clipping enters the chain. The chain's driver coefficients are covariance-based slopes
per point of the construct score *as measured* (the SEM's loadings and the OLS slopes are
estimated on the rounded, clipped answers). For a normal latent response and any answer function
``x = g(y*)``, Stein's lemma gives ``Cov(x, eta) = E[g'(y*)] Cov(y*, eta)``: the measured answers
move with the experience ``eta`` at the rate

    c_item = E[g'(y*)] = sum_k phi((t_k - mu) / sigma) / sigma  = d E[x] / d u at u = 0,

``t_k`` the thresholds midway between adjacent answer codes, ``(mu, sigma)`` the item's latent
response distribution estimated from its observed answer shares (interval-censored normal, ML;
an ordinal probit with the thresholds at the midpoints). An uplift moves the experience, and
loyalty follows the experience (not the capped answer), so in the units of the driver coefficients
an uplift of ``u`` is worth ``u_eff = u x mean_items(c_item)`` (``uplift_effective``): linear in
``u``, at the clipped answers' rate. The finite expected change of the answers,

    score_change(u) = mean_items sum_k [ Phi((t_k - mu) / sigma) - Phi((t_k - u - mu) / sigma) ],

(what a later survey would show; smaller than ``u_eff`` for a large ``u`` near the top) is
reported beside it but does not feed the chain: using it there would count the scale's ceiling
as a ceiling of the experience and undervalue the initiative (by about 8% for a 0.5 uplift on a
construct with a 4.0 mean on a 1-5 scale; benchmarks/roi_calibration.py). Answers that are not
whole codes on the scale (e.g. a score column without its items) fall back to the observed
values: ``u_eff = u x share of values that can move that way`` (not at the bound), and
``score_change = mean_v share(v) x (clip(v + u, min, max) - v)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError


@dataclass
class ItemResponse:
    """One item's latent response: N(mu, sigma^2), recorded at the thresholds ``cuts``."""

    mu: float
    sigma: float
    cuts: np.ndarray

    @property
    def rate(self) -> float:
        """d E[answer] / d (rise of y*) at the current answers: E[g'(y*)] (see the module's doc)."""
        from scipy.stats import norm

        return float(norm.pdf((self.cuts - self.mu) / self.sigma).sum() / self.sigma)

    def gain(self, u: np.ndarray) -> np.ndarray:
        """The finite expected change of the answer when y* rises by each of ``u``."""
        from scipy.special import ndtr

        z0 = ndtr((self.cuts[None, :] - self.mu) / self.sigma)
        z1 = ndtr((self.cuts[None, :] - u[:, None] - self.mu) / self.sigma)
        return (z0 - z1).sum(axis=1)


@dataclass
class AnswerSupport:
    """A construct's answers: per item latent responses (or observed values) and the scale's bounds."""

    values: np.ndarray
    weights: np.ndarray
    low: float
    high: float
    bounds_source: str = "scale"
    items: list = field(default_factory=list)   # ItemResponse per item (empty: clip observed values)

    def effective_uplift(self, uplift):
        """u_eff = u x rate for a scalar or an array of uplifts (one per draw): the uplift in the
        units of the driver coefficients (points of the construct score as measured)."""
        u = np.asarray(uplift, float)
        if self.items:
            out = u * self.rate
        else:   # observed values: the share that can move in u's direction
            out = np.where(u >= 0, u * self.weights[self.values < self.high].sum(),
                           u * self.weights[self.values > self.low].sum())
        return out if u.ndim else float(out)

    @property
    def rate(self) -> float:
        """Construct score points per point of uplift (mean over the items of E[g'(y*)]; at the
        scale's middle with a wide spread close to 1, lower where answers crowd at a bound)."""
        if self.items:
            return float(np.mean([it.rate for it in self.items]))
        return float(self.weights[self.values < self.high].sum())

    def score_change(self, uplift):
        """The finite expected change of the construct score when the answers' y* rise by ``uplift``
        (rounded and clipped, as the world records them): reported, not used by the chain."""
        u = np.asarray(uplift, float)
        flat = u.reshape(-1)
        if self.items:
            out = np.mean([it.gain(flat) for it in self.items], axis=0)
        else:
            moved = np.clip(self.values[None, :] + flat[:, None], self.low, self.high) - self.values[None, :]
            out = moved @ self.weights
        return out.reshape(u.shape) if u.ndim else float(out[0])

    @property
    def share_at_top(self) -> float:
        return float(self.weights[self.values >= self.high].sum())

    @property
    def method(self) -> str:
        return ("latent normal response per item (ML from the answer shares), rounded and clipped: "
                "u_eff = u x mean E[g'(y*)]" if self.items else
                "observed values: u_eff = u x share of values not at the bound")

    def to_dict(self) -> dict:
        return {"scale_min": self.low, "scale_max": self.high, "bounds_source": self.bounds_source,
                "share_at_top": self.share_at_top, "score_points_per_uplift_point": self.rate,
                "method": self.method}


def fit_item_response(values, counts, low: float, high: float) -> ItemResponse | None:
    """ML (mu, sigma) of a normal latent response from answer counts on the integer codes low..high
    (thresholds midway); None when the answers are not whole codes or too few codes are used."""
    from scipy.optimize import minimize
    from scipy.special import ndtr

    v = np.asarray(values, float)
    n = np.asarray(counts, float)
    if not (np.allclose(v, np.round(v)) and float(low).is_integer() and float(high).is_integer()) \
            or len(v) < 2 or v.min() < low or v.max() > high:
        return None
    codes = np.arange(int(low), int(high) + 1)
    cnt = np.zeros(len(codes))
    cnt[(np.round(v) - low).astype(int)] = n
    cuts = codes[:-1] + 0.5
    mean = float((codes * cnt).sum() / cnt.sum())
    sd = float(np.sqrt(((codes - mean) ** 2 * cnt).sum() / cnt.sum())) or 0.5

    def nll(par):
        mu, ls = par
        s = np.exp(ls)
        cdf = np.concatenate([[0.0], ndtr((cuts - mu) / s), [1.0]])
        pr = np.clip(np.diff(cdf), 1e-300, None)
        return -(cnt * np.log(pr)).sum()

    res = minimize(nll, [mean, np.log(sd)], method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9})
    mu, ls = res.x
    if not np.isfinite(mu) or not np.isfinite(ls):
        return None
    return ItemResponse(float(mu), float(np.exp(ls)), cuts)


def answer_support(frame, columns: list, *, bounds=None, construct: str = "") -> AnswerSupport:
    """The answers of ``columns`` (items weighted 1/k) with the scale ``bounds`` (low, high); without
    bounds the observed lowest and highest answers are used (and said)."""
    data = frame[list(columns)].apply(lambda s: s.astype(float))
    parts, counts = [], []
    for c in columns:
        x = data[c].to_numpy(float)
        x = x[np.isfinite(x)]
        if len(x):
            v, n = np.unique(x, return_counts=True)
            parts.append((v, n / n.sum() / len(columns)))
            counts.append((v, n))
    if not parts:
        raise InputError(f"construct {construct!r} has no answers to read the uplift's clipping from",
                         column=columns[0] if columns else None)
    vals = np.concatenate([p[0] for p in parts])
    wts = np.concatenate([p[1] for p in parts])
    uniq, inv = np.unique(vals, return_inverse=True)
    w = np.bincount(inv, weights=wts)
    w = w / w.sum()
    if bounds is None:
        low, high, src = float(uniq.min()), float(uniq.max()), "observed lowest and highest answers"
    else:
        low, high, src = float(bounds[0]), float(bounds[1]), "scale"
    items = [fit_item_response(v, n, low, high) for v, n in counts]
    if any(it is None for it in items):
        items = []
    return AnswerSupport(uniq, w, low, high, src, items)


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
