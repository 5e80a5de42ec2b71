"""Immediacy: how soon after the contact customers answered, per channel, wave and segment.

Pure: a frame with ``lag_hours`` (response minus contact, hours; NaN when either time is
missing or impossible) and grouping columns in, an :class:`ImmediacyResult` out.

* ``median_lag_hours``, ``p90_lag_hours``: sample quantiles (numpy's linear interpolation,
  R ``quantile(type = 7)``);
* ``share_within``: answers with ``lag <= max_lag_hours`` over answers with a lag, with a
  Wilson score 95% interval (statsmodels ``proportion_confint(method="wilson")``, = R
  ``prop.test(x, n, correct = FALSE)$conf.int``);
* ``late``: every answer given after the window (respondent, wave, channel, lag);
* mode effect: for each outcome, OLS of the answer on survey channel (reference: the largest)
  and a late-answer indicator with HC3 standard errors (statsmodels); a warning names the
  outcome when the channels' joint Wald test has p < 0.05 (aural modes, IVR and phone, are
  known to draw more positive answers, so mixing channels across waves moves scores).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError

LEVELS = ("overall", "channel", "wave", "segment")


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
    rows: list = field(default_factory=list)   # level, group, channel, wave, segment, n, ...
    late: list = field(default_factory=list)   # respondent_id, wave, channel, lag_hours
    no_lag: int = 0                            # answers without a lag (no contact time, or flagged)
    flagged: dict = field(default_factory=dict)  # flag -> count (response before contact, future)
    mode_effects: list = field(default_factory=list)  # outcome, term, b, se_hc3, pvalue
    mode_tests: list = field(default_factory=list)    # outcome, wald_chi2, df, pvalue, n
    segment_column: str | None = None
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"analysis": "immediacy", "max_lag_hours": self.max_lag_hours, "rows": self.rows,
                "late": self.late, "no_lag": self.no_lag, "flagged": self.flagged,
                "segment_column": self.segment_column,
                "mode_effects": self.mode_effects, "mode_tests": self.mode_tests,
                "warnings": list(self.warnings)}

    def tables(self) -> dict:
        import pandas as pd

        out = {"Immediacy": pd.DataFrame(self.rows)}
        if self.late:
            out["Late answers"] = pd.DataFrame(self.late)
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
            ("Mode effects", "Per outcome: OLS of the answer on survey-channel indicators (reference: "
             "the most frequent channel) and a late-answer indicator, HC3 standard errors (statsmodels; "
             "R sandwich::vcovHC type HC3); the channels are tested jointly by a Wald chi-square. A "
             "difference by channel is a mode effect or a difference of who answers by each channel: "
             "compare waves with the same channel mix."),
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
    lag = pd.to_numeric(frame["lag_hours"], errors="coerce")
    res = ImmediacyResult(float(max_lag_hours), segment_column=segment)
    res.no_lag = int(lag.isna().sum())
    if "time_flag" in frame.columns:
        counts = frame["time_flag"].dropna().value_counts()
        res.flagged = {str(k): int(v) for k, v in sorted(counts.items())}
    if lag.notna().sum() == 0:
        raise InputError("no answer has both a contact and a response time: immediacy cannot be "
                         "computed (add the contact time of each answer: fielding.contact_time)",
                         option="contact_time")
    if res.no_lag:
        res.warnings.append(f"{res.no_lag} answer(s) have no lag (no contact time, or a time flagged as "
                            "impossible) and are left out of immediacy")
    for flag, k in res.flagged.items():
        what = {"response_before_contact": "are dated before their contact",
                "future": "carry a time in the future"}.get(flag, flag)
        res.warnings.append(f"{k} answer(s) {what}: check the export's clocks and time zones")

    def text(col):
        if col not in frame.columns:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        return frame[col].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))

    channel, wave = text("survey_mode"), text("wave")
    seg = text(segment) if segment else None
    def row(level, group, mask, **keys):
        # the JSON keys of the issue: channel / wave / segment of the row (None: all of them)
        out = {"level": level, "group": group, "channel": None, "wave": None, "segment": None}
        out.update(keys)
        return {**out, **lag_summary(lag if mask is None else lag[mask], max_lag_hours)}

    res.rows.append(row("overall", "all", None))
    for level, col in (("channel", channel), ("wave", wave), ("segment", seg)):
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
        res.late.append({"respondent_id": str(ids.iloc[i]), "wave": wave.iloc[i], "channel": channel.iloc[i],
                         "lag_hours": float(lag.iloc[i])})

    for outcome in outcomes or []:
        if outcome in frame.columns and channel.nunique() >= 2:
            _mode_effect(res, frame, outcome, channel, late, lag)
    return res


def _mode_effect(res, frame, outcome, channel, late, lag):
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    y = pd.to_numeric(frame[outcome], errors="coerce")
    ok = y.notna() & channel.notna() & lag.notna()
    if ok.sum() < 30:
        return
    ch = channel[ok]
    ref = ch.value_counts().sort_index().idxmax()
    levels = [c for c in sorted(ch.unique()) if c != ref]
    X = pd.DataFrame({f"channel[{c}]": (ch == c).astype(float) for c in levels}, index=ch.index)
    if late[ok].any() and not late[ok].all():
        X["late"] = late[ok].astype(float)
    X = sm.add_constant(X)
    fit = sm.OLS(y[ok].astype(float), X).fit(cov_type="HC3")
    for term in X.columns:
        res.mode_effects.append({"outcome": outcome, "term": term if term != "const" else f"intercept ({ref})",
                                 "b": float(fit.params[term]), "se_hc3": float(fit.bse[term]),
                                 "pvalue": float(fit.pvalues[term])})
    names = [f"channel[{c}]" for c in levels]
    R = np.zeros((len(names), X.shape[1]))
    for i, nm in enumerate(names):
        R[i, list(X.columns).index(nm)] = 1.0
    wald = fit.wald_test(R, scalar=True, use_f=False)
    stat, p = float(np.squeeze(wald.statistic)), float(np.squeeze(wald.pvalue))
    res.mode_tests.append({"outcome": outcome, "wald_chi2": stat, "df": len(names), "pvalue": p,
                           "n": int(ok.sum()), "reference": ref})
    if p < 0.05:
        best = max(levels, key=lambda c: fit.params[f"channel[{c}]"])
        res.warnings.append(f"'{outcome}' differs by survey channel (Wald chi2 = {stat:.1f}, df = {len(names)}, "
                            f"p = {p:.3g}; highest: {best}, {fit.params[f'channel[{best}]']:+.2f} vs {ref}): a "
                            "mode effect or a different mix of customers by channel; compare waves with the "
                            "same channel mix")
