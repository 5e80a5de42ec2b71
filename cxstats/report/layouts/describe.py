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
        "missing_share": {"en": "Missing", "es": "Sin respuesta"},
    })


def sheets(builder, result) -> None:
    d = builder.display
    wide = result.wide()
    pct = {c: "0.0%" for c in wide.columns if c.endswith("_share")}
    builder.add_table("Describe", wide, title=d.t("describe_title"), note=d.t("describe_note"), formats=pct)
