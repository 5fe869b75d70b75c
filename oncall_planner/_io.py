"""File helpers: atomic output (nothing is ever half-written) and located JSON parsing.

Two kinds of atomic output:

- :func:`write_atomic`, one file: a temporary file in the same folder, then a rename.
- :func:`write_folder`, a set of files (``ical -o DIR``): the new set is built in a sibling
  folder ``.DIR.tmp-<pid>-<random>`` (starting from a copy of DIR, so files the run does not
  write are kept), then swapped with DIR in one step. On Linux the swap is
  ``renameat2(RENAME_EXCHANGE)``: anyone opening a path under DIR sees the whole old set or the
  whole new set, never a mix and never no DIR. Elsewhere it is two renames (DIR aside, the new
  folder in): for that instant DIR does not exist, and a reader gets "not found", never a mix.
  A reader that opened a file before the swap keeps reading the old file to its end.

Temporary files and folders are removed on any exit, exceptions and Ctrl-C included. SIGKILL
cannot be caught: the next run removes the siblings of processes that no longer exist (and, if
the kill fell between the two renames of the fallback, puts the old DIR back first). Errors name
the path the user gave, never a temporary one.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from oncall_planner.errors import InputError

__all__ = ["MAX_JSON_DEPTH", "FolderWriter", "parse_json", "write_atomic", "write_folder"]

#: Deepest nesting of arrays and objects a JSON input may have. Plans and page exports nest
#: about 6 levels; Python's parser fails with RecursionError somewhere near 1,000.
MAX_JSON_DEPTH = 64


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A reader sees either the old file or the whole new one, never a partial write, even if the
    process is killed half-way. Parent folders are created.

    Returns:
        The path written.
    """
    target = Path(path)
    if target.is_dir():
        # os.replace would fail naming the temporary file; name the user's path instead.
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _naming(e, target) from e
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            # "No space left on device" alone does not say which output filled the disk.
            raise _naming(e, target) from e
        raise
    return target


def _naming(error: OSError, path: str | os.PathLike[str]) -> OSError:
    """The same error, naming ``path`` (the user's target) instead of a temporary file."""
    if error.errno is None:
        return error
    return OSError(error.errno, error.strerror or os.strerror(error.errno), os.fspath(path))


class FolderWriter:
    """Writes files into the staging folder of :func:`write_folder`.

    Attributes:
        target: The folder being replaced (what the user named).
        staging: The sibling folder being built.
    """

    def __init__(self, target: Path, staging: Path) -> None:
        self.target = target
        self.staging = staging
        self._written: list[Path] = []

    def staged(self, relative: str | os.PathLike[str]) -> Path:
        """Where ``relative`` is in the staging folder (the old file until it is written)."""
        return self.staging / relative

    def write(self, relative: str | os.PathLike[str], data: str | bytes) -> Path:
        """Write one file of the set; return its path under the target folder."""
        path = self.staging / relative
        shown = self.target / relative
        payload = data.encode("utf-8") if isinstance(data, str) else data
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)  # a copied old file may be a hard link or read-only
            with open(path, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, 0o644)
        except OSError as e:
            raise _naming(e, shown) from e
        self._written.append(shown)
        return shown

    @property
    def written(self) -> list[Path]:
        """The target paths written so far, sorted."""
        return sorted(self._written)


_SIBLING = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]+")


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":
        return True  # on Windows os.kill(pid, 0) would send Ctrl-C: never guess there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _recover(target: Path) -> None:
    """Undo what a killed run left next to ``target``: stale siblings, a missing target."""
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    stale = []
    for entry in entries:
        m = _SIBLING.fullmatch(entry.name)
        if m and m["name"] == target.name and not _alive(int(m["pid"])):
            stale.append((m["kind"], entry))
    # Killed between "DIR aside" and "new folder in": DIR is gone; the old set is complete.
    for kind, entry in stale:
        if kind == "old" and not os.path.lexists(target):
            os.rename(entry, target)
    for _, entry in stale:
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)


def _copy_into(source: Path, staging: Path) -> None:
    """Copy the old folder's contents, leaving out temporary files of interrupted writes."""
    for entry in source.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            continue  # a write_atomic temporary file an older version left behind
        dest = staging / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, dest, symlinks=True)
        else:
            shutil.copy2(entry, dest, follow_symlinks=False)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without exchange
    raise OSError(code, os.strerror(code), os.fspath(b))


