"""Layout of ``pls``: PLS paths and effects, measurement model (loadings, weights, reliability with
verdicts, HTMT, Fornell-Larcker, cross-loadings, VIF), IPMA with a native Excel map (quadrant
lines at the mean importance and mean performance, placed beside the table, never over it) and
the model sheet; and the IPMA map as a PNG + SVG (``write_ipma_png``; a plan's ``ipma_png``).
Layout only: every number comes from :class:`cxstats.stats.pls.PlsResult`."""

from __future__ import annotations

from cxstats.report import i18n, verdicts

_SHEETS = {
    "PLS Paths": ("Rutas PLS", "PLS Paths"),
    "PLS Effects": ("PLS efectos", "PLS Effects"),
    "PLS Measurement": ("PLS medida", "PLS Measurement"),
    "PLS Validity": ("PLS validez", "PLS Validity"),
    "PLS Cross-loadings": ("PLS cargas cruzadas", "PLS Cross-loadings"),
    "PLS VIF": ("PLS VIF", "PLS VIF"),
    "PLS IPMA": ("PLS IPMA", "PLS IPMA"),
    "PLS Model": ("PLS modelo", "PLS Model"),
    "PLS Predict": ("PLS predicción", "PLS Predict"),
    "PLS Groups": ("PLS grupos", "PLS Groups"),
}
_TEXTS = {
    "pls_paths": ("Coeficientes de ruta (lhs ~ rhs: lhs es el resultado)", "Path coefficients (lhs ~ rhs: lhs is the outcome)"),
    "pls_paths_note": ("{algo}; esquema interno {scheme}; n = {n}. {boot}", "{algo}; inner scheme {scheme}; n = {n}. {boot}"),
    "pls_boot": ("Bootstrap: {b} remuestras, intervalos {ci} al {level}.", "Bootstrap: {b} resamples, {ci} {level} intervals."),
    "pls_noboot": ("Sin bootstrap: sin errores estándar ni intervalos.", "No bootstrap: no standard errors or intervals."),
    "pls_r2": ("R² y R² ajustado de los constructos endógenos", "R² and adjusted R² of the endogenous constructs"),
    "pls_effects": ("Efectos directos, indirectos y totales", "Direct, indirect and total effects"),
    "pls_loadings": ("Cargas externas (=~)", "Outer loadings (=~)"),
    "pls_weights": ("Pesos externos (<~)", "Outer weights (<~)"),
    "pls_reliability": ("Fiabilidad y validez convergente", "Reliability and convergent validity"),
    "pls_htmt": ("HTMT (Henseler et al. 2015); con bootstrap, el límite superior unilateral",
                 "HTMT (Henseler et al. 2015); with a bootstrap, its one-sided upper bound"),
    "pls_fl": ("Criterio de Fornell-Larcker: raíz del AVE en la diagonal, correlaciones debajo",
               "Fornell-Larcker criterion: square root of AVE on the diagonal, correlations below"),
    "pls_cross": ("Cargas cruzadas (correlaciones de indicadores y puntuaciones)",
                  "Cross-loadings (correlations of indicators and construct scores)"),
    "pls_vif_outer": ("VIF de los indicadores (dentro de cada bloque)", "VIF of the indicators (within each block)"),
    "pls_vif_inner": ("VIF de los antecedentes de cada constructo endógeno", "VIF of the antecedents of each endogenous construct"),
    "pls_ipma": ("Mapa importancia-desempeño (IPMA) de {target}", "Importance-performance map (IPMA) of {target}"),
    "pls_ipma_note": ("Importancia: efecto total no estandarizado (puntos de {target} por punto de desempeño); "
                      "desempeño: puntuación media reescalada a 0-100 ({scale}). Líneas en las medias: "
                      "importancia {im}, desempeño {pm}.",
                      "Importance: unstandardized total effect (points of {target} per point of performance); "
                      "performance: mean score rescaled to 0-100 ({scale}). Lines at the means: importance {im}, "
                      "performance {pm}."),
    "pls_ipma_ind": ("IPMA de los indicadores", "IPMA of the indicators"),
    "pls_ipma_lines": ("Líneas de cuadrante del mapa", "Quadrant lines of the map"),
    "pls_ipma_chart": ("Importancia frente a desempeño ({target})", "Importance vs performance ({target})"),
    "pls_ipma_x": ("Importancia (efecto total no estandarizado)", "Importance (unstandardized total effect)"),
    "pls_ipma_y": ("Desempeño (0-100)", "Performance (0-100)"),
    "pls_line_importance": ("media de la importancia", "mean importance"),
    "pls_line_performance": ("media del desempeño", "mean performance"),
    "pls_model": ("Estimación", "Estimation"),
    "pls_algo_plsc": ("PLSc (PLS consistente, Dijkstra y Henseler 2015) en los constructos reflectivos",
                      "PLSc (consistent PLS, Dijkstra & Henseler 2015) for reflective constructs"),
    "pls_algo_pls": ("PLS (Lohmöller), sin corrección de consistencia", "PLS (Lohmöller), no consistency correction"),
    "pls_ci:percentile": ("percentil", "percentile"), "pls_ci:bca": ("BCa", "BCa"),
    "pls_scale:given": ("rangos de escala declarados", "declared scale ranges"),
    "pls_scale:observed": ("mínimo y máximo observados de cada indicador", "observed minimum and maximum of each indicator"),
    "pls_predict": ("PLSpredict: predicción fuera de la muestra ({folds} pliegues x {reps} repeticiones)",
                    "PLSpredict: out-of-sample prediction ({folds} folds x {reps} repetitions)"),
    "pls_predict_note": ("Q²predict > 0: mejor que la media de entrenamiento; RMSE de PLS menor que el del modelo "
                         "lineal (LM): poder predictivo (Shmueli et al. 2019).",
                         "Q²predict > 0: better than the training mean; PLS RMSE below the linear model's (LM): "
                         "predictive power (Shmueli et al. 2019)."),
    "pls_micom": ("MICOM: invarianza de la medida entre {g1} y {g2} ({p} permutaciones)",
                  "MICOM: measurement invariance between {g1} and {g2} ({p} permutations)"),
    "pls_mga": ("Análisis multigrupo por permutación: {g1} menos {g2}", "Permutation multi-group analysis: {g1} minus {g2}"),
    "pls_png_title": ("Prioridades para {target}: importancia y desempeño", "Priorities for {target}: importance and performance"),
}
_HEADERS = {
    "t": ("t", "t"), "indicator": ("indicador", "indicator"), "rhoC": ("rhoC (fiabilidad compuesta)", "rhoC (composite reliability)"),
    "AVE": ("AVE", "AVE"), "rhoA": ("rhoA", "rhoA"), "htmt": ("HTMT", "HTMT"), "adj_r2": ("R² ajustado", "adjusted R²"),
    "f2": ("f²", "f²"), "direct": ("directo", "direct"), "indirect": ("indirecto", "indirect"), "total": ("total", "total"),
    "correlation": ("correlación", "correlation"), "supported": ("se cumple", "supported"),
    "construct_1": ("constructo 1", "construct 1"), "construct_2": ("constructo 2", "construct 2"),
    "upper": ("límite superior", "upper bound"), "predictors": ("antecedentes", "antecedents"),
    "rescaled_weight": ("peso reescalado", "rescaled weight"), "below_085": ("< 0,85", "< .85"),
    "below_090": ("< 0,90", "< .90"), "sqrt_ave_1": ("√AVE 1", "√AVE 1"), "sqrt_ave_2": ("√AVE 2", "√AVE 2"),
    "total_se": ("total: EE", "total: SE"), "total_t": ("total: t", "total: t"),
    "total_ci_lower": ("total: IC inferior", "total: CI lower"), "total_ci_upper": ("total: IC superior", "total: CI upper"),
    "indirect_se": ("indirecto: EE", "indirect: SE"), "indirect_t": ("indirecto: t", "indirect: t"),
    "indirect_ci_lower": ("indirecto: IC inferior", "indirect: CI lower"),
    "indirect_ci_upper": ("indirecto: IC superior", "indirect: CI upper"),
    "row": ("fila", "row"), "pct_lower": ("percentil: inferior", "percentile: lower"),
    "pct_upper": ("percentil: superior", "percentile: upper"), "bca_lower": ("BCa: inferior", "BCa: lower"),
    "bca_upper": ("BCa: superior", "BCa: upper"), "pls_rmse": ("RMSE PLS", "PLS RMSE"), "pls_mae": ("MAE PLS", "PLS MAE"),
    "lm_rmse": ("RMSE LM", "LM RMSE"), "lm_mae": ("MAE LM", "LM MAE"), "q2_predict": ("Q²predict", "Q²predict"),
    "pls_beats_lm": ("PLS mejor que LM", "PLS beats LM"), "c": ("c", "c"), "c_q05": ("c: cuantil 5%", "c: 5% quantile"),
    "compositional": ("invarianza composicional", "compositional invariance"),
    "mean_diff": ("diferencia de medias", "mean difference"), "mean_lower": ("medias: 2,5%", "means: 2.5%"),
    "mean_upper": ("medias: 97,5%", "means: 97.5%"), "equal_means": ("medias iguales", "equal means"),
    "log_var_ratio": ("log razón de varianzas", "log variance ratio"), "var_lower": ("varianzas: 2,5%", "variances: 2.5%"),
    "var_upper": ("varianzas: 97,5%", "variances: 97.5%"), "equal_variances": ("varianzas iguales", "equal variances"),
    "invariance": ("invarianza", "invariance"), "est_1": ("estimación grupo 1", "estimate group 1"),
    "est_2": ("estimación grupo 2", "estimate group 2"), "diff": ("diferencia", "difference"), "line": ("línea", "line"), "importance": ("importancia", "importance"),
    "performance": ("desempeño", "performance"), "rank": ("orden", "rank"),
    "importance_se": ("importancia: EE", "importance: SE"), "importance_lower": ("importancia: IC inferior", "importance: CI lower"),
    "importance_upper": ("importancia: IC superior", "importance: CI upper"),
}
i18n.register(
    sheets={k: {"es": es, "en": en} for k, (es, en) in _SHEETS.items()},
    texts={**{k: {"es": es, "en": en} for k, (es, en) in _TEXTS.items()},
           **{f"pls_h:{k}": {"es": es, "en": en} for k, (es, en) in _HEADERS.items()}})


