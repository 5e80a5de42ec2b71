"""``cxstats roi``: the return on a CX roadmap, with uncertainty, for finance."""

from __future__ import annotations

import click

from cxstats.cli.commands.finance import finance_inputs, load_linked_inputs
from cxstats.cli.common import output_options, quiet_option, seed_option, spec_option, split_list
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
@output_options
@quiet_option
def command(roadmap, survey_path, finance_path, survey_id, finance_id, churn, revenue, share, min_match, currency,
            loyalty, constructs, discount_rate, horizon, margin, customer_value, draws, seed, spec_path,
            json_path, xlsx_path, quiet):
    """ROI of each roadmap initiative: NPV, ROI and payback with P10/P50/P90.

    ROADMAP is a table with columns initiative, name, construct, uplift (scale
    points the construct score rises), cost, months_to_effect and
    customers_reached (see the demo's roadmap.csv). The value chain:

    \b
      uplift x driver slope (OLS of the loyalty measure on construct scores)
        -> change in loyalty
        -> change in churn probability (logistic churn ~ loyalty, finance file)
           and in revenue (log-linear revenue ~ loyalty)
        -> annual benefit = customers reached x margin x
           (avoided churn x customer value + revenue uplift)
        -> discounted monthly over --horizon years at --discount-rate
           after months_to_effect: PV, NPV = PV - cost, ROI, payback.

    Uncertainty: Monte Carlo over the estimated coefficients (multivariate
    normal, --draws, --seed); initiatives ranked by P50 NPV; a tornado table
    moves each assumption one at a time. The --xlsx workbook is laid out for
    finance (Assumptions, Results, chart, Sensitivity, Methods).

    \b
    Examples:
      cxstats roi roadmap.csv --survey customers.csv --spec questionnaire.yaml \\
          --finance finance.csv --xlsx roi.xlsx
      cxstats roi roadmap.csv --survey survey.csv --id cust --loyalty loyal \\
          --constructs delivery,web,service --finance crm.csv --churn left \\
          --revenue rev12 --margin 0.35 --horizon 5 --json roi.json
    """
    from cxstats.cli.common import emit, progress
    from cxstats.cli.commands.finance import default_predictors
    from cxstats.io.readers import read_table
    from cxstats.report.roi_workbook import write_roi_sheets
    from cxstats.stats import roi
    from cxstats.stats.finance import finance_linkage

    if not 0 <= discount_rate < 1:
        raise InputError(f"option --discount-rate: give a rate between 0 and 1 (0.08 = 8%), not {discount_rate:g}")
    if horizon <= 0:
        raise InputError(f"option --horizon: give a positive number of years, not {horizon:g}")
    if not 0 < margin <= 1:
        raise InputError(f"option --margin: give a share in (0, 1], not {margin:g}")
    cons = split_list(constructs, "--constructs")
    if spec_path:
        from cxstats.spec.load import load_spec

        spec = load_spec(spec_path)
        if not cons:
            cons = [c.id for c in spec.constructs()]
        if not loyalty:
            loyalty = default_predictors(spec)[0]
    elif not (cons and loyalty):
        raise InputError("without --spec give --loyalty COL and --constructs C1,C2,... (survey columns)")
    survey, fin, spec, spec_currency, _ = load_linked_inputs(
        survey_path, spec_path=spec_path, finance_path=finance_path, survey_id=survey_id, finance_id=finance_id,
        churn=churn, revenue=revenue, share=share, predictors=[loyalty], extra_columns=cons)
    initiatives = roi.read_roadmap(read_table(roadmap), cons)
    cur = currency or spec_currency or "EUR"
    link = finance_linkage(survey, fin, [loyalty], survey_file=survey_path, min_match=min_match, currency=cur)
    coef, values, chain, warns = roi.build_chain(survey, link, loyalty, cons, survey_file=survey_path)
    assumptions = roi.default_assumptions(link, loyalty, discount_rate=discount_rate, horizon_years=horizon,
                                          margin=margin, customer_value=customer_value, currency=cur)
    if margin != 1.0:
        assumptions.sources["margin"] = "given (--margin)"
    bar = progress(total=draws * len(initiatives), desc="ROI Monte Carlo", quiet=quiet)

    def tick(done, total):
        bar.update(done - bar.n)

    try:
        result = roi.roadmap_roi(initiatives, coef, values, assumptions, draws=draws, seed=seed, progress=tick,
                                 roadmap_file=roadmap, chain=chain, warnings=link.warnings + warns)
    finally:
        bar.close()
    result.finance = link.link
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=write_roi_sheets)
