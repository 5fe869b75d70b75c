"""File helpers: atomic output (nothing is ever half-written) and located JSON parsing."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from oncall_planner.errors import InputError

__all__ = ["parse_json", "write_atomic"]


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
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def parse_json(text: str, *, source: str | None, error: type[InputError]) -> Any:
    """Parse JSON text; a syntax error becomes ``error`` with a located L001 finding."""
    from oncall_planner.rules import rule

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
