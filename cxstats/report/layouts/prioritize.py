"""Layout of ``journeys prioritize``: the ranking with a bar chart of the scores, and the weights."""

from __future__ import annotations

from cxstats.report import i18n

i18n.register(
    sheets={"Journey priority": {"en": "Journey priority", "es": "Prioridad de recorridos"},
            "Weights": {"en": "Weights", "es": "Pesos"}},
    texts={
        "prio_title": {"en": "Journeys ranked by weighted score", "es": "Recorridos ordenados por puntuación ponderada"},
        "prio_note": {"en": "normalisation: {how}; higher = transform first",
                      "es": "normalización: {how}; más alto = transformar primero"},
        "prio_chart": {"en": "Weighted priority score", "es": "Puntuación de prioridad ponderada"},
        "prio_weights": {"en": "Criterion weights (sum to 1)", "es": "Pesos de los criterios (suman 1)"},
    },
    headers={
        "journey": {"en": "Journey", "es": "Recorrido"},
        "score": {"en": "Score", "es": "Puntuación"},
        "criterion": {"en": "Criterion", "es": "Criterio"},
        "weight": {"en": "Weight", "es": "Peso"},
    })


def sheets(wb, result) -> None:
    d = wb.display
    tables = result.tables()
    ref = wb.add_table("Journey priority", tables["ranking"], title=d.t("prio_title"),
                       note=d.t("prio_note", how=result.normalisation), sequential=["score"])
    if len(tables["ranking"]) > 1:
        scores = tables["ranking"]["score"]
        wb.add_bar_chart(ref, "journey", ["score"], title=d.t("prio_chart"), horizontal=True,
                         y_min=0 if scores.min() >= 0 else None)  # bar lengths compare from 0
    wb.add_table("Weights", tables["weights"], title=d.t("prio_weights"))
