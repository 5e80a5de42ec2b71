"""``cxstats cfa``: confirmatory factor analysis and measurement invariance (lavaan-compatible ML)."""

from __future__ import annotations

import click

from cxstats.cli.common import missing_code_option, output_options, quiet_option, spec_option
from cxstats.errors import InputError

RULES = ("chen", "cfi", "lrt")
MISSING = ("auto", "ml", "listwise")
MISSING_HELP = ("Missing answers: ml = full-information ML (lavaan missing = \"ml\"): every respondent with at "
                "least one answer counts, valid when missingness depends on observed answers (MAR); listwise = "
                "complete respondents only (lavaan's default; valid only if missing completely at random); "
                "auto = ml when the model's variables have missing values (a note says so), else plain ML.")


@click.command("cfa")
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--model", "model", metavar="SYNTAX|@FILE",
              help="lavaan model syntax, inline or @file, e.g. 'visual =~ x1 + x2 + x3'.")
@click.option("--group", metavar="COL", help="Fit the model in every group of this column (multi-group CFA).")
@click.option("--invariance", is_flag=True,
              help="With --group: test configural, metric, scalar and strict invariance.")
@click.option("--free", "free", multiple=True, metavar="PARAM",
              help="With --invariance: release one equality constraint in every step (partial "
                   "invariance), e.g. --free 'x3 ~ 1' (intercept) or --free 'visual =~ x2' (repeatable).")
@click.option("--rule", type=click.Choice(RULES), default="cfi", show_default=True,
              help="Invariance verdict rule: cfi = a step fails when ΔCFI <= -0.01 (Cheung & Rensvold "
                   "2002); chen = only when ΔCFI <= -0.01 together with ΔRMSEA >= 0.015 (laxer); "
                   "lrt = chi-square difference p < .05 (strict at large n).")
@click.option("--std-lv", "std_lv", is_flag=True,
              help="Identify factors by fixing their variances to 1 (all loadings free) instead of fixing "
                   "the first loading to 1.")
@click.option("--missing", "missing", type=click.Choice(MISSING), default="auto", show_default=True,
              help=MISSING_HELP)
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, model, group, invariance, free, rule, std_lv, missing, spec_path, json_path, xlsx_path, quiet):
    """Confirmatory factor analysis (ML) with fit, reliability and validity; measurement invariance.

    Fits a lavaan model by maximum likelihood with lavaan's cfa() defaults
    (first loading of each factor fixed to 1, or --std-lv) and reports:
    estimates with SEs, z, p, 95% CI and standardized values (std_lv, std_all);
    fit (chisq, df, pvalue, CFI, TLI, RMSEA with 90% CI, SRMR, AIC, BIC); R²;
    and per factor the composite reliability (semTools compRelSEM), AVE, HTMT
    (geometric and arithmetic) and the Fornell-Larcker table. Numbers match
    lavaan 0.6 and semTools.

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
      cxstats cfa hs.csv --model @model.lav --group school --invariance
      cxstats cfa hs.csv --model @model.lav --group school --invariance --free 'x3 ~ 1' --free 'x7 ~ 1'
      cxstats cfa customers.csv --spec study.yaml                  (one factor per construct)
      cxstats cfa customers.csv staff.csv --spec study.yaml --invariance   (customers vs staff)

    Missing answers: by default (--missing auto) respondents with some
    missing answers are kept and the model is fitted by full-information ML
    (lavaan missing = "ml"); --missing listwise uses complete respondents only.
    Every output says which was used and how many respondents contributed.

    Guides: CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08 (Hu & Bentler 1999); CR >=
    .70, AVE >= .50, HTMT < .85. Invariance: means of groups can be compared
    only when scalar invariance holds; --rule chooses the verdict criterion and
    every step shows the chi-square difference test, ΔCFI and ΔRMSEA.
    """
    if free and not invariance:
        raise InputError("--free releases equality constraints of --invariance; add --invariance")
    if invariance and not group and not spec_path:
        raise InputError("--invariance needs --group COL (the column whose groups are compared)")
    if spec_path:
        frame, model_text, groups, file, notes = _from_spec(data, spec_path, model, group, invariance)
    else:
        if len(data) > 1:
            raise InputError("several data files are read through a study spec: add --spec SPEC "
                             "(or give one file)")
        data = data[0]
        if not model:
            raise InputError("give --model 'lavaan syntax' (or @file), or --spec SPEC")
        frame, model_text, groups, file = _from_options(data, model, group)
        notes = []
    from cxstats.stats.cfa import cfa_from_fit
    from cxstats.stats.invariance import invariance as run_invariance
    from cxstats.stats.sem import fit_sem

    try:
        if invariance:
            result = run_invariance(frame, model_text, groups, free=list(free), rule=rule, std_lv=std_lv,
                                    missing=missing)
        else:
            fit = fit_sem(model_text, frame, group=groups, std_lv=std_lv, missing=missing)
            result = cfa_from_fit(fit, model_text, frame if groups is None else None)
    except InputError as exc:
        if exc.file is None:
            raise InputError(exc.reason, file=file, column=exc.column, details=exc.details) from None
        raise
    result.warnings = notes + list(result.warnings)
    from cxstats.cli.common import emit

    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet,
         write_sheets=_inv_sheets if invariance else _cfa_sheets)


