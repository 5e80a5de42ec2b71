"""``cxstats finance``: link survey customers to a finance table and relate loyalty to money."""

from __future__ import annotations

import click

from cxstats.cli.common import missing_code_option, output_options, quiet_option, spec_option, split_list
from cxstats.errors import InputError


def finance_inputs(f):
    """Options shared by ``finance`` and ``roi``: the finance file, its columns, the join."""
    opts = [
        click.option("--finance", "finance_path", type=click.Path(dir_okay=False), required=True,
                     help="Customer-level finance table (CSV/xlsx/sav), one row per customer."),
        click.option("--id", "survey_id", metavar="COL",
                     help="Customer id column of the survey (with --spec: the spec's respondent id)."),
        click.option("--finance-id", metavar="COL",
                     help="Customer id column of the finance file (default: the spec's finance id_column, "
                          "else the survey's id column)."),
        click.option("--churn", metavar="COL", help="0/1 churn column of the finance file (1 = the customer left)."),
        click.option("--revenue", metavar="COL", help="Annual revenue column of the finance file."),
        click.option("--share", "share", metavar="COL", help="Share-of-wallet column (0-1 or 0-100)."),
        click.option("--min-match", type=click.FloatRange(0, 1), default=0.8, show_default=True,
                     help="Refuse the join when fewer survey customers than this share are in the finance file."),
        click.option("--currency", default=None, help="Currency code for the outputs (default: the spec's, else EUR)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def load_linked_inputs(data, *, spec_path, finance_path, survey_id, finance_id, churn, revenue, share,
                       predictors: list[str], extra_columns=()):
    """Read the survey (customers) and the finance table as plain options or a spec ask.

    Returns (survey DataFrame with ``respondent_id`` + predictors + extra columns, FinanceTable,
    spec or None, currency or None, predictors).
    """
    import pandas as pd

    from cxstats.io.readers import read_table
    from cxstats.stats.finance import read_finance

    spec = None
    if spec_path:
        from cxstats.io.survey import load_survey
        from cxstats.spec.load import load_spec

        spec = load_spec(spec_path)
        survey = load_survey(spec, [(data, None)])
        frame = survey.customers().reset_index(drop=True)
        scores = survey.construct_scores().loc[survey.data["respondent_type"] == "customer"].reset_index(drop=True)
        for c in scores.columns:
            if c not in frame.columns:
                frame[c] = scores[c]
        if not predictors:
            predictors = default_predictors(spec)
        missing = [p for p in [*predictors, *extra_columns] if p not in frame.columns]
        if missing:
            raise InputError("not an outcome, item or construct of the spec", file=spec_path, column=missing[0])
        fin = spec.finance
        cols = {"churn": churn or (fin.churn if fin else None), "revenue": revenue or (fin.revenue if fin else None),
                "share_of_wallet": share or (fin.share_of_wallet if fin else None)}
        fid = finance_id or (fin.id_column if fin else spec.respondents.id_column)
        currency = fin.currency if fin else None
        survey_frame = frame[["respondent_id", *dict.fromkeys([*predictors, *extra_columns])]]
    else:
        from cxstats.io.tables import load_column_text, load_numeric

        if not survey_id:
            raise InputError("give --id COL (the survey's customer id column) or --spec")
        if not predictors:
            raise InputError("give --predictors COL1,COL2 (loyalty, NPS or satisfaction columns) or --spec")
        table = read_table(data)
        wanted = list(dict.fromkeys([*predictors, *extra_columns]))
        survey_frame = load_numeric(data, wanted, table=table)
        survey_frame.insert(0, "respondent_id", load_column_text(data, survey_id, table=table))
        cols = {"churn": churn, "revenue": revenue, "share_of_wallet": share}
        fid = finance_id or survey_id
        currency = None
    if not any(cols.values()):
        raise InputError("name at least one financial outcome: --churn COL, --revenue COL or --share COL "
                         "(or a 'finance:' block in the spec)", file=finance_path)
    finance = read_finance(read_table(finance_path), id_column=fid, columns=cols)
    return pd.DataFrame(survey_frame), finance, spec, currency, predictors


def default_predictors(spec) -> list[str]:
    """Loyalty first (repurchase/retention), then NPS, then overall satisfaction (CSAT)."""
    out = []
    for kind in ("repurchase", "retention", "nps", "recommendation", "csat", "overall_satisfaction"):
        o = spec.outcome_of_type(kind)
        if o is not None and o.id not in out:
            out.append(o.id)
    if not out:
        raise InputError("the spec has no loyalty, NPS or satisfaction outcome; give --predictors", file=spec.source)
    return out


@click.command("finance")
@click.argument("data", type=click.Path(dir_okay=False))
@finance_inputs
@click.option("--predictors", metavar="COL1,COL2", help="Survey columns to relate to money (default with "
                                                       "--spec: repurchase/retention, NPS and CSAT outcomes).")
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, finance_path, survey_id, finance_id, churn, revenue, share, min_match, currency, predictors,
            spec_path, json_path, xlsx_path, quiet):
    """Link survey customers to money: churn, revenue and share of wallet.

    Joins the survey's customers to a customer-level finance table by id,
    reports the match rate (and refuses a join below --min-match), then for
    each predictor (loyalty, NPS, satisfaction) fits: a logistic regression
    for churn (odds ratio per point), a log-linear regression for revenue
    (exp(b)-1 = % change in revenue per point) and a logit-linear regression
    for share of wallet, each with 95% CIs and the n used.

    \b
    Examples:
      cxstats finance customers.csv --spec questionnaire.yaml --finance finance.csv
      cxstats finance survey.csv --id cust_id --predictors nps,loyalty \\
          --finance crm.csv --churn churned --revenue revenue_12m --json money.json
    """
    from cxstats.cli.common import emit
    from cxstats.stats.finance import finance_linkage

    preds = split_list(predictors, "--predictors")
    survey, fin, spec, spec_currency, preds = load_linked_inputs(
        data, spec_path=spec_path, finance_path=finance_path, survey_id=survey_id, finance_id=finance_id,
        churn=churn, revenue=revenue, share=share, predictors=preds)
    result = finance_linkage(survey, fin, preds, survey_file=data, min_match=min_match,
                             currency=currency or spec_currency or "EUR")
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
