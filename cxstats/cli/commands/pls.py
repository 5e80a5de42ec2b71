"""``cxstats pls``: PLS-SEM and consistent PLS (as seminr), bootstrap, and the IPMA of SmartPLS."""

from __future__ import annotations

import click

from cxstats.cli.common import (
    command_display, data_files_argument, list_option, missing_code_option, output_options, quiet_option,
    seed_option, spec_option,
)


@click.command("pls")
@data_files_argument
@click.option("--model", "model", metavar="SYNTAX|@FILE",
              help="PLS model, inline or @file: 'C =~ x1 + x2' reflective construct (PLSc by default), "
                   "'C <~ x1 + x2' composite with mode B (regression) weights, 'Y ~ X1 + X2' structural paths; "
                   "a construct may have one item ('CUSCO' =~ one column).")
@click.option("--scheme", "scheme", type=click.Choice(["path", "factorial", "centroid"]), default="path",
              show_default=True, help="Inner weighting scheme (seminr path_weighting / path_factorial; centroid).")
@click.option("--consistent/--no-consistent", "consistent", default=True, show_default=True,
              help="Consistent PLS (PLSc, Dijkstra & Henseler 2015) for the =~ constructs, as seminr's "
                   "reflective(); --no-consistent: classic PLS, =~ constructs as mode A composites.")
@click.option("--missing", "missing", type=click.Choice(["mean", "listwise"]), default="mean", show_default=True,
              help="Missing answers: mean = replaced by the indicator's mean (seminr mean_replacement); "
                   "listwise = complete rows only. Declare codes such as -99 with --missing-code.")
@click.option("--max-iter", "max_iter", type=int, default=300, show_default=True,
              help="Iteration limit of the PLS algorithm (seminr maxIt).")
@click.option("--stop-criterion", "stop_criterion", type=float, default=1e-7, show_default=True,
              help="Stop when the summed absolute change of the outer weights is below this (seminr 10^-stopCriterion).")
@click.option("--bootstrap", "bootstrap", type=int, default=5000, show_default=True,
              help="Bootstrap resamples (rows drawn with replacement, model re-estimated; SmartPLS default); 0 = none.")
@click.option("--ci", "ci", type=click.Choice(["percentile", "bca"]), default="percentile", show_default=True,
              help="Bootstrap interval in ci_lower/ci_upper (both are always reported).")
@click.option("--ci-level", "ci_level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--target", "target", metavar="CONSTRUCT",
              help="IPMA target construct (default: the model's final outcome).")
@list_option("--scale-range", "scale_range", metavar="MIN,MAX", number=True,
             help="Without --spec: the answer scale of every indicator for the IPMA 0-100 rescaling "
                  "(default: each indicator's observed minimum and maximum).")
@click.option("--ipma-png", "ipma_png", type=click.Path(dir_okay=False), metavar="PATH",
              help="Also write the importance-performance map as a PNG (and an SVG beside it).")
@click.option("--predict-folds", "predict_folds", type=int, default=10, show_default=True,
              help="PLSpredict: k-fold cross-validation of the endogenous indicators against the training mean "
                   "and a linear model (Q²predict, RMSE, MAE); 0 = none.")
@click.option("--predict-repetitions", "predict_repetitions", type=int, default=10, show_default=True,
              help="PLSpredict: repetitions of the k-fold split.")
@click.option("--group", "group", metavar="COL",
              help="A column with two groups (customers vs staff, two waves): MICOM invariance (steps 2-3) and "
                   "permutation multi-group analysis of every path.")
@click.option("--permutations", "permutations", type=int, default=1000, show_default=True,
              help="Permutations for MICOM and MGA.")
@seed_option
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, model, scheme, consistent, missing, max_iter, stop_criterion, bootstrap, ci, ci_level, target,
            scale_range, ipma_png, predict_folds, predict_repetitions, group, permutations, seed, spec_path, json_path, xlsx_path, quiet):
    """PLS-SEM and consistent PLS (matches R seminr estimate_pls / PLSc).

    Estimates the path model with standardized indicators (Lohmöller's
    algorithm; mode A weights for =~, mode B for <~), and by default corrects
    the reflective (=~) constructs by consistent PLS. Reports outer loadings
    and weights, paths, total and indirect effects, R² and adjusted R², f²,
    alpha, rhoA, rhoC, AVE, HTMT, Fornell-Larcker, cross-loadings, VIF of
    indicators and antecedents, and the construct scores (JSON). With
    --bootstrap (default 5000): standard errors, t values, percentile and
    BCa intervals of loadings, weights, paths, effects and HTMT (HTMT judged
    by its upper bound against .85 and .90).

    IPMA (SmartPLS): for the target construct, importance = unstandardized
    total effect of each construct and indicator (points of the 0-100 target
    per point of performance) and performance = mean score rescaled to 0-100;
    the map has quadrant lines at the mean importance and mean performance.

    PLSpredict (Shmueli et al. 2019): 10-fold cross-validation, repeated 10
    times: Q²predict, RMSE and MAE of every indicator of the endogenous
    constructs, with a linear-model benchmark. --group COL (two groups):
    MICOM steps 2-3 and permutation multi-group analysis of the paths.

    Thresholds (Hair et al. 2019): loadings .708, rhoC .70, AVE .50, HTMT
    .85/.90, VIF 5. JSON rows are 'lhs op rhs est' (paths 'lhs ~ rhs', lhs
    the outcome; loadings 'construct =~ indicator'; weights 'construct <~
    indicator').

    \b
    Examples:
      cxstats pls mobi.csv --model @ecsi.pls --json pls.json --xlsx pls.xlsx
      cxstats pls mobi.csv --model "IMAGE =~ IMAG1 + IMAG2 + IMAG3
        SAT =~ CUSA1 + CUSA2 + CUSA3
        LOY =~ CUSL1 + CUSL3
        SAT ~ IMAGE
        LOY ~ SAT + IMAGE" --bootstrap 1000 --ci bca --ipma-png ipma.png
      cxstats pls corp.csv --model @corp.pls --no-consistent --missing-code -99
      cxstats pls both.csv --model @ecsi.pls --group wave --permutations 1000
      cxstats pls customers.csv --spec questionnaire.yaml --lang es --xlsx pls.xlsx
    """
    from cxstats.cli.common import emit, model_file_errors, read_model_text, run_analysis, step_context

    ctx = step_context(data, spec_path, seed=seed, quiet=quiet)
    with model_file_errors(model):
        result = run_analysis("pls", ctx, model=read_model_text(model) if model else None, scheme=scheme,
                              consistent=consistent, missing=missing, max_iter=max_iter,
                              stop_criterion=stop_criterion, bootstrap=bootstrap, ci=ci, ci_level=ci_level,
                              target=target, scale_range=scale_range, predict_folds=predict_folds,
                              predict_repetitions=predict_repetitions, group=group, permutations=permutations)
    if ipma_png:
        from cxstats.report.layouts.pls import write_ipma_png

        display = command_display(ctx.spec)
        write_ipma_png(result, ipma_png, display=display)
    emit(result, name="pls", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
