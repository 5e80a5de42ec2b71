"""A realistic demo study simulated from a known model, with its truth written beside it.

The generating model (all on the item scale, before rounding to answer codes):

* each customer has latent construct scores eta ~ N(0, Phi), Phi exchangeable with
  correlation ``RHO`` (so relative importance follows the true betas);
* item answer ``y* = m_item + lambda_i * eta_c + e``, ``var(y*) = 1``;
  the recorded answer is ``clip(floor(y* + 0.5), min, max)`` (reverse-keyed items are
  recorded reversed, as a respondent would answer them);
* frontline staff answer "how do customers rate ..." from the same measurement model
  (measurement invariance holds) with construct means shifted by ``STAFF_SHIFT``;
* satisfaction ``S = sum beta_c eta_c + u`` (var 1), loyalty ``L = GAMMA * S + v`` (var 1);
  CSAT, NPS, repurchase and CES are rounded noisy indicators of S and L;
* finance: churn ~ Bernoulli(logistic(a0 + a1 * L)), revenue = exp(b0 + b1 * L + w).

The population mean of every item is known in closed form (a rounded, clipped
normal), so gap estimates can be checked against the truth, not against
another estimate. Same seed -> byte-identical files.
"""

from __future__ import annotations

import csv
import io
import math
from importlib import resources
from pathlib import Path

SPEC_FILE = "compra_online.yaml"
RHO = 0.45
LOADINGS = (0.85, 0.80, 0.75)  # per construct, items 1-3 (standardised, var(y*) = 1)
# customer latent means on the 1-5 item scale, per construct
CUSTOMER_MEAN = {
    "facilidad_web": 3.9, "info_producto": 3.8, "confianza_marca": 4.0, "proceso_pago": 4.1,
    "precio_valor": 3.3, "puntualidad_entrega": 3.4, "trato_repartidor": 4.2,
    "estado_producto": 4.0, "resolucion_posventa": 3.2, "imagen_marca": 3.7,
}
ITEM_OFFSET = (0.1, 0.0, -0.1)
# staff believe customers rate these higher (+) or lower (-) than customers do
STAFF_SHIFT = {
    "facilidad_web": 0.0, "info_producto": 0.0, "confianza_marca": 0.2, "proceso_pago": 0.0,
    "precio_valor": -0.4, "puntualidad_entrega": 0.7, "trato_repartidor": 0.2,
    "estado_producto": 0.0, "resolucion_posventa": 0.6, "imagen_marca": 0.0,
}
# drivers of satisfaction (standardised latent regression weights), in true order
BETA = {
    "puntualidad_entrega": 0.30, "resolucion_posventa": 0.24, "estado_producto": 0.18,
    "precio_valor": 0.13, "facilidad_web": 0.09, "proceso_pago": 0.06,
    "confianza_marca": 0.04, "trato_repartidor": 0.02, "info_producto": 0.01, "imagen_marca": 0.0,
}
GAMMA = 0.75  # satisfaction -> loyalty
REGION_P = {"norte": 0.30, "centro": 0.35, "sur": 0.20, "este": 0.15}
REGION_SHIFT = {"sur": {"puntualidad_entrega": -0.3}}  # a known segment gap
CHANNEL_P = {"web": 0.6, "app": 0.4}
TENURE_P = {"nuevo": 0.35, "recurrente": 0.65}
P_DONT_KNOW = 0.004  # "No sabe" (99) per item answer
CHURN_A0, CHURN_A1 = math.log(0.18 / 0.82), -0.9
REVENUE_B0, REVENUE_B1, REVENUE_SD = math.log(420.0), 0.15, 0.5
SOW_C0, SOW_C1 = 0.0, 0.5
ACTIVE_CUSTOMERS = 150_000
ROADMAP = [
    # id, name, construct, uplift (scale points), cost EUR, months to effect, customers reached
    ("franja_2h", "Entrega en franja de 2 horas", "puntualidad_entrega", 0.40, 350_000, 6, 150_000),
    ("primer_contacto", "Resolución al primer contacto", "resolucion_posventa", 0.50, 500_000, 9, 60_000),
    ("rediseno_web", "Rediseño de la web", "facilidad_web", 0.50, 250_000, 4, 150_000),
    ("embalaje", "Embalaje reforzado", "estado_producto", 0.30, 150_000, 3, 150_000),
]


