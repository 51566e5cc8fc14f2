"""Whoosh files that many threads can read at once.

Whoosh reads a file by seeking its one shared file object, then reading: two threads reading the
same segment file (term lookups, stored fields, id postings) at once could each read at the
other's position. Here each file is mapped into memory (shared with other processes through the
page cache), Whoosh's positioned reads slice the map directly, and its sequential reads use a
position that belongs to each thread, so concurrent searches never disturb one another.
"""

from __future__ import annotations

import mmap
import os
import threading

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile


class MappedFile:
    """A read-only file mapped into memory; seek and read use the calling thread's own position."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self._local = threading.local()

    def get(self, position: int, length: int) -> bytes:
        return self._map[position:position + length]

    def tell(self) -> int:
        return getattr(self._local, "position", 0)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.tell(), os.SEEK_END: len(self._map)}[whence]
        self._local.position = base + offset
        return self._local.position

    def read(self, size: int | None = -1) -> bytes:
        start = self.tell()
        end = len(self._map) if size is None or size < 0 else start + size
        data = self._map[start:end]
        self._local.position = start + len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        start = self.tell()
        end = self._map.find(b"\n", start) + 1 or len(self._map)
        return self.read(end - start if size < 0 else min(size, end - start))

    def close(self) -> None:
        if isinstance(self._map, mmap.mmap):
            self._map.close()


class ThreadSafeFile(StructFile):
    """Whoosh's StructFile over a MappedFile, its positioned reads slicing the map."""

    def get(self, position, length):
        return self.file.get(position, length)

    get_array = BufferFile.get_array  # built on get()


class ThreadSafeStorage(FileStorage):
    """A read-only Whoosh storage whose files any number of threads read at the same time."""

    def __init__(self, path):
        super().__init__(str(path), readonly=True)

    def open_file(self, name, **kwargs):
        return ThreadSafeFile(MappedFile(self._fpath(name)), name=name, **kwargs)
