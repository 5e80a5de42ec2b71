"""``cxstats maturity``: the CX maturity self-assessment (``template``, and the analysis itself)."""

from __future__ import annotations

import click

from cxstats.cli.common import data_files_argument, list_option, output_options, quiet_option, spec_option


class _MaturityGroup(click.Group):
    """``cxstats maturity template ...`` or ``cxstats maturity DATA ... --spec SPEC`` (the analysis)."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["analyze", *args]
        return super().parse_args(ctx, args)


class _AnalyzeCommand(click.Command):
    """The analysis, shown as ``cxstats maturity [OPTIONS] DATA...`` (its routing name stays hidden)."""

    def format_usage(self, ctx, formatter):
        parent = ctx.parent.command_path if ctx.parent is not None else "cxstats maturity"
        formatter.write_usage(parent, "[OPTIONS] DATA...")


@click.group("maturity", cls=_MaturityGroup, context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """CX maturity self-assessment of the organisation (ten dimensions, stages 1-5).

    \b
      cxstats maturity template --lang es > maturity.yaml   the built-in instrument (a study spec)
      cxstats questionnaire build maturity.yaml --out forms/ its XLSForms (field xlsform_customer.xlsx)
      cxstats maturity DATA --spec maturity.yaml            the analysis (see 'cxstats maturity DATA --help')

    \b
    Example:
      cxstats maturity answers.csv --spec maturity.yaml --xlsx maturity.xlsx --json maturity.json
    """


@command.command("template")
@click.option("--lang", "lang", type=click.Choice(["es", "en"]), default="es", show_default=True,
              help="The fielding language: listed first in the spec (both languages are in it).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Write the spec to this file instead of standard output.")
def template(lang, out_path):
    """Print the built-in maturity instrument as a study spec.

    Ten dimensions of the CX framework (customer understanding, strategy,
    brand, product, interactions, people and culture, systems and technology,
    measurement, financial model, governance), 3-4 items each rated 1 (ad
    hoc) to 5 (embedded and optimised), in Spanish and English; respondent
    attributes area and level (executive / manager / frontline); a
    'maturity:' block with the unit of agreement, targets and stage
    boundaries. The items are cxstats' own operationalisation of the
    framework's dimensions, not a licensed or validated instrument: edit
    them as any spec.

    \b
    Examples:
      cxstats maturity template --lang es > maturity.yaml
      cxstats maturity template --lang en --out maturity_en.yaml
    """
    from cxstats.spec.maturity import template_text

    text = template_text(lang)
    if out_path:
        from cxstats.report.atomic import write_text

        write_text(out_path, text)
    else:
        click.echo(text, nl=False)


@command.command("analyze", cls=_AnalyzeCommand, hidden=True)
@data_files_argument
@spec_option
@click.option("--previous", "previous", type=click.Path(dir_okay=False), metavar="JSON",
              help="The JSON of an earlier 'cxstats maturity --json' run: the change per dimension.")
@click.option("--unit", "unit", metavar="SEGMENT", help="The segment grouping raters (default: maturity.unit).")
@list_option("--by", "by", metavar="S1,S2", help="Segments compared (default: maturity.by, e.g. area,level).")
@click.option("--min-n", "min_n", type=int, default=3, show_default=True,
              help="Smallest group entering a comparison by area or level.")
@output_options
@quiet_option
def analyze(data, spec_path, previous, unit, by, min_n, json_path, xlsx_path, quiet):
    """Maturity per dimension: mean and 95% CI, stage, gap to target, agreement.

    \b
    Per dimension of the spec's 'maturity:' block:
      mean, 95% CI         t-interval over respondents' dimension scores
      stage                1 + boundaries (1.5, 2.5, 3.5, 4.5) at or below the mean;
                           stage_range shows where the CI's ends fall ('2-3': not determined)
      gap, rank            target - mean (positive: below target); rank 1 = largest gap
      alpha, omega         of the dimension's items (as psych::alpha / psych::omega)
      rwg                  rwg(j) within each unit, uniform null (James, Demaree & Wolf 1984),
                           averaged over units; as R multilevel::rwg.j
      icc1, icc2           across units (Bliese 2000; R multilevel::ICC1/ICC2)
    Differences by area and level: Welch ANOVA and Kruskal-Wallis, Holm over dimensions.
    With --previous, the change since the earlier assessment (Welch t, Holm).

    \b
    Examples:
      cxstats maturity template --lang es > maturity.yaml
      cxstats maturity answers.csv --spec maturity.yaml --xlsx maturity.xlsx --json maturity.json
      cxstats maturity answers_2027.csv --spec maturity.yaml --previous maturity.json --json -
    """
    from cxstats.cli.common import emit, run_analysis, step_context
    from cxstats.report.atomic import protect_inputs

    protect_inputs(previous)
    ctx = step_context(data, spec_path, quiet=quiet)
    result = run_analysis("maturity", ctx, previous=previous, unit=unit, by=by, min_n=min_n)
    emit(result, name="maturity", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
