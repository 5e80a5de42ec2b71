"""Layout of ``drivers``: the Drivers sheet (importance, IPA with a scatter chart, penalty-reward),
Dominance, Bootstrap and Model sheets; and the importance-performance chart as a PNG
(``--ipa-png``). Layout only: the numbers come from :class:`cxstats.stats.drivers.DriversResult`.
"""

from __future__ import annotations

IMPORTANCE_FORMATS = {"lmg_share": "0.0%", "rw_share": "0.0%", "pvalue_hc3": "0.0000", "pvalue": "0.0000",
                      "rank_lmg": "0", "rank_relative_weight": "0", "vif": "0.00"}


def sheets(builder, result, sheet: str = "Drivers") -> None:
    """Drivers sheet: importance table, IPA table with a native scatter chart,
    penalty-reward table; then dominance and bootstrap sheets when present."""
    tables = result.tables()
    measure = "LMG share of R²" if result.importance_name() == "lmg" else "relative-weight share of R²"
    r2_name = "R²" if result.outcome_type == "continuous" else "R²_O (corr(y, fitted probability)²)"
    builder.add_table(sheet, tables["Importance"],
                      title=f"What drives {result.outcome}: relative importance",
                      note=f"n = {result.n}; {r2_name} = {result.r2:.3f}; importance ranked by {measure}. "
                           "Methods sheet: formulas and sources.",
                      formats=IMPORTANCE_FORMATS, sequential=["lmg_share", "rw_share"])
    if "IPA" in tables:
        ipa = result.ipa
        perf_label = {"mean": "mean score", "top2": "top-2-box share",
                      "gap": "gap to aspiration"}[ipa["performance"]]
        ref = builder.add_table(
            sheet, tables["IPA"], title="Importance-performance analysis",
            note=f"Quadrants split at importance {ipa['importance_cut']:.3f} and performance "
                 f"{ipa['performance_cut']:.3f}. Rule: {ipa['rule']}.",
            formats={"importance": "0.0%", "performance": "0.0%" if ipa["performance"] == "top2" else "0.00"})
        builder.add_scatter_chart(ref, "importance", "performance", title="Importance vs performance",
                                  x_title=f"importance ({ipa['importance']})", y_title=f"performance ({perf_label})",
                                  label=tables["IPA"].columns[0])
    if "Penalty-reward" in tables:
        builder.add_table(sheet, tables["Penalty-reward"], title="Penalty-reward analysis",
                          note="Penalty: change in the outcome for a low rating (vs the middle); reward: "
                               f"for a high rating. Category: {result.penalty_reward['rule']}. Read the "
                               "Methods note on its limits.",
                          diverging=["penalty", "reward"])
    if "Dominance" in tables:
        builder.add_table("Dominance", tables["Dominance"],
                          title="Conditional dominance (mean R² increment by model size k)")
        if "Complete dominance" in tables:
            builder.add_table("Dominance", tables["Complete dominance"],
                              title="Complete dominance (1 = row driver dominates column driver)",
                              formats={d: "0" for d in result.drivers}, freeze=False)
    if "Bootstrap" in tables:
        builder.add_table("Bootstrap", tables["Bootstrap"], title="Bootstrap intervals",
                          note=f"{result.bootstrap.replicates} replicates, {result.bootstrap.ci_level:.0%} "
                               "percentile and BCa intervals; ranks: 1 = most important.",
                          formats={"rank": "0", "rank_lower": "0", "rank_upper": "0", "top_rank_share": "0%"})
    builder.add_table("Model", tables["Model"], title="Model")


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
