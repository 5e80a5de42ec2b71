"""The spec's ``themes:`` block: the open answers and the codebook of ``cxstats verbatims``.

    themes:
      text: comentario                 # the customers' open answer column
      staff_text: [queja_clientes, impide_resolver]   # staff open answers (joined per person)
      language: es                     # es | en | pt | auto (detected per answer among the study's languages)
      period: fecha_respuesta          # optional: a date column -> theme shares per ISO week
      touchpoint: punto_contacto       # optional: a column naming the touchpoint of each answer
      codebook:
        entrega:
          name: {es: "Retrasos en la entrega", en: "Late delivery"}
          keywords: ["retras", "tarde", "no lleg"]   # word-start prefixes; 're:REGEX' for a regular expression
        precio: ["precio", "caro"]                   # a plain list = the keywords
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYS = {"text", "staff_text", "language", "period", "touchpoint", "codebook"}
THEME_KEYS = {"name", "keywords"}
LANGS = ("es", "en", "pt", "auto")


@dataclass
class Themes:
    text: str
    codebook: dict                       # theme id -> [keywords / 're:' patterns]
    names: dict = field(default_factory=dict)   # theme id -> {language: name}
    staff_text: list = field(default_factory=list)
    language: str | None = None
    period: str | None = None
    touchpoint: str | None = None


def parse_themes(r, node, spec) -> Themes | None:
    """Parse ``themes:`` (``r`` is the spec reader of :mod:`cxstats.spec.load`)."""
    if node is None:
        return None
    p = "themes"
    node = r.mapping(node, p, KEYS)

    def column(key, required=False):
        value = node.get(key)
        if value is None:
            if required:
                r.fail(f"{p}.{key}", "is required (the column holding the open answers)")
            return None
        if not isinstance(value, str) or not value.strip():
            r.fail(f"{p}.{key}", f"expected a column name, got {value!r}")
        return value

    out = Themes(text=column("text", required=True), codebook={})
    out.period, out.touchpoint = column("period"), column("touchpoint")
    staff = node.get("staff_text")
    staff = [staff] if isinstance(staff, str) else r.seq(staff, f"{p}.staff_text", required=False)
    for i, col in enumerate(staff):
        if not isinstance(col, str) or not col.strip():
            r.fail(f"{p}.staff_text[{i}]", f"expected a column name, got {col!r}")
    out.staff_text = list(staff)
    lang = node.get("language")
    if lang is not None and lang not in LANGS:
        r.fail(f"{p}.language", f"{lang!r} is not a supported language: {', '.join(LANGS)}")
    if lang not in (None, "auto") and lang not in spec.languages:
        r.fail(f"{p}.language", f"{lang!r} is not one of the study's languages ({', '.join(spec.languages)})")
    out.language = lang
    book = r.mapping(node.get("codebook"), f"{p}.codebook")
    if not book:
        r.fail(f"{p}.codebook", "declare at least one theme (theme: [keywords])")
    for tid, entry in book.items():
        tp = f"{p}.codebook.{tid}"
        if not isinstance(tid, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", tid):
            r.fail(tp, f"{tid!r} is not a valid theme id (letters, digits, '_')")
        if isinstance(entry, dict):
            entry = r.mapping(entry, tp, THEME_KEYS)
            if entry.get("name") is not None:
                out.names[tid] = r.text(entry["name"], f"{tp}.name")
            words = r.seq(entry.get("keywords"), f"{tp}.keywords")
            wp = f"{tp}.keywords"
        else:
            words = r.seq(entry, tp)
            wp = tp
        for i, w in enumerate(words):
            if not isinstance(w, str) or not w.strip():
                r.fail(f"{wp}[{i}]", f"expected a keyword or 're:REGEX', got {w!r}")
            if w.startswith("re:"):
                try:
                    re.compile(w[3:])
                except re.error as exc:
                    r.fail(f"{wp}[{i}]", f"{w[3:]!r} is not a regular expression: {exc}")
                if re.compile(w[3:]).search(""):
                    r.fail(f"{wp}[{i}]", "the pattern matches an empty answer (it would match every answer)")
        out.codebook[tid] = [str(w) for w in words]
    return out


def check_theme_rules(r, spec) -> None:
    """Every followup rule 'theme is ID' names a theme of the codebook (``themes:`` is parsed
    after ``followup:``, so the check runs once both are read)."""
    fu = spec.followup
    if fu is None:
        return
    rules = [(f"followup.rules[{i}].when", rule) for i, rule in enumerate(fu.rules)]
    if fu.promoters is not None:
        rules.append(("followup.promoters.when", fu.promoters))
    for path, rule in rules:
        if rule.condition.kind != "theme":
            continue
        if spec.themes is None:
            r.fail(path, f"{rule.condition.source!r} needs a themes: block with a codebook")
        if rule.condition.pattern not in spec.themes.codebook:
            r.fail(path, f"unknown theme {rule.condition.pattern!r}; themes: {', '.join(spec.themes.codebook)}")
