"""``cxstats describe``: item descriptives (n, mean, SD, top-2-box, missing), customers vs staff."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, missing_code_option,
                                output_options, quiet_option, spec_option)


@click.command("describe")
@data_files_argument
@list_option("--columns", "columns", metavar="C1,C2,...",
             help="Items or outcomes to describe (default with --spec: all of them).")
@click.option("--by", "by", metavar="COL", help="Split by this column (default with --spec: respondent type).")
@list_option("--scale-range", "scale_range", metavar="MIN,MAX", number=True,
             help="Answer scale of the columns without --spec, e.g. 1,5 (the top-2-box needs it).")
@click.option("--weight", "weight", metavar="COL",
              help="Survey weights: weighted means, SDs and shares, with Kish's effective n (n_eff) and 95% "
                   "intervals of the mean and top-2-box share on it. A missing, non-numeric or negative weight "
                   "of a described respondent is refused.")
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, columns, by, scale_range, weight, spec_path, engine, spark_master, json_path, xlsx_path,
            quiet):
    """Descriptives per item: n, mean, SD, top-2-box share and missing share.

    With a spec every item (reverse-keyed items recoded so that higher is
    better) and every outcome is described, customers and frontline staff
    side by side.

    \b
    Examples:
      cxstats describe customers.csv staff.csv --spec study.yaml --xlsx describe.xlsx
      cxstats describe survey.csv --columns q1,q2,q3 --scale-range 1,5 --by region --json -
      cxstats describe survey.csv --columns q1,q2 --scale-range 1,5 --weight w   (weighted)
      cxstats describe 'lake/*.parquet' --spec study.yaml --by region --engine duckdb   (counts in SQL)

    With --spec, --engine duckdb|spark computes the same numbers from counts
    per answer and group in one pass over the data (no rows in memory);
    --weight needs the rows (--engine pandas).
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, quiet=quiet)
    result = run_analysis("describe", ctx, columns=columns, by=by, scale_range=scale_range, weight=weight,
                          engine=engine, spark_master=spark_master)
    emit(result, name="describe", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
