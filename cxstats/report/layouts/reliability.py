"""Layout of ``reliability``: a sheet with one row per scale (and group), and an item sheet."""

from __future__ import annotations

from cxstats.report import i18n, verdicts

i18n.register(
    sheets={"Reliability": {"en": "Reliability", "es": "Fiabilidad"},
            "Reliability items": {"en": "Reliability items", "es": "Fiabilidad ítems"}},
    texts={
        "rel_title": {"en": "Scale reliability", "es": "Fiabilidad de las escalas"},
        "rel_weighted_note": {
            "en": "Weighted by the survey weights of column {weight}: every statistic from the weighted "
                  "covariance matrix; Feldt's CI on Kish's effective n (n_eff).",
            "es": "Ponderado con los pesos muestrales de la columna {weight}: todos los estadísticos salen de la "
                  "matriz de covarianzas ponderada; el IC de Feldt usa el n efectivo de Kish (n efectiva)."},
        "rel_note": {"en": "alpha: Cronbach's alpha with Feldt 95% CI; omega_total: psych one-factor omega; "
                           "omega_cfa: semTools compRelSEM of a one-factor CFA. Aim for .70 or more.",
                     "es": "Alfa: alfa de Cronbach con IC 95% de Feldt; omega total: omega de un factor (psych); "
                           "omega AFC: compRelSEM (semTools) de un AFC de un factor. Se busca .70 o más."},
        "rel_items_title": {"en": "Item statistics", "es": "Estadísticos de los ítems"},
        "rel_items_note": {"en": "r_drop: correlation of the item with the sum of the other items; "
                                 "alpha_if_dropped: alpha without the item (higher than the scale's alpha = "
                                 "the item weakens the scale).",
                           "es": "r corregida: correlación del ítem con la suma de los demás ítems; alfa sin el "
                                 "ítem: alfa de la escala sin él (si supera al alfa de la escala, el ítem la "
                                 "debilita)."},
    },
    headers={
        "alpha": {"en": "Cronbach's alpha", "es": "Alfa de Cronbach"},
        "alpha_std": {"en": "Standardized alpha", "es": "Alfa estandarizado"},
        "omega_total": {"en": "Omega total", "es": "Omega total"},
        "omega_cfa": {"en": "Omega (CFA)", "es": "Omega (AFC)"},
        "average_r": {"en": "Mean inter-item r", "es": "r media entre ítems"},
        "median_r": {"en": "Median inter-item r", "es": "r mediana entre ítems"},
        "g6_smc": {"en": "Guttman's lambda 6", "es": "Lambda 6 de Guttman"},
        "reversed": {"en": "Reverse-keyed", "es": "Invertido"},
        "r_drop": {"en": "Corrected item-total r", "es": "r ítem-total corregida"},
        "r_cor": {"en": "r (corrected for overlap)", "es": "r (corregida por solapamiento)"},
        "raw_r": {"en": "Item-total r", "es": "r ítem-total"},
        "std_r": {"en": "Item-total r (standardized)", "es": "r ítem-total (estandarizada)"},
        "alpha_if_dropped": {"en": "Alpha if item dropped", "es": "Alfa sin el ítem"},
        "alpha_if_dropped_std": {"en": "Standardized alpha if dropped", "es": "Alfa estandarizado sin el ítem"},
    })


i18n.register(headers={
    "alpha_ordinal": {"en": "Ordinal alpha (polychoric)", "es": "Alfa ordinal (policórica)"},
    "omega_ordinal": {"en": "Ordinal omega (polychoric)", "es": "Omega ordinal (policórica)"},
    "n_ordinal": {"en": "n (ordinal, complete)", "es": "n (ordinal, completos)"},
})


def sheets(builder, result) -> None:
    """Reliability sheet (one row per scale and group) and an item sheet."""
    d = builder.display
    tables = result.tables()
    summary = tables["reliability"]
    verdicts.add_table(builder, "Reliability", summary,
                       {c: verdicts.judge(summary, c, "reliability")
                        for c in ("alpha", "omega_total", "omega_cfa", "alpha_ordinal", "omega_ordinal")
                        if c in summary.columns},
                       title=d.t("rel_title"),
                       note=d.t("rel_note") + (" " + d.t("rel_weighted_note", weight=result.weight)
                                               if getattr(result, "weight", None) else ""))
    items = tables["items"]
    verdicts.add_table(builder, "Reliability items", items,
                       {"r_drop": verdicts.judge(items, "r_drop", "item_total")} if "r_drop" in items.columns else {},
                       title=d.t("rel_items_title"), note=d.t("rel_items_note"))
