"""Immediacy: how soon after the contact customers answered, per channel, touchpoint, wave and
segment, and whether the lag or the channel moves the answers.

Pure: a frame with ``lag_hours`` (response minus contact, hours; NaN when either time is
missing or impossible) and grouping columns in, an :class:`ImmediacyResult` out.

* ``median_lag_hours``, ``p90_lag_hours``: sample quantiles (numpy's linear interpolation,
  R ``quantile(type = 7)``);
* ``share_within``: answers with ``lag <= max_lag_hours`` over answers with a lag, with a
  Wilson score 95% interval (statsmodels ``proportion_confint(method="wilson")``, = R
  ``prop.test(x, n, correct = FALSE)$conf.int``);
* ``late``: every answer given after the window (respondent, touchpoint, wave, channel, lag);
* does the lag matter, and mode effects: for each outcome (NPS, CSAT, construct scores), OLS of
  the answer on lag band (:func:`lag_bands`: with a 48 h window ``<24h``, ``24-48h``,
  ``48-96h``, ``>96h``; reference the first) and survey channel (reference: the most frequent)
  with HC3 standard errors (statsmodels). The bands and the channels are each tested jointly
  by a Wald chi-square; the p-values of each family are Holm-adjusted across the outcomes, and a
  warning names an outcome whose adjusted p < 0.05 (aural modes, IVR and phone, are known to
  draw more positive answers, so mixing channels across waves moves scores).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError

LEVELS = ("overall", "channel", "touchpoint", "wave", "segment")


def lag_bands(max_lag_hours: float) -> list[dict]:
    """The lag bands of the regression: [0, w/2), [w/2, w], (w, 2w], > 2w for a window w
    (48 h: <24h, 24-48h, 48-96h, >96h); the window's end belongs to the band inside it, as
    ``share_within`` counts ``lag <= w``."""
    w = float(max_lag_hours)
    return [{"band": f"<{w / 2:g}h", "from_hours": 0.0, "to_hours": w / 2},
            {"band": f"{w / 2:g}-{w:g}h", "from_hours": w / 2, "to_hours": w},
            {"band": f"{w:g}-{2 * w:g}h", "from_hours": w, "to_hours": 2 * w},
            {"band": f">{2 * w:g}h", "from_hours": 2 * w, "to_hours": None}]


def band_of(lags, max_lag_hours: float):
    """Each lag's band label (None for a missing lag)."""
    import numpy as np

    w = float(max_lag_hours)
    labels = [b["band"] for b in lag_bands(w)]
    v = np.asarray(lags, dtype=float)
    idx = np.where(v < w / 2, 0, np.where(v <= w, 1, np.where(v <= 2 * w, 2, 3)))
    return np.array([labels[i] if np.isfinite(x) else None for i, x in zip(idx, v)], dtype=object)