def _headers(d, df) -> dict:
    return {c: d.t(f"pls_h:{c}") for c in df.columns if f"pls_h:{c}" in i18n.TEXTS}


def _add(builder, sheet, df, **kwargs):
    return builder.add_table(sheet, df, headers=_headers(builder.display, df), **kwargs)


def sheets(builder, result) -> None:
    d = builder.display
    t = result.tables()
    est = result.estimation()
    b = result.bootstrap
    boot = (d.t("pls_boot", b=b["replicates"], ci=d.t(f"pls_ci:{result.ci}"), level=f"{b['ci_level']:.0%}")
            if b else d.t("pls_noboot"))
    algo = d.t("pls_algo_plsc" if est["algorithm"].startswith("PLSc") else "pls_algo_pls")
    _add(builder, "PLS Paths", t["Paths"], title=d.t("pls_paths"),
         note=d.t("pls_paths_note", algo=algo, scheme=result.scheme, n=result.n, boot=boot))
    if "R2" in t:
        _add(builder, "PLS Paths", t["R2"], title=d.t("pls_r2"))
    _add(builder, "PLS Effects", t["Effects"], title=d.t("pls_effects"))
    lo = t["Loadings"]
    reflective = [not result.layout.mode_b[result.constructs.index(c)] for c in lo["lhs"]]
    verdicts.add_table(builder, "PLS Measurement", lo, {"est": verdicts.judge(lo, "est", "loading", where=reflective)},
                       title=d.t("pls_loadings"), headers=_headers(d, lo))
    _add(builder, "PLS Measurement", t["Weights"], title=d.t("pls_weights"))
    rel = t["Reliability"]
    multi = [len(result.model.blocks[c]) > 1 and not result.layout.mode_b[result.constructs.index(c)]
             for c in rel["construct"]]
    verdicts.add_table(builder, "PLS Validity", rel,
                       {"alpha": verdicts.judge(rel, "alpha", "reliability", where=multi),
                        "rhoC": verdicts.judge(rel, "rhoC", "reliability", where=multi),
                        "rhoA": verdicts.judge(rel, "rhoA", "reliability", where=multi),
                        "AVE": verdicts.judge(rel, "AVE", "ave", where=multi)},
                       title=d.t("pls_reliability"), headers=_headers(d, rel))
    if "HTMT" in t:
        h = t["HTMT"]
        col = "upper" if "upper" in h.columns else "htmt"
        verdicts.add_table(builder, "PLS Validity", h, {col: verdicts.judge(h, col, "htmt")}, title=d.t("pls_htmt"),
                           headers=_headers(d, h))
    _add(builder, "PLS Validity", t["Fornell-Larcker"], title=d.t("pls_fl"))
    _add(builder, "PLS Cross-loadings", t["Cross-loadings"], title=d.t("pls_cross"))
    if "VIF indicators" in t:
        _add(builder, "PLS VIF", t["VIF indicators"], title=d.t("pls_vif_outer"))
    _add(builder, "PLS VIF", t["VIF constructs"], title=d.t("pls_vif_inner"))
    if "IPMA" in t:
        _ipma_sheet(builder, result, t)
    if "PLSpredict" in t:
        p = result.predict
        _add(builder, "PLS Predict", t["PLSpredict"], title=d.t("pls_predict", folds=p["folds"], reps=p["repetitions"]),
             note=d.t("pls_predict_note"))
    if "MICOM" in t:
        g = result.groups
        g1, g2 = (d.group(x) if hasattr(d, "group") else x for x in g["groups"])
        _add(builder, "PLS Groups", t["MICOM"], title=d.t("pls_micom", g1=g1, g2=g2, p=g["permutations"]))
        _add(builder, "PLS Groups", t["MGA"], title=d.t("pls_mga", g1=g1, g2=g2))
    _add(builder, "PLS Model", t["Model"], title=d.t("pls_model"))


