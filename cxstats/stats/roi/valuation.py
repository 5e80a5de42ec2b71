"""Valuation of a roadmap: the value chain per initiative, discounting, payback, the Monte Carlo
over the coefficients (P10/P50/P90) and the one-at-a-time sensitivity (tornado).

See :mod:`cxstats.stats.roi` for the formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError
from cxstats.stats.roi.coefficients import Z95, Coefficients
from cxstats.stats.roi.result import RoiResult


RANGE_FIELDS = ("uplift", "cost", "customers_reached")
VALUE_BASIS_REVENUE = "revenue (no margin given)"
MARGIN_WARNING = ("no margin given: revenue is counted as value (margin 1), so the benefit, NPV and ROI are "
                  "overstated by 1/margin (e.g. 3.3x at a 30% contribution margin); give the contribution margin "
                  "(margin: 0.3, --margin 0.3)")


@dataclass
class Initiative:
    id: str
    name: str
    construct: str
    uplift: float
    cost: float
    months_to_effect: float
    customers_reached: float
    row: int = 0
    ranges: dict = field(default_factory=dict)   # field -> (low, high): triangular (low, mode = the field, high)

    def spread(self, f: str, default):
        """(low, high) of a field given as a proper range (low < high), else ``default``."""
        lo, hi = self.ranges.get(f, (0.0, 0.0))
        return (float(lo), float(hi)) if hi > lo else default

    @property
    def ranges_drawn(self) -> str:
        return ", ".join(f for f in RANGE_FIELDS if self.spread(f, None))

    def draw_ranges(self, rng, size: int) -> dict:
        """Triangular draws (low, mode, high) of the fields given as ranges: {field: (size,) array}."""
        out = {}
        for f in RANGE_FIELDS:
            if f in self.ranges:
                lo, hi = self.ranges[f]
                mode = float(getattr(self, f))
                out[f] = rng.triangular(lo, mode, hi, size) if hi > lo else np.full(size, mode)
        return out


@dataclass
class Assumptions:
    discount_rate: float = 0.08
    horizon_years: float = 3.0
    customer_value: float = float("nan")   # annual value of one customer (currency)
    revenue_per_customer: float = float("nan")  # mean annual revenue (base of the revenue uplift)
    margin: float = 1.0                     # share of revenue that is value
    loyalty: str = ""
    currency: str = "EUR"
    sources: dict = field(default_factory=dict)
    value_basis: str = ""                   # what the benefit counts: contribution, or revenue (no margin given)
    answers: dict = field(default_factory=dict)  # construct -> AnswerSupport: the uplift clipped at the scale's top
    customer_base: float | None = None      # customers the roadmap's reach is out of (None: the largest reach)

    def check(self):
        if not 0 <= self.discount_rate < 1:
            raise InputError(f"the discount rate must be between 0 and 1 (e.g. 0.08), not {self.discount_rate!r}",
                             option="discount_rate")
        if not self.horizon_years > 0:
            raise InputError(f"the horizon must be a positive number of years, not {self.horizon_years!r}",
                             option="horizon")
        if not 0 < self.margin <= 1:
            raise InputError(f"the margin must be in (0, 1], not {self.margin!r}", option="margin")


def annuity_factor(months_to_effect, horizon_years, rate):
    """sum_{m=d+1}^{12H} (1/12) (1+r)^(-m/12): PV of 1 per year paid monthly after d months."""
    d = np.floor(np.asarray(months_to_effect, float))
    total = np.floor(12 * np.asarray(horizon_years, float))
    k = np.clip(total - d, 0, None)
    rate = np.asarray(rate, float)
    v = (1 + rate) ** (-1 / 12)
    with np.errstate(divide="ignore", invalid="ignore"):
        geo = np.where(rate > 0, v ** (d + 1) * (1 - v ** k) / (1 - v), k)
    return geo / 12


def payback_months(annual_benefit, cost, months_to_effect, horizon_years, rate):
    """First month m with (A/12) sum_{j=d+1}^{m} v^j >= cost; inf when not within the horizon."""
    A = np.asarray(annual_benefit, float)
    d = np.floor(float(months_to_effect))
    total = np.floor(12 * float(horizon_years))
    out = np.full(A.shape, np.inf)
    if np.ndim(cost):   # a cost per draw (a cost range): the same formula row by row
        cost = np.broadcast_to(np.asarray(cost, float), A.shape)
        free = cost <= 0
        if free.any() and d + 1 <= total:
            out[free & (A > 0)] = d + 1
        paid = ~free
        if paid.any():
            out[paid] = _payback_paid(A[paid], cost[paid], d, total, rate)
        return out
    pos = A > 0
    if cost <= 0:
        return np.where(pos, d + 1, np.inf) if d + 1 <= total else out
    out[pos] = _payback_paid(A[pos], cost, d, total, rate)
    return out


def _payback_paid(A, cost, d, total, rate):
    """payback_months for benefits A and costs > 0 (scalar or per row); inf where A <= 0 or not within."""
    A = np.asarray(A, float)
    cost = np.broadcast_to(np.asarray(cost, float), A.shape)
    out = np.full(A.shape, np.inf)
    pos = A > 0
    if not pos.any():
        return out
    monthly = A[pos] / 12
    cost = cost[pos]
    if rate > 0:
        v = (1 + rate) ** (-1 / 12)
        q = cost * (1 - v) / (monthly * v ** (d + 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            steps = np.where(q < 1, np.ceil(np.log1p(-np.minimum(q, 1 - 1e-16)) / math.log(v) - 1e-9), np.inf)
    else:
        steps = np.ceil(cost / monthly - 1e-9)
    m = d + np.maximum(steps, 1)
    out[pos] = np.where(m <= total, m, np.inf)
    return out


def chain_effects(coef_draws: np.ndarray, names: list, init: Initiative, loyalty_values: np.ndarray,
                  uplift: float | None = None, answers=None):
    """(dL, dp, revenue factor - 1) per draw for one initiative.

    ``answers``: the construct's AnswerSupport; the uplift is then applied to the answers and clipped
    at the scale's bounds (:mod:`cxstats.stats.roi.clipping`), and the driver slope multiplies the
    resulting change of the construct score."""
    idx = {n: i for i, n in enumerate(names)}
    u = init.uplift if uplift is None else uplift
    if answers is not None:
        u = answers.effective_uplift(u)
    dL = coef_draws[:, idx[f"driver:{init.construct}"]] * u
    dp, drev = loyalty_effects(coef_draws, idx, dL, loyalty_values)
    return dL, dp, drev


def loyalty_effects(coef_draws, idx: dict, dL, loyalty_values):
    """(dp, revenue factor - 1) per draw when every customer's loyalty rises by dL (per draw)."""
    if "churn:slope" in idx:
        a = coef_draws[:, idx["churn:intercept"]][:, None]
        b = coef_draws[:, idx["churn:slope"]][:, None]
        vals, wts = loyalty_support(loyalty_values)
        L = vals[None, :]
        base = _logistic(a + b * L)
        new = _logistic(a + b * (L + dL[:, None]))
        dp = (new - base) @ wts
    else:
        dp = np.zeros(len(dL))
    if "revenue:slope" in idx:
        drev = np.expm1(coef_draws[:, idx["revenue:slope"]] * dL)
    else:
        drev = np.zeros(len(dL))
    return dp, drev


