"""Verdicts, not only numbers: cells of reliability, validity and fit measures coloured by the
threshold the analysis states (pass green, borderline amber, fail red), a verdict in words
beside each judged number (readable when printed in grey) and, on every sheet that uses them,
a legend stating each rule and its source.

Two kinds of verdict:

* a number against a fixed threshold (alpha, CR, AVE, HTMT, loadings, KMO, ΔCFI...): the rule
  lives in :data:`RULES` below, built from the constants the analyses already use for their
  notes and warnings (:mod:`cxstats.thresholds`: ``CR_MIN``, ``AVE_MIN``, ``HTMT_MAX``,
  ``KMO_MIN``, ``DCFI``...) so that a cell and a warning never disagree; :func:`classify`
  applies it;
* a statistical decision the result already carries (each fit index's verdict, which reads the
  RMSEA CI: ``fit_verdict["indices"]``; an invariance step ``supported``; the Fornell-Larcker
  criterion of a pair): the report only maps the result's word to a colour
  (:data:`FROM_STATS`), it decides nothing.

Layouts call :func:`add_table` (a table with judged columns), :func:`add_matrix` (a matrix whose
cells are judged, e.g. HTMT) and :func:`add_fit_table` (a fit sheet: an overall verdict line and a
verdict per index) instead of ``builder.add_table`` for those tables; the continuous colour
scales these columns had are gone (a scale makes .789 against .814 look like a difference that
matters, while both pass the same threshold).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

from cxstats import thresholds as cut
from cxstats.report import i18n

PASS, BORDERLINE, FAIL = "pass", "borderline", "fail"
VERDICTS = (PASS, BORDERLINE, FAIL)
# Excel's own "Good", "Neutral" and "Bad" cell styles: fill and font
FILLS = {PASS: "C6EFCE", BORDERLINE: "FFEB9C", FAIL: "FFC7CE"}
FONTS = {PASS: "006100", BORDERLINE: "9C5700", FAIL: "9C0006"}
# a result's own verdict words -> pass / borderline / fail (anything else is not coloured)
FROM_STATS = {"good": PASS, "acceptable": BORDERLINE, "poor": FAIL}


@dataclass(frozen=True)
class Rule:
    """A threshold rule: ``higher`` is better (or lower); pass at ``pass_at`` (inclusive unless
    ``strict``); with ``fail_at`` a borderline band lies between the two and fail is beyond
    ``fail_at`` (strictly); without it, everything that does not pass fails. ``absolute``: judge
    |value| (a loading of a reverse-keyed item is negative)."""

    key: str
    higher: bool
    pass_at: float
    fail_at: float | None = None
    strict: bool = False
    absolute: bool = False
    source: str = ""


# The thresholds. The pass bounds are the analyses' own (the same constant feeds their notes
# and warnings); the borderline bands are the sources' "acceptable in exploratory research"
# (reliability .60-.70, Hair et al.), "weak but usable" loadings (.50-.70, Hair et al.) and
# Henseler et al.'s liberal HTMT cut (.90).
RULES: dict[str, Rule] = {r.key: r for r in (
    Rule("reliability", True, cut.CR_MIN, 0.60,
         source="Hair et al. (2019); Nunnally & Bernstein (1994)"),
    Rule("ave", True, cut.AVE_MIN, source="Fornell & Larcker (1981); Hair et al. (2019)"),
    Rule("loading", True, 0.70, 0.50, absolute=True, source="Hair et al. (2019)"),
    Rule("htmt", False, cut.HTMT_MAX, 0.90, source="Henseler, Ringle & Sarstedt (2015)"),
    # r_drop: .30 (Nunnally & Bernstein); below .20 the reliability analysis warns
    Rule("item_total", True, 0.30, 0.20, source="Nunnally & Bernstein (1994)"),
    Rule("kmo", True, cut.KMO_MIN, cut.KMO_ITEM_MIN, source="Kaiser (1974)"),
    # a step fails when ΔCFI <= -.010 / ΔRMSEA >= .015: pass strictly beyond them
    Rule("delta_cfi", True, cut.DCFI, strict=True, source="Cheung & Rensvold (2002); Chen (2007)"),
    Rule("delta_rmsea", False, cut.DRMSEA, strict=True, source="Chen (2007)"),
    # within-unit agreement of a maturity self-assessment (layouts/maturity.py words the rule)
    Rule("rwg", True, cut.RWG_MIN, source="James, Demaree & Wolf (1984); LeBreton & Senter (2008)"),
)}

# verdicts the results decide (the report maps their words): key -> source
DECIDED = {
    "fit_cfi_tli": "Hu & Bentler (1999)",
    "fit_rmsea": "Hu & Bentler (1999); MacCallum, Browne & Sugawara (1996)",
    "fit_srmr": "Hu & Bentler (1999)",
    "fit_overall": "Hu & Bentler (1999); Marsh, Hau & Wen (2004)",
    "fornell_larcker": "Fornell & Larcker (1981)",
    "invariance_step": "Cheung & Rensvold (2002); Chen (2007)",
    "invariance_level": "Vandenberg & Lance (2000)",
    "configural_fit": "Hu & Bentler (1999)",
}
FIT_RULE_OF = {"cfi": "fit_cfi_tli", "tli": "fit_cfi_tli", "rmsea": "fit_rmsea", "srmr": "fit_srmr"}
LEVEL_VERDICT = {"strict": PASS, "scalar": PASS, "metric": BORDERLINE, "configural": FAIL, "none": FAIL}
_EPS = 1e-12  # strict bounds as the analyses apply them (ΔCFI <= -.010 + 1e-12 fails)


def classify(rule: str | Rule, value) -> str | None:
    """``pass``, ``borderline`` or ``fail`` of ``value`` by ``rule`` (None for a missing value).
    Unrounded values are judged, as the analyses' notes judge them."""
    r = RULES[rule] if isinstance(rule, str) else rule
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(v):
        return None
    if r.absolute:
        v = abs(v)
    if r.higher:
        passes = v > r.pass_at + _EPS if r.strict else v >= r.pass_at
        fails = r.fail_at is not None and v < r.fail_at
    else:
        passes = v < r.pass_at - _EPS if r.strict else v <= r.pass_at
        fails = r.fail_at is not None and v > r.fail_at
    if passes:
        return PASS
    if r.fail_at is None or fails:
        return FAIL
    return BORDERLINE