def _ipma_sheet(builder, result, t) -> None:
    import pandas as pd

    d = builder.display
    ip = result.ipma
    target = d.name(ip["target"]) if hasattr(d, "name") else ip["target"]
    cols = ["construct", "importance", "performance", "rank"]
    cols += [c for c in ("importance_se", "importance_lower", "importance_upper") if c in t["IPMA"].columns]
    table = t["IPMA"][cols]
    ref = _add(builder, "PLS IPMA", table, title=d.t("pls_ipma", target=target),
               note=d.t("pls_ipma_note", target=target,
                        scale=d.t("pls_scale:given" if ip["scale_source"] == "given" else "pls_scale:observed"), im=f"{ip['importance_mean']:.3f}",
                        pm=f"{ip['performance_mean']:.1f}"),
               formats={"importance": "0.000", "performance": "0.0", "importance_se": "0.000",
                        "importance_lower": "0.000", "importance_upper": "0.000"})
    imp = list(table["importance"])
    per = list(table["performance"])
    x0, x1 = min(imp + [0.0]), max(imp) * 1.1 if imp else 1.0
    y0, y1 = max(0.0, min(per) - 10), min(100.0, max(per) + 10)
    lines = pd.DataFrame({"line": [d.t("pls_line_importance")] * 2 + [d.t("pls_line_performance")] * 2,
                          "importance": [ip["importance_mean"], ip["importance_mean"], x0, x1],
                          "performance": [y0, y1, ip["performance_mean"], ip["performance_mean"]]})
    lref = _add(builder, "PLS IPMA", lines, title=d.t("pls_ipma_lines"), freeze=False)
    _ipma_chart(builder, ref, lref, d.t("pls_ipma_chart", target=target), d.t("pls_ipma_x"), d.t("pls_ipma_y"),
                (x0, x1), (y0, y1))
    if "IPMA indicators" in t:
        _add(builder, "PLS IPMA", t["IPMA indicators"], title=d.t("pls_ipma_ind"),
             formats={"importance": "0.000", "performance": "0.0", "rescaled_weight": "0.000"})


