"""``cxstats track``: KPIs per wave with CIs, wave-on-wave changes with adjusted significance."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, output_options, quiet_option,
                                spec_option)
from cxstats.errors import InputError


def _parse_top2(values) -> dict | None:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option --top2: expected COLUMN=MAX (e.g. sat=5) but got {v!r}")
        name, mx = (t.strip() for t in v.split("=", 1))
        try:
            out[name] = float(mx)
        except ValueError:
            raise InputError(f"option --top2: {mx!r} is not a number (in {v!r})") from None
    return out or None


@click.command("track")
@data_files_argument
@spec_option
@click.option("--by", "by", metavar="COL", help="Also per value of this segment column.")
@click.option("--min-n", "min_n", type=int, default=30, show_default=True,
              help="Cells with fewer answers are suppressed and their changes not tested.")
@click.option("--baseline", "baseline", metavar="WAVE", help="Compare every wave with this one too "
              "(default: the first wave).")
@click.option("--alpha", "alpha", type=float, default=0.05, show_default=True,
              help="A change is significant when its Holm-adjusted p is below this.")
@list_option("--kpis", "kpis", metavar="K1,K2,...", help="Only these KPIs (outcome, touchpoint or "
             "construct ids of the spec).")
@click.option("--period", "period", type=click.Choice(["week", "month", "quarter"]),
              help="With --spec: periods of the response time instead of waves (a continuous stream).")
@click.option("--within-window", "within_window", is_flag=True, default=False,
              help="With --spec: only answers given within the fielding window (48 h) of the contact; "
                   "the number left out is stated.")
@click.option("--max-lag-hours", "max_lag_hours", type=float, metavar="H",
              help="The window for --within-window (default: the spec's fielding.max_lag_hours).")
@click.option("--wave", "wave", metavar="COL", help="Without --spec: the wave column.")
@click.option("--nps", "nps", metavar="COL", help="Without --spec: the 0-10 recommend column.")
@list_option("--means", "means", metavar="C1,C2,...", help="Without --spec: columns tracked as means.")
@click.option("--top2", "top2", multiple=True, metavar="COL=MAX",
              help="Without --spec: a column tracked as its top-2-box share (repeatable), e.g. csat=5.")
@engine_options
@output_options
@quiet_option
def command(data, spec_path, by, min_n, baseline, alpha, kpis, period, within_window, max_lag_hours, wave,
            nps, means, top2, engine, spark_master, json_path, xlsx_path, quiet):
    """Tracking: every KPI per wave with a 95% CI, and what changed significantly.

    With --spec: NPS (adjusted-Wald CI), CSAT top-2-box (Wilson), CES, every
    touchpoint and construct score (t CI), per wave of the fielding block;
    and the gaps as KPIs: each construct's gap to its aspiration
    (CONSTRUCT.vs_aspiration) and, when staff answered in the waves (give
    their file too), customers - staff (CONSTRUCT.vs_staff, Welch CI; its
    change by Welch-Satterthwaite). Changes between consecutive waves and against the baseline: NPS by the
    adjusted-Wald z test for independent samples, means by Welch's t test,
    shares by the score test with Newcombe's interval. All p-values of the
    dashboard form one family: Holm and Benjamini-Hochberg adjusted p are
    reported; significant = Holm p < alpha. Small cells (< --min-n) are
    suppressed. Linear trend over >= 3 waves (OLS, HC3).

    \b
    Examples:
      cxstats track waves.csv --spec questionnaire_tracking.yaml --xlsx tracking.xlsx
      cxstats track waves.csv --spec questionnaire_tracking.yaml --within-window --by region
      cxstats track waves.csv staff_waves.csv --spec questionnaire_tracking.yaml --json -
      cxstats track export.csv --wave ola --nps recomendar --means score_web --top2 csat=5 --json -
      cxstats track 'lake/*.parquet' --spec questionnaire_tracking.yaml --engine duckdb --by region

    With --spec, --engine duckdb|spark computes the same numbers from counts
    per answer and n, mean, M2 per wave x segment (the fielding block's
    times, channels and waves read in SQL; trends and control limits from
    the per-wave summaries), without the rows in memory.
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, quiet=quiet)
    result = run_analysis("track", ctx, by=by, min_n=min_n, baseline=baseline, alpha=alpha, kpis=kpis,
                          period=period, within_window=within_window, max_lag_hours=max_lag_hours, wave=wave,
                          nps=nps, means=means, top2=_parse_top2(top2), engine=engine, spark_master=spark_master)
    emit(result, name="track", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
