"""Layout of ``efa``: loadings (with communality and KMO), factor correlations, variance,
adequacy and fit, and parallel analysis; one block per respondent type with a spec. KMO and
the fit indices carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

from cxstats.report import verdicts
from cxstats.stats.efa import EfaByRespondentsResult, EfaResult


def _one(builder, kind: str, r: EfaResult) -> None:
    prefix = f"EFA {kind}".strip()
    loadings = r.loadings_frame("loadings")
    verdicts.add_table(builder, prefix, loadings,
                       {"kmo": verdicts.judge(loadings, "kmo", "kmo")} if "kmo" in loadings.columns else {},
                       title=f"Factor loadings ({r.method}, {r.rotation}, {len(r.factors)} factors, n = {r.n_obs})"
                             + (" - number of factors from parallel analysis"
                                if r.n_factors_source == "parallel analysis" else ""),
                       note="Pattern loadings; |loading| >= .40 is usually read as salient.",
                       diverging=list(r.factors))
    t = r.tables()
    if "factor_correlations" in t:
        builder.add_table(prefix, t["factor_correlations"], title="Factor correlations (Phi)")
    builder.add_table(prefix, t["variance"], title="Variance accounted for")
    adequacy = t["adequacy"]
    verdicts.add_table(builder, prefix, adequacy,
                       {"value": verdicts.judge(adequacy, "value", "kmo",
                                                where=[s == "KMO overall MSA" for s in adequacy["statistic"]])},
                       title="Sampling adequacy and fit")
    if "parallel_analysis" in t:
        builder.add_table(f"{prefix} parallel", t["parallel_analysis"],
                          title=f"Parallel analysis: {r.parallel.n_factors} factors, "
                                f"{r.parallel.n_components} components suggested")


def sheets(builder, result) -> None:
    """Loadings (with communality and KMO), Phi, variance, adequacy/fit and parallel analysis."""
    parts = result.parts if isinstance(result, EfaByRespondentsResult) else [("", result)]
    for kind, r in parts:
        _one(builder, kind, r)
