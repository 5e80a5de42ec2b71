"""Layout of ``drivers``: the Drivers sheet (importance, IPA with a scatter chart, penalty-reward),
Dominance, Bootstrap and Model sheets; and the importance-performance chart as a PNG
(``--ipa-png``). Layout only: the numbers come from :class:`cxstats.stats.drivers.DriversResult`.
"""

from __future__ import annotations

from cxstats.report import i18n

IMPORTANCE_FORMATS = {"lmg_share": "0.0%", "rw_share": "0.0%", "pvalue_hc3": "0.0000", "pvalue": "0.0000",
                      "rank_lmg": "0", "rank_relative_weight": "0", "vif": "0.00"}

# IPA quadrants (the result's values) as a reader sees them
QUADRANTS = {
    "Concentrate here": {"en": "Concentrate here", "es": "Concentrarse aquí"},
    "Keep up the good work": {"en": "Keep up the good work", "es": "Mantener el buen trabajo"},
    "Low priority": {"en": "Low priority", "es": "Prioridad baja"},
    "Possible overkill": {"en": "Possible overkill", "es": "Posible exceso"},
    "not determined": {"en": "not determined", "es": "no determinado"},
}

i18n.register(
    sheets={"Drivers": {"en": "Drivers", "es": "Impulsores"}, "Dominance": {"en": "Dominance", "es": "Dominancia"},
            "Bootstrap": {"en": "Bootstrap", "es": "Bootstrap"}, "Model": {"en": "Model", "es": "Modelo"}},
    texts={
        **{f"quadrant:{k}": v for k, v in QUADRANTS.items()},
        "drv_weighted_note": {
            "en": "Weighted by the survey weights of column {weight} (Kish's effective n = {neff}): weighted least "
                  "squares with HC3 SEs; R², LMG and relative weights from the weighted correlation matrix.",
            "es": "Ponderado con los pesos muestrales de la columna {weight} (n efectivo de Kish = {neff}): mínimos "
                  "cuadrados ponderados con EE HC3; R², LMG y pesos relativos de la matriz de correlaciones "
                  "ponderada."},
        "drv_title": {"en": "What drives {outcome}: relative importance",
                      "es": "Qué impulsa {outcome}: importancia relativa"},
        "drv_note": {"en": "n = {n}; {r2name} = {r2}; importance ranked by {measure}. Methods sheet: formulas "
                           "and sources.",
                     "es": "n = {n}; {r2name} = {r2}; importancia ordenada por {measure}. Hoja Métodos: "
                           "fórmulas y fuentes."},
        "drv_measure_lmg": {"en": "LMG share of R²", "es": "la cuota LMG del R²"},
        "drv_measure_rw": {"en": "relative-weight share of R²", "es": "la cuota de pesos relativos del R²"},
        "drv_r2_binary": {"en": "R²_O (corr(y, fitted probability)²)", "es": "R²_O (corr(y, probabilidad ajustada)²)"},
        "drv_perf_mean": {"en": "mean score", "es": "puntuación media"},
        "drv_perf_top2": {"en": "top-2-box share", "es": "cuota top-2-box"},
        "drv_perf_gap": {"en": "gap to aspiration", "es": "brecha con la aspiración"},
        "ipa_title": {"en": "Importance-performance analysis", "es": "Análisis importancia-desempeño"},
        "ipa_note": {"en": "Quadrants split at importance {ic} and performance {pc}. Rule: {rule}.",
                     "es": "Cuadrantes divididos en importancia {ic} y desempeño {pc}. Regla: {rule}."},
        "ipa_chart": {"en": "Importance vs performance", "es": "Importancia frente a desempeño"},
        "ipa_x": {"en": "importance ({what})", "es": "importancia ({what})"},
        "ipa_y": {"en": "performance ({what})", "es": "desempeño ({what})"},
        "pr_title": {"en": "Penalty-reward analysis", "es": "Análisis de penalización-recompensa"},
        "pr_note": {"en": "Penalty: change in the outcome for a low rating (vs the middle); reward: for a high "
                          "rating. Category: {rule}. Read the Methods note on its limits.",
                    "es": "Penalización: cambio en el resultado con una valoración baja (frente a la media); "
                          "recompensa: con una valoración alta. Categoría: {rule}. Lea en Métodos sus límites."},
        "dom_title": {"en": "Conditional dominance (mean R² increment by model size k)",
                      "es": "Dominancia condicional (incremento medio del R² por tamaño del modelo k)"},
        "dom_complete": {"en": "Complete dominance (1 = row driver dominates column driver)",
                         "es": "Dominancia completa (1 = el impulsor de la fila domina al de la columna)"},
        "boot_title": {"en": "Bootstrap intervals", "es": "Intervalos bootstrap"},
        "boot_note": {"en": "{b} replicates, {level} percentile and BCa intervals; ranks: 1 = most important.",
                      "es": "{b} réplicas, intervalos percentil y BCa al {level}; rangos: 1 = el más importante."},
        "model_title": {"en": "Model", "es": "Modelo"},
    },
    headers={
        "std_beta": {"en": "Standardized beta", "es": "Beta estandarizada"},
        "se_hc3": {"en": "SE (HC3)", "es": "EE (HC3)"},
        "pvalue_hc3": {"en": "p (HC3)", "es": "p (HC3)"},
        "r": {"en": "r", "es": "r"},
        "lmg": {"en": "LMG", "es": "LMG"},
        "lmg_share": {"en": "LMG share of R²", "es": "Cuota LMG del R²"},
        "relative_weight": {"en": "Relative weight", "es": "Peso relativo"},
        "rw_share": {"en": "Relative-weight share", "es": "Cuota de peso relativo"},
        "pratt": {"en": "Pratt", "es": "Pratt"},
        "vif": {"en": "VIF", "es": "FIV"},
        "rank_lmg": {"en": "Rank (LMG)", "es": "Puesto (LMG)"},
        "rank_relative_weight": {"en": "Rank (relative weight)", "es": "Puesto (peso relativo)"},
        "importance": {"en": "Importance", "es": "Importancia"},
        "performance": {"en": "Performance", "es": "Desempeño"},
        "importance_lower": {"en": "Importance lower", "es": "Importancia inferior"},
        "importance_upper": {"en": "Importance upper", "es": "Importancia superior"},
        "quadrant": {"en": "Quadrant", "es": "Cuadrante"},
        "position": {"en": "Position", "es": "Posición"},
        "n_low": {"en": "n low", "es": "n bajo"},
        "n_middle": {"en": "n middle", "es": "n medio"},
        "n_high": {"en": "n high", "es": "n alto"},
        "penalty": {"en": "Penalty", "es": "Penalización"},
        "penalty_lower": {"en": "Penalty lower", "es": "Penalización inferior"},
        "penalty_upper": {"en": "Penalty upper", "es": "Penalización superior"},
        "penalty_pvalue": {"en": "Penalty p", "es": "p de la penalización"},
        "reward": {"en": "Reward", "es": "Recompensa"},
        "reward_lower": {"en": "Reward lower", "es": "Recompensa inferior"},
        "reward_upper": {"en": "Reward upper", "es": "Recompensa superior"},
        "reward_pvalue": {"en": "Reward p", "es": "p de la recompensa"},
        "category": {"en": "Category", "es": "Categoría"},
        "general": {"en": "General dominance", "es": "Dominancia general"},
        "dominates": {"en": "Dominates", "es": "Domina"},
        "pct_lower": {"en": "Percentile lower", "es": "Percentil inferior"},
        "pct_upper": {"en": "Percentile upper", "es": "Percentil superior"},
        "bca_lower": {"en": "BCa lower", "es": "BCa inferior"},
        "bca_upper": {"en": "BCa upper", "es": "BCa superior"},
        "rank_lower": {"en": "Rank lower", "es": "Puesto inferior"},
        "rank_upper": {"en": "Rank upper", "es": "Puesto superior"},
        "top_rank_share": {"en": "Share ranked first", "es": "Proporción en primer lugar"},
    })


