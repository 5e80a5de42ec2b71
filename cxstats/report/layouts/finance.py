"""Layout of ``finance``: the survey-finance link (match rate) and the models of each financial
outcome on each predictor, one sheet each."""

from __future__ import annotations

from cxstats.report import i18n

i18n.register(
    sheets={"Finance link": {"en": "Finance link", "es": "Enlace financiero"},
            "Finance models": {"en": "Finance models", "es": "Modelos financieros"}},
    texts={
        "fin:Finance link": {"en": "Survey-finance link (match rate)",
                             "es": "Enlace encuesta-datos financieros (tasa de coincidencia)"},
        "fin:Finance models": {"en": "Finance models: each financial outcome on each predictor",
                               "es": "Modelos financieros: cada resultado financiero según cada predictor"},
    },
    headers={
        "n_excluded": {"en": "n excluded", "es": "n excluidos"},
        "intercept": {"en": "Intercept", "es": "Intercepto"},
        "effect": {"en": "Effect", "es": "Efecto"},
        "effect_ci_lower": {"en": "Effect 95% CI lower", "es": "Efecto: IC 95% inferior"},
        "effect_ci_upper": {"en": "Effect 95% CI upper", "es": "Efecto: IC 95% superior"},
        "effect_meaning": {"en": "What the effect means", "es": "Qué significa el efecto"},
        "baseline": {"en": "Baseline", "es": "Línea base"},
    })


def sheets(builder, result) -> None:
    for name, df in result.tables().items():
        key = f"fin:{name}"
        builder.add_table(name, df, title=builder.display.t(key) if key in i18n.TEXTS else name)
