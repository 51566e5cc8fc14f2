"""Vectorised BM25F and phrase matching over the flat postings.

Whoosh's matchers score one posting at a time in Python, which is too slow for a long query on a
large archive. Here each term's postings are sliced from the flat postings (``indexer.postings``)
and scored for all documents at once, with the same BM25F formula as ``whoosh.scoring.BM25F``
(per-field BM25, K1=1.2, B=0.75, summed with the query's weights). Whoosh provides the term
table, document frequencies, field lengths, columns and stored fields.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from .postings import EMPTY, FlatPostings

K1 = 1.2
B = 0.75
DF_CACHE = 100_000  # document frequencies remembered per open index
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _length_bytes(column, count: int) -> np.ndarray:
    """A segment's length bytes, one per document, read at once (iterating costs ~1 s per 100k)."""
    if getattr(column, "_typecode", None) != "B" or not hasattr(column, "_basepos"):
        return np.fromiter(column, np.uint8, count)  # a column layout this code does not know
    raw = np.full(count, column._default, dtype=np.uint8)  # documents past the written ones
    written = min(column._count, count)
    raw[:written] = np.frombuffer(column._dbfile.get(column._basepos, written), dtype=np.uint8)
    return raw


class Scorer:
    """Per-searcher arrays (field lengths, dates, deletions) and term scoring over them."""

    def __init__(self, searcher, fields):
        self.searcher = searcher
        # an index without articles has one leaf, an EmptyReader with no files to map
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()
                       if s.reader().doc_count_all()]
        self.flat = [FlatPostings(reader) for reader, _ in self.leaves]
        self.size = searcher.doc_count_all()
        self.avg = {f: max(searcher.reader().field_length(f) / max(self.size, 1), 1e-9) for f in fields}
        self.norm = {f: (K1 * ((1 - B) + B * self._lengths(f) / self.avg[f])).astype(np.float32) for f in fields}
        self.live = self._live()
        self._doc_count = int(self.live.sum())
        self._df: dict[tuple[str, str], int] = {}

    def _lengths(self, field: str) -> np.ndarray:
        parts = []
        for reader, _ in self.leaves:
            column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            count = reader.doc_count_all()
            raw = np.zeros(count, dtype=np.uint8) if column is None else _length_bytes(column, count)
            parts.append(_BYTE_TO_LENGTH[raw])
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _live(self) -> np.ndarray:
        live = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            # all_doc_ids() leaves deleted documents out, so look at every document number
            dead = [offset + n for n in range(reader.doc_count_all()) if reader.is_deleted(n)] \
                if reader.has_deletions() else []
            live[dead] = False
        return live

    def column(self, name: str) -> np.ndarray:
        """A numeric column (e.g. recency) as one array over all documents."""
        parts = [np.fromiter(reader.column_reader(name), np.int64, reader.doc_count_all())
                 for reader, _ in self.leaves]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents hold the term (remembered: query words recur across queries)."""
        key = (field, term)
        df = self._df.get(key)  # read once: another thread may clear the cache meanwhile
        if df is None:
            if len(self._df) >= DF_CACHE:
                self._df.clear()
            df = self._df[key] = self.searcher.doc_frequency(field, term)
        return df

    def doc_count(self) -> int:
        """How many live documents there are."""
        return self._doc_count

    def idf(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def _postings(self, field: str, term: str):
        """(global ids, term frequencies) of a term over all segments, or None."""
        parts = [(ids + offset, tf) for (_, offset), flat in zip(self.leaves, self.flat)
                 if (p := flat.postings(field, term)) is not None for ids, tf in [p]]
        if not parts:
            return None
        return (np.concatenate([i for i, _ in parts]).astype(np.int64),
                np.concatenate([w for _, w in parts]).astype(np.float32))

    def phrase(self, field: str, words: list[str]) -> np.ndarray:
        """Ids of the documents where the words occur one right after another in field."""
        return np.concatenate([flat.phrase(field, words) + offset
                               for (_, offset), flat in zip(self.leaves, self.flat)] or [EMPTY])

    def add(self, scores: np.ndarray, field: str, term: str, boost: float) -> None:
        """Add boost * BM25(field, term) to every document's score."""
        postings = self._postings(field, term)
        if postings is not None:
            ids, tf = postings
            scores[ids] += self.idf(len(ids)) * boost * tf * (K1 + 1) / (tf + self.norm[field][ids])

    def matches(self, field: str, term: str) -> np.ndarray:
        """Ids of the documents holding a term."""
        postings = self._postings(field, term)
        return EMPTY if postings is None else postings[0]
