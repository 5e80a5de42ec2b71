"""Layout of ``profiles``: the grid (shares with CIs, a native 2x2 chart of the four profiles),
what distinguishes each profile, the lifecycle cross-tab, segments and the drivers of loyalty.
Names and texts in the study's language (``builder.display``)."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.report.layouts import drivers as _drivers  # noqa: F401  (the loyalty-drivers table's headers)
from cxstats.stats.profiles import ProfilesResult

i18n.register(texts={
    "profiles_loyalist": {"en": "Loyalist (apostle)", "es": "Leal (apóstol)"},
    "profiles_mercenary": {"en": "Mercenary", "es": "Mercenario"},
    "profiles_hostage": {"en": "Hostage", "es": "Rehén"},
    "profiles_defector": {"en": "Defector", "es": "Desertor"},
    "profiles_sheet": {"en": "Profiles", "es": "Perfiles"},
    "profiles_tests_sheet": {"en": "Profile tests", "es": "Pruebas de perfiles"},
    "profiles_title": {"en": "Customer profiles: satisfaction x repurchase intention",
                       "es": "Perfiles de cliente: satisfacción x intención de recompra"},
    "profiles_note": {"en": "High = answer >= cut-off ({sat}: {sat_cut}; {rep}: {rep_cut}; {rule}). "
                            "{level} CI of each share: {method}. n = {n} customers.",
                      "es": "Alto = respuesta >= punto de corte ({sat}: {sat_cut}; {rep}: {rep_cut}; {rule}). "
                            "IC {level} de cada proporción: {method}. n = {n} clientes."},
    "profiles_chart": {"en": "Profiles: mean satisfaction and repurchase intention",
                       "es": "Perfiles: satisfacción e intención de recompra medias"},
    "profiles_means": {"en": "Mean scores by profile", "es": "Puntuaciones medias por perfil"},
    "profiles_diffs": {"en": "Each profile against the other customers (Welch; Holm and BH adjusted)",
                       "es": "Cada perfil frente al resto de clientes (Welch; ajuste de Holm y BH)"},
    "profiles_lifecycle": {"en": "Profiles by lifecycle stage ({segment})",
                           "es": "Perfiles por etapa del ciclo de vida ({segment})"},
    "profiles_segtests": {"en": "Profile x segment: chi-square tests",
                          "es": "Perfil x segmento: pruebas chi-cuadrado"},
    "profiles_segcells": {"en": "Profile x segment cells: adjusted standardized residuals (|z| > 1.96: unusual)",
                          "es": "Celdas perfil x segmento: residuos estandarizados ajustados (|z| > 1,96: inusual)"},
    "profiles_drivers": {"en": "What makes a loyalist rather than a hostage or mercenary (relative weights, logit)",
                         "es": "Qué hace leal a un cliente frente a rehén o mercenario (pesos relativos, logit)"},
    "profiles_col_profile": {"en": "profile", "es": "perfil"},
    "profiles_col_variable": {"en": "variable", "es": "variable"},
    "profiles_col_stage": {"en": "stage", "es": "etapa"},
    "profiles_col_value": {"en": "value", "es": "valor"},
    "profiles_col_segment": {"en": "segment", "es": "segmento"},
    "profiles_col_driver": {"en": "driver", "es": "impulsor"},
    "profiles_satisfaction": {"en": "Satisfaction", "es": "Satisfacción"},
    "profiles_repurchase": {"en": "Repurchase intention", "es": "Intención de recompra"},
    "profiles_top2": {"en": "top-2-box on both", "es": "top-2-box en ambas (los dos códigos más altos)"},
    "profiles_wilson": {"en": "Wilson, each share on its own", "es": "Wilson, cada proporción por separado"},
    "profiles_goodman": {"en": "Goodman, simultaneous for the four shares",
                         "es": "Goodman, simultáneo para las cuatro proporciones"},
    # column headers of the profile tables (the result's codes stay the JSON keys)
    "profiles_h_share": {"en": "Share", "es": "Proporción"},
    "profiles_h_ci_lower": {"en": "{level} CI lower", "es": "IC {level} inferior"},
    "profiles_h_ci_upper": {"en": "{level} CI upper", "es": "IC {level} superior"},
    "profiles_h_mean_of": {"en": "{what} (mean)", "es": "{what} (media)"},
    "profiles_h_mean_rest": {"en": "Mean (other customers)", "es": "Media (resto de clientes)"},
    "profiles_h_n_rest": {"en": "n (other customers)", "es": "n (resto de clientes)"},
    "profiles_h_kind": {"en": "Kind", "es": "Tipo"},
    "profiles_h_chisq": {"en": "Chi-square", "es": "Chi-cuadrado"},
    "profiles_h_min_expected": {"en": "Smallest expected count", "es": "Menor frecuencia esperada"},
    "profiles_h_share_of_profile": {"en": "Share of the profile", "es": "Proporción del perfil"},
    "profiles_h_adj_residual": {"en": "Adjusted standardized residual", "es": "Residuo estandarizado ajustado"},
    "profiles_h_n_of": {"en": "n ({profile})", "es": "n ({profile})"},
    "profiles_h_diff": {"en": "Difference", "es": "Diferencia"},
    "profiles_h_welch_t": {"en": "Welch t", "es": "t de Welch"},
    "profiles_h_welch_df": {"en": "Welch df", "es": "gl de Welch"},
    "profiles_h_df": {"en": "df", "es": "gl"},
    "profiles_h_p_holm": {"en": "p (Holm)", "es": "p (Holm)"},
    "profiles_h_p_bh": {"en": "p (BH)", "es": "p (BH)"},
    "profiles_h_share_of": {"en": "Share ({profile})", "es": "Proporción ({profile})"},
    # the finance columns are compared under their role in the spec's finance: block
    "profiles_finance_revenue": {"en": "Revenue", "es": "Ingresos"},
    "profiles_finance_churn": {"en": "Churn rate", "es": "Tasa de abandono"},
    "profiles_finance_share_of_wallet": {"en": "Share of wallet", "es": "Cuota de gasto"},
})

CODES = ("loyalist", "mercenary", "hostage", "defector")


def _variable(d, code) -> str:
    """A compared variable for a reader: a spec name, else a finance role's name, else the code."""
    code = str(code)
    if code not in d.names and f"profiles_finance_{code}" in i18n.TEXTS:
        return d.t(f"profiles_finance_{code}")
    return d.name(code)


