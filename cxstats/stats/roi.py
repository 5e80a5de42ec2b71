"""The ROI of a CX roadmap, with uncertainty, for finance.

Two chains share the valuation below and differ in where ``b_driver`` and the finance slopes
come from (:func:`build_roi_chain` picks one and records which and why):

* ``latent`` (the default when every construct has 2+ items and loyalty 2+ indicators; see
  :mod:`cxstats.stats.roi_latent`): an SEM's latent slope / mean loading, and churn / revenue
  regressed on customers' loyalty factor scores (regression calibration);
* ``observed``: OLS of the loyalty item on construct scores (item means), and churn / revenue
  regressed on the loyalty item; both links attenuated by measurement error (biased low).

For each initiative (a construct it improves by ``uplift`` scale points, a cost, the months
until it takes effect and the customers it reaches) the value chain is

    uplift (construct score points)
      x b_driver[construct]           construct -> loyalty measure (e.g. repurchase, NPS)
      = dL (loyalty points)
    churn:   dp = mean_i[ logistic(a + b_churn (L_i + dL)) - logistic(a + b_churn L_i) ]
             (averaged over the linked customers' loyalty values L_i; dp < 0 = churn avoided)
    revenue: dR = R x (exp(b_rev dL) - 1)       (log-linear revenue model, R = mean annual revenue)

    annual benefit A = customers_reached x margin x ( -dp x V + dR ),  V = annual customer value
                     (mean annual revenue unless given); one year of value per avoided churner
    PV benefit = A/12 x sum_{m = d+1}^{12 H} (1 + r)^(-m/12)      monthly flows after d months
             = A/12 x v^(d+1) (1 - v^(12H - d)) / (1 - v),  v = (1 + r)^(-1/12)
    NPV = PV - cost;  ROI = (PV - cost) / cost;
    payback = first month whose cumulative discounted benefit reaches the cost (inf: not within H).

Uncertainty: the coefficients (driver slopes, churn intercept and slope, revenue slope) are drawn
from a multivariate normal with their estimates and covariance matrix (blocks from separately
estimated models are independent; the latent chain's driver effects are drawn through the SEM
estimates, see ``Coefficients.samplers``), seeded; each draw gives an NPV, ROI and payback, reported as
P10/P50/P90. Initiatives are ranked by P50 NPV. A one-at-a-time sensitivity (tornado) table moves
each assumption to a low and a high value with everything else at its point estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError

ROADMAP_COLUMNS = ("initiative", "name", "construct", "uplift", "cost", "months_to_effect", "customers_reached")
OPTIONAL_COLUMNS = ("name",)
Z95 = 1.959963984540054


# --------------------------------------------------------------------------- coefficients

@dataclass
class Coefficients:
    """Named estimates with a covariance matrix and where each came from."""

    names: list
    est: np.ndarray
    cov: np.ndarray
    sources: dict = field(default_factory=dict)
    # [(names, draw(rng, size) -> (size, len(names)))]: blocks whose Monte Carlo draws come from
    # another distribution than N(est, cov) (the latent chain's SEM parameters); drawn after the
    # normal block so that the other columns' draws do not depend on them
    samplers: list = field(default_factory=list)

    def __post_init__(self):
        self.est = np.asarray(self.est, float).reshape(-1)
        self.cov = np.asarray(self.cov, float).reshape(len(self.est), len(self.est))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def __contains__(self, name) -> bool:
        return name in self.names

    def value(self, name: str) -> float:
        return float(self.est[self.index(name)])

    def se(self, name: str) -> float:
        return float(math.sqrt(max(self.cov[self.index(name), self.index(name)], 0.0)))

    @classmethod
    def combine(cls, *blocks: "Coefficients") -> "Coefficients":
        """Stack independent blocks (block-diagonal covariance)."""
        names, est, sources, samplers = [], [], {}, []
        k = sum(len(b.names) for b in blocks)
        cov = np.zeros((k, k))
        at = 0
        for b in blocks:
            dup = set(names) & set(b.names)
            if dup:
                raise ValueError(f"coefficient {sorted(dup)[0]!r} given twice")
            names += list(b.names)
            est += list(b.est)
            m = len(b.names)
            cov[at:at + m, at:at + m] = b.cov
            sources.update(b.sources)
            samplers += list(b.samplers)
            at += m
        return cls(names, np.array(est), cov, sources, samplers)

    def draw(self, rng, size: int) -> np.ndarray:
        """``size`` draws from N(est, cov) (a PSD square root: zero variances give the estimate)."""
        w, v = np.linalg.eigh((self.cov + self.cov.T) / 2)
        root = v * np.sqrt(np.clip(w, 0, None))
        z = rng.standard_normal((size, len(self.est)))
        out = self.est + z @ root.T
        for names, sampler in self.samplers:
            out[:, [self.index(n) for n in names]] = sampler(rng, size)
        return out

    def table(self):
        import pandas as pd

        return pd.DataFrame({"coefficient": self.names, "est": self.est,
                             "se": np.sqrt(np.clip(np.diag(self.cov), 0, None)),
                             "ci_lower": self.est - Z95 * np.sqrt(np.clip(np.diag(self.cov), 0, None)),
                             "ci_upper": self.est + Z95 * np.sqrt(np.clip(np.diag(self.cov), 0, None)),
                             "source": [self.sources.get(n, "") for n in self.names]})


def driver_coefficients(frame, loyalty: str, constructs: list[str], *, source: str = "") -> tuple:
    """OLS of the loyalty measure on every construct score (customers): slopes ``driver:<c>``
    with their classical covariance matrix. Returns (Coefficients, n, r2, warnings)."""
    import statsmodels.api as sm

    cols = [loyalty, *constructs]
    data = frame[cols].apply(lambda s: s.astype(float)).dropna()
    n = len(data)
    if n <= len(constructs) + 2:
        raise InputError(f"only {n} complete answers for the regression of {loyalty} on {len(constructs)} "
                         "constructs; the ROI chain cannot be estimated", file=source or None)
    X = sm.add_constant(data[constructs].to_numpy(float), has_constant="add")
    fit = sm.OLS(data[loyalty].to_numpy(float), X).fit()
    cov = np.asarray(fit.cov_params())[1:, 1:]
    names = [f"driver:{c}" for c in constructs]
    src = f"OLS {loyalty} ~ {' + '.join(constructs)} (n = {n}, R2 = {fit.rsquared:.3f})"
    warns = []
    neg = [c for c, b in zip(constructs, fit.params[1:]) if b < 0]
    if neg:
        warns.append(f"negative driver slope(s) for {', '.join(neg)}: with correlated constructs a partial "
                     "slope can change sign; an uplift there is predicted to lower loyalty")
    return Coefficients(names, np.asarray(fit.params[1:]), cov, {n_: src for n_ in names}), n, float(fit.rsquared), warns


def finance_coefficients(finance_result, loyalty: str) -> Coefficients:
    """``churn:intercept``, ``churn:slope`` and ``revenue:slope`` from a FinanceResult's models of
    the loyalty measure (missing outcomes are left out)."""
    blocks = []
    ch = finance_result.model("churn", loyalty)
    if ch is not None:
        src = f"logistic churn ~ {loyalty} (n = {ch.n}, {finance_result.link.finance_file})"
        blocks.append(Coefficients(["churn:intercept", "churn:slope"], ch.coef, ch.cov,
                                   {"churn:intercept": src, "churn:slope": src}))
    rv = finance_result.model("revenue", loyalty)
    if rv is not None:
        src = f"log-linear OLS log(revenue) ~ {loyalty} (n = {rv.n}, {finance_result.link.finance_file})"
        blocks.append(Coefficients(["revenue:slope"], [rv.coef[1]], [[rv.cov[1][1]]], {"revenue:slope": src}))
    if not blocks:
        raise InputError(f"the finance data has neither churn nor revenue to value loyalty ({loyalty}) with")
    return Coefficients.combine(*blocks)


# --------------------------------------------------------------------------- roadmap

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


def read_roadmap(table, constructs=None) -> list[Initiative]:
    """A roadmap RawTable (or path) -> initiatives; every problem names file, column, row, value."""
    from cxstats.io.readers import RawTable, read_table
    from cxstats.io.values import NotANumber, is_blank, parse_number

    if not isinstance(table, RawTable):
        table = read_table(table)
    table.require_columns([c for c in ROADMAP_COLUMNS if c not in OPTIONAL_COLUMNS])
    if len(table.frame) == 0:
        raise InputError("the roadmap has a header but no initiatives", file=table.path)
    out, seen = [], set()
    known = list(constructs) if constructs is not None else None
    for i, rec in enumerate(table.frame.to_dict(orient="records")):
        row = table.file_row(i)

        def num(col, *, minimum=0.0, strict=False, what="a number"):
            v = rec.get(col)
            if is_blank(v):
                raise InputError(f"{col} is empty", file=table.path, column=col, row=row, value="")
            try:
                x = parse_number(v)
            except NotANumber:
                raise InputError(f"not a number ({what})", file=table.path, column=col, row=row,
                                 value=str(v)) from None
            if not math.isfinite(x) or (x <= minimum if strict else x < minimum):
                raise InputError(f"{col} must be {'greater than' if strict else 'at least'} {minimum:g} ({what})",
                                 file=table.path, column=col, row=row, value=str(v))
            return x

        ident = rec.get("initiative")
        if is_blank(ident):
            raise InputError("initiative id is empty", file=table.path, column="initiative", row=row, value="")
        ident = str(int(ident)) if isinstance(ident, float) and ident.is_integer() else str(ident).strip()
        if ident in seen:
            raise InputError("initiative id appears twice", file=table.path, column="initiative", row=row, value=ident)
        seen.add(ident)
        construct = "" if is_blank(rec.get("construct")) else str(rec["construct"]).strip()
        if known is not None and construct not in known:
            import difflib

            close = difflib.get_close_matches(construct, known, n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InputError(f"unknown construct{hint} (known: {', '.join(known)})", file=table.path,
                             column="construct", row=row, value=construct)
        name = rec.get("name")
        out.append(Initiative(
            ident, ident if is_blank(name) else str(name), construct,
            uplift=num("uplift", minimum=-1e300, what="scale points the construct score rises"),
            cost=num("cost", what="a cost cannot be negative"),
            months_to_effect=num("months_to_effect", what="months until the effect starts"),
            customers_reached=num("customers_reached", what="a count of customers cannot be negative"),
            row=row))
    return out


# --------------------------------------------------------------------------- valuation

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

    def check(self):
        if not 0 <= self.discount_rate < 1:
            raise InputError(f"the discount rate must be between 0 and 1 (e.g. 0.08), not {self.discount_rate!r}")
        if not self.horizon_years > 0:
            raise InputError(f"the horizon must be a positive number of years, not {self.horizon_years!r}")
        if not 0 < self.margin <= 1:
            raise InputError(f"the margin must be in (0, 1], not {self.margin!r}")


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
    pos = A > 0
    if cost <= 0:
        return np.where(pos, d + 1, np.inf) if d + 1 <= total else out
    monthly = A[pos] / 12
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
                  uplift: float | None = None):
    """(dL, dp, revenue factor - 1) per draw for one initiative."""
    idx = {n: i for i, n in enumerate(names)}
    u = init.uplift if uplift is None else uplift
    dL = coef_draws[:, idx[f"driver:{init.construct}"]] * u
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
    return dL, dp, drev


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
                     uplift=None, cost=None, rate=None, horizon=None, value_scale=1.0, months=None):
    """Per-draw dict: d_loyalty, d_churn, revenue_uplift, annual_benefit, pv, npv, roi, payback."""
    dL, dp, drev = chain_effects(coef_draws, names, init, loyalty_values, uplift)
    V = a.customer_value * value_scale
    R = a.revenue_per_customer * value_scale
    cost = init.cost if cost is None else cost
    rate = a.discount_rate if rate is None else rate
    horizon = a.horizon_years if horizon is None else horizon
    months = init.months_to_effect if months is None else months
    per_customer = a.margin * (-dp * V + R * drev)
    annual = init.customers_reached * per_customer
    pv = annual * annuity_factor(months, horizon, rate)
    npv = pv - cost
    roi = npv / cost if cost > 0 else np.full(np.shape(npv), np.nan)
    return {"d_loyalty": dL, "d_churn": dp, "revenue_uplift": drev, "annual_benefit": annual,
            "pv_benefit": pv, "npv": npv, "roi": roi,
            "payback_months": payback_months(annual, cost, months, horizon, rate)}


# --------------------------------------------------------------------------- result

@dataclass
class RoiResult:
    initiatives: list
    coefficients: Coefficients
    assumptions: Assumptions
    results: object          # DataFrame: one row per initiative, ranked by P50 NPV
    sensitivity: object      # DataFrame: tornado
    draws: int
    seed: object
    roadmap_file: str = ""
    chain: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    finance: object = None   # the LinkResult (match rate) when built from files
    latent: object = None    # the LatentModel of the latent chain (None: observed chain)

    def assumptions_table(self):
        import pandas as pd

        a = self.assumptions
        rows = [
            ("chain", self.chain.get("chain", "observed"), "",
             self.chain.get("chain_reason", "observed scores (item means, the loyalty item)")),
            ("roadmap", self.roadmap_file, "file", "initiatives, constructs, uplifts, costs, timing, reach"),
            ("discount_rate", a.discount_rate, "rate", a.sources.get("discount_rate", "default 8% a year")),
            ("horizon_years", a.horizon_years, "years", a.sources.get("horizon_years", "default 3 years")),
            ("customer_value", a.customer_value, a.currency, a.sources.get("customer_value", "")),
            ("revenue_per_customer", a.revenue_per_customer, a.currency, a.sources.get("revenue_per_customer", "")),
            ("margin", a.margin, "share", a.sources.get("margin", "default 1: revenue counted as value")),
            ("loyalty_measure", a.loyalty, "", a.sources.get("loyalty", "")),
            ("monte_carlo_draws", self.draws, "draws", f"seed {self.seed}"),
        ]
        if self.finance is not None:
            f = self.finance
            rows.append(("finance_file", f.finance_file, "file", "customer-level churn / revenue"))
            rows.append(("survey_file", f.survey_file, "file", "customers' answers"))
            rows.append(("finance_match_rate", f.match_rate, "share",
                         f"{f.n_matched} of {f.n_survey} survey customers found in the finance file"))
        for k, v in self.chain.items():
            if k not in ("chain", "chain_reason", "loyalty_measure"):
                rows.append((k, v, "", "value chain"))
        for n, e, s in zip(self.coefficients.names, self.coefficients.est,
                           np.sqrt(np.clip(np.diag(self.coefficients.cov), 0, None))):
            rows.append((n, float(e), f"se {s:.4g}", self.coefficients.sources.get(n, "")))
        df = pd.DataFrame(rows, columns=["assumption", "value", "unit", "source"])
        df["value"] = df["value"].astype(object)
        return df

    def roadmap_table(self):
        import pandas as pd

        return pd.DataFrame([{"initiative": i.id, "name": i.name, "construct": i.construct, "uplift": i.uplift,
                              "cost": i.cost, "months_to_effect": i.months_to_effect,
                              "customers_reached": i.customers_reached} for i in self.initiatives])

    def to_dict(self) -> dict:
        a = self.assumptions
        return {
            "roadmap_file": self.roadmap_file, "currency": a.currency,
            "assumptions": {"discount_rate": a.discount_rate, "horizon_years": a.horizon_years,
                            "customer_value": a.customer_value, "revenue_per_customer": a.revenue_per_customer,
                            "margin": a.margin, "loyalty": a.loyalty, "sources": a.sources},
            "chain": self.chain,
            "latent_model": self.latent_dict(),
            "finance_link": self.finance.to_dict() if self.finance is not None else None,
            "coefficients": self.coefficients.table().to_dict(orient="records"),
            "coefficient_cov": self.coefficients.cov,
            "draws": self.draws, "seed": self.seed,
            "initiatives": self.results.to_dict(orient="records"),
            "sensitivity": self.sensitivity.to_dict(orient="records"),
            "warnings": self.warnings,
        }

    def latent_dict(self):
        if self.latent is None:
            return None
        m = self.latent
        fm = m.fit.fit_measures()
        return {"syntax": m.syntax, "loyalty_factor": m.factor, "indicators": list(m.indicators),
                "n": m.n, "fit": {k: fm[k] for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")},
                "constructs": m.table().to_dict(orient="records"),
                "factor_score_reliability": m.score_reliability()}

    def tables(self) -> dict:
        out = {"Assumptions": self.assumptions_table(), "ROI": self.results, "Sensitivity": self.sensitivity,
               "Coefficients": self.coefficients.table()}
        if self.latent is not None:
            out["Latent model"] = self.latent.table()
        return out

    def methods(self) -> list:
        return methods_text(self.chain.get("chain", "observed"), self.chain.get("chain_reason", ""))


def methods_text(chain: str = "observed", reason: str = "") -> list:
    used = [("Chain used", f"{chain} chain" + (f" ({reason})" if reason else "") + ". The latent chain corrects "
             "both links for measurement error and is the default when every construct has 2 or more items and "
             "loyalty has 2 or more indicators; the observed chain (item means, one loyalty item) is kept as an "
             "option (chain: observed, --chain observed) and is biased low by measurement error.")]
    if chain == "latent":
        from cxstats.stats.roi_latent import methods_text as latent_methods

        return used + latent_methods() + _common_methods()
    return used + [
        ("Value chain", "uplift (construct score points) x driver slope (OLS of the loyalty measure on all "
         "construct scores) = change in loyalty dL; churn change dp = mean over linked customers of "
         "logistic(a + b(L+dL)) - logistic(a + bL); revenue change = mean revenue x (exp(b_rev dL) - 1)."),
    ] + _common_methods() + [
        ("Observed scores attenuate", "Slopes estimated on observed scores (item means, a single loyalty "
         "item) are attenuated by measurement error relative to the latent effects; the ROI is then "
         "conservative (on the demo study about half the causal value). The latent chain removes this bias."),
    ]


def _common_methods() -> list:
    return [
        ("Annual benefit", "customers reached x margin x (avoided churn x annual customer value + revenue "
         "uplift). An avoided churner is counted for one year of value (conservative: later years of a saved "
         "customer are not counted)."),
        ("Discounting", "Benefits accrue monthly from the month after months_to_effect to the end of the "
         "horizon: PV = A/12 x sum_{m=d+1}^{12H} (1+r)^(-m/12). NPV = PV - cost (cost paid at the start); "
         "ROI = (PV - cost)/cost; payback = first month whose cumulative discounted benefit covers the cost "
         "(empty: not within the horizon)."),
        ("Uncertainty", "Monte Carlo over the estimated coefficients: draws from a multivariate normal with "
         "the estimates and their covariance matrix (coefficients from separately fitted models treated as "
         "independent), seeded. P10/P50/P90 are the 10th, 50th and 90th percentiles over draws. The "
         "uncertainty of the roadmap's own assumptions (uplift, cost, reach) is not in these bands; see the "
         "sensitivity table."),
        ("Sensitivity (tornado)", "One assumption at a time moved to a low and a high value (discount rate "
         "-/+4 points, horizon -/+1 year, uplift and customer value -/+25%, cost -/+25%, months to effect "
         "-/+3, each coefficient at its 95% CI ends), everything else at its point estimate."),
        ("Averaging over customers", "The churn change is averaged over the linked customers' loyalty values "
         "(item codes, or factor scores); more than 512 distinct values are grouped into 512 equal-count "
         "groups represented by their means (a second-order approximation)."),
    ]


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
        raise InputError("the number of Monte Carlo draws must be at least 1")
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
    for init in initiatives:
        parts = []
        for s in range(0, draws, chunk):
            parts.append(value_initiative(theta[s:s + chunk], coefficients.names, init, L, assumptions))
            done += min(chunk, draws - s)
            if progress is not None:
                progress(done, total)
        mc = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        pt = value_initiative(point, coefficients.names, init, L, assumptions)
        rec = {"initiative": init.id, "name": init.name, "construct": init.construct, "uplift": init.uplift,
               "cost": init.cost, "months_to_effect": init.months_to_effect,
               "customers_reached": init.customers_reached,
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
    res = pd.DataFrame(rows).sort_values("npv_p50", ascending=False, kind="stable").reset_index(drop=True)
    res.insert(0, "rank", np.arange(1, len(res) + 1))
    sens_df = pd.DataFrame(sens)
    warns = list(warnings or [])
    for r in rows:
        if r["prob_npv_positive"] < 0.5:
            warns.append(f"initiative {r['initiative']}: NPV is more likely negative than positive "
                         f"(P(NPV > 0) = {r['prob_npv_positive']:.0%})")
    return RoiResult(initiatives, coefficients, assumptions, res, sens_df, draws, seed, str(roadmap_file),
                     dict(chain or {}), warns)


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
        ("uplift", init.uplift * 0.75, init.uplift * 1.25, lambda x: npv(uplift=x)),
        ("cost", init.cost * 0.75, init.cost * 1.25, lambda x: npv(cost=x)),
        ("customer_value", a.customer_value * 0.75, a.customer_value * 1.25,
         lambda x: npv(value_scale=x / a.customer_value if a.customer_value else 1.0)),
        ("months_to_effect", max(0.0, init.months_to_effect - 3), init.months_to_effect + 3,
         lambda x: npv(months=x)),
    ]
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
    out = []
    for name, lo, hi, f in cases:
        n_lo, n_hi = f(lo), f(hi)
        out.append({"initiative": init.id, "assumption": name, "low": float(lo), "high": float(hi),
                    "npv_low": n_lo, "npv_high": n_hi, "npv_base": base_npv, "swing": abs(n_hi - n_lo)})
    out.sort(key=lambda d: -d["swing"])
    return out


def build_chain(survey, finance_result, loyalty: str, constructs: list[str], *, survey_file: str = ""):
    """Driver slopes (loyalty on construct scores, customers) + finance slopes of the loyalty measure.

    Returns (Coefficients, loyalty values of the linked customers, chain description, warnings).
    """
    drv, n, r2, warns = driver_coefficients(survey, loyalty, constructs, source=survey_file)
    fin = finance_coefficients(finance_result, loyalty)
    coef = Coefficients.combine(drv, fin)
    values = finance_result.link.merged[loyalty].to_numpy(float)
    chain = {"loyalty_measure": loyalty, "driver_model": f"OLS {loyalty} ~ {len(constructs)} construct scores",
             "driver_n": n, "driver_r2": r2, "linked_customers": finance_result.link.n_matched}
    return coef, values, chain, warns


def build_roi_chain(frame, finance_table, loyalty: str, constructs: list[str], *, chain: str | None = None,
                    items: dict | None = None, indicators: list | None = None, survey_file: str = "survey",
                    min_match: float = 0.8, currency: str = "EUR", finance_result=None):
    """Choose the chain (latent when possible, unless ``chain`` says otherwise) and estimate it.

    ``frame``: customers with ``respondent_id``, construct score columns, the loyalty measure and,
    for the latent chain, the items (``items``: construct -> columns) and the loyalty
    ``indicators`` (marker first). ``finance_result``: an observed FinanceResult of the loyalty
    measure to reuse (observed chain only). When the latent chain is the default but its model
    cannot be estimated, the observed chain is used with a warning saying why.

    Returns (Coefficients, loyalty values of the linked customers, chain description, warnings,
    FinanceResult, LatentModel or None).
    """
    from cxstats.errors import ModelError
    from cxstats.stats.finance import finance_linkage
    from cxstats.stats.roi_latent import build_latent_chain, choose_chain

    if items is not None:
        items = {c: list(items[c]) for c in constructs if c in items} if all(c in items for c in constructs) else None
    kind, reason, warns = choose_chain(chain, items, indicators)
    if kind == "latent":
        try:
            coef, values, info, w, fin, model = build_latent_chain(
                frame, finance_table, loyalty, items, list(indicators), survey_file=survey_file,
                min_match=min_match, currency=currency)
            return coef, values, {"chain": "latent", "chain_reason": reason, **info}, warns + w, fin, model
        except (ModelError, InputError) as exc:
            if chain == "latent":
                raise
            reason = f"latent chain not possible: its model could not be estimated ({exc})"
            warns = warns + [f"ROI chain: observed scores used because the latent model could not be estimated "
                             f"({exc}). Measurement error attenuates the observed chain, so the ROI is biased low"]
    fin = finance_result
    if fin is None or loyalty not in fin.predictors:
        fin = finance_linkage(frame, finance_table, [loyalty], survey_file=survey_file, min_match=min_match,
                              currency=currency)
        warns = warns + list(fin.warnings)
    coef, values, info, w = build_chain(frame, fin, loyalty, constructs, survey_file=survey_file)
    return coef, values, {"chain": "observed", "chain_reason": reason, **info}, warns + w, fin, None


def default_assumptions(finance_result, loyalty: str, *, discount_rate=0.08, horizon_years=3.0, margin=1.0,
                        customer_value=None, currency="EUR", chain: dict | None = None) -> Assumptions:
    """Customer value = mean annual revenue of the linked customers unless given."""
    src = {}
    rev = finance_result.summary.get("revenue")
    revenue = rev["mean"] if rev else float("nan")
    if customer_value is None:
        if rev is None:
            raise InputError("the finance data has no revenue column: give the annual customer value "
                             "(--customer-value)")
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
    return Assumptions(float(discount_rate), float(horizon_years), float(customer_value), float(revenue),
                       float(margin), loyalty, currency, src)
