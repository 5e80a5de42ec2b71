"""``cxstats cfa``: confirmatory factor analysis and measurement invariance (lavaan-compatible ML).

``cxstats cfa`` runs the ``cfa`` analysis; with ``--invariance`` the ``invariance`` analysis
(:mod:`cxstats.steps.cfa`, :mod:`cxstats.steps.invariance`).
"""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, missing_code_option,
                                output_options, quiet_option, spec_option)
from cxstats.errors import InputError

RULES = ("chen", "cfi", "lrt")
MISSING = ("auto", "ml", "listwise", "pairwise")
MISSING_HELP = ("Missing answers: ml = full-information ML (lavaan missing = \"ml\"): every respondent with at "
                "least one answer counts, valid when missingness depends on observed answers (MAR); listwise = "
                "complete respondents only (lavaan's default; valid only if missing completely at random); "
                "auto = ml when the model's variables have missing values (a note says so), else plain ML. "
                "With --ordered: listwise (the default) or pairwise (each polychoric correlation from the "
                "respondents answering both items, as lavaan missing = \"pairwise\").")

ESTIMATOR_CHOICES = ("ML", "MLR", "MLM", "auto")
ORDINAL_CHOICES = ("WLSMV", "DWLS", "ULSMV")   # ordinal items (--ordered)
ORDERED_HELP = ("Treat these items as ordinal (lavaan's ordered=): 'all' or I1,I2,... The CFA then works on "
                "thresholds and polychoric correlations with --estimator WLSMV (the default with --ordered: DWLS "
                "estimates, robust SEs, mean-and-variance adjusted chi-square, robust CFI/TLI/RMSEA as lavaan "
                "0.6-14), DWLS or ULSMV; delta parametrisation; respondents with missing answers are left out "
                "(listwise). The right choice for 4- or 5-point items with skewed answers. With --group: the "
                "configural multi-group model; with --invariance the ordinal sequence (configural, then "
                "thresholds and loadings equal; lavaan's satorra.2000 difference test); no weights.")


def estimator_name(value):
    """The --estimator value as the steps spell it (None: the spec's analysis.estimator, else ML)."""
    if value is None:
        return None
    return "auto" if value.lower() == "auto" else value.upper()
ESTIMATOR_HELP = ("ML = normal-theory standard errors and chi-square; MLR = robust (Huber-White) standard errors "
                  "and the Yuan-Bentler scaled chi-square; MLM = Satorra-Bentler. The robust ones suit skewed "
                  "rating scales; the JSON and workbook then add chisq_scaled, its scaling factor and the robust "
                  "CFI/TLI/RMSEA (the fit verdict uses those). Estimates are the ML ones. MLR works with missing "
                  "answers (FIML); MLM needs complete data (with missing answers it uses complete respondents). "
                  "Matches lavaan 0.6. auto = MLR, or the ordinal WLSMV when an item has fewer than 5 answer "
                  "categories or more than 30% of its answers in one extreme category (WLSMV is not in this "
                  "engine yet: then MLR); the output says which was used and why. Default: the study spec's "
                  "analysis: estimator, else ML.")


MODINDICES_HELP = ("Also list modification indices (lavaan's modindices(): mi, epc, sepc.all for every fixed "
                   "loading, residual covariance and, in a SEM, regression), largest first: --modindices alone "
                   "shows the 20 largest, --modindices N the N largest, --modindices 0 all. Exploratory: free a "
                   "parameter only with a substantive reason and confirm it on new data.")


WEIGHT_HELP = ("A column of sampling (survey) weights, as lavaan's sampling.weights: the weights are rescaled to "
               "sum to the number of respondents, the model is fitted to the weighted moments, with robust MLR "
               "standard errors and the scaled chi-square. Complete data (listwise).")


@click.command("cfa")
@data_files_argument
@click.option("--model", "model", metavar="SYNTAX|@FILE",
              help="lavaan model syntax, inline or @file, e.g. 'visual =~ x1 + x2 + x3'.")
@click.option("--group", "group", metavar="COL",
              help="Fit the model in every group of this column (multi-group CFA).")
@click.option("--invariance", is_flag=True,
              help="With --group: test configural, metric, scalar and strict invariance.")
@click.option("--free", "free", multiple=True, metavar="PARAM",
              help="With --invariance: release one equality constraint in every step (partial "
                   "invariance), e.g. --free 'x3 ~ 1' (intercept) or --free 'visual =~ x2' (repeatable).")
