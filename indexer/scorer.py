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
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo, _lenfield
from whoosh.filedb.filetables import _lengths as _ITEM_LENGTHS
from whoosh.system import unpack_long
from whoosh.util.numeric import byte_to_length

from .postings import EMPTY, FlatPostings

K1 = 1.2
B = 0.75
DF_CACHE = 100_000  # document frequencies remembered per open index
_TERM_INFO = W3TermInfo._struct
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _length_bytes(column, count: int) -> np.ndarray:
    """A segment's length bytes, one per document, read at once (iterating costs ~1 s per 100k)."""
    if getattr(column, "_typecode", None) != "B" or not hasattr(column, "_basepos"):
        return np.fromiter(column, np.uint8, count)  # a column layout this code does not know
    raw = np.full(count, column._default, dtype=np.uint8)  # documents past the written ones
    written = min(column._count, count)
    raw[:written] = np.frombuffer(column._dbfile.get(column._basepos, written), dtype=np.uint8)
    return raw


def _term_table(reader, field: str):
    """(term, Whoosh term info bytes) of a field in one segment, read in one go: Whoosh's own
    iteration makes three file reads per term (~10x slower). Positioned reads only, which the
    thread-safe storage serves from its map."""
    table = reader._terms._tindex
    prefix = reader._terms._keycoder(field, b"")
    start = table.closest_key_pos(prefix)
    data, at = b"" if start is None else table.dbfile.get(start, table.endofdata - start), 0
    while at < len(data):
        key_length, info_length = _ITEM_LENGTHS.unpack_from(data, at)
        at += _ITEM_LENGTHS.size
        if data[at:at + len(prefix)] != prefix:
            return
        term, info = data[at + len(prefix):at + key_length], data[at + key_length:at + key_length + info_length]
        yield term.decode("utf-8"), info
        at += key_length + info_length


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

    def terms(self, field: str):
        """Yield (term, document frequency) of every term of a field, segment by segment."""
        for reader, _ in self.leaves:
            for term, info in _term_table(reader, field):
                yield term, _TERM_INFO.unpack_from(info)[2]

    def adjacent_pairs(self, field: str, terms: list[str], max_docs: int):
        """(first, second, count) arrays: how often terms[first] is right before terms[second]
        in the field of the first max_docs documents (a sample: all of them costs too much)."""
        number_of = {t: n for n, t in enumerate(terms)}
        bits = max(len(terms), 2).bit_length()
        codes = []
        for (reader, offset), flat in zip(self.leaves, self.flat):
            if offset >= max_docs:
                break
            found = [(number_of[t], flat.positions_before(row, max_docs - offset))
                     for t, row in self._rows(reader, flat, field, number_of)]
            # one sortable key per occurrence: document, position (24 bits: a body of 1,000,000
            # characters has fewer syllables), term number; sorted in place, no argsort copy
            keys = np.empty(sum(len(p) for _, (_, p) in found), dtype=np.uint64)
            at = 0
            for n, (docs, positions) in found:
                keys[at:at + len(docs)] = (((docs.astype(np.uint64) << 24) | positions) << bits) | n
                at += len(docs)
            del found
            keys.sort()
            numbers = (keys & np.uint64((1 << bits) - 1)).astype(np.int32)
            keys >>= np.uint64(bits)
            follows = keys[1:] == keys[:-1] + np.uint64(1)
            del keys
            codes.append(numbers[:-1][follows].astype(np.int64) * len(terms) + numbers[1:][follows])
        pairs, counts = np.unique(np.concatenate(codes or [EMPTY]), return_counts=True)
        return pairs // len(terms), pairs % len(terms), counts

    def _rows(self, reader, flat, field: str, wanted):
        """(term, its row in the segment's flat postings) of the wanted terms the segment has."""
        for term, info in _term_table(reader, field):
            if term in wanted and info[0] == 0:  # flags 0: postings in the file, not inlined
                row = flat.row(unpack_long(info[_TERM_INFO.size:_TERM_INFO.size + 8])[0])
                if row is not None:
                    yield term, row

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
