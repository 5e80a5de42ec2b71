"""``analyze_profiles``: the Jones-Sasser grid, shares with CIs, and what distinguishes each
profile (pure: a DataFrame and column names in, a :class:`ProfilesResult` out)."""

from __future__ import annotations

from cxstats.errors import InputError, ModelError
from cxstats.stats.profiles.contrasts import adjust, crosstab_residuals, welch_vs_rest
from cxstats.stats.profiles.grid import PROFILES, classify, share_intervals
from cxstats.stats.profiles.result import ProfilesResult

MIN_EXPECTED = 5  # chi-square approximation: warn below this expected count


def analyze_profiles(frame, satisfaction: str, repurchase: str, *, sat_cut: float, rep_cut: float,
                     cut_rule: str = "", compare: dict[str, str] | None = None, nps: str | None = None,
                     segments: list[str] | None = None, lifecycle: str | None = None,
                     stage_order: list[str] | None = None,
                     drivers: list[str] | None = None, joint: bool = False,
                     level: float = 0.95) -> ProfilesResult:
    """Profiles of ``frame``'s rows (customers).

    ``satisfaction`` / ``repurchase``: numeric columns; a row is high on a measure when its
    value is ``>= sat_cut`` / ``>= rep_cut`` (``cut_rule`` states how the cut-offs were chosen).
    ``compare``: numeric column -> kind (construct, touchpoint, outcome, finance) compared
    between each profile and the rest (Welch). ``nps``: a 0-10 column, NPS per profile.
    ``segments``: categorical columns tested against the profile (chi-square, adjusted
    standardized residuals); ``lifecycle``: one of them cross-tabulated by stage (stages in
    ``stage_order``, then any other value in sorted order).
    ``drivers``: columns whose relative importance for being a loyalist (vs hostage or
    mercenary) is estimated with the drivers analysis on a binary outcome (logit relative
    weights). ``joint``: simultaneous (Goodman) intervals for the shares instead of Wilson.
    """
    import numpy as np
    import pandas as pd

    for opt, col in (("satisfaction", satisfaction), ("repurchase", repurchase)):
        if col not in frame.columns:
            raise InputError(f"{col!r} is not a column of the data", option=opt)
    compare = dict(compare or {})
    segments = list(segments or [])
    for opt, cols in (("compare", list(compare)), ("segments", segments), ("drivers", list(drivers or [])),
                      ("nps", [nps] if nps else []), ("lifecycle", [lifecycle] if lifecycle else [])):
        for c in cols:
            if c not in frame.columns:
                raise InputError(f"{c!r} is not a column of the data", option=opt)
    if not 0 < level < 1:
        raise InputError(f"the confidence level must lie between 0 and 1, not {level}", option="level")
    warnings: list[str] = []
    profile = classify(frame[satisfaction].to_numpy(float), frame[repurchase].to_numpy(float), sat_cut, rep_cut)
    classified = np.array([p is not None for p in profile])
    n_unclassified = int((~classified).sum())
    if n_unclassified:
        warnings.append(f"{n_unclassified} customer(s) without a satisfaction or repurchase answer are in no "
                        "profile (left out of every share and test)")
    data = frame.loc[classified].reset_index(drop=True)
    prof = pd.Series(profile[classified], dtype=object)
    codes = [p[0] for p in PROFILES]
    counts = np.array([(prof == c).sum() for c in codes])
    share, lo, hi = share_intervals(counts, level=level, joint=joint)
    if joint and (counts == 0).any():
        warnings.append("a profile has no customer: simultaneous intervals are undefined, so each share "
                        "has its own Wilson interval")
    rows = []
    for i, code in enumerate(codes):
        g = (prof == code).to_numpy()
        row = {"profile": code, "n": int(counts[i]), "share": float(share[i]),
               "share_ci_lower": float(lo[i]), "share_ci_upper": float(hi[i]),
               "satisfaction_mean": _mean(data[satisfaction][g]), "repurchase_mean": _mean(data[repurchase][g])}
        if nps:
            v = data[nps][g].dropna().to_numpy(float)
            row["nps"] = float(100 * ((v >= 9).mean() - (v <= 6).mean())) if len(v) else float("nan")
        row["means"] = {c: _mean(data[c][g]) for c in compare}
        rows.append(row)

    diffs = []
    for code in codes:
        g = (prof == code).to_numpy()
        if g.sum() < 2 or (~g).sum() < 2:
            continue
        for col, kind in compare.items():
            d = welch_vs_rest(data[col].to_numpy(float), g)
            diffs.append({"profile": code, "variable": col, "kind": kind, **d})
    holm, bh = adjust([d["pvalue"] for d in diffs])
    for d, ph, pb in zip(diffs, holm, bh):
        d["p_holm"], d["p_bh"] = float(ph), float(pb)

    seg_tests, seg_cells = [], []
    for col in segments:
        sub = data[col].notna() & (data[col].astype(str) != "nan")
        if sub.sum() == 0:
            continue
        tab = pd.crosstab(prof[sub.to_numpy()].to_numpy(), data[col][sub].astype(str).to_numpy())
        tab = tab.reindex([c for c in codes if c in tab.index])
        tab = tab.loc[tab.sum(axis=1) > 0, tab.sum(axis=0) > 0]
        if tab.shape[0] < 2 or tab.shape[1] < 2:
            continue
        t = crosstab_residuals(tab.to_numpy())
        seg_tests.append({"segment": col, "chisq": t["chisq"], "df": t["df"], "pvalue": t["pvalue"],
                          "min_expected": t["min_expected"], "n": int(tab.to_numpy().sum())})
        if t["min_expected"] < MIN_EXPECTED:
            warnings.append(f"segment {col!r}: an expected count is {t['min_expected']:.1f} (< {MIN_EXPECTED}); "
                            "the chi-square approximation is rough")
        from scipy.stats import norm

        for i, code in enumerate(tab.index):
            for j, value in enumerate(tab.columns):
                z = float(t["adj_residual"][i, j])
                seg_cells.append({"segment": col, "value": str(value), "profile": code, "n": int(tab.iat[i, j]),
                                  "share_of_profile": float(tab.iat[i, j] / tab.iloc[i].sum()),
                                  "adj_residual": z, "pvalue": float(2 * norm.sf(abs(z)))})
    for family in (seg_tests, seg_cells):
        holm, bh = adjust([d["pvalue"] for d in family])
        for d, ph, pb in zip(family, holm, bh):
            d["p_holm"], d["p_bh"] = float(ph), float(pb)

    lifecycle_rows = []
    if lifecycle:
        stage = data[lifecycle]
        seen = sorted(v for v in pd.unique(stage.dropna().astype(str)) if v != "nan")
        order = [v for v in (stage_order or []) if v in seen] + [v for v in seen if v not in (stage_order or [])]
        for value in order:
            g = (stage.astype(str) == value).to_numpy()
            n = int(g.sum())
            row = {"stage": value, "n": n}
            for code in codes:
                k = int(((prof == code).to_numpy() & g).sum())
                row[f"{code}_n"] = k
                row[f"{code}_share"] = k / n if n else float("nan")
            lifecycle_rows.append(row)

    drivers_result = None
    if drivers:
        drivers_result = _loyalty_drivers(data, prof, list(drivers), warnings)

    return ProfilesResult(
        satisfaction=satisfaction, repurchase=repurchase, sat_cut=float(sat_cut), rep_cut=float(rep_cut),
        cut_rule=cut_rule, ci_method="goodman" if joint else "wilson", level=level,
        n=int(classified.sum()), n_unclassified=n_unclassified, profiles=rows, differences=diffs,
        segment_tests=seg_tests, segment_cells=seg_cells, lifecycle=lifecycle, lifecycle_rows=lifecycle_rows,
        drivers=drivers_result, nps_column=nps, warnings=warnings,
        assignments=pd.DataFrame({"row": np.flatnonzero(classified), "profile": prof.to_numpy()}))


def _mean(series) -> float:
    v = series.dropna()
    return float(v.astype(float).mean()) if len(v) else float("nan")


def _loyalty_drivers(data, prof, drivers, warnings):
    """Relative importance of each driver for being a loyalist rather than a hostage or a
    mercenary: the drivers analysis on the binary outcome loyalist = 1 among those three
    profiles (defectors are left out: the question is what turns half-loyal customers into
    loyalists)."""
    from cxstats.stats.drivers import analyze_drivers

    keep = prof.isin(["loyalist", "hostage", "mercenary"]).to_numpy()
    frame = data.loc[keep, drivers].astype(float).copy()
    frame["loyalist"] = (prof[keep] == "loyalist").astype(float).to_numpy()
    try:
        res = analyze_drivers(frame, "loyalist", drivers, outcome_type="binary", penalty_reward=False)
    except (InputError, ModelError) as exc:
        warnings.append(f"drivers of becoming a loyalist not estimated: {exc}")
        return None
    warnings.extend(f"drivers of becoming a loyalist: {w}" for w in res.warnings)
    return res
