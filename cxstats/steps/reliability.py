"""Analysis ``reliability``: Cronbach's alpha, McDonald's omega and item-total statistics per scale.

With a spec: every construct with two or more items (or ``constructs``, or the ``scales``
given), per respondent type (or per ``group``); reverse-keyed items come recoded from the
spec, single-item constructs are left out with a warning. Without a spec (one plain file):
the ``scales`` given (NAME -> items), reverse-keyed items (``reverse``) recoded as
lo + hi - x on the answer scale ``lo``..``hi``, optionally per ``group``. ``scale_range``
(MIN, MAX; without a spec) declares the answer scale: any other value that is not a declared
missing code is refused, and it supplies ``lo``/``hi`` for reverse keying when they are not given.
``weight``: a column of survey weights (alpha, omega and the item statistics from the weighted
covariance; Feldt's CI on Kish's effective n; see :mod:`cxstats.stats.reliability`).
``ordinal``: also ordinal alpha and omega from the polychoric correlations (rows complete on the scale).

``bootstrap`` (B replicates, percentile CI of alpha) and ``bootstrap_method``: ``row`` resamples
respondents (pandas only: it needs the rows); ``poisson`` gives each respondent a Poisson(1) count
per replicate fixed by the seed, respondent type and id (:mod:`cxstats.stats.poisson_bootstrap`),
so a SQL engine computes all B replicates' covariances in ONE pass, and pandas, DuckDB and Spark
give the same interval; ``auto`` (default): row on pandas, poisson on DuckDB and Spark. Engines
need a respondent id (``respondents: id_column`` of the spec).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "reliability"
WORKBOOK = "measurement"


@dataclass
class Options(StepOptions):
    scales: dict[str, list[str]] | None = None  # NAME -> [items] (default with a spec: its constructs)
    constructs: list[str] | None = None    # with a spec: these constructs only (default: all)
    reverse: list[str] | None = None       # reverse-keyed items (without a spec; needs lo and hi)
    lo: float | None = None                # lowest answer code (for reverse)
    hi: float | None = None                # highest answer code (for reverse)
    group: str | None = None               # report per value of this column (spec: respondent type)
    missing: Literal["pairwise", "listwise"] = "pairwise"
    bootstrap: int = 0                     # resamples for a percentile bootstrap CI of alpha
    bootstrap_method: Literal["auto", "row", "poisson"] = "auto"  # auto: row on pandas, poisson on engines
    scale_range: list[float] | None = None  # MIN, MAX answer scale (without a spec): other values refused
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the moments are computed
    spark_master: str | None = None        # engine spark: the cluster (default: the active session or local)
    weight: str | None = None              # survey-weight column (weighted covariance)
    ordinal: bool = False                  # also ordinal alpha/omega (polychoric correlations, listwise)

    DEPRECATED = {"by": "group"}

    def validate(self):
        if self.scales is not None:
            scales = {}
            for name, items in self.scales.items():
                if isinstance(items, str):
                    items = [i.strip() for i in items.split(",")]
                if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i for i in items):
                    raise InputError(f"scale {name!r}: give its items as a list of column names",
                                     option="scales")
                scales[str(name)] = list(items)
            self.scales = scales or None
        if self.scales and self.constructs:
            raise InputError("give scales or constructs, not both", option="constructs")
        if self.bootstrap < 0:
            raise InputError(f"the number of bootstrap resamples cannot be negative ({self.bootstrap}); "
                             "0 = no bootstrap, e.g. 1000", option="bootstrap")
        if self.scale_range is not None and (len(self.scale_range) != 2
                                             or not self.scale_range[0] < self.scale_range[1]):
            raise InputError(f"give the answer scale as MIN,MAX (e.g. 1,5), not {self.scale_range}",
                             option="scale_range")
        if self.weight and self.bootstrap:
            raise InputError("a bootstrap interval with survey weights is not available; leave out the "
                             "bootstrap (Feldt's interval then uses Kish's effective n)", option="bootstrap")
        if self.lo is not None and self.hi is not None and not self.lo < self.hi:
            raise InputError(f"the lowest answer code ({self.lo:g}) must be below the highest "
                             f"({self.hi:g})", option="lo")


def run(ctx: StepContext, options: Options):
    from cxstats.stats.reliability import analyze_reliability
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options, needs_rows=(bool(options.bootstrap) and options.bootstrap_method == "row")
                        or options.weight is not None)
    if engine != "pandas":
        return _run_on_engine(ctx, options, engine)
    weights = None
    boot_keys = boot_shifts = None
    if ctx.has_spec:
        frame, scales, reverse, groups, skipped = _from_spec(ctx, options)
        if options.bootstrap and options.bootstrap_method == "poisson":
            boot_keys, boot_shifts = _poisson_keys(ctx, frame, scales)
        lo = hi = row_of = None
        file = ctx.source or None
        if options.weight:
            from cxstats.steps._weights import from_survey

            weights = from_survey(ctx, frame, options.weight, used=[g is not None for g in groups])
    else:
        frame, scales, groups, file, row_of, weights = _from_file(ctx, options)
        if options.bootstrap and options.bootstrap_method == "poisson":   # no id: rows keyed by position
            from cxstats.stats.poisson_bootstrap import key_text

            boot_keys = [key_text(_seed(ctx), "row", i + 1) for i in range(len(frame))]
        reverse, lo, hi, skipped = list(options.reverse or []), options.lo, options.hi, []
        if options.scale_range is not None:  # the answer scale also gives reverse keying's lo and hi
            lo = options.scale_range[0] if lo is None else lo
            hi = options.scale_range[1] if hi is None else hi
    try:
        result = analyze_reliability(
            frame, scales, missing=options.missing, reverse=reverse, lo=lo, hi=hi, groups=groups,
            n_boot=options.bootstrap, seed=ctx.seed, file=file, row_of=row_of,
            reversed_already=ctx.has_spec,
            progress=ctx.progress("bootstrap") if options.bootstrap else None, weights=weights,
            **({"ordinal": True} if options.ordinal else {}),
            weight_name=options.weight, boot_keys=boot_keys, boot_shifts=boot_shifts)
    except InputError as exc:
        if exc.file is not None or exc.option or file is None:
            raise
        raise InputError(exc.reason, file=file, column=exc.column, row=exc.row, value=exc.value,
                         details=exc.details) from None
    if skipped:
        result.warnings.append(f"single-item constructs have no reliability: {', '.join(skipped)}")
    return result


def _run_on_engine(ctx, options, engine):
    """The same analysis from pattern moments computed by a SQL engine (one pass over the data)."""
    from cxstats.stats.from_moments import analyze_reliability_moments

    if options.bootstrap and options.bootstrap_method == "row":
        raise InputError(f"the row bootstrap resamples respondents and needs the rows; engine {engine} "
                         "computes moments: use --bootstrap-method poisson (one pass, the same interval "
                         "as pandas with poisson) or --engine pandas", option="bootstrap_method")
    if options.weight:  # the engines' moments are unweighted: a weighted alpha would be silently wrong
        raise InputError(f"survey weights are applied row by row; engine {engine} computes unweighted "
                         "moments: use --engine pandas with --weight", option="weight")
    esurvey = ctx.engine_survey(engine, options.spark_master)
    columns = _view_columns(ctx.spec)
    scales, reverse, col, skipped = _scales_from_spec(ctx.spec, columns, options)
    items = list(dict.fromkeys(i for its in scales.values() for i in its))
    moments = esurvey.pattern_moments(items, group=col, blocks=list(scales.values()))
    moments.pop(None, None)          # rows without a group value are left out (as the pandas path)
    result = analyze_reliability_moments(moments, scales, missing=options.missing, reverse=reverse,
                                         file=", ".join(esurvey.sources) or None)
    if options.bootstrap:
        _poisson_on_engine(esurvey, result, scales, items, col, options, _seed(ctx))
    if skipped:
        result.warnings.append(f"single-item constructs have no reliability: {', '.join(skipped)}")
    return result


def _seed(ctx) -> int:
    return 0 if ctx.seed is None else int(ctx.seed)


def _poisson_keys(ctx, frame, scales):
    """Each row's key text and each item's whole-number shift, as the engines use them."""
    from cxstats.stats.poisson_bootstrap import key_text

    seed = _seed(ctx)
    keys = [key_text(seed, t, i) for t, i in zip(frame["respondent_type"].tolist(),
                                                  frame["respondent_id"].tolist())]
    items = list(dict.fromkeys(i for its in scales.values() for i in its))
    return keys, _whole_shifts(ctx.spec, items)


def _whole_shifts(spec, items) -> dict:
    """The engines' shifts (EngineSurvey._integer_shifts): the scale's middle when every item has
    whole codes on a scale with whole ends, else 0."""
    scored = spec.scored_columns()
    out = {}
    for c in items:
        sc = scored.get(c)
        if sc is None or not sc.integer or not float(sc.min).is_integer() or not float(sc.max).is_integer():
            return {c: 0.0 for c in items}
        out[c] = float(int((sc.min + sc.max) // 2))
    return out


def _poisson_on_engine(esurvey, result, scales, items, col, options, seed):
    """The Poisson-bootstrap interval of every alpha: all B replicates' pairwise (or listwise)
    sums of every scale in ONE pass (:meth:`EngineSurvey.bootstrap_sums`)."""
    from cxstats.stats.poisson_bootstrap import alpha_interval, percentile_interval

    shifts = _whole_shifts(esurvey.spec, items)
    blocks = list(scales.values())
    disjoint = len(items) == sum(len(b) for b in blocks)
    if disjoint or options.missing == "pairwise":
        sums = {None: esurvey.bootstrap_sums(items, options.bootstrap, seed, group=col, blocks=blocks,
                                             missing=options.missing, shifts=shifts)}
    else:   # listwise with an item in two scales: one pass per scale
        sums = {name: esurvey.bootstrap_sums(its, options.bootstrap, seed, group=col, missing="listwise",
                                             shifts=shifts) for name, its in scales.items()}
    for s in result.scales:
        cols = items if None in sums else scales[s.scale]
        cell = sums[None if None in sums else s.scale].get(s.group)
        if cell is None:
            s.alpha_ci_bootstrap = percentile_interval([float("nan")] * options.bootstrap)
        else:
            s.alpha_ci_bootstrap = alpha_interval((cell["n"], cell["sx"], cell["sxy"]),
                                                  [cols.index(i) for i in s.items])
        s.alpha_ci_bootstrap["seed"] = seed
    result.n_bootstrap, result.seed, result.bootstrap_method = options.bootstrap, seed, "poisson"


def _view_columns(spec) -> list[str]:
    return (["respondent_type"] + list(spec.scored_columns()) + [g.id for g in spec.segments])


def _from_spec(ctx, options):
    spec, frame = ctx.spec, ctx.survey.data
    scales, reverse, col, skipped = _scales_from_spec(spec, list(frame.columns), options)
    groups = [None if v is None or v != v else str(v) for v in frame[col].tolist()]
    return frame, scales, reverse, groups, skipped


def _scales_from_spec(spec, columns, options):
    """(scales, reverse-keyed items, group column, single-item constructs) of a spec run."""
    if options.scale_range is not None:
        raise InputError("cannot be used with a study spec: each item's answer scale comes from the spec",
                         option="scale_range")
    if options.reverse:
        raise InputError("cannot be used with a study spec: reverse keying comes from the spec "
                         "(items with reverse: true are already recoded)", option="reverse")
    skipped = []
    if options.scales:
        scales = options.scales
        unknown = [i for its in scales.values() for i in its if i not in columns]
        if unknown:
            raise InputError(f"{unknown[0]!r} is not an item of the survey table", option="scales")
    else:
        constructs = {c.id: c for c in spec.constructs()}
        wanted = options.constructs or list(constructs)
        bad = [c for c in wanted if c not in constructs]
        if bad:
            raise InputError(f"unknown construct {bad[0]!r}; use {', '.join(constructs)}", option="constructs")
        scales = {c: constructs[c].item_ids for c in wanted if len(constructs[c].item_ids) >= 2}
        skipped = [c for c in wanted if c not in scales]
        if not scales:
            raise InputError("no construct has two or more items; reliability needs at least two",
                             option="constructs")
    col = options.group or "respondent_type"
    if col not in columns:
        raise InputError(f"{col!r} is not a column of the survey table (it has: "
                         f"{', '.join(c for c in columns if not c.startswith('_'))})", option="group")
    used = {i for its in scales.values() for i in its}
    reverse = [i.id for i in spec.items() if i.reverse and i.id in used]
    return scales, reverse, col, skipped


def _from_file(ctx, options):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric

    if options.constructs:
        raise InputError("needs a study spec (constructs come from it)", option="constructs")
    path = ctx.one_file()
    if not options.scales:
        raise InputError("give at least one scale NAME=ITEM1,ITEM2,... (or a study spec)", option="scales")
    if options.reverse and options.scale_range is None and (options.lo is None or options.hi is None):
        raise InputError("reverse-keyed items need the answer scale's range: give its lowest code lo "
                         "and highest code hi (e.g. 1 and 5) to recode them as lo + hi - x",
                         option="lo" if options.lo is None else "hi")
    needed = []
    for its in options.scales.values():
        needed.extend(i for i in its if i not in needed)
    table = read_table(path)
    table.require_columns(needed + [c for c in (options.group, options.weight) if c])
    frame = load_numeric(path, needed, table=table,
                         scale_range=tuple(options.scale_range) if options.scale_range is not None else None)
    empty = [c for c in needed if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric answers", file=table.path, column=empty[0])
    groups = load_column_text(path, options.group, table=table) if options.group else None
    weights = table.frame[options.weight].tolist() if options.weight else None   # checked per group
    return frame, options.scales, groups, table.path, table.file_row, weights
