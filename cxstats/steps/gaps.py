"""Analysis ``gaps``: two groups compared per item, construct, touchpoint and component
(customers vs frontline staff by default), or one group against the aspirations.

With a spec: the items, constructs, touchpoints, components, aspirations, answer scales and
survey weight come from the spec, and customers are compared with staff (``group``, default
``respondent_type``). When the data hold one respondent type only (customers without a staff
file) and no ``group`` is named, that group is compared with the aspirations instead (one
group, one-sample tests; :func:`cxstats.stats.gaps.analyze_aspiration_gaps`), with a warning;
without any aspiration the analysis does not apply (:class:`NotApplicable`: a plan skips it).

Without a spec (one plain file): the ``items`` and/or ``scales`` / ``touchpoints`` /
``components`` (``{NAME: [items]}``), the two groups of column ``group`` (``compare`` picks
two when it has more), or no ``group`` and ``aspirations`` for the one-group analysis.

Invariance verdicts (``{construct: level}``) come from an earlier invariance result (a plan)
and/or the ``invariance`` option: constructs below scalar invariance are marked as not
interpretable.

Options (plan keys = command-line options): ``group``, ``compare``, ``items``, ``scales``,
``touchpoints``, ``components``, ``aspirations``, ``scale_max``, ``weight`` (a column; with a
spec true/false = the spec's weight or none, default the spec's weight when it has one),
``by`` (segments), ``min_n`` (default 30), ``levels`` (subset of item, construct, touchpoint,
component), ``alpha`` (default 0.05), ``invariance``, ``paired``, ``id``, ``importance``,
``engine`` (auto | pandas | duckdb | spark; with a spec), ``spark_master``.

On a SQL engine (DuckDB, Spark): two independent groups from counts per answer and per scale
score and cell (group x segment), all in one pass
(:func:`cxstats.stats.from_moments.analyze_gaps_counts`): the pandas path's numbers. Weights,
``paired``/``id``, ``importance``, one group against the aspirations and respondent ids shared
by both groups (paired data) need the rows: refused naming the option (``auto``: pandas).

Paired data (``paired``): when the two groups are answers of the SAME respondents (e.g.
satisfaction and importance rows stacked in one file), the rows are paired by respondent id
(``id``; with a spec its ``respondent_id``) and compared with the paired t test, the Wilcoxon
signed-rank test and d_z (:func:`cxstats.stats.gaps.tests.compare_paired`); ids in one group
only are counted and left out. ``paired`` unset: paired automatically, with a warning, when at
least half of each group's ids are in the other group; ``paired: false`` forces independent
groups (Welch), ``paired: true`` requires the id column.

Stated importance (``importance: {performance item: importance column}``, SERVQUAL-style):
importance items answered by the same respondents as the performance items. The importance
answers are stacked under the performance items' names as group ``importance`` next to group
``performance`` (column ``measure``) and compared row by row as paired data: per item (and per
construct/touchpoint/component whose items all have an importance column) the gap
importance - performance (``diff``), the paired t and Wilcoxon tests, d_z and Holm/BH. This is
importance as the respondents state it; derived importance (regression weights of the items on
an outcome) is the ``drivers`` analysis - both can be read side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "gaps"
WORKBOOK = "gaps"

LEVELS = ("item", "construct", "touchpoint", "component")
VERDICTS = ("configural", "metric", "scalar", "strict", "none", "partial_scalar", "partial_metric")


@dataclass
class Options(StepOptions):
    group: str | None = None                      # column with the groups (spec: respondent_type)
    compare: list[str] | None = None              # the two values of group to compare, A - B
    items: list[str] | None = None                # items compared one by one (spec: all)
    scales: dict[str, list[str]] | None = None    # construct NAME -> items (spec: its constructs)
    touchpoints: dict[str, list[str]] | None = None
    components: dict[str, list[str]] | None = None
    aspirations: dict[str, float] | None = None   # NAME -> target mean (added to the spec's)
    scale_max: float | None = None                # top-2-box scale maximum (spec: each item's)
    weight: str | bool | None = None              # weight column (spec: true/false)
    by: str | None = None                         # segment column
    min_n: int = 30                               # segment cells with fewer answers suppressed
    levels: list[Literal["item", "construct", "touchpoint", "component"]] | None = None
    alpha: float = 0.05
    invariance: dict[str, str] | None = None      # construct -> invariance level
    paired: bool | None = None                    # same respondents in both groups (None: detect by id)
    id: str | None = None                         # respondent-id column pairing the rows (spec: its id)
    importance: dict[str, str] | None = None      # performance item -> stated-importance column
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the counts are computed
    spark_master: str | None = None               # engine spark: the cluster (default: the active session or local)

    def validate(self):
        if self.compare is not None and (len(self.compare) != 2 or self.compare[0] == self.compare[1]):
            raise InputError(f"give exactly two different group values A,B, not {self.compare}",
                             option="compare")
        for key in ("scales", "touchpoints", "components"):
            mapping = getattr(self, key)
            for name, its in (mapping or {}).items():
                if isinstance(its, str):
                    its = mapping[name] = [its]
                if not isinstance(its, (list, tuple)) or not its or not all(isinstance(i, str) for i in its):
                    raise InputError(f"{name!r}: give its items as a list of column names, not {its!r}",
                                     option=key)
        for name, target in (self.aspirations or {}).items():
            if isinstance(target, bool) or not isinstance(target, (int, float)):
                raise InputError(f"the aspiration of {name!r} must be a number, not {target!r}",
                                 option="aspirations")
            self.aspirations[name] = float(target)
        if self.min_n < 1:
            raise InputError(f"must be at least 1, not {self.min_n}", option="min_n")
        for name, col in (self.importance or {}).items():
            if not isinstance(col, str) or not col:
                raise InputError(f"the importance column of {name!r} must be a column name, not {col!r}",
                                 option="importance")
        if self.importance and (self.group or self.compare):
            raise InputError("stated importance compares importance with performance on the same "
                             "respondents: give no group/compare with it", option="importance")
        if self.importance and self.paired is False:
            raise InputError("stated importance and performance are answers of the same respondents: "
                             "they are always compared as paired data", option="paired")
        if not 0 < self.alpha < 1:
            raise InputError(f"must be between 0 and 1, not {self.alpha}", option="alpha")
        if self.invariance is not None:
            clean = {}
            for name, level in self.invariance.items():
                if str(level).lower() not in VERDICTS:
                    raise InputError(f"level {level!r} of {name!r} is not one of configural, metric, "
                                     "scalar, strict, none", option="invariance")
                clean[str(name)] = str(level).lower()
            self.invariance = clean


def run(ctx: StepContext, options: Options):
    from cxstats.stats.gaps import analyze_aspiration_gaps, analyze_gaps, expand_aspirations
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options, needs_rows=bool(_row_options(ctx, options)))
    if engine != "pandas":
        result = _run_on_engine(ctx, options, engine)
        if result is not None:
            return result           # None: engine auto met data that need the rows (pandas below)
    prep = _from_spec(ctx, options) if ctx.has_spec else _from_file(ctx, options)
    if options.importance:
        prep = _stack_importance(prep, options.importance)
    if prep["compare"] is not None and prep["group"]:
        prep["compare"] = resolve_group_values(prep["frame"][prep["group"]], prep["compare"],
                                               prep.get("value_labels") or {})
    full = prep["levels"]
    wanted = options.levels or list(LEVELS)
    levels = {lv: m for lv, m in full.items() if lv in wanted and m}
    verdicts = invariance_verdicts(ctx)
    verdicts.update(options.invariance or {})
    try:
        # aspirations over every level (items inherit their construct's even when only items are shown)
        aspirations = expand_aspirations({lv: m for lv, m in full.items() if m}, prep["targets"])
        common = dict(levels=levels, scale_max=prep["scale_max"], aspirations=aspirations,
                      weight=prep["weight"], by=options.by, min_n=options.min_n, alpha=options.alpha)
        if prep["one_group"]:
            result = analyze_aspiration_gaps(prep["frame"], label=prep["label"],
                                             group_column=prep["group_column"], **common)
        else:
            result = analyze_gaps(prep["frame"], prep["group"], compare=prep["compare"],
                                  invariance=verdicts, paired=prep.get("paired", _paired(ctx, options)),
                                  id_column=prep.get("id_column"), **common)
    except InputError as exc:
        raise _in_file(exc, ctx.source) from None
    _fill_scale_min(ctx, options, prep, result)
    if prep["one_group"]:
        if prep["note"]:
            result.warnings.insert(0, prep["note"])
        if verdicts:
            result.warnings.append("invariance verdicts not applied: they concern comparisons between "
                                   "groups, and this analysis has one group")
    return result


def _row_options(ctx, options) -> list:
    """The options of this run that need the rows (a SQL engine counts answers per cell):
    survey weights, paired comparisons, stated importance."""
    out = []
    spec_weight = ctx.has_spec and bool(getattr(ctx.spec, "weight", None))
    if (isinstance(options.weight, str) and options.weight) or (options.weight in (None, True) and spec_weight):
        out.append(("weight", "survey weights are applied row by row"))
    if options.paired:
        out.append(("paired", "a paired comparison matches each respondent's rows"))
    if options.id:
        out.append(("id", "pairing rows by a respondent-id column matches each respondent's rows"))
    if options.importance:
        out.append(("importance", "stated importance is compared row by row with performance (paired)"))
    return out


def _refuse_rows(engine, option, why):
    raise InputError(f"{why}; engine {engine} counts answers per group: use --engine pandas",
                     option=option)


def _run_on_engine(ctx, options, engine):
    """Two independent groups compared from counts per answer (or scale score) and cell (group x
    segment), one aggregation pass per item and scale on a SQL engine. None when engine auto
    finds data that need the rows (one group against the aspirations, paired respondent ids)."""
    import pandas as pd

    from cxstats.stats.from_moments import analyze_gaps_counts
    from cxstats.stats.gaps import expand_aspirations
    from cxstats.stats.gaps.analysis import MIN_SHARE

    auto = options.engine == "auto"
    for option, why in _row_options(ctx, options):
        _refuse_rows(engine, option, why)
    spec = ctx.spec
    esurvey = ctx.engine_survey(engine, options.spark_master)
    columns = ["respondent_type"] + list(spec.scored_columns()) + [g.id for g in spec.segments]
    group, compare = options.group, options.compare
    one_type = not group
    group = group or "respondent_type"
    for col, key in ((group, "group"), (options.by, "by")):
        if col and col not in columns:
            known = (f"segments of the spec: {', '.join(s.id for s in spec.segments) or 'none'}"
                     if key == "by" else f"it has: {', '.join(columns)}")
            raise InputError(f"{col!r} is not a column of the survey table ({known})", option=key)
    cells = [group, options.by]
    rows = {k: int(c.n) for k, c in esurvey.cell_counts(None, cells, expr="1.0").items()}
    types = {k[0] for k in rows if k[0] is not None}
    if one_type and len(types) == 1:
        if auto:
            return None
        _refuse_rows(engine, "group", f"the data hold {_plural(next(iter(types)))} only: one group "
                     "against the aspirations (one-sample and signed-rank tests) is computed from the rows")
    spec_levels = spec.levels()
    full = {"item": {i: [i] for i in (options.items or spec.item_ids())},
            "construct": options.scales or spec_levels.get("construct", {}),
            "touchpoint": options.touchpoints or spec_levels.get("touchpoint", {}),
            "component": options.components or spec_levels.get("component", {})}
    for m in full.values():
        for its in (m or {}).values():
            for i in its:
                if i not in columns:
                    raise InputError("no such column", column=i)
    targets = {**spec.aspirations(), **(options.aspirations or {})}
    scale_max = (options.scale_max if options.scale_max is not None
                 else {i.id: i.scale.max for i in spec.items() if i.scale is not None})
    if compare is None and group == "respondent_type":
        compare = ["customer", "staff"]
    if compare is not None:
        segment = next((g for g in spec.segments if g.id == group), None)
        present = pd.Series([k[0] for k in rows if k[0] is not None], dtype=object)
        compare = resolve_group_values(present, compare, dict(segment.values) if segment is not None else {})
    paired = _paired(ctx, options)
    two = compare or sorted({k[0] for k in rows if k[0] is not None})
    if paired is None and len(two) == 2:   # the view's respondent_id (NULL without one)
        if _ids_overlap(esurvey, group, two):
            if auto:
                return None
            _refuse_rows(engine, "paired", "the same respondent ids are in both groups (paired data): "
                         "a paired comparison matches each respondent's rows")
    wanted = options.levels or list(LEVELS)
    levels = {lv: m for lv, m in full.items() if lv in wanted and m}
    counts = esurvey.cell_counts_many({(lv, name): esurvey.score_expr(its, MIN_SHARE)  # one pass
                                       for lv, m in levels.items() for name, its in m.items()}, cells)
    verdicts = invariance_verdicts(ctx)
    verdicts.update(options.invariance or {})
    source = ", ".join(esurvey.sources) or None
    try:
        aspirations = expand_aspirations({lv: m for lv, m in full.items() if m}, targets)
        result = analyze_gaps_counts(counts, rows, group, levels=levels, compare=compare,
                                     scale_max=scale_max, aspirations=aspirations, by=options.by,
                                     min_n=options.min_n, invariance=verdicts, alpha=options.alpha)
    except InputError as exc:
        raise _in_file(exc, source or "") from None
    _fill_scale_min(ctx, options, {"levels": levels, "frame": pd.DataFrame()}, result)
    return result


def _ids_overlap(esurvey, group, compare) -> bool:
    """Whether at least half of each group's respondent ids are in the other group (the
    pandas path would pair the rows: ``stats.gaps.analysis.AUTO_PAIR_SHARE``)."""
    from cxstats.engine.survey import _text
    from cxstats.stats.gaps.analysis import AUTO_PAIR_SHARE

    esurvey.view()                     # builds the view and runs the id check once per survey
    if group == "respondent_type" and set(map(str, compare)) == {"customer", "staff"} \
            and esurvey.id_stats is not None:   # counted by the id check's pass: no pass of its own
        n1, n2, both = esurvey.id_stats["customer"], esurvey.id_stats["staff"], esurvey.id_stats["both"]
        return bool(n1 and n2 and both >= AUTO_PAIR_SHARE * max(n1, n2))
    q = esurvey.b.quote
    g = f"CAST({q(group)} AS STRING)"
    a, b = (_text(str(x)) for x in compare)
    sql = (f"SELECT count(DISTINCT CASE WHEN cx_g = {a} THEN cx_id END), "
           f"count(DISTINCT CASE WHEN cx_g = {b} THEN cx_id END), "
           f"(SELECT count(*) FROM (SELECT cx_id FROM cx_i WHERE cx_g = {a} INTERSECT "
           f"SELECT cx_id FROM cx_i WHERE cx_g = {b}) cx_both) FROM cx_i")
    sql = (f"WITH cx_i AS (SELECT {g} AS cx_g, CAST(respondent_id AS STRING) AS cx_id "
           f"FROM ({esurvey.view()}) cx_v WHERE respondent_id IS NOT NULL) " + sql)
    n1, n2, both = (int(v or 0) for v in esurvey.b.query(sql)[0])
    esurvey.passes += 1
    return bool(n1 and n2 and both >= AUTO_PAIR_SHARE * max(n1, n2))


def _fill_scale_min(ctx, options, prep, result) -> None:
    """The rating scale's minimum on ``result`` (the charts' value axis starts there): the
    spec's scales of the items analysed (their minima and maxima must agree, else
    ``scales_differ`` and no axis is fixed); without a spec, the observed minimum of the
    pooled answers (stated as such)."""
    import numpy as np
    import pandas as pd

    used = sorted({i for m in prep["levels"].values() for its in (m or {}).values() for i in its})
    if ctx.has_spec:
        scales = {i.id: i.scale for i in ctx.spec.items() if i.scale is not None and i.id in used}
        mins = {float(sc.min) for sc in scales.values()}
        maxs = ({float(options.scale_max)} if options.scale_max is not None
                else {float(sc.max) for sc in scales.values()})
        if len(mins) == 1 and len(maxs) == 1:
            result.scale_min, result.scale_min_source = mins.pop(), "the spec's scales"
            return
        if len(mins) > 1 or len(maxs) > 1:
            ranges = sorted({f"{sc.min:g}-{sc.max:g}" for sc in scales.values()})
            result.scales_differ = True
            result.scale_min_source = f"the items' scales differ ({', '.join(ranges)}): no common axis"
            return
    cols = [c for c in used if c in prep["frame"].columns]
    if cols:
        pooled = prep["frame"][cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        finite = pooled[np.isfinite(pooled)]
        if finite.size:
            result.scale_min = float(finite.min())
            result.scale_min_source = "observed minimum of the pooled answers"


IMPORTANCE, PERFORMANCE = "importance", "performance"


def _stack_importance(prep, importance: dict) -> dict:
    """Stated importance (SERVQUAL-style): the importance columns answered by the same
    respondents stacked under the performance items' names, as group ``importance`` next to
    group ``performance`` (column ``measure``), paired by row: the gap is importance minus
    performance per item (and per scale whose items all have an importance column)."""
    import pandas as pd

    frame = prep["frame"]
    for item, col in importance.items():
        for c, what in ((item, "performance item"), (col, "importance column")):
            if c not in frame.columns:
                raise InputError(f"{c!r} ({what}) is not a column of the data", option="importance")
    items = list(importance)
    keep = [c for c in (prep["weight"], None) if c]
    if keep:
        raise InputError("survey weights are not supported with stated importance (paired tests)",
                         option="weight")
    by = [c for c in frame.columns if c == prep.get("by")]
    perf = frame[items + by].copy()
    imp = frame[[importance[i] for i in items] + by].copy()
    imp.columns = items + by
    ids = [str(i + 1) for i in range(len(frame))]
    perf.insert(0, "measure", PERFORMANCE)
    imp.insert(0, "measure", IMPORTANCE)
    perf.insert(0, "_row", ids)
    imp.insert(0, "_row", ids)
    levels = {"item": {i: [i] for i in items}}
    for lv, mapping in prep["levels"].items():
        if lv != "item":
            levels[lv] = {n: its for n, its in (mapping or {}).items() if set(its) <= set(items)}
    return {**prep, "frame": pd.concat([imp, perf], ignore_index=True), "group": "measure",
            "compare": [IMPORTANCE, PERFORMANCE], "one_group": False, "levels": levels,
            "paired": True, "id_column": "_row", "value_labels": {}}


def _code_text(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()


def resolve_group_values(column, compare, value_labels: dict) -> list:
    """``compare`` with each value given as a value label replaced by its code.

    Group values are read as codes (a spec's segment codes; the codes of a .sav/.dta file,
    as text). A value that is not a code present in ``column`` but is a label of one
    (``value_labels``: ``{code: label or {language: label}}``; case, accents and spacing
    ignored) stands for that code; anything else is kept (and refused later, naming the
    values present)."""
    from cxstats.io.values import is_blank, normalise_label

    present = {_code_text(v) for v in column.tolist() if not is_blank(v)}
    by_label = {}
    for code, label in value_labels.items():
        texts = label.values() if isinstance(label, dict) else [label]
        for t in texts:
            by_label.setdefault(normalise_label(str(t)), set()).add(_code_text(code))
    out = []
    for value in compare:
        text = str(value).strip()
        codes = by_label.get(normalise_label(text), set())
        out.append(text if text in present or len(codes) != 1 else next(iter(codes)))
    return out


def invariance_verdicts(ctx: StepContext) -> dict:
    """``{construct: level}`` of the latest earlier invariance result (empty if none)."""
    from cxstats.stats.invariance import InvarianceResult

    earlier = ctx.latest(InvarianceResult)
    return dict(earlier.construct_verdicts) if earlier is not None else {}


def _paired(ctx: StepContext, options) -> bool | None:
    """The ``paired`` option, else the spec's ``analysis.paired``, else None (detect by id)."""
    if options.paired is not None or not ctx.has_spec:
        return options.paired
    return ctx.spec.analysis.get("paired")


