"""Shared pieces of the command line: options, data loading, output.

Commands stay thin: parse options, load data through :mod:`cxstats.io`,
call a function from :mod:`cxstats.stats`, hand the result to :func:`emit`.
"""

from __future__ import annotations

import contextlib
import functools
import sys

import click

from cxstats.errors import InputError
from cxstats.report.terminal import ProgressBars, print_tables, progress  # noqa: F401  (used by commands)


def data_files_argument(f):
    """``DATA...``: one file, or with --spec several (e.g. customers.csv staff.csv); a folder of
    Parquet files for the SQL engines (the readers refuse a folder with a clear message)."""
    return click.argument("data", nargs=-1, required=True, metavar="DATA...",
                          type=click.Path(dir_okay=True))(f)




def files_label(files) -> str:
    """How a set of data files is named in messages."""
    return files[0] if len(files) == 1 else ", ".join(map(str, files))


def missing_code_option(f):
    """``--missing-code 99`` (repeatable): codes read as missing in plain files (no --spec)."""
    @functools.wraps(f)
    def wrapper(*args, missing_codes=(), **kwargs):
        from cxstats.io.tables import declared_missing_codes

        token = declared_missing_codes.set(tuple(missing_codes))
        try:
            return f(*args, **kwargs)
        finally:
            declared_missing_codes.reset(token)

    return click.option("--missing-code", "missing_codes", type=float, multiple=True, metavar="CODE",
                        help="A code meaning 'don't know' / 'no answer' (e.g. 99), read as missing "
                             "(repeatable; with --spec the spec's missing codes apply).")(wrapper)


def _xlsx_path(ctx, param, value):
    if value is not None and not str(value).lower().endswith(".xlsx"):
        raise click.BadParameter(f"{value!r}: an Excel workbook path must end in .xlsx")
    return value


LANG_HELP = ("Language of the workbook and chart texts (headers, notes, sheet names, spec names): "
             "es or en. Default: the spec's first language; English without a spec. JSON stays the same.")


def _remember_lang(ctx, param, value):
    if value is not None:
        ctx.meta["cxstats.lang"] = value
    return value


def lang_option(f):
    """``--lang es|en``: the language of what the command writes for people (kept on the click
    context; read by :func:`command_display`)."""
    return click.option("--lang", type=click.Choice(["es", "en"]), default=None, expose_value=False,
                        callback=_remember_lang, is_eager=True, help=LANG_HELP)(f)


def output_options(f):
    """``--json PATH`` (``-`` = stdout), ``--xlsx PATH`` and ``--lang es|en``."""
    f = lang_option(f)
    f = click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False), callback=_xlsx_path,
                     help="Write a formatted Excel workbook to this path (.xlsx).")(f)
    f = click.option("--json", "json_path", type=str, metavar="PATH",
                     help="Write the results as JSON to PATH ('-' for standard output).")(f)
    return f


def seed_option(f):
    return click.option("--seed", type=int, default=20261123, show_default=True,
                        help="Random seed: the same data and seed give identical results.")(f)


def engine_options(f):
    """``--engine`` and ``--spark-master`` (named as the steps' ``engine`` / ``spark_master``)."""
    f = click.option("--spark-master", "spark_master", metavar="URL",
                     help="With --engine spark: the cluster (spark://host:7077, yarn, local[4]); default: "
                          "the active Spark session, else local[*].")(f)
    return click.option("--engine", "engine", type=click.Choice(["auto", "pandas", "duckdb", "spark"]),
                        default="auto", show_default=True,
                        help="Where the data are read and the moments computed (with --spec): pandas in "
                             "memory; duckdb out of core (CSV, Parquet file/glob, FILE.duckdb:TABLE); spark on "
                             "a cluster. auto: duckdb for Parquet/DuckDB/globs and inputs over 200 MiB, "
                             "else pandas (always pandas for a bootstrap).")(f)


def quiet_option(f):
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars or tables on the terminal.")(f)


def spec_option(f):
    return click.option("--spec", "spec_path", type=click.Path(dir_okay=False),
                        help="Study spec (YAML): items, scales, constructs, missing codes.")(f)


def split_list(text: str | None, option: str) -> list[str]:
    """Parse ``A,B, C`` into names; refuse empty entries."""
    if text is None:
        return []
    names = [t.strip() for t in text.split(",")]
    if any(not n for n in names):
        raise InputError(f"option {option}: empty name in {text!r} (use NAME1,NAME2,...)")
    return names


def list_option(flag: str, name: str, *, metavar: str, help: str, number: bool = False):
    """An option written ``A,B,C`` on the command line, passed on as a list (None if absent)."""
    def convert(ctx, param, value):
        if value is None:
            return None
        names = split_list(value, flag)
        if not number:
            return names
        try:
            return [float(n) for n in names]
        except ValueError:
            raise click.BadParameter(f"{value!r}: expected numbers separated by commas") from None

    return click.option(flag, name, metavar=metavar, help=help, callback=convert)


def parse_scales(values, option: str = "--scale") -> dict[str, list[str]]:
    """Parse repeated ``NAME=I1,I2,I3`` options into ``{NAME: [I1, I2, I3]}``."""
    scales: dict[str, list[str]] = {}
    for v in values or ():
        if "=" not in v:
            raise InputError(f"option {option}: expected NAME=ITEM1,ITEM2,... but got {v!r}")
        name, items = v.split("=", 1)
        name = name.strip()
        if not name:
            raise InputError(f"option {option}: missing scale name in {v!r}")
        if name in scales:
            raise InputError(f"option {option}: scale {name!r} given twice")
        scales[name] = split_list(items, option)
    return scales


