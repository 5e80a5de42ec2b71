"""Analysis ``roi``: NPV, ROI and payback of a CX roadmap, with Monte Carlo P10/P50/P90.

Takes:

* the roadmap (the command's ROADMAP, the plan's ``roadmap: {file: ...}``; columns initiative,
  name, construct, uplift, cost, months_to_effect, customers_reached; uplift, cost and
  customers_reached may be ranges with ``<field>_low``/``<field>_high`` beside the mode, see
  :mod:`cxstats.io.roadmap`), the survey's customers and the finance table (the options of
  :mod:`cxstats.steps.finance`);
* ``margin``: the contribution margin (without it revenue is counted as value, flagged:
  ``value_basis``, a warning, red on the Results sheet); ``customer_base``: the customers the
  reach is out of, for the roadmap total that counts each customer once;
* the chain (option ``chain``): ``latent`` (the default when every construct has 2 or more items
  and loyalty has 2 or more indicators) fits an SEM of the constructs' items and the loyalty
  indicators (``loyalty`` the marker; ``loyalty_indicators`` default: it plus the spec's other
  repurchase/retention/NPS outcomes), converts uplifts with the latent slopes and links churn
  and revenue to customers' loyalty factor scores (regression calibration); see
  :mod:`cxstats.stats.roi.latent`. ``observed`` uses construct scores (item means) and the single
  loyalty item; when the latent chain is not possible (or its model cannot be estimated) and
  ``chain`` is not given, the observed chain is used with a warning saying why;
* observed chain only, in a plan: the latest ``finance`` result whose predictors include the
  loyalty measure (else the link is made here), and driver slopes from the latest ``drivers``
  result when its outcome is the loyalty measure and its drivers cover the roadmap's constructs
  (its OLS b with HC3 SEs; covariances between slopes are then unknown and taken as 0),
  otherwise an OLS of the loyalty measure on every construct score fitted here (full covariance).

With a spec: ``loyalty`` is an outcome id (default the repurchase/retention outcome, else NPS)
and ``constructs`` the spec's (default all). Without a spec: ``loyalty`` and ``constructs``
(score columns) or ``scales`` (construct -> item columns) name columns of the one survey file.
Sheets go to the ``roi`` workbook, ahead of the finance link.

``importance: pls`` (plan): the observed chain's slopes come from the latest ``pls`` step's IPMA
(importance = unstandardized total effect on a single-item loyalty construct measured by the
loyalty column, rescaled from 0-100 to the answer scales, with bootstrap SEs) instead of the OLS
driver regression: the PLS model's importances feed the roadmap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from cxstats.errors import InputError
from cxstats.steps import StepContext
from cxstats.steps.finance import FinanceOptions, default_predictors, linked_inputs

NAME = "roi"
WORKBOOK = "roi"
SHEET_PRIORITY = 10  # finance readers open on the assumptions and results
LOYALTY_KINDS = ("repurchase", "retention", "nps", "recommendation")


@dataclass
class Options(FinanceOptions):
    loyalty: str | None = None                   # the loyalty measure linking constructs to money
    constructs: list[str] | None = None          # construct (score) columns of the driver link
    scales: dict[str, list[str]] | None = None   # without a spec: construct -> its item columns
    chain: Literal["latent", "observed"] | None = None
    loyalty_indicators: list[str] | None = None  # indicators of latent loyalty, the marker first
    discount_rate: float = 0.08
    horizon: float = 3.0                         # years of benefit counted
    margin: float | None = None                  # share of revenue that is value (None: revenue counted, flagged)
    customer_value: float | None = None          # annual value of one customer
    draws: int = 10_000                          # Monte Carlo draws
    customer_base: float | None = None           # customers the reach is out of (roadmap total)
    importance: Literal["regression", "pls"] = "regression"  # observed chain's slopes: OLS / drivers, or a pls step's IPMA

    def validate(self):
        super().validate()
        if not 0 <= self.discount_rate < 1:
            raise InputError(f"give a rate between 0 and 1 (0.08 = 8%), not {self.discount_rate:g}",
                             option="discount_rate")
        if self.horizon <= 0:
            raise InputError(f"give a positive number of years, not {self.horizon:g}", option="horizon")
        if self.margin is not None and not 0 < self.margin <= 1:
            raise InputError(f"give a share in (0, 1], not {self.margin:g}", option="margin")
        if self.customer_base is not None and not self.customer_base > 0:
            raise InputError(f"give a positive number of customers, not {self.customer_base:g}",
                             option="customer_base")
        if self.draws < 1:
            raise InputError(f"give at least 1 draw, not {self.draws}", option="draws")
        if self.importance == "pls" and self.chain == "latent":
            raise InputError("importance 'pls' gives the observed chain's slopes; it does not go with chain 'latent'",
                             option="importance")


def default_loyalty_indicators(spec, loyalty: str) -> list[str]:
    """The loyalty measure first (the marker), then the spec's other loyalty outcomes
    (repurchase / retention / NPS / recommendation; satisfaction and effort are not loyalty)."""
    out = [loyalty]
    for o in spec.outcomes:
        if o.type in LOYALTY_KINDS and o.id not in out:
            out.append(o.id)
    return out


def run(ctx: StepContext, options: Options):
    from cxstats.io.roadmap import read_roadmap
    from cxstats.stats.drivers import DriversResult
    from cxstats.stats.finance import FinanceResult
    from cxstats.stats.roi import Initiative, analyze_roi

    if ctx.roadmap is None:
        raise InputError("the roi step needs a roadmap ('roadmap: {file: ...}' in the plan)")
    constructs = list(options.constructs or [])
    indicators = list(options.loyalty_indicators or [])
    loyalty = options.loyalty
    if ctx.has_spec:
        spec = ctx.spec
        if options.scales:
            raise InputError("scales are for data without a spec; with a spec the constructs' items come "
                             "from it", option="scales")
        known = [c.id for c in spec.constructs()]
        unknown = [c for c in constructs if c not in known]
        if unknown:
            raise InputError(f"{unknown[0]!r} is not a construct of the spec (constructs: {', '.join(known)})",
                             option="constructs")
        constructs = constructs or known
        if not loyalty:
            loyalty = indicators[0] if indicators else default_predictors(spec, "loyalty")[0]
        items = {c.id: c.item_ids for c in spec.constructs() if c.id in constructs}
        bounds = {c.id: (c.scale.min, c.scale.max) for c in spec.constructs() if c.id in constructs}
        if not indicators:
            indicators = default_loyalty_indicators(spec, loyalty)
        bounds.update({o.id: (o.scale.min, o.scale.max) for o in spec.outcomes
                       if o.id in indicators and o.id not in bounds})
    else:
        items = None
        bounds = None   # the observed min and max answers (said in the result)
        if options.scales:
            if constructs:
                raise InputError("give either constructs (score columns) or scales (each construct's item "
                                 "columns), not both", option="constructs")
            items = {c: list(its) for c, its in options.scales.items()}
            constructs = list(items)
        if not loyalty and indicators:
            loyalty = indicators[0]
        if not loyalty:
            raise InputError("without a spec give the loyalty column", option="loyalty")
        if not constructs:
            raise InputError("without a spec give the construct score columns (or each construct's item "
                             "columns)", option="constructs")
        if not indicators:
            indicators = [loyalty]
    if loyalty not in indicators:
        indicators = [loyalty, *indicators]
    item_cols = [i for its in (items or {}).values() for i in its]
    frame, finance, currency, survey_file = linked_inputs(ctx, options, {
        "loyalty": [loyalty], "loyalty_indicators": indicators,
        "constructs": constructs if ctx.has_spec or not options.scales else [], "scales": item_cols})
    # file names only in the result (JSON and workbook name files, never absolute paths)
    finance = replace(finance, file=Path(str(finance.file)).name)
    survey_file = ", ".join(Path(f.strip()).name for f in str(survey_file).split(", "))
    if options.scales and not ctx.has_spec:
        for c, its in items.items():
            block = frame[its]
            frame[c] = block.mean(axis=1).where(block.notna().mean(axis=1) >= 0.5)
    initiatives = [Initiative(**r) for r in read_roadmap(ctx.roadmap, constructs)]
    earlier_finance = ctx.latest(FinanceResult, where=lambda r: loyalty in r.predictors)
    earlier_drivers = ctx.latest(DriversResult, where=lambda r: r.outcome == loyalty and bool(r.ols)
                                 and set(constructs) <= set(r.drivers))
    earlier_pls = None
    chain = options.chain
    if options.importance == "pls":   # the IPMA of an earlier pls step as the importance source
        from cxstats.stats.pls import PlsResult

        earlier_pls = ctx.latest(PlsResult, where=lambda r: r.roi_slopes(loyalty, constructs) is not None)
        if earlier_pls is None:
            raise InputError(f"importance 'pls' needs an earlier pls step in the plan whose IPMA target is a "
                             f"single-item construct measured by {loyalty} (e.g. 'LOY =~ {loyalty}'), reached by "
                             f"every construct of the roadmap ({', '.join(constructs)})", option="importance")
        earlier_drivers = None
        chain = "observed"
    return analyze_roi(frame, finance, initiatives, loyalty, constructs, chain=chain, items=items,
                       indicators=indicators, survey_file=survey_file, min_match=options.min_match,
                       currency=currency, finance_result=earlier_finance, drivers_result=earlier_drivers,
                       discount_rate=options.discount_rate, horizon_years=options.horizon, margin=options.margin,
                       customer_value=options.customer_value, draws=options.draws, seed=ctx.seed,
                       progress=ctx.progress("ROI Monte Carlo"), roadmap_file=Path(str(ctx.roadmap)).name,
                       scale_bounds=bounds, customer_base=options.customer_base, pls_result=earlier_pls)
