"""The layering rules of docs/architecture.md, checked on the source (every import, including
the ones inside functions, read with ``ast``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "cxstats"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


MODULES = _modules()


def _resolve(module: str, level: int, target: str | None, current: str, is_package: bool) -> str:
    if level == 0:
        return target or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports_of(name: str) -> list[tuple[str, int, list[str]]]:
    """(imported cxstats module, line, names) for every import statement of module ``name``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("cxstats", "click"):
                    found.append((alias.name, node.lineno, []))
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(name, node.level, node.module, name, is_package)
            names = [a.name for a in node.names]
            if mod.split(".")[0] not in ("cxstats", "click"):
                continue
            found.append((mod, node.lineno, names))
            for n in names:  # `from cxstats.stats import sem` imports the submodule
                if f"{mod}.{n}" in MODULES:
                    found.append((f"{mod}.{n}", node.lineno, []))
    return found


def _target(mod: str) -> str | None:
    """The cxstats module an import path refers to (the longest known prefix)."""
    parts = mod.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in MODULES:
            return cand
        parts.pop()
    return None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name in MODULES:
        edges = set()
        for mod, _, _ in imports_of(name):
            t = _target(mod)
            # a package's own __init__ importing its submodules (re-exports) is not a dependency
            # of the package on itself; an import of a parent package by its submodule is
            if t and t != name and not (t.startswith(name + ".") and MODULES[name].name == "__init__.py"):
                edges.add(t)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys

    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def violations() -> list[str]:
    """Every import that breaks a layering rule, as 'module:line imports target (rule)'."""
    bad = []
    for name in MODULES:
        layer = _layer(name)
        for mod, line, names in imports_of(name):
            top = mod.split(".")
            where = f"{name}:{line} imports {mod}"
            if layer == "stats":
                if top[0] == "click":
                    bad.append(f"{where} (stats never imports click)")
                elif len(top) > 1 and top[1] in ("io", "spec", "report", "plan", "cli", "steps",
                                                  "questionnaire", "demo", "engine"):
                    bad.append(f"{where} (stats is pure: frames and parameters in, a Result out)")
            elif layer == "moments":
                if top[0] == "click" or (len(top) > 1 and top[1] != "errors"):
                    bad.append(f"{where} (moments are plain numpy types: they import nothing of cxstats "
                               f"but errors)")
            elif layer == "engine":
                if top[0] == "click" or (len(top) > 1 and top[1] in ("stats", "steps", "report", "plan", "cli")):
                    bad.append(f"{where} (an engine reads data and returns moments; it never imports "
                               f"{top[1] if len(top) > 1 else top[0]})")
            elif layer == "io":
                if len(top) > 1 and top[1] in ("stats", "steps", "report", "plan", "cli", "engine"):
                    bad.append(f"{where} (io reads files; it never imports {top[1]})")
            elif layer == "spec":
                if len(top) > 1 and top[1] in ("stats", "steps", "report", "plan", "cli"):
                    bad.append(f"{where} (spec is the study description only)")
            elif layer == "report":
                if len(top) > 1 and top[1] in ("steps", "plan", "cli", "io", "spec"):
                    bad.append(f"{where} (report renders results; it never imports {top[1]})")
                if len(top) > 1 and top[1] == "stats":
                    funcs = [n for n in names if not n.endswith("Result") and n != "*"
                             and f"{mod}.{n}" not in MODULES]
                    if not names or funcs:
                        bad.append(f"{where} {funcs or ''} (report may import result types, not "
                                   f"statistics functions)")
            elif layer == "steps":
                if len(top) > 1 and top[1] in ("report", "plan", "cli") or top[0] == "click":
                    bad.append(f"{where} (an analysis writes and prints nothing)")
            elif layer == "plan":
                if len(top) > 1 and top[1] in ("cli",):
                    bad.append(f"{where} (plan never imports cli)")
                if len(top) > 1 and top[1] == "stats":
                    bad.append(f"{where} (plan knows no analysis: steps do)")
            elif layer == "cli" and name != "cxstats.cli.commands.run":
                if len(top) > 1 and top[1] == "plan":
                    bad.append(f"{where} (only the run command imports plan)")
                if len(top) > 1 and top[1] == "stats" and name.startswith("cxstats.cli.commands."):
                    analysis = name.rsplit(".", 1)[1]
                    if f"cxstats.steps.{analysis}" in MODULES:
                        bad.append(f"{where} (an analysis command goes through cxstats.steps.{analysis})")
    return bad


ENGINE_PACKAGES = ("duckdb", "pyspark")


def engine_package_imports() -> list[str]:
    """Imports of duckdb/pyspark outside cxstats/engine (the only layer that may use them)."""
    bad = []
    for name, path in MODULES.items():
        if _layer(name) == "engine":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            bad += [f"{name}:{node.lineno} imports {m}" for m in mods if m.split(".")[0] in ENGINE_PACKAGES]
    return bad


def test_only_the_engine_layer_imports_duckdb_or_pyspark():
    bad = engine_package_imports()
    assert not bad, "\n".join(bad)


def test_no_import_cycles_between_cxstats_modules():
    cycles = find_cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_layering_rules():
    bad = violations()
    assert not bad, "\n".join(bad)


def test_every_analysis_has_one_entry_point_and_its_command_is_thin():
    from cxstats import steps

    found = steps.available()
    assert "describe" in found
    for name, module in found.items():
        assert issubclass(module.Options, steps.StepOptions), name
        assert isinstance(module.WORKBOOK, str), name
    # the legacy per-front-end modules are gone
    assert not (ROOT / "plan" / "steps").exists()


# ------------------------------------------------------------------ the checks themselves can fail

def test_the_cycle_finder_finds_a_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_imports_inside_functions(tmp_path, monkeypatch):
    src = "def f():\n    from cxstats.io.readers import read_table\n    import click\n"
    fake = ROOT / "stats" / "_arch_probe.py"
    monkeypatch.setitem(MODULES, "cxstats.stats._arch_probe", fake)
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: src if self == fake
                        else Path.open(self, encoding=encoding).read())
    bad = [v for v in violations() if v.startswith("cxstats.stats._arch_probe")]
    assert len(bad) == 2, bad


def test_the_layer_rules_catch_an_engine_in_stats_and_stats_in_an_engine(monkeypatch):
    probes = {"cxstats.stats._arch_probe": "def f():\n    from cxstats.engine.duck import DuckBackend\n    import duckdb\n",
              "cxstats.engine._arch_probe": "from cxstats.stats.reliability import analyze_reliability\n",
              "cxstats.moments._arch_probe": "from cxstats.io.survey import load_survey\n"}
    fakes = {}
    for name, src in probes.items():
        fake = ROOT / Path(*name.split(".")[1:]).with_suffix(".py")
        fakes[fake] = src
        monkeypatch.setitem(MODULES, name, fake)
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: fakes[self] if self in fakes
                        else Path.open(self, encoding=encoding).read())
    bad = violations()
    for name in probes:
        assert any(v.startswith(name) for v in bad), (name, bad)
    assert any(v.startswith("cxstats.stats._arch_probe") for v in engine_package_imports())


@pytest.mark.parametrize("relative,expected", [((1, "errors"), "cxstats.stats.errors"),
                                               ((2, "errors"), "cxstats.errors")])
def test_relative_imports_resolve(relative, expected):
    level, target = relative
    assert _resolve("cxstats.stats.x", level, target, "cxstats.stats.x", False) == expected
