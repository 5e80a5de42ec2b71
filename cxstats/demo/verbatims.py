"""The demo's open answers with known truth: customers' "why that score?" comments
(``comentario``) and what frontline staff hear (``queja_clientes``: "¿De qué se quejan más los
clientes en esta etapa?", ``impide_resolver``: "¿Qué le impide resolverlo?").

Planted themes, drawn with probabilities that depend on the simulated NPS group (late delivery
mostly among detractors, a friendly courier among promoters) from sentence templates; one
theme, ``instalacion`` (the installer did not come or left the appliance unconnected), has no
entry in the spec's codebook and no closed question: the topics must find it. Some answers
carry an e-mail address, a phone number or a DNI, to be scrubbed. Staff mention the themes
with other shares (late delivery rarely: the staff blind spot the closed questions show too,
STAFF_SHIFT of punctuality).

Drawn from its own generator (``default_rng(seed + VERBATIM_SEED_OFFSET)``) after everything
else, as new columns: every other number of the demo is unchanged.
"""

from __future__ import annotations

VERBATIM_SEED_OFFSET = 15_015
TEXT_COLUMN = "comentario"
STAFF_COLUMNS = ("queja_clientes", "impide_resolver")
NEW_THEME = "instalacion"
P_ANSWER = 0.8          # customers who write something (the rest: blank, "nada", "-", "no")
P_SECOND = 0.12         # an answer with a second theme
P_PII = 0.03            # answers carrying personal data
# P(theme | NPS group): detractor, passive, promoter (one theme drawn per answer, these weights)
THEME_WEIGHTS = {
    "entrega": (0.34, 0.14, 0.03),
    "danos": (0.12, 0.06, 0.02),
    "posventa": (0.16, 0.08, 0.02),
    "precio": (0.10, 0.22, 0.10),
    "repartidor": (0.03, 0.20, 0.40),
    "web": (0.03, 0.22, 0.40),
    "instalacion": (0.22, 0.08, 0.03),
}
SENTENCES = {  # detail sentences: no content word shared between themes
    "entrega": ["El pedido se retrasó tres días.", "Tres días tarde sobre lo prometido.",
                "Tuve que esperar una semana más del plazo.", "El paquete no llegó el día prometido.",
                "Mucho retraso, entrega tardía."],
    "danos": ["La caja traía un golpe.", "El artículo estaba roto.", "La puerta del frigorífico venía abollada.",
              "La pantalla estaba rayada.", "El microondas venía dañado por dentro."],
    "posventa": ["Nadie respondió en el chat.", "La atención al cliente no resolvió nada.",
                 "Pedí una devolución y sigo sin noticias.", "Puse una reclamación y nadie contestó.",
                 "El servicio posventa es lamentable."],
    "precio": ["Caro para lo que es.", "Algo caro comparado con otras tiendas.",
               "Buen precio con la oferta.", "Los precios podrían ser mejores.", "Muy caro el envío."],
    "repartidor": ["El repartidor fue muy amable.", "El repartidor, un mensajero simpático y educado.",
                   "Repartidor muy atento, lo subió a casa.", "Trato excelente del repartidor."],
    "web": ["La web es fácil de usar.", "Compré en la app en dos minutos.", "Página clara y sencilla.",
            "La web funciona muy bien."],
    "instalacion": ["El técnico no apareció para instalar la lavadora.", "La instalación quedó a medias.",
                    "No conectaron el lavavajillas, llamé a un fontanero.",
                    "El instalador dejó la cocina sin conectar.", "Ningún técnico montó el horno."],
}
# every answer opens with a core phrase naming its theme, then a detail sentence
CORE = {
    "entrega": ["Entrega con retraso.", "La entrega llegó tarde."],
    "danos": ["Producto dañado.", "Artículo dañado."],
    "posventa": ["Mala atención posventa.", "El servicio posventa falla."],
    "precio": ["Precio mejorable.", "El precio pesa mucho."],
    "repartidor": ["Gran repartidor.", "Repartidor de diez."],
    "web": ["Buena web.", "La web genial."],
    "instalacion": ["Problema con la instalación.", "Instalación pendiente."],
}
EMPTY = ["", "", "nada", "-", "No", "Nada."]
# staff: what customers complain about (P(theme) per staff answer; customers' detractors differ)
STAFF_WEIGHTS = {"entrega": 0.06, "danos": 0.10, "posventa": 0.30, "precio": 0.34, "repartidor": 0.0,
                 "web": 0.10, "instalacion": 0.10}
