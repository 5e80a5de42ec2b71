"""``cxstats gaps``: two groups compared per item, construct, touchpoint and component, or
one group (customers without a staff wave) against the aspirations."""

from __future__ import annotations

import click

from cxstats.cli.common import (
    data_files_argument, files_label, missing_code_option, one_data_file, output_options,
    parse_scales, quiet_option, spec_option, split_list,
)
from cxstats.errors import InputError


def _with_file(exc: InputError, path) -> InputError:
    """The same error, located in ``path`` when it names no file of its own."""
    if exc.file is not None:
        return exc
    return InputError(exc.reason, file=path, column=exc.column, row=exc.row, value=exc.value,
                      details=exc.details)


def _parse_targets(values, option: str) -> dict:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option {option}: expected NAME=NUMBER but got {v!r}")
        name, num = (t.strip() for t in v.split("=", 1))
        try:
            out[name] = float(num.replace(",", "."))
        except ValueError:
            raise InputError(f"option {option}: {num!r} is not a number (in {v!r})") from None
    return out


def _parse_verdicts(values) -> dict:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option --invariance: expected CONSTRUCT=LEVEL but got {v!r}")
        name, level = (t.strip() for t in v.split("=", 1))
        if level.lower() not in ("configural", "metric", "scalar", "strict", "none", "partial_scalar",
                                 "partial_metric"):
            raise InputError(f"option --invariance: level {level!r} is not one of configural, metric, "
                             "scalar, strict, none", value=level)
        out[name] = level.lower()
    return out


def _text_column(table, column):
    from cxstats.io.tables import load_column_text

    return load_column_text(table.path, column, table=table)


@click.command("gaps")
@data_files_argument
@click.option("--group", "group", metavar="COL",
              help="Column with the two groups (e.g. respondent type). With --spec the default is "
                   "respondent_type (customer vs staff).")
@click.option("--compare", metavar="A,B", help="The two values of --group to compare when it has more "
                                               "than two; differences are A - B.")
@click.option("--items", metavar="I1,I2,...", help="Items to compare one by one.")
@click.option("--scale", "scales", multiple=True, metavar="NAME=I1,I2,...",
              help="A construct scored as the mean of its items (repeatable).")
@click.option("--touchpoint", "touchpoints", multiple=True, metavar="NAME=I1,I2,...",
              help="A touchpoint scored as the mean of its items (repeatable).")
@click.option("--component", "components", multiple=True, metavar="NAME=I1,I2,...",
              help="A component (brand/product/interaction) scored as the mean of its items (repeatable).")
@click.option("--aspiration", "aspirations", multiple=True, metavar="NAME=VALUE",
              help="Target mean for a construct (or item, touchpoint, component), e.g. web=4.5 (repeatable).")
@click.option("--scale-max", type=float, help="Scale maximum for top-2-box (default: the highest answer "
                                               "observed; with --spec, each item's scale).")
@click.option("--weight", metavar="COL", help="Survey-weight column: weighted means, SDs and differences.")
@click.option("--by", metavar="COL", help="Repeat the comparison within each value of this segment column.")
@click.option("--min-n", type=click.IntRange(min=1), default=30, show_default=True,
              help="Segment cells with fewer answers per group are suppressed.")