def spec_text() -> str:
    return resources.files("cxstats.demo").joinpath(SPEC_FILE).read_text(encoding="utf-8")


def load_demo_spec():
    from cxstats.spec.load import parse_spec
    import yaml

    return parse_spec(yaml.safe_load(spec_text()), Path(SPEC_FILE))


def rounded_normal_mean(m: float, s: float, lo: float, hi: float) -> float:
    """E[clip(floor(Y + 0.5), lo, hi)] for Y ~ N(m, s^2): the exact population mean of an answer."""
    from scipy.stats import norm

    ks = range(int(lo), int(hi) + 1)
    total = 0.0
    for k in ks:
        upper = 1.0 if k == hi else norm.cdf((k + 0.5 - m) / s)
        lower = 0.0 if k == lo else norm.cdf((k - 0.5 - m) / s)
        total += k * (upper - lower)
    return total


def _latent_cov(k: int):
    import numpy as np

    return np.full((k, k), RHO) + (1 - RHO) * np.eye(k)


def _discretise(ystar, lo, hi):
    import numpy as np

    return np.clip(np.floor(ystar + 0.5), lo, hi)


def _item_means(construct, region_shift: float = 0.0):
    return [CUSTOMER_MEAN[construct] + region_shift + off for off in ITEM_OFFSET]


def correlated_normals(rng, cov, n: int):
    """``n`` draws of N(0, ``cov``) as standard normals times the Cholesky factor.

    Not ``rng.multivariate_normal``: it factors ``cov`` by an SVD whose signs depend on the
    LAPACK/BLAS kernel of the machine, so the same seed gave other demo data on an AMD EPYC
    than on the CI machine (measured: the demo's top drivers changed order). The Cholesky factor
    is unique, so the draws are the same wherever the seed is."""
    import numpy as np

    chol = np.linalg.cholesky(np.asarray(cov, dtype=float))
    return rng.standard_normal((n, chol.shape[0])) @ chol.T


def _model(spec):
    """(constructs, construct ids, latent covariance Phi, driver betas, R^2 of satisfaction) of the demo."""
    import numpy as np

    constructs = spec.constructs()
    names = [c.id for c in constructs]
    phi = _latent_cov(len(names))
    beta = np.array([BETA[c] for c in names])
    explained = float(beta @ phi @ beta)
    if explained >= 1:
        raise ValueError("betas explain more than all of satisfaction's variance")
    return constructs, names, phi, beta, explained


def _pick(rng, n, probs):
    """``n`` category codes (indices into ``list(probs)``) drawn with the given probabilities."""
    return rng.choice(len(probs), size=n, p=list(probs.values()))


def _draw_answers(rng, constructs, phi, n, shift, region_codes):
    """Latent scores and item answers (``{item id: int array}``, 99 = don't know) of ``n`` respondents
    whose construct means are shifted by ``shift`` and by their region's ``REGION_SHIFT``."""
    import numpy as np

    eta = correlated_normals(rng, phi, n)
    cols = {}
    for ci, c in enumerate(constructs):
        base = CUSTOMER_MEAN[c.id] + shift.get(c.id, 0.0)
        seg = np.array([REGION_SHIFT.get(r, {}).get(c.id, 0.0) for r in REGION_P])[region_codes]
        for ii, item in enumerate(c.items):
            lam = LOADINGS[ii]
            ystar = base + ITEM_OFFSET[ii] + seg + lam * eta[:, ci] + rng.normal(0, math.sqrt(1 - lam ** 2), n)
            y = _discretise(ystar, c.scale.min, c.scale.max)
            if item.reverse:
                y = c.scale.min + c.scale.max - y
            dont_know = rng.random(n) < P_DONT_KNOW
            cols[item.id] = np.where(dont_know, 99, y).astype(int)
    return eta, cols


