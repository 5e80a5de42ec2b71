"""The survey table as a SQL view: the spec's recoding inside the query, moments by aggregation.

Pass 1 collects each scored column's distinct cells (a handful per column, as ingest's
``_scored_column`` factorizes them) and decodes them with ingest's own rules
(:func:`cxstats.io.survey._code_from_cell`: numbers, decimal commas, answer labels in any
language, missing codes, range and whole-code checks); the codes, reverse keying included, go
into the query as ``CASE`` expressions, so every later aggregation recodes on the fly. A cell
that ingest would refuse is refused here the same way: file, column, row (from a sample of the
offending rows) and value. Every moment query is one more pass; :attr:`EngineSurvey.passes`
counts them.
"""

from __future__ import annotations

import math
from fractions import Fraction

from cxstats.errors import InputError
from cxstats.moments import Counts, Moments, PatternMoments

MAX_PROBLEMS_SHOWN = 12
# Moments: whole-number codes (every rating scale) are shifted to the scale's middle and summed,
# with their cross-products, in double precision - exact, since every partial sum is a whole
# number below 2^53 (9e15: a 0-10 scale's products are at most 25, so beyond 10^14 answers) - and
# M2 = Sxy - Sx Sy / n is formed as an exact fraction and rounded once;
# other columns use the engine's one-pass stable aggregates (avg, covar_pop: Welford updates
# merged by Chan's formula in DuckDB and Spark).


def _num(x: float) -> str:
    return repr(float(x))


def sql_double(x: float) -> str:
    """A DOUBLE literal with every bit of ``x`` (repr round-trips; the exponent makes Spark read a
    double, not a DECIMAL)."""
    r = repr(float(x))
    if not math.isfinite(float(x)):
        raise ValueError(f"not a finite number: {r}")
    r = r if "e" in r else r + "e0"
    return f"({r})" if r.startswith("-") else r