@click.option("--invariance", "verdicts", multiple=True, metavar="CONSTRUCT=LEVEL",
              help="Invariance verdict per construct (configural/metric/scalar/strict/none); below "
                   "scalar marks the construct's mean comparison as not interpretable.")
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, group, compare, items, scales, touchpoints, components, aspirations, scale_max,
            weight, by, min_n, verdicts, spec_path, json_path, xlsx_path, quiet):
    """Gaps between two groups (customers vs staff), or one group against the aspirations.

    For every item and every scale (construct, touchpoint, component = mean of
    its items per respondent): n, mean, SD and top-2-box per group, the
    difference (first group minus second), the gap to the aspiration, Welch's t,
    Mann-Whitney U, Hedges' g with 95% CI, and Holm / Benjamini-Hochberg adjusted
    p-values within each level. Numbers match R's t.test, wilcox.test(exact =
    FALSE) and p.adjust.

    Without --group (and with --spec when the data hold customers only, no staff
    wave): one group against the aspirations (--aspiration or the spec's). Per
    row n, mean, SD, top-2-box, gap_to_aspiration = mean - aspiration, the
    one-sample t test (t, df, pvalue, t_ci_lower/upper = 95% CI of the gap; R
    t.test(x, mu = a)), the Wilcoxon signed-rank test (wilcoxon_v, wilcoxon_pvalue;
    R wilcox.test(x, mu = a, exact = FALSE, correct = TRUE)), Cohen's d and
    Hedges' g, Holm / BH per level. Rows without an aspiration: descriptives only.

    \b
    Examples:
      cxstats gaps survey.csv --group type --items q1,q2,q3
      cxstats gaps survey.csv --group type --compare customer,staff \\
          --scale web=q1,q2,q3 --scale delivery=q4,q5 --aspiration web=4.5 \\
          --scale-max 5 --json gaps.json --xlsx gaps.xlsx
      cxstats gaps survey.csv --group type --items q1,q2 --weight w --by region --min-n 30
      cxstats gaps answers.csv --spec study.yaml --xlsx gap_workbook.xlsx
      cxstats gaps customers.csv --scale web=q1,q2,q3 --scale delivery=q4,q5 \
          --aspiration web=4.5 --aspiration delivery=4.2 --scale-max 5 --xlsx aspiration_gaps.xlsx
      cxstats gaps customers.csv --spec study.yaml --xlsx gap_workbook.xlsx

    With --spec, items, constructs, touchpoints, components, aspirations, scales
    and weights come from the study spec and customers are compared with staff;
    with customers only (no staff file), customers against the spec's aspirations.
    """
    files = data
    data = files_label(files) if spec_path else one_data_file(files)
    import pandas as pd

    from cxstats.stats.gaps import aspiration_gaps, expand_aspirations, gap_analysis

    compare_pair = tuple(split_list(compare, "--compare")) if compare else None
    if compare_pair is not None and len(compare_pair) != 2:
        raise InputError(f"option --compare: give exactly two group values A,B, not {compare!r}")
    targets = _parse_targets(aspirations, "--aspiration")
    invariance = _parse_verdicts(verdicts)
    one_group, label, group_column, note = False, "all", None, None
    item_list = split_list(items, "--items")
    levels = {"construct": parse_scales(scales, "--scale"),
              "touchpoint": parse_scales(touchpoints, "--touchpoint"),
              "component": parse_scales(components, "--component")}

    if spec_path:
        from cxstats.io.survey import load_survey
        from cxstats.spec.load import load_spec

        spec = load_spec(spec_path)
        survey = load_survey(spec, [(d, None) for d in files])
        frame = survey.data
        if not group and frame["respondent_type"].nunique(dropna=True) == 1:
            # customers only (no staff wave): one group against the spec's aspirations
            label = str(frame["respondent_type"].dropna().iloc[0])
            one_group, group_column = True, "respondent_type"
            frame = frame[frame["respondent_type"] == label].reset_index(drop=True)
            other = "staff" if label == "customer" else "customer"
            note = (f"no {other} respondents in the data: {label}s are compared with the aspirations "
                    f"only (add the {other} file to compare {label}s with {other})")
            if compare_pair is not None:
                raise InputError(f"--compare: the data hold only {label} respondents; there is no "
                                 "second group to compare", file=data, column="respondent_type")
        group = group or "respondent_type"
        spec_levels = spec.levels()
        for lv in ("construct", "touchpoint", "component"):
            levels[lv] = levels[lv] or spec_levels.get(lv, {})
        item_list = item_list or spec.item_ids()
        targets = {**spec.aspirations(), **targets}
        scale_max = scale_max if scale_max is not None else {i.id: i.scale.max for i in spec.items()
                                                             if i.scale is not None}
        if weight is None and spec.weight and "weight" in frame.columns:
            weight = "weight"
        for col, what in ((group, "--group"), (by, "--by"), (weight, "--weight")):
            if col and col not in frame.columns:
                raise InputError(f"{what}: no such column in the survey table (it has: "
                                 f"{', '.join(c for c in frame.columns if not c.startswith('_'))})",
                                 file=data, column=col)
        if compare_pair is None and group == "respondent_type" and not one_group:
            compare_pair = ("customer", "staff")
    else:
        from cxstats.io.readers import read_table
        from cxstats.io.tables import load_numeric, numeric_column

        if not group:
            if compare_pair is not None:
                raise InputError("--compare needs --group COL (the column holding the groups)")
            if not targets:
                raise InputError("without --group there is no second group: give --group COL to compare "
                                 "two groups, or --aspiration NAME=VALUE (e.g. web=4.5) to compare "
                                 "the respondents with the aspirations (or --spec with aspirations)")
            one_group = True
        if not item_list and not any(levels.values()):
            raise InputError("give --items I1,I2,... and/or --scale NAME=I1,I2,... (or --spec)")
        needed = list(item_list)
        for lv in levels.values():
            for its in lv.values():
                needed.extend(i for i in its if i not in needed)
        table = read_table(data)
        table.require_columns([c for c in (group, by, weight) if c])
        frame = load_numeric(data, needed, table=table)
        if group:
            frame[group] = _text_column(table, group)
        if by:
            frame[by] = _text_column(table, by)
        if weight:
            w = numeric_column(table, weight)
            for i, x in enumerate(w):
                if not (x >= 0):
                    raise InputError("a survey weight must be a non-negative number", file=table.path,
                                     column=weight, row=table.file_row(i), value=str(table.frame[weight].iloc[i]))
            frame[weight] = w
        empty = [c for c in needed if frame[c].notna().sum() == 0]
        if empty:
            raise InputError("the column has no numeric answers", file=table.path, column=empty[0])

    if not item_list:
        item_list = []
        for lv in levels.values():
            for its in lv.values():
                item_list.extend(i for i in its if i not in item_list)
    all_levels = {"item": {i: [i] for i in item_list}, **{k: v for k, v in levels.items() if v}}
    frame = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    try:
        if one_group:
            result = aspiration_gaps(frame, levels=all_levels, scale_max=scale_max,
                                     aspirations=expand_aspirations(all_levels, targets), weight=weight,
                                     by=by, min_n=min_n, label=label, group_column=group_column)
            if note:
                result.warnings.insert(0, note)
            if invariance:
                result.warnings.append("--invariance ignored: it concerns comparisons between groups, "
                                       "and this analysis has one group")
        else:
            result = gap_analysis(frame, group, levels=all_levels, compare=compare_pair, scale_max=scale_max,
                                  aspirations=expand_aspirations(all_levels, targets), weight=weight, by=by,
                                  min_n=min_n, invariance=invariance)
    except InputError as exc:
        raise _with_file(exc, data) from None
    _emit(result, json_path, xlsx_path, quiet)


def _emit(result, json_path, xlsx_path, quiet):
    from cxstats.cli.common import emit
    from cxstats.report.gap_workbook import write_gap_sheets

    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=write_gap_sheets)
