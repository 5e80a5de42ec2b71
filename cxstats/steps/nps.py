"""Analysis ``nps``: Net Promoter Score (adjusted-Wald CI) overall, per group (with a test of two
groups) and per segment; CSAT top-box shares and CES means.

With a spec: ``column`` defaults to the spec's outcome of type nps (without one the analysis
does not apply: :class:`NotApplicable`, a plan skips it), CSAT and CES are the spec's csat and
ces outcomes (unless ``csat`` / ``ces`` are given), and the answers are the customers'
(``respondents``; all respondents when ``group`` is ``respondent_type``). Without a spec (one
plain file): ``column`` is required unless ``csat``/``ces`` are given; answers must be whole numbers
0-10.

NPS needs a 0-10 item: a column whose spec scale is not 0-10 is refused; without a spec, answers
outside 0..10, or all within 1..7 (a 1-5 or 1-7 rating), are refused
(:func:`cxstats.stats.nps.check_nps_scale`). CSAT-only and CES-only studies: without a recommend
question (a spec without an nps outcome, or csat/ces without column) CSAT/CES are reported alone;
a spec with none of nps, csat, ces outcomes: :class:`NotApplicable`.

Options (plan keys = command-line options): ``column``, ``group``, ``compare`` (two values of
``group``), ``by`` (segments), ``min_n`` (default 30), ``csat`` (``{column: scale max}``),
``ces`` (columns), ``respondents`` (customer, staff or all; with a spec), ``weight`` (a column of
survey weights: weighted shares, intervals and tests on Kish's effective n; see
:mod:`cxstats.stats.nps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "nps"
WORKBOOK = "gaps"


@dataclass
class Options(StepOptions):
    column: str | None = None             # the 0-10 recommend column (spec: its nps outcome)
    group: str | None = None              # NPS per value of this column
    compare: list[str] | None = None      # the two groups to test when group has more
    by: str | None = None                 # segment column
    min_n: int = 30                       # segment cells with fewer answers suppressed
    csat: dict[str, float] | None = None  # satisfaction column -> scale maximum
    ces: list[str] | None = None          # customer-effort columns
    respondents: Literal["customer", "staff", "all"] | None = None  # whose answers (spec)
    engine: Literal["auto", "pandas", "duckdb", "spark"] = "auto"  # where the counts are computed
    spark_master: str | None = None       # engine spark: the cluster (default: the active session or local)
    weight: str | None = None             # survey-weight column

    def validate(self):
        if self.compare is not None and (len(self.compare) != 2 or self.compare[0] == self.compare[1]):
            raise InputError(f"give exactly two different group values A,B, not {self.compare}",
                             option="compare")
        if self.compare is not None and not self.group:
            raise InputError("give the group column too (the column holding the groups to compare)",
                             option="compare")
        if self.min_n < 1:
            raise InputError(f"must be at least 1, not {self.min_n}", option="min_n")
        for name, top in (self.csat or {}).items():
            if isinstance(top, bool) or not isinstance(top, (int, float)):
                raise InputError(f"the scale maximum of {name!r} must be a number, not {top!r}",
                                 option="csat")
            self.csat[name] = float(top)


def run(ctx: StepContext, options: Options):
    from cxstats.stats.nps import analyze_nps
    from cxstats.steps._engine import engine_for

    engine = engine_for(ctx, options, needs_rows=options.weight is not None)
    if engine != "pandas":
        if options.weight:  # the engines count unweighted answers: a weighted NPS would be silently wrong
            raise InputError(f"survey weights are applied row by row; engine {engine} counts unweighted "
                             "answers: use --engine pandas with --weight", option="weight")
        return _run_on_engine(ctx, options, engine)

    frame, column, csat, ces, scale, weights = (_from_spec(ctx, options) if ctx.has_spec
                                                else _from_file(ctx, options))
    try:
        return analyze_nps(frame, column, group=options.group, compare=options.compare, by=options.by,
                           min_n=options.min_n, csat=csat, ces=ces, scale=scale, weights=weights,
                           weight_name=options.weight)
    except InputError as exc:
        if exc.file is None and ctx.source:  # a command: locate the problem in the data files
            raise type(exc)(exc.reason, file=ctx.source, column=exc.column, row=exc.row, value=exc.value,
                            details=exc.details, option=exc.option) from None
        raise


def _run_on_engine(ctx, options, engine):
    """The same analysis from counts per answer and cell (group x segment), one aggregation pass
    per column on a SQL engine."""
    from cxstats.stats.from_moments import analyze_nps_counts

    spec = ctx.spec
    esurvey = ctx.engine_survey(engine, options.spark_master)
    columns = ["respondent_type"] + list(spec.scored_columns()) + [g.id for g in spec.segments]
    who = options.respondents or ("all" if options.group == "respondent_type" else "customer")
    where = None if who == "all" else f"respondent_type = '{who}'"
    if where is not None and not esurvey.count_rows(where):
        raise NotApplicable(f"no {who} respondents in the data: the NPS is computed on the "
                            f"{who}s' answers (respondents: all for everyone's)")
    column, csat, ces, scale = _spec_columns(spec, columns, options)
    counts = {col: esurvey.cell_counts(col, [options.group, options.by], where)
              for col in dict.fromkeys(([column] if column else []) + list(csat) + list(ces))}
    source = ", ".join(esurvey.sources) or None
    try:
        return analyze_nps_counts(counts, column, group=options.group, compare=options.compare, by=options.by,
                                  min_n=options.min_n, csat=csat, ces=ces, scale=scale)
    except InputError as exc:
        if exc.file is None and source:
            raise type(exc)(exc.reason, file=source, column=exc.column, row=exc.row, value=exc.value,
                            details=exc.details, option=exc.option) from None
        raise


def _spec_columns(spec, columns, options):
    """(recommend column, csat {column: max}, ces columns, declared scale) of a spec run, as
    :func:`_from_spec` chooses them."""
    column = options.column
    if options.csat is None and options.ces is None:
        csat = {o.id: o.scale.max for o in spec.outcomes if o.type == "csat"}
        ces = [o.id for o in spec.outcomes if o.type == "ces"]
    else:
        csat, ces = dict(options.csat or {}), list(options.ces or [])
    if column is None:
        outcome = spec.outcome_of_type("nps")
        if outcome is None and not (csat or ces):
            raise NotApplicable("the spec has no outcome of type nps, csat or ces: name the 0-10 "
                                "likelihood-to-recommend column", option="column")
        column = outcome.id if outcome is not None else None
    declared = spec.scored_columns().get(column) if column else None
    scale = (declared.min, declared.max) if declared is not None else None
    for key, cols in (("column", [column]), ("group", [options.group]), ("by", [options.by]),
                      ("csat", list(csat)), ("ces", ces)):
        for col in cols:
            if col is not None and col not in columns:
                raise InputError(f"{col!r} is not a column of the survey table", option=key)
    return column, csat, ces, scale


def _from_spec(ctx, options):
    spec, frame = ctx.spec, ctx.survey.data
    who = options.respondents or ("all" if options.group == "respondent_type" else "customer")
    if who != "all":
        frame = frame[frame["respondent_type"] == who].reset_index(drop=True)
        if not len(frame):
            raise NotApplicable(f"no {who} respondents in the data: the NPS is computed on the "
                                f"{who}s' answers (respondents: all for everyone's)")
    column, csat, ces, scale = _spec_columns(spec, frame.columns, options)
    weights = None
    if options.weight:
        from cxstats.steps._weights import from_survey

        weights = from_survey(ctx, frame, options.weight)
    return frame, column, csat, ces, scale, weights


def _from_file(ctx, options):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric
    from cxstats.stats.nps import invalid_nps_positions

    path = ctx.one_file()
    column = options.column
    if not column and not (options.csat or options.ces):
        raise InputError("name the 0-10 likelihood-to-recommend column, or CSAT/CES columns (or give "
                         "a study spec)", option="column")
    if options.respondents is not None:
        raise InputError("respondent types come from a study spec", option="respondents")
    csat, ces = dict(options.csat or {}), list(options.ces or [])
    group, by = options.group, options.by
    table = read_table(path)
    numeric = ([column] if column else []) + list(csat) + ces
    table.require_columns(numeric + [c for c in (group, by) if c])
    frame = load_numeric(path, numeric, table=table)
    bad = invalid_nps_positions(frame[column]) if column else []
    if bad:
        i = bad[0]
        more = [f"row {table.file_row(j)}: {table.frame[column].iloc[j]!r}" for j in bad[1:5]]
        raise InputError("an NPS answer must be a whole number from 0 to 10"
                         + (f" ({len(bad)} such answers)" if len(bad) > 1 else ""),
                         file=table.path, column=column, row=table.file_row(i),
                         value=str(table.frame[column].iloc[i]), details=more)
    for c in (group, by):
        if c:
            frame[c] = load_column_text(path, c, table=table)
    weights = None
    if options.weight:
        from cxstats.steps._weights import from_table

        weights = from_table(table, options.weight)
    return frame, column, csat, ces, None, weights
