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

from cxstats.stats.gaps.result import GapsResult

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


def _yes(v) -> str:
    return "yes" if v is True else ""


def _table(builder, sheet, df, **kw):
    """add_table with gap formats, diverging scales on gap columns and text yes/no flags."""
    df = df.copy()
    for c in ("significant", "suppressed"):
        if c in df.columns:
            df[c] = [_yes(v) for v in df[c]]
    return builder.add_table(sheet, df, formats=gap_formats(df.columns), diverging=_gap_columns(df), **kw)


def _highlight(builder, ref, df, column, fill):
    """Fill the rows of ``ref`` whose ``column`` is true."""
    from openpyxl.styles import PatternFill

    if column not in df.columns:
        return
    ws = builder.wb[ref.sheet]
    pf = PatternFill("solid", fgColor=fill)
    for i, flag in enumerate(df[column].tolist()):
        if flag is True or flag == "yes":
            for j in range(1, len(ref.columns) + 1):
                ws.cell(row=ref.first_row + i, column=j).fill = pf


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
    g1, g2 = result.groups
    level = _summary_level(result)

    # -- Summary ----------------------------------------------------------------------
    sheet = "Summary"
    n_sig = sum(1 for r in result.rows if r.get("significant"))
    n_bad = sum(1 for r in result.rows if r.get("interpretable") is False)
    lines = [f"Gap analysis: {g1} versus {g2}",
             f"Compared on {result.group_column}: {g1} n = {result.group_sizes.get(g1)}, "
             f"{g2} n = {result.group_sizes.get(g2)}. Differences are {g1} minus {g2}.",
             f"{n_sig} of {len(result.rows)} comparisons are significant after Holm correction "
             f"(alpha = {result.alpha}); they are shaded in the tables."]
    if result.weight:
        lines.append(f"Weighted by {result.weight}: means, SDs, top-2-box and differences are weighted; "
                     "Welch t, Mann-Whitney and Hedges' g are not (see Methods).")
    if result.paired:
        p = result.pairing
        lines.append(f"Paired by {p['id_column']}: {p['n_pairs']} respondents answered in both groups "
                     f"(unmatched ids left out: {p['unmatched'][g1]} {g1}, {p['unmatched'][g2]} {g2}); "
                     "paired t, Wilcoxon signed-rank and d_z (see Methods).")
    if n_bad:
        lines.append(f"{n_bad} rows are not interpretable as mean comparisons: measurement invariance "
                     "between the groups is below scalar (see 'note').")
    add_action_titles(builder, sheet, [result])  # the headline first (cxstats.report.summary)
    builder.add_text(sheet, lines, bold_first=True)
    full = result.frame(level) if level else pd.DataFrame()
    if len(full):
        order = full["diff"].abs().sort_values(ascending=False, na_position="last").index[:top]
        keep = ["name", f"mean_{g1}", f"mean_{g2}", "diff", "aspiration", f"gap_to_aspiration_{g1}",
                "hedges_g", "d_z", "p_holm", "significant", "note"]
        largest = full.loc[order, [c for c in keep if c in full.columns]].reset_index(drop=True)
        lref = _table(builder, sheet, largest,
                      title=f"Largest gaps ({level}s, by absolute difference)",
                      note=(f"significant = Holm-adjusted {'paired t' if result.paired else 'Welch'} p "
                            "< alpha (rows shaded)"), freeze=False)
        _highlight(builder, lref, full.loc[order].reset_index(drop=True), "significant", SIGNIFICANT_FILL)
        chart_df = full[["name", f"mean_{g1}", f"mean_{g2}", "aspiration"]].copy()
        series = [f"mean_{g1}", f"mean_{g2}"]
        if chart_df["aspiration"].notna().any():
            series.append("aspiration")
        else:
            chart_df = chart_df.drop(columns=["aspiration"])
        cref = _table(builder, sheet, chart_df, title=f"Means per {level}: {g1}, {g2} and aspiration",
                      freeze=False)
        builder.add_bar_chart(cref, "name", series, title=f"{g1} vs {g2} vs aspiration per {level}",
                              y_title="mean", anchor=f"L{cref.header_row}")

    # -- detail sheets ----------------------------------------------------------------
    for lv, name in LEVEL_SHEETS:
        if not any(r["level"] == lv for r in result.rows):
            continue
        df = result.frame(lv)
        ref = _table(builder, name, df, title=f"{name}: {g1} vs {g2}")
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
        if "interpretable" in {k for r in result.rows for k in r}:
            bad = pd.DataFrame({"x": [r.get("interpretable") is False for r in result.rows if r["level"] == lv]})
            _highlight(builder, ref, bad, "x", NOT_INTERPRETABLE_FILL)
    if result.segment_column:
        df = result.frame(segments=True)
        df.insert(0, "segment_column", result.segment_column)
        ref = _table(builder, "Segments", df,
                     title=f"By {result.segment_column}: {g1} vs {g2}",
                     note=f"cells with fewer than {result.min_n} answers in a group are suppressed (blank)")
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
    _summary_first(builder, sheet)


