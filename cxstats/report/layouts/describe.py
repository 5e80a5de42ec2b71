"""Layout of ``describe``: one sheet, customers and staff side by side."""

from __future__ import annotations

from cxstats.report import i18n

i18n.register(
    sheets={"Describe": {"en": "Describe", "es": "Descriptivos"}},
    texts={
        "describe_title": {"en": "Descriptives: customers and frontline staff side by side",
                           "es": "Descriptivos: clientes y personal de contacto lado a lado"},
        "describe_note": {"en": "Reverse-keyed items are recoded so that higher is always better.",
                          "es": "Los ítems invertidos se recodifican para que un valor más alto sea siempre mejor."},
        "describe_weighted_note": {
            "en": "Weighted by the survey weights of column {weight}: means, SDs and shares are weighted; n_eff is "
                  "Kish's effective sample size (sum w)^2/sum(w^2), on which the 95% intervals are computed.",
            "es": "Ponderado con los pesos muestrales de la columna {weight}: medias, DE y proporciones ponderadas; "
                  "n efectiva es el tamaño muestral efectivo de Kish (suma w)^2/suma(w^2), con el que se calculan los "
                  "intervalos del 95%."},
    },
    headers={
        "kind": {"en": "Kind", "es": "Tipo"},
        "wording": {"en": "Wording", "es": "Enunciado"},
        "reverse": {"en": "Reverse-keyed", "es": "Invertido"},
        "{g}_n": {"en": "n ({g})", "es": "n ({g})"},
        "{g}_mean": {"en": "Mean ({g})", "es": "Media ({g})"},
        "{g}_sd": {"en": "SD ({g})", "es": "DE ({g})"},
        "{g}_top2_share": {"en": "Top-2-box ({g})", "es": "Top-2-box ({g})"},
        "{g}_missing_share": {"en": "Missing ({g})", "es": "Sin respuesta ({g})"},
        "{g}_n_eff": {"en": "Effective n ({g})", "es": "n efectiva ({g})"},
        "{g}_mean_ci_lower": {"en": "Mean 95% CI lower ({g})", "es": "Media IC 95% inferior ({g})"},
        "{g}_mean_ci_upper": {"en": "Mean 95% CI upper ({g})", "es": "Media IC 95% superior ({g})"},
        "{g}_top2_share_ci_lower": {"en": "Top-2-box 95% CI lower ({g})", "es": "Top-2-box IC 95% inferior ({g})"},
        "{g}_top2_share_ci_upper": {"en": "Top-2-box 95% CI upper ({g})", "es": "Top-2-box IC 95% superior ({g})"},
        "missing_share": {"en": "Missing", "es": "Sin respuesta"},
    })


def sheets(builder, result) -> None:
    d = builder.display
    wide = result.wide()
    pct = {c: "0.0%" for c in wide.columns if c.endswith("_share") or "_share_ci_" in c}
    note = d.t("describe_note")
    if getattr(result, "weight", None):
        note += " " + d.t("describe_weighted_note", weight=result.weight)
    builder.add_table("Describe", wide, title=d.t("describe_title"), note=note, formats=pct)
