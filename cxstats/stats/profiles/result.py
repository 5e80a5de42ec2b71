"""``ProfilesResult``: profile shares, contrasts against the rest, segments, lifecycle, drivers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def _f(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def _clean(row: dict) -> dict:
    return {k: (_f(v) if isinstance(v, float) else v) for k, v in row.items()}


@dataclass
class ProfilesResult:
    satisfaction: str
    repurchase: str
    sat_cut: float
    rep_cut: float
    cut_rule: str
    ci_method: str            # wilson | goodman
    level: float
    n: int                    # customers in a profile
    n_unclassified: int
    profiles: list[dict]      # profile, n, share, share_ci_lower/upper, satisfaction_mean, ..., means
    differences: list[dict]   # profile x variable: Welch vs rest, p_holm, p_bh
    segment_tests: list[dict]
    segment_cells: list[dict]
    lifecycle: str | None
    lifecycle_rows: list[dict]
    drivers: Any = None       # DriversResult (loyalist vs hostage/mercenary) or None
    nps_column: str | None = None
    warnings: list = field(default_factory=list)
    assignments: Any = None   # DataFrame row -> profile (not in JSON)
    # {language: {segment: {value code: text}}}: the spec's names of segment values (lifecycle
    # stages), display texts for the workbook in each language (not in JSON: codes there)
    value_labels: dict = field(default_factory=dict)
    crm: dict | None = None   # how the answers joined a CRM extract (counts), when one is linked

    def share(self, profile: str) -> float:
        return next(r["share"] for r in self.profiles if r["profile"] == profile)

    def to_dict(self) -> dict:
        profiles = []
        for r in self.profiles:
            row = _clean({k: v for k, v in r.items() if k != "means"})
            row["means"] = {k: _f(v) for k, v in r["means"].items()}
            profiles.append(row)
        return {
            "satisfaction": self.satisfaction, "repurchase": self.repurchase,
            "cutoffs": {"satisfaction": self.sat_cut, "repurchase": self.rep_cut, "rule": self.cut_rule,
                        "high_means": "value >= cut-off"},
            "ci_method": self.ci_method, "level": self.level, "n": self.n, "n_unclassified": self.n_unclassified,
            "profiles": profiles,
            "differences": [_clean(d) for d in self.differences],
            "segment_tests": [_clean(d) for d in self.segment_tests],
            "segment_cells": [_clean(d) for d in self.segment_cells],
            "lifecycle": {"segment": self.lifecycle, "rows": [_clean(d) for d in self.lifecycle_rows]}
            if self.lifecycle else None,
            "loyalty_drivers": self.drivers.to_dict() if self.drivers is not None else None,
            **({"crm": self.crm} if self.crm is not None else {}),
            "warnings": list(self.warnings),
        }

    def profile_table(self):
        import pandas as pd

        rows = []
        for r in self.profiles:
            row = {k: v for k, v in r.items() if k != "means"}
            row.update(r["means"])
            rows.append(row)
        return pd.DataFrame(rows)

    def tables(self) -> dict:
        import pandas as pd

        t = {"Profiles": self.profile_table()}
        if self.differences:
            t["Differences"] = pd.DataFrame(self.differences)[
                ["profile", "variable", "kind", "n", "mean", "mean_rest", "diff", "welch_t", "welch_df",
                 "pvalue", "p_holm", "p_bh"]]
        if self.segment_tests:
            t["Segment tests"] = pd.DataFrame(self.segment_tests)
            t["Segment cells"] = pd.DataFrame(self.segment_cells)
        if self.lifecycle_rows:
            t["Lifecycle"] = pd.DataFrame(self.lifecycle_rows)
        if self.drivers is not None:
            t["Loyalty drivers"] = self.drivers.importance_table()
        return t

    def methods(self, lang: str = "en") -> list[tuple[str, str]]:
        """The method notes in ``lang`` (es or en; any other language: English)."""
        es = lang == "es"
        cut = f" ({self.cut_rule})" if self.cut_rule else ""
        if self.ci_method == "goodman":
            ci = ("intervalos simultáneos de Goodman (1965) para las cuatro proporciones a la vez "
                  "(statsmodels multinomial_proportions_confint)" if es else
                  "Goodman (1965) simultaneous intervals for the four shares together "
                  "(statsmodels multinomial_proportions_confint)")
        else:
            ci = ("intervalo de Wilson de cada proporción por separado (statsmodels proportion_confint, "
                  "R prop.test(correct = FALSE))" if es else
                  "Wilson score interval for each share on its own (statsmodels proportion_confint, "
                  "R prop.test(correct = FALSE))")
        level = f"{self.level:.0%}"
        if es:
            out = [
                ("Perfiles", f"Matriz satisfacción x recompra de Jones y Sasser (1995): {self.satisfaction} alta "
                             f"cuando >= {self.sat_cut:g}, {self.repurchase} alta cuando >= {self.rep_cut:g}{cut}. "
                             "Leal: alto en ambas; mercenario: satisfecho, sin intención de recompra; rehén: con "
                             "intención de recompra sin estar satisfecho; desertor: bajo en ambas."),
                ("Proporciones", f"Intervalos de confianza del {level}: {ci}."),
                ("Diferencias", "Cada perfil frente a todos los demás clientes clasificados: prueba t de Welch "
                                "(R t.test(var.equal = FALSE)); p-valores ajustados sobre todas las pruebas "
                                "perfil x variable juntas por Holm (error de familia) y Benjamini-Hochberg (tasa "
                                "de falsos descubrimientos)."),
                ("Segmentos", "Prueba chi-cuadrado de Pearson de perfil x segmento (R chisq.test(correct = FALSE)); "
                              "celdas leídas por residuos estandarizados ajustados (Agresti; R "
                              "chisq.test()$stdres), |z| > 1,96 inusual al 5%; Holm y BH sobre las pruebas de "
                              "segmento, y por separado sobre todas las celdas."),
            ]
        else:
            out = [
                ("Profiles", f"Jones & Sasser (1995) satisfaction x repurchase grid: {self.satisfaction} high when "
                             f">= {self.sat_cut:g}, {self.repurchase} high when >= {self.rep_cut:g}{cut}. "
                             "Loyalist: high on both; mercenary: satisfied, not intending to repurchase; hostage: "
                             "intending to repurchase without being satisfied; defector: low on both."),
                ("Shares", f"{level} confidence intervals: {ci}."),
                ("Differences", "Each profile against all other classified customers: Welch's t test "
                                "(R t.test(var.equal = FALSE)); p-values adjusted over every profile x variable "
                                "test together by Holm (family-wise) and Benjamini-Hochberg (false discovery rate)."),
                ("Segments", "Pearson chi-square test of profile x segment (R chisq.test(correct = FALSE)); cells "
                             "read by adjusted standardized residuals (Agresti; R chisq.test()$stdres), |z| > 1.96 "
                             "unusual at 5%; Holm and BH over the segment tests, and separately over all cells."),
            ]
        if self.nps_column:
            out.append(("NPS", f"NPS de cada perfil a partir de {self.nps_column}: % 9-10 menos % 0-6." if es else
                               f"NPS per profile from {self.nps_column}: % 9-10 minus % 0-6."))
        if self.lifecycle:
            out.append(("Ciclo de vida" if es else "Lifecycle",
                        f"Proporción de cada perfil dentro de cada etapa de {self.lifecycle!r} (su prueba "
                        "chi-cuadrado está entre las pruebas de segmento)." if es else
                        f"Profile shares within each stage of {self.lifecycle!r} (its chi-square test is among "
                        "the segment tests)."))
        if self.crm is not None:
            c = self.crm
            out.append(("CRM", f"Respuestas unidas al extracto del CRM {c['file']} por id de cliente: "
                               f"{c['n_matched']} de {c['n_answers']} unidas ({c['n_unmatched']} con un id que el "
                               f"CRM no tiene, {c['n_no_id']} sin id). Los segmentos del CRM "
                               f"({', '.join(c['segments']) or 'ninguno'}) sustituyen a los de la encuesta en las "
                               "respuestas unidas; sus medidas se comparan como las demás variables." if es else
                               f"Answers joined to the CRM extract {c['file']} by customer id: {c['n_matched']} of "
                               f"{c['n_answers']} joined ({c['n_unmatched']} with an id the CRM lacks, "
                               f"{c['n_no_id']} without an id). The CRM's segments "
                               f"({', '.join(c['segments']) or 'none'}) replace the survey's for joined answers; "
                               "its measures are compared like the other variables."))
        if self.drivers is not None:
            out.append(("Impulsores de lealtad" if es else "Loyalty drivers",
                        "Impulsores de ser leal en lugar de rehén o mercenario (desertores excluidos): regresión "
                        "logística de leal = 1 y pesos relativos en la escala logit (el análisis de impulsores, "
                        "resultado binario)." if es else
                        "Drivers of being a loyalist rather than a hostage or mercenary (defectors left out): "
                        "logistic regression of loyalist = 1 and relative weights on the logit scale (the drivers "
                        "analysis, binary outcome)."))
        return out