def _ipma_chart(builder, ref, lref, title, x_title, y_title, xlim, ylim) -> None:
    """A native scatter chart: one marker series per construct (named in the legend), and the two
    quadrant lines (mean importance, mean performance) as dashed line series."""
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.chart.series import SeriesLabel, StrRef
    from openpyxl.utils import get_column_letter, quote_sheetname

    from cxstats.report.workbook import PALETTE

    ws = builder.wb[ref.sheet]
    chart = ScatterChart()
    chart.title, chart.style = title, 13
    chart.x_axis.title, chart.y_axis.title = x_title, y_title
    chart.width, chart.height = 18, 11
    chart.x_axis.delete = chart.y_axis.delete = False
    label_col = ref.columns["construct"]
    for r in range(ref.first_row, ref.last_row + 1):
        s = Series(Reference(ws, min_col=ref.columns["performance"], min_row=r, max_row=r),
                   Reference(ws, min_col=ref.columns["importance"], min_row=r, max_row=r))
        s.tx = SeriesLabel(strRef=StrRef(f"{quote_sheetname(ws.title)}!${get_column_letter(label_col)}${r}"))
        s.marker.symbol, s.marker.size = "circle", 9
        colour = PALETTE[len(chart.series) % len(PALETTE)]
        s.marker.graphicalProperties.solidFill = colour
        s.marker.graphicalProperties.line.solidFill = colour
        s.graphicalProperties.line.noFill = True
        chart.series.append(s)
    for lo in (lref.first_row, lref.first_row + 2):
        s = Series(Reference(ws, min_col=lref.columns["performance"], min_row=lo, max_row=lo + 1),
                   Reference(ws, min_col=lref.columns["importance"], min_row=lo, max_row=lo + 1))
        s.tx = SeriesLabel(strRef=StrRef(f"{quote_sheetname(ws.title)}!${get_column_letter(lref.columns['line'])}${lo}"))
        s.marker.symbol = "none"
        s.graphicalProperties.line.solidFill = "808080"
        s.graphicalProperties.line.dashStyle = "dash"
        s.graphicalProperties.line.width = 15875
        chart.series.append(s)
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = xlim
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = ylim
    builder._place_chart(ws, ref, chart, None)


