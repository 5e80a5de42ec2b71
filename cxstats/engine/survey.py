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
        self._ids = []          # (source name, path, SQL of respondent_type, SQL of respondent_id)
        self.ids_checked = False
        self.id_stats = None     # {'customer': ids, 'staff': ids, 'both': ids in both}, from check_ids

    # ------------------------------------------------------------------------- the view
    def view(self) -> str:
        """SQL of the recoded survey table (columns: respondent_type, items, outcomes, segments)."""
        if self._view is None:
            parts = [self._file_select(i, path, kind) for i, (path, kind) in enumerate(self.files)]
            self._view = "\nUNION ALL\n".join(parts)
            self.check_ids()
        return self._view

    def check_ids(self) -> None:
        """Refuse duplicated (respondent_type, respondent_id), as ingest does, in ONE aggregation
        pass (counted in :attr:`passes`), run once per survey the first time the view is built, so
        before any moments are used. Cost: a GROUP BY over every row's (type, id) - a hash table of
        the distinct ids (DuckDB spills it to disk past its memory limit; Spark shuffles the ids),
        the heaviest of the passes but one per survey. Only when duplicates exist, a few more
        scans locate the rows of the first offender (sorted by type and id, as ingest does) from a
        bounded sample (:data:`MAX_PROBLEMS_SHOWN` rows). Without an id column (spec
        ``respondents.id_column``) respondents are named by file and row: nothing to check."""
        if self.ids_checked:
            return
        self.ids_checked = True
        if not self.spec.respondents.id_column or not self._ids:
            return
        union = " UNION ALL ".join(f"SELECT {t} AS cx_t, {i} AS cx_id FROM {name}"
                                   for name, _, t, i in self._ids)
        # ONE GROUP BY id, counting each id's rows per respondent type: the duplicated ids and the
        # empty ones (ingest refuses both), and - kept for gaps - how many ids each type has and how
        # many are in both (paired data), so gaps needs no pass of its own for that
        types = ("customer", "staff")
        per_id = ("SELECT cx_id, " + ", ".join(f"count(*) FILTER (WHERE cx_t = {_text(t)}) AS cx_{t}"
                                               for t in types)
                  + ", count(*) FILTER (WHERE cx_t IS NULL OR cx_t NOT IN ('customer', 'staff')) AS cx_other "
                  f"FROM ({union}) cx_u GROUP BY cx_id")
        kinds = (*types, "other")
        aggs = ([f"count(*) FILTER (WHERE cx_id IS NOT NULL AND cx_{t} > 0)" for t in types]
                + ["count(*) FILTER (WHERE cx_id IS NOT NULL AND cx_customer > 0 AND cx_staff > 0)"]
                + [f"count(*) FILTER (WHERE cx_id IS NOT NULL AND cx_{k} > 1)" for k in kinds]
                + [f"min(cx_id) FILTER (WHERE cx_id IS NOT NULL AND cx_{k} > 1)" for k in kinds]
                + [f"max(cx_{k}) FILTER (WHERE cx_id IS NULL)" for k in kinds])
        row = self.b.query(f"SELECT {', '.join(aggs)} FROM ({per_id}) cx_p")[0]
        self.passes += 1
        n_c, n_s, n_both = (int(v or 0) for v in row[:3])
        self.id_stats = {"customer": n_c, "staff": n_s, "both": n_both}
        dups, first_ids, empties = row[3:6], row[6:9], row[9:12]
        kind_name = {"customer": "customer", "staff": "staff", "other": None}
        rows = []               # the first offender, in ingest's order: empty ids first, then by type and id
        for k, e in zip(kinds, empties):
            if e:
                rows = [(kind_name[k], None, int(e))]
                break
        if not rows:
            for k, first in zip(kinds, first_ids):
                if first is not None:
                    pred = ((f"cx_t = {_text(k)}" if k != "other" else "(cx_t IS NULL OR cx_t NOT IN ('customer', 'staff'))")
                            + f" AND cx_id = {_text(first)}")
                    count = self.b.query(f"SELECT count(*) FROM ({union}) cx_u WHERE {pred}")[0][0]
                    rows = [(kind_name[k], first, int(count))]
                    break
        if not rows:
            return
        n_dup = sum(int(v or 0) for v in dups)
        rows = [(*rows[0], n_dup)]
        kind, rid, count, n_ids = rows[0][0], rows[0][1], int(rows[0][2]), int(rows[0][3] or 0)
        col = self.spec.respondents.id_column
        found = []               # (file, row) of the first offender's appearances
        for name, path, t, i in self._ids:
            if len(found) >= MAX_PROBLEMS_SHOWN:
                break
            pred = (f"({i}) IS NULL" if rid is None
                    else f"({t}) = {_text(kind)} AND ({i}) = {_text(rid)}")
            first = self.b.first_row(name)
            found += [(str(path), int(rn) + first - 1)
                      for rn in self.b.record_numbers(name, pred, MAX_PROBLEMS_SHOWN - len(found))]
        if rid is None:          # as ingest: each empty id is a problem of its file
            (f, r), rest = found[0], found[1:]
            details = [f"column '{col}', row {rr}, value '': respondent id is empty" for ff, rr in rest
                       if ff == f]
            reason = "respondent id is empty"
            if count > 1:
                reason += f" ({count} empty ids in all; the others follow)"
            raise InputError(reason, file=f, column=col, row=r, value="", details=details)
        where = ", ".join(f"{f} row {r}" for f, r in found)
        if count > len(found):
            where += f" and {count - len(found)} more"
        if len(found) < 2:       # cannot happen (the same expressions); be safe
            raise InputError(f"duplicated respondent id ({count} rows); {n_ids} id(s) are duplicated in "
                             "all; each respondent must appear once", column=col, value=str(rid))
        raise InputError(f"duplicated respondent id (appears at {where}); "
                         f"{n_ids} id(s) are duplicated in all; each respondent must appear once",
                         file=found[0][0], column=col, row=found[1][1], value=str(rid))

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
        wanted += self._fielding_wanted(have)
        distinct = self.b.distinct_values(name, wanted)
        self.passes += 1
        problems = []           # (column, bad raw values, reason per value)
        if r.id_column:          # as ingest's _id_texts: trimmed text; blanks and missing tokens -> NULL
            from cxstats.io.values import MISSING_TOKENS

            rid = f"trim(CAST({q(r.id_column)} AS STRING))"
            tokens = ", ".join(_text(t) for t in sorted(MISSING_TOKENS))
            exprs = [f"CASE WHEN lower({rid}) IN ({tokens}) THEN NULL ELSE {rid} END AS respondent_id"]
        else:
            exprs = ["CAST(NULL AS STRING) AS respondent_id"]
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
            cases, bad, codes = [], {}, {}
            for v in distinct[col]:
                code, problem = _code_from_cell(v, scale, lookup, None)
                if problem:
                    bad[v] = problem
                elif not math.isnan(code):
                    if col in reverse:
                        code = scale.reverse(code)
                    cases.append(f"WHEN {_text(v)} THEN {_num(code)}")
                    codes[v] = code
            if bad:
                problems.append((col, bad))
            # an integer-typed column (Parquet): the same codes by a list lookup, several times cheaper
            # than the CASE in every pass (DuckDB; see DuckBackend.integer_lookup)
            fast = getattr(self.b, "integer_lookup", None)
            fast = fast(name, col, codes) if fast is not None and cases else None
            exprs.append((fast or self._case(col, cases, "CAST(NULL AS DOUBLE)", double=True)) + f" AS {q(col)}")
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
        source = name
        if spec.fielding is not None:   # contact/response times, channel, touchpoint, wave (io/fielding.py)
            source = self._fielding_select(name, path, have, distinct, exprs, problems)
        if problems:
            self._refuse(name, path, problems)
        self._ids.append((name, path, exprs[1].rsplit(" AS respondent_type", 1)[0],
                          exprs[0].rsplit(" AS respondent_id", 1)[0]))
        return "SELECT " + ",\n  ".join(exprs) + f"\nFROM {source}"

    def _case(self, col: str, cases: list, default: str, double: bool = False) -> str:
        if not cases:
            return default
        cast = "CAST({} AS DOUBLE)" if double else "{}"
        return cast.format(f"CASE CAST({self.b.quote(col)} AS STRING) " + " ".join(cases)
                           + f" ELSE {default} END")

    # ------------------------------------------------------------------------- fielding
    def _fielding_wanted(self, have) -> list:
        """The fielding block's columns read by their distinct values (channel, touchpoint, wave)."""
        f = self.spec.fielding
        if f is None:
            return []
        return [c for c in dict.fromkeys((f.channel, f.touchpoint, f.wave)) if c and c in have]

    def _fielding_select(self, name, path, have, distinct, exprs, problems) -> str:
        """Add ingest's fielding columns (:func:`cxstats.io.fielding.read_fielding_columns`) to
        ``exprs``: ``lag_hours`` (NULL for a missing or impossible time), ``time_flag``,
        ``survey_mode``, ``contact_touchpoint``, ``wave`` and ``response_utc_s`` (UTC seconds since
        1970 of the response); times are read in SQL (:mod:`cxstats.engine.times`) and a cell
        ingest refuses is refused here (one more pass checks them). Returns the FROM source."""
        from cxstats.engine.times import parse_levels, period_levels, utc_level
        from cxstats.io.fielding import FLAG_BEFORE, FLAG_FUTURE, FUTURE_SLACK_HOURS
        from cxstats.io.values import normalise_label

        f, q = self.spec.fielding, self.b.quote
        for col in (f.response_time, f.channel, f.touchpoint, f.wave):
            if col and col not in have:
                raise InputError(f"the file has no column {col!r} named in the spec's fielding block "
                                 f"(it has: {', '.join(have[:30])})", file=str(path), column=col)
        times = {"r": q(f.response_time)}
        if f.contact_time and f.contact_time in have:
            times["c"] = q(f.contact_time)
        source = name
        for i, level in enumerate(parse_levels(times, f.date_order)):
            source = f"(SELECT *, {', '.join(level)} FROM {source} cx_fl{i})"
        # the same checks as ingest (a time cell that cannot be read refuses the file), with the
        # span of the times: the zone's offsets are looked up among the transitions in the span
        row = self.b.query("SELECT " + ", ".join(
            f"min(cx_{n}_local), max(cx_{n}_local), sum(CASE WHEN cx_{n}_f <> 0 AND cx_{n}_local IS NULL "
            "THEN 1 ELSE 0 END)" for n in times) + f" FROM {source} cx_fv")[0]
        self.passes += 1
        ranges = {n: (row[3 * i], row[3 * i + 1]) for i, n in enumerate(times)}
        level, dst = utc_level(times, f.timezone, ranges)
        source = f"(SELECT *, {', '.join(level)} FROM {source} cx_fl3)"
        for i, level in enumerate(period_levels("cx_r_s")):   # periods of the response time
            source = f"(SELECT *, {', '.join(level)} FROM {source} cx_fp{i})"
        bad = [row[3 * i + 2] for i in range(len(times))]
        if dst:    # local times in a daylight-saving gap or overlap: one more pass counts them
            bad = self.b.query("SELECT " + ", ".join(f"sum(CASE WHEN cx_{n}_bad THEN 1 ELSE 0 END)"
                                                     for n in times) + f" FROM {source} cx_fv")[0]
            self.passes += 1
        self._fielding_sources = getattr(self, "_fielding_sources", []) + [(path, "c" in times)]
        cols = {"r": f.response_time, "c": f.contact_time}
        for n, count in zip(times, bad):
            if count:
                from cxstats.io.timestamps import parse_time_column

                values = [r[0] for r in self.b.query(
                    f"SELECT DISTINCT CAST({times[n]} AS STRING) FROM {source} cx_fv WHERE cx_{n}_bad "
                    f"ORDER BY 1 LIMIT {MAX_PROBLEMS_SHOWN}")]
                _, found = parse_time_column(values, date_order=f.date_order, timezone=f.timezone)
                why = {v: r for _, v, r in found}
                problems.append((cols[n], {v: why.get(v, "not read as a time by the engine: export it as "
                                                          "ISO 8601, e.g. 2026-03-05 14:22") for v in values}))
        import pandas as pd

        if not hasattr(self, "_now"):   # 'future': after now + the slack, as ingest flags it
            self._now = pd.Timestamp.now(tz="UTC").tz_localize(None) + pd.Timedelta(hours=FUTURE_SLACK_HOURS)
        lim_ns = int(self._now.value)
        lim_s, lim_n = lim_ns // 10 ** 9, lim_ns % 10 ** 9
        future = " OR ".join(f"(cx_{n}_s > {lim_s} OR (cx_{n}_s = {lim_s} AND cx_{n}_ns > {lim_n}))" for n in times)
        if "c" in times:
            ds, dn = "(cx_r_s - cx_c_s)", "(cx_r_ns - cx_c_ns)"
            whole = f"({ds} - CASE WHEN {dn} < 0 THEN 1 ELSE 0 END)"   # numpy's timedelta64[s]: the floor
            flag = (f"CASE WHEN {future} THEN {_text(FLAG_FUTURE)} WHEN {whole} < 0 THEN {_text(FLAG_BEFORE)} "
                    "ELSE CAST(NULL AS STRING) END")
            exprs.append(f"CASE WHEN ({future}) OR {whole} < 0 THEN CAST(NULL AS DOUBLE) "
                         f"ELSE CAST({whole} AS DOUBLE) / 3600.0 END AS lag_hours")
        else:
            flag = f"CASE WHEN {future} THEN {_text(FLAG_FUTURE)} ELSE CAST(NULL AS STRING) END"
            exprs.append("CAST(NULL AS DOUBLE) AS lag_hours")
        exprs.append(f"{flag} AS time_flag")

        def mapped(col, conv, what, alias):
            if not col:
                exprs.append(f"CAST(NULL AS STRING) AS {alias}")
                return
            cases, bad = [], {}
            for v in distinct[col]:
                if str(v).strip().lower() in ("", "na", "n/a", "nan", ".", "null", "none", "#n/a", "-"):
                    continue   # blank (cxstats.io.values.is_blank): no value
                out = conv(v)
                if out is None:
                    bad[v] = what
                else:
                    cases.append(f"WHEN {_text(v)} THEN {_text(out)}")
            if bad:
                problems.append((col, bad))
            exprs.append(self._case(col, cases, "CAST(NULL AS STRING)") + f" AS {alias}")

        def lookup(mapping):
            return (lambda v: mapping.get(normalise_label(v))) if mapping else (lambda v: str(v).strip())
        mapped(f.channel, lookup(f.channels), f"unknown survey channel (mapped in fielding.channels: "
                                              f"{', '.join(f.channels or {})})", "survey_mode")
        known = sorted(set((f.touchpoints or {}).values()))
        mapped(f.touchpoint, lookup(f.touchpoints), f"not a touchpoint of the journeys ({', '.join(known)}); map "
                                                    "export values to touchpoint ids in fielding.touchpoints",
               "contact_touchpoint")
        if f.wave:
            listed = [str(w) for w in (f.waves or [])]
            mapped(f.wave, lambda v: str(v).strip() if not listed or str(v).strip() in listed else None,
                   f"not one of the waves listed in fielding.waves ({', '.join(listed)})", "wave")
        elif f.wave_period:
            exprs.append(f"cx_per_{f.wave_period} AS wave")
        else:
            exprs.append("CAST(NULL AS STRING) AS wave")
        exprs.append("cx_r_s AS response_utc_s")
        exprs.append(f"{int(name.rsplit('_', 1)[1])} AS cx_file")   # which file (fielding_notes)
        for period in ("week", "month", "quarter"):   # io.timestamps.period_label of the response time
            exprs.append(f"cx_per_{period} AS response_{period}")
        return f"{source} cx_fv"

    def fielding_notes(self) -> list:
        """Ingest's notes on the fielding columns, per file (one pass over the data): a file without
        the contact-time column; answers dated before their contact or in the future (counted; the
        engine does not list their rows)."""
        from pathlib import Path

        f = self.spec.fielding
        if f is None:
            return []
        if getattr(self, "_fielding_notes", None) is not None:   # once per survey
            return list(self._fielding_notes)
        view = self.view()
        notes = self._fielding_notes = []
        for path, has_contact in getattr(self, "_fielding_sources", []):
            if not has_contact and f.contact_time:
                notes.append(f"{Path(str(path)).name}: no contact-time column '{f.contact_time}': the time from "
                             "contact to answer (immediacy) cannot be computed for this file")
        sql = ("SELECT cx_file, sum(CASE WHEN time_flag = 'response_before_contact' THEN 1 ELSE 0 END), "
               "sum(CASE WHEN time_flag = 'future' THEN 1 ELSE 0 END) FROM (" + view + ") cx_v GROUP BY cx_file")
        if "cx_file" not in view:
            return list(notes)
        counts = {int(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in self.b.query(sql)}
        self.passes += 1
        for i, (path, _) in enumerate(self.files):
            before, future = counts.get(i, (0, 0))
            for k, what in ((before, "the response is dated before the contact"),
                            (future, "a time lies in the future")):
                if k:
                    notes.append(f"{Path(str(path)).name}: {k} answer(s) where {what} (rows not listed by the "
                                 "engine); their lag is left out of immediacy")
        return list(notes)

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
        (e.g. :meth:`score_expr` of a construct's items). Exact when every column is a whole
        code of an integer scale, a :class:`ScoreSQL` of such items (:meth:`score_expr`) or a
        :class:`WholeSQL` (e.g. a 0/1 dummy): :meth:`_exact_pattern_moments`; other expressions
        use the engine's floating avg/covar_pop."""
        cols = list(columns)
        k = len(cols)
        exprs = dict(exprs or {})
        if any(c in exprs for c in cols) and k <= 62:
            terms = self._exact_terms(cols, exprs)
            if terms is not None:
                return self._exact_pattern_moments(cols, terms, group, where, blocks, exprs)

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

    def _exact_terms(self, cols, exprs):
        """Per column ``(kind, SQL, shift, items)`` when every value is exact in integers, else None:
        ``whole`` (a view column of whole codes, a one-item score or a :class:`WholeSQL`: value =
        integer + shift) or ``score`` (a :class:`ScoreSQL` of several whole-coded items: value =
        S / a + shift, S the integer sum of the answered items' shifted codes, a their count)."""
        q = self.b.quote
        out = []
        for c in cols:
            e = exprs.get(c)
            if isinstance(e, WholeSQL):
                out.append(("whole", f"CAST(({e}) AS BIGINT)", 0, None))
                continue
            items = list(e.items) if isinstance(e, ScoreSQL) else ([c] if e is None else None)
            if not items:
                return None
            shifts = self._integer_shifts(items)
            if shifts is None:
                return None
            shift = shifts[items[0]]          # one integer shift per score keeps S a whole number
            if len(items) == 1:
                out.append(("whole", f"CAST({q(items[0])} AS BIGINT) - {shift}", shift, None))
            else:
                out.append(("score", " + ".join(f"coalesce(CAST({q(i)} AS BIGINT) - {shift}, 0)" for i in items),
                            shift, items))
        return out

    def _exact_pattern_moments(self, cols, terms, group, where, blocks, exprs):
        """Exact moments of whole codes, scale scores and whole expressions, one aggregation pass.

        A score is S/a + shift (S the integer sum of the answered items' shifted codes, a how many
        were answered). Grouped by the answer pattern AND the tuple of answered-counts a of the
        multi-item scores (few groups: the answered-counts of each score), every value is an
        integer over a fixed denominator, so count, sum S_i and sum S_i*S_j are integer sums
        (BIGINT: exact, and the same whatever the order or the threads - DuckDB's or Spark's
        floating avg/covar_pop may change the last bits between runs). Python combines the groups
        exactly (integers scaled by D = lcm(1..m) of each m-item score, then Fraction) and rounds
        each mean and co-moment once: the correctly rounded moments of the exact scores, hence
        byte-identical JSON across runs and engines."""
        import numpy as np

        q = self.b.quote
        k = len(cols)

        def qc(c):
            return f"({exprs[c]})" if c in exprs else q(c)
        pat = " + ".join(f"CASE WHEN {qc(c)} IS NULL THEN 0 ELSE {1 << i} END" for i, c in enumerate(cols))
        scores = [i for i, t in enumerate(terms) if t[0] == "score"]
        counts = [" + ".join(f"CASE WHEN {q(it)} IS NULL THEN 0 ELSE 1 END" for it in terms[i][3]) for i in scores]
        xs = [f"cx_{i}" for i in range(k)]
        if blocks is None:
            pairs = [(i, j) for i in range(k) for j in range(i, k)]
        else:
            pos = {c: i for i, c in enumerate(cols)}
            pairs = sorted({(min(pos[a], pos[b]), max(pos[a], pos[b])) for blk in blocks for a in blk for b in blk})
        aggs = ["count(*)"] + [f"sum({x})" for x in xs] + [f"sum({xs[i]} * {xs[j]})" for i, j in pairs]
        gexpr = f"CAST({qc(group)} AS STRING)" if group else "CAST(NULL AS STRING)"
        inner = ([f"{gexpr} AS cx_g", f"{pat} AS cx_pat"] + [f"{c} AS cx_a{j}" for j, c in enumerate(counts)]
                 + [f"CASE WHEN {qc(c)} IS NULL THEN NULL ELSE {t[1]} END AS {x}"
                    for c, t, x in zip(cols, terms, xs)])
        keys = ["cx_g", "cx_pat"] + [f"cx_a{j}" for j in range(len(counts))]
        sql = (f"SELECT {', '.join(keys)}, {', '.join(aggs)} FROM (SELECT {', '.join(inner)} FROM "
               f"({self.view()}) cx_v" + (f" WHERE {where}" if where else "") + f") cx_t GROUP BY {', '.join(keys)}")
        rows = self.b.query(sql)
        self.passes += 1
        lcm = [math.lcm(*range(1, len(t[3]) + 1)) if t[0] == "score" else 1 for t in terms]
        offd = [t[2] * d for t, d in zip(terms, lcm)]          # shift * D: integer
        acc: dict = {}      # (group, pattern) -> [N, sums of w_i = D_i * value_i, sums of w_i w_j]
        nk = len(keys)
        for row in sorted(rows, key=lambda r: (r[0] is not None, r[0] or "", tuple(int(v) for v in r[1:nk]))):
            g, code, n = row[0], int(row[1]), int(row[nk])
            den = [1] * k
            for j, i in enumerate(scores):
                den[i] = int(row[2 + j]) or 1
            f = [d // a for d, a in zip(lcm, den)]              # D_i / a_i (a_i divides D_i)
            t1 = [int(v or 0) for v in row[nk + 1:nk + 1 + k]]
            a = acc.setdefault((g, code), [0, [0] * k, {}])
            a[0] += n
            for i in range(k):
                a[1][i] += t1[i] * f[i] + n * offd[i]
            for (i, j), v in zip(pairs, row[nk + 1 + k:]):
                a[2][(i, j)] = a[2].get((i, j), 0) + (int(v or 0) * f[i] * f[j] + offd[j] * t1[i] * f[i]
                                                      + offd[i] * t1[j] * f[j] + n * offd[i] * offd[j])
        out: dict = {}
        for (g, code), (n, sw, sww) in acc.items():
            key = tuple(bool(code >> i & 1) for i in range(k))
            obs = [i for i in range(k) if key[i]]
            full = np.zeros((k, k)) if blocks is None else np.full((k, k), np.nan)
            exact = [Fraction(sw[i], n * lcm[i]) for i in obs]
            hi = np.array([float(e) for e in exact])
            lo = np.array([float(e - Fraction(h)) for e, h in zip(exact, hi)])
            for (i, j) in pairs:
                if key[i] and key[j]:      # M2 = (N sum w_i w_j - sum w_i sum w_j) / (N D_i D_j), rounded once
                    full[i, j] = full[j, i] = float(Fraction(n * sww[(i, j)] - sw[i] * sw[j], n * lcm[i] * lcm[j]))
            m = Moments(tuple(cols[i] for i in obs), n, float(n), float(n), hi, full[np.ix_(obs, obs)], lo)
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

    SAMPLE_METHOD = ("simple random sample without replacement: the respondents with the smallest "
                     "md5 of 'SEED|respondent type|respondent id' (the same sample on every engine, "
                     "whatever the threads or partitions, for the same data and seed)")

    def write_sample(self, n: int, seed: int, path, fmt: str | None = None) -> dict:
        """A stated, reproducible simple random sample of ``n`` respondents, their rows as they
        are in the input (every column, unchanged: the same spec and plan read the sample), written
        by the engine as ``fmt`` 'parquet' or 'csv' (default: by the name). Checks first (the view: every cell, the
        ids), then ONE pass: ORDER BY md5(seed|type|id) LIMIT n - a top-n over the hashes, not a
        shuffle of the data. A hash of the (unique, checked) respondent id rather than DuckDB's
        ``reservoir ... REPEATABLE`` or Spark's ``sample``, whose result depends on threads or
        partitions: this sample is the same on DuckDB and Spark. Returns the statement for the
        JSON summary: n drawn, population, seed, method."""
        if not self.spec.respondents.id_column:
            raise InputError("a stated sample draws respondents by their id: the spec names no id column "
                             "(respondents.id_column)", option="sample")
        if n < 1:
            raise InputError(f"give a sample size of at least 1, not {n}", option="sample")
        self.view()                     # every cell and the ids checked before anything is written
        cols = [self.b.columns(name) for name, _, _, _ in self._ids]
        if any(c != cols[0] for c in cols[1:]):
            raise InputError("the files have different columns; draw a sample of each file separately "
                             "(one ingest --sample per file)", option="sample")
        q = self.b.quote
        keep = ", ".join(q(c) for c in cols[0])
        parts = [f"SELECT {keep}, md5(concat({_text(str(int(seed)) + '|')}, {t}, '|', {i})) AS cx_h "
                 f"FROM {name} WHERE ({i}) IS NOT NULL" for name, _, t, i in self._ids]
        total = self.count_rows()
        sql = (f"SELECT {keep} FROM ({' UNION ALL '.join(parts)}) cx_s ORDER BY cx_h LIMIT {int(n)}")
        fmt = fmt or ("parquet" if str(path).lower().endswith((".parquet", ".pq")) else "csv")
        self.b.write_rows(sql, path, fmt)
        self.passes += 1
        return {"n": min(int(n), total), "population": total, "seed": int(seed), "method": self.SAMPLE_METHOD,
                "files": list(self.sources)}

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

    def quantile_sql(self, expr: str, p: float) -> str:
        """SQL of the exact ``p`` quantile of ``expr`` with linear interpolation between order
        statistics (R type 7, numpy's default): DuckDB ``quantile_cont``, Spark ``percentile``
        (not ``percentile_approx``)."""
        fn = "percentile" if type(self.b).__name__ == "SparkBackend" else "quantile_cont"
        return f"{fn}({expr}, {float(p)!r})"

    def grouped(self, aggs, cells, sets, where: str | None = None, *, cell_exprs: dict | None = None) -> dict:
        """``{set: {(value of each cell column of the set): [aggregate values]}}`` of the SQL
        aggregates ``aggs`` (of the view's columns) for each grouping set of ``sets`` (tuples of
        ``cells`` columns; ``()`` = all rows), in one aggregation pass (GROUPING SETS).
        ``cell_exprs``: ``{cell: SQL expression}`` for cells that are not view columns."""
        q = self.b.quote
        cell_exprs = dict(cell_exprs or {})
        names = {c: f"cx_g{i}" for i, c in enumerate(cells)}
        gsel = [f"CAST({cell_exprs.get(c, q(c))} AS STRING) AS {n}" for c, n in names.items()]
        flags = [f"grouping({n})" for n in names.values()]
        spec = ", ".join("(" + ", ".join(names[c] for c in st) + ")" for st in sets)
        sql = (f"SELECT {', '.join([*names.values(), *aggs, *flags])} FROM (SELECT *, {', '.join(gsel)} "
               f"FROM ({self.view()}) cx_v" + (f" WHERE {where}" if where else "") + ") cx_t "
               f"GROUP BY GROUPING SETS ({spec})")
        out: dict = {tuple(st): {} for st in sets}
        g, a = len(names), len(aggs)
        for row in self.b.query(sql):
            inset = tuple(c for c, f in zip(cells, row[g + a:]) if not f)
            key = tuple(row[list(names).index(c)] for c in inset)
            out.setdefault(inset, {})[key] = list(row[g:g + a])
        self.passes += 1
        return out

    def cell_moments(self, exprs: dict, cells, where: str | None = None, *, cell_exprs: dict | None = None) -> dict:
        """``{key: {(value of each cell column, or None): Moments}}``: n, mean and M2 of each SQL
        expression of ``exprs`` (``{key: expression of the view's columns}``) over its non-NULL
        values in each cell, in one aggregation pass (the engines' stable avg / var_pop). Marginal
        moments per expression (no co-moments): per-cell means, SDs and t tests."""
        q = self.b.quote
        keys = list(exprs)
        if not keys:
            return {}
        names = [f"cx_g{i}" for i in range(len(cells))]
        cell_exprs = dict(cell_exprs or {})
        gsel = [f"CAST({cell_exprs.get(c, q(c))} AS STRING) AS {n}" if c else f"CAST(NULL AS STRING) AS {n}"
                for c, n in zip(cells, names)]
        xs = [f"cx_x{i}" for i in range(len(keys))]
        aggs = [f"count({x}), avg({x}), var_pop({x})" for x in xs]
        sql = (f"SELECT {', '.join(names)}, {', '.join(aggs)} FROM (SELECT {', '.join(gsel)}, "
               + ", ".join(f"CAST({exprs[k]} AS DOUBLE) AS {x}" for k, x in zip(keys, xs))
               + f" FROM ({self.view()}) cx_v" + (f" WHERE {where}" if where else "") + ") cx_t"
               + (f" GROUP BY {', '.join(names)}" if names else ""))
        import numpy as np

        out: dict = {k: {} for k in keys}
        g = len(names)
        for row in self.b.query(sql):
            for i, k in enumerate(keys):
                n, mean, var = row[g + 3 * i: g + 3 * i + 3]
                n = int(n or 0)
                out[k][tuple(row[:g])] = (Moments((k,), n, float(n), float(n), np.array([float(mean)]),
                                                  np.array([[float(var) * n]])) if n else Moments.empty((k,)))
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
        # DuckDB: fsum (compensated, Kahan-Babuska), whose result does not depend on how the threads
        # split the rows, unlike sum(DOUBLE) (seen: 7 different last bits in 8 runs with 4 threads)
        fsum = getattr(self.b, "FSUM", "sum")
        row = self.b.query(f"SELECT count(*), {', '.join(f'{fsum}({s})' for s in sums)} FROM ({sql}) cx_t")[0]
        self.passes += 1
        return int(row[0]), [float(v) if v is not None else 0.0 for v in row[1:]]

    def counts_exactly(self, value) -> bool:
        """Whether :meth:`bits_value_counts` can count ``value`` (a whole-coded column, a
        :class:`WholeSQL` or a :class:`ScoreSQL` of whole-coded items) by its exact values."""
        return self._exact_terms(["cx_value"], {"cx_value": value}) is not None

    def bits_value_counts(self, bits, value, where: str | None = None, *, exprs: dict | None = None):
        """``[(mask, value, count)]`` over the rows where ``where`` holds and ``value`` and every
        expression of ``bits`` are not NULL, in ONE aggregation pass (GROUP BY the mask and the
        value): ``bits`` (at most 62) SQL expressions of 0/1 (bit i of mask: expression i is 1),
        ``value`` as :meth:`counts_exactly` (grouped by its integer terms - a score by the sum of
        its answered items' codes and how many were answered - so each value is the exact
        rational, rounded once to a float here). ``exprs``: ``{alias: SQL of the view's columns}``
        computed once per row in an inner query, which ``bits`` may use (e.g. a scale score that
        two dummies compare). Exact integer counts, the same on every engine, in no particular
        order. None when ``value`` is not exactly countable (then nothing is queried). E.g. the
        penalty-reward regression of ``drivers``: every regressor a dummy."""
        bits = list(bits)
        if len(bits) > 62:
            raise ValueError(f"{len(bits)} bits in one mask; at most 62")
        terms = self._exact_terms(["cx_value"], {"cx_value": value})
        if terms is None:
            return None
        kind, term, shift, items = terms[0]
        q = self.b.quote
        # a NULL bit makes the mask NULL (+ and * propagate it), a NULL value the term: such groups
        # are the incomplete rows, dropped below (no WHERE re-evaluating the expressions per row)
        mask = " + ".join(f"({b}) * {1 << i}" for i, b in enumerate(bits)) or "0"
        answered = (" + ".join(f"CASE WHEN {q(it)} IS NULL THEN 0 ELSE 1 END" for it in items)
                    if kind == "score" else "1")
        inner = (f"SELECT *{''.join(f', {e} AS {a}' for a, e in (exprs or {}).items())} FROM ({self.view()}) cx_v"
                 + (f" WHERE {where}" if where else ""))
        sql = (f"SELECT cx_m, cx_s, cx_a, count(*) FROM (SELECT {mask} AS cx_m, CASE WHEN ({value}) IS NULL "
               f"THEN NULL ELSE {term} END AS cx_s, {answered} AS cx_a FROM ({inner}) cx_u) cx_t "
               "GROUP BY cx_m, cx_s, cx_a")
        rows = self.b.query(sql)
        self.passes += 1
        return [(int(m), float(Fraction(int(s), int(a)) + shift), int(n)) for m, s, a, n in rows
                if m is not None and s is not None]

    def score_expr(self, items, min_share: float = 0.5) -> str:
        """SQL of a respondent's scale score: the mean of the ``items`` answered, NULL unless at
        least ``min_share`` of them are (one item: its answer), as ``stats.gaps.analysis._scores``."""
        q = self.b.quote
        items = list(items)
        if len(items) == 1:
            return ScoreSQL(f"CAST({q(items[0])} AS DOUBLE)", items, min_share)
        answered = " + ".join(f"CASE WHEN {q(i)} IS NULL THEN 0 ELSE 1 END" for i in items)
        total = " + ".join(f"coalesce(CAST({q(i)} AS DOUBLE), 0.0)" for i in items)
        return ScoreSQL(f"CASE WHEN CAST({answered} AS DOUBLE) / {len(items)} >= {float(min_share)!r} "
                        f"THEN ({total}) / CAST({answered} AS DOUBLE) END", items, min_share)


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


class ScoreSQL(str):
    """SQL of a scale score (:meth:`EngineSurvey.score_expr`) that knows its items, so
    :meth:`EngineSurvey.pattern_moments` can sum it exactly; anywhere else it is plain SQL."""

    def __new__(cls, sql, items, min_share):
        obj = super().__new__(cls, sql)
        obj.items, obj.min_share = tuple(items), float(min_share)
        return obj


class WholeSQL(str):
    """SQL of an expression whose values are whole numbers (e.g. a 0/1 dummy ``CASE WHEN ... THEN 1
    ELSE 0 END``, NULL where undefined): :meth:`EngineSurvey.pattern_moments` sums it exactly."""


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


