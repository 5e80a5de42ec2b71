"""verbatims: each statistic against an independent reference (scipy, statsmodels, hand
computation) and the demo's planted truth (themes, new theme, personal data)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cxstats.stats import verbatims as vb
from cxstats.stats.textprep import Preparer, cpf_ok, is_empty, luhn_ok, rut_ok, scrub_pii


# -- personal data ----------------------------------------------------------------------------------

def _dni(n: int) -> str:
    return f"{n:08d}" + "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]


def _cpf(nine: str) -> str:
    d = [int(c) for c in nine]
    for k in (9, 10):
        s = sum(d[i] * (k + 1 - i) for i in range(k))
        d.append(s * 10 % 11 % 10)
    return "".join(map(str, d))


def test_check_digit_helpers_against_published_examples():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert luhn_ok("79927398713")                       # the textbook Luhn example
    assert rut_ok("12.345.678", "5") and not rut_ok("12.345.678", "4")
    assert cpf_ok("529.982.247-25") and not cpf_ok("529.982.247-26") and not cpf_ok("111.111.111-11")
    assert _dni(12345678) == "12345678Z"                # the well-known DNI example


def test_scrubber_counts_each_kind_exactly():
    cpf = _cpf("123456789")
    text = (f"Soy ana.perez+cx@correo.es y b_2@mail.co.uk. DNI {_dni(12345678)}, NIE X1234567L, "
            f"RUT 12.345.678-5, CPF {cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}, tarjeta 4111 1111 1111 1111, "
            "otra 5500-0000-0000-0004. Llamen al 612 345 678 o +34 (91) 123 45 67.")
    clean, counts = scrub_pii(text)
    assert dict(counts) == {"email": 2, "id": 4, "card": 2, "phone": 2}
    for leaked in ("ana.perez", "12345678Z", "X1234567L", "12.345.678-5", "4111", "5500", "612 345", "123 45 67"):
        assert leaked not in clean
    assert clean.count("[EMAIL]") == 2 and clean.count("[ID]") == 4 and clean.count("[CARD]") == 2


def test_scrubber_leaves_invalid_ids_dates_and_amounts():
    text = "DNI 12345678A (letra mal), tarjeta 4111111111111112, el 2026-11-20 14:05, pagué 1.299,00 €, pedido 1234"
    clean, counts = scrub_pii(text)
    assert sum(counts.values()) == 0 and clean == text


def test_empty_answers():
    for t in ["", "  ", "-", "--", "No", "nada.", "N/A", "Sin comentarios", None, float("nan")]:
        assert is_empty(t), t
    for t in ["No llegó", "nada bien", "ok pero tarde"]:
        assert not is_empty(t), t


def test_preparation_stems_and_keeps_negations():
    p = Preparer(bigrams=True)
    toks = p.tokens("El pedido NO llegó, llegó tarde", "es")
    assert "no" in toks and "tard" in toks and "no lleg" in toks
    assert "el" not in toks                          # a stop word
    assert p.label("no lleg") == "no llego"          # shown as the most frequent word (accents folded)
    assert Preparer(bigrams=False).tokens("Late delivery, not good", "en") == ["late", "deliveri", "not", "good"]


# -- codebook ---------------------------------------------------------------------------------------

def test_codebook_matching_on_constructed_answers():
    book = vb.compile_codebook({"entrega": ["retras", "tarde", "no lleg"], "precio": ["caro", "re:\\bprecio(s)?\\b"],
                                "trato": ["amabl"]})
    cases = {
        "Llegó con RETRASO": ["entrega"],
        "El paquete no llegó": ["entrega"],
        "Muy caro y tardó en llegar": ["precio"],          # 'tardo' does not start with 'tarde'
        "Tardé en recibirlo": ["entrega"],                 # accents ignored: 'tardé' starts with 'tarde'
        "Precios altos, llegó tarde": ["entrega", "precio"],
        "Amabilísimo el repartidor": [],                   # 'amabl' is not a prefix of 'amabilisimo'
        "Repartidor amable; preciosa caja": ["trato"],     # 'preciosa' does not match \bprecio(s)?\b
        "descaro total": [],                               # keywords match at a word start only
    }
    for text, expected in cases.items():
        assert vb.match_themes(text, book) == expected, text


# -- statistics -------------------------------------------------------------------------------------

def test_wilson_against_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for x, n in [(0, 10), (1, 10), (37, 120), (119, 120), (500, 1625), (10, 10)]:
        lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
        ours = vb.wilson_interval(x, n)
        assert ours[0] == pytest.approx(lo, abs=1e-12) and ours[1] == pytest.approx(hi, abs=1e-12)


def test_newcombe_difference_against_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep

    for x1, n1, x2, n2 in [(260, 662, 12, 200), (25, 200, 89, 662), (3, 40, 9, 35)]:
        lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
        d, ol, oh = vb.newcombe_diff(x1, n1, x2, n2)
        assert d == pytest.approx(x1 / n1 - x2 / n2)
        assert ol == pytest.approx(lo, abs=1e-10) and oh == pytest.approx(hi, abs=1e-10)


def test_chi_square_and_residuals_against_scipy_and_hand_formula():
    from scipy.stats import chi2_contingency

    mentions, totals = [120, 30, 10], [400, 300, 350]
    res = vb.chi_square_2xg(mentions, totals)
    table = np.array([mentions, [n - k for k, n in zip(mentions, totals)]])
    chi2, p, dof, expected = chi2_contingency(table, correction=False)
    assert res["chisq"] == pytest.approx(chi2, rel=1e-12)
    assert res["pvalue"] == pytest.approx(p, rel=1e-9)
    assert res["df"] == dof == 2
    assert res["min_expected"] == pytest.approx(expected.min())
    N, K = sum(totals), sum(mentions)
    for k, n, r in zip(mentions, totals, res["residuals"]):   # Agresti (2013) eq. 2.9, by hand
        e = K * n / N
        assert r == pytest.approx((k - e) / math.sqrt(e * (1 - K / N) * (1 - n / N)), rel=1e-12)
    # an empty group is dropped, not divided by
    res0 = vb.chi_square_2xg([5, 0, 9], [20, 0, 30])
    chi2b = chi2_contingency(np.array([[5, 9], [15, 21]]), correction=False)[0]
    assert res0["chisq"] == pytest.approx(chi2b) and math.isnan(res0["residuals"][1])


def test_holm_bh_against_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = [0.01, 0.04, 0.03, 0.2, float("nan"), 0.001]
    holm, bh = vb.adjust(p)
    ok = [x for x in p if x == x]
    exp_h = multipletests(ok, method="holm")[1]
    exp_b = multipletests(ok, method="fdr_bh")[1]
    got_h = [h for h, x in zip(holm, p) if x == x]
    got_b = [b for b, x in zip(bh, p) if x == x]
    assert np.allclose(got_h, exp_h) and np.allclose(got_b, exp_b) and math.isnan(holm[4])


def test_log_odds_against_hand_computation_on_a_tiny_table():
    # three terms: counts among detractors (i), promoters (j); prior = counts in all answers
    y_i, y_j, alpha = [10, 2, 3], [1, 8, 3], [12, 11, 7]
    delta, z = vb.log_odds_dirichlet(y_i, y_j, alpha)
    n_i, n_j, a0 = 15, 12, 30
    # term 0 by hand (Monroe, Colaresi & Quinn 2008, eq. 16 and 20)
    d0 = math.log((10 + 12) / (15 + 30 - 10 - 12)) - math.log((1 + 12) / (12 + 30 - 1 - 12))
    z0 = d0 / math.sqrt(1 / (10 + 12) + 1 / (1 + 12))
    assert delta[0] == pytest.approx(d0, rel=1e-12) and z[0] == pytest.approx(z0, rel=1e-12)
    d2 = math.log((3 + 7) / (15 + 30 - 3 - 7)) - math.log((3 + 7) / (12 + 30 - 3 - 7))
    assert delta[2] == pytest.approx(d2, rel=1e-12)
    assert z[0] > 0 > z[1]


# -- topics: planted themes in a simulated corpus ----------------------------------------------------

PLANTED = {
    "entrega": ["retraso", "entrega", "tarde", "esperar", "plazo", "semana"],
    "danos": ["golpe", "roto", "caja", "abollado", "rayado", "pantalla"],
    "cobro": ["cobro", "doble", "tarjeta", "factura", "reembolso", "banco"],
    "repartidor": ["repartidor", "amable", "simpatico", "atento", "educado", "trato"],
}


def _planted_corpus(n=400, seed=3):
    rng = np.random.default_rng(seed)
    names = list(PLANTED)
    texts, truth = [], []
    for _ in range(n):
        t = names[int(rng.integers(len(names)))]
        words = list(rng.choice(PLANTED[t], size=4, replace=False))
        texts.append("El cliente dice: " + " ".join(words) + ".")
        truth.append(t)
    return texts, truth


@pytest.mark.parametrize("corpus_seed", [3, 5, 8])
def test_nmf_recovers_planted_themes_and_flags_the_uncoded_one(corpus_seed):
    texts, truth = _planted_corpus(seed=corpus_seed)
    codebook = {"entrega": ["retras", "tarde"], "danos": ["golpe", "roto"], "repartidor": ["repartidor", "amabl"]}
    res = vb.analyze_verbatims(texts, range(len(texts)), codebook=codebook, k_min=2, k_max=6, seed=11,
                               stability_runs=4, impact=False)
    assert res.topic_selection["k"] == 4          # the number of planted themes, by stability
    topic_of = {d["respondent_id"]: d["topic"] for d in res.documents}
    for theme in PLANTED:                          # each planted theme falls in one topic (purity >= 0.8)
        topics = [topic_of[str(i)] for i, t in enumerate(truth) if t == theme]
        best = max(set(topics), key=topics.count)
        assert topics.count(best) / len(topics) >= 0.8, theme
    new = [t for t in res.topics if t["new_theme"]]
    assert len(new) == 1 and {"cobro", "doble", "factura"} & set(new[0]["terms"][:6])


def test_same_seed_same_bytes():
    texts, _ = _planted_corpus(200, seed=5)
    a = vb.analyze_verbatims(texts, range(200), codebook={"x": ["retras"]}, k_min=2, k_max=5, seed=7, impact=False)
    b = vb.analyze_verbatims(texts, range(200), codebook={"x": ["retras"]}, k_min=2, k_max=5, seed=7, impact=False)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)


def test_language_detected_per_answer_among_the_study_languages():
    texts = ["El pedido llegó tarde y no me avisaron de nada", "The parcel was late and nobody told me",
             "O pedido foi entregue com atraso e ninguém me avisou", "xyz"] * 5
    res = vb.analyze_verbatims(texts, range(len(texts)), codebook={"late": ["late", "tarde", "atras"]},
                               language="auto", languages=["es", "en", "pt"], n_topics=2, impact=False)
    langs = {d["respondent_id"]: d["language"] for d in res.documents}
    assert [langs[str(i)] for i in range(4)] == ["es", "en", "pt", "es"]   # no stop words: the first language
    assert res.languages == {"en": 5, "es": 10, "pt": 5}
    assert res.themes[0]["n"] == 15


def test_tracking_shares_per_period_exact_and_small_periods_suppressed():
    texts, truth = _planted_corpus(300, seed=9)
    periods = ["ola1"] * 120 + ["ola2"] * 160 + ["ola3"] * 20
    res = vb.analyze_verbatims(texts, range(300), codebook={"entrega": ["retras", "tarde", "plazo"]},
                               periods=periods, min_n=30, n_topics=4, impact=False)
    rows = {r["period"]: r for r in res.tracking}
    for per, lo, hi in (("ola1", 0, 120), ("ola2", 120, 280)):
        k = sum(1 for t in texts[lo:hi] if vb.match_themes(t, vb.compile_codebook({"e": ["retras", "tarde", "plazo"]})))
        assert rows[per]["n"] == k and rows[per]["base"] == hi - lo
        assert (rows[per]["share_ci_lower"], rows[per]["share_ci_upper"]) == vb.wilson_interval(k, hi - lo)
    assert rows["ola3"]["suppressed"] and rows["ola3"]["share"] is None and rows["ola3"]["n"] is None
