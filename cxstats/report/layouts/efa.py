"""Layout of ``efa``: loadings (with communality and KMO), factor correlations, variance,
adequacy and fit, and parallel analysis; one block per respondent type with a spec."""

from __future__ import annotations

from cxstats.stats.efa import EfaByRespondentsResult, EfaResult


def _one(builder, kind: str, r: EfaResult) -> None:
    prefix = f"EFA {kind}".strip()
    builder.add_table(prefix, r.loadings_frame("loadings"),
                      title=f"Factor loadings ({r.method}, {r.rotation}, {len(r.factors)} factors, n = {r.n_obs})"
                            + (" - number of factors from parallel analysis"
                               if r.n_factors_source == "parallel analysis" else ""),
                      note="Pattern loadings; |loading| >= .40 is usually read as salient.",
                      diverging=list(r.factors))
    t = r.tables()
    if "factor_correlations" in t:
        builder.add_table(prefix, t["factor_correlations"], title="Factor correlations (Phi)")
    builder.add_table(prefix, t["variance"], title="Variance accounted for")
    builder.add_table(prefix, t["adequacy"], title="Sampling adequacy and fit")
    if "parallel_analysis" in t:
        builder.add_table(f"{prefix} parallel", t["parallel_analysis"],
                          title=f"Parallel analysis: {r.parallel.n_factors} factors, "
                                f"{r.parallel.n_components} components suggested")


def sheets(builder, result) -> None:
    """Loadings (with communality and KMO), Phi, variance, adequacy/fit and parallel analysis."""
    parts = result.parts if isinstance(result, EfaByRespondentsResult) else [("", result)]
    for kind, r in parts:
        _one(builder, kind, r)
