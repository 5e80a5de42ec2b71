"""Layout of ``maturity``: the Maturity sheet (every dimension with its CI, stage against the stage
boundaries, gap to target, reliability and agreement; a native bar chart of the means against the
targets beside it; the dimensions ranked by gap), the Agreement sheet (rwg(j) per unit), the
differences by area and level, and the change since the previous assessment."""

from __future__ import annotations

from cxstats.report import i18n, verdicts
from cxstats.stats.maturity import MaturityResult
from cxstats.thresholds import RWG_MIN

i18n.register(texts={
    "verdict_rule_rwg": {"en": "Agreement within a unit (rwg(j))", "es": "Acuerdo dentro de una unidad (rwg(j))"},
    "mat_sheet": {"en": "Maturity", "es": "Madurez"},
    "mat_agree_sheet": {"en": "Agreement", "es": "Acuerdo"},
    "mat_diff_sheet": {"en": "Areas and levels", "es": "Áreas y niveles"},
    "mat_change_sheet": {"en": "Change", "es": "Evolución"},
    "mat_title": {"en": "CX maturity by dimension ({n} respondents)",
                  "es": "Madurez CX por dimensión ({n} personas)"},
    "mat_note": {"en": "Stage = 1 + boundaries ({bounds}) at or below the mean; 'stage range' = the stages of the "
                       "95% CI's ends ('2-3': the CI crosses a boundary, the stage is not determined). Gap = target - "
                       "mean (positive: below target). rwg(j): mean over units, agreement from {rwg:.2f}.",
                 "es": "Etapa = 1 + límites ({bounds}) iguales o inferiores a la media; 'rango de etapa' = etapas de los "
                       "extremos del IC 95 % ('2-3': el IC cruza un límite, la etapa no está determinada). Brecha = "
                       "objetivo - media (positiva: por debajo del objetivo). rwg(j): media de las unidades, acuerdo "
                       "desde {rwg:.2f}."},
    "mat_chart": {"en": "Maturity: mean and target by dimension", "es": "Madurez: media y objetivo por dimensión"},
    "mat_stage_axis": {"en": "Stage (1-5)", "es": "Etapa (1-5)"},
    "mat_rank": {"en": "Dimensions ranked by gap to target (1 = largest)",
                 "es": "Dimensiones ordenadas por brecha con el objetivo (1 = la mayor)"},
    "mat_agree": {"en": "Agreement within units: rwg(j), uniform null (agreement from {rwg:.2f})",
                  "es": "Acuerdo dentro de las unidades: rwg(j), nula uniforme (acuerdo desde {rwg:.2f})"},
    "mat_groups": {"en": "Mean by {by}", "es": "Media por {by}"},
    "mat_tests": {"en": "Differences by area and level (Welch ANOVA, Kruskal-Wallis; Holm over dimensions)",
                  "es": "Diferencias por área y nivel (ANOVA de Welch, Kruskal-Wallis; Holm sobre las dimensiones)"},
    "mat_changes": {"en": "Change since the previous assessment (Welch t; Holm over dimensions)",
                    "es": "Cambio desde el diagnóstico anterior (t de Welch; Holm sobre las dimensiones)"},
})

