"""Layout of ``verbatims``: themes and topics x NPS group (shares, adjusted residuals coloured,
significance after Holm), quotes per theme and topic, new themes, distinguishing words, impact
on NPS, weekly shares, and the staff blind spots. Texts in the workbook's language."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.verbatims import VerbatimsResult

i18n.register(texts={
    "verb_sheet": {"en": "Verbatims", "es": "Verbatims"},
    "verb_quotes_sheet": {"en": "Quotes", "es": "Citas"},
    "verb_new_sheet": {"en": "New themes", "es": "Temas nuevos"},
    "verb_words_sheet": {"en": "Distinctive words", "es": "Palabras distintivas"},
    "verb_staff_sheet": {"en": "Blind spots", "es": "Puntos ciegos"},
    "verb_segment_sheet": {"en": "By segment", "es": "Por segmento"},
    "verb_segment": {"en": "Themes and topics by {name} (share; adjusted residual; Holm-adjusted p of the "
                           "chi-square test; groups under {min_n} answers suppressed)",
                     "es": "Temas y tópicos por {name} (proporción; residuo ajustado; p de la prueba "
                           "chi-cuadrado ajustada por Holm; grupos con menos de {min_n} respuestas suprimidos)"},
    "verb_staff_groups": {"en": "What staff hear, by {name} (groups under {min_n} staff answers suppressed)",
                          "es": "Lo que escucha el personal, por {name} (grupos con menos de {min_n} respuestas "
                                "suprimidos)"},
    "verb_title": {"en": "Themes and topics by NPS group", "es": "Temas y tópicos por grupo NPS"},
    "verb_note": {"en": "{valid} answers analysed of {answers} ({empty} empty set aside); {scrubbed} personal data "
                        "items scrubbed. Share = answers mentioning it, Wilson 95% CI. Residual columns: adjusted "
                        "standardized residuals (|r| > 1.96: more or fewer mentions than expected); significant = "
                        "chi-square p < 0.05 after Holm.",
                  "es": "{valid} respuestas analizadas de {answers} ({empty} vacías apartadas); {scrubbed} datos "
                        "personales eliminados. Proporción = respuestas que lo mencionan, IC de Wilson al 95 %. "
                        "Columnas de residuo: residuos estandarizados ajustados (|r| > 1,96: más o menos menciones "
                        "de lo esperado); significativo = chi-cuadrado p < 0,05 tras Holm."},
    "verb_topics_note": {"en": "Topics: TF-IDF + NMF, {k} topics chosen by {criterion}.",
                         "es": "Tópicos: TF-IDF + NMF, {k} tópicos elegidos por {criterion}."},
    "verb_stability": {"en": "stability over subsamples", "es": "estabilidad entre submuestras"},
    "verb_fixed": {"en": "the user (fixed)", "es": "el usuario (fijo)"},
    "verb_quotes": {"en": "Quotes per theme and topic (personal data scrubbed)",
                    "es": "Citas por tema y tópico (datos personales eliminados)"},
    "verb_new": {"en": "Discovered topics no codebook theme covers (under half of their answers carry a theme)",
                 "es": "Tópicos descubiertos que ningún tema del libro de códigos cubre (menos de la mitad de "
                       "sus respuestas tienen un tema)"},
    "verb_no_new": {"en": "Every discovered topic matches a codebook theme.",
                    "es": "Todos los tópicos descubiertos corresponden a un tema del libro de códigos."},
    "verb_words": {"en": "Words that distinguish detractors from promoters (weighted log-odds, informative "
                         "Dirichlet prior; |z| > 1.96)",
                   "es": "Palabras que distinguen a detractores de promotores (log-odds ponderado, prior de "
                         "Dirichlet informativo; |z| > 1,96)"},
    "verb_impact": {"en": "What each theme costs in NPS points (OLS, HC3; other themes held fixed)",
                    "es": "Cuántos puntos de NPS cuesta cada tema (MCO, HC3; resto de temas constantes)"},
    "verb_tracking": {"en": "Theme shares per week", "es": "Proporción de cada tema por semana"},
    "verb_staff": {"en": "Blind spots: customers' detractors against frontline staff (Newcombe 95% CI)",
                   "es": "Puntos ciegos: detractores frente a personal de contacto (IC de Newcombe al 95 %)"},
    "verb_spearman": {"en": "Rank agreement (Spearman): rho = {rho:.2f}, p = {p:.3f}, {n} themes.",
                      "es": "Concordancia de rangos (Spearman): rho = {rho:.2f}, p = {p:.3f}, {n} temas."},
    "verb_kind_theme": {"en": "theme", "es": "tema"},
    "verb_kind_topic": {"en": "topic", "es": "tópico"},
    "verb_yes": {"en": "yes", "es": "sí"},
    "verb_no": {"en": "no", "es": "no"},
    "verb_customers_more": {"en": "customers raise it more", "es": "los clientes lo mencionan más"},
    "verb_staff_more": {"en": "staff raise it more", "es": "el personal lo menciona más"},
    "verb_aligned": {"en": "aligned", "es": "alineado"},
    "verb_suppressed": {"en": "suppressed (n < minimum)", "es": "suprimido (n < mínimo)"},
    "verb_detractor": {"en": "detractors", "es": "detractores"},
    "verb_promoter": {"en": "promoters", "es": "promotores"},
}, headers={
    "verb_kind": {"en": "Kind", "es": "Tipo"},
    "verb_n": {"en": "n", "es": "n"},
    "verb_base": {"en": "Base", "es": "Base"},
    "verb_group": {"en": "Group", "es": "Grupo"},
    "verb_respondent": {"en": "Respondent", "es": "Encuestado"},
    "verb_p_holm": {"en": "p (Holm)", "es": "p (Holm)"},
    "verb_suppressed": {"en": "Suppressed", "es": "Suprimido"},
    "verb_residual": {"en": "Adjusted residual", "es": "Residuo ajustado"},
    "verb_diff": {"en": "Difference", "es": "Diferencia"},
    "verb_diff_lower": {"en": "Difference 95% CI lower", "es": "Diferencia: IC 95 % inferior"},
    "verb_diff_upper": {"en": "Difference 95% CI upper", "es": "Diferencia: IC 95 % superior"},
    "verb_customer_k": {"en": "Detractors mentioning", "es": "Detractores que lo mencionan"},
    "verb_staff_k": {"en": "Staff mentioning", "es": "Personal que lo menciona"},
    "verb_count_detractor": {"en": "Count detractors", "es": "Frecuencia detractores"},
    "verb_count_promoter": {"en": "Count promoters", "es": "Frecuencia promotores"},
    "verb_z": {"en": "z", "es": "z"},
    "verb_b": {"en": "NPS points (b)", "es": "Puntos NPS (b)"},
    "verb_se_hc3": {"en": "SE (HC3)", "es": "EE (HC3)"},
    "verb_p_hc3": {"en": "p (HC3)", "es": "p (HC3)"},
    "verb_lmg": {"en": "LMG", "es": "LMG"},
    "verb_lmg_share": {"en": "LMG share of R²", "es": "Cuota LMG del R²"},
    "verb_std_beta": {"en": "Standardized beta", "es": "Beta estandarizada"},
    "verb_label": {"en": "Theme / topic", "es": "Tema / tópico"},
    "verb_share": {"en": "Share", "es": "Proporción"},
    "verb_ci_lower": {"en": "95% CI lower", "es": "IC 95 % inferior"},
    "verb_ci_upper": {"en": "95% CI upper", "es": "IC 95 % superior"},
    "verb_staff_n": {"en": "n staff", "es": "n personal"},
    "verb_customer_n": {"en": "n detractors", "es": "n detractores"},
    "verb_terms": {"en": "Terms", "es": "Términos"},
    "verb_share_detractor": {"en": "Share detractors", "es": "Proporción detractores"},
    "verb_share_passive": {"en": "Share passives", "es": "Proporción pasivos"},
    "verb_share_promoter": {"en": "Share promoters", "es": "Proporción promotores"},
    "verb_res_detractor": {"en": "Residual detractors", "es": "Residuo detractores"},
    "verb_res_passive": {"en": "Residual passives", "es": "Residuo pasivos"},
    "verb_res_promoter": {"en": "Residual promoters", "es": "Residuo promotores"},
    "verb_significant": {"en": "Significant (Holm)", "es": "Significativo (Holm)"},
    "verb_quote": {"en": "Quote", "es": "Cita"},
    "verb_matched_theme": {"en": "Closest theme", "es": "Tema más cercano"},
    "verb_codebook_coverage": {"en": "Covered by codebook", "es": "Cubierto por el libro de códigos"},
    "verb_term": {"en": "Word", "es": "Palabra"},
    "verb_log_odds": {"en": "Log-odds", "es": "Log-odds"},
    "verb_theme": {"en": "Theme", "es": "Tema"},
    "verb_period": {"en": "Week", "es": "Semana"},
    "verb_customer_share": {"en": "Share detractors", "es": "Proporción detractores"},
    "verb_staff_share": {"en": "Share staff", "es": "Proporción personal"},
    "verb_customer_rank": {"en": "Rank customers", "es": "Rango clientes"},
    "verb_staff_rank": {"en": "Rank staff", "es": "Rango personal"},
    "verb_verdict": {"en": "Verdict", "es": "Veredicto"},
})


CODES = {"kind": "verb_kind", "n": "verb_n", "base": "verb_base", "group": "verb_group",
         "respondent_id": "verb_respondent", "p_holm": "verb_p_holm", "suppressed": "verb_suppressed",
         "adj_residual": "verb_residual", "share": "verb_share", "share_ci_lower": "verb_ci_lower",
         "share_ci_upper": "verb_ci_upper", "diff": "verb_diff", "diff_ci_lower": "verb_diff_lower",
         "diff_ci_upper": "verb_diff_upper", "customer_k": "verb_customer_k", "staff_k": "verb_staff_k",
         "count_detractor": "verb_count_detractor", "count_promoter": "verb_count_promoter", "z": "verb_z",
         "b": "verb_b", "se_hc3": "verb_se_hc3", "pvalue_hc3": "verb_p_hc3", "lmg": "verb_lmg",
         "lmg_share": "verb_lmg_share", "std_beta": "verb_std_beta", "verdict": "verb_verdict",
         "customer_n": "verb_customer_n", "staff_n": "verb_staff_n",
         "terms": "verb_terms", "share_detractor": "verb_share_detractor",
         "share_passive": "verb_share_passive", "share_promoter": "verb_share_promoter",
         "res_detractor": "verb_res_detractor", "res_passive": "verb_res_passive",
         "res_promoter": "verb_res_promoter", "quote": "verb_quote", "matched_theme": "verb_matched_theme",
         "codebook_coverage": "verb_codebook_coverage", "term": "verb_term", "log_odds": "verb_log_odds",
         "theme": "verb_theme", "period": "verb_period", "customer_share": "verb_customer_share",
         "staff_share": "verb_staff_share", "customer_rank": "verb_customer_rank",
         "staff_rank": "verb_staff_rank"}


def _add(builder, sheet, df, *, formats=None, diverging=None, **kw):
    """add_table with this layout's own header codes (registered above, in both languages)."""
    code = lambda c: CODES.get(c, c)  # noqa: E731
    return builder.add_table(sheet, df.rename(columns=code), formats={code(k): v for k, v in (formats or {}).items()},
                             diverging=[code(c) for c in diverging or []] or None, **kw)


