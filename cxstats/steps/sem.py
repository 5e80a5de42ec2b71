"""Analysis ``sem``: a structural equation model by maximum likelihood (as lavaan::sem), with
``:=`` defined effects (delta-method SEs), an optional nonparametric bootstrap and
admissibility checks.

With a spec: the lavaan ``model``, or by default the study's structural model built from the
spec (:func:`spec_model`: each construct measured by its items, constructs -> satisfaction
(CSAT) -> loyalty (repurchase, NPS), with ``ind_<construct>`` indirect effects); customers'
answers only. Without a spec (one plain file): the lavaan ``model`` is required.

Options: ``model`` (lavaan syntax), ``direct_paths`` (with a spec and no ``model``: add
construct -> loyalty paths, partial instead of full mediation), ``bootstrap`` (replicates, default 0 = none), ``ci``
(percentile | bc), ``std_lv`` (unit factor variances), ``missing`` (auto | ml | listwise;
default auto: full-information ML when the model's variables have missing answers, else plain
ML), ``estimator`` (ML | MLR | MLM: robust standard errors and scaled chi-square, as lavaan;
MLR also with FIML, MLM complete data), ``modindices`` (also the N largest modification indices, 0 = all; exploratory),
``weight`` (a sampling-weight column: lavaan's sampling.weights with MLR; complete data),
``ordered`` (ordinal items, ``all`` or names: WLSMV/DWLS/ULSMV on polychoric correlations, as the cfa step).
The seed is the run's seed.

``engine`` (auto | pandas | duckdb | spark; with a spec): on DuckDB or Spark the model is fitted by
ML (FIML with missing answers) from the moments per answer pattern of the customers, computed in one
pass: the same numbers as pandas. Robust and ordinal estimators, sampling weights and the bootstrap
need the rows (engine auto then uses pandas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions
from cxstats.steps._latent import Estimator, Missing
from cxstats.steps.cfa import OrdinalEstimator, _ordered_items

NAME = "sem"
WORKBOOK = "measurement"


@dataclass
class Options(StepOptions):
    model: str | None = None                       # lavaan syntax (default with a spec: the study's model)
    bootstrap: int = 0                             # nonparametric bootstrap replicates (0 = none)
    ci: Literal["percentile", "bc"] = "percentile"  # bootstrap interval
    std_lv: bool = False                           # identify factors by unit variances
    missing: Missing | Literal["pairwise"] = "auto"  # auto | ml | listwise | pairwise (ordinal items)
    estimator: Estimator | OrdinalEstimator | None = None  # ML | MLR | MLM | auto | WLSMV... (default: the spec's analysis.estimator, else ML)
    modindices: int | None = None                  # also the N largest modification indices (0 = all)
    weight: str | None = None                      # sampling-weight column (lavaan sampling.weights; MLR)
    ordered: list[str] | None = None               # ordinal items ("all" or names): polychoric WLSMV (lavaan ordered=)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the moments are computed
    spark_master: str | None = None                # engine spark: the cluster (default: the active session or local)
    direct_paths: bool | None = None               # spec model: also construct -> loyalty paths
    #                                                (None: the spec's analysis.direct_paths, else false)

    def validate(self):
        if self.modindices is not None and self.modindices < 0:
            raise InputError(f"modindices is the number of modification indices to show (0 = all), not "
                             f"{self.modindices}", option="modindices")
        if self.bootstrap < 0:
            raise InputError(f"the number of bootstrap replicates cannot be negative ({self.bootstrap})",
                             option="bootstrap")
        if self.model is not None and not self.model.strip():
            raise InputError("the model is empty: give lavaan syntax, e.g. 'y ~ x'", option="model")
        if self.direct_paths and self.model is not None:
            raise InputError("direct_paths adds construct -> loyalty paths to the model built from the spec; "
                             "with a model of your own, write the paths into it (e.g. 'loyalty ~ c1*web')",
                             option="direct_paths")


def run(ctx: StepContext, options: Options):
    from cxstats.stats.sem_analysis import analyze_sem
    from cxstats.steps._engine import engine_for
    from cxstats.steps.cfa import _declared_estimator

    built = ctx.has_spec and not options.model
    direct = options.direct_paths
    if direct is None and built:
        direct = bool(ctx.spec.analysis.get("direct_paths", False))
    engine = engine_for(ctx, options, needs_rows=_declared_estimator(ctx, options) != "ML" or bool(options.weight)
                        or bool(options.bootstrap) or bool(options.ordered))
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine, bool(direct))
    if ctx.has_spec:
        text = options.model or spec_model(ctx.spec, direct_paths=bool(direct))
        frame = ctx.survey.customers().reset_index(drop=True)
    else:
        ctx.one_file()   # several files are read through a spec
        if options.direct_paths:
            raise InputError("direct_paths adds construct -> loyalty paths to the model built from a study "
                             "spec; without a spec, write the paths into the model", option="direct_paths")
        if not options.model:
            raise InputError("give a lavaan model (inline syntax or @file), or a study spec (its "
                             "structural model)", option="model")
        text = options.model
        frame = _plain_frame(ctx, text, options.std_lv, options.weight)
    weights = None
    if options.weight:
        from cxstats.steps._latent import weight_values

        weights = weight_values(frame, options.weight, file=ctx.source or None)
    from cxstats.steps._estimator import attach, resolve

    estimator, choice = resolve(ctx, options.estimator, frame, text)
    try:
        result = analyze_sem(frame, text, bootstrap=options.bootstrap, seed=ctx.seed, ci=options.ci,
                             std_lv=options.std_lv, missing=options.missing, estimator=estimator,
                             modindices=options.modindices, weights=weights,
                             **({"ordered": ordered} if (ordered := _ordered_items(options, text, estimator=estimator)) is not None
                                else {}),
                             progress=ctx.progress("sem bootstrap") if options.bootstrap else None)
    except InputError as exc:
        data_problem = exc.column is not None or "sample covariance" in exc.reason
        if exc.file is None and exc.option is None and ctx.source and data_problem:
            exc.file = ctx.source  # a problem of the data (constant or collinear columns): name the file
        raise
    if built:
        result.model_source = "built from the spec"
        result.structure = PARTIAL if direct else FULL
    return attach(result, choice)


def _run_on_engine(ctx, options, engine, direct: bool):
    """ML (FIML with missing answers) from the customers' moments per answer pattern, computed in one
    pass by a SQL engine. Robust and ordinal estimators, weights and the bootstrap need the rows."""
    from cxstats.stats.from_moments import analyze_sem_patterns
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import check_model_columns
    from cxstats.steps.cfa import _declared_estimator

    for key, bad, why in (("ordered", bool(options.ordered), "polychoric correlations are computed from the rows"),
                          ("estimator", _declared_estimator(ctx, options) != "ML",
                           "robust, ordinal and automatically chosen estimators need each respondent's answers"),
                          ("weight", bool(options.weight), "sampling weights are applied to rows"),
                          ("bootstrap", bool(options.bootstrap), "the bootstrap resamples respondents (rows)")):
        if bad:
            raise InputError(f"{why}: engine {engine} computes moments; use --engine pandas (on a sample "
                             "if the data are large)", option=key)
    esurvey = ctx.engine_survey(engine, options.spark_master)
    text = options.model or spec_model(ctx.spec, direct_paths=direct)
    columns = ["respondent_type"] + list(ctx.spec.scored_columns()) + [g.id for g in ctx.spec.segments]
    names = parse_model(text).observed_names()
    check_model_columns(names, columns, ctx.source or None)
    by_type = esurvey.pattern_moments(names, group="respondent_type")
    if "customer" not in by_type:
        from cxstats.errors import ModelError

        raise ModelError("no cases to fit", file=ctx.source or None)
    try:
        result = analyze_sem_patterns(text, [by_type["customer"]], missing=options.missing, std_lv=options.std_lv,
                                      modindices=options.modindices)
    except InputError as exc:
        data_problem = exc.column is not None or "sample covariance" in exc.reason
        if exc.file is None and exc.option is None and ctx.source and data_problem:
            exc.file = ctx.source
        raise
    if not options.model:
        result.model_source = "built from the spec"
        result.structure = PARTIAL if direct else FULL
    return result


FULL = ("full mediation (no direct paths): constructs -> satisfaction -> loyalty; the constructs act on "
        "loyalty only through satisfaction (direct_paths adds construct -> loyalty paths)")
PARTIAL = ("partial mediation (direct paths): constructs -> satisfaction -> loyalty and constructs -> loyalty")


def _plain_frame(ctx, text, std_lv, weight=None):
    """The model's observed variables from the single plain data file."""
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_numeric
    from cxstats.stats.sem import ModelOptions, build_partable, unknown_variable_message
    from cxstats.stats.sem.syntax import parse_model

    path = ctx.one_file()
    pt = build_partable(parse_model(text), 1, ModelOptions(std_lv=std_lv))
    table = read_table(path)
    absent = [v for v in pt.ov if v not in table.columns]
    if absent:
        raise InputError(unknown_variable_message(absent, table.columns), file=path)
    if weight:
        table.require_columns([weight])
    return load_numeric(path, list(pt.ov) + ([weight] if weight and weight not in pt.ov else []), table=table)


