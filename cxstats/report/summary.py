"""The executive summary: 3-5 action titles written from the results, the figures behind them
and one chart, on the sheet a client reads first.

An action title is one sentence with its number and its uncertainty, e.g. "NPS -14 (95% CI -17
to -10)" or "Staff overrate delivery punctuality by 0.62 points (95% CI 0.51 to 0.73)". Each
title claims only what its result supports: a customer-staff gap is called an over- or
underrating only when the gap analysis flags it significant after its own correction (Holm,
``significant``) and its comparison is interpretable (invariance); otherwise the title says
there is no significant gap. A title whose analysis is absent is left out.

Facts are picked by result TYPE (the latest result of each type, as
:meth:`cxstats.steps.StepContext.latest` finds earlier results): gaps, NPS (or CSAT), drivers,
ROI, and measurement (reliability, CFA fit, invariance). This module is layout only: it reads
numbers from the results' attributes and tables and computes no statistic (rounding and the sign
of a difference read the other way round are all it does).

* :func:`action_titles` -> the titles with their figures;
* :func:`add_action_titles`: the titles as the first lines of a sheet (the gap layout's Summary);
* :func:`add_executive_summary`: the summary sheet of a plan's headline workbook (right after
  the cover): titles, a compact table of the figures behind each title with the sheet holding
  the detail, and one native bar chart (the largest gaps, else the top drivers) beside the
  titles, in view without scrolling;
* :func:`headline_workbook`: which of a plan's workbooks gets it.

Words come from ``builder.display`` (English or Spanish; spec names of codes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.report import i18n

SIGNIFICANT_FILL = "FCE4D6"
ALPHA_MIN = 0.70  # the reliability threshold the titles state (Nunnally 1978; the layouts' "aim for .70")
TOP_DRIVERS = 3
CHART_ROWS = 10  # bars in the summary chart at most
CHART_WIDTH_CM, CHART_HEIGHT_CM = 20.0, 8.5  # in view below the titles on a laptop screen
TEXT_WIDTH = 150  # characters a title line spans at most (wider when the tables are wider)

i18n.register(texts={
    "summary_sheet": {"en": "Executive summary", "es": "Resumen ejecutivo"},
    "summary_heading": {"en": "Executive summary: {title}", "es": "Resumen ejecutivo: {title}"},
    "summary_heading_plain": {"en": "Executive summary", "es": "Resumen ejecutivo"},
    "summary_subheading": {
        "en": "What the results say, each with its uncertainty (95% intervals unless stated). The figures "
              "behind each line and the sheet with the detail are in the table below.",
        "es": "Lo que dicen los resultados, cada uno con su incertidumbre (intervalos del 95 % salvo que se "
              "indique otro). Las cifras de cada línea y la hoja con el detalle están en la tabla de abajo."},
    "summary_gap_heading": {"en": "In short", "es": "En resumen"},
    "summary_figures": {"en": "The figures behind each title", "es": "Las cifras de cada titular"},
    "summary_col_figure": {"en": "figure", "es": "cifra"},
    "summary_col_value": {"en": "value", "es": "valor"},
    "summary_col_lower": {"en": "lower", "es": "inferior"},
    "summary_col_upper": {"en": "upper", "es": "superior"},
    "summary_col_detail": {"en": "detail on sheet", "es": "detalle en la hoja"},
    # -- NPS / CSAT
    "summary_nps": {"en": "NPS {nps} (95% CI {lo} to {hi}): {prom} promoters, {det} detractors (n = {n})",
                    "es": "NPS {nps} (IC 95 %: {lo} a {hi}): {prom} de promotores y {det} de detractores "
                          "(n = {n})"},
    "summary_csat": {"en": "{pct} of customers satisfied (top-2-box {name}, 95% CI {lo} to {hi}; n = {n})",
                     "es": "{pct} de clientes satisfechos (dos valores superiores de {name}, IC 95 %: {lo} a "
                           "{hi}; n = {n})"},
    "summary_fig_nps": {"en": "NPS (95% CI, adjusted Wald)", "es": "NPS (IC 95 %, Wald ajustado)"},
    "summary_fig_promoters": {"en": "Promoters (share)", "es": "Promotores (proporción)"},
    "summary_fig_detractors": {"en": "Detractors (share)", "es": "Detractores (proporción)"},
    "summary_fig_csat": {"en": "{name}: top-2-box share (95% CI, Wilson)",
                         "es": "{name}: proporción en los dos valores superiores (IC 95 %, Wilson)"},
    # -- gaps: two groups
    "summary_customers": {"en": "customers", "es": "clientes"},
    "summary_staff": {"en": "staff", "es": "personal de contacto"},
    "summary_staff_short": {"en": "staff", "es": "personal"},
    "summary_overrate": {"en": "Staff overrate {name} by {d} points (95% CI {lo} to {hi}): customers {m1} vs "
                               "staff {m2}",
                         "es": "El personal de contacto sobrevalora {name} en {d} puntos (IC 95 %: {lo} a {hi}): "
                               "clientes {m1} frente a personal {m2}"},
    "summary_underrate": {"en": "Staff underrate {name} by {d} points (95% CI {lo} to {hi}): customers {m1} vs "
                                "staff {m2}",
                          "es": "El personal de contacto infravalora {name} en {d} puntos (IC 95 %: {lo} a {hi}): "
                                "clientes {m1} frente a personal {m2}"},
    "summary_higher": {"en": "{Name} is rated {d} points higher by {high} than by {low} (95% CI {lo} to {hi}): {g1} "
                             "{m1} vs {g2} {m2}",
                       "es": "{Name} recibe {d} puntos más de {high} que de {low} (IC 95 %: {lo} a {hi}): {g1} "
                             "{m1} frente a {g2} {m2}"},
    "summary_gap_count": {"en": "{k} of {m} {level} differ significantly (Holm, alpha {alpha})",
                          "es": "{k} de {m} {level} difieren de forma significativa (Holm, alfa {alpha})"},
    "summary_no_gap": {"en": "No significant gap between {g1} and {g2} on any of the {m} {level} (Holm, alpha "
                             "{alpha}); largest difference: {name}, {d} points (95% CI {lo} to {hi})",
                       "es": "Ninguna brecha significativa entre {g1} y {g2} en los {m} {level} (Holm, alfa "
                             "{alpha}); la mayor diferencia: {name}, {d} puntos (IC 95 %: {lo} a {hi})"},
    "summary_fig_gap": {"en": "{name}: gap {g1} - {g2} (95% CI)", "es": "{name}: brecha {g1} - {g2} (IC 95 %)"},
    "summary_fig_mean": {"en": "{name}: mean of {group}", "es": "{name}: media de {group}"},
    "summary_fig_gap_count": {"en": "{level} with a significant gap (Holm), of {m}",
                              "es": "{level} con brecha significativa (Holm), de {m}"},
    # -- gaps: one group against the aspirations
    "summary_below_target": {"en": "{group} are below target on {name} by {d} points (95% CI {lo} to {hi}): "
                                   "mean {m} vs aspiration {a}",
                             "es": "{group} están por debajo del objetivo en {name} por {d} puntos (IC 95 %: {lo} "
                                   "a {hi}): media {m} frente a aspiración {a}"},
    "summary_above_target": {"en": "{group} are above target on {name} by {d} points (95% CI {lo} to {hi}): "
                                   "mean {m} vs aspiration {a}",
                             "es": "{group} están por encima del objetivo en {name} por {d} puntos (IC 95 %: {lo} "
                                   "a {hi}): media {m} frente a aspiración {a}"},
    "summary_target_count": {"en": "{k} of {m} {level} differ significantly from their aspiration (Holm, alpha "
                                   "{alpha})",
                             "es": "{k} de {m} {level} difieren de forma significativa de su aspiración (Holm, "
                                   "alfa {alpha})"},
    "summary_no_target_gap": {"en": "No {level_one} differs significantly from its aspiration (Holm, alpha "
                                    "{alpha}); largest gap: {name}, {d} points (95% CI {lo} to {hi})",
                              "es": "Ningún {level_one} difiere de forma significativa de su aspiración (Holm, "
                                    "alfa {alpha}); la mayor brecha: {name}, {d} puntos (IC 95 %: {lo} a {hi})"},
    "summary_fig_target_gap": {"en": "{name}: mean - aspiration (95% CI)",
                               "es": "{name}: media - aspiración (IC 95 %)"},
    "summary_group_all": {"en": "Respondents", "es": "Los encuestados"},
    "summary_group_customers": {"en": "Customers", "es": "Los clientes"},
    "summary_group_staff": {"en": "Staff", "es": "El personal de contacto"},
    # level names (plural, and one of them)
    "summary_level_construct": {"en": "constructs", "es": "constructos"},
    "summary_level_touchpoint": {"en": "touchpoints", "es": "puntos de contacto"},
    "summary_level_component": {"en": "components", "es": "componentes"},
    "summary_level_item": {"en": "items", "es": "ítems"},
    "summary_level1_construct": {"en": "construct", "es": "constructo"},
    "summary_level1_touchpoint": {"en": "touchpoint", "es": "punto de contacto"},
    "summary_level1_component": {"en": "component", "es": "componente"},
    "summary_level1_item": {"en": "item", "es": "ítem"},
    # -- drivers
    "summary_drivers": {"en": "Top drivers of {outcome}: {list} of the explained variance (R² {r2}, n = {n})",
                        "es": "Principales impulsores de {outcome}: {list} de la varianza explicada (R² {r2}, "
                              "n = {n})"},
    "summary_drivers_ranks": {"en": "; bootstrap 95% rank ranges {ranks}",
                              "es": "; rangos de posición bootstrap al 95 %: {ranks}"},
    "summary_and": {"en": "and", "es": "y"},
    "summary_fig_driver": {"en": "{rank}. {name}: share of R²{ranks}", "es": "{rank}. {name}: proporción de R²{ranks}"},
    "summary_fig_rank_range": {"en": " (bootstrap rank {lo}-{hi})", "es": " (posición bootstrap {lo}-{hi})"},
    "summary_fig_r2": {"en": "R² of {outcome} (n = {n})", "es": "R² de {outcome} (n = {n})"},
    "summary_outcome_csat": {"en": "satisfaction", "es": "la satisfacción"},
    "summary_outcome_nps": {"en": "recommendation", "es": "la recomendación"},
    "summary_outcome_ces": {"en": "customer effort", "es": "el esfuerzo del cliente"},
    "summary_outcome_loyalty": {"en": "loyalty", "es": "la lealtad"},
    "summary_outcome_repurchase": {"en": "repurchase", "es": "la recompra"},
    # -- ROI
    "summary_roi_total": {"en": "Roadmap NPV P50 {p50} (P10 {p10} to P90 {p90}) over {h} years, {k} initiatives; "
                                "best: {best} (P50 {best50})",
                          "es": "VAN de la hoja de ruta P50 {p50} (P10 {p10} a P90 {p90}) a {h} años, {k} "
                                "iniciativas; la mejor: {best} (P50 {best50})"},
    "summary_roi_best": {"en": "Best initiative {best}: NPV P50 {p50} (P10 {p10} to P90 {p90}) over {h} years",
                         "es": "Mejor iniciativa {best}: VAN P50 {p50} (P10 {p10} a P90 {p90}) a {h} años"},
    "summary_roi_revenue": {"en": " - revenue counted as value (no margin given)",
                            "es": " - los ingresos se cuentan como valor (sin margen)"},
    "summary_fig_roi_total": {"en": "Roadmap NPV P50 (P10-P90), {cur}", "es": "VAN de la hoja de ruta P50 (P10-P90), {cur}"},
    "summary_fig_roi_best": {"en": "{name}: NPV P50 (P10-P90), {cur}", "es": "{name}: VAN P50 (P10-P90), {cur}"},
    "summary_million": {"en": "{x} M {cur}", "es": "{x} M {cur}"},
    "summary_thousand": {"en": "{x} k {cur}", "es": "{x} mil {cur}"},
    "summary_units": {"en": "{x} {cur}", "es": "{x} {cur}"},
    # -- measurement
    "summary_rel_ok": {"en": "Measurement: all {k} scales reliable{groups} (Cronbach's alpha {amin} to {amax}, threshold "
                             "{thr}; lowest {name}, 95% CI {lo} to {hi})",
                       "es": "Medición: las {k} escalas son fiables{groups} (alfa de Cronbach de {amin} a {amax}, umbral "
                             "{thr}; la más baja {name}, IC 95 %: {lo} a {hi})"},
    "summary_rel_low": {"en": "Measurement: {j} of {k} scales below the reliability threshold (Cronbach's alpha < "
                              "{thr}){groups}; lowest {name} {a} (95% CI {lo} to {hi})",
                        "es": "Medición: {j} de {k} escalas por debajo del umbral de fiabilidad (alfa de Cronbach "
                              "< {thr}){groups}; la más baja {name} {a} (IC 95 %: {lo} a {hi})"},
    "summary_measurement": {"en": "Measurement", "es": "Medición"},
    "summary_in_each_group": {"en": " in each group", "es": " en cada grupo"},
    "summary_in_some_group": {"en": " in at least one group", "es": " en al menos un grupo"},
    "summary_cfa_fit": {"en": "CFA fit {verdict} (CFI {cfi}, RMSEA {rmsea})",
                        "es": "ajuste del AFC {verdict} (CFI {cfi}, RMSEA {rmsea})"},
    "summary_invariance": {"en": "scalar invariance for {s} of {k} constructs (means comparable between groups)",
                           "es": "invarianza escalar en {s} de {k} constructos (medias comparables entre grupos)"},
    "summary_verdict_good": {"en": "good", "es": "bueno"},
    "summary_verdict_acceptable": {"en": "acceptable", "es": "aceptable"},
    "summary_verdict_poor": {"en": "poor", "es": "deficiente"},
    "summary_fig_alpha_min": {"en": "Lowest alpha: {name} (95% CI, Feldt)", "es": "Alfa más bajo: {name} (IC 95 %, Feldt)"},
    "summary_fig_alpha_ok": {"en": "Scales with alpha >= {thr} (in every group), of {k}",
                             "es": "Escalas con alfa >= {thr} (en todos los grupos), de {k}"},
    "summary_fig_cfi": {"en": "CFA: CFI", "es": "AFC: CFI"},
    "summary_fig_rmsea": {"en": "CFA: RMSEA (90% CI)", "es": "AFC: RMSEA (IC 90 %)"},
    "summary_fig_invariance": {"en": "Constructs with scalar invariance, of {k}",
                               "es": "Constructos con invarianza escalar, de {k}"},
    # -- chart
    "summary_chart_gaps": {"en": "Gap {g1} - {g2} (points; * significant)",
                           "es": "Brecha {g1} - {g2} (puntos; * significativa)"},
    "summary_chart_target": {"en": "Largest gaps to aspiration (points; * significant)",
                             "es": "Mayores brechas frente a la aspiración (puntos; * significativa)"},
    "summary_chart_drivers": {"en": "Top drivers of {outcome}: share of R²",
                              "es": "Principales impulsores de {outcome}: proporción de R²"},
    "summary_chart_data_gaps": {"en": "Gaps per {level_one} (the chart's data; * = significant, shaded)",
                                "es": "Brechas por {level_one} (datos del gráfico; * = significativa, sombreada)"},
    "summary_chart_data_drivers": {"en": "Importance per driver (the chart's data)",
                                   "es": "Importancia por impulsor (datos del gráfico)"},
    "summary_col_name": {"en": "name", "es": "nombre"},
    "summary_col_gap": {"en": "gap ({g1} - {g2})", "es": "brecha ({g1} - {g2})"},
    "summary_col_target_gap": {"en": "gap to aspiration", "es": "brecha frente a la aspiración"},
    "summary_col_mean": {"en": "mean", "es": "media"},
    "summary_col_aspiration": {"en": "aspiration", "es": "aspiración"},
    "summary_col_share": {"en": "share of R²", "es": "proporción de R²"},
    "summary_points": {"en": "points", "es": "puntos"},
})

LEVELS = ("construct", "touchpoint", "component", "item")
OUTCOME_WORDS = {"csat": "csat", "satisfaction": "csat", "satisfaccion": "csat", "nps": "nps",
                 "recommend": "nps", "recomendacion": "nps", "ces": "ces", "effort": "ces", "esfuerzo": "ces",
                 "loyalty": "loyalty", "lealtad": "loyalty", "repurchase": "repurchase", "recompra": "repurchase",
                 "retention": "repurchase"}


@dataclass
class Figure:
    """One row of the figures table: a label, a value and its interval, the cells' format."""

    label: str
    value: float | int | str | None
    lower: float | None = None
    upper: float | None = None
    fmt: str = "0.00"
    where: str = ""


