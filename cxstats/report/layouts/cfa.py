"""Layout of ``cfa``: fit, estimates (with R²), and reliability and validity (CR, AVE, HTMT,
Fornell-Larcker) sheets."""

from __future__ import annotations

import pandas as pd

from cxstats.report import i18n

i18n.register(
    texts={
        "cfa_mi_title": {"en": "Modification indices (largest first)",
                         "es": "Índices de modificación (de mayor a menor)"},
        "cfa_mi_note": {"en": "mi: expected drop of the chi-square if the parameter were freed (1 df); epc: its expected "
                              "value; sepc_all: standardized. Exploratory: free a parameter only with a substantive "
                              "reason, one at a time, and confirm it on new data.",
                        "es": "mi: descenso esperado de la chi-cuadrado si se liberara el parámetro (1 gl); epc: su "
                              "valor esperado; sepc_all: estandarizado. Es exploratorio: libere un parámetro solo con "
                              "una razón de fondo, de uno en uno, y confírmelo con datos nuevos."},
    },
    headers={
        "mi": {"en": "Modification index", "es": "Índice de modificación"},
        "epc": {"en": "Expected change (epc)", "es": "Cambio esperado (epc)"},
        "sepc_all": {"en": "Standardized expected change", "es": "Cambio esperado estandarizado"},
    },
)


def sheets(builder, result):
    """Fit, estimates, reliability/validity, HTMT and Fornell-Larcker sheets."""
    tables = result.tables()
    builder.add_table("CFA fit", tables["Fit"], title="Model fit (ML, lavaan-compatible)",
                      note="Fit verdict (Hu & Bentler 1999): good when CFI and TLI >= .95, RMSEA <= .06, "
                           "SRMR <= .08; acceptable when CFI >= .90, RMSEA <= .08, SRMR <= .08; else poor.")
    builder.add_table("CFA estimates", tables["Estimates"], title="Parameter estimates",
                      note="=~ loadings, ~~ (residual) variances and covariances, ~ regressions, ~1 "
                           "intercepts; std_all = completely standardized.",
                      sequential=["std_all"])
    if "Reliability and validity" in tables:
        builder.add_table("CFA validity", tables["Reliability and validity"],
                          title="Composite reliability and AVE",
                          note="cr: semTools compRelSEM (observed total variance); cr_model: model-implied "
                               "variance; ave: semTools AVE. Aim for CR >= .70 and AVE >= .50.",
                          sequential=["cr", "ave"])
        builder.add_table("CFA validity", tables["HTMT"], title="HTMT (geometric, semTools default)",
                          note="Discriminant validity is doubtful above 0.85.")
        builder.add_table("CFA validity", tables["HTMT (arithmetic)"], title="HTMT (original arithmetic)")
        builder.add_table("CFA validity", tables["Fornell-Larcker"],
                          title="Fornell-Larcker: sqrt(AVE) on the diagonal, latent correlations off it")
        if result.validity_notes:
            builder.add_table("CFA validity", pd.DataFrame({"note": result.validity_notes}),
                              title="Reliability and validity notes")
    if len(tables.get("R2", [])):
        builder.add_table("CFA estimates", tables["R2"], title="R² of the indicators")
    if "Modification indices" in tables:
        builder.add_table("CFA modindices", tables["Modification indices"], title=builder.display.t("cfa_mi_title"),
                          note=builder.display.t("cfa_mi_note"), sequential=["mi"])
