"""``ProfilesResult``: profile shares, contrasts against the rest, segments, lifecycle, drivers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def _f(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def _clean(row: dict) -> dict:
    return {k: (_f(v) if isinstance(v, float) else v) for k, v in row.items()}


@dataclass
class ProfilesResult:
    satisfaction: str
    repurchase: str
    sat_cut: float
    rep_cut: float
    cut_rule: str
    ci_method: str            # wilson | goodman
    level: float
    n: int                    # customers in a profile
    n_unclassified: int
    profiles: list[dict]      # profile, n, share, share_ci_lower/upper, satisfaction_mean, ..., means
    differences: list[dict]   # profile x variable: Welch vs rest, p_holm, p_bh
    segment_tests: list[dict]
    segment_cells: list[dict]
    lifecycle: str | None
    lifecycle_rows: list[dict]
    drivers: Any = None       # DriversResult (loyalist vs hostage/mercenary) or None
    nps_column: str | None = None
    warnings: list = field(default_factory=list)
    assignments: Any = None   # DataFrame row -> profile (not in JSON)
    # {language: {segment: {value code: text}}}: the spec's names of segment values (lifecycle
    # stages), display texts for the workbook in each language (not in JSON: codes there)
    value_labels: dict = field(default_factory=dict)
    crm: dict | None = None   # how the answers joined a CRM extract (counts), when one is linked

    def share(self, profile: str) -> float:
        return next(r["share"] for r in self.profiles if r["profile"] == profile)

    def to_dict(self) -> dict:
        profiles = []
        for r in self.profiles:
            row = _clean({k: v for k, v in r.items() if k != "means"})
            row["means"] = {k: _f(v) for k, v in r["means"].items()}
            profiles.append(row)
        return {
            "satisfaction": self.satisfaction, "repurchase": self.repurchase,
            "cutoffs": {"satisfaction": self.sat_cut, "repurchase": self.rep_cut, "rule": self.cut_rule,
                        "high_means": "value >= cut-off"},
            "ci_method": self.ci_method, "level": self.level, "n": self.n, "n_unclassified": self.n_unclassified,
            "profiles": profiles,
            "differences": [_clean(d) for d in self.differences],
            "segment_tests": [_clean(d) for d in self.segment_tests],
            "segment_cells": [_clean(d) for d in self.segment_cells],
            "lifecycle": {"segment": self.lifecycle, "rows": [_clean(d) for d in self.lifecycle_rows]}
            if self.lifecycle else None,
            "loyalty_drivers": self.drivers.to_dict() if self.drivers is not None else None,
            **({"crm": self.crm} if self.crm is not None else {}),
            "warnings": list(self.warnings),
        }

    def profile_table(self):
        import pandas as pd

        rows = []
        for r in self.profiles:
            row = {k: v for k, v in r.items() if k != "means"}
            row.update(r["means"])
            rows.append(row)
        return pd.DataFrame(rows)

    def tables(self) -> dict:
        import pandas as pd

        t = {"Profiles": self.profile_table()}
        if self.differences:
            t["Differences"] = pd.DataFrame(self.differences)[
                ["profile", "variable", "kind", "n", "mean", "mean_rest", "diff", "welch_t", "welch_df",
                 "pvalue", "p_holm", "p_bh"]]
        if self.segment_tests:
            t["Segment tests"] = pd.DataFrame(self.segment_tests)
            t["Segment cells"] = pd.DataFrame(self.segment_cells)
        if self.lifecycle_rows:
            t["Lifecycle"] = pd.DataFrame(self.lifecycle_rows)
        if self.drivers is not None:
            t["Loyalty drivers"] = self.drivers.importance_table()
        return t

    def methods(self) -> list[tuple[str, str]]:
        ci = ("Goodman (1965) simultaneous intervals for the four shares together "
              "(statsmodels multinomial_proportions_confint)" if self.ci_method == "goodman" else
              "Wilson score interval for each share on its own (statsmodels proportion_confint, "
              "R prop.test(correct = FALSE))")
        out = [
            ("Profiles", f"Jones & Sasser (1995) satisfaction x repurchase grid: {self.satisfaction} high when "
                         f">= {self.sat_cut:g}, {self.repurchase} high when >= {self.rep_cut:g}"
                         + (f" ({self.cut_rule})" if self.cut_rule else "") + ". Loyalist: high on both; "
                         "mercenary: satisfied, not intending to repurchase; hostage: intending to repurchase "
                         "without being satisfied; defector: low on both."),
            ("Shares", f"{self.level:.0%} confidence intervals: {ci}."),
            ("Differences", "Each profile against all other classified customers: Welch's t test "
                            "(R t.test(var.equal = FALSE)); p-values adjusted over every profile x variable "
                            "test together by Holm (family-wise) and Benjamini-Hochberg (false discovery rate)."),
            ("Segments", "Pearson chi-square test of profile x segment (R chisq.test(correct = FALSE)); cells "
                         "read by adjusted standardized residuals (Agresti; R chisq.test()$stdres), |z| > 1.96 "
                         "unusual at 5%; Holm and BH over the segment tests, and separately over all cells."),
        ]
        if self.nps_column:
            out.append(("NPS", f"NPS per profile from {self.nps_column}: % 9-10 minus % 0-6."))
        if self.lifecycle:
            out.append(("Lifecycle", f"Profile shares within each stage of {self.lifecycle!r} (its chi-square "
                                     "test is among the segment tests)."))
        if self.drivers is not None:
            out.append(("Loyalty drivers", "Drivers of being a loyalist rather than a hostage or mercenary "
                                           "(defectors left out): logistic regression of loyalist = 1 and "
                                           "relative weights on the logit scale (the drivers analysis, "
                                           "binary outcome)."))
        return out
