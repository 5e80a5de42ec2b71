"""Item descriptives by respondent type: n, mean, SD, top-2-box share, missing share (fractions 0-1)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DescribeResult:
    rows: object  # long DataFrame: variable, group, n, mean, sd, top2_share, missing_share (+ meta columns)
    groups: list
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"groups": self.groups, "variables": self.rows.to_dict(orient="records"),
                "warnings": self.warnings}

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
        return [("Descriptives",
                 "Per variable and respondent type: n = answers given (missing and 'No sabe' codes "
                 "excluded); mean and SD (n - 1 divisor) of the codes after reverse-keyed items were "
                 "recoded (min + max - x); top2_share = share of answers in the two highest codes "
                 "(4-5 on a 1-5 scale, 9-10 on 0-10); missing_share = share of respondents of that type "
                 "without a valid answer.")]


STAT_COLUMNS = ("n", "mean", "sd", "top2_share", "missing_share")


def analyze_describe(data, scales: dict, *, by: str | None = None, meta=None, groups=None) -> DescribeResult:
    """Descriptives of ``scales`` columns ({column: (min, max)}) in ``data``, per level of ``by``.

    ``meta`` ({column: {key: value}}) adds descriptive columns (construct, touchpoint...).
    """
    import numpy as np
    import pandas as pd

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
            rec = {"variable": column, **(meta or {}).get(column, {}), "group": g, "n": n,
                   "mean": float(valid.mean()) if n else None,
                   "sd": float(valid.std(ddof=1)) if n > 1 else None,
                   "top2_share": float(np.mean(valid >= hi - 1)) if n else None,
                   "missing_share": float(1 - n / len(x)) if len(x) else None}
            if n == 0 and len(x):
                warnings.append(f"{column}: no valid answers among {g}")
            records.append(rec)
    return DescribeResult(pd.DataFrame.from_records(records), [g for g, _ in parts], warnings)
