"""Layout of ``track``: one sheet (``Tracking``): KPIs by wave (values, significant changes
marked), small native line charts by wave (NPS, touchpoint scores, gaps to aspiration,
customer-staff gaps) each beside its own small table, then every cell with its CI, every change
with its test and adjusted p-values, and the trends."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.track import TrackResult

i18n.register(texts={
    "trk_sheet": {"en": "Tracking", "es": "Seguimiento"},
    "trk_title": {"en": "KPIs by wave ({segment})", "es": "Indicadores por ola ({segment})"},
    "trk_note": {"en": "▲/▼: significant change from the previous wave (Holm-adjusted p < {alpha:g} across "
                       "every change of this sheet). Blank: fewer than {min_n} answers.",
                 "es": "▲/▼: cambio significativo respecto a la ola anterior (p ajustada por Holm < {alpha:g} "
                       "sobre todos los cambios de esta hoja). En blanco: menos de {min_n} respuestas."},
    "trk_chart": {"en": "Touchpoint scores by wave", "es": "Puntuación de cada punto de contacto por ola"},
    "trk_chart_nps": {"en": "NPS by wave", "es": "NPS por ola"},
    "trk_chart_asp": {"en": "Gap to aspiration by wave", "es": "Brecha con la aspiración por ola"},
    "trk_chart_staff": {"en": "Customers - staff gap by wave", "es": "Brecha clientes - empleados por ola"},
    "trk_vs_aspiration": {"en": "{name}: gap to aspiration", "es": "{name}: brecha con la aspiración"},
    "trk_vs_staff": {"en": "{name}: customers - staff", "es": "{name}: clientes - empleados"},
    "trk_cells": {"en": "Every KPI, segment and wave with its 95% CI",
                  "es": "Cada indicador, segmento y ola con su IC al 95 %"},
    "trk_changes": {"en": "Changes between waves (tests, Holm and BH adjusted p)",
                    "es": "Cambios entre olas (pruebas, p ajustadas por Holm y BH)"},
    "trk_trends": {"en": "Linear trend over the waves (OLS slope per wave, HC3)",
                   "es": "Tendencia lineal a lo largo de las olas (pendiente MCO por ola, HC3)"},
    "trk_marks": {"en": "Significant changes", "es": "Cambios significativos"},
    "trk_all": {"en": "all customers", "es": "todos los clientes"},
    "trk_kpi": {"en": "KPI", "es": "Indicador"},
    "trk_score": {"en": "Score", "es": "Puntuación"},
})

# this layout's headers, kept local: some codes ("diff" = a change between waves here, a gap
# elsewhere) mean something else in other layouts' tables
TRACK_HEADERS = {
    "kpi": {"en": "KPI", "es": "Indicador"},
    "segment": {"en": "Segment", "es": "Segmento"},
    "value": {"en": "Value", "es": "Valor"},
    "ci_lower": {"en": "95% CI lower", "es": "IC 95 % inferior"},
    "ci_upper": {"en": "95% CI upper", "es": "IC 95 % superior"},
    "suppressed": {"en": "Suppressed (small n)", "es": "Suprimido (n pequeño)"},
    "gap_to_aspiration": {"en": "Gap to aspiration", "es": "Brecha con la aspiración"},
    "from_wave": {"en": "From wave", "es": "Desde la ola"},
    "to_wave": {"en": "To wave", "es": "Hasta la ola"},
    "versus": {"en": "Compared with", "es": "Comparado con"},
    "diff": {"en": "Change", "es": "Cambio"},
    "statistic": {"en": "Statistic", "es": "Estadístico"},
    "test": {"en": "Test", "es": "Prueba"},
    "pvalue": {"en": "p", "es": "p"},
    "p_holm": {"en": "p (Holm)", "es": "p (Holm)"},
    "p_bh": {"en": "p (BH)", "es": "p (BH)"},
    "significant": {"en": "Significant", "es": "Significativo"},
    "slope": {"en": "Slope per wave", "es": "Pendiente por ola"},
    "n_staff": {"en": "n (staff)", "es": "n (empleados)"},
}


def _headers(display, df):
    return df.rename(columns={c: TRACK_HEADERS[c].get(display.lang, TRACK_HEADERS[c]["en"])
                              if c in TRACK_HEADERS else display.header(c) for c in df.columns})


def kpi_name(display, kpi: dict) -> str:
    """The reader's name of a KPI (a gap is named by its construct and what it is a gap to)."""
    if kpi.get("group") == "gap" and kpi.get("of"):
        versus = "aspiration" if kpi["kind"] == "gap_aspiration" else "staff"
        return display.t(f"trk_vs_{versus}", name=display.name(kpi["of"]))
    return display.name(kpi["kpi"])