def judge(df, column: str, rule: str, where=None) -> tuple[str, list]:
    """(rule, verdict of each row of ``df[column]``); rows where ``where`` (a boolean sequence)
    is false are not judged."""
    values = list(df[column]) if len(df) else []
    mask = [True] * len(values) if where is None else [bool(w) for w in where]
    return rule, [classify(rule, v) if m else None for v, m in zip(values, mask)]


def mapped(values, mapping: dict, rule: str) -> tuple[str, list]:
    """(rule, verdicts) from a result's own words or flags through ``mapping``."""
    out = []
    for v in values:
        v = v.item() if hasattr(v, "item") else v  # numpy bool -> bool
        out.append(mapping.get(v) if isinstance(v, (str, bool)) else None)
    return rule, out


# -- writing ----------------------------------------------------------------------------------
_explained = weakref.WeakKeyDictionary()  # builder -> sheet -> rules with a legend there


def _paint(cell, verdict, centre: bool = False) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    if verdict not in FILLS:
        return
    cell.fill = PatternFill("solid", fgColor=FILLS[verdict])
    old = cell.font
    cell.font = Font(name=old.name, size=old.sz, bold=old.bold, italic=old.italic, color=FONTS[verdict])
    if centre:  # a verdict word apart from the number on its left
        cell.alignment = Alignment(horizontal="center", vertical=cell.alignment.vertical)


