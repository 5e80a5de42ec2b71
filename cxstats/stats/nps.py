"""Net Promoter Score, CSAT and CES with intervals and group comparisons.

Pure: arrays/DataFrames in, an :class:`NpsResult` out.

**NPS.** Answers 0-10 to "how likely are you to recommend ...": promoters 9-10,
passives 7-8, detractors 0-6. NPS = 100 (P - D) with P, D the shares of promoters
and detractors (-100..100). Its sampling variance is that of a difference of two
proportions from one multinomial sample: Var(P - D) = [P(1-P) + D(1-D) + 2PD]/n
= [P + D - (P - D)^2]/n.

**Adjusted-Wald 95% CI** (Rocks 2016, "Interval estimation for the net promoter
score", *The American Statistician* 70(4); recipe as in Sauro & Lewis,
MeasuringU "Confidence intervals for Net Promoter Scores", 2021): add 3 to n,
3/4 to the number of promoters and 3/4 to the number of detractors:
n' = n + 3, P' = (promoters + 3/4)/n', D' = (detractors + 3/4)/n',
NPS' = P' - D', SE' = sqrt((P' + D' - (P' - D')^2)/n'), CI = 100 (NPS' +/- 1.96 SE'),
clipped to [-100, 100]. The point estimate reported is the plain NPS.

**Two groups.** Difference d = NPS1 - NPS2 (plain). The test is a z test on the
adjusted-Wald estimates with the multinomial variance of each group (Lewis &
Sauro 2021, MeasuringU "How to statistically compare two Net Promoter Scores"):
z = (NPS1' - NPS2') / sqrt(V1'/n1' + V2'/n2'), V' = P' + D' - (P' - D')^2,
two-sided normal p; 95% CI (NPS1' - NPS2') +/- 1.96 SE.

**CSAT.** Top-box and top-2-box shares with Wilson score 95% intervals
(Wilson 1927; = R ``prop.test(x, n, correct = FALSE)$conf.int``).

**CES.** Mean with a t-based 95% CI (mean +/- t(0.975, n-1) SD/sqrt(n)).

**Survey weights** (``weights``; :mod:`cxstats.stats.weights`): the shares are weighted,
P = sum(w [answer >= 9]) / sum(w) and so on (NPS = 100 (P - D)), and every interval and test above
uses Kish's effective sample size n_eff = (sum w)^2 / sum(w^2) of the answers in place of n: the
adjusted-Wald recipe with n' = n_eff + 3, P' = (P n_eff + 3/4)/n', D' = (D n_eff + 3/4)/n' (the
two-group z test likewise), Wilson intervals of the CSAT shares on n_eff, the CES mean weighted with
a t interval on n_eff (SD with divisor sum(w) - 1, weights rescaled to sum to the answers). The
counts n, promoters, passives, detractors stay the numbers of respondents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError

Z975 = 1.959963984540054


def invalid_nps_positions(values) -> list[int]:
    """Positions of answers that are not whole numbers 0..10 (blanks/NaN are allowed)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    ok = ~np.isfinite(v) | ((v >= 0) & (v <= 10) & (v == np.round(v)))
    return [int(i) for i in np.flatnonzero(~ok)]


