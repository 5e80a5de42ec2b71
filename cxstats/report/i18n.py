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
}

# result column code -> {lang: header}
HEADERS: dict[str, dict[str, str]] = {}


def register(texts: dict | None = None, headers: dict | None = None) -> None:
    """Add a layout's own texts and headers (a layout module calls this at import, so that
    each layout keeps its words beside its code); a key defined twice with other words is a bug."""
    for table, new in ((TEXTS, texts or {}), (HEADERS, headers or {})):
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


@dataclass
class Display:
    """How a deliverable speaks: its language and the spec's names of codes."""

    lang: str = "en"
    names: dict = field(default_factory=dict)  # code -> display name (already in ``lang``)

    def t(self, key: str, **fields) -> str:
        entry = TEXTS[key]
        text = entry.get(self.lang) or entry["en"]
        return text.format(**fields) if fields else text

    def header(self, column) -> str:
        entry = HEADERS.get(str(column))
        if not entry:
            return str(column)
        return entry.get(self.lang) or entry["en"]

    def name(self, code) -> str:
        return self.names.get(str(code), str(code))
