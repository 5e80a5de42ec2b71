"""Linking survey answers to money: a customer-level finance table joined by respondent id,
and how loyalty / NPS / satisfaction relate to churn, revenue and share of wallet.

* the finance table is read and checked by the io layer's ``read_finance`` (ids present
  and unique, churn 0/1, revenue a number, share of wallet a proportion), naming file, column,
  row and value; here it is any object with ``frame`` (``respondent_id`` + one float column per
  role), ``file``, ``columns`` (role -> column name), ``id_column`` and ``notes``;
* :func:`link_finance` joins survey customers to it and reports the match rate
  (matched / survey customers) and the finance rows without a survey answer; a join below
  ``min_match`` (default 80%) is refused, naming both files and example unmatched ids;
* :func:`analyze_finance` fits one model per (predictor, financial outcome):

  - churn (0/1): logistic regression ``logit P(churn) = a + b x`` (statsmodels Logit, ML,
    Wald CIs); the effect is the odds ratio exp(b) per point;
  - revenue: log-linear OLS ``log(revenue) = a + b x + e``; the multiplicative effect per
    point is exp(b) - 1 (CI exp(ci) - 1); zero or negative revenue cannot be logged and is
    left out, with a count in the warnings;
  - share of wallet (0-1): logit-linear OLS ``log(s / (1 - s)) = a + b x + e``; shares of
    exactly 0 or 1 are left out with a count.

  Each fit keeps its coefficient vector and covariance matrix so that the ROI can carry the
  uncertainty through a chain of effects (:mod:`cxstats.stats.roi`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError

ROLES = ("churn", "revenue", "share_of_wallet")
DEFAULT_MIN_MATCH = 0.80
_MISSING_TOKENS = {"", "na", "n/a", "nan", ".", "null", "none", "#n/a", "-"}  # as the io layer reads blanks
MODEL_OF_ROLE = {"churn": "logistic", "revenue": "log-linear OLS", "share_of_wallet": "logit-linear OLS"}


def _id_text(v):
    """A customer id as comparable text (``12.0`` -> ``12``; blank -> None), as the finance reader
    (``io.finance.id_text``) writes them."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v.__class__.__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(v, str) and v.strip().lower() in _MISSING_TOKENS:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# --------------------------------------------------------------------------- linking

def _names(files: str) -> str:
    """``/a/b/customers.csv, /a/staff.csv`` -> ``customers.csv, staff.csv``."""
    import ntpath
    import posixpath

    return ", ".join(ntpath.basename(posixpath.basename(f.strip())) for f in str(files).split(","))


@dataclass
class LinkResult:
    merged: object           # DataFrame: survey columns + finance roles, matched rows only
    n_survey: int
    n_matched: int
    n_finance: int
    n_finance_unmatched: int
    survey_file: str
    finance_file: str
    min_match: float
    unmatched_examples: list = field(default_factory=list)

    @property
    def match_share(self) -> float:
        return self.n_matched / self.n_survey if self.n_survey else float("nan")

    def to_dict(self) -> dict:
        # file names only: results carry no folder of the machine they ran on (same JSON anywhere)
        return {"survey_file": _names(self.survey_file), "finance_file": _names(self.finance_file),
                "n_survey_customers": self.n_survey, "n_matched": self.n_matched,
                "match_share": self.match_share, "n_finance_rows": self.n_finance,
                "n_finance_unmatched": self.n_finance_unmatched, "min_match": self.min_match,
                "unmatched_survey_ids_examples": self.unmatched_examples}


