"""The demo's continuous measurement: three waves of the online-purchase journey with contact
and response times, survey channels and a known truth.

Written beside the one-wave demo (whose files and numbers do not change: this module draws
from its own random stream):

* ``waves.csv``: customers of waves ``ola1``, ``ola2``, ``ola3`` (``WAVE_N`` each), the same
  answer model as ``customers.csv`` (cxstats/demo/simulate.py), plus ``fecha_contacto`` (the
  delivery or contact event), ``fecha_respuesta`` (both ``dd/mm/yyyy hh:mm``, Madrid local
  time, as a Spanish CRM exports them), ``modo_encuesta`` (web / app / ivr / telefono), ``ola``
  and ``punto_contacto`` (the touchpoint the invitation followed: ``Pedido confirmado``,
  ``Entrega``, ``Atención posventa``, mapped to the journey's ``compra``, ``entrega``,
  ``posventa`` by ``fielding.touchpoints``);
* ``questionnaire_tracking.yaml``: the demo spec with a ``fielding`` block;
* ``plan_tracking.yaml``: immediacy and track on the three waves, with the journey dashboard.

The truth (``truth_tracking.json``):

* latent construct shifts per wave (``WAVE_SHIFT``, in latent SD units = answer-scale units
  before rounding): after-sales resolution drops from wave 2 (``resolucion_posventa`` -0.35),
  the 2-hour delivery slot lifts punctuality from wave 3 (``puntualidad_entrega`` +0.40); every
  other construct is unchanged. The shift moves satisfaction by beta * shift and so loyalty and
  NPS. True construct means (mean of the items' rounded answers), NPS and CSAT top-2-box per wave
  are exact closed forms (rounded, clipped normals mixed over regions and channels);
* lag from contact to response: log-normal per channel (``LAG``: median hours, sigma of the log);
  the true share within 48 h is ``Phi((ln 48 - ln median) / sigma)``;
* mode effect: IVR and phone (CATI) answers to the recommend question run higher
  (``MODE_NPS_SHIFT`` on the latent 0-10 answer), as known for aural modes;
* the lag itself does not move any answer (given the channel): the lag-band regression's true
  coefficients are 0;
* the touchpoint of each answer is drawn independently of channel and lag (``TOUCHPOINT_P``,
  its own random stream, so the other columns are those of the demo without it): the true
  share within 48 h at every touchpoint is the overall one.
"""

from __future__ import annotations

import math

WAVES = ("ola1", "ola2", "ola3")
WAVE_N = 700
WAVE_START = {"ola1": "2025-02-03", "ola2": "2025-05-05", "ola3": "2025-09-08"}  # fieldwork: 4 weeks,
WAVE_DAYS = 28                                                                     # clear of DST changes
WAVE_SHIFT = {"ola1": {}, "ola2": {"resolucion_posventa": -0.35},
              "ola3": {"resolucion_posventa": -0.35, "puntualidad_entrega": 0.40}}
MODE_P = {"web": 0.45, "app": 0.25, "ivr": 0.18, "telefono": 0.12}
MODE_OF = {"web": "CAWI", "app": "APP", "ivr": "IVR", "telefono": "CATI"}
LAG = {"CAWI": (8.0, 1.0), "APP": (2.0, 1.1), "IVR": (40.0, 0.6), "CATI": (20.0, 0.5)}  # median h, sigma
MODE_NPS_SHIFT = {"CAWI": 0.0, "APP": 0.0, "IVR": 0.8, "CATI": 0.5}
MAX_LAG = 48.0
SEED_OFFSET = 7_919  # the tracking waves' random stream: seed + this
TOUCHPOINT_P = {"Pedido confirmado": 0.30, "Entrega": 0.50, "Atención posventa": 0.20}
TOUCHPOINT_OF = {"Pedido confirmado": "compra", "Entrega": "entrega", "Atención posventa": "posventa"}
TOUCHPOINT_SEED_OFFSET = 7_933  # the touchpoint column's own stream: seed + this