def add_table(builder, sheet: str, df, checks: dict, *, sequential=None, legend=None, **kwargs):
    """``builder.add_table`` with judged columns: ``checks`` maps a column to ``(rule, verdicts)``
    (from :func:`judge` or :func:`mapped`, one verdict or None per row). Each judged cell is
    filled in its verdict's colour, a verdict column in words follows it, and a legend of the
    rules not yet explained on the sheet follows the table. ``sequential`` columns that are
    judged lose their colour scale. ``legend``: the rules to explain (default: the checks')."""
    display = builder.display
    out = df.copy()
    positions = {}
    for col, (rule, verdicts) in checks.items():
        if col not in out.columns:
            continue
        at = list(out.columns).index(col) + 1
        words = [display.t(f"verdict_{v}") if v else None for v in verdicts]
        out.insert(at, "verdict", words, allow_duplicates=True)  # header: HEADERS["verdict"]
        positions[col] = (rule, verdicts)
    seq = [c for c in (sequential or []) if c not in positions] or None
    ref = builder.add_table(sheet, out, sequential=seq, **kwargs)
    ws = builder.wb[ref.sheet]
    for col, (rule, verdicts) in positions.items():
        j = ref.columns[col]  # where the builder put it (a spec-name column may gain a code column)
        for i, v in enumerate(verdicts):
            if v:
                _paint(ws.cell(row=ref.first_row + i, column=j), v)
                _paint(ws.cell(row=ref.first_row + i, column=j + 1), v, centre=True)
    used = [rule for rule, verdicts in positions.values() if any(verdicts)]  # a legend for what is coloured
    add_legend(builder, ref.sheet, legend if legend is not None else used)
    return ref


def add_matrix(builder, sheet: str, df, verdict_of, rule: str, **kwargs):
    """A matrix table (first column: row names; the other columns: one per name) whose cells are
    filled by ``verdict_of(row_name, column_name, value)`` (None: not judged, e.g. the
    diagonal). The words sit in a pairs table beside it (:func:`add_table`); the legend follows."""
    ref = builder.add_table(sheet, df, **kwargs)
    ws = builder.wb[ref.sheet]
    names = [str(c) for c in df.columns]
    for i, row in enumerate(df.itertuples(index=False)):
        for j, value in enumerate(row[1:], start=1):
            v = verdict_of(row[0], names[j], value)
            if v:
                _paint(ws.cell(row=ref.first_row + i, column=ref.columns.get(names[j], j + 1)), v)
    add_legend(builder, ref.sheet, [rule])
    return ref


def add_fit_table(builder, sheet: str, df, fit_verdict: dict, **kwargs):
    """A measure/value fit table with a verdict per index (the result's own, which reads the
    RMSEA CI) and the overall verdict, preceded by an overall verdict line."""
    display = builder.display
    verdict = (fit_verdict or {}).get("verdict")
    if verdict:
        key = "verdict_fit_" + verdict.replace(" ", "_")
        word = display.t(key) if key in i18n.TEXTS else verdict
        v = FROM_STATS.get(verdict)  # saturated / not available: stated, not coloured
        line = (display.t("verdict_fit_overall", verdict=word, judgement=display.t(f"verdict_{v}")) if v
                else display.t("verdict_fit_overall_plain", verdict=word))
        failed = fit_verdict.get("failed") or []
        if failed and verdict != "not available":
            line += display.t("verdict_fit_missed", missed="; ".join(failed))
        builder.add_text(sheet, [line], bold_first=True)
        ws = builder.sheet(sheet)
        for row in range(ws.max_row, 0, -1):
            if ws.cell(row=row, column=1).value == line:
                _paint(ws.cell(row=row, column=1), v)
                break
    indices = (fit_verdict or {}).get("indices") or {}
    checks, rules = {}, []
    if len(df) and {"measure", "value"} <= set(df.columns):
        words = []
        for m in df["measure"]:
            m = str(m)
            w, rule = None, None
            if m in indices:
                w, rule = FROM_STATS.get(indices[m]), FIT_RULE_OF[m]
            elif m == "fit verdict":
                w, rule = FROM_STATS.get(verdict), "fit_overall"
            words.append(w)
            if w:  # a legend only for what is coloured
                rules.append(rule)
        checks["value"] = ("fit_overall", words)
    order = ["fit_cfi_tli", "fit_rmsea", "fit_srmr", "fit_overall"]
    return add_table(builder, sheet, _fit_values(display, df), checks, legend=[r for r in order if r in rules], **kwargs)


