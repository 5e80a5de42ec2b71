"""``cxstats drivers``: key-driver analysis with exact relative importance."""

from __future__ import annotations

import click

from cxstats.cli.common import (command_display, data_files_argument, engine_options, list_option,
                                missing_code_option, output_options, quiet_option, seed_option, spec_option)


@click.command("drivers")
@data_files_argument
@click.option("--outcome", "outcome", metavar="COL",
              help="Outcome column (e.g. nps, csat). With --spec: an outcome or a construct id (drivers of "
                   "satisfaction); default the spec's csat outcome.")
@list_option("--drivers", "drivers", metavar="X1,X2,...",
             help="Driver columns. With --spec: construct ids or item ids (default: every construct, "
                  "scored as the mean of its items).")
@click.option("--outcome-type", "outcome_type", type=click.Choice(["continuous", "binary"]),
              help="continuous (OLS, the default) or binary 0/1 (logistic).")
@click.option("--binary-threshold", "binary_threshold", type=float, metavar="T",
              help="Binary outcome = answer >= T (e.g. 9 for NPS promoters vs the rest).")
@click.option("--bootstrap", "bootstrap", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Bootstrap replicates for percentile and BCa intervals of every measure and rank "
                   "(1000 recommended; 0 = none).")
@click.option("--bootstrap-method", "bootstrap_method", type=click.Choice(["auto", "row", "poisson"]),
              default="auto", show_default=True,
              help="row: resample respondents (needs the rows: pandas); poisson: each respondent counts a "
                   "Poisson(1) number of times per replicate, fixed by --seed and the respondent id, so "
                   "DuckDB and Spark compute all N replicates in one pass and every engine gives the same "
                   "intervals (continuous outcomes); auto: row on pandas, poisson on DuckDB/Spark.")
@seed_option
@click.option("--ci-level", "ci_level", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="Confidence level of the bootstrap intervals.")
@click.option("--performance", "performance", type=click.Choice(["mean", "top2", "gap"]), default="mean",
              show_default=True,
              help="Performance axis of the importance-performance analysis: mean score, top-2-box "
                   "share, or gap to the aspiration.")
@click.option("--aspiration", "aspiration", type=float, metavar="A",
              help="Aspiration (target score) for --performance gap (with --spec: each construct's).")
@list_option("--scale-range", "scale_range", metavar="MIN,MAX", number=True,
             help="The drivers' answer scale, e.g. 1,5: top-2-box and penalty-reward boxes (default: the "
                  "observed range of each driver; with --spec, each construct's scale). Without --spec a "
                  "driver value outside it that is not a --missing-code is refused.")
@list_option("--ipa-cutoffs", "ipa_cutoffs", metavar="IMP,PERF", number=True,
             help="Quadrant cut-offs (default: mean importance and mean performance of the drivers).")
@click.option("--low-boxes", "low_boxes", type=click.IntRange(min=1), default=2, show_default=True,
              help="Penalty-reward: bottom boxes coded 'low'.")
@click.option("--high-boxes", "high_boxes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Penalty-reward: top boxes coded 'high'.")
@click.option("--ipa-png", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write the importance-performance chart for a deck: a 300 dpi PNG at PATH and an SVG "
                   "beside it (same name, .svg), in the study's language with the spec's names; with "
                   "--bootstrap, intervals as error bars and hollow marks where a quadrant is not "
                   "determined.")