@dataclass
class Title:
    """One action title: what it is about (``kind``), the sentence, the figures behind it."""

    kind: str  # nps | csat | gaps | drivers | roi | measurement
    text: str
    figures: list = field(default_factory=list)
    result: object = None


# ------------------------------------------------------------------------------ numbers as text
def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def num(x, decimals: int = 2, lang: str = "en") -> str:
    """``x`` rounded for a sentence: 1,997.5 / 1.997,5 (Spanish separators); never "-0"."""
    x = float(x)
    if round(x, decimals) == 0:
        x = 0.0
    s = f"{x:,.{decimals}f}"
    if lang == "es":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def count(n, lang: str = "en") -> str:
    return num(n, 0, lang)


def pct(share, lang: str = "en", decimals: int = 0) -> str:
    """A fraction 0-1 as a percentage: 25% / 25 % (Spanish leaves a space)."""
    s = num(100 * float(share), decimals, lang)
    return f"{s} %" if lang == "es" else f"{s}%"


def coef(x, lang: str = "en", decimals: int | None = None) -> str:
    """A coefficient bounded by 1 (alpha, CFI, RMSEA): .73 in English (APA), 0,73 in Spanish; two
    decimals, three below .1 (RMSEA .009)."""
    if not _finite(x):
        return "?"
    if decimals is None:
        decimals = 2 if abs(x) >= 0.1 or x == 0 else 3
    s = num(x, decimals, lang)
    if lang != "es":
        s = s.replace("0.", ".", 1) if s.startswith(("0.", "-0.")) else s
    return s