def _draw_customers(rng, model, n):
    """Arrays of ``n`` customers' answers, in the demo's draw order: ``region`` / ``canal`` /
    ``antiguedad`` as codes into REGION_P / CHANNEL_P / TENURE_P, the items, nps, csat, ces,
    recompra, and ``loyal`` (the latent loyalty, for finance). Used by :func:`simulate` (CSV) and
    :func:`write_parquet_demo` (one call per chunk), so both follow one model."""
    import numpy as np

    constructs, names, phi, beta, explained = model
    regions = _pick(rng, n, REGION_P)
    eta, items = _draw_answers(rng, constructs, phi, n, {}, regions)
    sat = eta @ beta + rng.normal(0, math.sqrt(1 - explained), n)
    loyal = GAMMA * sat + rng.normal(0, math.sqrt(1 - GAMMA ** 2), n)
    out = {"region": regions, **items}
    out["csat"] = _discretise(3.6 + 0.85 * sat + rng.normal(0, 0.45, n), 1, 5).astype(int)
    out["nps"] = _discretise(7.0 + 2.0 * loyal + rng.normal(0, 1.0, n), 0, 10).astype(int)
    out["recompra"] = _discretise(3.8 + 0.8 * loyal + rng.normal(0, 0.5, n), 1, 5).astype(int)
    ease = eta[:, [names.index("facilidad_web"), names.index("proceso_pago")]].mean(axis=1)
    out["ces"] = _discretise(5.0 + 0.7 * ease + 0.3 * sat + rng.normal(0, 0.8, n), 1, 7).astype(int)
    out["canal"] = _pick(rng, n, CHANNEL_P)
    out["antiguedad"] = _pick(rng, n, TENURE_P)
    out["loyal"] = loyal
    return out


def _draw_staff(rng, model, n):
    """Arrays of ``n`` frontline staff's answers (``region`` as codes; ``csat`` as codes 1-5)."""
    import numpy as np

    constructs = model[0]
    regions = _pick(rng, n, REGION_P)
    _, items = _draw_answers(rng, constructs, model[2], n, STAFF_SHIFT, regions)
    s_sat = rng.normal(0.4, 0.8, n)
    csat, nps, ces, recompra = (np.empty(n, dtype=int) for _ in range(4))
    for r in range(n):  # one respondent at a time: the draw order of the committed demo files
        csat[r] = int(_discretise(3.6 + 0.85 * s_sat[r] + rng.normal(0, 0.45), 1, 5))
        nps[r] = int(_discretise(7.8 + 1.5 * s_sat[r] + rng.normal(0, 1.0), 0, 10))
        ces[r] = int(_discretise(5.6 + 0.5 * s_sat[r] + rng.normal(0, 0.8), 1, 7))
        recompra[r] = int(_discretise(4.1 + 0.6 * s_sat[r] + rng.normal(0, 0.5), 1, 5))
    return {"region": regions, **items, "nps": nps, "csat": csat, "ces": ces, "recompra": recompra}


def simulate(n_customers: int = 2000, n_staff: int = 200, seed: int = 20261123):
    """Simulate the study; returns (customers rows, staff rows, finance rows, truth dict)."""
    import numpy as np

    spec = load_demo_spec()
    rng = np.random.default_rng(seed)
    model = _model(spec)
    explained = model[4]
    regions_k, channels_k, tenure_k = list(REGION_P), list(CHANNEL_P), list(TENURE_P)

    # customers
    cu = _draw_customers(rng, model, n_customers)
    loyal = cu["loyal"]
    item_ids = spec.item_ids()
    ids = [f"C{i + 1:06d}" for i in range(n_customers)]
    customers = []
    for r in range(n_customers):
        row = {"id_respuesta": ids[r], "tipo_encuestado": "cliente"}
        row.update({iid: int(cu[iid][r]) for iid in item_ids})
        row.update({"nps": int(cu["nps"][r]), "csat": int(cu["csat"][r]), "ces": int(cu["ces"][r]),
                    "recompra": int(cu["recompra"][r]), "region": regions_k[cu["region"][r]],
                    "canal": channels_k[cu["canal"][r]], "antiguedad": tenure_k[cu["antiguedad"][r]]})
        customers.append(row)

    # finance, linked by customer id (a few customers are not in the finance extract)
    churn_p = 1 / (1 + np.exp(-(CHURN_A0 + CHURN_A1 * loyal)))
    churned = (rng.random(n_customers) < churn_p).astype(int)
    revenue = np.exp(REVENUE_B0 + REVENUE_B1 * loyal + rng.normal(0, REVENUE_SD, n_customers))
    sow = 1 / (1 + np.exp(-(SOW_C0 + SOW_C1 * loyal + rng.normal(0, 0.5, n_customers))))
    in_extract = rng.random(n_customers) > 0.02
    finance = [{"id_respuesta": ids[r], "ingresos_12m": f"{revenue[r]:.2f}", "baja_12m": int(churned[r]),
                "cuota_gasto": f"{sow[r]:.3f}"} for r in range(n_customers) if in_extract[r]]

    # frontline staff
    st = _draw_staff(rng, model, n_staff)
    labels = spec.outcome("csat").scale.labels
    staff = []
    for r in range(n_staff):
        row = {"id_respuesta": f"E{r + 1:04d}", "tipo_encuestado": "empleado"}
        row.update({iid: int(st[iid][r]) for iid in item_ids})
        row.update({"nps": int(st["nps"][r]),
                    "csat": labels[int(st["csat"][r])]["es"],  # this wave was exported with answer labels
                    "ces": int(st["ces"][r]), "recompra": int(st["recompra"][r]),
                    "region": regions_k[st["region"][r]]})
        staff.append(row)

    truth = build_truth(spec, n_customers, n_staff, seed, explained)
    return customers, staff, finance, truth