@click.option("--weight", "weight", metavar="COL",
              help="Survey weights: weighted least squares with HC3 SEs; R², LMG, dominance, relative weights "
                   "and Pratt from the weighted correlation matrix; IPA performance weighted. Continuous "
                   "outcome; not with --bootstrap (penalty-reward is left out). A missing, non-numeric or "
                   "negative weight of a complete row is refused.")
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, outcome, drivers, outcome_type, binary_threshold, bootstrap, bootstrap_method, seed, ci_level,
            performance, aspiration, scale_range, ipa_cutoffs, low_boxes, high_boxes, ipa_png, weight, spec_path,
            engine, spark_master, json_path, xlsx_path, quiet):
    """Key drivers: which drivers move the outcome, by exact relative importance.

    For a continuous outcome: OLS with classical and HC3 standard errors,
    standardized betas, VIF and condition number (collinearity warnings),
    and importance measures that stay readable when drivers correlate: exact
    LMG (the Shapley value of R², as R's relaimpo) with its share of R²,
    dominance analysis (conditional, complete, general), Johnson's relative
    weights and Pratt. Up to 25 drivers, exactly (20 drivers take well under
    a second). For a binary outcome (e.g. promoter vs not): logistic
    regression and relative weights on the logit scale (Tonidandel &
    LeBreton 2010).

    It adds an importance-performance analysis (quadrants; --ipa-png for a
    chart) and, for rating scales, a penalty-reward analysis (what a low
    rating costs, what a top rating adds). --bootstrap N gives percentile and
    BCa intervals for every measure and for the ranks.

    \b
    Examples:
      cxstats drivers survey.csv --outcome csat --drivers web,delivery,price,staff
      cxstats drivers survey.csv --outcome csat --drivers web,delivery,price \\
          --bootstrap 1000 --seed 7 --json drivers.json --xlsx drivers.xlsx
      cxstats drivers survey.csv --outcome nps --drivers web,delivery,price \\
          --binary-threshold 9 --ipa-png ipa.png
      cxstats drivers survey.csv --outcome csat --drivers q1,q2,q3 --scale-range 1,5 \\
          --performance top2
      cxstats drivers answers.csv --spec study.yaml --outcome csat --performance gap
      cxstats drivers survey.csv --outcome csat --drivers web,delivery,price --weight w
      cxstats drivers 'lake/*.parquet' --spec study.yaml --engine duckdb   (moments in SQL)

    Rows with a missing outcome or driver are left out (listwise). A constant
    driver, exactly collinear drivers or fewer rows than drivers + 2 are
    refused with a message (exit code 2).

    --engine duckdb|spark (with --spec): OLS (classical SEs), LMG/dominance,
    relative weights, Pratt, VIF and the IPA from the co-moments of the complete
    rows, and HC3 SEs from a second pass over them: the same numbers as pandas.
    Penalty-reward needs the rows (null there, with a warning); --weight and
    binary outcomes are refused there (use --engine pandas); auto chooses pandas
    for them. --bootstrap there is the Poisson bootstrap (--bootstrap-method
    poisson: one more pass for all replicates; needs the spec's respondent id);
    --engine pandas --bootstrap-method poisson gives the same intervals.
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    if weight and bootstrap:
        from cxstats.errors import InputError

        raise InputError("--bootstrap with --weight: bootstrap intervals with survey weights are not "
                         "available; leave out one of the two")
    ctx = step_context(data, spec_path, seed=seed, quiet=quiet)
    result = run_analysis("drivers", ctx, weight=weight, outcome=outcome, drivers=drivers, outcome_type=outcome_type,
                          binary_threshold=binary_threshold, bootstrap=bootstrap,
                          bootstrap_method=bootstrap_method, ci_level=ci_level,
                          performance=performance, aspiration=aspiration, scale_range=scale_range,
                          ipa_cutoffs=ipa_cutoffs, low_boxes=low_boxes, high_boxes=high_boxes,
                          engine=engine, spark_master=spark_master)
    if ipa_png:
        from cxstats.report.layouts.drivers import write_ipa_png

        display = command_display(ctx.spec)  # --lang, else the spec's first language; spec names
        study = None
        if ctx.spec is not None:
            from cxstats.spec.model import pick

            study = pick(ctx.spec.title, display.lang) or None
        write_ipa_png(result, ipa_png, display=display, study=study)
    emit(result, name="drivers", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
