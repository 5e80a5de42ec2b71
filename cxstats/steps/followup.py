"""Analysis ``followup``: close-the-loop case lists from the spec's ``followup:`` block.

Every customer whose answers meet a rule (``nps <= 6``, ``any item of CONSTRUCT <= 2``,
``comment matches "baja|cancel"``) becomes one case - de-duplicated per customer (the
highest-priority rule wins, every rule met is listed), owned by the owner of the customer's
region / channel / segment / touchpoint (``owners:``; unmatched cases go to the default owner
and are counted), due ``SLA hours`` after the response time, with the reason in words ("NPS 3;
Puntualidad de la entrega 1/5; 'llegó tarde'"). ``promoters`` lists the customers to thank
(``followup.promoters``, default ``nps >= 9``) with what they praised. ``previous`` (an earlier
list, CSV or XLSX with ``customer_id`` and ``contacted_at`` or ``due_by``) and
``followup.suppression_days`` leave out customers contacted recently. ``hash_ids`` replaces
customer and respondent ids by HMAC-SHA256 under a key from ``$CXSTATS_HASH_KEY`` or
``hash_key_file`` (never a default key: refused without one). With a CRM extract linked (the
spec's ``crm:`` block; ``--crm`` / the plan's ``crm:``), the owners' key (e.g. the region) and
exported segments are the customer's values in the CRM. Customers' answers; needs a spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "followup"
WORKBOOK = "followup"
HASH_KEY_ENV = "CXSTATS_HASH_KEY"
_PRAISED = {"es": "valoró", "en": "praised"}
_SHORT = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


@dataclass
class Options(StepOptions):
    promoters: bool = False             # the promoters (thank-you) list instead of follow-ups
    previous: str | None = None         # an earlier list: its customers are suppressed within the window
    as_of: str | None = None            # the list's date for suppression (default: latest response time)
    hash_ids: bool = False              # HMAC-SHA256 ids (key: $CXSTATS_HASH_KEY or hash_key_file)
    hash_key_file: str | None = None    # file holding the hash key
    out: str | list[str] | None = None  # plan: file name(s) of the CRM list (.csv and/or .xlsx) in the output folder
    sep: str = ","                      # plan: the CSV separator of ``out`` (',' or ';')

    def validate(self):
        names = [self.out] if isinstance(self.out, str) else list(self.out or [])
        for name in names:
            name = str(name)
            if (not name.strip() or "/" in name or "\\" in name or name.startswith((".", "~"))
                    or not name.lower().endswith((".csv", ".xlsx"))):
                raise InputError(f"{name!r}: give a plain file name ending in .csv or .xlsx (e.g. "
                                 "seguimiento.csv), or a list of them; the list goes to the plan's output "
                                 "folder", option="out")
        if len(set(names)) < len(names):
            raise InputError("the same file name is given twice", option="out")
        if self.sep not in (",", ";"):
            raise InputError(f"the CSV separator is ',' or ';', not {self.sep!r}", option="sep")
        if self.as_of is not None:
            import pandas as pd

            try:
                pd.Timestamp(self.as_of)
            except (ValueError, TypeError):
                raise InputError(f"{self.as_of!r} is not a date (write 2026-11-30 or 2026-11-30 18:00)",
                                 option="as_of") from None
        if self.hash_key_file and not self.hash_ids:
            raise InputError("a hash key file is only used with hash_ids", option="hash_key_file")


def response_time_column(spec) -> str | None:
    """The column holding when each customer answered (the SLA clock starts there): the followup
    block's ``response_time``, else the fielding block's (the one place to look it up)."""
    fu = spec.followup
    if fu is not None and fu.response_time:
        return fu.response_time
    fielding = spec.fielding
    return fielding.response_time if fielding is not None else None


def hash_key(options: Options, ctx: StepContext | None = None) -> bytes:
    """The HMAC key: the file's bytes (trailing newline dropped), else $CXSTATS_HASH_KEY; refused
    without one (a default key would make every hash reversible by anyone with cxstats)."""
    if options.hash_key_file:
        from pathlib import Path

        try:
            key_file = ctx.input_path(options.hash_key_file) if ctx is not None else Path(options.hash_key_file)
            key = key_file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise InputError(f"cannot read the hash key file: {exc.strerror or exc}", file=options.hash_key_file,
                             option="hash_key_file") from None
        source = "the hash key file"
    else:
        key = os.environ.get(HASH_KEY_ENV, "").encode("utf-8")
        source = f"${HASH_KEY_ENV}"
    if not key:
        raise InputError(f"hashed ids need a secret key: set ${HASH_KEY_ENV} or give a key file (hash_key_file); "
                         "cxstats has no default key", option="hash_key_file" if options.hash_key_file else "hash_ids")
    if len(key) < 16:
        raise InputError(f"the key in {source} is too short ({len(key)} bytes): use at least 16 random bytes",
                         option="hash_key_file" if options.hash_key_file else "hash_ids")
    return key


def make_hasher(key: bytes):
    import hashlib
    import hmac

    return lambda value: hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()


def run(ctx: StepContext, options: Options):
    import pandas as pd

    from cxstats.io.crm import join_crm, raw_columns
    from cxstats.stats.followup import build_cases

    if not ctx.has_spec:
        raise InputError("follow-up rules, owners and SLAs come from a study spec's 'followup:' block; give --spec")
    spec = ctx.spec
    fu = spec.followup
    if fu is None:
        raise NotApplicable("the spec has no 'followup:' block (rules, owners, SLA hours)")
    if options.promoters and fu.promoters is None:
        raise InputError("the spec's followup block has no 'promoters:' entry (e.g. promoters: {when: 'nps >= 9'})",
                         option="promoters")
    hasher = make_hasher(hash_key(options, ctx)) if options.hash_ids else None
    frame = ctx.survey.customers_with_scores()
    if not len(frame):
        raise NotApplicable("no customer answers: follow-up lists are built from customers' answers")
    frame, link = join_crm(frame, ctx.crm, spec) if ctx.crm is not None else (frame, None)
    wanted = {"customer_id": fu.customer_id, "response_time": response_time_column(spec), "comment": fu.comment,
              "channel": fu.channel}
    th = spec.themes  # open answers with a codebook: each case carries its themes, rules may name one
    theme_col = th.text if th is not None else None
    raw = raw_columns(frame, [c for c in [*wanted.values(), *fu.export, theme_col]
                              if c and c not in frame.columns],
                      {c: f"followup.{k}" for k, c in wanted.items() if c} | {c: "followup.export" for c in fu.export}
                      | ({theme_col: "themes.text"} if theme_col else {}))

    def column(name):
        if name is None:
            return None
        return (frame[name] if name in frame.columns else raw[name]).tolist()

    ids = column(fu.customer_id) if fu.customer_id else frame["respondent_id"].tolist()
    extra = {c: column(c) for c in fu.export}
    if th is not None:
        from cxstats.stats.verbatims import compile_codebook, match_themes

        book = compile_codebook(th.codebook)
        row_themes = [tuple(match_themes(t, book)) if isinstance(t, str) else () for t in column(theme_col)]
        frame = frame.copy()
        frame["_themes"] = row_themes
        extra["themes"] = [", ".join(t) for t in row_themes]
    times = None
    if wanted["response_time"]:
        times = _timestamps(frame, raw, wanted["response_time"])
    # the reason and touchpoint are display texts: the JSON keeps them in the study's language
    # (deterministic whatever --lang says); the CRM file and workbook take the chosen language
    words = {lang: _display_words(spec, lang) for lang in spec.languages}
    labels, touchpoint_names = words[spec.language]["labels"], words[spec.language]["touchpoint_names"]
    previous = _previous(ctx.input_path(options.previous)) if options.previous else None
    owner_keys = (frame[fu.owners_by].tolist() if fu.owners_by and fu.owners_by != "touchpoint" else None)
    rules = [fu.promoters] if options.promoters else list(fu.rules)
    praise = {c.id: (labels[c.id], c.scale.max) for c in spec.constructs()} if options.promoters else None
    result = build_cases(
        frame, rules, kind="promoters" if options.promoters else "followup", customer_ids=ids,
        comment=column(fu.comment), response_time=times, channel=column(fu.channel), owner_keys=owner_keys,
        owners=fu.owners, default_owner=fu.default_owner, owners_by=fu.owners_by, notify=fu.notify_manager,
        labels=labels, praise=praise, touchpoint_names=touchpoint_names,
        extra=extra, previous=previous, suppression_days=fu.suppression_days,
        as_of=pd.Timestamp(options.as_of) if options.as_of else None, hasher=hasher, language=spec.language,
        translations=words)
    if link is not None:
        result.crm = link.to_dict()
        result.warnings = link.warnings() + result.warnings
    return result


def _display_words(spec, lang: str) -> dict:
    """The names a reason is written with in ``lang``: constructs, outcomes ('NPS', else the
    question cut to 40 characters), items ('Construct (item)'), 'praised'; and touchpoints."""
    from cxstats.spec.model import pick

    names = spec.display_names(lang)
    labels = {c.id: names.get(c.id, c.id) for c in spec.constructs()}
    for o in spec.outcomes:
        labels[o.id] = _SHORT.get(o.type) or (pick(o.customer, lang) or o.id)[:40]
    for i in spec.items():
        labels[i.id] = f"{labels[i.construct]} ({i.id})"
    if spec.themes is not None:  # a 'theme is ID' rule is shown by the theme's name
        for tid in spec.themes.codebook:
            labels[f"theme:{tid}"] = pick(spec.themes.names.get(tid), lang) or tid
    labels["_praised"] = _PRAISED.get(lang, "praised")
    return {"labels": labels, "touchpoint_names": {t.id: names.get(t.id, t.id) for t in spec.touchpoints()}}


def _timestamps(frame, raw, col):
    import pandas as pd

    values = frame[col] if col in frame.columns else raw[col]
    parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    bad = parsed.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise InputError("not a date and time (write 2026-11-20 14:05)", file=frame["_file"].iloc[i], column=col,
                         row=int(frame["_row"].iloc[i]), value=str(values.iloc[i]))
    return list(parsed)


def _previous(path) -> dict:
    """{customer_id: date} from an earlier list (CSV or XLSX written by this command, or any table
    with customer_id and contacted_at or due_by)."""
    import pandas as pd

    from cxstats.io.readers import read_table

    table = read_table(path)
    cols = [str(c) for c in table.frame.columns]
    date_col = "contacted_at" if "contacted_at" in cols else "due_by" if "due_by" in cols else None
    if "customer_id" not in cols or date_col is None:
        raise InputError("a previous list needs the columns customer_id and contacted_at (or due_by)",
                         file=path, option="previous")
    dates = pd.to_datetime(table.frame[date_col], errors="coerce", format="mixed")
    out = {}
    for cid, when in zip(table.frame["customer_id"].astype(str), dates):
        if pd.notna(when) and (cid not in out or when > out[cid]):
            out[cid] = when
    return out
