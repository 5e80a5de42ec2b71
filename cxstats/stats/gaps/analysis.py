"""The gap analysis itself: scores per level, the two-group comparison
(:func:`analyze_gaps`) and the one-group comparison with the aspirations
(:func:`analyze_aspiration_gaps`), multiplicity per family, segments; the aspirations
expanded over the levels (:func:`expand_aspirations`)."""

from __future__ import annotations

import math

from cxstats.errors import InputError
from cxstats.stats.gaps.result import LEVELS, GapsResult, _apply_note, _invariance_notes
from cxstats.stats.gaps.tests import adjust_pvalues, compare_paired, compare_two, describe_one

MIN_SHARE = 0.5  # a scale score needs at least this share of its items answered
AUTO_PAIR_SHARE = 0.5  # paired automatically when at least this share of EACH group's ids is in the other


def _choose_groups(labels, group_column: str, compare):
    present = sorted({g for g in labels if g is not None})
    if compare is not None:
        compare = tuple(compare)
        if len(compare) != 2 or compare[0] == compare[1]:
            raise InputError(f"two different group values are needed, got {list(compare)}",
                             column=group_column, option="compare")
        for g in compare:
            if g not in present:
                raise InputError(f"group {g!r} has no respondents (values present: "
                                 f"{', '.join(present) or 'none'})", column=group_column, value=g)
        return compare
    if len(present) < 2:
        raise InputError(f"the group column needs two values to compare; it has "
                         f"{len(present)}: {', '.join(present) or 'none'}", column=group_column,
                         value=present[0] if present else None)
    if len(present) > 2:
        raise InputError(f"the group column has {len(present)} values ({', '.join(present[:10])}"
                         f"{' ...' if len(present) > 10 else ''}); say which two to compare "
                         "(compare: A,B)", column=group_column, option="compare")
    return tuple(present)


def _scores(data, levels):
    """level -> {name: Series of per-respondent scores}."""
    out = {}
    for level in LEVELS:
        for name, items in (levels.get(level) or {}).items():
            block = data[list(items)]
            if len(items) == 1:
                out.setdefault(level, {})[name] = block.iloc[:, 0]
                continue
            # as SurveyTable.construct_scores: blank unless at least half of the items were answered
            enough = block.notna().mean(axis=1) >= MIN_SHARE
            out.setdefault(level, {})[name] = block.mean(axis=1, skipna=True).where(enough)
    return out





def note_rows(rows, notes, groups, min_n, warnings) -> None:
    """Invariance notes onto each compared row, and the warnings on small or constant groups
    (shared by the row path and the counts path, :mod:`cxstats.stats.from_moments`)."""
    g1, g2 = groups
    for r in rows:
        _apply_note(r, notes)
        for i, g in enumerate((g1, g2)):
            if r["n"][i] < 2:
                warnings.append(f"{r['level']} {r['name']}: fewer than 2 answers from {g}; tests not computed")
            elif r["n"][i] < min_n:
                warnings.append(f"{r['level']} {r['name']}: only {r['n'][i]} answers from {g} "
                                f"(fewer than {min_n}); read with care")
        t = r.get("welch_t")
        if all(n >= 2 for n in r["n"]) and (t is None or t != t):
            warnings.append(f"{r['level']} {r['name']}: every answer is the same within each group; "
                            "the t test and effect size are not defined (a constant item?)")

def _compare_block(scores, gmask, wts, threshold, aspirations, levels_order, min_n=None):
    """Rows for every (level, name) on the rows selected by the two masks."""
    import numpy as np

    rows = []
    m1, m2 = gmask
    for level in levels_order:
        for name, s in scores.get(level, {}).items():
            y = s.to_numpy(dtype=float)
            ok = np.isfinite(y)
            a, b = y[m1 & ok], y[m2 & ok]
            wa = wb = None
            if wts is not None:
                wa, wb = wts[m1 & ok], wts[m2 & ok]
            r = {"level": level, "name": name}
            if min_n is not None and (len(a) < min_n or len(b) < min_n):
                r.update(n=[len(a), len(b)], suppressed=True,
                         note=f"suppressed: fewer than {min_n} answers in a group")
                rows.append(r)
                continue
            thr = threshold(level, name) if callable(threshold) else threshold
            r.update(compare_two(a, b, top2_threshold=thr, wa=wa, wb=wb))
            rows.append(_with_aspiration(r, aspirations, level, name, min_n))
    return rows


