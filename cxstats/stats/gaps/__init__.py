"""Gap analysis: two groups (customers vs staff, or any two levels of a column)
compared per item, construct, touchpoint and component, with aspiration gaps,
survey weights and segment cuts.

Pure: a DataFrame and mappings in, a :class:`GapsResult` out. Nothing here reads
files or prints.

Statistics per variable (group 1 = the first group named, differences are
group 1 - group 2), checked against R 4.2.2 (``tests/fixtures/reference``,
``r/07_gaps.R``):

* n, mean, SD (n - 1) and top-2-box share per group;
* Welch's t test = ``t.test(a, b)`` (t, Welch-Satterthwaite df, p, 95% CI of the
  difference), via :func:`scipy.stats.ttest_ind` with ``equal_var=False``;
* Mann-Whitney = ``wilcox.test(a, b, exact = FALSE, correct = TRUE)``: normal
  approximation with tie and continuity correction; ``mw_u`` is U of group 1
  (R's W), via :func:`scipy.stats.mannwhitneyu` (``method="asymptotic"``);
* Hedges' g = J d, d = diff / pooled SD (n - 1), J = 1 - 3/(4(n1 + n2) - 9)
  (Hedges 1981); SE(g) = J sqrt((n1 + n2)/(n1 n2) + d^2 / (2 (n1 + n2)))
  (Hedges & Olkin 1985; Borenstein et al. 2009, *Introduction to Meta-Analysis*,
  eqs. 4.20 and 4.24-4.25), 95% CI g +/- 1.96 SE;
* Holm and Benjamini-Hochberg adjusted p (as R's ``p.adjust``; see
  :func:`adjust_pvalues`) within each family: the items, the constructs, the
  touchpoints, the components (and per segment value), separately for the Welch
  and the Mann-Whitney p-values.

With survey weights the descriptive statistics (mean, SD, top-2-box, difference,
gap to aspiration) are weighted and the difference gets a Taylor-linearisation
(sandwich) SE; Welch's t, Mann-Whitney and Hedges' g stay unweighted (they are
tests of the sample, not of the weighted population), and the result says so.

**One group against the aspirations** (``analyze_gaps(data, group=None, ...)`` or
:func:`analyze_aspiration_gaps`; e.g. customers when there is no frontline-staff wave). The
result has the same :class:`GapsResult` shape with one group; per row: n, mean, SD,
top-2-box, aspiration, ``gap_to_aspiration`` = mean - aspiration and, when the row has
an aspiration, checked against R 4.2.2 (``tests/fixtures/reference_extra/aspiration_reference.R``):

* the one-sample t test = ``t.test(x, mu = aspiration)``: ``t``, ``df`` = n - 1,
  ``pvalue``, ``t_ci_lower``/``t_ci_upper`` = the 95% CI of the gap (R's conf.int minus
  the aspiration), via :func:`scipy.stats.ttest_1samp`;
* the Wilcoxon signed-rank test = ``wilcox.test(x, mu = aspiration, exact = FALSE,
  correct = TRUE)``: zero differences dropped, normal approximation with tie and
  continuity correction (:func:`scipy.stats.wilcoxon` with ``zero_method="wilcox"``,
  ``correction=True``, ``method="asymptotic"``); ``wilcoxon_v`` is R's V (the sum of
  the ranks of the positive differences), ``wilcoxon_n`` the number of non-zero
  differences, ``wilcoxon_pvalue`` the p-value;
* Cohen's d for one sample = gap / SD (n - 1); Hedges' g = J d, J = 1 - 3/(4 df - 1),
  df = n - 1 (Hedges 1981; Borenstein et al. 2009, eqs. 4.22-4.23); SE(d) = sqrt(1/n +
  d^2/(2n)) (Hedges & Olkin 1985), SE(g) = J SE(d), 95% CI g +/- 1.96 SE(g);
* Holm and BH within each family (items, constructs, touchpoints, components, per
  segment value), separately for ``pvalue`` (-> ``p_holm``, ``p_bh``) and
  ``wilcoxon_pvalue`` (-> ``wilcoxon_p_holm``, ``wilcoxon_p_bh``); rows without an
  aspiration keep their descriptives, have no tests and are not in the family.

With survey weights the mean, SD, top-2-box and gap are weighted and the gap gets the
sandwich SE of the weighted mean (``gap_se``, ``gap_ci_lower``/``gap_ci_upper``,
``gap_z``, ``gap_pvalue`` normal, Holm/BH ``gap_p_holm``/``gap_p_bh``); the t test, the
Wilcoxon test and the effect size stay unweighted, as in the two-group analysis.
"""

from cxstats.stats.gaps.analysis import analyze_aspiration_gaps, analyze_gaps, expand_aspirations
from cxstats.stats.gaps.result import LEVEL_KEYS, LEVELS, GapsResult
from cxstats.stats.gaps.tests import (adjust_pvalues, compare_two, describe_one, hedges_g, mann_whitney,
                                      one_sample_effect, one_sample_t, student_test, weighted_mean_var,
                                      welch_test, wilcoxon_signed_rank)

__all__ = ["analyze_gaps", "analyze_aspiration_gaps", "expand_aspirations", "GapsResult", "LEVELS",
           "LEVEL_KEYS", "adjust_pvalues", "compare_two", "describe_one", "hedges_g", "mann_whitney",
           "one_sample_effect", "one_sample_t", "student_test", "weighted_mean_var", "welch_test",
           "wilcoxon_signed_rank"]