def _short_name(display, code) -> str:
    """The spec's name of ``code`` when it reads as a name (an outcome's wording is a question)."""
    name = display.name(code)
    return name if len(name) <= 40 and not name.endswith("?") else str(code)


def _quadrants(display, df):
    """IPA quadrant names in the study's language."""
    df = df.copy()
    for col in ("quadrant", "position"):
        if col in df.columns:
            df[col] = [display.t(f"quadrant:{v}") if f"quadrant:{v}" in i18n.TEXTS else v for v in df[col]]
    return df


def sheets(builder, result, sheet: str = "Drivers") -> None:
    """Drivers sheet: importance table, IPA table with a native scatter chart,
    penalty-reward table; then dominance and bootstrap sheets when present."""
    d = builder.display
    tables = result.tables()
    measure = d.t("drv_measure_lmg" if result.importance_name() == "lmg" else "drv_measure_rw")
    r2_name = "R²" if result.outcome_type == "continuous" else d.t("drv_r2_binary")
    builder.add_table(sheet, tables["Importance"],
                      title=d.t("drv_title", outcome=_short_name(d, result.outcome)),
                      note=d.t("drv_note", n=result.n, r2name=r2_name, r2=f"{result.r2:.3f}", measure=measure)
                      + (" " + d.t("drv_weighted_note", weight=result.weight, neff=f"{result.n_eff:.1f}")
                         if getattr(result, "weight", None) else ""),
                      formats=IMPORTANCE_FORMATS, sequential=["lmg_share", "rw_share"])
    if "IPA" in tables:
        ipa = result.ipa
        perf_label = d.t({"mean": "drv_perf_mean", "top2": "drv_perf_top2",
                          "gap": "drv_perf_gap"}[ipa["performance"]])
        ref = builder.add_table(
            sheet, _quadrants(d, _ipa_table(builder, tables["IPA"])), title=d.t("ipa_title"),
            note=d.t("ipa_note", ic=f"{ipa['importance_cut']:.3f}", pc=f"{ipa['performance_cut']:.3f}",
                     rule=ipa["rule"]),
            formats={c: "0.0%" if c.startswith("importance") or ipa["performance"] == "top2" else "0.00"
                     for c in ("importance", "importance_lower", "importance_upper", "performance",
                               "performance_lower", "performance_upper")})
        builder.add_scatter_chart(ref, "importance", "performance", title=d.t("ipa_chart"),
                                  x_title=d.t("ipa_x", what=ipa["importance"]),
                                  y_title=d.t("ipa_y", what=perf_label),
                                  label=tables["IPA"].columns[0])
    if "Penalty-reward" in tables:
        builder.add_table(sheet, tables["Penalty-reward"], title=d.t("pr_title"),
                          note=d.t("pr_note", rule=result.penalty_reward["rule"]),
                          diverging=["penalty", "reward"])
    if "Dominance" in tables:
        builder.add_table("Dominance", tables["Dominance"], title=d.t("dom_title"))
        if "Complete dominance" in tables:
            builder.add_table("Dominance", tables["Complete dominance"], title=d.t("dom_complete"),
                              formats={dr: "0" for dr in result.drivers}, freeze=False)
    if "Bootstrap" in tables:
        builder.add_table("Bootstrap", tables["Bootstrap"], title=d.t("boot_title"),
                          note=d.t("boot_note", b=result.bootstrap.replicates,
                                   level=f"{result.bootstrap.ci_level:.0%}"),
                          formats={"rank": "0", "rank_lower": "0", "rank_upper": "0", "top_rank_share": "0%"})
    builder.add_table("Model", tables["Model"], title=d.t("model_title"))


