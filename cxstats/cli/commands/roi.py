"""``cxstats roi``: the return on a CX roadmap, with uncertainty, for finance."""

from __future__ import annotations

import click

from cxstats.cli.commands.finance import finance_inputs, load_linked_inputs
from cxstats.cli.common import (
    missing_code_option, output_options, parse_scales, quiet_option, seed_option, spec_option, split_list,
)
from cxstats.errors import InputError


@click.command("roi")
@click.argument("roadmap", type=click.Path(dir_okay=False))
@click.option("--survey", "survey_path", type=click.Path(dir_okay=False), required=True,
              help="Customers' survey answers (with --spec read through the spec).")
@finance_inputs
@click.option("--loyalty", metavar="COL", help="The loyalty measure that links constructs to money (default with "
                                               "--spec: the repurchase/retention outcome, else NPS).")
@click.option("--constructs", metavar="C1,C2", help="Construct columns of the driver regression (default with "
                                                    "--spec: every construct, scored as the mean of its items).")
@click.option("--scale", "scales", multiple=True, metavar="NAME=I1,I2,...",
              help="Without --spec: a construct and its item columns (repeatable); scored as the mean of its items, "
                   "and measured by its items in the latent chain.")
@click.option("--chain", type=click.Choice(["latent", "observed"]), default=None,
              help="latent: correct both links for measurement error (SEM + factor scores; the default when every "
                   "construct has 2+ items and loyalty has 2+ indicators); observed: item means and the single "
                   "loyalty item (attenuated, biased low).")
@click.option("--loyalty-indicators", metavar="COL1,COL2",
              help="Indicators of latent loyalty, the --loyalty measure first as the marker (default with --spec: "
                   "the loyalty measure plus the spec's other repurchase/retention/NPS outcomes).")
@click.option("--discount-rate", type=float, default=0.08, show_default=True, help="Annual discount rate (0.08 = 8%).")
@click.option("--horizon", type=float, default=3.0, show_default=True, help="Years of benefit counted.")
@click.option("--margin", type=float, default=1.0, show_default=True,
              help="Share of revenue that is value (1 = count revenue; e.g. 0.3 for a 30% contribution margin).")
@click.option("--customer-value", type=float, help="Annual value of one customer (default: mean revenue of the "
                                                   "linked customers).")
@click.option("--draws", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Monte Carlo draws of the coefficients.")
@seed_option
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(roadmap, survey_path, finance_path, survey_id, finance_id, churn, revenue, share, min_match, currency,
            loyalty, constructs, scales, chain, loyalty_indicators, discount_rate, horizon, margin, customer_value,
            draws, seed, spec_path, json_path, xlsx_path, quiet):
    """ROI of each roadmap initiative: NPV, ROI and payback with P10/P50/P90.

    ROADMAP is a table with columns initiative, name, construct, uplift (scale
    points the construct's items rise), cost, months_to_effect and
    customers_reached (see the demo's roadmap.csv). The value chain:

    \b
      uplift -> change in loyalty
        latent chain (default when possible): an SEM measures each construct
          by its items and loyalty by its indicators (e.g. repurchase + NPS,
          --loyalty the marker) and regresses loyalty on the constructs;
          dL = gamma x uplift / mean loading of the construct's items
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
    normal; latent chain: over the SEM estimates), --draws, --seed;
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
    from cxstats.cli.common import emit, progress
    from cxstats.cli.commands.finance import default_predictors
    from cxstats.io.readers import read_table
    from cxstats.report.roi_workbook import write_roi_sheets
    from cxstats.stats import roi

    if not 0 <= discount_rate < 1:
        raise InputError(f"option --discount-rate: give a rate between 0 and 1 (0.08 = 8%), not {discount_rate:g}")
    if horizon <= 0:
        raise InputError(f"option --horizon: give a positive number of years, not {horizon:g}")
    if not 0 < margin <= 1:
        raise InputError(f"option --margin: give a share in (0, 1], not {margin:g}")
    cons = split_list(constructs, "--constructs")
    indicators = split_list(loyalty_indicators, "--loyalty-indicators")
    items = None
    if spec_path:
        from cxstats.spec.load import load_spec

        if scales:
            raise InputError("--scale is for data without a spec; with --spec the constructs' items come from it")
        spec = load_spec(spec_path)
        if not cons:
            cons = [c.id for c in spec.constructs()]
        if not loyalty:
            loyalty = indicators[0] if indicators else default_predictors(spec)[0]
        items = {c.id: c.item_ids for c in spec.constructs() if c.id in cons}
        if not indicators:
            from cxstats.stats.roi_latent import default_loyalty_indicators

            indicators = default_loyalty_indicators(spec, loyalty)
    else:
        if scales:
            if cons:
                raise InputError("give either --constructs (score columns) or --scale NAME=I1,I2,... (items), "
                                 "not both")
            items = parse_scales(scales, "--scale")
            cons = list(items)
        if not loyalty and indicators:
            loyalty = indicators[0]
        if not (cons and loyalty):
            raise InputError("without --spec give --loyalty COL and --constructs C1,C2,... (score columns) or "
                             "--scale NAME=I1,I2,... (items)")
        if not indicators:
            indicators = [loyalty]
    if loyalty not in indicators:
        indicators = [loyalty, *indicators]
    item_cols = [i for its in (items or {}).values() for i in its]
    survey, fin_table, spec, spec_currency, _ = load_linked_inputs(
        survey_path, spec_path=spec_path, finance_path=finance_path, survey_id=survey_id, finance_id=finance_id,
        churn=churn, revenue=revenue, share=share, predictors=[loyalty],
        extra_columns=[*(cons if spec_path or not scales else []), *item_cols, *indicators])
    if scales and not spec_path:
        for c, its in items.items():
            block = survey[its]
            survey[c] = block.mean(axis=1).where(block.notna().mean(axis=1) >= 0.5)
    initiatives = roi.read_roadmap(read_table(roadmap), cons)
    cur = currency or spec_currency or "EUR"
    coef, values, chain_info, warns, link, latent = roi.build_roi_chain(
        survey, fin_table, loyalty, cons, chain=chain, items=items, indicators=indicators,
        survey_file=survey_path, min_match=min_match, currency=cur)
    assumptions = roi.default_assumptions(link, loyalty, discount_rate=discount_rate, horizon_years=horizon,
                                          margin=margin, customer_value=customer_value, currency=cur,
                                          chain=chain_info)
    if margin != 1.0:
        assumptions.sources["margin"] = "given (--margin)"
    bar = progress(total=draws * len(initiatives), desc="ROI Monte Carlo", quiet=quiet)

    def tick(done, total):
        bar.update(done - bar.n)

    try:
        result = roi.roadmap_roi(initiatives, coef, values, assumptions, draws=draws, seed=seed, progress=tick,
                                 roadmap_file=roadmap, chain=chain_info, warnings=warns)
    finally:
        bar.close()
    result.finance = link.link
    result.latent = latent
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=write_roi_sheets)
