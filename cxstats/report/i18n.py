"""The study's language in deliverables: one place for every fixed text a workbook or chart
prints, in English and Spanish, and the spec's display names of codes.

A layout never writes an English literal for a reader: it asks its builder's
:class:`Display` (``builder.display``) -

* ``display.t("key", **fields)``: a fixed text (titles, notes, quadrant names, verdicts)
  from :data:`TEXTS`;
* ``display.header("column")``: a table header for a result column code (``diff`` ->
  "Gap (customer - staff)" / "Brecha (cliente - personal)"), from :data:`HEADERS`; codes
  without an entry are shown as they are;
* ``display.name("code")``: the spec's name of a construct, touchpoint, journey, item or
  outcome in the study's language (the code itself when the spec gives none).

The language is ``--lang es|en`` on a command, ``lang:`` in a plan, and otherwise the spec's
first language (English without a spec). Results stay language-free (their JSON keeps codes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGS = ("en", "es")

# key -> {lang: text}; ``{name}`` fields are filled by Display.t(key, name=...).
TEXTS: dict[str, dict[str, str]] = {
    "warnings_title": {"en": "Read these before the numbers", "es": "Léalos antes que las cifras"},
    "warning": {"en": "warning", "es": "aviso"},
    "methods": {"en": "Methods", "es": "Métodos"},
    "warnings": {"en": "Warnings", "es": "Avisos"},
    "topic": {"en": "topic", "es": "tema"},
    "method": {"en": "method", "es": "método"},
    "methods_title": {"en": "How these numbers were computed", "es": "Cómo se calcularon estas cifras"},
    "methods_in_english": {"en": "The method notes are in English (formulas, software functions and references).",
                           "es": "Las notas de método están en inglés (fórmulas, funciones de software y "
                                 "referencias)."},
    "yes": {"en": "yes", "es": "sí"},
    "no": {"en": "no", "es": "no"},
    # effect sizes by Cohen's (1988) thresholds on |d| or |g|: .2 small, .5 medium, .8 large
    "effect_negligible": {"en": "negligible", "es": "despreciable"},
    "effect_small": {"en": "small", "es": "pequeño"},
    "effect_medium": {"en": "medium", "es": "mediano"},
    "effect_large": {"en": "large", "es": "grande"},
    "effect_rule": {"en": "effect size: Cohen's thresholds on |g| (or |d|): below .2 negligible, .2 small, "
                          ".5 medium, .8 large",
                    "es": "tamaño del efecto: umbrales de Cohen sobre |g| (o |d|): menos de .2 despreciable, "
                          ".2 pequeño, .5 mediano, .8 grande"},
    # respondent groups and levels of a spec, shown in a table's cells
    "group:customer": {"en": "customer", "es": "cliente"},
    "group:staff": {"en": "staff", "es": "personal de contacto"},
    "group:customers": {"en": "customers", "es": "clientes"},
    "group:all": {"en": "all", "es": "todos"},
    "group:All": {"en": "All", "es": "Todos"},
    "level:item": {"en": "item", "es": "ítem"},
    "level:construct": {"en": "construct", "es": "constructo"},
    "level:touchpoint": {"en": "touchpoint", "es": "punto de contacto"},
    "level:component": {"en": "component", "es": "componente"},
    "level:journey": {"en": "journey", "es": "recorrido"},
    "levels:item": {"en": "items", "es": "ítems"},
    "levels:construct": {"en": "constructs", "es": "constructos"},
    "levels:touchpoint": {"en": "touchpoints", "es": "puntos de contacto"},
    "levels:component": {"en": "components", "es": "componentes"},
}

# result column code -> {lang: header}. A key with ``{g}`` is a pattern: ``mean_{g}`` matches
# ``mean_customer`` and shows "Mean (customer)" / "Media (cliente)", the group in the study's
# language (``group:*`` texts, else the spec's name, else as it is).
HEADERS: dict[str, dict[str, str]] = {
    "code": {"en": "code", "es": "código"},
    "name": {"en": "Name", "es": "Nombre"},
    "level": {"en": "Level", "es": "Nivel"},
    "group": {"en": "Group", "es": "Grupo"},
    "n": {"en": "n", "es": "n"},
    "k": {"en": "Items (k)", "es": "Ítems (k)"},
    "mean": {"en": "Mean", "es": "Media"},
    "sd": {"en": "SD", "es": "DE"},
    "se": {"en": "SE", "es": "EE"},
    "est": {"en": "Estimate", "es": "Estimación"},
    "z": {"en": "z", "es": "z"},
    "b": {"en": "b", "es": "b"},
    "pvalue": {"en": "p", "es": "p"},
    "ci_lower": {"en": "95% CI lower", "es": "IC 95% inferior"},
    "ci_upper": {"en": "95% CI upper", "es": "IC 95% superior"},
    "note": {"en": "Note", "es": "Nota"},
    "value": {"en": "Value", "es": "Valor"},
    "measure": {"en": "Measure", "es": "Medida"},
    "statistic": {"en": "Statistic", "es": "Estadístico"},
    "item": {"en": "Item", "es": "Ítem"},
    "items": {"en": "Items", "es": "Ítems"},
    "variable": {"en": "Variable", "es": "Variable"},
    "construct": {"en": "Construct", "es": "Constructo"},
    "touchpoint": {"en": "Touchpoint", "es": "Punto de contacto"},
    "component": {"en": "Component", "es": "Componente"},
    "factor": {"en": "Factor", "es": "Factor"},
    "scale": {"en": "Scale", "es": "Escala"},
    "driver": {"en": "Driver", "es": "Impulsor"},
    "outcome": {"en": "Outcome", "es": "Resultado"},
    "predictor": {"en": "Predictor", "es": "Predictor"},
    "source": {"en": "Source", "es": "Fuente"},
    "unit": {"en": "Unit", "es": "Unidad"},
    "rank": {"en": "Rank", "es": "Puesto"},
    "model": {"en": "Model", "es": "Modelo"},
    "warning": {"en": "Warning", "es": "Aviso"},
    "topic": {"en": "Topic", "es": "Tema"},
    "method": {"en": "Method", "es": "Método"},
    "r2": {"en": "R²", "es": "R²"},
    "effect_size": {"en": "Effect size", "es": "Tamaño del efecto"},
}

# a sheet name layouts use (English, their key) -> {lang: name}; at most 31 characters
SHEETS: dict[str, dict[str, str]] = {
    "Methods": {"en": "Methods", "es": "Métodos"},
    "Warnings": {"en": "Warnings", "es": "Avisos"},
}

# columns whose cells hold spec codes: shown by the spec's name, the code beside them
NAME_COLUMNS = ("name", "driver", "construct", "scale", "factor", "item", "variable", "journey",
                "touchpoint", "component", "outcome", "dominates", "marker_item")
# columns whose cells hold a respondent group or a level: shown in the study's language
VALUE_COLUMNS = {"group": "group:", "level": "level:", "respondent_type": "group:", "measure": "measure:",
                 "statistic": "statistic:"}


def register(texts: dict | None = None, headers: dict | None = None, sheets: dict | None = None) -> None:
    """Add a layout's own texts, headers and sheet names (a layout module calls this at import,
    so that each layout keeps its words beside its code); a key defined twice with other words
    is a bug."""
    for table, new in ((TEXTS, texts or {}), (HEADERS, headers or {}), (SHEETS, sheets or {})):
        for key, entry in new.items():
            if key in table and table[key] != entry:
                raise ValueError(f"i18n key {key!r} defined twice with different texts")
            if "en" not in entry or "es" not in entry:
                raise ValueError(f"i18n key {key!r} needs both 'en' and 'es'")
            table[key] = entry


def resolve_lang(lang: str | None, spec_languages=None) -> str:
    """``lang`` when given, else the spec's first language we can write, else English."""
    if lang:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        return lang
    for cand in spec_languages or ():
        if cand in LANGS:
            return cand
    return "en"


