"""Reading the project's YAML files (study specs, analysis plans) with located errors.

Specs and plans are small hand-written files, so the reader is strict where YAML is
surprising or dangerous: a key written twice in one mapping (YAML keeps the last one
silently) is refused naming the key and both lines; anchors and aliases (``&name`` /
``*name``, which allow self-references and "billion laughs" expansion bombs) are
refused naming the line; nesting deeper than :data:`MAX_DEPTH` is refused before it is
built. Messages never echo the file's content (it may not be YAML at all).
"""

from __future__ import annotations

from pathlib import Path

from cxstats.errors import SpecError

MAX_DEPTH = 50  # a spec nests about 8 levels deep (journeys > touchpoints > constructs > items > text)


def _loader_class():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):
        """SafeLoader refusing duplicated keys (checked on the composed nodes)."""

        def construct_mapping(self, node, deep=False):
            seen = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = self.construct_object(key_node, deep=True)
                    try:
                        hash(key)
                    except TypeError:
                        continue
                    line = key_node.start_mark.line + 1
                    if key in seen:
                        shown = str(key) if len(str(key)) <= 60 else str(key)[:60] + "..."
                        raise _Duplicate(f"the key {shown!r} appears twice in the same mapping "
                                         f"(lines {seen[key]} and {line}); YAML would keep only the last one",
                                         line)
                    seen[key] = line
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


class _Duplicate(Exception):
    def __init__(self, message, line):
        super().__init__(message)
        self.line = line


def _check_events(text: str, loader, path: Path, what: str) -> None:
    """Refuse anchors, aliases and deep nesting while streaming parser events (nothing is built)."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark else "?"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise SpecError(f"line {line}: YAML anchors and aliases (&name, *name) are not accepted in "
                            f"a {what}; write the values out", file=path)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise SpecError(f"line {line}: nested more than {MAX_DEPTH} levels deep; a {what} "
                                "is not that deep (is this the right file?)", file=path)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def read_yaml(path, what: str):
    """The parsed YAML document at ``path``; a missing file, a non-UTF-8 file, a syntax
    error, a duplicated key, an anchor/alias, too deep nesting or a document that is not a
    mapping (``key: value`` lines) raises :class:`SpecError` naming the file (and line)."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise SpecError(f"no such {what} file", file=path)
    if path.is_dir():
        raise SpecError(f"is a folder, not a {what} file", file=path)
    try:
        data = path.read_bytes()
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "binary")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError(f"not a {what} file: a {what} is YAML text saved as UTF-8 "
                        "(this file is binary or in another encoding)", file=path) from None
    loader = _loader_class()
    try:
        _check_events(text, loader, path, what)
        doc = yaml.load(text, Loader=loader)
    except _Duplicate as exc:
        raise SpecError(f"line {exc.line}: {exc}", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "a syntax error"
        raise SpecError(f"not valid YAML{where}: {problem}", file=path) from None
    except RecursionError:  # belt and braces: the event check stops deep nesting first
        raise SpecError(f"nested too deeply to be a {what}", file=path) from None
    if doc is not None and not isinstance(doc, dict):
        kind = "a list" if isinstance(doc, list) else "plain text or a single value"
        raise SpecError(f"not a {what} file: a {what} is a YAML mapping of 'key: value' lines, "
                        f"but this file holds {kind} (is this the right file?)", file=path)
    return doc