def files(result, options, out_dir, *, display=None, study=None) -> list:
    """A plan's files beside the workbooks: the IPA chart when the step names one
    (``ipa_png: NAME.png``; the SVG goes beside it)."""
    from pathlib import Path

    name = options.get("ipa_png") if isinstance(options, dict) else getattr(options, "ipa_png", None)
    if not name or not result.ipa:
        return []
    out = write_ipa_png(result, Path(out_dir) / name, display=display, study=study)
    return [out["png"], out["svg"]]


def _ipa_table(builder, df):
    """The IPA table with ``determined`` as yes / no in the workbook's language (dropped when
    there were no bootstrap intervals to judge by)."""
    if "determined" not in df or df["determined"].isna().all():
        return df.drop(columns=["determined"], errors="ignore")
    display = getattr(builder, "display", None) or i18n.Display()
    df = df.copy()
    df["determined"] = [display.t("ipa_chart.yes") if v else display.t("ipa_chart.no") for v in df["determined"]]
    return df


# -- the importance-performance chart for a deck (PNG + SVG) ---------------------------------

i18n.register(texts={
    "ipa_chart.concentrate": {"en": "Concentrate here", "es": "Concentrarse aquí"},
    "ipa_chart.keep": {"en": "Keep up the good work", "es": "Mantener el buen trabajo"},
    "ipa_chart.low": {"en": "Low priority", "es": "Baja prioridad"},
    "ipa_chart.overkill": {"en": "Possible overkill", "es": "Posible exceso"},
    "ipa_chart.title": {"en": "Key drivers: importance and performance",
                        "es": "Impulsores clave: importancia y desempeño"},
    "ipa_chart.title_focus": {"en": "Improve first: {names}", "es": "Mejorar primero: {names}"},
    "ipa_chart.and": {"en": "and", "es": "y"},
    "ipa_chart.subtitle": {"en": "Outcome: {outcome}  ·  n = {n}  ·  R² = {r2}",
                           "es": "Resultado: {outcome}  ·  n = {n}  ·  R² = {r2}"},
    "ipa_chart.x_lmg": {"en": "Importance: share of R² (LMG)", "es": "Importancia: proporción del R² (LMG)"},
    "ipa_chart.x_rw": {"en": "Importance: share of R² (relative weights)",
                       "es": "Importancia: proporción del R² (pesos relativos)"},
    "ipa_chart.y_mean": {"en": "Performance: mean score", "es": "Desempeño: puntuación media"},
    "ipa_chart.y_top2": {"en": "Performance: top-2-box share",
                         "es": "Desempeño: % en las dos categorías superiores (top-2-box)"},
    "ipa_chart.y_gap": {"en": "Performance: gap to the aspiration (mean − target)",
                        "es": "Desempeño: brecha con la aspiración (media − objetivo)"},
    "ipa_chart.cut": {"en": "cut {value}", "es": "corte {value}"},
    "ipa_chart.determined": {"en": "Quadrant determined", "es": "Cuadrante determinado"},
    "ipa_chart.point": {"en": "Driver (point estimate)", "es": "Impulsor (estimación puntual)"},
    "ipa_chart.not_determined": {"en": "Not determined: an interval crosses a cut",
                                 "es": "No determinado: un intervalo cruza un corte"},
    "ipa_chart.interval": {"en": "{level} bootstrap interval ({b} resamples)",
                           "es": "Intervalo bootstrap al {level} ({b} remuestreos)"},
    "ipa_chart.no_interval": {"en": "No bootstrap intervals: uncertainty not shown",
                              "es": "Sin intervalos bootstrap: no se muestra la incertidumbre"},
    "ipa_chart.source": {"en": "Source: {parts}", "es": "Fuente: {parts}"},
    "ipa_chart.yes": {"en": "yes", "es": "sí"},
    "ipa_chart.no": {"en": "no", "es": "no"},
})

