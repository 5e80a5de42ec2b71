"""Measurement invariance across groups: configural, metric, scalar, strict.

Each step is a multi-group CFA with lavaan's ``group.equal`` semantics:

* configural: same pattern, everything free per group (latent means 0);
* metric: + equal loadings;
* scalar: + equal intercepts (latent means then free in every group after the first);
* strict: + equal residual variances.

``free=["x3 ~ 1", "visual =~ x2"]`` releases named parameters in every step
(lavaan's ``group.partial``): partial invariance.

Each step is compared with the previous one by the standard chi-square
difference test (``lavTestLRT``), ΔCFI and ΔRMSEA.

With a robust estimator (``estimator="MLR"`` or ``"MLM"``, lavaan's ``estimator =``) every step is
fitted with it and the chi-square difference is the Satorra-Bentler (2001) scaled difference,
lavaan's default ``lavTestLRT`` method for robust tests: with T the (unscaled) ML chi-squares, df
their degrees of freedom and c the scaling factors of the more constrained model 0 and the less
constrained model 1, ``c_d = (df0 c0 - df1 c1) / (df0 - df1)`` and ``T_d = (T0 - T1) / c_d`` on
``df0 - df1`` degrees of freedom (a saturated model 1, df1 = 0, counts with c1 = 1; a negative c_d
gives no test, as lavaan). ΔCFI, ΔRMSEA and the configural fit gate then read the robust CFI and
RMSEA (``cfi_robust``, ``rmsea_robust``, as the CFA fit verdict; with missing answers under FIML
lavaan's FIML-corrected robust indices, and the ML ones if those cannot be computed). Sampling
weights (``weights``, lavaan's ``sampling.weights``) fit every step to the weighted moments with
MLR (lavaan's default with weights), complete respondents only, and so give Satorra-Bentler (2001)
differences too.

The verdict is the highest
level whose step and all steps before it pass the chosen rule:

* ``cfi`` (default): a step fails when ΔCFI ≤ −0.010 (Cheung & Rensvold 2002;
  Chen 2007's primary criterion). Chosen as the default because the gap
  analysis relies on the verdict: it is the more cautious of the two
  fit-change rules;
* ``chen``: a step fails only when ΔCFI ≤ −0.010 together with
  ΔRMSEA ≥ 0.015 (Chen 2007, read as a joint rule; laxer);
* ``lrt``: a step fails when the chi-square difference test has p < alpha.

Whatever the rule, a step that passes it but fails another criterion is
named in ``notes`` (never silently).

Configural invariance needs an acceptably fitting configural model first: by default
CFI >= .90, RMSEA <= .08 and SRMR <= .08 (``configural_cfi``, ``configural_rmsea``,
``configural_srmr``); otherwise the verdict is "configural invariance not established"
(level None, ``construct_verdicts`` 'none') and no later step is supported. A saturated
configural model (df = 0, e.g. one factor of 3 items) fits perfectly by construction: it is
accepted and said so.

The analysis' entry point is :func:`analyze_invariance`: a lavaan model tested as a whole
(:func:`model_invariance`, a :class:`ModelInvarianceResult`) or a mapping of constructs to
their items tested one by one (:func:`construct_invariance`, a
:class:`ConstructInvarianceResult`). Both are :class:`InvarianceResult` objects with
``construct_verdicts`` (``{construct: level}``), which a gap analysis reads.

Per construct (for gap analyses): :func:`construct_invariance` fits each
construct's one-factor model across the groups through the same steps and
gives each construct its own verdict; ``means_comparable`` is True when the
construct reaches scalar invariance (the condition for comparing its means).
Constructs with fewer than 3 items cannot be tested alone (not identified in
the configural step) and are reported as ``not testable``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError
from cxstats.stats.sem import build_partable, fit_sem, has_missing
from cxstats.stats.sem.diagnostics import FIML_METHODS, failed_cutoffs
from cxstats.stats.sem.partable import ModelOptions, param_key, parse_param
from cxstats.stats.sem.syntax import parse_model
# ΔCFI / ΔRMSEA cut-offs (Cheung & Rensvold 2002; Chen 2007) and the configural fit gate
from cxstats.thresholds import CONFIGURAL_CFI, CONFIGURAL_RMSEA, CONFIGURAL_SRMR, DCFI, DRMSEA

LEVELS = ("configural", "metric", "scalar", "strict")
GROUP_EQUAL = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts"),
               "strict": ("loadings", "intercepts", "residuals")}
RULES = ("chen", "cfi", "lrt")
STEP_KEYS = ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
             "srmr", "aic", "bic", "logl")
ROBUST_STEP_KEYS = ("chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust",
                    "rmsea_robust", "cfi_scaled", "rmsea_scaled")
ESTIMATORS = ("ML", "MLR", "MLM")
ORDINAL_ESTIMATORS = ("WLSMV", "ULSMV")     # ordinal items: the sequence of :func:`ordinal_invariance`
SB2001 = "satorra.bentler.2001"
SATORRA2000 = "satorra.2000"


class InvarianceResult:
    """What the invariance analysis returns (a :class:`ModelInvarianceResult` or a
    :class:`ConstructInvarianceResult`); ``construct_verdicts`` maps each construct (factor) to
    the invariance level it reached ('configural' | 'metric' | 'scalar' | 'strict' | 'none')."""

    warnings: list

    @property
    def construct_verdicts(self) -> dict:
        raise NotImplementedError


@dataclass
class ModelInvarianceResult(InvarianceResult):
    model: str
    group_labels: list
    n_by_group: list
    free: list
    rule: str
    alpha: float
    steps: list                  # per level: dict of fit measures (+ chisq_by_group)
    lrt: list                    # per comparison
    level: str | None            # highest level supported (None: configural fails to converge)
    verdict: str
    notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    fits: dict = field(default_factory=dict, repr=False)   # level -> SemFit
    missing: dict = field(default_factory=dict)            # how missing values were handled
    configural_fit: dict = field(default_factory=dict)     # {verdict, rule, failed, cutoffs}
    estimator: str = "ML"                                  # ML, MLR or MLM (every step)
    indices: str = "standard"                              # the CFI/RMSEA the rules read: standard | robust
    estimator_choice: dict | None = None                   # estimator auto: {estimator, rule, reason, items}
    weighted: bool = False                                 # sampling weights (lavaan sampling.weights, MLR)

    @property
    def means_comparable(self) -> bool:
        return self.level in ("scalar", "strict")

    @property
    def construct_verdicts(self) -> dict:
        """Every factor of the model -> the level the whole model reached ('none' when even the
        configural model failed): the equality constraints held for all factors together."""
        first = next(iter(self.fits.values()), None)
        factors = list(first.pt.lv) if first is not None else []
        return {f: self.level or "none" for f in factors}

    def to_dict(self) -> dict:
        return {"model": self.model, "groups": dict(zip(self.group_labels, self.n_by_group)),
                "free": self.free, "rule": self.rule, "missing": self.missing, "estimator": self.estimator,
                "lrt_method": SB2001 if self.estimator != "ML" else "standard", "indices": self.indices,
                **({"estimator_choice": self.estimator_choice} if self.estimator_choice else {}),
                **({"sampling_weights": True} if self.weighted else {}),
                "cutoffs": {"delta_cfi": DCFI, "delta_rmsea": DRMSEA, "alpha": self.alpha},
                "configural_fit": self.configural_fit,
                "level": self.level, "means_comparable": self.means_comparable, "verdict": self.verdict,
                "steps": self.steps, "lrt": self.lrt, "notes": self.notes, "warnings": self.warnings}

    def tables(self) -> dict:
        import pandas as pd

        steps = pd.DataFrame([{k: v for k, v in s.items() if k != "chisq_by_group"} for s in self.steps])
        lrt = pd.DataFrame(self.lrt)
        cf = self.configural_fit or {}
        verdict = pd.DataFrame({"item": ["level supported", "means comparable", "rule", "verdict",
                                         "configural fit", "configural fit rule", "configural cut-offs missed"] +
                                [f"note {i + 1}" for i in range(len(self.notes))],
                                "value": [self.level or "none", "yes" if self.means_comparable else "no",
                                          self.rule, self.verdict, cf.get("verdict", ""), cf.get("rule", ""),
                                          "; ".join(cf.get("failed", [])) or "none"] + self.notes})
        return {"Invariance steps": steps, "Invariance tests": lrt, "Invariance verdict": verdict}

    def methods(self) -> list:
        extra = [FIML_METHODS] if self.missing.get("method") == "ml" else []
        if self.estimator != "ML":
            from cxstats.stats.sem.diagnostics import robust_methods

            extra.append(robust_methods(self.estimator, self.missing.get("method", "listwise")))
        if self.weighted:
            from cxstats.stats.sem.diagnostics import WEIGHTS_METHODS

            extra.append(WEIGHTS_METHODS)
        return extra + [("Measurement invariance",
                 f"Multi-group CFA by {self.estimator} with lavaan's group.equal: configural (same pattern), metric "
                 "(equal loadings), scalar (+ equal intercepts, latent means free after the first group), strict "
                 "(+ equal residual variances); group.partial frees named parameters. Each step is compared "
                 "with the previous one by " + _lrt_text(self.estimator) + ", ΔCFI and ΔRMSEA" +
                 (" (of the robust CFI and RMSEA)" if self.indices == "robust" else "") + ". Verdict rule: " +
                 _rule_text(self.rule, self.alpha) + ". " +
                 (self.configural_fit or {}).get("rule", "") + ". Means of a construct are "
                 "comparable between groups only under scalar invariance.")]


def _lrt_text(estimator: str) -> str:
    if estimator in ORDINAL_ESTIMATORS:
        return ("the scaled-shifted chi-square difference test (lavTestLRT's default for WLSMV, method "
                "\"satorra.2000\", scaled.shifted = TRUE), ordinal items: configural, then thresholds and loadings "
                "equal (delta parametrisation, scale factors and latent means free after the first group)")
    if estimator == "ML":
        return "the chi-square difference test (lavTestLRT, standard)"
    return ("the Satorra-Bentler (2001) scaled chi-square difference test (lavTestLRT's default for robust "
            "estimators, method \"satorra.bentler.2001\"): c_d = (df0 c0 - df1 c1) / (df0 - df1) from the "
            "scaling factors c of the more (0) and less (1) constrained models, Δchisq = (T0 - T1) / c_d on the "
            "ML chi-squares T, on df0 - df1 degrees of freedom; lavaan reports no RMSEA of the difference here")


def _rule_text(rule: str, alpha: float) -> str:
    if rule == "chen":
        return (f"a step fails when ΔCFI <= {DCFI} together with ΔRMSEA >= {DRMSEA} (Chen 2007)")
    if rule == "cfi":
        return f"a step fails when ΔCFI <= {DCFI} (Cheung & Rensvold 2002)"
    return f"a step fails when the chi-square difference test has p < {alpha}"


def _fails(rule, dcfi, drmsea, p, alpha) -> bool:
    cfi_bad = dcfi <= DCFI + 1e-12
    rmsea_bad = drmsea >= DRMSEA - 1e-12
    lrt_bad = p is not None and not math.isnan(p) and p < alpha
    if rule == "chen":
        return cfi_bad and rmsea_bad
    if rule == "cfi":
        return cfi_bad
    return lrt_bad


def analyze_invariance(data, model, group, *, group_labels=None, free=None, rule: str = "cfi",
                       alpha: float = 0.05, levels=LEVELS, std_lv: bool = False, missing: str = "auto",
                       configural_cfi: float = CONFIGURAL_CFI, configural_rmsea: float = CONFIGURAL_RMSEA,
                       configural_srmr: float = CONFIGURAL_SRMR, estimator: str = "ML",
                       weights=None) -> InvarianceResult:
    """Measurement invariance of ``model`` across ``group`` (column name or per-row labels).

    ``model``: lavaan syntax (or a parsed model), tested as a whole (:func:`model_invariance`;
    ``free``: a list of parameters released in every step), or a mapping ``{construct: [items]}``
    whose constructs are tested one by one (:func:`construct_invariance`; ``free``: a mapping
    ``{construct: [parameters]}``). ``missing``: ``"auto"`` (full-information ML when a model
    variable has missing values, else plain ML), ``"ml"`` or ``"listwise"``. ``configural_cfi``,
    ``configural_rmsea``, ``configural_srmr``: the fit the configural model needs (CFI at least,
    RMSEA and SRMR at most) for configural invariance to be established. ``estimator``: ``"ML"``,
    ``"MLR"`` or ``"MLM"`` (robust: Satorra-Bentler 2001 scaled differences, robust CFI/RMSEA)."""
    gate = _gate(configural_cfi, configural_rmsea, configural_srmr)
    estimator = _check_estimator(estimator)
    if isinstance(model, dict):
        if free is not None and not isinstance(free, dict):
            raise InputError("free maps a construct to the parameters released, e.g. {web: ['q3 ~ 1']}",
                             option="free")
        return construct_invariance(data, model, group, group_labels=group_labels, rule=rule, alpha=alpha,
                                    free=free, missing=missing, estimator=estimator, weights=weights, **gate)
    if isinstance(free, dict):
        raise InputError("free lists parameters of the model, e.g. ['x3 ~ 1']", option="free")
    return model_invariance(data, model, group, group_labels=group_labels, free=free or (), levels=levels,
                            rule=rule, alpha=alpha, std_lv=std_lv, missing=missing, estimator=estimator,
                            weights=weights, **gate)


def _check_estimator(estimator) -> str:
    est = str(estimator).upper()
    if est == "DWLS":
        raise InputError("ordinal invariance needs the scaled-shifted test: use estimator WLSMV (or ULSMV), not "
                         "DWLS", option="estimator")
    if est not in ESTIMATORS + ORDINAL_ESTIMATORS:
        raise InputError(f"unknown estimator {estimator!r}; use one of {', '.join(ESTIMATORS + ORDINAL_ESTIMATORS)}",
                         option="estimator")
    return est


def _gate(cfi, rmsea, srmr) -> dict:
    """The configural fit cut-offs, checked."""
    for name, v, hi in (("configural_cfi", cfi, 1.0), ("configural_rmsea", rmsea, None),
                        ("configural_srmr", srmr, None)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or v < 0 or \
                (hi is not None and v > hi):
            raise InputError(f"{name} must be a number {'between 0 and 1' if hi else 'of at least 0'} "
                             f"(got {v!r})", option=name)
    return {"configural_cfi": float(cfi), "configural_rmsea": float(rmsea), "configural_srmr": float(srmr)}


def configural_rule(gate: dict) -> str:
    return (f"configural invariance needs an acceptable configural model: CFI >= {gate['configural_cfi']:.2f}, "
            f"RMSEA <= {gate['configural_rmsea']:.2f} and SRMR <= {gate['configural_srmr']:.2f} (a saturated "
            "configural model, df = 0, fits by construction and is accepted)")


def configural_fit(step: dict, converged: bool, gate: dict) -> dict:
    """The configural model's fit against the gate: {verdict, rule, failed, cutoffs}; verdict
    'acceptable', 'saturated' (df = 0), 'poor' or 'not converged'."""
    out = {"rule": configural_rule(gate), "cutoffs": {"cfi": gate["configural_cfi"],
                                                      "rmsea": gate["configural_rmsea"],
                                                      "srmr": gate["configural_srmr"]}}
    if not converged:
        return {"verdict": "not converged", "failed": ["the configural model did not converge"], **out}
    if step.get("df") == 0:
        return {"verdict": "saturated", "failed": [], **out}
    failed = failed_cutoffs(step, {"cfi": gate["configural_cfi"], "rmsea": gate["configural_rmsea"],
                                   "srmr": gate["configural_srmr"]})
    return {"verdict": "poor" if failed else "acceptable", "failed": failed, **out}


def model_invariance(data, model: str, group, *, group_labels=None, free=(), levels=LEVELS, rule: str = "cfi",
                     alpha: float = 0.05, std_lv: bool = False, missing: str = "auto",
                     configural_cfi: float = CONFIGURAL_CFI, configural_rmsea: float = CONFIGURAL_RMSEA,
                     configural_srmr: float = CONFIGURAL_SRMR, estimator: str = "ML",
                     weights=None) -> ModelInvarianceResult:
    """Fit the invariance sequence of ``model`` across ``group`` (column name or per-row labels).

    ``missing``: ``"auto"`` (full-information ML when a model variable has missing values, else
    plain ML), ``"ml"`` or ``"listwise"``; the same method (and the same respondents) in every step,
    so the chi-square differences are likelihood-ratio tests (with FIML: differences of
    2(logL_H1 - logL), the H1 log-likelihood cancelling). ``estimator``: ``"ML"``, ``"MLR"`` (also
    with FIML) or ``"MLM"`` (complete data: with ``missing="auto"`` and missing answers, listwise
    deletion with a warning); robust estimators give Satorra-Bentler (2001) scaled differences.
    ``weights``: sampling weights (a column name or one value per row; lavaan's ``sampling.weights``):
    MLR on the weighted moments of the complete respondents in every step."""
    if rule not in RULES:
        raise InputError(f"unknown invariance rule {rule!r}; use one of {', '.join(RULES)}", option="rule")
    gate = _gate(configural_cfi, configural_rmsea, configural_srmr)
    estimator = _check_estimator(estimator)
    if estimator in ORDINAL_ESTIMATORS:
        return ordinal_invariance(data, model, group, group_labels=group_labels, free=free, rule=rule, alpha=alpha,
                                  std_lv=std_lv, missing=missing, estimator=estimator, weights=weights, **gate)
    levels = [lv for lv in LEVELS if lv in levels]
    parsed = parse_model(model) if isinstance(model, str) else model
    if isinstance(group, str):
        group = data[group].tolist()
    free = _check_free(parsed, list(free or ()))
    auto = missing == "auto"
    if isinstance(weights, str):
        weights = data[weights].tolist()
    warnings = []
    if weights is not None:
        if estimator == "MLM":
            raise InputError("sampling weights work with estimator MLR (lavaan's default with weights), not MLM",
                             option="estimator")
        estimator = "MLR"
        if missing == "ml":
            raise InputError("sampling weights with missing = \"ml\" (FIML) are not available; use listwise",
                             option="missing")
        if missing == "auto":
            ov = build_partable(parsed, 1, ModelOptions(std_lv=std_lv)).ov
            if all(v in data.columns for v in ov) and has_missing(data, ov, group):
                warnings.append("sampling weights with full-information ML (missing answers) are not available: "
                                "respondents with missing answers on the model's variables were left out "
                                "(listwise deletion)")
        missing = "listwise"
    if missing == "auto":
        ov = build_partable(parsed, 1, ModelOptions(std_lv=std_lv)).ov
        absent = [v for v in ov if v not in data.columns]
        missing = "ml" if not absent and has_missing(data, ov, group) else "listwise"
    if missing == "ml" and estimator == "MLM":
        if auto:
            missing = "listwise"
            warnings.append("estimator MLM needs complete data (as lavaan): respondents with missing answers on "
                            "the model's variables were left out (listwise deletion); MLR works with "
                            "full-information ML")
        else:
            raise InputError("estimator MLM needs complete data (as lavaan); with missing = \"ml\" (FIML) use "
                             "estimator MLR", option="estimator")
    fits = _fit_steps(levels, lambda eq: fit_sem(parsed, data, group=group, group_labels=group_labels,
                                                 std_lv=std_lv, group_equal=eq, group_partial=free,
                                                 missing=missing, estimator=estimator, weights=weights), warnings)
    return _assemble(parsed.text, fits, free, rule, alpha, warnings, gate)


def _fit_steps(levels, fit_step, warnings) -> dict:
    """``{level: fit}``: ``fit_step(group_equal)`` for every level (rows or moments), the fits'
    warnings gathered into ``warnings`` (data warnings once, model warnings per step)."""
    fits = {}
    for lv in levels:
        f = fit_step(GROUP_EQUAL[lv])
        if f.pt.ngroups < 2:
            raise InputError("measurement invariance needs at least two groups; the group column has one value",
                             option="group")
        fits[lv] = f
        for w in f.warnings:
            data_note = "row(s)" in w or w.startswith("missing data:") or w.startswith("with missing answers (FIML)")
            msg = w if data_note else f"{lv}: {w}"     # data warnings once, model warnings per step
            if msg not in warnings:
                warnings.append(msg)
    return fits


def _check_free(parsed, free):
    """Canonical keys of the ``free`` parameters; refuses names that are not in the model."""
    names = {param_key(s.lhs, s.op, s.rhs) for s in parsed.statements}
    obs, lat = parsed.observed_names(), parsed.latent_names
    names |= {f"{v} ~1" for v in obs + lat} | {param_key(v, "~~", v) for v in obs + lat}
    out = []
    for f in free:
        key = parse_param(f)
        if key not in names:
            raise InputError(f"{f!r}: not a parameter of the model; write e.g. 'x3 ~ 1' (intercept), "
                             "'visual =~ x2' (loading) or 'x3 ~~ x3' (residual variance)", option="free")
        out.append(key)
    return out


def _assemble(model_text, fits, free, rule, alpha, warnings, gate) -> ModelInvarianceResult:
    from scipy.stats import chi2

    from cxstats.stats.sem.diagnostics import robust_verdict_fit
    from cxstats.stats.sem.robust import sb2001_difference

    levels = list(fits)
    first = fits[levels[0]]
    estimator = getattr(first, "estimator", "ML")
    robust = estimator != "ML"
    steps, lrt, notes, judged = [], [], [], []
    for lv in levels:
        fm = fits[lv].fit_measures()
        d = {"step": lv, "group_equal": list(GROUP_EQUAL[lv])}
        d.update({k: fm[k] for k in STEP_KEYS})
        if robust:
            d.update({k: fm.get(k) for k in ROBUST_STEP_KEYS if k in fm})
        d["converged"] = bool(fits[lv].converged)
        d["chisq_by_group"] = fm.get("chisq_by_group")
        steps.append(d)
        judged.append(robust_verdict_fit(d))     # the robust CFI/TLI/RMSEA when there are any
    indices = "robust" if robust and "cfi_robust" in steps[0] else "standard"
    level = levels[0] if fits[levels[0]].converged else None
    conf = configural_fit(judged[0], bool(fits[levels[0]].converged), gate)
    if indices == "robust":
        conf["failed"] = [("robust " + f) if f.split(" ")[0] in ("CFI", "TLI", "RMSEA") else f
                          for f in conf["failed"]]
    if level is not None and conf["verdict"] == "poor":
        level = None
    broken = level is None
    G, N = first.pt.ngroups, first.ntotal
    for i in range(1, len(steps)):
        prev, cur = steps[i - 1], steps[i]
        dchi = cur["chisq"] - prev["chisq"]
        ddf = cur["df"] - prev["df"]
        row = {"comparison": f"{cur['step']} vs {prev['step']}"}
        if robust:
            scaled, cd = sb2001_difference(cur["chisq"], cur["df"], cur.get("chisq_scaling_factor"),
                                           prev["chisq"], prev["df"], prev.get("chisq_scaling_factor"))
            p = float(chi2.sf(scaled, ddf)) if ddf > 0 and math.isfinite(scaled) else float("nan")
            row.update({"chisq_diff": scaled, "df_diff": ddf, "pvalue": p, "chisq_diff_unscaled": dchi,
                        "scaling_factor_diff": cd, "rmsea_diff": None})
            if not math.isfinite(cd):
                warnings = list(warnings) + [
                    f"{row['comparison']}: the Satorra-Bentler (2001) scaling factor of the difference is "
                    "negative, so the scaled difference test is not available (as lavaan); the step is judged by "
                    "the other criteria"]
        else:
            p = float(chi2.sf(dchi, ddf)) if ddf > 0 else float("nan")
            rmsea_d = math.sqrt(max(0.0, (dchi - ddf) / (N * ddf))) * math.sqrt(G) if ddf > 0 else float("nan")
            row.update({"chisq_diff": dchi, "df_diff": ddf, "pvalue": p, "rmsea_diff": rmsea_d})
        dcfi = judged[i]["cfi"] - judged[i - 1]["cfi"]
        drmsea = judged[i]["rmsea"] - judged[i - 1]["rmsea"]
        fails = _fails(rule, dcfi, drmsea, p, alpha) or not cur["converged"]
        row.update({"delta_cfi": dcfi, "delta_rmsea": drmsea, "delta_srmr": cur["srmr"] - prev["srmr"],
                    "supported": not fails})
        lrt.append(row)
        if not fails and not broken:
            level = cur["step"]
            others = [r for r in RULES if r != rule and _fails(r, dcfi, drmsea, p, alpha)]
            if others:
                why = []
                if "cfi" in others:
                    why.append(f"ΔCFI = {dcfi:.4f} <= {DCFI}")
                if "lrt" in others:
                    why.append(f"chi-square difference p = {p:.3g}")
                if "chen" in others:
                    why.append(f"ΔCFI = {dcfi:.4f} and ΔRMSEA = {drmsea:.4f}")
                notes.append(f"{cur['step']} invariance passes the {rule} rule but is doubtful by "
                             f"{'; '.join(why)}")
        else:
            broken = True
    labels = list(first.stats.group_labels)
    if conf["verdict"] == "saturated":
        notes.insert(0, "the configural model is saturated (df = 0, e.g. one factor of 3 items): it reproduces "
                        "each group's data exactly, so its fit cannot be tested; configural invariance is "
                        "accepted as such")
    if level is None and conf["verdict"] == "poor":
        verdict = ("configural invariance not established: the configural model does not fit acceptably ("
                   + ", ".join(conf["failed"]) + f"; {conf['rule']}); invariance cannot be assessed and "
                   "means are not comparable between groups")
        warnings = list(warnings) + [verdict]
    elif level is None:
        verdict = "the configural model did not converge: invariance cannot be assessed"
    else:
        verdict = f"{level} invariance supported ({_rule_text(rule, alpha)})"
        if level in ("configural", "metric"):
            verdict += "; latent and observed means are not comparable between groups"
        else:
            verdict += "; means can be compared between groups"
    return ModelInvarianceResult(model=model_text, group_labels=labels, n_by_group=list(first.stats.n),
                            free=list(free), rule=rule, alpha=alpha, steps=steps, lrt=lrt, level=level,
                            verdict=verdict, notes=notes, warnings=warnings, fits=fits,
                            missing=dict(first.missing_info), configural_fit=conf, estimator=estimator,
                    indices=indices, weighted=bool(getattr(first, "weighted", False)))


# ---------------------------------------------------------------------------- ordinal items

ORDINAL_GROUP_EQUAL = {"configural": (), "scalar": ("thresholds", "loadings")}


@dataclass
class OrdinalInvarianceResult(ModelInvarianceResult):
    """The ordinal sequence (WLSMV): configural, then thresholds and loadings equal (the scalar step of
    ordinal items; lavaan's delta parametrisation), compared by lavaan's satorra.2000 scaled-shifted
    difference; ΔCFI/ΔRMSEA and the configural gate read the scaled CFI/RMSEA."""

    def to_dict(self) -> dict:
        d = super().to_dict()
        d.update({"lrt_method": SATORRA2000, "indices": "scaled", "parameterization": "delta",
                  "ordered": True})
        return d

    def methods(self, lang: str = "en") -> list:
        from cxstats.stats.sem.dwls import ordinal_methods

        extra = ordinal_methods(self.estimator, self.missing) if lang == "en" else []
        return extra + [ordinal_invariance_methods(self.rule, self.alpha, self.configural_fit, lang)]


def ordinal_invariance_methods(rule: str, alpha: float, conf: dict, lang: str = "en") -> tuple:
    """The methods entry of the ordinal invariance sequence, in English or Spanish."""
    cut = conf.get("cutoffs", {})
    if lang == "es":
        regla = {"cfi": f"un paso no se sostiene cuando ΔCFI <= {DCFI} (Cheung y Rensvold 2002)",
                 "chen": f"un paso no se sostiene cuando ΔCFI <= {DCFI} junto con ΔRMSEA >= {DRMSEA} (Chen 2007)",
                 "lrt": f"un paso no se sostiene cuando la prueba de diferencia tiene p < {alpha}"}[rule]
        return ("Invarianza de medida (ítems ordinales)",
                "Ítems ordinales (policóricas, estimador WLSMV como lavaan 0.6-14 con ordered = los ítems). "
                "Identificación: la parametrización delta por defecto de lavaan (Wu y Estabrook 2016 muestran que "
                "identifica el modelo): paso configural con el mismo patrón en cada grupo, umbrales y cargas libres, "
                "factores de escala (~*~) 1, interceptos 0 y medias latentes 0; paso escalar con umbrales y cargas "
                "iguales entre grupos (group.equal = c(\"thresholds\", \"loadings\"); añadir \"intercepts\" no "
                "cambia nada porque los interceptos de los ítems ordinales siguen fijos en 0), con los factores de "
                "escala y las medias latentes libres desde el segundo grupo. Con ítems ordinales no hay paso métrico "
                "separado (cargas iguales con umbrales libres no es comparable; Wu y Estabrook 2016) ni estricto. "
                "Cada paso frente al anterior: la prueba de diferencia escalada y desplazada de lavTestLRT para "
                "WLSMV (método \"satorra.2000\", scaled.shifted = TRUE; Satorra 2000): T_d = a (T0 - T1) + b con "
                "los chi-cuadrados sin escalar T, m = gl0 - gl1, a = sqrt(m / tr((UΓ)^2)), b = m - a tr(UΓ), U a "
                "partir de la información del modelo configural y la matriz de restricciones A (A.method = "
                "\"delta\"). ΔCFI y ΔRMSEA y el filtro configural leen el CFI y el RMSEA escalados (lavaan 0.6-14 no "
                "da los robustos con restricciones entre grupos). Regla: " + regla + ". Filtro configural: CFI "
                f"escalado >= {cut.get('cfi', CONFIGURAL_CFI):.2f}, RMSEA escalado <= "
                f"{cut.get('rmsea', CONFIGURAL_RMSEA):.2f} y SRMR <= {cut.get('srmr', CONFIGURAL_SRMR):.2f}. Las "
                "medias solo son comparables con invarianza escalar. Eliminación por lista dentro de cada grupo.")
    return ("Measurement invariance (ordinal items)",
            "Ordinal items (polychoric correlations, estimator WLSMV as lavaan 0.6-14 with ordered = the items). "
            "Identification: lavaan's default delta parametrisation (Wu & Estabrook 2016 show it identifies the "
            "model): the configural step has the same pattern in every group, thresholds and loadings free, scale "
            "factors (~*~) 1, intercepts 0 and latent means 0; the scalar step has thresholds and loadings equal "
            "across groups (group.equal = c(\"thresholds\", \"loadings\"); adding \"intercepts\" changes nothing, "
            "the ordinal items' intercepts stay fixed at 0), the scale factors and latent means free after the first "
            "group. Ordinal items have no separate metric step (equal loadings with free thresholds is not a "
            "comparable model; Wu & Estabrook 2016) and no strict step here. Each step against the previous one: "
            "lavTestLRT's scaled-shifted difference test for WLSMV (method \"satorra.2000\", scaled.shifted = TRUE; "
            "Satorra 2000): T_d = a (T0 - T1) + b on the unscaled chi-squares T, m = df0 - df1, "
            "a = sqrt(m / tr((UΓ)^2)), b = m - a tr(UΓ), U from the configural model's information and the "
            "constraint matrix A (A.method = \"delta\"). ΔCFI, ΔRMSEA and the configural gate read the scaled CFI and "
            "RMSEA (lavaan 0.6-14 gives no robust ones with constraints across groups). Rule: "
            + _rule_text(rule, alpha) + f". Configural gate: scaled CFI >= {cut.get('cfi', CONFIGURAL_CFI):.2f}, "
            f"scaled RMSEA <= {cut.get('rmsea', CONFIGURAL_RMSEA):.2f} and SRMR <= {cut.get('srmr', CONFIGURAL_SRMR):.2f}"
            ". Means are comparable only under scalar invariance. Listwise deletion within each group. Matches "
            "lavaan 0.6-14 on the Holzinger-Swineford items cut into 4 categories (estimates to 1e-5, statistics "
            "to 1e-5 relative).")


def ordinal_invariance(data, model, group, *, group_labels=None, free=(), rule: str = "cfi", alpha: float = 0.05,
                       std_lv: bool = False, missing: str = "auto", estimator: str = "WLSMV", weights=None,
                       configural_cfi: float = CONFIGURAL_CFI, configural_rmsea: float = CONFIGURAL_RMSEA,
                       configural_srmr: float = CONFIGURAL_SRMR) -> OrdinalInvarianceResult:
    """The ordinal invariance sequence of ``model`` (every observed variable ordinal) across ``group``:
    configural, then thresholds and loadings equal (:mod:`cxstats.stats.sem.dwls_groups`)."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem.dwls_groups import fit_ordinal_invariance, satorra2000

    if rule not in RULES:
        raise InputError(f"unknown invariance rule {rule!r}; use one of {', '.join(RULES)}", option="rule")
    gate = _gate(configural_cfi, configural_rmsea, configural_srmr)
    for given, what, opt in ((bool(free), "partial invariance (free)", "free"),
                             (weights is not None, "sampling weights", "weight"),
                             (missing == "ml", "full-information ML (ordinal items: listwise deletion)", "missing")):
        if given:
            raise InputError(f"not available yet with ordinal items (WLSMV invariance): {what}", option=opt)
    parsed = parse_model(model) if isinstance(model, str) else model
    if isinstance(group, str):
        group = data[group].tolist()
    fits, warnings = {}, []
    for lv, eq in ORDINAL_GROUP_EQUAL.items():
        try:
            f = fit_ordinal_invariance(parsed, data, group, group_equal=eq, group_labels=group_labels,
                                       estimator=estimator, std_lv=std_lv)
        except ModelError as exc:
            if "measurement invariance needs at least two groups" in exc.reason:
                raise InputError("measurement invariance needs at least two groups; the group column has one "
                                 "value", option="group") from None
            raise
        fits[lv] = f
        for w in f.warnings:
            msg = w if w.startswith("missing data:") or "group value" in w else f"{lv}: {w}"
            if msg not in warnings:
                warnings.append(msg)
    steps, judged = [], []
    for lv, f in fits.items():
        fm = f.fit_measures()
        d = {"step": lv, "group_equal": list(ORDINAL_GROUP_EQUAL[lv])}
        d.update({k: fm.get(k, math.nan) for k in STEP_KEYS})
        d.update({k: fm.get(k) for k in ROBUST_STEP_KEYS})
        d["converged"] = bool(f.converged)
        d["chisq_by_group"] = fm.get("chisq_by_group")
        steps.append(d)
        judged.append({**d, "cfi": d["cfi_scaled"], "rmsea": d["rmsea_scaled"],
                       "tli": fm.get("tli_scaled", math.nan)})
    conf = configural_fit(judged[0], steps[0]["converged"], gate)
    conf["failed"] = [("scaled " + x) if x.split(" ")[0] in ("CFI", "TLI", "RMSEA") else x for x in conf["failed"]]
    level = "configural" if steps[0]["converged"] and conf["verdict"] != "poor" else None
    lrt, notes = [], []
    d = satorra2000(fits["configural"], fits["scalar"])
    dcfi = judged[1]["cfi"] - judged[0]["cfi"]
    drmsea = judged[1]["rmsea"] - judged[0]["rmsea"]
    p = d["pvalue"]
    fails = _fails(rule, dcfi, drmsea, p, alpha) or not steps[1]["converged"]
    lrt.append({"comparison": "scalar vs configural", "chisq_diff": d["chisq_diff"], "df_diff": d["df_diff"],
                "pvalue": p, "chisq_diff_unscaled": d["chisq_diff_unscaled"], "shift_a": d["a"], "shift_b": d["b"],
                "rmsea_diff": None, "delta_cfi": dcfi, "delta_rmsea": drmsea,
                "delta_srmr": steps[1]["srmr"] - steps[0]["srmr"], "supported": not fails})
    if level is not None and not fails:
        level = "scalar"
        others = [r for r in RULES if r != rule and _fails(r, dcfi, drmsea, p, alpha)]
        if others:
            why = ([f"ΔCFI = {dcfi:.4f} <= {DCFI}"] if "cfi" in others else []) + \
                  ([f"chi-square difference p = {p:.3g}"] if "lrt" in others else []) + \
                  ([f"ΔCFI = {dcfi:.4f} and ΔRMSEA = {drmsea:.4f}"] if "chen" in others else [])
            notes.append(f"scalar invariance passes the {rule} rule but is doubtful by {'; '.join(why)}")
    first = fits["configural"]
    if level is None and conf["verdict"] == "poor":
        verdict = ("configural invariance not established: the configural model does not fit acceptably ("
                   + ", ".join(conf["failed"]) + f"; {conf['rule']}); invariance cannot be assessed and "
                   "means are not comparable between groups")
        warnings.append(verdict)
    elif level is None:
        verdict = "the configural model did not converge: invariance cannot be assessed"
    else:
        verdict = (f"{level} invariance supported ({_rule_text(rule, alpha)}; ordinal items: thresholds and "
                   "loadings equal at the scalar step)")
        verdict += ("; means can be compared between groups" if level == "scalar"
                    else "; latent means are not comparable between groups")
    return OrdinalInvarianceResult(model=parsed.text, group_labels=list(first.labels), n_by_group=list(first.nobs),
                                   free=[], rule=rule, alpha=alpha, steps=steps, lrt=lrt, level=level,
                                   verdict=verdict, notes=notes, warnings=warnings, fits=fits,
                                   missing=dict(first.missing_info), configural_fit=conf, estimator=estimator,
                                   indices="scaled")


# ---------------------------------------------------------------------------- per construct

@dataclass
class ConstructInvariance:
    construct: str
    items: list
    level: str | None             # None: not testable
    means_comparable: bool
    reason: str = ""
    result: ModelInvarianceResult | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        d = {"construct": self.construct, "items": self.items, "level": self.level or "not testable",
             "means_comparable": self.means_comparable, "reason": self.reason}
        if self.result is not None:
            if self.result.configural_fit.get("verdict") == "poor":
                d["level"] = "none"
            d["configural_fit"] = self.result.configural_fit
            d["steps"] = [{k: s[k] for k in ("step", "chisq", "df", "cfi", "rmsea", "srmr")} for s in self.result.steps]
            d["lrt"] = self.result.lrt
            d["notes"] = self.result.notes
            d["missing"] = self.result.missing
        return d


@dataclass
class ConstructInvarianceResult(InvarianceResult):
    group_labels: list
    rule: str
    constructs: list              # ConstructInvariance
    warnings: list = field(default_factory=list)
    gate: dict = field(default_factory=lambda: {"configural_cfi": CONFIGURAL_CFI,
                                                "configural_rmsea": CONFIGURAL_RMSEA,
                                                "configural_srmr": CONFIGURAL_SRMR})
    estimator: str = "ML"
    estimator_choice: dict | None = None

    @property
    def construct_verdicts(self) -> dict:
        """For the gaps step: tested construct -> 'configural' | 'metric' | 'scalar' | 'strict'
        ('none' when even the configural model failed); untestable constructs are left out."""
        out = {}
        for c in self.constructs:
            if c.result is not None:
                out[c.construct] = c.level or "none"
        return out

    def verdicts(self) -> dict:
        """construct id -> level ('configural', 'metric', 'scalar', 'strict' or None)."""
        return {c.construct: c.level for c in self.constructs}

    def comparable(self) -> dict:
        """construct id -> True when its means can be compared (scalar invariance reached)."""
        return {c.construct: c.means_comparable for c in self.constructs}

    def to_dict(self) -> dict:
        return {"groups": self.group_labels, "rule": self.rule, "estimator": self.estimator,
                **({"estimator_choice": self.estimator_choice} if self.estimator_choice else {}),
                "lrt_method": (SATORRA2000 if self.estimator in ORDINAL_ESTIMATORS
                               else SB2001 if self.estimator != "ML" else "standard"),
                "cutoffs": {"delta_cfi": DCFI, "delta_rmsea": DRMSEA},
                "configural_rule": configural_rule(self.gate),
                "construct_verdicts": self.construct_verdicts,
                "constructs": [c.to_dict() for c in self.constructs], "warnings": self.warnings}

    def tables(self) -> dict:
        import pandas as pd

        rows = []
        for c in self.constructs:
            poor = c.result is not None and c.result.configural_fit.get("verdict") == "poor"
            r = {"construct": c.construct, "items": len(c.items),
                 "level": c.level or ("none (configural fit poor)" if poor else "not testable"),
                 "means_comparable": "yes" if c.means_comparable else "no",
                 "configural_fit": c.result.configural_fit.get("verdict", "") if c.result is not None else ""}
            if c.result is not None and c.result.missing:
                r["missing"] = c.result.missing.get("method")
                r["n"] = c.result.missing.get("n_used")
            if c.result is not None:
                for t in c.result.lrt:
                    step = t["comparison"].split()[0]
                    r[f"d_cfi_{step}"] = t["delta_cfi"]
                    r[f"p_{step}"] = t["pvalue"]
            r["reason"] = c.reason
            rows.append(r)
        return {"Invariance by construct": pd.DataFrame(rows)}

    def methods(self) -> list:
        return [("Invariance by construct",
                 "Each construct's one-factor model is fitted across the groups through configural, metric, "
                 "scalar and strict steps; the construct's level is the highest step passing the rule "
                 f"({_rule_text(self.rule, 0.05)}); {configural_rule(self.gate)}, otherwise the construct's "
                 "level is none. Each step is compared with the previous one by " + _lrt_text(self.estimator) +
                 (f" (estimator {self.estimator}; ΔCFI from the scaled CFI)" if self.estimator in ORDINAL_ESTIMATORS
                  else f" (estimator {self.estimator}; ΔCFI from the robust CFI)" if self.estimator != "ML" else "") +
                 ". Means are comparable under scalar invariance. Constructs "
                 "with fewer than 3 items cannot be tested on their own.")]


def construct_invariance(data, constructs: dict, group, *, group_labels=None, rule: str = "cfi",
                         alpha: float = 0.05, free: dict | None = None, missing: str = "auto",
                         configural_cfi: float = CONFIGURAL_CFI, configural_rmsea: float = CONFIGURAL_RMSEA,
                         configural_srmr: float = CONFIGURAL_SRMR, estimator: str = "ML",
                         weights=None) -> ConstructInvarianceResult:
    """Per-construct invariance: ``constructs`` maps construct id -> item columns. ``missing`` and
    ``estimator`` as in :func:`model_invariance`, ``missing`` decided per construct (``"auto"``: FIML
    when its items have missing values)."""
    estimator = _check_estimator(estimator)
    if rule not in RULES:
        raise InputError(f"unknown invariance rule {rule!r}; use one of {', '.join(RULES)}", option="rule")
    gate = _gate(configural_cfi, configural_rmsea, configural_srmr)
    if isinstance(group, str):
        group = data[group].tolist()
    if isinstance(weights, str):
        weights = data[weights].tolist()

    def run(cid, model):
        return model_invariance(data, model, group, group_labels=group_labels, rule=rule, alpha=alpha,
                                free=(free or {}).get(cid, ()), missing=missing, estimator=estimator,
                                weights=weights, **gate)
    return _construct_sequence(constructs, run, rule, gate, estimator)


def _construct_sequence(constructs: dict, run, rule, gate, estimator) -> ConstructInvarianceResult:
    """Each construct's one-factor model through ``run(construct id, lavaan syntax)`` (a
    :class:`ModelInvarianceResult`, from rows or moments); constructs with fewer than 3 items untested."""
    out, warnings, labels, fiml = [], [], None, []
    for cid, items in constructs.items():
        items = list(items)
        if len(items) < 3:
            out.append(ConstructInvariance(cid, items, None, False,
                                           f"{len(items)} item(s): a one-factor model needs 3 to be tested alone"))
            continue
        lvname = _safe(cid)
        while lvname in items:
            lvname += "_lv"
        model = f"{lvname} =~ " + " + ".join(items)
        try:
            res = run(cid, model)
        except InputError as exc:
            out.append(ConstructInvariance(cid, items, None, False, f"could not be fitted: {exc.reason}"))
            continue
        labels = res.group_labels
        warnings.extend(f"{cid}: {w}" for w in res.warnings if not w.startswith("missing data:"))
        if res.missing.get("method") == "ml":
            fiml.append(f"{cid} ({res.missing['n_used']} respondents, {res.missing['n_incomplete']} incomplete)")
        reason = "; ".join(([res.verdict] if res.level is None else []) + res.notes)
        out.append(ConstructInvariance(cid, items, res.level, res.means_comparable, reason, res))
    if fiml:
        warnings.insert(0, "missing data: full-information ML (lavaan missing = \"ml\") for the constructs with "
                        "missing answers: " + "; ".join(fiml) + "; the others had complete answers")
    return ConstructInvarianceResult(labels or [], rule, out, warnings, gate, estimator)


def _safe(name: str) -> str:
    import re

    s = re.sub(r"[^A-Za-z0-9._]", "_", str(name))
    return s if re.match(r"^[A-Za-z.]", s) else f"f_{s}"
