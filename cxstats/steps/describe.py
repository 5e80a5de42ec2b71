"""Analysis ``describe``: item and outcome descriptives (n, mean, SD, top-2-box, missing),
customers and staff side by side.

With a spec: every item (reverse-keyed items already recoded) and outcome, or ``columns``,
per respondent type (or per ``by``). Without a spec (one plain file): the named ``columns``
on the answer scale ``scale_range`` (MIN, MAX), which the top-2-box needs. ``weight``: a column of
survey weights (weighted means, SDs and shares, with Kish's effective n and its intervals;
:mod:`cxstats.stats.weights`).

This is the smallest analysis; docs/architecture.md uses it as the recipe for a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "describe"
WORKBOOK = "main"


@dataclass
class Options(StepOptions):
    columns: list[str] | None = None       # items / outcomes to describe (default: all of the spec)
    by: str | None = None                  # split by this column (default: respondent type)
    scale_range: list[float] | None = None  # MIN, MAX of the answer scale (without a spec)
    weight: str | None = None              # survey-weight column (weighted means and shares)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the counts are computed
    spark_master: str | None = None        # engine spark: the cluster (default: the active session or local)

    def validate(self):
        if self.scale_range is not None and (len(self.scale_range) != 2
                                             or self.scale_range[0] >= self.scale_range[1]):
            raise InputError(f"give the answer scale as MIN,MAX (e.g. 1,5), not {self.scale_range}",
                             option="scale_range")


def run(ctx: StepContext, options: Options):
    from cxstats.stats.describe import analyze_describe
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options, needs_rows=options.weight is not None)
    if engine != "pandas":
        if options.weight:  # the engines count unweighted answers: weighted shares would be silently wrong
            raise InputError(f"survey weights are applied row by row; engine {engine} counts unweighted "
                             "answers: use --engine pandas with --weight", option="weight")
        return _run_on_engine(ctx, options, engine)
    if ctx.has_spec:
        frame, scales, meta, by, groups = _from_spec(ctx, options)
    else:
        frame, scales, meta, by, groups, table = _from_file(ctx, options)
    weights = None
    if options.weight:
        import numpy as np

        from cxstats.steps._weights import from_survey, from_table

        # the rows described: those in a described group (all rows without a split)
        used = (np.ones(len(frame), dtype=bool) if by is None else
                frame[by].isin(groups).to_numpy() if groups else frame[by].notna().to_numpy())
        weights = (from_survey(ctx, frame, options.weight, used=used) if ctx.has_spec
                   else from_table(table, options.weight, used=used))
        weights = np.where(used, weights, 0.0)
    return analyze_describe(frame, scales, by=by, meta=meta, groups=groups, weights=weights,
                            weight_name=options.weight)


def _run_on_engine(ctx, options, engine):
    """The same descriptives from counts per answer and group, one aggregation pass over the
    data for every column (GROUPING SETS) on a SQL engine: exact (a mean and SD of whole codes
    from their counts)."""
    from cxstats.stats.from_moments import analyze_describe_counts

    spec = ctx.spec
    scales, meta = _spec_scales(spec, options)
    esurvey = ctx.engine_survey(engine, options.spark_master)
    columns = ["respondent_type", *spec.scored_columns(), *(g.id for g in spec.segments)]
    if spec.fielding is not None:   # the fielding block's columns (engine/survey.py view)
        columns += ["survey_mode", "contact_touchpoint", "wave", "time_flag"]
    by = options.by or "respondent_type"
    if by not in columns:
        raise InputError(f"{by!r} is not a column of the survey table", option="by")
    q = esurvey.b.quote
    exprs = {"__rows": "0", **{c: q(c) for c in scales}}   # __rows: every row of a group (missing shares)
    counts = esurvey.cell_counts_many(exprs, [by])
    numeric = by in spec.scored_columns()   # a numeric split: its labels as pandas holds them (floats)

    def label(key):
        return None if key[0] is None else float(key[0]) if numeric else key[0]
    rows = {label(k): int(c.n) for k, c in counts.pop("__rows").items()}
    cells = {col: {label(k): c for k, c in cc.items()} for col, cc in counts.items()}
    groups = ([g for g in ("customer", "staff") if rows.get(g)] if by == "respondent_type" else None)
    return analyze_describe_counts(cells, rows, scales, by=by, meta=meta, groups=groups)


def _spec_scales(spec, options):
    """({column: (min, max)}, {column: meta}) of the spec's items and outcomes (or ``columns``)."""
    from cxstats.spec.model import pick

    meta, scales = {}, {}
    for c in spec.constructs():
        for item in c.items:
            scales[item.id] = (item.scale.min, item.scale.max)
            meta[item.id] = {"kind": "item", "touchpoint": c.touchpoint, "construct": c.id,
                             "component": c.component, "wording": pick(item.customer, spec.language),
                             "reverse": item.reverse}
    for o in spec.outcomes:
        scales[o.id] = (o.scale.min, o.scale.max)
        meta[o.id] = {"kind": o.type, "touchpoint": "", "construct": "", "component": "",
                      "wording": pick(o.customer, spec.language), "reverse": False}
    if options.columns:
        unknown = [c for c in options.columns if c not in scales]
        if unknown:
            raise InputError(f"unknown column {unknown[0]!r}: use item or outcome ids of the spec",
                             option="columns")
        scales = {c: scales[c] for c in options.columns}
    return scales, meta


def _from_spec(ctx, options):
    spec, data = ctx.spec, ctx.survey.data
    scales, meta = _spec_scales(spec, options)
    by = options.by or "respondent_type"
    if by not in data.columns:
        raise InputError(f"{by!r} is not a column of the survey table", option="by")
    groups = ([g for g in ("customer", "staff") if (data.respondent_type == g).any()]
              if by == "respondent_type" else None)
    return data, scales, meta, by, groups


def _from_file(ctx, options):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric

    path = ctx.one_file()
    if not options.columns:
        raise InputError("name the columns to describe (or give a study spec)", option="columns")
    if options.scale_range is None:
        raise InputError("give the answer scale as MIN,MAX (e.g. 1,5): the top-2-box needs it "
                         "(or give a study spec)", option="scale_range")
    table = read_table(path)
    table.require_columns(options.columns + ([options.by] if options.by else []))
    frame = load_numeric(path, options.columns, table=table)
    if options.by:
        frame[options.by] = load_column_text(path, options.by, table=table)
    if options.weight:
        table.require_columns([options.weight])
    lo, hi = options.scale_range
    return frame, {c: (lo, hi) for c in options.columns}, None, options.by, None, table
