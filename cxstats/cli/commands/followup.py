"""``cxstats followup``: close-the-loop case lists (and promoters to thank) for a CRM."""

from __future__ import annotations

import click

from cxstats.cli.common import data_files_argument, lang_option, quiet_option, spec_option


def _out_path(ctx, param, value):
    if value is not None and not str(value).lower().endswith((".csv", ".xlsx")):
        raise click.BadParameter(f"{value!r}: a case list is written as .csv or .xlsx")
    return value


@click.command("followup")
@data_files_argument
@spec_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False), callback=_out_path, metavar="LIST.csv|xlsx",
              help="The case list for the CRM: CSV (UTF-8 with BOM) or XLSX, fixed columns.")
@click.option("--sep", "sep", type=click.Choice([",", ";"]), default=",", show_default=True,
              help="CSV separator (';' for spreadsheets set to a decimal comma).")
@click.option("--promoters", "promoters", is_flag=True,
              help="List the promoters to thank (followup.promoters, default nps >= 9) with what they praised.")
@click.option("--previous", "previous", type=click.Path(dir_okay=False), metavar="LIST",
              help="An earlier list (customer_id and contacted_at or due_by): customers in it within "
                   "followup.suppression_days are not listed again.")
@click.option("--crm", "crm_path", type=click.Path(dir_okay=False), metavar="CRM.csv",
              help="The CRM extract (one row per customer), joined by the spec's crm: block: the owners' key "
                   "(e.g. region) and exported segments are the customer's CRM values.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="The list's date for the suppression window (default: the latest response time).")
@click.option("--hash-ids", "hash_ids", is_flag=True,
              help="Replace customer and respondent ids by HMAC-SHA256 under a secret key from "
                   "$CXSTATS_HASH_KEY or --hash-key-file (refused without a key).")
@click.option("--hash-key-file", "hash_key_file", type=click.Path(dir_okay=False),
              help="File holding the secret key for --hash-ids.")
@click.option("--json", "json_path", metavar="PATH", help="Write the cases and summary as JSON ('-' = stdout).")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False),
              help="A formatted workbook (cases, summary by owner and priority, rules).")
@lang_option
@quiet_option
def command(data, spec_path, out_path, sep, promoters, previous, crm_path, as_of, hash_ids, hash_key_file,
            json_path, xlsx_path, quiet):
    """Close the loop: who needs a follow-up call, who owns it, by when, and why.

    Rules, priorities, SLA hours and owners come from the spec's 'followup:'
    block: conditions on NPS/CSAT/CES, any construct or item score, and
    regular expressions on the open comment, e.g. "nps <= 6",
    "any item of puntualidad_entrega <= 2", 'comment matches "baja|cancel"'.
    One case per customer: the highest-priority rule wins, rules_hit lists
    all; due_by = response time + SLA hours; the owner comes from the
    owners map (region, channel, segment or touchpoint), unmatched cases go
    to the default owner; the manager is named for the priorities in
    notify_manager (default: high). With --crm, the owners' key comes from
    each customer's record in the CRM extract (the spec's crm: block).

    Columns: respondent_id, customer_id, rule, priority, owner, manager,
    due_by, reason, touchpoint, channel, rules_hit, then followup.export.
    Nothing else leaves. In the CSV, text starting with = + - @ is prefixed
    with ' so that no spreadsheet runs it as a formula; in the XLSX every
    text is stored as text. The reason and touchpoint are written in the
    language of --lang in the --out file and the --xlsx workbook; the JSON
    keeps them in the spec's first language (the same JSON whatever --lang).

    \b
    Examples:
      cxstats followup customers.csv --spec questionnaire.yaml --out casos.xlsx
      cxstats followup customers.csv --spec questionnaire.yaml --out casos.csv --sep ";" \\
          --previous casos_semana_pasada.csv
      cxstats followup customers.csv --spec questionnaire.yaml --promoters --out gracias.csv
      cxstats followup customers.csv --spec questionnaire.yaml --crm crm.csv --out casos.csv
      CXSTATS_HASH_KEY=... cxstats followup customers.csv --spec questionnaire.yaml --hash-ids --out share.csv
    """
    from cxstats.cli.common import command_display, emit, run_analysis, step_context
    from cxstats.report.atomic import protect_inputs

    if not (out_path or json_path or xlsx_path) and quiet:
        raise click.UsageError("nothing to do: give --out, --json or --xlsx (or drop --quiet to see the cases)")
    protect_inputs(previous, hash_key_file)
    ctx = step_context(data, spec_path, quiet=quiet, crm=crm_path)
    result = run_analysis("followup", ctx, promoters=promoters, previous=previous, as_of=as_of, hash_ids=hash_ids,
                          hash_key_file=hash_key_file)
    if out_path:
        from cxstats.report.crm import write_case_list

        write_case_list(result, out_path, sep=sep, lang=command_display().lang)
    emit(result, name="followup", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
