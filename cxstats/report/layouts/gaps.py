"""Layout of ``gaps``: the gap workbook the client team reads.

Sheets: Summary first (largest gaps, significant ones flagged, a native bar chart
of both groups' means and the aspiration per construct), then one detail sheet
per level (Items, Constructs, Touchpoints, Components), Segments, and the
Warnings and Methods sheets added by :func:`cxstats.report.sheets.add_warnings_and_methods`.
The NPS sheet of an ``nps`` result (:mod:`cxstats.report.layouts.nps`) joins it in a
plan's ``gaps`` workbook; the Summary stays first.

A one-group result (one group against the aspirations, no staff wave) gets the
same sheets: a Summary with the largest gaps to aspiration (significant ones shaded)
and a native bar chart of the group's mean and the aspiration per construct, the
detail sheets with the one-sample t and Wilcoxon columns, and its own Methods text.

Lays out what it is given; computes no statistics (invariance verdicts are applied by
the analysis, :meth:`GapsResult.with_invariance`). Built on
:class:`cxstats.report.workbook.WorkbookBuilder` by composition (every text cell
is stored as text, never as a formula).
"""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.gaps.result import GapsResult

i18n.register(
    sheets={"Summary": {"en": "Summary", "es": "Resumen"}, "Items": {"en": "Items", "es": "Ítems"},
            "Constructs": {"en": "Constructs", "es": "Constructos"},
            "Touchpoints": {"en": "Touchpoints", "es": "Puntos de contacto"},
            "Components": {"en": "Components", "es": "Componentes"},
            "Segments": {"en": "Segments", "es": "Segmentos"}},
    texts={
        "gaps_title": {"en": "Gap analysis: {g1} versus {g2}", "es": "Análisis de brechas: {g1} frente a {g2}"},
        "gaps_compared": {"en": "Compared on {col}: {g1} n = {n1}, {g2} n = {n2}. Differences are {g1} minus {g2}.",
                          "es": "Comparación según {col}: {g1} n = {n1}, {g2} n = {n2}. Las diferencias son "
                                "{g1} menos {g2}."},
        "gaps_n_sig": {"en": "{k} of {n} comparisons are significant after Holm correction (alpha = {alpha}); "
                             "they are shaded in the tables.",
                       "es": "{k} de {n} comparaciones son significativas tras la corrección de Holm "
                             "(alfa = {alpha}); aparecen sombreadas en las tablas."},
        "gaps_weighted": {"en": "Weighted by {w}: means, SDs, top-2-box and differences are weighted; Welch t, "
                                "Mann-Whitney and Hedges' g are not (see Methods).",
                          "es": "Ponderado por {w}: medias, DE, top-2-box y diferencias están ponderadas; la t de "
                                "Welch, Mann-Whitney y la g de Hedges no (véase Métodos)."},
        "gaps_paired": {"en": "Paired by {id}: {n} respondents answered in both groups (unmatched ids left out: "
                              "{u1} {g1}, {u2} {g2}); paired t, Wilcoxon signed-rank and d_z (see Methods).",
                        "es": "Emparejado por {id}: {n} encuestados respondieron en ambos grupos (ids sin pareja "
                              "excluidos: {u1} {g1}, {u2} {g2}); t pareada, rangos con signo de Wilcoxon y d_z "
                              "(véase Métodos)."},
        "gaps_not_interpretable": {"en": "{k} rows are not interpretable as mean comparisons: measurement "
                                         "invariance between the groups is below scalar (see 'note').",
                                   "es": "{k} filas no son interpretables como comparaciones de medias: la "
                                         "invarianza de medida entre los grupos no llega a escalar (véase 'Nota')."},
        "gaps_largest": {"en": "Largest gaps ({levels}, by absolute difference)",
                         "es": "Mayores brechas ({levels}, por diferencia absoluta)"},
        "gaps_largest_note": {"en": "significant = Holm-adjusted {test} p < alpha (rows shaded); {rule}",
                              "es": "significativa = p de {test} ajustada por Holm < alfa (filas sombreadas); "
                                    "{rule}"},
        "test_welch": {"en": "Welch", "es": "Welch"},
        "test_paired": {"en": "paired t", "es": "t pareada"},
        "gaps_means": {"en": "Means per {level}: {g1}, {g2} and aspiration",
                       "es": "Medias por {level}: {g1}, {g2} y aspiración"},
        "gaps_chart": {"en": "{g1} vs {g2} vs aspiration per {level}",
                       "es": "{g1} frente a {g2} y la aspiración por {level}"},
        "mean_axis": {"en": "mean", "es": "media"},
        "gaps_detail": {"en": "{sheet}: {g1} vs {g2}", "es": "{sheet}: {g1} frente a {g2}"},
        "gaps_by": {"en": "By {col}: {g1} vs {g2}", "es": "Por {col}: {g1} frente a {g2}"},
        "gaps_suppressed": {"en": "cells with fewer than {k} answers in a group are suppressed (blank)",
                            "es": "las celdas con menos de {k} respuestas en un grupo se suprimen (en blanco)"},
        "gaps_suppressed1": {"en": "cells with fewer than {k} answers are suppressed (blank)",
                             "es": "las celdas con menos de {k} respuestas se suprimen (en blanco)"},
        "gaps1_title": {"en": "Gap analysis: {g1} against the aspirations",
                        "es": "Análisis de brechas: {g1} frente a las aspiraciones"},
        "gaps1_who": {"en": "One group, {who}: n = {n}. No second group (e.g. frontline staff) is compared. Gaps "
                            "are the mean minus the aspiration (negative = below target).",
                      "es": "Un grupo, {who}: n = {n}. No se compara un segundo grupo (p. ej. el personal de "
                            "contacto). Las brechas son la media menos la aspiración (negativa = por debajo del "
                            "objetivo)."},
        "gaps1_n_sig": {"en": "{k} of {n} gaps to aspiration are significant after Holm correction ({test}, "
                              "alpha = {alpha}), {below} of them below target; they are shaded.",
                        "es": "{k} de {n} brechas con la aspiración son significativas tras la corrección de "
                              "Holm ({test}, alfa = {alpha}), {below} de ellas por debajo del objetivo; aparecen "
                              "sombreadas."},
        "test_sandwich": {"en": "sandwich-SE test of the weighted gap",
                          "es": "prueba con EE sándwich de la brecha ponderada"},
        "test_one_sample": {"en": "one-sample t test", "es": "prueba t para una muestra"},
        "gaps1_no_aspiration": {"en": "{k} rows have no aspiration: descriptives only.",
                                "es": "{k} filas no tienen aspiración: solo descriptivos."},
        "gaps1_weighted": {"en": "Weighted by {w}: means, SDs, top-2-box and gaps are weighted; the t test, "
                                 "Wilcoxon test and effect size are not (see Methods).",
                           "es": "Ponderado por {w}: medias, DE, top-2-box y brechas están ponderadas; la prueba "
                                 "t, la de Wilcoxon y el tamaño del efecto no (véase Métodos)."},
        "gaps1_largest": {"en": "Largest gaps to aspiration ({levels}, by absolute gap)",
                          "es": "Mayores brechas con la aspiración ({levels}, por brecha absoluta)"},
        "gaps1_largest_note": {"en": "significant = Holm-adjusted p < alpha (rows shaded); t_ci = 95% CI of "
                                     "the gap; {rule}",
                               "es": "significativa = p ajustada por Holm < alfa (filas sombreadas); IC de t = "
                                     "IC 95% de la brecha; {rule}"},
        "gaps1_means": {"en": "Means per {level}: {g1} and aspiration", "es": "Medias por {level}: {g1} y aspiración"},
        "gaps1_chart": {"en": "{g1} mean vs aspiration per {level}",
                        "es": "Media de {g1} frente a la aspiración por {level}"},
        "gaps1_detail": {"en": "{sheet}: {g1} against the aspirations",
                         "es": "{sheet}: {g1} frente a las aspiraciones"},
        "gaps1_by": {"en": "By {col}: {g1} against the aspirations",
                     "es": "Por {col}: {g1} frente a las aspiraciones"},
        "gap_diff": {"en": "Gap ({g1} - {g2})", "es": "Brecha ({g1} - {g2})"},
        "short:customer": {"en": "customer", "es": "cliente"},
        "short:staff": {"en": "staff", "es": "personal"},
    },
    headers={
        "n_{g}": {"en": "n ({g})", "es": "n ({g})"},
        "mean_{g}": {"en": "Mean ({g})", "es": "Media ({g})"},
        "sd_{g}": {"en": "SD ({g})", "es": "DE ({g})"},
        "top2_share_{g}": {"en": "Top-2-box ({g})", "es": "Top-2-box ({g})"},
        "gap_to_aspiration_{g}": {"en": "Gap to aspiration ({g})", "es": "Brecha con la aspiración ({g})"},
        "gap_to_aspiration": {"en": "Gap to aspiration", "es": "Brecha con la aspiración"},
        "top2_share": {"en": "Top-2-box", "es": "Top-2-box"},
        "aspiration": {"en": "Aspiration", "es": "Aspiración"},
        "diff": {"en": "Difference", "es": "Diferencia"},
        "welch_t": {"en": "Welch t", "es": "t de Welch"},
        "welch_df": {"en": "Welch df", "es": "gl de Welch"},
        "welch_ci_lower": {"en": "Welch 95% CI lower", "es": "Welch: IC 95% inferior"},
        "welch_ci_upper": {"en": "Welch 95% CI upper", "es": "Welch: IC 95% superior"},
        "p_holm": {"en": "p (Holm)", "es": "p (Holm)"},
        "p_bh": {"en": "p (BH)", "es": "p (BH)"},
        "mw_u": {"en": "Mann-Whitney U", "es": "U de Mann-Whitney"},
        "mw_pvalue": {"en": "Mann-Whitney p", "es": "p de Mann-Whitney"},
        "mw_p_holm": {"en": "Mann-Whitney p (Holm)", "es": "p de Mann-Whitney (Holm)"},
        "mw_p_bh": {"en": "Mann-Whitney p (BH)", "es": "p de Mann-Whitney (BH)"},
        "hedges_g": {"en": "Hedges' g", "es": "g de Hedges"},
        "hedges_g_se": {"en": "g: SE", "es": "g: EE"},
        "hedges_g_ci_lower": {"en": "g: 95% CI lower", "es": "g: IC 95% inferior"},
        "hedges_g_ci_upper": {"en": "g: 95% CI upper", "es": "g: IC 95% superior"},
        "cohen_d": {"en": "Cohen's d", "es": "d de Cohen"},
        "d_z": {"en": "d_z (paired)", "es": "d_z (pareada)"},
        "significant": {"en": "Significant", "es": "Significativa"},
        "suppressed": {"en": "Suppressed", "es": "Suprimida"},
        "n_pairs": {"en": "Pairs (n)", "es": "Pares (n)"},
        "paired_t": {"en": "Paired t", "es": "t pareada"},
        "paired_df": {"en": "Paired df", "es": "gl (pareada)"},
        "paired_ci_lower": {"en": "Paired 95% CI lower", "es": "Pareada: IC 95% inferior"},
        "paired_ci_upper": {"en": "Paired 95% CI upper", "es": "Pareada: IC 95% superior"},
        "sd_diff": {"en": "SD of differences", "es": "DE de las diferencias"},
        "t": {"en": "t", "es": "t"},
        "df": {"en": "df", "es": "gl"},
        "t_ci_lower": {"en": "Gap 95% CI lower", "es": "Brecha: IC 95% inferior"},
        "t_ci_upper": {"en": "Gap 95% CI upper", "es": "Brecha: IC 95% superior"},
        "wilcoxon_v": {"en": "Wilcoxon V", "es": "V de Wilcoxon"},
        "wilcoxon_n": {"en": "Wilcoxon n", "es": "n de Wilcoxon"},
        "wilcoxon_pvalue": {"en": "Wilcoxon p", "es": "p de Wilcoxon"},
        "wilcoxon_p_holm": {"en": "Wilcoxon p (Holm)", "es": "p de Wilcoxon (Holm)"},
        "wilcoxon_p_bh": {"en": "Wilcoxon p (BH)", "es": "p de Wilcoxon (BH)"},
        "gap_pvalue": {"en": "Gap p", "es": "p de la brecha"},
        "gap_p_holm": {"en": "Gap p (Holm)", "es": "p de la brecha (Holm)"},
        "gap_p_bh": {"en": "Gap p (BH)", "es": "p de la brecha (BH)"},
        "gap_se": {"en": "Gap SE", "es": "EE de la brecha"},
        "gap_z": {"en": "Gap z", "es": "z de la brecha"},
        "gap_ci_lower": {"en": "Gap 95% CI lower", "es": "Brecha: IC 95% inferior"},
        "gap_ci_upper": {"en": "Gap 95% CI upper", "es": "Brecha: IC 95% superior"},
        "diff_se": {"en": "Difference SE", "es": "EE de la diferencia"},
        "diff_z": {"en": "Difference z", "es": "z de la diferencia"},
        "diff_pvalue": {"en": "Difference p", "es": "p de la diferencia"},
        "diff_p_holm": {"en": "Difference p (Holm)", "es": "p de la diferencia (Holm)"},
        "diff_p_bh": {"en": "Difference p (BH)", "es": "p de la diferencia (BH)"},
        "diff_ci_lower": {"en": "Difference 95% CI lower", "es": "Diferencia: IC 95% inferior"},
        "diff_ci_upper": {"en": "Difference 95% CI upper", "es": "Diferencia: IC 95% superior"},
        "n_eff": {"en": "Effective n", "es": "n efectiva"},
        "deff": {"en": "Design effect", "es": "Efecto de diseño"},
        "mean_unweighted": {"en": "Mean (unweighted)", "es": "Media (sin ponderar)"},
        "segment": {"en": "Segment", "es": "Segmento"},
        "segment_column": {"en": "Segment variable", "es": "Variable de segmento"},
    })

