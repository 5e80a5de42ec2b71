"""Plan step ``drivers``: key-driver analysis of a spec outcome on the constructs (customers).

Options (all optional):

* ``outcome``: an outcome id of the spec (default: the csat outcome, else the first), or a
  construct id (scored as the mean of its items; e.g. a multi-item satisfaction block);
* ``drivers``: ``constructs`` (default: every construct other than the outcome, scored as the
  mean of its items) or a list of construct / item ids;
* ``bootstrap``: replicates for the intervals (default 200; 0 = none);
* ``outcome_type``: continuous (default) or binary; ``binary_threshold``: e.g. 9;
* ``performance``: mean (default), top2 or gap (to each construct's aspiration);
* ``ci_level`` (default 0.95), ``low_boxes`` (2), ``high_boxes`` (1).

Only customers' answers are used. Sheets go to the client (``gaps``) workbook.
"""

NAME = "drivers"
WORKBOOK = "gaps"
OPTIONS = {"outcome", "drivers", "bootstrap", "outcome_type", "binary_threshold", "performance",
           "ci_level", "low_boxes", "high_boxes"}



def survey_frame(survey, outcome: str, names: list[str]):
    """Customers' outcome and driver scores (construct = mean of its items), with each
    driver's answer scale and aspiration. Raises KeyError(name) for an unknown driver."""
    import pandas as pd

    spec = survey.spec
    constructs = {c.id: c for c in spec.constructs()}
    items = {i.id: i for i in spec.items()}
    scores = survey.construct_scores()
    frame = pd.DataFrame({outcome: scores[outcome] if outcome in constructs else survey.data[outcome]})
    scale, asp = {}, {}
    for name in names:
        if name in constructs:
            c = constructs[name]
            frame[name] = scores[name]
            scale[name] = (c.scale.min, c.scale.max)
            if c.aspiration is not None:
                asp[name] = c.aspiration
        elif name in items:
            frame[name] = survey.data[name]
            if items[name].scale is not None:
                scale[name] = (items[name].scale.min, items[name].scale.max)
        else:
            raise KeyError(name)
    customers = (survey.data["respondent_type"] == "customer").to_numpy()
    frame = frame[customers].reset_index(drop=True)
    return frame, (scale if len(scale) == len(names) else None), (asp or None)


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.stats.drivers import key_drivers

    spec, survey = ctx.spec, ctx.survey
    outcomes = [o.id for o in spec.outcomes]
    construct_ids = [c.id for c in spec.constructs()]
    outcome = options.get("outcome")
    if outcome is None:
        csat = spec.outcome_of_type("csat")
        outcome = csat.id if csat is not None else (outcomes[0] if outcomes else None)
        if outcome is None:
            ctx.fail("outcome", "the spec has no outcomes; name a construct as the outcome "
                                "(e.g. outcome: satisfaction)")
    if outcome not in outcomes and outcome not in construct_ids:
        ctx.fail("outcome", f"{outcome!r} is neither an outcome nor a construct of the spec (outcomes: "
                              f"{', '.join(outcomes) or 'none'}; constructs: {', '.join(construct_ids)})")
    wanted = options.get("drivers", "constructs")
    if wanted == "constructs":
        names = [c for c in construct_ids if c != outcome]
    elif isinstance(wanted, list) and wanted and all(isinstance(w, str) for w in wanted):
        names = list(wanted)
    else:
        ctx.fail("drivers", "drivers is 'constructs' or a list of construct / item ids")
    try:
        frame, scale, asp = survey_frame(survey, outcome, names)
    except KeyError as exc:
        ctx.fail("drivers", f"{exc.args[0]!r} is neither a construct nor an item of the spec")
    if outcome in names:
        ctx.fail("drivers", f"{outcome!r} is the outcome; it cannot also be a driver")
    try:
        replicates = int(options.get("bootstrap", 200))
        ci_level = float(options.get("ci_level", 0.95))
        low_boxes = int(options.get("low_boxes", 2))
        high_boxes = int(options.get("high_boxes", 1))
        threshold = options.get("binary_threshold")
        threshold = None if threshold is None else float(threshold)
    except (TypeError, ValueError):
        ctx.fail(None, "bootstrap, low_boxes and high_boxes are whole numbers; ci_level and "
                         "binary_threshold numbers")
    bar = ctx.progress(total=replicates, desc="drivers bootstrap") if replicates else None
    try:
        result = key_drivers(frame, outcome, names, outcome_type=options.get("outcome_type"),
                             binary_threshold=threshold, bootstrap=replicates, seed=ctx.seed,
                             ci_level=ci_level, progress=bar.update if bar is not None else None,
                             performance=options.get("performance", "mean"), aspiration=asp,
                             scale=scale, low_boxes=low_boxes, high_boxes=high_boxes)
    finally:
        if bar is not None:
            bar.close()
    return result


def sheets(builder, result):
    from cxstats.report.drivers_sheets import write_drivers_sheets

    write_drivers_sheets(builder, result)
