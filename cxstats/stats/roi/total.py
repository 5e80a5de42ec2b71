"""The roadmap's total: a customer reached by several initiatives is counted once.

Rule (stated in the result): the customer base ``N`` is given (``customer_base``, e.g. the active
customers), else the largest ``customers_reached`` of the roadmap (that initiative then reaches
everyone and the union is N); initiative ``i`` reaches each customer with
probability ``p_i = customers_reached_i / N``, independently of the others. A customer reached by a
set ``S`` of initiatives gets their loyalty effects added, ``dL_S = sum_{i in S} dL_i``, and the
churn and revenue changes of ``dL_S`` (not the sum of the separate changes: the churn curve is not
linear). The expected annual benefit while the initiatives in ``A`` are in effect is

    A_annual = N x sum_{S subset of A, S not empty} P_A(S) x margin x (-dp(dL_S) V + R (exp(b dL_S) - 1)),
    P_A(S) = prod_{i in S} p_i prod_{i in A \\ S} (1 - p_i),

and customers reached = ``N (1 - prod_i (1 - p_i))`` (the union). Benefits start initiative by
initiative (months_to_effect): each stretch between two starts is discounted with the active set
of that stretch. NPV = PV - sum of costs. The Monte Carlo draws (coefficients and roadmap ranges)
are the initiatives' own, so the total's P10/P50/P90 are consistent with theirs.
"""

from __future__ import annotations

import itertools

import numpy as np

MAX_INITIATIVES = 10


def _subset_benefits(theta, idx, dL, a, support, loyalty_effects):
    """{subset (tuple of indices): per-customer annual benefit per draw}."""
    k = dL.shape[1]
    out = {}
    for size in range(1, k + 1):
        for S in itertools.combinations(range(k), size):
            dls = dL[:, list(S)].sum(axis=1)
            dp, drev = loyalty_effects(theta, idx, dls, support)
            out[S] = a.margin * (-dp * a.customer_value + a.revenue_per_customer * drev)
    return out


def roadmap_total(initiatives, theta, names, dL, reach, cost, a, support, *, annuity_factor, loyalty_effects):
    """Per draw: union reach, annual benefit (all in effect), PV and NPV of the whole roadmap.

    ``theta`` (draws, coefficients), ``dL``/``reach``/``cost`` (draws, initiatives)."""
    idx = {n: i for i, n in enumerate(names)}
    k = len(initiatives)
    base = getattr(a, "customer_base", None)
    N = reach.max(axis=1) if base is None else np.full(len(reach), float(base))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(N[:, None] > 0, reach / np.where(N[:, None] > 0, N[:, None], 1.0), 0.0)
    pcb = _subset_benefits(theta, idx, dL, a, support, loyalty_effects)
    months = np.floor(np.array([float(i.months_to_effect) for i in initiatives]))
    starts = sorted(set(months.tolist()))
    end = np.floor(12 * a.horizon_years)

    def annual(active):
        total = np.zeros(len(N))
        for S, b in pcb.items():
            if not set(S) <= set(active):
                continue
            prob = np.ones(len(N))
            for i in active:
                prob = prob * (p[:, i] if i in S else 1 - p[:, i])
            total += prob * b
        return N * total

    pv = np.zeros(len(N))
    for j, s in enumerate(starts):
        nxt = starts[j + 1] if j + 1 < len(starts) else end
        active = [i for i in range(k) if months[i] <= s]
        if s >= end:
            break
        af = annuity_factor(s, a.horizon_years, a.discount_rate) - \
            (annuity_factor(nxt, a.horizon_years, a.discount_rate) if nxt < end else 0.0)
        pv += annual(active) * af
    full = annual(list(range(k)))
    union = N * (1 - np.prod(1 - p, axis=1))
    return {"customers_reached_union": union, "customer_base": N, "annual_benefit": full, "pv_benefit": pv,
            "npv": pv - cost.sum(axis=1), "cost": cost.sum(axis=1)}


RULE = ("a customer reached by several initiatives is counted once: customer base N = customer_base when "
        "given, else the largest customers_reached; initiative i reaches a customer with probability customers_reached_i / N, "
        "independently; customers reached = N (1 - prod(1 - p_i)); a customer reached by several initiatives "
        "gets their loyalty effects added (dL summed) and the churn and revenue change of the sum; benefits "
        "start initiative by initiative (months_to_effect); NPV = PV - sum of costs")
