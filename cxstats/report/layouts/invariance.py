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
                               "chi-square difference test against the previous step.")
        return
    builder.add_table("Invariance", tables["Invariance verdict"], title="Verdict")
    builder.add_table("Invariance", tables["Invariance steps"], title="Fit at each step")
    builder.add_table("Invariance", tables["Invariance tests"], title="Each step against the previous one",
                      note="chisq_diff/df_diff/pvalue: lavTestLRT; delta_cfi <= -0.01 together with "
                           "delta_rmsea >= 0.015 signals non-invariance (Chen 2007).")