def money(x, currency: str, display) -> str:
    """9.7 M EUR, 815 k EUR (815 mil EUR), 900 EUR."""
    lang = display.lang
    if abs(x) >= 1e6:
        return display.t("summary_million", x=num(x / 1e6, 1, lang), cur=currency)
    if abs(x) >= 1e4:
        return display.t("summary_thousand", x=num(x / 1e3, 0, lang), cur=currency)
    return display.t("summary_units", x=num(x, 0, lang), cur=currency)


def _joined(parts: list, display) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {display.t('summary_and')} " + parts[-1]


def _name(display, code) -> str:
    """A spec name inside a sentence: «Puntualidad de la entrega» in Spanish; in English with a
    lower-case first letter unless the name starts with an acronym (Delivery -> delivery, NPS stays)."""
    name = display.name(code)
    if display.lang == "es":
        return f"«{name}»"
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _outcome(display, code) -> str:
    """The outcome of a driver analysis in a sentence: its spec name when short, else a CX word."""
    name = display.name(code)
    if name != str(code) and len(name) <= 40 and not name.rstrip().endswith(("?", ".")):
        return _name(display, code)
    key = OUTCOME_WORDS.get(str(code).lower())
    return display.t(f"summary_outcome_{key}") if key else str(code)


# ------------------------------------------------------------------------------ picking results
def latest(results, cls):
    """The most recent result of this type (as StepContext.latest), or None."""
    found = None
    for r in results:
        if isinstance(r, cls):
            found = r
    return found