# the quadrant names of cxstats.stats.drivers.ipa.QUADRANTS -> text keys above
QUADRANT_TEXT = {"Concentrate here": "ipa_chart.concentrate", "Keep up the good work": "ipa_chart.keep",
                 "Low priority": "ipa_chart.low", "Possible overkill": "ipa_chart.overkill"}
QUADRANT_COLOR = {"Concentrate here": "#C0392B", "Keep up the good work": "#1E7B4F",
                  "Low priority": "#7F7F7F", "Possible overkill": "#2E6DA4"}
INK, MUTED, FOCUS_FILL = "#262626", "#6E6E6E", "#FBECEA"
CHART_DPI = 300
CHART_SIZE = (10.0, 6.25)  # inches: 16:10, a full slide body


def _number(value: float, lang: str, digits: int, *, percent: bool = False, sign: bool = False) -> str:
    """12.5% / 12,5 % and 3.70 / 3,70 (Spanish: decimal comma, a space before %)."""
    v = value * 100 if percent else value
    text = f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"
    text = text.replace("-", "−")
    if lang == "es":
        text = text.replace(".", ",")
    if percent:
        text += " %" if lang == "es" else "%"
    return text


def _count(n: int, lang: str) -> str:
    """1,997 / 1997 (Spanish: no separator up to four digits, then a thin space, as the RAE)."""
    if lang == "es":
        return str(n) if n < 10_000 else f"{n:,}".replace(",", "\u202f")
    return f"{n:,}"


def _wrap(text: str, width: int = 22) -> str:
    """A name longer than ``width`` on two balanced lines (split at the space nearest the middle)."""
    if len(text) <= width or " " not in text:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


def _chart_paths(path):
    from pathlib import Path

    path = Path(path)
    if path.suffix.lower() == ".svg":
        return path.with_suffix(".png"), path
    return path, path.with_suffix(".svg")


