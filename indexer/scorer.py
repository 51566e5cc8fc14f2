"""Vectorised BM25F over Whoosh's postings.

Whoosh's matchers score one posting at a time in Python, which is too slow for a long query on a
large archive. Here each term's postings are read a block at a time into NumPy arrays and scored
for all documents at once, with the same BM25F formula as ``whoosh.scoring.BM25F`` (per-field
BM25, K1=1.2, B=0.75, summed with the query's weights). Whoosh still answers the positional
parts (phrases) and reads the index.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numlists import delta_decode
from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75
CACHE_BYTES = 256 * 2**20  # decoded postings kept per open index (common terms recur)
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _leaf_postings(reader, field: str, term: str):
    """(ids, weights) arrays of a term in one segment, read block by block."""
    btext = term.encode("utf-8")
    if (field, btext) not in reader:
        return None
    matcher = reader.postings(field, btext)
    ids, weights = [], []
    while matcher.is_active():
        matcher._read_data()  # whoosh3's block: (delta-coded ids, weights, values)
        data = matcher._data
        block_ids = data[0] if matcher._byteids else tuple(delta_decode(data[0]))
        ids.append(np.asarray(block_ids, dtype=np.int64))
        w = data[1]
        weights.append(np.full(len(block_ids), 1.0 if w is None else w, dtype=np.float32)
                       if w is None or isinstance(w, float) else np.asarray(w, dtype=np.float32))
        matcher._next_block()
    return (np.concatenate(ids), np.concatenate(weights)) if ids else None


class Scorer:
    """Per-searcher arrays (field lengths, dates, deletions) and term scoring over them."""

    def __init__(self, searcher, fields):
        self.searcher = searcher
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.size = searcher.doc_count_all()
        self.avg = {f: max(searcher.reader().field_length(f) / max(self.size, 1), 1e-9) for f in fields}
        self.norm = {f: (K1 * ((1 - B) + B * self._lengths(f) / self.avg[f])).astype(np.float32) for f in fields}
        self.live = self._live()
        self._df_cache: dict = {}
        self._cache: OrderedDict = OrderedDict()
        self._cached_bytes = 0

    def _lengths(self, field: str) -> np.ndarray:
        parts = []
        for reader, _ in self.leaves:
            column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            count = reader.doc_count_all()
            raw = np.zeros(count, dtype=np.uint8) if column is None else np.fromiter(column, np.uint8, count)
            parts.append(_BYTE_TO_LENGTH[raw])
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _live(self) -> np.ndarray:
        live = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            dead = [offset + n for n in reader.all_doc_ids() if reader.is_deleted(n)] if reader.has_deletions() else []
            live[dead] = False
        return live

    def column(self, name: str) -> np.ndarray:
        """A numeric column (e.g. recency) as one array over all documents."""
        parts = [np.fromiter(reader.column_reader(name), np.int64, reader.doc_count_all())
                 for reader, _ in self.leaves]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents hold the term."""
        key = (field, term)
        if key not in self._df_cache:
            self._df_cache[key] = self.searcher.doc_frequency(field, term)
        return self._df_cache[key]

    def idf(self, field: str, term: str) -> float:
        df = self.doc_frequency(field, term)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def _postings(self, field: str, term: str):
        """(global ids, weights) of a term over all segments, from a byte-bounded LRU cache."""
        key = (field, term)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        parts = [(ids + offset, tf) for reader, offset in self.leaves
                 if (p := _leaf_postings(reader, field, term)) is not None for ids, tf in [p]]
        found = (np.concatenate([i for i, _ in parts]), np.concatenate([w for _, w in parts])) if parts else None
        if found is not None:
            self._cache[key] = found
            self._cached_bytes += found[0].nbytes + found[1].nbytes
            while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
                _, (ids, tf) = self._cache.popitem(last=False)
                self._cached_bytes -= ids.nbytes + tf.nbytes
        return found

    def add(self, scores: np.ndarray, field: str, term: str, boost: float) -> None:
        """Add boost * BM25(field, term) to every document's score."""
        if self.doc_frequency(field, term) == 0:
            return
        postings = self._postings(field, term)
        if postings is not None:
            ids, tf = postings
            scores[ids] += self.idf(field, term) * boost * tf * (K1 + 1) / (tf + self.norm[field][ids])
