"""``estimator = "auto"``: choosing the estimator of a CFA, SEM or invariance model from its items.

The rule (stated in every output that used it):

* **ordinal** (WLSMV, lavaan's estimator for ordered items) when some item has fewer than 5 answer
  categories in the data (Rhemtulla, Brosseau-Liard & Savalei 2012: with 5 or more categories robust
  ML on the raw codes is about as good, with fewer it is biased), or a strong floor or ceiling: more
  than 30% of its answers in its lowest or its highest category (twice the 15% floor/ceiling criterion
  of Terwee et al. 2007, so that only strong effects move to the ordinal estimator);
* **MLR** otherwise: Huber-White standard errors and the Yuan-Bentler scaled test, which stay valid
  under the skewness and kurtosis of rating scales and with missing answers (FIML) and cost nothing
  when the answers are close to normal.

When the rule asks for the ordinal estimator but it is not among the estimators this engine offers,
MLR is used and the output says so. Per item the decision reports the categories, the floor and ceiling
shares, skewness, excess kurtosis and the share of missing answers.
"""

from __future__ import annotations

import math

MIN_CATEGORIES = 5            # fewer observed categories -> ordinal (Rhemtulla et al. 2012)
STRONG_FLOOR_CEILING = 0.30   # share of answers in one extreme category -> ordinal
SKEW_NOTE = 1.0               # |skewness| or |excess kurtosis| above this: named as non-normal in the reason
ORDINAL = "WLSMV"

RULE = (f"estimator auto: WLSMV (ordinal) when an item has fewer than {MIN_CATEGORIES} answer categories "
        "(Rhemtulla, Brosseau-Liard & Savalei 2012) or more than "
        f"{STRONG_FLOOR_CEILING:.0%} of its answers in its lowest or highest category (strong floor/ceiling; twice "
        "Terwee et al. 2007's 15%); otherwise MLR (robust to skewed, kurtotic and incomplete answers)")


def item_profile(values) -> dict:
    """Categories, floor/ceiling shares, skewness, excess kurtosis and missing share of one item."""
    import numpy as np
    from scipy import stats

    v = np.asarray(values, dtype=float)
    ok = v[np.isfinite(v)]
    n = int(ok.size)
    out = {"n": n, "missing_share": float(1 - n / len(v)) if len(v) else math.nan}
    if n == 0:
        return {**out, "categories": 0, "floor_share": math.nan, "ceiling_share": math.nan, "skewness": math.nan,
                "excess_kurtosis": math.nan}
    lo, hi = float(ok.min()), float(ok.max())
    out.update(categories=int(np.unique(ok).size), floor_share=float(np.mean(ok == lo)),
               ceiling_share=float(np.mean(ok == hi)))
    if n > 2 and ok.std() > 0:
        out.update(skewness=float(stats.skew(ok)), excess_kurtosis=float(stats.kurtosis(ok)))
    else:
        out.update(skewness=math.nan, excess_kurtosis=math.nan)
    return out


def choose_estimator(frame, items, *, available=("ML", "MLR", "MLM")) -> dict:
    """The estimator the rule picks for the model's observed ``items`` (columns of ``frame``):
    {estimator, wanted, rule, reason, items: {item: profile}}; ``wanted`` is what the rule asks for
    (WLSMV or MLR), ``estimator`` what is used (MLR when WLSMV is not ``available``)."""
    profiles = {it: item_profile(frame[it].to_numpy(dtype=float)) for it in items}
    few = [it for it, p in profiles.items() if p["categories"] < MIN_CATEGORIES]
    extreme = [it for it, p in profiles.items() if it not in few and
               max(p["floor_share"], p["ceiling_share"]) > STRONG_FLOOR_CEILING]
    skewed = [it for it, p in profiles.items()
              if abs(p["skewness"]) > SKEW_NOTE or abs(p["excess_kurtosis"]) > SKEW_NOTE]
    missing = [it for it, p in profiles.items() if p["missing_share"] > 0]
    why = []
    if few:
        why.append(f"fewer than {MIN_CATEGORIES} answer categories: " + ", ".join(
            f"{it} ({profiles[it]['categories']})" for it in few))
    if extreme:
        why.append(f"more than {STRONG_FLOOR_CEILING:.0%} in an extreme category: " + ", ".join(
            f"{it} ({max(profiles[it]['floor_share'], profiles[it]['ceiling_share']):.0%})" for it in extreme))
    wanted = ORDINAL if (few or extreme) else "MLR"
    if wanted == ORDINAL:
        reason = "ordinal items (" + "; ".join(why) + ")"
        used = ORDINAL if ORDINAL in available else "MLR"
        if used != ORDINAL:
            reason += "; the ordinal estimator (WLSMV) is not available in this engine, so MLR is used"
    else:
        used = "MLR"
        facts = []
        if skewed:
            facts.append("non-normal items (|skewness| or |excess kurtosis| > 1): " + ", ".join(skewed))
        if missing:
            facts.append("missing answers: " + ", ".join(missing))
        reason = (f"every item has {MIN_CATEGORIES} or more categories and no strong floor/ceiling; "
                  + ("; ".join(facts) if facts else "the answers are close to normal and complete, and MLR "
                                                   "then agrees with ML"))
    return {"estimator": used, "wanted": wanted, "rule": RULE, "reason": reason, "items": profiles}


def choice_note(choice: dict) -> str:
    """One line for the warnings/notes of a result: which estimator auto used and why."""
    return f"estimator auto chose {choice['estimator']}: {choice['reason']} ({choice['rule']})"
