"""Layout of ``invariance``: one sheet, the per-construct verdicts or (a model tested as a
whole) the verdict, the fit at each step and each step against the previous one; levels, the
configural fit and each step carry a verdict (cxstats.report.verdicts)."""

from __future__ import annotations

from cxstats.report import verdicts


def sheets(builder, result):
    """One sheet: steps, tests and verdict (whole model) or the per-construct table."""
    tables = result.tables()
    if "Invariance by construct" in tables:
        df = tables["Invariance by construct"]
        checks = {"level": verdicts.level_verdicts(df["level"]),
                  "configural_fit": verdicts.configural_verdicts(df["configural_fit"])}
        if result.rule == "cfi":  # the ΔCFI cut is the rule that decided the levels
            checks.update({c: verdicts.judge(df, c, "delta_cfi") for c in df.columns if c.startswith("d_cfi_")})
        verdicts.add_table(builder, "Invariance", df, checks, title="Measurement invariance by construct",
                           note="level: highest invariance step supported; means are comparable between the "
                                "groups only with scalar (or strict) invariance. d_cfi_*: change in CFI; p_*: "
                                "chi-square difference test against the previous step. configural_fit: the "
                                "configural model must fit acceptably (default CFI >= .90, RMSEA <= .08, SRMR "
                                "<= .08), else the level is none; saturated = df 0 (3 items), accepted.")
        return
    verdict = tables["Invariance verdict"]
    words = [None] * len(verdict)
    for i, (item, value) in enumerate(zip(verdict["item"], verdict["value"])):
        if item == "level supported":
            words[i] = verdicts.level_verdicts([value])[1][0]
        elif item == "configural fit":
            words[i] = verdicts.configural_verdicts([value])[1][0]
    verdicts.add_table(builder, "Invariance", verdict, {"value": ("invariance_level", words)},
                       legend=["invariance_level", "configural_fit"], title="Verdict",
                       note="Configural invariance needs an acceptably fitting configural model first "
                            "(configural fit rule above); only then are the later steps compared.")
    builder.add_table("Invariance", tables["Invariance steps"], title="Fit at each step")
    tests = tables["Invariance tests"]
    checks = {}
    if len(tests) and "supported" in tests.columns:
        checks["supported"] = verdicts.mapped(tests["supported"], {True: verdicts.PASS, False: verdicts.FAIL},
                                              "invariance_step")
        if result.rule == "cfi":
            checks["delta_cfi"] = verdicts.judge(tests, "delta_cfi", "delta_cfi")
        elif result.rule == "chen":
            checks["delta_cfi"] = verdicts.judge(tests, "delta_cfi", "delta_cfi")
            checks["delta_rmsea"] = verdicts.judge(tests, "delta_rmsea", "delta_rmsea")
    verdicts.add_table(builder, "Invariance", tests, checks, title="Each step against the previous one",
                       note="chisq_diff/df_diff/pvalue: lavTestLRT; supported: the step passes the verdict "
                            "rule (cfi: delta_cfi > -0.01; chen: not delta_cfi <= -0.01 together with "
                            "delta_rmsea >= 0.015; lrt: p >= alpha).")
