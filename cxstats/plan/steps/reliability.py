"""Plan step ``reliability``: alpha, omega and item statistics for every construct of
the spec, separately for customers and staff.

Options (all optional): ``constructs`` (list of construct ids; default all),
``missing`` (pairwise | listwise, default pairwise), ``bootstrap`` (number of
resamples for a bootstrap CI of alpha, default 0), ``by`` (a column to split by
instead of respondent_type).
"""

NAME = "reliability"
WORKBOOK = "measurement"
OPTIONS = {"constructs", "missing", "bootstrap", "by"}



def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.stats.reliability import reliability_report

    spec, survey = ctx.spec, ctx.survey
    data = survey.data
    constructs = {c.id: c for c in spec.constructs()}
    wanted = ctx.option_list(options, "constructs", constructs, what="construct")
    scales = {c: constructs[c].item_ids for c in wanted if len(constructs[c].item_ids) >= 2}
    if not scales:
        ctx.fail("constructs", "no construct has two or more items; reliability needs at least two")
    missing = options.get("missing", "pairwise")
    if missing not in ("pairwise", "listwise"):
        ctx.fail("missing", f"missing must be pairwise or listwise, not {missing!r}")
    try:
        n_boot = int(options.get("bootstrap", 0))
    except (TypeError, ValueError):
        ctx.fail("bootstrap", "bootstrap must be a whole number of resamples")
    by = options.get("by") or "respondent_type"
    if by not in data.columns:
        ctx.fail("by", f"{by!r} is not a column of the survey table")
    groups = [None if v is None or v != v else str(v) for v in data[by].tolist()]
    used = {i for its in scales.values() for i in its}
    rev = [i.id for i in spec.items() if i.reverse and i.id in used]
    bar = ctx.progress(total=n_boot * len(scales) * len({g for g in groups if g}), desc="reliability") \
        if n_boot else None
    state = {"done": 0}

    def tick(step):
        bar.update(step - state["done"])
        state["done"] = step

    try:
        result = reliability_report(data, scales, missing=missing, reverse=rev, groups=groups,
                                    n_boot=n_boot, seed=ctx.seed, reversed_already=True,
                                    progress=tick if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    skipped = [c for c in wanted if c not in scales]
    if skipped:
        result.warnings.append(f"single-item constructs have no reliability: {', '.join(skipped)}")
    return result


def sheets(builder, result):
    """Reliability sheet (one row per scale and group) and an item sheet."""
    tables = result.tables()
    summary = tables["reliability"]
    builder.add_table("Reliability", summary, title="Scale reliability",
                      note="alpha: Cronbach's alpha with Feldt 95% CI; omega_total: psych one-factor omega; "
                           "omega_cfa: semTools compRelSEM of a one-factor CFA. Aim for .70 or more.",
                      sequential=["alpha", "omega_total"])
    builder.add_table("Reliability items", tables["items"], title="Item statistics",
                      note="r_drop: correlation of the item with the sum of the other items; "
                           "alpha_if_dropped: alpha without the item (higher than the scale's alpha = "
                           "the item weakens the scale).",
                      sequential=["r_drop"])
