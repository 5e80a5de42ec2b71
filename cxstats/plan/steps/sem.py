"""Plan step ``sem``: the study's structural model (ML, as lavaan).

Options: ``model`` (lavaan syntax; default: built from the spec: each construct measured by its
items, constructs -> satisfaction (CSAT) -> loyalty (repurchase, NPS), with ``ind_<construct>``
indirect effects), ``bootstrap`` (replicates, default 0), ``ci`` (percentile or bc), ``std_lv``,
``missing`` (auto | ml | listwise; default auto: full-information ML when the model's variables have
missing answers, else plain ML).
Customers' answers only. Sheets go to the ``measurement`` workbook.
"""

NAME = "sem"
WORKBOOK = "measurement"
OPTIONS = {"model", "bootstrap", "ci", "std_lv", "missing"}


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.errors import SpecError
    from cxstats.plan.steps.cfa import missing_option
    from cxstats.stats.sem_analysis import sem_analysis, spec_model

    missing = missing_option(ctx, options)
    idx = ctx.current_index
    text = options.get("model") or spec_model(ctx.spec)
    try:
        boot = int(options.get("bootstrap", 0))
    except (TypeError, ValueError):
        raise SpecError("bootstrap must be a whole number", file=ctx.plan_path, path=f"steps[{idx}].bootstrap") from None
    ci = options.get("ci", "percentile")
    if ci not in ("percentile", "bc"):
        raise SpecError("ci must be percentile or bc", file=ctx.plan_path, path=f"steps[{idx}].ci")
    frame = ctx.survey.customers().reset_index(drop=True)
    bar = ctx.progress(total=boot, desc="sem bootstrap") if boot else None
    try:
        return sem_analysis(frame, text, bootstrap=boot, seed=ctx.seed, ci=ci, std_lv=bool(options.get("std_lv")),
                            progress=(lambda d, t: bar.update(1)) if bar is not None else None, missing=missing)
    finally:
        if bar is not None:
            bar.close()


def sheets(builder, result):
    for name, df in result.tables().items():
        builder.add_table(f"SEM {name}", df, title=f"Structural model: {name}")