STAFF_SENTENCES = {
    "entrega": ["Algunos se quejan de retrasos.", "A veces el pedido llega tarde."],
    "danos": ["Productos que llegan con golpes.", "Cajas dañadas en el transporte."],
    "posventa": ["Que la atención al cliente tarda en responder el chat.", "Las devoluciones son lentas.",
                 "Reclamaciones sin respuesta."],
    "precio": ["El precio, dicen que somos caros.", "Los precios frente a la competencia.",
               "Piden más ofertas."],
    "web": ["Que la web se cuelga al pagar.", "Problemas con la app."],
    "instalacion": ["La instalación de los electrodomésticos.", "El técnico de montaje no aparece."],
}
CAUSES = ["Falta de personal en el almacén.", "No tenemos acceso al sistema de la transportista.",
          "Los procesos internos son lentos.", "No podemos aprobar compensaciones.", "Nada en particular."]
NAMES = ["lucia.garcia", "pedro.sanz", "marta.lopez", "jorge.diaz", "ana.ruiz", "carlos.moreno"]
DOMAINS = ["gmail.com", "hotmail.es", "correo.es"]
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _group(nps: int) -> int:
    return 0 if nps <= 6 else 1 if nps <= 8 else 2


def add_verbatim_columns(customers: list[dict], staff: list[dict], seed: int) -> dict:
    """Append ``comentario`` to every customer row and the staff open answers to every staff row
    (in place); returns the truth: planted themes per answer and the personal data planted."""
    import numpy as np

    rng = np.random.default_rng(seed + VERBATIM_SEED_OFFSET)
    themes = list(THEME_WEIGHTS)
    truth_c, planted = {}, {"emails": [], "phones": [], "dnis": []}
    for row in customers:
        g = _group(int(row["nps"]))
        if rng.random() >= P_ANSWER:
            row[TEXT_COLUMN] = EMPTY[int(rng.integers(len(EMPTY)))]
            truth_c[row["id_respuesta"]] = None
            continue
        w = np.array([THEME_WEIGHTS[t][g] for t in themes])
        first = themes[int(rng.choice(len(themes), p=w / w.sum()))]
        picked = [first]
        if rng.random() < P_SECOND:
            w2 = np.array([0.0 if t in (first, NEW_THEME) else THEME_WEIGHTS[t][g] for t in themes])
            picked.append(themes[int(rng.choice(len(themes), p=w2 / w2.sum()))])
        # a core phrase and two details of the first theme (the words of a theme occur together)
        details = rng.choice(len(SENTENCES[first]), size=2, replace=False)
        parts = [CORE[first][int(rng.integers(2))], *(SENTENCES[first][int(j)] for j in details)]
        parts += [SENTENCES[t][int(rng.integers(len(SENTENCES[t])))] for t in picked[1:]]
        if rng.random() < P_PII:
            kind = int(rng.integers(3))
            if kind == 0:
                email = f"{NAMES[int(rng.integers(len(NAMES)))]}{int(rng.integers(10, 99))}@" \
                        f"{DOMAINS[int(rng.integers(len(DOMAINS)))]}"
                planted["emails"].append(email)
                parts.append(f"Escríbanme a {email}")
            elif kind == 1:
                digits = f"6{int(rng.integers(10_000_000, 99_999_999)):08d}"
                phone = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
                planted["phones"].append(phone)
                parts.append(f"Llámenme al {phone}")
            else:
                number = int(rng.integers(10_000_000, 99_999_999))
                dni = f"{number:08d}{DNI_LETTERS[number % 23]}"
                planted["dnis"].append(dni)
                parts.append(f"Mi DNI es {dni}")
        row[TEXT_COLUMN] = " ".join(parts)
        truth_c[row["id_respuesta"]] = sorted(picked)
    staff_truth = {}
    sthemes = [t for t in STAFF_WEIGHTS if STAFF_WEIGHTS[t] > 0]
    sw = np.array([STAFF_WEIGHTS[t] for t in sthemes])
    for row in staff:
        t = sthemes[int(rng.choice(len(sthemes), p=sw / sw.sum()))]
        row[STAFF_COLUMNS[0]] = STAFF_SENTENCES[t][int(rng.integers(len(STAFF_SENTENCES[t])))]
        row[STAFF_COLUMNS[1]] = CAUSES[int(rng.integers(len(CAUSES)))]
        staff_truth[row["id_respuesta"]] = [t]
    return {"text_column": TEXT_COLUMN, "staff_columns": list(STAFF_COLUMNS), "new_theme": NEW_THEME,
            "codebook_themes": [t for t in themes if t != NEW_THEME], "theme_weights": THEME_WEIGHTS,
            "staff_weights": STAFF_WEIGHTS, "customers": truth_c, "staff": staff_truth, "planted_pii": planted}
