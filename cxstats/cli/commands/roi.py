"""``cxstats roi``: the return on a CX roadmap, with uncertainty, for finance."""

from __future__ import annotations

import click

from cxstats.cli.commands.finance import finance_inputs
from cxstats.cli.common import (list_option, missing_code_option, output_options, parse_scales, quiet_option,
                                seed_option, spec_option)


@click.command("roi")
@click.argument("roadmap", type=click.Path(dir_okay=False))
@click.option("--survey", "survey_path", type=click.Path(dir_okay=False), required=True,
              help="Customers' survey answers (with --spec read through the spec).")
@finance_inputs
@click.option("--loyalty", "loyalty", metavar="COL",
              help="The loyalty measure that links constructs to money (default with --spec: the "
                   "repurchase/retention outcome, else NPS).")
@list_option("--constructs", "constructs", metavar="C1,C2",
             help="Construct columns of the driver regression (default with --spec: every construct, scored "
                  "as the mean of its items).")
@click.option("--scale", "scales", multiple=True, metavar="NAME=I1,I2,...",
              help="Without --spec: a construct and its item columns (repeatable); scored as the mean of its items, "
                   "and measured by its items in the latent chain.")
@click.option("--chain", "chain", type=click.Choice(["latent", "observed"]), default=None,
              help="latent: correct both links for measurement error (SEM + factor scores; the default when every "
                   "construct has 2+ items and loyalty has 2+ indicators); observed: item means and the single "
                   "loyalty item (attenuated, biased low).")
@list_option("--loyalty-indicators", "loyalty_indicators", metavar="COL1,COL2",
             help="Indicators of latent loyalty, the --loyalty measure first as the marker (default with --spec: "
                  "the loyalty measure plus the spec's other repurchase/retention/NPS outcomes).")
@click.option("--discount-rate", "discount_rate", type=float, default=0.08, show_default=True,
              help="Annual discount rate (0.08 = 8%).")
@click.option("--horizon", "horizon", type=float, default=3.0, show_default=True, help="Years of benefit counted.")
@click.option("--margin", "margin", type=float, default=None,
              help="Share of revenue that is value, e.g. 0.3 for a 30% contribution margin. Without it revenue "
                   "is counted as value (margin 1): the result then says so (a warning, value_basis in the JSON, "
                   "red on the workbook's Results sheet) and the ROI is overstated by 1/margin.")
@click.option("--customer-value", "customer_value", type=float,
              help="Annual value of one customer (default: mean revenue of the linked customers).")
@click.option("--customer-base", "customer_base", type=float, default=None,
              help="Customers the roadmap's customers_reached are out of (e.g. the active customers), for the "
                   "roadmap total that counts a customer reached by several initiatives once (default: the "
                   "largest customers_reached).")
@click.option("--draws", "draws", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Monte Carlo draws of the coefficients.")
@seed_option
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(roadmap, survey_path, finance_path, survey_id, finance_id, churn, revenue, share_of_wallet, min_match,
            currency, loyalty, constructs, scales, chain, loyalty_indicators, discount_rate, horizon, margin, customer_value,
            draws, customer_base, seed, spec_path, json_path, xlsx_path, quiet):
    """ROI of each roadmap initiative: NPV, ROI and payback with P10/P50/P90.

    ROADMAP is a table with columns initiative, name, construct, uplift (scale
    points the construct's items rise), cost, months_to_effect and
    customers_reached (see the demo's roadmap.csv). Uplift, cost and
    customers_reached may be ranges: add <field>_low and <field>_high
    beside the most likely value (e.g. uplift_low, uplift, uplift_high;
    uplift_mode may stand in for uplift); the Monte Carlo then draws them
    from a triangular distribution with the coefficients, so P10-P90 cover
    them (empty ends on a row: a point value). The value chain:

    \b
      uplift -> change in loyalty
        latent chain (default when possible): an SEM measures each construct
          by its items and loyalty by its indicators (e.g. repurchase + NPS,
          --loyalty the marker) and regresses loyalty on the constructs;
          dL = gamma x u_eff / mean loading of the construct's items, u_eff =
        the uplift applied to the answers and clipped at the scale's top
        (customers already at the top gain nothing; uplift_effective)
        observed chain (--chain observed): OLS of the loyalty item on the
          construct scores (item means); attenuated by measurement error
      -> change in churn probability (logistic churn ~ loyalty) and in revenue
         (log-linear revenue ~ loyalty), finance file; latent chain: on each
         customer's loyalty factor score (regression calibration)
      -> annual benefit = customers reached x margin x
         (avoided churn x customer value + revenue uplift)
      -> discounted monthly over --horizon years at --discount-rate
         after months_to_effect: PV, NPV = PV - cost, ROI, payback.

    The latent chain needs 2+ items per construct (a spec, or --scale) and 2+
    loyalty indicators; otherwise the observed chain is used with a warning.
    The chain used and why are in the JSON ("chain") and the workbook.

    Uncertainty: Monte Carlo over the estimated coefficients (multivariate
    normal; latent chain: over the SEM estimates) and the roadmap's ranges,
    --draws, --seed; the JSON's bands_cover and the Results sheet say what
    the bands cover. roadmap_total counts a customer reached by several
    initiatives once (--customer-base);
    initiatives ranked by P50 NPV; a tornado table moves each assumption one
    at a time. The --xlsx workbook is laid out for finance (Assumptions,
    Results, chart, Sensitivity, Coefficients, Methods).

    \b
    Examples:
      cxstats roi roadmap.csv --survey customers.csv --spec questionnaire.yaml \\
          --finance finance.csv --xlsx roi.xlsx
      cxstats roi roadmap.csv --survey survey.csv --id cust --loyalty loyal \\
          --loyalty-indicators loyal,nps --scale delivery=d1,d2,d3 \\
          --scale web=w1,w2,w3 --finance crm.csv --churn left --revenue rev12 \\
          --margin 0.35 --horizon 5 --json roi.json
      cxstats roi roadmap.csv --survey survey.csv --id cust --loyalty loyal \\
          --constructs delivery,web --chain observed --finance crm.csv \\
          --churn left --json roi.json
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context([survey_path], spec_path, seed=seed, quiet=quiet, finance=finance_path, roadmap=roadmap)
    result = run_analysis("roi", ctx, survey_id=survey_id, finance_id=finance_id, churn=churn, revenue=revenue,
                          share_of_wallet=share_of_wallet, min_match=min_match, currency=currency, loyalty=loyalty,
                          constructs=constructs, scales=parse_scales(scales, "--scale") or None, chain=chain,
                          loyalty_indicators=loyalty_indicators, discount_rate=discount_rate, horizon=horizon,
                          margin=margin, customer_value=customer_value, draws=draws, customer_base=customer_base)
    emit(result, name="roi", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