FIELDING_BLOCK = """
# Continuous measurement (added for the tracking demo): when and how each answer was collected.
fielding:
  contact_time: fecha_contacto     # the delivery or contact event (from the CRM invitation)
  response_time: fecha_respuesta
  date_order: dmy                  # 05/03/2025 is 5 March
  timezone: Europe/Madrid
  channel: modo_encuesta
  channels: {web: CAWI, app: APP, ivr: IVR, telefono: CATI}
  touchpoint: punto_contacto       # the touchpoint each invitation followed
  touchpoints: {"Pedido confirmado": compra, "Entrega": entrega, "Atención posventa": posventa}
  wave: ola
  waves: [ola1, ola2, ola3]
  max_lag_hours: 48
"""

PLAN = """\
# Tracking plan for the demo's three waves (cxstats run plan_tracking.yaml).
title: "ElectroHogar - compra online, seguimiento por olas"
spec: questionnaire_tracking.yaml
seed: {seed}
data:
  - file: waves.csv
    respondent_type: customer
output:
  json: tracking_results.json
  workbooks:
    tracking: demo_tracking_workbook.xlsx
  dashboard: demo_journey_dashboard.html
steps:
  - step: immediacy
  - step: invariance      # longitudinal: is each construct measured alike in every wave?
    group: wave
    workbook: tracking
  - step: track           # every KPI and gap by wave, also per region (the dashboard's segment filter)
    by: region
  - step: drivers         # the dashboard's top drivers (share of R² with bootstrap intervals)
    workbook: tracking
"""


def tracking_spec_text() -> str:
    from cxstats.demo.simulate import spec_text

    return spec_text() + FIELDING_BLOCK


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def simulate_waves(n_per_wave: int = WAVE_N, seed: int = 20261123, shifts=None):
    """Rows of ``waves.csv`` (dicts) for the three waves. ``shifts`` overrides ``WAVE_SHIFT``
    (tests draw worlds without change)."""
    import numpy as np
    import pandas as pd

    from cxstats.demo.simulate import (BETA, CHANNEL_P, CUSTOMER_MEAN, GAMMA, ITEM_OFFSET, LOADINGS,
                                       P_DONT_KNOW, REGION_P, REGION_SHIFT, TENURE_P, _discretise,
                                       _latent_cov, correlated_normals, load_demo_spec)

    shifts = WAVE_SHIFT if shifts is None else shifts
    spec = load_demo_spec()
    rng = np.random.default_rng(seed + SEED_OFFSET)
    rng_tp = np.random.default_rng(seed + TOUCHPOINT_SEED_OFFSET)
    constructs = spec.constructs()
    names = [c.id for c in constructs]
    k = len(names)
    phi = _latent_cov(k)
    beta = np.array([BETA[c] for c in names])
    explained = float(beta @ phi @ beta)

    def pick(n, probs):
        keys = list(probs)
        return [keys[i] for i in rng.choice(len(keys), size=n, p=list(probs.values()))]

    rows = []
    for w, wave in enumerate(shifts):
        n = n_per_wave
        shift = np.array([shifts[wave].get(c, 0.0) for c in names])
        regions = pick(n, REGION_P)
        eta = correlated_normals(rng, phi, n) + shift  # machine-independent (simulate.py)
        items = {}
        for ci, c in enumerate(constructs):
            seg = np.array([REGION_SHIFT.get(r, {}).get(c.id, 0.0) for r in regions])
            for ii, item in enumerate(c.items):
                lam = LOADINGS[ii]
                # a shift of s moves every item's y* by s (answer-scale units): lam * (eta0 + s) +
                # (1 - lam) * s; var(y*) stays 1, so the true means are rounded normals at base + s
                ystar = (CUSTOMER_MEAN[c.id] + ITEM_OFFSET[ii] + seg + lam * eta[:, ci]
                         + (1 - lam) * shift[ci] + rng.normal(0, math.sqrt(1 - lam ** 2), n))
                y = _discretise(ystar, c.scale.min, c.scale.max)
                if item.reverse:
                    y = c.scale.min + c.scale.max - y
                items[item.id] = np.where(rng.random(n) < P_DONT_KNOW, 99, y).astype(int)
        sat = eta @ beta + rng.normal(0, math.sqrt(1 - explained), n)
        loyal = GAMMA * sat + rng.normal(0, math.sqrt(1 - GAMMA ** 2), n)
        modes = pick(n, MODE_P)
        mode_shift = np.array([MODE_NPS_SHIFT[MODE_OF[m]] for m in modes])
        csat = _discretise(3.6 + 0.85 * sat + rng.normal(0, 0.45, n), 1, 5).astype(int)
        nps = _discretise(7.0 + 2.0 * loyal + mode_shift + rng.normal(0, 1.0, n), 0, 10).astype(int)
        recompra = _discretise(3.8 + 0.8 * loyal + rng.normal(0, 0.5, n), 1, 5).astype(int)
        ease = eta[:, [names.index("facilidad_web"), names.index("proceso_pago")]].mean(axis=1)
        ces = _discretise(5.0 + 0.7 * ease + 0.3 * sat + rng.normal(0, 0.8, n), 1, 7).astype(int)
        channels, tenure = pick(n, CHANNEL_P), pick(n, TENURE_P)
        start = pd.Timestamp(WAVE_START.get(wave, "2025-02-03"), tz="Europe/Madrid").tz_convert("UTC")
        contact = start + pd.to_timedelta(rng.uniform(0, WAVE_DAYS * 24, n) * 3600, unit="s")
        medians = np.array([LAG[MODE_OF[m]][0] for m in modes])
        sigmas = np.array([LAG[MODE_OF[m]][1] for m in modes])
        lag = np.exp(np.log(medians) + sigmas * rng.standard_normal(n))
        response = contact + pd.to_timedelta(lag * 3600, unit="s")
        local_c = contact.tz_convert("Europe/Madrid").strftime("%d/%m/%Y %H:%M")
        local_r = response.tz_convert("Europe/Madrid").strftime("%d/%m/%Y %H:%M")
        tp_names = list(TOUCHPOINT_P)
        tps = [tp_names[i] for i in rng_tp.choice(len(tp_names), size=n, p=list(TOUCHPOINT_P.values()))]
        for r in range(n):
            row = {"id_respuesta": f"W{w + 1}-{r + 1:05d}", "tipo_encuestado": "cliente"}
            row.update({iid: int(v[r]) for iid, v in items.items()})
            row.update({"nps": int(nps[r]), "csat": int(csat[r]), "ces": int(ces[r]),
                        "recompra": int(recompra[r]), "region": regions[r], "canal": channels[r],
                        "antiguedad": tenure[r], "fecha_contacto": local_c[r], "fecha_respuesta": local_r[r],
                        "modo_encuesta": modes[r], "ola": wave, "punto_contacto": tps[r]})
            rows.append(row)
    return rows


