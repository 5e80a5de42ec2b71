"""Text analytics of open answers (``cxstats verbatims``): what detractors say, and what frontline
staff hear.

Pure: answers, ids, scores and groups in, a :class:`VerbatimsResult` out. The steps are

1. **Preparation** (:mod:`cxstats.stats.textprep`): personal data scrubbed first (nothing is
   shown or exported unscrubbed), empty answers ("", "no", "nada", "-") counted and set aside,
   language per answer (given, or the study language whose stop words are most frequent),
   lower case, accents folded (option), stop words, Snowball stems, bigrams.
2. **Codebook themes**: every theme's keywords match at the start of a word (a prefix: "retras"
   matches "retraso", "retrasó"), case and accents ignored; ``re:PATTERN`` is a regular
   expression searched in the lower-cased, accent-folded answer. An answer may carry several
   themes. Deterministic.
3. **Discovered topics**: TF-IDF (sublinear tf, l2 rows, terms in at least ``min_df`` answers)
   and NMF (Frobenius, coordinate descent, NNDSVDa start: deterministic). The number of topics
   is chosen by **stability** (Greene, O'Callaghan & Cunningham 2014): for each k, NMF on
   ``stability_runs`` random subsamples of 80% of the answers (drawn with ``seed``) is compared
   with NMF on all answers (topics matched one to one by the Hungarian assignment on the cosine
   similarity of their term weights); the stability is the mean matched similarity, and k is
   the upper end of the highest plateau: from the most stable k upwards, the last k within
   0.005 of the highest stability before the first drop. Each answer's topic
   is the largest entry of its row of W. A topic is a **new theme** when under half of its
   answers carry any codebook theme (``NEW_THEME_MAX_COVERAGE``).
4. **Who says what**: prevalence overall and by NPS group (0-6 detractor, 7-8 passive, 9-10
   promoter) and by segment, with Wilson 95% intervals; per theme and breakdown a chi-square
   test of independence of the theme indicator and the groups (2 x G table), with adjusted
   standardized residuals ``(O - E) / sqrt(E (1 - row/N) (1 - col/N))`` for the "mentions"
   row; Holm and Benjamini-Hochberg over all the tests of the analysis.
5. **Distinguishing words**: weighted log-odds ratio with an informative Dirichlet prior
   (Monroe, Colaresi & Quinn 2008, eq. 16-22): prior ``alpha_w`` = the term's count in all
   valid answers, ``delta_w = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w)) - log((y_wj + a_w)
   / (n_j + a_0 - y_wj - a_w))``, ``var = 1 / (y_wi + a_w) + 1 / (y_wj + a_w)``, ``z = delta /
   sqrt(var)``; detractors (i) against promoters (j).
6. **Impact**: the drivers analysis (OLS, HC3, LMG) of NPS points (+100 promoter, -100
   detractor, 0 passive: its mean is the NPS) on the theme indicators: ``b`` is the NPS points
   an answer with the theme differs by, other themes held fixed.
7. **Tracking**: theme shares per period (week or wave) with Wilson intervals.
8. **Blind spots** (staff answers given): the same codebook on what staff hear; per theme the
   customers' detractor share against the staff share (difference with Newcombe's hybrid score
   interval, method 10 of Newcombe 1998), and the Spearman correlation of the two rankings;
   staff groups under ``min_staff_n`` answers are suppressed (anonymity).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from cxstats.errors import InputError
from cxstats.stats.nps import wilson_interval  # noqa: F401 - Wilson = R prop.test(correct = FALSE), one copy
from cxstats.stats.textprep import LANGUAGES, PII_KINDS, Preparer, detect_language, fold, is_empty, scrub_pii

NPS_GROUPS = ("detractor", "passive", "promoter")
NEW_THEME_MAX_COVERAGE = 0.5  # a topic is new when under half of its answers carry a codebook theme
SUBSAMPLE = 0.8               # share of the answers in each stability subsample (Greene et al. 2014)
STABILITY_TIE = 0.005         # stabilities this close to the highest count as equally stable
Z975 = 1.959963984540054


# -- codebook -------------------------------------------------------------------------------------

def compile_codebook(codebook: dict) -> dict:
    """{theme: [patterns]} -> {theme: [compiled regex]}; keywords are word-start prefixes,
    ``re:...`` entries regular expressions (both on lower-cased, accent-folded text)."""
    out = {}
    for theme, patterns in codebook.items():
        compiled = []
        for p in patterns:
            p = str(p)
            if p.startswith("re:"):
                try:
                    compiled.append(re.compile(fold(p[3:])))
                except re.error as exc:
                    raise InputError(f"theme {theme!r}: {p[3:]!r} is not a regular expression ({exc})",
                                     option="themes") from None
            else:
                compiled.append(re.compile(r"(?<!\w)" + re.escape(fold(p).strip())))
        out[theme] = compiled
    return out


def match_themes(text: str, compiled: dict) -> list[str]:
    """The codebook themes an answer carries, in codebook order."""
    low = fold(text)
    return [t for t, pats in compiled.items() if any(p.search(low) for p in pats)]


def nps_group(score) -> str | None:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    s = float(score)
    return "detractor" if s <= 6 else "passive" if s <= 8 else "promoter"


# -- small statistics ---------------------------------------------------------------------------

def newcombe_diff(x1: int, n1: int, x2: int, n2: int, z: float = Z975) -> tuple[float, float, float]:
    """p1 - p2 with Newcombe's hybrid score interval (1998, method 10) from two Wilson intervals."""
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lower, upper