def _cfa_sheets(builder, result):
    from cxstats.plan.steps.cfa import sheets

    sheets(builder, result)


def _inv_sheets(builder, result):
    from cxstats.plan.steps.invariance import sheets

    sheets(builder, result)


def _observed(model_text):
    from cxstats.stats.lavaan_syntax import parse_model

    return parse_model(model_text).observed_names()


def _check_columns(names, columns, file):
    from cxstats.errors import ModelError
    from cxstats.stats.sem import unknown_variable_message

    missing = [n for n in names if n not in columns]
    if missing:
        raise ModelError(unknown_variable_message(missing, columns), file=file)


def _from_options(data, model, group):
    from cxstats.cli.common import read_model_text
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric

    model_text = read_model_text(model)
    names = _observed(model_text)
    table = read_table(data)
    _check_columns(names, list(table.columns), table.path)
    if group:
        table.require_columns([group])
    frame = load_numeric(data, names, table=table)
    empty = [c for c in names if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric values", file=table.path, column=empty[0])
    groups = load_column_text(data, group, table=table) if group else None
    return frame, model_text, groups, table.path


def _from_spec(data, spec_path, model, group, invariance):
    from cxstats.cli.common import read_model_text
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec

    spec = load_spec(spec_path)
    survey = load_survey(spec, [(d, None) for d in data])
    frame = survey.data
    notes = []
    data = data[0] if len(data) == 1 else ", ".join(map(str, data))
    if not group and not invariance and (frame.respondent_type == "staff").any():
        frame = frame[frame.respondent_type == "customer"].reset_index(drop=True)
        notes.append("customers' answers only (staff answers were left out; use --invariance to compare)")
    if model:
        model_text = read_model_text(model)
    else:
        lines, skipped = [], []
        for c in spec.constructs():
            items = [i for i in c.item_ids if i in frame.columns]
            if len(items) >= 2:
                lines.append(f"{c.id} =~ " + " + ".join(items))
            else:
                skipped.append(c.id)
        if not lines:
            raise InputError("no construct of the spec has two or more items; a CFA needs them", file=spec_path)
        if skipped:
            notes.append(f"constructs with fewer than two items left out of the CFA: {', '.join(skipped)}")
        model_text = "\n".join(lines)
    _check_columns(_observed(model_text), list(frame.columns), data)
    col = group or ("respondent_type" if invariance else None)
    groups = None
    if col:
        if col not in frame.columns:
            raise InputError("--group: no such column in the survey table", file=data, column=col)
        groups = [None if v is None or v != v else str(v) for v in frame[col].tolist()]
    return frame, model_text, groups, data, notes