def _result_types():
    from cxstats.stats.cfa import CfaResult
    from cxstats.stats.drivers.result import DriversResult
    from cxstats.stats.gaps.result import GapsResult
    from cxstats.stats.invariance import InvarianceResult
    from cxstats.stats.nps import NpsResult
    from cxstats.stats.reliability import ReliabilityResult
    from cxstats.stats.roi.result import RoiResult

    return {"gaps": GapsResult, "nps": NpsResult, "drivers": DriversResult, "roi": RoiResult,
            "reliability": ReliabilityResult, "cfa": CfaResult, "invariance": InvarianceResult}


DETAIL_SHEETS = ("Results", "Resultados")  # the ROI's headline sheet, after its Assumptions


def detail_location(result, location) -> str:
    """Where a result's detail is, as the figures table says it: "Sheet" in this workbook, or
    "file.xlsx: Sheet". ``location`` is a text, or (file name or None, [the sheets its layout wrote]);
    of these the first, except a results sheet the layout writes after its inputs (the ROI)."""
    if not location:
        return ""
    if isinstance(location, str):
        return location
    book, sheets = location
    sheets = list(sheets or [])
    sheet = next((s for s in sheets if s in DETAIL_SHEETS), sheets[0] if sheets else "")
    return f"{book}: {sheet}" if book else sheet


def action_titles(results, display, locations: dict | None = None) -> list[Title]:
    """The action titles of ``results`` (any order; the latest of each type counts), in reading order:
    NPS (or CSAT), the gaps, the drivers, the ROI, the measurement. ``locations`` maps id(result) to
    where its detail is: a text, or (workbook file name, None for this workbook; [the sheets its
    layout wrote]), see :func:`detail_location`."""
    types = _result_types()
    found = {k: latest(results, cls) for k, cls in types.items()}
    where = lambda r: detail_location(r, (locations or {}).get(id(r)))  # noqa: E731
    out = []
    if found["nps"] is not None:
        t = _nps_title(found["nps"], display)
        if t:
            out.append(t)
    if found["gaps"] is not None:
        t = _gaps_title(found["gaps"], display)
        if t:
            out.append(t)
    if found["drivers"] is not None:
        t = _drivers_title(found["drivers"], display)
        if t:
            out.append(t)
    if found["roi"] is not None:
        t = _roi_title(found["roi"], display)
        if t:
            out.append(t)
    t = _measurement_title(found["reliability"], found["cfa"], found["invariance"], display, where)
    if t:
        out.append(t)
    for t in out:
        for f in t.figures:
            if not f.where and t.result is not None:
                f.where = where(t.result)
    return out


# ------------------------------------------------------------------------------ NPS / CSAT
def _nps_title(res, d) -> Title | None:
    lang = d.lang
    o = res.overall
    if o is not None and _finite(o.get("nps")):
        text = d.t("summary_nps", nps=num(o["nps"], 0, lang), lo=num(o["nps_ci_lower"], 0, lang),
                   hi=num(o["nps_ci_upper"], 0, lang), prom=pct(o["promoters_share"], lang),
                   det=pct(o["detractors_share"], lang), n=count(o["n"], lang))
        figs = [Figure(d.t("summary_fig_nps"), o["nps"], o["nps_ci_lower"], o["nps_ci_upper"], "0.0"),
                Figure(d.t("summary_fig_promoters"), o["promoters_share"], fmt="0.0%"),
                Figure(d.t("summary_fig_detractors"), o["detractors_share"], fmt="0.0%")]
        return Title("nps", text, figs, res)
    rows = [r for r in (res.csat or []) if r.get("group") in (None, "All") and _finite(r.get("top2_box_share"))]
    if not rows:
        return None
    r = rows[0]
    name = _outcome(d, r["column"])
    text = d.t("summary_csat", pct=pct(r["top2_box_share"], lang), name=name,
               lo=pct(r["top2_box_share_ci_lower"], lang), hi=pct(r["top2_box_share_ci_upper"], lang),
               n=count(r["n"], lang))
    figs = [Figure(d.t("summary_fig_csat", name=name), r["top2_box_share"],
                   r["top2_box_share_ci_lower"], r["top2_box_share_ci_upper"], "0.0%")]
    return Title("csat", text, figs, res)


