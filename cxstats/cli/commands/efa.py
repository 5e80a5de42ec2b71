"""``cxstats efa``: exploratory factor analysis with KMO, Bartlett and parallel analysis."""

from __future__ import annotations

import click

from cxstats.cli.common import missing_code_option, output_options, quiet_option, seed_option, split_list
from cxstats.errors import InputError


@click.command("efa")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--items", required=True, metavar="I1,I2,...", help="The items to factor (at least 3).")
@click.option("--factors", "n_factors", type=int, metavar="N",
              help="Number of factors. Without it, the number suggested by parallel analysis is used.")
@click.option("--method", type=click.Choice(["minres", "ml"]), default="minres", show_default=True,
              help="Extraction: minres (minimum residual, psych's default) or ml (maximum likelihood).")
@click.option("--rotation", type=click.Choice(["oblimin", "promax", "varimax", "none"]), default="oblimin",
              show_default=True, help="oblimin/promax let factors correlate; varimax keeps them orthogonal.")
@click.option("--missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise", show_default=True,
              help="pairwise correlations on all rows (psych's default) or complete rows only.")
@click.option("--iterations", "n_iter", type=click.IntRange(min=1), default=20, show_default=True,
              help="Random data sets for parallel analysis.")
@seed_option
@missing_code_option
@output_options
@quiet_option
def command(data, items, n_factors, method, rotation, missing, n_iter, seed, json_path, xlsx_path, quiet):
    """Exploratory factor analysis (EFA) of survey items, as psych::fa.

    Reports sampling adequacy (KMO overall and per item; Bartlett's test of
    sphericity), parallel analysis (observed eigenvalues against random data,
    seeded), then the factor solution: pattern loadings, structure, communality
    and uniqueness per item, factor correlations (oblique rotations), variance
    accounted for, and likelihood-based fit (chi-square, TLI, RMSEA, BIC).
    Factors are flipped to positive loading sums and ordered by variance
    explained, and keep psych's names (MR1.., ML1..), so results compare
    directly with R.

    \b
    Examples:
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6,q7,q8,q9
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6 --factors 2 --rotation promax --xlsx efa.xlsx
      cxstats efa survey.csv --items q1,q2,q3,q4,q5,q6 --method ml --seed 7 --json -

    Loadings above about .40 are usually read as salient; KMO below .60 means
    the items share too little variance for a factor analysis.
    """
    from cxstats.cli.common import emit, progress
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_numeric
    from cxstats.stats.efa import efa

    names = split_list(items, "--items")
    table = read_table(data)
    table.require_columns(names)
    frame = load_numeric(data, names, table=table)
    empty = [c for c in names if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric answers", file=table.path, column=empty[0])
    bar = progress(total=n_iter, desc="parallel analysis", quiet=quiet)
    state = {"done": 0}

    def tick(step):
        bar.update(step - state["done"])
        state["done"] = step

    try:
        result = efa(frame, names, n_factors=n_factors, method=method, rotation=rotation, missing=missing,
                     seed=seed, n_iter=n_iter, progress=tick, file=table.path)
    except InputError as exc:
        if exc.file is None:
            exc = InputError(exc.reason, file=table.path, column=exc.column, row=exc.row, value=exc.value,
                             details=exc.details)
        raise exc from None
    finally:
        bar.close()
    if result.n_factors_source == "parallel analysis" and not quiet:
        click.echo(f"note: {len(result.factors)} factor(s) as suggested by parallel analysis "
                   f"(seed {seed}); give --factors N to choose", err=True)
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=_sheets)


def _sheets(builder, result):
    from cxstats.plan.steps.efa import sheets

    sheets(builder, result)