def nps_counts(values) -> tuple[int, int, int]:
    """(promoters, passives, detractors) of the non-missing answers."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return int((v >= 9).sum()), int(((v >= 7) & (v < 9)).sum()), int((v < 7).sum())


def nps_from_counts(promoters: int, passives: int, detractors: int) -> dict:
    """Every NPS statistic from the three counts (see the module docstring)."""
    n = promoters + passives + detractors
    out = {"n": n, "promoters": promoters, "passives": passives, "detractors": detractors}
    if n == 0:
        out.update({k: math.nan for k in ("promoters_share", "passives_share", "detractors_share", "nps",
                                          "nps_se", "nps_adjusted", "nps_ci_lower", "nps_ci_upper")})
        return out
    p, d = promoters / n, detractors / n
    var = p + d - (p - d) ** 2
    na = n + 3.0
    pa, da = (promoters + 0.75) / na, (detractors + 0.75) / na
    va = pa + da - (pa - da) ** 2
    sea = math.sqrt(va / na)
    out.update(promoters_share=p, passives_share=passives / n, detractors_share=d,
               nps=100 * (p - d), nps_se=100 * math.sqrt(var / n),
               nps_adjusted=100 * (pa - da),
               nps_ci_lower=max(-100.0, 100 * (pa - da - Z975 * sea)),
               nps_ci_upper=min(100.0, 100 * (pa - da + Z975 * sea)))
    return out


def nps_stats(values, weights=None) -> dict:
    if weights is not None:
        return nps_weighted(values, weights)
    return nps_from_counts(*nps_counts(values))


def _answered(values, weights):
    import numpy as np

    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v)
    return v[ok], w[ok]


def _weighted_shares(values, weights):
    """(P, passives share, D, n_eff) of the answered values under the weights."""
    import numpy as np

    from cxstats.stats.weights import kish_n

    v, w = _answered(values, weights)
    W = float(w.sum())
    if not v.size or not W > 0:
        return math.nan, math.nan, math.nan, 0.0
    p = float(w[v >= 9].sum()) / W
    d = float(w[v < 7].sum()) / W
    return p, float(w[(v >= 7) & (v < 9)].sum()) / W, d, kish_n(w)


def nps_weighted(values, weights) -> dict:
    """The NPS statistics with survey weights: weighted shares, intervals on Kish's n_eff (module docstring)."""
    promoters, passives, detractors = nps_counts(values)
    n = promoters + passives + detractors
    out = {"n": n, "promoters": promoters, "passives": passives, "detractors": detractors}
    p, pas, d, ne = _weighted_shares(values, weights)
    if n == 0 or not ne > 0:
        out.update({k: math.nan for k in ("n_eff", "promoters_share", "passives_share", "detractors_share", "nps",
                                          "nps_se", "nps_adjusted", "nps_ci_lower", "nps_ci_upper")})
        return out
    var = p + d - (p - d) ** 2
    e, va = _adjusted_shares(p, d, ne)
    sea = math.sqrt(va)
    out.update(n_eff=ne, promoters_share=p, passives_share=pas, detractors_share=d,
               nps=100 * (p - d), nps_se=100 * math.sqrt(var / ne), nps_adjusted=100 * e,
               nps_ci_lower=max(-100.0, 100 * (e - Z975 * sea)),
               nps_ci_upper=min(100.0, 100 * (e + Z975 * sea)))
    return out


def _adjusted_shares(p, d, n):
    """Adjusted-Wald NPS' (fraction) and its variance from the shares P, D of n (or n_eff) answers."""
    na = n + 3.0
    pa, da = (p * n + 0.75) / na, (d * n + 0.75) / na
    return pa - da, (pa + da - (pa - da) ** 2) / na


def _adjusted(c):
    promoters, passives, detractors = c
    na = promoters + passives + detractors + 3.0
    pa, da = (promoters + 0.75) / na, (detractors + 0.75) / na
    return pa - da, (pa + da - (pa - da) ** 2) / na


def nps_difference(a, b, wa=None, wb=None) -> dict:
    """Group a minus group b: plain difference, adjusted-Wald z test and CI (NPS points); with survey
    weights ``wa``/``wb`` the weighted NPS and the adjusted-Wald parts on Kish's n_eff."""
    if wa is not None:
        sa, sb = nps_weighted(a, wa), nps_weighted(b, wb)
    else:
        ca, cb = nps_counts(a), nps_counts(b)
        sa, sb = nps_from_counts(*ca), nps_from_counts(*cb)
    out = {"diff": sa["nps"] - sb["nps"], "diff_se": math.nan, "z": math.nan, "pvalue": math.nan,
           "diff_ci_lower": math.nan, "diff_ci_upper": math.nan}
    if sa["n"] == 0 or sb["n"] == 0:
        return out
    if wa is not None:
        if not (sa["n_eff"] > 0 and sb["n_eff"] > 0):
            return out
        (ea, va) = _adjusted_shares(sa["promoters_share"], sa["detractors_share"], sa["n_eff"])
        (eb, vb) = _adjusted_shares(sb["promoters_share"], sb["detractors_share"], sb["n_eff"])
    else:
        (ea, va), (eb, vb) = _adjusted(ca), _adjusted(cb)
    se = math.sqrt(va + vb)
    z = (ea - eb) / se
    out.update(diff_se=100 * se, z=z, pvalue=math.erfc(abs(z) / math.sqrt(2)),
               diff_ci_lower=100 * (ea - eb - Z975 * se), diff_ci_upper=100 * (ea - eb + Z975 * se))
    return out


