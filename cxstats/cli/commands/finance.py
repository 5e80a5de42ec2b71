"""``cxstats finance``: link survey customers to a finance table and relate loyalty to money."""

from __future__ import annotations

import click

from cxstats.cli.common import list_option, missing_code_option, output_options, quiet_option, spec_option


def finance_inputs(f):
    """Options shared by ``finance`` and ``roi``: the finance file, its columns, the join."""
    opts = [
        click.option("--finance", "finance_path", type=click.Path(dir_okay=False), required=True,
                     help="Customer-level finance table (CSV/xlsx/sav), one row per customer."),
        click.option("--id", "survey_id", metavar="COL",
                     help="Customer id column of the survey (with --spec: the spec's respondent id)."),
        click.option("--finance-id", "finance_id", metavar="COL",
                     help="Customer id column of the finance file (default: the spec's finance id_column, "
                          "else the survey's id column)."),
        click.option("--churn", "churn", metavar="COL", help="0/1 churn column of the finance file (1 = the customer left)."),
        click.option("--revenue", "revenue", metavar="COL", help="Annual revenue column of the finance file."),
        click.option("--share", "share_of_wallet", metavar="COL", help="Share-of-wallet column (0-1 or 0-100)."),
        click.option("--min-match", "min_match", type=click.FloatRange(0, 1), default=0.8, show_default=True,
                     help="Refuse the join when fewer survey customers than this share are in the finance file."),
        click.option("--currency", "currency", default=None, help="Currency code for the outputs (default: the spec's, else EUR)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


@click.command("finance")
@click.argument("data", type=click.Path(dir_okay=False))
@finance_inputs
@list_option("--predictors", "predictors", metavar="COL1,COL2",
             help="Survey columns to relate to money (default with --spec: repurchase/retention, NPS and "
                  "CSAT outcomes).")
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, finance_path, survey_id, finance_id, churn, revenue, share_of_wallet, min_match, currency,
            predictors, spec_path, json_path, xlsx_path, quiet):
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
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context([data], spec_path, quiet=quiet, finance=finance_path)
    result = run_analysis("finance", ctx, predictors=predictors, survey_id=survey_id, finance_id=finance_id,
                          churn=churn, revenue=revenue, share_of_wallet=share_of_wallet, min_match=min_match,
                          currency=currency)
    emit(result, name="finance", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
