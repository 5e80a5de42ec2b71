"""Analysis ``profiles``: customer profiles from satisfaction and repurchase intention (the
Jones-Sasser grid: loyalists, mercenaries, hostages, defectors), the share of each with a 95% CI,
and what distinguishes each profile from the other customers.

With a spec: ``satisfaction`` defaults to the csat (else overall_satisfaction) outcome and
``repurchase`` to the repurchase (else retention) outcome; a customer is "high" on a measure
at or above its cut-off, by default the top-2-box (the scale's two highest codes: 4-5 on 1-5),
which the result states. Profiles are compared with the rest on every construct and
touchpoint score, the NPS outcome, the measures of a linked CRM extract (the spec's ``crm:``
block: customer value...) and, when a finance file is linked (``--finance``, the plan's
``finance:``), the finance columns of the spec's ``finance:`` block (revenue, churn, share of
wallet); on every segment (chi-square, adjusted standardized residuals); the segment declared
``lifecycle: true`` (or ``lifecycle``) is cross-tabulated by stage; and the drivers analysis
(binary outcome) tells which constructs matter for being a loyalist rather than a hostage or a
mercenary. With a CRM extract linked (``--crm``, the plan's ``crm:``), each customer's CRM
segments (lifecycle stage, region...) replace the survey's before all of this. Without a spec
(one plain file): ``satisfaction``, ``repurchase``, both cut-offs, and optionally ``compare`` and
``segments`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "profiles"
WORKBOOK = "gaps"
SHEET_PRIORITY = 150

SAT_TYPES = ("csat", "overall_satisfaction")
REP_TYPES = ("repurchase", "retention")


@dataclass
class Options(StepOptions):
    satisfaction: str | None = None     # satisfaction column (spec: its csat outcome)
    repurchase: str | None = None       # repurchase-intention column (spec: its repurchase outcome)
    sat_cut: float | None = None        # high satisfaction: value >= this (default top-2-box)
    rep_cut: float | None = None        # high repurchase: value >= this (default top-2-box)
    joint: bool = False                 # simultaneous (Goodman) CIs for the four shares
    compare: list[str] | None = None    # numeric columns compared per profile (default: spec scores)
    segments: list[str] | None = None   # categorical columns (default: the spec's segments)
    lifecycle: str | None = None        # the lifecycle-stage column (default: the spec's lifecycle segment)
    drivers: bool = True                # drivers of being a loyalist (spec: construct scores)

    def validate(self):
        if self.lifecycle and self.segments is not None and self.lifecycle not in self.segments:
            self.segments = [*self.segments, self.lifecycle]


def run(ctx: StepContext, options: Options):
    from cxstats.stats.profiles import analyze_profiles

    if ctx.crm is not None and not ctx.has_spec:
        raise InputError("a CRM extract is joined through a spec's 'crm:' block: give --spec")
    args, link = _from_spec(ctx, options) if ctx.has_spec else (_from_file(ctx, options), None)
    result = analyze_profiles(**args, joint=options.joint)
    if ctx.has_spec:
        result.value_labels = value_labels(ctx.spec)
    if link is not None:
        result.crm = link.to_dict()
        result.warnings = link.warnings() + list(result.warnings)
    return result


def value_labels(spec) -> dict:
    """{language: {segment: {value code: name}}} from the spec's segments' ``values`` (code ->
    text in each language); segments without values (free text) are left out."""
    from cxstats.spec.model import pick

    return {lang: {g.id: {str(code): pick(text, lang) or str(code) for code, text in g.values.items()}
                   for g in spec.segments if g.values}
            for lang in spec.languages}


def _cut(option_value, scale, option: str):
    """The declared cut-off, or the top-2-box of the scale (its second-highest code)."""
    if option_value is not None:
        if scale is not None and not scale.min <= option_value <= scale.max:
            raise InputError(f"the cut-off {option_value:g} is outside the scale {scale.min:g}-{scale.max:g}",
                             option=option)
        return float(option_value), "declared"
    return float(scale.top_codes(2)[-1]), "top-2-box"


def _from_spec(ctx, options):
    import pandas as pd

    spec = ctx.spec
    frame = ctx.survey.customers_with_scores()
    if not len(frame):
        raise NotApplicable("no customer answers: profiles are built from customers' answers")
    link = None
    if ctx.crm is not None:  # the customers' CRM record: its segments replace the survey's, measures added
        from cxstats.io.crm import join_crm

        frame, link = join_crm(frame, ctx.crm, spec)

    def outcome_column(value, kinds, option):
        if value is not None:
            if value not in frame.columns:
                raise InputError(f"{value!r} is not a column of the survey table", option=option)
            return value
        for kind in kinds:
            o = spec.outcome_of_type(kind)
            if o is not None:
                return o.id
        raise NotApplicable(f"the spec has no outcome of type {' or '.join(kinds)}: name the {option} column",
                            option=option)

    sat = outcome_column(options.satisfaction, SAT_TYPES, "satisfaction")
    rep = outcome_column(options.repurchase, REP_TYPES, "repurchase")
    scales = spec.scored_columns()
    sat_cut, how_s = _cut(options.sat_cut, scales.get(sat), "sat_cut")
    rep_cut, how_r = _cut(options.rep_cut, scales.get(rep), "rep_cut")
    rule = ("top-2-box on both (the two highest codes of each scale)" if how_s == how_r == "top-2-box" else
            f"satisfaction: {how_s}; repurchase: {how_r}")

    if options.compare is not None:
        missing = [c for c in options.compare if c not in frame.columns]
        if missing:
            raise InputError(f"{missing[0]!r} is not an item, outcome or construct of the spec", option="compare")
        compare = {c: "column" for c in options.compare}
    else:
        compare = {c.id: "construct" for c in spec.constructs()}
        for t in spec.touchpoints():
            ids = [c.id for c in t.constructs]
            frame[t.id] = frame[ids].mean(axis=1)  # touchpoint score: mean of its construct scores
            compare[t.id] = "touchpoint"
        for o in spec.outcomes:
            if o.id not in (sat, rep) and o.type in ("nps", "ces", "recommendation"):
                compare[o.id] = "outcome"
    if link is not None and options.compare is None:
        for m in link.measures:
            compare[m] = "crm"
    if ctx.finance is not None and spec.finance is not None:
        from cxstats.io.finance import read_finance

        fin = read_finance(ctx.finance, id_column=spec.finance.id_column, columns=spec.finance.fields)
        linked = fin.frame.drop_duplicates("respondent_id")
        frame = frame.merge(linked, on="respondent_id", how="left", suffixes=("", "_finance"))
        for role in spec.finance.fields:
            if role in linked.columns:
                compare[role] = "finance"

    segments = options.segments
    if segments is None:
        segments = [g.id for g in spec.segments if g.id in frame.columns and frame[g.id].notna().any()]
    for c in segments:
        if c not in frame.columns:
            raise InputError(f"{c!r} is not a segment of the spec", option="segments")
    lifecycle = options.lifecycle or next((g.id for g in spec.segments if g.lifecycle), None)
    if lifecycle is not None and lifecycle not in frame.columns:
        raise InputError(f"{lifecycle!r} is not a segment of the spec", option="lifecycle")
    if lifecycle is not None and not frame[lifecycle].notna().any():
        lifecycle = None
    stage_order = next((list(g.values) for g in spec.segments if g.id == lifecycle), None)
    nps = spec.outcome_of_type("nps")
    drivers = [c.id for c in spec.constructs()] if options.drivers else None
    frame = pd.DataFrame(frame)
    return dict(frame=frame, satisfaction=sat, repurchase=rep, sat_cut=sat_cut, rep_cut=rep_cut, cut_rule=rule,
                compare=compare, nps=nps.id if nps is not None else None, segments=segments,
                lifecycle=lifecycle, stage_order=stage_order, drivers=drivers), link


def _from_file(ctx, options):
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric

    path = ctx.one_file()
    for opt in ("satisfaction", "repurchase", "sat_cut", "rep_cut"):
        if getattr(options, opt) is None:
            raise InputError(f"give --{opt.replace('_', '-')} (or a study spec)", option=opt)
    numeric = list(dict.fromkeys([options.satisfaction, options.repurchase, *(options.compare or [])]))
    segments = list(options.segments or [])
    if options.lifecycle and options.lifecycle not in segments:
        segments.append(options.lifecycle)
    table = read_table(path)
    table.require_columns(numeric + segments)
    frame = load_numeric(path, numeric, table=table)
    for c in segments:
        frame[c] = load_column_text(path, c, table=table)
    return dict(frame=frame, satisfaction=options.satisfaction, repurchase=options.repurchase,
                sat_cut=options.sat_cut, rep_cut=options.rep_cut, cut_rule="declared",
                compare={c: "column" for c in options.compare or []}, nps=None, segments=segments,
                lifecycle=options.lifecycle, drivers=list(options.compare) if options.drivers and options.compare
                else None)