def spec_model(spec, *, loyalty=None, satisfaction=None, direct_paths: bool = False) -> str:
    """Lavaan syntax from a study spec: each construct measured by its items; constructs ->
    satisfaction (the CSAT outcome) -> loyalty (a factor of the repurchase/retention and NPS
    outcomes when there are two or more, else the single outcome); labelled paths and
    ``ind_<construct> := b_<construct> * g`` indirect effects on loyalty: full mediation.
    ``direct_paths``: also construct -> loyalty paths ``c_<construct>`` (partial mediation), with
    ``total_<construct> := c_<construct> + b_<construct>*g``."""
    constructs = spec.constructs()
    if not constructs:
        raise InputError("the spec has no constructs", file=spec.source)
    sat = satisfaction or next((o.id for o in spec.outcomes if o.type in ("csat", "overall_satisfaction")), None)
    if sat is None:
        raise InputError("the spec has no satisfaction (csat) outcome to build the structural model on",
                         file=spec.source)
    loy = loyalty or [o.id for o in spec.outcomes if o.type in ("repurchase", "retention", "nps", "recommendation")]
    if not loy:
        raise InputError("the spec has no loyalty outcome (repurchase, retention or nps)", file=spec.source)
    lines = []
    for c in constructs:
        if len(c.item_ids) < 2:
            raise InputError(f"construct {c.id!r} has fewer than 2 items: it cannot be a latent variable",
                             file=spec.source)
        lines.append(f"{c.id} =~ {' + '.join(c.item_ids)}")
    if len(loy) >= 2:
        lines.append(f"loyalty =~ {' + '.join(loy)}")
        target = "loyalty"
    else:
        target = loy[0]
    lines.append(f"{sat} ~ " + " + ".join(f"b_{c.id}*{c.id}" for c in constructs))
    if direct_paths:
        lines.append(f"{target} ~ g*{sat} + " + " + ".join(f"c_{c.id}*{c.id}" for c in constructs))
    else:
        lines.append(f"{target} ~ g*{sat}")
    for c in constructs:
        lines.append(f"ind_{c.id} := b_{c.id}*g")
    if direct_paths:
        for c in constructs:
            lines.append(f"total_{c.id} := c_{c.id} + b_{c.id}*g")
    return "\n".join(lines) + "\n"
