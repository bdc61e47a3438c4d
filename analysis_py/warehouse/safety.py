"""What keeps a build from harming the last good marts: one build at a time per target (a
lock file), a work file or folder beside the target that replaces it only at the end, and a
check that no other process holds the target open for writing."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from analysis_py.errors import UserError

# DuckDB's message when another process holds a file: `... Conflicting lock is held in <program> (PID <n>)`
HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def work_path(target: Path) -> Path:
    """The file (or folder) a build writes before it replaces `target`: in the same folder, so
    that the replacement is one atomic rename. DuckDB names a database after the first
    dot-separated part of its file name, and dbt-duckdb pastes that name into SQL: the work
    file's is always `lesionwise_work` (refs leave the database out, macros/refs.sql), so a
    target named `O'Brien $(x).duckdb` builds too."""
    digest = hashlib.sha256(target.name.encode()).hexdigest()[:12]
    return target.with_name(f".lesionwise_work.{digest}.building")


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[int]:
    """Holds `<target>.lock` (an exclusive fcntl lock holding this process's id) while the build
    runs; yields its file descriptor, which the dbt process inherits, so that a dbt left running
    by a killed lesionwise still holds it. The lock file is removed at the end."""
    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise UserError(f"{target}: another build (pid {pid}) is writing it; wait for it to finish "
                            f"(its lock is {path})") from None
        if _same_file(fd, path):  # not a lock file another build removed as we opened it
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield fd
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def running_build(target: Path) -> str | None:
    """The process id of a build writing `target` now (its lock is held), else None."""
    path = lock_path(target)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
    finally:
        os.close(fd)
    return None


def check_not_held(db_path: Path) -> None:
    """Raises a one-line UserError when another process holds the DuckDB file `db_path` open
    for writing (a `duckdb` shell, a notebook): replacing it under that process would let its
    write-ahead log land on the new file."""
    if not db_path.is_file():
        return
    try:
        duckdb.connect(str(db_path), read_only=True).close()
    except duckdb.IOException as error:
        holder = HOLDER.search(str(error))
        if holder is None:
            raise UserError(f"cannot open {db_path}: {str(error).splitlines()[0]}") from None
        raise UserError(f"{db_path} is held open for writing by {Path(holder['program']).name} "
                        f"(pid {holder['pid']}), likely a `duckdb` shell or a notebook: close it "
                        f"(or its connection) and build again") from None
    except duckdb.Error:
        return  # not a DuckDB file we can read: the build replaces it


def remove_database(path: Path) -> None:
    """Deletes a DuckDB file and its write-ahead log."""
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def replace_database(work: Path, target: Path) -> None:
    """Moves the finished work file onto `target` in one rename, once its write-ahead log is
    checkpointed (no `.wal` left) and its bytes are on disk."""
    if Path(f"{work}.wal").exists():
        raise RuntimeError(f"{work}.wal left after the checkpoint")
    with open(work, "rb") as file:
        os.fsync(file.fileno())
    Path(f"{target}.wal").unlink(missing_ok=True)  # a dead writer's log must not replay onto the new file
    os.replace(work, target)
    _sync_folder(target.parent)


def replace_folder(work: Path, target: Path) -> None:
    """Swaps the finished work folder in for `target` (two renames: the old folder is moved
    aside, then removed); a swap stopped between the two renames is finished by
    `recover_folder` at the next build."""
    previous = target.with_name(target.name + ".previous")
    remove_tree(previous)
    if target.exists():
        os.replace(target, previous)
    os.replace(work, target)
    _sync_folder(target.parent)
    remove_tree(previous)


def recover_folder(target: Path) -> None:
    """Puts back the export folder a swap moved aside before it was stopped."""
    previous = target.with_name(target.name + ".previous")
    if previous.exists() and not target.exists():
        os.replace(previous, target)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
