"""Layout of ``followup``: the cases (one row per customer), the summary by owner and priority,
and the rules with the customers each flagged. Texts in the study's language."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.followup import FollowupResult

i18n.register(texts={
    "followup_sheet": {"en": "Follow-up", "es": "Seguimiento"},
    "followup_promoters_sheet": {"en": "Promoters", "es": "Promotores"},
    "followup_summary_sheet": {"en": "Follow-up summary", "es": "Resumen seguimiento"},
    "followup_promoters_summary_sheet": {"en": "Promoters summary", "es": "Resumen promotores"},
    "followup_cases": {"en": "Customers to follow up ({n} cases; due_by = response time + SLA)",
                       "es": "Clientes a los que dar seguimiento ({n} casos; due_by = hora de respuesta + SLA)"},
    "followup_promoters": {"en": "Promoters to thank ({n} customers) and what they praised",
                           "es": "Promotores a los que agradecer ({n} clientes) y lo que valoraron"},
    "followup_summary": {"en": "Cases by owner and priority", "es": "Casos por responsable y prioridad"},
    "followup_rules": {"en": "Rules: customers flagged and cases won (after de-duplication)",
                       "es": "Reglas: clientes señalados y casos asignados (tras eliminar duplicados)"},
    "followup_note": {"en": "{suppressed} suppressed (previous list); {default} to the default owner.",
                      "es": "{suppressed} suprimidos (lista anterior); {default} al responsable por defecto."},
})


def sheets(builder, result: FollowupResult) -> None:
    d = builder.display
    promoters = result.kind == "promoters"
    sheet = d.t("followup_promoters_sheet" if promoters else "followup_sheet")
    note = d.t("followup_note", suppressed=result.n_suppressed, default=result.n_default_owner)
    builder.add_table(sheet, result.case_frame(d.lang), note=note,
                      title=d.t("followup_promoters" if promoters else "followup_cases", n=len(result.cases)))
    tables = result.tables()
    summary = d.t("followup_promoters_summary_sheet" if promoters else "followup_summary_sheet")
    builder.add_table(summary, tables["Summary"], title=d.t("followup_summary"))
    builder.add_table(summary, tables["Rules"], title=d.t("followup_rules"))


def files(result, options, out_dir, *, display=None, study=None) -> list:
    """A plan's files beside the workbooks: the CRM list when the step names one (``out:
    seguimiento.csv``, or several: ``out: [seguimiento.csv, seguimiento.xlsx]``), the same bytes as
    ``cxstats followup --out`` in the same language."""
    from pathlib import Path

    from cxstats.report.crm import write_case_list

    get = options.get if isinstance(options, dict) else lambda k, d=None: getattr(options, k, d)
    names = get("out")
    names = [names] if isinstance(names, str) else list(names or [])
    paths = []
    for name in names:
        path = Path(out_dir) / name
        write_case_list(result, path, sep=get("sep") or ",", lang=display.lang if display is not None else None)
        paths.append(path)
    return paths