def chi_square_2xg(mentions, totals) -> dict:
    """Chi-square test of independence of a 2 x G table (row 1 = answers with the theme, row 2 =
    without; column g has ``totals[g]`` answers, ``mentions[g]`` of them with the theme), with
    the adjusted standardized residuals of row 1. Groups with no answers are dropped."""
    from scipy.stats import chi2

    pairs = [(int(k), int(n)) for k, n in zip(mentions, totals)]
    keep = [i for i, (_, n) in enumerate(pairs) if n > 0]
    ks = [pairs[i][0] for i in keep]
    ns = [pairs[i][1] for i in keep]
    N = sum(ns)
    K = sum(ks)
    out = {"chisq": math.nan, "df": 0, "pvalue": math.nan, "min_expected": math.nan,
           "residuals": [math.nan] * len(pairs)}
    if len(ns) < 2 or K == 0 or K == N:
        return out
    stat, min_e = 0.0, math.inf
    res = [math.nan] * len(pairs)
    for i, k, n in zip(keep, ks, ns):
        for obs, row in ((k, K), (n - k, N - K)):
            e = row * n / N
            stat += (obs - e) ** 2 / e
            min_e = min(min_e, e)
        e1 = K * n / N
        res[i] = (k - e1) / math.sqrt(e1 * (1 - K / N) * (1 - n / N))
    df = len(ns) - 1
    out.update(chisq=stat, df=df, pvalue=float(chi2.sf(stat, df)), min_expected=min_e, residuals=res)
    return out


def log_odds_dirichlet(y_i, y_j, alpha):
    """Monroe, Colaresi & Quinn (2008) weighted log-odds of every term for group i against j,
    informative Dirichlet prior ``alpha`` (per term). Returns (delta, z) arrays."""
    import numpy as np

    y_i, y_j, a = (np.asarray(v, dtype=float) for v in (y_i, y_j, alpha))
    n_i, n_j, a0 = y_i.sum(), y_j.sum(), a.sum()
    delta = (np.log((y_i + a) / (n_i + a0 - y_i - a)) - np.log((y_j + a) / (n_j + a0 - y_j - a)))
    var = 1.0 / (y_i + a) + 1.0 / (y_j + a)
    return delta, delta / np.sqrt(var)


def adjust(pvalues) -> tuple[list, list]:
    """Holm and Benjamini-Hochberg adjusted p-values (R p.adjust), NaN kept."""
    import numpy as np

    p = np.asarray(pvalues, dtype=float)
    holm, bh = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m:
        order = np.argsort(p[ok], kind="stable")
        sp = p[ok][order]
        h = np.minimum(np.maximum.accumulate((m - np.arange(m)) * sp), 1.0)
        b = np.minimum(np.minimum.accumulate((m / np.arange(m, 0, -1)) * sp[::-1])[::-1], 1.0)
        holm[ok[order]] = h
        bh[ok[order]] = b
    return holm.tolist(), bh.tolist()


# -- topics ---------------------------------------------------------------------------------------

def _nmf(X, k: int, seed: int | None, init: str = "random"):
    import warnings

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init=init, random_state=seed, solver="cd", beta_loss="frobenius",
                max_iter=1000, tol=1e-5)
    with warnings.catch_warnings():  # a fit stopped at max_iter is still a fit; stability judges it
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X)
    return W, model.components_, float(model.reconstruction_err_)


def _unit_rows(H):
    import numpy as np

    norm = np.linalg.norm(H, axis=1, keepdims=True)
    return H / np.where(norm > 0, norm, 1.0)


def matched_similarity(H_a, H_b) -> float:
    """Mean cosine similarity of two sets of topic-term rows matched one to one (Hungarian)."""
    from scipy.optimize import linear_sum_assignment

    S = _unit_rows(H_a) @ _unit_rows(H_b).T
    r, c = linear_sum_assignment(-S)
    return float(S[r, c].mean())


