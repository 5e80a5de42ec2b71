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
            "SEM Model": {"en": "SEM Model", "es": "SEM modelo"},
            "SEM Modification indices": {"en": "SEM Modification indices", "es": "SEM índices de modificación"}},
    texts={
        "sem_title": {"en": "Structural model: {part}", "es": "Modelo estructural: {part}"},
        "sem:Fit": {"en": "Fit", "es": "ajuste"},
        "sem:Estimates": {"en": "Estimates", "es": "estimaciones"},
        "sem:Defined effects": {"en": "Defined effects", "es": "efectos definidos (indirectos y totales)"},
        "sem:R2": {"en": "R2", "es": "R²"},
        "sem:Model": {"en": "Model", "es": "modelo"},
        "sem:Modification indices": {"en": "Modification indices", "es": "índices de modificación"},
    })


def sheets(builder, result) -> None:
    from cxstats.report.layouts import cfa  # noqa: F401 - registers the modification-index texts

    d = builder.display
    for name, df in result.tables().items():
        part = d.t(f"sem:{name}") if f"sem:{name}" in i18n.TEXTS else name
        title = d.t("sem_title", part=part)
        if name == "Fit":
            verdicts.add_fit_table(builder, f"SEM {name}", df, result.fit_verdict, title=title)
        elif name == "Estimates":
            verdicts.add_estimates(builder, f"SEM {name}", df, title=title)
        else:
            note = d.t("cfa_mi_note") if name == "Modification indices" else None
            builder.add_table(f"SEM {name}", df, title=title, note=note)
