"""``cxstats reliability``: Cronbach's alpha, omega and item-total statistics per scale."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, missing_code_option,
                                output_options, quiet_option, seed_option, spec_option)


@click.command("reliability")
@data_files_argument
@click.option("--scale", "scales", multiple=True, metavar="NAME=I1,I2,...",
              help="A scale and its items (repeatable; default with --spec: every construct).")
@list_option("--constructs", "constructs", metavar="C1,C2,...",
             help="With --spec: only these constructs (default: every construct with two or more items).")
@click.option("--reverse", "reverse", multiple=True, metavar="ITEM",
              help="A reverse-keyed item, recoded as min + max - x (repeatable; needs --min/--max).")
@click.option("--min", "lo", type=float, help="Lowest answer code of the scale (for --reverse), e.g. 1.")
@click.option("--max", "hi", type=float, help="Highest answer code of the scale (for --reverse), e.g. 5.")
@list_option("--scale-range", "scale_range", metavar="MIN,MAX", number=True,
             help="The items' answer scale without --spec, e.g. 1,5: any other value that is not a "
                  "--missing-code is refused (file, column, row, value); also the range for --reverse when --min/--max are not given.")
@click.option("--group", "group", metavar="COL",
              help="Report each scale separately for every value of this column.")
@click.option("--missing", "missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise",
              show_default=True,
              help="pairwise: statistics from the pairwise covariance matrix on all rows (psych's "
                   "default); listwise: only respondents who answered every item of the scale.")
@click.option("--bootstrap", "bootstrap", type=int, default=0, show_default=True, metavar="N",
              help="Add a percentile bootstrap 95% CI for alpha from N resamples (e.g. 1000).")
@click.option("--bootstrap-method", "bootstrap_method", type=click.Choice(["auto", "row", "poisson"]),
              default="auto", show_default=True,
              help="row: resample respondents (needs the rows: pandas); poisson: each respondent counts a "
                   "Poisson(1) number of times per replicate, fixed by --seed and the respondent id, so "
                   "DuckDB and Spark compute all N replicates in one pass and every engine gives the same "
                   "interval; auto: row on pandas, poisson on DuckDB/Spark.")
@click.option("--weight", "weight", metavar="COL",
              help="Survey weights: alpha, omega and the item statistics from the weighted covariance matrix; "
                   "Feldt's CI on Kish's effective n (reported as n_eff). A missing, non-numeric or negative "
                   "weight is refused. Not with --bootstrap.")
@click.option("--ordinal", "ordinal", is_flag=True,
              help="Also ordinal alpha and omega (Gadermann, Guhn & Zumbo 2012): alpha and omega of the polychoric "
                   "correlations (the items' latent responses), respondents complete on the scale. For 4- to "
                   "7-point items with skewed answers, where Pearson-based alpha understates reliability.")
@seed_option
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, scales, constructs, reverse, lo, hi, scale_range, group, missing, bootstrap,
            bootstrap_method, weight, ordinal, seed, spec_path, engine, spark_master, json_path, xlsx_path, quiet):
    """Scale reliability: Cronbach's alpha, McDonald's omega and item-total statistics.

    For every scale: raw and standardized alpha with Feldt's 95% CI (and a
    bootstrap CI with --bootstrap), omega total (psych::omega with one factor,
    and semTools::compRelSEM of a one-factor ML CFA), average and median
    inter-item correlation, Guttman's lambda 6; for every item: n, mean, SD,
    r_drop (corrected item-total correlation), alpha if the item is dropped (raw
    and standardized), raw_r, std_r and r_cor. Numbers match psych::alpha,
    psych::omega and lavaan/semTools.

    \b
    Examples:
      cxstats reliability survey.csv --scale web=q1,q2,q3 --scale delivery=q4,q5,q6
      cxstats reliability survey.csv --scale web=q1,q2,q3,q4 --reverse q4 --min 1 --max 5 \\
          --bootstrap 1000 --seed 7 --json rel.json --xlsx rel.xlsx
      cxstats reliability survey.csv --scale web=q1,q2,q3 --group region --missing listwise
      cxstats reliability survey.csv --scale web=q1,q2,q3 --scale-range 1,5 --missing-code 9
      cxstats reliability answers.csv --spec study.yaml     (every construct, customers and staff)
      cxstats reliability survey.csv --scale web=q1,q2,q3 --weight w   (survey weights)
      cxstats reliability survey.csv --scale web=q1,q2,q3 --ordinal     (+ ordinal alpha and omega)
      cxstats reliability 'lake/answers/*.parquet' --spec study.yaml --engine duckdb   (out of core)

    With --spec the moments can be computed by DuckDB or Spark (--engine): one pass
    over the data, the same numbers as in memory. The bootstrap CI on an engine is
    the Poisson bootstrap (--bootstrap-method poisson: all replicates in one more
    pass; needs the spec's respondent id); --engine pandas --bootstrap-method
    poisson gives the same interval in memory.

    Rule of thumb: alpha >= .70 for group comparisons; an item whose r_drop is
    low (< .30) and whose removal raises alpha deserves a second look.
    """
    from cxstats.cli.common import emit, parse_scales, run_analysis, step_context
    from cxstats.errors import InputError

    if reverse and not spec_path and scale_range is None and (lo is None or hi is None):
        raise InputError("--reverse needs the answer scale's range: give --min and --max (e.g. --min 1 "
                         f"--max 5) to recode {', '.join(reverse)} as min + max - x")
    ctx = step_context(data, spec_path, seed=seed, quiet=quiet)
    result = run_analysis("reliability", ctx, scales=parse_scales(scales, "--scale") or None,
                          constructs=constructs, reverse=list(reverse) or None, lo=lo, hi=hi, scale_range=scale_range,
                          group=group,
                          missing=missing, bootstrap=bootstrap, bootstrap_method=bootstrap_method, weight=weight, engine=engine,
                          spark_master=spark_master, **({"ordinal": True} if ordinal else {}))
    emit(result, name="reliability", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
