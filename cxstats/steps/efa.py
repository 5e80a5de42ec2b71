"""Analysis ``efa``: exploratory factor analysis (psych::fa) with KMO, Bartlett and parallel analysis.

With a spec: the items of every construct (or of ``constructs``, or the ``items`` given),
answered by the chosen ``respondents`` (customer by default; ``staff``; ``all`` pooled;
``both`` = customers and staff, one EFA each); ``factors: constructs`` asks for one factor per
construct. Without a spec (one plain file): the ``items`` given; ``scale_range`` (MIN, MAX)
declares their answer scale: any other value that is not a declared missing code is refused.
``cor``: ``polychoric`` factors the polychoric correlations of the complete rows (psych ``fa.poly``).

``engine`` (auto | pandas | duckdb | spark; with a spec): where the data are read. On DuckDB or
Spark the correlations come from the moments per answer pattern (one pass) and the parallel
analysis from each item's counts per answer (a second pass): the same numbers as pandas.
Polychoric correlations need the rows (engine auto then uses pandas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "efa"
WORKBOOK = "measurement"


@dataclass
class Options(StepOptions):
    items: list[str] | None = None         # the items to factor (default with a spec: every construct's)
    constructs: list[str] | None = None    # with a spec: the items of these constructs
    factors: int | str | None = None       # number of factors, 'constructs' (spec), or parallel analysis
    method: Literal["minres", "ml"] = "minres"
    rotation: Literal["oblimin", "promax", "varimax", "none"] = "oblimin"
    missing: Literal["pairwise", "listwise"] = "pairwise"
    respondents: Literal["customer", "staff", "all", "both"] | None = None  # with a spec; default customer
    iterations: int = 20                   # random data sets of the parallel analysis
    scale_range: list[float] | None = None  # MIN, MAX answer scale (without a spec): other values refused
    cor: Literal["pearson", "polychoric"] = "pearson"  # polychoric: psych fa.poly convention (complete rows)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the moments are computed
    spark_master: str | None = None        # engine spark: the cluster (default: the active session or local)

    DEPRECATED = {"respondent_type": "respondents"}

    def validate(self):
        if isinstance(self.factors, str) and self.factors != "constructs":
            raise InputError(f"a whole number or 'constructs', not {self.factors!r}", option="factors")
        if isinstance(self.factors, int) and self.factors < 1:
            raise InputError(f"the number of factors must be at least 1, not {self.factors}", option="factors")
        if self.scale_range is not None and (len(self.scale_range) != 2
                                             or not self.scale_range[0] < self.scale_range[1]):
            raise InputError(f"give the answer scale as MIN,MAX (e.g. 1,5), not {self.scale_range}",
                             option="scale_range")
        if self.iterations < 1:
            raise InputError(f"parallel analysis needs at least 1 random data set, not {self.iterations}",
                             option="iterations")


def run(ctx: StepContext, options: Options):
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options, needs_rows=options.cor == "polychoric")
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine)
    if ctx.has_spec:
        return _from_spec(ctx, options)
    return _from_file(ctx, options)


def _spec_items(ctx, options, columns):
    """(items, number of factors, respondent types) of a run with a spec; ``columns``: the survey's."""
    spec = ctx.spec
    if options.scale_range is not None:
        raise InputError("cannot be used with a study spec: each item's answer scale comes from the spec",
                         option="scale_range")
    constructs = {c.id: c for c in spec.constructs()}
    chosen = options.constructs
    if chosen:
        bad = [c for c in chosen if c not in constructs]
        if bad:
            raise InputError(f"unknown construct {bad[0]!r}; the spec has: {', '.join(constructs)}",
                             option="constructs")
    items = options.items or [i for c in (chosen or constructs) for i in constructs[c].item_ids]
    missing_items = [i for i in items if i not in columns]
    if missing_items:
        raise InputError(f"{missing_items[0]!r} is not an item of the survey table", option="items")
    factors = options.factors
    if factors == "constructs":
        factors = len(chosen or constructs)
    who = options.respondents or "customer"
    return items, factors, ["customer", "staff"] if who == "both" else [who]


