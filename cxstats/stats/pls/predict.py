"""PLSpredict (Shmueli et al. 2016, 2019): out-of-sample prediction of the indicators of the
endogenous constructs by k-fold cross-validation, repeated, against two benchmarks.

For each repetition the rows are split at random into ``folds`` folds; for each fold the model is
estimated on the other rows (training) and the held-out rows are predicted by the *earliest
antecedents* procedure (as SmartPLS): the held-out indicators standardized with the training means
and SDs; scores of the exogenous constructs with the training outer weights; scores of the
endogenous constructs from them through the training total effects; each indicator of an endogenous
construct ``λ · score``, back on the answer scale with the training mean and SD.

Benchmarks: the training mean of the indicator (naive: ``Q²predict = 1 - SSE_PLS / SSE_naive``), and
the linear model (LM) of each endogenous indicator on all indicators of the exogenous constructs,
fitted by OLS on the training rows. Reported per indicator: RMSE and MAE of PLS and LM, Q²predict,
averaged over the predictions of all repetitions (each row predicted once per repetition).
"""

from __future__ import annotations

import numpy as np

from cxstats.errors import ModelError
from cxstats.stats.pls.estimate import fit_pls, standardize, total_effects


def pls_predict(x: np.ndarray, lay, *, scheme: str, max_iter: int, tol: float, folds: int = 10,
                repetitions: int = 10, seed=None, progress=None) -> dict:
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n, p = x.shape
    d = lay.adjacency
    exo = [j for j in range(len(lay.constructs)) if not d[:, j].any()]
    endo = [j for j in range(len(lay.constructs)) if d[:, j].any()]
    exo_ind = np.concatenate([lay.blocks[j] for j in exo])
    targets = [(j, i) for j in endo for i in lay.blocks[j]]
    tcols = np.array([i for _, i in targets])
    err_pls = np.zeros((repetitions, n, len(targets)))
    err_lm = np.zeros_like(err_pls)
    err_naive = np.zeros_like(err_pls)
    failed = 0
    total = repetitions * folds
    done = 0
    for r in range(repetitions):
        fold_of = rng.permutation(np.arange(n) % folds)
        for f in range(folds):
            test = fold_of == f
            train = ~test
            xt = x[train]
            mu, sd = xt.mean(axis=0), xt.std(axis=0, ddof=1)
            try:
                fit = fit_pls(standardize(xt), lay, scheme=scheme, max_iter=max_iter, tol=tol)
            except (ModelError, np.linalg.LinAlgError):
                failed += 1
                err_pls[r, test] = err_lm[r, test] = err_naive[r, test] = np.nan
                continue
            zh = (x[test] - mu) / sd
            scores = zh @ fit.weights                    # exogenous scores are right; endogenous replaced
            t = total_effects(fit.paths)
            pred_scores = scores[:, exo] @ t[exo, :]      # (m, k): endogenous from the exogenous
            for col, (j, i) in enumerate(targets):
                zhat = fit.loadings[i, j] * pred_scores[:, j]
                err_pls[r, test, col] = x[test, i] - (mu[i] + sd[i] * zhat)
            a = np.column_stack([np.ones(train.sum()), xt[:, exo_ind]])
            coef, *_ = np.linalg.lstsq(a, xt[:, tcols], rcond=None)
            lm = np.column_stack([np.ones(test.sum()), x[test][:, exo_ind]]) @ coef
            err_lm[r, test] = x[test][:, tcols] - lm
            err_naive[r, test] = x[test][:, tcols] - mu[tcols]
            done += 1
            if progress is not None:
                progress(r * folds + f + 1, total)
    rows = []
    for col, (j, i) in enumerate(targets):
        ep, el, en = err_pls[:, :, col].ravel(), err_lm[:, :, col].ravel(), err_naive[:, :, col].ravel()
        ok = ~np.isnan(ep)
        ep, el, en = ep[ok], el[ok], en[ok]
        rows.append({"construct": lay.constructs[j], "indicator": lay.indicators[i],
                     "pls_rmse": float(np.sqrt(np.mean(ep ** 2))), "pls_mae": float(np.mean(np.abs(ep))),
                     "lm_rmse": float(np.sqrt(np.mean(el ** 2))), "lm_mae": float(np.mean(np.abs(el))),
                     "q2_predict": float(1 - np.sum(ep ** 2) / np.sum(en ** 2)),
                     "pls_beats_lm": bool(np.sqrt(np.mean(ep ** 2)) < np.sqrt(np.mean(el ** 2)))})
    return {"folds": folds, "repetitions": repetitions, "procedure": "earliest antecedents",
            "failed_folds": failed, "rows": rows}
