"""The demo's CRM side: customer ids shared with a CRM extract, response times, open comments,
a previous follow-up list, and the exact truth of the spec's ``followup:`` rules and of the
profile shares.

Drawn from its own generator (``numpy.random.default_rng(seed + CRM_SEED_OFFSET)``) after the
survey answers are simulated, and appended as new columns, so the answers (and every number
computed from them) are the same with or without this part.
"""

from __future__ import annotations

import math
import re

CRM_SEED_OFFSET = 14_014
N_REPEAT = 40                # customers who answered twice (two responses, one customer id)
P_COMMENT = 0.45
FIELD_START = "2026-11-02 08:00"
FIELD_DAYS = 14
AS_OF = "2026-11-16 08:00"  # the demo list's date (latest response time is a little earlier)
OWNERS = {"norte": "ana.martin", "centro": "javier.ruiz", "sur": "lucia.gomez"}  # 'este': default owner
NEGATIVE = ["Llegó tarde y sin aviso.", "El repartidor no llamó antes de venir.",
            "Quiero darme de baja del club de clientes.", "Voy a poner una reclamación por el retraso.",
            "Pedí cancelar el pedido y nadie respondió.", "-- muy mal servicio, no repetiré",
            "La caja llegó golpeada.", "Tardaron mucho en contestar en el chat."]
POSITIVE = ["Todo perfecto, muy rápido.", "El repartidor fue muy amable.", "Muy buena web, fácil de usar.",
            "+10 al servicio posventa", "Buen precio y buena calidad."]
NEUTRAL = ["Normal.", "Sin comentarios especiales.", "Correcto en general."]
# the demo spec's followup rules, evaluated here independently of cxstats' rule engine
BAJA = re.compile(r"baja|cancel|reclam", re.IGNORECASE)


