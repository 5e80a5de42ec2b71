"""Key-driver analysis (relative importance), exact and fast.

:func:`analyze_drivers` runs the whole analysis on a numeric DataFrame and returns a
:class:`DriversResult` (``to_dict`` / ``tables`` / ``methods`` / ``warnings``).
Modules: ``subsets`` (all-subset R² from the correlation matrix, LMG, dominance),
``measures`` (relative weights, Pratt, betas; batched), ``bootstrap`` (percentile and
BCa intervals), ``binary`` (logit relative weights), ``ipa`` (importance-performance,
penalty-reward).
"""

from cxstats.stats.drivers.core import analyze_drivers
from cxstats.stats.drivers.result import DriversResult
from cxstats.stats.drivers.subsets import MAX_EXACT, all_subset_r2

__all__ = ["analyze_drivers", "DriversResult", "MAX_EXACT", "all_subset_r2"]
