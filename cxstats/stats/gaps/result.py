"""The result of a gap analysis (two groups, or one group against the aspirations):
JSON, tables and the methods text; the invariance notes on construct rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LEVELS = ("item", "construct", "touchpoint", "component")
LEVEL_KEYS = {"item": "items", "construct": "constructs", "touchpoint": "touchpoints",
              "component": "components"}
SCALAR_OK = ("scalar", "strict")

WEIGHTED_STATS = ["mean", "sd", "top2_share", "diff", "gap_to_aspiration", "diff_se", "diff_ci_lower",
                  "diff_ci_upper", "diff_z", "diff_pvalue", "diff_p_holm", "diff_p_bh"]
ONE_WEIGHTED_STATS = ["mean", "sd", "top2_share", "gap_to_aspiration", "gap_se", "gap_ci_lower",
                      "gap_ci_upper", "gap_z", "gap_pvalue", "gap_p_holm", "gap_p_bh"]
ONE_UNWEIGHTED_STATS = ["n", "t", "df", "pvalue", "t_ci_lower", "t_ci_upper", "p_holm", "p_bh",
                        "wilcoxon_v", "wilcoxon_n", "wilcoxon_pvalue", "wilcoxon_p_holm",
                        "wilcoxon_p_bh", "cohen_d", "hedges_g", "hedges_g_se", "hedges_g_ci_lower",
                        "hedges_g_ci_upper"]
UNWEIGHTED_STATS = ["n", "welch_t", "welch_df", "pvalue", "welch_ci_lower", "welch_ci_upper",
                    "p_holm", "p_bh", "mw_u", "mw_pvalue", "mw_p_holm", "mw_p_bh", "hedges_g",
                    "hedges_g_se", "hedges_g_ci_lower", "hedges_g_ci_upper"]


@dataclass
class GapsResult:
    groups: tuple
    group_column: str
    rows: list  # one dict per (level, name)
    scale_max: float | None
    scale_max_source: str
    weight: str | None = None
    segment_column: str | None = None
    min_n: int = 30
    segments: list = field(default_factory=list)  # one dict per (segment, level, name)
    group_sizes: dict = field(default_factory=dict)
    invariance: dict = field(default_factory=dict)
    alpha: float = 0.05
    levels: dict = field(default_factory=dict)  # level -> {name: [items]}
    warnings: list = field(default_factory=list)
    pairing: dict | None = None  # paired mode: id_column, n_pairs, unmatched/n_ids per group, detected
    # the rating scale's minimum (filled by the step: the spec's scales, else the observed minimum);
    # None when unknown or when the items' scales differ (scales_differ: then no chart axis is fixed)
    scale_min: float | None = None
    scale_min_source: str = "not known"
    scales_differ: bool = False

    def axis_bounds(self) -> tuple:
        """(min, max) of a chart's value axis for means: the common rating scale (e.g. 1 and 5),
        or (None, None) when the items' scales differ or the minimum is not known."""
        if self.scales_differ or self.scale_min is None or self.scale_max is None:
            return None, None
        return self.scale_min, self.scale_max

    @property
    def paired(self) -> bool:
        """True when the two groups are the same respondents, paired by id."""
        return self.pairing is not None

    @property
    def one_group(self) -> bool:
        """True for the one-group analysis (one group against the aspirations)."""
        return len(self.groups) == 1

    def with_invariance(self, verdicts) -> "GapsResult":
        """A copy whose construct (and containing touchpoint/component) rows carry the
        invariance verdicts ``{construct: "configural"|"metric"|"scalar"|"strict"|"none"}``:
        anything below scalar makes the mean comparison not interpretable. A one-group
        result compares no groups, so the verdicts do not apply and it is returned as is."""
        import copy

        new = copy.deepcopy(self)
        if not verdicts or self.one_group:
            return new
        new.invariance = {**new.invariance, **{str(k): str(v) for k, v in verdicts.items()}}
        notes = _invariance_notes(new.levels, new.invariance)
        for r in list(new.rows) + list(new.segments):
            r.pop("invariance", None)
            r.pop("interpretable", None)
            r["note"] = "; ".join(x for x in (r.get("note") or "").split("; ")
                                  if x and not x.startswith("mean comparison not interpretable"))
            _apply_note(r, notes)
        return new

    # -- JSON -----------------------------------------------------------------------
    def _row_json(self, r: dict) -> dict:
        if self.one_group:   # one group: every statistic is a plain number
            return dict(r)
        g1, g2 = self.groups
        per_group = ("n", "mean", "sd", "top2_share", "gap_to_aspiration", "deff", "n_eff", "mean_unweighted")
        out = {}
        for k, v in r.items():
            out[k] = {g1: v[0], g2: v[1]} if k in per_group and isinstance(v, list) else v
        return out

    def to_dict(self) -> dict:
        """One group: rows as they are, difference = mean - aspiration. Two groups: per-group
        statistics keyed by group, difference = first - second, plus invariance notes."""
        one = self.one_group
        row = dict if one else self._row_json
        doc = {"analysis": "gaps"}
        if one:
            doc["mode"] = "one_group"
        elif self.paired:
            doc["mode"] = "paired"
            doc["pairing"] = dict(self.pairing)
        doc.update({
            "group_column": self.group_column,
            "groups": list(self.groups),
            "difference": ("mean - aspiration" if one else f"{self.groups[0]} - {self.groups[1]}"
                           + (" (mean of the paired differences)" if self.paired else "")),
            "n": dict(self.group_sizes),
            "scale_max": self.scale_max,
            "scale_max_source": self.scale_max_source,
            "scale_min": self.scale_min,
            "scale_min_source": self.scale_min_source,
            "scales_differ": self.scales_differ,
            "alpha": self.alpha,
            "weights": self.weights_statement(),
        })
        for level in LEVELS:
            rows = [row(r) for r in self.rows if r["level"] == level]
            if rows:
                doc[LEVEL_KEYS[level]] = rows
        if self.segment_column:
            doc["segments"] = {"column": self.segment_column, "min_n": self.min_n,
                               "rows": [row(r) for r in self.segments]}
        scales = {LEVEL_KEYS[k]: v for k, v in self.levels.items() if k != "item"}
        if scales:
            doc["scales"] = scales
        if not one:
            doc["invariance"] = dict(self.invariance)
        doc["warnings"] = list(self.warnings)
        return doc

    def weights_statement(self):
        if not self.weight:
            return None
        if self.one_group:
            return {"column": self.weight, "weighted": list(ONE_WEIGHTED_STATS),
                    "unweighted": list(ONE_UNWEIGHTED_STATS),
                    "note": "Means, SDs, top-2-box and gaps to aspiration are weighted; gap_se/"
                            "gap_pvalue use the Taylor-linearisation (sandwich) SE of the weighted "
                            "mean. The one-sample t test, the Wilcoxon signed-rank test and the "
                            "effect size are computed on the unweighted data."}
        return {"column": self.weight, "weighted": list(WEIGHTED_STATS),
                "unweighted": list(UNWEIGHTED_STATS),
                "note": "Means, SDs, top-2-box, differences and aspiration gaps are weighted; "
                        "diff_se/diff_pvalue use a Taylor-linearisation (sandwich) SE. Welch's t, "
                        "Mann-Whitney (rank test) and Hedges' g are computed on the unweighted data."}

    # -- tables ---------------------------------------------------------------------
    def frame(self, level: str | None = None, *, segments: bool = False):
        """A flat table: per-group statistics as ``mean_<group>`` etc."""
        import pandas as pd

        if self.one_group:
            return self._one_group_frame(level, segments)
        g1, g2 = self.groups
        src = self.segments if segments else [r for r in self.rows if level is None or r["level"] == level]
        if self.paired:
            stats, extra = ("mean", "sd", "top2_share"), ("sd_diff",)
            tests = ("paired_t", "paired_df", "pvalue", "paired_ci_lower", "paired_ci_upper", "p_holm",
                     "p_bh", "wilcoxon_v", "wilcoxon_n", "wilcoxon_pvalue", "wilcoxon_p_holm",
                     "wilcoxon_p_bh", "d_z")
        else:
            stats = ("n", "mean", "sd", "top2_share")
            extra = ("diff_se", "diff_ci_lower", "diff_ci_upper", "diff_pvalue") if self.weight else ()
            tests = ("welch_t", "welch_df", "pvalue", "p_holm", "p_bh", "mw_u", "mw_pvalue",
                     "mw_p_holm", "mw_p_bh", "hedges_g", "hedges_g_ci_lower", "hedges_g_ci_upper")
        recs = []
        for r in src:
            rec = {"segment": r["segment"]} if segments else {}
            rec["level"], rec["name"] = r["level"], r["name"]
            if self.paired:
                rec["n_pairs"] = r.get("n_pairs")
            for stat in stats:
                for i, g in enumerate((g1, g2)):
                    v = r.get(stat)
                    rec[f"{stat}_{g}"] = v[i] if isinstance(v, list) else math.nan
            rec["diff"] = r.get("diff", math.nan)
            for k in extra:
                rec[k] = r.get(k, math.nan)
            rec["aspiration"] = r.get("aspiration")
            gap = r.get("gap_to_aspiration")
            for i, g in enumerate((g1, g2)):
                rec[f"gap_to_aspiration_{g}"] = gap[i] if isinstance(gap, list) else math.nan
            for k in tests:
                rec[k] = r.get(k, math.nan)
            rec["significant"] = r.get("significant")
            if segments:
                rec["suppressed"] = r.get("suppressed")
            rec["note"] = r.get("note") or ""
            recs.append(rec)
        return pd.DataFrame(recs)

    def _one_group_frame(self, level, segments):
        import pandas as pd

        src = self.segments if segments else [r for r in self.rows if level is None or r["level"] == level]
        cols = ["n", "mean", "sd", "top2_share", "aspiration", "gap_to_aspiration"]
        if self.weight:
            cols += ["gap_se", "gap_ci_lower", "gap_ci_upper", "gap_pvalue", "gap_p_holm", "gap_p_bh"]
        cols += ["t", "df", "pvalue", "t_ci_lower", "t_ci_upper", "p_holm", "p_bh", "wilcoxon_v",
                 "wilcoxon_pvalue", "wilcoxon_p_holm", "wilcoxon_p_bh", "cohen_d", "hedges_g",
                 "hedges_g_ci_lower", "hedges_g_ci_upper"]
        recs = []
        for r in src:
            rec = {"segment": r["segment"]} if segments else {}
            rec["level"], rec["name"] = r["level"], r["name"]
            for k in cols:
                v = r.get(k, math.nan)
                rec[k] = math.nan if v is None and k != "aspiration" else v
            rec["significant"] = r.get("significant")
            if segments:
                rec["suppressed"] = r.get("suppressed")
            rec["note"] = r.get("note") or ""
            recs.append(rec)
        return pd.DataFrame(recs)

    def tables(self) -> dict:
        out = {}
        for level in LEVELS:
            if any(r["level"] == level for r in self.rows):
                out[LEVEL_KEYS[level].capitalize()] = self.frame(level)
        if self.segment_column:
            out["Segments"] = self.frame(segments=True)
        return out

    def methods(self) -> list:
        if self.one_group:
            return self._one_group_methods()
        if self.paired:
            return self._paired_methods()
        g1, g2 = self.groups
        m = [
            ("Groups", f"'{g1}' versus '{g2}' (column {self.group_column}); every difference is "
                       f"{g1} minus {g2}. n counts non-missing answers per variable and group."),
            ("Scores per level", "Item: the answer. Construct, touchpoint, component: the mean of the "
                                 "respondent's answered items of that construct/touchpoint/component, "
                                 "blank unless at least half of its items were answered."),
            ("Top-2-box", "top2_share = share (fraction 0-1) of answers at or above scale maximum - 1 (the two highest points of "
                          f"an integer scale); scale maximum = {self.scale_max} "
                          f"({self.scale_max_source})."),
            ("Gap to aspiration", "Group mean minus the aspiration (target); negative = below target. "
                                  "Items inherit their construct's aspiration; a touchpoint or component "
                                  "gets the mean of its constructs' aspirations when all of them have one."),
            ("Welch t test", "Two-sample t test without assuming equal variances, Welch-Satterthwaite "
                             "df (R t.test(a, b)); 95% CI of the difference."),
            ("Mann-Whitney", "Wilcoxon rank-sum test, normal approximation with tie and continuity "
                             "correction (R wilcox.test(a, b, exact = FALSE, correct = TRUE)); mw_u "
                             f"is the U statistic of '{g1}' (R's W). Always unweighted."),
            ("Hedges' g", "g = J d, d = difference / pooled SD (n - 1 denominators), J = 1 - 3/(4(n1 + "
                          "n2) - 9) (Hedges 1981). 95% CI g +/- 1.96 SE with SE = J sqrt((n1 + n2)/(n1 "
                          "n2) + d^2/(2(n1 + n2))) (Hedges & Olkin 1985; Borenstein et al. 2009, "
                          "Introduction to Meta-Analysis, eqs. 4.20, 4.24-4.25)."),
            ("Multiple testing", "Holm (family-wise error) and Benjamini-Hochberg (false discovery rate) "
                                 "adjusted p-values, as R p.adjust, computed separately within each "
                                 "family: items, constructs, touchpoints, components (and within each "
                                 "segment value); separately for Welch and Mann-Whitney p. 'significant'"
                                 f" = Holm-adjusted Welch p < {self.alpha}."),
        ]
        if self.weight:
            m.append(("Survey weights", f"Weights from column {self.weight}. Weighted: mean = sum(w y)/"
                      "sum(w); SD^2 = n/(n-1) sum(w (y-mean)^2)/sum(w); top-2-box; difference and gap "
                      "to aspiration. The weighted difference has a Taylor-linearisation (sandwich) SE: "
                      "var(mean) = n/(n-1) sum(w^2 (y-mean)^2)/sum(w)^2 per group, groups independent, "
                      "SE = sqrt(var1 + var2), normal 95% CI and p (as survey::svymean per group). "
                      "Kish design effect deff = n sum(w^2)/sum(w)^2 is reported per group. NOT "
                      "weighted: Welch t, Mann-Whitney, Hedges' g (tests of the sample)."))
        if self.segment_column:
            m.append(("Segments", f"The comparison repeated within each value of {self.segment_column}. "
                      f"Cells with fewer than {self.min_n} answers in either group are suppressed: "
                      "n is shown, every other value is blank and 'suppressed' is true."))
        if self.invariance:
            m.append(("Measurement invariance", "A construct's mean comparison is interpretable only "
                      "when at least scalar invariance (equal loadings and intercepts) holds between "
                      "the groups; rows of constructs below scalar, and of touchpoints/components that "
                      "contain them, say so in 'note'."))
        return m

    def _paired_methods(self) -> list:
        g1, g2 = self.groups
        p = self.pairing
        how = ("detected automatically: at least half of each group's ids are in the other group"
               if p.get("detected") else "requested (paired)")
        m = [
            ("Design", f"Paired: '{g1}' and '{g2}' (column {self.group_column}) are answers of the same "
                       f"respondents, paired by {p['id_column']} ({how}). {p['n_pairs']} respondents are "
                       f"in both groups; ids only in one group ({p['unmatched'][g1]} only in {g1}, "
                       f"{p['unmatched'][g2]} only in {g2}) are left out, and so is a pair with a missing "
                       f"score on either side (n_pairs per row). Every difference is {g1} minus {g2}."),
            ("Scores per level", "Item: the answer. Construct, touchpoint, component: the mean of the "
                                 "respondent's answered items, blank unless at least half of its items "
                                 "were answered."),
            ("Top-2-box", "top2_share = share (fraction 0-1) of answers at or above scale maximum - 1; "
                          f"scale maximum = {self.scale_max} ({self.scale_max_source})."),
            ("Paired t test", "d = a - b per respondent; t = mean(d) / (SD(d)/sqrt(n)), df = n - 1, "
                              "two-sided p; paired_ci_lower/upper = 95% CI of the mean difference (R "
                              "t.test(a, b, paired = TRUE); scipy.stats.ttest_rel). Welch's test would "
                              "treat the two answers of a respondent as independent samples and is not "
                              "used."),
            ("Wilcoxon signed-rank test", "On d: zero differences are dropped (wilcoxon_n = the non-zero "
                                          "ones), tied |d| get mid-ranks, normal approximation with tie "
                                          "and continuity correction (R wilcox.test(a, b, paired = TRUE, "
                                          "exact = FALSE, correct = TRUE); scipy.stats.wilcoxon, "
                                          "zero_method='wilcox', correction=True); wilcoxon_v is R's V."),
            ("Effect size", "d_z = mean(d) / SD(d) (Cohen 1988; Lakens 2013, eq. 6)."),
            ("Multiple testing", "Holm and Benjamini-Hochberg adjusted p-values (R p.adjust) within each "
                                 "family (items, constructs, touchpoints, components; and within each "
                                 "segment value), separately for the paired t (p_holm, p_bh) and the "
                                 "Wilcoxon test (wilcoxon_p_holm, wilcoxon_p_bh). 'significant' = "
                                 f"Holm-adjusted paired-t p < {self.alpha}."),
        ]
        if self.segment_column:
            m.append(("Segments", f"The paired comparison repeated within each value of "
                      f"{self.segment_column} (a pair belongs to the segment of its {g1} row). Cells with "
                      f"fewer than {self.min_n} pairs are suppressed."))
        return m

    def _one_group_methods(self) -> list:
        (g1,) = self.groups
        who = f"'{g1}'" + (f" (column {self.group_column})" if self.group_column else "")
        m = [
            ("Design", f"One group, {who}, against the aspirations (performance standards): no second "
                       "group (e.g. frontline staff) is compared. n counts non-missing answers per "
                       "variable."),
            ("Scores per level", "Item: the answer. Construct, touchpoint, component: the mean of the "
                                 "respondent's answered items of that construct/touchpoint/component, "
                                 "blank unless at least half of its items were answered."),
            ("Top-2-box", "top2_share = share (fraction 0-1) of answers at or above scale maximum - 1 (the two highest points of "
                          f"an integer scale); scale maximum = {self.scale_max} "
                          f"({self.scale_max_source})."),
            ("Gap to aspiration", "gap_to_aspiration = mean - aspiration; negative = below target. Items "
                                  "inherit their construct's aspiration; a touchpoint or component gets "
                                  "the mean of its constructs' aspirations when all of them have one. "
                                  "Rows without an aspiration show the descriptives only (no tests)."),
            ("One-sample t test", "t = (mean - aspiration) / (SD / sqrt(n)), df = n - 1, two-sided p; "
                                  "t_ci_lower/t_ci_upper = 95% CI of the gap (R t.test(x, mu = "
                                  "aspiration), its conf.int minus the aspiration)."),
            ("Wilcoxon signed-rank test", "Differences x - aspiration; zero differences dropped "
                                          "(wilcoxon_n = the non-zero ones); normal approximation with "
                                          "tie and continuity correction (R wilcox.test(x, mu = "
                                          "aspiration, exact = FALSE, correct = TRUE)); wilcoxon_v is "
                                          "R's V, the sum of the ranks of |x - aspiration| over the "
                                          "positive differences."),
            ("Effect size", "Cohen's d for one sample = gap / SD (n - 1 denominator). Hedges' g = J d "
                            "with J = 1 - 3/(4 df - 1), df = n - 1 (Hedges 1981; Borenstein et al. 2009, "
                            "Introduction to Meta-Analysis, eqs. 4.22-4.23). 95% CI g +/- 1.96 SE with "
                            "SE = J sqrt(1/n + d^2/(2n)) (Hedges & Olkin 1985)."),
            ("Multiple testing", "Holm (family-wise error) and Benjamini-Hochberg (false discovery rate) "
                                 "adjusted p-values, as R p.adjust, within each family: items, "
                                 "constructs, touchpoints, components (and within each segment value); "
                                 "separately for the t test (p_holm, p_bh) and the Wilcoxon test "
                                 "(wilcoxon_p_holm, wilcoxon_p_bh). Rows without an aspiration are not "
                                 "in a family. 'significant' = Holm-adjusted "
                                 + ("sandwich-SE gap p" if self.weight else "t-test p")
                                 + f" < {self.alpha}."),
        ]
        if self.weight:
            m.append(("Survey weights", f"Weights from column {self.weight}. Weighted: mean = sum(w y)/"
                      "sum(w); SD^2 = n/(n-1) sum(w (y-mean)^2)/sum(w); top-2-box; gap to aspiration. "
                      "The weighted gap has the Taylor-linearisation (sandwich) SE of the weighted "
                      "mean, var(mean) = n/(n-1) sum(w^2 (y-mean)^2)/sum(w)^2 (as survey::svymean), "
                      "normal 95% CI (gap_ci_lower/upper), z and p (gap_pvalue, gap_p_holm, gap_p_bh). "
                      "Kish design effect deff = n sum(w^2)/sum(w)^2. NOT weighted: the t test, the "
                      "Wilcoxon test and the effect size (tests of the sample)."))
        if self.segment_column:
            m.append(("Segments", f"The analysis repeated within each value of {self.segment_column}. "
                      f"Cells with fewer than {self.min_n} answers are suppressed: n is shown, every "
                      "other value is blank and 'suppressed' is true."))
        return m



def _invariance_notes(levels, invariance):
    """(level, name) -> (verdict, note) for rows whose comparison is not interpretable."""
    notes = {}
    if not invariance:
        return notes
    bad = {c: str(v) for c, v in invariance.items() if str(v).lower() not in SCALAR_OK}
    constructs = levels.get("construct") or {}
    for c, verdict in bad.items():
        if c in constructs:
            notes[("construct", c)] = (verdict, f"mean comparison not interpretable: only {verdict} "
                                                f"invariance between the groups (scalar needed)")
    for level in ("touchpoint", "component"):
        for name, items in (levels.get(level) or {}).items():
            inside = [c for c in bad if c in constructs and set(constructs[c]) <= set(items)]
            if inside:
                notes[(level, name)] = (None, "mean comparison not interpretable: includes "
                                        + ", ".join(f"{c} ({bad[c]} invariance only)" for c in inside))
    return notes



def _apply_note(r, notes):
    key = (r["level"], r["name"])
    if key in notes:
        verdict, note = notes[key]
        if verdict is not None:
            r["invariance"] = verdict
        r["interpretable"] = False
        r["note"] = (r.get("note") + "; " if r.get("note") else "") + note
    elif r["level"] != "item":
        r.setdefault("interpretable", True)