def _with_aspiration(r: dict, aspirations: dict, level: str, name: str, min_n) -> dict:
    """A compared row with its aspiration and each group's gap to it (and not suppressed)."""
    asp = (aspirations.get(level) or {}).get(name)
    r["aspiration"] = asp
    r["gap_to_aspiration"] = ([r["mean"][0] - asp, r["mean"][1] - asp] if asp is not None
                              else [math.nan, math.nan])
    if min_n is not None:
        r["suppressed"] = False
    return r


def _paired_block(scores, idx, threshold, aspirations, levels_order, min_n=None):
    """Paired rows for every (level, name): ``idx`` = (rows of group 1, rows of group 2), pair i
    = the same respondent id; pairs with a missing score on either side are left out."""
    import numpy as np

    i1, i2 = idx
    rows = []
    for level in levels_order:
        for name, s in scores.get(level, {}).items():
            y = s.to_numpy(dtype=float)
            a, b = y[i1], y[i2]
            ok = np.isfinite(a) & np.isfinite(b)
            r = {"level": level, "name": name}
            if min_n is not None and int(ok.sum()) < min_n:
                r.update(n=[int(ok.sum())] * 2, n_pairs=int(ok.sum()), suppressed=True,
                         note=f"suppressed: fewer than {min_n} pairs")
                rows.append(r)
                continue
            thr = threshold(level, name) if callable(threshold) else threshold
            r.update(compare_paired(a[ok], b[ok], top2_threshold=thr))
            rows.append(_with_aspiration(r, aspirations, level, name, min_n))
    return rows


def _pairs(data, id_column, lab, g1, g2):
    """Row positions of the matched ids of groups g1 and g2 (sorted by id) and the counts."""
    import numpy as np

    ids = _text_labels(data[id_column])
    where = {}
    for g in (g1, g2):
        seen = {}
        for i in np.flatnonzero(lab == g):
            key = ids[i]
            if key is None:
                continue
            if key in seen:
                raise InputError(f"respondent id {key!r} appears twice in group {g!r}: a paired "
                                 "comparison needs one row per respondent and group", column=id_column,
                                 row=int(i) + 1, value=key)
            seen[key] = int(i)
        where[g] = seen
    common = sorted(set(where[g1]) & set(where[g2]))
    i1 = np.array([where[g1][k] for k in common], dtype=int)
    i2 = np.array([where[g2][k] for k in common], dtype=int)
    info = {"id_column": id_column, "n_pairs": len(common),
            "unmatched": {g1: len(where[g1]) - len(common), g2: len(where[g2]) - len(common)},
            "n_ids": {g1: len(where[g1]), g2: len(where[g2])}}
    return (i1, i2), info


def _one_block(scores, mask, wts, threshold, aspirations, levels_order, min_n=None):
    """One-group rows for every (level, name) on the rows selected by ``mask``."""
    import numpy as np

    rows = []
    for level in levels_order:
        for name, s in scores.get(level, {}).items():
            y = s.to_numpy(dtype=float)
            ok = mask & np.isfinite(y)
            x = y[ok]
            r = {"level": level, "name": name}
            if min_n is not None and len(x) < min_n:
                r.update(n=len(x), suppressed=True, note=f"suppressed: fewer than {min_n} answers")
                rows.append(r)
                continue
            thr = threshold(level, name) if callable(threshold) else threshold
            asp = (aspirations.get(level) or {}).get(name)
            r.update(describe_one(x, asp, top2_threshold=thr, w=wts[ok] if wts is not None else None))
            if min_n is not None:
                r["suppressed"] = False
            rows.append(r)
    return rows


def _adjust(rows, alpha, weighted, one_group=False, paired=False):
    import numpy as np

    for level in LEVELS:
        fam = [r for r in rows if r["level"] == level and not r.get("suppressed")]
        if not fam:
            continue
        if one_group or paired:
            pairs = [("pvalue", "p_holm", "p_bh"), ("wilcoxon_pvalue", "wilcoxon_p_holm", "wilcoxon_p_bh")]
            wpair = ("gap_pvalue", "gap_p_holm", "gap_p_bh")
        else:
            pairs = [("pvalue", "p_holm", "p_bh"), ("mw_pvalue", "mw_p_holm", "mw_p_bh")]
            wpair = ("diff_pvalue", "diff_p_holm", "diff_p_bh")
        if weighted:
            pairs.append(wpair)
        for src, holm, bh in pairs:
            p = [r.get(src, math.nan) for r in fam]
            for r, h, b in zip(fam, adjust_pvalues(p, "holm"), adjust_pvalues(p, "bh")):
                r[holm], r[bh] = float(h), float(b)
        for r in fam:
            key = wpair[1] if weighted else "p_holm"
            p = r.get(key, math.nan)
            r["significant"] = bool(np.isfinite(p) and p < alpha)


