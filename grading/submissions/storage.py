"""Where submitted files live: a small storage interface and a local-folder implementation.

Content is stored once by its SHA-256, as ``<root>/ab/cdef…`` under the instance folder,
outside any web root; the names students give files never reach the filesystem. An upload is
first staged in ``<root>/tmp`` (hashed and size-capped while it streams) and moved into place
only once every check has passed, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

CHUNK = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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


class LocalFolderStore:
    """Files in a folder on this machine (the embedded default and single-host installs)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    def stage(self, stream: IO[bytes], *, max_bytes: int) -> StagedFile:
        self._tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="upload-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedFile(digest.hexdigest(), size, path)

    def keep(self, staged: StagedFile) -> None:
        target = self.path_for(staged.sha256)
        if target.exists():  # same content already stored: nothing to add
            staged.path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged.path, 0o640)
        os.replace(staged.path, target)

    def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:]
