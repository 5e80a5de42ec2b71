"""Plan step ``roi``: NPV, ROI and payback of the plan's roadmap, with Monte Carlo P10/P50/P90.

Takes:
* the roadmap from the plan's ``roadmap: {file: ...}`` (columns initiative, name, construct,
  uplift, cost, months_to_effect, customers_reached);
* the chain (option ``chain``): ``latent`` (the default when every construct has 2 or more items
  and loyalty has 2 or more indicators) fits an SEM of the constructs' items and the loyalty
  indicators (``loyalty`` the marker, ``loyalty_indicators`` default: it plus the spec's other
  repurchase/retention/NPS outcomes), converts uplifts with the latent slopes and links churn and
  revenue to customers' loyalty factor scores (regression calibration); see
  :mod:`cxstats.stats.roi_latent`. ``observed`` uses item means and the single loyalty item; when
  the latent chain is not possible (or its model cannot be estimated) and ``chain`` is not given,
  the observed chain is used with a warning saying why;
* observed chain only: the latest ``finance`` step result (a FinanceResult whose predictors
  include the loyalty measure; without one, the link is made here from ``finance: {file: ...}``
  and the spec), and driver slopes from the latest ``drivers`` step result when its outcome is the
  loyalty measure and its drivers cover the roadmap's constructs (its OLS b with HC3 SEs;
  covariances between slopes are then unknown and taken as 0), otherwise an OLS of the loyalty
  measure on every construct score fitted here (full covariance).

Options: ``chain`` (latent|observed), ``loyalty`` (outcome id; default repurchase/retention, else
NPS), ``loyalty_indicators`` (outcome ids), ``draws`` (10000), ``discount_rate`` (0.08),
``horizon`` (3 years), ``margin`` (1), ``customer_value`` (default mean revenue), ``min_match``
(0.8). Sheets go to the ``roi`` workbook.
"""

NAME = "roi"
WORKBOOK = "roi"
SHEET_PRIORITY = 10  # finance readers open on the assumptions and results
OPTIONS = {"chain", "loyalty", "loyalty_indicators", "draws", "discount_rate", "horizon", "margin", "customer_value",
           "min_match"}



def _latest(ctx, cls_name, ok=lambda r: True):
    found = None
    for r in (ctx.results or {}).values():
        if type(r).__name__ == cls_name and ok(r):
            found = r
    return found


def _drivers_block(ctx, loyalty, constructs):
    import numpy as np

    from cxstats.stats.roi import Coefficients

    res = _latest(ctx, "DriversResult", lambda r: getattr(r, "outcome", None) == loyalty
                  and set(constructs) <= set(getattr(r, "drivers", [])) and getattr(r, "ols", None))
    if res is None:
        return None
    b = np.asarray(res.ols["b"])[1:]
    se = np.asarray(res.ols.get("se_hc3", res.ols["se"]))[1:]
    names = [f"driver:{d}" for d in res.drivers]
    src = f"drivers step: OLS {loyalty} ~ {' + '.join(res.drivers)} (n = {res.n}, HC3 SEs, covariances taken as 0)"
    return Coefficients(names, b, np.diag(se ** 2), {n: src for n in names})


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.cli.commands.finance import default_predictors
    from cxstats.plan.steps.finance import finance_table, linked_frame
    from cxstats.stats import roi

    spec = ctx.spec
    if not ctx.plan.get("roadmap"):
        ctx.fail(None, "the roi step needs 'roadmap: {file: ...}' in the plan")
    entry = ctx.plan["roadmap"]
    path = ctx.resolve(entry["file"] if isinstance(entry, dict) else entry)
    loyalty = options.get("loyalty") or default_predictors(spec)[0]
    constructs = [c.id for c in spec.constructs()]
    try:
        num = {k: float(options[k]) for k in ("discount_rate", "horizon", "margin", "customer_value", "min_match")
               if k in options}
        draws = int(options.get("draws", 10_000))
    except (TypeError, ValueError):
        ctx.fail(None, "draws, discount_rate, horizon, margin, customer_value and min_match must be numbers")
    chain = options.get("chain")
    if chain not in (None, "latent", "observed"):
        ctx.fail("chain", f"unknown chain {chain!r}; use latent or observed")
    frame = linked_frame(ctx)
    if loyalty not in frame.columns:
        ctx.fail("loyalty", f"unknown loyalty measure {loyalty!r} (use an outcome id of the spec)")
    if options.get("loyalty_indicators"):
        indicators = ctx.option_list(options, "loyalty_indicators", [o.id for o in spec.outcomes],
                                     what="loyalty indicator (an outcome id)")
    else:
        from cxstats.stats.roi_latent import default_loyalty_indicators

        indicators = default_loyalty_indicators(spec, loyalty)
    if loyalty not in indicators:
        indicators = [loyalty, *indicators]
    items = {c.id: c.item_ids for c in spec.constructs()}
    initiatives = roi.read_roadmap(path, constructs)
    fin = _latest(ctx, "FinanceResult", lambda r: loyalty in r.predictors)
    survey_file = ", ".join(ctx.survey.sources) or "survey"
    coef, values, chain_info, warns, fin, latent = roi.build_roi_chain(
        frame, finance_table(ctx), loyalty, constructs, chain=chain, items=items, indicators=indicators,
        survey_file=survey_file, min_match=num.get("min_match", 0.8), currency=spec.finance.currency,
        finance_result=fin)
    if latent is None:
        drv = _drivers_block(ctx, loyalty, constructs)
        if drv is not None:
            fin_block = roi.finance_coefficients(fin, loyalty)
            coef = roi.Coefficients.combine(drv, fin_block)
            chain_info["driver_model"] = "from the drivers step"
    assumptions = roi.default_assumptions(fin, loyalty, discount_rate=num.get("discount_rate", 0.08),
                                          horizon_years=num.get("horizon", 3.0), margin=num.get("margin", 1.0),
                                          customer_value=num.get("customer_value"), currency=spec.finance.currency,
                                          chain=chain_info)
    bar = ctx.progress(total=draws * len(initiatives), desc="ROI Monte Carlo")
    try:
        result = roi.roadmap_roi(initiatives, coef, values, assumptions, draws=draws, seed=ctx.seed,
                                 progress=lambda d, t: bar.update(d - bar.n), roadmap_file=str(path),
                                 chain=chain_info, warnings=warns)
    finally:
        bar.close()
    result.finance = fin.link
    result.latent = latent
    return result


def sheets(builder, result):
    from cxstats.report.roi_workbook import write_roi_sheets

    write_roi_sheets(builder, result)