def link_finance(survey, finance, *, survey_file: str = "survey",
                 min_match: float = DEFAULT_MIN_MATCH, id_column: str = "respondent_id") -> LinkResult:
    """Join survey customers (DataFrame with ``id_column``) to the finance table.

    Refuses (InputError) when fewer than ``min_match`` of the survey customers are found.
    """
    if not 0.0 <= float(min_match) <= 1.0:
        raise InputError(f"the minimum match rate must be between 0 and 1, not {min_match!r}",
                         option="min_match")
    sid = survey[id_column].map(_id_text)
    fin = finance.frame
    fin_ids = set(fin["respondent_id"])
    found = sid.isin(fin_ids)
    n_survey = int(sid.notna().sum())
    n_matched = int(found.sum())
    unmatched = [s for s in sid[~found].tolist() if s is not None]
    rate = n_matched / n_survey if n_survey else 0.0
    n_fin_unmatched = int((~fin["respondent_id"].isin(set(sid.dropna()))).sum())
    if rate < min_match:
        ex = ", ".join(unmatched[:5])
        fex = ", ".join(fin["respondent_id"].head(3).tolist())
        raise InputError(
            f"only {n_matched} of {n_survey} survey customers ({rate:.1%}) are in the finance file "
            f"{finance.file} (column '{finance.id_column}'); at least {min_match:.0%} are needed. "
            f"Unmatched survey ids, e.g.: {ex}; finance ids look like: {fex}. Check that both files use "
            "the same customer id (or lower this minimum match rate)",
            file=survey_file, option="min_match")
    left = survey.assign(respondent_id=sid)
    merged = left.merge(fin, on="respondent_id", how="inner", suffixes=("", "_finance"))
    return LinkResult(merged, n_survey, n_matched, len(fin), n_fin_unmatched, str(survey_file),
                      finance.file, float(min_match), unmatched[:10])


# --------------------------------------------------------------------------- models

@dataclass
class OutcomeModel:
    """One regression of a financial outcome on one survey predictor."""

    outcome: str             # churn | revenue | share_of_wallet
    predictor: str
    model: str
    n: int
    coef: list               # [intercept, slope]
    cov: list                # 2x2 covariance of coef
    se: list
    ci_level: float = 0.95
    n_excluded: int = 0
    baseline: float = float("nan")    # mean churn rate / mean revenue / mean share in the data used
    predictor_mean: float = float("nan")
    predictor_sd: float = float("nan")
    resid_sd: float = float("nan")
    warnings: list = field(default_factory=list)

    @property
    def slope(self) -> float:
        return self.coef[1]

    def row(self) -> dict:
        from scipy.stats import norm

        z = norm.ppf(0.5 + self.ci_level / 2)
        b, se = self.coef[1], self.se[1]
        lo, hi = b - z * se, b + z * se
        zval = b / se if se > 0 else float("nan")
        p = float(2 * norm.sf(abs(zval))) if math.isfinite(zval) else float("nan")
        if self.outcome == "churn":
            eff, elo, ehi, what = math.exp(b), math.exp(lo), math.exp(hi), "odds ratio per point"
        elif self.outcome == "revenue":
            eff, elo, ehi, what = math.expm1(b), math.expm1(lo), math.expm1(hi), "revenue change per point (exp(b)-1)"
        else:
            eff, elo, ehi, what = math.exp(b), math.exp(lo), math.exp(hi), "odds of share per point (exp(b))"
        return {"outcome": self.outcome, "predictor": self.predictor, "model": self.model, "n": self.n,
                "n_excluded": self.n_excluded, "intercept": self.coef[0], "b": b, "se": se,
                "ci_lower": lo, "ci_upper": hi, "z": zval, "pvalue": p, "effect": eff,
                "effect_ci_lower": elo, "effect_ci_upper": ehi, "effect_meaning": what,
                "baseline": self.baseline}


