"""``cxstats sem``: structural equation models (ML, as lavaan) with indirect effects and bootstrap."""

from __future__ import annotations

import click

from cxstats.cli.common import (
    data_files_argument, files_label, missing_code_option, one_data_file, output_options,
    quiet_option, seed_option, spec_option,
)
from cxstats.errors import InputError


@click.command("sem")
@data_files_argument
@click.option("--model", metavar="SYNTAX|@FILE", help="lavaan model syntax, inline or @file: =~ (measured by), "
                                                     "~ (regressed on), ~~ (covariance), a*x labels, := defined "
                                                     "parameters (indirect effects).")
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, show_default=True,
              help="Nonparametric bootstrap replicates (rows resampled, model refitted) for intervals of every "
                   "parameter and defined effect; 0 = none.")
@click.option("--ci", type=click.Choice(["percentile", "bc"]), default="percentile", show_default=True,
              help="Bootstrap interval: percentile or bias-corrected (bc).")
@click.option("--std-lv", is_flag=True, help="Identify factors by unit variances instead of first loadings.")
@click.option("--missing", "missing_method", type=click.Choice(["auto", "ml", "listwise"]), default="auto", show_default=True,
              help="Missing answers: ml = full-information ML (lavaan missing = \"ml\"; every respondent with an "
                   "answer counts; valid under MAR); listwise = complete respondents only (valid only under "
                   "MCAR); auto = ml when the model's variables have missing values, else plain ML.")
@seed_option
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, model, bootstrap, ci, std_lv, missing_method, seed, spec_path, json_path, xlsx_path, quiet):
    """Structural equation model by maximum likelihood (matches lavaan::sem).

    Reports fit indices (chisq df pvalue cfi tli rmsea rmsea_ci_lower
    rmsea_ci_upper srmr aic bic), every estimate (lhs op rhs est se z pvalue
    std_all), R² of the endogenous variables, and ':=' defined parameters
    (indirect and total effects) with delta-method SEs and, with --bootstrap,
    percentile or bias-corrected bootstrap intervals. Non-convergence and
    inadmissible solutions (negative variances, standardized values beyond
    ±1) are reported in every output. A model that is not identified is
    refused (exit 2).

    With --spec (instead of --model) the study's model is built from the spec:
    each construct measured by its items, constructs -> satisfaction (CSAT)
    -> loyalty (repurchase and NPS), with indirect effects ind_<construct>;
    customers' answers only.

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
      cxstats sem customers.csv --spec questionnaire.yaml --xlsx sem.xlsx
    """
    files = data
    data = files_label(files) if spec_path else one_data_file(files)
    from cxstats.cli.common import emit, progress, read_model_text
    from cxstats.stats.sem_analysis import sem_analysis

    if bool(model) == bool(spec_path):
        raise InputError("give either --model SYNTAX|@FILE or --spec SPEC (the study's structural model)")
    if spec_path:
        from cxstats.io.survey import load_survey
        from cxstats.spec.load import load_spec
        from cxstats.stats.sem_analysis import spec_model

        spec = load_spec(spec_path)
        text = spec_model(spec)
        frame = load_survey(spec, [(d, None) for d in files]).customers().reset_index(drop=True)
    else:
        from cxstats.io.tables import load_numeric
        from cxstats.stats.lavaan_syntax import parse_model
        from cxstats.stats.sem import ModelOptions, build_partable

        text = read_model_text(model)
        pt = build_partable(parse_model(text), 1, ModelOptions(std_lv=std_lv))
        from cxstats.io.readers import read_table

        table = read_table(data)
        missing = [v for v in pt.ov if v not in table.columns]
        if missing:
            from cxstats.stats.sem import unknown_variable_message

            raise InputError(unknown_variable_message(missing, table.columns), file=data)
        frame = load_numeric(data, pt.ov, table=table)
    bar = progress(total=bootstrap, desc="bootstrap", quiet=quiet) if bootstrap else None

    def tick(done, total):
        bar.update(1)

    try:
        result = sem_analysis(frame, text, bootstrap=bootstrap, seed=seed, ci=ci, std_lv=std_lv,
                              progress=tick if bar is not None else None, missing=missing_method)
    except InputError as exc:
        if exc.file is None and exc.column is not None or "sample covariance" in exc.reason:
            exc.file = str(data)  # a problem of the data (constant or collinear columns): name the file
        raise
    finally:
        if bar is not None:
            bar.close()
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
