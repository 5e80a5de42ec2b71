"""``cxstats sem``: structural equation models (ML, as lavaan) with indirect effects and bootstrap."""

from __future__ import annotations

import click

from cxstats.cli.commands.cfa import ESTIMATOR_CHOICES, ESTIMATOR_HELP, MODINDICES_HELP, WEIGHT_HELP, estimator_name
from cxstats.cli.commands.cfa import ORDERED_HELP, ORDINAL_CHOICES
from cxstats.cli.common import list_option
from cxstats.cli.common import (
    data_files_argument, engine_options, missing_code_option, output_options, quiet_option, seed_option, spec_option,
)


@click.command("sem")
@data_files_argument
@click.option("--model", "model", metavar="SYNTAX|@FILE", help="lavaan model syntax, inline or @file: =~ (measured by), "
                                                     "~ (regressed on), ~~ (covariance), a*x labels, := defined "
                                                     "parameters (indirect effects).")
@click.option("--direct-paths/--no-direct-paths", "direct_paths", default=None,
              help="With --spec and no --model: add direct construct -> loyalty paths to the built model "
                   "(partial mediation; total_<construct> effects). Default: the spec's "
                   "'analysis: {direct_paths: true|false}', else full mediation (the constructs act on "
                   "loyalty only through satisfaction).")
@click.option("--bootstrap", "bootstrap", type=int, default=0, show_default=True,
              help="Nonparametric bootstrap replicates (rows resampled, model refitted) for intervals of every "
                   "parameter and defined effect; 0 = none.")
@click.option("--ci", "ci", type=click.Choice(["percentile", "bc"]), default="percentile", show_default=True,
              help="Bootstrap interval: percentile or bias-corrected (bc).")
@click.option("--std-lv", "std_lv", is_flag=True, help="Identify factors by unit variances instead of first loadings.")
@click.option("--missing", "missing", type=click.Choice(["auto", "ml", "listwise", "pairwise"]), default="auto",
              show_default=True,
              help="Missing answers: ml = full-information ML (lavaan missing = \"ml\"; every respondent with an "
                   "answer counts; valid under MAR); listwise = complete respondents only (valid only under "
                   "MCAR); auto = ml when the model's variables have missing values, else plain ML.")
@click.option("--estimator", "estimator", type=click.Choice(ESTIMATOR_CHOICES + ORDINAL_CHOICES, case_sensitive=False),
              default=None, help=ESTIMATOR_HELP + " WLSMV, DWLS, ULSMV: ordinal items (see --ordered).")
@list_option("--ordered", "ordered", metavar="all|I1,I2,...", help=ORDERED_HELP)
@click.option("--modindices", "modindices", type=click.IntRange(min=0), is_flag=False, flag_value=20, default=None,
              metavar="[N]", help=MODINDICES_HELP)
@click.option("--weight", "weight", metavar="COL", help=WEIGHT_HELP)
@seed_option
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, model, direct_paths, bootstrap, ci, std_lv, missing, estimator, ordered, modindices, weight, seed, spec_path, engine, spark_master,
            json_path, xlsx_path, quiet):
    """Structural equation model by maximum likelihood (matches lavaan::sem).

    Reports fit indices (chisq df pvalue cfi tli rmsea rmsea_ci_lower
    rmsea_ci_upper srmr aic bic), every estimate (lhs op rhs est se z pvalue
    std_all), R² of the endogenous variables, and ':=' defined parameters
    (indirect and total effects) with delta-method SEs and, with --bootstrap,
    percentile or bias-corrected bootstrap intervals. Non-convergence and
    inadmissible solutions (negative variances, standardized values beyond
    ±1) are reported in every output. A model that is not identified is
    refused (exit 2).

    With --spec (and no --model) the study's model is built from the spec:
    each construct measured by its items, constructs -> satisfaction (CSAT)
    -> loyalty (repurchase and NPS), with indirect effects ind_<construct>:
    full mediation (no direct construct -> loyalty paths) unless
    --direct-paths adds them (partial mediation). The syntax built is shown
    in the "Model" table and in the JSON (model_syntax, structure);
    customers' answers only (also with a --model of your own).

    Fit verdict (Hu & Bentler 1999): good when CFI >= .95, TLI >= .95,
    RMSEA <= .06 and SRMR <= .08; acceptable when CFI >= .90, RMSEA <= .08
    and SRMR <= .08; otherwise poor (with a warning).

    Missing answers: by default respondents with some missing answers are
    kept (full-information ML, lavaan missing = "ml"); --missing listwise
    keeps complete respondents only. With --bootstrap and FIML, respondents
    are resampled and every replicate is refitted by FIML.

    \b
    Examples:
      cxstats sem hs.csv --model "visual =~ x1+x2+x3
        textual =~ x4+x5+x6
        textual ~ a*visual
        ..."
      cxstats sem survey.csv --model @mediation.lav --bootstrap 2000 --ci bc --json sem.json
      cxstats sem survey.csv --model @mediation.lav --estimator MLR --modindices
      cxstats sem survey.csv --model @mediation.lav --ordered all       (ordinal items: WLSMV)
      cxstats sem customers.csv --spec questionnaire.yaml --xlsx sem.xlsx
      cxstats sem 'lake/*.parquet' --spec questionnaire.yaml --engine duckdb   (out of core)

    With --spec the moments can be computed by DuckDB or Spark (--engine):
    one pass for the customers' moments per answer pattern, then ML (FIML)
    from them, with the same numbers as pandas. --estimator MLR/MLM/WLSMV,
    --ordered, --weight and --bootstrap need the rows (--engine pandas).
    """
    from cxstats.cli.common import emit, model_file_errors, read_model_text, run_analysis, step_context

    if ordered and (estimator is None or estimator.upper() == "ML"):
        estimator = "WLSMV"                     # lavaan's default with ordered items
    ctx = step_context(data, spec_path, seed=seed, quiet=quiet)
    with model_file_errors(model):
        result = run_analysis("sem", ctx, model=read_model_text(model) if model else None,
                              bootstrap=bootstrap, ci=ci, std_lv=std_lv, missing=missing, estimator=estimator_name(estimator), modindices=modindices,
                              weight=weight, **({"ordered": ordered} if ordered else {}),
                              direct_paths=direct_paths, engine=engine, spark_master=spark_master)
    emit(result, name="sem", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
