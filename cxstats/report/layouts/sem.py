"""Layout of ``sem``: fit, estimates, defined effects and R² sheets (``SEM ...``, so that they
sit next to the CFA sheets in the measurement workbook); the fit and the standardized loadings
carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

from cxstats.report import i18n, verdicts

i18n.register(
    sheets={"SEM Fit": {"en": "SEM Fit", "es": "SEM ajuste"},
            "SEM Estimates": {"en": "SEM Estimates", "es": "SEM estimaciones"},
            "SEM Defined effects": {"en": "SEM Defined effects", "es": "SEM efectos definidos"},
            "SEM R2": {"en": "SEM R2", "es": "SEM R2"},
            "SEM Model": {"en": "SEM Model", "es": "SEM modelo"}},
    texts={
        "sem_title": {"en": "Structural model: {part}", "es": "Modelo estructural: {part}"},
        "sem:Fit": {"en": "Fit", "es": "ajuste"},
        "sem:Estimates": {"en": "Estimates", "es": "estimaciones"},
        "sem:Defined effects": {"en": "Defined effects", "es": "efectos definidos (indirectos y totales)"},
        "sem:R2": {"en": "R2", "es": "R²"},
        "sem:Model": {"en": "Model", "es": "modelo"},
    })


def sheets(builder, result) -> None:
    d = builder.display
    for name, df in result.tables().items():
        part = d.t(f"sem:{name}") if f"sem:{name}" in i18n.TEXTS else name
        title = d.t("sem_title", part=part)
        if name == "Fit":
            verdicts.add_fit_table(builder, f"SEM {name}", df, result.fit_verdict, title=title)
        elif name == "Estimates":
            verdicts.add_estimates(builder, f"SEM {name}", df, title=title)
        else:
            builder.add_table(f"SEM {name}", df, title=title)
