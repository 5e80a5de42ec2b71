"""The one result protocol every analysis returns (docs/architecture.md, "Result").

Renderers (JSON, terminal, workbook layouts) rely on these four members and nothing else;
``tests/test_step_contract.py`` checks them for every analysis of :mod:`cxstats.steps`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Result(Protocol):
    """What an analysis returns.

    * ``to_dict()``: plain, JSON-safe data with the documented names (deterministic);
    * ``tables()``: ``{name: pandas.DataFrame}`` for the terminal and the default layout;
    * ``methods()``: ``[(topic, explanation)]`` for the Methods sheet (formula, source);
    * ``warnings``: statistical caveats, as texts.
    """

    warnings: list

    def to_dict(self) -> dict: ...

    def tables(self) -> dict: ...

    def methods(self) -> list: ...