def _fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def write_folder(path: str | os.PathLike[str]) -> Iterator[FolderWriter]:
    """Replace the folder ``path`` with a new set of files, all at once (see the module doc).

    Write the files with the yielded :class:`FolderWriter`; when the block ends normally the
    new set replaces the old in one swap. When it raises (Ctrl-C included), the old folder is
    untouched and the staging folder removed.

    Raises:
        OSError: The folder cannot be written (read-only, a file, a full disk); the error names
            the target path the user gave, never the staging folder.
    """
    given = Path(path)
    # A symlinked DIR stays a symlink: the folder it points to is the one replaced.
    target = given.resolve() if given.is_symlink() else given.absolute()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder", str(given))
    if target.exists() and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "the output folder is read-only", str(given))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _recover(target)
        staging = target.parent / f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir()
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            # DIR itself may be writable: say that the swap needs its parent too.
            why = f"{e.strerror} (the new set is built next to it, in {target.parent})"
            raise OSError(e.errno, why, str(given)) from e
        raise _naming(e, given) from e
    aside: Path | None = None
    try:
        if target.is_dir():
            _copy_into(target, staging)
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
        writer = FolderWriter(given, staging)
        yield writer
        for folder in sorted({p.parent for p in staging.rglob("*")} | {staging}):
            _fsync_folder(folder)
        if not target.exists():
            os.rename(staging, target)
        elif _exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)  # now the old set
        else:
            aside = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
            os.rename(target, aside)
            os.rename(staging, target)
            shutil.rmtree(aside, ignore_errors=True)
        _fsync_folder(target.parent)
    except OSError as e:
        raise _map_error(e, staging, given) from e
    finally:
        if aside is not None and aside.exists() and not os.path.lexists(target):
            os.rename(aside, target)  # interrupted between the two renames: the old set back
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _map_error(error: OSError, staging: Path, given: Path) -> OSError:
    """An error about a file in the staging folder, told about the same file in the target."""
    name = error.filename
    if name is None or error.errno is None:
        return _naming(error, given) if error.errno is not None else error
    text = os.fspath(name)
    if not isinstance(text, str):
        return error
    if text == str(staging) or text.startswith(str(staging) + os.sep):
        return _naming(error, str(given) + text[len(str(staging)) :])
    return error


def parse_json(text: str, *, source: str | None, error: type[InputError]) -> Any:
    """Parse JSON text; a syntax error becomes ``error`` with a located L001 finding.

    Nesting deeper than :data:`MAX_JSON_DEPTH` is refused (L006, with line and column) before
    parsing: 100,000 nested ``[`` made ``json.loads`` raise RecursionError.
    """
    from oncall_planner.rules import rule

    deep = _too_deep(text, MAX_JSON_DEPTH)
    if deep is None:
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise error(
                [
                    rule("L001").finding(
                        f"not valid JSON: {e.msg}", file=source, line=e.lineno, column=e.colno
                    )
                ]
            ) from e
        except RecursionError:
            # Brackets inside strings can hide nesting from the fast check, not from this one.
            deep = _first_too_deep(text, MAX_JSON_DEPTH) or 0
    line = text.count("\n", 0, deep) + 1
    column = deep - text.rfind("\n", 0, deep)
    raise error(
        [
            rule("L006").finding(
                f"JSON nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects",
                file=source,
                line=line,
                column=column,
                hint=f"at most {MAX_JSON_DEPTH} levels are read; real exports nest about 6",
            )
        ]
    )


# A JSON string (possessive, and the closing quote optional, so that an unterminated string
# costs one pass and never backtracks), or a bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _too_deep(text: str, limit: int) -> int | None:
    """The offset of the first ``[`` or ``{`` nested deeper than ``limit``, or None."""
    if text.count("[") + text.count("{") <= limit:
        return None
    # Fast and approximate: every bracket, strings included (UTF-8 never puts these bytes inside
    # another character). A pass removes the innermost "[]" and then "{}" pairs: one or two
    # levels. So ``limit // 2`` passes leave something of anything nested deeper than ``limit``;
    # what is left (deep, 33-64 levels, or unbalanced) goes to the exact scan below.
    brackets = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    for _ in range(limit // 2):
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if reduced == brackets:
            break
        brackets = reduced
    if not brackets:
        return None
    return _first_too_deep(text, limit)


def _first_too_deep(text: str, limit: int) -> int | None:
    """Exact, token by token, skipping strings (only when the fast check found deep nesting)."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in ("[", "{"):
            depth += 1
            if depth > limit:
                return m.start()
        elif c in ("]", "}"):
            depth -= 1
    return None
