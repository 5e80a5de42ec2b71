"""Layout of ``cfa``: fit, estimates (with R²), and reliability and validity (CR, AVE, HTMT,
Fornell-Larcker) sheets; thresholded cells carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

import pandas as pd

from cxstats.report import i18n, verdicts

i18n.register(
    sheets={"CFA fit": {"en": "CFA fit", "es": "AFC ajuste"},
            "CFA estimates": {"en": "CFA estimates", "es": "AFC estimaciones"},
            "CFA validity": {"en": "CFA validity", "es": "AFC validez"}},
    texts={
        "cfa_fit_title": {"en": "Model fit (ML, lavaan-compatible)", "es": "Ajuste del modelo (MV, compatible con lavaan)"},
        "cfa_fit_note": {"en": "Fit verdict (Hu & Bentler 1999): good when CFI and TLI >= .95, RMSEA <= .06, "
                               "SRMR <= .08; acceptable when CFI >= .90, RMSEA <= .08, SRMR <= .08; else poor.",
                         "es": "Veredicto de ajuste (Hu y Bentler 1999): bueno con CFI y TLI >= .95, RMSEA <= .06, "
                               "SRMR <= .08; aceptable con CFI >= .90, RMSEA <= .08, SRMR <= .08; si no, pobre."},
        "cfa_est_title": {"en": "Parameter estimates", "es": "Estimaciones de los parámetros"},
        "cfa_est_note": {"en": "=~ loadings, ~~ (residual) variances and covariances, ~ regressions, ~1 "
                               "intercepts; std_all = completely standardized.",
                         "es": "=~ cargas, ~~ varianzas (residuales) y covarianzas, ~ regresiones, ~1 "
                               "interceptos; estandarizada (todo) = completamente estandarizada."},
        "cfa_cr_title": {"en": "Composite reliability and AVE", "es": "Fiabilidad compuesta y AVE"},
        "cfa_cr_note": {"en": "cr: semTools compRelSEM (observed total variance); cr_model: model-implied "
                              "variance; ave: semTools AVE. Aim for CR >= .70 and AVE >= .50.",
                        "es": "FC: compRelSEM de semTools (varianza total observada); FC (modelo): varianza "
                              "implicada por el modelo; AVE: AVE de semTools. Se busca FC >= .70 y AVE >= .50."},
        "cfa_htmt_title": {"en": "HTMT (geometric, semTools default)", "es": "HTMT (geométrico, por defecto en semTools)"},
        "cfa_htmt_note": {"en": "Discriminant validity is doubtful above 0.85.",
                          "es": "La validez discriminante es dudosa por encima de 0.85."},
        "cfa_htmt_arith": {"en": "HTMT (original arithmetic)", "es": "HTMT (aritmético original)"},
        "cfa_fl_title": {"en": "Fornell-Larcker: sqrt(AVE) on the diagonal, latent correlations off it",
                         "es": "Fornell-Larcker: raíz(AVE) en la diagonal, correlaciones latentes fuera de ella"},
        "cfa_notes_title": {"en": "Reliability and validity notes", "es": "Notas de fiabilidad y validez"},
        "cfa_pairs_title": {"en": "Discriminant validity by pair of factors",
                            "es": "Validez discriminante por par de factores"},
        "cfa_pairs_note": {"en": "htmt / htmt_arithmetic against the HTMT rule; latent_r against the "
                                 "Fornell-Larcker criterion: |latent_r| <= sqrt_ave_min, the smaller "
                                 "sqrt(AVE) of the two factors.",
                           "es": "HTMT (geométrico y aritmético) frente a la regla HTMT; la correlación latente "
                                 "frente al criterio de Fornell-Larcker: |r latente| <= la menor raíz(AVE) de "
                                 "los dos factores."},
        "cfa_r2_title": {"en": "R² of the indicators", "es": "R² de los indicadores"},
        "measure:fit verdict": {"en": "fit verdict", "es": "veredicto de ajuste"},
        "measure:fit verdict rule": {"en": "fit verdict rule", "es": "regla del veredicto"},
        "measure:fit cut-offs missed": {"en": "fit cut-offs missed", "es": "umbrales no alcanzados"},
        "measure:chisq": {"en": "chisq", "es": "chi-cuadrado"},
        "measure:df": {"en": "df", "es": "gl"},
        "measure:pvalue": {"en": "pvalue", "es": "p"},
        "measure:npar": {"en": "npar", "es": "n.º de parámetros"},
        "measure:ntotal": {"en": "ntotal", "es": "n total"},
        # the rest of lavaan's fit measures and the missing-data summary (codes as lavaan names them)
        "measure:cfi": {"en": "cfi", "es": "CFI"},
        "measure:tli": {"en": "tli", "es": "TLI"},
        "measure:rmsea": {"en": "rmsea", "es": "RMSEA"},
        "measure:srmr": {"en": "srmr", "es": "SRMR"},
        "measure:rmsea_ci_lower": {"en": "rmsea_ci_lower", "es": "RMSEA: IC 90% inferior"},
        "measure:rmsea_ci_upper": {"en": "rmsea_ci_upper", "es": "RMSEA: IC 90% superior"},
        "measure:rmsea_pvalue": {"en": "rmsea_pvalue", "es": "RMSEA: p (RMSEA <= .05)"},
        "measure:aic": {"en": "aic", "es": "AIC"},
        "measure:bic": {"en": "bic", "es": "BIC"},
        "measure:bic2": {"en": "bic2", "es": "BIC ajustado por tamaño muestral"},
        "measure:logl": {"en": "logl", "es": "log-verosimilitud"},
        "measure:unrestricted_logl": {"en": "unrestricted_logl", "es": "log-verosimilitud (modelo saturado)"},
        "measure:baseline_chisq": {"en": "baseline_chisq", "es": "chi-cuadrado (modelo de independencia)"},
        "measure:baseline_df": {"en": "baseline_df", "es": "gl (modelo de independencia)"},
        "measure:baseline_pvalue": {"en": "baseline_pvalue", "es": "p (modelo de independencia)"},
        "measure:fmin": {"en": "fmin", "es": "mínimo de la función de ajuste"},
        "measure:missing: method": {"en": "missing: method", "es": "datos perdidos: método"},
        "measure:missing: n_rows": {"en": "missing: n_rows", "es": "datos perdidos: filas"},
        "measure:missing: n_used": {"en": "missing: n_used", "es": "datos perdidos: filas usadas"},
        "measure:missing: n_complete": {"en": "missing: n_complete", "es": "datos perdidos: filas completas"},
        "measure:missing: n_incomplete": {"en": "missing: n_incomplete", "es": "datos perdidos: filas incompletas"},
        "measure:missing: n_dropped_empty": {"en": "missing: n_dropped_empty",
                                             "es": "datos perdidos: filas vacías descartadas"},
        "measure:missing: n_dropped_missing_x": {"en": "missing: n_dropped_missing_x",
                                                 "es": "datos perdidos: filas descartadas (x perdida)"},
        "measure:missing: patterns": {"en": "missing: patterns", "es": "datos perdidos: patrones"},
    },
    headers={
        "lhs": {"en": "Left (lhs)", "es": "Izquierda (lhs)"},
        "op": {"en": "op", "es": "op"},
        "rhs": {"en": "Right (rhs)", "es": "Derecha (rhs)"},
        "label": {"en": "Label", "es": "Etiqueta"},
        "std_lv": {"en": "Standardized (latent)", "es": "Estandarizada (latentes)"},
        "std_all": {"en": "Standardized (all)", "es": "Estandarizada (todo)"},
        "cr": {"en": "Composite reliability (CR)", "es": "Fiabilidad compuesta (FC)"},
        "cr_model": {"en": "CR (model-implied)", "es": "FC (modelo)"},
        "ave": {"en": "AVE", "es": "AVE"},
        "sqrt_ave": {"en": "sqrt(AVE)", "es": "raíz(AVE)"},
        "cr_std": {"en": "CR (standardized)", "es": "FC (estandarizada)"},
        "ave_std": {"en": "AVE (standardized)", "es": "AVE (estandarizada)"},
    })

i18n.register(
    sheets={"CFA modindices": {"en": "CFA modindices", "es": "AFC índices de modificación"}},
    texts={
        "cfa_mi_title": {"en": "Modification indices (largest first)",
                         "es": "Índices de modificación (de mayor a menor)"},
        "cfa_mi_note": {"en": "mi: expected drop of the chi-square if the parameter were freed (1 df); epc: its expected "
                              "value; sepc_all: standardized. Exploratory: free a parameter only with a substantive "
                              "reason, one at a time, and confirm it on new data.",
                        "es": "mi: descenso esperado de la chi-cuadrado si se liberara el parámetro (1 gl); epc: su "
                              "valor esperado; sepc_all: estandarizado. Es exploratorio: libere un parámetro solo con "
                              "una razón de fondo, de uno en uno, y confírmelo con datos nuevos."},
    },
    headers={
        "mi": {"en": "Modification index", "es": "Índice de modificación"},
        "epc": {"en": "Expected change (epc)", "es": "Cambio esperado (epc)"},
        "sepc_all": {"en": "Standardized expected change", "es": "Cambio esperado estandarizado"},
    },
)


i18n.register(
    texts={
        "cfa_fit_title_ordinal": {"en": "Model fit ({estimator}, ordinal items, lavaan-compatible)",
                                  "es": "Ajuste del modelo ({estimator}, ítems ordinales, compatible con lavaan)"},
        "cfa_ordinal_note": {
            "en": "Ordinal items: thresholds and polychoric correlations (two-step), estimator {estimator} (DWLS "
                  "estimates with robust standard errors and the mean-and-variance adjusted chi-square for WLSMV), "
                  "delta parametrisation (latent-response variances 1); listwise deletion: {used} complete "
                  "respondents of {rows}. The fit verdict reads the robust CFI/TLI/RMSEA when reported.",
            "es": "Ítems ordinales: umbrales y correlaciones policóricas (en dos pasos), estimador {estimator} "
                  "(estimaciones DWLS con errores estándar robustos y chi-cuadrado ajustada en media y varianza "
                  "para WLSMV), parametrización delta (varianzas de las respuestas latentes = 1); eliminación por "
                  "lista: {used} encuestados completos de {rows}. El veredicto de ajuste lee el CFI/TLI/RMSEA "
                  "robustos cuando se informan."},
        "cfa_ordinal_note_pairwise": {
            "en": "Ordinal items: thresholds and polychoric correlations (two-step), estimator {estimator}, delta "
                  "parametrisation (latent-response variances 1); pairwise deletion: {used} respondents of {rows}, "
                  "each polychoric correlation from those answering both items. The fit verdict reads the robust "
                  "CFI/TLI/RMSEA when reported.",
            "es": "Ítems ordinales: umbrales y correlaciones policóricas (en dos pasos), estimador {estimator}, "
                  "parametrización delta (varianzas de las respuestas latentes = 1); eliminación por pares: {used} "
                  "encuestados de {rows}, cada correlación policórica con quienes respondieron a ambos ítems. El "
                  "veredicto de ajuste lee el CFI/TLI/RMSEA robustos cuando se informan."},
        "cfa_est_note_ordinal": {
            "en": "=~ loadings, | thresholds (t1, t2, ...), ~~ (residual) variances and covariances (the items' "
                  "residual variances follow from the delta parametrisation: SE 0), ~*~ scale factors, ~1 "
                  "intercepts (fixed at 0); std_all = completely standardized.",
            "es": "=~ cargas, | umbrales (t1, t2, ...), ~~ varianzas (residuales) y covarianzas (las varianzas "
                  "residuales de los ítems se derivan de la parametrización delta: EE 0), ~*~ factores de escala, "
                  "~1 interceptos (fijados en 0); estandarizada (todo) = completamente estandarizada."},
        "measure:chisq_shift": {"en": "chisq_shift", "es": "chi-cuadrado: desplazamiento (shift)"},
        "measure:baseline_chisq_shift": {"en": "baseline_chisq_shift",
                                         "es": "desplazamiento (modelo de independencia)"},
    })


def sheets(builder, result):
    """Fit, estimates, reliability/validity, HTMT and Fornell-Larcker sheets."""
    d = builder.display
    tables = result.tables()
    ordinal = bool(getattr(result, "ordered", None))
    if ordinal:
        miss = result.missing or {}
        title = d.t("cfa_fit_title_ordinal", estimator=result.estimator)
        key = "cfa_ordinal_note_pairwise" if miss.get("method") == "pairwise" else "cfa_ordinal_note"
        note = d.t(key, estimator=result.estimator, used=miss.get("n_used"),
                   rows=miss.get("n_rows")) + " " + d.t("cfa_fit_note")
    else:
        title, note = d.t("cfa_fit_title"), d.t("cfa_fit_note")
    verdicts.add_fit_table(builder, "CFA fit", tables["Fit"], result.fit_verdict, title=title, note=note)
    verdicts.add_estimates(builder, "CFA estimates", tables["Estimates"], title=d.t("cfa_est_title"),
                           note=d.t("cfa_est_note_ordinal" if ordinal else "cfa_est_note"))
    if "Reliability and validity" in tables:
        rel = tables["Reliability and validity"]
        checks = {c: verdicts.judge(rel, c, "reliability") for c in ("cr", "cr_model", "cr_std") if c in rel.columns}
        checks.update({c: verdicts.judge(rel, c, "ave") for c in ("ave", "ave_std") if c in rel.columns})
        verdicts.add_table(builder, "CFA validity", rel, checks, title=d.t("cfa_cr_title"), note=d.t("cfa_cr_note"))
        verdicts.add_discriminant(builder, "CFA validity", result, tables, {
            "HTMT": (d.t("cfa_htmt_title"), d.t("cfa_htmt_note")),
            "HTMT (arithmetic)": (d.t("cfa_htmt_arith"), None),
            "Fornell-Larcker": (d.t("cfa_fl_title"), None),
            "Discriminant validity": (d.t("cfa_pairs_title"), d.t("cfa_pairs_note")),
        })
        if result.validity_notes:
            builder.add_table("CFA validity", pd.DataFrame({"note": result.validity_notes}),
                              title=d.t("cfa_notes_title"))
    if len(tables.get("R2", [])):
        builder.add_table("CFA estimates", tables["R2"], title=d.t("cfa_r2_title"))
    if "Modification indices" in tables:
        builder.add_table("CFA modindices", tables["Modification indices"], title=d.t("cfa_mi_title"),
                          note=d.t("cfa_mi_note"), sequential=["mi"])
