"""Terminal rendering: progress bars (the terminal side of the one progress protocol) and
result tables. Used by the command line and the plan runner."""

from __future__ import annotations

import sys

import click


def progress(iterable=None, *, total=None, desc: str = "", quiet: bool = False):
    """A progress bar on standard error (silent with --quiet or when not a terminal)."""
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(iterable, total=total, desc=desc, disable=disable, file=sys.stderr,
                leave=False, dynamic_ncols=True)


class ProgressBars:
    """The terminal side of the one progress protocol: ``factory(desc)`` gives a
    ``progress(done, total)`` callback drawing a bar; :meth:`close` ends every bar."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.bars = []

    def __call__(self, desc: str):
        state = {"bar": None}

        def update(done: int, total: int) -> None:
            bar = state["bar"]
            if bar is None:
                bar = state["bar"] = progress(total=total, desc=desc, quiet=self.quiet)
                self.bars.append(bar)
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        return update

    def close(self) -> None:
        for bar in self.bars:
            bar.close()
        self.bars = []


def print_tables(result) -> None:
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 30,
                           "display.max_rows", 200, "display.float_format", "{:.4f}".format):
        for name, df in result.tables().items():
            click.echo(f"\n== {name} ==")
            click.echo(df.to_string(index=False))
