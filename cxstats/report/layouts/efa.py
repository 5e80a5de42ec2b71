"""Layout of ``efa``: loadings (with communality and KMO), factor correlations, variance,
adequacy and fit, and parallel analysis; one block per respondent type with a spec. KMO and
the fit indices carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

from cxstats.report import i18n, verdicts
from cxstats.stats.efa import EfaByRespondentsResult, EfaResult

i18n.register(
    texts={
        "efa_sheet": {"en": "EFA {kind}", "es": "AFE {kind}"},
        "efa_parallel_sheet": {"en": "EFA {kind} parallel", "es": "AFE {kind} paralelo"},
        "efa_loadings": {"en": "Factor loadings ({method}, {rotation}, {k} factors, n = {n})",
                         "es": "Cargas factoriales ({method}, {rotation}, {k} factores, n = {n})"},
        "efa_from_parallel": {"en": " - number of factors from parallel analysis",
                              "es": " - número de factores según el análisis paralelo"},
        "efa_loadings_note": {"en": "Pattern loadings; |loading| >= .40 is usually read as salient.",
                              "es": "Cargas de patrón; una |carga| >= .40 suele leerse como relevante."},
        "efa_phi": {"en": "Factor correlations (Phi)", "es": "Correlaciones entre factores (Phi)"},
        "efa_variance": {"en": "Variance accounted for", "es": "Varianza explicada"},
        "efa_adequacy": {"en": "Sampling adequacy and fit", "es": "Adecuación muestral y ajuste"},
        "efa_parallel": {"en": "Parallel analysis: {f} factors, {c} components suggested",
                         "es": "Análisis paralelo: sugiere {f} factores y {c} componentes"},
        "efa_kind:customer": {"en": "customer", "es": "clientes"},
        "efa_kind:staff": {"en": "staff", "es": "personal"},
        # the adequacy table's statistics (cxstats.stats.efa adequacy rows)
        "statistic:KMO overall MSA": {"en": "KMO overall MSA", "es": "KMO global (MSA)"},
        "statistic:Bartlett chi-square": {"en": "Bartlett chi-square", "es": "chi-cuadrado de Bartlett"},
        "statistic:TLI": {"en": "TLI", "es": "TLI"},
        "statistic:RMSEA": {"en": "RMSEA", "es": "RMSEA"},
        "statistic:chi-square (likelihood)": {"en": "chi-square (likelihood)", "es": "chi-cuadrado (verosimilitud)"},
    },
    headers={
        "communality": {"en": "Communality", "es": "Comunalidad"},
        "uniqueness": {"en": "Uniqueness", "es": "Unicidad"},
        "kmo": {"en": "KMO (item)", "es": "KMO (ítem)"},
        "ss_loadings": {"en": "Sum of squared loadings", "es": "Suma de cargas al cuadrado"},
        "proportion_var": {"en": "Proportion of variance", "es": "Proporción de varianza"},
        "cumulative_var": {"en": "Cumulative variance", "es": "Varianza acumulada"},
        "proportion_explained": {"en": "Proportion explained", "es": "Proporción explicada"},
        "cumulative_proportion": {"en": "Cumulative proportion", "es": "Proporción acumulada"},
        "number": {"en": "Number", "es": "Número"},
        "observed_fa": {"en": "Observed (FA)", "es": "Observado (AF)"},
        "simulated_fa": {"en": "Simulated (FA)", "es": "Simulado (AF)"},
        "resampled_fa": {"en": "Resampled (FA)", "es": "Remuestreado (AF)"},
        "observed_pc": {"en": "Observed (PC)", "es": "Observado (CP)"},
        "simulated_pc": {"en": "Simulated (PC)", "es": "Simulado (CP)"},
        "resampled_pc": {"en": "Resampled (PC)", "es": "Remuestreado (CP)"},
    })


def _one(builder, kind: str, r: EfaResult) -> None:
    d = builder.display
    shown = d.t(f"efa_kind:{kind}") if f"efa_kind:{kind}" in i18n.TEXTS else kind
    prefix = d.t("efa_sheet", kind=shown).strip()
    loadings = r.loadings_frame("loadings")
    verdicts.add_table(builder, prefix, loadings,
                       {"kmo": verdicts.judge(loadings, "kmo", "kmo")} if "kmo" in loadings.columns else {},
                       title=d.t("efa_loadings", method=r.method, rotation=r.rotation, k=len(r.factors), n=r.n_obs)
                             + (d.t("efa_from_parallel") if r.n_factors_source == "parallel analysis" else ""),
                       note=d.t("efa_loadings_note"), diverging=list(r.factors))
    t = r.tables()
    if "factor_correlations" in t:
        builder.add_table(prefix, t["factor_correlations"], title=d.t("efa_phi"))
    builder.add_table(prefix, t["variance"], title=d.t("efa_variance"))
    adequacy = t["adequacy"]
    verdicts.add_table(builder, prefix, adequacy,
                       {"value": verdicts.judge(adequacy, "value", "kmo",
                                                where=[s == "KMO overall MSA" for s in adequacy["statistic"]])},
                       title=d.t("efa_adequacy"))
    if "parallel_analysis" in t:
        builder.add_table(d.t("efa_parallel_sheet", kind=shown).replace("  ", " "), t["parallel_analysis"],
                          title=d.t("efa_parallel", f=r.parallel.n_factors, c=r.parallel.n_components))


def sheets(builder, result) -> None:
    """Loadings (with communality and KMO), Phi, variance, adequacy/fit and parallel analysis."""
    parts = result.parts if isinstance(result, EfaByRespondentsResult) else [("", result)]
    for kind, r in parts:
        _one(builder, kind, r)
