"""The ``cxstats`` command line.

Commands live one per module in :mod:`cxstats.cli.commands`; each module
exposes a click object named ``command``. They are discovered at start-up,
so adding a command is adding a file. Command modules import only click at
module level: statistics libraries are imported inside the command body,
which keeps ``cxstats --help`` fast.

Exit codes: 0 done; 2 bad usage or bad input (one clear message, no
traceback); 1 an internal error (a bug in cxstats).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import signal
import sys

# Our matrices are small (tens of variables): multi-threaded BLAS only adds overhead, and on a
# busy machine it made EFA and CFA 10x slower (benchmarks/README.md). One thread unless the
# user says otherwise; set before numpy is imported by any command.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import click

from cxstats import __version__


def _discover() -> dict[str, click.Command]:
    from cxstats.cli import commands

    found = {}
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        cmd = getattr(module, "command", None)
        if isinstance(cmd, click.Command):
            found[cmd.name] = cmd
    return found


class CxGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(_discover())

    def get_command(self, ctx, name):
        return _discover().get(name)


@click.group(cls=CxGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cxstats")
def cli():
    """cxstats: customer-experience measurement research, checked against R.

    \b
    A typical study:
      cxstats demo DIR                      a complete demo study to try everything on
      cxstats questionnaire build SPEC      version-0 customer and staff forms + codebook
      cxstats reliability DATA --spec SPEC  alpha, omega, item-total per construct
      cxstats cfa / efa / gaps / nps / drivers / sem / roi   the analyses
      cxstats immediacy / track / dashboard   answers within 48 h, waves, the journey dashboard
      cxstats run PLAN                      a whole analysis plan -> JSON + workbooks

    Every analysis takes --json PATH (- for stdout) and --xlsx PATH.
    Exit codes: 0 done, 2 bad usage or input, 1 internal error.
    Run 'cxstats COMMAND --help' for details and examples.
    """


def main(argv=None) -> None:
    """Entry point: user mistakes exit 2 with a message, bugs exit 1."""
    from cxstats.errors import InputError

    if argv is None and hasattr(signal, "SIGPIPE"):
        # `cxstats ... | head`: end quietly like any Unix tool (not exit 1, which means a bug)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from cxstats.report.atomic import output_batch

    try:
        with output_batch():  # a command that fails writes nothing: outputs are committed together
            rv = cli.main(args=argv, prog_name="cxstats", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        click.echo(f"error: {exc.render()}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception:  # a bug: say so plainly, keep the traceback for the report
        import traceback

        click.echo("internal error in cxstats (a bug, not your input); please report this:", err=True)
        traceback.print_exc()
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
