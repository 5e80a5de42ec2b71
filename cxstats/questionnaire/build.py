"""Spec -> every questionnaire file, written whole or not at all.

Files written to the output folder (fixed names, so scripts can rely on them):

    xlsform_customer.xlsx    XLSForm, customer form (KoBoToolbox / ODK)
    xlsform_staff.xlsx       XLSForm, mirrored frontline-staff form
    qualtrics_customer.txt   Qualtrics Advanced Format TXT, one language
    qualtrics_staff.txt
    codebook.xlsx            the codebook for people (one row per variable)
    codebook.yaml            the codebook for machines: a normalised copy of the spec

Everything is generated in memory first; files are then written one by one,
each atomically (temporary file + rename).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cxstats.errors import InputError
from cxstats.spec.model import StudySpec

FILES = {
    "xlsform_customer": "xlsform_customer.xlsx",
    "xlsform_staff": "xlsform_staff.xlsx",
    "qualtrics_customer": "qualtrics_customer.txt",
    "qualtrics_staff": "qualtrics_staff.txt",
    "codebook_xlsx": "codebook.xlsx",
    "codebook_yaml": "codebook.yaml",
}


@dataclass
class BuildResult:
    out_dir: str
    language: str
    files: dict[str, str]
    variables: dict[str, int]
    generated_staff_wording: list[str]
    check: dict
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"out_dir": self.out_dir, "language": self.language, "files": self.files,
                "variables": self.variables, "generated_staff_wording": self.generated_staff_wording,
                "check": self.check, "warnings": self.warnings}

    def tables(self) -> dict:
        import pandas as pd

        return {"files": pd.DataFrame({"file": list(self.files), "path": list(self.files.values())})}


def codebook_workbook(spec: StudySpec, language: str, check_result):
    import pandas as pd

    from cxstats.questionnaire.codebook import scale_rows, variable_rows
    from cxstats.report.i18n import Display
    from cxstats.report.workbook import WorkbookBuilder

    wb = WorkbookBuilder(Display.verbatim())  # a codebook: column names as written
    rows = variable_rows(spec, language)
    wb.add_table("Codebook", pd.DataFrame(rows), formats={"aspiration": "0.0"},
                 title=f"Codebook: {spec.title.get(language) or next(iter(spec.title.values()))}",
                 note="One row per variable. Item, outcome and segment ids are the question names of "
                      "every form and the column names of the exports.")
    wb.add_table("Scales", pd.DataFrame(scale_rows(spec)), formats={"code": "0"},
                 title="Scales: codes and labels")
    wb.add_table("Check", check_result.tables()["findings"], title="questionnaire check")
    wb.add_text("Fielding", [
        "How the data comes back",
        "KoBoToolbox / ODK: export CSV or XLSX with values (codes) or labels, WITHOUT group names in "
        "the headers (KoBo: untick 'Include groups in headers'; ODK Central: the columns are "
        "prefixed 'group-', which the ingest must strip or you rename).",
        "Qualtrics: export CSV with 'Use choice text' (labels), or set recode values to the codes "
        "listed here first; Qualtrics numbers choices 1..k by position.",
        "Ingest: cxstats reads the exports through codebook.yaml (the study spec as fielded).",
    ], bold_first=True)
    return wb


def build_questionnaire(spec: StudySpec, out_dir, language: str | None = None) -> BuildResult:
    from cxstats.questionnaire import qualtrics, xlsform
    from cxstats.questionnaire.check import check_spec
    from cxstats.questionnaire.codebook import codebook_yaml
    from cxstats.questionnaire.forms import build_form
    from cxstats.report.atomic import write_text

    language = language or spec.language
    if language not in spec.languages:
        raise InputError(f"option --language: {language!r} is not among the study languages "
                         f"({', '.join(spec.languages)})", file=spec.source)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("--out must be a folder, and this is a file", file=out)

    check = check_spec(spec)
    if check.errors:
        raise InputError(f"{len(check.errors)} error(s) in the spec; fix them before building forms",
                         file=spec.source, details=[f.line() for f in check.errors])
    forms = {aud: build_form(spec, aud) for aud in ("customer", "staff")}
    source = spec.source.name if spec.source else "the spec"
    texts_out = {
        "qualtrics_customer": qualtrics.render(forms["customer"], language),
        "qualtrics_staff": qualtrics.render(forms["staff"], language),
        "codebook_yaml": codebook_yaml(spec, header=[
            f"Codebook of study {spec.id}: the study spec as fielded by 'cxstats questionnaire build'",
            f"from {source}. Read it with --spec (or cxstats.spec.load.load_spec) to ingest the exports.",
            "Staff wordings the builder generated are written out; the respondent-type column is named.",
        ]),
    }
    books = {f"xlsform_{aud}": xlsform.workbook(f) for aud, f in forms.items()}
    books["codebook_xlsx"] = codebook_workbook(spec, language, check)

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder ({exc.strerror or exc}); choose a folder you can "
                         "write to", file=out) from None
    written = {}
    for key, fname in FILES.items():
        path = out / fname
        if key in books:
            books[key].save(path)
        else:
            write_text(path, texts_out[key])
        written[key] = str(path)
    staff = forms["staff"]
    return BuildResult(
        str(out), language, written,
        {"items": len(spec.items()), "outcomes": len(spec.outcomes), "segments": len(spec.segments)},
        [q.name for q in staff.scored() if q.generated],
        {"n_errors": len(check.errors),
         "n_warnings": sum(f.level == "warning" for f in check.findings),
         "estimated_minutes": check.minutes["customer"]},
    )