def build_truth(spec, n_customers, n_staff, seed, explained):
    """Population values of everything the demo analyses estimate."""
    constructs = spec.constructs()
    items, cons = {}, {}
    for c in constructs:
        c_means, s_means = [], []
        for ii, item in enumerate(c.items):
            mc = sum(p * rounded_normal_mean(
                _item_means(c.id, REGION_SHIFT.get(reg, {}).get(c.id, 0.0))[ii], 1.0, c.scale.min, c.scale.max)
                for reg, p in REGION_P.items())
            ms = sum(p * rounded_normal_mean(
                _item_means(c.id, STAFF_SHIFT[c.id] + REGION_SHIFT.get(reg, {}).get(c.id, 0.0))[ii], 1.0,
                c.scale.min, c.scale.max) for reg, p in REGION_P.items())
            items[item.id] = {"construct": c.id, "loading_std": LOADINGS[ii], "reverse": item.reverse,
                              "customer_mean": mc, "staff_mean": ms, "customer_minus_staff": mc - ms}
            c_means.append(mc)
            s_means.append(ms)
        cm, sm = sum(c_means) / len(c_means), sum(s_means) / len(s_means)
        cons[c.id] = {"component": c.component, "touchpoint": c.touchpoint, "aspiration": c.aspiration,
                      "latent_mean_customer": CUSTOMER_MEAN[c.id], "latent_shift_staff": STAFF_SHIFT[c.id],
                      "customer_mean": cm, "staff_mean": sm, "customer_minus_staff": cm - sm,
                      "customer_minus_aspiration": cm - c.aspiration if c.aspiration is not None else None,
                      "driver_beta": BETA[c.id]}
    order = sorted(BETA, key=lambda c: -BETA[c])
    return {
        "description": "Population (true) values of the simulated demo study; see cxstats/demo/simulate.py.",
        "seed": seed, "n_customers": n_customers, "n_staff": n_staff,
        "latent_correlation": RHO,
        "measurement": {"loadings_std": list(LOADINGS), "invariant_between_customers_and_staff": True},
        "items": items,
        "constructs": cons,
        "drivers": {"outcome": "satisfaction (latent; csat is its indicator)", "beta": BETA,
                    "order": order, "r2_latent": explained},
        "structural": {"satisfaction_to_loyalty": GAMMA,
                       "indicators": {"csat": "3.6 + 0.85*S + N(0, 0.45)", "nps": "7.0 + 2.0*L + N(0, 1)",
                                      "recompra": "3.8 + 0.8*L + N(0, 0.5)",
                                      "ces": "5.0 + 0.7*mean(eta_web, eta_pago) + 0.3*S + N(0, 0.8)"}},
        "segments": {"region_probabilities": REGION_P, "region_shift": REGION_SHIFT},
        "finance": {"churn_logit": {"intercept": CHURN_A0, "loyalty": CHURN_A1},
                    "log_revenue": {"intercept": REVENUE_B0, "loyalty": REVENUE_B1, "residual_sd": REVENUE_SD},
                    "share_of_wallet_logit": {"intercept": SOW_C0, "loyalty": SOW_C1},
                    "active_customers": ACTIVE_CUSTOMERS},
        "roadmap": [{"id": r[0], "construct": r[2], "uplift": r[3]} for r in ROADMAP],
    }


def _csv_text(rows, columns) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