# -- the IPMA map for a deck (PNG + SVG) -------------------------------------------------------

def write_ipma_png(result, path, *, display=None, title: str | None = None) -> dict:
    """The importance-performance map as a 300 dpi PNG at ``path`` and an SVG beside it, written
    atomically: one point per construct (named), dashed quadrant lines at the mean importance and
    mean performance. Returns what was drawn."""
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cxstats.report.atomic import atomic_path

    display = display or i18n.Display()
    ip = result.ipma
    rows = ip["constructs"]
    if not rows:
        raise ValueError("the result has no IPMA rows")
    target = display.name(ip["target"])
    title = title or display.t("pls_png_title", target=target)
    png = Path(path)
    svg = png.with_suffix(".svg")
    fig, ax = plt.subplots(figsize=(8, 5.5))
    try:
        xs = [r["importance"] for r in rows]
        ys = [r["performance"] for r in rows]
        ax.scatter(xs, ys, s=60, color="#1f4e79", zorder=3)
        for r in rows:
            ax.annotate(display.name(r["construct"]), (r["importance"], r["performance"]), xytext=(6, 4),
                        textcoords="offset points", fontsize=9)
        ax.axvline(ip["importance_mean"], color="grey", linestyle="--", linewidth=1)
        ax.axhline(ip["performance_mean"], color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel(display.t("pls_ipma_x"))
        ax.set_ylabel(display.t("pls_ipma_y"))
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        with atomic_path(png) as tmp:
            fig.savefig(tmp, format="png", dpi=300, facecolor="white")
        with atomic_path(svg) as tmp:
            fig.savefig(tmp, format="svg", facecolor="white", metadata={"Date": None})
    finally:
        plt.close(fig)
    return {"png": str(png), "svg": str(svg), "title": title, "importance_cut": ip["importance_mean"],
            "performance_cut": ip["performance_mean"],
            "marks": [{"construct": r["construct"], "importance": r["importance"], "performance": r["performance"]}
                      for r in rows]}


def files(result, options, out_dir, *, display=None, study=None) -> list:
    """A plan's files beside the workbooks: the IPMA map when the step names one (``ipma_png``)."""
    from pathlib import Path

    name = options.get("ipma_png") if isinstance(options, dict) else getattr(options, "ipma_png", None)
    if not name or not result.ipma["constructs"]:
        return []
    out = write_ipma_png(result, Path(out_dir) / name, display=display)
    return [out["png"], out["svg"]]