def _fmt(v, kind):
    if v is None:
        return None
    return round(v * 100, 1) if kind == "top2" else round(v, 1) if kind == "nps" else round(v, 2)


def sheets(builder, result: TrackResult) -> None:
    import pandas as pd

    d = builder.display
    sheet = d.t("trk_sheet")
    cells = {(c["kpi"], c["segment"], c["wave"]): c for c in result.cells}
    marks = {(c["kpi"], c["segment"], c["to_wave"]): ("▲" if c["diff"] > 0 else "▼")
             for c in result.changes if c["versus"] == "previous" and c["significant"]}
    names = {k["kpi"]: kpi_name(d, k) for k in result.kpis}
    rows = []
    for k in result.kpis:
        row = {d.t("trk_kpi"): names[k["kpi"]] + (" (%)" if k["kind"] == "top2" else "")}
        for w in result.waves:
            c = cells.get((k["kpi"], "all", w))
            row[str(w)] = _fmt(c["value"], k["kind"]) if c else None
        row[d.t("trk_marks")] = " ".join(f"{marks[(k['kpi'], 'all', w)]} {w}" for w in result.waves
                                         if (k["kpi"], "all", w) in marks)
        rows.append(row)
    wide = pd.DataFrame(rows)
    builder.add_table(sheet, wide, title=d.t("trk_title", segment=d.t("trk_all")),
                      formats={str(w): "0.0#" for w in result.waves}, note=d.t("trk_note", alpha=result.alpha, min_n=result.min_n))
    waves = [str(w) for w in result.waves]
    groups = [(d.t("trk_chart_nps"), "NPS", [k for k in result.kpis if k["kind"] == "nps"], None),
              (d.t("trk_chart"), d.t("trk_score"), [k for k in result.kpis if k["group"] == "touchpoint"], None),
              (d.t("trk_chart_asp"), d.t("trk_score"), [k for k in result.kpis if k["kind"] == "gap_aspiration"], None),
              (d.t("trk_chart_staff"), d.t("trk_score"), [k for k in result.kpis if k["kind"] == "gap_staff"], None)]
    for title, y_title, kpis, _ in groups:  # a small table per chart, the chart beside it
        if not kpis:
            continue
        # outcomes are named by their whole question: their code reads better beside a small chart
        chart = pd.DataFrame([{d.t("trk_kpi"): k["kpi"].upper() if k["group"] == "outcome" else names[k["kpi"]],
                               **{str(w): cells[(k["kpi"], "all", w)]["value"] for w in result.waves}}
                              for k in kpis])
        ref = builder.add_table(sheet, chart, title=title, formats={w: "0.0" if kpis[0]["kind"] == "nps" else "0.00"
                                                                   for w in waves})
        builder.add_line_chart(ref, d.t("trk_kpi"), waves, title=title, y_title=y_title,
                               height=max(6.5, 4 + 0.5 * len(kpis)))
    full = pd.DataFrame(result.cells)
    full["kpi"] = [names[k] for k in full["kpi"]]
    full["suppressed"] = ["✓" if s else "" for s in full["suppressed"]]
    builder.add_table(sheet, _headers(d, full), title=d.t("trk_cells"))
    ch = pd.DataFrame(result.changes)
    ch["kpi"] = [names[k] for k in ch["kpi"]]
    ch["significant"] = ["✓" if s else "" for s in ch["significant"]]
    keep = [c for c in ("kpi", "segment", "from_wave", "to_wave", "versus", "diff", "ci_lower", "ci_upper",
                        "test", "statistic", "pvalue", "p_holm", "p_bh", "significant") if c in ch.columns]
    builder.add_table(sheet, _headers(d, ch[keep]), title=d.t("trk_changes"), diverging=[d.header("diff")])
    if result.trends:
        tr = pd.DataFrame(result.trends)
        tr["kpi"] = [names[k] for k in tr["kpi"]]
        builder.add_table(sheet, _headers(d, tr), title=d.t("trk_trends"))
