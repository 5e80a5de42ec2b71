"""Spec-driven ingest: survey exports -> one validated survey table.

With a study spec, every answer column is read on its scale: numeric codes are
checked against the range, answer labels ("Muy satisfecho", any language of
the spec, tolerant of case and accents) are mapped to codes, missing codes
("No sabe" = 99) become missing, reverse-keyed items are recoded
(min + max - x). Respondent types, segments and ids are checked; duplicated
ids are refused. All problems of a file are collected and reported together,
each with file, column, row and value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError
from cxstats.io.readers import RawTable, read_table
from cxstats.io.values import NotANumber, NumberOverflow, is_blank, normalise_label, parse_number

MAX_PROBLEMS_SHOWN = 12
TYPES = ("customer", "staff")


@dataclass
class SurveyTable:
    """Validated answers: ``respondent_id``, ``respondent_type``, items, outcomes, segments.

    Items and outcomes are float codes (NaN = missing); reverse-keyed items are
    already recoded so that higher is always better.
    """

    data: object  # pandas.DataFrame
    spec: object  # StudySpec
    sources: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # what ingest did (missing codes, labels mapped)

    def of_type(self, kind: str):
        return self.data[self.data["respondent_type"] == kind]

    def customers(self):
        return self.of_type("customer")

    def staff(self):
        return self.of_type("staff")

    def construct_scores(self, min_share: float = 0.5):
        """Mean of each construct's items per respondent (NaN when fewer than
        ``min_share`` of its items were answered)."""
        import pandas as pd

        out = {}
        for c in self.spec.constructs():
            block = self.data[c.item_ids]
            enough = block.notna().mean(axis=1) >= min_share
            out[c.id] = block.mean(axis=1).where(enough)
        return pd.DataFrame(out, index=self.data.index)

    def customers_with_scores(self, min_share: float = 0.5):
        """Customers' rows (index 0..n-1): every column of the table (respondent_id, items,
        outcomes, segments) plus each construct's score (:meth:`construct_scores`) as a column
        named by the construct id. The frame of the drivers, finance and ROI analyses."""
        frame = self.data.copy()
        scores = self.construct_scores(min_share)
        for c in scores.columns:
            frame[c] = scores[c]
        return frame[frame["respondent_type"] == "customer"].reset_index(drop=True)


class _Problems:
    def __init__(self, path):
        self.path = path
        self.items: list[tuple] = []  # (column, row, value, reason)

    def add(self, column, row, value, reason):
        self.items.append((column, row, value, reason))

    def raise_if_any(self):
        if not self.items:
            return
        col, row, value, reason = self.items[0]
        details = [f"column '{c}', row {r}, value {v!r}: {why}"
                   for c, r, v, why in self.items[1:MAX_PROBLEMS_SHOWN]]
        if len(self.items) > MAX_PROBLEMS_SHOWN:
            details.append(f"... and {len(self.items) - MAX_PROBLEMS_SHOWN} more problems in this file")
        if len(self.items) > 1:
            reason = f"{reason} ({len(self.items)} problems in this file; the others follow)"
        raise InputError(reason, file=self.path, column=col, row=row, value=value, details=details)


def _code_from_cell(value, scale, lookup, value_labels):
    """(code or NaN, problem or None) for one cell on ``scale``."""
    if is_blank(value):
        return math.nan, None
    try:
        x = parse_number(value)
    except NumberOverflow:
        return math.nan, NumberOverflow.reason
    except NotANumber:
        key = normalise_label(value)
        if key in lookup:
            code = lookup[key]
            return (math.nan if code is None else float(code)), None
        if value_labels:
            for code, label in value_labels.items():
                if normalise_label(label) == key:
                    return _code_from_cell(code, scale, lookup, None)
        known = [next(iter(t.values())) for t in scale.labels.values()]
        hint = f"; labels: {', '.join(map(repr, known))}" if known else ""
        return math.nan, (f"not a code or answer label of scale '{scale.id}' "
                          f"({scale.min:g}-{scale.max:g}{hint})")
    if x in scale.missing:
        return math.nan, None
    if not scale.min <= x <= scale.max:
        codes = f"; missing codes: {', '.join(f'{m:g}' for m in scale.missing)}" if scale.missing else ""
        return math.nan, f"outside scale '{scale.id}' ({scale.min:g}-{scale.max:g}{codes})"
    if scale.integer and not float(x).is_integer():
        return math.nan, f"not a whole code of scale '{scale.id}' ({scale.min:g}-{scale.max:g})"
    return x, None


def _label_set(pairs) -> str:
    return "{" + ", ".join(f"{code:g}: {label!r}" if isinstance(code, (int, float)) else f"{code}: {label!r}"
                           for code, label in pairs) + "}"


def label_recode(table, col, scale, notes=None):
    """``{file code: spec code or None (missing)}`` when a labelled file (SPSS, Stata) numbers
    the answers of ``col`` differently from ``scale``; None when the numbers agree.

    Each value label of the file is matched to the spec's labels (any language, case-, accent-
    and space-insensitive). When a matched label carries another code in the spec (the file says
    1 = 'high', the spec says 1 = 'low'), the column is recoded by label and a note says so; when
    the codes disagree and a label of the file matches none of the spec's, the column is refused
    naming both label sets. Labels that match nothing while all matched codes agree are ignored
    (the file is read by number, as before).
    """
    file_labels = table.value_labels.get(col)
    if not file_labels or not (scale.labels or scale.missing):
        return None
    lookup = scale.label_lookup()
    mapping, unmatched, disagree = {}, [], False
    for code, label in file_labels.items():
        try:
            c = float(code)
        except (TypeError, ValueError):
            continue  # a string variable's labels: cells are matched as text
        target = lookup.get(normalise_label(label), "?")
        if target == "?":
            unmatched.append((c, label))
            continue
        mapping[c] = None if target is None else float(target)
        agrees = c in scale.missing if target is None else float(target) == c
        disagree = disagree or not agrees
    if not disagree:
        return None
    spec_pairs = ([(code, next(iter(t.values()))) for code, t in sorted(scale.labels.items())]
                  + [(code, next(iter(t.values()))) for code, t in sorted(scale.missing.items())])
    file_pairs = sorted(((float(k), v) for k, v in file_labels.items() if isinstance(k, (int, float))),
                        key=lambda kv: kv[0])
    both = f"file labels {_label_set(file_pairs)}; spec scale '{scale.id}' labels {_label_set(spec_pairs)}"
    if unmatched:
        c, label = unmatched[0]
        raise InputError(f"the file's value labels number the answers differently from the spec, and the "
                         f"label {label!r} (code {c:g}) matches none of the spec's labels, so the column "
                         f"cannot be recoded by label ({both}); make the labels agree",
                         file=table.path, column=col)
    if notes is not None:
        moves = ", ".join(f"{k:g} -> {'missing' if v is None else format(v, 'g')}"
                          for k, v in sorted(mapping.items()) if v != k and not (v is None and k in scale.missing))
        notes.append(f"{table.path.name}: column '{col}': the file's value labels number the answers "
                     f"differently from the spec, so the answers were recoded by label ({moves}); {both}")
    return mapping


def _scored_column(table, col, scale, problems, notes=None):
    """A column on ``scale`` as float codes.

    Each distinct cell value is decoded once (number, decimal comma, label in any language,
    missing code, range check) and the result broadcast to its rows: an export of 100,000
    answers holds a handful of distinct values per column. A labelled file whose value labels
    number the answers differently from the spec is recoded by label (:func:`label_recode`).
    """
    import numpy as np
    import pandas as pd

    index, uniques = pd.factorize(table.frame[col], use_na_sentinel=True)
    lookup, vl = scale.label_lookup(), table.value_labels.get(col)
    recode = label_recode(table, col, scale, notes)
    if recode is None:
        decoded = [_code_from_cell(u, scale, lookup, vl) for u in uniques]
    else:
        decoded = [_recoded_cell(u, scale, lookup, recode) for u in uniques]
    values = np.array([code for code, _ in decoded] + [np.nan], dtype=float)
    codes = values[index]  # index -1 (a missing cell) picks the trailing NaN
    bad = [k for k, (_, problem) in enumerate(decoded) if problem]
    if bad:
        for i in np.flatnonzero(np.isin(index, bad)):
            problems.add(col, table.file_row(i), str(uniques[index[i]]), decoded[index[i]][1])
    return codes


def _recoded_cell(value, scale, lookup, recode):
    """One cell of a column recoded by label (see :func:`label_recode`)."""
    try:
        x = parse_number(value)
    except NotANumber:
        return _code_from_cell(value, scale, lookup, None)
    if math.isnan(x):
        return x, None
    if x in recode:
        return (math.nan, None) if recode[x] is None else (recode[x], None)
    if x in scale.missing:
        return math.nan, None
    return math.nan, (f"code {x:g} has no value label in the file, whose labels number the answers "
                      f"differently from scale '{scale.id}', so its meaning is unknown")


def _respondent_type(value, spec):
    if is_blank(value):
        return None
    key = normalise_label(value if not isinstance(value, float) or not value.is_integer() else int(value))
    r = spec.respondents
    if key in {normalise_label(v) for v in r.customer_values}:
        return "customer"
    if key in {normalise_label(v) for v in r.staff_values}:
        return "staff"
    return None


def _segment_value(value, segment):
    """Canonical segment code: the code itself or any label of it; None if unknown."""
    if is_blank(value):
        return math.nan
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    if not segment.values:
        return text
    key = normalise_label(text)
    for code, labels in segment.values.items():
        if key == normalise_label(code) or key in {normalise_label(t) for t in labels.values()}:
            return code
    return None


def _id_texts(series):
    """Ids as text (12.0 from a spreadsheet -> '12'; spaces trimmed); blanks -> None."""
    import numpy as np

    from cxstats.io.values import MISSING_TOKENS

    def text(v):
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()

    out = np.array([None if v is None or v != v else text(v) for v in series.tolist()], dtype=object)
    blank = np.array([t is None or t.lower() in MISSING_TOKENS for t in out])
    out[blank] = None
    return out


def read_survey_file(spec, path, respondent_type: str | None = None, table: RawTable | None = None,
                     notes: list | None = None):
    """One export file -> DataFrame in the survey-table shape (not yet concatenated).

    ``notes`` (a list) receives what ingest did beyond the obvious (answers recoded by label)."""
    import numpy as np
    import pandas as pd

    from cxstats.questionnaire.exports import export_renames

    table = table or read_table(path)
    renames = export_renames(table.frame.columns, spec)  # 'web/web_1' (KoBo), 'web-web_1' (ODK Central)
    if renames:
        table.frame = table.frame.rename(columns=renames)
    if table.kind == "por":  # SPSS portable files store variable names in capitals
        _match_case(table, spec)
    frame = table.frame
    if len(frame) == 0:
        raise InputError("the file has a header but no answers", file=table.path)
    if respondent_type is not None and respondent_type not in TYPES:
        raise InputError(f"respondent type must be 'customer' or 'staff', not {respondent_type!r}",
                         file=table.path)
    r = spec.respondents
    problems = _Problems(table.path)

    # respondent type per row
    if respondent_type:
        types = [respondent_type] * len(frame)
    elif r.type_column and r.type_column in frame.columns:
        allowed = ", ".join(r.customer_values + r.staff_values)
        index, uniques = pd.factorize(frame[r.type_column], use_na_sentinel=False)
        kinds = [_respondent_type(u, spec) for u in uniques]
        types = [kinds[k] for k in index]
        for i in np.flatnonzero(np.isin(index, [k for k, t in enumerate(kinds) if t is None])):
            v = uniques[index[i]]
            problems.add(r.type_column, table.file_row(i), "" if is_blank(v) else str(v),
                         f"unknown respondent type (expected one of: {allowed})")
    else:
        types = ["customer"] * len(frame)

    required = ([r.id_column] if r.id_column else []) + spec.item_ids()
    has_customers = "customer" in types
    if has_customers:
        required += [o.id for o in spec.outcomes if o.required]
    missing_cols = [c for c in required if c not in frame.columns]
    if missing_cols:
        table.require_columns(missing_cols[:1])  # raises, with near-miss suggestions

    out = {"respondent_id": [], "respondent_type": types}
    if r.id_column:
        ids = _id_texts(frame[r.id_column])
        for i in np.flatnonzero(pd.isna(ids)):
            problems.add(r.id_column, table.file_row(i), "", "respondent id is empty")
    else:  # no id in the export: respondents are named by file and row
        ids = [f"{table.path.stem}:{table.file_row(i)}" for i in range(len(frame))]
    out["respondent_id"] = list(ids)

    for col, scale in spec.scored_columns().items():
        if col not in frame.columns:
            out[col] = np.full(len(frame), np.nan)
            continue
        out[col] = _scored_column(table, col, scale, problems, notes)

    for seg in spec.segments:
        if seg.id not in frame.columns:
            out[seg.id] = [math.nan] * len(frame)
            continue
        vals, cache = [], {}
        for i, v in enumerate(frame[seg.id].tolist()):
            key = (type(v), v) if v == v else ("nan",)
            if key not in cache:
                cache[key] = _segment_value(v, seg)
            code = cache[key]
            if code is None:
                problems.add(seg.id, table.file_row(i), str(v),
                             f"unknown value of segment '{seg.id}' (expected: {', '.join(seg.values)})")
            vals.append(code)
        out[seg.id] = vals

    if spec.weight:
        if spec.weight not in frame.columns:
            table.require_columns([spec.weight])
        w = np.empty(len(frame))
        for i, v in enumerate(frame[spec.weight].tolist()):
            try:
                w[i] = parse_number(v)
            except NotANumber:
                w[i] = np.nan
            if not (w[i] > 0):
                problems.add(spec.weight, table.file_row(i), str(v), "a survey weight must be a positive number")
        out["weight"] = w

    if spec.fielding is not None:  # contact/response times, survey channel, wave (io/fielding.py)
        from cxstats.io.fielding import read_fielding_columns

        out.update(read_fielding_columns(spec.fielding, table, problems, notes))

    problems.raise_if_any()

    data = pd.DataFrame(out)
    data["_file"] = str(table.path)
    data["_row"] = [table.file_row(i) for i in range(len(frame))]
    for item in spec.items():
        if item.reverse:
            data[item.id] = item.scale.reverse(data[item.id])
    return data


def _match_case(table, spec):
    """Rename columns that match a column of the spec but for case (``WEB_1`` -> ``web_1``)."""
    wanted = (list(spec.scored_columns()) + [g.id for g in spec.segments]
              + [c for c in (spec.respondents.id_column, spec.respondents.type_column, spec.weight) if c])
    have = {}
    for c in table.frame.columns:
        have.setdefault(str(c).casefold(), []).append(c)
    renames = {}
    for w in wanted:
        found = have.get(w.casefold(), [])
        if w not in table.frame.columns and len(found) == 1:
            renames[found[0]] = w
    if renames:
        table.frame = table.frame.rename(columns=renames)
        table.value_labels = {renames.get(k, k): v for k, v in table.value_labels.items()}


def load_survey(spec, files) -> SurveyTable:
    """Read every ``(path, respondent_type or None)`` and return one validated table.

    Duplicated respondent ids within a respondent type are refused, naming both rows.
    """
    import pandas as pd

    parts, sources, notes = [], [], []
    for entry in files:
        path, kind = (entry, None) if isinstance(entry, (str, bytes)) or hasattr(entry, "__fspath__") else entry
        parts.append(read_survey_file(spec, path, kind, notes=notes))
        sources.append(str(path))
    data = pd.concat(parts, ignore_index=True)
    dup = data.duplicated(["respondent_type", "respondent_id"], keep=False)
    if dup.any():
        rows = data[dup].sort_values(["respondent_type", "respondent_id", "_row"])
        first = rows.iloc[0]
        same = rows[(rows.respondent_id == first.respondent_id) & (rows.respondent_type == first.respondent_type)]
        where = ", ".join(f"{f} row {r}" for f, r in zip(same._file, same._row))
        n_ids = rows.drop_duplicates(["respondent_type", "respondent_id"]).shape[0]
        raise InputError(f"duplicated respondent id (appears at {where}); "
                         f"{n_ids} id(s) are duplicated in all; each respondent must appear once",
                         file=first._file, column=spec.respondents.id_column, row=int(same._row.iloc[1]),
                         value=first.respondent_id)
    return SurveyTable(data.reset_index(drop=True), spec, sources, notes)


def load_plan_data(ctx) -> SurveyTable:
    """The ``data:`` entries of a plan, read through its spec."""
    return load_survey(ctx.spec, plan_data_files(ctx))


def plan_data_files(ctx) -> list:
    """The ``data:`` entries of a plan as ``[(path, respondent type or None)]``."""
    from cxstats.errors import SpecError

    if ctx.spec is None:
        raise SpecError("this plan's steps read survey answers through a study spec; add 'spec: FILE'",
                        file=ctx.plan_path, path="spec")
    entries = ctx.plan.get("data")
    if isinstance(entries, (str, dict)):
        entries = [entries]
    if not entries:
        raise SpecError("the plan names no data files", file=ctx.plan_path, path="data")
    files = []
    for i, e in enumerate(entries):
        if isinstance(e, str):
            files.append((_data_path(ctx, e), None))
        elif isinstance(e, dict) and "file" in e:
            kind = e.get("respondent_type")
            if kind is not None and kind not in TYPES:
                raise SpecError(f"respondent_type must be customer or staff, not {kind!r}",
                                file=ctx.plan_path, path=f"data[{i}].respondent_type")
            files.append((_data_path(ctx, e["file"]), kind))
        else:
            raise SpecError("each data entry is a file name or {file: NAME, respondent_type: customer|staff}",
                            file=ctx.plan_path, path=f"data[{i}]")
    return files


def _data_path(ctx, entry):
    """A plan's data entry: a path relative to the plan, or as written for a URI (s3a://...) or an
    engine source (table:NAME, delta:PATH)."""
    text = str(entry)
    if "://" in text or text.startswith(("table:", "delta:")):
        return text
    return ctx.resolve(text)
