"""The spec's ``maturity:`` block (the CX maturity self-assessment) and the built-in template.

::

    maturity:
      unit: area            # the segment whose groups are the raters' units (rwg(j), ICC); optional
      level: level          # the organisational level segment (executive / manager / frontline)
      by: [area, level]     # segments compared (Welch, Kruskal-Wallis, Holm); default: unit and level
      dimensions: [customer, strategy]   # constructs that are maturity dimensions (default: all)
      target: 4             # target stage of every dimension (default: each dimension's aspiration)
      targets: {governance: 3}           # per-dimension targets (override both)
      stage_boundaries: [1.5, 2.5, 3.5, 4.5]

Every problem is a :class:`SpecError` naming the YAML path (``maturity.targets.governance``).
The template (``cxstats maturity template``) is ``maturity_template.yaml`` beside this module:
cxstats' own operationalisation of the CX framework's dimensions, not a licensed instrument.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

KEYS = {"unit", "level", "by", "dimensions", "target", "targets", "stage_boundaries"}
TEMPLATE = Path(__file__).with_name("maturity_template.yaml")
LANGUAGES = ("es", "en")


@dataclass
class Maturity:
    dimensions: list = field(default_factory=list)   # construct ids
    targets: dict = field(default_factory=dict)      # construct id -> target stage
    unit: str | None = None
    level: str | None = None
    by: list = field(default_factory=list)
    stage_boundaries: tuple = (1.5, 2.5, 3.5, 4.5)


def parse_maturity(r, node, spec) -> Maturity | None:
    """Parse ``maturity:`` against ``spec`` (its constructs and segments); ``r`` is the spec
    reader of :mod:`cxstats.spec.load`."""
    if node is None:
        return None
    p = "maturity"
    node = r.mapping(node, p, KEYS)
    constructs = {c.id: c for c in spec.constructs()}
    segments = {g.id for g in spec.segments}
    out = Maturity()
    dims = r.seq(node.get("dimensions"), f"{p}.dimensions", required=False) or list(constructs)
    for i, d in enumerate(dims):
        if d not in constructs:
            r.fail(f"{p}.dimensions[{i}]", f"{d!r} is not a construct of the spec")
    out.dimensions = [str(d) for d in dims]
    scales = {(constructs[d].scale.min, constructs[d].scale.max) for d in out.dimensions}
    if len(scales) > 1:
        r.fail(f"{p}.dimensions", "the maturity dimensions must share one answer scale (stages are read on it)")
    lo, hi = next(iter(scales))
    for key in ("unit", "level"):
        value = node.get(key)
        if value is not None:
            if value not in segments:
                r.fail(f"{p}.{key}", f"{value!r} is not a segment of the spec (segments: {', '.join(sorted(segments))})")
            setattr(out, key, str(value))
    if "by" in node:
        by = r.seq(node.get("by"), f"{p}.by", required=False)
        for i, g in enumerate(by):
            if g not in segments:
                r.fail(f"{p}.by[{i}]", f"{g!r} is not a segment of the spec")
        out.by = [str(g) for g in by]
    else:
        out.by = list(dict.fromkeys(g for g in (out.unit, out.level) if g))

    def stage(value, path):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            r.fail(path, f"a target stage is a number from {lo:g} to {hi:g}, not {value!r}")
        return float(value)

    default = stage(node["target"], f"{p}.target") if node.get("target") is not None else None
    given = r.mapping(node.get("targets") or {}, f"{p}.targets")
    for d, v in given.items():
        if d not in out.dimensions:
            r.fail(f"{p}.targets.{d}", f"{d!r} is not a maturity dimension ({', '.join(out.dimensions)})")
    out.targets = {d: stage(given[d], f"{p}.targets.{d}") if d in given
                   else default if default is not None else constructs[d].aspiration for d in out.dimensions}
    out.targets = {d: v for d, v in out.targets.items() if v is not None}
    if "stage_boundaries" in node:
        b = r.seq(node["stage_boundaries"], f"{p}.stage_boundaries")
        if (any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in b)
                or list(b) != sorted(b) or len(set(b)) != len(b) or not all(lo < x <= hi for x in b)):
            r.fail(f"{p}.stage_boundaries", f"expected increasing numbers inside the scale ({lo:g}-{hi:g}), "
                                            f"got {b!r}")
        out.stage_boundaries = tuple(float(x) for x in b)
    return out


def template_text(lang: str) -> str:
    """The built-in maturity spec with ``lang`` first (the fielding language) and a header."""
    if lang not in LANGUAGES:
        from cxstats.errors import InputError

        raise InputError(f"the maturity template is written in {' and '.join(LANGUAGES)}, not {lang!r}",
                         option="lang")
    other = [x for x in LANGUAGES if x != lang]
    body = TEMPLATE.read_text(encoding="utf-8").replace("  languages: [es, en]",
                                                        f"  languages: [{', '.join([lang, *other])}]", 1)
    header = {
        "es": ("# Autodiagnóstico de madurez de la experiencia de cliente (cxstats maturity template).\n"
               "# Los ítems son una operacionalización propia de cxstats de las dimensiones del marco de\n"
               "# experiencia de cliente; no es un instrumento licenciado ni validado externamente.\n"
               "# Formularios: cxstats questionnaire build maturity.yaml --out formularios/\n"
               "#   (use xlsform_customer.xlsx: la redacción principal de cada ítem)\n"
               "# Análisis:    cxstats maturity respuestas.csv --spec maturity.yaml --xlsx madurez.xlsx\n"),
        "en": ("# Customer-experience maturity self-assessment (cxstats maturity template).\n"
               "# The items are cxstats' own operationalisation of the CX framework's dimensions;\n"
               "# not a licensed or externally validated instrument.\n"
               "# Forms:    cxstats questionnaire build maturity.yaml --out forms/\n"
               "#   (field xlsform_customer.xlsx: each item's main wording)\n"
               "# Analysis: cxstats maturity answers.csv --spec maturity.yaml --xlsx maturity.xlsx\n"),
    }[lang]
    return header + body