def _run_on_engine(ctx, options, engine):
    """The EFA from the moments per answer pattern (correlations, KMO, Bartlett, fit) and each item's
    counts per answer (the parallel analysis' resampling), computed by a SQL engine in two passes."""
    from cxstats.moments import Counts, PatternMoments
    from cxstats.stats.efa import EfaByRespondentsResult
    from cxstats.stats.from_moments import analyze_efa_moments

    if options.cor == "polychoric":
        raise InputError(f"polychoric correlations are computed from the rows: engine {engine} computes moments; "
                         "use --engine pandas (on a sample if the data are large)", option="cor")
    esurvey = ctx.engine_survey(engine, options.spark_master)
    columns = list(ctx.spec.scored_columns())
    items, factors, kinds = _spec_items(ctx, options, columns)
    by_type = esurvey.pattern_moments(items, group="respondent_type")
    where = (" AND ".join(f"{esurvey.b.quote(i)} IS NOT NULL" for i in items)
             if options.missing == "listwise" else None)
    cells = esurvey.cell_counts_many({i: esurvey.b.quote(i) for i in items}, ["respondent_type"], where)
    parts = []
    for k in kinds:
        keys = [g for g in by_type if k == "all" or g == k]
        pm = PatternMoments(tuple(items), {})
        for g in sorted(keys, key=str):
            pm = pm.merge(by_type[g])
        if pm.n == 0:
            raise InputError(f"the data has no {k} respondents", option="respondents")
        counts = {}
        for i in items:
            c = Counts({})
            for (g,), cc in sorted(cells[i].items(), key=lambda kv: str(kv[0])):
                if k == "all" or g == k:
                    c = c.merge(cc)
            counts[i] = c
        try:
            parts.append((k, analyze_efa_moments(pm, counts, n_factors=factors, method=options.method,
                                                 rotation=options.rotation, missing=options.missing, seed=ctx.seed,
                                                 n_iter=options.iterations,
                                                 progress=ctx.progress(f"parallel analysis ({k})"))))
        except InputError as exc:
            if exc.option:
                raise
            raise InputError(f"{k}: {exc.render()}", file=ctx.source or None, details=exc.details) from None
    return EfaByRespondentsResult(parts)


def _efa(ctx, frame, items, factors, options, *, file, desc="parallel analysis"):
    from cxstats.stats.efa import analyze_efa

    return analyze_efa(frame, items, n_factors=factors, method=options.method, rotation=options.rotation,
                       missing=options.missing, seed=ctx.seed, n_iter=options.iterations,
                       progress=ctx.progress(desc), file=file,
                       **({"cor": options.cor} if options.cor != "pearson" else {}))


def _from_spec(ctx, options):
    from cxstats.stats.efa import EfaByRespondentsResult

    data = ctx.survey.data
    items, factors, kinds = _spec_items(ctx, options, data.columns)
    parts = []
    for k in kinds:
        sub = data if k == "all" else data[data["respondent_type"] == k]
        if len(sub) == 0:
            raise InputError(f"the data has no {k} respondents", option="respondents")
        try:
            parts.append((k, _efa(ctx, sub, items, factors, options, file=None,
                                  desc=f"parallel analysis ({k})")))
        except InputError as exc:
            if exc.option:
                raise
            raise InputError(f"{k}: {exc.render()}", file=ctx.source or None, details=exc.details) from None
    return EfaByRespondentsResult(parts)


def _from_file(ctx, options):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_numeric

    for name in ("constructs", "respondents"):
        if getattr(options, name) is not None:
            raise InputError("needs a study spec (respondent types and constructs come from it)", option=name)
    if options.factors == "constructs":
        raise InputError("'constructs' needs a study spec; give a number of factors", option="factors")
    path = ctx.one_file()
    if not options.items:
        raise InputError("name the items to factor (at least 3), or give a study spec", option="items")
    names = options.items
    table = read_table(path)
    table.require_columns(names)
    frame = load_numeric(path, names, table=table,
                         scale_range=tuple(options.scale_range) if options.scale_range is not None else None)
    empty = [c for c in names if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric answers", file=table.path, column=empty[0])
    try:
        return _efa(ctx, frame, names, options.factors, options, file=table.path)
    except InputError as exc:
        if exc.file is not None or exc.option:
            raise
        raise InputError(exc.reason, file=table.path, column=exc.column, row=exc.row, value=exc.value,
                         details=exc.details) from None