MAT_HEADERS = {
    "dimension": {"en": "Dimension", "es": "Dimensión"},
    "n": {"en": "n", "es": "n"},
    "mean": {"en": "Mean", "es": "Media"},
    "sd": {"en": "SD", "es": "DE"},
    "ci_lower": {"en": "95% CI lower", "es": "IC 95 % inferior"},
    "ci_upper": {"en": "95% CI upper", "es": "IC 95 % superior"},
    "stage": {"en": "Stage", "es": "Etapa"},
    "stage_range": {"en": "Stage range (95% CI)", "es": "Rango de etapa (IC 95 %)"},
    "target": {"en": "Target", "es": "Objetivo"},
    "gap": {"en": "Gap to target", "es": "Brecha con el objetivo"},
    "gap_ci_lower": {"en": "Gap 95% CI lower", "es": "Brecha IC 95 % inferior"},
    "gap_ci_upper": {"en": "Gap 95% CI upper", "es": "Brecha IC 95 % superior"},
    "below_target": {"en": "Below target (whole CI)", "es": "Bajo el objetivo (todo el IC)"},
    "rank": {"en": "Rank", "es": "Puesto"},
    "alpha": {"en": "Alpha", "es": "Alfa"},
    "omega": {"en": "Omega", "es": "Omega"},
    "rwg": {"en": "rwg(j)", "es": "rwg(j)"},
    "icc1": {"en": "ICC(1)", "es": "ICC(1)"},
    "icc2": {"en": "ICC(2)", "es": "ICC(2)"},
    "unit": {"en": "Unit", "es": "Unidad"},
    "raters": {"en": "Raters", "es": "Evaluadores"},
    "items": {"en": "Items", "es": "Ítems"},
    "mean_var": {"en": "Mean item variance", "es": "Varianza media de los ítems"},
    "agree": {"en": "Agreement", "es": "Acuerdo"},
    "group": {"en": "Group", "es": "Grupo"},
    "by": {"en": "Grouping", "es": "Agrupación"},
    "groups": {"en": "Groups compared", "es": "Grupos comparados"},
    "welch_f": {"en": "Welch F", "es": "F de Welch"},
    "welch_df2": {"en": "Welch df2", "es": "gl2 de Welch"},
    "welch_pvalue": {"en": "p (Welch)", "es": "p (Welch)"},
    "welch_p_holm": {"en": "p Holm (Welch)", "es": "p Holm (Welch)"},
    "kw_h": {"en": "Kruskal-Wallis H", "es": "H de Kruskal-Wallis"},
    "kw_pvalue": {"en": "p (K-W)", "es": "p (K-W)"},
    "kw_p_holm": {"en": "p Holm (K-W)", "es": "p Holm (K-W)"},
    "significant": {"en": "Significant", "es": "Significativo"},
    "mean_before": {"en": "Mean before", "es": "Media anterior"},
    "mean_now": {"en": "Mean now", "es": "Media actual"},
    "diff": {"en": "Change", "es": "Cambio"},
    "pvalue": {"en": "p", "es": "p"},
    "p_holm": {"en": "p (Holm)", "es": "p (Holm)"},
    "stage_before": {"en": "Stage before", "es": "Etapa anterior"},
    "stage_now": {"en": "Stage now", "es": "Etapa actual"},
}


def _headers(display, df):
    return df.rename(columns={c: MAT_HEADERS[c].get(display.lang, MAT_HEADERS[c]["en"])
                              if c in MAT_HEADERS else display.header(c) for c in df.columns})


def _label(result, column, code, lang):
    text = (result.labels.get(column) or {}).get(str(code))
    if isinstance(text, dict):
        return text.get(lang) or next(iter(text.values()), str(code))
    return str(code)