def wilson_interval(x: int, n: int, z: float = Z975) -> tuple[float, float]:
    """Wilson score interval for a proportion x/n (no continuity correction)."""
    if n == 0:
        return math.nan, math.nan
    p = x / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def csat_stats(values, scale_max: float, weights=None) -> dict:
    """Top-box (= scale max) and top-2-box (>= scale max - 1) shares (fractions 0-1) with Wilson CIs
    (with survey weights: weighted shares and mean, Wilson on Kish's n_eff)."""
    import numpy as np

    if weights is not None:
        from cxstats.stats.weights import kish_n

        v, w = _answered(values, weights)
        n = int(v.size)
        W = float(w.sum())
        ne = kish_n(w) if n else 0.0
        out = {"n": n, "n_eff": ne, "mean": float(np.sum(w * v) / W) if n and W > 0 else math.nan,
               "scale_max": scale_max}
        for key, thr in (("top_box", scale_max), ("top2_box", scale_max - 1)):
            share = float(w[v >= thr].sum()) / W if n and W > 0 else math.nan
            lo, hi = wilson_interval(share * ne, ne) if ne > 0 else (math.nan, math.nan)
            out[f"{key}_share"] = share
            out[f"{key}_share_ci_lower"] = lo
            out[f"{key}_share_ci_upper"] = hi
        return out
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    out = {"n": n, "mean": float(v.mean()) if n else math.nan, "scale_max": scale_max}
    for key, thr in (("top_box", scale_max), ("top2_box", scale_max - 1)):
        x = int((v >= thr).sum())
        lo, hi = wilson_interval(x, n)
        out[f"{key}_share"] = x / n if n else math.nan
        out[f"{key}_share_ci_lower"] = lo
        out[f"{key}_share_ci_upper"] = hi
    return out


def ces_stats(values, weights=None) -> dict:
    """Mean customer effort with a t-based 95% CI (with survey weights: weighted mean and SD, the t interval
    on Kish's n_eff)."""
    import numpy as np
    from scipy import stats

    if weights is not None:
        from cxstats.stats.weights import kish_n, normalize

        v, w = _answered(values, weights)
        n = int(v.size)
        out = {"n": n, "n_eff": math.nan, "mean": math.nan, "sd": math.nan, "ci_lower": math.nan,
               "ci_upper": math.nan}
        if n and w.sum() > 0:
            w = normalize(w)
            ne = kish_n(w)
            m = float(np.sum(w * v) / w.sum())
            out.update(n_eff=ne, mean=m)
            if n >= 2 and ne > 1:
                sd = math.sqrt(float(np.sum(w * (v - m) ** 2)) / (w.sum() - 1.0))
                h = float(stats.t.ppf(0.975, ne - 1)) * sd / math.sqrt(ne)
                out.update(sd=sd, ci_lower=m - h, ci_upper=m + h)
        return out
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    out = {"n": n, "mean": float(v.mean()) if n else math.nan, "sd": math.nan,
           "ci_lower": math.nan, "ci_upper": math.nan}
    if n >= 2:
        sd = float(v.std(ddof=1))
        h = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        out.update(sd=sd, ci_lower=out["mean"] - h, ci_upper=out["mean"] + h)
    return out


