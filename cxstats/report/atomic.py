"""Write files whole or not at all: a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cxstats.errors import InputError


def _cannot_write(target: Path, exc: OSError) -> InputError:
    """An output path the user must change (no folder, no permission, a folder, ...)."""
    if isinstance(exc, IsADirectoryError) or target.is_dir():
        return InputError("this output path is a folder; give a file name (e.g. inside it)", file=target)
    why = exc.strerror or str(exc)
    return InputError(f"cannot write an output file here ({why} in folder '{target.parent}'); "
                      "choose a path in a folder you can write to", file=target)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path in the target's folder; rename it onto the target on success.

    On any exception the temporary file is removed and the target is untouched. A target that
    cannot be written (its folder cannot be made, no permission, it is a folder) raises
    :class:`InputError` naming it, so the command line exits 2 with a message.
    """
    target = Path(target)
    if target.is_dir():
        raise _cannot_write(target, IsADirectoryError(21, "Is a directory"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
