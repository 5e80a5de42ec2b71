"""Layout of ``roi``, the workbook for finance: Assumptions (first row: the value chain used and why), Results
with P10/P50/P90 and a chart of P50 NPV, Sensitivity (tornado), Coefficients (with the latent
model's loadings and slopes for the latent chain), Methods. Lays out a :class:`cxstats.stats.roi.RoiResult`;
computes nothing. Money in the study currency, shares as percentages, numbers stored as numbers.
"""

from __future__ import annotations

from cxstats.report import i18n

i18n.register(
    sheets={"Assumptions": {"en": "Assumptions", "es": "Supuestos"}, "Results": {"en": "Results", "es": "Resultados"},
            "Sensitivity": {"en": "Sensitivity", "es": "Sensibilidad"},
            "Coefficients": {"en": "Coefficients", "es": "Coeficientes"}},
    texts={
        "roi_assumptions": {"en": "Assumptions: every input and where it came from",
                            "es": "Supuestos: cada dato de entrada y su origen"},
        "roi_assumptions_note": {"en": "Value chain: {chain} ({reason}). Change an assumption by re-running with "
                                       "another option; the tornado shows how much each one moves the NPV.",
                                 "es": "Cadena de valor: {chain} ({reason}). Para cambiar un supuesto, vuelva a "
                                       "ejecutar con otra opción; el tornado muestra cuánto mueve cada uno el VAN."},
        "roi_revenue_warning": {"en": "VALUE BASIS: {basis}. Revenue is counted as value (margin 1): benefit, NPV "
                                      "and ROI are overstated by 1/margin. Re-run with the contribution margin "
                                      "(--margin 0.3, plan key margin: 0.3).",
                                "es": "BASE DE VALOR: {basis}. Los ingresos cuentan como valor (margen 1): el "
                                      "beneficio, el VAN y el ROI están sobrestimados en 1/margen. Vuelva a ejecutar "
                                      "con el margen de contribución (--margin 0.3; en el plan, margin: 0.3)."},
        "roi_value_basis": {"en": "Value basis: {basis}.", "es": "Base de valor: {basis}."},
        "roi_headline": {"en": "ROI per initiative ({cur}), ranked by P50 NPV",
                         "es": "ROI por iniciativa ({cur}), ordenado por VAN P50"},
        "roi_headline_note": {"en": "NPV = npv_p50, the median over the Monte Carlo draws (the point estimate npv "
                                    "is in the Detail table). P10/P50/P90: 80% of the simulated outcomes lie "
                                    "between P10 and P90. {bands} The full table follows below.",
                              "es": "VAN = VAN P50, la mediana de las simulaciones Monte Carlo (la estimación "
                                    "puntual está en la tabla de detalle). P10/P50/P90: el 80% de los resultados "
                                    "simulados está entre P10 y P90. {bands} La tabla completa sigue debajo."},
        "roi_detail": {"en": "Detail per initiative ({cur})", "es": "Detalle por iniciativa ({cur})"},
        "roi_detail_note": {"en": "P10/P50/P90 over {draws} Monte Carlo draws of the estimated coefficients "
                                  "(seed {seed}); horizon {years} years, discount rate {rate}; {chain} chain (see "
                                  "Assumptions and Methods). npv/roi/payback without suffix: at the point "
                                  "estimates. Empty payback: not within the horizon.",
                            "es": "P10/P50/P90 sobre {draws} simulaciones Monte Carlo de los coeficientes "
                                  "estimados (semilla {seed}); horizonte {years} años, tasa de descuento {rate}; "
                                  "cadena {chain} (véanse Supuestos y Métodos). VAN/ROI/recuperación sin sufijo: "
                                  "en las estimaciones puntuales. Recuperación vacía: no ocurre dentro del "
                                  "horizonte."},
        "roi_total": {"en": "Roadmap total ({cur}): each customer counted once",
                      "es": "Total de la hoja de ruta ({cur}): cada cliente contado una vez"},
        "roi_rule": {"en": "Rule: {rule}.", "es": "Regla: {rule}."},
        "roi_sources": {"en": "Where each figure comes from", "es": "De dónde sale cada cifra"},
        "roi_sources_note": {"en": "The model and coefficients behind each column; the coefficients are on the "
                                   "Coefficients sheet.",
                             "es": "El modelo y los coeficientes detrás de cada columna; los coeficientes están en "
                                   "la hoja Coeficientes."},
        "roi_chart": {"en": "P50 NPV per initiative ({cur})", "es": "VAN P50 por iniciativa ({cur})"},
        "roi_tornado": {"en": "Tornado: {init}", "es": "Tornado: {init}"},
        "roi_tornado_axis": {"en": "NPV change ({cur})", "es": "Cambio del VAN ({cur})"},
        "roi_sens": {"en": "Sensitivity (tornado): {init}", "es": "Sensibilidad (tornado): {init}"},
        "roi_sens_note": {"en": "One assumption at a time at its low and high value; the rest at point "
                                "estimates. Sorted by swing. low/high in the row's unit; npv_change_*: NPV minus "
                                "the base NPV.",
                          "es": "Un supuesto cada vez en su valor bajo y alto; el resto en las estimaciones "
                                "puntuales. Ordenado por oscilación. Bajo/alto en la unidad de la fila; cambio "
                                "del VAN: VAN menos el VAN base."},
        "roi_coef": {"en": "Estimated effects used in the value chain (with 95% CIs)",
                     "es": "Efectos estimados usados en la cadena de valor (con IC 95%)"},
        "roi_coef_latent": {"en": "Latent chain: driver:<construct> = loyalty (marker points) per point of the "
                                  "construct score = gamma / mean loading; churn and revenue slopes per marker "
                                  "point of LATENT loyalty (factor scores). The churn slope on the 'Finance "
                                  "models' sheet is the OBSERVED item's (attenuated by measurement error); the "
                                  "ROI uses these latent ones.",
                            "es": "Cadena latente: driver:<constructo> = lealtad (puntos del marcador) por punto "
                                  "de la puntuación del constructo = gamma / carga media; pendientes de abandono e "
                                  "ingresos por punto del marcador de la lealtad LATENTE (puntuaciones "
                                  "factoriales). La pendiente de abandono de la hoja 'Modelos financieros' es la "
                                  "del ítem OBSERVADO (atenuada por el error de medida); el ROI usa estas "
                                  "latentes."},
        "roi_coef_observed": {"en": "Observed chain: driver:<construct> = OLS slope of the loyalty item on the "
                                    "construct score; churn and revenue slopes per point of the loyalty item.",
                              "es": "Cadena observada: driver:<constructo> = pendiente MCO del ítem de lealtad "
                                    "sobre la puntuación del constructo; pendientes de abandono e ingresos por "
                                    "punto del ítem de lealtad."},
        "roi_latent": {"en": "Latent model (SEM, n = {n}): {factor} measured by {items}, regressed on the "
                             "construct factors",
                       "es": "Modelo latente (SEM, n = {n}): {factor} medido por {items}, regresado sobre los "
                             "factores de los constructos"},
        "roi_latent_note": {"en": "mean_loading: mean unstandardised loading of the construct's items (first "
                                  "item = 1); gamma: latent slope of loyalty (marker points per marker-item "
                                  "point); driver_effect = gamma / mean_loading.",
                            "es": "Carga media: carga no estandarizada media de los ítems del constructo (primer "
                                  "ítem = 1); gamma: pendiente latente de la lealtad (puntos del marcador por "
                                  "punto del ítem marcador); efecto del impulsor = gamma / carga media."},
        "roi_link": {"en": "Survey-finance link", "es": "Enlace encuesta-datos financieros"},
        "chain:latent": {"en": "latent", "es": "latente"},
        "chain:observed": {"en": "observed", "es": "observada"},
    },
    headers={
        "initiative": {"en": "Initiative", "es": "Iniciativa"},
        "cost": {"en": "Cost", "es": "Coste"},
        "uplift": {"en": "Uplift (points)", "es": "Mejora (puntos)"},
        "uplift_effective": {"en": "Effective uplift", "es": "Mejora efectiva"},
        "customers_reached": {"en": "Customers reached", "es": "Clientes alcanzados"},
        "months_to_effect": {"en": "Months to effect", "es": "Meses hasta el efecto"},
        "ranges_drawn": {"en": "Ranges drawn", "es": "Rangos simulados"},
        "d_loyalty": {"en": "Change in loyalty", "es": "Cambio en lealtad"},
        "d_churn": {"en": "Change in churn", "es": "Cambio en abandono"},
        "revenue_uplift": {"en": "Revenue uplift", "es": "Aumento de ingresos"},
        "annual_benefit": {"en": "Annual benefit", "es": "Beneficio anual"},
        "pv_benefit": {"en": "PV of benefit", "es": "VA del beneficio"},
        "npv": {"en": "NPV (point estimate)", "es": "VAN (estimación puntual)"},
        "npv_p10": {"en": "NPV P10", "es": "VAN P10"},
        "npv_p50": {"en": "NPV P50", "es": "VAN P50"},
        "npv_p90": {"en": "NPV P90", "es": "VAN P90"},
        "roi": {"en": "ROI (point estimate)", "es": "ROI (estimación puntual)"},
        "roi_p10": {"en": "ROI P10", "es": "ROI P10"},
        "roi_p50": {"en": "ROI P50", "es": "ROI P50"},
        "roi_p90": {"en": "ROI P90", "es": "ROI P90"},
        "payback_months": {"en": "Payback (months, point estimate)", "es": "Recuperación (meses, estimación puntual)"},
        "payback_months_p10": {"en": "Payback P10 (months)", "es": "Recuperación P10 (meses)"},
        "payback_months_p50": {"en": "Payback P50 (months)", "es": "Recuperación P50 (meses)"},
        "payback_months_p90": {"en": "Payback P90 (months)", "es": "Recuperación P90 (meses)"},
        "prob_npv_positive": {"en": "P(NPV > 0)", "es": "P(VAN > 0)"},
        "assumption": {"en": "Assumption", "es": "Supuesto"},
        "low": {"en": "Low", "es": "Bajo"},
        "high": {"en": "High", "es": "Alto"},
        "npv_low": {"en": "NPV at low", "es": "VAN en el bajo"},
        "npv_high": {"en": "NPV at high", "es": "VAN en el alto"},
        "npv_base": {"en": "Base NPV", "es": "VAN base"},
        "swing": {"en": "Swing", "es": "Oscilación"},
        "npv_change_low": {"en": "NPV change at low", "es": "Cambio del VAN en el bajo"},
        "npv_change_high": {"en": "NPV change at high", "es": "Cambio del VAN en el alto"},
        "coefficient": {"en": "Coefficient", "es": "Coeficiente"},
        "figure": {"en": "Figure", "es": "Cifra"},
        "coefficients / inputs": {"en": "Coefficients / inputs", "es": "Coeficientes / entradas"},
        "marker_item": {"en": "Marker item", "es": "Ítem marcador"},
        "mean_loading": {"en": "Mean loading", "es": "Carga media"},
        "gamma": {"en": "gamma", "es": "gamma"},
        "gamma_se": {"en": "gamma SE", "es": "EE de gamma"},
        "gamma_std": {"en": "gamma (standardized)", "es": "gamma (estandarizada)"},
        "driver_effect": {"en": "Driver effect", "es": "Efecto del impulsor"},
        "driver_effect_se": {"en": "Driver effect SE", "es": "EE del efecto del impulsor"},
    })

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF", "MXN": "MX$", "BRL": "R$"}

