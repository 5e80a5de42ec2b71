"""Item descriptives by respondent type: n, mean, SD, top-2-box share, missing share (fractions 0-1).

With survey weights (``weights``; :mod:`cxstats.stats.weights`): the mean, SD, top-2-box share and
missing share are weighted (weights rescaled to sum to the answers counted; SD divisor sum(w) - 1), and
each row adds Kish's effective n (``n_eff``) with a 95% Wilson interval of the top-2-box share and a
t interval of the mean on n_eff (design-effect adjusted: deff = n / n_eff)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DescribeResult:
    rows: object  # long DataFrame: variable, group, n, mean, sd, top2_share, missing_share (+ meta columns)
    groups: list
    warnings: list = field(default_factory=list)
    weight: str | None = None     # the survey-weight column, when weighted

    def to_dict(self) -> dict:
        out = {"groups": self.groups, "variables": self.rows.to_dict(orient="records"),
               "warnings": self.warnings}
        if self.weight:
            out["weight"] = self.weight
        return out

    def wide(self):
        """One row per variable, the groups side by side (customer_mean, staff_mean, ...)."""
        meta = [c for c in self.rows.columns if c not in STAT_COLUMNS and c != "group"]
        stats = [c for c in STAT_COLUMNS if c in self.rows.columns]
        wide = self.rows.pivot(index="variable", columns="group", values=stats)
        wide.columns = [f"{g}_{s}" for s, g in wide.columns]
        ordered = [f"{g}_{s}" for g in self.groups for s in stats]
        first = self.rows.drop_duplicates("variable").set_index("variable")[[m for m in meta if m != "variable"]]
        return first.join(wide[ordered]).reset_index()

    def tables(self) -> dict:
        return {"Descriptives": self.wide()}

    def methods(self) -> list:
        extra = []
        if self.weight:
            from cxstats.stats.weights import WEIGHT_METHODS

            extra = [WEIGHT_METHODS, ("Weighted descriptives",
                      f"Weighted by {self.weight}: mean = sum(w x)/sum(w), SD with divisor sum(w) - 1 (weights "
                      "rescaled to sum to the answers), top2_share and missing_share weighted shares. n_eff = "
                      "(sum w)^2/sum(w^2) of the answers (Kish 1965); top2_share_ci_*: Wilson 95% interval with "
                      "n_eff in place of n; mean_ci_*: mean +/- t(0.975, n_eff - 1) SD/sqrt(n_eff).")]
        return extra + [("Descriptives",
                 "Per variable and respondent type: n = answers given (missing and 'No sabe' codes "
                 "excluded); mean and SD (n - 1 divisor) of the codes after reverse-keyed items were "
                 "recoded (min + max - x); top2_share = share of answers in the two highest codes "
                 "(4-5 on a 1-5 scale, 9-10 on 0-10); missing_share = share of respondents of that type "
                 "without a valid answer.")]


STAT_COLUMNS = ("n", "n_eff", "mean", "mean_ci_lower", "mean_ci_upper", "sd", "top2_share", "top2_share_ci_lower",
                "top2_share_ci_upper", "missing_share")


def analyze_describe(data, scales: dict, *, by: str | None = None, meta=None, groups=None,
                     weights=None, weight_name: str | None = None) -> DescribeResult:
    """Descriptives of ``scales`` columns ({column: (min, max)}) in ``data``, per level of ``by``.

    ``meta`` ({column: {key: value}}) adds descriptive columns (construct, touchpoint...).
    ``weights``: survey weights, one per row of ``data`` (checked: none missing or negative), and
    ``weight_name`` the column they came from (for the methods text).
    """
    import numpy as np
    import pandas as pd

    if weights is not None:
        from cxstats.stats.weights import check_weights

        weights = check_weights(weights, column=weight_name)
        data = data.assign(_w=weights)
    if by is None:
        parts = [("all", data)]
    else:
        levels = groups or sorted(data[by].dropna().unique().tolist())
        parts = [(g, data[data[by] == g]) for g in levels]
    records, warnings = [], []
    for column, (lo, hi) in scales.items():
        for g, part in parts:
            x = part[column].to_numpy(dtype=float)
            valid = x[~np.isnan(x)]
            n = int(valid.size)
            rec = {"variable": column, **(meta or {}).get(column, {}), "group": g, "n": n}
            if weights is None:
                rec.update({"mean": float(valid.mean()) if n else None,
                            "sd": float(valid.std(ddof=1)) if n > 1 else None,
                            "top2_share": float(np.mean(valid >= hi - 1)) if n else None,
                            "missing_share": float(1 - n / len(x)) if len(x) else None})
            else:
                wall = part["_w"].to_numpy(dtype=float)
                rec.update(_weighted_row(valid, wall[~np.isnan(x)], wall, hi))
            if n == 0 and len(x):
                warnings.append(f"{column}: no valid answers among {g}")
            records.append(rec)
    return DescribeResult(pd.DataFrame.from_records(records), [g for g, _ in parts], warnings,
                          weight=(weight_name or "weight") if weights is not None else None)


def _weighted_row(valid, w, wall, hi) -> dict:
    """The weighted statistics of one variable in one group (see the module docstring)."""
    import math

    import numpy as np
    from scipy import stats

    from cxstats.stats.nps import wilson_interval
    from cxstats.stats.weights import kish_n, normalize

    n = int(valid.size)
    out = {"n_eff": None, "mean": None, "mean_ci_lower": None, "mean_ci_upper": None, "sd": None,
           "top2_share": None, "top2_share_ci_lower": None, "top2_share_ci_upper": None,
           "missing_share": float(1 - w.sum() / wall.sum()) if wall.sum() > 0 else None}
    if n == 0 or not w.sum() > 0:
        return out
    w = normalize(w)
    ne = kish_n(w)
    m = float(np.sum(w * valid) / w.sum())
    top = float(np.sum(w * (valid >= hi - 1)) / w.sum())
    lo_, hi_ = wilson_interval(top * ne, ne)
    out.update(n_eff=ne, mean=m, top2_share=top, top2_share_ci_lower=lo_, top2_share_ci_upper=hi_)
    if n > 1:
        sd = math.sqrt(float(np.sum(w * (valid - m) ** 2)) / (w.sum() - 1.0))
        out["sd"] = sd
        if ne > 1:
            h = float(stats.t.ppf(0.975, ne - 1)) * sd / math.sqrt(ne)
            out.update(mean_ci_lower=m - h, mean_ci_upper=m + h)
    return out