# ----------------------------------------------------------------------------------------
@dataclass
class NpsResult:
    column: str | None   # None: no recommend question (CSAT/CES only)
    overall: dict | None
    groups: list = field(default_factory=list)  # rows: group + nps stats
    group_column: str | None = None
    comparison: dict | None = None  # two groups: difference test
    segment_column: str | None = None
    segments: list = field(default_factory=list)  # rows: segment (+ group) + nps stats
    min_n: int = 30
    csat: list = field(default_factory=list)  # rows per column (and group)
    ces: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    weight: str | None = None  # the survey-weight column, when weighted

    def to_dict(self) -> dict:
        doc = {"analysis": "nps", "column": self.column, "overall": self.overall}
        if self.weight:
            doc["weight"] = self.weight
        if self.group_column:
            doc["group_column"] = self.group_column
            doc["groups"] = self.groups
            if self.comparison:
                doc["comparison"] = self.comparison
        if self.segment_column:
            doc["segments"] = {"column": self.segment_column, "min_n": self.min_n, "rows": self.segments}
        if self.csat:
            doc["csat"] = self.csat
        if self.ces:
            doc["ces"] = self.ces
        doc["warnings"] = list(self.warnings)
        return doc

    def tables(self) -> dict:
        import pandas as pd

        out = {}
        if self.overall is not None:
            rows = [{"group": "All", **self.overall}]
            rows += [dict(r) for r in self.groups]
            out["NPS"] = pd.DataFrame(rows)
        if self.comparison:
            out["NPS comparison"] = pd.DataFrame([self.comparison])
        if self.segments:
            out["NPS by segment"] = pd.DataFrame(self.segments)
        if self.csat:
            out["CSAT"] = pd.DataFrame(self.csat)
        if self.ces:
            out["CES"] = pd.DataFrame(self.ces)
        return out

    def methods(self) -> list:
        if self.weight:
            from cxstats.stats.weights import WEIGHT_METHODS

            return [WEIGHT_METHODS, ("Weighted NPS, CSAT and CES",
                     f"Weighted by {self.weight}: promoters_share = sum(w [answer >= 9])/sum(w), detractors_share "
                     "likewise, NPS = 100 (P - D); n_eff = (sum w)^2/sum(w^2) of the answers (Kish 1965). "
                     "Adjusted-Wald 95% interval with n_eff in place of n: n' = n_eff + 3, P' = (P n_eff + 3/4)/n', "
                     "D' = (D n_eff + 3/4)/n', CI = 100 (P' - D' +/- 1.96 sqrt((P' + D' - (P' - D')^2)/n')); "
                     "nps_se = 100 sqrt((P + D - (P - D)^2)/n_eff); the two-group z test likewise. CSAT shares "
                     "weighted with Wilson intervals on n_eff; CES weighted mean +/- t(0.975, n_eff - 1) SD/sqrt(n_eff). "
                     "n, promoters, passives and detractors are numbers of respondents.")] + self._unweighted_methods()
        return self._unweighted_methods()

    def _unweighted_methods(self) -> list:
        if self.overall is None:
            return self._csat_ces_methods()
        m = [("NPS scale", "NPS needs a 0-10 likelihood-to-recommend item: a spec scale other than "
                           "0-10 is refused; without a spec, answers outside 0..10 or all within 1..7 "
                           "(minimum >= 1 and maximum <= 7: a 1-5 or 1-7 rating) are refused."),
             ("NPS", "Answers 0-10: promoters 9-10, passives 7-8, detractors 0-6. NPS = % promoters - "
                     "% detractors (-100..100). nps_se = 100 sqrt((P + D - (P - D)^2)/n), the "
                     "multinomial SE of a difference of two proportions from one sample."),
             ("NPS confidence interval", "Adjusted-Wald 95% interval (Rocks 2016, The American "
              "Statistician 70(4); Sauro & Lewis, MeasuringU 2021): n' = n + 3, P' = (promoters + "
              "3/4)/n', D' = (detractors + 3/4)/n', CI = 100 (P' - D' +/- 1.96 sqrt((P' + D' - (P' - "
              "D')^2)/n')), clipped to [-100, 100]. The point estimate shown is the plain NPS."),
             ("Shares", "promoters_share, passives_share, detractors_share and the CSAT *_share "
                        "columns are fractions 0-1; NPS and its CI are on -100..100.")]
        if self.comparison:
            m.append(("NPS difference test", "z test on the adjusted-Wald estimates with the "
                      "multinomial variance of each group (Lewis & Sauro 2021, 'How to statistically "
                      "compare two Net Promoter Scores'): z = (NPS1' - NPS2')/sqrt(V1'/n1' + V2'/n2'), "
                      "V' = P' + D' - (P' - D')^2; two-sided normal p; 95% CI of the difference from the "
                      "same SE. 'diff' is the plain NPS1 - NPS2."))
        if self.segments:
            m.append(("Segments", f"NPS per value of {self.segment_column}; cells with fewer than "
                      f"{self.min_n} answers are suppressed (n shown, other values blank)."))
        return m + self._csat_ces_methods()

    def _csat_ces_methods(self) -> list:
        m = []
        if self.overall is None:
            m.append(("Design", "No likelihood-to-recommend (0-10) question: CSAT and/or CES alone."))
        if self.csat:
            m.append(("CSAT", "Top-box (= scale maximum) and top-2-box (>= maximum - 1) shares "
                      "(top_box_share, top2_box_share: fractions 0-1) with Wilson score 95% intervals "
                      "(Wilson 1927; R prop.test(correct = FALSE))."))
        if self.ces:
            m.append(("CES", "Mean customer effort with a t-based 95% CI: mean +/- t(0.975, n-1) SD/sqrt(n)."))
        return m