def _in_file(exc: InputError, source: str) -> InputError:
    """The same error located in the data files (a command) when it names no file of its own."""
    if exc.file is not None or not source:
        return exc
    return type(exc)(exc.reason, file=source, column=exc.column, row=exc.row, value=exc.value,
                     details=exc.details, option=exc.option)


def _plural(label: str) -> str:
    return label if label == "staff" else f"{label}s"


def _from_spec(ctx, options):
    spec, frame = ctx.spec, ctx.survey.data
    group, compare = options.group, options.compare
    one_group, label, group_column, note = False, "all", None, None
    if not group and not options.importance:
        types = sorted(set(frame["respondent_type"].dropna()))
        if len(types) == 1:  # e.g. customers only (no staff file): one group against the aspirations
            label = str(types[0])
            one_group, group_column = True, "respondent_type"
            frame = frame[frame["respondent_type"] == label].reset_index(drop=True)
            other = "staff" if label == "customer" else "customer"
            note = (f"no {'frontline-staff' if other == 'staff' else other} respondents in the data: "
                    f"{_plural(label)} are compared with the aspirations only (one group, one-sample "
                    f"tests); add the {other} file to compare {_plural(label)} with {_plural(other)}")
            if compare is not None:
                raise InputError(f"the data hold only {label} respondents; there is no second group "
                                 "to compare", option="compare")
        group = "respondent_type"
    spec_levels = spec.levels()
    full = {"item": {i: [i] for i in (options.items or spec.item_ids())},
            "construct": options.scales or spec_levels.get("construct", {}),
            "touchpoint": options.touchpoints or spec_levels.get("touchpoint", {}),
            "component": options.components or spec_levels.get("component", {})}
    targets = {**spec.aspirations(), **(options.aspirations or {})}
    if one_group and not targets:
        other = "staff" if label == "customer" else "customer"
        raise NotApplicable(f"the data hold {_plural(label)} only (no {other} file), so the gap "
                            f"analysis compares {_plural(label)} with the aspirations, but there is no "
                            f"aspiration: add 'aspiration:' to the constructs of the spec, or the {other} "
                            "file to the data")
    scale_max = (options.scale_max if options.scale_max is not None
                 else {i.id: i.scale.max for i in spec.items() if i.scale is not None})
    if options.weight is None or options.weight is True:
        weight = "weight" if (spec.weight and "weight" in frame.columns) else None
    else:
        weight = options.weight or None
    columns = [c for c in frame.columns if not str(c).startswith("_")]
    for col, key in ((None if one_group else group, "group"), (options.by, "by"), (weight, "weight")):
        if col and col not in frame.columns:
            known = (f"segments of the spec: {', '.join(s.id for s in spec.segments) or 'none'}"
                     if key == "by" else f"it has: {', '.join(columns)}")
            raise InputError(f"{col!r} is not a column of the survey table ({known})", option=key)
    if compare is None and group == "respondent_type" and not one_group:
        compare = ["customer", "staff"]
    segment = next((g for g in spec.segments if g.id == group), None)
    value_labels = dict(segment.values) if segment is not None else {}
    return {"id_column": options.id or ("respondent_id" if "respondent_id" in frame.columns else None),
            "value_labels": value_labels, "frame": frame, "group": group, "compare": compare, "one_group": one_group, "label": label,
            "group_column": group_column, "note": note, "levels": full, "targets": targets,
            "scale_max": scale_max, "weight": weight}


