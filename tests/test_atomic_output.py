"""``ical -o DIR`` replaces the whole set of feeds at once, and cleans up after itself.

Reproducers from issue 13: SIGKILL during ``ical -o`` left 4 of 50 folders with a mix of old and
new feeds and 4 stray ``.tmp`` files; a read-only folder was reported by its temporary file; a
full disk said "No space left on device" without a path.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from test_ical_helpers import make_schedule, round_robin

from oncall_planner import _io
from oncall_planner.cli import main
from oncall_planner.errors import PlanFileError
from tests.conftest import ROOT

START = date(2026, 10, 5)


def _state(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path (empty when there is no folder)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _siblings(folder: Path) -> list[str]:
    """Staging or set-aside folders of ``folder`` in its parent."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "pass"], check=True)
    del child
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def plans(tmp_path: Path) -> tuple[Path, Path]:
    """Two plans of the same schedule in which every feed differs (a year, to write longer)."""
    schedule = make_schedule()
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(round_robin(schedule, START, 52).to_json(), encoding="utf-8")
    new.write_text(round_robin(schedule, START, 52, offset=1).to_json(), encoding="utf-8")
    return old, new


@pytest.fixture
def sets(plans: tuple[Path, Path], tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The folder after exporting the old plan, and after exporting the new plan over it."""
    out = tmp_path / "reference"
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 0
    old = _state(out)
    assert main(["ical", str(plans[1]), "-o", str(out)]) == 0
    new = _state(out)
    assert set(old) == set(new) and all(old[k] != new[k] for k in old)
    return old, new


def _restore(out: Path, state: dict[str, bytes]) -> None:
    if out.exists():
        shutil.rmtree(out)
    for name, data in state.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)


def _ical_command(plan: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "oncall_planner", "ical", str(plan), "-o", str(out)]


def _run_until_staging(
    command: list[str], out: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """Start ``ical`` and return once it has created its staging folder (or exited)."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        if any(f".tmp-{proc.pid}-" in name for name in _siblings(out)):
            break
        time.sleep(0.002)
    return proc


def test_sigkill_never_leaves_a_mixed_folder(
    plans: tuple[Path, Path], sets: tuple[dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    old, new = sets
    out = tmp_path / "site" / "feeds"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = _ical_command(plans[1], out)
    # How long the run takes from its staging folder to the swap: the window the kills aim at.
    _restore(out, old)
    proc = _run_until_staging(command, out, env)
    started = time.monotonic()
    while (out / "berlin-sre.ics").read_bytes() == old["berlin-sre.ics"] and proc.poll() is None:
        time.sleep(0.002)
    window = time.monotonic() - started
    assert proc.wait() == 0 and _state(out) == new
    outcomes = {"old": 0, "new": 0}
    kills, killed = 6, 0
    for i in range(kills):
        _restore(out, old)
        proc = _run_until_staging(command, out, env)
        time.sleep(window * i / (kills - 2))  # from the first write to just past the swap
        proc.send_signal(signal.SIGKILL)
        killed += proc.wait() == -signal.SIGKILL
        found = _state(out)
        assert found in (old, new), f"kill {i}: a mix of old and new feeds"
        outcomes["old" if found == old else "new"] += 1
    # The next run removes what the killed ones left next to the folder.
    _restore(out, old)
    assert main(["ical", str(plans[1]), "-o", str(out)]) == 0
    assert _state(out) == new
    assert _siblings(out) == []
    # The kills fell while the run was writing: at least the first one, at its staging folder.
    assert killed >= 1 and outcomes["old"] >= 1


def test_sigterm_removes_the_staging_folder_and_keeps_the_old_set(
    plans: tuple[Path, Path], sets: tuple[dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    old, _ = sets
    out = tmp_path / "feeds"
    _restore(out, old)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The signal must land while the feeds are being written; a run that finished first
    # (exit 0) proves nothing, so try again, a bounded number of times.
    for _ in range(5):
        _restore(out, old)
        proc = _run_until_staging(_ical_command(plans[1], out), out, env)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait()
        if code != 0:
            break
    assert code == 128 + signal.SIGTERM
    assert _state(out) == old and _siblings(out) == []


def test_stale_siblings_of_dead_runs_are_removed_and_live_ones_kept(
    plans: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 0
    dead, alive = _dead_pid(), os.getppid()
    for name in (f".feeds.tmp-{dead}-0a1b", f".feeds.old-{dead}-2c3d", f".feeds.tmp-{alive}-4e5f"):
        (tmp_path / name / "people").mkdir(parents=True)
        (tmp_path / name / "people" / "x.ics").write_text("half written")
    (out / ".berlin-sre.ics.k2j3.tmp").write_text("left by an older version's write_atomic")
    assert main(["ical", str(plans[1]), "-o", str(out)]) == 0
    assert _siblings(out) == [f".feeds.tmp-{alive}-4e5f"]  # another run may be using it
    assert not list(out.rglob("*.tmp"))


def test_a_run_killed_between_the_two_renames_is_recovered(
    plans: tuple[Path, Path],
    sets: tuple[dict[str, bytes], dict[str, bytes]],
    tmp_path: Path,
) -> None:
    # Where renameat2 is missing: DIR was set aside, the new folder not yet moved in.
    old, new = sets
    dead = _dead_pid()
    aside, staging = tmp_path / f".feeds.old-{dead}-aa", tmp_path / f".feeds.tmp-{dead}-bb"
    _restore(aside, old)
    _restore(staging, {"berlin-sre.ics": b"partial"})
    out = tmp_path / "feeds"
    assert main(["ical", str(plans[1]), "-o", str(out)]) == 0
    assert _state(out) == new  # continued from the old set: same SEQUENCE numbers as always
    assert _siblings(out) == []


def test_without_an_atomic_exchange_the_two_renames_give_the_same_result(
    plans: tuple[Path, Path],
    sets: tuple[dict[str, bytes], dict[str, bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_io, "_exchange", lambda a, b: False)
    out = tmp_path / "feeds"
    _restore(out, sets[0])
    assert main(["ical", str(plans[1]), "-o", str(out)]) == 0
    assert _state(out) == sets[1] and _siblings(out) == []


def test_files_the_run_does_not_write_are_kept(plans: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    (out / "people").mkdir(parents=True)
    (out / "README.txt").write_text("subscribe with webcal://…")
    (out / "people" / "former-colleague.ics").write_text("BEGIN:VCALENDAR\r\n")
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 0
    assert (out / "README.txt").read_text() == "subscribe with webcal://…"
    assert (out / "people" / "former-colleague.ics").exists()


@pytest.mark.parametrize("error", [KeyboardInterrupt, PlanFileError([])])
def test_an_interrupted_run_leaves_the_old_set_and_no_temporary_files(
    plans: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException | type[BaseException],
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 0
    before = _state(out)
    written: list[str] = []
    real_write = _io.FolderWriter.write

    def write_then_fail(self: _io.FolderWriter, relative: str, data: str | bytes) -> Path:
        if len(written) == 3:
            raise error
        written.append(str(relative))
        return real_write(self, relative, data)

    monkeypatch.setattr(_io.FolderWriter, "write", write_then_fail)
    code = main(["ical", str(plans[1]), "-o", str(out)])
    assert code == (130 if error is KeyboardInterrupt else 1)
    assert len(written) == 3  # three new feeds had been written when it stopped
    assert _state(out) == before
    assert _siblings(out) == []


def test_a_full_disk_names_the_feed_in_the_target(
    plans: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "feeds"

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.os, "fsync", full)
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == f"oncall-planner: No space left on device: {out / 'berlin-sre.ics'}\n"
    assert not out.exists() and _siblings(out) == []


def test_a_real_write_error_names_the_target_and_cleans_up(
    plans: tuple[Path, Path], tmp_path: Path
) -> None:
    # A file-size limit makes write() fail for real (EFBIG), as a full disk does (ENOSPC).
    out = tmp_path / "feeds"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    result = subprocess.run(
        _ical_command(plans[0], out),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("oncall-planner: File too large: ")
    assert result.stderr.rstrip().endswith(".ics") and str(out) in result.stderr
    assert ".tmp-" not in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and _siblings(out) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_named(
    plans: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 0
    out.chmod(0o555)
    try:
        assert main(["ical", str(plans[1]), "-o", str(out)]) == 1
    finally:
        out.chmod(0o755)
    assert capsys.readouterr().err == (f"oncall-planner: the output folder is read-only: {out}\n")


def test_a_read_only_folder_is_named_even_for_root(
    plans: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "feeds"
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 0
    before = _state(out)
    monkeypatch.setattr(_io.os, "access", lambda path, mode: Path(path) != out.absolute())
    assert main(["ical", str(plans[1]), "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"oncall-planner: the output folder is read-only: {out}\n"
    assert _state(out) == before and _siblings(out) == []


def test_an_unwritable_parent_is_explained(
    plans: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "feeds"
    real_mkdir = Path.mkdir

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.startswith(".feeds.tmp-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"oncall-planner: Permission denied (the new set is built next to it, in {tmp_path}): "
        f"{out}\n"
    )


def test_a_file_in_place_of_the_folder_is_named(
    plans: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feeds"
    out.write_text("not a folder")
    assert main(["ical", str(plans[0]), "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"oncall-planner: is a file, not a folder: {out}\n"


def test_write_atomic_names_the_target_not_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"

    def refuse(**kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".plan.json.x.tmp"))

    monkeypatch.setattr(_io.tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as info:
        _io.write_atomic(target, "{}")
    assert info.value.filename == str(target)


def test_write_atomic_on_a_full_disk_names_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.os, "fsync", full)
    with pytest.raises(OSError, match="No space left on device") as info:
        _io.write_atomic(target, "{}")
    assert info.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []
