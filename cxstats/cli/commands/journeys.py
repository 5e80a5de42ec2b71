"""``cxstats journeys prioritize``: rank a study's journeys on weighted criteria."""

from __future__ import annotations

import click

from cxstats.cli.common import output_options, quiet_option


@click.group("journeys")
def command():
    """Work on the journeys of a study spec (which journey to transform first)."""


@command.command("prioritize")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--weights", default=None, metavar="C=W,...",
              help="Criterion weights, e.g. strategic_impact=0.4,customers=0.2,margin=0.2,ease=0.2 "
                   "(rescaled to sum to 1; criteria left out weigh 0). Default: equal weights.")
@click.option("--normalise", "normalisation", type=click.Choice(["max", "minmax", "raw"]), default="max",
              show_default=True,
              help="How criteria on different scales are made comparable. max: x / best journey's "
                   "score (units cancel, proportions kept); minmax: 0 = worst journey .. 1 = best; "
                   "raw: the scores as given (only if all share one scale).")
@click.option("--language", default=None, metavar="CODE", help="Language of the journey names.")
@output_options
@quiet_option
def prioritize(spec, weights, normalisation, language, json_path, xlsx_path, quiet):
    """Rank journeys by a weighted score of their 'priority:' criteria.

    Each journey in the spec scores the agreed criteria, higher = better, e.g.

    \b
      priority: {strategic_impact: 5, customers: 4, margin: 4, ease: 3}

    score = sum of weight x normalised criterion; ties share a rank.

    Example: cxstats journeys prioritize questionnaires/banco_alta_cliente.yaml
    --weights strategic_impact=0.4,customers=0.2,margin=0.2,ease=0.2 --json -
    """
    from cxstats.cli.common import emit
    from cxstats.spec.load import load_spec
    from cxstats.stats.prioritize import parse_weights, prioritize_spec

    from cxstats.report.atomic import protect_inputs

    protect_inputs(spec)
    result = prioritize_spec(load_spec(spec), parse_weights(weights), normalisation, language)
    emit(result, json_path=json_path, xlsx_path=xlsx_path, quiet=quiet, write_sheets=_sheets)


def _sheets(wb, result):
    tables = result.tables()
    ref = wb.add_table("Journey priority", tables["ranking"], title="Journeys ranked by weighted score",
                       note=f"normalisation: {result.normalisation}; higher = transform first",
                       sequential=["score"])
    if len(tables["ranking"]) > 1:
        wb.add_bar_chart(ref, "journey", ["score"], title="Weighted priority score", horizontal=True)
    wb.add_table("Weights", tables["weights"], title="Criterion weights (sum to 1)")