def _check_levels(data, levels, items, extra_columns):
    """Validated ``{level: {name: [items]}}`` and the item columns needed, in order."""
    levels = {k: dict(v) for k, v in (levels or {}).items() if v}
    if items:
        levels.setdefault("item", {}).update({i: [i] for i in items})
    if not levels:
        raise InputError("no items to compare: give items or scales")
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        raise InputError(f"unknown level(s) {unknown}; use {', '.join(LEVELS)}")
    needed = []
    for lv in levels.values():
        for its in lv.values():
            if not its:
                raise InputError("a scale with no items")
            needed.extend(i for i in its if i not in needed)
    for c in needed + [c for c in extra_columns if c]:
        if c not in data.columns:
            raise InputError("no such column", column=c)
    return levels, needed


def _top2_setup(values, sel, needed, levels, scale_max, warnings):
    """(scale maximum, its source, threshold(level, name)) for top-2-box."""
    import numpy as np

    per_item_max = {}
    if isinstance(scale_max, dict):
        per_item_max = {str(k): float(v) for k, v in scale_max.items()}
        scale_max = None
    if scale_max is None:
        pooled = values[[c for c in needed if c not in per_item_max]].to_numpy()[sel]
        finite = pooled[np.isfinite(pooled)]
        scale_max_v = float(finite.max()) if finite.size else None
        source = "observed maximum of the pooled answers"
        if per_item_max:
            source = "the scale of each item" + (" (others: observed maximum)" if finite.size else "")
            if not finite.size:
                scale_max_v = max(per_item_max.values())
        elif scale_max_v is not None:
            warnings.append(f"top-2-box uses the observed maximum {scale_max_v:g} as the scale maximum; "
                            "give the scale maximum if nobody chose the top answer")
    else:
        scale_max_v = float(scale_max)
        source = "given"

    def threshold(level, name):
        tops = {per_item_max.get(i, scale_max_v) for i in levels[level][name]}
        tops.discard(None)
        return max(tops) - 1 if tops else None

    return scale_max_v, source, threshold


def _weights(data, weight, sel):
    """The weight column as floats, refusing negative or non-numeric weights on selected rows."""
    import numpy as np
    import pandas as pd

    wts = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(sel & ~(np.isfinite(wts) & (wts >= 0))):
        raise InputError("a survey weight must be a non-negative number", column=weight,
                         row=int(i) + 1, value=str(data[weight].iloc[i]))
    return wts


def _text_labels(column):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v)
            for v in column.tolist()]


