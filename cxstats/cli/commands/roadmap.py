"""``cxstats roadmap check``: the roadmap's owners and its governance checks."""

from __future__ import annotations

import click

from cxstats.cli.common import output_options, quiet_option


@click.group("roadmap", context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """Work on the CX roadmap (the ROI's initiatives): owners and governance checks."""


@command.command("check")
@click.argument("roadmap", type=click.Path(dir_okay=False))
@click.option("--spec", "spec_path", required=True, type=click.Path(dir_okay=False),
              help="The study spec: the constructs and touchpoints the initiatives may target.")
@click.option("--max-accountable", "max_accountable", type=int, default=3, show_default=True,
              help="A role accountable for more initiatives than this is an error.")
@click.option("--small-gap", "small_gap", type=float, default=0.2, show_default=True,
              help="Customers' gap to aspiration (scale points) under which a targeted construct is 'small-gap'.")
@click.option("--low-importance", "low_importance", type=float, default=0.05, show_default=True,
              help="Driver importance (share of R²) under which a targeted construct is 'low-importance'.")
@click.option("--gaps", "gaps", type=click.Path(dir_okay=False), metavar="JSON",
              help="The JSON of 'cxstats gaps' (customers' gap to aspiration per construct).")
@click.option("--drivers", "drivers", type=click.Path(dir_okay=False), metavar="JSON",
              help="The JSON of 'cxstats drivers' (importance per construct).")
@output_options
@quiet_option
def check(roadmap, spec_path, max_accountable, small_gap, low_importance, gaps, drivers, json_path, xlsx_path,
          quiet):
    """Check the roadmap's governance; list every initiative's owners.

    The roadmap (CSV/XLSX, the ROI's table) may add, per initiative:

    \b
      co_leads      roles co-leading it
      accountable, responsible, consulted, informed
                    the RACI roles, 'Role (level)' separated by ';'
                    (levels: executive, manager, frontline)
      touchpoints   spec touchpoint ids it targets, ';'-separated
      targets       construct ids it targets beyond 'construct'

    \b
    Errors (exit 2 after writing the outputs):
      no accountable role, or more than one; a targeted construct or
      touchpoint that is not in the spec; a role accountable for more than
      --max-accountable initiatives.
    Warnings (exit 0):
      no co-leads; a targeted construct with a small gap to aspiration
      (--small-gap, from --gaps) or a low driver importance
      (--low-importance, from --drivers): "this initiative targets a
      low-importance, small-gap construct".

    \b
    Examples:
      cxstats roadmap check roadmap.csv --spec questionnaire.yaml
      cxstats gaps customers.csv staff.csv --spec questionnaire.yaml --json gaps.json
      cxstats roadmap check roadmap.csv --spec questionnaire.yaml --gaps gaps.json \\
          --drivers drivers.json --xlsx roadmap_owners.xlsx
    """
    from cxstats.cli.common import emit, run_analysis, step_context
    from cxstats.report.atomic import protect_inputs

    protect_inputs(gaps, drivers)
    ctx = step_context([], spec_path, quiet=quiet, roadmap=roadmap)
    result = run_analysis("roadmap_check", ctx, max_accountable=max_accountable, small_gap=small_gap,
                          low_importance=low_importance, gaps=gaps, drivers=drivers)
    emit(result, name="roadmap_check", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
    if result.errors:
        click.echo(f"error: {roadmap}: {len(result.errors)} governance problem(s) to fix (listed above)", err=True)
        return 2
    return 0