def _text(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


class EngineSurvey:
    """``spec`` + files read by a SQL backend (:class:`~cxstats.engine.duck.DuckBackend`,
    :class:`~cxstats.engine.spark.SparkBackend`)."""

    def __init__(self, spec, files, backend):
        self.spec, self.files, self.b = spec, list(files), backend
        self.passes = 0
        self.sources = [str(p) for p, _ in self.files]
        self._view = None

    # ------------------------------------------------------------------------- the view
    def view(self) -> str:
        """SQL of the recoded survey table (columns: respondent_type, items, outcomes, segments)."""
        if self._view is None:
            parts = [self._file_select(i, path, kind) for i, (path, kind) in enumerate(self.files)]
            self._view = "\nUNION ALL\n".join(parts)
        return self._view

    def _file_select(self, i: int, path, kind) -> str:
        from cxstats.io.survey import TYPES, _code_from_cell, _respondent_type, _segment_value

        spec, q = self.spec, self.b.quote
        name = f"cx_src_{i}"
        self.b.register(name, path)
        have = self.b.columns(name)
        if kind is not None and kind not in TYPES:
            raise InputError(f"respondent type must be 'customer' or 'staff', not {kind!r}", file=str(path))
        r = spec.respondents
        required = spec.item_ids() + ([r.id_column] if r.id_column else [])
        absent = [c for c in required if c not in have]
        if absent:
            raise InputError(f"the file has no column {absent[0]!r} (it has: {', '.join(have[:30])})",
                             file=str(path), column=absent[0])
        scored = spec.scored_columns()
        wanted = [c for c in scored if c in have] + [g.id for g in spec.segments if g.id in have]
        type_col = r.type_column if (kind is None and r.type_column and r.type_column in have) else None
        if type_col:
            wanted.append(type_col)
        distinct = self.b.distinct_values(name, wanted)
        self.passes += 1
        problems = []           # (column, bad raw values, reason per value)
        exprs = [f"NULLIF(trim(CAST({q(r.id_column)} AS STRING)), '') AS respondent_id" if r.id_column
                 else "CAST(NULL AS STRING) AS respondent_id"]
        if kind is not None:
            exprs.append(f"{_text(kind)} AS respondent_type")
        elif type_col:
            allowed = ", ".join(r.customer_values + r.staff_values)
            cases, bad = [], {}
            for v in distinct[type_col]:
                t = _respondent_type(v, spec)
                if t is None:
                    bad[v] = f"unknown respondent type (expected one of: {allowed})"
                else:
                    cases.append(f"WHEN {_text(v)} THEN {_text(t)}")
            if bad:
                problems.append((type_col, bad))
            exprs.append(self._case(type_col, cases, "NULL") + " AS respondent_type")
        else:
            exprs.append("'customer' AS respondent_type")
        reverse = {it.id for it in spec.items() if it.reverse}
        for col, scale in scored.items():
            if col not in have:
                exprs.append(f"CAST(NULL AS DOUBLE) AS {q(col)}")
                continue
            lookup = scale.label_lookup()
            cases, bad = [], {}
            for v in distinct[col]:
                code, problem = _code_from_cell(v, scale, lookup, None)
                if problem:
                    bad[v] = problem
                elif not math.isnan(code):
                    if col in reverse:
                        code = scale.reverse(code)
                    cases.append(f"WHEN {_text(v)} THEN {_num(code)}")
            if bad:
                problems.append((col, bad))
            exprs.append(self._case(col, cases, "CAST(NULL AS DOUBLE)", double=True) + f" AS {q(col)}")
        for seg in spec.segments:
            if seg.id not in have:
                exprs.append(f"CAST(NULL AS STRING) AS {q(seg.id)}")
                continue
            cases, bad = [], {}
            for v in distinct[seg.id]:
                code = _segment_value(v, seg)
                if code is None:
                    bad[v] = f"unknown value of segment '{seg.id}' (expected: {', '.join(seg.values)})"
                elif not (isinstance(code, float) and math.isnan(code)):
                    cases.append(f"WHEN {_text(v)} THEN {_text(code)}")
            if bad:
                problems.append((seg.id, bad))
            exprs.append(self._case(seg.id, cases, "CAST(NULL AS STRING)") + f" AS {q(seg.id)}")
        if problems:
            self._refuse(name, path, problems)
        return "SELECT " + ",\n  ".join(exprs) + f"\nFROM {name}"

    def _case(self, col: str, cases: list, default: str, double: bool = False) -> str:
        if not cases:
            return default
        cast = "CAST({} AS DOUBLE)" if double else "{}"
        return cast.format(f"CASE CAST({self.b.quote(col)} AS STRING) " + " ".join(cases)
                           + f" ELSE {default} END")

    def _refuse(self, name, path, problems):
        """Refuse like ingest: the first offending cell (file, column, row, value), the next ones
        as details, from a sample of the offending rows."""
        items = []
        total = 0
        for col, bad in problems:
            rows, count = self.b.offending_rows(name, col, list(bad), MAX_PROBLEMS_SHOWN)
            total += count
            for rn, v in rows:
                items.append((rn, col, v, bad[v]))
        items.sort(key=lambda t: (t[0], t[1]))
        if not items:   # the sample found no row (cannot happen with the same cast; be safe)
            col, bad = problems[0]
            value, reason = next(iter(bad.items()))
            raise InputError(reason, file=str(path), column=col, value=str(value))
        first_row = self.b.first_row(name)
        (rn, col, value, reason), rest = items[0], items[1:MAX_PROBLEMS_SHOWN]
        details = [f"column '{c}', row {r + first_row - 1}, value {v!r}: {why}" for r, c, v, why in rest]
        if total > MAX_PROBLEMS_SHOWN:
            details.append(f"... and {total - MAX_PROBLEMS_SHOWN} more problems in this file")
        if total > 1:
            reason = f"{reason} ({total} problems in this file; the others follow)"
        raise InputError(reason, file=str(path), column=col, row=int(rn + first_row - 1), value=str(value),
                         details=details)

    # ------------------------------------------------------------------------- moments
    def pattern_moments(self, columns, group: str | None = None, where: str | None = None,
                        blocks=None, exprs: dict | None = None) -> dict:
        """``{group value or None: PatternMoments}`` of ``columns`` in one aggregation pass.

        ``blocks`` (lists of columns, e.g. each scale's items): co-moments only within a block
        (the others are NaN: use :meth:`PatternMoments.project` on a block), which cuts the
        k(k+1)/2 aggregates of all pairs to the few a per-scale analysis needs. ``exprs``:
        ``{column: SQL expression of the view's columns}`` for columns that are not in the view
        (e.g. :meth:`score_expr` of a construct's items); their values are not whole codes."""
        cols = list(columns)
        k = len(cols)
        exprs = dict(exprs or {})

        def q(c, _quote=self.b.quote):     # a column of the view, or its given expression
            return f"({exprs[c]})" if c in exprs else _quote(c)
        if k > 62:
            raise InputError(f"{k} variables in one moment query; at most 62 (answer patterns are "
                             "64-bit masks)")
        pat = " + ".join(f"CASE WHEN {q(c)} IS NULL THEN 0 ELSE {1 << i} END" for i, c in enumerate(cols))
        shifts = None if any(c in exprs for c in cols) else self._integer_shifts(cols)
        # the inner query's columns cx_0.. : shifted whole codes (exact integer sums), else the values
        inner = [f"{q(c)} - {float(shifts[c])!r}" if shifts is not None else q(c) for c in cols]
        xs = [f"cx_{i}" for i in range(k)]
        if shifts is not None:   # whole codes: exact sums of shifted values
            aggs = ["count(*)"] + [f"sum({x})" for x in xs]
        else:                    # other values: the engine's stable (Welford/Chan) aggregates
            aggs = ["count(*)"] + [f"avg({x})" for x in xs]
        if blocks is None:
            pairs = [(i, j) for i in range(k) for j in range(i, k)]
        else:
            pos = {c: i for i, c in enumerate(cols)}
            pairs = sorted({(min(pos[a], pos[b]), max(pos[a], pos[b])) for blk in blocks for a in blk for b in blk})
        if shifts is not None:
            aggs += [f"sum({xs[i]} * {xs[j]})" for i, j in pairs]
        else:
            aggs += [f"covar_pop({xs[i]}, {xs[j]})" for i, j in pairs]
        gexpr = f"CAST({q(group)} AS STRING)" if group else "CAST(NULL AS STRING)"
        sql = (f"SELECT cx_g, cx_pat, {', '.join(aggs)} FROM (SELECT {gexpr} AS cx_g, {pat} AS cx_pat, "
               f"{', '.join(f'{e} AS {x}' for e, x in zip(inner, xs))} FROM ({self.view()}) cx_v"
               + (f" WHERE {where}" if where else "") + ") cx_t GROUP BY cx_g, cx_pat")
        rows = self.b.query(sql)
        self.passes += 1
        import numpy as np

        out: dict = {}
        for row in rows:
            g, code, n = row[0], int(row[1]), int(row[2])
            key = tuple(bool(code >> i & 1) for i in range(k))
            obs = [i for i in range(k) if key[i]]
            full = np.zeros((k, k)) if blocks is None else np.full((k, k), np.nan)
            if shifts is not None:
                mean, lo = _exact_means(n, [int(row[3 + i]) for i in obs], [shifts[cols[i]] for i in obs])
                sums = {i: int(row[3 + i]) for i in obs}
                for (i, j), v in zip(pairs, row[3 + k:]):
                    if key[i] and key[j]:   # M2 = Sxy - Sx Sy / n, exact rational, rounded once
                        full[i, j] = full[j, i] = float(Fraction(int(v) * n - sums[i] * sums[j], n))
            else:
                mean, lo = np.array([float(row[3 + i]) for i in obs]), None
                for (i, j), v in zip(pairs, row[3 + k:]):
                    full[i, j] = full[j, i] = 0.0 if v is None else float(v) * n
            m = Moments(tuple(cols[i] for i in obs), n, float(n), float(n), mean, full[np.ix_(obs, obs)], lo)
            out.setdefault(g, PatternMoments(tuple(cols), {})).add(key, m)
        return out

    def _integer_shifts(self, cols):
        """{column: whole-number shift near the scale's middle} when every column holds whole codes
        on a scale with whole ends (reverse keying keeps them whole), else None."""
        scored = self.spec.scored_columns()
        out = {}
        for c in cols:
            sc = scored.get(c)
            if sc is None or not sc.integer or not float(sc.min).is_integer() or not float(sc.max).is_integer():
                return None
            out[c] = int((sc.min + sc.max) // 2)
        return out

    def summary(self) -> dict:
        """Ingest's summary in one pass: respondents per type and missing answers per column."""
        q = self.b.quote
        cols = list(self.spec.scored_columns())
        aggs = [f"sum(CASE WHEN respondent_type = '{t}' THEN 1 ELSE 0 END)" for t in ("customer", "staff")]
        aggs += [f"count(*) - count({q(c)})" for c in cols]
        row = self.b.query(f"SELECT {', '.join(aggs)} FROM ({self.view()}) cx_v")[0]
        self.passes += 1
        return {"respondents": {"customer": int(row[0] or 0), "staff": int(row[1] or 0)},
                "missing_answers": {c: int(v) for c, v in zip(cols, row[2:]) if v}}

    def write_parquet(self, path) -> None:
        """The recoded survey table (respondent_id, respondent_type, items, outcomes, segments) as
        Parquet, written by the engine in one pass without holding the rows."""
        self.b.copy_parquet(self.view(), path)
        self.passes += 1

    def count_rows(self, where: str | None = None) -> int:
        """Rows of the survey (matching ``where``)."""
        self.passes += 1
        sql = f"SELECT count(*) FROM ({self.view()}) cx_v" + (f" WHERE {where}" if where else "")
        return int(self.b.query(sql)[0][0])

    def counts(self, column: str, group: str | None = None, where: str | None = None) -> dict:
        """``{group value or None: Counts}`` of the values of ``column``."""
        return {k[0]: c for k, c in self.cell_counts(column, [group], where).items()}

    def cell_counts(self, column: str | None, cells, where: str | None = None, *, expr: str | None = None) -> dict:
        """``{(value of each cell column, or None): Counts}`` of ``column``'s answers, one
        aggregation pass; a cell whose rows all lack an answer is kept with empty counts (so
        every group present in the data is known). ``cells`` entries may be None (no column).
        ``expr``: count this SQL expression of the view's columns instead of ``column``."""
        q = self.b.quote
        gexprs = [f"CAST({q(c)} AS STRING)" if c else "CAST(NULL AS STRING)" for c in cells]
        names = [f"cx_g{i}" for i in range(len(gexprs))]
        sel = ", ".join(f"{e} AS {n}" for e, n in zip(gexprs, names))
        x = expr if expr is not None else q(column)
        sql = (f"SELECT {', '.join(names)}, cx_x, count(*) FROM (SELECT {sel}, {x} AS cx_x "
               f"FROM ({self.view()}) cx_v" + (f" WHERE {where}" if where else "") + ") cx_t "
               f"GROUP BY {', '.join(names)}, cx_x")
        out: dict = {}
        for row in self.b.query(sql):
            key, x, n = tuple(row[:len(names)]), row[len(names)], row[len(names) + 1]
            c = out.setdefault(key, Counts({}))
            if x is not None:
                c.counts[float(x)] = int(n)
        self.passes += 1
        return out


    def cell_counts_many(self, exprs: dict, cells, where: str | None = None) -> dict:
        """``{key: {(value of each cell column, or None): Counts}}`` of every SQL expression of
        ``exprs`` (``{key: expression}``), as :meth:`cell_counts` but in ONE pass over the data
        (GROUPING SETS: one (cells, expression) grouping per key)."""
        q = self.b.quote
        keys = list(exprs)
        if not keys:
            return {}
        gexprs = [f"CAST({q(c)} AS STRING)" if c else "CAST(NULL AS STRING)" for c in cells]
        names = [f"cx_g{i}" for i in range(len(gexprs))]
        xs = [f"cx_x{i}" for i in range(len(keys))]
        inner = ", ".join([f"{e} AS {n}" for e, n in zip(gexprs, names)]
                          + [f"{exprs[k]} AS {x}" for k, x in zip(keys, xs)])
        sets = ", ".join("(" + ", ".join(names + [x]) + ")" for x in xs)
        sql = (f"SELECT {', '.join(names + xs)}, count(*), {', '.join(f'grouping({x})' for x in xs)} "
               f"FROM (SELECT {inner} FROM ({self.view()}) cx_v" + (f" WHERE {where}" if where else "")
               + f") cx_t GROUP BY GROUPING SETS ({sets})")
        out: dict = {k: {} for k in keys}
        g, k = len(names), len(keys)
        for row in self.b.query(sql):
            flags = row[g + k + 1:]
            i = next(j for j, f in enumerate(flags) if not f)   # the set this row belongs to
            c = out[keys[i]].setdefault(tuple(row[:g]), Counts({}))
            x = row[g + i]
            if x is not None:
                c.counts[float(x)] = c.counts.get(float(x), 0) + int(row[g + k])
        self.passes += 1
        return out

    double = staticmethod(sql_double)

    def row_sums(self, exprs: dict, sums, where: str | None = None, *, then=()) -> tuple:
        """``(rows, [sum of each expression of sums])`` over the rows where ``where`` holds and
        every expression of ``exprs`` (``{alias: SQL of the view's columns}``) is not NULL, in one
        aggregation pass. ``then``: dicts ``{alias: SQL of earlier aliases}`` computed in turn
        (each a subquery, so a long expression is written once); ``sums`` are SQL of any alias.
        Used for the second pass of statistics that need each row's value of a function of a
        first pass's results (e.g. HC3 residuals and leverages)."""
        if not exprs or not sums:
            raise ValueError("row_sums needs expressions and sums")
        sql = (f"SELECT {', '.join(f'{e} AS {a}' for a, e in exprs.items())} FROM ({self.view()}) cx_v"
               + (f" WHERE {where}" if where else ""))
        sql = (f"SELECT * FROM ({sql}) cx_s0 WHERE "
               + " AND ".join(f"{a} IS NOT NULL" for a in exprs))
        for i, stage in enumerate(then, 1):
            sql = f"SELECT *, {', '.join(f'{e} AS {a}' for a, e in stage.items())} FROM ({sql}) cx_s{i}"
        row = self.b.query(f"SELECT count(*), {', '.join(f'sum({s})' for s in sums)} FROM ({sql}) cx_t")[0]
        self.passes += 1
        return int(row[0]), [float(v) if v is not None else 0.0 for v in row[1:]]

    def score_expr(self, items, min_share: float = 0.5) -> str:
        """SQL of a respondent's scale score: the mean of the ``items`` answered, NULL unless at
        least ``min_share`` of them are (one item: its answer), as ``stats.gaps.analysis._scores``."""
        q = self.b.quote
        items = list(items)
        if len(items) == 1:
            return f"CAST({q(items[0])} AS DOUBLE)"
        answered = " + ".join(f"CASE WHEN {q(i)} IS NULL THEN 0 ELSE 1 END" for i in items)
        total = " + ".join(f"coalesce(CAST({q(i)} AS DOUBLE), 0.0)" for i in items)
        return (f"CASE WHEN CAST({answered} AS DOUBLE) / {len(items)} >= {float(min_share)!r} "
                f"THEN ({total}) / CAST({answered} AS DOUBLE) END")


    # ------------------------------------------------------------------------- Poisson bootstrap
    def bootstrap_sums(self, columns, replicates: int, seed: int, *, group: str | None = None,
                       where: str | None = None, blocks=None, exprs: dict | None = None,
                       missing: str = "pairwise", shifts: dict | None = None,
                       jackknife: bool = False, sums_only=()) -> dict:
        """Poisson-bootstrap replicate sums of ``columns`` in ONE aggregation pass: the view
        cross-joined with the replicate numbers 1..B, each row weighted by its Poisson(1) weight of
        each replicate (:mod:`cxstats.stats.poisson_bootstrap`: a function of seed, respondent type and
        respondent id, the same in numpy), grouped by (group, replicate).

        Returns ``{group value or None: {"n", "sx", "sxy": (B, k, k) arrays, "jack": {...}}}`` with
        the sums of :func:`cxstats.stats.poisson_bootstrap.replicate_sums` (pairwise: n_ij, the sum of
        x_i - shift_i over rows answering i and j, the sum of products; ``listwise``: rows complete on
        every column). ``blocks``: pairs only within a block (others NaN). ``shifts``: ``{column:
        shift}`` (default: the scale's middle for whole codes, as :meth:`pattern_moments`; 0 for
        ``exprs`` columns). ``jackknife``: also the unweighted sums per hash group of rows
        (``a mod 1000``; replicate 0 of the same pass) as ``"jack": {group id: (n, sx, sxy)}``.
        ``sums_only`` (listwise without blocks): more columns (of ``exprs``) whose weighted sums
        alone are wanted, over the same rows, as ``"s_only"``: (B, len(sums_only))."""
        import numpy as np

        r = self.spec.respondents
        if not r.id_column:
            raise InputError("the Poisson bootstrap on a SQL engine keys each row's replicate weights by its "
                             "respondent id; the spec has none (respondents: id_column): give one, or use "
                             "--engine pandas", option="bootstrap")
        B = int(replicates)
        if B < 1:
            raise ValueError("replicates must be >= 1")
        cols = list(columns)
        k = len(cols)
        extra = list(sums_only)
        compact = missing == "listwise" and blocks is None
        if extra and not compact:
            raise ValueError("sums_only needs listwise sums without blocks")
        exprs = dict(exprs or {})
        q = self.b.quote

        def val(c):
            return f"({exprs[c]})" if c in exprs else q(c)
        if shifts is None:
            whole = None if any(c in exprs for c in cols) else self._integer_shifts(cols)
            shifts = whole or {}
        sh = [float(shifts.get(c, 0.0)) for c in cols + extra]
        spark = type(self.b).__name__ == "SparkBackend"

        def hex60(h, start):          # 15 hex digits as a BIGINT (60 bits), on either engine
            if spark:
                return f"CAST(conv(substr({h}, {start}, 15), 16, 10) AS BIGINT)"
            return f"CAST(('0x' || substr({h}, {start}, 15)) AS BIGINT)"
        conds = [where] if where else []
        if missing == "listwise" and blocks is None:
            conds += [f"{val(c)} IS NOT NULL" for c in cols]
        gexpr = f"CAST({val(group)} AS STRING)" if group else "CAST(NULL AS STRING)"
        kx = k + len(extra)
        s0 = [f"{gexpr} AS cx_g",
              f"md5(concat('{int(seed)}:', respondent_type, ':', respondent_id)) AS cx_h"]
        if missing == "listwise" and blocks is not None:
            # listwise within each block (e.g. a scale): cx_m{i} = 1 when the row answered every item
            # of the block of column i (a column may then be in one block only)
            owner = {}
            for t, blk in enumerate(blocks):
                for c in blk:
                    if owner.setdefault(c, t) != t:
                        raise ValueError(f"listwise replicate sums: {c!r} is in two blocks")
            done = " AND ".join
            s0 += [f"CASE WHEN {done(f'{val(c2)} IS NOT NULL' for c2 in blocks[owner[c]])} THEN 1 ELSE 0 END "
                   f"AS cx_m{i}" for i, c in enumerate(cols)]
        else:
            s0 += [f"CASE WHEN {val(c)} IS NULL THEN 0 ELSE 1 END AS cx_m{i}" for i, c in enumerate(cols + extra)]
        s0 += [f"CAST({val(c)} AS DOUBLE) AS cx_v{i}" for i, c in enumerate(cols + extra)]
        xs = [f"CASE WHEN cx_m{i} = 1 THEN cx_v{i} - {sh[i]!r} ELSE 0.0e0 END AS cx_x{i}" for i in range(kx)]
        carry = ["cx_g"] + [f"cx_m{i}" for i in range(kx)] + [f"cx_x{i}" for i in range(kx)]
        sql = (f"SELECT {', '.join(s0)} FROM ({self.view()}) cx_v"
               + (f" WHERE {' AND '.join(conds)}" if conds else ""))
        P = BOOT_PRIME
        sql = (f"SELECT {', '.join(carry[:kx + 1] + xs)}, {hex60('cx_h', 1)} % {P} AS cx_a, "
               f"{hex60('cx_h', 16)} % {P} AS cx_c "
               f"FROM ({sql}) cx_s0")
        first = 0 if jackknife else 1
        values = ", ".join(f"({b})" for b in range(first, B + 1))
        jg = f"CASE WHEN cx_b = 0 THEN cx_a % {BOOT_JACKKNIFE_GROUPS} END" if jackknife else "CAST(NULL AS BIGINT)"
        sql = (f"SELECT {', '.join(carry)}, cx_b, {jg} AS cx_jg, (cx_a + cx_b * cx_c) % {P} AS cx_r "
               f"FROM ({sql}) cx_s1 CROSS JOIN (VALUES {values}) AS cx_bs(cx_b)")
        carry += ["cx_b", "cx_jg"]
        sql = f"SELECT {', '.join(carry)}, cx_r, cx_r * cx_r % {P} AS cx_r2 FROM ({sql}) cx_s2"
        sql = f"SELECT {', '.join(carry)}, cx_r, cx_r2 * cx_r2 % {P} AS cx_r4 FROM ({sql}) cx_s3"
        cases = " ".join(f"WHEN cx_y < {t} THEN {j}" for j, t in enumerate(BOOT_THRESHOLDS))
        sql = f"SELECT {', '.join(carry)}, cx_r4 * cx_r % {P} AS cx_y FROM ({sql}) cx_s4"
        sql = (f"SELECT {', '.join(carry)}, CASE WHEN cx_b = 0 THEN 1 {cases} ELSE {len(BOOT_THRESHOLDS)} END AS cx_w "
               f"FROM ({sql}) cx_s5")
        if blocks is None:
            pairs = [(i, j) for i in range(k) for j in range(i, k)]
        else:
            pos = {c: i for i, c in enumerate(cols)}
            pairs = sorted({(min(pos[a], pos[b]), max(pos[a], pos[b])) for blk in blocks for a in blk for b in blk})
        aggs = []
        if compact:      # complete rows: one count, one sum per column, one per pair
            aggs = (["sum(cx_w)"] + [f"sum(cx_w * cx_x{i})" for i in range(kx)]
                    + [f"sum(cx_w * cx_x{i} * cx_x{j})" for i, j in pairs])
        for i, j in ([] if compact else pairs):
            aggs += [f"sum(cx_w * cx_m{i} * cx_m{j})", f"sum(cx_w * cx_x{i} * cx_m{j})",
                     f"sum(cx_w * cx_x{j} * cx_m{i})", f"sum(cx_w * cx_x{i} * cx_x{j})"]
        sql = (f"SELECT cx_g, cx_b, cx_jg, {', '.join(aggs)} FROM ({sql}) cx_s6 WHERE cx_w > 0 "
               "GROUP BY cx_g, cx_b, cx_jg")
        rows = self.b.query(sql)
        self.passes += 1
        out: dict = {}

        def fill(shape):             # pairs outside the blocks: NaN; the block pairs start at 0
            arr = np.zeros(shape) if blocks is None else np.full(shape, np.nan)
            for i, j in pairs:
                arr[..., i, j] = arr[..., j, i] = 0.0
            return arr
        for row in rows:
            g, b, jgv = row[0], int(row[1]), row[2]
            cell = out.setdefault(g, {"n": None, "sx": None, "sxy": None, "jack": {}})
            if cell["n"] is None:
                cell["n"], cell["sx"], cell["sxy"] = fill((B, k, k)), fill((B, k, k)), fill((B, k, k))
                if extra:
                    cell["s_only"] = np.zeros((B, len(extra)))
            if b == 0:
                nn, sx, sxy = cell["jack"].setdefault(int(jgv), (fill((k, k)), fill((k, k)), fill((k, k))))
            else:
                nn, sx, sxy = cell["n"][b - 1], cell["sx"][b - 1], cell["sxy"][b - 1]
            if compact:
                v = [0.0 if x is None else float(x) for x in row[3:]]
                nn[...] = v[0]
                sx[...] = np.asarray(v[1:k + 1])[:, None]
                if extra and b > 0:
                    cell["s_only"][b - 1] = v[k + 1:kx + 1]
                for t, (i, j) in enumerate(pairs):
                    sxy[i, j] = sxy[j, i] = v[kx + 1 + t]
                continue
            for t, (i, j) in enumerate(pairs):
                v = [0.0 if x is None else float(x) for x in row[3 + 4 * t: 7 + 4 * t]]
                nn[i, j] = nn[j, i] = v[0]
                sx[i, j], sx[j, i] = v[1], v[2]
                sxy[i, j] = sxy[j, i] = v[3]
        return out


# The Poisson bootstrap's constants: those of cxstats.stats.poisson_bootstrap (the same weights in
# numpy; the engine layer does not import stats; a test checks they agree).
BOOT_PRIME = 2147483647
BOOT_THRESHOLDS = (790015084, 1580030168, 1975037710, 2106706891, 2139624186, 2146207645,
                   2147304888, 2147461637, 2147481231, 2147483408, 2147483625, 2147483645)
BOOT_JACKKNIFE_GROUPS = 1000


def _exact_means(n: int, sums, shifts):
    """(mean, its rounding error) per variable from exact integer sums of shifted codes."""
    import numpy as np

    exact = [Fraction(s, n) + k for s, k in zip(sums, shifts)]
    hi = np.array([float(e) for e in exact])
    lo = np.array([float(e - Fraction(h)) for e, h in zip(exact, hi)])
    return hi, lo


