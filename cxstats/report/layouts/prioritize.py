"""Layout of ``journeys prioritize``: the ranking with a bar chart of the scores, and the weights."""

from __future__ import annotations


def sheets(wb, result) -> None:
    tables = result.tables()
    ref = wb.add_table("Journey priority", tables["ranking"], title="Journeys ranked by weighted score",
                       note=f"normalisation: {result.normalisation}; higher = transform first",
                       sequential=["score"])
    if len(tables["ranking"]) > 1:
        scores = tables["ranking"]["score"]
        wb.add_bar_chart(ref, "journey", ["score"], title="Weighted priority score", horizontal=True,
                         y_min=0 if scores.min() >= 0 else None)  # bar lengths compare from 0
    wb.add_table("Weights", tables["weights"], title="Criterion weights (sum to 1)")
