"""One module per analysis: the single entry point shared by the command line and the plan.

A step module (``cxstats/steps/NAME.py``) defines

* ``NAME``: the analysis name (``cxstats NAME`` on the command line, ``step: NAME`` in a plan);
* ``WORKBOOK``: the plan workbook its sheets go to by default (``main``, ``measurement``,
  ``gaps``, ``roi``...); optionally ``SHEET_PRIORITY`` (default 100, lower leads a shared
  workbook);
* ``Options``: a dataclass derived from :class:`StepOptions`, one field per option with its
  default; the field names are the plan keys, and the command line's options carry the same
  names (``--bootstrap`` <-> ``bootstrap``), so an error raised with ``option="bootstrap"`` is
  shown as ``--bootstrap`` on the command line and ``steps[3].bootstrap`` in a plan;
* ``run(ctx, options) -> Result``: ``ctx`` is a :class:`StepContext` (the survey table and
  spec, or the plain files of a command run without a spec; finance and roadmap; earlier
  results; seed; progress). It gets its inputs from there, calls :mod:`cxstats.stats` and
  returns the result. It writes nothing and prints nothing.

This is the only layer where a study spec meets the statistics. The one layout of each
analysis is :mod:`cxstats.report.layouts` ``.NAME``. The plan runner finds step modules here
by themselves: adding an analysis is adding a module (docs/architecture.md, "Adding an
analysis").
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar

from cxstats.errors import InputError, NotApplicable

__all__ = ["StepOptions", "StepContext", "available", "get", "run_step", "NotApplicable"]


# ----------------------------------------------------------------------------------- options

def _type_name(tp) -> str:
    return {int: "a whole number", float: "a number", bool: "true or false", str: "a text",
            list: "a list"}.get(tp, getattr(tp, "__name__", str(tp)))


def _coerce(name: str, value, tp):
    """Check (and lightly convert) one option value against its annotation."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        real = [a for a in args if a is not type(None)]
        if real and all(typing.get_origin(a) is typing.Literal for a in real):  # Literal[..] | Literal[..]
            return _coerce(name, value, typing.Literal[tuple(v for a in real for v in typing.get_args(a))])
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(name, value, a)
            except InputError as exc:
                errors.append(exc)
        raise errors[0] if len(errors) == 1 else InputError(
            f"{value!r} is not a valid value (expected "
            f"{' or '.join(_type_name(typing.get_origin(a) or a) for a in args if a is not type(None))})",
            option=name)
    if origin is typing.Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise InputError(f"{value!r} is not one of {', '.join(map(str, allowed))}", option=name)
        return value
    if origin in (list, tuple):
        (inner,) = typing.get_args(tp)[:1] or (Any,)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]  # a single value where a list is expected
        if not isinstance(value, (list, tuple)):
            raise InputError(f"expected a list, not {value!r}", option=name)
        return [_coerce(name, v, inner) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise InputError(f"expected a mapping, not {value!r}", option=name)
        return dict(value)
    if tp is Any:
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise InputError(f"must be true or false, not {value!r}", option=name)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise InputError(f"must be a whole number, not {value!r}", option=name)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"must be a number, not {value!r}", option=name)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise InputError(f"must be a text, not {value!r}", option=name)
        return value
    return value


class StepOptions:
    """Base of every step's ``Options`` dataclass.

    Subclasses are ``@dataclass`` classes whose fields are the options with their defaults and
    type annotations (``int``, ``float``, ``bool``, ``str``, ``list[str]``, ``X | None``,
    ``Literal[...]``). Values are checked against the annotations when the object is made,
    whether from a plan mapping (:meth:`from_mapping`) or from the command line's keyword
    arguments; a subclass adds its own rules in :meth:`validate` and raises
    ``InputError(..., option=FIELD)``.

    ``DEPRECATED`` maps old plan keys to their new names: a plan that uses an old key still
    works, with a deprecation warning.
    """

    DEPRECATED: ClassVar[dict[str, str]] = {}

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            if f.name in hints:
                setattr(self, f.name, _coerce(f.name, getattr(self, f.name), hints[f.name]))
        self.validate()

    def validate(self) -> None:
        """Rules beyond the types (ranges, combinations); raise InputError(option=...)."""

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_mapping(cls, mapping: dict | None, *, step: str = "",
                     warn: Callable[[str], None] | None = None):
        """Options from a plan step's mapping: unknown keys refused, old keys renamed with a
        deprecation warning."""
        values = dict(mapping or {})
        for old, new in cls.DEPRECATED.items():
            if old in values:
                if new in values:
                    raise InputError(f"give {new!r} only ({old!r} is its old name)", option=old)
                values[new] = values.pop(old)
                if warn is not None:
                    warn(f"option {old!r} of step '{step}' is deprecated; write {new!r}")
        known = cls.keys()
        unknown = sorted(set(values) - set(known), key=str)
        if unknown:
            raise InputError(f"step '{step}' has no option {unknown[0]!r}; it takes: "
                             f"{', '.join(known) or 'none'}", option=str(unknown[0]))
        return cls(**values)


