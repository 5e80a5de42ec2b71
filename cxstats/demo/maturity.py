"""The demo maturity self-assessment: staff of six areas and three levels answer the built-in
instrument (``cxstats maturity template``), simulated from planted values.

Model (answers on 1-5): latent = mu[dimension] + area[area, dimension] + level[level]
+ respondent effect (sd ``RESPONDENT_SD``) + item noise (sd ``NOISE_SD[area]``: some areas agree
closely, others do not); the answer is the latent value rounded and clipped to 1-5, with 2% "No
lo sé" (code 9) at random. The truth (``truth_maturity.json``) gives the planted values and what
the analysis should recover for this design (the areas' and levels' head counts as simulated):
each dimension's expected mean, every area's rwg(j), and ICC(1)/ICC(2) - computed from the same
model with 400 times the respondents (simulation error far below the sampling error).
"""

from __future__ import annotations

import json

DIM_MEANS = {"customer": 3.1, "strategy": 2.6, "brand": 3.4, "product": 3.0, "interactions": 2.8,
             "people": 2.5, "systems": 2.2, "measurement": 2.9, "financial": 1.9, "governance": 2.4}
AREAS = {  # area: (head count, item-noise sd: low = raters agree)
    "direccion": (18, 0.45), "marketing": (30, 0.6), "ventas": (36, 0.7), "operaciones": (40, 0.8),
    "atencion": (44, 0.35), "tecnologia": (32, 1.3),
}
AREA_SHIFT = {"direccion": 0.35, "marketing": 0.15, "ventas": 0.0, "operaciones": -0.1, "atencion": 0.25,
              "tecnologia": -0.45}
LEVELS = {"executive": (0.12, 0.5), "manager": (0.33, 0.1), "frontline": (0.55, -0.2)}  # share, shift
RESPONDENT_SD = 0.35
MISSING_SHARE = 0.02
MISSING_CODE = 9
BIG = 400


