"""Where submitted files live: a small storage interface and a local-folder implementation.

Content is stored once by its SHA-256, as ``<root>/ab/cdef…`` under the instance folder,
outside any web root; the names students give files never reach the filesystem. An upload is
first staged in ``<root>/tmp`` (hashed and size-capped while it streams) and moved into place
only once every check has passed, so a refused upload leaves nothing behind.

Content is kept (fsynced, then renamed into place and the folder fsynced) before the row that
refers to it is committed, so a committed row always has its content. If that commit then
fails, the content is left with nothing referring to it: ``orphans`` finds such files (and
staged files a killed process left) once they are older than a grace period, and the
housekeeping sweep removes them. Keeping content that is already there refreshes its
modification time, so a file about to be referred to again is always inside the grace.
A full disk is reported as ``StorageFull``, never as a generic error.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

CHUNK = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FULL = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(Exception):
    """The disk (or the quota) that holds the files has no room left."""


class FileTooLarge(Exception):
    """The stream went past the cap before it ended."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StagedFile:
    sha256: str
    size: int
    path: Path
    """The staged copy: read it for content checks, then keep() or discard() it."""


class FileStore(Protocol):
    def stage(self, stream: IO[bytes], *, max_bytes: int) -> StagedFile: ...

    def keep(self, staged: StagedFile) -> None: ...

    def discard(self, staged: StagedFile) -> None: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def orphans(self, *, older_than: float, referenced: set[str]) -> Iterator[Path]: ...

    def remove_orphan(self, path: Path, *, older_than: float) -> bool: ...


class LocalFolderStore:
    """Files in a folder on this machine (the embedded default and single-host installs)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    def stage(self, stream: IO[bytes], *, max_bytes: int) -> StagedFile:
        digest = hashlib.sha256()
        size = 0
        with _full_is_reported():
            self._tmp.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self._tmp, prefix="upload-")
        path = Path(name)
        try:
            with _full_is_reported():
                try:
                    while chunk := stream.read(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise FileTooLarge(max_bytes)
                        digest.update(chunk)
                        _write_all(fd, chunk)
                    os.fsync(fd)  # a full disk may only say so here
                finally:
                    os.close(fd)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedFile(digest.hexdigest(), size, path)

    def keep(self, staged: StagedFile) -> None:
        target = self.path_for(staged.sha256)
        try:
            os.utime(target)  # same content already stored: only refresh it (see module doc)
        except FileNotFoundError:
            pass
        else:
            staged.path.unlink(missing_ok=True)
            return
        with _full_is_reported():
            made = not target.parent.is_dir()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(staged.path, 0o640)
            os.replace(staged.path, target)
            _fsync_folder(target.parent)
            if made:
                _fsync_folder(self.root)

    def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def orphans(self, *, older_than: float, referenced: set[str]) -> Iterator[Path]:
        """Stored content no row refers to, and staged uploads, last touched before
        ``older_than`` (a POSIX time)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder == self._tmp:
                candidates = [p for p in folder.iterdir() if p.name.startswith("upload-")]
            elif len(folder.name) == 2 and folder.is_dir():
                candidates = [p for p in folder.iterdir()
                              if _SHA256.match(folder.name + p.name)
                              and folder.name + p.name not in referenced]
            else:
                continue
            for path in candidates:
                if _touched_before(path, older_than):
                    yield path

    def remove_orphan(self, path: Path, *, older_than: float) -> bool:
        """Remove one file ``orphans`` found, unless it was touched since (kept again)."""
        if path.parent.parent != self.root or not _touched_before(path, older_than):
            return False
        path.unlink(missing_ok=True)
        return True

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:]


def _write_all(fd: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        view = view[os.write(fd, view):]


def _fsync_folder(folder: Path) -> None:
    # A rename is durable only once the folder holding it is synced.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _touched_before(path: Path, moment: float) -> bool:
    try:
        return path.stat().st_mtime < moment
    except FileNotFoundError:
        return False


@contextmanager
def _full_is_reported() -> Iterator[None]:
    """Turn "no space left" (or "quota exceeded") into StorageFull; other errors pass."""
    try:
        yield
    except OSError as error:
        if error.errno in _FULL:
            raise StorageFull(str(error)) from error
        raise
