"""``cxstats efa``: exploratory factor analysis with KMO, Bartlett and parallel analysis."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, missing_code_option, output_options,
                                quiet_option, seed_option, spec_option)


def _factors(ctx, param, value):
    if value is None or value == "constructs":
        return value
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: a whole number (or 'constructs' with --spec)") from None


@click.command("efa")
@data_files_argument
@list_option("--items", "items", metavar="I1,I2,...",
             help="The items to factor (at least 3; default with --spec: the items of every construct).")
@list_option("--constructs", "constructs", metavar="C1,C2,...",
             help="With --spec: factor the items of these constructs.")
@click.option("--factors", "factors", metavar="N", callback=_factors,
              help="Number of factors. Without it, the number suggested by parallel analysis is used; "
                   "with --spec, 'constructs' = one factor per construct.")
@click.option("--method", "method", type=click.Choice(["minres", "ml"]), default="minres", show_default=True,
              help="Extraction: minres (minimum residual, psych's default) or ml (maximum likelihood).")
@click.option("--rotation", "rotation", type=click.Choice(["oblimin", "promax", "varimax", "none"]),
              default="oblimin", show_default=True,
              help="oblimin/promax let factors correlate; varimax keeps them orthogonal.")
@click.option("--missing", "missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise",
              show_default=True, help="pairwise correlations on all rows (psych's default) or complete rows only.")
@click.option("--respondents", "respondents", type=click.Choice(["customer", "staff", "all", "both"]),
              help="With --spec: whose answers are factored: customer (default), staff, all (pooled) or "
                   "both (one EFA for customers, one for staff).")
@click.option("--iterations", "iterations", type=int, default=20, show_default=True,
              help="Random data sets for parallel analysis.")
@click.option("--cor", "cor", type=click.Choice(["pearson", "polychoric"]), default="pearson", show_default=True,
              help="polychoric: factor the polychoric correlations of the items (psych fa.poly), respondents who "
                   "answered every item; for 4- to 7-point items with skewed answers.")
@list_option("--scale-range", "scale_range", metavar="MIN,MAX", number=True,
             help="The items' answer scale without --spec, e.g. 1,5: any other value that is not a "
                  "--missing-code is refused (file, column, row, value).")
@seed_option
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, items, constructs, factors, method, rotation, missing, respondents, iterations,
            scale_range, cor, seed, spec_path, engine, spark_master, json_path, xlsx_path, quiet):
    """Exploratory factor analysis (EFA) of survey items, as psych::fa.

    Reports sampling adequacy (KMO overall and per item; Bartlett's test of
    sphericity), parallel analysis (observed eigenvalues against random data,
    seeded), then the factor solution: pattern loadings, structure, communality
    and uniqueness per item, factor correlations (oblique rotations), variance
    accounted for, and likelihood-based fit (chi-square, TLI, RMSEA, BIC).
    Factors are flipped to positive loading sums and ordered by variance
    explained, and keep psych's names (MR1.., ML1..), so results compare
    directly with R.

    With --spec the items of every construct (or of --constructs, or --items)
    are factored, customers' answers by default (see --respondents).

    \b
    Examples:
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6,q7,q8,q9
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6 --factors 2 --rotation promax --xlsx efa.xlsx
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6 --method ml --seed 7 --json -
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6 --scale-range 1,5 --missing-code 9
      cxstats efa customers.csv staff.csv --spec study.yaml --respondents both --xlsx efa.xlsx
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6 --factors 2 --cor polychoric
      cxstats efa 'lake/*.parquet' --spec study.yaml --engine duckdb   (out of core)

    With --spec the correlations can be computed by DuckDB or Spark (--engine):
    one pass for the moments per answer pattern (pairwise or listwise, as
    pandas) and one for each item's counts per answer (the parallel analysis
    resamples each item from them); the numbers equal the pandas path.
    --cor polychoric needs the rows (--engine pandas).

    Loadings above about .40 are usually read as salient; KMO below .60 means
    the items share too little variance for a factor analysis.
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, seed=seed, quiet=quiet)
    result = run_analysis("efa", ctx, items=items, constructs=constructs, factors=factors, method=method,
                          rotation=rotation, missing=missing, respondents=respondents, iterations=iterations,
                          scale_range=scale_range, engine=engine, spark_master=spark_master,
                          **({"cor": cor} if cor != "pearson" else {}))
    parts = getattr(result, "parts", None) or [("", result)]  # one EFA, or one per respondent type
    for kind, r in parts:
        if r.n_factors_source == "parallel analysis" and not quiet:
            click.echo(f"note: {kind + ': ' if kind else ''}{len(r.factors)} factor(s) as suggested by "
                       f"parallel analysis (seed {seed}); give --factors N to choose", err=True)
    emit(result, name="efa", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