# ------------------------------------------------------------------------------ gaps
def gap_level(res) -> str | None:
    """The level the gap titles speak of: constructs, else touchpoints, components, items."""
    for level in LEVELS:
        if any(r["level"] == level for r in res.rows):
            return level
    return None


def _ci_keys(res) -> tuple[str, str]:
    """The 95% interval of the difference matching the test behind ``significant``."""
    if res.one_group:
        return ("gap_ci_lower", "gap_ci_upper") if res.weight else ("t_ci_lower", "t_ci_upper")
    if res.paired:
        return "paired_ci_lower", "paired_ci_upper"
    return ("diff_ci_lower", "diff_ci_upper") if res.weight else ("welch_ci_lower", "welch_ci_upper")


def _group_word(d, g, *, short=False) -> str:
    if g == "customer":
        return d.t("summary_customers")
    if g == "staff":
        return d.t("summary_staff_short" if short else "summary_staff")
    return d.name(g)


def significant_rows(res, level: str) -> list:
    """Rows of ``level`` flagged significant by the gap analysis (its Holm correction) whose comparison is
    interpretable, largest absolute difference first."""
    key = "gap_to_aspiration" if res.one_group else "diff"
    rows = [r for r in res.rows if r["level"] == level and not r.get("suppressed")
            and r.get("interpretable") is not False and r.get("significant") is True and _finite(r.get(key))]
    return sorted(rows, key=lambda r: -abs(r[key]))


def _gaps_title(res, d) -> Title | None:
    level = gap_level(res)
    if level is None:
        return None
    if res.one_group:
        return _target_title(res, d, level)
    lang = d.lang
    g1, g2 = res.groups
    lo_key, hi_key = _ci_keys(res)
    tested = [r for r in res.rows if r["level"] == level and not r.get("suppressed") and _finite(r.get("diff"))]
    if not tested:
        return None
    sig = significant_rows(res, level)
    levels_word = d.t(f"summary_level_{level}")
    alpha = num(res.alpha, 2, lang)
    figs = []
    if sig:
        r = sig[0]
        diff, lo, hi = r["diff"], r.get(lo_key), r.get(hi_key)
        m1, m2 = r["mean"][0], r["mean"][1]
        # read the difference the other way round when the second group is higher (and its CI with it)
        d_abs = abs(diff)
        lo_abs, hi_abs = (lo, hi) if diff > 0 else (-hi, -lo)
        fields = dict(name=_name(d, r["name"]), d=num(d_abs, 2, lang), lo=num(lo_abs, 2, lang),
                      hi=num(hi_abs, 2, lang))
        if {g1, g2} == {"customer", "staff"}:
            cust, staff = (m1, m2) if g1 == "customer" else (m2, m1)
            key = "summary_overrate" if staff > cust else "summary_underrate"
            main = d.t(key, m1=num(cust, 2, lang), m2=num(staff, 2, lang), **fields)
        else:
            high, low = (g1, g2) if diff > 0 else (g2, g1)
            fields["Name"] = fields.pop("name")
            fields["Name"] = fields["Name"][:1].upper() + fields["Name"][1:]
            main = d.t("summary_higher", high=_group_word(d, high), low=_group_word(d, low),
                       g1=_group_word(d, g1), g2=_group_word(d, g2), m1=num(m1, 2, lang), m2=num(m2, 2, lang),
                       **fields)
        text = main + "; " + d.t("summary_gap_count", k=len(sig), m=len(tested), level=levels_word, alpha=alpha)
        figs.append(Figure(d.t("summary_fig_gap", name=d.name(r["name"]), g1=_group_word(d, g1, short=True),
                               g2=_group_word(d, g2, short=True)), diff, lo, hi, "0.00"))
        figs.append(Figure(d.t("summary_fig_mean", name=d.name(r["name"]), group=_group_word(d, g1)), m1))
        figs.append(Figure(d.t("summary_fig_mean", name=d.name(r["name"]), group=_group_word(d, g2)), m2))
    else:
        r = max(tested, key=lambda r: abs(r["diff"]))
        text = d.t("summary_no_gap", g1=_group_word(d, g1), g2=_group_word(d, g2), m=len(tested),
                   level=levels_word, alpha=alpha, name=_name(d, r["name"]), d=num(r["diff"], 2, lang),
                   lo=num(r.get(lo_key), 2, lang) if _finite(r.get(lo_key)) else "?",
                   hi=num(r.get(hi_key), 2, lang) if _finite(r.get(hi_key)) else "?")
        figs.append(Figure(d.t("summary_fig_gap", name=d.name(r["name"]), g1=_group_word(d, g1, short=True),
                               g2=_group_word(d, g2, short=True)), r["diff"], r.get(lo_key), r.get(hi_key)))
    figs.append(Figure(d.t("summary_fig_gap_count", level=levels_word.capitalize(), m=len(tested)), len(sig),
                       fmt="0"))
    return Title("gaps", text, figs, res)


