"""Layout of ``nps``: NPS overall / per group, the two-group test, segments, CSAT and CES on
one sheet (``NPS``). In a plan it joins the ``gaps`` workbook, after the gap sheets' Summary."""

from __future__ import annotations

from cxstats.stats.nps import NpsResult


def _yes(v) -> str:
    return "yes" if v is True else ""


def sheets(builder, result: NpsResult, sheet: str = "NPS") -> None:
    """Every table of the result on one sheet, NPS points with one decimal, ``*_share`` fractions
    as percentages, p with four."""
    fm = {}
    for name, df in result.tables().items():
        for c in df.columns:
            if c in ("n", "promoters", "passives", "detractors"):
                fm[c] = "0"
            elif c in ("pvalue",):
                fm[c] = "0.0000"
            elif "_share" in c:   # fractions 0-1 shown as percentages
                fm[c] = "0.0%"
            elif c.endswith("_pct") or c.startswith("nps") or c.startswith("diff") or "ci_" in c:
                fm[c] = "0.0"
            else:
                fm[c] = "0.00"
        df = df.copy()
        if "suppressed" in df.columns:
            df["suppressed"] = [_yes(v) for v in df["suppressed"]]
        builder.add_table(sheet, df, title=name, formats=fm,
                          diverging=[c for c in ("nps", "diff") if c in df.columns])