def _fit_values(display, df):
    """The verdict rows' text values (the verdict word, the rule, "none") in the study's
    language; numbers and other values as they are. The measure names are translated by the
    ``measure:*`` texts (Display.localize)."""
    if not len(df) or not {"measure", "value"} <= set(df.columns) or display.lang == "en":
        return df
    import pandas as pd

    def word(measure, value):
        if not isinstance(value, str):
            return value
        if measure == "fit verdict":
            key = "verdict_fit_" + value.replace(" ", "_")
        elif measure == "fit verdict rule":
            # the stats' rule text (cxstats.stats.sem.diagnostics.FIT_RULE; a test keeps them equal)
            key = "fit_value:rule" if value == i18n.TEXTS["fit_value:rule"]["en"] else None
        elif measure == "fit cut-offs missed" and value == "none":
            key = "fit_value:none"
        else:
            key = None
        return display.t(key) if key and key in i18n.TEXTS else value

    out = df.copy()
    out["value"] = pd.Series([word(str(m), v) for m, v in zip(df["measure"], df["value"])],
                             index=df.index, dtype=object)
    return out


def add_legend(builder, sheet: str, rules) -> None:
    """A legend of ``rules`` not yet explained on ``sheet``, below what the sheet holds: a title,
    how to read it, then one line per verdict in its colour listing each rule's band (what
    passes, what is borderline, what fails) and a line of sources. Wrapped text lines (not a
    table), so that the legend never widens the columns of the numbers above it."""
    ws = builder.sheet(sheet)
    seen = _explained.setdefault(builder, {}).setdefault(ws.title, set())
    new = [r for r in dict.fromkeys(rules) if r and r not in seen]
    if not new:
        return
    first = not seen  # the first legend of a sheet says how to read it; later ones only list rules
    seen.update(new)
    d = builder.display
    bands = {r: legend_bands(r, d) for r in new}
    lines, paint = [d.t("verdict_legend_title")] + ([d.t("verdict_legend_note")] if first else []), {}
    for k, v in enumerate(VERDICTS):
        parts = [f"{d.t(f'verdict_rule_{r}')}: {bands[r][k]}" for r in new if bands[r][k] not in ("", "-")]
        if parts:
            line = d.t("verdict_legend_line", verdict=d.t(f"verdict_{v}"), colour=d.t(f"verdict_colour_{v}"),
                       bands="; ".join(parts))
            lines.append(line)
            paint[line] = v
    lines.append(d.t("verdict_legend_sources", sources="; ".join(
        f"{d.t(f'verdict_rule_{r}')}: {RULES[r].source if r in RULES else DECIDED[r]}" for r in new)))
    builder.add_text(ws.title, lines, bold_first=True)
    todo = dict(paint)
    for row in range(ws.max_row, 0, -1):
        text = ws.cell(row=row, column=1).value
        if text in todo:
            _paint(ws.cell(row=row, column=1), todo.pop(text))
        if not todo:
            break


def _num(x: float) -> str:
    s = f"{x:.3f}".rstrip("0")
    return s + "0" if s.endswith(".") or len(s.split(".")[1]) < 2 else s