def _target_title(res, d, level) -> Title | None:
    lang = d.lang
    (g1,) = res.groups
    lo_key, hi_key = _ci_keys(res)
    tested = [r for r in res.rows if r["level"] == level and not r.get("suppressed")
              and _finite(r.get("gap_to_aspiration"))]
    if not tested:
        return None
    sig = significant_rows(res, level)
    levels_word = d.t(f"summary_level_{level}")
    alpha = num(res.alpha, 2, lang)
    group = {"customer": d.t("summary_group_customers"), "staff": d.t("summary_group_staff")}.get(
        g1, d.t("summary_group_all") if g1 in ("all", None) else d.name(g1))
    figs = []
    if sig:
        r = sig[0]
        gap, lo, hi = r["gap_to_aspiration"], r.get(lo_key), r.get(hi_key)
        lo_abs, hi_abs = (lo, hi) if gap > 0 else (-hi, -lo)
        key = "summary_above_target" if gap > 0 else "summary_below_target"
        text = d.t(key, group=group, name=_name(d, r["name"]), d=num(abs(gap), 2, lang), lo=num(lo_abs, 2, lang),
                   hi=num(hi_abs, 2, lang), m=num(r["mean"], 2, lang), a=num(r["aspiration"], 2, lang))
        text += "; " + d.t("summary_target_count", k=len(sig), m=len(tested), level=levels_word, alpha=alpha)
    else:
        r = max(tested, key=lambda r: abs(r["gap_to_aspiration"]))
        gap, lo, hi = r["gap_to_aspiration"], r.get(lo_key), r.get(hi_key)
        text = d.t("summary_no_target_gap", level_one=d.t(f"summary_level1_{level}"), alpha=alpha,
                   name=_name(d, r["name"]), d=num(gap, 2, lang),
                   lo=num(lo, 2, lang) if _finite(lo) else "?", hi=num(hi, 2, lang) if _finite(hi) else "?")
    figs.append(Figure(d.t("summary_fig_target_gap", name=d.name(r["name"])), gap, lo, hi))
    figs.append(Figure(d.t("summary_fig_gap_count", level=levels_word.capitalize(), m=len(tested)), len(sig),
                       fmt="0"))
    return Title("gaps", text, figs, res)


# ------------------------------------------------------------------------------ drivers
def top_drivers(res, k: int = TOP_DRIVERS) -> list[dict]:
    """The ``k`` most important drivers by the result's own ranking (LMG, else relative weights), with
    their share of R² and (when bootstrapped) their 95% rank range."""
    measure = res.importance_name()
    share_key = "lmg_share" if measure == "lmg" else "rw_share"
    rows = [r for r in res.driver_rows() if r.get(f"rank_{measure}") is not None]
    rows.sort(key=lambda r: r[f"rank_{measure}"])
    ranks = {}
    if res.bootstrap is not None:
        boot = res.bootstrap.to_dict()
        ranks = {q["driver"]: q for q in (boot.get("ranks") or {}).get(measure, [])}
    out = []
    for r in rows[:k]:
        q = ranks.get(r["driver"])
        out.append({"driver": r["driver"], "rank": r[f"rank_{measure}"], "share": r[share_key],
                    "rank_lower": q["pct_lower"] if q else None, "rank_upper": q["pct_upper"] if q else None})
    return out


def _drivers_title(res, d) -> Title | None:
    lang = d.lang
    top = top_drivers(res)
    if not top or not _finite(res.r2):
        return None
    outcome = _outcome(d, res.outcome)
    parts = [f"{_name(d, t['driver'])} ({pct(t['share'], lang)})" for t in top]
    text = d.t("summary_drivers", outcome=outcome, list=_joined(parts, d), r2=coef(res.r2, lang),
               n=count(res.n, lang))
    if all(t["rank_lower"] is not None for t in top):
        text += d.t("summary_drivers_ranks", ranks=_joined(
            [f"{t['rank_lower']:.0f}-{t['rank_upper']:.0f}" for t in top], d))
    figs = []
    for t in top:
        ranks = (d.t("summary_fig_rank_range", lo=f"{t['rank_lower']:.0f}", hi=f"{t['rank_upper']:.0f}")
                 if t["rank_lower"] is not None else "")
        figs.append(Figure(d.t("summary_fig_driver", rank=t["rank"], name=d.name(t["driver"]), ranks=ranks),
                           t["share"], fmt="0.0%"))
    figs.append(Figure(d.t("summary_fig_r2", outcome=outcome, n=count(res.n, lang)), res.r2, fmt="0.000"))
    return Title("drivers", text, figs, res)


# ------------------------------------------------------------------------------ ROI
def _roi_title(res, d) -> Title | None:
    table = res.results
    if table is None or not len(table):
        return None
    a = res.assumptions
    cur = a.currency
    best = table.sort_values("npv_p50", ascending=False).iloc[0]
    h = num(a.horizon_years, 0 if float(a.horizon_years).is_integer() else 1, d.lang)
    best_name = d.name(best["initiative"]) if d.name(best["initiative"]) != best["initiative"] else best["name"]
    best_name = f"«{best_name}»" if d.lang == "es" else best_name
    total = res.total or {}
    figs = []
    if _finite(total.get("npv_p50")):
        text = d.t("summary_roi_total", p50=money(total["npv_p50"], cur, d), p10=money(total["npv_p10"], cur, d),
                   p90=money(total["npv_p90"], cur, d), h=h, k=len(table), best=best_name,
                   best50=money(best["npv_p50"], cur, d))
        figs.append(Figure(d.t("summary_fig_roi_total", cur=cur), total["npv_p50"], total["npv_p10"],
                           total["npv_p90"], "#,##0"))
    else:
        text = d.t("summary_roi_best", best=best_name, p50=money(best["npv_p50"], cur, d),
                   p10=money(best["npv_p10"], cur, d), p90=money(best["npv_p90"], cur, d), h=h)
    figs.append(Figure(d.t("summary_fig_roi_best", name=str(best["name"] or best["initiative"]), cur=cur),
                       float(best["npv_p50"]), float(best["npv_p10"]), float(best["npv_p90"]), "#,##0"))
    if res.revenue_as_value:
        text += d.t("summary_roi_revenue")
    return Title("roi", text, figs, res)