def _write_one_group(builder, result, *, top: int = 10) -> None:
    """The one-group layout: the group's means against the aspirations."""
    import pandas as pd

    from cxstats.report.summary import add_action_titles

    (g1,) = result.groups
    level = _summary_level(result)
    sheet = "Summary"
    tested = [r for r in result.rows if r.get("aspiration") is not None and not r.get("suppressed")]
    n_sig = sum(1 for r in tested if r.get("significant"))
    below = sum(1 for r in tested if r.get("significant") and r.get("gap_to_aspiration", 0) < 0)
    who = f"{g1}" + (f" ({result.group_column})" if result.group_column else "")
    test = "sandwich-SE test of the weighted gap" if result.weight else "one-sample t test"
    lines = [f"Gap analysis: {g1} against the aspirations",
             f"One group, {who}: n = {result.group_sizes.get(g1)}. No second group (e.g. frontline "
             "staff) is compared. Gaps are the mean minus the aspiration (negative = below target).",
             f"{n_sig} of {len(tested)} gaps to aspiration are significant after Holm correction "
             f"({test}, alpha = {result.alpha}), {below} of them below target; they are shaded."]
    if len(tested) < len(result.rows):
        lines.append(f"{len(result.rows) - len(tested)} rows have no aspiration: descriptives only.")
    if result.weight:
        lines.append(f"Weighted by {result.weight}: means, SDs, top-2-box and gaps are weighted; the "
                     "t test, Wilcoxon test and effect size are not (see Methods).")
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
                      title=f"Largest gaps to aspiration ({level}s, by absolute gap)",
                      note=("significant = Holm-adjusted p < alpha (rows shaded); t_ci = 95% CI of the "
                            "gap"), freeze=False)
        _highlight(builder, lref, full.loc[order].reset_index(drop=True), "significant", SIGNIFICANT_FILL)
        chart_df = pd.DataFrame({"name": full["name"], f"mean_{g1}": full["mean"],
                                 "aspiration": full["aspiration"]})
        cref = _table(builder, sheet, chart_df, title=f"Means per {level}: {g1} and aspiration",
                      freeze=False)
        builder.add_bar_chart(cref, "name", [f"mean_{g1}", "aspiration"],
                              title=f"{g1} mean vs aspiration per {level}", y_title="mean",
                              anchor=f"L{cref.header_row}")

    for lv, name in LEVEL_SHEETS:
        if not any(r["level"] == lv for r in result.rows):
            continue
        df = result.frame(lv)
        ref = _table(builder, name, df, title=f"{name}: {g1} against the aspirations")
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
    if result.segment_column:
        df = result.frame(segments=True)
        df.insert(0, "segment_column", result.segment_column)
        ref = _table(builder, "Segments", df, title=f"By {result.segment_column}: {g1} against the aspirations",
                     note=f"cells with fewer than {result.min_n} answers are suppressed (blank)")
        _highlight(builder, ref, df, "significant", SIGNIFICANT_FILL)
    _summary_first(builder, sheet)


def _summary_first(builder, sheet: str) -> None:
    from cxstats.report.workbook import _safe_sheet_name

    wb = builder.wb
    name = _safe_sheet_name(sheet)
    if name in wb.sheetnames:
        idx = wb.sheetnames.index(name)
        if idx:
            wb.move_sheet(name, offset=-idx)
            wb.active = 0
