"""Write files whole or not at all, never over an input, and all of a command's outputs together.

* Every output goes to a temporary ``.NAME.XXXX.part`` file beside its target and is renamed onto
  it at the end (an overwritten output keeps its file mode).
* Inside :func:`output_batch` (the command line wraps every command in one) the renames wait until
  the command has succeeded: a command that fails writes nothing, and a killed one leaves only
  ``.part`` files, which the next write of the same target removes.
* :func:`protect_inputs` registers the files a command reads (data, spec, plan, finance,
  roadmap, model); an output path equal to one of them is refused with exit 2.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from pathlib import Path

from cxstats.errors import InputError

_batch: contextvars.ContextVar[list | None] = contextvars.ContextVar("cxstats_output_batch", default=None)
_inputs: contextvars.ContextVar[frozenset] = contextvars.ContextVar("cxstats_inputs", default=frozenset())


def _key(path) -> str:
    try:
        return os.path.realpath(os.fspath(path))
    except (OSError, ValueError):
        return os.path.abspath(os.fspath(path))


def protect_inputs(*paths) -> None:
    """Remember files this command reads: no output may be written over them."""
    keys = {_key(p) for p in paths if p is not None and str(p) != "-"}
    _inputs.set(_inputs.get() | keys)


def _cannot_write(target: Path, exc: OSError) -> InputError:
    """An output path the user must change (no folder, no permission, a folder, disk full...)."""
    if isinstance(exc, IsADirectoryError) or target.is_dir():
        return InputError("this output path is a folder; give a file name (e.g. inside it)", file=target)
    why = exc.strerror or str(exc)
    return InputError(f"cannot write an output file here ({why}; folder '{target.parent}'); "
                      "choose a path in a folder you can write to, with space left", file=target)


def _clean_stale(target: Path) -> None:
    """Remove ``.part`` files an earlier, killed run left for this target."""
    with contextlib.suppress(OSError):
        for stale in target.parent.glob(f".{target.name}.*.part"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _commit(tmp: Path, target: Path, mode: int) -> None:
    try:
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _cannot_write(target, exc) from None


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path in the target's folder; rename it onto the target on success
    (at the end of the current :func:`output_batch`, if there is one).

    On any exception the temporary file is removed and the target is untouched. A target that
    is an input of the command, or cannot be written (its folder cannot be made, no permission,
    it is a folder, the disk is full), raises :class:`InputError` naming it.
    """
    target = Path(target)
    if _key(target) in _inputs.get():
        raise InputError("this output path is one of the command's input files; choose another "
                         "name (cxstats never writes over its inputs)", file=target)
    if target.is_dir():
        raise _cannot_write(target, IsADirectoryError(21, "Is a directory"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask  # mkstemp makes 0600; give the usual permissions
    with contextlib.suppress(OSError):
        mode = os.stat(target).st_mode & 0o7777  # an overwritten output keeps its mode
    tmp = Path(tmp)
    try:
        try:
            yield tmp
        except OSError as exc:  # disk full, file-size limit... while writing
            if isinstance(exc, InputError):
                raise
            raise _cannot_write(target, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    batch = _batch.get()
    if batch is None:
        _commit(tmp, target, mode)
    else:
        batch.append((tmp, target, mode))


@contextlib.contextmanager
def output_batch():
    """Every output written inside is committed together when the block succeeds, and none
    when it fails."""
    if _batch.get() is not None:  # nested: the outer batch commits
        yield
        return
    staged: list = []
    token = _batch.set(staged)
    try:
        yield
    except BaseException:
        for tmp, _, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    finally:
        _batch.reset(token)
    for i, (tmp, target, mode) in enumerate(staged):
        try:
            _commit(tmp, target, mode)
        except InputError:
            for later, _, _ in staged[i + 1:]:
                with contextlib.suppress(OSError):
                    os.unlink(later)
            raise


def commit_now() -> None:
    """Commit the outputs staged so far in the current batch (a report that must stay written even
    though the command then exits 2, e.g. ``questionnaire check`` listing a spec's errors)."""
    staged = _batch.get()
    if staged:
        pending = list(staged)
        staged.clear()
        for tmp, target, mode in pending:
            _commit(tmp, target, mode)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
