"""``cxstats nps``: Net Promoter Score with intervals, by group and segment; CSAT and CES."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, engine_options, list_option, missing_code_option,
                                output_options, quiet_option, spec_option)
from cxstats.errors import InputError


def _parse_csat(values) -> dict | None:
    out = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option --csat: expected COLUMN=MAX (e.g. sat=5) but got {v!r}")
        name, mx = (t.strip() for t in v.split("=", 1))
        try:
            out[name] = float(mx)
        except ValueError:
            raise InputError(f"option --csat: {mx!r} is not a number (in {v!r})") from None
    return out or None


@click.command("nps")
@data_files_argument
@click.option("--column", "column", metavar="COL",
              help="The 0-10 likelihood-to-recommend column (with --spec: default the spec's NPS outcome). "
                   "Omit it with --csat/--ces for a CSAT/CES-only study.")
@click.option("--group", "group", metavar="COL",
              help="NPS per value of this column; with two values (or --compare A,B) a test of the "
                   "difference.")
@list_option("--compare", "compare", metavar="A,B",
             help="The two groups to test when --group has more than two.")
@click.option("--by", "by", metavar="COL", help="NPS per value of this segment column.")
@click.option("--min-n", "min_n", type=int, default=30, show_default=True,
              help="Segment cells with fewer answers are suppressed (at least 1).")
@click.option("--csat", "csat", multiple=True, metavar="COL=MAX",
              help="A satisfaction column and its scale maximum, e.g. sat=5: top-box and top-2-box % "
                   "with Wilson CIs (repeatable).")
@click.option("--ces", "ces", multiple=True, metavar="COL", help="A customer-effort column: mean with t CI "
                                                               "(repeatable).")
@click.option("--respondents", "respondents", type=click.Choice(["customer", "staff", "all"]),
              help="With --spec: whose answers (default: customers; all with --group respondent_type).")
@click.option("--weight", "weight", metavar="COL",
              help="Survey weights: weighted shares and NPS; intervals and the group test on Kish's effective "
                   "n (sum w)^2/sum(w^2) (design-effect adjusted). A missing, non-numeric or negative weight is "
                   "refused.")
@spec_option
@engine_options
@missing_code_option
@output_options
@quiet_option
def command(data, column, group, compare, by, min_n, csat, ces, respondents, weight, spec_path, engine,
            spark_master, json_path, xlsx_path, quiet):
    """Net Promoter Score: % promoters (9-10), passives (7-8), detractors (0-6).

    NPS = % promoters - % detractors (-100..100) with an adjusted-Wald 95% CI
    (Rocks 2016; Sauro & Lewis). With --group, NPS per group and, for two
    groups, a z test of the difference (adjusted-Wald, multinomial variance).
    Answers must be whole numbers 0-10 (blank = no answer); anything else is
    refused naming the file, column, row and value. NPS needs a 0-10 item: a
    spec scale other than 0-10 is refused, and without a spec so is a column
    whose answers all lie in 1..7 (a 1-5 or 1-7 rating). Shares (promoters_share,
    top_box_share, ...) are fractions 0-1; NPS is on -100..100.

    \b
    Examples:
      cxstats nps survey.csv --column recommend
      cxstats nps survey.csv --column recommend --group wave --json nps.json
      cxstats nps survey.csv --column recommend --group store --compare north,south --by region
      cxstats nps survey.csv --column recommend --csat sat=5 --ces effort --xlsx nps.xlsx
      cxstats nps answers.csv --spec study.yaml          (customers' NPS, CSAT and CES outcomes)
      cxstats nps survey.csv --csat sat=5 --ces effort   (no recommend question: CSAT/CES alone)
      cxstats nps 'lake/*.parquet' --spec study.yaml --by region --engine duckdb   (counts in SQL)
      cxstats nps survey.csv --column recommend --weight w   (survey weights; CI on Kish's n_eff)
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, quiet=quiet)
    result = run_analysis("nps", ctx, column=column, group=group, compare=compare, by=by, min_n=min_n,
                          csat=_parse_csat(csat), ces=list(ces) or None, respondents=respondents,
                          weight=weight, engine=engine, spark_master=spark_master)
    emit(result, name="nps", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
