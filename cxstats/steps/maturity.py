"""Analysis ``maturity``: the organisation's CX maturity self-assessment.

Per dimension of the spec's ``maturity:`` block (the built-in instrument: ``cxstats maturity
template``): mean with a 95% CI, alpha/omega of its items, the stage (the CI against the stage
boundaries), the gap to the target stage, rwg(j) within each unit and ICC(1)/ICC(2) across units,
differences by area and level (Welch / Kruskal-Wallis, Holm), the dimensions ranked by gap, and
the change since a previous assessment (``previous``: the JSON an earlier run wrote). Every
respondent's answers count (the respondents are the organisation's staff); needs a spec.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "maturity"
WORKBOOK = "maturity"


@dataclass
class Options(StepOptions):
    previous: str | None = None     # the JSON of an earlier maturity run: change per dimension
    unit: str | None = None         # the segment grouping raters (default: maturity.unit)
    by: list[str] | None = None     # segments compared (default: maturity.by)
    min_n: int = 3                  # smallest group entering a comparison

    def validate(self):
        if self.min_n < 2:
            raise InputError(f"a group needs at least 2 respondents to be compared, not {self.min_n}",
                             option="min_n")


def run(ctx: StepContext, options: Options):
    from cxstats.stats.maturity import analyze_maturity

    if not ctx.has_spec:
        raise InputError("the maturity dimensions, targets and units come from a study spec's 'maturity:' block; "
                         "give --spec (start from: cxstats maturity template > maturity.yaml)")
    spec = ctx.spec
    m = spec.maturity
    if m is None:
        raise NotApplicable("the spec has no 'maturity:' block (see: cxstats maturity template)")
    segments = {g.id: g for g in spec.segments}
    unit = options.unit if options.unit is not None else m.unit
    by = options.by if options.by is not None else m.by
    for name, cols in (("unit", [unit] if unit else []), ("by", by)):
        for c in cols:
            if c not in segments:
                raise InputError(f"{c!r} is not a segment of the spec (segments: {', '.join(segments) or 'none'})",
                                 option=name)
    frame = ctx.survey.data
    if not len(frame):
        raise NotApplicable("no answers")
    dims = {d: spec.construct(d).item_ids for d in m.dimensions}
    scale = spec.construct(m.dimensions[0]).scale
    previous = _previous(options.previous) if options.previous else None
    order = {g.id: list(g.values) for g in spec.segments if g.values}
    return analyze_maturity(frame, dims, targets=m.targets, scale=(scale.min, scale.max), unit=unit, by=by,
                            boundaries=m.stage_boundaries, previous=previous, min_n=options.min_n,
                            group_order=order, value_labels={g.id: dict(g.values) for g in spec.segments if g.values})


def _previous(path) -> list:
    """The ``dimensions`` list of an earlier ``cxstats maturity --json`` output."""
    import json
    from pathlib import Path

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the previous assessment: {exc.strerror or exc}", file=path,
                         option="previous") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError("the previous assessment is not a JSON file written by 'cxstats maturity --json'",
                         file=path, option="previous") from None
    dims = doc.get("dimensions") if isinstance(doc, dict) else None
    if not isinstance(dims, list) or not all(isinstance(d, dict) and {"dimension", "mean", "sd", "n"} <= set(d)
                                             for d in dims):
        raise InputError("the previous assessment has no 'dimensions' list with dimension, mean, sd and n "
                         "(write it with 'cxstats maturity --json')", file=path, option="previous")
    return dims
