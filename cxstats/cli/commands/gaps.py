"""``cxstats gaps``: two groups compared per item, construct, touchpoint and component, or
one group (customers without a staff wave) against the aspirations."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, missing_code_option,
                                output_options, parse_scales, quiet_option, spec_option)
from cxstats.errors import InputError


def _parse_targets(values, option: str) -> dict | None:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option {option}: expected NAME=NUMBER but got {v!r}")
        name, num = (t.strip() for t in v.split("=", 1))
        try:
            out[name] = float(num.replace(",", "."))
        except ValueError:
            raise InputError(f"option {option}: {num!r} is not a number (in {v!r})") from None
    return out or None


def _parse_pairs(values) -> dict | None:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option --importance: expected ITEM=COLUMN but got {v!r}")
        item, col = (t.strip() for t in v.split("=", 1))
        out[item] = col
    return out or None


def _parse_verdicts(values) -> dict | None:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option --invariance: expected CONSTRUCT=LEVEL but got {v!r}")
        name, level = (t.strip() for t in v.split("=", 1))
        out[name] = level
    return out or None


@click.command("gaps")
@data_files_argument
@click.option("--group", "group", metavar="COL",
              help="Column with the two groups (e.g. respondent type). With --spec the default is "
                   "respondent_type (customer vs staff).")
@list_option("--compare", "compare", metavar="A,B", help="The two values of --group to compare when it "
                                                         "has more than two; differences are A - B. "
                                                         "Codes or value labels (a spec segment's "
                                                         "labels; .sav/.dta value labels).")
@list_option("--items", "items", metavar="I1,I2,...", help="Items to compare one by one.")
@click.option("--scale", "scales", multiple=True, metavar="NAME=I1,I2,...",
              help="A construct scored as the mean of its items (repeatable).")
@click.option("--touchpoint", "touchpoints", multiple=True, metavar="NAME=I1,I2,...",
              help="A touchpoint scored as the mean of its items (repeatable).")
@click.option("--component", "components", multiple=True, metavar="NAME=I1,I2,...",
              help="A component (brand/product/interaction) scored as the mean of its items (repeatable).")
@click.option("--aspiration", "aspirations", multiple=True, metavar="NAME=VALUE",
              help="Target mean for a construct (or item, touchpoint, component), e.g. web=4.5 (repeatable).")
@click.option("--scale-max", "scale_max", type=float,
              help="Scale maximum for top-2-box (default: the highest answer observed; with --spec, "
                   "each item's scale).")
@click.option("--weight", "weight", metavar="COL",
              help="Survey-weight column: weighted means, SDs and differences (default with --spec: "
                   "the spec's weight).")
@click.option("--by", "by", metavar="COL",
              help="Repeat the comparison within each value of this segment column.")
@click.option("--min-n", "min_n", type=int, default=30, show_default=True,
              help="Segment cells with fewer answers per group are suppressed (at least 1).")
@list_option("--levels", "levels", metavar="L1,L2,...",
             help="Only these levels: item, construct, touchpoint, component (default: all).")
@click.option("--alpha", "alpha", type=float, default=0.05, show_default=True,
              help="Significance level of the Holm-adjusted p-values ('significant').")
@click.option("--invariance", "invariance", multiple=True, metavar="CONSTRUCT=LEVEL",
              help="Invariance verdict per construct (configural/metric/scalar/strict/none); below "
                   "scalar marks the construct's mean comparison as not interpretable.")
@click.option("--paired/--unpaired", "paired", default=None,
              help="The two groups are the same respondents (e.g. satisfaction and importance rows "
                   "stacked): pair the rows by respondent id (--id; with --spec its id column) and use "
                   "the paired t test, Wilcoxon signed-rank and d_z. Default: paired automatically, "
                   "with a warning, when at least half of each group's ids are in the other group.")
@click.option("--id", "id", metavar="COL",
              help="Respondent-id column pairing the rows of the two groups (without --spec).")
@click.option("--importance", "importance", multiple=True, metavar="ITEM=COL",
              help="Stated importance (SERVQUAL-style): the column holding the importance of a "
                   "performance item, answered by the same respondents (repeatable). Gap = importance "
                   "- performance per item with paired tests.")
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, group, compare, items, scales, touchpoints, components, aspirations, scale_max,
            weight, by, min_n, levels, alpha, invariance, paired, id, importance, spec_path, engine,
            spark_master, json_path, xlsx_path, quiet):
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
      cxstats gaps stacked.csv --group measure --compare importance,satisfaction \
          --items q1,q2,q3 --id resp --paired          (same respondents: paired tests)
      cxstats gaps survey.csv --importance q1=imp_q1 --importance q2=imp_q2
                                                   (stated importance - performance, paired)
      cxstats gaps 'lake/*.parquet' --spec study.yaml --by region --engine duckdb
                                                   (counts per answer in SQL; same numbers)

    Paired mode (--paired, or detected from the ids): per row n_pairs, both
    means, diff = mean of the paired differences, paired t (R t.test(a, b,
    paired = TRUE)), Wilcoxon signed-rank (R wilcox.test(a, b, paired = TRUE,
    exact = FALSE): zero differences dropped, ties mid-ranked), d_z, Holm/BH;
    ids present in one group only are counted and left out.

    With --spec, items, constructs, touchpoints, components, aspirations, scales
    and weights come from the study spec and customers are compared with staff;
    with customers only (no staff file), customers against the spec's aspirations.

    --engine duckdb|spark (with --spec): two independent groups from counts per
    answer and scale score (ties exact): the same numbers as pandas. Weights,
    --paired/--id, --importance and one group against the aspirations need the
    rows: refused there (use --engine pandas); auto chooses pandas for them.
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    options = dict(group=group, compare=compare, items=items,
                   scales=parse_scales(scales, "--scale") or None,
                   touchpoints=parse_scales(touchpoints, "--touchpoint") or None,
                   components=parse_scales(components, "--component") or None,
                   aspirations=_parse_targets(aspirations, "--aspiration"), scale_max=scale_max,
                   weight=weight, by=by, min_n=min_n, levels=levels, alpha=alpha,
                   invariance=_parse_verdicts(invariance), paired=paired, id=id,
                   importance=_parse_pairs(importance), engine=engine, spark_master=spark_master)
    ctx = step_context(data, spec_path, quiet=quiet)
    result = run_analysis("gaps", ctx, **options)
    emit(result, name="gaps", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
