"""``cxstats immediacy``: time from contact to answer, share within the 48-hour window."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, output_options, quiet_option,
                                spec_option)


@click.command("immediacy")
@data_files_argument
@spec_option
@click.option("--max-lag-hours", "max_lag_hours", type=float, metavar="H",
              help="The immediacy window in hours (default: the spec's fielding.max_lag_hours, 48).")
@click.option("--by", "by", metavar="COL", help="Also per value of this segment column.")
@list_option("--outcomes", "outcomes", metavar="COL,...",
             help="Outcomes regressed on lag band and channel (default with --spec: NPS, CSAT and "
                  "every construct score).")
@click.option("--contact-time", "contact_time", metavar="COL",
              help="Without --spec: the column holding the contact (touchpoint event) time.")
@click.option("--response-time", "response_time", metavar="COL",
              help="Without --spec: the column holding the response time.")
@click.option("--channel", "channel", metavar="COL", help="Without --spec: the survey-channel column.")
@click.option("--touchpoint", "touchpoint", metavar="COL",
              help="Without --spec: the column naming the touchpoint each answer refers to.")
@click.option("--wave", "wave", metavar="COL", help="Without --spec: the wave column.")
@click.option("--date-order", "date_order", type=click.Choice(["dmy", "mdy", "ymd"]),
              help="Without --spec: order of numeric dates (dmy: 05/03/2026 is 5 March). Never guessed.")
@click.option("--timezone", "timezone", default="UTC", show_default=True, metavar="ZONE",
              help="Without --spec: time zone of times written without one (e.g. Europe/Madrid).")
@click.option("--id-column", "id_column", metavar="COL", help="Without --spec: respondent id column.")
@engine_options
@output_options
@quiet_option
def command(data, spec_path, max_lag_hours, by, outcomes, contact_time, response_time, channel, touchpoint,
            wave, date_order, timezone, id_column, engine, spark_master, json_path, xlsx_path, quiet):
    """Immediacy: how many hours after the contact customers answered.

    Per survey channel (CAWI, IVR, CATI, APP), touchpoint, wave and segment:
    n, median and P90 lag, and the share answered within the window (default
    48 h) with a Wilson 95% interval (= R prop.test(x, n, correct = FALSE));
    the late answers listed. Does the lag matter? Each outcome (NPS, CSAT,
    construct scores) is regressed on lag band (48 h window: <24h, 24-48h,
    48-96h, >96h) and channel with HC3 standard errors; lag bands and channels
    (mode effects) are tested jointly, Holm-adjusted across outcomes. With
    --spec the fielding block names the columns (fielding.touchpoint: the
    touchpoint of each answer).

    \b
    Examples:
      cxstats immediacy waves.csv --spec questionnaire_tracking.yaml --xlsx immediacy.xlsx
      cxstats immediacy export.csv --contact-time entrega --response-time RecordedDate \\
          --date-order dmy --timezone Europe/Madrid --json -
      cxstats immediacy 'lake/*.parquet' --spec questionnaire_tracking.yaml --engine duckdb

    With --spec, --engine duckdb|spark gives the same numbers without the rows
    in memory: the times read in SQL, exact median and P90 per group, the
    regressions from n, mean and M2 per (lag band, channel) cell; the late
    answers listed are the 10,000 latest (by lag, then respondent id; a
    warning says when more were late: --engine pandas lists them all).
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, quiet=quiet)
    result = run_analysis("immediacy", ctx, max_lag_hours=max_lag_hours, by=by, outcomes=outcomes,
                          contact_time=contact_time, response_time=response_time, channel=channel,
                          touchpoint=touchpoint, wave=wave, date_order=date_order, timezone=timezone, id_column=id_column,
                          engine=engine, spark_master=spark_master)
    emit(result, name="immediacy", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
