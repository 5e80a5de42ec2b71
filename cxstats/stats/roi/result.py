"""The ROI result: assumptions (every input and its source), per-initiative results, the
sensitivity table, the coefficients and the latent model; JSON, tables and Methods texts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxstats.stats.roi.coefficients import Coefficients
from cxstats.stats.roi.latent import methods_text as latent_methods


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
    total: dict | None = None  # the roadmap total, a customer reached by several initiatives counted once

    @property
    def value_basis(self) -> str:
        """What the benefit counts: "contribution (margin x% of revenue)" or "revenue (no margin given)"."""
        a = self.assumptions
        if a.value_basis:
            return a.value_basis
        return "revenue (no margin given)" if a.margin == 1 else f"contribution (margin {a.margin:.1%} of revenue)"

    @property
    def bands_cover(self) -> dict:
        """Which uncertainty the P10-P90 bands cover and which they do not."""
        latent = self.chain.get("chain") == "latent"
        coef = ("the estimated coefficients: " + ("the SEM estimates (latent slopes and loadings -> driver "
                "effects)" if latent else "the driver slopes") + ", the churn intercept and slope and the revenue "
                "slope (multivariate normal, seeded)")
        ranged = {i.id: i.ranges_drawn for i in self.initiatives if i.ranges_drawn}
        covered = [coef]
        if ranged:
            covered.append("the roadmap's ranges (triangular low/mode/high): " +
                           "; ".join(f"{k}: {v}" for k, v in ranged.items()))
        fields = {"uplift", "cost", "customers_reached"}
        point = sorted(fields - {f for v in ranged.values() for f in v.split(", ")})
        not_covered = ([f"{', '.join(point)} of initiatives without a range (point values)"] if point else []) + [
            "discount rate, horizon, customer value, margin and months to effect (see the sensitivity table)",
            "the model's own assumptions (linear measurement, no confounding of the driver slopes)"]
        return {"covered": covered, "not_covered": not_covered,
                "summary": "P10-P90 cover " + " and ".join(covered) + ". Not covered: " + "; ".join(not_covered)
                           + "."}

    @property
    def revenue_as_value(self) -> bool:
        return self.value_basis.startswith("revenue")

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
            ("value_basis", self.value_basis, "", "what the benefit counts"),
            ("loyalty_measure", a.loyalty, "", a.sources.get("loyalty", "")),
            ("monte_carlo_draws", self.draws, "draws", f"seed {self.seed}"),
        ]
        if self.finance is not None:
            f = self.finance
            rows.append(("finance_file", f.finance_file, "file", "customer-level churn / revenue"))
            rows.append(("survey_file", f.survey_file, "file", "customers' answers"))
            rows.append(("finance_match_share", f.match_share, "share",
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
                              "customers_reached": i.customers_reached,
                              **{f"{f}_{e}": i.ranges[f][k] for f in i.ranges for k, e in enumerate(("low", "high"))}}
                             for i in self.initiatives])

    def to_dict(self) -> dict:
        a = self.assumptions
        return {
            "roadmap_file": self.roadmap_file, "currency": a.currency,
            "value_basis": self.value_basis,
            "bands_cover": self.bands_cover,
            "uplift_clipping": {c: sup.to_dict() for c, sup in sorted(self.assumptions.answers.items())
                                if c in {i.construct for i in self.initiatives}},
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
            "roadmap_total": self.total,
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

    def figure_sources(self):
        """Which model and coefficients feed each figure of the Results sheet."""
        import pandas as pd

        latent = self.chain.get("chain") == "latent"
        loy = self.assumptions.loyalty
        drv = (f"SEM (latent chain): gamma / mean loading of the construct's items, per point of the construct "
               f"score; loyalty in '{loy}' points (marker of the latent loyalty factor)" if latent else
               f"{self.chain.get('driver_model', 'OLS')} (observed chain), per point of the construct score")
        fin_on = (f"customers' latent loyalty factor scores (regression calibration); NOT the churn / revenue "
                  f"slopes on the observed item '{loy}' of the finance step's 'Finance models'" if latent else
                  f"the observed loyalty item '{loy}' (as in the finance step's 'Finance models')")
        rows = [
            ("uplift_effective", "the roadmap's uplift in construct-score points: uplift x the rate at which the "
             "rounded, clipped answers move with the experience (score_change: the answers' own finite change)",
             "observed answer distribution of the construct's items"),
            ("d_loyalty", drv, "driver:<construct> x uplift_effective"),
            ("d_churn", f"logistic churn model on {fin_on}", "churn:intercept, churn:slope (latent)" if latent
             else "churn:intercept, churn:slope (observed)"),
            ("revenue_uplift", f"log-linear revenue model on {fin_on}",
             "revenue:slope (latent)" if latent else "revenue:slope (observed)"),
            ("annual_benefit", "customers_reached x margin x (-d_churn x customer_value + revenue x revenue_uplift)",
             f"value basis: {self.value_basis}"),
            ("npv, roi, payback_months", "point estimate: every coefficient at its estimate, roadmap modes",
             "Detail table only"),
            ("npv_p50 (the NPV of the headline), npv_p10, npv_p90",
             "median and 80% band over the Monte Carlo draws", self.bands_cover["summary"]),
            ("roadmap total", "the overlap rule (Methods: Roadmap total)", "the initiatives' draws"),
        ]
        return pd.DataFrame(rows, columns=["figure", "model", "coefficients / inputs"])

    def total_table(self):
        import pandas as pd

        if not self.total:
            return pd.DataFrame(columns=["measure", "value"])
        df = pd.DataFrame({"measure": list(self.total), "value": list(self.total.values())})
        df["value"] = df["value"].astype(object)
        return df

    def tables(self) -> dict:
        out = {"Assumptions": self.assumptions_table(), "ROI": self.results, "Sensitivity": self.sensitivity,
               "Coefficients": self.coefficients.table(), "Roadmap total": self.total_table()}
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


def _total_rule() -> str:
    from cxstats.stats.roi.total import RULE

    return RULE


def _common_methods() -> list:
    return [
        ("Uplift on bounded answers", "An uplift of u scale points is applied to the answers, which stop at "
         "the scale's top (and bottom), as the world does: each customer's latent response y* to the "
         "construct's items rises by u and the answer is y* rounded to the nearest code and clipped. The "
         "driver coefficients are covariance-based slopes per point of the construct score as measured, and "
         "for a normal y* Cov(answer, experience) = E[g'(y*)] Cov(y*, experience) (Stein's lemma; g the "
         "rounding and clipping), so in their units the uplift is worth u_eff = u x mean over items of "
         "c = sum_k phi((t_k - mu)/sigma)/sigma (t_k: thresholds midway between codes; mu, sigma of each "
         "item's latent response estimated by ML from its observed answer shares, an ordinal probit with "
         "fixed thresholds): uplift_effective in the results, below u where answers crowd at the top. "
         "Loyalty follows the experience, not the capped answer, so u_eff is linear in u; the answers' own "
         "finite expected change (score_change, what a later survey would show) is smaller for a large u "
         "near the top and is reported, not used. Scale bounds from the spec, else the observed lowest and "
         "highest answers; values that are not answer codes: u x the share of values not at the bound."),
        ("Roadmap total", "The total counts " + _total_rule() + ". With more than 10 initiatives it is not "
         "computed (said in the warnings)."),
        ("Annual benefit", "customers reached x margin x (avoided churn x annual customer value + revenue "
         "uplift). An avoided churner is counted for one year of value (conservative: later years of a saved "
         "customer are not counted)."),
        ("Discounting", "Benefits accrue monthly from the month after months_to_effect to the end of the "
         "horizon: PV = A/12 x sum_{m=d+1}^{12H} (1+r)^(-m/12). NPV = PV - cost (cost paid at the start); "
         "ROI = (PV - cost)/cost; payback = first month whose cumulative discounted benefit covers the cost "
         "(empty: not within the horizon)."),
        ("Uncertainty", "Monte Carlo over the estimated coefficients: draws from a multivariate normal with "
         "the estimates and their covariance matrix (coefficients from separately fitted models treated as "
         "independent), seeded. When the roadmap gives a range for uplift, cost or customers reached "
         "(columns <field>_low and <field>_high beside the most likely value), that field is drawn in the same "
         "Monte Carlo from a triangular distribution (low, mode, high), independently of the coefficients, and "
         "the bands cover it; fields given as one number are fixed at it (their uncertainty is then only in "
         "the sensitivity table). P10/P50/P90 are the 10th, 50th and 90th percentiles over draws; the point "
         "estimate (npv, roi, payback without suffix) uses the coefficients' estimates and the modes. Discount "
         "rate, horizon, customer value, margin and months to effect are never drawn."),
        ("Sensitivity (tornado)", "One assumption at a time moved to a low and a high value (discount rate "
         "-/+4 points, horizon -/+1 year, uplift and customer value -/+25%, cost -/+25%, months to effect "
         "-/+3, each coefficient at its 95% CI ends), everything else at its point estimate."),
        ("Averaging over customers", "The churn change is averaged over the linked customers' loyalty values "
         "(item codes, or factor scores); more than 512 distinct values are grouped into 512 equal-count "
         "groups represented by their means (a second-order approximation)."),
    ]
