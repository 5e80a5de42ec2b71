"""``cxstats drivers``: key-driver analysis with exact relative importance."""

from __future__ import annotations

import click

from cxstats.cli.common import (
    data_files_argument, files_label, missing_code_option, one_data_file, output_options,
    quiet_option, seed_option, spec_option, split_list,
)
from cxstats.errors import InputError


def _pair(text, option):
    """``A,B`` -> (A, B) as numbers (decimal point)."""
    if text is None:
        return None
    parts = split_list(text, option)
    try:
        vals = tuple(float(v) for v in parts)
    except ValueError:
        raise InputError(f"option {option}: expected two numbers A,B (decimal point) but got {text!r}") from None
    if len(vals) != 2:
        raise InputError(f"option {option}: expected two numbers A,B but got {text!r}")
    return vals


@click.command("drivers")
@data_files_argument
@click.option("--outcome", metavar="COL", help="Outcome column (e.g. nps, csat). With --spec: an outcome or a construct id (drivers of satisfaction).")
@click.option("--drivers", "driver_list", metavar="X1,X2,...",
              help="Driver columns. With --spec: construct ids or item ids (default: every construct, "
                   "scored as the mean of its items).")
@click.option("--outcome-type", type=click.Choice(["continuous", "binary"]),
              help="continuous (OLS, the default) or binary 0/1 (logistic).")
@click.option("--binary-threshold", type=float, metavar="T",
              help="Binary outcome = answer >= T (e.g. 9 for NPS promoters vs the rest).")
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Bootstrap replicates for percentile and BCa intervals of every measure and rank "
                   "(1000 recommended; 0 = none).")
@seed_option
@click.option("--ci-level", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="Confidence level of the bootstrap intervals.")
@click.option("--performance", type=click.Choice(["mean", "top2", "gap"]), default="mean",
              show_default=True,
              help="Performance axis of the importance-performance analysis: mean score, top-2-box "
                   "share, or gap to the aspiration.")
@click.option("--aspiration", type=float, metavar="A",
              help="Aspiration (target score) for --performance gap (with --spec: each construct's).")
@click.option("--scale-range", metavar="MIN,MAX",
              help="Answer scale, e.g. 1,5: top-2-box and penalty-reward boxes (default: the observed "
                   "range of each driver; with --spec, each construct's scale).")
@click.option("--ipa-cutoffs", metavar="IMP,PERF",
              help="Quadrant cut-offs (default: mean importance and mean performance of the drivers).")
@click.option("--low-boxes", type=click.IntRange(min=1), default=2, show_default=True,
              help="Penalty-reward: bottom boxes coded 'low'.")
