"""The measurement-error-corrected ("latent") ROI chain.

The observed-score chain (construct score = mean of its items, loyalty = one item) is attenuated
twice by measurement error: OLS slopes on error-laden predictors shrink, and the finance models of
a noisy loyalty item shrink again. This module replaces both links with latent ones:

1. **Driver link (SEM).** One model, fitted by ML with the SEM engine:

       <construct> =~ item_1 + item_2 + ...      (marker: first item, loading 1)
       <loyalty>   =~ marker + other indicators   (marker: the roadmap's loyalty measure)
       <loyalty>   ~  every construct factor

   An uplift of ``u`` scale points on a construct is read as "the expected answer to its items
   rises by ``u`` on average": the latent mean moves by ``d eta = u / mean(lambda_c)`` (the mean
   unstandardised loading of its items relative to the marker item), and loyalty moves by
   ``dL = gamma_c d eta`` in marker-item points. The chain's coefficient ``driver:<c>`` is
   therefore ``gamma_c / mean(lambda_c)``: loyalty points (marker) per scale point of uplift.

2. **Finance link (regression calibration).** Each customer's loyalty score ``W = E[L | answers]``:
   the posterior mean with the loyalty indicators read as rounded, clipped latent responses
   (:meth:`LatentModel.posterior_scores`), or, when they are not whole answer codes, the linear
   regression-method factor score ``Cov(L, x_o) Cov(x_o)^-1 (x_o - mean_o)`` (Thomson's / lavaan's
   ``lavPredict(method = "regression")``); a customer's missing answers are left out of the
   conditioning. Churn (logistic) and log revenue (OLS) are regressed on ``W``. For the linear revenue model this is consistent for the latent slope; for
   the logistic churn model it estimates ``P(churn | W)``, which is exactly the function the change
   in churn needs: with ``L | W ~ N(W, s^2)`` and every customer's L moved by ``dL``,
   ``E[p(L + dL)] - E[p(L)] = E_W[g(W + dL) - g(W)]``, ``g(w) = P(churn | W = w)``
   (Carroll, Ruppert, Stefanski & Crainiceanu 2006, ch. 4; Skrondal & Laake 2001).

The valuation (churn/revenue -> NPV) is the observed chain's (:mod:`cxstats.stats.roi.valuation`), with
the latent coefficients and the customers' factor scores in place of the loyalty item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError, ModelError
from cxstats.stats.finance import analyze_finance
from cxstats.stats.roi.coefficients import Coefficients, finance_coefficients

CHAINS = ("latent", "observed")
LOYALTY_FACTOR = "loyalty_factor"


# --------------------------------------------------------------------------- choosing the chain

def choose_chain(requested: str | None, items: dict | None, indicators: list | None) -> tuple[str, str, list]:
    """Decide the chain. Returns (chain, reason, warnings).

    ``requested``: 'latent', 'observed' or None (latent when possible). ``items``: construct ->
    item columns (None when unknown, e.g. construct scores given as columns). ``indicators``:
    the loyalty indicators (marker first). An explicit 'latent' that cannot be had is an error.
    """
    if requested not in (None, "", *CHAINS):
        raise InputError(f"unknown chain {requested!r}: use latent or observed", option="chain")
    if requested == "observed":
        return "observed", "requested (chain: observed): observed scores, attenuated by measurement error", []
    problems = []
    if not items:
        problems.append("the constructs' items are not known (give a spec, or each construct's item columns)")
    else:
        short = [c for c, its in items.items() if len(its) < 2]
        if short:
            problems.append(f"construct(s) {', '.join(short)} have fewer than 2 items")
    ind = list(dict.fromkeys(indicators or []))
    if len(ind) < 2:
        problems.append(f"the loyalty measure has {len(ind)} indicator(s); 2 or more are needed "
                        "(e.g. repurchase and NPS)")
    if not problems:
        return ("latent", f"{'requested' if requested else 'default'}: every construct has 2 or more items and "
                f"loyalty has {len(ind)} indicators ({', '.join(ind)}), so measurement error can be corrected", [])
    why = "; ".join(problems)
    if requested == "latent":
        raise InputError(f"the latent ROI chain is not possible: {why}", option="chain")
    return ("observed", f"latent chain not possible: {why}",
            [f"ROI chain: observed scores used because {why}. Measurement error attenuates both links "
             "(construct -> loyalty and loyalty -> churn/revenue), so the ROI is biased low"])


# --------------------------------------------------------------------------- the latent model

@dataclass
class LatentModel:
    """A fitted latent driver model and everything the ROI needs from it."""

    fit: object                      # SemFit
    syntax: str
    constructs: list
    items: dict                      # construct -> item columns
    indicators: list                 # loyalty indicators, marker first
    factor: str                      # name of the loyalty factor in the syntax
    n: int
    loadings: dict = field(default_factory=dict)   # construct -> [(item, free index or -1, value)]
    gammas: dict = field(default_factory=dict)     # construct -> free index
    warnings: list = field(default_factory=list)
    score_method: str = ""                          # how the finance link's loyalty scores were computed

    # ---- the conversion uplift -> loyalty, as a function of the SEM parameters
    def driver_effects(self, theta: np.ndarray) -> np.ndarray:
        """gamma_c / mean(lambda_c) per construct, for rows of free-parameter vectors (draws, k)."""
        theta = np.atleast_2d(theta)
        out = np.empty((theta.shape[0], len(self.constructs)))
        for j, c in enumerate(self.constructs):
            lam = [theta[:, f] if f >= 0 else np.full(theta.shape[0], v) for _, f, v in self.loadings[c]]
            out[:, j] = theta[:, self.gammas[c]] / np.mean(lam, axis=0)
        return out

    def driver_jacobian(self) -> np.ndarray:
        """d driver_effects / d theta at the estimate (constructs x free parameters)."""
        th = self.fit.theta
        J = np.zeros((len(self.constructs), len(th)))
        for j, c in enumerate(self.constructs):
            rows = self.loadings[c]
            lam = np.array([th[f] if f >= 0 else v for _, f, v in rows])
            m = lam.mean()
            g = th[self.gammas[c]]
            J[j, self.gammas[c]] += 1 / m
            for _, f, _v in rows:
                if f >= 0:
                    J[j, f] += -g / (m * m * len(rows))
        return J

    def driver_coefficients(self):
        """Coefficients ``driver:<c>`` (delta-method covariance; Monte Carlo draws go through the
        SEM parameters themselves, see :meth:`sampler`)."""
        est = self.driver_effects(self.fit.theta)[0]
        J = self.driver_jacobian()
        cov = J @ self.fit.vcov @ J.T
        names = [f"driver:{c}" for c in self.constructs]
        fm = self.fit.fit_measures()
        src = (f"SEM: {self.factor} (marker {self.indicators[0]}) ~ construct factors; gamma / mean loading "
               f"(n = {self.n}, CFI {fm['cfi']:.3f}, RMSEA {fm['rmsea']:.3f})")
        return Coefficients(names, est, cov, {n: src for n in names}, samplers=[(names, self.sampler())])

    def sampler(self):
        """rng, size -> (size, constructs) driver effects from draws of the SEM estimates."""
        used = sorted({self.gammas[c] for c in self.constructs}
                      | {f for c in self.constructs for _, f, _v in self.loadings[c] if f >= 0})
        mean = self.fit.theta[used]
        cov = self.fit.vcov[np.ix_(used, used)]
        w, v = np.linalg.eigh((cov + cov.T) / 2)
        root = v * np.sqrt(np.clip(w, 0, None))
        theta0 = self.fit.theta

        def draw(rng, size):
            z = rng.standard_normal((size, len(used)))
            th = np.repeat(theta0[None, :], size, axis=0)
            th[:, used] = mean + z @ root.T
            return self.driver_effects(th)
        return draw

    # ---- factor scores
    def factor_scores(self, frame) -> np.ndarray:
        """Regression-method scores E[L | observed indicators] per row of ``frame`` (NaN when a
        row has none of the model's variables). Missing answers are left out of the conditioning."""
        fit = self.fit
        B, C, *_ = fit.model.implied_all(fit.theta, 0)
        p = fit.model.p
        ov = list(fit.pt.ov)
        li = fit.model.idx[self.factor]
        Sxx = C[:p, :p]
        sLx = C[li, :p]
        if fit.pt.meanstructure:   # FIML: the model-implied means (the latent means are 0)
            mu_all = fit.model.implied_all(fit.theta, 0)[2]
            mean, level = mu_all[:p], float(mu_all[li])
        else:
            mean, level = fit.model.stats.mean[0], 0.0
        X = frame[ov].to_numpy(float)
        out = np.full(len(X), np.nan)
        obs = np.isfinite(X)
        patterns, inverse = np.unique(obs, axis=0, return_inverse=True)
        for k, pat in enumerate(patterns):
            rows = np.flatnonzero(inverse.reshape(-1) == k)
            if not pat.any():
                continue
            o = np.flatnonzero(pat)
            w = np.linalg.solve(Sxx[np.ix_(o, o)], sLx[o])
            out[rows] = level + (X[np.ix_(rows, o)] - mean[o]) @ w
        return out

    def posterior_scores(self, frame, bounds: dict | None = None) -> tuple[np.ndarray, str]:
        """E[L | answers] with the loyalty indicators read as rounded, clipped answers; (scores, method).

        Why not the linear scores (:meth:`factor_scores`) for the finance link: where the loyalty
        indicators crowd at their scale's top (NPS 10, "totally agree"), the linear score squeezes the
        most loyal customers together and the churn model fitted on it comes out flat (in the demo the
        change in churn was 4-5% low; exact with continuous indicators). Here each loyalty indicator is
        a latent response ``y*_j = nu_j + lambda*_j L + e_j`` rounded to the nearest code and clipped
        at the scale's bounds: ``(nu_j, sd(y*_j))`` from its answer shares (:func:`.clipping.fit_item_response`),
        ``lambda*_j = lambda_j / c_j`` (the SEM loading over the clipped answers' rate ``c_j = E[g'(y*)]``,
        Stein's lemma, so that ``Cov(answer, L)`` is the SEM's), ``var(e_j) = sd(y*_j)^2 - lambda*_j^2
        var(L)``. The construct items enter as in the linear scores (the prior ``L | construct items``,
        normal, from the model-implied covariance; missing items left out) and the indicators' answer
        probabilities are the likelihood; the posterior mean is computed on a grid of 401 points
        (+-8 prior SDs). The SEM says the indicators depend on the construct items only through L, which
        is what the product assumes. Falls back to the linear scores (and says so) when an indicator's
        answers are not whole codes or its residual variance is not positive."""
        from scipy.special import ndtr

        from cxstats.stats.roi.clipping import fit_item_response

        linear = "linear regression-method factor scores (lavPredict 'regression')"
        fit = self.fit
        _, C, *_ = fit.model.implied_all(fit.theta, 0)
        p = fit.model.p
        ov = list(fit.pt.ov)
        li = fit.model.idx[self.factor]
        if fit.pt.meanstructure:
            mu_all = fit.model.implied_all(fit.theta, 0)[2]
            mean, level = mu_all[:p], float(mu_all[li])
        else:
            mean, level = fit.model.stats.mean[0], 0.0
        psi = float(C[li, li])
        lam = {r.rhs: (fit.theta[r.free] if r.free >= 0 else r.value) for r in fit.pt.rows
               if r.op == "=~" and r.lhs == self.factor}
        resp = []
        for j in self.indicators:
            x = frame[j].to_numpy(float)
            x = x[np.isfinite(x)]
            v, n = np.unique(x, return_counts=True)
            lo, hi = (bounds or {}).get(j, (v.min(), v.max()) if len(v) else (0, 0))
            it = fit_item_response(v, n, lo, hi)
            if it is None:
                return self.factor_scores(frame), f"{linear}: '{j}' answers are not whole codes on its scale"
            load = float(lam[j]) / it.rate
            resid = it.sigma ** 2 - load ** 2 * psi
            if not resid > 0.01 * it.sigma ** 2:
                return self.factor_scores(frame), (f"{linear}: '{j}' has no room for a residual on its latent "
                                                   "response scale")
            resp.append((j, it, load, float(np.sqrt(resid))))
        cons = [i for i, name in enumerate(ov) if name not in self.indicators]
        X = frame[ov].to_numpy(float)
        prior_m = np.full(len(X), level)
        prior_v = np.full(len(X), psi)
        obs = np.isfinite(X[:, cons])
        patterns, inverse = np.unique(obs, axis=0, return_inverse=True)
        for k, pat in enumerate(patterns):
            if not pat.any():
                continue
            rows = np.flatnonzero(inverse.reshape(-1) == k)
            o = np.asarray(cons)[pat]
            w = np.linalg.solve(C[np.ix_(o, o)], C[li, o])
            prior_m[rows] = level + (X[np.ix_(rows, o)] - mean[o]) @ w
            prior_v[rows] = psi - float(C[li, o] @ w)
        z = np.linspace(-8, 8, 401)
        answers = []
        seen = np.zeros(len(X), bool)
        for j, it, load, sd in resp:
            x = frame[j].to_numpy(float)
            has = np.isfinite(x)
            seen |= has
            cuts = np.concatenate([[-np.inf], it.cuts, [np.inf]])
            code = np.clip(np.searchsorted(it.cuts, np.where(has, x, it.cuts[0])), 0, len(cuts) - 2)
            # nu_j = E[y*_j] at the latent mean; the answer's interval (lower, upper) on y*
            answers.append((has, cuts[code], cuts[code + 1], it.mu - load * level, load, sd))
        out = np.empty(len(X))
        sd_prior = np.sqrt(np.clip(prior_v, 1e-12, None))
        for s0 in range(0, len(X), 5000):   # blocks of rows: the grid is rows x 401
            r = slice(s0, s0 + 5000)
            grid = prior_m[r, None] + sd_prior[r, None] * z[None, :]
            logw = np.broadcast_to(-0.5 * z ** 2, grid.shape).copy()
            for has, lower, upper, centre, load, sd in answers:
                m = centre + load * grid
                pr = ndtr((upper[r, None] - m) / sd) - ndtr((lower[r, None] - m) / sd)
                logw += np.where(has[r, None], np.log(np.clip(pr, 1e-300, None)), 0.0)
            logw -= logw.max(axis=1, keepdims=True)
            wts = np.exp(logw)
            out[r] = (wts * grid).sum(axis=1) / wts.sum(axis=1)
        out[~(seen | obs.any(axis=1))] = np.nan
        return out, ("posterior mean E[L | answers], loyalty indicators read as rounded, clipped latent "
                     "responses (ordinal; construct items linear)")

    def _explained(self) -> tuple[float, float]:
        """(var of L explained by all indicators, var(L)) from the model-implied covariance."""
        fit = self.fit
        _, C, *_ = fit.model.implied_all(fit.theta, 0)
        p = fit.model.p
        li = fit.model.idx[self.factor]
        s = C[li, :p]
        return float(s @ np.linalg.solve(C[:p, :p], s)), float(C[li, li])

    def score_reliability(self) -> float:
        """var(W) / var(L) for a customer who answered everything (R^2 of L on all indicators)."""
        explained, total = self._explained()
        return explained / total

    def residual_var(self) -> float:
        """var(L | all indicators) in marker units squared."""
        explained, total = self._explained()
        return total - explained

    # ---- reporting
    def table(self):
        """One row per construct: items, mean loading, latent slope, driver effect (per point)."""
        import pandas as pd

        est = self.fit.estimates()
        reg = est[(est["op"] == "~") & (est["lhs"] == self.factor)].set_index("rhs")
        eff = self.driver_effects(self.fit.theta)[0]
        J = self.driver_jacobian()
        se = np.sqrt(np.clip(np.diag(J @ self.fit.vcov @ J.T), 0, None))
        rows = []
        for j, c in enumerate(self.constructs):
            lam = [self.fit.theta[f] if f >= 0 else v for _, f, v in self.loadings[c]]
            rows.append({"construct": c, "items": ", ".join(self.items[c]), "marker_item": self.items[c][0],
                         "mean_loading": float(np.mean(lam)), "gamma": float(reg.loc[c, "est"]),
                         "gamma_se": float(reg.loc[c, "se"]), "gamma_std": float(reg.loc[c, "std_all"]),
                         "driver_effect": float(eff[j]), "driver_effect_se": float(se[j])})
        return pd.DataFrame(rows)

    def describe(self) -> dict:
        fm = self.fit.fit_measures()
        return {"loyalty_indicators": ", ".join(self.indicators),
                "driver_model": f"SEM: {self.factor} =~ {' + '.join(self.indicators)}; "
                                f"{self.factor} ~ {len(self.constructs)} construct factors",
                "driver_n": self.n, "sem_cfi": fm["cfi"], "sem_rmsea": fm["rmsea"], "sem_srmr": fm["srmr"],
                "factor_score_reliability": self.score_reliability(),
                "factor_score_residual_var": self.residual_var()}


def model_syntax(items: dict, indicators: list, factor: str) -> str:
    lines = [f"{c} =~ {' + '.join(its)}" for c, its in items.items()]
    lines.append(f"{factor} =~ {' + '.join(indicators)}")
    lines.append(f"{factor} ~ {' + '.join(items)}")
    return "\n".join(lines)


def fit_latent_model(frame, items: dict, indicators: list, *, source: str = "", missing: str = "auto") -> LatentModel:
    """Fit the latent driver model to customers' answers (a DataFrame with the item and indicator
    columns). ``missing``: ``"auto"`` (FIML, lavaan's ``missing = "ml"``, when an answer is missing,
    as the measurement SEM does; else the complete-data fit), ``"ml"`` or ``"listwise"``. Raises
    ModelError when it cannot be trusted."""
    from cxstats.stats.sem import fit_sem

    items = {c: list(its) for c, its in items.items()}
    indicators = list(dict.fromkeys(indicators))
    cols = list(dict.fromkeys([i for its in items.values() for i in its] + indicators))
    absent = [c for c in cols if c not in frame.columns]
    if absent:
        raise InputError("no such column for the latent ROI chain", file=source or None, column=absent[0])
    used = set(cols) | set(items)
    factor = LOYALTY_FACTOR
    while factor in used:
        factor += "_"
    clash = [c for c in items if c in cols]
    if clash:
        raise InputError(f"construct {clash[0]!r} has the name of an item or loyalty indicator; rename it",
                         file=source or None)
    syntax = model_syntax(items, indicators, factor)
    data = frame[cols].apply(lambda s: s.astype(float))
    # full-information ML, as the measurement SEM (lavaan missing = "ml"): every customer with an
    # answer contributes; without missing answers this is the listwise fit (plus saturated means)
    fit = fit_sem(syntax, data, missing=missing)
    warns = [f"latent ROI model: {w}" for w in fit.warnings]
    if not fit.converged:
        raise ModelError("the latent ROI model (constructs -> loyalty SEM) did not converge")
    bad = [w for w in fit.warnings if w.startswith("Heywood") or "not positive definite" in w]
    if bad:
        raise ModelError(f"the latent ROI model has an improper solution: {bad[0]}")
    loadings, gammas = {}, {}
    for r in fit.pt.rows:
        if r.op == "=~" and r.lhs in items:
            loadings.setdefault(r.lhs, []).append((r.rhs, r.free, r.value))
        elif r.op == "~" and r.lhs == factor:
            gammas[r.rhs] = r.free
    for c in items:
        if np.mean([fit.theta[f] if f >= 0 else v for _, f, v in loadings[c]]) <= 0:
            raise ModelError(f"construct {c}: the mean loading of its items is not positive (reverse-keyed "
                             "items not recoded?); the uplift cannot be converted to the latent scale")
    return LatentModel(fit, syntax, list(items), items, indicators, factor, fit.ntotal, loadings, gammas, warns)


def latent_finance(frame, model: LatentModel, finance_table, *, survey_file: str = "survey",
                   min_match: float = 0.8, currency: str = "EUR", id_column: str = "respondent_id",
                   bounds: dict | None = None):
    """Loyalty scores E[L | answers] for every customer of ``frame`` (:meth:`LatentModel.posterior_scores`;
    ``bounds``: indicator -> its scale's (min, max)), linked to the finance table; churn and revenue
    regressed on them (regression calibration). Returns (FinanceResult, score column name)."""
    col = f"{model.indicators[0]} (latent score)"
    scored = frame[[id_column]].copy()
    scored[col], model.score_method = model.posterior_scores(frame, bounds)
    fin = analyze_finance(scored, finance_table, [col], survey_file=survey_file, min_match=min_match,
                          currency=currency, id_column=id_column)
    return fin, col


def build_latent_chain(frame, finance_table, loyalty: str, items: dict, indicators: list, *,
                       survey_file: str = "survey", min_match: float = 0.8, currency: str = "EUR",
                       bounds: dict | None = None):
    """Everything the valuation needs for the latent chain.

    Returns (Coefficients, factor scores of the linked customers, chain description, warnings,
    FinanceResult, LatentModel).
    """
    if indicators[0] != loyalty:
        indicators = [loyalty, *[i for i in indicators if i != loyalty]]
    model = fit_latent_model(frame, items, indicators, source=survey_file)
    fin, col = latent_finance(frame, model, finance_table, survey_file=survey_file, min_match=min_match,
                              currency=currency, bounds=bounds)
    fblock = finance_coefficients(fin, col)
    rc = (f" (regression calibration on the factor score of {model.factor}, marker {loyalty}; "
          f"factor-score reliability {model.score_reliability():.2f})")
    fblock.sources = {k: v + rc for k, v in fblock.sources.items()}
    coef = Coefficients.combine(model.driver_coefficients(), fblock)
    values = fin.link.merged[col].to_numpy(float)
    chain = {"loyalty_measure": loyalty, **model.describe(), "loyalty_scores": model.score_method,
             "linked_customers": fin.link.n_matched,
             "loyalty_units": f"{loyalty} points (marker of the latent loyalty factor)"}
    warns = list(model.warnings) + list(fin.warnings)
    neg = [c for c, b in zip(model.constructs, model.driver_effects(model.fit.theta)[0]) if b < 0]
    if neg:
        warns.append(f"negative latent driver effect(s) for {', '.join(neg)}: with correlated constructs a "
                     "partial effect can change sign; an uplift there is predicted to lower loyalty")
    return coef, values, chain, warns, fin, model


def methods_text() -> list:
    return [
        ("Missing answers (latent)", "The latent model uses the measurement SEM's missing-data method: "
         "full-information ML (lavaan missing = \"ml\"; every customer with an answer contributes, valid under "
         "MAR) when a model variable has a missing answer, else the complete-data ML fit. The factor scores are "
         "then computed with the model-implied means, each customer conditioning on the answers given "
         "(unanswered items left out of the conditioning), so no customer is dropped for a missing answer."),
        ("Value chain (latent)", "Measurement-error-corrected chain. A structural equation model (ML) measures "
         "each construct by its items (first item the marker, loading 1) and loyalty by its indicators (the "
         "roadmap's loyalty measure the marker), and regresses latent loyalty on every construct factor. An "
         "uplift of u scale points is read as a rise of u in the expected answer to the construct's items, so "
         "the latent mean moves by u / mean(lambda) (mean unstandardised loading of its items relative to the "
         "marker) and loyalty by dL = gamma x u / mean(lambda), in marker-item points (Bollen 1989, "
         "Structural Equations with Latent Variables; lavaan: Rosseel 2012)."),
        ("Finance link (regression calibration)", "Each customer's loyalty score W = E[L | answers] from the "
         "fitted model replaces the loyalty item in the churn (logistic) and log-revenue (OLS) models. The "
         "loyalty indicators are read as what they are, rounded answers clipped at their scale's bounds: each "
         "is a latent response nu + lambda* L + e (nu and its SD from the answer shares by ML; lambda* = the "
         "SEM loading / the clipped answers' rate E[g'(y*)]), the construct items give the normal prior of L "
         "(model-implied covariance), and W is the posterior mean on a grid; with indicators that are not "
         "whole codes W is lavaan's lavPredict method 'regression'. Unanswered items are left out of the "
         "conditioning. Regressing on E[L | x] is regression calibration "
         "(Carroll, Ruppert, Stefanski & Crainiceanu 2006, Measurement Error in Nonlinear Models, 2nd ed., "
         "ch. 4): consistent for the linear revenue slope, and for churn it estimates P(churn | W), so that "
         "mean_i[p(W_i + dL) - p(W_i)] is the change in the churn rate when every customer's latent loyalty "
         "rises by dL (regression scores for explanatory latent variables: Skrondal & Laake 2001, "
         "Psychometrika 66, 563-575). Linear scores of clipped indicators squeeze the most loyal customers "
         "together and flatten the churn model (about 4-5% low in the demo). Assumes normal latent "
         "variables and that the survey answers carry no information on churn beyond latent loyalty."),
        ("Uncertainty (latent)", "Monte Carlo: the SEM estimates (latent slopes and loadings) are drawn from a "
         "multivariate normal with the ML estimates and their covariance matrix (expected information; observed "
         "information under FIML) and "
         "turned into driver effects gamma / mean(lambda) per draw; the finance coefficients are drawn from "
         "their own estimates and covariance, independently. The estimation error of the factor-score weights "
         "is not propagated (it is small next to the slopes'). The Coefficients sheet shows delta-method SEs."),
    ]
