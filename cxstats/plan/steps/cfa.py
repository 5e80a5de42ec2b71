"""Plan step ``cfa``: a confirmatory factor analysis of the spec's constructs (one factor
per construct with two or more items), with fit, reliability and validity.

Options (all optional): ``model`` (lavaan syntax; default: built from the
constructs), ``constructs`` (list of construct ids; default all), ``respondents``
(customer | staff | all; default customer), ``std_lv`` (true/false, default false),
``missing`` (auto | ml | listwise; default auto: full-information ML when the items have
missing answers, else plain ML).
"""

NAME = "cfa"
WORKBOOK = "measurement"
OPTIONS = {"model", "constructs", "respondents", "std_lv", "missing"}
MISSING = ("auto", "ml", "listwise")


def missing_option(ctx, options):
    """The step's ``missing`` option, checked (auto | ml | listwise)."""
    value = options.get("missing", "auto")
    if value not in MISSING:
        ctx.fail("missing", f"missing must be one of {', '.join(MISSING)}, not {value!r}")
    return value



def construct_items(ctx, options, data, *, min_items: int = 2):
    """{construct id: [items]} for the wanted constructs, and the ids left out (too few items)."""
    constructs = {c.id: c for c in ctx.spec.constructs()}
    wanted = ctx.option_list(options, "constructs", constructs, what="construct")
    out, skipped = {}, []
    for c in wanted:
        items = [i for i in constructs[c].item_ids if i in data.columns]
        if len(items) >= min_items:
            out[c] = items
        else:
            skipped.append(c)
    return out, skipped


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.stats.cfa import cfa

    data = ctx.survey.data
    who = options.get("respondents", "customer")
    if who not in ("customer", "staff", "all"):
        ctx.fail("respondents", f"respondents must be customer, staff or all, not {who!r}")
    if who != "all" and "respondent_type" in data.columns:
        data = data[data["respondent_type"] == who]
        if len(data) == 0:
            ctx.fail("respondents", f"the survey has no {who} respondents")
    notes = []
    model = options.get("model")
    if not model:
        scales, skipped = construct_items(ctx, options, data)
        if not scales:
            ctx.fail("constructs", "no construct has two or more items; a CFA needs them")
        if skipped:
            notes.append(f"constructs with fewer than two items left out of the CFA: {', '.join(skipped)}")
        model = "\n".join(f"{c} =~ " + " + ".join(items) for c, items in scales.items())
    result = cfa(data.reset_index(drop=True), model, std_lv=bool(options.get("std_lv", False)))
    result.warnings = notes + list(result.warnings)
    return result


def sheets(builder, result):
    """Fit, estimates, reliability/validity, HTMT and Fornell-Larcker sheets."""
    tables = result.tables()
    builder.add_table("CFA fit", tables["Fit"], title="Model fit (ML, lavaan-compatible)",
                      note="Guides (Hu & Bentler 1999): CFI and TLI >= .95, RMSEA <= .06, SRMR <= .08.")
    builder.add_table("CFA estimates", tables["Estimates"], title="Parameter estimates",
                      note="=~ loadings, ~~ (residual) variances and covariances, ~ regressions, ~1 "
                           "intercepts; std_all = completely standardized.",
                      sequential=["std_all"])
    if "Reliability and validity" in tables:
        builder.add_table("CFA validity", tables["Reliability and validity"],
                          title="Composite reliability and AVE",
                          note="cr: semTools compRelSEM (observed total variance); cr_model: model-implied "
                               "variance; ave: semTools AVE. Aim for CR >= .70 and AVE >= .50.",
                          sequential=["cr", "ave"])
        builder.add_table("CFA validity", tables["HTMT"], title="HTMT (geometric, semTools default)",
                          note="Discriminant validity is doubtful above 0.85.")
        builder.add_table("CFA validity", tables["HTMT (arithmetic)"], title="HTMT (original arithmetic)")
        builder.add_table("CFA validity", tables["Fornell-Larcker"],
                          title="Fornell-Larcker: sqrt(AVE) on the diagonal, latent correlations off it")
        if result.validity_notes:
            import pandas as pd

            builder.add_table("CFA validity", pd.DataFrame({"note": result.validity_notes}),
                              title="Reliability and validity notes")
    if len(tables.get("R2", [])):
        builder.add_table("CFA estimates", tables["R2"], title="R² of the indicators")
