"""Flat postings: each segment's document numbers, term frequencies and positions as plain arrays.

Whoosh keeps a term's postings in pickled, compressed blocks; decoding them in Python costs more
than scoring, and its phrase matcher walks positions one posting at a time. So when a segment
is written (``indexer.storage.writer``), Whoosh gets the term table, field lengths, columns and
stored fields, and the text fields' postings also go to flat files beside the segment, which
searching maps into memory and slices with NumPy:

- ``<segment>.vid``: int32 document numbers, term after term;
- ``<segment>.vtf``: uint16 term frequencies, in the same order;
- ``<segment>.vps``: uint32 positions, posting after posting (``tf`` of them each);
- ``<segment>.vtm``: int64 triples per term (offset of its postings in Whoosh's ``.pst`` file,
  index of its first posting, index of its first position), then one closing triple;
- ``<segment>.vtk``: the terms themselves, in the same order (field number, then the term's
  UTF-8 bytes): int64 count, int64 offsets (count + 1), then the bytes; merges read it;
- ``<segment>.vln``: uint32 exact field lengths, one row per text field (sorted by name), one
  column per document.

A term is found through Whoosh's own term table: its postings offset (unique and increasing) is
looked up with a binary search.
"""

from __future__ import annotations

import mmap
import os
from functools import reduce

import numpy as np

IDS, TFS, POSITIONS, TERMS, KEYS, LENGTHS = ".vid", ".vtf", ".vps", ".vtm", ".vtk", ".vln"
MAX_TF = 65535  # positions kept per term and article (frequencies are uint16)
EMPTY = np.zeros(0, dtype=np.int64)


def encode_keys(keys: list[bytes]) -> bytes:
    """The .vtk file's content for a list of keys."""
    offsets = np.concatenate(([0], np.cumsum([len(k) for k in keys], dtype=np.int64)))
    return np.int64(len(keys)).tobytes() + offsets.astype(np.int64).tobytes() + b"".join(keys)


def decode_keys(raw: bytes) -> list[bytes]:
    """The keys of a .vtk file's content."""
    count = int(np.frombuffer(raw[:8], dtype=np.int64)[0])
    offsets = np.frombuffer(raw[8:8 * (count + 2)], dtype=np.int64).tolist()
    blob = raw[8 * (count + 2):]
    return [blob[offsets[i]:offsets[i + 1]] for i in range(count)]


def write_flat_postings(storage, segment, arrays: dict) -> None:
    """Write a segment's flat files: arrays maps each extension to its bytes or array."""
    for ext, values in arrays.items():
        with segment.create_file(storage, ext) as f:
            f.write(values if isinstance(values, bytes) else values.tobytes())


def term_table(pst_offsets: np.ndarray, bounds: np.ndarray, position_bounds: np.ndarray) -> np.ndarray:
    """The .vtm array: one (postings offset, first posting, first position) row per term, then one."""
    return np.column_stack([np.append(pst_offsets, -1), bounds, position_bounds]).astype(np.int64)


def _mapped(path: str, dtype) -> np.ndarray:
    """A read-only array over a whole file (an empty file cannot be mapped)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return np.zeros(0, dtype=dtype)
        return np.frombuffer(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), dtype=dtype)


class FlatPostings:
    """One segment's flat postings, mapped into memory."""

    def __init__(self, path: str, doc_count: int, text_fields: int):
        """path: the segment's files without extension."""
        self.path = path
        self.ids = _mapped(path + IDS, np.int32)
        self.tfs = _mapped(path + TFS, np.uint16)
        self.positions = _mapped(path + POSITIONS, np.uint32)
        terms = _mapped(path + TERMS, np.int64).reshape(-1, 3)
        self.offsets, self.starts, self.position_starts = terms[:-1, 0], terms[:, 1], terms[:, 2]
        self.lengths = _mapped(path + LENGTHS, np.uint32).reshape(text_fields, doc_count)

    def keys(self) -> list[bytes]:
        """Each term row's key: its field number (one byte), then the term's UTF-8 bytes."""
        with open(self.path + KEYS, "rb") as f:
            return decode_keys(f.read())

    def row(self, offset: int) -> int | None:
        """The term row whose postings start at this .pst offset, or None."""
        i = int(np.searchsorted(self.offsets, offset))
        return i if i < len(self.offsets) and self.offsets[i] == offset else None

    def slice(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of term row i."""
        start, end = self.starts[i], self.starts[i + 1]
        return self.ids[start:end], self.tfs[start:end]

    def occurrences(self, i: int):
        """(its documents, then the document and position of each occurrence) of term row i."""
        ids, tfs = self.slice(i)
        return ids, np.repeat(ids, tfs), self.positions[self.position_starts[i]:self.position_starts[i + 1]]

    def phrase(self, rows: list[int | None]) -> np.ndarray:
        """Document numbers where the terms of these rows occur one right after another."""
        if not rows or any(r is None for r in rows):
            return EMPTY
        found = [self.occurrences(r) for r in rows]
        docs = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), [ids for ids, _, _ in found])
        keys = None
        for i, (_, doc_of, pos) in enumerate(found):
            keep = np.isin(doc_of, docs)
            # one key per occurrence, shifted back to where the phrase would start
            k = (doc_of[keep].astype(np.int64) << 32) | (pos[keep].astype(np.int64) + len(rows) - i)
            keys = k if keys is None else np.intersect1d(keys, k, assume_unique=True)
        return np.unique(keys >> 32)