def _logit(y, x, predictor):
    import numpy as np
    import statsmodels.api as sm

    warns = []
    X = sm.add_constant(np.asarray(x, float), has_constant="add")
    y = np.asarray(y, float)
    if y.min() == y.max():
        raise InputError(f"churn has only the value {y[0]:g} among the linked customers: no model can be fitted")
    x0, x1 = x[y == 0], x[y == 1]
    if x0.max() < x1.min() or x1.max() < x0.min():
        warns.append(f"churn ~ {predictor}: complete separation (every churner is on one side of every "
                     "stayer); the logistic slope is infinite and its estimate meaningless")
    elif x0.max() <= x1.min() or x1.max() <= x0.min():
        warns.append(f"churn ~ {predictor}: quasi-complete separation; the logistic slope is unstable")
    import warnings as _w

    with _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always")
        try:
            res = sm.Logit(y, X).fit(disp=0, method="newton", maxiter=100)
        except Exception as exc:  # statsmodels' PerfectSeparationError and friends
            raise InputError(f"churn ~ {predictor}: the logistic model cannot be estimated ({exc})") from None
    for w in caught:
        msg = str(w.message)
        if "separation" in msg.lower() and not any("separation" in x for x in warns):
            warns.append(f"churn ~ {predictor}: {msg}")
        elif "converge" in msg.lower():
            warns.append(f"churn ~ {predictor}: the logistic fit did not converge ({msg})")
    conv = bool(res.mle_retvals.get("converged", True))
    if not conv and not any("converge" in w for w in warns):
        warns.append(f"churn ~ {predictor}: the logistic fit did not converge")
    return np.asarray(res.params), np.asarray(res.cov_params()), warns, float("nan")


def _ols(y, x):
    import numpy as np
    import statsmodels.api as sm

    X = sm.add_constant(np.asarray(x, float), has_constant="add")
    res = sm.OLS(np.asarray(y, float), X).fit()
    return np.asarray(res.params), np.asarray(res.cov_params()), [], float(math.sqrt(res.scale))


def fit_outcome(outcome: str, y, x, predictor: str, *, ci_level: float = 0.95, min_n: int = 30) -> OutcomeModel:
    """Fit one financial outcome on one predictor (arrays; NaN rows dropped)."""
    import numpy as np

    y = np.asarray(y, float)
    x = np.asarray(x, float)
    ok = np.isfinite(y) & np.isfinite(x)
    y, x = y[ok], x[ok]
    warns, excluded = [], 0
    baseline = float(np.mean(y)) if len(y) else float("nan")
    if outcome == "revenue":
        pos = y > 0
        excluded = int((~pos).sum())
        if excluded:
            warns.append(f"revenue ~ {predictor}: {excluded} customer(s) with zero or negative revenue were "
                         "left out of the log-linear model (log undefined)")
        y, x = np.log(y[pos]), x[pos]
    elif outcome == "share_of_wallet":
        inside = (y > 0) & (y < 1)
        excluded = int((~inside).sum())
        if excluded:
            warns.append(f"share_of_wallet ~ {predictor}: {excluded} customer(s) with a share of exactly 0 or 1 "
                         "were left out of the logit-linear model")
        y, x = np.log(y[inside] / (1 - y[inside])), x[inside]
    n = len(y)
    if n < 3 or np.ptp(x) == 0:
        raise InputError(f"{outcome} ~ {predictor}: {n} usable linked customer(s)"
                         + (" and the predictor is constant" if n >= 3 else "") + "; cannot fit a model")
    if n < min_n:
        warns.append(f"{outcome} ~ {predictor}: only {n} linked customers; the estimate is imprecise")
    if outcome == "churn":
        coef, cov, w, rsd = _logit(y, x, predictor)
    else:
        coef, cov, w, rsd = _ols(y, x)
    warns += w
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    return OutcomeModel(outcome, predictor, MODEL_OF_ROLE[outcome], int(n), [float(c) for c in coef],
                        [[float(v) for v in r] for r in cov], [float(s) for s in se], ci_level, excluded,
                        baseline, float(np.mean(x)), float(np.std(x, ddof=1)), rsd, warns)


