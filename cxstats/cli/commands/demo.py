import click


@click.command("demo")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=20261123, show_default=True,
              help="Simulation seed: the same seed writes byte-identical files.")
@click.option("--customers", type=click.IntRange(50, 200_000), default=2000, show_default=True,
              help="Number of customer responses.")
@click.option("--staff", type=click.IntRange(20, 20_000), default=200, show_default=True,
              help="Number of frontline-staff responses.")
@click.option("--force", is_flag=True, help="Overwrite demo files already in FOLDER.")
def command(folder, seed, customers, staff, force):
    """Write a complete demo study into FOLDER to try every analysis on.

    A Spanish-language online-purchase journey of a home-appliance retailer:
    4 touchpoints, 10 constructs (brand / product / interaction), 30 items,
    NPS, CSAT, CES and repurchase intention. It is simulated from a known
    model, and the true values are written beside the data:

    \b
      questionnaire.yaml  the study spec
      customers.csv       customer wave (one row per respondent)
      staff.csv           frontline-staff wave ("how do customers rate ...")
      finance.csv         12-month revenue, churn, share of wallet by customer id
      roadmap.csv         improvement initiatives (for ROI)
      truth.json          the population values the analyses should recover
      plan.yaml           an analysis plan: cxstats run FOLDER/plan.yaml
      waves.csv           three tracking waves with contact/response times and channels
      questionnaire_tracking.yaml, plan_tracking.yaml   their spec (fielding block) and plan
      truth_tracking.json the true per-wave values, changes and shares within 48 h
      maturity.yaml, maturity.csv, plan_maturity.yaml   a CX maturity self-assessment (6 areas, 3 levels)
      truth_maturity.json its true dimension means, rwg(j) per area, ICC(1)/ICC(2)

    \b
    Example:
      cxstats demo /tmp/demo && cxstats run /tmp/demo/plan.yaml
    """
    from pathlib import Path

    from cxstats.demo.simulate import write_demo
    from cxstats.errors import InputError

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InputError("exists and is not a folder", file=target)
    if target.exists() and any(target.iterdir()) and not force:
        names = {"questionnaire.yaml", "customers.csv", "staff.csv", "plan.yaml"}
        if names & {p.name for p in target.iterdir()}:
            raise InputError("already holds a demo study; use --force to overwrite it", file=target)
    written = write_demo(target, seed=seed, n_customers=customers, n_staff=staff)
    from cxstats.demo.waves import write_tracking_demo

    written.update(write_tracking_demo(target, seed=seed))  # three waves with timestamps
    from cxstats.demo.maturity import write_maturity_demo

    written.update(write_maturity_demo(target, seed=seed))  # the organisation's maturity self-assessment
    click.echo(f"Demo study written to {target}/ ({', '.join(sorted(written))}).")
    click.echo(f"Next: cxstats run {target / 'plan.yaml'}")