@click.option("--rule", "rule", type=click.Choice(RULES), default="cfi", show_default=True,
              help="Invariance verdict rule: cfi = a step fails when ΔCFI <= -0.01 (Cheung & Rensvold "
                   "2002); chen = only when ΔCFI <= -0.01 together with ΔRMSEA >= 0.015 (laxer); "
                   "lrt = chi-square difference p < .05 (strict at large n).")
@click.option("--configural-cfi", "configural_cfi", type=float, metavar="X",
              help="With --invariance: the CFI the configural model needs (default .90) before configural "
                   "invariance is established; a worse configural model gives 'configural invariance not "
                   "established' (no means comparison).")
@click.option("--configural-rmsea", "configural_rmsea", type=float, metavar="X",
              help="With --invariance: the largest RMSEA of an acceptable configural model (default .08).")
@click.option("--configural-srmr", "configural_srmr", type=float, metavar="X",
              help="With --invariance: the largest SRMR of an acceptable configural model (default .08).")
@click.option("--std-lv", "std_lv", is_flag=True,
              help="Identify factors by fixing their variances to 1 (all loadings free) instead of fixing "
                   "the first loading to 1.")
@click.option("--missing", "missing", type=click.Choice(MISSING), default="auto", show_default=True,
              help=MISSING_HELP)
@click.option("--estimator", "estimator", type=click.Choice(ESTIMATOR_CHOICES + ORDINAL_CHOICES, case_sensitive=False),
              default=None, help=ESTIMATOR_HELP + " WLSMV, DWLS, ULSMV: ordinal items (see --ordered).")
@list_option("--ordered", "ordered", metavar="all|I1,I2,...", help=ORDERED_HELP)
@click.option("--modindices", "modindices", type=click.IntRange(min=0), is_flag=False, flag_value=20, default=None,
              metavar="[N]", help=MODINDICES_HELP)
@click.option("--weight", "weight", metavar="COL", help=WEIGHT_HELP)
@list_option("--constructs", "constructs", metavar="C1,C2,...",
             help="With --spec and no --model: the constructs to model (default: all with two or more items).")
@click.option("--respondents", "respondents", type=click.Choice(("customer", "staff", "all")),
              help="With --spec: whose answers the CFA uses (default: customers; everyone with --group).")
