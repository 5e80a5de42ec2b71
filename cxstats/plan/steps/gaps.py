"""Plan step ``gaps``: customers vs frontline staff per item, construct, touchpoint and
component, with the spec's aspirations, survey weights and invariance verdicts.

Options (all optional): ``by`` (a segment id), ``min_n`` (default 30), ``levels``
(subset of item/construct/touchpoint/component), ``weight`` (true/false, default: the
spec's weight when it has one), ``alpha`` (default 0.05).

With customers only (no frontline-staff file in ``data``) the step runs the one-group
analysis instead: customers against the spec's aspirations (one-sample t and Wilcoxon
tests per row, :func:`cxstats.stats.gaps.aspiration_gaps`), with a warning that staff are
absent; it refuses a spec without any aspiration.

If an earlier step left a result with ``construct_verdicts`` (``{construct: level}``,
e.g. the invariance step), constructs below scalar invariance are marked as not
interpretable.
"""

NAME = "gaps"
WORKBOOK = "gaps"
OPTIONS = {"by", "min_n", "levels", "weight", "alpha"}
LEVELS = ("item", "construct", "touchpoint", "component")



def invariance_verdicts(ctx) -> dict:
    """The latest ``construct_verdicts`` left by an earlier step (empty if none)."""
    verdicts = {}
    for result in (ctx.results or {}).values():
        found = getattr(result, "construct_verdicts", None)
        if isinstance(found, dict):
            verdicts = dict(found)
    return verdicts


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.stats.gaps import expand_aspirations, gap_analysis

    spec, survey = ctx.spec, ctx.survey
    data = survey.data
    wanted = ctx.option_list(options, "levels", LEVELS, what="level")
    by = options.get("by")
    if by is not None and by not in data.columns:
        ctx.fail("by", f"{by!r} is not a segment of the spec (segments: "
                         f"{', '.join(s.id for s in spec.segments) or 'none'})")
    try:
        min_n = int(options.get("min_n", 30))
        alpha = float(options.get("alpha", 0.05))
    except (TypeError, ValueError):
        ctx.fail(None, "min_n must be a whole number and alpha a number")
    use_weight = options.get("weight", True)
    weight = "weight" if (use_weight and spec.weight and "weight" in data.columns) else None
    types = set(data["respondent_type"].dropna())
    levels = {"item": {i: [i] for i in spec.item_ids()}, **spec.levels()}
    all_levels = {lv: m for lv, m in levels.items() if lv in wanted and m}
    scale_max = {i.id: i.scale.max for i in spec.items() if i.scale is not None}
    if "customer" in types and "staff" not in types:
        return _customers_only(ctx, data, spec, levels, all_levels, scale_max, weight, by, min_n, alpha)
    if not {"customer", "staff"} <= types:
        ctx.fail(None, "the gaps step compares customers with frontline staff (or customers with the "
                         "aspirations), but the data has only "
                         f"{', '.join(sorted(types)) or 'no'} respondents; add the customer file to 'data'")

    verdicts = invariance_verdicts(ctx)
    result = gap_analysis(data, "respondent_type", levels=all_levels, compare=("customer", "staff"),
                          scale_max=scale_max,
                          aspirations=expand_aspirations(levels, spec.aspirations()),
                          weight=weight, by=by, min_n=min_n, invariance=verdicts, alpha=alpha)
    return result


def _customers_only(ctx, data, spec, levels, all_levels, scale_max, weight, by, min_n, alpha):
    """No staff wave: customers against the spec's aspirations (one group)."""
    from cxstats.stats.gaps import aspiration_gaps, expand_aspirations

    targets = spec.aspirations()
    if not targets:
        ctx.fail(None, "the data hold customers only (no staff file), so the gaps step compares "
                       "customers with the aspirations, but the spec gives no aspiration; add "
                       "'aspiration:' to the constructs or the staff file to 'data'")
    customers = data[data["respondent_type"] == "customer"].reset_index(drop=True)
    result = aspiration_gaps(customers, levels=all_levels, scale_max=scale_max,
                             aspirations=expand_aspirations(levels, targets), weight=weight, by=by,
                             min_n=min_n, alpha=alpha, label="customer", group_column="respondent_type")
    result.warnings.insert(0, "no frontline-staff respondents in the data: the gaps step compares "
                              "customers with the aspirations only (one group, one-sample tests); add "
                              "the staff file to 'data' for the customer-staff gaps")
    if invariance_verdicts(ctx):
        result.warnings.append("invariance verdicts not applied: they concern customer-staff "
                               "comparisons, and this analysis has customers only")
    return result


def sheets(builder, result):
    from cxstats.report.gap_workbook import write_gap_sheets

    write_gap_sheets(builder, result)