LEVEL_SHEETS = (("item", "Items"), ("construct", "Constructs"), ("touchpoint", "Touchpoints"),
                ("component", "Components"))
SIGNIFICANT_FILL = "FCE4D6"
NOT_INTERPRETABLE_FILL = "D9D9D9"


def gap_formats(columns) -> dict:
    """Number formats for a gap table's columns."""
    fmts = {}
    for c in columns:
        if c.startswith("n_") or c == "n" or c in ("df", "wilcoxon_n"):
            fmts[c] = "0"
        elif c.startswith("top2_") or c == "top2" or "_share" in c:
            fmts[c] = "0.0%"
        elif c in ("pvalue", "mw_pvalue", "diff_pvalue") or c.startswith("p_") or c.startswith("mw_p_") \
                or c.startswith("diff_p_") or c in ("wilcoxon_pvalue", "gap_pvalue") \
                or c.startswith("wilcoxon_p_") or c.startswith("gap_p_"):
            fmts[c] = "0.0000"
        elif c in ("mw_u", "wilcoxon_v"):
            fmts[c] = "0.0"
        elif c in ("welch_df", "paired_df"):
            fmts[c] = "0.0"
        else:
            fmts[c] = "0.00"
    return fmts


def _gap_columns(df) -> list:
    return [c for c in df.columns if c == "diff" or c.startswith("gap_to_aspiration") or c == "hedges_g"]