def wilson_ci(x: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (statsmodels)."""
    if n == 0:
        return math.nan, math.nan
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(x, n, alpha=alpha, method="wilson")
    return float(lo), float(hi)


def lag_summary(lags, max_lag_hours: float) -> dict:
    """n, median and P90 lag, share within the window with its Wilson CI."""
    import numpy as np

    v = np.asarray(lags, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    x = int((v <= max_lag_hours).sum())
    lo, hi = wilson_ci(x, n)
    return {"n": n, "median_lag_hours": float(np.median(v)) if n else math.nan,
            "p90_lag_hours": float(np.percentile(v, 90)) if n else math.nan,
            "within": x, "share_within": x / n if n else math.nan,
            "share_within_ci_lower": lo, "share_within_ci_upper": hi}


@dataclass
class ImmediacyResult:
    max_lag_hours: float
    rows: list = field(default_factory=list)   # level, group, channel, touchpoint, wave, segment, n, ...
    late: list = field(default_factory=list)   # respondent_id, touchpoint, wave, channel, lag_hours
    no_lag: int = 0                            # answers without a lag (no contact time, or flagged)
    flagged: dict = field(default_factory=dict)  # flag -> count (response before contact, future)
    mode_effects: list = field(default_factory=list)  # outcome, term, b, se_hc3, pvalue (lag bands, channels)
    mode_tests: list = field(default_factory=list)    # outcome, wald_chi2, df, pvalue, p_holm, n, reference
    lag_tests: list = field(default_factory=list)     # outcome, wald_chi2, df, pvalue, p_holm, n, reference
    bands: list = field(default_factory=list)         # the lag bands: band, from_hours, to_hours
    segment_column: str | None = None
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"analysis": "immediacy", "max_lag_hours": self.max_lag_hours, "rows": self.rows,
                "late": self.late, "no_lag": self.no_lag, "flagged": self.flagged,
                "segment_column": self.segment_column,
                "lag_bands": self.bands, "mode_effects": self.mode_effects, "mode_tests": self.mode_tests,
                "lag_tests": self.lag_tests, "warnings": list(self.warnings)}

    def tables(self) -> dict:
        import pandas as pd

        out = {"Immediacy": pd.DataFrame(self.rows)}
        if self.late:
            out["Late answers"] = pd.DataFrame(self.late)
        if self.lag_tests:
            out["Lag tests"] = pd.DataFrame(self.lag_tests)
        if self.mode_tests:
            out["Mode tests"] = pd.DataFrame(self.mode_tests)
        if self.mode_effects:
            out["Mode effects"] = pd.DataFrame(self.mode_effects)
        return out

    def methods(self) -> list:
        return [
            ("Lag", "lag_hours = response time - contact time, in hours, both in UTC (times without a "
                    "zone are read in the spec's fielding.timezone). Answers dated before their contact "
                    "or in the future are flagged at ingest and left out."),
            ("Median and P90", "Sample quantiles with linear interpolation (R quantile type 7)."),
            ("Share within the window", f"Answers with lag <= {self.max_lag_hours:g} h over answers "
             "with a lag, with a Wilson score 95% interval (Wilson 1927; statsmodels "
             "proportion_confint(method='wilson') = R prop.test(x, n, correct = FALSE))."),
            ("Does the lag matter? Mode effects", "Per outcome (NPS, CSAT, construct scores): OLS of the "
             "answer on lag-band indicators (bands " + ", ".join(b["band"] for b in lag_bands(self.max_lag_hours))
             + "; reference the first) and survey-channel indicators (reference: the most frequent channel), "
             "HC3 standard errors (statsmodels; R sandwich::vcovHC type HC3). The lag bands and the channels "
             "are each tested jointly by a Wald chi-square; each family's p-values are Holm-adjusted across "
             "the outcomes and an outcome is flagged when its adjusted p < 0.05. A difference by lag band "
             "means answers given later rate differently (recall fades); a difference by channel is a mode "
             "effect or a difference of who answers by each channel: compare waves with the same channel mix."),
        ]


def analyze_immediacy(frame, *, max_lag_hours: float = 48.0, segment: str | None = None,
                      outcomes: list | None = None, id_column: str = "respondent_id") -> ImmediacyResult:
    """``frame``: ``lag_hours`` and optional ``survey_mode``, ``wave``, ``time_flag``, ``segment``
    columns, outcome columns. Returns rows overall, per channel, per wave and per segment value."""
    import numpy as np
    import pandas as pd

    if not max_lag_hours > 0:
        raise InputError(f"must be a positive number of hours, not {max_lag_hours!r}", option="max_lag_hours")
    if "lag_hours" not in frame.columns:
        raise InputError("the data have no lag (no contact and response times)", option="contact_time")
    lag = pd.to_numeric(frame["lag_hours"], errors="coerce").astype(float)
    res = ImmediacyResult(float(max_lag_hours), segment_column=segment)
    res.no_lag = int(lag.isna().sum())
    if "time_flag" in frame.columns:
        counts = frame["time_flag"].dropna().value_counts()
        res.flagged = {str(k): int(v) for k, v in sorted(counts.items())}
    if lag.notna().sum() == 0:
        raise InputError("no answer has both a contact and a response time: immediacy cannot be "
                         "computed (add the contact time of each answer: fielding.contact_time)",
                         option="contact_time")
    lag_notes(res)

    def text(col):
        if col not in frame.columns:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        return frame[col].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))

    channel, wave, touchpoint = text("survey_mode"), text("wave"), text("contact_touchpoint")
    seg = text(segment) if segment else None
    def row(level, group, mask, **keys):
        # the JSON keys of the issue: channel / touchpoint / wave / segment of the row (None: all)
        out = {"level": level, "group": group, "channel": None, "touchpoint": None, "wave": None,
               "segment": None}
        out.update(keys)
        return {**out, **lag_summary(lag if mask is None else lag[mask], max_lag_hours)}

    res.rows.append(row("overall", "all", None))
    for level, col in (("channel", channel), ("touchpoint", touchpoint), ("wave", wave), ("segment", seg)):
        if col is None or col.isna().all():
            continue
        for value in sorted(col.dropna().unique()):
            res.rows.append(row(level, value, col == value, **{level: value}))
    if channel.notna().any() and wave.notna().any():
        for value in sorted(channel.dropna().unique()):
            for w in sorted(wave.dropna().unique()):
                res.rows.append(row("channel x wave", f"{value} | {w}", (channel == value) & (wave == w),
                                    channel=value, wave=w))
    late = lag > max_lag_hours
    ids = frame[id_column] if id_column in frame.columns else pd.Series(frame.index.astype(str), index=frame.index)
    order = np.argsort(-lag.where(late, -np.inf).to_numpy(), kind="stable")
    for i in order[: int(late.sum())]:
        res.late.append({"respondent_id": str(ids.iloc[i]), "touchpoint": touchpoint.iloc[i],
                         "wave": wave.iloc[i], "channel": channel.iloc[i], "lag_hours": float(lag.iloc[i])})

    res.bands = lag_bands(max_lag_hours)
    band = pd.Series(band_of(lag.to_numpy(), max_lag_hours), index=frame.index)
    for outcome in outcomes or []:
        if outcome in frame.columns:
            _lag_and_mode(res, frame, outcome, channel, band)
    _holm_and_warn(res)
    return res


def _lag_and_mode(res, frame, outcome, channel, band):
    """OLS of the outcome on lag band and channel indicators, HC3; joint Wald tests of each."""
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    y = pd.to_numeric(frame[outcome], errors="coerce")
    has_channel = channel.notna().any()
    ok = y.notna() & band.notna() & (channel.notna() if has_channel else True)
    if ok.sum() < 30:
        return
    X = pd.DataFrame(index=y.index[ok])
    labels = [b["band"] for b in res.bands]
    present = [b for b in labels if (band[ok] == b).any()]
    band_terms = [f"lag[{b}]" for b in present[1:]]
    for b, term in zip(present[1:], band_terms):
        X[term] = (band[ok] == b).astype(float)
    ch = channel[ok]
    ref, ch_terms = None, []
    if has_channel and ch.nunique() >= 2:
        ref = ch.value_counts().sort_index().idxmax()
        ch_terms = [f"channel[{c}]" for c in sorted(ch.unique()) if c != ref]
        for c in sorted(ch.unique()):
            if c != ref:
                X[f"channel[{c}]"] = (ch == c).astype(float)
    if not band_terms and not ch_terms:
        return
    X = sm.add_constant(X, has_constant="add")
    fit = sm.OLS(y[ok].astype(float), X).fit(cov_type="HC3")
    names = {"const": f"intercept ({present[0]}" + (f", {ref})" if ref else ")")}
    for term in X.columns:
        res.mode_effects.append({"outcome": outcome, "term": names.get(term, term), "b": float(fit.params[term]),
                                 "se_hc3": float(fit.bse[term]), "pvalue": float(fit.pvalues[term])})

    def wald(terms):
        R = np.zeros((len(terms), X.shape[1]))
        for i, nm in enumerate(terms):
            R[i, list(X.columns).index(nm)] = 1.0
        w = fit.wald_test(R, scalar=True, use_f=False)
        return float(np.squeeze(w.statistic)), float(np.squeeze(w.pvalue))

    if band_terms:
        stat, p = wald(band_terms)
        res.lag_tests.append({"outcome": outcome, "wald_chi2": stat, "df": len(band_terms), "pvalue": p,
                              "n": int(ok.sum()), "reference": present[0],
                              "largest": max(band_terms, key=lambda t: abs(fit.params[t])),
                              "largest_b": float(max((fit.params[t] for t in band_terms), key=abs))})
    if ch_terms:
        stat, p = wald(ch_terms)
        best = max(ch_terms, key=lambda t: fit.params[t])
        res.mode_tests.append({"outcome": outcome, "wald_chi2": stat, "df": len(ch_terms), "pvalue": p,
                               "n": int(ok.sum()), "reference": ref, "highest": best[8:-1],
                               "highest_b": float(fit.params[best])})


def lag_mode_from_cells(res, outcome, cells: dict, has_channel: bool) -> None:
    """:func:`_lag_and_mode` from each (lag band, channel) cell's n, mean and M2 of the outcome
    (``{(band, channel or None): (n, mean, M2)}``), as an engine returns them. Every row of a
    cell has the same design row x_c (intercept, band and channel indicators), so X'X and X'y are
    sums over the cells, the leverage h_c = x_c'(X'X)^-1 x_c is the cell's, and a cell's sum of
    squared residuals is M2 + n (mean - x_c'b)^2: the OLS fit, its HC3 covariance
    (X'X)^-1 [sum_c x_c x_c' SSE_c/(1 - h_c)^2] (X'X)^-1 (MacKinnon & White 1985) and the Wald
    tests are exact functions of the cells (no second pass over the rows)."""
    import numpy as np
    from scipy import stats

    ok = {k: v for k, v in cells.items() if v[0] > 0 and k[0] is not None and (k[1] is not None or not has_channel)}
    n_ok = sum(v[0] for v in ok.values())
    if n_ok < 30:
        return
    labels = [b["band"] for b in res.bands]
    present = [b for b in labels if any(k[0] == b for k in ok)]
    band_terms = [f"lag[{b}]" for b in present[1:]]
    ref, ch_terms, chans = None, [], sorted({k[1] for k in ok if k[1] is not None})
    if has_channel and len(chans) >= 2:
        size = {c: sum(v[0] for k, v in ok.items() if k[1] == c) for c in chans}
        ref = max(chans, key=lambda c: (size[c], -chans.index(c)))   # the most frequent; ties: first in order
        ch_terms = [f"channel[{c}]" for c in chans if c != ref]
    if not band_terms and not ch_terms:
        return
    terms = ["const", *band_terms, *ch_terms]

    def x_of(key):
        b, c = key
        return np.array([1.0] + [float(b == t[4:-1]) for t in band_terms] + [float(c == t[8:-1]) for t in ch_terms])
    xs = {k: x_of(k) for k in ok}
    xtx = sum(ok[k][0] * np.outer(x, x) for k, x in xs.items())
    xty = sum(ok[k][0] * ok[k][1] * x for k, x in xs.items())
    inv = np.linalg.inv(xtx)
    beta = inv @ xty
    meat = np.zeros_like(xtx)
    for k, x in xs.items():
        n, mean, m2 = ok[k]
        h = float(x @ inv @ x)
        sse = m2 + n * (mean - float(x @ beta)) ** 2
        meat += np.outer(x, x) * sse / (1.0 - h) ** 2
    cov = inv @ meat @ inv
    se = np.sqrt(np.diag(cov))
    names = {"const": f"intercept ({present[0]}" + (f", {ref})" if ref else ")")}
    for i, term in enumerate(terms):
        z = beta[i] / se[i]
        res.mode_effects.append({"outcome": outcome, "term": names.get(term, term), "b": float(beta[i]),
                                 "se_hc3": float(se[i]), "pvalue": float(2 * stats.norm.sf(abs(z)))})

    def wald(sub):
        idx = [terms.index(t) for t in sub]
        r = beta[idx]
        stat = float(r @ np.linalg.solve(cov[np.ix_(idx, idx)], r))
        return stat, float(stats.chi2.sf(stat, len(idx)))

    coef = dict(zip(terms, beta))
    if band_terms:
        stat, p = wald(band_terms)
        res.lag_tests.append({"outcome": outcome, "wald_chi2": stat, "df": len(band_terms), "pvalue": p,
                              "n": int(n_ok), "reference": present[0],
                              "largest": max(band_terms, key=lambda t: abs(coef[t])),
                              "largest_b": float(max((coef[t] for t in band_terms), key=abs))})
    if ch_terms:
        stat, p = wald(ch_terms)
        best = max(ch_terms, key=lambda t: coef[t])
        res.mode_tests.append({"outcome": outcome, "wald_chi2": stat, "df": len(ch_terms), "pvalue": p,
                               "n": int(n_ok), "reference": ref, "highest": best[8:-1],
                               "highest_b": float(coef[best])})


def _holm_and_warn(res):
    """Holm-adjust each family of joint tests across the outcomes; warn on adjusted p < 0.05."""
    from cxstats.stats.gaps.tests import adjust_pvalues   # not statsmodels' multipletests: see there

    for tests in (res.lag_tests, res.mode_tests):
        if tests:
            adj = adjust_pvalues([t["pvalue"] for t in tests], "holm")
            for t, a in zip(tests, adj):
                t["p_holm"] = float(a)
    for t in res.lag_tests:
        if t["p_holm"] < 0.05:
            res.warnings.append(f"'{t['outcome']}' differs by lag band (Wald chi2 = {t['wald_chi2']:.1f}, df = "
                                f"{t['df']}, Holm-adjusted p = {t['p_holm']:.3g}; largest: {t['largest']}, "
                                f"{t['largest_b']:+.2f} vs {t['reference']}, channel held fixed): answers given "
                                "later rate differently; keep to the window or compare like lags")
    for t in res.mode_tests:
        if t["p_holm"] < 0.05:
            res.warnings.append(f"'{t['outcome']}' differs by survey channel (Wald chi2 = {t['wald_chi2']:.1f}, "
                                f"df = {t['df']}, Holm-adjusted p = {t['p_holm']:.3g}; highest: {t['highest']}, "
                                f"{t['highest_b']:+.2f} vs {t['reference']}, lag band held fixed): a mode effect "
                                "or a different mix of customers by channel; compare waves with the same channel mix")


def lag_notes(res) -> None:
    """The warnings about answers without a lag and about flagged times (rows and engine paths)."""
    if res.no_lag:
        res.warnings.append(f"{res.no_lag} answer(s) have no lag (no contact time, or a time flagged as "
                            "impossible) and are left out of immediacy")
    for flag, k in res.flagged.items():
        what = {"response_before_contact": "are dated before their contact",
                "future": "carry a time in the future"}.get(flag, flag)
        res.warnings.append(f"{k} answer(s) {what}: check the export's clocks and time zones")