def _name(result, d, kind, ident):
    if kind == "theme":
        names = result.theme_names.get(ident) or {}
        return names.get(d.lang) or next(iter(names.values()), ident)
    return ident


def sheets(builder, result: VerbatimsResult) -> None:
    import pandas as pd

    d = builder.display
    main = d.t("verb_sheet")
    rows = []
    for kind, items in (("theme", result.themes), ("topic", result.topics)):
        for t in items:
            row = {"kind": d.t(f"verb_kind_{kind}"), "verb_label": _name(result, d, kind, t[kind]),
                   "terms": ", ".join(t["terms"][:6]), "n": t["n"], "verb_share": t["share"],
                   "verb_ci_lower": t["share_ci_lower"], "verb_ci_upper": t["share_ci_upper"]}
            for g in t["by_group"]:
                row[f"share_{g['group']}"] = g["share"]
            for g in t["by_group"]:
                row[f"res_{g['group']}"] = g["adj_residual"]
            if t["by_group"]:
                ph = t.get("p_holm")
                row["verb_significant"] = d.t("verb_yes") if ph is not None and ph < 0.05 else d.t("verb_no")
            rows.append(row)
    df = pd.DataFrame(rows)
    pct = {c: "0.0%" for c in df.columns if c.startswith(("share", "verb_share", "verb_ci"))}
    pct.update({c: "0.00" for c in df.columns if c.startswith("res_")})
    crit = result.topic_selection.get("criterion", "")
    note = d.t("verb_note", valid=result.n_valid, answers=result.n_answers, empty=result.n_empty,
               scrubbed=result.scrubbed) + " " + d.t(
        "verb_topics_note", k=result.topic_selection["k"],
        criterion=d.t("verb_stability") if crit.startswith("stability") else d.t("verb_fixed"))
    _add(builder, main, df, title=d.t("verb_title"), note=note, formats=pct,
                      diverging=[c for c in df.columns if c.startswith("res_")])
    if result.impact:
        imp = pd.DataFrame(result.impact["themes"])
        imp.insert(0, "verb_label", [_name(result, d, "theme", t) for t in imp.pop("theme")])
        _add(builder, main, imp, title=d.t("verb_impact"),
                          formats={"b": "0.0", "se_hc3": "0.0", "lmg": "0.000", "lmg_share": "0.0%",
                                   "std_beta": "0.000"}, diverging=["b"])
    if result.tracking:
        tr = pd.DataFrame(result.tracking)
        tr["theme"] = [_name(result, d, "theme", t) for t in tr["theme"]]
        wide = tr.pivot(index="theme", columns="period", values="share").reset_index()
        _add(builder, main, wide, title=d.t("verb_tracking"),
                          formats={c: "0.0%" for c in wide.columns if c != "theme"})
    # by segment (and touchpoint)
    if result.by_segment:
        seg = pd.DataFrame(result.by_segment)
        for name in dict.fromkeys(seg["breakdown"]):
            part = seg[seg["breakdown"] == name].copy()
            part["kind"] = [d.t(f"verb_kind_{k}") for k in part["kind"]]
            part.insert(1, "verb_label", [_name(result, d, "theme" if k == d.t("verb_kind_theme") else "topic", i)
                                          for k, i in zip(part["kind"], part["id"])])
            part = part.drop(columns=["breakdown", "id"])
            _add(builder, d.t("verb_segment_sheet"), part,
                              title=d.t("verb_segment", name=d.name(name), min_n=result.settings["min_n"]),
                              formats={"share": "0.0%", "share_ci_lower": "0.0%", "share_ci_upper": "0.0%",
                                       "adj_residual": "0.00"}, diverging=["adj_residual"])
    # quotes
    qrows = []
    for kind, items in (("theme", result.themes), ("topic", result.topics)):
        for t in items:
            for q in t.get("quotes", []):
                qrows.append({"kind": d.t(f"verb_kind_{kind}"), "verb_label": _name(result, d, kind, t[kind]),
                              "respondent_id": q["respondent_id"], "quote": q["text"]})
    if qrows:
        _add(builder, d.t("verb_quotes_sheet"), pd.DataFrame(qrows), title=d.t("verb_quotes"))
    new = [t for t in result.topics if t["new_theme"]]
    if new:
        nd = pd.DataFrame([{"verb_label": t["topic"], "terms": ", ".join(t["terms"][:8]), "n": t["n"],
                            "verb_share": t["share"], "matched_theme": _name(result, d, "theme", t["matched_theme"])
                            if t["matched_theme"] else "", "codebook_coverage": t["codebook_coverage"],
                            "quote": " | ".join(q["text"] for q in t["quotes"])} for t in new])
        _add(builder, d.t("verb_new_sheet"), nd, title=d.t("verb_new"),
                          formats={"verb_share": "0.0%", "codebook_coverage": "0.0%"})
    else:
        _add(builder, d.t("verb_new_sheet"), pd.DataFrame({"verb_label": []}), title=d.t("verb_no_new"))
    if result.distinctive_terms:
        dt = pd.DataFrame(result.distinctive_terms).drop(columns=["stem"])
        dt["group"] = [d.t(f"verb_{g}") for g in dt["group"]]
        _add(builder, d.t("verb_words_sheet"), dt, title=d.t("verb_words"),
                          formats={"log_odds": "0.000", "z": "0.00"})
    if result.blind_spots:
        bs = pd.DataFrame(result.blind_spots)
        bs.insert(0, "verb_label", [_name(result, d, "theme", t) for t in bs.pop("theme")])
        bs["verdict"] = [d.t(f"verb_{v}") for v in bs["verdict"]]
        sp = result.blind_spots_spearman
        note = d.t("verb_spearman", rho=sp["rho"], p=sp["pvalue"], n=sp["n_themes"]) if sp else None
        _add(builder, d.t("verb_staff_sheet"), bs, title=d.t("verb_staff"), note=note,
                          formats={c: "0.0%" for c in ("customer_share", "staff_share", "diff", "diff_ci_lower",
                                                        "diff_ci_upper")}, diverging=["diff"])
    staff = result.staff or {}
    if staff.get("by_group"):
        sg = pd.DataFrame(staff["by_group"])
        for name in dict.fromkeys(sg["breakdown"]):
            part = sg[sg["breakdown"] == name].drop(columns=["breakdown"]).copy()
            part.insert(0, "verb_label", [_name(result, d, "theme", t) for t in part.pop("theme")])
            _add(builder, d.t("verb_staff_sheet"), part,
                              title=d.t("verb_staff_groups", name=d.name(name),
                                        min_n=result.settings["min_staff_n"]),
                              formats={"share": "0.0%", "share_ci_lower": "0.0%", "share_ci_upper": "0.0%"})