def legend_bands(rule: str, d) -> list[str]:
    """(pass, borderline, fail) texts of a rule ("-": no such band), from its numbers (or, for
    the results' own decisions, from the constants the results use)."""
    if rule in RULES:
        r = RULES[rule]
        p = _num(r.pass_at)
        if r.higher:
            ok = f"{'>' if r.strict else '≥'} {p}"
            if r.fail_at is None:
                return [ok, "-", f"{'≤' if r.strict else '<'} {p}"]
            f = _num(r.fail_at)
            return [ok, d.t("verdict_between", lo=f"≥ {f}", hi=f"< {p}"), f"< {f}"]
        ok = f"{'<' if r.strict else '≤'} {p}"
        if r.fail_at is None:
            return [ok, "-", f"{'≥' if r.strict else '>'} {p}"]
        f = _num(r.fail_at)
        return [ok, d.t("verdict_between", lo=f"> {p}", hi=f"≤ {f}"), f"> {f}"]
    good, acc = cut.GOOD_FIT, cut.ACCEPTABLE_FIT
    if rule == "fit_cfi_tli":
        return [f"≥ {_num(good['cfi'])}", d.t("verdict_between", lo=f"≥ {_num(acc['cfi'])}",
                                               hi=f"< {_num(good['cfi'])}"), f"< {_num(acc['cfi'])}"]
    if rule == "fit_rmsea":
        return [d.t("verdict_band_rmsea_pass", good=_num(good["rmsea"]), acc=_num(acc["rmsea"])),
                d.t("verdict_band_rmsea_borderline", acc=_num(acc["rmsea"])), f"> {_num(acc['rmsea'])}"]
    if rule == "fit_srmr":
        return [f"≤ {_num(good['srmr'])}", "-", f"> {_num(acc['srmr'])}"]
    if rule == "fit_overall":
        return [d.t("verdict_band_fit_good", cfi=_num(good["cfi"]), rmsea=_num(good["rmsea"]), srmr=_num(good["srmr"])),
                d.t("verdict_band_fit_acceptable", cfi=_num(acc["cfi"]), rmsea=_num(acc["rmsea"]),
                    srmr=_num(acc["srmr"])),
                d.t("verdict_band_fit_poor")]
    if rule == "configural_fit":
        return [d.t("verdict_band_configural_pass", cfi=_num(cut.CONFIGURAL_CFI), rmsea=_num(cut.CONFIGURAL_RMSEA),
                    srmr=_num(cut.CONFIGURAL_SRMR)), "-", d.t("verdict_band_configural_fail")]
    return [d.t(f"verdict_band_{rule}_pass"),
            d.t(f"verdict_band_{rule}_borderline") if f"verdict_band_{rule}_borderline" in i18n.TEXTS else "-",
            d.t(f"verdict_band_{rule}_fail")]


# -- the measurement layouts' tables ----------------------------------------------------------
def loading_rows(df) -> list[bool]:
    """Rows of a parameter table that are loadings (``op`` "=~")."""
    return [op == "=~" for op in df["op"]] if "op" in df.columns else [False] * len(df)


def add_estimates(builder, sheet: str, df, **kwargs):
    """A lavaan-style estimates table with the standardized loadings (std_all of =~ rows) judged."""
    checks = {"std_all": judge(df, "std_all", "loading", where=loading_rows(df))} if "std_all" in df.columns else {}
    return add_table(builder, sheet, df, checks, **kwargs)


def add_discriminant(builder, sheet: str, result, tables: dict, titles: dict) -> None:
    """The HTMT matrices and the Fornell-Larcker matrix coloured cell by cell, then one row per
    pair with both verdicts in words (``titles``: table name -> (title, note or None))."""
    def htmt_cell(a, b, value):
        return None if a == b else classify("htmt", value)

    for name in ("HTMT", "HTMT (arithmetic)"):
        if name in tables:
            title, note = titles[name]
            add_matrix(builder, sheet, tables[name], htmt_cell, "htmt", title=title, note=note)
    pairs = tables.get("Discriminant validity")
    if pairs is None:
        pairs = result.discriminant_pairs()
    met = {}
    for r in pairs.itertuples(index=False):
        met[(r.factor_a, r.factor_b)] = met[(r.factor_b, r.factor_a)] = PASS if r.fornell_larcker_met else FAIL
    if "Fornell-Larcker" in tables:
        title, note = titles["Fornell-Larcker"]
        add_matrix(builder, sheet, tables["Fornell-Larcker"], lambda a, b, v: met.get((a, b)), "fornell_larcker",
                   title=title, note=note)
    if len(pairs):
        # the criterion's verdict sits beside the latent correlation it judges (a bare TRUE/FALSE
        # column would print as 1/0)
        title, note = titles["Discriminant validity"]
        shown = pairs.drop(columns="fornell_larcker_met")
        add_table(builder, sheet, shown, {"htmt": judge(pairs, "htmt", "htmt"),
                                          "htmt_arithmetic": judge(pairs, "htmt_arithmetic", "htmt"),
                                          "latent_r": mapped(pairs["fornell_larcker_met"], {True: PASS, False: FAIL},
                                                             "fornell_larcker")},
                  title=title, note=note)