def analyze_gaps(data, group=None, *, levels=None, items=None, compare=None, scale_max=None,
                 aspirations=None, weight=None, by=None, min_n: int = 30, invariance=None,
                 alpha: float = 0.05, label: str = "all", paired: bool | None = False,
                 id_column: str | None = None) -> GapsResult:
    """Compare two groups on items and on scores built from them, or, with ``group=None``,
    one group against the aspirations (:func:`analyze_aspiration_gaps`, every row of ``data``,
    called ``label``; ``compare`` and ``invariance`` do not apply).

    ``data``: a DataFrame with the numeric item columns, the group column ``group``
    (text labels; None/NaN = unknown, dropped), optionally a ``weight`` column and a
    segment column ``by``.
    ``levels``: ``{"item": {...}, "construct": {name: [items]}, "touchpoint": {...},
    "component": {...}}``; ``items`` (a list) is the short form for items only.
    ``aspirations``: ``{level: {name: target}}``. ``invariance``:
    ``{construct: "configural"|"metric"|"scalar"|"strict"|"none"}``.

    Paired mode (the same respondents in both groups, e.g. satisfaction and importance rows
    stacked): ``paired=True`` pairs the rows of the two groups by respondent id
    (``id_column``); ``paired=None`` pairs them automatically, with a warning, when at least
    half (``AUTO_PAIR_SHARE``) of EACH group's ids are also in the other group. Unmatched
    ids are counted (``GapsResult.pairing``) and left out. Per row: paired t, Wilcoxon
    signed-rank, d_z (:func:`cxstats.stats.gaps.tests.compare_paired`), Holm/BH per family.
    """
    if group is None:
        if compare is not None:
            raise InputError("compare needs group: the column holding the groups to compare",
                             option="compare")
        return analyze_aspiration_gaps(data, levels=levels, items=items, scale_max=scale_max,
                                       aspirations=aspirations, weight=weight, by=by, min_n=min_n,
                                       alpha=alpha, label=label)
    import numpy as np
    import pandas as pd

    levels, needed = _check_levels(data, levels, items, [group, weight, by, id_column])
    warnings = []

    labels = _text_labels(data[group])
    g1, g2 = _choose_groups(labels, group, compare)
    lab = np.array([x if x is not None else "" for x in labels], dtype=object)
    m1, m2 = lab == g1, lab == g2
    pairing = None
    if paired is not False and id_column:
        try:
            idx, pairing = _pairs(data, id_column, lab, g1, g2)
        except InputError:
            if paired:
                raise
            idx, pairing = None, {"n_ids": {g1: 0, g2: 0}, "n_pairs": 0}  # repeated ids: not paired data
        n1, n2 = pairing["n_ids"][g1], pairing["n_ids"][g2]
        share_ok = bool(n1 and n2 and pairing["n_pairs"] >= AUTO_PAIR_SHARE * max(n1, n2))
        if paired is None and share_ok:
            pairing["detected"] = True
            warnings.append(f"the same respondent ids ({id_column}) are in both groups ({pairing['n_pairs']} "
                            f"of {n1} {g1} and {n2} {g2} ids): the groups are compared as PAIRED data "
                            "(paired t, Wilcoxon signed-rank, d_z); unpaired Welch tests would ignore "
                            "the pairing (say paired: false to compare them as independent groups)")
        elif paired is None:
            pairing = None
        else:
            pairing["detected"] = False
    elif paired:
        raise InputError("a paired comparison needs the respondent id column that pairs the rows",
                         option="id")
    if pairing is not None:
        if weight:
            raise InputError("survey weights are not supported in a paired comparison", option="weight")
        if pairing["n_pairs"] == 0:
            raise InputError(f"no respondent id of {g1!r} is also in {g2!r}: nothing to pair",
                             column=id_column)
        um = pairing["unmatched"]
        if um[g1] or um[g2]:
            warnings.append(f"paired by {id_column}: {pairing['n_pairs']} respondents in both groups; "
                            f"{um[g1]} ids only in {g1} and {um[g2]} only in {g2} are left out")
    n_unknown = sum(1 for x in labels if x is None)
    if n_unknown:
        warnings.append(f"{n_unknown} respondents have no value in {group} and are left out")

    values = data[needed].apply(pd.to_numeric, errors="coerce").astype(float)
    sel = m1 | m2
    scale_max_v, source, threshold = _top2_setup(values, sel, needed, levels, scale_max, warnings)

    wts = None
    if weight:
        wts = _weights(data, weight, sel)
        zero = sel & (wts == 0)
        if zero.any():
            warnings.append(f"{int(zero.sum())} respondents with weight 0 are left out")
            m1, m2 = m1 & (wts > 0), m2 & (wts > 0)

    sizes = {g1: int(m1.sum()), g2: int(m2.sum())}
    for g, n in sizes.items():
        if n == 0:
            raise InputError(f"group {g!r} has no respondents left to compare", column=group, value=g)

    scores = _scores(values, levels)
    asp = {k: dict(v) for k, v in (aspirations or {}).items()}
    if pairing is not None:
        return _paired_result(data, scores, idx, pairing, threshold, asp, (g1, g2), group, scale_max_v,
                              source, by, min_n, alpha, levels, invariance, warnings)
    rows = _compare_block(scores, (m1, m2), wts, threshold, asp, LEVELS)
    _adjust(rows, alpha, bool(weight))

    notes = _invariance_notes(levels, invariance)
    note_rows(rows, notes, (g1, g2), min_n, warnings)

    def segment_block(sm):
        block = _compare_block(scores, (m1 & sm, m2 & sm), wts, threshold, asp, LEVELS, min_n=min_n)
        _adjust(block, alpha, bool(weight))
        for r in block:
            _apply_note(r, notes)
        return block

    seg_rows = _by_segment(data, by, segment_block, min_n, warnings, "answers in a group")

    return GapsResult(groups=(g1, g2), group_column=group, rows=rows, scale_max=scale_max_v,
                     scale_max_source=source, weight=weight, segment_column=by, min_n=min_n,
                     segments=seg_rows, group_sizes=sizes, invariance=dict(invariance or {}),
                     alpha=alpha, levels=levels, warnings=warnings)