def _cap(text: str) -> str:
    """A title starts with a capital letter (group names are lower case: "cliente frente a ...")."""
    return text[:1].upper() + text[1:]


def _yes(v) -> str:
    return "yes" if v is True else ""


def _table(builder, sheet, df, groups=None, **kw):
    """add_table with gap formats, diverging scales on gap columns, yes/no flags and effect-size
    labels (Cohen's thresholds) in the study's language, and the gap header naming the groups."""
    d = builder.display
    df = df.copy()
    for c in ("significant", "suppressed"):
        if c in df.columns:
            df[c] = [d.yes(v) for v in df[c]]
    effect = next((c for c in ("hedges_g", "d_z", "cohen_d") if c in df.columns), None)
    if effect is not None and "effect_size" not in df.columns:
        df.insert(list(df.columns).index(effect) + 1, "effect_size", [d.effect_size(v) for v in df[effect]])
    headers = {}
    if groups and len(groups) == 2:
        short = [d.t(f"short:{g}") if f"short:{g}" in i18n.TEXTS else d.group(g) for g in groups]
        headers["diff"] = d.t("gap_diff", g1=short[0], g2=short[1])
    return builder.add_table(sheet, df, formats=gap_formats(df.columns), diverging=_gap_columns(df),
                             headers=headers, **kw)