def write_ipa_png(result, path, *, display=None, title: str | None = None, study: str | None = None,
                  date: str | None = None) -> dict:
    """The importance-performance chart for a deck: a 300 dpi PNG at ``path`` and an SVG beside
    it (same stem, ``.svg``), both written atomically.

    ``display`` (:class:`cxstats.report.i18n.Display`, default English without names) gives the
    language and the spec's names of drivers and outcome. Each driver is a point at its importance
    share and performance, with its bootstrap percentile intervals as error bars (when the result
    has a bootstrap); a driver whose quadrant is not determined (an interval holds a cut) is drawn
    hollow. Dashed lines at the cuts carry their values; quadrant names sit in the corners; the
    source line names ``study``, n, ``date`` (default today) and the cxstats version.

    Returns a description of what was drawn: paths, texts and one entry per driver in ``marks``
    (``determined``: True / False / None without intervals; ``marker``: filled or hollow).
    """
    import datetime

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FuncFormatter

    from cxstats import __version__
    from cxstats.report.atomic import atomic_path

    display = display or i18n.Display()
    lang = display.lang
    ipa = result.ipa
    if not ipa:
        raise ValueError("the result has no importance-performance analysis")
    rows = ipa["rows"]
    ic, pc = ipa["importance_cut"], ipa["performance_cut"]
    kind = ipa["performance"]
    perf_pct = kind == "top2"
    boot = result.bootstrap
    has_imp = all("importance_lower" in r for r in rows)
    has_perf = all("performance_lower" in r for r in rows)

    def fmt_imp(v, digits=1):
        return _number(v, lang, digits, percent=True)

    def fmt_perf(v, digits=2):
        return _number(v, lang, 1 if perf_pct else digits, percent=perf_pct, sign=kind == "gap")

    marks = []
    for r in rows:
        settled = r.get("determined")
        marks.append({"driver": r["driver"], "name": display.name(r["driver"]),
                      "importance": r["importance"], "performance": r["performance"],
                      "position": r["position"], "quadrant": r["quadrant"], "determined": settled,
                      "marker": "hollow" if settled is False else "filled"})
    focus = [m["name"] for m in sorted(marks, key=lambda m: -m["importance"])
             if m["position"] == "Concentrate here" and m["determined"] is not False]
    if title is None:
        if focus:
            names = focus[0] if len(focus) == 1 else \
                ", ".join(focus[:-1]) + f" {display.t('ipa_chart.and')} " + focus[-1]
            title = display.t("ipa_chart.title_focus", names=names)
        else:
            title = display.t("ipa_chart.title")
    subtitle = display.t("ipa_chart.subtitle", outcome=display.name(result.outcome),
                         n=_count(result.n, lang), r2=_number(result.r2, lang, 2))
    x_label = display.t("ipa_chart.x_lmg" if result.importance_name() == "lmg" else "ipa_chart.x_rw")
    y_label = display.t(f"ipa_chart.y_{kind}")
    parts = [p for p in (study, f"n = {_count(result.n, lang)}",
                         date or datetime.date.today().isoformat(), f"cxstats {__version__}") if p]
    source = display.t("ipa_chart.source", parts="  ·  ".join(parts))
    quadrant_names = {q: display.t(k) for q, k in QUADRANT_TEXT.items()}

    # the plot's extent: every point, interval and both cuts, with room for the labels
    xs = [r["importance"] for r in rows] + [ic]
    ys = [r["performance"] for r in rows] + [pc]
    if has_imp:
        xs += [r["importance_lower"] for r in rows] + [r["importance_upper"] for r in rows]
    if has_perf:
        ys += [r["performance_lower"] for r in rows] + [r["performance_upper"] for r in rows]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    dx, dy = (x1 - x0) or abs(x1) or 1.0, (y1 - y0) or abs(y1) or 1.0
    x0, x1 = x0 - 0.10 * dx, x1 + 0.16 * dx
    y0, y1 = y0 - 0.14 * dy, y1 + 0.14 * dy

    style = {"font.family": "sans-serif",
             "font.sans-serif": ["Liberation Sans", "Arial", "Helvetica", "DejaVu Sans"],
             "svg.fonttype": "none", "svg.hashsalt": "cxstats-ipa", "axes.unicode_minus": True}
    with plt.rc_context(style):
        fig = plt.figure(figsize=CHART_SIZE, dpi=100)
        try:
            ax = fig.add_axes((0.085, 0.205, 0.80, 0.625))
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.add_patch(Rectangle((ic, y0), x1 - ic, pc - y0, facecolor=FOCUS_FILL, edgecolor="none",
                                   zorder=0))
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            for side in ("left", "bottom"):
                ax.spines[side].set_color("#A6A6A6")
            ax.tick_params(colors=MUTED, labelsize=9, length=3)
            # importance shares lie in 0-100%: the padding beyond gets no tick label
            ax.xaxis.set_major_formatter(FuncFormatter(
                lambda v, _: fmt_imp(v, 0 if dx > 0.05 else 1) if -1e-9 < v < 1 + 1e-9 else ""))
            ax.yaxis.set_major_formatter(FuncFormatter(
                lambda v, _: fmt_perf(v, 1) if not perf_pct else _number(v, lang, 0, percent=True)))
            ax.set_xlabel(x_label, fontsize=10.5, color=INK, labelpad=8)
            ax.set_ylabel(y_label, fontsize=10.5, color=INK, labelpad=8)
            ax.grid(False)

            line = {"color": "#595959", "linestyle": (0, (5, 3)), "linewidth": 1.0, "zorder": 1}
            cut_lines = [ax.axvline(ic, **line), ax.axhline(pc, **line)]
            cut_texts = [ax.text(ic, 1.005, display.t("ipa_chart.cut", value=fmt_imp(ic)), transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8.5, color=MUTED),
                         ax.text(1.005, pc, display.t("ipa_chart.cut", value=fmt_perf(pc)), transform=ax.get_yaxis_transform(),
                    ha="left", va="center", fontsize=8.5, color=MUTED)]
            corners = {"Concentrate here": (0.99, 0.02, "right", "bottom"),
                       "Keep up the good work": (0.99, 0.98, "right", "top"),
                       "Low priority": (0.01, 0.02, "left", "bottom"),
                       "Possible overkill": (0.01, 0.98, "left", "top")}
            corner_texts = []
            for q, (hx, hy, ha, va) in corners.items():
                corner_texts.append(ax.text(
                    hx, hy, quadrant_names[q].upper(), transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                    fontweight="bold", color=QUADRANT_COLOR[q] if q == "Concentrate here" else "#8C8C8C",
                    zorder=2, gid=f"ipa-quadrant-{q.lower().replace(' ', '-')}"))

            bar_segments = []
            for r, m in zip(rows, marks):
                color = QUADRANT_COLOR[r["position"]]
                xerr = [[r["importance"] - r["importance_lower"]], [r["importance_upper"] - r["importance"]]] \
                    if has_imp else None
                yerr = [[r["performance"] - r["performance_lower"]],
                        [r["performance_upper"] - r["performance"]]] if has_perf else None
                if xerr is not None or yerr is not None:
                    ax.errorbar([r["importance"]], [r["performance"]], xerr=xerr, yerr=yerr, fmt="none",
                                ecolor=color, elinewidth=1.4, capsize=3, capthick=1.2, alpha=0.55, zorder=3)
                    if has_imp:
                        bar_segments.append(((r["importance_lower"], r["performance"]),
                                             (r["importance_upper"], r["performance"])))
                    if has_perf:
                        bar_segments.append(((r["importance"], r["performance_lower"]),
                                             (r["importance"], r["performance_upper"])))
                hollow = m["marker"] == "hollow"
                ax.scatter([r["importance"]], [r["performance"]], s=64, zorder=4, linewidths=1.8,
                           facecolors="white" if hollow else color, edgecolors=color,
                           gid=f"ipa-mark-{r['driver']}-{'not-determined' if hollow else 'determined'}")
            label_boxes = _place_labels(fig, ax, rows, marks, corner_texts + cut_texts, bar_segments, cut_lines,
                                        (ic, pc))
            for m, bx in zip(marks, label_boxes):
                m["label_box"] = [round(v, 1) for v in bx]

            fig.text(0.085, 0.955, title, fontsize=15, fontweight="bold", color=INK, ha="left", va="top")
            fig.text(0.085, 0.895, subtitle, fontsize=10, color=MUTED, ha="left", va="top")
            handles = []
            if any(m["marker"] == "filled" for m in marks):
                handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=MUTED,
                                      markeredgecolor=MUTED, label=display.t(
                                          "ipa_chart.determined" if has_imp or has_perf else "ipa_chart.point")))
            if any(m["marker"] == "hollow" for m in marks):
                handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor="white",
                                      markeredgewidth=1.8, markeredgecolor=MUTED,
                                      label=display.t("ipa_chart.not_determined")))
            if has_imp:
                level = _number(boot.ci_level, lang, 0, percent=True) if boot is not None else ""
                handles.append(Line2D([], [], color=MUTED, alpha=0.6, linewidth=1.4, marker="|", markersize=7,
                                      label=display.t("ipa_chart.interval", level=level,
                                                      b=_count(boot.replicates, lang) if boot else "")))
            else:
                handles.append(Line2D([], [], linestyle="none", label=display.t("ipa_chart.no_interval")))
            fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.078, 0.045), ncol=len(handles),
                       frameon=False, fontsize=8.5, handletextpad=0.4, columnspacing=1.6, labelcolor=INK)
            fig.text(0.085, 0.018, source, fontsize=7.5, color=MUTED, ha="left", va="bottom")

            png_path, svg_path = _chart_paths(path)
            with atomic_path(png_path) as tmp:
                fig.savefig(tmp, format="png", dpi=CHART_DPI, facecolor="white",
                            metadata={"Software": f"cxstats {__version__}"})
            with atomic_path(svg_path) as tmp:
                fig.savefig(tmp, format="svg", facecolor="white", metadata={"Date": None})
        finally:
            plt.close(fig)
    return {"png": str(png_path), "svg": str(svg_path), "lang": lang, "title": title, "subtitle": subtitle,
            "x_label": x_label, "y_label": y_label, "source": source, "quadrant_names": quadrant_names,
            "importance_cut": ic, "performance_cut": pc, "marks": marks}