def loyalty_support(values, max_points: int = 512):
    """The customers' loyalty values as (points, weights) to average the churn model over.

    Distinct values with their shares; when there are more than ``max_points`` (continuous factor
    scores) the sorted values are cut into ``max_points`` equal-count groups, each represented by its
    mean: the averaged logistic then differs by a second-order term in the within-group spread."""
    if isinstance(values, LoyaltySupport):
        return values.points, values.weights
    v = np.asarray(values, float)
    vals, counts = np.unique(v, return_counts=True)
    if len(vals) <= max_points:
        return vals, counts / counts.sum()
    s = np.sort(v)
    starts = np.linspace(0, len(s), max_points + 1).astype(int)[:-1]
    sizes = np.diff(np.append(starts, len(s)))
    return np.add.reduceat(s, starts) / sizes, sizes / len(s)


@dataclass
class LoyaltySupport:
    """Precomputed :func:`loyalty_support` (so that Monte Carlo chunks do not redo it)."""

    points: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, values):
        return cls(*loyalty_support(values))


def _logistic(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def value_initiative(coef_draws, names, init: Initiative, loyalty_values, a: Assumptions, *,
                     uplift=None, cost=None, rate=None, horizon=None, value_scale=1.0, months=None, reach=None):
    """Per-draw dict: d_loyalty, d_churn, revenue_uplift, annual_benefit, pv, npv, roi, payback.

    ``uplift``, ``cost`` and ``reach`` may be arrays with one value per draw (roadmap ranges)."""
    dL, dp, drev = chain_effects(coef_draws, names, init, loyalty_values, uplift, a.answers.get(init.construct))
    V = a.customer_value * value_scale
    R = a.revenue_per_customer * value_scale
    cost = init.cost if cost is None else cost
    rate = a.discount_rate if rate is None else rate
    horizon = a.horizon_years if horizon is None else horizon
    months = init.months_to_effect if months is None else months
    reach = init.customers_reached if reach is None else reach
    per_customer = a.margin * (-dp * V + R * drev)
    annual = reach * per_customer
    pv = annual * annuity_factor(months, horizon, rate)
    npv = pv - cost
    if np.ndim(cost):
        with np.errstate(divide="ignore", invalid="ignore"):
            roi = np.where(np.asarray(cost) > 0, npv / np.where(np.asarray(cost) > 0, cost, 1.0), np.nan)
    else:
        roi = npv / cost if cost > 0 else np.full(np.shape(npv), np.nan)
    return {"d_loyalty": dL, "d_churn": dp, "revenue_uplift": drev, "annual_benefit": annual,
            "per_customer_benefit": per_customer,
            "pv_benefit": pv, "npv": npv, "roi": roi,
            "payback_months": payback_months(annual, cost, months, horizon, rate)}


def percentile_summary(values, q=(10, 50, 90)):
    v = np.asarray(values, float)
    finite = v[~np.isnan(v)]
    if not len(finite):
        return [float("nan")] * len(q)
    return [float(x) for x in np.percentile(finite, q)]


def roadmap_roi(initiatives: list[Initiative], coefficients: Coefficients, loyalty_values, assumptions: Assumptions,
                *, draws: int = 10_000, seed=20261123, progress=None, roadmap_file: str = "",
                chain: dict | None = None, warnings=None) -> RoiResult:
    """Value every initiative; ``progress(done, total)`` is called as draws are processed."""
    import pandas as pd

    assumptions.check()
    if not math.isfinite(assumptions.customer_value) or assumptions.customer_value < 0:
        raise InputError("the annual customer value is unknown or negative; give it or a revenue column")
    if not math.isfinite(assumptions.revenue_per_customer):
        assumptions.revenue_per_customer = assumptions.customer_value
    for init in initiatives:
        if f"driver:{init.construct}" not in coefficients:
            raise InputError(f"no driver effect for construct {init.construct!r} (known: "
                             f"{', '.join(n.split(':', 1)[1] for n in coefficients.names if n.startswith('driver:'))})",
                             file=roadmap_file or None, column="construct", row=init.row, value=init.construct)
    draws = int(draws)
    if draws < 1:
        raise InputError("the number of Monte Carlo draws must be at least 1", option="draws")
    rng = np.random.default_rng(seed)
    theta = coefficients.draw(rng, draws)
    point = coefficients.est[None, :]
    L = np.asarray(loyalty_values, float)
    L = L[np.isfinite(L)]
    if not len(L):
        raise InputError("no loyalty values to average the churn model over")
    L = LoyaltySupport.of(L)
    rows, sens = [], []
    total = draws * len(initiatives)
    done = 0
    chunk = 1000
    # the roadmap's ranges: drawn after the coefficients (same seeded stream), so that a roadmap
    # without ranges gives exactly the draws (and numbers) of the point roadmap
    ranged = [init.draw_ranges(rng, draws) for init in initiatives]
    per_draw = []   # (dL, reach, cost) per draw of every initiative, for the roadmap total
    for init, rd in zip(initiatives, ranged):
        parts = []
        for s in range(0, draws, chunk):
            kw = {{"customers_reached": "reach"}.get(f, f): v[s:s + chunk] for f, v in rd.items()}
            parts.append(value_initiative(theta[s:s + chunk], coefficients.names, init, L, assumptions, **kw))
            done += min(chunk, draws - s)
            if progress is not None:
                progress(done, total)
        mc = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        pt = value_initiative(point, coefficients.names, init, L, assumptions)
        per_draw.append((mc["d_loyalty"], rd.get("customers_reached", np.full(draws, float(init.customers_reached))),
                         rd.get("cost", np.full(draws, float(init.cost))), float(pt["d_loyalty"][0])))
        rec = {"initiative": init.id, "name": init.name, "construct": init.construct, "uplift": init.uplift,
               "cost": init.cost, "months_to_effect": init.months_to_effect,
               "customers_reached": init.customers_reached, "ranges_drawn": init.ranges_drawn,
               "uplift_effective": _effective(assumptions, init),
               "score_change": _score_change(assumptions, init),
               "d_loyalty": float(pt["d_loyalty"][0]), "d_churn": float(pt["d_churn"][0]),
               "revenue_uplift": float(pt["revenue_uplift"][0]),
               "annual_benefit": float(pt["annual_benefit"][0]), "pv_benefit": float(pt["pv_benefit"][0]),
               "npv": float(pt["npv"][0]), "roi": float(np.asarray(pt["roi"]).reshape(-1)[0]),
               "payback_months": _finite(pt["payback_months"][0])}
        for key in ("npv", "roi", "pv_benefit", "d_churn"):
            for qn, v in zip(("p10", "p50", "p90"), percentile_summary(mc[key])):
                rec[f"{key}_{qn}"] = v
        big = 1e15   # "never within the horizon", kept out of the interpolation arithmetic
        pb = np.percentile(np.minimum(mc["payback_months"], big), (10, 50, 90), method="lower")
        pb = np.where(pb >= big, np.inf, pb)
        for qn, v in zip(("p10", "p50", "p90"), pb):
            rec[f"payback_months_{qn}"] = _finite(v)
        rec["prob_npv_positive"] = float(np.mean(mc["npv"] > 0))
        rec["share_no_payback"] = float(np.mean(~np.isfinite(mc["payback_months"])))
        rows.append(rec)
        sens += tornado(init, coefficients, L, assumptions, base_npv=rec["npv"])
    total, total_warns = _total(initiatives, coefficients, theta, point, per_draw, rows, assumptions, L)
    res = pd.DataFrame(rows).sort_values("npv_p50", ascending=False, kind="stable").reset_index(drop=True)
    res.insert(0, "rank", np.arange(1, len(res) + 1))
    sens_df = pd.DataFrame(sens)
    warns = list(warnings or [])
    if not assumptions.value_basis:
        assumptions.value_basis = (VALUE_BASIS_REVENUE if assumptions.margin == 1 else
                                   f"contribution (margin {assumptions.margin:.1%} of revenue)")
    if assumptions.value_basis == VALUE_BASIS_REVENUE:
        warns.insert(0, MARGIN_WARNING)
    for r in rows:
        if r["prob_npv_positive"] < 0.5:
            warns.append(f"initiative {r['initiative']}: NPV is more likely negative than positive "
                         f"(P(NPV > 0) = {r['prob_npv_positive']:.0%})")
    warns += total_warns
    result = RoiResult(initiatives, coefficients, assumptions, res, sens_df, draws, seed, str(roadmap_file),
                       dict(chain or {}), warns)
    result.total = total
    return result


def _total(initiatives, coefficients, theta, point, per_draw, rows, a: Assumptions, L):
    """The roadmap total (:mod:`cxstats.stats.roi.total`): point values and P10/P50/P90."""
    from cxstats.stats.roi.total import MAX_INITIATIVES, RULE, roadmap_total

    base = a.customer_base
    if base is not None:
        big = max(initiatives, key=lambda i: max(float(i.customers_reached),
                                                 float(i.ranges.get("customers_reached", (0, 0))[1])))
        top = max(float(big.customers_reached), float(big.ranges.get("customers_reached", (0, 0))[1]))
        if not base >= top:
            raise InputError(f"the customer base ({base:,.0f}) is smaller than initiative {big.id}'s "
                             f"customers_reached ({top:,.0f})", option="customer_base")
    if len(initiatives) > MAX_INITIATIVES:
        return None, [f"roadmap total not computed: more than {MAX_INITIATIVES} initiatives (the overlap rule "
                      "enumerates every combination); the initiatives' own results are not affected"]
    dL = np.column_stack([d[0] for d in per_draw])
    reach = np.column_stack([d[1] for d in per_draw])
    cost = np.column_stack([d[2] for d in per_draw])
    kw = dict(annuity_factor=annuity_factor, loyalty_effects=loyalty_effects)
    chunk = max(100, 16_000 // (2 ** len(initiatives)))
    parts = [roadmap_total(initiatives, theta[s:s + chunk], coefficients.names, dL[s:s + chunk],
                           reach[s:s + chunk], cost[s:s + chunk], a, L, **kw) for s in range(0, len(theta), chunk)]
    mc = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    pt = roadmap_total(initiatives, point, coefficients.names, np.array([[d[3] for d in per_draw]]),
                       np.array([[float(i.customers_reached) for i in initiatives]]),
                       np.array([[float(i.cost) for i in initiatives]]), a, L, **kw)
    out = {"rule": RULE, "initiatives": len(initiatives),
           "customer_base_source": "given" if base is not None else "the largest customers_reached",
           "customer_base": float(pt["customer_base"][0]),
           "customers_reached_sum": float(sum(float(i.customers_reached) for i in initiatives)),
           "customers_reached_union": float(pt["customers_reached_union"][0]),
           "cost": float(pt["cost"][0]), "annual_benefit": float(pt["annual_benefit"][0]),
           "pv_benefit": float(pt["pv_benefit"][0]), "npv": float(pt["npv"][0]),
           "sum_of_initiative_npvs": float(sum(r["npv"] for r in rows))}
    for qn, v in zip(("p10", "p50", "p90"), percentile_summary(mc["npv"])):
        out[f"npv_{qn}"] = v
    out["prob_npv_positive"] = float(np.mean(mc["npv"] > 0))
    out["roi"] = out["npv"] / out["cost"] if out["cost"] > 0 else None
    return out, []


def _effective(a: Assumptions, init: Initiative) -> float:
    """The initiative's uplift in the units of the driver coefficients (the clipped answers' rate)."""
    sup = a.answers.get(init.construct)
    return float(init.uplift) if sup is None else float(sup.effective_uplift(init.uplift))


def _score_change(a: Assumptions, init: Initiative) -> float:
    """The construct score's finite expected change when the answers rise by the uplift and are clipped
    (what a later survey would show; reported, not used by the chain: :mod:`.clipping`)."""
    sup = a.answers.get(init.construct)
    return float(init.uplift) if sup is None else float(sup.score_change(init.uplift))


def _finite(v):
    v = float(v)
    return v if math.isfinite(v) else None


def tornado(init: Initiative, coefficients: Coefficients, L, a: Assumptions, *, base_npv: float) -> list[dict]:
    """One-at-a-time low/high NPV per assumption for one initiative (sorted by swing)."""
    point = coefficients.est[None, :]

    def npv(**kw):
        return float(value_initiative(kw.pop("theta", point), coefficients.names, init, L, a, **kw)["npv"][0])

    r, H = a.discount_rate, a.horizon_years
    cases = [
        ("discount_rate", max(0.0, r - 0.04), r + 0.04, lambda x: npv(rate=x)),
        ("horizon_years", max(1.0, H - 1), H + 1, lambda x: npv(horizon=x)),
        ("uplift", *init.spread("uplift", (init.uplift * 0.75, init.uplift * 1.25)), lambda x: npv(uplift=x)),
        ("cost", *init.spread("cost", (init.cost * 0.75, init.cost * 1.25)), lambda x: npv(cost=x)),
        ("customer_value", a.customer_value * 0.75, a.customer_value * 1.25,
         lambda x: npv(value_scale=x / a.customer_value if a.customer_value else 1.0)),
        ("months_to_effect", max(0.0, init.months_to_effect - 3), init.months_to_effect + 3,
         lambda x: npv(months=x)),
    ]
    if init.spread("customers_reached", None):
        cases.append(("customers_reached", *init.spread("customers_reached", None), lambda x: npv(reach=x)))
    used = [f"driver:{init.construct}", "churn:intercept", "churn:slope", "revenue:slope"]
    for name in used:
        if name not in coefficients:
            continue
        j = coefficients.index(name)
        est, se = coefficients.est[j], coefficients.se(name)

        def at(x, j=j):
            th = point.copy()
            th[0, j] = x
            return npv(theta=th)
        cases.append((name, est - Z95 * se, est + Z95 * se, at))
    units = {"discount_rate": "rate", "horizon_years": "years", "uplift": "scale points", "cost": a.currency,
             "customer_value": a.currency, "months_to_effect": "months", "customers_reached": "customers"}
    out = []
    for name, lo, hi, f in cases:
        n_lo, n_hi = f(lo), f(hi)
        out.append({"initiative": init.id, "assumption": name, "low": float(lo), "high": float(hi),
                    "npv_low": n_lo, "npv_high": n_hi, "npv_base": base_npv, "swing": abs(n_hi - n_lo),
                    "unit": units.get(name, "coefficient"), "npv_change_low": n_lo - base_npv,
                    "npv_change_high": n_hi - base_npv})
    out.sort(key=lambda d: -d["swing"])
    return out


def default_assumptions(finance_result, loyalty: str, *, discount_rate=0.08, horizon_years=3.0, margin=None,
                        customer_value=None, currency="EUR", chain: dict | None = None,
                        customer_base=None) -> Assumptions:
    """Customer value = mean annual revenue of the linked customers unless given."""
    src = {}
    rev = finance_result.summary.get("revenue")
    revenue = rev["mean"] if rev else float("nan")
    if customer_value is None:
        if rev is None:
            raise InputError("the finance data has no revenue column: give the annual customer value",
                             option="customer_value")
        customer_value = revenue
        src["customer_value"] = (f"mean of '{rev['column']}' over {rev['n']} linked customers "
                                 f"({finance_result.link.finance_file})")
    else:
        src["customer_value"] = "given"
    if rev is not None:
        src["revenue_per_customer"] = (f"mean of '{rev['column']}' over {rev['n']} linked customers "
                                       f"({finance_result.link.finance_file})")
    if chain and chain.get("chain") == "latent":
        src["loyalty"] = (f"latent loyalty factor measured by {chain.get('loyalty_indicators', loyalty)}, in "
                          f"'{loyalty}' points (its marker); customers' factor scores link it to churn and revenue")
    else:
        src["loyalty"] = f"survey outcome '{loyalty}'"
    src["discount_rate"] = "given" if discount_rate != 0.08 else "default 8% a year"
    src["horizon_years"] = "given" if horizon_years != 3.0 else "default 3 years"
    if margin is None:
        margin = 1.0
        src["margin"] = "not given: 1, revenue counted as value (overstates the ROI by 1/margin)"
        basis = VALUE_BASIS_REVENUE
    else:
        src["margin"] = "given"
        basis = f"contribution (margin {float(margin):.1%} of revenue)"
    return Assumptions(float(discount_rate), float(horizon_years), float(customer_value), float(revenue),
                       float(margin), loyalty, currency, src, basis,
                       customer_base=None if customer_base is None else float(customer_base))
