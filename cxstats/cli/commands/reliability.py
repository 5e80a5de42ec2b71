"""``cxstats reliability``: Cronbach's alpha, omega and item-total statistics per scale."""

from __future__ import annotations

import click

from cxstats.cli.common import (
    data_files_argument, files_label, missing_code_option, one_data_file, output_options,
    parse_scales, quiet_option, seed_option, spec_option,
)
from cxstats.errors import InputError


def _with_file(exc: InputError, path) -> InputError:
    if exc.file is not None:
        return exc
    return InputError(exc.reason, file=path, column=exc.column, row=exc.row, value=exc.value,
                      details=exc.details)


@click.command("reliability")
@data_files_argument
@click.option("--scale", "scales", multiple=True, metavar="NAME=I1,I2,...",
              help="A scale and its items (repeatable).")
@click.option("--reverse", "reverse", multiple=True, metavar="ITEM",
              help="A reverse-keyed item, recoded as min + max - x (repeatable; needs --min/--max).")
@click.option("--min", "lo", type=float, help="Lowest answer code of the scale (for --reverse), e.g. 1.")
@click.option("--max", "hi", type=float, help="Highest answer code of the scale (for --reverse), e.g. 5.")
@click.option("--group", metavar="COL", help="Report each scale separately for every value of this column.")
@click.option("--missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise", show_default=True,
              help="pairwise: statistics from the pairwise covariance matrix on all rows (psych's "
                   "default); listwise: only respondents who answered every item of the scale.")
@click.option("--bootstrap", "n_boot", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Add a percentile bootstrap 95% CI for alpha from N resamples (e.g. 1000).")
@seed_option
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, scales, reverse, lo, hi, group, missing, n_boot, seed, spec_path, json_path,
            xlsx_path, quiet):
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
      cxstats reliability answers.csv --spec study.yaml     (every construct, customers and staff)

    Rule of thumb: alpha >= .70 for group comparisons; an item whose r_drop is
    low (< .30) and whose removal raises alpha deserves a second look.
    """
    files = data
    data = files_label(files) if spec_path else one_data_file(files)
    parsed = parse_scales(scales, "--scale")
    if spec_path:
        result = _from_spec(files, spec_path, parsed, reverse, group, missing, n_boot, seed, quiet)
    else:
        result = _from_options(data, parsed, reverse, lo, hi, group, missing, n_boot, seed, quiet)
    from cxstats.cli.common import emit

    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=_sheets)


def _sheets(builder, result):
    from cxstats.plan.steps.reliability import sheets

    sheets(builder, result)


def _run(frame, scales, *, reverse, lo, hi, groups, missing, n_boot, seed, quiet, file,
         reversed_already=False, row_of=None):
    from cxstats.cli.common import progress
    from cxstats.stats.reliability import reliability_report

    n_groups = len({g for g in groups if g is not None}) if groups is not None else 1
    bar = progress(total=n_boot * len(scales) * n_groups, desc="bootstrap", quiet=quiet) if n_boot else None
    state = {"done": 0}

    def tick(step):
        bar.update(step - state["done"])
        state["done"] = step

    try:
        return reliability_report(frame, scales, missing=missing, reverse=reverse, lo=lo, hi=hi,
                                  groups=groups, n_boot=n_boot, seed=seed,
                                  progress=tick if bar is not None else None, file=file,
                                  reversed_already=reversed_already, row_of=row_of)
    except InputError as exc:
        raise _with_file(exc, file) from None
    finally:
        if bar is not None:
            bar.close()


def _from_options(data, scales, reverse, lo, hi, group, missing, n_boot, seed, quiet):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric

    if not scales:
        raise InputError("give at least one --scale NAME=ITEM1,ITEM2,... (or --spec SPEC)")
    needed = []
    for its in scales.values():
        needed.extend(i for i in its if i not in needed)
    table = read_table(data)
    table.require_columns(needed + ([group] if group else []))
    frame = load_numeric(data, needed, table=table)
    empty = [c for c in needed if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric answers", file=table.path, column=empty[0])
    groups = load_column_text(data, group, table=table) if group else None
    return _run(frame, scales, reverse=list(reverse), lo=lo, hi=hi, groups=groups, missing=missing,
                n_boot=n_boot, seed=seed, quiet=quiet, file=table.path, row_of=table.file_row)


def _from_spec(files, spec_path, scales, reverse, group, missing, n_boot, seed, quiet):
    from cxstats.cli.common import files_label
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec

    data = files_label(files)
    if reverse:
        raise InputError("--reverse cannot be combined with --spec: reverse keying comes from the spec "
                         "(items with reverse: true are already recoded)")
    spec = load_spec(spec_path)
    survey = load_survey(spec, [(d, None) for d in files])
    frame = survey.data
    if not scales:
        scales = {c.id: c.item_ids for c in spec.constructs()}
    unknown = [i for its in scales.values() for i in its if i not in frame.columns]
    if unknown:
        raise InputError("no such item in the survey table", file=data, column=unknown[0])
    col = group or "respondent_type"
    if col not in frame.columns:
        raise InputError(f"--group: no such column in the survey table (it has: "
                         f"{', '.join(c for c in frame.columns if not c.startswith('_'))})",
                         file=data, column=col)
    groups = [None if v is None or v != v else str(v) for v in frame[col].tolist()]
    used = {i for its in scales.values() for i in its}
    rev = [i.id for i in spec.items() if i.reverse and i.id in used]
    return _run(frame, scales, reverse=rev, lo=None, hi=None, groups=groups, missing=missing,
                n_boot=n_boot, seed=seed, quiet=quiet, file=data, reversed_already=True)
