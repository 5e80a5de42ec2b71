"""Layout of ``roi``, the workbook for finance: Assumptions (first row: the value chain used and why), Results
with P10/P50/P90 and a chart of P50 NPV, Sensitivity (tornado), Coefficients (with the latent
model's loadings and slopes for the latent chain), Methods. Lays out a :class:`cxstats.stats.roi.RoiResult`;
computes nothing. Money in the study currency, shares as percentages, numbers stored as numbers.
"""

from __future__ import annotations

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
        chart.title = f"Tornado: {init_id}"
        for name in ("npv_change_low", "npv_change_high"):
            data = Reference(ws, min_col=ref.columns[name], min_row=ref.header_row, max_row=ref.last_row)
            chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=ref.columns["assumption"], min_row=ref.first_row,
                                       max_row=ref.last_row))
        chart.x_axis.scaling.orientation = "maxMin"   # the largest swing on top
        chart.x_axis.tickLblPos = "low"               # assumption names left of the bars, not on them
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.title = f"NPV change ({cur})"
        chart.y_axis.numFmt = currency_format(cur)
        chart.legend.position = "b"
        chart.dataLabels = DataLabelList(showVal=True, numFmt=currency_format(cur))  # the swings, in money
        rows = ref.last_row - ref.header_row + 3
        chart.width, chart.height = 16, max(7.0, 0.5 * rows)
        ws.add_chart(chart, f"{col}{max(1, ref.header_row - 2)}")


