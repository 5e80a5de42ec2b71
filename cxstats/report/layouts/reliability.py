"""Layout of ``reliability``: a sheet with one row per scale (and group), and an item sheet."""

from __future__ import annotations

from cxstats.report import verdicts


def sheets(builder, result) -> None:
    """Reliability sheet (one row per scale and group) and an item sheet."""
    tables = result.tables()
    summary = tables["reliability"]
    verdicts.add_table(builder, "Reliability", summary,
                       {c: verdicts.judge(summary, c, "reliability")
                        for c in ("alpha", "omega_total", "omega_cfa") if c in summary.columns},
                       title="Scale reliability",
                       note="alpha: Cronbach's alpha with Feldt 95% CI; omega_total: psych one-factor omega; "
                            "omega_cfa: semTools compRelSEM of a one-factor CFA. Aim for .70 or more.")
    items = tables["items"]
    verdicts.add_table(builder, "Reliability items", items,
                       {"r_drop": verdicts.judge(items, "r_drop", "item_total")} if "r_drop" in items.columns else {},
                       title="Item statistics",
                       note="r_drop: correlation of the item with the sum of the other items; "
                            "alpha_if_dropped: alpha without the item (higher than the scale's alpha = "
                            "the item weakens the scale).")