MONEY_COLUMNS = ("cost", "annual_benefit", "pv_benefit", "npv", "npv_p10", "npv_p50", "npv_p90",
                 "pv_benefit_p10", "pv_benefit_p50", "pv_benefit_p90", "npv_low", "npv_high", "npv_base", "swing")
PCT_COLUMNS = ("roi", "roi_p10", "roi_p50", "roi_p90", "prob_npv_positive", "share_no_payback", "revenue_uplift")
RATE_ASSUMPTIONS = ("discount_rate", "margin", "finance_match_share")


def currency_format(currency: str | None) -> str:
    sym = CURRENCY_SYMBOLS.get((currency or "EUR").upper(), currency or "EUR")
    return f'#,##0 "{sym}"'


def result_formats(currency: str | None) -> dict:
    money = currency_format(currency)
    fmt = {c: money for c in MONEY_COLUMNS}
    fmt.update({c: "0.0%" for c in PCT_COLUMNS})
    fmt.update({"d_churn": "0.00%", "d_churn_p10": "0.00%", "d_churn_p50": "0.00%", "d_churn_p90": "0.00%",
                "customers_reached": "#,##0", "months_to_effect": "0", "payback_months": "0",
                "payback_months_p10": "0", "payback_months_p50": "0", "payback_months_p90": "0",
                "uplift": "0.00", "uplift_effective": "0.00", "d_loyalty": "0.000", "rank": "0"})
    return fmt