def _place_labels(fig, ax, rows, marks, texts_to_avoid, bars, cut_lines, cut_at):
    """Driver names beside their points, clear of each other, of every point and error bar, of
    the quadrant names and cut labels, inside the plot.

    Hand-written on purpose (adjustText 1.4, tried first, left names on error bars and markers):
    a greedy search over positions around each point, most important driver first, scored by
    overlap (labels and points weigh most, then error bars, texts and cut lines) and distance.
    Deterministic, and each name lands where nothing overlaps it when such a place exists.
    Returns each label's box in figure pixels."""
    import math

    renderer = fig.canvas.get_renderer()
    px_per_pt = renderer.points_to_pixels(1.0)
    frame = ax.get_window_extent(renderer)
    to_px = ax.transData.transform

    def box(a):
        e = a.get_window_extent(renderer)
        return (e.x0 - 2, e.y0 - 2, e.x1 + 2, e.y1 + 2)

    points = [to_px((r["importance"], r["performance"])) for r in rows]
    marker = 6.5 * px_per_pt
    hard = [(x - marker, y - marker, x + marker, y + marker) for x, y in points]
    soft = []
    for (x0, y0), (x1, y1) in bars:
        (a, b), (c, d) = to_px((x0, y0)), to_px((x1, y1))
        soft.append((min(a, c) - 3, min(b, d) - 3, max(a, c) + 3, max(b, d) + 3))
    texts = [box(t) for t in texts_to_avoid]
    lines = []
    for line in cut_lines:
        e = line.get_window_extent(renderer)
        lines.append((e.x0 - 1, e.y0 - 1, e.x1 + 1, e.y1 + 1))

    def overlap(a, b):
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    def outside(bx):
        inner = overlap(bx, (frame.x0, frame.y0, frame.x1, frame.y1))
        return (bx[2] - bx[0]) * (bx[3] - bx[1]) - inner

    def crosses(p0, p1, bx):
        """Whether the leader line p0-p1 passes through box ``bx`` (Liang-Barsky clipping)."""
        t0, t1 = 0.0, 1.0
        dx, dy = p1[0] - p0[0], p1[1] - p0[1]
        for p, q in ((-dx, p0[0] - bx[0]), (dx, bx[2] - p0[0]), (-dy, p0[1] - bx[1]), (dy, bx[3] - p0[1])):
            if p == 0:
                if q < 0:
                    return False
            else:
                t = q / p
                if p < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
        return t0 < t1 and t1 > 0.05  # not merely touching at the point itself

    def gap(bx, x, y):
        """Distance from a point to a box."""
        return math.hypot(max(bx[0] - x, 0, x - bx[2]), max(bx[1] - y, 0, y - bx[3]))

    # (unit direction, horizontal alignment, vertical alignment), right of the point first
    directions = [((1, 0), "left", "center"), ((-1, 0), "right", "center"), ((0, 1), "center", "bottom"),
                  ((0, -1), "center", "top"), ((0.75, 0.75), "left", "bottom"), ((-0.75, 0.75), "right", "bottom"),
                  ((0.75, -0.75), "left", "top"), ((-0.75, -0.75), "right", "top"),
                  ((0.95, 0.35), "left", "bottom"), ((0.95, -0.35), "left", "top"),
                  ((-0.95, 0.35), "right", "bottom"), ((-0.95, -0.35), "right", "top")]
    def in_focus(bx):
        """Whether a box's centre lies in the shaded 'Concentrate here' quadrant."""
        cx, cy = ax.transData.inverted().transform(((bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2))
        return cx >= cut_at[0] and cy < cut_at[1]

    def leader(j, bx):
        px, py = points[j]
        return (px, py), (min(max(px, bx[0]), bx[2]), min(max(py, bx[1]), bx[3]))

    candidates = []  # per driver: (box, offset, ha, va, dist, fixed cost)
    for j, m in enumerate(marks):
        px, py = points[j]
        others = [b for i, b in enumerate(hard) if i != j]
        own_cands = []
        for text in dict.fromkeys((_wrap(m["name"]), _wrap(m["name"], 40))):  # two lines, or one
            probe = ax.text(0, 0, text, fontsize=9, multialignment="left")
            e = probe.get_window_extent(renderer)
            probe.remove()
            w, h = e.width + 4, e.height + 2
            for dist in (8, 13, 20, 28, 38, 50, 65, 85):
                for rank, ((ux, uy), ha, va) in enumerate(directions):
                    ax_, ay_ = px + ux * dist * px_per_pt, py + uy * dist * px_per_pt
                    x0 = {"left": ax_, "right": ax_ - w, "center": ax_ - w / 2}[ha]
                    y0 = {"bottom": ay_, "top": ay_ - h, "center": ay_ - h / 2}[va]
                    bx = (x0, y0, x0 + w, y0 + h)
                    cost = 1e4 * outside(bx)
                    cost += 50 * sum(overlap(bx, o) for o in hard)
                    cost += 0.6 * sum(overlap(bx, o) for o in soft)
                    cost += 20 * sum(overlap(bx, o) for o in texts)
                    cost += sum(1500 + 15 * overlap(bx, o) for o in lines if overlap(bx, o) > 0)
                    if dist > 14:  # a leader line: not through another point, a cut line or a bar
                        p0, p1 = leader(j, bx)
                        cost += 3000 * sum(crosses(p0, p1, o) for o in others)
                        cost += 300 * sum(crosses(p0, p1, o) for o in soft)
                        cost += 1500 * sum(crosses(p0, p1, o) for o in lines)
                    # a name nearer to another point than to its own is misread
                    own = gap(bx, px, py)
                    cost += 2500 * sum(gap(bx, qx, qy) < own for i, (qx, qy) in enumerate(points) if i != j)
                    cost += 8 * dist + 0.15 * dist ** 2 + rank
                    own_cands.append((bx, (ax_ - px, ay_ - py), ha, va, dist, cost, text))
        candidates.append(own_cands)

    def cost_with(j, cand, placed):
        bx, _, _, _, dist, cost, _ = cand
        for i, c in placed.items():
            if i == j:
                continue
            cost += 50 * overlap(bx, c[0])
            if dist > 14 and crosses(*leader(j, bx), c[0]):
                cost += 3000
            if c[4] > 14 and crosses(*leader(i, c[0]), bx):
                cost += 3000
            if dist > 14 and c[4] > 14 and _segments_cross(*leader(j, bx), *leader(i, c[0])):
                cost += 3000
        return cost

    # greedy, most important driver first; then passes that move each name to its best place
    # given all the others, until nothing improves
    placed: dict[int, tuple] = {}
    for j in sorted(range(len(rows)), key=lambda j: -rows[j]["importance"]):
        placed[j] = min(candidates[j], key=lambda c: cost_with(j, c, placed))
    for _ in range(6):
        moved = False
        for j in range(len(rows)):
            best = min(candidates[j], key=lambda c: cost_with(j, c, placed))
            if cost_with(j, best, placed) < cost_with(j, placed[j], placed) - 1e-9:
                placed[j], moved = best, True
        if not moved:
            break
    for j in range(len(rows)):
        bx, (ox, oy), ha, va, dist, _, text = placed[j]
        far = dist > 14
        ax.annotate(text, (rows[j]["importance"], rows[j]["performance"]),
                    xytext=(ox / px_per_pt, oy / px_per_pt), textcoords="offset points", ha=ha, va=va,
                    fontsize=9, color=INK, multialignment="left", zorder=5,
                    # a backdrop of the quadrant's own colour keeps a name readable over an error bar
                    # (a stroke path effect would turn the SVG's text into outlines)
                    bbox={"boxstyle": "square,pad=0.08", "edgecolor": "none",
                          "facecolor": FOCUS_FILL if in_focus(bx) else "white"},
                    arrowprops={"arrowstyle": "-", "color": "#A6A6A6", "linewidth": 0.6,
                                "shrinkA": 0, "shrinkB": 5} if far else None)
    return [placed[j][0] for j in range(len(rows))]


def _segments_cross(p1, p2, q1, q2) -> bool:
    """Whether segments p1-p2 and q1-q2 properly intersect (orientation test)."""
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0