@click.option("--high-boxes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Penalty-reward: top boxes coded 'high'.")
@click.option("--ipa-png", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write the importance-performance chart as a PNG.")
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, outcome, driver_list, outcome_type, binary_threshold, bootstrap, seed, ci_level,
            performance, aspiration, scale_range, ipa_cutoffs, low_boxes, high_boxes, ipa_png, spec_path,
            json_path, xlsx_path, quiet):
    """Key drivers: which drivers move the outcome, by exact relative importance.

    For a continuous outcome: OLS with classical and HC3 standard errors,
    standardized betas, VIF and condition number (collinearity warnings),
    and importance measures that stay readable when drivers correlate: exact
    LMG (the Shapley value of R², as R's relaimpo) with its share of R²,
    dominance analysis (conditional, complete, general), Johnson's relative
    weights and Pratt. Up to 25 drivers, exactly (20 drivers take well under
    a second). For a binary outcome (e.g. promoter vs not): logistic
    regression and relative weights on the logit scale (Tonidandel &
    LeBreton 2010).

    It adds an importance-performance analysis (quadrants; --ipa-png for a
    chart) and, for rating scales, a penalty-reward analysis (what a low
    rating costs, what a top rating adds). --bootstrap N gives percentile and
    BCa intervals for every measure and for the ranks.

    \b
    Examples:
      cxstats drivers survey.csv --outcome csat --drivers web,delivery,price,staff
      cxstats drivers survey.csv --outcome csat --drivers web,delivery,price \\
          --bootstrap 1000 --seed 7 --json drivers.json --xlsx drivers.xlsx
      cxstats drivers survey.csv --outcome nps --drivers web,delivery,price \\
          --binary-threshold 9 --ipa-png ipa.png
      cxstats drivers survey.csv --outcome csat --drivers q1,q2,q3 --scale-range 1,5 \\
          --performance top2
      cxstats drivers answers.csv --spec study.yaml --outcome csat --performance gap

    Rows with a missing outcome or driver are left out (listwise). A constant
    driver, exactly collinear drivers or fewer rows than drivers + 2 are
    refused with a message (exit code 2).
    """
    files = data
    data = files_label(files) if spec_path else one_data_file(files)
    from cxstats.cli.common import emit, progress

    scale = _pair(scale_range, "--scale-range")
    cutoffs = _pair(ipa_cutoffs, "--ipa-cutoffs")
    if spec_path:
        frame, outcome, drivers, spec_scale, spec_asp = _from_spec(files, spec_path, outcome, driver_list)
        scale = scale or spec_scale
        if aspiration is None and spec_asp:
            aspiration = spec_asp
    else:
        from cxstats.io.tables import load_numeric

        if not outcome:
            raise InputError("give --outcome COL (the column to explain)")
        drivers = split_list(driver_list, "--drivers")
        if not drivers:
            raise InputError("give --drivers X1,X2,... (the columns that may drive the outcome)")
        frame = load_numeric(data, [outcome] + [d for d in drivers if d != outcome])
    from cxstats.stats.drivers import key_drivers

    bar = progress(total=bootstrap, desc="bootstrap", quiet=quiet) if bootstrap else None
    try:
        result = key_drivers(frame, outcome, drivers, outcome_type=outcome_type,
                             binary_threshold=binary_threshold, bootstrap=bootstrap, seed=seed,
                             ci_level=ci_level, progress=bar.update if bar is not None else None,
                             performance=performance, aspiration=aspiration, scale=scale,
                             ipa_cutoffs=cutoffs, low_boxes=low_boxes, high_boxes=high_boxes, source=data)
    finally:
        if bar is not None:
            bar.close()
    from cxstats.report.drivers_sheets import write_drivers_sheets, write_ipa_png

    if ipa_png:
        write_ipa_png(result, ipa_png)
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=write_drivers_sheets)


def _from_spec(files, spec_path, outcome, driver_list):
    """Customers' construct scores (item means) and the outcome from a spec-driven survey."""
    from cxstats.cli.common import files_label
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec

    data = files_label(files)
    spec = load_spec(spec_path)
    survey = load_survey(spec, [(d, None) for d in files])
    if not (survey.data["respondent_type"] == "customer").any():
        raise InputError("the file has no customer answers (key drivers use customers only)", file=data)
    outcomes = [o.id for o in spec.outcomes]
    constructs = [c.id for c in spec.constructs()]
    choices = f"outcomes: {', '.join(outcomes) or 'none'}; constructs: {', '.join(constructs)}"
    if not outcome:
        raise InputError(f"give --outcome: an outcome or a construct of the spec ({choices})")
    if outcome not in survey.data.columns and outcome not in constructs:
        raise InputError(f"no such outcome or construct in the spec ({choices})", file=spec_path, column=outcome)
    names = (split_list(driver_list, "--drivers") if driver_list
             else [c for c in constructs if c != outcome])
    if outcome in names:
        raise InputError("the outcome cannot also be one of its drivers", column=outcome)
    from cxstats.plan.steps.drivers import survey_frame

    try:
        frame, scale, asp = survey_frame(survey, outcome, names)
    except KeyError as exc:
        raise InputError(f"--drivers: {exc.args[0]!r} is neither a construct nor an item of the spec "
                         f"(constructs: {', '.join(c.id for c in spec.constructs())})",
                         file=spec_path, column=exc.args[0]) from None
    return frame, outcome, names, scale, asp