def add_crm_columns(customers: list[dict], seed: int, revenue: dict | None = None):
    """Append ``id_cliente``, ``fecha_respuesta`` and ``motivo`` to every customer row (in place).
    ``revenue`` (response id -> the finance file's 12-month revenue) gives the CRM's customer value
    (``valor_cliente``: the revenue of the customer's first response; no random draw).

    Returns (new column names, CRM extract rows, previous-list rows, truth dict)."""
    import numpy as np

    rng = np.random.default_rng(seed + CRM_SEED_OFFSET)
    n = len(customers)
    ids = [f"CL{v:07d}" for v in rng.choice(9_000_000, size=n, replace=False) + 1_000_000]
    # a few customers answered twice: their second response carries the first one's id
    n_repeat = min(N_REPEAT, n // 10)  # small demos (tests) get fewer
    repeat_from = rng.choice(n // 2, size=n_repeat, replace=False)
    repeat_to = rng.choice(np.arange(n // 2, n), size=n_repeat, replace=False)
    for a, b in zip(repeat_from, repeat_to):
        ids[b] = ids[a]
    start = np.datetime64(FIELD_START.replace(" ", "T"))
    minutes = rng.integers(0, FIELD_DAYS * 24 * 60 - 24 * 60, size=n)
    u_comment = rng.random(n)
    u_pick = rng.random(n)
    for r, row in enumerate(customers):
        when = (start + np.timedelta64(int(minutes[r]), "m")).astype("datetime64[m]")
        row["id_cliente"] = ids[r]
        row["fecha_respuesta"] = str(when).replace("T", " ")
        comment = ""
        if u_comment[r] < P_COMMENT:
            pool = NEGATIVE if row["nps"] <= 6 else POSITIVE if row["nps"] >= 9 else NEUTRAL
            comment = pool[int(u_pick[r] * len(pool))]
        row["motivo"] = comment
    crm, seen = [], set()
    for row in customers:
        if row["id_cliente"] in seen:
            continue
        seen.add(row["id_cliente"])
        crm.append({"id_cliente": row["id_cliente"], "region": row["region"],
                    "ejecutivo_cuenta": OWNERS.get(row["region"], "atencion.cliente"),
                    "etapa_ciclo": row["antiguedad"], "valor_cliente": (revenue or {}).get(row["id_respuesta"], "")})
    truth = followup_truth(customers)
    # the previous list: some flagged customers, half contacted within the 30-day window
    flagged = sorted(truth["flagged_ids"])
    prev_ids = [flagged[i] for i in rng.choice(len(flagged), size=min(60, len(flagged)), replace=False)]
    as_of = np.datetime64(AS_OF.replace(" ", "T"))
    previous = []
    for k, cid in enumerate(sorted(prev_ids)):
        days = 10 if k % 2 == 0 else 45
        previous.append({"customer_id": cid,
                         "contacted_at": str((as_of - np.timedelta64(days, "D")).astype("datetime64[m]")).replace("T", " ")})
    suppressed = sorted(c for c, p in zip(sorted(prev_ids), previous) if p["contacted_at"] >= "2026-10-17")
    truth["suppressed_ids"] = suppressed
    truth["followup_cases_with_previous"] = len(truth["flagged_ids"]) - len(suppressed)
    truth["as_of"] = AS_OF
    return ["id_cliente", "fecha_respuesta", "motivo"], crm, previous, truth


def _bad_delivery(row) -> bool:
    return any(row[c] != 99 and row[c] <= 1 for c in ("entrega_1", "entrega_2", "entrega_3"))


DEMO_RULES = {  # rule id -> (priority rank, test on a raw customer row); mirrors the spec's followup block
    "baja": (0, lambda row: bool(BAJA.search(row["motivo"]))),
    "detractor_fuerte": (0, lambda row: row["nps"] <= 3),
    "entrega": (1, _bad_delivery),
    "csat_bajo": (1, lambda row: row["csat"] <= 2),
}


def followup_truth(customers) -> dict:
    """Exact counts of the demo spec's rules: customers flagged per rule, de-duplicated cases
    and the winning rule of each customer (highest priority; ties: the rule declared first, then
    the earlier deadline, then the earlier row)."""
    order = list(DEMO_RULES)
    per_rule = {r: set() for r in order}
    best: dict[str, tuple] = {}
    promoters = set()
    for r, row in enumerate(customers):
        cid = row["id_cliente"]
        for k, rid in enumerate(order):
            rank, test = DEMO_RULES[rid]
            if test(row):
                per_rule[rid].add(cid)
                key = (rank, k, row["fecha_respuesta"], r)
                if cid not in best or key < best[cid]:
                    best[cid] = key
        if row["nps"] >= 9:
            promoters.add(cid)
    winners = {cid: order[key[1]] for cid, key in best.items()}
    crm_region = {}  # the CRM's region of a customer: that of their first response (crm.csv)
    for row in customers:
        crm_region.setdefault(row["id_cliente"], row["region"])
    return {"rules": {r: len(per_rule[r]) for r in order},
            "followup_cases": len(best), "winning_rule": {r: sum(1 for w in winners.values() if w == r) for r in order},
            "flagged_ids": sorted(best), "promoters": len(promoters),
            "default_owner_cases": sum(1 for key in best.values() if customers[key[3]]["region"] not in OWNERS),
            # with crm.csv linked (the spec's crm: block) the owner's region is the CRM's
            "default_owner_cases_crm": sum(1 for cid in best if crm_region[cid] not in OWNERS)}


def profile_truth(gamma: float) -> dict:
    """True shares of the satisfaction x repurchase profiles (top-2-box on csat and recompra).

    csat >= 4  <=>  3.6 + 0.85 S + e1 >= 3.5  <=>  X1 = 0.85 S + e1 >= -0.1   (e1 ~ N(0, 0.45^2))
    recompra >= 4  <=>  X2 = 0.8 L + e2 >= -0.3                                 (e2 ~ N(0, 0.5^2))
    with S ~ N(0, 1), L = gamma S + v (var 1): (X1, X2) bivariate normal."""
    from scipy.stats import multivariate_normal, norm

    v1, v2 = 0.85 ** 2 + 0.45 ** 2, 0.8 ** 2 + 0.5 ** 2
    cov = 0.85 * 0.8 * gamma
    a, b = -0.1 / math.sqrt(v1), -0.3 / math.sqrt(v2)
    rho = cov / math.sqrt(v1 * v2)
    both_low = float(multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([a, b]))
    low_s, low_r = float(norm.cdf(a)), float(norm.cdf(b))
    return {"cutoffs": "top-2-box (csat >= 4, recompra >= 4)",
            "shares": {"loyalist": 1 - low_s - low_r + both_low, "mercenary": low_r - both_low,
                       "hostage": low_s - both_low, "defector": both_low}}
