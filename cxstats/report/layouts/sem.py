"""Layout of ``sem``: fit, estimates, defined effects and R² sheets (``SEM ...``, so that they
sit next to the CFA sheets in the measurement workbook); the fit and the standardized loadings
carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

from cxstats.report import verdicts


def sheets(builder, result) -> None:
    for name, df in result.tables().items():
        if name == "Fit":
            verdicts.add_fit_table(builder, f"SEM {name}", df, result.fit_verdict, title=f"Structural model: {name}")
        elif name == "Estimates":
            verdicts.add_estimates(builder, f"SEM {name}", df, title=f"Structural model: {name}")
        else:
            builder.add_table(f"SEM {name}", df, title=f"Structural model: {name}")
