"""Choosing and estimating the ROI chain: latent when possible (:mod:`cxstats.stats.roi.latent`),
else the observed chain (OLS of the loyalty item on construct scores, finance models of the
loyalty item)."""

from __future__ import annotations

from cxstats.errors import InputError, ModelError
from cxstats.stats.finance import analyze_finance
from cxstats.stats.roi.coefficients import Coefficients, driver_coefficients, finance_coefficients
from cxstats.stats.roi.latent import build_latent_chain, choose_chain


def build_chain(survey, finance_result, loyalty: str, constructs: list[str], *, survey_file: str = ""):
    """Driver slopes (loyalty on construct scores, customers) + finance slopes of the loyalty measure.

    Returns (Coefficients, loyalty values of the linked customers, chain description, warnings).
    """
    drv, n, r2, warns = driver_coefficients(survey, loyalty, constructs, source=survey_file)
    fin = finance_coefficients(finance_result, loyalty)
    coef = Coefficients.combine(drv, fin)
    values = finance_result.link.merged[loyalty].to_numpy(float)
    chain = {"loyalty_measure": loyalty, "driver_model": f"OLS {loyalty} ~ {len(constructs)} construct scores",
             "driver_n": n, "driver_r2": r2, "linked_customers": finance_result.link.n_matched}
    return coef, values, chain, warns


def build_roi_chain(frame, finance_table, loyalty: str, constructs: list[str], *, chain: str | None = None,
                    items: dict | None = None, indicators: list | None = None, survey_file: str = "survey",
                    min_match: float = 0.8, currency: str = "EUR", finance_result=None, bounds: dict | None = None):
    """Choose the chain (latent when possible, unless ``chain`` says otherwise) and estimate it.

    ``frame``: customers with ``respondent_id``, construct score columns, the loyalty measure and,
    for the latent chain, the items (``items``: construct -> columns) and the loyalty
    ``indicators`` (marker first). ``finance_result``: an observed FinanceResult of the loyalty
    measure to reuse (observed chain only). ``bounds``: column -> its scale's (min, max) (the latent
    chain reads the loyalty indicators as rounded, clipped answers on them). When the latent chain is the default but its model
    cannot be estimated, the observed chain is used with a warning saying why.

    Returns (Coefficients, loyalty values of the linked customers, chain description, warnings,
    FinanceResult, LatentModel or None).
    """
    if items is not None:
        items = {c: list(items[c]) for c in constructs if c in items} if all(c in items for c in constructs) else None
    kind, reason, warns = choose_chain(chain, items, indicators)
    if kind == "latent":
        try:
            coef, values, info, w, fin, model = build_latent_chain(
                frame, finance_table, loyalty, items, list(indicators), survey_file=survey_file,
                min_match=min_match, currency=currency, bounds=bounds)
            return coef, values, {"chain": "latent", "chain_reason": reason, **info}, warns + w, fin, model
        except (ModelError, InputError) as exc:
            if chain == "latent":
                raise
            reason = f"latent chain not possible: its model could not be estimated ({exc})"
            warns = warns + [f"ROI chain: observed scores used because the latent model could not be estimated "
                             f"({exc}). Measurement error attenuates the observed chain, so the ROI is biased low"]
    fin = finance_result
    if fin is None or loyalty not in fin.predictors:
        fin = analyze_finance(frame, finance_table, [loyalty], survey_file=survey_file, min_match=min_match,
                              currency=currency)
        warns = warns + list(fin.warnings)
    coef, values, info, w = build_chain(frame, fin, loyalty, constructs, survey_file=survey_file)
    return coef, values, {"chain": "observed", "chain_reason": reason, **info}, warns + w, fin, None
