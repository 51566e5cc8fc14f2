"""Flat postings: each segment's document numbers, term frequencies and positions as plain arrays.

Whoosh keeps a term's postings in pickled, compressed blocks; decoding them in Python costs more
than scoring, and its phrase matcher walks positions one posting at a time. So when a segment
is written (``indexer.segment``), Whoosh gets the term table, document frequencies, field
lengths, columns and stored fields, and the text fields' postings also go to flat files beside
the segment, which searching maps into memory and slices with NumPy:

- ``<segment>.vid``: int32 document numbers, term after term;
- ``<segment>.vtf``: uint16 term frequencies, in the same order;
- ``<segment>.vps``: uint32 positions, posting after posting (``tf`` of them each);
- ``<segment>.vtm``: int64 triples per term (offset of its postings in Whoosh's ``.pst`` file,
  index of its first posting, index of its first position), then one closing triple.

A term is found through Whoosh's own term table: its postings offset (unique and increasing) is
looked up with a binary search.
"""

from __future__ import annotations

import mmap
import os
from functools import reduce

import numpy as np
from whoosh.reading import TermNotFound

from .store import IndexNotFound

IDS, TFS, POSITIONS, TERMS = ".vid", ".vtf", ".vps", ".vtm"
MAX_TF = 65535  # positions kept per term and article (frequencies are uint16)
EMPTY = np.zeros(0, dtype=np.int64)


class OldIndexError(IndexNotFound):
    """The index was written by an earlier version, without flat postings: rebuild it."""


def write_flat_postings(storage, segment, pst_offsets: np.ndarray, items) -> None:
    """Write a segment's flat files from its sorted text postings (``segment.SortedPostings``)."""
    arrays = {IDS: items.docs.astype(np.int32), TFS: items.tfs.astype(np.uint16),
              POSITIONS: items.positions.astype(np.uint32)}
    terms = np.column_stack([np.append(pst_offsets, -1), items.bounds, items.position_bounds])
    arrays[TERMS] = terms.astype(np.int64)
    for ext, values in arrays.items():
        with segment.create_file(storage, ext) as f:
            f.write(values.tobytes())


def _mapped(path: str, dtype) -> np.ndarray:
    """A read-only array over a whole file (an empty file cannot be mapped)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return np.zeros(0, dtype=dtype)
        return np.frombuffer(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), dtype=dtype)


class FlatPostings:
    """One segment's flat postings, mapped into memory."""

    def __init__(self, reader):
        folder = getattr(reader._storage, "folder", "")
        name = os.path.join(folder, reader._segment.make_filename(""))
        if not os.path.exists(name + TERMS):
            raise OldIndexError("this index was built by an earlier version of indexer; "
                                "rebuild it with `python -m indexer build`")
        self.reader = reader
        self.ids = _mapped(name + IDS, np.int32)
        self.tfs = _mapped(name + TFS, np.uint16)
        self.positions = _mapped(name + POSITIONS, np.uint32)
        terms = _mapped(name + TERMS, np.int64).reshape(-1, 3)
        self.offsets, self.starts, self.position_starts = terms[:-1, 0], terms[:, 1], terms[:, 2]

    def _term(self, field: str, term: str) -> int | None:
        """The term's row in the term table, or None when the segment lacks it."""
        try:
            offset = self.reader.term_info(field, term.encode("utf-8"))._offset
        except TermNotFound:
            return None
        return self.row(offset)

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, term frequencies) of a term, or None."""
        i = self._term(field, term)
        return None if i is None else self._slice(i)

    def _slice(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.starts[i], self.starts[i + 1]
        return self.ids[start:end], self.tfs[start:end]

    def occurrences(self, field: str, term: str):
        """(its documents, then the document and position of each occurrence) of a term, or None."""
        i = self._term(field, term)
        if i is None:
            return None
        ids, tfs = self._slice(i)
        return ids, np.repeat(ids, tfs), self.positions[self.position_starts[i]:self.position_starts[i + 1]]

    def row(self, offset: int) -> int | None:
        """The term-table row of the term whose Whoosh postings start at offset, or None."""
        i = int(np.searchsorted(self.offsets, offset))
        return i if i < len(self.offsets) and self.offsets[i] == offset else None

    def positions_before(self, row: int, cap: int):
        """(document, position) of each occurrence of a row's term in documents below cap."""
        ids, tfs = self._slice(row)
        n = int(np.searchsorted(ids, cap))
        start = self.position_starts[row]
        return np.repeat(ids[:n], tfs[:n]), self.positions[start:start + int(tfs[:n].sum())]

    def phrase(self, field: str, words: list[str]) -> np.ndarray:
        """Document numbers where the words occur one right after another."""
        found = [self.occurrences(field, w) for w in words]
        if not found or any(f is None for f in found):
            return EMPTY
        docs = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), [ids for ids, _, _ in found])
        keys = None
        for i, (_, doc_of, pos) in enumerate(found):
            keep = np.isin(doc_of, docs)
            # one key per occurrence, shifted back to where the phrase would start
            k = (doc_of[keep].astype(np.int64) << 32) | (pos[keep].astype(np.int64) + len(words) - i)
            keys = k if keys is None else np.intersect1d(keys, k, assume_unique=True)
        return np.unique(keys >> 32)
