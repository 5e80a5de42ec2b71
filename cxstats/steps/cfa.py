"""Analysis ``cfa``: a confirmatory factor analysis (ML, lavaan's cfa() defaults) with fit,
reliability (composite reliability, AVE) and discriminant validity (HTMT, Fornell-Larcker).

With a spec: one factor per construct with two or more items (``constructs``: some of them;
default all), or the lavaan ``model``; customers' answers only unless ``respondents`` says
otherwise or a ``group`` column is given (then a multi-group CFA of everyone). Without a spec
(one plain file): the lavaan ``model`` is required, ``group`` names a column of the file.

Options: ``model`` (lavaan syntax), ``constructs`` (construct ids), ``respondents``
(customer | staff | all), ``group`` (a column: one model per group), ``std_lv`` (factor
variances fixed to 1 instead of first loadings), ``missing`` (auto | ml | listwise; default
auto: full-information ML when the model's variables have missing answers, else plain ML),
``estimator`` (ML | MLR | MLM: robust standard errors and scaled chi-square with robust fit indices,
as lavaan; MLR also with missing answers (FIML), MLM with complete respondents only; auto: the rule of
:mod:`cxstats.stats.sem.auto`, said in the output),
``modindices`` (also the N largest modification indices, lavaan's modindices(); 0 = all; exploratory),
``weight`` (a sampling-weight column: lavaan's sampling.weights, weights rescaled to sum to n, robust
MLR standard errors and test; complete data),
``ordered`` (ordinal items: ``all`` or a list of the model's items; lavaan's ``ordered``: thresholds and
polychoric correlations, estimator WLSMV unless ``estimator`` says DWLS or ULSMV; listwise deletion;
with ``group`` the configural multi-group model). ``estimator`` WLSMV/DWLS/ULSMV without ``ordered`` treats every model item as ordinal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions
from cxstats.steps._latent import Estimator, Missing

OrdinalEstimator = Literal["WLSMV", "DWLS", "ULSMV"]   # ordinal items (polychoric correlations)

NAME = "cfa"
WORKBOOK = "measurement"


@dataclass
class Options(StepOptions):
    model: str | None = None              # lavaan syntax (default with a spec: one factor per construct)
    constructs: list[str] | None = None   # construct ids (with a spec; default all)
    respondents: Literal["customer", "staff", "all"] | None = None  # default customers (all with a group)
    group: str | None = None              # fit the model in every group of this column
    std_lv: bool = False                  # identify factors by unit variances
    missing: Missing | Literal["pairwise"] = "auto"   # auto | ml | listwise | pairwise (ordinal items)
    estimator: Estimator | OrdinalEstimator | None = None  # ML | MLR | MLM | auto | WLSMV | DWLS | ULSMV (default: the spec's analysis.estimator, else ML)
    modindices: int | None = None         # also the N largest modification indices (0 = all)
    weight: str | None = None             # sampling-weight column (lavaan sampling.weights; MLR)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the moments are computed
    spark_master: str | None = None       # engine spark: the cluster (default: the active session or local)
    ordered: list[str] | None = None      # ordinal items ("all" or names): polychoric WLSMV (lavaan ordered=)

    def validate(self):
        if self.modindices is not None and self.modindices < 0:
            raise InputError(f"modindices is the number of modification indices to show (0 = all), not "
                             f"{self.modindices}", option="modindices")
        if self.model is not None and not self.model.strip():
            raise InputError("the model is empty: give lavaan syntax, e.g. 'f =~ x1 + x2 + x3'", option="model")
        if self.model and self.constructs:
            raise InputError("constructs picks the spec's constructs for a model built from them; "
                             "with a model of your own, leave it out", option="constructs")


def run(ctx: StepContext, options: Options):
    from cxstats.stats.cfa import analyze_cfa

    from cxstats.steps._engine import engine_for
    from cxstats.steps._latent import weight_values

    engine = engine_for(ctx, options, needs_rows=_declared_estimator(ctx, options) != "ML" or bool(options.weight)
                        or bool(options.group) or bool(options.ordered))
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine)

    if ctx.has_spec:
        frame, model, groups, notes = _from_spec(ctx, options)
    else:
        frame, model, groups, notes = _from_file(ctx, options)
    weights = weight_values(frame, options.weight, file=ctx.source or None) if options.weight else None
    ordered = _ordered_items(options, model)
    from cxstats.steps._estimator import attach, resolve

    estimator, choice = resolve(ctx, options.estimator, frame, model)
    if choice is not None and estimator in ("WLSMV", "DWLS", "ULSMV") and ordered is None:
        ordered = _ordered_items(options, model, estimator=estimator)   # auto chose the ordinal estimator
    try:
        result = analyze_cfa(frame, model, group=groups, std_lv=options.std_lv, missing=options.missing,
                             estimator=estimator, modindices=options.modindices, weights=weights,
                             **({"ordered": ordered} if ordered is not None else {}))
    except InputError as exc:
        if exc.file is None and exc.option is None and ctx.source:
            exc.file = ctx.source          # a problem of the data: name the file(s)
        raise
    result.warnings = notes + list(result.warnings)
    return attach(result, choice)


def _declared_estimator(ctx, options) -> str:
    """The estimator asked for: the option, else the spec's ``analysis: estimator``, else ML."""
    spec = ctx.spec if ctx.has_spec else None
    return options.estimator or (spec.analysis.get("estimator") if spec is not None else None) or "ML"