RESULT_COLUMNS = ["rank", "initiative", "name", "construct", "uplift", "uplift_effective", "cost", "customers_reached",
                  "months_to_effect", "ranges_drawn", "d_loyalty", "d_churn", "revenue_uplift", "annual_benefit",
                  "npv_p10", "npv_p50", "npv_p90", "roi_p10", "roi_p50", "roi_p90",
                  "payback_months_p10", "payback_months_p50", "payback_months_p90", "prob_npv_positive",
                  "npv", "roi", "payback_months"]


HEADLINE_COLUMNS = ["rank", "initiative", "name", "cost", "npv_p10", "npv_p50", "npv_p90", "roi_p50",
                    "payback_months_p50", "prob_npv_positive"]


def _chain(display, chain: str) -> str:
    key = f"chain:{chain}"
    return display.t(key) if key in i18n.TEXTS else chain


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _tornado_charts(builder, refs, cur) -> None:
    """A native horizontal bar chart (tornado) per initiative: NPV change at each assumption's low and
    high value, largest swing on top; anchored right of every table of the sheet, level with its table."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList

    if not refs:
        return
    ws = builder.wb[refs[0][1].sheet]
    col = _column_letter(ws.max_column + 2)   # clear of every table: right of the widest one
    for init_id, ref in refs:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.overlap = 100
        chart.title = builder.display.t("roi_tornado", init=init_id)
        for name in ("npv_change_low", "npv_change_high"):
            data = Reference(ws, min_col=ref.columns[name], min_row=ref.header_row, max_row=ref.last_row)
            chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=ref.columns["assumption"], min_row=ref.first_row,
                                       max_row=ref.last_row))
        chart.x_axis.scaling.orientation = "maxMin"   # the largest swing on top
        chart.x_axis.tickLblPos = "low"               # assumption names left of the bars, not on them
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.title = builder.display.t("roi_tornado_axis", cur=cur)
        chart.y_axis.numFmt = currency_format(cur)
        chart.legend.position = "b"
        chart.dataLabels = DataLabelList(showVal=True, numFmt=currency_format(cur))  # the swings, in money
        rows = ref.last_row - ref.header_row + 3
        chart.width, chart.height = 16, max(7.0, 0.5 * rows)
        ws.add_chart(chart, f"{col}{max(1, ref.header_row - 2)}")


# the Assumptions sheet's names, units and the fixed parts of its sources (the result keeps
# codes and English sources in its JSON; a source not listed here is shown as it is)
_ASSUMPTION = {
    "chain": ("value chain", "cadena de valor"), "roadmap": ("roadmap", "hoja de ruta"),
    "discount_rate": ("discount rate", "tasa de descuento"), "horizon_years": ("horizon (years)", "horizonte (años)"),
    "customer_value": ("annual value of a customer", "valor anual de un cliente"),
    "revenue_per_customer": ("revenue per customer", "ingresos por cliente"), "margin": ("margin", "margen"),
    "value_basis": ("value basis", "base del valor"), "loyalty_measure": ("loyalty measure", "medida de lealtad"),
    "monte_carlo_draws": ("Monte Carlo draws", "extracciones de Monte Carlo"),
    "finance_file": ("finance file", "archivo financiero"), "survey_file": ("survey file", "archivo de la encuesta"),
    "finance_match_share": ("share matched in finance", "proporción enlazada con finanzas"),
    "loyalty_indicators": ("loyalty indicators", "indicadores de lealtad"),
    "driver_model": ("driver model", "modelo de impulsores"), "driver_n": ("driver model n", "n del modelo de impulsores"),
    "sem_cfi": ("SEM CFI", "CFI del SEM"), "sem_rmsea": ("SEM RMSEA", "RMSEA del SEM"),
    "sem_srmr": ("SEM SRMR", "SRMR del SEM"),
    "factor_score_reliability": ("factor score reliability", "fiabilidad de la puntuación factorial"),
    "factor_score_residual_var": ("factor score residual variance", "varianza residual de la puntuación factorial"),
    "loyalty_scores": ("loyalty scores", "puntuaciones de lealtad"),
    "linked_customers": ("linked customers", "clientes enlazados"),
    "loyalty_units": ("loyalty units", "unidades de lealtad"),
    "driver_r2": ("driver model R²", "R² del modelo de impulsores"),
}
_MODEL = {"churn": "abandono", "revenue": "ingresos", "share": "cuota de gasto", "wallet": "cuota de gasto"}
_PART = {"intercept": "intercepto", "slope": "pendiente"}
_UNIT = {"file": "archivo", "rate": "tasa", "years": "años", "share": "proporción", "draws": "extracciones"}
# (pattern on the English source, Spanish with the pattern's groups)
_SOURCE = [
    (r"default 8% a year", "por defecto, 8 % anual"),
    (r"default 3 years", "por defecto, 3 años"),
    (r"default 1: revenue counted as value", "por defecto 1: los ingresos cuentan como valor"),
    (r"not given: 1, revenue counted as value \(overstates the ROI by 1/margin\)",
     "no indicado: 1, los ingresos cuentan como valor (sobrestima el ROI en 1/margen)"),
    (r"initiatives, constructs, uplifts, costs, timing, reach",
     "iniciativas, constructos, mejoras, costes, plazos, alcance"),
    (r"what the benefit counts", "lo que cuenta el beneficio"),
    (r"seed (\d+)", r"semilla \1"),
    (r"customer-level churn / revenue", "abandono / ingresos por cliente"),
    (r"customers' answers", "respuestas de los clientes"),
    (r"(\d+) of (\d+) survey customers found in the finance file",
     r"\1 de \2 clientes de la encuesta encontrados en el archivo financiero"),
    (r"value chain", "cadena de valor"),
    (r"mean of '([^']+)' over (\d+) linked customers \(([^)]+)\)", r"media de '\1' en \2 clientes enlazados (\3)"),
]


def _assumptions_es(d, a):
    """The Assumptions table as a reader sees it: names, units and the known sources worded in
    the study's language (codes stay in a column beside the names)."""
    import re

    import pandas as pd

    if d.lang == "en":
        return a
    out = a.copy()

    def name(code):
        code = str(code)
        if code.startswith("driver:"):
            return "impulsor: " + d.name(code.split(":", 1)[1])
        model, _, part = code.partition(":")
        if model in _MODEL and part in _PART:
            return f"{_MODEL[model]}: {_PART[part]}"
        if code in _ASSUMPTION:
            return _ASSUMPTION[code][1]
        return code

    def source(text):
        if not isinstance(text, str):
            return text
        for pat, es in _SOURCE:
            if re.fullmatch(pat, text):
                return re.sub(pat, es, text)
        return text

    out.insert(1, "code", out["assumption"])
    out["assumption"] = pd.Series([name(c) for c in a["assumption"]], index=a.index, dtype=object)
    out["unit"] = pd.Series([_UNIT.get(u, u) if isinstance(u, str) else u for u in a["unit"]],
                            index=a.index, dtype=object)
    out["source"] = pd.Series([source(t) for t in a["source"]], index=a.index, dtype=object)
    return out


