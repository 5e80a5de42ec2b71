"""Layout of ``invariance``: one sheet, the per-construct verdicts or (a model tested as a
whole) the verdict, the fit at each step and each step against the previous one."""

from __future__ import annotations


def sheets(builder, result):
    """One sheet: steps, tests and verdict (whole model) or the per-construct table."""
    tables = result.tables()
    if "Invariance by construct" in tables:
        builder.add_table("Invariance", tables["Invariance by construct"], title="Measurement invariance by construct",
                          note="level: highest invariance step supported; means are comparable between the "
                               "groups only with scalar (or strict) invariance. d_cfi_*: change in CFI; p_*: "
                               "chi-square difference test against the previous step. configural_fit: the "
                               "configural model must fit acceptably (default CFI >= .90, RMSEA <= .08, SRMR "
                               "<= .08), else the level is none; saturated = df 0 (3 items), accepted.")
        return
    builder.add_table("Invariance", tables["Invariance verdict"], title="Verdict",
                      note="Configural invariance needs an acceptably fitting configural model first "
                           "(configural fit rule above); only then are the later steps compared.")
    builder.add_table("Invariance", tables["Invariance steps"], title="Fit at each step")
    builder.add_table("Invariance", tables["Invariance tests"], title="Each step against the previous one",
                      note="chisq_diff/df_diff/pvalue: lavTestLRT; supported: the step passes the verdict "
                           "rule (cfi: delta_cfi > -0.01; chen: not delta_cfi <= -0.01 together with "
                           "delta_rmsea >= 0.015; lrt: p >= alpha).")