# ----------------------------------------------------------------------------------- context

def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class StepContext:
    """What an analysis sees, whether it runs from the command line or from a plan.

    * ``spec`` and ``survey``: the study spec and the validated :class:`SurveyTable` (both
      None for a command run without ``--spec``; then ``files`` holds the plain data files);
    * ``source``: how the data are named in messages (file names);
    * ``finance`` (a RawTable), ``roadmap`` and ``crm`` (paths) when given; ``base``, the folder
      that input files named in a plan step's options are relative to (:meth:`input_path`);
    * ``results``: earlier analyses' results in order (a plan), found with :meth:`latest`;
    * ``seed``; ``progress(desc)`` -> a ``progress(done, total)`` callback.
    """

    spec: Any = None
    files: list = field(default_factory=list)
    source: str = ""
    finance: Any = None
    roadmap: Path | None = None
    crm: Path | None = None  # the CRM extract joined by customer id (the spec's crm: block)
    base: Path | None = None  # a plan's folder: input files named in step options are relative to it
    results: list = field(default_factory=list)
    seed: int = 20261123
    progress_factory: Callable[[str], Callable[[int, int], None]] | None = None
    survey_loader: Callable[[], Any] | None = None
    data_files: list = field(default_factory=list)  # [(path, respondent type or None)] read through the spec
    _survey: Any = None
    _engine_surveys: dict = field(default_factory=dict)

    @property
    def survey(self):
        """The survey table (loaded on first use), or None without a spec."""
        if self._survey is None and self.survey_loader is not None:
            self._survey = self.survey_loader()
        return self._survey

    @property
    def has_spec(self) -> bool:
        return self.spec is not None

    def progress(self, desc: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for a long computation (a no-op when silent)."""
        return self.progress_factory(desc) if self.progress_factory is not None else _no_progress

    def latest(self, result_type, where: Callable[[Any], bool] | None = None):
        """The most recent earlier result of this type (and passing ``where``), or None."""
        found = None
        for r in self.results:
            if isinstance(r, result_type) and (where is None or where(r)):
                found = r
        return found

    def input_path(self, path) -> Path:
        """An input file named in an option: relative to the plan file in a plan (``base``), to
        the current folder on the command line."""
        p = Path(path)
        return p if self.base is None or p.is_absolute() else self.base / p

    def engine_survey(self, engine: str, spark_master: str | None = None):
        """The survey read by a SQL engine (duckdb, spark) through the spec: moments by aggregation
        (:class:`cxstats.engine.survey.EngineSurvey`), opened once per context."""
        from cxstats.engine import open_survey

        key = (engine, spark_master)
        if key not in self._engine_surveys:
            if not self.data_files:
                raise InputError(f"engine {engine} reads the survey files through the study spec; "
                                 "no data files were given", option="engine")
            self._engine_surveys[key] = open_survey(self.spec, self.data_files, engine,
                                                    spark_master=spark_master)
        return self._engine_surveys[key]

    def one_file(self) -> str:
        """The single data file of a command run without a spec."""
        if len(self.files) != 1:
            raise InputError("several data files are read through a study spec: add --spec SPEC "
                             "(or give one file)")
        return str(self.files[0])


# ----------------------------------------------------------------------------------- registry

def available() -> dict[str, types.ModuleType]:
    """Every analysis module of this package, by NAME."""
    from cxstats import steps

    found = {}
    for info in pkgutil.iter_modules(steps.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{steps.__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run") and hasattr(module, "Options"):
            found[module.NAME] = module
    return found


def get(name: str) -> types.ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def run_step(module: types.ModuleType, ctx: StepContext, options: StepOptions):
    """Run one analysis as both front ends do: ``module.run``, then what ingest did to the data
    it read (answers recoded by label, ...) added in front of the result's warnings, once."""
    result = module.run(ctx, options)
    survey = ctx._survey
    notes = list(getattr(survey, "notes", None) or []) if survey is not None else []
    result.warnings = list(dict.fromkeys(notes + list(result.warnings or [])))
    return result
