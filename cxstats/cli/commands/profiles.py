"""``cxstats profiles``: satisfaction x repurchase customer profiles (Jones-Sasser grid)."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, list_option, missing_code_option, output_options,
                                quiet_option, spec_option)


@click.command("profiles")
@data_files_argument
@click.option("--satisfaction", "satisfaction", metavar="COL",
              help="Satisfaction column (with --spec: default the spec's csat outcome).")
@click.option("--repurchase", "repurchase", metavar="COL",
              help="Repurchase-intention column (with --spec: default the spec's repurchase outcome).")
@click.option("--sat-cut", "sat_cut", type=float, metavar="X",
              help="High satisfaction: an answer >= X (default with --spec: top-2-box, e.g. 4 on 1-5).")
@click.option("--rep-cut", "rep_cut", type=float, metavar="X",
              help="High repurchase intention: an answer >= X (default with --spec: top-2-box).")
@click.option("--joint/--no-joint", "joint", default=False, show_default=True,
              help="Simultaneous (Goodman) 95% intervals for the four shares instead of one Wilson "
                   "interval per share.")
@list_option("--compare", "compare", metavar="C1,C2",
             help="Numeric columns compared between each profile and the rest (default with --spec: "
                  "every construct and touchpoint score, NPS, CES and the linked finance columns).")
@list_option("--segments", "segments", metavar="S1,S2",
             help="Categorical columns tested against the profiles (default with --spec: its segments).")
@click.option("--lifecycle", "lifecycle", metavar="COL",
              help="Lifecycle-stage column cross-tabulated by profile (default: the spec segment "
                   "declared 'lifecycle: true').")
@click.option("--drivers/--no-drivers", "drivers", default=True, show_default=True,
              help="Drivers of being a loyalist rather than a hostage or mercenary (binary drivers "
                   "analysis on the construct scores, or on --compare columns without a spec).")
@click.option("--finance", "finance_path", type=click.Path(dir_okay=False),
              help="Customer-level finance table linked by the spec's finance id: its revenue, churn and "
                   "share-of-wallet columns are compared per profile.")
@click.option("--crm", "crm_path", type=click.Path(dir_okay=False), metavar="CRM.csv",
              help="The CRM extract (one row per customer), joined by customer id as the spec's crm: block "
                   "says: its segments (e.g. the lifecycle stage) replace the survey's, its measures "
                   "(e.g. customer value) are compared per profile.")
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, satisfaction, repurchase, sat_cut, rep_cut, joint, compare, segments, lifecycle, drivers,
            finance_path, crm_path, spec_path, json_path, xlsx_path, quiet):
    """Customer profiles: satisfaction x repurchase intention (Jones & Sasser 1995).

    \b
      loyalist   high satisfaction, high repurchase intention
      mercenary  high satisfaction, low repurchase intention
      hostage    low satisfaction, high repurchase intention
      defector   low on both

    "High" means an answer at or above the cut-off; the default with --spec is
    the top-2-box of each scale (4-5 on 1-5), stated in the output. Each share
    has a 95% Wilson interval (R prop.test(correct = FALSE)); --joint gives
    Goodman's simultaneous intervals. Each profile is compared with all other
    customers: Welch t tests of construct/touchpoint scores, NPS and finance
    columns; chi-square tests of segments with adjusted standardized residuals
    (R chisq.test()$stdres); p-values adjusted by Holm and Benjamini-Hochberg.
    Shares are fractions 0-1.

    \b
    Examples:
      cxstats profiles customers.csv --spec questionnaire.yaml --xlsx profiles.xlsx
      cxstats profiles customers.csv --spec questionnaire.yaml --finance finance.csv --json -
      cxstats profiles customers.csv --spec questionnaire.yaml --crm crm.csv --xlsx profiles.xlsx
      cxstats profiles survey.csv --satisfaction sat --repurchase again --sat-cut 4 --rep-cut 4 \\
          --compare speed,price --segments region
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, quiet=quiet, finance=finance_path, crm=crm_path)
    result = run_analysis("profiles", ctx, satisfaction=satisfaction, repurchase=repurchase, sat_cut=sat_cut,
                          rep_cut=rep_cut, joint=joint, compare=compare, segments=segments, lifecycle=lifecycle,
                          drivers=drivers)
    emit(result, name="profiles", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