def effect_size_key(value) -> str | None:
    """Cohen's (1988) labels for a standardized mean difference (d, g, d_z): |x| < .2
    negligible, < .5 small, < .8 medium, else large (the ``effect_*`` texts)."""
    import math

    try:
        x = abs(float(value))
    except (TypeError, ValueError):
        return None
    if math.isnan(x):
        return None
    return ("effect_negligible" if x < 0.2 else "effect_small" if x < 0.5 else
            "effect_medium" if x < 0.8 else "effect_large")


def _pattern_headers():
    import re

    out = []
    for key, entry in HEADERS.items():
        if "{g}" in key:
            prefix, suffix = key.split("{g}", 1)
            out.append((re.compile("^" + re.escape(prefix) + "(?P<g>.+?)" + re.escape(suffix) + "$"), entry))
    out.sort(key=lambda pe: -len(pe[0].pattern))  # the most specific pattern first
    return out


@dataclass
class Display:
    """How a deliverable speaks: its language and the spec's names of codes."""

    lang: str = "en"
    names: dict = field(default_factory=dict)  # code -> display name (already in ``lang``)
    translate: bool = True  # False: a data file (XLSForm, codebook, survey table) keeps its column names

    @classmethod
    def verbatim(cls) -> "Display":
        """For workbooks that are data, not reports: headers and sheet names exactly as given."""
        return cls(translate=False)

    def t(self, key: str, **fields) -> str:
        entry = TEXTS[key]
        text = entry.get(self.lang) or entry["en"]
        return text.format(**fields) if fields else text

    def header(self, column) -> str:
        """The header of a result column: its registered header, a pattern (``mean_{g}``) with
        the group named in the study's language, a spec name (a matrix of constructs), or the
        code itself."""
        col = str(column)
        if not self.translate:
            return col
        entry = HEADERS.get(col)
        if entry:
            return entry.get(self.lang) or entry["en"]
        if col.endswith("_code") and col[:-5] in HEADERS:
            return f"{self.header(col[:-5])} ({self.header('code')})"
        for pattern, entry in _pattern_headers():
            m = pattern.match(col)
            if m:
                return (entry.get(self.lang) or entry["en"]).format(g=self.group(m.group("g")))
        return self.names.get(col, col)

    def sheet(self, name: str) -> str:
        """A sheet's name in the study's language (``SHEETS``; other names as they are)."""
        entry = SHEETS.get(name) if self.translate else None
        return (entry.get(self.lang) or entry["en"]) if entry else name

    def name(self, code) -> str:
        return self.names.get(str(code), str(code))

    def group(self, code) -> str:
        """A respondent group (``customer`` -> "cliente") or a segment value, for a reader."""
        key = f"group:{code}"
        return self.t(key) if key in TEXTS else self.name(code)

    def yes(self, flag) -> str:
        """``True`` -> "yes"/"sí", anything else -> empty."""
        return self.t("yes") if flag is True else ""

    def effect_size(self, value) -> str:
        key = effect_size_key(value)
        return self.t(key) if key else ""

    def localize(self, df):
        """A table as a reader sees it: spec codes in :data:`NAME_COLUMNS` shown by their names
        with the code in a narrow column beside (``code``, or ``COLUMN_code`` for a second one),
        groups and levels in the study's language. Column keys stay the result's codes."""
        import pandas as pd

        if not len(df.columns) or not self.translate:
            return df
        out = None
        for col in list(df.columns):
            if not isinstance(col, str):
                continue
            prefix = VALUE_COLUMNS.get(col)
            if prefix is not None:
                vals = df[col] if out is None else out[col]
                mapped = [self.t(prefix + v) if isinstance(v, str) and prefix + v in TEXTS else v for v in vals]
                if mapped != list(vals):
                    out = df.copy() if out is None else out
                    out[col] = pd.Series(mapped, index=out.index, dtype=object)
                continue
            if col not in NAME_COLUMNS or not self.names:
                continue
            vals = list((df if out is None else out)[col])
            if not any(isinstance(v, str) and self.names.get(v, v) != v for v in vals):
                continue
            out = df.copy() if out is None else out
            code_col = "code" if "code" not in out.columns else f"{col}_code"
            if code_col in out.columns:
                continue
            out[col] = pd.Series([self.names.get(v, v) if isinstance(v, str) else v for v in vals],
                                 index=out.index, dtype=object)
            out.insert(list(out.columns).index(col) + 1, code_col, pd.Series(vals, index=out.index, dtype=object))
        return df if out is None else out
