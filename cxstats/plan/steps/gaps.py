"""Plan step ``gaps``: customers vs frontline staff per item, construct, touchpoint and
component, with the spec's aspirations, survey weights and invariance verdicts.

Options (all optional): ``by`` (a segment id), ``min_n`` (default 30), ``levels``
(subset of item/construct/touchpoint/component), ``weight`` (true/false, default: the
spec's weight when it has one), ``alpha`` (default 0.05).

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
    if not {"customer", "staff"} <= types:
        ctx.fail(None, "the gaps step compares customers with frontline staff, but the data has only "
                         f"{', '.join(sorted(types)) or 'no'} respondents; add the staff file to 'data'")

    levels = {"item": {i: [i] for i in spec.item_ids()}, **spec.levels()}
    all_levels = {lv: m for lv, m in levels.items() if lv in wanted and m}
    scale_max = {i.id: i.scale.max for i in spec.items() if i.scale is not None}
    verdicts = invariance_verdicts(ctx)
    result = gap_analysis(data, "respondent_type", levels=all_levels, compare=("customer", "staff"),
                          scale_max=scale_max,
                          aspirations=expand_aspirations(levels, spec.aspirations()),
                          weight=weight, by=by, min_n=min_n, invariance=verdicts, alpha=alpha)
    return result


def sheets(builder, result):
    from cxstats.report.gap_workbook import write_gap_sheets

    write_gap_sheets(builder, result)