def _run_on_engine(ctx, options, engine):
    """ML (FIML with missing answers) from the moments per answer pattern, computed in one pass by
    a SQL engine. Robust estimators, sampling weights and multi-group models need the rows."""
    from types import SimpleNamespace

    from cxstats.stats.from_moments import analyze_cfa_patterns
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import check_model_columns, factor_model

    for key, bad, why in (("estimator", _declared_estimator(ctx, options) != "ML",
                           "robust, ordinal and automatically chosen estimators need each respondent's answers"),
                          ("ordered", bool(options.ordered), "polychoric correlations are computed from the rows"),
                          ("weight", bool(options.weight), "sampling weights are applied to rows"),
                          ("group", bool(options.group), "multi-group models are fitted from the rows here")):
        if bad:
            raise InputError(f"{why}: engine {engine} computes moments; use --engine pandas (on a sample "
                             "if the data are large)", option=key)
    esurvey = ctx.engine_survey(engine, options.spark_master)
    columns = ["respondent_type"] + list(ctx.spec.scored_columns()) + [g.id for g in ctx.spec.segments]
    who = options.respondents or "customer"
    notes = []
    if options.model:
        model = options.model
    else:
        model, more = factor_model(ctx.spec, SimpleNamespace(columns=columns), options.constructs)
        notes += more
    names = parse_model(model).observed_names()
    source = ", ".join(esurvey.sources) or None
    check_model_columns(names, columns, source)
    by_type = esurvey.pattern_moments(names, group="respondent_type")
    if who == "all":
        from cxstats.moments import PatternMoments

        pm = PatternMoments(tuple(names), {})
        for g in sorted(by_type, key=str):
            pm = pm.merge(by_type[g])
    else:
        if options.respondents is None and set(k for k in by_type if k is not None) - {"customer"}:
            notes.append("customers' answers only (staff answers were left out; respondents 'all' keeps them, "
                         "the invariance analysis compares them)")
        if who not in by_type:
            raise InputError(f"the survey has no {who} respondents", option="respondents")
        pm = by_type[who]
    try:
        result = analyze_cfa_patterns(model, [pm], missing=options.missing, std_lv=options.std_lv,
                                      modindices=options.modindices)
    except InputError as exc:
        if exc.file is None and exc.option is None and source:
            exc.file = source
        raise
    result.warnings = notes + list(result.warnings)
    return result


def _from_spec(ctx, options):
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import check_model_columns, factor_model, group_labels

    data = ctx.survey.data
    notes = []
    who = options.respondents or ("all" if options.group else "customer")
    if who != "all" and "respondent_type" in data.columns:
        kinds = set(data["respondent_type"].dropna())
        if options.respondents is None and kinds - {"customer"}:
            notes.append("customers' answers only (staff answers were left out; respondents 'all' keeps them, "
                         "the invariance analysis compares them)")
        data = data[data["respondent_type"] == who]
        if len(data) == 0:
            raise InputError(f"the survey has no {who} respondents", option="respondents")
    data = data.reset_index(drop=True)
    if options.model:
        model = options.model
    else:
        model, more = factor_model(ctx.spec, data, options.constructs)
        notes += more
    check_model_columns(parse_model(model).observed_names(), data.columns, ctx.source or None)
    groups = group_labels(data, options.group, file=ctx.source or None) if options.group else None
    return data, model, groups, notes


def _from_file(ctx, options):
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import plain_file

    ctx.one_file()   # several files are read through a spec
    if not options.model:
        raise InputError("give a lavaan model (e.g. 'f =~ x1 + x2 + x3'), or a study spec", option="model")
    if options.constructs or options.respondents:
        raise InputError("constructs and respondents need a study spec",
                         option="constructs" if options.constructs else "respondents")
    names = parse_model(options.model).observed_names()
    frame, groups, _ = plain_file(ctx, names, options.group, options.weight)
    return frame, options.model, groups, []


def _ordered_items(options, model, *, estimator: str | None = None):
    """The ordinal items of ``ordered`` (``all``: every observed variable of the model), or None; an ordinal
    estimator without ``ordered`` takes every item as ordinal."""
    from cxstats.stats.sem.syntax import parse_model

    if not options.ordered and (estimator or options.estimator) not in ("WLSMV", "DWLS", "ULSMV"):
        return None
    names = parse_model(model).observed_names()
    wanted = options.ordered or ["all"]
    if [w.lower() for w in wanted] == ["all"]:
        return list(names)
    bad = [w for w in wanted if w not in names]
    if bad:
        raise InputError(f"ordered names {bad[0]!r}, which is not an observed variable of the model; give 'all' or "
                         f"some of {', '.join(names)}", option="ordered")
    return list(wanted)