# ------------------------------------------------------------------------------ measurement
def _measurement_title(rel, cfa, inv, d, where) -> Title | None:
    lang = d.lang
    parts, figs, source = [], [], rel or cfa or inv
    thr = coef(ALPHA_MIN, lang)
    scales = [s for s in (rel.scales if rel is not None else []) if _finite(s.alpha)]
    if scales:
        low = min(scales, key=lambda s: s.alpha)
        names = list(dict.fromkeys(s.scale for s in scales))
        below = list(dict.fromkeys(s.scale for s in scales if s.alpha < ALPHA_MIN))
        groups = d.t("summary_in_each_group") if any(s.group for s in scales) else ""
        group = f" ({_group_word(d, low.group, short=True)})" if low.group else ""
        label = d.name(low.scale) + group
        name = _name(d, low.scale) + group
        ci = low.alpha_ci or {}
        lo, hi = ci.get("lower"), ci.get("upper")
        if below:
            groups = d.t("summary_in_some_group") if groups else ""
            parts.append(d.t("summary_rel_low", j=len(below), k=len(names), groups=groups, thr=thr, name=name,
                             a=coef(low.alpha, lang), lo=coef(lo, lang), hi=coef(hi, lang)))
        else:
            parts.append(d.t("summary_rel_ok", k=len(names), groups=groups, amin=coef(low.alpha, lang),
                             amax=coef(max(s.alpha for s in scales), lang), thr=thr, name=name,
                             lo=coef(lo, lang), hi=coef(hi, lang)))
        figs.append(Figure(d.t("summary_fig_alpha_min", name=label), low.alpha, lo, hi, "0.000", where(rel)))
        figs.append(Figure(d.t("summary_fig_alpha_ok", thr=thr, k=len(names)), len(names) - len(below),
                           fmt="0", where=where(rel)))
    if cfa is not None and cfa.fit_verdict and _finite(cfa.fit.get("cfi")) and _finite(cfa.fit.get("rmsea")):
        verdict = cfa.fit_verdict.get("verdict")
        word = d.t(f"summary_verdict_{verdict}") if verdict in ("good", "acceptable", "poor") else str(verdict)
        parts.append(d.t("summary_cfa_fit", verdict=word, cfi=coef(cfa.fit["cfi"], lang, 3),
                         rmsea=coef(cfa.fit["rmsea"], lang, 3)))  # fit indices: 3 decimals, as lavaan
        figs.append(Figure(d.t("summary_fig_cfi"), cfa.fit["cfi"], fmt="0.000", where=where(cfa)))
        figs.append(Figure(d.t("summary_fig_rmsea"), cfa.fit["rmsea"], cfa.fit.get("rmsea_ci_lower"),
                           cfa.fit.get("rmsea_ci_upper"), "0.000", where(cfa)))
    if inv is not None:
        verdicts = inv.construct_verdicts or {}
        if verdicts:
            s = sum(1 for v in verdicts.values() if str(v) in ("scalar", "strict"))
            parts.append(d.t("summary_invariance", s=s, k=len(verdicts)))
            figs.append(Figure(d.t("summary_fig_invariance", k=len(verdicts)), s, fmt="0", where=where(inv)))
    if not parts:
        return None
    text = parts[0] if scales else f"{d.t('summary_measurement')}: {parts[0]}"
    if len(parts) > 1:
        text += "; " + "; ".join(parts[1:])
    return Title("measurement", text, figs, source)


# ------------------------------------------------------------------------------ sheets
def add_action_titles(builder, sheet: str, results) -> list[Title]:
    """The action titles of ``results`` as the first lines of ``sheet`` (call before anything else is
    written on it): a heading, then one line per title."""
    titles = action_titles(results, builder.display)
    if titles:
        builder.add_text(sheet, [builder.display.t("summary_gap_heading")]
                         + [f"{i}. {t.text}" for i, t in enumerate(titles, start=1)], bold_first=True)
    return titles


def headline_workbook(keys) -> str | None:
    """The plan workbook a client opens first: ``gaps`` when the plan writes one, else ``main``, else
    the first."""
    keys = list(keys)
    for key in ("gaps", "main"):
        if key in keys:
            return key
    return keys[0] if keys else None


