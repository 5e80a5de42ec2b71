"""A result -> workbook: a Cover sheet, the analysis' layout, then Warnings and Methods sheets.

Every analysis workbook (``cxstats NAME --xlsx`` and each workbook of a plan) opens on a cover
sheet ("Cover", "Portada" for a Spanish plan): study title, wave (when known), date, cxstats
version, seed, the input files by name with their SHA-256 (never a folder: the workbook goes to
a client), and every warning once, labelled by the step that raised it (``[gaps] ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

COVER_LABELS = {
    "en": {"sheet": "Cover", "title": "Title", "study": "Study", "wave": "Wave", "date": "Date",
           "version": "cxstats version", "seed": "Random seed", "analyses": "Analyses",
           "inputs": "Input files (SHA-256 identifies the exact file read)", "role": "Role",
           "file": "File", "sha256": "SHA-256", "warnings": "Warnings (read these before the numbers)",
           "step": "step", "warning": "warning", "none": "none", "about": "About this workbook",
           "item": "Item", "value": "Value", "not_used": "not used"},
    "es": {"sheet": "Portada", "title": "Título", "study": "Estudio", "wave": "Ola", "date": "Fecha",
           "version": "versión de cxstats", "seed": "Semilla aleatoria", "analyses": "Análisis",
           "inputs": "Archivos de entrada (el SHA-256 identifica el archivo exacto leído)", "role": "Rol",
           "file": "Archivo", "sha256": "SHA-256", "warnings": "Avisos (léalos antes que las cifras)",
           "step": "paso", "warning": "aviso", "none": "ninguno", "about": "Sobre este libro",
           "item": "Dato", "value": "Valor", "not_used": "no se usa"},
}


@dataclass
class CoverInfo:
    """What a workbook's cover says; ``inputs`` are (role, path) pairs (only names are shown)."""

    title: str
    inputs: list = field(default_factory=list)
    seed: int | None = None
    wave: str | None = None
    study: str | None = None
    notes: list = field(default_factory=list)  # (label, message): warnings not from a result
    lang: str = "en"
    date: str | None = None


def file_sha256(path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def labelled_warnings(labelled_results, notes=()) -> list[str]:
    """``[step] warning`` for every warning, each once, in the order the steps ran."""
    out = [f"[{label}] {msg}" for label, msg in notes]
    for label, result in labelled_results:
        out.extend(f"[{label}] {w}" for w in (getattr(result, "warnings", None) or []))
    return list(dict.fromkeys(out))


def add_cover(wb, info: CoverInfo, labelled_results) -> None:
    """The cover sheet (call it first, so that it is the workbook's first sheet)."""
    import datetime

    import pandas as pd

    from cxstats import __version__

    lang = wb.display.lang if wb.display.lang != "en" or info.lang == "en" else info.lang
    t = COVER_LABELS.get(lang, COVER_LABELS["en"])
    sheet = t["sheet"]
    analyses = list(dict.fromkeys(label for label, _ in labelled_results))
    rows = [(t["title"], info.title)]
    if info.study and info.study != info.title:
        rows.append((t["study"], info.study))
    if info.wave not in (None, ""):
        rows.append((t["wave"], str(info.wave)))
    rows += [(t["date"], info.date or datetime.date.today().isoformat()),
             (t["version"], __version__),
             (t["seed"], str(info.seed) if info.seed is not None else t["not_used"]),
             (t["analyses"], ", ".join(analyses) or t["none"])]
    wb.first_sheet = sheet
    wb.add_text(sheet, [info.title], bold_first=True)
    wb.add_table(sheet, pd.DataFrame(rows, columns=["item", "value"]), title=t["about"], freeze=False,
                 headers={"item": t["item"], "value": t["value"]})
    inputs = []
    for role, path in info.inputs:
        if path is None or str(path) == "-":
            continue
        p = Path(path)
        digest = file_sha256(p) if p.is_file() else ""
        inputs.append((role, p.name, digest))
    if inputs:
        wb.add_table(sheet, pd.DataFrame(inputs, columns=["role", "file", "sha256"]),
                     title=t["inputs"], freeze=False, headers={k: t[k] for k in ("role", "file", "sha256")})
    warnings = labelled_warnings(labelled_results, info.notes)
    wb.add_text(sheet, [t["warnings"]] + (warnings or [t["none"]]), bold_first=True)
    ws = wb.worksheet(sheet)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 18)
    if inputs:
        ws.column_dimensions["C"].width = 68  # a whole SHA-256 on one line


def write_result_workbook(result, path, name: str, cover: CoverInfo | None = None, display=None) -> None:
    """The workbook of one analysis (``cxstats NAME --xlsx``): a cover, then the same sheets as a
    plan of that one step writes (its executive summary after the cover, cxstats.report.summary), in
    the language of ``display`` (:class:`cxstats.report.i18n.Display`)."""
    from cxstats.report.layouts import sheets_for
    from cxstats.report.summary import add_executive_summary
    from cxstats.report.workbook import WorkbookBuilder

    wb = WorkbookBuilder(display)
    add_cover(wb, cover or CoverInfo(title=f"cxstats {name}"), [(name, result)])
    before = set(wb.wb.sheetnames)
    sheets_for(name)(wb, result)
    layout = [s for s in wb.wb.sheetnames if s not in before]
    add_warnings_and_methods(wb, [result], labels=[name])
    add_executive_summary(wb, [result], locations={id(result): (None, layout)})
    wb.save(path)


def add_warnings_and_methods(wb, results, labels=None) -> None:
    """The Warnings sheet (every warning once; ``[step] warning`` when ``labels`` name the
    results' steps, as on the cover) and the Methods sheet (every topic once).

    Two steps of a workbook can raise the same text about different models (the CFA and the
    SEM each state how their missing answers were handled, in the same words when the same
    respondents answered): without the step's label the sheet read as one warning given twice."""
    methods, seen = [], set()
    lang = wb.display.lang
    translated = True  # every method note in the workbook's language (else a note says they are in English)
    if labels is not None:
        warnings = labelled_warnings(list(zip(labels, results)))
    else:
        warnings = list(dict.fromkeys(w for r in results for w in (getattr(r, "warnings", []) or [])))
    for r in results:
        entries, own = _methods_in(r, lang)
        translated = translated and (own or not entries)
        for topic, text in entries:
            if topic not in seen:
                seen.add(topic)
                methods.append((topic, text))
    if warnings:
        import pandas as pd

        wb.add_table("Warnings", pd.DataFrame({"warning": list(dict.fromkeys(warnings))}),
                     title=wb.display.t("warnings_title"))
    if methods:
        wb.add_methods(methods, translated=translated)


def _methods_in(result, lang: str) -> tuple[list, bool]:
    """A result's method notes and whether they are in ``lang``: a result whose ``methods``
    takes ``lang`` writes them in it (e.g. the profiles); the others write English."""
    import inspect

    try:
        takes_lang = "lang" in inspect.signature(result.methods).parameters
    except (TypeError, ValueError):
        takes_lang = False
    if takes_lang:
        return list(result.methods(lang=lang)), True
    return list(result.methods()), lang == "en"