def read_model_text(model: str) -> str:
    """``--model`` takes lavaan syntax inline or ``@file``."""
    if model.startswith("@"):
        from cxstats.io.readers import read_text_file
        from cxstats.report.atomic import protect_inputs

        path = model[1:]
        protect_inputs(path)
        note_inputs("model", path)
        return read_text_file(path, "model")
    return model


@contextlib.contextmanager
def model_file_errors(model: str | None):
    """Syntax errors of a model read from ``@FILE`` name that file (``model.lav: line 3: ...``)."""
    try:
        yield
    except InputError as exc:
        if model and model.startswith("@") and exc.file is None and exc.reason.startswith("line "):
            raise type(exc)(exc.reason, file=model[1:], details=exc.details) from None
        raise


def option_flag(option: str) -> str:
    """How an analysis option is written on the current command line (``--bootstrap``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        for p in ctx.command.params:
            if isinstance(p, click.Option) and p.name == option:
                longs = [o for o in p.opts if o.startswith("--")]
                return (longs or p.opts)[0]
    return "--" + option.replace("_", "-")


def step_context(files, spec_path=None, *, seed: int = 20261123, quiet: bool = False,
                 finance=None, roadmap=None, crm=None, bars: "ProgressBars | None" = None):
    """The :class:`cxstats.steps.StepContext` of a command: the survey table through the spec
    (several files), or the plain file(s) without one."""
    from cxstats.report.atomic import protect_inputs
    from cxstats.steps import StepContext

    files = [str(f) for f in (files or ())]
    protect_inputs(*files, spec_path, finance, roadmap, crm)
    for role, paths in (("data", files), ("spec", [spec_path]), ("finance", [finance]), ("roadmap", [roadmap]),
                        ("crm", [crm])):
        note_inputs(role, *paths)
    spec = loader = None
    if spec_path:
        from cxstats.io.survey import load_survey
        from cxstats.spec.load import load_spec
        from cxstats.spec.model import pick

        spec = load_spec(spec_path)
        _cover_meta()["spec"] = spec
        _cover_meta()["study"] = pick(spec.title, command_display().lang) or None
        loader = lambda: load_survey(spec, [(d, None) for d in files])  # noqa: E731
    finance_table = None
    if finance:
        from cxstats.io.readers import read_table

        finance_table = read_table(finance)
    return StepContext(spec=spec, files=files, source=files_label(files) if files else "",
                       finance=finance_table, roadmap=roadmap, crm=crm, seed=seed,
                       progress_factory=bars if bars is not None else ProgressBars(quiet),
                       survey_loader=loader, data_files=[(d, None) for d in files] if spec_path else [])


def run_analysis(name: str, ctx, **options):
    """Run analysis ``name`` (a module of :mod:`cxstats.steps`) with the command's options.

    ``options`` are the command's keyword arguments named as the step's ``Options`` fields;
    an option error is shown with the command-line flag (``--bootstrap: ...``).
    """
    from cxstats.steps import get, run_step

    module = get(name)
    bars = ctx.progress_factory if isinstance(ctx.progress_factory, ProgressBars) else None
    try:
        opts = module.Options(**options)
        return run_step(module, ctx, opts)
    except InputError as exc:
        if exc.option:
            raise exc.located(option_flag(exc.option)) from None
        raise
    finally:
        if bars is not None:
            bars.close()


def _cover_meta() -> dict:
    """What the current command's workbook cover will say (kept on the click context, so each
    command starts afresh)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.setdefault("cxstats.cover", {"inputs": []}) if ctx is not None else {"inputs": []}


def note_inputs(role: str, *paths) -> None:
    """Record files the command reads, for its workbook's cover (names and SHA-256 only)."""
    meta = _cover_meta()
    meta["inputs"].extend((role, str(p)) for p in paths if p is not None and str(p) != "-")


def command_display(spec=None):
    """The :class:`cxstats.report.i18n.Display` of the current command: ``--lang``, else the
    spec's first language (the spec read by :func:`step_context`, or ``spec``), else English."""
    from cxstats.report.i18n import Display, resolve_lang

    ctx = click.get_current_context(silent=True)
    lang = ctx.meta.get("cxstats.lang") if ctx is not None else None
    spec = spec if spec is not None else _cover_meta().get("spec")
    lang = resolve_lang(lang, spec.languages if spec is not None else None)
    return Display(lang, spec.display_names(lang) if spec is not None else {})


def command_cover(name: str):
    """The cover of ``cxstats NAME --xlsx``: the command's inputs, seed and the spec's study title."""
    from cxstats.report.sheets import CoverInfo

    meta = _cover_meta()
    inputs = list(meta["inputs"])
    ctx = click.get_current_context(silent=True)
    params = ctx.params if ctx is not None else {}
    if not inputs:  # a command that did not go through step_context (journeys prioritize)
        for key in ("spec", "spec_path"):
            if isinstance(params.get(key), str):
                inputs.append(("spec", params[key]))
    seed = params.get("seed")
    study = meta.get("study")
    return CoverInfo(title=study or f"cxstats {name}", inputs=list(dict.fromkeys(inputs)),
                     seed=seed if isinstance(seed, int) else None, study=study, lang=command_display().lang)


def emit(result, *, name: str, json_path: str | None, xlsx_path: str | None, quiet: bool = False) -> None:
    """Write a result as JSON and/or its workbook (the analysis' one layout), and print a
    summary table; warnings go to standard error."""
    from cxstats.report.jsonout import write_json

    warnings = list(result.warnings or [])
    if json_path:
        write_json(result, json_path)
    if xlsx_path:
        from cxstats.report.sheets import write_result_workbook

        write_result_workbook(result, xlsx_path, name, cover=command_cover(name), display=command_display())
    if json_path != "-" and not quiet:
        print_tables(result)
    for w in dict.fromkeys(warnings):
        click.echo(f"warning: {w}", err=True)



