"""Layout of ``nps``: NPS overall / per group, the two-group test, segments, CSAT and CES on
one sheet (``NPS``). In a plan it joins the ``gaps`` workbook, after the gap sheets' Summary."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.nps import NpsResult

i18n.register(
    sheets={"NPS": {"en": "NPS", "es": "NPS"}},
    texts={
        "nps:NPS": {"en": "NPS", "es": "NPS"},
        "nps:NPS comparison": {"en": "NPS comparison", "es": "Comparación del NPS"},
        "nps:NPS by segment": {"en": "NPS by segment", "es": "NPS por segmento"},
        "nps:CSAT": {"en": "CSAT", "es": "CSAT (satisfacción)"},
        "nps:CES": {"en": "CES", "es": "CES (esfuerzo del cliente)"},
        "nps_weighted_note": {
            "en": "Weighted by the survey weights of column {weight}: shares and NPS are weighted; n, promoters, "
                  "passives and detractors count respondents; intervals and tests use Kish's effective n (n_eff).",
            "es": "Ponderado con los pesos muestrales de la columna {weight}: proporciones y NPS ponderados; n, "
                  "promotores, pasivos y detractores cuentan encuestados; los intervalos y pruebas usan el n "
                  "efectivo de Kish (n efectiva)."},
    },
    headers={
        "promoters": {"en": "Promoters", "es": "Promotores"},
        "passives": {"en": "Passives", "es": "Pasivos"},
        "detractors": {"en": "Detractors", "es": "Detractores"},
        "promoters_share": {"en": "% promoters", "es": "% promotores"},
        "passives_share": {"en": "% passives", "es": "% pasivos"},
        "detractors_share": {"en": "% detractors", "es": "% detractores"},
        "nps": {"en": "NPS", "es": "NPS"},
        "nps_se": {"en": "NPS SE", "es": "EE del NPS"},
        "nps_adjusted": {"en": "NPS (adjusted Wald)", "es": "NPS (Wald ajustado)"},
        "nps_ci_lower": {"en": "NPS 95% CI lower", "es": "NPS: IC 95% inferior"},
        "nps_ci_upper": {"en": "NPS 95% CI upper", "es": "NPS: IC 95% superior"},
        "column": {"en": "Question", "es": "Pregunta"},
        "scale_max": {"en": "Scale maximum", "es": "Máximo de la escala"},
        "top_box_share": {"en": "Top box", "es": "Top box"},
        "top_box_share_ci_lower": {"en": "Top box 95% CI lower", "es": "Top box: IC 95% inferior"},
        "top_box_share_ci_upper": {"en": "Top box 95% CI upper", "es": "Top box: IC 95% superior"},
        "top2_box_share": {"en": "Top-2-box", "es": "Top-2-box"},
        "top2_box_share_ci_lower": {"en": "Top-2-box 95% CI lower", "es": "Top-2-box: IC 95% inferior"},
        "top2_box_share_ci_upper": {"en": "Top-2-box 95% CI upper", "es": "Top-2-box: IC 95% superior"},
    })


def _yes(v) -> str:
    return "yes" if v is True else ""


def sheets(builder, result: NpsResult, sheet: str = "NPS") -> None:
    """Every table of the result on one sheet, NPS points with one decimal, ``*_share`` fractions
    as percentages, p with four."""
    fm = {}
    for name, df in result.tables().items():
        for c in df.columns:
            if c == "n_eff":
                fm[c] = "0.0"
            elif c in ("n", "promoters", "passives", "detractors"):
                fm[c] = "0"
            elif c in ("pvalue",):
                fm[c] = "0.0000"
            elif "_share" in c:   # fractions 0-1 shown as percentages
                fm[c] = "0.0%"
            elif c.endswith("_pct") or c.startswith("nps") or c.startswith("diff") or "ci_" in c:
                fm[c] = "0.0"
            else:
                fm[c] = "0.00"
        df = df.copy()
        if "suppressed" in df.columns:
            df["suppressed"] = [builder.display.yes(v) for v in df["suppressed"]]
        title = builder.display.t(f"nps:{name}") if f"nps:{name}" in i18n.TEXTS else name
        note = (builder.display.t("nps_weighted_note", weight=result.weight)
                if getattr(result, "weight", None) and name == next(iter(result.tables())) else None)
        builder.add_table(sheet, df, title=title, formats=fm, note=note,
                          diverging=[c for c in ("nps", "diff") if c in df.columns])