def add_executive_summary(builder, results, *, title: str | None = None,
                          locations: dict | None = None) -> str | None:
    """The executive summary sheet, placed right after the cover (``builder.first_sheet``), or first.
    Returns its name (None when no result gives a title).

    From the top: a heading, the numbered action titles (wrapped over merged cells, at most about
    150 characters a line, so that they read on a laptop screen), one native bar chart (the largest
    gaps, else the top drivers) right below them, within the first screen; then the table of the
    figures behind the titles with the sheet holding the detail, and the chart's data."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font

    from cxstats.report.workbook import (DEFAULT_ROW_PT, EMU_PER_CM, EMU_PER_PT, _chars, _line_height, _lines,
                                         without_folders)

    d = builder.display
    titles = action_titles(results, d, locations)
    if not titles:
        return None
    ws = builder.sheet(d.t("summary_sheet"))
    heading = d.t("summary_heading", title=title) if title else d.t("summary_heading_plain")
    text_rows = []  # (row, font): lines merged over the columns at the end

    def line(row, text, font):
        cell = ws.cell(row=row, column=1)
        cell.value = without_folders(str(text))  # file names only, never a folder
        cell.data_type = "s"  # never a formula
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        text_rows.append((row, font))

    line(1, heading, Font(bold=True, size=14, color="1F3864"))
    line(2, d.t("summary_subheading"), Font(italic=True, color="555555"))
    row = 3
    for i, t in enumerate(titles, start=1):
        line(row, f"{i}. {t.text}", Font(bold=True, size=11))
        row += 1
    chart_row = row + 1
    # rows kept free for the chart (default height rows: nothing else is written there)
    chart_rows = math.ceil(CHART_HEIGHT_CM * EMU_PER_CM / (DEFAULT_ROW_PT * EMU_PER_PT)) + 1
    builder._next_row[ws.title] = chart_row + chart_rows + 1

    cols = [d.t(k) for k in ("summary_col_figure", "summary_col_value", "summary_col_lower", "summary_col_upper",
                             "summary_col_detail")]
    figs = [f for t in titles for f in t.figures]
    df = pd.DataFrame([[f.label, f.value, f.lower, f.upper, f.where] for f in figs], columns=cols)
    ref = builder.add_table(ws.title, df, title=d.t("summary_figures"), freeze=False)
    for i, f in enumerate(figs):
        for j in (2, 3, 4):
            ws.cell(row=ref.first_row + i, column=j).number_format = f.fmt
        ws.cell(row=ref.first_row + i, column=5).alignment = Alignment(horizontal="left", indent=1)  # off the numbers
    chart = _chart_data(builder, ws.title, results, d)

    # the lines wrap over merged cells: the tables' columns, widened to about 150 characters
    last = max(ws.max_column, 1)
    while _chars(ws, 1, last) < TEXT_WIDTH and last < 40:
        last += 1
    width = _chars(ws, 1, last)
    for r, font in text_rows:
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
        lines = _lines(ws.cell(row=r, column=1).value, width)
        ws.row_dimensions[r].height = max(DEFAULT_ROW_PT, lines * _line_height(font)) + (3 if r > 2 else 0)
    if chart:
        cref, category, series, chart_title, y_title = chart
        builder.add_bar_chart(cref, category, series, title=chart_title, y_title=y_title, horizontal=True,
                              anchor=f"A{chart_row}", width=CHART_WIDTH_CM, height=CHART_HEIGHT_CM)
        _compact(ws._charts[-1], chart_title)
    _after_cover(builder, ws.title)
    return ws.title


def _compact(chart, title: str) -> None:
    """A chart that reads at a glance in a small box: a one-line 12 pt title, every name shown (9 pt)
    at the left edge, clear of bars that go below zero."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title as ChartTitle
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun

    bold = CharacterProperties(sz=1200, b=True)
    chart.title = ChartTitle(tx=Text(rich=RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=bold),
                                                                r=[RegularTextRun(rPr=bold, t=title)])])),
                             overlay=False)
    small = CharacterProperties(sz=900)
    chart.x_axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=small), endParaRPr=small)])
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.tickLblSkip = 1


def _chart_data(builder, sheet, results, d):
    """The chart's data table below the figures: gaps per construct (largest first), else the
    drivers' shares. Returns (TableRef, category, series, title, axis title) or None."""
    import pandas as pd

    types = _result_types()
    gaps = latest(results, types["gaps"])
    lang = d.lang
    if gaps is not None and gap_level(gaps) is not None:
        level = gap_level(gaps)
        key = "gap_to_aspiration" if gaps.one_group else "diff"
        lo_key, hi_key = _ci_keys(gaps)
        rows = [r for r in gaps.rows if r["level"] == level and not r.get("suppressed") and _finite(r.get(key))]
        rows = sorted(rows, key=lambda r: -abs(r[key]))[:CHART_ROWS]
        if rows:
            name_col = d.t("summary_col_name")
            recs = []
            for r in rows:
                star = " *" if (r.get("significant") is True and r.get("interpretable") is not False) else ""
                rec = {name_col: d.name(r["name"]) + star}
                if gaps.one_group:
                    gap_col = d.t("summary_col_target_gap")
                    rec[d.t("summary_col_mean")] = r.get("mean")
                    rec[d.t("summary_col_aspiration")] = r.get("aspiration")
                else:
                    g1, g2 = gaps.groups
                    gap_col = d.t("summary_col_gap", g1=_group_word(d, g1, short=True),
                                  g2=_group_word(d, g2, short=True))
                    rec[_group_word(d, g1, short=True)] = r["mean"][0]
                    rec[_group_word(d, g2, short=True)] = r["mean"][1]
                rec[gap_col] = r[key]
                rec[d.t("summary_col_lower")] = r.get(lo_key)
                rec[d.t("summary_col_upper")] = r.get(hi_key)
                recs.append(rec)
            df = pd.DataFrame(recs)
            fm = {c: "0.00" for c in df.columns[1:]}
            ref = builder.add_table(sheet, df, title=d.t("summary_chart_data_gaps",
                                                         level_one=d.t(f"summary_level1_{level}")),
                                    formats=fm, freeze=False)
            ws = builder.wb[ref.sheet]
            from openpyxl.styles import PatternFill

            fill = PatternFill("solid", fgColor=SIGNIFICANT_FILL)
            for i, rec in enumerate(recs):
                if rec[name_col].endswith(" *"):
                    for j in range(1, len(df.columns) + 1):
                        ws.cell(row=ref.first_row + i, column=j).fill = fill
            title = (d.t("summary_chart_target") if gaps.one_group else
                     d.t("summary_chart_gaps", g1=_group_word(d, gaps.groups[0], short=True),
                         g2=_group_word(d, gaps.groups[1], short=True)))
            return ref, name_col, [gap_col], title, d.t("summary_points")
    drivers = latest(results, types["drivers"])
    if drivers is not None:
        top = top_drivers(drivers, k=CHART_ROWS)
        if top:
            name_col, share_col = d.t("summary_col_name"), d.t("summary_col_share")
            df = pd.DataFrame({name_col: [d.name(t["driver"]) for t in top], share_col: [t["share"] for t in top]})
            ref = builder.add_table(sheet, df, title=d.t("summary_chart_data_drivers"),
                                    formats={share_col: "0.0%"}, freeze=False)
            return (ref, name_col, [share_col],
                    d.t("summary_chart_drivers", outcome=_outcome(d, drivers.outcome)), share_col)
    return None


def _after_cover(builder, name: str) -> None:
    """Put sheet ``name`` first, then the cover (``builder.first_sheet``) before it."""
    wb = builder.wb
    idx = wb.sheetnames.index(name)
    if idx:
        wb.move_sheet(name, offset=-idx)
    cover = builder.first_sheet
    if cover in wb.sheetnames and cover != name:
        idx = wb.sheetnames.index(cover)
        if idx:
            wb.move_sheet(cover, offset=-idx)
