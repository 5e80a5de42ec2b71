"""``cxstats journeys prioritize``: rank a study's journeys on weighted criteria."""

from __future__ import annotations

import click

from cxstats.cli.common import output_options, quiet_option
from cxstats.errors import InputError


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
    from cxstats.cli.common import _cover_meta, emit, option_flag
    from cxstats.spec.load import load_spec
    from cxstats.spec.model import pick
    from cxstats.stats.prioritize import prioritize

    from cxstats.report.atomic import protect_inputs

    protect_inputs(spec)
    study = load_spec(spec)
    _cover_meta()["spec"] = study  # the workbook speaks the spec's language (--lang overrides)
    journeys = [(j.id, pick(j.name, language), dict(j.priority)) for j in study.journeys]
    try:
        result = prioritize(journeys, parse_weights(weights), normalisation, file=study.source)
    except InputError as exc:
        if exc.option:
            raise exc.located(option_flag(exc.option)) from None
        raise
    emit(result, name="prioritize", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)


def parse_weights(text: str | None) -> dict[str, float] | None:
    """``strategic_impact=0.4,customers=0.2`` -> dict; None when not given."""
    if text is None:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if "=" not in part:
            raise InputError(f"option --weights: expected CRITERION=WEIGHT,... but got {part!r}")
        name, value = (s.strip() for s in part.split("=", 1))
        if not name:
            raise InputError(f"option --weights: missing criterion name in {part!r}")
        if name in out:
            raise InputError(f"option --weights: criterion {name!r} given twice")
        try:
            w = float(value.replace(",", "."))
        except ValueError:
            raise InputError(f"option --weights: weight of {name!r} is not a number: {value!r}") from None
        if not w == w or w in (float("inf"), float("-inf")):
            raise InputError(f"option --weights: weight of {name!r} must be a finite number")
        out[name] = w
    return out