def _highlight(builder, ref, df, column, fill):
    """Fill the rows of ``ref`` whose ``column`` is true."""
    from openpyxl.styles import PatternFill

    if column not in df.columns:
        return
    ws = builder.wb[ref.sheet]
    pf = PatternFill("solid", fgColor=fill)
    for i, flag in enumerate(df[column].tolist()):
        if flag is True or flag == "yes" or flag == builder.display.t("yes"):
            for j in range(1, len(ref.columns) + 1):
                ws.cell(row=ref.first_row + i, column=j).fill = pf


def _means_chart(builder, result, cref, series, title) -> None:
    """The Summary's bar chart of means (and aspiration) per row of ``cref``: horizontal bars in
    the table's order (names from the spec stay readable however long), the value axis from
    the rating scale's minimum to its maximum (:meth:`GapsResult.axis_bounds`; not fixed when
    the items' scales differ), and a height that grows with the number of rows."""
    n = cref.last_row - cref.first_row + 1
    y_min, y_max = result.axis_bounds()
    builder.add_bar_chart(cref, "name", series, title=title, y_title=builder.display.t("mean_axis"),
                          anchor=f"L{cref.header_row}", horizontal=True, y_min=y_min, y_max=y_max,
                          height=max(9.0, 3.0 + 0.6 * n * len(series)))
    chart = builder.wb[cref.sheet]._charts[-1]
    chart.legend.position = "b"  # below: the long names on the left keep the plot wide
    if y_min is not None and y_max is not None and y_max - y_min <= 10:
        chart.y_axis.majorUnit = 1  # one tick per scale point (1, 2, ..., 5), not 1.00 1.50 ...
        chart.y_axis.number_format = "0"


