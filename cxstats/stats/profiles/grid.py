"""The 2x2 grid: classification by declared cut-offs and the share of each profile."""

from __future__ import annotations

from cxstats.errors import InputError

# (code, high satisfaction, high repurchase) in the order reports show them
PROFILES = (("loyalist", True, True), ("mercenary", True, False),
            ("hostage", False, True), ("defector", False, False))


def classify(satisfaction, repurchase, sat_cut: float, rep_cut: float):
    """Profile code per row (None where either answer is missing): a measure is "high" when
    it is at or above its cut-off (``value >= cut``)."""
    import numpy as np

    s = np.asarray(satisfaction, dtype=float)
    r = np.asarray(repurchase, dtype=float)
    out = np.full(len(s), None, dtype=object)
    ok = ~(np.isnan(s) | np.isnan(r))
    for code, hs, hr in PROFILES:
        out[ok & ((s >= sat_cut) == hs) & ((r >= rep_cut) == hr)] = code
    return out


def share_intervals(counts, *, level: float = 0.95, joint: bool = False):
    """Per profile: share and CI. Each share's own Wilson interval (statsmodels
    ``proportion_confint(method="wilson")``), or with ``joint`` the Goodman (1965) simultaneous
    intervals for all shares together (``multinomial_proportions_confint``), wider because they
    cover every share at once with the stated level."""
    import numpy as np
    from statsmodels.stats.proportion import multinomial_proportions_confint, proportion_confint

    counts = np.asarray(counts, dtype=float)
    n = counts.sum()
    if n <= 0:
        raise InputError("no customer answered both the satisfaction and the repurchase question",
                         option="satisfaction")
    alpha = 1 - level
    share = counts / n
    if joint:
        if (counts == 0).any():
            # Goodman's intervals are undefined for an empty cell; fall back to zero-safe bounds
            ci = np.array([proportion_confint(c, n, alpha=alpha, method="wilson") for c in counts])
        else:
            ci = np.asarray(multinomial_proportions_confint(counts, alpha=alpha, method="goodman"))
    else:
        ci = np.array([proportion_confint(c, n, alpha=alpha, method="wilson") for c in counts])
    return share, ci[:, 0], ci[:, 1]