def _paired_result(data, scores, idx, pairing, threshold, asp, groups, group, scale_max_v, source, by,
                   min_n, alpha, levels, invariance, warnings) -> GapsResult:
    """The paired comparison of :func:`analyze_gaps` (rows paired by respondent id)."""
    rows = _paired_block(scores, idx, threshold, asp, LEVELS)
    _adjust(rows, alpha, False, paired=True)
    notes = _invariance_notes(levels, invariance)
    for r in rows:
        _apply_note(r, notes)
        if r["n_pairs"] < 2:
            warnings.append(f"{r['level']} {r['name']}: fewer than 2 pairs; tests not computed")
        elif r["n_pairs"] < min_n:
            warnings.append(f"{r['level']} {r['name']}: only {r['n_pairs']} pairs (fewer than {min_n}); "
                            "read with care")
        if r["n_pairs"] >= 2 and not math.isfinite(r["paired_t"]):
            warnings.append(f"{r['level']} {r['name']}: every difference is the same; the paired t test "
                            "and d_z are not defined")

    i1, i2 = idx

    def segment_block(sm):
        keep = sm[i1]   # a pair belongs to the segment of its first-group row
        block = _paired_block(scores, (i1[keep], i2[keep]), threshold, asp, LEVELS, min_n=min_n)
        _adjust(block, alpha, False, paired=True)
        for r in block:
            _apply_note(r, notes)
        return block

    seg_rows = _by_segment(data, by, segment_block, min_n, warnings, "pairs")
    g1, g2 = groups
    return GapsResult(groups=groups, group_column=group, rows=rows, scale_max=scale_max_v,
                     scale_max_source=source, weight=None, segment_column=by, min_n=min_n,
                     segments=seg_rows, group_sizes={g1: pairing["n_ids"][g1], g2: pairing["n_ids"][g2]},
                     invariance=dict(invariance or {}), alpha=alpha, levels=levels, warnings=warnings,
                     pairing=pairing)