def design(seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    areas, levels = [], []
    names, shares = list(LEVELS), [LEVELS[k][0] for k in LEVELS]
    for a, (n, _) in AREAS.items():
        counts = np.round(np.array(shares) * n).astype(int)
        counts[-1] = n - counts[:-1].sum()
        lv = [lvl for lvl, c in zip(names, counts) for _ in range(c)]
        rng.shuffle(lv)
        areas += [a] * n
        levels += lv
    return areas, levels


def simulate_answers(spec, areas, levels, rng, repeat: int = 1):
    """Item answers (float, NaN = not drawn as missing here) for each respondent of the design."""
    import numpy as np

    areas = np.repeat(np.array(areas, dtype=object), repeat)
    levels = np.repeat(np.array(levels, dtype=object), repeat)
    n = areas.size
    shift = np.array([AREA_SHIFT[a] + LEVELS[lv][1] for a, lv in zip(areas, levels)])
    noise = np.array([AREAS[a][1] for a in areas])
    person = rng.normal(0.0, RESPONDENT_SD, size=n)
    out = {}
    for c in spec.constructs():
        base = DIM_MEANS[c.id] + shift + person
        for item in c.items:
            latent = base + rng.normal(0.0, 1.0, size=n) * noise
            out[item.id] = np.clip(np.rint(latent), 1, 5)
    return areas, levels, out


def simulate_maturity(seed: int = 20261123):
    """(rows as dicts, truth dict) of the demo assessment."""
    import numpy as np

    import yaml

    from cxstats.spec.load import parse_spec
    from cxstats.spec.maturity import template_text

    spec = parse_spec(yaml.safe_load(template_text("es")), "maturity.yaml")
    area_list, level_list = design(seed)
    rng = np.random.default_rng(seed + 16)
    areas, levels, answers = simulate_answers(spec, area_list, level_list, rng)
    rows = []
    for i in range(areas.size):
        row = {"respondent_id": f"M{i + 1:04d}", "area": areas[i], "level": levels[i]}
        for item, values in answers.items():
            v = values[i]
            row[item] = MISSING_CODE if rng.random() < MISSING_SHARE else int(v)
        rows.append(row)
    truth = maturity_truth(spec, area_list, level_list, seed)
    return spec, rows, truth


def maturity_truth(spec, area_list, level_list, seed: int) -> dict:
    """The values the analysis should recover for this design (see the module docstring)."""
    import numpy as np

    from cxstats.stats.maturity import icc_oneway, rwg_j

    rng = np.random.default_rng(seed + 1016)
    areas, levels, answers = simulate_answers(spec, area_list, level_list, rng, repeat=BIG)
    dims = {}
    for c in spec.constructs():
        block = np.column_stack([answers[i] for i in c.item_ids])
        score = block.mean(axis=1)
        icc = icc_oneway(score, areas)
        # ICC with the demo's unit size: E[MSB] = MSW + k (MSB_big - MSW_big) / k_big, k = N / units
        k_big, k = icc["k"], len(area_list) / len(AREAS)
        sb2 = (icc["msb"] - icc["msw"]) / k_big
        dims[c.id] = {
            "planted_mean": DIM_MEANS[c.id],
            "mean": float(score.mean()),
            "icc1": float(sb2 / (sb2 + icc["msw"])),
            "icc2": float(k * sb2 / (k * sb2 + icc["msw"])),
            "rwg": {a: rwg_j(block[areas == a], 5)["rwg"] for a in AREAS},
            "level_means": {lv: float(score[levels == lv].mean()) for lv in LEVELS},
        }
    return {"model": {"dimension_means": DIM_MEANS, "area_shift": AREA_SHIFT,
                      "area_noise_sd": {a: v[1] for a, v in AREAS.items()},
                      "level_shift": {k: v[1] for k, v in LEVELS.items()}, "respondent_sd": RESPONDENT_SD,
                      "missing_share": MISSING_SHARE, "answers": "round(latent) clipped to 1-5"},
            "n": len(area_list), "areas": {a: v[0] for a, v in AREAS.items()},
            "how": f"expected values for this design from the same model with {BIG}x the respondents",
            "dimensions": dims}


def write_maturity_demo(folder, *, seed: int = 20261123) -> dict:
    """maturity.yaml (the template, Spanish first), maturity.csv, truth_maturity.json,
    plan_maturity.yaml."""
    from pathlib import Path

    from cxstats.report.atomic import write_text
    from cxstats.spec.maturity import template_text

    folder = Path(folder)
    spec, rows, truth = simulate_maturity(seed)
    columns = ["respondent_id", "area", "level", *spec.item_ids()]
    lines = [",".join(columns)] + [",".join(str(r[c]) for c in columns) for r in rows]
    files = {
        "maturity.yaml": template_text("es"),
        "maturity.csv": "\n".join(lines) + "\n",
        "truth_maturity.json": json.dumps(truth, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        "plan_maturity.yaml": PLAN,
    }
    for name, text in files.items():
        write_text(folder / name, text)
    return {name: folder / name for name in files}


PLAN = """\
# The demo CX maturity self-assessment (cxstats run plan_maturity.yaml).
title: "ElectroHogar - autodiagnóstico de madurez CX"
spec: maturity.yaml
seed: 20261123
data:
  - maturity.csv
output:
  json: demo_maturity.json
  workbooks:
    maturity: demo_maturity.xlsx
  dashboard: demo_maturity_dashboard.html   # the radar and the ranked dimensions
steps:
  - step: maturity
"""


# the demo roadmap's governance columns (cxstats/io/governance.py), written into roadmap.csv
GOVERNANCE = {
    "franja_2h": {"co_leads": "Directora de operaciones; Director de experiencia de cliente",
                  "accountable": "Directora de operaciones (executive)",
                  "responsible": "Jefe de logística (manager); Repartidores (frontline)",
                  "consulted": "Jefa de atención al cliente (manager)", "informed": "Comité de dirección (executive)",
                  "touchpoints": "entrega", "targets": ""},
    "primer_contacto": {"co_leads": "Director de atención al cliente; Director de experiencia de cliente",
                        "accountable": "Director de atención al cliente (executive)",
                        "responsible": "Jefa de atención al cliente (manager); Agentes de posventa (frontline)",
                        "consulted": "Directora digital (executive)", "informed": "Comité de dirección (executive)",
                        "touchpoints": "posventa", "targets": ""},
    "rediseno_web": {"co_leads": "Directora digital; Directora de marketing",
                     "accountable": "Directora digital (executive)",
                     "responsible": "Responsable de producto web (manager)",
                     "consulted": "Jefa de atención al cliente (manager)", "informed": "Comité de dirección (executive)",
                     "touchpoints": "web", "targets": "info_producto"},
    "embalaje": {"co_leads": "Directora de operaciones; Director de compras",
                 "accountable": "Directora de operaciones (executive)",
                 "responsible": "Jefe de almacén (manager); Operarios de almacén (frontline)",
                 "consulted": "Director de compras (executive)", "informed": "Comité de dirección (executive)",
                 "touchpoints": "entrega", "targets": ""},
}
GOVERNANCE_COLUMNS = ["co_leads", "accountable", "responsible", "consulted", "informed", "touchpoints", "targets"]
