"""``cxstats nps``: Net Promoter Score with intervals, by group and segment; CSAT and CES."""

from __future__ import annotations

import click

from cxstats.cli.common import (
    data_files_argument, files_label, missing_code_option, one_data_file, output_options,
    quiet_option, spec_option, split_list,
)
from cxstats.errors import InputError


@click.command("nps")
@data_files_argument
@click.option("--column", metavar="COL", help="The 0-10 likelihood-to-recommend column (with --spec: "
                                              "default the spec's NPS outcome).")
@click.option("--group", metavar="COL", help="NPS per value of this column; with two values (or "
                                            "--compare A,B) a test of the difference.")
@click.option("--compare", metavar="A,B", help="The two groups to test when --group has more than two.")
@click.option("--by", metavar="COL", help="NPS per value of this segment column.")
@click.option("--min-n", type=click.IntRange(min=1), default=30, show_default=True,
              help="Segment cells with fewer answers are suppressed.")
@click.option("--csat", "csat", multiple=True, metavar="COL=MAX",
              help="A satisfaction column and its scale maximum, e.g. sat=5: top-box and top-2-box % "
                   "with Wilson CIs (repeatable).")
@click.option("--ces", "ces", multiple=True, metavar="COL", help="A customer-effort column: mean with t CI "
                                                               "(repeatable).")
@spec_option
@missing_code_option
@output_options
@quiet_option
def command(data, column, group, compare, by, min_n, csat, ces, spec_path, json_path, xlsx_path, quiet):
    """Net Promoter Score: % promoters (9-10), passives (7-8), detractors (0-6).

    NPS = % promoters - % detractors (-100..100) with an adjusted-Wald 95% CI
    (Rocks 2016; Sauro & Lewis). With --group, NPS per group and, for two
    groups, a z test of the difference (adjusted-Wald, multinomial variance).
    Answers must be whole numbers 0-10 (blank = no answer); anything else is
    refused naming the file, column, row and value.

    \b
    Examples:
      cxstats nps survey.csv --column recommend
      cxstats nps survey.csv --column recommend --group wave --json nps.json
      cxstats nps survey.csv --column recommend --group store --compare north,south --by region
      cxstats nps survey.csv --column recommend --csat sat=5 --ces effort --xlsx nps.xlsx
      cxstats nps answers.csv --spec study.yaml          (customers' NPS, CSAT and CES outcomes)
    """
    files = data
    data = files_label(files) if spec_path else one_data_file(files)
    import pandas as pd

    from cxstats.cli.common import emit
    from cxstats.stats.nps import invalid_nps_positions, nps_report

    pair = tuple(split_list(compare, "--compare")) if compare else None
    if pair is not None and len(pair) != 2:
        raise InputError(f"option --compare: give exactly two group values A,B, not {compare!r}")
    if pair and not group:
        raise InputError("--compare needs --group")
    csat_map = {}
    for v in csat:
        if "=" not in v:
            raise InputError(f"option --csat: expected COLUMN=MAX (e.g. sat=5) but got {v!r}")
        name, mx = (t.strip() for t in v.split("=", 1))
        try:
            csat_map[name] = float(mx)
        except ValueError:
            raise InputError(f"option --csat: {mx!r} is not a number (in {v!r})") from None
    ces_list = list(ces)

    if spec_path:
        from cxstats.io.survey import load_survey
        from cxstats.spec.load import load_spec

        spec = load_spec(spec_path)
        survey = load_survey(spec, [(d, None) for d in files])
        frame = survey.data
        if not group:
            frame = frame[frame["respondent_type"] == "customer"].reset_index(drop=True)
        if column is None:
            out = spec.outcome_of_type("nps")
            if out is None:
                raise InputError("the spec has no outcome of type nps; give --column", file=spec_path)
            column = out.id
        if not csat and not ces:
            for o in spec.outcomes:
                if o.type == "csat":
                    csat_map[o.id] = o.scale.max
                elif o.type == "ces":
                    ces_list.append(o.id)
        for col in [column, group, by, *csat_map, *ces_list]:
            if col and col not in frame.columns:
                raise InputError("no such column in the survey table", file=data, column=col)
    else:
        from cxstats.io.readers import read_table
        from cxstats.io.tables import load_column_text, load_numeric

        if not column:
            raise InputError("give --column COL (the 0-10 recommend question), or --spec")
        table = read_table(data)
        table.require_columns([column] + [c for c in (group, by) if c] + list(csat_map) + ces_list)
        frame = load_numeric(data, [column] + list(csat_map) + ces_list, table=table)
        bad = invalid_nps_positions(frame[column])
        if bad:
            i = bad[0]
            more = [f"row {table.file_row(j)}: {table.frame[column].iloc[j]!r}" for j in bad[1:5]]
            raise InputError("an NPS answer must be a whole number from 0 to 10"
                             + (f" ({len(bad)} such answers)" if len(bad) > 1 else ""),
                             file=table.path, column=column, row=table.file_row(i),
                             value=str(table.frame[column].iloc[i]), details=more)
        for c in (group, by):
            if c:
                frame[c] = load_column_text(data, c, table=table)
    try:
        result = nps_report(pd.DataFrame(frame), column, group=group, compare=pair, by=by, min_n=min_n,
                            csat=csat_map, ces=ces_list)
    except InputError as exc:
        if exc.file is None:
            raise InputError(exc.reason, file=data, column=exc.column, row=exc.row, value=exc.value,
                             details=exc.details) from None
        raise
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=_sheets)


def _sheets(builder, result):
    from cxstats.report.gap_workbook import write_nps_sheets

    write_nps_sheets(builder, result)
