"""R² of every predictor subset from the correlation matrix, and what follows from it.

No data are refitted per subset. The R² of a subset S is ``1 - v(y | S)``, the
residual variance of the standardized outcome after partialling out S, i.e. a
Schur complement of the correlation matrix. All 2^p Schur complements are
produced by a batched sweep down the binary tree of "leave predictor k out /
take it in": a node holds the conditional correlation matrix of the predictors
not yet decided and the outcome given the ones taken in; taking predictor k in
is one sweep on its pivot (O(m²)), leaving it out drops its row and column.
Every level of the tree is one vectorised numpy operation over all nodes of
that level (and over a batch of correlation matrices, for the bootstrap).

Subset masks: bit j of the index <=> predictor j is in the subset, so
``r2[0] = 0`` and ``r2[2**p - 1]`` is the full model. The only array of size
2^p is the output (float64: 8·2^p bytes, 256 MiB at p = 25); the tree is
expanded in blocks of ``CHUNK_LEAVES`` subsets so intermediate states stay
small (about 20 MiB).
"""

from __future__ import annotations

import math

import numpy as np

MAX_EXACT = 25
CHUNK_LEAVES = 1 << 19  # subsets expanded per block (working memory ~ 40 bytes each)


def memory_needed(p: int) -> int:
    """Bytes of the all-subset R² array for p predictors (the peak allocation)."""
    return 8 << p


def all_subset_r2(corr, *, chunk_leaves: int = CHUNK_LEAVES) -> np.ndarray:
    """R² of all 2^p predictor subsets.

    ``corr``: correlation matrix of (x_1..x_p, y), shape (p+1, p+1), or a batch
    of them, shape (B, p+1, p+1). Returns shape (2^p,) or (B, 2^p).
    """
    corr = np.asarray(corr, dtype=float)
    single = corr.ndim == 2
    c = corr[None] if single else corr
    nb, q = c.shape[0], c.shape[-1]
    p = q - 1
    # Predictor p-1 is decided first so that it ends up as the highest bit.
    order = np.r_[np.arange(p - 1, -1, -1), p]
    # Tree states are laid out (m, m, batch, nodes): the long axes innermost.
    states = np.ascontiguousarray(np.moveaxis(c[:, order][:, :, order], 0, -1))[..., None]
    out = np.empty((nb, 1 << p))
    # Top of the tree for all nodes at once, then the subtrees below in blocks of
    # about ``chunk_leaves`` leaves, each expanded level by level (a level replaces
    # the one above it, so the working memory stays a few times the block).
    per_node = max(1, chunk_leaves // nb)
    top = max(0, p - (per_node.bit_length() - 1))
    for _ in range(top):
        states = _children(states)
    nodes = states.shape[-1]
    leaves = 1 << (p - top)
    block = max(1, per_node // leaves)
    for start in range(0, nodes, block):
        st = states[..., start:start + block]
        while st.shape[0] > 1:
            st = _children(st)
        np.subtract(1.0, st[0, 0], out=out[:, start * leaves:(start + block) * leaves])
    return out[0] if single else out


def _children(states):
    """(m, m, nb, B) -> (m-1, m-1, nb, 2B): node b's children are 2b (without the
    first remaining predictor) and 2b+1 (with it: one sweep on its pivot)."""
    m, _, nb, nodes = states.shape
    children = np.empty((m - 1, m - 1, nb, nodes, 2))
    rest = states[1:, 1:]
    children[..., 0] = rest
    col = states[1:, 0]
    scaled = col / states[0, 0]
    np.subtract(rest, col[:, None] * scaled[None, :], out=children[..., 1])
    return children.reshape(m - 1, m - 1, nb, 2 * nodes)


def popcounts(p: int) -> np.ndarray:
    """Number of predictors in each subset mask 0..2^p-1 (uint8)."""
    pc = np.zeros(1, dtype=np.uint8)
    for _ in range(p):
        pc = np.concatenate([pc, pc + 1])
    return pc


def shapley_weights(p: int) -> np.ndarray:
    """w[s] = s!(p-s-1)!/p! for s = 0..p-1 (weight of a subset of size s not holding j)."""
    return np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)])