def _labels(values):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v) for v in values]


def _suppress(row: dict, min_n: int) -> dict:
    if row["n"] < min_n:
        keep = {"n", "group", "segment"}
        row = {k: (v if k in keep else None) for k, v in row.items()}
        row["suppressed"] = True
    else:
        row["suppressed"] = False
    return row


def check_nps_scale(values, column: str, scale=None) -> None:
    """Refuse a column that is not a 0-10 likelihood-to-recommend item.

    ``scale``: the declared ``(min, max)`` of the column (a study spec), or None. A declared
    scale other than 0-10 is refused. Without a declared scale the observed answers decide:
    the rule is that answers must lie in 0..10 (checked by :func:`invalid_nps_positions`)
    and that a column whose answers all lie in 1..7 (minimum >= 1 and maximum <= 7) is
    clearly not a 0-10 item (a 1-5 or 1-7 rating) and is refused.
    """
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    seen = f"observed answers {v.min():g}..{v.max():g}" if v.size else "no answers"
    if scale is not None:
        lo, hi = float(scale[0]), float(scale[1])
        if (lo, hi) != (0.0, 10.0):
            raise InputError(f"NPS needs a 0-10 likelihood-to-recommend item; the spec's scale of this "
                             f"column is {lo:g}-{hi:g} ({seen})", column=column, option="column")
        return
    if v.size and v.min() >= 1 and v.max() <= 7:
        raise InputError(f"NPS needs a 0-10 likelihood-to-recommend item; this column's {seen} "
                         "(rule: without a declared scale, a column whose answers all lie in 1..7 is "
                         "not a 0-10 item; give a study spec declaring it 0-10 if it is one)",
                         column=column, option="column")



def comparison_pair(compare, present, group):
    """The two groups compared: ``compare`` (both must have respondents), else the only two present,
    else None. Shared by the row path and the counts path (:mod:`cxstats.stats.from_moments`)."""
    if compare is not None:
        pair = tuple(compare)
        for g in pair:
            if g not in present:
                raise InputError(f"group {g!r} has no respondents (values present: "
                                 f"{', '.join(present)})", column=group, value=g)
        return pair
    return tuple(present) if len(present) == 2 else None

