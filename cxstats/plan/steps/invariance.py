"""Plan step ``invariance``: is each construct measured the same way by customers and
staff? Every construct's one-factor model is fitted across the two groups through
configural, metric, scalar and strict invariance.

The result carries ``construct_verdicts`` (``{construct: level}``); a later ``gaps``
step marks constructs below scalar invariance as not interpretable. Constructs with
fewer than 3 items cannot be tested on their own and get no verdict (a warning says so).

Options (all optional): ``constructs`` (list of ids; default all), ``by`` (group
column; default respondent_type), ``groups`` (the two values compared; default
[customer, staff]), ``rule`` (cfi | chen | lrt; default cfi), ``free`` (mapping
construct -> list of parameters to release, e.g. ``{web: ["q3 ~ 1"]}``), ``missing`` (auto | ml |
listwise; default auto: full-information ML for a construct whose items have missing answers).
"""

NAME = "invariance"
WORKBOOK = "measurement"
OPTIONS = {"constructs", "by", "groups", "rule", "free", "missing"}



def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.plan.steps.cfa import construct_items, missing_option
    from cxstats.stats.invariance import RULES, construct_invariance

    missing = missing_option(ctx, options)
    data = ctx.survey.data
    by = options.get("by") or "respondent_type"
    if by not in data.columns:
        ctx.fail("by", f"{by!r} is not a column of the survey table")
    groups = options.get("groups") or (["customer", "staff"] if by == "respondent_type" else None)
    if groups is not None and (not isinstance(groups, list) or len(groups) < 2):
        ctx.fail("groups", "groups must list at least two values of the group column")
    rule = options.get("rule", "cfi")
    if rule not in RULES:
        ctx.fail("rule", f"rule must be one of {', '.join(RULES)}, not {rule!r}")
    free = options.get("free") or {}
    if not isinstance(free, dict):
        ctx.fail("free", "free must map a construct id to a list of parameters, e.g. {web: ['q3 ~ 1']}")
    labels = [None if v is None or v != v else str(v) for v in data[by].tolist()]
    if groups is not None:
        groups = [str(g) for g in groups]
        present = {g for g in labels if g is not None}
        absent = [g for g in groups if g not in present]
        if absent:
            ctx.fail("groups", f"no respondents with {by} = {absent[0]!r}; the data has: "
                                 f"{', '.join(sorted(present))}")
        labels = [g if g in groups else None for g in labels]
    scales, skipped = construct_items(ctx, options, data, min_items=1)
    if not scales:
        ctx.fail("constructs", "no construct to test")
    result = construct_invariance(data.reset_index(drop=True), scales, labels, group_labels=groups,
                                  rule=rule, free={k: list(v) for k, v in free.items()}, missing=missing)
    untested = [c.construct for c in result.constructs if c.level is None]
    if untested:
        result.warnings.append("no invariance verdict (fewer than 3 items or not estimable): "
                               + ", ".join(untested) + "; their group means are compared without this check")
    # rows outside the compared groups are expected, not a data problem
    result.warnings = [w for w in result.warnings if "without a group value" not in w]
    return result


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
