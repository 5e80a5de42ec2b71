"""Analysis ``pls``: PLS-SEM / consistent PLS as seminr, with bootstrap and the importance-performance
map (IPMA) of SmartPLS.

With a spec: the ``model`` (lavaan-like syntax), or by default one built from the spec
(:func:`spec_model`: each construct ``=~`` its items, satisfaction (the CSAT outcome, a single
item) and loyalty (the repurchase/retention/NPS outcomes) as constructs; constructs ->
satisfaction -> loyalty); customers' answers only; IPMA scale ranges from the spec's scales.
Without a spec (one plain file): the ``model`` is required; IPMA ranges from ``scale_range``
(MIN,MAX for every indicator), else the observed minimum and maximum of each indicator (stated).

Options: ``model``; ``scheme`` (path | factorial | centroid); ``consistent`` (PLSc for the ``=~``
constructs, default true as seminr's ``reflective()``; false: classic PLS mode A composites);
``missing`` (mean: seminr's mean replacement | listwise); ``max_iter`` and ``stop_criterion`` (the
summed absolute weight change that ends the iterations); ``bootstrap`` (resamples, default 5000 as
SmartPLS; 0 = none), ``ci`` (percentile | bca), ``ci_level``; ``target`` (the IPMA target
construct, default the final outcome); ``ipma_png`` (plan: file name of the IPMA chart);
``predict_folds`` / ``predict_repetitions`` (PLSpredict, default 10 x 10; 0 folds = none);
``group`` (a column with two groups: MICOM and permutation MGA) and ``permutations``. The seed is
the run's seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "pls"
WORKBOOK = "measurement"
SHEET_PRIORITY = 120


@dataclass
class Options(StepOptions):
    model: str | None = None                       # lavaan-like syntax: =~ reflective, <~ composite, ~ paths
    scheme: Literal["path", "factorial", "centroid"] = "path"
    consistent: bool = True                        # PLSc for reflective (=~) constructs
    missing: Literal["mean", "listwise"] = "mean"  # mean replacement (seminr) or listwise deletion
    max_iter: int = 300
    stop_criterion: float = 1e-7
    bootstrap: int = 5000                          # resamples (SmartPLS default); 0 = none
    ci: Literal["percentile", "bca"] = "percentile"
    ci_level: float = 0.95
    target: str | None = None                      # IPMA target construct
    scale_range: list[float] | None = None         # without a spec: MIN,MAX of every indicator (IPMA)
    ipma_png: str | None = None                    # plan: file name of the IPMA chart (PNG + SVG)
    predict_folds: int = 10                        # PLSpredict k-fold cross-validation (0 = none)
    predict_repetitions: int = 10
    group: str | None = None                       # two groups: MICOM and permutation MGA
    permutations: int = 1000

    def validate(self):
        if self.model is not None and not self.model.strip():
            raise InputError("the model is empty: give e.g. 'SAT =~ s1 + s2; LOY =~ l1 + l2; LOY ~ SAT'",
                             option="model")
        if self.bootstrap < 0:
            raise InputError(f"the number of bootstrap resamples cannot be negative ({self.bootstrap})",
                             option="bootstrap")
        if self.max_iter < 1:
            raise InputError(f"give at least 1 iteration, not {self.max_iter}", option="max_iter")
        if not 0 < self.stop_criterion < 1:
            raise InputError(f"the stop criterion is a small positive number (e.g. 1e-7), not {self.stop_criterion:g}",
                             option="stop_criterion")
        if not 0.5 < self.ci_level < 1:
            raise InputError(f"give a confidence level between 0.5 and 1 (e.g. 0.95), not {self.ci_level:g}",
                             option="ci_level")
        if self.scale_range is not None and (len(self.scale_range) != 2 or self.scale_range[0] >= self.scale_range[1]):
            raise InputError(f"give the answer scale as MIN,MAX with MIN below MAX, not {self.scale_range}",
                             option="scale_range")
        if self.predict_folds < 0 or self.predict_folds == 1:
            raise InputError(f"give 0 (no PLSpredict) or 2 or more folds, not {self.predict_folds}",
                             option="predict_folds")
        if self.predict_repetitions < 1:
            raise InputError(f"give at least 1 repetition, not {self.predict_repetitions}", option="predict_repetitions")
        if self.permutations < 19:
            raise InputError(f"give at least 19 permutations (1000 recommended), not {self.permutations}",
                             option="permutations")
        if self.ipma_png is not None and (not self.ipma_png.strip() or "/" in self.ipma_png or "\\" in self.ipma_png
                                          or self.ipma_png.startswith((".", "~"))):
            raise InputError(f"{self.ipma_png!r}: give a plain file name (e.g. ipma.png); the chart goes to the "
                             "output folder, with an SVG beside it", option="ipma_png")


def _parse(text):
    from cxstats.errors import ModelError
    from cxstats.stats.pls import parse_pls_model

    try:
        return parse_pls_model(text)
    except ModelError as exc:
        if exc.option is None:
            raise ModelError(exc.reason, option="model") from None
        raise


def run(ctx: StepContext, options: Options):
    from cxstats.stats.pls import analyze_pls

    built = ctx.has_spec and not options.model
    if ctx.has_spec:
        text = options.model or spec_model(ctx.spec)
        frame = ctx.survey.customers().reset_index(drop=True)
        if options.group and options.group not in frame.columns:
            raise InputError(f"{options.group!r} is not a column of the survey (a segment or other column)",
                             option="group")
        groups = frame[options.group].where(frame[options.group].notna(), None).tolist() if options.group else None
        pm = _parse(text)
        absent = [x for x in pm.indicators if x not in frame.columns]
        if absent:
            raise InputError(f"{absent[0]!r} is not an item or outcome of the spec", option="model")
        ranges = spec_ranges(ctx.spec, pm.indicators)
        if options.scale_range is not None:
            ranges = {x: tuple(options.scale_range) for x in pm.indicators}
    else:
        ctx.one_file()
        if not options.model:
            raise InputError("give a PLS model (inline syntax or @file), or a study spec", option="model")
        text = options.model
        pm = _parse(text)
        frame = _plain_frame(ctx, pm)
        groups = None
        if options.group:
            from cxstats.io.tables import load_column_text

            groups = load_column_text(ctx.one_file(), options.group)
        ranges = {x: tuple(options.scale_range) for x in pm.indicators} if options.scale_range else None
    try:
        result = analyze_pls(frame, pm, scheme=options.scheme, consistent=options.consistent,
                             missing=options.missing, max_iter=options.max_iter, tol=options.stop_criterion,
                             bootstrap=options.bootstrap, seed=ctx.seed, ci=options.ci, ci_level=options.ci_level,
                             target=options.target, scale_range=ranges, predict_folds=options.predict_folds,
                             predict_repetitions=options.predict_repetitions, groups=groups,
                             permutations=options.permutations,
                             progress=ctx.progress("pls bootstrap") if options.bootstrap else None,
                             predict_progress=ctx.progress("pls PLSpredict") if options.predict_folds else None,
                             group_progress=ctx.progress("pls permutations") if options.group else None)
    except InputError as exc:
        if exc.file is None and exc.column is not None and ctx.source:
            exc.file = ctx.source
        raise
    if built:
        result.model_source = "built from the spec"
    return result


def _plain_frame(ctx, pm):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_numeric

    path = ctx.one_file()
    table = read_table(path)
    absent = [v for v in pm.indicators if v not in table.columns]
    if absent:
        raise InputError(f"indicator {absent[0]!r} is not a column of the file (columns: "
                         f"{', '.join(map(str, list(table.columns)[:12]))}{' ...' if len(table.columns) > 12 else ''})",
                         file=path, column=absent[0], option="model")
    return load_numeric(path, pm.indicators, table=table)


def spec_ranges(spec, indicators) -> dict:
    out = {}
    for c in spec.constructs():
        for i in c.item_ids:
            out[i] = (c.scale.min, c.scale.max)
    for o in spec.outcomes:
        if getattr(o, "scale", None) is not None:
            out[o.id] = (o.scale.min, o.scale.max)
    return {x: out[x] for x in indicators if x in out}


LOYALTY_KINDS = ("repurchase", "retention", "nps", "recommendation")


def spec_model(spec) -> str:
    """PLS syntax from a study spec: each construct ``=~`` its items; ``satisfaction =~`` the CSAT
    outcome (single item); ``loyalty =~`` the loyalty outcomes; constructs -> satisfaction -> loyalty."""
    constructs = spec.constructs()
    if not constructs:
        raise InputError("the spec has no constructs", file=spec.source)
    sat = next((o.id for o in spec.outcomes if o.type in ("csat", "overall_satisfaction")), None)
    if sat is None:
        raise InputError("the spec has no satisfaction (csat) outcome to build the model on; give a model",
                         file=spec.source, option="model")
    loy = [o.id for o in spec.outcomes if o.type in LOYALTY_KINDS]
    names = {c.id for c in constructs}
    sat_c = "satisfaction" if "satisfaction" not in names else "satisfaction_"
    loy_c = "loyalty" if "loyalty" not in names else "loyalty_"
    lines = [f"{c.id} =~ {' + '.join(c.item_ids)}" for c in constructs]
    lines.append(f"{sat_c} =~ {sat}")
    lines.append(f"{sat_c} ~ " + " + ".join(c.id for c in constructs))
    if loy:
        lines.append(f"{loy_c} =~ {' + '.join(loy)}")
        lines.append(f"{loy_c} ~ {sat_c}")
    return "\n".join(lines) + "\n"
