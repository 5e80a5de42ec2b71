"""Layout of ``sem``: fit, estimates, defined effects and R² sheets (``SEM ...``, so that they
sit next to the CFA sheets in the measurement workbook)."""

from __future__ import annotations


def sheets(builder, result) -> None:
    for name, df in result.tables().items():
        builder.add_table(f"SEM {name}", df, title=f"Structural model: {name}")