def sheets(builder, result: MaturityResult) -> None:
    import pandas as pd

    d = builder.display
    sheet = d.t("mat_sheet")
    dims = pd.DataFrame(result.dimensions)
    dims["dimension"] = [d.name(x) for x in dims["dimension"]]
    dims["below_target"] = [d.yes(v) for v in dims["below_target"]]
    cols = ["dimension", "n", "mean", "ci_lower", "ci_upper", "stage", "stage_range", "target", "gap",
            "gap_ci_lower", "gap_ci_upper", "below_target", "rank", "alpha", "omega", "rwg", "icc1", "icc2"]
    bounds = ", ".join(f"{b:g}" for b in result.boundaries)
    fmt = {MAT_HEADERS[c][d.lang]: "0.00" for c in ("mean", "ci_lower", "ci_upper", "gap", "gap_ci_lower",
                                                     "gap_ci_upper", "alpha", "omega", "rwg", "icc1", "icc2")}
    table = _headers(d, dims[cols])
    h = {c: MAT_HEADERS[c][d.lang] for c in ("alpha", "omega", "rwg")}
    verdicts.add_table(builder, sheet, table, {h["alpha"]: verdicts.judge(table, h["alpha"], "reliability"),
                                               h["omega"]: verdicts.judge(table, h["omega"], "reliability"),
                                               h["rwg"]: verdicts.judge(table, h["rwg"], "rwg")},
                       title=d.t("mat_title", n=result.n_respondents),
                       note=d.t("mat_note", bounds=bounds, rwg=RWG_MIN), formats=fmt)
    chart = dims[["dimension", "mean", "target"]].copy()
    chart["mean"] = [round(v, 2) for v in chart["mean"]]
    ref = builder.add_table(sheet, _headers(d, chart), title=d.t("mat_chart"),
                            formats={MAT_HEADERS["mean"][d.lang]: "0.00", MAT_HEADERS["target"][d.lang]: "0.0"})
    names = {c: MAT_HEADERS[c][d.lang] for c in ("dimension", "mean", "target")}
    builder.add_bar_chart(ref, names["dimension"], [names["mean"], names["target"]], title=d.t("mat_chart"),
                          y_title=d.t("mat_stage_axis"), y_min=result.scale[0], y_max=result.scale[1],
                          horizontal=True, height=12)
    ranked = pd.DataFrame(result.ranking())
    if len(ranked):
        ranked["dimension"] = [d.name(x) for x in ranked["dimension"]]
        builder.add_table(sheet, _headers(d, ranked[["rank", "dimension", "gap", "mean", "target", "stage_range"]]),
                          title=d.t("mat_rank"), formats={MAT_HEADERS["gap"][d.lang]: "0.00",
                                                          MAT_HEADERS["mean"][d.lang]: "0.00"})
    if result.agreement:
        ag = pd.DataFrame(result.agreement)
        ag["dimension"] = [d.name(x) for x in ag["dimension"]]
        ag["unit"] = [_label(result, result.unit, u, d.lang) for u in ag["unit"]]
        table = _headers(d, ag[["dimension", "unit", "raters", "items", "mean_var", "rwg"]])
        rwg = MAT_HEADERS["rwg"][d.lang]
        verdicts.add_table(builder, d.t("mat_agree_sheet"), table, {rwg: verdicts.judge(table, rwg, "rwg")},
                           title=d.t("mat_agree", rwg=RWG_MIN),
                           formats={rwg: "0.00", MAT_HEADERS["mean_var"][d.lang]: "0.00"})
    if result.groups:
        gr = pd.DataFrame(result.groups)
        for by, part in gr.groupby("by", sort=False):
            wide = part.assign(group=[_label(result, by, g, d.lang) for g in part["group"]])
            table = wide.pivot_table(index="dimension", columns="group", values="mean", sort=False)
            table = table.reindex([x["dimension"] for x in result.dimensions])
            table.index = [d.name(x) for x in table.index]
            table = table.reset_index().rename(columns={"index": "dimension"})
            builder.add_table(d.t("mat_diff_sheet"), _headers(d, table), title=d.t("mat_groups", by=d.name(by)),
                              formats={c: "0.00" for c in table.columns if c != "dimension"})
    if result.differences:
        df = pd.DataFrame(result.differences)
        df["dimension"] = [d.name(x) for x in df["dimension"]]
        df["by"] = [d.name(x) for x in df["by"]]
        df["significant"] = [d.yes(v) for v in df["significant"]]
        builder.add_table(d.t("mat_diff_sheet"), _headers(d, df[["dimension", "by", "groups", "welch_f", "welch_df2",
                                                                 "welch_pvalue", "welch_p_holm", "kw_h", "kw_pvalue",
                                                                 "kw_p_holm", "significant"]]),
                          title=d.t("mat_tests"))
    if result.changes:
        ch = pd.DataFrame(result.changes)
        ch["dimension"] = [d.name(x) for x in ch["dimension"]]
        ch["significant"] = [d.yes(v) for v in ch["significant"]]
        builder.add_table(d.t("mat_change_sheet"),
                          _headers(d, ch[["dimension", "mean_before", "mean_now", "diff", "ci_lower", "ci_upper",
                                          "pvalue", "p_holm", "significant", "stage_before", "stage_now"]]),
                          title=d.t("mat_changes"))
