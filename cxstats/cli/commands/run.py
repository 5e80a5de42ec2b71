import click


@click.command("run")
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Output folder (default: the plan's output.dir, relative to the plan file; "
                   "else reports/ in the current folder).")
@click.option("--seed", type=int, default=None, help="Override the plan's seed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None,
              help="Language of the workbooks (headers, notes, sheet names, spec names): es or en. "
                   "Default: the plan's lang:, else the spec's first language, else English.")
def command(plan, out_dir, seed, quiet, lang):
    """Run a whole analysis plan: data + spec + steps -> JSON and workbooks.

    A plan is a YAML file (paths relative to it):

    \b
      title: "Compra online, ola 1"
      spec: questionnaire.yaml
      data:
        - {file: customers.csv, respondent_type: customer}
        - {file: staff.csv, respondent_type: staff}
      output: {json: results.json, workbooks: {main: describe.xlsx}}
      steps:
        - step: describe

    Each step's sheets go to the workbook named by its 'workbook:' key (or the
    step's default). All results go to one JSON file. Outputs are written whole
    or not at all; the same plan and seed give byte-identical JSON. The
    workbooks speak the study's language (--lang es|en, the plan's 'lang:',
    else the spec's first language); the JSON is the same in every language. Each step's
    warnings (collinearity, Heywood cases, weak items...) are printed on
    standard error and kept in the JSON and the workbooks' Warnings sheets.

    \b
    Example:
      cxstats demo /tmp/demo && cxstats run /tmp/demo/plan.yaml --out reports
    """
    from cxstats.plan.runner import run_plan

    echo = (lambda msg: click.echo(msg, err=True)) if not quiet else None
    document, written, json_path = run_plan(plan, out_dir=out_dir, quiet=quiet, seed=seed, echo=echo, lang=lang)
    click.echo(f"results: {json_path}")
    for key, path in written.items():
        click.echo(f"workbook ({key}): {path}")
    # statistical caveats reach the terminal too (as with every analysis command), named by step
    for step in document.get("steps", []):
        result = step.get("result")
        for w in getattr(result, "warnings", None) or []:
            click.echo(f"warning: [{step['id']}] {w}", err=True)


def plan_dashboard(plan_path, out_dir, *, quiet: bool = False, lang: str | None = None):
    """``cxstats dashboard PLAN --out DIR``: the run command stays the command line's one door to
    plans (tests/test_architecture.py); it runs the plan's immediacy/track/drivers steps only."""
    from cxstats.plan.runner import dashboard_from_plan

    return dashboard_from_plan(plan_path, out_dir, quiet=quiet, lang=lang)