def _summary_level(result):
    for level in ("construct", "touchpoint", "component", "item"):
        if any(r["level"] == level for r in result.rows):
            return level
    return None


def sheets(builder, result: GapsResult, *, top: int = 10) -> None:
    """Lay out a :class:`cxstats.stats.gaps.GapsResult`: Summary, one sheet per level,
    Segments; constructs below scalar invariance are shaded as not interpretable."""
    import pandas as pd

    from cxstats.report.summary import add_action_titles

    if result.one_group:
        _write_one_group(builder, result, top=top)
        return
    d = builder.display
    g1, g2 = result.groups
    G1, G2 = d.group(g1), d.group(g2)
    level = _summary_level(result)
    lv_name = d.t(f"level:{level}") if level else ""
    lv_names = d.t(f"levels:{level}") if level else ""

    # -- Summary ----------------------------------------------------------------------
    sheet = "Summary"
    n_sig = sum(1 for r in result.rows if r.get("significant"))
    n_bad = sum(1 for r in result.rows if r.get("interpretable") is False)
    lines = [_cap(d.t("gaps_title", g1=G1, g2=G2)),
             d.t("gaps_compared", col=result.group_column, g1=G1, g2=G2, n1=result.group_sizes.get(g1),
                 n2=result.group_sizes.get(g2)),
             d.t("gaps_n_sig", k=n_sig, n=len(result.rows), alpha=result.alpha)]
    if result.weight:
        lines.append(d.t("gaps_weighted", w=result.weight))
    if result.paired:
        p = result.pairing
        lines.append(d.t("gaps_paired", id=p["id_column"], n=p["n_pairs"], u1=p["unmatched"][g1], g1=G1,
                         u2=p["unmatched"][g2], g2=G2))
    if n_bad:
        lines.append(d.t("gaps_not_interpretable", k=n_bad))
    add_action_titles(builder, sheet, [result])  # the headline first (cxstats.report.summary)
    builder.add_text(sheet, lines, bold_first=True)
    full = result.frame(level) if level else pd.DataFrame()
    if len(full):
        order = full["diff"].abs().sort_values(ascending=False, na_position="last").index[:top]
        keep = ["name", f"mean_{g1}", f"mean_{g2}", "diff", "aspiration", f"gap_to_aspiration_{g1}",
                "hedges_g", "d_z", "p_holm", "significant", "note"]
        largest = full.loc[order, [c for c in keep if c in full.columns]].reset_index(drop=True)
        lref = _table(builder, sheet, largest, groups=(g1, g2),
                      title=d.t("gaps_largest", levels=lv_names),
                      note=d.t("gaps_largest_note", test=d.t("test_paired" if result.paired else "test_welch"),
                               rule=d.t("effect_rule")), freeze=False)
        _highlight(builder, lref, full.loc[order].reset_index(drop=True), "significant", SIGNIFICANT_FILL)
        chart_df = full[["name", f"mean_{g1}", f"mean_{g2}", "aspiration"]].copy()
        series = [f"mean_{g1}", f"mean_{g2}"]
        if chart_df["aspiration"].notna().any():
            series.append("aspiration")
        else:
            chart_df = chart_df.drop(columns=["aspiration"])
        cref = _table(builder, sheet, chart_df, title=d.t("gaps_means", level=lv_name, g1=G1, g2=G2),
                      freeze=False)
        _means_chart(builder, result, cref, series, _cap(d.t("gaps_chart", g1=G1, g2=G2, level=lv_name)))

    # -- detail sheets ----------------------------------------------------------------
    for lv, name in LEVEL_SHEETS:
        if not any(r["level"] == lv for r in result.rows):
            continue
        df = result.frame(lv)
        ref = _table(builder, name, df, groups=(g1, g2), title=d.t("gaps_detail", sheet=d.sheet(name), g1=G1, g2=G2))
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
        if "interpretable" in {k for r in result.rows for k in r}:
            bad = pd.DataFrame({"x": [r.get("interpretable") is False for r in result.rows if r["level"] == lv]})
            _highlight(builder, ref, bad, "x", NOT_INTERPRETABLE_FILL)
    if result.segment_column:
        df = result.frame(segments=True)
        df.insert(0, "segment_column", result.segment_column)
        ref = _table(builder, "Segments", df, groups=(g1, g2),
                     title=d.t("gaps_by", col=d.name(result.segment_column), g1=G1, g2=G2),
                     note=d.t("gaps_suppressed", k=result.min_n))
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
    _summary_first(builder, sheet)


