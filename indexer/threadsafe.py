"""Whoosh files that many threads can read at once.

Whoosh reads a file by seeking its one shared file object, then reading: two threads reading the
same segment file (term lookups, stored fields, id postings) at once could each read at the
other's position. Here every thread has its own position in a file and every read is an
``os.pread`` at that position, so concurrent searches never disturb one another.
"""

from __future__ import annotations

import os
import threading

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

LINE_CHUNK = 256


class PositionalFile:
    """A read-only file whose read position belongs to each thread; reads are os.pread calls."""

    def __init__(self, path: str):
        self._file = open(path, "rb", buffering=0)  # closes its descriptor if dropped unclosed
        self._size = os.fstat(self._file.fileno()).st_size
        self._local = threading.local()

    def fileno(self) -> int:
        return self._file.fileno()

    def tell(self) -> int:
        return getattr(self._local, "position", 0)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.tell(), os.SEEK_END: self._size}[whence]
        self._local.position = base + offset
        return self._local.position

    def read(self, size: int | None = -1) -> bytes:
        position = self.tell()
        if size is None or size < 0:
            size = max(0, self._size - position)
        data = os.pread(self._file.fileno(), size, position)
        self._local.position = position + len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        start, line = self.tell(), b""
        while not line.endswith(b"\n") and (chunk := os.pread(self.fileno(), LINE_CHUNK, start + len(line))):
            line += chunk[:chunk.find(b"\n") + 1 or len(chunk)]
        line = line if size < 0 else line[:size]
        self._local.position = start + len(line)
        return line

    def close(self) -> None:
        self._file.close()


class ThreadSafeStorage(FileStorage):
    """A read-only Whoosh storage whose files any number of threads read at the same time."""

    def __init__(self, path):
        super().__init__(str(path), readonly=True)

    def open_file(self, name, **kwargs):
        return StructFile(PositionalFile(self._fpath(name)), name=name, **kwargs)
