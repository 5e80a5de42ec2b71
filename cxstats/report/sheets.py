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
           "inputs": "Input files (SHA-256 identifies the exact file read)", "role": "role",
           "file": "file", "sha256": "sha256", "warnings": "Warnings (read these before the numbers)",
           "step": "step", "warning": "warning", "none": "none", "about": "About this workbook",
           "item": "item", "value": "value", "not_used": "not used"},
    "es": {"sheet": "Portada", "title": "Título", "study": "Estudio", "wave": "Ola", "date": "Fecha",
           "version": "versión de cxstats", "seed": "Semilla aleatoria", "analyses": "Análisis",
           "inputs": "Archivos de entrada (el SHA-256 identifica el archivo exacto leído)", "role": "rol",
           "file": "archivo", "sha256": "sha256", "warnings": "Avisos (léalos antes que las cifras)",
           "step": "paso", "warning": "aviso", "none": "ninguno", "about": "Sobre este libro",
           "item": "dato", "value": "valor", "not_used": "no se usa"},
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

    t = COVER_LABELS.get(info.lang, COVER_LABELS["en"])
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
    wb.add_table(sheet, pd.DataFrame(rows, columns=[t["item"], t["value"]]), title=t["about"], freeze=False)
    inputs = []
    for role, path in info.inputs:
        if path is None or str(path) == "-":
            continue
        p = Path(path)
        digest = file_sha256(p) if p.is_file() else ""
        inputs.append((role, p.name, digest))
    if inputs:
        wb.add_table(sheet, pd.DataFrame(inputs, columns=[t["role"], t["file"], t["sha256"]]),
                     title=t["inputs"], freeze=False)
    warnings = labelled_warnings(labelled_results, info.notes)
    wb.add_text(sheet, [t["warnings"]] + (warnings or [t["none"]]), bold_first=True)
    ws = wb.wb[sheet]
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 18)
    if inputs:
        ws.column_dimensions["C"].width = 68  # a whole SHA-256 on one line


def write_result_workbook(result, path, name: str, cover: CoverInfo | None = None) -> None:
    """The workbook of one analysis (``cxstats NAME --xlsx``): a cover, then the same sheets as a
    plan of that one step writes (its executive summary after the cover, cxstats.report.summary)."""
    from cxstats.report.layouts import sheets_for
    from cxstats.report.summary import add_executive_summary
    from cxstats.report.workbook import WorkbookBuilder

    wb = WorkbookBuilder()
    add_cover(wb, cover or CoverInfo(title=f"cxstats {name}"), [(name, result)])
    before = set(wb.wb.sheetnames)
    sheets_for(name)(wb, result)
    layout = [s for s in wb.wb.sheetnames if s not in before]
    add_warnings_and_methods(wb, [result])
    add_executive_summary(wb, [result], locations={id(result): (None, layout)})
    wb.save(path)


def add_warnings_and_methods(wb, results) -> None:
    warnings, methods, seen = [], [], set()
    for r in results:
        warnings.extend(getattr(r, "warnings", []) or [])
        for topic, text in r.methods():
            if topic not in seen:
                seen.add(topic)
                methods.append((topic, text))
    if warnings:
        import pandas as pd

        wb.add_table("Warnings", pd.DataFrame({"warning": warnings}), title="Read these before the numbers")
    if methods:
        wb.add_methods(methods)