def lmg_batch(r2: np.ndarray, p: int) -> np.ndarray:
    """Exact LMG / Shapley values from all-subset R² (shape (2^p,) or (B, 2^p)).

    LMG_j = Σ_{S∌j} w(|S|)(R²(S+j) - R²(S)) = Σ_{S∋j} g(S) - Σ_S w(|S|) R²(S)
    with g(S) = R²(S)(w(|S|-1) + w(|S|)), w(-1) = w(p) = 0.
    """
    single = r2.ndim == 1
    r = r2[None] if single else r2
    if p > 16:  # large p: a single model, summed by subset size in blocks (no 2^p temporaries)
        return np.vstack([conditional_dominance(row, p).mean(axis=1) for row in r])[0 if single else slice(None)]
    w = np.r_[0.0, shapley_weights(p), 0.0]        # w[s+1] = w(s) for s = -1..p
    pc = popcounts(p)
    wv = w[pc + 1]                                  # w(|S|)
    wg = w[pc] + wv                                 # w(|S|-1) + w(|S|)
    base = r @ wv
    bits = ((np.arange(1 << p)[:, None] >> np.arange(p)) & 1).astype(float)
    out = (r * wg) @ bits - base[:, None]
    return out[0] if single else out


def sums_by_size(r2: np.ndarray, p: int):
    """T1[j, s] = Σ_{S∋j, |S|=s} R²(S) and tot[s] = Σ_{|S|=s} R²(S).

    Two weighted bincounts over the array viewed as (high bits, low bits).
    """
    lo = p // 2
    hi = p - lo
    pc_lo, pc_hi = popcounts(lo).astype(np.int64), popcounts(hi).astype(np.int64)
    m = r2.reshape(1 << hi, 1 << lo)
    k_hi = np.empty((1 << hi, p + 1))
    k_lo = np.zeros(((1 << lo) * (p + 1),))
    rows = max(1, (1 << 20) >> lo)
    col_key = np.arange(1 << lo) * (p + 1)
    for start in range(0, 1 << hi, rows):
        stop = min(1 << hi, start + rows)
        pcs = pc_hi[start:stop, None] + pc_lo[None, :]
        w = m[start:stop].ravel()
        key = ((np.arange(stop - start) * (p + 1))[:, None] + pcs).ravel()
        k_hi[start:stop] = np.bincount(key, weights=w, minlength=(stop - start) * (p + 1)).reshape(-1, p + 1)
        k_lo += np.bincount((col_key[None, :] + pcs).ravel(), weights=w, minlength=k_lo.size)
    k_lo = k_lo.reshape(1 << lo, p + 1)
    bits_lo = ((np.arange(1 << lo)[:, None] >> np.arange(lo)) & 1).astype(float)
    bits_hi = ((np.arange(1 << hi)[:, None] >> np.arange(hi)) & 1).astype(float)
    t1 = np.vstack([bits_lo.T @ k_lo, bits_hi.T @ k_hi])
    return t1, k_hi.sum(axis=0)


def conditional_dominance(r2: np.ndarray, p: int) -> np.ndarray:
    """cd[j, k] = mean over subsets S of size k without j of R²(S+j) - R²(S), k = 0..p-1.

    Its row mean is general dominance (= LMG).
    """
    t1, tot = sums_by_size(r2, p)
    cd = np.empty((p, p))
    for k in range(p):
        cd[:, k] = (t1[:, k + 1] - (tot[k] - t1[:, k])) / math.comb(p - 1, k)
    return cd


def complete_dominance(r2: np.ndarray, p: int, *, slab: int = 1 << 18) -> np.ndarray:
    """d[i, j] = 1 if R²(S+i) > R²(S+j) for every S holding neither, else 0 (diagonal NaN).

    Compared in slabs with an early exit as soon as both signs have occurred.
    """
    d = np.zeros((p, p))
    np.fill_diagonal(d, np.nan)
    for j in range(p):
        for i in range(j):
            v = r2.reshape(-1, 2, 1 << (j - 1 - i), 2, 1 << i)  # axes: above j, bit j, between, bit i, below
            a = v[:, 0, :, 1, :]   # S + i
            b = v[:, 1, :, 0, :]   # S + j
            step = max(1, slab // a[0].size)
            lo, hi = np.inf, -np.inf
            for s in range(0, a.shape[0], step):
                diff = a[s:s + step] - b[s:s + step]
                lo, hi = min(lo, diff.min()), max(hi, diff.max())
                if lo <= 0 <= hi:
                    break
            if lo > 0:
                d[i, j] = 1.0
            elif hi < 0:
                d[j, i] = 1.0
    return d