def _value(d, labels: dict, segment, code) -> str:
    """A segment value (a lifecycle stage) by the spec's name in the workbook's language."""
    return labels.get(str(segment), {}).get(str(code)) or d.name(code)


def _headers(d, columns, level: str) -> dict:
    """Headers of the profile tables' own columns in the workbook's language (codes kept)."""
    out = {}
    for col in map(str, columns):
        if col in ("share", "chisq", "min_expected", "share_of_profile", "adj_residual", "mean_rest", "n_rest",
                   "kind", "diff", "welch_t", "welch_df", "df", "p_holm", "p_bh"):
            out[col] = d.t(f"profiles_h_{col}")
        elif col in ("share_ci_lower", "share_ci_upper"):
            out[col] = d.t(f"profiles_h_ci_{col.rsplit('_', 1)[1]}", level=level)
        elif col in ("satisfaction_mean", "repurchase_mean"):
            out[col] = d.t("profiles_h_mean_of", what=d.t(f"profiles_{col.split('_')[0]}"))
        else:
            code, _, tail = col.rpartition("_")
            if code in CODES and tail in ("n", "share"):
                out[col] = d.t(f"profiles_h_{tail}_of", profile=d.t(f"profiles_{code}"))
    return out


def sheets(builder, result: ProfilesResult) -> None:
    d = builder.display
    name = lambda code: d.t(f"profiles_{code}") if code in CODES else d.name(code)  # noqa: E731
    level = f"{result.level:.0%}"
    labels = (getattr(result, "value_labels", None) or {}).get(d.lang, {})
    main, tests = d.t("profiles_sheet"), d.t("profiles_tests_sheet")
    grid = result.profile_table()
    means = list(result.profiles[0]["means"]) if result.profiles else []
    head = grid[[c for c in grid.columns if c not in means]].copy()
    head["profile"] = [name(p) for p in head["profile"]]
    head = head.rename(columns={"profile": d.t("profiles_col_profile")})
    note = d.t("profiles_note", sat=d.name(result.satisfaction), rep=d.name(result.repurchase),
               sat_cut=f"{result.sat_cut:g}", rep_cut=f"{result.rep_cut:g}",
               rule=d.t("profiles_top2") if result.cut_rule.startswith("top-2-box on both") else result.cut_rule,
               level=f"{result.level:.0%}", method=d.t(f"profiles_{result.ci_method}"), n=result.n)
    fm = {"n": "0", "satisfaction_mean": "0.00", "repurchase_mean": "0.00", "nps": "0.0"}
    ref = builder.add_table(main, head, title=d.t("profiles_title"), note=note, formats=fm,
                            headers=_headers(d, head.columns, level))
    builder.add_scatter_chart(ref, "satisfaction_mean", "repurchase_mean", label=d.t("profiles_col_profile"),
                              title=d.t("profiles_chart"), x_title=d.t("profiles_satisfaction"),
                              y_title=d.t("profiles_repurchase"))
    if means:
        tab = grid[["profile", *means]].copy()
        tab["profile"] = [name(p) for p in tab["profile"]]
        tab = tab.set_index("profile").T.reset_index()
        tab.insert(0, d.t("profiles_col_variable"), [_variable(d, v) for v in tab.pop("index")])
        builder.add_table(main, tab, title=d.t("profiles_means"), formats={c: "0.00" for c in tab.columns[1:]})
    tables = result.tables()
    if result.lifecycle_rows:
        lc = tables["Lifecycle"].copy()
        lc["stage"] = [_value(d, labels, result.lifecycle, s) for s in lc["stage"]]
        lc = lc.rename(columns={"stage": d.t("profiles_col_stage")})
        builder.add_table(main, lc, title=d.t("profiles_lifecycle", segment=d.name(result.lifecycle)),
                          sequential=[c for c in lc.columns if c.endswith("_share")],
                          headers=_headers(d, lc.columns, level))
    if "Differences" in tables:
        df = tables["Differences"].copy()
        df["profile"] = [name(p) for p in df["profile"]]
        df["variable"] = [_variable(d, v) for v in df["variable"]]
        df = df.rename(columns={"profile": d.t("profiles_col_profile"), "variable": d.t("profiles_col_variable")})
        builder.add_table(tests, df, title=d.t("profiles_diffs"), diverging=["diff"],
                          formats={"mean": "0.00", "mean_rest": "0.00", "diff": "0.00", "welch_t": "0.00",
                                   "welch_df": "0.0"}, headers=_headers(d, df.columns, level))
    if "Segment tests" in tables:
        st = tables["Segment tests"].copy()
        st["segment"] = [d.name(s) for s in st["segment"]]
        builder.add_table(tests, st.rename(columns={"segment": d.t("profiles_col_segment")}),
                          title=d.t("profiles_segtests"), formats={"chisq": "0.00", "min_expected": "0.0"},
                          headers=_headers(d, st.columns, level))
        sc = tables["Segment cells"].copy()
        sc["value"] = [_value(d, labels, g, v) for g, v in zip(sc["segment"], sc["value"])]
        sc["segment"] = [d.name(s) for s in sc["segment"]]
        sc["profile"] = [name(p) for p in sc["profile"]]
        sc = sc.rename(columns={"segment": d.t("profiles_col_segment"), "value": d.t("profiles_col_value"),
                                "profile": d.t("profiles_col_profile")})
        builder.add_table(tests, sc, title=d.t("profiles_segcells"), diverging=["adj_residual"],
                          formats={"adj_residual": "0.00", "share_of_profile": "0.0%"},
                          headers=_headers(d, sc.columns, level))
    if "Loyalty drivers" in tables:
        dr = tables["Loyalty drivers"].copy()
        dr["driver"] = [d.name(v) for v in dr["driver"]]
        builder.add_table(tests, dr.rename(columns={"driver": d.t("profiles_col_driver")}),
                          title=d.t("profiles_drivers"), sequential=["rw_share"])
