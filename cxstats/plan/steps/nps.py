"""Plan step ``nps``: Net Promoter Score (adjusted-Wald CI), CSAT and CES of customers.

Options (all optional): ``column`` (default: the spec's outcome of type nps),
``group`` (a segment or ``respondent_type``; default: customers only, no groups),
``by`` (a segment id), ``min_n`` (default 30). CSAT and CES outcomes of the spec are
summarised too.
"""

NAME = "nps"
WORKBOOK = "gaps"
OPTIONS = {"column", "group", "by", "min_n"}



def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.stats.nps import nps_report

    spec, data = ctx.spec, ctx.survey.data
    column = options.get("column")
    if column is None:
        outcome = spec.outcome_of_type("nps")
        if outcome is None:
            ctx.fail("column", "the spec has no outcome of type nps; name the column")
        column = outcome.id
    group, by = options.get("group"), options.get("by")
    for key, col in (("column", column), ("group", group), ("by", by)):
        if col is not None and col not in data.columns:
            ctx.fail(key, f"{col!r} is not a column of the survey table")
    if group != "respondent_type":
        data = data[data["respondent_type"] == "customer"].reset_index(drop=True)
    csat = {o.id: o.scale.max for o in spec.outcomes if o.type == "csat"}
    ces = [o.id for o in spec.outcomes if o.type == "ces"]
    try:
        min_n = int(options.get("min_n", 30))
    except (TypeError, ValueError):
        ctx.fail("min_n", "min_n must be a whole number")
    return nps_report(data, column, group=group, by=by, min_n=min_n, csat=csat, ces=ces)


def sheets(builder, result):
    from cxstats.report.gap_workbook import write_nps_sheets

    write_nps_sheets(builder, result)