def analyze_nps(data, column: str | None, *, group: str | None = None, compare=None, by: str | None = None,
                min_n: int = 30, csat: dict | None = None, ces=None, scale=None, weights=None,
                weight_name: str | None = None) -> NpsResult:
    """NPS overall, per group (with a two-group test), per segment; optional CSAT/CES.

    ``data``: DataFrame with ``column`` (0..10; NaN = no answer), optional ``group``
    and ``by`` text columns. ``csat``: ``{column: scale_max}``; ``ces``: list of columns.
    ``scale``: the declared ``(min, max)`` of ``column`` when known (see
    :func:`check_nps_scale`). ``column=None``: no recommend question, CSAT and/or CES only.
    ``weights``: survey weights, one per row (checked: none missing or negative, not all zero);
    ``weight_name``: their column (for the texts).
    """
    import numpy as np
    import pandas as pd

    if weights is not None:
        from cxstats.stats.weights import check_weights

        weights = check_weights(weights, column=weight_name)

    if column is None and not (csat or ces):
        raise InputError("name the 0-10 likelihood-to-recommend column, or CSAT/CES columns",
                         option="column")
    for c in [x for x in (column, group, by) if x] + list(csat or {}) + list(ces or []):
        if c not in data.columns:
            raise InputError("no such column", column=c)
    if column is None:
        res = _csat_ces_only(data, group=group, compare=compare, min_n=min_n, csat=csat, ces=ces, weights=weights)
        res.weight = (weight_name or "weight") if weights is not None else None
        return res
    v = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    bad = invalid_nps_positions(v)
    if bad:
        i = bad[0]
        raise InputError("an NPS answer must be a whole number from 0 to 10", column=column,
                         row=i + 1, value=str(data[column].iloc[i]))
    check_nps_scale(v, column, scale)
    warnings = []
    w = weights
    overall = nps_stats(v, w)
    if overall["n"] == 0:
        raise InputError("the NPS column has no answers", column=column)
    if overall["n"] < min_n:
        warnings.append(f"only {overall['n']} NPS answers: the interval is wide")
    answered = v[~np.isnan(v)]
    if overall["n"] >= 100 and answered.min() >= 1:
        warnings.append(f"no answer is 0 among {overall['n']}: NPS is defined on a 0-10 scale; if the "
                        "question was asked 1-10 (or 1-5), the score is not comparable with published NPS")
    res = NpsResult(column=column, overall=overall, min_n=min_n, warnings=warnings,
                    weight=(weight_name or "weight") if w is not None else None)
    if w is not None and overall.get("n_eff", 0) < min_n <= overall["n"]:
        warnings.append(f"the survey weights leave an effective sample of {overall['n_eff']:.0f} NPS answers "
                        f"(Kish; {overall['n']} answers): the interval is wide")
    sub = (lambda m: w[m]) if w is not None else (lambda m: None)

    glab = None
    if group:
        glab = np.array([x or "" for x in _labels(data[group].tolist())], dtype=object)
        present = sorted({x for x in glab if x})
        if len(present) < 1:
            raise InputError("the group column has no values", column=group)
        res.group_column = group
        for g in present:
            s = nps_stats(v[glab == g], sub(glab == g))
            res.groups.append({"group": g, **s})
            if 0 < s["n"] < min_n:
                warnings.append(f"group {g}: only {s['n']} NPS answers")
        pair = comparison_pair(compare, present, group)
        if pair:
            ma, mb = glab == pair[0], glab == pair[1]
            res.comparison = {"group1": pair[0], "group2": pair[1],
                              **nps_difference(v[ma], v[mb], sub(ma), sub(mb))}
    if by:
        slab = np.array([x or "" for x in _labels(data[by].tolist())], dtype=object)
        res.segment_column = by
        for seg in sorted({x for x in slab if x}):
            sm = slab == seg
            res.segments.append(_suppress({"segment": seg, "group": "All", **nps_stats(v[sm], sub(sm))}, min_n))
            if glab is not None:
                for g in sorted({x for x in glab if x}):
                    res.segments.append(_suppress({"segment": seg, "group": g,
                                                   **nps_stats(v[sm & (glab == g)], sub(sm & (glab == g)))}, min_n))
        n_sup = sum(1 for r in res.segments if r["suppressed"])
        if n_sup:
            warnings.append(f"{n_sup} segment cells have fewer than {min_n} answers and are suppressed")

    _add_csat_ces(res, data, glab, csat, ces, w)
    return res


def _group_labels(data, group):
    import numpy as np

    glab = np.array([x or "" for x in _labels(data[group].tolist())], dtype=object)
    if not any(glab):
        raise InputError("the group column has no values", column=group)
    return glab


def _add_csat_ces(res, data, glab, csat, ces, w=None):
    import pandas as pd

    sub = (lambda m: w[m]) if w is not None else (lambda m: None)
    for col, smax in (csat or {}).items():
        x = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
        res.csat.append({"column": col, "group": "All", **csat_stats(x, float(smax), w)})
        if glab is not None:
            for g in sorted({y for y in glab if y}):
                res.csat.append({"column": col, "group": g, **csat_stats(x[glab == g], float(smax), sub(glab == g))})
    for col in ces or []:
        x = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
        res.ces.append({"column": col, "group": "All", **ces_stats(x, w)})
        if glab is not None:
            for g in sorted({y for y in glab if y}):
                res.ces.append({"column": col, "group": g, **ces_stats(x[glab == g], sub(glab == g))})


def _csat_ces_only(data, *, group, compare, min_n, csat, ces, weights=None) -> NpsResult:
    """A study without a recommend question: CSAT and/or CES alone (per group)."""
    res = NpsResult(column=None, overall=None, min_n=min_n,
                    warnings=["no likelihood-to-recommend (0-10) question: CSAT/CES reported alone, "
                              "no NPS"])
    glab = None
    if group:
        glab = _group_labels(data, group)
        res.group_column = group
        if compare is not None:
            present = sorted({x for x in glab if x})
            for g in compare:
                if g not in present:
                    raise InputError(f"group {g!r} has no respondents (values present: "
                                     f"{', '.join(present)})", column=group, value=g)
    _add_csat_ces(res, data, glab, csat, ces, weights)
    return res