PLAN_TEMPLATE = """\
# Analysis plan for the demo study (cxstats run {plan_name}).
# Paths are relative to this file; outputs go to --out (default: reports/).
title: "ElectroHogar - compra online, ola 1"
spec: questionnaire.yaml
seed: {seed}
data:
  - file: customers.csv
    respondent_type: customer
  - file: staff.csv
    respondent_type: staff
finance:
  file: finance.csv
roadmap:
  file: roadmap.csv
crm:
  file: crm.csv                           # one row per customer: region, lifecycle stage, value (spec: crm:)
output:
  json: demo_results.json
  workbooks:
    gaps: demo_gap_workbook.xlsx          # for the client team
    measurement: demo_measurement.xlsx    # for the researcher and reviewers
    roi: demo_roi_workbook.xlsx           # for finance
    followup: demo_followup_workbook.xlsx # for the contact centre and account owners
    verbatims: demo_verbatims.xlsx        # open answers: themes, topics, blind spots
steps:
  - step: describe
    workbook: measurement
  - step: reliability
  - step: cfa
  - step: invariance
  - step: gaps
  - step: nps
  - step: drivers
    outcome: csat
    bootstrap: 200
    ipa_png: demo_ipa.png                 # the importance-performance chart for a deck (+ .svg)
  - step: sem
  - step: finance
  - step: roi
    draws: 5000
  - step: profiles                        # loyalists, mercenaries, hostages, defectors; by lifecycle stage
  - step: followup                        # close the loop: the cases for the CRM (CSV and XLSX)
    previous: seguimiento_anterior.csv    # customers contacted within followup.suppression_days are left out
    as_of: "2026-11-16 08:00"
    out: [demo_seguimiento.csv, demo_seguimiento.xlsx]
  - step: followup                        # promoters to thank, with what they praised
    id: promotores
    promoters: true
    out: demo_promotores.csv
  - step: verbatims
  - step: roadmap_check                   # the roadmap's owners (ROI workbook) and its governance checks
"""


def write_demo(folder, *, seed: int = 20261123, n_customers: int = 2000, n_staff: int = 200) -> dict:
    """Write the demo study into ``folder``; returns {name: path}."""
    import json

    from cxstats.report.atomic import write_text

    folder = Path(folder)
    customers, staff, finance, truth = simulate(n_customers, n_staff, seed)
    crm_cols, crm_files = crm_extension(customers, truth, seed,  # CRM side: separate generator (demo/crm.py)
                                        revenue={f["id_respuesta"]: f["ingresos_12m"] for f in finance})
    from cxstats.demo.verbatims import STAFF_COLUMNS, TEXT_COLUMN, add_verbatim_columns

    truth["verbatims"] = add_verbatim_columns(customers, staff, seed)  # open answers: own generator
    spec = load_demo_spec()
    from cxstats.demo.maturity import GOVERNANCE, GOVERNANCE_COLUMNS

    item_cols = spec.item_ids()
    outcome_cols = [o.id for o in spec.outcomes]
    files = {
        "questionnaire.yaml": spec_text(),
        "customers.csv": _csv_text(customers, ["id_respuesta", "tipo_encuestado", *item_cols, *outcome_cols,
                                               "region", "canal", "antiguedad", *crm_cols, TEXT_COLUMN]),
        "staff.csv": _csv_text(staff, ["id_respuesta", "tipo_encuestado", *item_cols, *outcome_cols, "region",
                                       *STAFF_COLUMNS]),
        "finance.csv": _csv_text(finance, ["id_respuesta", "ingresos_12m", "baja_12m", "cuota_gasto"]),
        "roadmap.csv": _csv_text(
            [{"initiative": r[0], "name": r[1], "construct": r[2], "uplift": r[3], "cost": r[4],
              "months_to_effect": r[5], "customers_reached": r[6], **GOVERNANCE[r[0]]} for r in ROADMAP],
            ["initiative", "name", "construct", "uplift", "cost", "months_to_effect", "customers_reached",
             *GOVERNANCE_COLUMNS]),  # owners and targets: cxstats roadmap check (io/governance.py)
        "truth.json": json.dumps(truth, indent=2, ensure_ascii=False) + "\n",
        "plan.yaml": PLAN_TEMPLATE.format(plan_name="plan.yaml", seed=seed),
    }
    files.update(crm_files)
    written = {}
    for name, text in files.items():
        write_text(folder / name, text)
        written[name] = folder / name
    return written