@dataclass
class FinanceResult:
    link: LinkResult
    models: list             # OutcomeModel
    predictors: list
    outcomes: list
    currency: str = "EUR"
    summary: dict = field(default_factory=dict)   # role -> {mean, n}
    warnings: list = field(default_factory=list)

    def model(self, outcome: str, predictor: str | None = None) -> OutcomeModel | None:
        for m in self.models:
            if m.outcome == outcome and (predictor is None or m.predictor == predictor):
                return m
        return None

    def table(self):
        import pandas as pd

        return pd.DataFrame([m.row() for m in self.models])

    def to_dict(self) -> dict:
        return {"link": self.link.to_dict(), "currency": self.currency, "predictors": self.predictors,
                "outcomes": self.outcomes, "summary": self.summary,
                "models": [dict(m.row(), cov=m.cov) for m in self.models], "warnings": self.warnings}

    def tables(self) -> dict:
        import pandas as pd

        d = self.link.to_dict()
        link = pd.DataFrame({"measure": [k for k in d if k != "unmatched_survey_ids_examples"],
                             "value": [v for k, v in d.items() if k != "unmatched_survey_ids_examples"]})
        link["value"] = link["value"].astype(object)
        return {"Finance link": link, "Finance models": self.table()}

    def methods(self) -> list:
        return methods_text(self.link.min_match)


def methods_text(min_match=DEFAULT_MIN_MATCH) -> list:
    return [
        ("Finance linkage", "Survey customers are joined to the customer-level finance table by respondent id "
         "(exact text match after trimming). Match rate = matched survey customers / survey customers; finance "
         f"rows without a survey answer are counted. Joins below {min_match:.0%} are refused."),
        ("Churn model", "Logistic regression logit P(churn=1) = a + b*x by maximum likelihood (statsmodels Logit), "
         "Wald 95% CI b +/- 1.96 se; odds ratio exp(b) per point of the predictor. Separation is checked and "
         "reported."),
        ("Revenue model", "Log-linear OLS log(revenue) = a + b*x + e (classical OLS SEs, as R's lm); exp(b)-1 is "
         "the proportional change in revenue per point (the same for mean revenue when the log-scale error is "
         "homoscedastic). Zero/negative revenue is excluded with a count."),
        ("Share of wallet model", "Logit-linear OLS log(s/(1-s)) = a + b*x + e on shares strictly between 0 and 1 "
         "(percentages are divided by 100); exp(b) multiplies the odds of share per point."),
    ]


def analyze_finance(survey, finance, predictors: list[str], *, survey_file: str = "survey",
                    min_match: float = DEFAULT_MIN_MATCH, currency: str = "EUR", ci_level: float = 0.95,
                    id_column: str = "respondent_id") -> FinanceResult:
    """Link and fit every (predictor, financial outcome) pair.

    ``survey``: customers' DataFrame with ``id_column`` and the ``predictors`` columns.
    """
    import numpy as np

    missing = [p for p in predictors if p not in survey.columns]
    if missing:
        raise InputError(f"no such predictor column (have: {', '.join(map(str, survey.columns[:20]))})",
                         file=survey_file, column=missing[0])
    link = link_finance(survey[[id_column, *predictors]], finance, survey_file=survey_file, min_match=min_match,
                        id_column=id_column)
    warns = list(finance.notes)
    if link.n_matched < link.n_survey:
        warns.append(f"{link.n_survey - link.n_matched} of {link.n_survey} survey customers "
                     f"({1 - link.match_share:.1%}) are not in the finance file and were left out")
    outcomes = [r for r in ROLES if r in finance.frame.columns]
    models, summary = [], {}
    m = link.merged
    for role in outcomes:
        vals = m[role].to_numpy(float)
        summary[role] = {"n": int(np.isfinite(vals).sum()), "mean": float(np.nanmean(vals)),
                         "column": finance.columns[role]}
        for p in predictors:
            fit = fit_outcome(role, vals, m[p].to_numpy(float), p, ci_level=ci_level)
            models.append(fit)
            warns += fit.warnings
    return FinanceResult(link, models, list(predictors), outcomes, currency, summary, warns)
