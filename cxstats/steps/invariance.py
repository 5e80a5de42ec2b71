"""Analysis ``invariance``: is a construct measured the same way in two (or more) groups, e.g.
by customers and frontline staff? Configural, metric, scalar and strict invariance (lavaan's
``group.equal``), each step against the previous one (chi-square difference, ΔCFI, ΔRMSEA).

With a spec and no ``model``: by default (``by_construct``) every construct's one-factor model
is tested on its own across the groups of ``group`` (default: respondent type, customers vs
staff): one verdict per construct, which a later ``gaps`` step reads (constructs below scalar
invariance are marked as not interpretable). Constructs with fewer than 3 items cannot be
tested on their own and get no verdict (a warning says so). With ``by_construct: false`` (what
``cxstats cfa --invariance --spec`` does) the constructs' joint CFA is tested as a whole.

With a ``model`` (lavaan syntax; required without a spec) the model is tested as a whole; a
plain file needs ``group``.

Options: ``model``, ``constructs`` (construct ids; default all), ``group`` (the column whose
groups are compared; old name ``by``), ``groups`` (the values compared; default customer and
staff when comparing respondent types one construct at a time), ``by_construct``, ``rule``
(cfi | chen | lrt; default cfi), ``free`` (parameters released in every step: a list for a
whole model, e.g. ``['x3 ~ 1']``, or a mapping construct -> list, e.g. ``{web: ['q3 ~ 1']}``),
``std_lv``, ``missing`` (auto | ml | listwise; default auto: full-information ML when the
items have missing answers), ``configural_cfi`` / ``configural_rmsea`` / ``configural_srmr``
(default .90 / .08 / .08: the fit the configural model needs before configural invariance is
established; otherwise the verdict is "none" and the gaps step does not compare the means),
``estimator`` (ML | MLR | MLM | WLSMV | ULSMV | auto; default ML; auto picks by the rule of
:mod:`cxstats.stats.sem.auto` and says why, WLSMV included; with MLR or MLM every step is fitted with the robust
estimator, each step is compared with the previous one by the Satorra-Bentler (2001) scaled
chi-square difference, lavaan's default lavTestLRT method for robust estimators, and ΔCFI, ΔRMSEA
and the configural fit gate read the robust CFI and RMSEA), ``weight`` (a sampling-weight column:
lavaan's sampling.weights, MLR on the weighted moments of complete respondents, Satorra-Bentler
differences), ``ordered`` (``all`` or the model's items, every one of them: ordinal items, lavaan's
``ordered``; the estimator becomes WLSMV): the ordinal sequence of :func:`cxstats.stats.invariance.ordinal_invariance`
(configural, then thresholds and loadings equal in lavaan's delta parametrisation; lavaan's satorra.2000
scaled-shifted difference test; ΔCFI/ΔRMSEA of the scaled indices).

``engine`` (auto | pandas | duckdb | spark; with a spec): on DuckDB or Spark every step is a
multi-group ML fit (FIML with missing answers) from the moments per answer pattern of each group,
computed in one pass: the same numbers as pandas. The group column is the respondent type or a
segment of the spec; without ``groups`` the groups follow the spec's order (customer, staff; a
segment's values as declared), where pandas takes them in order of first appearance in the data
(the first group is the reference of the latent means). Robust and ordinal estimators and
sampling weights need the rows (engine auto then uses pandas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions
from cxstats.steps._latent import Estimator, Missing

OrdinalEstimator = Literal["WLSMV", "ULSMV"]   # ordinal items: thresholds and loadings equal at the scalar step

NAME = "invariance"
WORKBOOK = "measurement"


@dataclass
class Options(StepOptions):
    DEPRECATED = {"by": "group"}

    model: str | None = None              # lavaan syntax tested as a whole
    constructs: list[str] | None = None   # construct ids (with a spec; default all)
    group: str | None = None              # the column whose groups are compared (default respondent type)
    groups: list[str] | None = None       # the values of the group column compared
    by_construct: bool | None = None      # one verdict per construct (default with a spec and no model)
    rule: Literal["cfi", "chen", "lrt"] = "cfi"
    free: list[str] | dict[str, list[str]] | None = None   # equality constraints released
    std_lv: bool = False                  # identify factors by unit variances
    missing: Missing = "auto"             # auto | ml | listwise
    estimator: Estimator | OrdinalEstimator | None = None   # default: the spec's analysis.estimator, else ML
    ordered: list[str] | None = None      # ordinal items: "all" or every item of the model (WLSMV)
    weight: str | None = None             # sampling-weight column (lavaan sampling.weights; MLR)
    configural_cfi: float = 0.90          # the configural model needs CFI >= this ...
    configural_rmsea: float = 0.08        # ... RMSEA <= this ...
    configural_srmr: float = 0.08         # ... and SRMR <= this for configural invariance
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the moments are computed
    spark_master: str | None = None       # engine spark: the cluster (default: the active session or local)

    def validate(self):
        for name, hi in (("configural_cfi", 1.0), ("configural_rmsea", None), ("configural_srmr", None)):
            v = getattr(self, name)
            if v < 0 or (hi is not None and v > hi):
                raise InputError(f"{name} must be {'between 0 and 1' if hi else 'at least 0'} (got {v})",
                                 option=name)
        if self.groups is not None:
            self.groups = [str(g) for g in self.groups]
            if len(self.groups) < 2:
                raise InputError("groups must list at least two values of the group column", option="groups")
        if self.model is not None and not self.model.strip():
            raise InputError("the model is empty: give lavaan syntax, e.g. 'f =~ x1 + x2 + x3'", option="model")
        if self.model and self.by_construct:
            raise InputError("by_construct tests the spec's constructs one by one; a model of your own is "
                             "tested as a whole (leave out one of the two)", option="by_construct")
        if self.model and self.constructs:
            raise InputError("constructs picks the spec's constructs; with a model of your own, leave it out",
                             option="constructs")
        if isinstance(self.free, dict):
            self.free = {str(k): [v] if isinstance(v, str) else list(v or ()) for k, v in self.free.items()}


def run(ctx: StepContext, options: Options):
    from cxstats.steps._engine import engine_for
    from cxstats.steps.cfa import _declared_estimator

    engine = engine_for(ctx, options, needs_rows=_declared_estimator(ctx, options) != "ML" or bool(options.weight)
                        or bool(options.ordered))
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine)
    if ctx.has_spec:
        by_construct = options.by_construct if options.by_construct is not None else not options.model
        if by_construct:
            return _by_construct(ctx, options)
        frame, model, groups, notes = _whole_from_spec(ctx, options)
    else:
        frame, model, groups, notes = _whole_from_file(ctx, options)
    return _whole(ctx, options, frame, model, groups, notes)


# ----------------------------------------------------------------------------- whole model

def _whole(ctx, options, frame, model, groups, notes):
    from cxstats.stats.invariance import analyze_invariance
    from cxstats.steps._estimator import attach, resolve

    estimator, choice = resolve(ctx, options.estimator, frame, model, rows=[g is not None for g in groups])
    estimator = _ordinal_estimator(options, estimator, model)
    weights = _weights(ctx, frame, options)

    if isinstance(options.free, dict):
        raise InputError("a model tested as a whole takes free as a list of its parameters, e.g. "
                         "['x3 ~ 1'] (a mapping construct -> parameters is for by_construct)", option="free")
    try:
        result = analyze_invariance(frame, model, groups, group_labels=options.groups, free=options.free or [],
                                    rule=options.rule, std_lv=options.std_lv, missing=options.missing,
                                    estimator=estimator, weights=weights, **_gate(options))
    except InputError as exc:
        if exc.file is None and exc.option is None and ctx.source:
            exc.file = ctx.source          # a problem of the data: name the file(s)
        raise
    warnings = list(result.warnings)
    if options.groups is not None:   # rows outside the compared groups are expected, not a data problem
        warnings = [w for w in warnings if "without a group value" not in w]
    result.warnings = notes + warnings
    return attach(result, choice)


def _ordinal_estimator(options, estimator, model):
    """The estimator with ``ordered``: WLSMV (lavaan's default with ordered items) unless an ordinal one was
    named; every item of the model must be ordinal (the sequence has no mixed models)."""
    ordinal = estimator in ("WLSMV", "ULSMV", "DWLS")
    if not options.ordered:
        return estimator
    if estimator in ("MLR", "MLM"):
        raise InputError(f"ordered items are fitted with WLSMV (or ULSMV), not {estimator}", option="estimator")
    wanted = [str(w) for w in options.ordered]
    if [w.lower() for w in wanted] != ["all"]:
        if isinstance(model, dict):
            items = list(dict.fromkeys(i for its in model.values() for i in its))
        else:
            from cxstats.stats.sem.syntax import parse_model

            items = parse_model(model).observed_names()
        bad = [w for w in wanted if w not in items]
        if bad:
            raise InputError(f"ordered names {bad[0]!r}, which is not an item of the model; give 'all' or items of "
                             f"{', '.join(items)}", option="ordered")
        rest = [i for i in items if i not in wanted]
        if rest:
            raise InputError("ordinal invariance needs every item ordinal (no mixed models yet); not ordered: "
                             + ", ".join(rest) + " (give ordered: all)", option="ordered")
    return estimator if ordinal else "WLSMV"


def _weights(ctx, frame, options):
    if not options.weight:
        return None
    from cxstats.steps._latent import weight_values
    from cxstats.steps._weights import spec_column

    column = spec_column(ctx, frame, options.weight) if ctx.has_spec else options.weight
    return weight_values(frame, column, file=ctx.source or None)


def _gate(options) -> dict:
    return {"configural_cfi": options.configural_cfi, "configural_rmsea": options.configural_rmsea,
            "configural_srmr": options.configural_srmr}


def _restrict(groups, wanted, column):
    """Labels outside the ``wanted`` groups become None (those rows are left out)."""
    present = {g for g in groups if g is not None}
    absent = [g for g in wanted if g not in present]
    if absent:
        raise InputError(f"no respondents with {column} = {absent[0]!r}; the data has: "
                         f"{', '.join(sorted(present))}", option="groups")
    return [g if g in wanted else None for g in groups]


def _whole_from_spec(ctx, options):
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import check_model_columns, factor_model, group_labels

    data = ctx.survey.data
    model, notes = options.model, []
    if not model:
        model, notes = factor_model(ctx.spec, data, options.constructs)
    check_model_columns(parse_model(model).observed_names(), data.columns, ctx.source or None)
    column = options.group or "respondent_type"
    groups = group_labels(data, column, file=ctx.source or None)
    if options.groups is not None:
        groups = _restrict(groups, options.groups, column)
    return data, model, groups, notes


def _whole_from_file(ctx, options):
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import plain_file

    ctx.one_file()   # several files are read through a spec
    if not options.model:
        raise InputError("give a lavaan model (e.g. 'f =~ x1 + x2 + x3'), or a study spec", option="model")
    if not options.group:
        raise InputError("measurement invariance compares the groups of a column: name the column",
                         option="group")
    if options.constructs or options.by_construct:
        raise InputError("constructs and by_construct need a study spec",
                         option="constructs" if options.constructs else "by_construct")
    frame, groups, _ = plain_file(ctx, parse_model(options.model).observed_names(), options.group, options.weight)
    if options.groups is not None:
        groups = _restrict(groups, options.groups, options.group)
    return frame, options.model, groups, []


# ----------------------------------------------------------------------------- by construct

def _by_construct(ctx, options):
    from cxstats.stats.invariance import analyze_invariance
    from cxstats.steps._latent import construct_items, group_labels

    if options.free is not None and not isinstance(options.free, dict):
        raise InputError("free must map a construct id to a list of parameters, e.g. {web: ['q3 ~ 1']}",
                         option="free")
    data = ctx.survey.data
    column = options.group or "respondent_type"
    labels = group_labels(data, column, file=ctx.source or None)
    wanted = options.groups or (["customer", "staff"] if column == "respondent_type" else None)
    if wanted is not None:
        labels = _restrict(labels, wanted, column)
    scales, _ = construct_items(ctx.spec, data, options.constructs, min_items=1)
    if not scales:
        raise InputError("no construct to test", option="constructs")
    from cxstats.steps._estimator import attach, resolve

    estimator, choice = resolve(ctx, options.estimator, data, scales, rows=[g is not None for g in labels])
    estimator = _ordinal_estimator(options, estimator, scales)
    result = analyze_invariance(data.reset_index(drop=True), scales, labels, group_labels=wanted,
                                rule=options.rule, free=options.free or {}, missing=options.missing,
                                estimator=estimator, weights=_weights(ctx, data, options), **_gate(options))
    untested = [c.construct for c in result.constructs
                if c.level is None and (c.result is None or c.result.configural_fit.get("verdict") != "poor")]
    if untested:
        result.warnings.append("no invariance verdict (fewer than 3 items or not estimable): "
                               + ", ".join(untested) + "; their group means are compared without this check")
    # rows outside the compared groups are expected, not a data problem
    result.warnings = [w for w in result.warnings if "without a group value" not in w]
    return attach(result, choice)


# ----------------------------------------------------------------------------- SQL engines

def _run_on_engine(ctx, options, engine):
    """The ML invariance sequence from each group's moments per answer pattern, computed in one pass
    by a SQL engine (a construct at a time, or the model as a whole)."""
    from types import SimpleNamespace

    from cxstats.stats.from_moments import analyze_invariance_patterns
    from cxstats.stats.sem.syntax import parse_model
    from cxstats.steps._latent import check_model_columns, construct_items, factor_model
    from cxstats.steps.cfa import _declared_estimator

    for key, bad, why in (("ordered", bool(options.ordered), "polychoric correlations are computed from the rows"),
                          ("estimator", _declared_estimator(ctx, options) != "ML",
                           "robust, ordinal and automatically chosen estimators need each respondent's answers"),
                          ("weight", bool(options.weight), "sampling weights are applied to rows")):
        if bad:
            raise InputError(f"{why}: engine {engine} computes moments; use --engine pandas (on a sample "
                             "if the data are large)", option=key)
    spec, source = ctx.spec, ctx.source or None
    scored = list(spec.scored_columns())
    columns = ["respondent_type"] + scored + [g.id for g in spec.segments]
    column = options.group or "respondent_type"
    if column not in columns:
        raise InputError(f"{column!r} is not a column of the survey table", file=source, option="group")
    if column in scored:
        raise InputError(f"engine {engine} compares the groups of the respondent type or of a segment of the spec; "
                         f"grouping by the answers of {column!r} needs --engine pandas", option="group")
    esurvey = ctx.engine_survey(engine, options.spark_master)
    by_construct = options.by_construct if options.by_construct is not None else not options.model
    notes = []
    if by_construct:
        if options.free is not None and not isinstance(options.free, dict):
            raise InputError("free must map a construct id to a list of parameters, e.g. {web: ['q3 ~ 1']}",
                             option="free")
        model, _ = construct_items(spec, SimpleNamespace(columns=columns), options.constructs, min_items=1)
        if not model:
            raise InputError("no construct to test", option="constructs")
        wanted = options.groups or (["customer", "staff"] if column == "respondent_type" else None)
        patterns = _group_patterns(esurvey, list(model.values()), column)
        free = options.free or {}
    else:
        if isinstance(options.free, dict):
            raise InputError("a model tested as a whole takes free as a list of its parameters, e.g. "
                             "['x3 ~ 1'] (a mapping construct -> parameters is for by_construct)", option="free")
        model = options.model
        if not model:
            model, notes = factor_model(spec, SimpleNamespace(columns=columns), options.constructs)
        names = parse_model(model).observed_names()
        check_model_columns(names, columns, source)
        wanted = options.groups
        patterns = _group_patterns(esurvey, [names], column)
        free = options.free or []
    present = [g for g in patterns if g is not None]
    if wanted is not None:
        _restrict(present, wanted, column)
        labels = list(wanted)
    else:
        labels = _spec_order(spec, column, present)
    unlabelled = sum(pm.n for g, pm in patterns.items() if g not in labels)
    try:
        result = analyze_invariance_patterns({g: patterns[g] for g in labels if g in patterns}, model,
                                             group_labels=labels, n_unlabelled=unlabelled, free=free,
                                             rule=options.rule, std_lv=options.std_lv, missing=options.missing,
                                             **_gate(options))
    except InputError as exc:
        if exc.file is None and exc.option is None and source:
            exc.file = source          # a problem of the data: name the file(s)
        raise
    if by_construct:
        untested = [c.construct for c in result.constructs
                    if c.level is None and (c.result is None or c.result.configural_fit.get("verdict") != "poor")]
        if untested:
            result.warnings.append("no invariance verdict (fewer than 3 items or not estimable): "
                                   + ", ".join(untested) + "; their group means are compared without this check")
        result.warnings = [w for w in result.warnings if "without a group value" not in w]
        return result
    warnings = list(result.warnings)
    if options.groups is not None:   # rows outside the compared groups are expected, not a data problem
        warnings = [w for w in warnings if "without a group value" not in w]
    result.warnings = notes + warnings
    return result


def _group_patterns(esurvey, blocks, column) -> dict:
    """``{group value or None: PatternMoments}`` over the items of ``blocks`` (co-moments within a block
    only), in passes of at most 62 variables (whole blocks; a block longer than that cannot be fitted)."""
    batches, cur = [], []
    for blk in blocks:
        blk = list(dict.fromkeys(blk))
        new = [i for i in blk if i not in cur]
        if cur and len(cur) + len(new) > 62:
            batches.append(cur)
            cur, new = [], blk
        cur += new
    batches.append(cur)
    names = list(dict.fromkeys(i for blk in blocks for i in blk))
    out: dict = {}
    for batch in batches:
        inside = [b for b in blocks if set(b) <= set(batch)]
        part = esurvey.pattern_moments(batch, group=column, blocks=inside if len(blocks) > 1 else None)
        for g, pm in part.items():
            out.setdefault(g, []).append(pm)
    if len(batches) == 1:
        return {g: pms[0] for g, pms in out.items()}
    # several passes: each construct reads its own batch (the patterns of the other batches are unknown)
    return {g: _Batches(names, pms) for g, pms in out.items()}


class _Batches:
    """The pattern moments of a group read in several passes (batches of variables): ``project`` onto
    the items of one batch; ``n`` the group's rows."""

    def __init__(self, names, parts):
        self.names, self.parts = tuple(names), list(parts)
        self.n = parts[0].n if parts else 0

    def project(self, items):
        for pm in self.parts:
            if set(items) <= set(pm.names):
                return pm.project(items)
        raise ValueError(f"no batch holds every one of {items}")


def _spec_order(spec, column, present) -> list:
    """The groups present in the spec's order: customer, staff; a segment's values as declared; others sorted."""
    if column == "respondent_type":
        order = ["customer", "staff"]
    else:
        seg = next((g for g in spec.segments if g.id == column), None)
        order = [str(v) for v in (seg.values if seg is not None else {})]
    return [g for g in order if g in present] + sorted(g for g in present if g not in order)