@click.option("--by-construct", "by_construct", is_flag=True,
              help="With --spec and --invariance: test every construct on its own (one verdict per "
                   "construct, as the plan's invariance step) instead of the constructs' joint CFA.")
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, model, group, invariance, free, rule, configural_cfi, configural_rmsea, configural_srmr, std_lv, missing, estimator, ordered, modindices, weight, constructs, respondents, by_construct,
            spec_path, engine, spark_master, json_path, xlsx_path, quiet):
    """Confirmatory factor analysis (ML) with fit, reliability and validity; measurement invariance.

    Fits a lavaan model by maximum likelihood with lavaan's cfa() defaults
    (first loading of each factor fixed to 1, or --std-lv) and reports:
    estimates with SEs, z, p, 95% CI and standardized values (std_lv, std_all);
    fit (chisq, df, pvalue, CFI, TLI, RMSEA with 90% CI, SRMR, AIC, BIC); R²;
    and per factor the composite reliability (semTools compRelSEM), AVE, HTMT
    (geometric and arithmetic) and the Fornell-Larcker table. Numbers match
    lavaan 0.6 and semTools. Ordinal items (--ordered all): thresholds and
    polychoric correlations, WLSMV (robust SEs, scaled-shifted chi-square,
    robust CFI/TLI/RMSEA), as lavaan's ordered = ... .

    \b
    Model syntax (lavaan):
      f =~ x1 + x2 + x3        factor f measured by x1..x3
      x1 ~~ x2                 residual covariance
      f2 ~ f1                  regression
      a*x2  1*x1  NA*x1        label, fixed value, free the first loading
      c(a,b)*x2                one label per group (shared labels = equal)
      Separate statements with new lines or ';'; '#' starts a comment.

    \b
    Examples:
      cxstats cfa hs.csv --model 'visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9'
      cxstats cfa hs.csv --model @model.lav --json cfa.json --xlsx cfa.xlsx
      cxstats cfa hs.csv --model @model.lav --estimator MLR --modindices 10   (robust; 10 largest MIs)
      cxstats cfa survey.csv --model @model.lav --weight w                    (sampling weights)
      cxstats cfa survey.csv --model @model.lav --ordered all                  (ordinal items: WLSMV)
      cxstats cfa hs.csv --model @model.lav --group school --invariance
      cxstats cfa hs.csv --model @model.lav --group school --invariance --free 'x3 ~ 1' --free 'x7 ~ 1'
      cxstats cfa hs.csv --model @model.lav --group school --invariance --estimator MLR
      cxstats cfa hs4.csv --model @model.lav --group school --invariance --ordered all   (ordinal: WLSMV)
      cxstats cfa customers.csv --spec study.yaml                  (one factor per construct)
      cxstats cfa customers.csv staff.csv --spec study.yaml --invariance   (customers vs staff)
      cxstats cfa customers.csv staff.csv --spec study.yaml --invariance --by-construct
      cxstats cfa 'lake/*.parquet' --spec study.yaml --engine duckdb    (FIML from pattern moments)
      cxstats cfa 'lake/*.parquet' --spec study.yaml --invariance --engine duckdb   (each group's moments)

    Missing answers: by default (--missing auto) respondents with some
    missing answers are kept and the model is fitted by full-information ML
    (lavaan missing = "ml"); --missing listwise uses complete respondents only.
    Every output says which was used and how many respondents contributed.

    Guides: CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08 (Hu & Bentler 1999); CR >=
    .70, AVE >= .50, HTMT < .85. Invariance: means of groups can be compared
    only when scalar invariance holds; --rule chooses the verdict criterion and
    every step shows the chi-square difference test, ΔCFI and ΔRMSEA. With
    --estimator MLR/MLM the difference test is the Satorra-Bentler (2001) scaled
    one (lavaan's lavTestLRT default) and ΔCFI/ΔRMSEA use the robust indices.
    With --ordered all (WLSMV): configural, then thresholds and loadings equal
    (the scalar step of ordinal items; lavaan's delta parametrisation),
    compared by lavaan's satorra.2000 scaled-shifted difference test;
    ΔCFI/ΔRMSEA and the configural gate use the scaled indices.
    Configural invariance needs an acceptable configural model first: CFI >=
    .90, RMSEA <= .08 and SRMR <= .08 (--configural-cfi, --configural-rmsea,
    --configural-srmr); otherwise "configural invariance not established".
    A saturated configural model (df 0, one factor of 3 items) is accepted.

    Fit verdict of a CFA: good when CFI >= .95, TLI >= .95, RMSEA <= .06 and
    SRMR <= .08; acceptable when CFI >= .90, RMSEA <= .08 and SRMR <= .08;
    otherwise poor (with a warning).
    """
    from cxstats.cli.common import emit, model_file_errors, read_model_text, run_analysis, step_context

    if free and not invariance:
        raise InputError("--free releases equality constraints of --invariance; add --invariance")
    gate = {k: v for k, v in (("configural_cfi", configural_cfi), ("configural_rmsea", configural_rmsea),
                              ("configural_srmr", configural_srmr)) if v is not None}
    if gate and not invariance:
        raise InputError(f"--{next(iter(gate)).replace('_', '-')} sets the fit the configural model of "
                         "--invariance needs; add --invariance")
    if by_construct and not invariance:
        raise InputError("--by-construct tests invariance one construct at a time; add --invariance")
    if respondents and invariance:
        raise InputError("--respondents picks whose answers a CFA uses; --invariance compares the groups "
                         "of --group (default with --spec: customers vs staff)")
    estimator = estimator_name(estimator)
    if modindices is not None and invariance:
        raise InputError("--modindices lists modification indices of one CFA model; leave out --invariance")
    if estimator == "DWLS" and invariance:
        raise InputError("ordinal invariance needs the scaled-shifted test: use --estimator WLSMV (or ULSMV) with "
                         "--invariance, not DWLS")
    if ordered and estimator in (None, "ML"):
        estimator = "WLSMV"                     # lavaan's default with ordered items
    ctx = step_context(data, spec_path, quiet=quiet)
    model_arg = model
    with model_file_errors(model_arg):
        model = read_model_text(model) if model else None
        if invariance:
            result = run_analysis("invariance", ctx, model=model, constructs=constructs, group=group,
                                  by_construct=by_construct, rule=rule, free=list(free) or None,
                                  std_lv=std_lv, missing=missing, estimator=estimator, weight=weight,
                                  engine=engine, spark_master=spark_master,
                                  **({"ordered": ordered} if ordered else {}), **gate)
        else:
            result = run_analysis("cfa", ctx, model=model, constructs=constructs, respondents=respondents,
                                  group=group, std_lv=std_lv, missing=missing, estimator=estimator,
                                  modindices=modindices, weight=weight, engine=engine, spark_master=spark_master,
                                  **({"ordered": ordered} if ordered else {}))
    emit(result, name="invariance" if invariance else "cfa", json_path=json_path, xlsx_path=xlsx_path,
         quiet=quiet)
