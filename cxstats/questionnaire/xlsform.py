"""Form model -> XLSForm (the spreadsheet format of KoBoToolbox, ODK and SurveyCTO).

Sheets ``survey``, ``choices`` and ``settings``. Every user-facing column is
written once per spec language with XLSForm's ``::Name (code)`` suffix
(``label::Español (es)``, ``label::English (en)``); the spec's first language
is the form's ``default_language``. Scales become one ``select_one`` choice
list each (codes as choice names, so exports carry the codes; missing codes
such as 99 "No sabe" are choices too), with a range constraint as a guard.

The workbook is laid out by :class:`cxstats.report.workbook.WorkbookBuilder`,
so every cell is text and no wording can turn into a formula.
"""

from __future__ import annotations

from cxstats.questionnaire import texts
from cxstats.questionnaire.forms import Form, Question

VERSION = "v0"


def _lang_cols(prefix: str, languages: list[str]) -> list[str]:
    return [f"{prefix}::{texts.language_header(lang)}" for lang in languages]


def sheets(form: Form) -> dict:
    """``{'survey': DataFrame, 'choices': DataFrame, 'settings': DataFrame}``."""
    import pandas as pd

    langs = form.languages
    label_cols = _lang_cols("label", langs)
    hint_cols = _lang_cols("hint", langs)
    msg_cols = _lang_cols("constraint_message", langs)
    columns = ["type", "name", *label_cols, *hint_cols, "required", "constraint", *msg_cols,
               "appearance", "calculation"]
    rows: list[dict] = []

    def question_row(q: Question) -> dict:
        row = {"type": f"select_one {q.list_name}" if q.kind == "select_one" else q.kind, "name": q.name}
        if q.kind not in ("calculate", "hidden", "end"):
            row.update(zip(label_cols, (q.label[lang] for lang in langs)))
        if q.hint:
            row.update(zip(hint_cols, (q.hint[lang] for lang in langs)))
        if q.required:
            row["required"] = "yes"
        if q.constraint:
            row["constraint"] = q.constraint
            row.update(zip(msg_cols, (q.constraint_message[lang] for lang in langs)))
        if q.appearance:
            row["appearance"] = q.appearance
        if q.calculation:
            row["calculation"] = q.calculation
        return row

    for q in form.head:
        rows.append(question_row(q))
    for s in form.sections:
        begin = {"type": "begin_group", "name": s.name, "appearance": "field-list"}
        begin.update(zip(label_cols, (s.label[lang] for lang in langs)))
        rows.append(begin)
        rows.extend(question_row(q) for q in s.questions)
        rows.append({"type": "end_group", "name": s.name})
    for q in form.tail:
        rows.append(question_row(q))
    survey = pd.DataFrame(rows, columns=columns).astype(object)
    survey = survey.where(survey.notna(), None)
    survey = survey[[c for c in columns if survey[c].notna().any()]]

    crow = []
    for list_name, options in form.choices.items():
        for code, label in options:
            r = {"list_name": list_name, "name": code}
            r.update(zip(label_cols, (label[lang] for lang in langs)))
            crow.append(r)
    choices = pd.DataFrame(crow, columns=["list_name", "name", *label_cols]).astype(object)

    settings = pd.DataFrame([{
        "form_title": form.title[langs[0]],
        "form_id": form.form_id,
        "version": VERSION,
        "default_language": texts.language_header(langs[0]),
        "style": "pages",
    }]).astype(object)
    return {"survey": survey, "choices": choices, "settings": settings}


def workbook(form: Form):
    """A :class:`WorkbookBuilder` holding the XLSForm (call ``.save(path)``)."""
    from cxstats.report.i18n import Display
    from cxstats.report.workbook import WorkbookBuilder

    wb = WorkbookBuilder(Display.verbatim())  # XLSForm column and sheet names are a format: never translated
    for name, df in sheets(form).items():
        wb.add_table(name, df)
    return wb