def sheets(builder, result) -> None:
    """Lay out an RoiResult (used by ``cxstats roi --xlsx`` and the plan's roi step)."""
    import pandas as pd

    cur = result.assumptions.currency
    money = currency_format(cur)
    fmts = result_formats(cur)

    # Assumptions: every input and where it came from
    a = result.assumptions_table()
    chain = result.chain.get("chain", "observed")
    d = builder.display
    ref_a = builder.add_table("Assumptions", _assumptions_es(d, a), title=d.t("roi_assumptions"),
                              note=d.t("roi_assumptions_note", chain=_chain(d, chain),
                                       reason=result.chain.get("chain_reason", "")))
    ws = builder.worksheet("Assumptions")
    for r, name in zip(range(ref_a.first_row, ref_a.last_row + 1), a["assumption"]):
        cell = ws.cell(row=r, column=ref_a.columns.get("value", 2))
        if not isinstance(cell.value, (int, float)) or isinstance(cell.value, bool):
            continue
        if name in RATE_ASSUMPTIONS:
            cell.number_format = "0.0%"
        elif name in ("customer_value", "revenue_per_customer"):
            cell.number_format = money
        elif name in ("monte_carlo_draws", "driver_n", "linked_customers"):
            cell.number_format = "#,##0"
        else:
            cell.number_format = "0.0000"

    # Results per initiative: what the value is (red when revenue is counted as value), then the headline
    if result.revenue_as_value:
        from openpyxl.styles import Font

        builder.add_text("Results", [d.t("roi_revenue_warning", basis=result.value_basis)], width=40)
        ws_r = builder.worksheet("Results")
        cell = ws_r.cell(row=1, column=1)
        cell.font = Font(bold=True, color="C00000")
        from openpyxl.styles import Alignment
        cell.alignment = Alignment(wrap_text=False, vertical="top")
    else:
        builder.add_text("Results", [d.t("roi_value_basis", basis=result.value_basis)], width=40)
    res = result.results
    headline = [c for c in HEADLINE_COLUMNS if c in res.columns]
    ref = builder.add_table("Results", res[headline], title=d.t("roi_headline", cur=cur),
                            note=d.t("roi_headline_note", bands=result.bands_cover["summary"]),
                            formats=fmts, diverging=["npv_p50"])
    cols = [c for c in RESULT_COLUMNS if c in res.columns]
    table = res[cols]
    builder.add_table("Results", table, title=d.t("roi_detail", cur=cur),
                      note=d.t("roi_detail_note", draws=f"{result.draws:,}", seed=result.seed,
                               years=f"{result.assumptions.horizon_years:g}",
                               rate=f"{result.assumptions.discount_rate:.1%}", chain=_chain(d, chain)),
                      formats=fmts)
    if result.total:
        t = result.total_table()
        t = t[t["measure"] != "rule"].reset_index(drop=True)   # the rule is the table's note
        ref_t = builder.add_table("Results", t, title=d.t("roi_total", cur=cur),
                                  note=d.t("roi_rule", rule=result.total["rule"]))
        ws_t = builder.worksheet("Results")
        for r, name in zip(range(ref_t.first_row, ref_t.last_row + 1), t["measure"]):
            cell = ws_t.cell(row=r, column=2)
            if name in ("cost", "annual_benefit", "pv_benefit", "npv", "npv_p10", "npv_p50", "npv_p90",
                        "sum_of_initiative_npvs"):
                cell.number_format = money
            elif name in ("roi", "prob_npv_positive"):
                cell.number_format = "0.0%"
            elif name.startswith("customer") or name == "initiatives":
                cell.number_format = "#,##0"
    builder.add_table("Results", result.figure_sources(), title=d.t("roi_sources"), note=d.t("roi_sources_note"))
    # the P50 chart right of every table on the sheet (the Detail table is the widest), level with the headline
    ws_res = builder.worksheet("Results")
    builder.add_bar_chart(ref, "initiative", ["npv_p50"], title=d.t("roi_chart", cur=cur),
                          y_title=cur, anchor=f"{_column_letter(ws_res.max_column + 2)}{ref.header_row}",
                          width=16, height=8)
    bar = ws_res._charts[-1]
    bar.x_axis.delete = False
    bar.y_axis.delete = False

    # Sensitivity (tornado): one table per initiative, low/high in their own units, and a native
    # tornado chart per initiative to the right of every table
    sens = result.sensitivity
    if sens is not None and len(sens):
        unit_formats = {"rate": "0.0%", "years": "0.0", "scale points": "0.00", cur: money, "months": "0",
                        "customers": "#,##0", "coefficient": "0.0000"}
        refs = []
        for init_id, part in sens.groupby("initiative", sort=False):
            t = part.drop(columns="initiative").reset_index(drop=True)
            ref = builder.add_table("Sensitivity", t, title=d.t("roi_sens", init=init_id), note=d.t("roi_sens_note"),
                                    formats={"npv_low": money, "npv_high": money, "npv_base": money, "swing": money,
                                             "npv_change_low": money, "npv_change_high": money})
            ws = builder.worksheet("Sensitivity")
            for r, unit in zip(range(ref.first_row, ref.last_row + 1), t["unit"]):
                for col in ("low", "high"):
                    ws.cell(row=r, column=ref.columns[col]).number_format = unit_formats.get(unit, "0.0000")
            refs.append((init_id, ref))
        _tornado_charts(builder, refs, cur)

    builder.add_table("Coefficients", result.coefficients.table(), title=d.t("roi_coef"),
                      note=d.t("roi_coef_latent" if chain == "latent" else "roi_coef_observed"))
    latent = result.latent
    if latent is not None:
        builder.add_table("Coefficients", latent.table(),
                          title=d.t("roi_latent", n=latent.n, factor=latent.factor,
                                    items=", ".join(latent.indicators)),
                          note=d.t("roi_latent_note"),
                          formats={c: "0.0000" for c in ("mean_loading", "gamma", "gamma_se", "gamma_std",
                                                         "driver_effect", "driver_effect_se")})
    if result.finance is not None:
        fin = result.finance.to_dict()
        link = pd.DataFrame({"measure": [k for k in fin if k != "unmatched_survey_ids_examples"],
                             "value": [v for k, v in fin.items() if k != "unmatched_survey_ids_examples"]})
        link["value"] = link["value"].astype(object)
        builder.add_table("Coefficients", link, title=d.t("roi_link"))
