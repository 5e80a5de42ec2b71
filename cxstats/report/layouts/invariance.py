"""Layout of ``invariance``: one sheet, the per-construct verdicts or (a model tested as a
whole) the verdict, the fit at each step and each step against the previous one; levels, the
configural fit and each step carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

from cxstats.report import i18n, verdicts

i18n.register(
    sheets={"Invariance": {"en": "Invariance", "es": "Invarianza"}},
    texts={
        "inv_by_title": {"en": "Measurement invariance by construct", "es": "Invarianza de medida por constructo"},
        "inv_by_note": {"en": "level: highest invariance step supported; means are comparable between the "
                              "groups only with scalar (or strict) invariance. d_cfi_*: change in CFI; p_*: "
                              "chi-square difference test against the previous step. configural_fit: the "
                              "configural model must fit acceptably (default CFI >= .90, RMSEA <= .08, SRMR "
                              "<= .08), else the level is none; saturated = df 0 (3 items), accepted.",
                        "es": "Nivel: el paso de invarianza más alto que se sostiene; las medias solo son "
                              "comparables entre los grupos con invarianza escalar (o estricta). ΔCFI: cambio en "
                              "el CFI; p: prueba de diferencia de chi-cuadrado frente al paso anterior. Ajuste "
                              "configural: el modelo configural debe ajustar de forma aceptable (por defecto CFI "
                              ">= .90, RMSEA <= .08, SRMR <= .08); si no, el nivel es ninguno; saturado = gl 0 "
                              "(3 ítems), aceptado."},
        "inv_verdict": {"en": "Verdict", "es": "Veredicto"},
        "inv_verdict_note": {"en": "Configural invariance needs an acceptably fitting configural model first "
                                   "(configural fit rule above); only then are the later steps compared.",
                             "es": "La invarianza configural requiere primero un modelo configural con ajuste "
                                   "aceptable; solo entonces se comparan los pasos siguientes."},
        "inv_steps": {"en": "Fit at each step", "es": "Ajuste en cada paso"},
        "inv_tests": {"en": "Each step against the previous one", "es": "Cada paso frente al anterior"},
        "inv_tests_note": {"en": "chisq_diff/df_diff/pvalue: lavTestLRT; supported: the step passes the verdict "
                                 "rule (cfi: delta_cfi > -0.01; chen: not delta_cfi <= -0.01 together with "
                                 "delta_rmsea >= 0.015; lrt: p >= alpha).",
                           "es": "Diferencia de chi-cuadrado, gl y p: lavTestLRT; se sostiene: el paso cumple la "
                                 "regla (cfi: ΔCFI > -0.01; chen: no ΔCFI <= -0.01 junto con ΔRMSEA >= 0.015; "
                                 "lrt: p >= alfa)."},
        "inv_tests_note_robust": {
            "en": "Robust estimator: chisq_diff is the Satorra-Bentler (2001) scaled difference (lavTestLRT's "
                  "default for MLR/MLM): (T0 - T1) / c_d with c_d = (df0 c0 - df1 c1) / (df0 - df1) from the ML "
                  "chi-squares T and scaling factors c of the two steps (scaling_factor_diff = c_d; "
                  "chisq_diff_unscaled = T0 - T1); delta_cfi/delta_rmsea are changes in the robust CFI/RMSEA. "
                  "supported: the step passes the verdict rule (cfi: delta_cfi > -0.01; chen: not delta_cfi <= "
                  "-0.01 together with delta_rmsea >= 0.015; lrt: p >= alpha).",
            "es": "Estimador robusto: la diferencia de chi-cuadrado es la diferencia escalada de Satorra-Bentler "
                  "(2001), la de lavTestLRT por defecto con MLR/MLM: (T0 - T1) / c_d con c_d = (gl0 c0 - gl1 c1) / "
                  "(gl0 - gl1), a partir de los chi-cuadrados ML T y los factores de escala c de los dos pasos; "
                  "ΔCFI y ΔRMSEA son cambios del CFI y el RMSEA robustos. Se sostiene: el paso cumple la regla "
                  "(cfi: ΔCFI > -0.01; chen: no ΔCFI <= -0.01 junto con ΔRMSEA >= 0.015; lrt: p >= alfa)."},
        "inv_tests_note_ordinal": {
            "en": "Ordinal items (WLSMV, delta parametrisation): the scalar step has thresholds and loadings equal "
                  "(scale factors and latent means free after the first group). chisq_diff is lavTestLRT's "
                  "scaled-shifted difference (method satorra.2000): a (T0 - T1) + b from the unscaled chi-squares "
                  "(chisq_diff_unscaled = T0 - T1; shift_a = a, shift_b = b); delta_cfi/delta_rmsea are changes in "
                  "the scaled CFI/RMSEA. supported: the step passes the verdict rule (cfi: delta_cfi > -0.01; chen: "
                  "not delta_cfi <= -0.01 together with delta_rmsea >= 0.015; lrt: p >= alpha).",
            "es": "Ítems ordinales (WLSMV, parametrización delta): el paso escalar iguala umbrales y cargas (factores "
                  "de escala y medias latentes libres desde el segundo grupo). La diferencia de chi-cuadrado es la "
                  "escalada y desplazada de lavTestLRT (método satorra.2000): a (T0 - T1) + b a partir de los "
                  "chi-cuadrados sin escalar; ΔCFI y ΔRMSEA son cambios del CFI y el RMSEA escalados. Se sostiene: "
                  "el paso cumple la regla (cfi: ΔCFI > -0.01; chen: no ΔCFI <= -0.01 junto con ΔRMSEA >= 0.015; "
                  "lrt: p >= alfa)."},
        "level:configural": {"en": "configural", "es": "configural"},
        "level:metric": {"en": "metric", "es": "métrica"},
        "level:scalar": {"en": "scalar", "es": "escalar"},
        "level:strict": {"en": "strict", "es": "estricta"},
        "level:none": {"en": "none", "es": "ninguna"},
    },
    headers={
        "means_comparable": {"en": "Means comparable", "es": "Medias comparables"},
        "configural_fit": {"en": "Configural fit", "es": "Ajuste configural"},
        "missing": {"en": "Missing data", "es": "Datos perdidos"},
        "d_cfi_metric": {"en": "ΔCFI metric", "es": "ΔCFI métrica"},
        "d_cfi_scalar": {"en": "ΔCFI scalar", "es": "ΔCFI escalar"},
        "d_cfi_strict": {"en": "ΔCFI strict", "es": "ΔCFI estricta"},
        "p_metric": {"en": "p metric", "es": "p métrica"},
        "p_scalar": {"en": "p scalar", "es": "p escalar"},
        "p_strict": {"en": "p strict", "es": "p estricta"},
        "reason": {"en": "Reason", "es": "Motivo"},
        "step": {"en": "Step", "es": "Paso"},
        "chisq_diff": {"en": "Chi-square difference", "es": "Diferencia de chi-cuadrado"},
        "df_diff": {"en": "df difference", "es": "Diferencia de gl"},
        "supported": {"en": "Supported", "es": "Se sostiene"},
        "delta_cfi": {"en": "ΔCFI", "es": "ΔCFI"},
        "delta_rmsea": {"en": "ΔRMSEA", "es": "ΔRMSEA"},
        "chisq_diff_unscaled": {"en": "Chi-square difference (unscaled)", "es": "Diferencia de chi-cuadrado (sin escalar)"},
        "scaling_factor_diff": {"en": "Scaling factor of the difference", "es": "Factor de escala de la diferencia"},
        "shift_a": {"en": "Scale a of the difference", "es": "Escala a de la diferencia"},
        "shift_b": {"en": "Shift b of the difference", "es": "Desplazamiento b de la diferencia"},
    })


def sheets(builder, result):
    """One sheet: steps, tests and verdict (whole model) or the per-construct table."""
    d = builder.display
    tables = result.tables()
    if "Invariance by construct" in tables:
        df = tables["Invariance by construct"]
        checks = {"level": verdicts.level_verdicts(df["level"]),
                  "configural_fit": verdicts.configural_verdicts(df["configural_fit"])}
        if result.rule == "cfi":  # the ΔCFI cut is the rule that decided the levels
            checks.update({c: verdicts.judge(df, c, "delta_cfi") for c in df.columns if c.startswith("d_cfi_")})
        verdicts.add_table(builder, "Invariance", df, checks, title=d.t("inv_by_title"), note=d.t("inv_by_note"))
        return
    verdict = tables["Invariance verdict"]
    words = [None] * len(verdict)
    for i, (item, value) in enumerate(zip(verdict["item"], verdict["value"])):
        if item == "level supported":
            words[i] = verdicts.level_verdicts([value])[1][0]
        elif item == "configural fit":
            words[i] = verdicts.configural_verdicts([value])[1][0]
    verdicts.add_table(builder, "Invariance", verdict, {"value": ("invariance_level", words)},
                       legend=["invariance_level", "configural_fit"], title=d.t("inv_verdict"),
                       note=d.t("inv_verdict_note"))
    builder.add_table("Invariance", tables["Invariance steps"], title=d.t("inv_steps"))
    tests = tables["Invariance tests"]
    checks = {}
    if len(tests) and "supported" in tests.columns:
        checks["supported"] = verdicts.mapped(tests["supported"], {True: verdicts.PASS, False: verdicts.FAIL},
                                              "invariance_step")
        if result.rule == "cfi":
            checks["delta_cfi"] = verdicts.judge(tests, "delta_cfi", "delta_cfi")
        elif result.rule == "chen":
            checks["delta_cfi"] = verdicts.judge(tests, "delta_cfi", "delta_cfi")
            checks["delta_rmsea"] = verdicts.judge(tests, "delta_rmsea", "delta_rmsea")
    est = getattr(result, "estimator", "ML")
    note = ("inv_tests_note_ordinal" if est in ("WLSMV", "ULSMV") else
            "inv_tests_note_robust" if est != "ML" else "inv_tests_note")
    verdicts.add_table(builder, "Invariance", tests, checks, title=d.t("inv_tests"), note=d.t(note))
