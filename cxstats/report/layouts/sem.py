"""Layout of ``sem``: fit, estimates, defined effects and R² sheets (``SEM ...``, so that they
sit next to the CFA sheets in the measurement workbook)."""

from __future__ import annotations


def sheets(builder, result) -> None:
    from cxstats.report.layouts import cfa  # noqa: F401 - registers the modification-index texts

    for name, df in result.tables().items():
        note = builder.display.t("cfa_mi_note") if name == "Modification indices" else None
        builder.add_table(f"SEM {name}", df, title=f"Structural model: {name}", note=note)
