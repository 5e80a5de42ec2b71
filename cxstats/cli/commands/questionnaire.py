"""``cxstats questionnaire build|check``: version-0 forms and codebook from a study spec."""

from __future__ import annotations

import click

from cxstats.cli.common import quiet_option


@click.group("questionnaire")
def command():
    """Build and check the version-0 questionnaire of a study spec.

    \b
      cxstats questionnaire check questionnaires/banco_alta_cliente.yaml
      cxstats questionnaire build questionnaires/banco_alta_cliente.yaml --out forms/

    See docs/questionnaire.md for the whole workflow (spec -> forms -> fielding -> ingest).
    """


@command.command("build")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the forms and codebooks (created if needed).")
@click.option("--language", default=None, metavar="CODE",
              help="Language of the Qualtrics files and of the codebook's names (default: the "
                   "spec's first language). XLSForms always carry every spec language.")
@click.option("--json", "json_path", type=str, metavar="PATH",
              help="Write what was built as JSON to PATH ('-' for standard output).")
@quiet_option
def build(spec, out_dir, language, json_path, quiet):
    """Write the customer form, the mirrored staff form and the codebooks.

    \b
    Files in OUT:
      xlsform_customer.xlsx, xlsform_staff.xlsx   XLSForm for KoBoToolbox / ODK
      qualtrics_customer.txt, qualtrics_staff.txt Qualtrics Advanced Format TXT (--language)
      codebook.xlsx                               one row per variable, for the field team
      codebook.yaml                               the spec as fielded: give it to --spec when ingesting

    Every staff item has the customer item's id and scale, so gaps line up.
    Items without a staff wording get a generated one (listed on the terminal).
    A spec with errors (see 'questionnaire check') is refused, exit code 2.

    Example: cxstats questionnaire build questionnaires/electrohogar_compra_online.yaml --out forms/
    """
    from cxstats.questionnaire.build import build_questionnaire
    from cxstats.report.jsonout import write_json
    from cxstats.spec.load import load_spec

    from cxstats.report.atomic import protect_inputs

    protect_inputs(spec)
    result = build_questionnaire(load_spec(spec), out_dir, language)
    if json_path:
        write_json(result, json_path)
    if not quiet and json_path != "-":
        for key, path in result.files.items():
            click.echo(f"wrote {path}")
        v = result.variables
        click.echo(f"{v['items']} items, {v['outcomes']} outcomes, {v['segments']} segment questions; "
                   f"about {result.check['estimated_minutes']:g} min per form")
    if result.generated_staff_wording:
        click.echo("note: generated staff wording for " + ", ".join(result.generated_staff_wording)
                   + " (write your own in the spec's 'staff:' texts)", err=True)
    if result.check["n_warnings"]:
        click.echo(f"note: {result.check['n_warnings']} warning(s) from 'cxstats questionnaire check' "
                   "(also on the codebook's Check sheet)", err=True)


@command.command("check")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--json", "json_path", type=str, metavar="PATH",
              help="Write the findings as JSON to PATH ('-' for standard output).")
@quiet_option
def check(spec, json_path, quiet):
    """Lint a study spec the way a methodologist would, before building forms.

    \b
    Errors (exit code 2): the same wording twice in a touchpoint, a value that is
    both a customer and a staff respondent type, a segment code with spaces; and
    anything the spec loader refuses (duplicated ids, unknown scales, ...), named
    by its YAML path.
    Warnings (exit code 0): constructs with fewer than 3 items, items without a
    staff wording, more than 1/3 reverse-keyed items or a construct all reversed,
    items pooled across different scales in a touchpoint or component, an estimated
    duration above 10 minutes (7 s per item, 10 s per outcome, 5 s per segment
    question, 30 s for the open question), constructs without an aspiration,
    missing translations of the declared languages.

    Example: cxstats questionnaire check questionnaires/banco_alta_cliente.yaml --json -
    """
    from cxstats.errors import InputError
    from cxstats.questionnaire.check import check_spec
    from cxstats.report.jsonout import write_json
    from cxstats.spec.load import load_spec

    from cxstats.report.atomic import commit_now, protect_inputs

    protect_inputs(spec)
    result = check_spec(load_spec(spec))
    if json_path:
        write_json(result, json_path)
        commit_now()  # the report is the point of the command, also when the spec has errors
    if json_path != "-":
        for f in result.findings:
            if f.level != "info" or not quiet:
                click.echo(f.line())
        n_warn = sum(f.level == "warning" for f in result.findings)
        if not quiet:
            click.echo(f"{len(result.errors)} error(s), {n_warn} warning(s)")
    if result.errors:
        raise InputError(f"{len(result.errors)} error(s) in the spec", file=spec,
                         details=[f.line() for f in result.errors])
