"""Errors a user can act on.

``InputError`` is the user's mistake (bad file, column, value, option, model):
the command line prints its message and exits with code 2, never a traceback.
Anything else that escapes is a bug in cxstats (exit code 1).
"""

from __future__ import annotations

import re

# Control characters (C0 except newline, DEL, C1) and the invisible bidirectional-text
# overrides: never echoed to a terminal from a file's column names or cells.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069\ufeff]")
_UNSAFE_OR_NEWLINE = re.compile(f"(?:{_UNSAFE.pattern}|\n)")


def printable(text, *, keep_newlines: bool = False) -> str:
    """``text`` with control and escape characters shown escaped (``\\x1b``, ``\\u202e``):
    data from a file may hold terminal escape sequences or text-direction overrides."""
    pattern = _UNSAFE if keep_newlines else _UNSAFE_OR_NEWLINE

    def esc(m):
        c = m.group(0)
        return repr(c)[1:-1] if ord(c) > 0x9f or c in "\t\n\r" else f"\\x{ord(c):02x}"

    return pattern.sub(esc, str(text))


class InputError(Exception):
    """Bad usage or bad input. The message names what a researcher must fix.

    Give as many of ``file``, ``column``, ``row`` and ``value`` as are known;
    they are put in front of the message in a fixed order, e.g.
    ``customers.csv: column 'q5', row 18, value 'Muy satisfechoo': not a code ...``.
    ``details`` holds further lines (for example the next problems found).

    ``option`` names the analysis option at fault by its parameter name (the field of the
    step's ``Options``, e.g. ``"bootstrap"``), never by a command-line flag: the command line
    shows it as ``--bootstrap``, a plan as ``steps[3].bootstrap`` (:meth:`located`).
    """

    def __init__(self, message: str, *, file=None, column=None, row=None,
                 value=None, details: list[str] | None = None, option: str | None = None):
        self.reason = message
        self.file = None if file is None else str(file)
        self.column = column
        self.row = row
        self.value = value
        self.details = list(details or [])
        self.option = option
        super().__init__(self.render())

    def located(self, label: str) -> "InputError":
        """The same error with its option shown as ``label`` (``--bootstrap`` or a YAML path)."""
        return InputError(f"{label}: {self.reason}", file=self.file, column=self.column, row=self.row,
                          value=self.value, details=self.details)

    def where(self) -> str:
        parts = []
        if self.column is not None:
            parts.append(f"column '{printable(self.column)}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.value is not None:
            parts.append(f"value {printable(repr(self.value))}")
        head = printable(self.file) if self.file else ""
        if parts:
            head = f"{head}: {', '.join(parts)}" if head else ", ".join(parts)
        return head

    def render(self) -> str:
        where = self.where()
        reason = f"option '{self.option}': {self.reason}" if getattr(self, "option", None) else self.reason
        reason = printable(reason, keep_newlines=True)
        text = f"{where}: {reason}" if where else reason
        if self.details:
            text += "\n" + "\n".join(f"  {printable(d)}" for d in self.details)
        return text


class SpecError(InputError):
    """A problem in a study spec or plan file, located by its YAML path.

    ``path`` reads like ``journeys[0].touchpoints[2].constructs[1].aspiration``.
    """

    def __init__(self, message: str, *, file=None, path: str | None = None,
                 details: list[str] | None = None):
        self.path = path
        where = f" at {path}" if path else ""
        super().__init__(f"{where.strip() + ': ' if where else ''}{message}",
                         file=file, details=details)


class NotApplicable(InputError):
    """An analysis that does not apply to the data at hand (no staff file for a customer-staff
    comparison, no NPS question for NPS). A plan skips the step with a warning naming the step
    and this reason; a command exits 2 with it."""


class ModelError(InputError):
    """A model that cannot be estimated as asked (not identified, singular, ...)."""


class AnalysisWarning(UserWarning):
    """A statistical caveat that must reach every output (Heywood case, ...)."""