def sheets(builder, result) -> None:
    """Lay out an RoiResult (used by ``cxstats roi --xlsx`` and the plan's roi step)."""
    import pandas as pd

    cur = result.assumptions.currency
    money = currency_format(cur)
    fmts = result_formats(cur)

    # Assumptions: every input and where it came from
    a = result.assumptions_table()
    chain = result.chain.get("chain", "observed")
    builder.add_table("Assumptions", a, title="Assumptions: every input and where it came from",
                      note=f"Value chain: {chain} ({result.chain.get('chain_reason', '')}). Change an assumption "
                           "by re-running with another option; the tornado shows how much each one moves the NPV.")
    ws = builder.wb["Assumptions"]
    for row in ws.iter_rows(min_row=3):
        name = row[0].value
        cell = row[1]
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

        builder.add_text("Results", [f"VALUE BASIS: {result.value_basis}. Revenue is counted as value (margin 1): "
                                     "benefit, NPV and ROI are overstated by 1/margin. Re-run with the "
                                     "contribution margin (--margin 0.3, plan key margin: 0.3)."], width=40)
        ws_r = builder.wb["Results"]
        cell = ws_r.cell(row=1, column=1)
        cell.font = Font(bold=True, color="C00000")
        from openpyxl.styles import Alignment
        cell.alignment = Alignment(wrap_text=False, vertical="top")
    else:
        builder.add_text("Results", [f"Value basis: {result.value_basis}."], width=40)
    res = result.results
    headline = [c for c in HEADLINE_COLUMNS if c in res.columns]
    ref = builder.add_table("Results", res[headline], title=f"ROI per initiative ({cur}), ranked by P50 NPV",
                            note="NPV = npv_p50, the median over the Monte Carlo draws (the point estimate npv "
                                 "is in the Detail table). P10/P50/P90: 80% of the simulated outcomes lie between "
                                 "P10 and P90. "
                                 + result.bands_cover["summary"] + " The full table follows below.",
                            formats=fmts, diverging=["npv_p50"])
    cols = [c for c in RESULT_COLUMNS if c in res.columns]
    table = res[cols]
    builder.add_table("Results", table, title=f"Detail per initiative ({cur})",
                            note=f"P10/P50/P90 over {result.draws:,} Monte Carlo draws of the estimated "
                                 f"coefficients (seed {result.seed}); horizon {result.assumptions.horizon_years:g} "
                                 f"years, discount rate {result.assumptions.discount_rate:.1%}; {chain} chain "
                                 "(see Assumptions and Methods). npv/roi/payback "
                                 "without suffix: at the point estimates. Empty payback: not within the horizon.",
                            formats=fmts)
    if result.total:
        t = result.total_table()
        t = t[t["measure"] != "rule"].reset_index(drop=True)   # the rule is the table's note
        ref_t = builder.add_table("Results", t, title=f"Roadmap total ({cur}): each customer counted once",
                                  note="Rule: " + result.total["rule"] + ".")
        ws_t = builder.wb["Results"]
        for r, name in zip(range(ref_t.first_row, ref_t.last_row + 1), t["measure"]):
            cell = ws_t.cell(row=r, column=2)
            if name in ("cost", "annual_benefit", "pv_benefit", "npv", "npv_p10", "npv_p50", "npv_p90",
                        "sum_of_initiative_npvs"):
                cell.number_format = money
            elif name in ("roi", "prob_npv_positive"):
                cell.number_format = "0.0%"
            elif name.startswith("customer") or name == "initiatives":
                cell.number_format = "#,##0"
    builder.add_table("Results", result.figure_sources(), title="Where each figure comes from",
                      note="The model and coefficients behind each column; the coefficients are on the "
                           "Coefficients sheet.")
    # the P50 chart right of every table on the sheet (the Detail table is the widest), level with the headline
    ws_res = builder.wb["Results"]
    builder.add_bar_chart(ref, "initiative", ["npv_p50"], title=f"P50 NPV per initiative ({cur})",
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
            ref = builder.add_table("Sensitivity", t, title=f"Sensitivity (tornado): {init_id}",
                                    note="One assumption at a time at its low and high value; the rest at point "
                                         "estimates. Sorted by swing. low/high in the row's unit; "
                                         "npv_change_*: NPV minus the base NPV.",
                                    formats={"npv_low": money, "npv_high": money, "npv_base": money, "swing": money,
                                             "npv_change_low": money, "npv_change_high": money})
            ws = builder.wb["Sensitivity"]
            for r, unit in zip(range(ref.first_row, ref.last_row + 1), t["unit"]):
                for col in ("low", "high"):
                    ws.cell(row=r, column=ref.columns[col]).number_format = unit_formats.get(unit, "0.0000")
            refs.append((init_id, ref))
        _tornado_charts(builder, refs, cur)

    builder.add_table("Coefficients", result.coefficients.table(),
                      title="Estimated effects used in the value chain (with 95% CIs)",
                      note=("Latent chain: driver:<construct> = loyalty (marker points) per point of the construct "
                            "score = gamma / mean loading; churn and revenue slopes per marker point of LATENT "
                            "loyalty (factor scores). The churn slope on the 'Finance models' sheet is the OBSERVED "
                            "item's (attenuated by measurement error); the ROI uses these latent ones."
                            if chain == "latent" else
                            "Observed chain: driver:<construct> = OLS slope of the loyalty item on the construct "
                            "score; churn and revenue slopes per point of the loyalty item."))
    latent = result.latent
    if latent is not None:
        builder.add_table("Coefficients", latent.table(),
                          title=f"Latent model (SEM, n = {latent.n}): {latent.factor} measured by "
                                f"{', '.join(latent.indicators)}, regressed on the construct factors",
                          note="mean_loading: mean unstandardised loading of the construct's items (first item = 1); "
                               "gamma: latent slope of loyalty (marker points per marker-item point); "
                               "driver_effect = gamma / mean_loading.",
                          formats={c: "0.0000" for c in ("mean_loading", "gamma", "gamma_se", "gamma_std",
                                                         "driver_effect", "driver_effect_se")})
    if result.finance is not None:
        d = result.finance.to_dict()
        link = pd.DataFrame({"measure": [k for k in d if k != "unmatched_survey_ids_examples"],
                             "value": [v for k, v in d.items() if k != "unmatched_survey_ids_examples"]})
        link["value"] = link["value"].astype(object)
        builder.add_table("Coefficients", link, title="Survey-finance link")
