"""Layout of ``cfa``: fit, estimates (with R²), and reliability and validity (CR, AVE, HTMT,
Fornell-Larcker) sheets; thresholded cells carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

import pandas as pd

from cxstats.report import verdicts


def sheets(builder, result):
    """Fit, estimates, reliability/validity, HTMT and Fornell-Larcker sheets."""
    tables = result.tables()
    verdicts.add_fit_table(builder, "CFA fit", tables["Fit"], result.fit_verdict,
                           title="Model fit (ML, lavaan-compatible)",
                           note="Fit verdict (Hu & Bentler 1999): good when CFI and TLI >= .95, RMSEA <= .06, "
                                "SRMR <= .08; acceptable when CFI >= .90, RMSEA <= .08, SRMR <= .08; else poor.")
    verdicts.add_estimates(builder, "CFA estimates", tables["Estimates"], title="Parameter estimates",
                           note="=~ loadings, ~~ (residual) variances and covariances, ~ regressions, ~1 "
                                "intercepts; std_all = completely standardized.")
    if "Reliability and validity" in tables:
        rel = tables["Reliability and validity"]
        checks = {c: verdicts.judge(rel, c, "reliability") for c in ("cr", "cr_model", "cr_std") if c in rel.columns}
        checks.update({c: verdicts.judge(rel, c, "ave") for c in ("ave", "ave_std") if c in rel.columns})
        verdicts.add_table(builder, "CFA validity", rel, checks, title="Composite reliability and AVE",
                           note="cr: semTools compRelSEM (observed total variance); cr_model: model-implied "
                                "variance; ave: semTools AVE. Aim for CR >= .70 and AVE >= .50.")
        verdicts.add_discriminant(builder, "CFA validity", result, tables, {
            "HTMT": ("HTMT (geometric, semTools default)", "Discriminant validity is doubtful above 0.85."),
            "HTMT (arithmetic)": ("HTMT (original arithmetic)", None),
            "Fornell-Larcker": ("Fornell-Larcker: sqrt(AVE) on the diagonal, latent correlations off it", None),
            "Discriminant validity": ("Discriminant validity by pair of factors",
                                      "htmt / htmt_arithmetic against the HTMT rule; latent_r against the "
                                      "Fornell-Larcker criterion: |latent_r| <= sqrt_ave_min, the smaller "
                                      "sqrt(AVE) of the two factors."),
        })
        if result.validity_notes:
            builder.add_table("CFA validity", pd.DataFrame({"note": result.validity_notes}),
                              title="Reliability and validity notes")
    if len(tables.get("R2", [])):
        builder.add_table("CFA estimates", tables["R2"], title="R² of the indicators")