def crm_extension(customers, truth, seed, revenue=None):
    """Customer ids shared with a CRM extract, response times and comments appended to the customers'
    rows, from their own generator (cxstats.demo.crm); the truth gains 'followup' and 'profiles'.
    Returns (new customers.csv columns, {file name: text})."""
    from cxstats.demo.crm import add_crm_columns, profile_truth

    cols, crm, previous, fu = add_crm_columns(customers, seed, revenue)
    truth["followup"] = fu
    truth["profiles"] = profile_truth(GAMMA)
    return cols, {"crm.csv": _csv_text(crm, ["id_cliente", "region", "ejecutivo_cuenta", "etapa_ciclo",
                                             "valor_cliente"]),
                  "seguimiento_anterior.csv": _csv_text(previous, ["customer_id", "contacted_at"])}


def causal_roadmap_truth(n: int = 300_000, seed: int = 99, *, discount_rate: float = 0.08,
                         horizon_years: float = 3.0, margin: float = 1.0) -> dict:
    """The true (causal) effect of every demo roadmap initiative, by simulation of the generating model.

    The world of an initiative: its uplift ``u`` raises the construct's latent item response ``y*`` by
    ``u`` points (the latent construct by ``u / mean(loadings)``); answers are then rounded and clipped
    at the scale's bounds as always, and satisfaction, loyalty, churn and revenue follow the model.
    Simulated at population size ``n`` with and without the uplift (common random numbers). Returns
    {initiative: {d_churn, revenue_uplift, observed_score_change, annual_benefit, npv}} valued as the
    ROI does: customers_reached x margin x (-d_churn x mean revenue + mean revenue x revenue_uplift),
    monthly after months_to_effect, discounted, minus cost (revenue per customer = the population's
    mean revenue).
    """
    import numpy as np

    spec = load_demo_spec()
    cons = spec.constructs()
    names = [c.id for c in cons]
    k = len(names)
    rng = np.random.default_rng(seed)
    phi = _latent_cov(k)
    beta = np.array([BETA[c] for c in names])
    eta = correlated_normals(rng, phi, n)
    regions = rng.choice(list(REGION_P), size=n, p=list(REGION_P.values()))
    u_s = rng.normal(0, math.sqrt(1 - beta @ phi @ beta), n)
    u_l = rng.normal(0, math.sqrt(1 - GAMMA ** 2), n)
    e_rev = rng.normal(0, REVENUE_SD, n)
    e_items = rng.normal(size=(n, 3))

    def world(construct=None, uplift=0.0):
        e = eta.copy()
        score = None
        if construct is not None:
            ci = names.index(construct)
            e[:, ci] += uplift / np.mean(LOADINGS)
            c = cons[ci]
            seg = np.where(regions == "sur", REGION_SHIFT["sur"].get(c.id, 0.0), 0.0)
            score = np.mean([np.clip(np.floor(CUSTOMER_MEAN[c.id] + ITEM_OFFSET[ii] + seg + LOADINGS[ii] * e[:, ci]
                                              + math.sqrt(1 - LOADINGS[ii] ** 2) * e_items[:, ii] + 0.5),
                                     c.scale.min, c.scale.max) for ii in range(3)], axis=0)
        loyal = GAMMA * (e @ beta + u_s) + u_l
        p = 1 / (1 + np.exp(-(CHURN_A0 + CHURN_A1 * loyal)))
        revenue = np.exp(REVENUE_B0 + REVENUE_B1 * loyal + e_rev)
        return p, revenue, score

    p0, rev0, _ = world()
    R = float(rev0.mean())
    v = (1 + discount_rate) ** (-1 / 12)
    out = {}
    for ident, _name, construct, uplift, cost, months, reach in ROADMAP:
        p1, rev1, score1 = world(construct, uplift)
        _, _, score0 = world(construct, 0.0)
        dp = float(p1.mean() - p0.mean())
        drev = float(rev1.mean() / R - 1)
        annual = reach * margin * (-dp * R + R * drev)
        af = sum(v ** m for m in range(int(months) + 1, int(12 * horizon_years) + 1)) / 12
        out[ident] = {"construct": construct, "uplift": uplift, "d_churn": dp, "revenue_uplift": drev,
                      "observed_score_change": float(score1.mean() - score0.mean()),
                      "annual_benefit": annual, "npv": annual * af - cost, "revenue_per_customer": R}
    return out
