"""Plan step ``describe``: item and outcome descriptives, customers vs staff side by side."""

NAME = "describe"
WORKBOOK = "main"
OPTIONS = {"columns"}


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.stats.describe import describe
    from cxstats.spec.model import pick

    survey, spec = ctx.survey, ctx.spec
    meta, scales = {}, {}
    for c in spec.constructs():
        for item in c.items:
            scales[item.id] = (item.scale.min, item.scale.max)
            meta[item.id] = {"kind": "item", "touchpoint": c.touchpoint, "construct": c.id,
                             "component": c.component, "wording": pick(item.customer, spec.language),
                             "reverse": item.reverse}
    for o in spec.outcomes:
        scales[o.id] = (o.scale.min, o.scale.max)
        meta[o.id] = {"kind": o.type, "touchpoint": "", "construct": "", "component": "",
                      "wording": pick(o.customer, spec.language), "reverse": False}
    wanted = options.get("columns")
    if wanted:
        unknown = [c for c in wanted if c not in scales]
        if unknown:
            from cxstats.errors import SpecError
            raise SpecError(f"unknown column {unknown[0]!r} in describe.columns", file=ctx.plan_path,
                            path=f"steps[{ctx.current_index}].columns")
        scales = {c: scales[c] for c in wanted}
    groups = [g for g in ("customer", "staff") if (survey.data.respondent_type == g).any()]
    return describe(survey.data, scales, by="respondent_type", meta=meta, groups=groups)


def sheets(builder, result):
    wide = result.wide()
    pct = {c: "0.0%" for c in wide.columns if c.endswith("_pct")}
    builder.add_table("Describe", wide, title="Descriptives: customers and frontline staff side by side",
                      note="Reverse-keyed items are recoded so that higher is always better.",
                      formats=pct)