i18n.register(headers={"verdict": {"en": "Verdict", "es": "Veredicto"}}, texts={
    "verdict_pass": {"en": "pass", "es": "cumple"},
    "verdict_borderline": {"en": "borderline", "es": "en el límite"},
    "verdict_fail": {"en": "fail", "es": "no cumple"},
    "verdict_between": {"en": "{lo} and {hi}", "es": "{lo} y {hi}"},
    "verdict_legend_title": {"en": "How to read the colours", "es": "Cómo leer los colores"},
    "verdict_legend_note": {
        "en": "Each judged cell is coloured by the rule of its measure (green: pass, amber: borderline, red: "
              "fail) and the verdict column beside it says the same in words, for grey print. Unrounded "
              "values are judged.",
        "es": "Cada celda evaluada se colorea según la regla de su medida (verde: cumple, ámbar: en el límite, "
              "rojo: no cumple) y la columna «veredicto» de al lado lo repite en palabras, para imprimir en "
              "gris. Se evalúan los valores sin redondear."},
    "verdict_legend_line": {"en": "{colour} = {verdict}: {bands}", "es": "{colour} = {verdict}: {bands}"},
    "verdict_legend_sources": {"en": "Sources: {sources}", "es": "Fuentes: {sources}"},
    "verdict_colour_pass": {"en": "Green", "es": "Verde"},
    "verdict_colour_borderline": {"en": "Amber", "es": "Ámbar"},
    "verdict_colour_fail": {"en": "Red", "es": "Rojo"},
    "verdict_fit_overall": {"en": "Overall fit: {verdict} ({judgement})",
                            "es": "Ajuste global: {verdict} ({judgement})"},
    "verdict_fit_overall_plain": {"en": "Overall fit: {verdict}", "es": "Ajuste global: {verdict}"},
    "verdict_fit_missed": {"en": "; cut-offs missed: {missed}", "es": "; puntos de corte no alcanzados: {missed}"},
    "fit_value:none": {"en": "none", "es": "ninguno"},
    "fit_value:rule": {"en": "Hu & Bentler (1999): good when CFI >= .95, TLI >= .95, RMSEA <= .06 and SRMR <= .08; "
                             "acceptable when CFI >= .90, RMSEA <= .08 and SRMR <= .08; otherwise poor. A saturated "
                             "model (df = 0) reproduces the data exactly: its fit cannot be tested",
                       "es": "Hu y Bentler (1999): bueno con CFI >= .95, TLI >= .95, RMSEA <= .06 y SRMR <= .08; "
                             "aceptable con CFI >= .90, RMSEA <= .08 y SRMR <= .08; si no, deficiente. Un modelo "
                             "saturado (gl = 0) reproduce los datos exactamente: su ajuste no puede contrastarse"},
    "verdict_fit_good": {"en": "good", "es": "bueno"},
    "verdict_fit_acceptable": {"en": "acceptable", "es": "aceptable"},
    "verdict_fit_poor": {"en": "poor", "es": "deficiente"},
    "verdict_fit_saturated": {"en": "saturated model (df = 0): fit cannot be tested",
                              "es": "modelo saturado (gl = 0): el ajuste no se puede contrastar"},
    "verdict_fit_not_available": {"en": "not available (the model did not converge)",
                                  "es": "no disponible (el modelo no convergió)"},
    "verdict_rule_reliability": {"en": "Reliability (alpha, omega, CR)", "es": "Fiabilidad (alfa, omega, FC)"},
    "verdict_rule_ave": {"en": "Convergent validity (AVE)", "es": "Validez convergente (AVE)"},
    "verdict_rule_loading": {"en": "Standardized loading (absolute value)", "es": "Carga estandarizada (valor absoluto)"},
    "verdict_rule_htmt": {"en": "Discriminant validity (HTMT)", "es": "Validez discriminante (HTMT)"},
    "verdict_rule_fornell_larcker": {"en": "Fornell-Larcker criterion", "es": "Criterio de Fornell-Larcker"},
    "verdict_rule_item_total": {"en": "Corrected item-total correlation (r_drop)", "es": "Correlación ítem-total corregida (r_drop)"},
    "verdict_rule_kmo": {"en": "Sampling adequacy (KMO)", "es": "Adecuación muestral (KMO)"},
    "verdict_rule_delta_cfi": {"en": "ΔCFI against the previous step", "es": "ΔCFI respecto al paso anterior"},
    "verdict_rule_delta_rmsea": {"en": "ΔRMSEA against the previous step", "es": "ΔRMSEA respecto al paso anterior"},
    "verdict_rule_invariance_step": {"en": "Invariance step (the analysis' rule, see Methods)", "es": "Paso de invariancia (regla del análisis, ver Métodos)"},
    "verdict_rule_invariance_level": {"en": "Invariance level (to compare means)", "es": "Nivel de invariancia (para comparar medias)"},
    "verdict_rule_configural_fit": {"en": "Configural model fit (required first)", "es": "Ajuste del modelo configural (requisito previo)"},
    "verdict_rule_fit_cfi_tli": {"en": "CFI and TLI", "es": "CFI y TLI"},
    "verdict_rule_fit_rmsea": {"en": "RMSEA (with its 90% CI)", "es": "RMSEA (con su IC del 90%)"},
    "verdict_rule_fit_srmr": {"en": "SRMR", "es": "SRMR"},
    "verdict_rule_fit_overall": {"en": "Overall fit", "es": "Ajuste global"},
    "verdict_band_rmsea_pass": {"en": "≤ {good} and upper 90% CI ≤ {acc}",
                                "es": "≤ {good} y límite superior del IC 90% ≤ {acc}"},
    "verdict_band_rmsea_borderline": {"en": "≤ {acc} (or CI upper bound > {acc})",
                                      "es": "≤ {acc} (o límite superior del IC > {acc})"},
    "verdict_band_fit_good": {"en": "good: CFI, TLI ≥ {cfi}, RMSEA ≤ {rmsea}, SRMR ≤ {srmr}",
                              "es": "bueno: CFI, TLI ≥ {cfi}, RMSEA ≤ {rmsea}, SRMR ≤ {srmr}"},
    "verdict_band_fit_acceptable": {"en": "acceptable: CFI ≥ {cfi}, RMSEA ≤ {rmsea}, SRMR ≤ {srmr}",
                                    "es": "aceptable: CFI ≥ {cfi}, RMSEA ≤ {rmsea}, SRMR ≤ {srmr}"},
    "verdict_band_fit_poor": {"en": "poor: otherwise", "es": "deficiente: en otro caso"},
    "verdict_band_fornell_larcker_pass": {"en": "|r| ≤ √AVE of both factors", "es": "|r| ≤ √AVE de ambos factores"},
    "verdict_band_fornell_larcker_fail": {"en": "|r| > √AVE of either factor", "es": "|r| > √AVE de alguno de los factores"},
    "verdict_band_invariance_step_pass": {"en": "supported", "es": "sostenido"},
    "verdict_band_invariance_step_fail": {"en": "not supported", "es": "no sostenido"},
    "verdict_band_invariance_level_pass": {"en": "scalar or strict: means comparable",
                                           "es": "escalar o estricta: medias comparables"},
    "verdict_band_invariance_level_borderline": {"en": "metric: relations comparable, means not",
                                                 "es": "métrica: relaciones comparables, medias no"},
    "verdict_band_invariance_level_fail": {"en": "configural or none", "es": "configural o ninguna"},
    "verdict_band_configural_pass": {"en": "acceptable (CFI ≥ {cfi}, RMSEA ≤ {rmsea}, SRMR ≤ {srmr}) or saturated (df = 0)",
                                     "es": "aceptable (CFI ≥ {cfi}, RMSEA ≤ {rmsea}, SRMR ≤ {srmr}) o saturado (gl = 0)"},
    "verdict_band_configural_fail": {"en": "poor: comparisons not possible", "es": "deficiente: no se puede comparar"},
})


def level_verdicts(values) -> tuple[str, list]:
    """(rule, verdicts) of invariance levels ("scalar", "none (configural fit poor)", ...): the
    level decides whether means can be compared (scalar or strict)."""
    out = []
    for v in values:
        word = str(v).split()[0] if isinstance(v, str) and v.strip() else ""
        out.append(LEVEL_VERDICT.get(word))
    return "invariance_level", out


def configural_verdicts(values) -> tuple[str, list]:
    """(rule, verdicts) of the configural model's fit verdicts (acceptable, saturated, poor)."""
    return mapped(values, {"acceptable": PASS, "saturated": PASS, "poor": FAIL}, "configural_fit")
