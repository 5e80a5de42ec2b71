import click

CSV_MAX_CUSTOMERS = 200_000   # the CSV demo is built in memory (rows as Python dicts)


@click.command("demo")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=20261123, show_default=True,
              help="Simulation seed: the same seed writes byte-identical files.")
@click.option("--customers", type=click.IntRange(50, 10_000_000), default=2000, show_default=True,
              help="Number of customer responses (CSV: up to 200,000; Parquet: up to 10,000,000).")
@click.option("--staff", type=click.IntRange(20, 20_000), default=200, show_default=True,
              help="Number of frontline-staff responses.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="csv: the complete demo study (below). parquet: the scale study - customers as a folder "
                   "of Parquet parts written 250,000 rows at a time (memory does not grow with --customers), "
                   "staff, spec, truth and a plan that runs on DuckDB.")
@click.option("--force", is_flag=True, help="Overwrite demo files already in FOLDER.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (--format parquet).")
def command(folder, seed, customers, staff, fmt, force, quiet):
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

    With --format parquet (the scale study, up to 10,000,000 customers; the
    same model and truth, no CRM, verbatims, finance, roadmap, tracking or
    maturity extras):

    \b
      questionnaire.yaml  the study spec
      customers/          part-00000.parquet ...: 250,000 customers each, each part
                          from its own random stream (same seed and N -> same data)
      staff.parquet       frontline-staff wave
      truth.json          the population values (with the NPS shares)
      plan.yaml           reliability, gaps (customers vs staff), nps, drivers
                          (bootstrap: 0) and cfa (estimator: ML), all with engine: duckdb

    \b
    Examples:
      cxstats demo /tmp/demo && cxstats run /tmp/demo/plan.yaml
      cxstats demo /tmp/big --format parquet --customers 10000000 && cxstats run /tmp/big/plan.yaml
    """
    from pathlib import Path

    from cxstats.errors import InputError

    if fmt == "csv" and customers > CSV_MAX_CUSTOMERS:
        raise InputError(f"--customers {customers}: the CSV demo has at most {CSV_MAX_CUSTOMERS:,} customers (it "
                         f"is built in memory); use --format parquet for up to 10,000,000 (written in chunks)")
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InputError("exists and is not a folder", file=target)
    if target.exists() and any(target.iterdir()) and not force:
        names = {"questionnaire.yaml", "customers.csv", "staff.csv", "plan.yaml", "customers", "staff.parquet"}
        if names & {p.name for p in target.iterdir()}:
            raise InputError("already holds a demo study; use --force to overwrite it", file=target)
    if fmt == "parquet":
        from cxstats.cli.common import ProgressBars
        from cxstats.demo.parquet import CHUNK_ROWS, write_parquet_demo

        bars = ProgressBars(quiet)
        try:
            written = write_parquet_demo(target, seed=seed, n_customers=customers, n_staff=staff, force=force,
                                         progress=bars("customers (Parquet parts)"))
        finally:
            bars.close()
        parts = -(-customers // CHUNK_ROWS)
        click.echo(f"Parquet demo written to {target}/ ({customers:,} customers in {parts} part"
                   f"{'s' if parts > 1 else ''} under customers/, {staff:,} staff; "
                   f"{', '.join(sorted(n for n in written if n != 'customers'))}).")
        click.echo(f"Next: cxstats run {target / 'plan.yaml'}")
        return
    from cxstats.demo.simulate import write_demo

    written = write_demo(target, seed=seed, n_customers=customers, n_staff=staff)
    from cxstats.demo.waves import write_tracking_demo

    written.update(write_tracking_demo(target, seed=seed))  # three waves with timestamps
    from cxstats.demo.maturity import write_maturity_demo

    written.update(write_maturity_demo(target, seed=seed))  # the organisation's maturity self-assessment
    click.echo(f"Demo study written to {target}/ ({', '.join(sorted(written))}).")
    click.echo(f"Next: cxstats run {target / 'plan.yaml'}")
