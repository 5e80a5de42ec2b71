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
                      note=d.t("drv_note", n=result.n, r2name=r2_name, r2=f"{result.r2:.3f}", measure=measure),
                      formats=IMPORTANCE_FORMATS, sequential=["lmg_share", "rw_share"])
    if "IPA" in tables:
        ipa = result.ipa
        perf_label = d.t({"mean": "drv_perf_mean", "top2": "drv_perf_top2",
                          "gap": "drv_perf_gap"}[ipa["performance"]])
        ref = builder.add_table(
            sheet, _quadrants(d, tables["IPA"]), title=d.t("ipa_title"),
            note=d.t("ipa_note", ic=f"{ipa['importance_cut']:.3f}", pc=f"{ipa['performance_cut']:.3f}",
                     rule=ipa["rule"]),
            formats={"importance": "0.0%", "performance": "0.0%" if ipa["performance"] == "top2" else "0.00"})
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


def write_ipa_png(result, path, *, title: str | None = None) -> None:
    """Importance (x) against performance (y), quadrant lines and labels; written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cxstats.report.atomic import atomic_path

    ipa = result.ipa
    rows = ipa["rows"]
    xs = [r["importance"] for r in rows]
    ys = [r["performance"] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 6), dpi=120)
    try:
        ax.scatter(xs, ys, color="#1F3864", zorder=3)
        for r in rows:
            ax.annotate(r["driver"], (r["importance"], r["performance"]), textcoords="offset points",
                        xytext=(5, 4), fontsize=8)
        ax.axvline(ipa["importance_cut"], color="grey", linestyle="--", linewidth=1)
        ax.axhline(ipa["performance_cut"], color="grey", linestyle="--", linewidth=1)
        for (hx, hy), label in {((0.98, 0.02), "Concentrate here"), ((0.98, 0.98), "Keep up the good work"),
                                ((0.02, 0.02), "Low priority"), ((0.02, 0.98), "Possible overkill")}:
            ax.text(hx, hy, label, transform=ax.transAxes, ha="right" if hx > 0.5 else "left",
                    va="top" if hy > 0.5 else "bottom", fontsize=9, color="#7F7F7F", style="italic")
        ax.set_xlabel(f"importance ({ipa['importance']})")
        ax.set_ylabel(f"performance ({ipa['performance']})")
        ax.set_title(title or f"Importance-performance: {result.outcome} (n = {result.n})")
        ax.grid(alpha=0.3)
        ax.margins(0.12)
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