def _from_file(ctx, options):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric, numeric_column

    path = ctx.one_file()
    group, targets = options.group, dict(options.aspirations or {})
    if not group and not options.importance:
        if options.compare is not None:
            raise InputError("give the group column too (the column holding the groups to compare)",
                             option="compare")
        if not targets:
            raise InputError("there is no second group: name the column holding the two groups to "
                             "compare, or give aspirations NAME=VALUE (e.g. web=4.5) to compare the "
                             "respondents with them (or a study spec with aspirations)", option="group")
    item_list = list(options.items or [])
    full = {"construct": dict(options.scales or {}), "touchpoint": dict(options.touchpoints or {}),
            "component": dict(options.components or {})}
    if not item_list and not any(full.values()) and options.importance:
        item_list = list(options.importance)
    if not item_list and not any(full.values()):
        raise InputError("give the items to compare and/or scales NAME=I1,I2,... (or a study spec)",
                         option="items")
    if isinstance(options.weight, bool):
        if options.weight:
            raise InputError("name the weight column (true means the spec's weight, and there is no "
                             "spec)", option="weight")
        weight = None
    else:
        weight = options.weight
    needed = list(item_list)
    for lv in full.values():
        for its in lv.values():
            needed.extend(i for i in its if i not in needed)
    needed.extend(c for c in (options.importance or {}).values() if c not in needed)
    table = read_table(path)
    table.require_columns([c for c in (group, options.by, weight, options.id) if c])
    frame = load_numeric(path, needed, table=table)
    for col in (group, options.by, options.id):
        if col:
            frame[col] = load_column_text(table.path, col, table=table)
    if weight:
        w = numeric_column(table, weight)
        for i, x in enumerate(w):
            if not (x >= 0):
                raise InputError("a survey weight must be a non-negative number", file=table.path,
                                 column=weight, row=table.file_row(i), value=str(table.frame[weight].iloc[i]))
        frame[weight] = w
    empty = [c for c in needed if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric answers", file=table.path, column=empty[0])
    if not item_list:
        for lv in full.values():
            for its in lv.values():
                item_list.extend(i for i in its if i not in item_list)
    return {"id_column": options.id,
            "value_labels": dict(table.value_labels.get(group) or {}) if group else {},
            "frame": frame, "group": group, "compare": options.compare,
            "one_group": not group and not options.importance,
            "label": "all", "group_column": None, "note": None,
            "levels": {"item": {i: [i] for i in item_list}, **full}, "targets": targets,
            "scale_max": options.scale_max, "weight": weight}
