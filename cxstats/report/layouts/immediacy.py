"""Layout of ``immediacy``: one sheet (``Immediacy``): shares within the window per channel,
touchpoint, wave and segment with a bar chart by channel, the lag-band and channel (mode-effect)
tests with the regression terms, then the late answers."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.immediacy import ImmediacyResult

i18n.register(texts={
    "imm_sheet": {"en": "Immediacy", "es": "Inmediatez"},
    "imm_title": {"en": "Answers within {hours:g} h of the contact", "es": "Respuestas en las {hours:g} h "
                  "siguientes al contacto"},
    "imm_note": {"en": "Share within the window with a Wilson 95% interval; lag = response - contact, hours.",
                 "es": "Proporción dentro del plazo con intervalo de Wilson al 95 %; demora = respuesta - "
                       "contacto, en horas."},
    "imm_chart": {"en": "Share answered within {hours:g} h, by channel",
                  "es": "Proporción respondida en {hours:g} h, por canal"},
    "imm_modes": {"en": "Do answers differ by survey channel? (mode effects, HC3)",
                  "es": "¿Difieren las respuestas por canal de encuesta? (efecto modo, HC3)"},
    "imm_lags": {"en": "Does the lag matter? Answers by lag band ({bands}), channel held fixed (HC3)",
                 "es": "¿Importa la demora? Respuestas por tramo de demora ({bands}), a igual canal (HC3)"},
    "imm_terms": {"en": "Regression terms (OLS of each outcome on lag band and channel, HC3 SEs)",
                  "es": "Términos de la regresión (MCO de cada resultado sobre tramo de demora y canal, EE HC3)"},
    "imm_level_touchpoint": {"en": "touchpoint", "es": "punto de contacto"},
    "imm_late": {"en": "Late answers (after the window), longest lag first",
                 "es": "Respuestas tardías (fuera de plazo), de mayor a menor demora"},
    "imm_level_overall": {"en": "overall", "es": "total"},
    "imm_level_channel": {"en": "channel", "es": "canal"},
    "imm_level_wave": {"en": "wave", "es": "ola"},
    "imm_level_segment": {"en": "segment", "es": "segmento"},
    "imm_level_channel x wave": {"en": "channel x wave", "es": "canal x ola"},
}, headers={
    "level": {"en": "Level", "es": "Nivel"},
    "group": {"en": "Group", "es": "Grupo"},
    "median_lag_hours": {"en": "Median lag (h)", "es": "Demora mediana (h)"},
    "p90_lag_hours": {"en": "P90 lag (h)", "es": "Demora P90 (h)"},
    "within": {"en": "Within window", "es": "Dentro de plazo"},
    "share_within": {"en": "Share within", "es": "Proporción en plazo"},
    "share_within_ci_lower": {"en": "95% CI lower", "es": "IC 95 % inferior"},
    "share_within_ci_upper": {"en": "95% CI upper", "es": "IC 95 % superior"},
    "respondent_id": {"en": "Respondent", "es": "Encuestado"},
    "lag_hours": {"en": "Lag (h)", "es": "Demora (h)"},
    "outcome": {"en": "Outcome", "es": "Resultado"},
    "wald_chi2": {"en": "Wald chi2", "es": "Chi2 de Wald"},
    "reference": {"en": "Reference", "es": "Referencia"},
    "p_holm": {"en": "p (Holm)", "es": "p (Holm)"},
    "largest": {"en": "Largest term", "es": "Término mayor"},
    "largest_b": {"en": "Its coefficient", "es": "Su coeficiente"},
    "highest": {"en": "Highest channel", "es": "Canal más alto"},
    "highest_b": {"en": "Its coefficient", "es": "Su coeficiente"},
    "term": {"en": "Term", "es": "Término"},
    "se_hc3": {"en": "SE (HC3)", "es": "EE (HC3)"},
    "touchpoint": {"en": "Touchpoint", "es": "Punto de contacto"},
    "channel": {"en": "Channel", "es": "Canal"},
    "wave": {"en": "Wave", "es": "Ola"},
})


def _headers(display, df):
    return df.rename(columns={c: display.header(c) for c in df.columns})


def sheets(builder, result: ImmediacyResult) -> None:
    import pandas as pd

    d = builder.display
    sheet = d.t("imm_sheet")
    rows = pd.DataFrame(result.rows).drop(columns=["channel", "touchpoint", "wave", "segment"], errors="ignore")
    if "level" in rows.columns:
        rows["group"] = [d.name(g) if lv == "touchpoint" else g for lv, g in zip(rows["level"], rows["group"])]
        rows["level"] = [d.t(f"imm_level_{v}") for v in rows["level"]]
    pct = {d.header(c): "0.0%" for c in ("share_within", "share_within_ci_lower", "share_within_ci_upper")}
    pct.update({d.header("median_lag_hours"): "0.0", d.header("p90_lag_hours"): "0.0"})
    builder.add_table(sheet, _headers(d, rows), title=d.t("imm_title", hours=result.max_lag_hours),
                            note=d.t("imm_note"), formats=pct)
    by_channel = [i for i, r in enumerate(result.rows) if r["level"] == "channel"]
    if by_channel:
        chart_rows = _headers(d, pd.DataFrame([result.rows[i] for i in by_channel])[["group", "share_within"]])
        cref = builder.add_table(sheet, chart_rows, title=d.t("imm_chart", hours=result.max_lag_hours),
                                 formats={d.header("share_within"): "0.0%"})
        builder.add_bar_chart(cref, d.header("group"), [d.header("share_within")],
                              title=d.t("imm_chart", hours=result.max_lag_hours), y_min=0, y_max=1)
    def named(df):
        df = df.copy()
        for col in ("outcome", "touchpoint"):
            if col in df.columns:
                df[col] = [None if v is None else d.name(v) for v in df[col]]
        return _headers(d, df)

    if result.lag_tests:
        bands = ", ".join(b["band"] for b in result.bands)
        builder.add_table(sheet, named(pd.DataFrame(result.lag_tests)), title=d.t("imm_lags", bands=bands),
                          formats={d.header("wald_chi2"): "0.00", d.header("largest_b"): "0.000"})
    if result.mode_tests:
        builder.add_table(sheet, named(pd.DataFrame(result.mode_tests)), title=d.t("imm_modes"),
                          formats={d.header("wald_chi2"): "0.00", d.header("highest_b"): "0.000"})
    if result.mode_effects:
        builder.add_table(sheet, named(pd.DataFrame(result.mode_effects)), title=d.t("imm_terms"),
                          formats={"b": "0.000", d.header("se_hc3"): "0.000"})
    if result.late:
        builder.add_table(sheet, named(pd.DataFrame(result.late)), title=d.t("imm_late"),
                          formats={d.header("lag_hours"): "0.0"})
