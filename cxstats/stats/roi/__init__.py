"""The ROI of a CX roadmap, with uncertainty, for finance.

Two chains share the valuation below (:mod:`.valuation`) and differ in where ``b_driver`` and the finance slopes
come from (:func:`.chain.build_roi_chain` picks one and records which and why):

* ``latent`` (the default when every construct has 2+ items and loyalty 2+ indicators; see
  :mod:`cxstats.stats.roi.latent`): an SEM's latent slope / mean loading, and churn / revenue
  regressed on customers' loyalty factor scores (regression calibration);
* ``observed``: OLS of the loyalty item on construct scores (item means), and churn / revenue
  regressed on the loyalty item; both links attenuated by measurement error (biased low).

For each initiative (a construct it improves by ``uplift`` scale points, a cost, the months
until it takes effect and the customers it reaches) the value chain is

    uplift u (scale points on the answers' latent response) -> u_eff = u x the rate at which the
      rounded answers, clipped at the scale's bounds, move with the experience (:mod:`.clipping`)
      x b_driver[construct]           construct -> loyalty measure (e.g. repurchase, NPS)
      = dL (loyalty points)
    churn:   dp = mean_i[ logistic(a + b_churn (L_i + dL)) - logistic(a + b_churn L_i) ]
             (averaged over the linked customers' loyalty values L_i; dp < 0 = churn avoided)
    revenue: dR = R x (exp(b_rev dL) - 1)       (log-linear revenue model, R = mean annual revenue)

    annual benefit A = customers_reached x margin x ( -dp x V + dR ),  V = annual customer value
                     (mean annual revenue unless given); one year of value per avoided churner
    PV benefit = A/12 x sum_{m = d+1}^{12 H} (1 + r)^(-m/12)      monthly flows after d months
             = A/12 x v^(d+1) (1 - v^(12H - d)) / (1 - v),  v = (1 + r)^(-1/12)
    NPV = PV - cost;  ROI = (PV - cost) / cost;
    payback = first month whose cumulative discounted benefit reaches the cost (inf: not within H).

Uncertainty: the coefficients (driver slopes, churn intercept and slope, revenue slope) are drawn
from a multivariate normal with their estimates and covariance matrix (blocks from separately
estimated models are independent; the latent chain's driver effects are drawn through the SEM
estimates, see ``Coefficients.samplers``), seeded; each draw gives an NPV, ROI and payback, reported as
P10/P50/P90. Initiatives are ranked by P50 NPV. A one-at-a-time sensitivity (tornado) table moves
each assumption to a low and a high value with everything else at its point estimate.

Modules, one job each: ``coefficients`` (estimates with covariance matrices), ``latent`` (the
measurement-error-corrected chain: SEM, factor scores), ``chain`` (choosing and estimating the
chain), ``valuation`` (NPV, payback, Monte Carlo, tornado), ``result`` (:class:`RoiResult`).
:func:`analyze_roi` runs them in order.
"""

from __future__ import annotations

from cxstats.stats.roi.chain import build_chain, build_roi_chain
from cxstats.stats.roi.clipping import AnswerSupport, answer_support, answer_supports
from cxstats.stats.roi.coefficients import pls_result_coefficients
from cxstats.stats.roi.coefficients import (Coefficients, driver_coefficients, drivers_result_coefficients,
                                            finance_coefficients)
from cxstats.stats.roi.result import RoiResult, methods_text
from cxstats.stats.roi.valuation import (Assumptions, Initiative, LoyaltySupport, annuity_factor, chain_effects,
                                         default_assumptions, loyalty_support, payback_months, roadmap_roi,
                                         tornado, value_initiative)


def analyze_roi(frame, finance_table, initiatives: list[Initiative], loyalty: str, constructs: list[str], *,
                chain: str | None = None, items: dict | None = None, indicators: list | None = None,
                survey_file: str = "survey", min_match: float = 0.8, currency: str = "EUR",
                finance_result=None, drivers_result=None, discount_rate: float = 0.08,
                horizon_years: float = 3.0, margin: float | None = None, customer_value: float | None = None,
                draws: int = 10_000, seed=20261123, progress=None, roadmap_file: str = "",
                scale_bounds: dict | None = None, customer_base: float | None = None,
                pls_result=None) -> RoiResult:
    """The ROI of every initiative: estimate the chain, set the assumptions, value the roadmap.

    ``frame``: customers with ``respondent_id``, the construct scores, the loyalty measure and (for
    the latent chain) the items and the loyalty ``indicators``; ``finance_table``: the checked
    finance table (read by the io layer's ``read_finance``). ``finance_result``: an earlier
    FinanceResult of the loyalty measure to reuse (observed chain); ``drivers_result``: an earlier
    DriversResult of the loyalty measure on (at least) the roadmap's constructs, whose slopes then
    replace the observed chain's driver regression. ``progress(done, total)`` follows the draws.
    ``scale_bounds``: construct (and loyalty indicator) -> (min, max) of its answer scale (else the
    observed min and max answers): each uplift is applied to the answers and clipped there
    (:mod:`.clipping`), and the latent chain reads the loyalty indicators as clipped answers.
    ``customer_base``: the customers the roadmap's reach is out of, for the roadmap total
    (:mod:`.total`; default the largest customers_reached).
    ``pls_result``: an earlier PlsResult whose IPMA importances replace the observed chain's driver
    slopes (:func:`.coefficients.pls_result_coefficients`).
    """
    coef, values, chain_info, warns, fin, latent = build_roi_chain(
        frame, finance_table, loyalty, constructs, chain=chain, items=items, indicators=indicators,
        survey_file=survey_file, min_match=min_match, currency=currency, finance_result=finance_result,
        bounds=scale_bounds)
    if latent is None and drivers_result is not None:
        coef = Coefficients.combine(drivers_result_coefficients(drivers_result, loyalty),
                                    finance_coefficients(fin, loyalty))
        chain_info["driver_model"] = "from the drivers step"
    if latent is None and pls_result is not None:
        coef = Coefficients.combine(pls_result_coefficients(pls_result, loyalty, constructs),
                                    finance_coefficients(fin, loyalty))
        chain_info["driver_model"] = "from the pls step (IPMA importance)"
    assumptions = default_assumptions(fin, loyalty, discount_rate=discount_rate, horizon_years=horizon_years,
                                      margin=margin, customer_value=customer_value, currency=currency,
                                      chain=chain_info, customer_base=customer_base)
    assumptions.answers = answer_supports(frame, constructs, items, scale_bounds)
    result = roadmap_roi(initiatives, coef, values, assumptions, draws=draws, seed=seed, progress=progress,
                         roadmap_file=roadmap_file, chain=chain_info, warnings=warns)
    result.finance = fin.link
    result.latent = latent
    return result


__all__ = ["analyze_roi", "AnswerSupport", "answer_support", "answer_supports", "RoiResult", "Coefficients", "Initiative", "Assumptions", "LoyaltySupport",
           "annuity_factor", "payback_months", "chain_effects", "loyalty_support", "value_initiative",
           "tornado", "roadmap_roi", "default_assumptions", "build_chain", "build_roi_chain",
           "driver_coefficients", "finance_coefficients", "drivers_result_coefficients", "methods_text"]
