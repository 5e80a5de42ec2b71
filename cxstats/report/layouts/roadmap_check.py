"""Layout of ``roadmap_check``: the roadmap with its owners (co-leads, RACI roles by level,
targets), the roles' load, and the problems found (errors and warnings, with the rules)."""

from __future__ import annotations

from cxstats.report import i18n
from cxstats.stats.governance import RoadmapCheckResult

i18n.register(texts={
    "gov_sheet": {"en": "Roadmap owners", "es": "Responsables hoja de ruta"},
    "gov_owners": {"en": "Initiatives and their owners ({source})", "es": "Iniciativas y sus responsables ({source})"},
    "gov_roles": {"en": "Roles: initiatives co-led, accountable (A), responsible (R), consulted (C), informed (I)",
                  "es": "Roles: iniciativas que co-lideran, de las que rinden cuentas (A), responsables (R), "
                        "consultados (C), informados (I)"},
    "gov_problems": {"en": "Checks: {errors} error(s), {warnings} warning(s)",
                     "es": "Comprobaciones: {errors} error(es), {warnings} aviso(s)"},
    "gov_rules": {"en": "Errors: no or several accountable roles; unknown construct or touchpoint; a role accountable "
                        "for more than {max} initiatives. Warnings: no co-leads; a target with |gap| < {gap:g} or "
                        "importance < {imp:.0%} of R².",
                  "es": "Errores: ninguno o varios roles que rinden cuentas; constructo o punto de contacto "
                        "desconocido; un rol que rinde cuentas de más de {max} iniciativas. Avisos: sin co-líderes; "
                        "un objetivo con |brecha| < {gap:g} o importancia < {imp:.0%} del R²."},
    "gov_error": {"en": "error", "es": "error"},
    "gov_warning": {"en": "warning", "es": "aviso"},
})

GOV_HEADERS = {
    "initiative": {"en": "Initiative", "es": "Iniciativa"},
    "name": {"en": "Name", "es": "Nombre"},
    "co_leads": {"en": "Co-leads", "es": "Co-líderes"},
    "accountable": {"en": "Accountable (A)", "es": "Rinde cuentas (A)"},
    "responsible": {"en": "Responsible (R)", "es": "Responsable (R)"},
    "consulted": {"en": "Consulted (C)", "es": "Consultado (C)"},
    "informed": {"en": "Informed (I)", "es": "Informado (I)"},
    "constructs": {"en": "Constructs targeted", "es": "Constructos objetivo"},
    "touchpoints": {"en": "Touchpoints targeted", "es": "Puntos de contacto objetivo"},
    "role": {"en": "Role", "es": "Rol"},
    "levels": {"en": "Levels", "es": "Niveles"},
    "accountable_for": {"en": "Accountable for", "es": "Rinde cuentas de"},
    "severity": {"en": "Severity", "es": "Gravedad"},
    "rule": {"en": "Rule", "es": "Regla"},
    "row": {"en": "Row", "es": "Fila"},
    "column": {"en": "Column", "es": "Columna"},
    "value": {"en": "Value", "es": "Valor"},
    "message": {"en": "Message", "es": "Mensaje"},
}


def _headers(display, df):
    return df.rename(columns={c: GOV_HEADERS[c].get(display.lang, GOV_HEADERS[c]["en"])
                              if c in GOV_HEADERS else display.header(c) for c in df.columns})


def sheets(builder, result: RoadmapCheckResult) -> None:
    d = builder.display
    sheet = d.t("gov_sheet")
    tables = result.tables()
    builder.add_table(sheet, _headers(d, tables["Owners"]), title=d.t("gov_owners", source=result.source))
    builder.add_table(sheet, _headers(d, tables["Roles"]), title=d.t("gov_roles"))
    problems = tables["Problems"].copy()
    problems["severity"] = [d.t(f"gov_{s}") for s in problems["severity"]]
    n_err = len(result.errors)
    builder.add_table(sheet, _headers(d, problems), title=d.t("gov_problems", errors=n_err,
                                                                 warnings=len(result.problems) - n_err),
                      note=d.t("gov_rules", max=result.rules["max_accountable"], gap=result.rules["small_gap"],
                               imp=result.rules["low_importance"]))
