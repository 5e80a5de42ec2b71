"""Reading the project's YAML files (study specs, analysis plans) with located errors."""

from __future__ import annotations

from pathlib import Path

from cxstats.errors import SpecError


def read_yaml(path, what: str):
    """The parsed YAML document at ``path``; a missing file, a non-UTF-8 file or a syntax
    error raises :class:`SpecError` naming the file (and line and column)."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise SpecError(f"no such {what} file", file=path)
    if path.is_dir():
        raise SpecError(f"is a folder, not a {what} file", file=path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SpecError(f"the {what} must be saved as UTF-8 text", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(f"not valid YAML{where}: {getattr(exc, 'problem', exc)}", file=path) from None