def _rounded_mix(m: float, sd: float, lo: int, hi: int, probs: dict) -> dict:
    """Shares of each code of clip(floor(Y + 0.5)) for Y ~ sum_k p_k N(m + shift_k, sd^2)."""
    out = {}
    for code in range(lo, hi + 1):
        total = 0.0
        for shift, p in probs.items():
            up = 1.0 if code == hi else _norm_cdf((code + 0.5 - m - shift) / sd)
            dn = 0.0 if code == lo else _norm_cdf((code - 0.5 - m - shift) / sd)
            total += p * (up - dn)
        out[code] = total
    return out


def tracking_truth(shifts=None) -> dict:
    """Population values per wave (closed forms; see the module docstring)."""
    from cxstats.demo.simulate import (BETA, CUSTOMER_MEAN, GAMMA, ITEM_OFFSET, LOADINGS, REGION_P,
                                       REGION_SHIFT, load_demo_spec, rounded_normal_mean)

    shifts = WAVE_SHIFT if shifts is None else shifts
    spec = load_demo_spec()
    waves = {}
    for wave, shift in shifts.items():
        cons = {}
        for c in spec.constructs():
            s = shift.get(c.id, 0.0)
            means = [sum(p * rounded_normal_mean(CUSTOMER_MEAN[c.id] + ITEM_OFFSET[ii] + s
                                                 + REGION_SHIFT.get(reg, {}).get(c.id, 0.0), 1.0,
                                                 c.scale.min, c.scale.max) for reg, p in REGION_P.items())
                     for ii in range(len(c.items))]
            cons[c.id] = sum(means) / len(means)
        sat_mean = sum(BETA[c] * v for c, v in shift.items())
        # nps* = 7 + 2 L + mode + N(0, 1), L ~ N(GAMMA * sat_mean, 1): sd sqrt(5)
        mode_mix = {}
        for m, p in MODE_P.items():
            key = MODE_NPS_SHIFT[MODE_OF[m]]
            mode_mix[key] = mode_mix.get(key, 0.0) + p
        nps_codes = _rounded_mix(7.0 + 2.0 * GAMMA * sat_mean, math.sqrt(5.0), 0, 10, mode_mix)
        nps = 100 * (sum(nps_codes[c] for c in (9, 10)) - sum(nps_codes[c] for c in range(7)))
        # csat* = 3.6 + 0.85 S + N(0, 0.45): sd sqrt(0.85^2 + 0.45^2)
        csat_codes = _rounded_mix(3.6 + 0.85 * sat_mean, math.sqrt(0.85 ** 2 + 0.45 ** 2), 1, 5, {0.0: 1.0})
        waves[wave] = {"construct_means": cons, "nps": nps, "csat_top2_share": csat_codes[4] + csat_codes[5],
                       "latent_shift": dict(shift)}
    names = list(shifts)
    changes = []
    for a, b in zip(names, names[1:]):
        for c in spec.constructs():
            changes.append({"kpi": c.id, "from_wave": a, "to_wave": b,
                            "diff": waves[b]["construct_means"][c.id] - waves[a]["construct_means"][c.id],
                            "changed": shifts[b].get(c.id, 0.0) != shifts[a].get(c.id, 0.0)})
        changes.append({"kpi": "nps", "from_wave": a, "to_wave": b, "diff": waves[b]["nps"] - waves[a]["nps"],
                        "changed": waves[b]["nps"] != waves[a]["nps"]})
    share = {mode: _norm_cdf((math.log(MAX_LAG) - math.log(med)) / sd) for mode, (med, sd) in LAG.items()}
    overall = sum(p * share[MODE_OF[m]] for m, p in MODE_P.items())
    return {
        "description": "Three waves with timestamps (cxstats/demo/waves.py): true values per wave, "
                       "true wave-on-wave changes, true immediacy per survey channel.",
        "waves": waves, "changes": changes,
        "immediacy": {"max_lag_hours": MAX_LAG, "lag_lognormal": {m: {"median_hours": med, "sigma_log": sd}
                                                                  for m, (med, sd) in LAG.items()},
                      "share_within": share,
                      "share_within_overall": overall,
                      "share_within_by_touchpoint": {TOUCHPOINT_OF[t]: overall for t in TOUCHPOINT_P},
                      "touchpoint_probabilities": {TOUCHPOINT_OF[t]: p for t, p in TOUCHPOINT_P.items()},
                      "channel_probabilities": {MODE_OF[m]: p for m, p in MODE_P.items()},
                      "lag_band_effects": "none: given the channel, the lag moves no answer (true "
                                          "lag-band coefficients 0)"},
        "mode_effect_nps_latent": MODE_NPS_SHIFT,
        "loadings_std": list(LOADINGS),
    }