def analyze_aspiration_gaps(data, *, levels=None, items=None, scale_max=None, aspirations=None,
                            weight=None, by=None, min_n: int = 30, alpha: float = 0.05,
                            label: str = "all", group_column: str | None = None) -> GapsResult:
    """One group (every row of ``data``, called ``label``) against the aspirations.

    Same inputs as :func:`analyze_gaps` without the group; ``group_column`` only records
    where ``label`` came from (e.g. ``respondent_type``). Every row gets n, mean, SD,
    top-2-box; rows with an aspiration also the gap, the one-sample t and Wilcoxon tests,
    Cohen's d / Hedges' g and Holm/BH per family (module docstring). At least one row
    needs an aspiration.
    """
    import numpy as np
    import pandas as pd

    levels, needed = _check_levels(data, levels, items, [weight, by])
    asp = {k: {n: float(v) for n, v in (d or {}).items() if v is not None}
           for k, d in (aspirations or {}).items()}
    if not any(n in (levels.get(lv) or {}) for lv, d in asp.items() for n in d):
        raise InputError("no aspiration for any item, construct, touchpoint or component: a one-group "
                         "gap analysis measures the distance to the aspirations (give them, e.g. "
                         "NAME=4.5, or aspiration: in the spec), or compare two groups (group)",
                         option="aspirations")
    warnings = []
    mask = np.ones(len(data), dtype=bool)
    values = data[needed].apply(pd.to_numeric, errors="coerce").astype(float)
    scale_max_v, source, threshold = _top2_setup(values, mask, needed, levels, scale_max, warnings)
    wts = None
    if weight:
        wts = _weights(data, weight, mask)
        zero = wts == 0
        if zero.any():
            warnings.append(f"{int(zero.sum())} respondents with weight 0 are left out")
            mask = mask & (wts > 0)
    n_total = int(mask.sum())
    if n_total == 0:
        raise InputError(f"no respondents in {label!r} to analyse", column=group_column, value=label)

    scores = _scores(values, levels)
    rows = _one_block(scores, mask, wts, threshold, asp, LEVELS)
    _adjust(rows, alpha, bool(weight), one_group=True)
    missing = [f"{r['level']} {r['name']}" for r in rows if r["aspiration"] is None]
    if missing:
        warnings.append(f"{len(missing)} rows have no aspiration (descriptives only, no tests): "
                        + ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else ""))
    for r in rows:
        if r["n"] < 2:
            warnings.append(f"{r['level']} {r['name']}: fewer than 2 answers; tests not computed")
        elif r["n"] < min_n:
            warnings.append(f"{r['level']} {r['name']}: only {r['n']} answers (fewer than {min_n}); "
                            "read with care")
        if r["aspiration"] is not None and r["n"] >= 2 and not math.isfinite(r["t"]):
            warnings.append(f"{r['level']} {r['name']}: every answer is the same; the t test and "
                            "effect size are not defined (a constant item?)")

    def segment_block(sm):
        block = _one_block(scores, mask & sm, wts, threshold, asp, LEVELS, min_n=min_n)
        _adjust(block, alpha, bool(weight), one_group=True)
        return block

    seg_rows = _by_segment(data, by, segment_block, min_n, warnings, "answers")

    return GapsResult(groups=(label,), group_column=group_column, rows=rows, scale_max=scale_max_v,
                     scale_max_source=source, weight=weight, segment_column=by, min_n=min_n,
                     segments=seg_rows, group_sizes={label: n_total}, invariance={}, alpha=alpha,
                     levels=levels, warnings=warnings)


def _by_segment(data, by, make_block, min_n, warnings, unit):
    """Rows of ``make_block(mask of the segment)`` for every value of segment column ``by``
    (none without ``by``), tagged with their segment; suppressed cells counted in a warning."""
    import numpy as np

    if not by:
        return []
    labels = _text_labels(data[by])
    values = np.array([x if x is not None else "" for x in labels], dtype=object)
    rows = []
    for seg in sorted({x for x in labels if x is not None}):
        block = make_block(values == seg)
        for r in block:
            r["segment"] = seg
        rows.extend(block)
    n_sup = sum(1 for r in rows if r.get("suppressed"))
    if n_sup:
        warnings.append(f"{n_sup} segment cells have fewer than {min_n} {unit} and are suppressed")
    return rows




def expand_aspirations(levels, targets) -> dict:
    """``{name: target}`` -> ``{level: {name: target}}`` for :func:`analyze_gaps`.

    A name may be an item, construct, touchpoint or component. Items without a target
    of their own inherit their construct's; a touchpoint or component without one gets
    the mean of its constructs' targets when every one of its items belongs to a
    construct with a target. Unknown names raise :class:`InputError`.
    """
    known = {n for lv in levels.values() for n in lv}
    for name in targets:
        if name not in known:
            raise InputError(f"aspiration for {name!r}, which is not an item, construct, touchpoint or "
                             f"component here (known: {', '.join(sorted(known)[:20])})", value=name,
                             option="aspirations")
    out = {lv: {n: float(targets[n]) for n in names if n in targets} for lv, names in levels.items()}
    constructs = levels.get("construct") or {}
    c_target = {c: out.get("construct", {}).get(c) for c in constructs}
    for item in (levels.get("item") or {}):
        if item in out.get("item", {}):
            continue
        owners = [c for c, its in constructs.items() if item in its and c_target.get(c) is not None]
        if len(owners) == 1:
            out.setdefault("item", {})[item] = c_target[owners[0]]
    for lv in ("touchpoint", "component"):
        for name, items in (levels.get(lv) or {}).items():
            if name in out.get(lv, {}):
                continue
            inside = [c for c, its in constructs.items() if set(its) <= set(items)]
            covered = {i for c in inside for i in constructs[c]}
            if inside and covered >= set(items) and all(c_target.get(c) is not None for c in inside):
                out.setdefault(lv, {})[name] = sum(c_target[c] for c in inside) / len(inside)
    return {k: v for k, v in out.items() if v}