def _write_one_group(builder, result, *, top: int = 10) -> None:
    """The one-group layout: the group's means against the aspirations."""
    import pandas as pd

    d = builder.display
    from cxstats.report.summary import add_action_titles

    (g1,) = result.groups
    G1 = d.group(g1)
    level = _summary_level(result)
    lv_name = d.t(f"level:{level}") if level else ""
    lv_names = d.t(f"levels:{level}") if level else ""
    sheet = "Summary"
    tested = [r for r in result.rows if r.get("aspiration") is not None and not r.get("suppressed")]
    n_sig = sum(1 for r in tested if r.get("significant"))
    below = sum(1 for r in tested if r.get("significant") and r.get("gap_to_aspiration", 0) < 0)
    who = f"{G1}" + (f" ({result.group_column})" if result.group_column else "")
    test = d.t("test_sandwich" if result.weight else "test_one_sample")
    lines = [d.t("gaps1_title", g1=G1),
             d.t("gaps1_who", who=who, n=result.group_sizes.get(g1)),
             d.t("gaps1_n_sig", k=n_sig, n=len(tested), test=test, alpha=result.alpha, below=below)]
    if len(tested) < len(result.rows):
        lines.append(d.t("gaps1_no_aspiration", k=len(result.rows) - len(tested)))
    if result.weight:
        lines.append(d.t("gaps1_weighted", w=result.weight))
    add_action_titles(builder, sheet, [result])  # the headline first (cxstats.report.summary)
    builder.add_text(sheet, lines, bold_first=True)
    full = result.frame(level) if level else pd.DataFrame()
    if len(full):
        order = full["gap_to_aspiration"].abs().sort_values(ascending=False, na_position="last").index[:top]
        keep = ["name", "n", "mean", "aspiration", "gap_to_aspiration", "t_ci_lower", "t_ci_upper",
                "hedges_g", "p_holm", "wilcoxon_p_holm", "significant", "note"]
        if result.weight:
            keep[keep.index("p_holm")] = "gap_p_holm"
        largest = full.loc[order, [c for c in keep if c in full.columns]].reset_index(drop=True)
        lref = _table(builder, sheet, largest,
                      title=d.t("gaps1_largest", levels=lv_names),
                      note=d.t("gaps1_largest_note", rule=d.t("effect_rule")), freeze=False)
        _highlight(builder, lref, full.loc[order].reset_index(drop=True), "significant", SIGNIFICANT_FILL)
        chart_df = pd.DataFrame({"name": full["name"], f"mean_{g1}": full["mean"],
                                 "aspiration": full["aspiration"]})
        cref = _table(builder, sheet, chart_df, title=d.t("gaps1_means", level=lv_name, g1=G1),
                      freeze=False)
        _means_chart(builder, result, cref, [f"mean_{g1}", "aspiration"],
                     _cap(d.t("gaps1_chart", g1=G1, level=lv_name)))

    for lv, name in LEVEL_SHEETS:
        if not any(r["level"] == lv for r in result.rows):
            continue
        df = result.frame(lv)
        ref = _table(builder, name, df, title=d.t("gaps1_detail", sheet=d.sheet(name), g1=G1))
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
    if result.segment_column:
        df = result.frame(segments=True)
        df.insert(0, "segment_column", result.segment_column)
        ref = _table(builder, "Segments", df, title=d.t("gaps1_by", col=d.name(result.segment_column), g1=G1),
                     note=d.t("gaps_suppressed1", k=result.min_n))
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
    _summary_first(builder, sheet)


def _summary_first(builder, sheet: str) -> None:
    from cxstats.report.workbook import _safe_sheet_name

    wb = builder.wb
    name = _safe_sheet_name(builder.display.sheet(sheet))
    if name in wb.sheetnames:
        idx = wb.sheetnames.index(name)
        if idx:
            wb.move_sheet(name, offset=-idx)
            wb.active = 0