def write_tracking_demo(folder, *, seed: int = 20261123, n_per_wave: int = WAVE_N) -> dict:
    """Write the tracking files beside the demo study (``cxstats demo`` calls it after
    :func:`cxstats.demo.simulate.write_demo`); returns {name: path}."""
    import json
    from pathlib import Path

    from cxstats.report.atomic import write_text

    files, truth = tracking_files(seed, n_per_wave)
    files["truth_tracking.json"] = json.dumps(truth, indent=2, ensure_ascii=False) + "\n"
    written = {}
    for name, text in files.items():
        write_text(Path(folder) / name, text)
        written[name] = Path(folder) / name
    return written


def tracking_files(seed: int, n_per_wave: int = WAVE_N) -> tuple[dict, dict]:
    """({file name: text}, truth) for the tracking part of the demo."""
    from cxstats.demo.simulate import _csv_text, load_demo_spec

    spec = load_demo_spec()
    rows = simulate_waves(n_per_wave, seed)
    cols = ["id_respuesta", "tipo_encuestado", *spec.item_ids(), *[o.id for o in spec.outcomes],
            "region", "canal", "antiguedad", "fecha_contacto", "fecha_respuesta", "modo_encuesta", "ola", "punto_contacto"]
    truth = tracking_truth()
    truth.update(seed=seed, seed_stream=seed + SEED_OFFSET, n_per_wave=n_per_wave)
    return {"waves.csv": _csv_text(rows, cols),
            "questionnaire_tracking.yaml": tracking_spec_text(),
            "plan_tracking.yaml": PLAN.format(seed=seed)}, truth