def choose_topics(X, k_values, *, runs: int, seed: int, progress=None):
    """(chosen k, [{k, stability}], the final fit (W, H, err)).

    Stability of k (Greene, O'Callaghan & Cunningham 2014): NMF with the deterministic NNDSVDa
    start (Boutsidis & Gallopoulos 2008) on all answers is the reference; ``runs`` random
    subsamples of 80% of the answers (``numpy.random.default_rng(seed)``) are fitted the same
    way, and the stability is the mean Hungarian-matched cosine similarity of their topic-term
    rows to the reference's. k: the upper end of the plateau of the highest stability - from the
    most stable k upwards, the last k still within ``STABILITY_TIE`` of the highest before the
    first drop (equally reproducible solutions: the finer one shows more; past the drop topics
    split arbitrarily). The final fit is the reference of that k."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = X.shape[0]
    samples = [np.sort(rng.choice(n, size=max(2, int(round(SUBSAMPLE * n))), replace=False)) for _ in range(runs)]
    table, reference = [], {}
    total, done = len(k_values) * (runs + 1), 0
    for k in k_values:
        ref = _nmf(X, k, seed, init="nndsvda")  # the seed fixes NNDSVD's randomized SVD
        reference[k] = ref
        sims = []
        done += 1
        for idx in samples:
            sims.append(matched_similarity(ref[1], _nmf(X[idx], k, seed, init="nndsvda")[1]))
            done += 1
            if progress:
                progress(done, total)
        table.append({"k": int(k), "stability": float(np.mean(sims))})
    best = max(r["stability"] for r in table)
    start = next(i for i, r in enumerate(table) if r["stability"] == best)
    end = start
    while end + 1 < len(table) and table[end + 1]["stability"] >= best - STABILITY_TIE:
        end += 1
    k = table[end]["k"]
    return k, table, reference[k]


# -- the result -----------------------------------------------------------------------------------

@dataclass
class VerbatimsResult:
    text_column: str
    n_answers: int
    n_empty: int
    n_valid: int
    scrubbed: int
    scrubbed_by_kind: dict
    answers_scrubbed: int
    languages: dict
    settings: dict
    themes: list
    topics: list
    topic_selection: dict
    tests: list
    by_segment: list
    distinctive_terms: list
    documents: list
    impact: dict | None = None
    tracking: list = field(default_factory=list)
    staff: dict | None = None
    blind_spots: list = field(default_factory=list)
    blind_spots_spearman: dict | None = None
    theme_names: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return _clean({
            "text_column": self.text_column, "n_answers": self.n_answers, "n_empty": self.n_empty,
            "n_valid": self.n_valid, "scrubbed": self.scrubbed, "scrubbed_by_kind": self.scrubbed_by_kind,
            "answers_scrubbed": self.answers_scrubbed, "languages": self.languages, "settings": self.settings,
            "themes": self.themes, "topics": self.topics, "topic_selection": self.topic_selection,
            "tests": self.tests, "by_segment": self.by_segment, "distinctive_terms": self.distinctive_terms,
            "impact": self.impact, "tracking": self.tracking, "staff": self.staff,
            "blind_spots": self.blind_spots, "blind_spots_spearman": self.blind_spots_spearman,
            "documents": self.documents, "warnings": list(self.warnings)})

    # tables for the terminal and the default layout
    def tables(self) -> dict:
        import pandas as pd

        out = {}
        rows = []
        for kind, items in (("theme", self.themes), ("topic", self.topics)):
            for t in items:
                row = {"kind": kind, "id": t[kind], "terms": ", ".join(t["terms"][:6]), "n": t["n"],
                       "share": t["share"], "share_ci_lower": t["share_ci_lower"],
                       "share_ci_upper": t["share_ci_upper"]}
                for g in t["by_group"]:
                    row[f"share_{g['group']}"] = g["share"]
                row["chisq"], row["pvalue"], row["p_holm"] = t.get("chisq"), t.get("pvalue"), t.get("p_holm")
                if kind == "topic":
                    row["new_theme"] = t["new_theme"]
                rows.append(row)
        out["Themes"] = pd.DataFrame(rows)
        out["Distinctive terms"] = pd.DataFrame(self.distinctive_terms)
        if self.impact:
            out["Impact"] = pd.DataFrame(self.impact["themes"])
        if self.tracking:
            out["Tracking"] = pd.DataFrame(self.tracking)
        if self.blind_spots:
            out["Blind spots"] = pd.DataFrame(self.blind_spots)
        return out

    def methods(self) -> list:
        s = self.settings
        return [
            ("Preparation", "Personal data scrubbed before anything else (e-mails; DNI/NIE, RUT and CPF with a "
             "valid check character; 13-19 digit runs passing the Luhn check; phone numbers of 9-15 digits). "
             "Empty answers ('', 'no', 'nada', '-', 'n/a') set aside. Lower case"
             + (", accents folded" if s["fold_accents"] else "") + ", stop words of the 'stop-words' package "
             "(negations and evaluative words kept), Snowball stems (package 'snowballstemmer')"
             + (", bigrams" if s["bigrams"] else "") + "."),
            ("Codebook themes", "Keywords match at the start of a word, case and accents ignored; 're:' "
             "entries are regular expressions. An answer may carry several themes."),
            ("Discovered topics", f"TF-IDF (sublinear tf, terms in >= {s['min_df']} answers) and NMF "
             "(scikit-learn, Frobenius, NNDSVDa start). Number of topics: stability over "
             f"{s['stability_runs']} subsamples of 80% of the answers (mean Hungarian-matched cosine similarity "
             "of topic-term rows to the fit on all answers; Greene et al. 2014): from the most stable number "
             "upwards, the last within 0.005 of the highest before the first drop. A topic is a new theme "
             "when under half of its answers carry a codebook theme."),
            ("Prevalence and tests", "Wilson 95% intervals (R prop.test(correct = FALSE)); chi-square test "
             "of each theme x group table (R chisq.test(correct = FALSE)) with adjusted standardized "
             "residuals; Holm and Benjamini-Hochberg over all the tests (R p.adjust)."),
            ("Distinguishing words", "Weighted log-odds ratio with an informative Dirichlet prior (the "
             "term's count in all answers), detractors against promoters, with z-scores (Monroe, "
             "Colaresi & Quinn 2008)."),
            ("Impact", "OLS (HC3) of NPS points (+100 promoter, -100 detractor) on the theme indicators: "
             "b = NPS points an answer with the theme differs by; LMG share of R²."),
            ("Blind spots", "Customers' detractor share of each theme against the staff share: difference "
             "with Newcombe's hybrid score interval; Spearman rank correlation; staff groups under the "
             "minimum n suppressed."),
        ]


def _clean(obj):
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


# -- the analysis ---------------------------------------------------------------------------------

def _share(k: int, n: int) -> dict:
    """``n`` answers (of ``base``) with the theme, their share and its Wilson interval."""
    lo, hi = wilson_interval(k, n)
    return {"n": k, "base": n, "share": k / n if n else math.nan, "share_ci_lower": lo, "share_ci_upper": hi}


def prepare(texts, *, language, languages, fold_accents=True, bigrams=True):
    """Scrub, set aside empties, detect language, tokenize. Returns (records, preparer, pii Counter)."""
    prep = Preparer(fold_accents=fold_accents, bigrams=bigrams)
    from stop_words import get_stop_words

    raw_stops = {lang: set(get_stop_words(lang)) for lang in languages}  # full lists, negations included
    pii: Counter = Counter()
    records = []
    for text in texts:
        empty = is_empty(text)
        rec = {"empty": empty, "text": None, "language": None, "tokens": [], "scrubbed": 0}
        if not empty:
            clean, counts = scrub_pii(str(text).strip())
            pii.update(counts)
            lang = language if language != "auto" else detect_language(clean, languages, raw_stops)
            rec.update(text=clean, language=lang, tokens=prep.tokens(clean, lang), scrubbed=sum(counts.values()))
        records.append(rec)
    return records, prep, pii


def analyze_verbatims(texts, ids, *, codebook: dict, language: str = "es", languages=("es",),
                      text_column: str = "text", nps=None, breakdowns: dict | None = None, periods=None,
                      staff_texts=None, staff_ids=None, staff_groups: dict | None = None, min_staff_n: int = 5,
                      min_n: int = 30, n_topics: int | None = None, k_min: int = 3, k_max: int = 10,
                      stability_runs: int = 5, seed: int = 20261123, fold_accents: bool = True,
                      bigrams: bool = True, min_df: int = 3, top_terms: int = 8, quotes: int = 3,
                      n_distinctive: int = 15, impact: bool = True, theme_names: dict | None = None,
                      progress=None) -> VerbatimsResult:
    """Analyse open answers ``texts`` (one per respondent ``ids``).

    ``codebook``: {theme: [keyword or 're:REGEX', ...]}; ``language``: 'es'/'en'/'pt' or 'auto'
    (detected per answer among ``languages``); ``nps``: 0-10 scores aligned with ``texts`` (NPS
    groups, distinguishing words, impact); ``breakdowns``: {name: values} (segments, touchpoint)
    for prevalence by group (groups under ``min_n`` answers suppressed); ``periods``: a week or
    wave label per answer (tracking); ``staff_texts``: the staff answers (one text per staff
    respondent) for the blind-spots table, with ``staff_groups`` {name: values} suppressed under
    ``min_staff_n``; ``n_topics``: fixed number of topics (else chosen in ``k_min..k_max`` by
    stability across ``stability_runs`` seeds)."""
    import numpy as np

    texts = list(texts)
    ids = [str(i) for i in ids]
    if len(ids) != len(texts):
        raise InputError("one id per answer is needed", option="text")
    for lang in [language, *languages]:
        if lang != "auto" and lang not in LANGUAGES:
            raise InputError(f"language {lang!r} is not supported: {', '.join(LANGUAGES)} (or auto)",
                             option="language")
    warnings: list[str] = []
    compiled = compile_codebook(codebook)
    records, prep, pii = prepare(texts, language=language, languages=list(languages), fold_accents=fold_accents,
                                 bigrams=bigrams)
    valid = [i for i, r in enumerate(records) if not r["empty"]]
    nv = len(valid)
    if nv < 10:
        raise InputError(f"only {nv} answers say something in {text_column!r}: text analytics needs at least 10",
                         column=text_column)
    doc_themes = {i: match_themes(records[i]["text"], compiled) for i in valid}
    groups = [nps_group(v) for v in nps] if nps is not None else [None] * len(texts)

    # -- topics
    from sklearn.feature_extraction.text import TfidfVectorizer

    toks = [records[i]["tokens"] for i in valid]
    min_df_used = min_df
    vec = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df_used, sublinear_tf=True, norm="l2")
    try:
        X = vec.fit_transform(toks)
    except ValueError:
        raise InputError(f"no term appears in {min_df} answers of {text_column!r}: too few answers for topics",
                         option="min_df") from None
    vocab = np.array(vec.get_feature_names_out())
    max_k = max(1, min(k_max, X.shape[0] - 1, X.shape[1] - 1))
    if n_topics is not None:
        if n_topics > max_k:
            raise InputError(f"{n_topics} topics asked, at most {max_k} possible with these answers",
                             option="n_topics")
        k_values = [n_topics]
    else:
        k_values = list(range(min(k_min, max_k), max_k + 1))
    runs = max(1, stability_runs)
    k, table, (W, H, err) = choose_topics(X, k_values, runs=runs, seed=seed, progress=progress)
    doc_weight = W.max(axis=1)
    doc_topic_idx = np.where(doc_weight > 0, W.argmax(axis=1), -1)
    sizes = [int((doc_topic_idx == t).sum()) for t in range(k)]
    order = sorted(range(k), key=lambda t: (-sizes[t], t))
    topic_id = {t: f"T{r + 1}" for r, t in enumerate(order)}
    doc_topic = {i: (topic_id[int(doc_topic_idx[pos])] if doc_topic_idx[pos] >= 0 else None)
                 for pos, i in enumerate(valid)}

    # -- prevalence (overall, NPS groups) and tests
    group_docs = {g: [i for i in valid if groups[i] == g] for g in NPS_GROUPS}
    has_groups = nps is not None and any(group_docs.values())

    def prevalence(member) -> dict:
        k_all = sum(1 for i in valid if member(i))
        row = _share(k_all, nv)
        row["by_group"] = []
        if has_groups:
            ms = [sum(1 for i in group_docs[g] if member(i)) for g in NPS_GROUPS]
            ns = [len(group_docs[g]) for g in NPS_GROUPS]
            test = chi_square_2xg(ms, ns)
            for g, kk, nn, r in zip(NPS_GROUPS, ms, ns, test["residuals"]):
                row["by_group"].append({"group": g, **_share(kk, nn), "adj_residual": r})
            row.update(chisq=test["chisq"], df=test["df"], pvalue=test["pvalue"], min_expected=test["min_expected"])
        return row

    themes = []
    for t in codebook:
        row = {"theme": t, "name": (theme_names or {}).get(t, t), "terms": [str(p) for p in codebook[t]]}
        row.update(prevalence(lambda i, t=t: t in doc_themes[i]))
        themes.append(row)
    topics = []
    for t in order:
        tid = topic_id[t]
        members = [i for i in valid if doc_topic[i] == tid]
        top = np.argsort(-H[t], kind="stable")[:top_terms]
        covered = sum(1 for i in members if doc_themes[i])
        best, best_share = None, 0.0
        for th in codebook:
            share = sum(1 for i in members if th in doc_themes[i]) / len(members) if members else 0.0
            if share > best_share + 1e-12:
                best, best_share = th, share
        coverage = covered / len(members) if members else 0.0
        pos = {i: p for p, i in enumerate(valid)}
        rep = sorted(members, key=lambda i: (-W[pos[i], t] / max(W[pos[i]].sum(), 1e-300), -W[pos[i], t], i))
        row = {"topic": tid, "terms": [prep.label(str(vocab[j])) for j in top if H[t, j] > 0],
               "stems": [str(vocab[j]) for j in top if H[t, j] > 0],
               "quotes": [{"respondent_id": ids[i], "text": records[i]["text"]} for i in rep[:quotes]],
               "matched_theme": best, "matched_share": best_share, "codebook_coverage": coverage,
               "new_theme": coverage < NEW_THEME_MAX_COVERAGE}
        row.update(prevalence(lambda i, tid=tid: doc_topic[i] == tid))
        topics.append(row)
    for tr in themes:  # quotes per theme: the shortest answers first (easiest to read), then by id
        members = [i for i in valid if tr["theme"] in doc_themes[i]]
        tr["quotes"] = [{"respondent_id": ids[i], "text": records[i]["text"]}
                        for i in sorted(members, key=lambda i: (len(records[i]["text"]), ids[i]))[:quotes]]

    # -- segments
    by_segment, tests = [], []
    for kind, items in (("theme", themes), ("topic", topics)):
        for it in items:
            if "chisq" in it:
                tests.append({"kind": kind, "id": it[kind], "breakdown": "nps_group", "chisq": it["chisq"],
                              "df": it["df"], "pvalue": it["pvalue"], "min_expected": it["min_expected"]})
    for name, values in (breakdowns or {}).items():
        values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]
        levels = sorted({values[i] for i in valid if values[i] is not None})
        ns = [sum(1 for i in valid if values[i] == lv) for lv in levels]
        shown = [lv for lv, n in zip(levels, ns) if n >= min_n]
        if len(levels) > len(shown):
            warnings.append(f"{name}: {len(levels) - len(shown)} group(s) with fewer than {min_n} answers "
                            "suppressed")
        for kind, items in (("theme", themes), ("topic", topics)):
            for it in items:
                key = it[kind]
                member = ((lambda i, key=key: key in doc_themes[i]) if kind == "theme"
                          else (lambda i, key=key: doc_topic[i] == key))
                ms = [sum(1 for i in valid if values[i] == lv and member(i)) for lv in shown]
                nn = [sum(1 for i in valid if values[i] == lv) for lv in shown]
                test = chi_square_2xg(ms, nn)
                tests.append({"kind": kind, "id": key, "breakdown": name, "chisq": test["chisq"], "df": test["df"],
                              "pvalue": test["pvalue"], "min_expected": test["min_expected"]})
                for lv, kk, n_, r in zip(shown, ms, nn, test["residuals"]):
                    by_segment.append({"kind": kind, "id": key, "breakdown": name, "group": lv, **_share(kk, n_),
                                       "adj_residual": r})
    holm, bh = adjust([t["pvalue"] for t in tests])
    for t, h, b in zip(tests, holm, bh):
        t["p_holm"], t["p_bh"] = h, b
    lookup = {(t["kind"], t["id"], t["breakdown"]): t for t in tests}
    for kind, items in (("theme", themes), ("topic", topics)):
        for it in items:
            t = lookup.get((kind, it[kind], "nps_group"))
            if t is not None:
                it["p_holm"], it["p_bh"] = t["p_holm"], t["p_bh"]
    for row in by_segment:
        t = lookup[(row["kind"], row["id"], row["breakdown"])]
        row["p_holm"] = t["p_holm"]

    # -- distinguishing words (detractors vs promoters)
    distinctive = []
    if has_groups and group_docs["detractor"] and group_docs["promoter"]:
        distinctive = _distinctive(records, valid, groups, prep, n_distinctive, min_df)
    elif nps is not None:
        warnings.append("no detractors or no promoters among the answers: no distinguishing words")

    # -- impact
    impact_block = None
    if impact and has_groups:
        impact_block = _impact(valid, groups, doc_themes, list(codebook), warnings)

    # -- tracking
    tracking = []
    if periods is not None:
        labels = [None if p is None or (isinstance(p, float) and math.isnan(p)) else str(p) for p in periods]
        for per in sorted({labels[i] for i in valid if labels[i] is not None}):
            members = [i for i in valid if labels[i] == per]
            for t in codebook:
                kk = sum(1 for i in members if t in doc_themes[i])
                tracking.append({"period": per, "theme": t, **_share(kk, len(members)),
                                 "suppressed": len(members) < min_n})
        for row in tracking:
            if row["suppressed"]:
                row.update(n=None, share=None, share_ci_lower=None, share_ci_upper=None)

    # -- staff
    staff, blind, spearman = None, [], None
    if staff_texts is not None:
        staff, blind, spearman = _staff(staff_texts, staff_ids, staff_groups, codebook, compiled, language,
                                        list(languages), fold_accents, themes, group_docs, doc_themes, valid,
                                        min_staff_n, warnings)

    documents = []
    for i, r in enumerate(records):
        if r["empty"]:
            continue
        documents.append({"respondent_id": ids[i], "themes": doc_themes[i], "topic": doc_topic[i],
                          "nps_group": groups[i], "language": r["language"], "scrubbed": r["scrubbed"]})
    lang_counts = Counter(records[i]["language"] for i in valid)
    n_empty = len(records) - nv
    if not any(doc_themes[i] for i in valid):
        warnings.append("no answer matches any codebook theme: check the keywords' language and spelling")
    new = [t["topic"] for t in topics if t["new_theme"]]
    if new:
        warnings.append(f"new theme(s) not covered by the codebook: {', '.join(new)} "
                        f"({'; '.join(', '.join(t['terms'][:4]) for t in topics if t['new_theme'])})")
    criterion = ("fixed (n_topics)" if n_topics is not None else "stability over subsamples (Greene et al. "
                 f"2014): the upper end of the highest plateau (within {STABILITY_TIE} of the highest)")
    settings = {"language": language, "fold_accents": fold_accents, "bigrams": bigrams, "min_df": min_df,
                "stability_runs": runs, "seed": seed, "k_range": [k_values[0], k_values[-1]], "min_n": min_n,
                "min_staff_n": min_staff_n, "new_theme_max_coverage": NEW_THEME_MAX_COVERAGE,
                "stop_words": "stop-words package", "stemmer": "snowballstemmer (Snowball)"}
    return VerbatimsResult(
        text_column=text_column, n_answers=len(records), n_empty=n_empty, n_valid=nv,
        scrubbed=int(sum(pii.values())), scrubbed_by_kind={k_: int(pii.get(k_, 0)) for k_ in PII_KINDS},
        answers_scrubbed=sum(1 for r in records if r["scrubbed"]),
        languages={k_: int(v) for k_, v in sorted(lang_counts.items())}, settings=settings, themes=themes,
        topics=topics, topic_selection={"k": int(k), "criterion": criterion, "table": table,
                                        "reconstruction_error": err},
        tests=tests, by_segment=by_segment, distinctive_terms=distinctive, documents=documents,
        impact=impact_block, tracking=tracking, staff=staff, blind_spots=blind, blind_spots_spearman=spearman,
        theme_names=dict(theme_names or {}), warnings=warnings)


def _distinctive(records, valid, groups, prep, top: int, min_df: int) -> list:
    import numpy as np

    counts = {"detractor": Counter(), "promoter": Counter()}
    total, docs = Counter(), Counter()
    for i in valid:
        toks = records[i]["tokens"]
        total.update(toks)
        docs.update(set(toks))
        if groups[i] in counts:
            counts[groups[i]].update(toks)
    terms = sorted(t for t in total if docs[t] >= min_df)
    if not terms:
        return []
    y_i = np.array([counts["detractor"][t] for t in terms], dtype=float)
    y_j = np.array([counts["promoter"][t] for t in terms], dtype=float)
    alpha = np.array([total[t] for t in terms], dtype=float)
    delta, z = log_odds_dirichlet(y_i, y_j, alpha)
    out = []
    for group, sign in (("detractor", 1.0), ("promoter", -1.0)):
        idx = sorted(range(len(terms)), key=lambda j: (-sign * z[j], terms[j]))[:top]
        for j in idx:
            if sign * z[j] <= 0:
                continue
            out.append({"term": prep.label(terms[j]), "stem": terms[j], "group": group,
                        "log_odds": float(sign * delta[j]), "z": float(sign * z[j]),
                        "count_detractor": int(y_i[j]), "count_promoter": int(y_j[j])})
    return out


def _impact(valid, groups, doc_themes, theme_ids, warnings) -> dict | None:
    import pandas as pd

    from cxstats.stats.drivers import analyze_drivers

    rows = [i for i in valid if groups[i] is not None]
    points = {"detractor": -100.0, "passive": 0.0, "promoter": 100.0}
    frame = pd.DataFrame({"nps_points": [points[groups[i]] for i in rows]})
    usable = []
    for t in theme_ids:
        col = [1.0 if t in doc_themes[i] else 0.0 for i in rows]
        if 0 < sum(col) < len(col):
            frame[t] = col
            usable.append(t)
    if not usable or len(rows) <= len(usable) + 2:
        return None
    try:
        res = analyze_drivers(frame, "nps_points", usable, outcome_type="continuous", penalty_reward=False)
    except Exception as exc:  # a singular design: stated, not fatal
        warnings.append(f"theme impact not estimated: {exc}")
        return None
    keep = ("driver", "b", "se_hc3", "pvalue_hc3", "lmg", "lmg_share", "std_beta")
    out_rows = []
    for r in res.driver_rows():
        row = {k: r.get(k) for k in keep if k in r}
        row["theme"] = row.pop("driver", None)
        out_rows.append(row)
    out_rows.sort(key=lambda r: (r["b"] if r.get("b") is not None else 0.0, r["theme"]))
    return {"outcome": "NPS points (+100 promoter, -100 detractor)", "n": int(res.n), "r2": float(res.model["r2"]),
            "themes": out_rows}


def _staff(staff_texts, staff_ids, staff_groups, codebook, compiled, language, languages, fold_accents, themes,
           group_docs, doc_themes, valid, min_staff_n, warnings):
    from scipy.stats import spearmanr

    staff_texts = list(staff_texts)
    records, _, pii = prepare(staff_texts, language=language, languages=languages, fold_accents=fold_accents,
                              bigrams=False)
    sv = [i for i, r in enumerate(records) if not r["empty"]]
    st_themes = {i: match_themes(records[i]["text"], compiled) for i in sv}
    ns = len(sv)
    staff = {"n_answers": len(records), "n_valid": ns, "scrubbed": int(sum(pii.values())), "themes": [],
             "by_group": [], "suppressed": ns < min_staff_n}
    if ns < min_staff_n:
        warnings.append(f"staff: {ns} answers, under the minimum of {min_staff_n}: staff shares suppressed")
    for t in codebook:
        kk = sum(1 for i in sv if t in st_themes[i])
        row = {"theme": t, **_share(kk, ns)}
        if staff["suppressed"]:
            row.update(n=None, share=None, share_ci_lower=None, share_ci_upper=None)
        staff["themes"].append(row)
    for name, values in (staff_groups or {}).items():
        values = [None if v is None else str(v) for v in values]
        for lv in sorted({values[i] for i in sv if values[i] is not None}):
            members = [i for i in sv if values[i] == lv]
            for t in codebook:
                kk = sum(1 for i in members if t in st_themes[i])
                row = {"breakdown": name, "group": lv, "theme": t, **_share(kk, len(members)),
                       "suppressed": len(members) < min_staff_n}
                if row["suppressed"]:
                    row.update(n=None, base=None, share=None, share_ci_lower=None, share_ci_upper=None)
                staff["by_group"].append(row)
    blind = []
    det = group_docs.get("detractor") or []
    base = det if det else valid
    n1 = len(base)
    for t in codebook:
        x1 = sum(1 for i in base if t in doc_themes[i])
        x2 = sum(1 for i in sv if t in st_themes[i])
        d, lo, hi = newcombe_diff(x1, n1, x2, ns) if not staff["suppressed"] else (math.nan,) * 3
        verdict = ("customers_more" if lo > 0 else "staff_more" if hi < 0 else "aligned") if math.isfinite(d) \
            else "suppressed"
        blind.append({"theme": t, "customer_n": n1, "customer_k": x1, "customer_share": x1 / n1 if n1 else None,
                      "staff_n": None if staff["suppressed"] else ns,
                      "staff_k": None if staff["suppressed"] else x2,
                      "staff_share": None if staff["suppressed"] else (x2 / ns if ns else None),
                      "diff": d, "diff_ci_lower": lo, "diff_ci_upper": hi, "verdict": verdict})
    ranked = [b for b in blind if b["staff_share"] is not None and b["customer_share"] is not None]
    spearman = None
    if len(ranked) >= 3:
        rho, p = spearmanr([b["customer_share"] for b in ranked], [b["staff_share"] for b in ranked])
        spearman = {"rho": float(rho), "pvalue": float(p), "n_themes": len(ranked),
                    "customers": "detractors" if det else "all customers"}
    for b in blind:
        b["customer_rank"] = 1 + sum(1 for o in blind if (o["customer_share"] or 0) > (b["customer_share"] or 0))
        if b["staff_share"] is not None:
            b["staff_rank"] = 1 + sum(1 for o in blind if (o["staff_share"] or 0) > b["staff_share"])
        else:
            b["staff_rank"] = None
    return staff, blind, spearman
