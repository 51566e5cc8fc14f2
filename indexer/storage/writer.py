"""How a segment is written: Whoosh's files for ids, dates and stored fields, flat postings for text.

Whoosh's SegmentWriter sends every posting through a pool of Python tuples that it sorts (and,
past a memory limit, spills to disk and merges again) before its codec writes them one posting
at a time. For the text fields both ends are replaced here: ``TextPool`` keeps their postings in
compact arrays and sorts them with NumPy, and ``BlockFieldWriter`` writes them only as flat
postings with a term table of ours (``indexer.storage.flat``), in one go. The other fields (ids,
dates) take Whoosh's own tuples and blocks, each term's blocks written whole.
"""

from __future__ import annotations

import copy
import heapq
from array import array
from itertools import chain, groupby, repeat
from operator import itemgetter

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter
from whoosh.fields import TEXT, Schema
from whoosh.formats import Positions
from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from ..store import read_arrays
from .flat import (HASHES, IDS, KEYS, LENGTHS, POSITIONS, TERMS, TFS, encode_keys, hash_table, key_parts, runs,
                   split_keys, term_key, term_table, write_flat_postings)

OTHER_RUN = ".vot"  # a spilled run's other postings (ids, dates), beside its flat files
GATHER_CHUNK = 1 << 18  # postings whose positions are reordered at once (bounds the temporary index arrays)


class FlatPositions(Positions):
    """A text field's positions, kept in the flat postings files instead of Whoosh's blocks."""

    def encode(self, positions):
        return array("I", positions).tobytes()

    def fixed_value_size(self):
        return 0  # so Whoosh's blocks store no values for the field

    def supports(self, name):
        return name in ("frequency", "weight")


class TextPostings:
    """One document's postings of a text field, made ahead of time (by an analysing worker): terms,
    their frequencies and all their positions run together, added to the pool in bulk."""

    def __init__(self, positions: dict[str, list[int]] | None = None):
        positions = positions or {}
        self.terms = list(positions)  # encoded once per segment, when the pool is sorted
        self.tfs = [len(p) for p in positions.values()]
        self.positions = array("I", chain.from_iterable(positions.values())).tobytes()


class SortedPostings:
    """A pool's postings in (field, term, document) order, for BlockFieldWriter."""

    def __init__(self, terms, keys, docs, tfs, positions, bounds, position_bounds, lengths, written=()):
        self.written = set(written)  # flat files already on disk (a merge maps them as its output)
        self.terms = terms  # the other fields' (field, term bytes, documents, weights), for Whoosh
        self.keys = keys  # each flat term's key: field number, then term bytes
        self.docs, self.tfs, self.positions = docs, tfs, positions
        self.bounds, self.position_bounds = bounds, position_bounds
        self.lengths = lengths  # exact field lengths: one row per text field, one column per document


class _TermIds(dict):
    """A text field's terms -> their ids in a pool; a new term takes the pool's next id."""

    def __init__(self, pool: "TextPool"):
        super().__init__()
        self.pool = pool

    def __missing__(self, term: str) -> int:
        tid = self[term] = self.pool.term_count
        self.pool.term_count += 1
        return tid


class TextPool:
    """A segment's postings: the text fields' in compact arrays, other fields' as Whoosh tuples."""

    def __init__(self, text_fields: list[str]):
        self.text_fields = text_fields  # sorted: the rows of the lengths file
        self.doc_count = 0  # set by the writer before the pool is flushed
        self.cleanup()

    def cleanup(self) -> None:
        """Empty the pool (Whoosh calls this when the segment is closed)."""
        self._other = _OtherPostings()
        self.base = 0  # the first document of the text postings held (earlier ones went to runs)
        self._empty_text()
        self.merged: SortedPostings | None = None  # set by a merge instead of adding text postings

    def _empty_text(self) -> None:
        self.term_count = 0
        self._field_terms = {name: _TermIds(self) for name in self.text_fields}  # term ids per field
        self._tids, self._docs, self._tfs = array("i"), array("i"), array("I")
        self._positions = bytearray()

    @property
    def postings(self) -> int:
        """How many text postings the pool holds."""
        return len(self._tids)

    def add(self, item) -> None:
        """Add a Whoosh posting tuple (field, term bytes, document, weight, value)."""
        fieldname, tbytes, docnum, weight, value = item
        if not value:  # only text fields carry a value: their positions
            self._other.add(fieldname, tbytes, docnum, weight)
            return
        self._tids.append(self._field_terms[fieldname][tbytes.decode("utf-8")])
        self._docs.append(docnum - self.base)
        self._tfs.append(len(value) >> 2)
        self._positions += value

    def add_text(self, fieldname: str, docnum: int, postings: TextPostings) -> None:
        """Add a document's postings of a text field at once (as add() would, one by one)."""
        self._tids.extend(map(self._field_terms[fieldname].__getitem__, postings.terms))
        self._docs.extend(repeat(docnum - self.base, len(postings.terms)))
        self._tfs.extend(postings.tfs)
        self._positions += postings.positions

    def _sorted_terms(self) -> tuple[list[bytes], np.ndarray, np.ndarray]:
        """(flat keys in sorted order, each term id's rank in it, each term id's field number)."""
        keys, rank, fields = [], np.empty(self.term_count, np.int32), np.empty(self.term_count, np.int32)
        for number, name in enumerate(self.text_fields):  # sorted: field numbers sort as names do
            ids = self._field_terms[name]
            terms = sorted(ids)  # code point order is UTF-8 byte order
            tids = np.fromiter(map(ids.__getitem__, terms), np.int64, len(terms))
            rank[tids] = np.arange(len(keys), len(keys) + len(terms), dtype=np.int32)
            fields[tids] = number
            keys += [term_key(number, t) for t in terms]
        return keys, rank, fields

    def _lengths(self, field_of_tid: np.ndarray, doc_count: int) -> np.ndarray:
        """Exact field lengths (sums of term frequencies): one row per text field."""
        fields = field_of_tid[np.frombuffer(self._tids, dtype=np.int32)]
        where = fields.astype(np.int64) * doc_count + np.frombuffer(self._docs, dtype=np.int32)
        sums = np.bincount(where, weights=np.frombuffer(self._tfs, dtype=np.uint32),
                           minlength=len(self.text_fields) * doc_count)
        return sums.astype(np.uint32).reshape(len(self.text_fields), doc_count)

    def iter_postings(self) -> SortedPostings:
        """Everything, sorted (called once, when Whoosh flushes the segment); empties the pool."""
        if self.merged is None:
            self.merged = self._sorted_text(self.doc_count - self.base)
        self.merged.terms = self._other.sorted()
        return self.merged

    def spill(self, doc_count: int, other_path: str) -> SortedPostings:
        """The text postings of the documents from base to doc_count, sorted (numbered from 0):
        a run, written out by the caller; their other postings go to a run file at other_path
        (read back when the segment is written); the pool then holds the next documents' only."""
        run = self._sorted_text(doc_count - self.base)
        self._other.spill(other_path)
        self.base = doc_count
        self._empty_text()
        return run

    def _sorted_text(self, doc_count: int) -> SortedPostings:
        """The text postings held, sorted; drops them from the pool."""
        # Each input array is dropped as soon as it is used: this is the worker's memory peak.
        flat_keys, rank, field_of_tid = self._sorted_terms()
        self._field_terms = {}
        lengths = self._lengths(field_of_tid, doc_count)
        term_rank = rank[np.frombuffer(self._tids, dtype=np.int32)]
        self._tids = None
        order = np.argsort(term_rank, kind="stable")  # documents were added in increasing order
        bounds = np.concatenate(([0], np.cumsum(np.bincount(term_rank, minlength=len(flat_keys)))))
        del term_rank
        docs = np.frombuffer(self._docs, dtype=np.int32)[order]
        self._docs = None
        tfs = np.frombuffer(self._tfs, dtype=np.uint32)
        positions = _gather(np.frombuffer(self._positions, dtype=np.uint32), tfs, order)
        self._positions = None
        sorted_tfs = tfs[order]
        del order, tfs
        self._tfs = None
        return SortedPostings(None, flat_keys, docs, sorted_tfs, positions, bounds,
                              _position_bounds(sorted_tfs, bounds), lengths)


class _OtherPostings:
    """The other fields' postings (ids, dates: a few dozen a document), kept in arrays until the
    segment is written or, in a spilling writer, until the next run (as Whoosh's tuples they grew
    with the segment, not with the pool; held for a whole segment, they still did)."""

    def __init__(self):
        self.spilled: list[str] = []  # files of the runs spilled so far, in document order
        self._empty()

    def _empty(self) -> None:
        self._terms: dict[tuple[str, bytes], int] = {}  # (field, term bytes) -> term id
        self._tids, self._docs, self._weights = array("i"), array("i"), array("d")

    def add(self, fieldname: str, tbytes: bytes, docnum: int, weight: float) -> None:
        """Add one posting (documents come in increasing order)."""
        self._tids.append(self._terms.setdefault((fieldname, tbytes), len(self._terms)))
        self._docs.append(docnum)
        self._weights.append(weight)

    def spill(self, path: str) -> None:
        """Write the postings held to a run file at path, sorted, and let go of them."""
        terms, bounds, docs, weights = self._sorted_arrays()
        keys = encode_keys([f.encode("ascii") + b"\0" + t for f, t in terms])
        with open(path, "wb") as f:
            np.savez(f, keys=np.frombuffer(keys, np.uint8), bounds=bounds, docs=docs, weights=weights)
        self.spilled.append(path)
        self._empty()

    def sorted(self):
        """(field, term bytes, documents, weights) per term, in field and term order: the runs'
        spilled and those held, merged."""
        held = _terms_of(*self._sorted_arrays())
        if not self.spilled:
            return held
        return _merged_terms([*map(_read_other_run, self.spilled), held])

    def _sorted_arrays(self) -> tuple[list[tuple[str, bytes]], np.ndarray, np.ndarray, np.ndarray]:
        """(the terms in field and term order, where each one's postings start, then a closing
        bound, documents, weights)."""
        terms = sorted(self._terms)
        rank = np.empty(len(terms), np.int64)
        rank[np.fromiter(map(self._terms.__getitem__, terms), np.int64, len(terms))] = np.arange(len(terms))
        term_rank = rank[np.frombuffer(self._tids, np.int32)]
        order = np.argsort(term_rank, kind="stable")  # documents were added in increasing order
        bounds = np.concatenate(([0], np.cumsum(np.bincount(term_rank, minlength=len(terms)))))
        return terms, bounds, np.frombuffer(self._docs, np.int32)[order], np.frombuffer(self._weights)[order]


def _terms_of(terms, bounds: np.ndarray, docs: np.ndarray, weights: np.ndarray):
    """(field, term bytes, documents, weights) per term of sorted arrays (as _sorted_arrays gives)."""
    bounds = bounds.tolist()
    for n, (fieldname, tbytes) in enumerate(terms):
        yield fieldname, tbytes, docs[bounds[n]:bounds[n + 1]].tolist(), weights[bounds[n]:bounds[n + 1]].tolist()


def _read_other_run(path: str):
    """The terms of a run file written by _OtherPostings.spill, as _terms_of yields them."""
    keys, bounds, docs, weights = read_arrays(path, ("keys", "bounds", "docs", "weights")).values()
    terms = [key.split(b"\0", 1) for key in split_keys(*key_parts(keys))]
    return _terms_of([(f.decode("ascii"), t) for f, t in terms], bounds, docs, weights)


def _merged_terms(runs):
    """Sorted runs of (field, term bytes, documents, weights) as one: a term's documents and
    weights from each run in turn (runs are in document order)."""
    for (fieldname, tbytes), parts in groupby(heapq.merge(*runs, key=itemgetter(0, 1)), key=itemgetter(0, 1)):
        parts = list(parts)
        yield fieldname, tbytes, [d for p in parts for d in p[2]], [w for p in parts for w in p[3]]


def _gather(positions: np.ndarray, tfs: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Reorder per-posting runs of positions (posting i owns tfs[i] of them) into `order`."""
    # int32 (a segment holds far fewer than 2**31 positions) and in chunks: this halves the memory
    tfs = tfs.astype(np.int32)
    starts = np.cumsum(tfs, dtype=np.int32)
    starts -= tfs
    gathered, filled = np.empty(len(positions), np.uint32), 0
    for chunk in range(0, len(order), GATHER_CHUNK):
        taken = order[chunk:chunk + GATHER_CHUNK]
        lengths = tfs[taken]
        count = int(lengths.sum())
        gathered[filled:filled + count] = positions[runs(starts[taken], lengths)]
        filled += count
    return gathered


def _position_bounds(tfs: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The index of each term's first position, then a closing one (tfs: per posting, sorted by term)."""
    if not len(tfs):
        return np.zeros(len(bounds), np.int64)
    return np.concatenate(([0], np.cumsum(np.add.reduceat(tfs, bounds[:-1], dtype=np.int64))))


class IndexCodec(W3Codec):
    """Whoosh's codec and file format, written a term at a time, plus flat postings."""

    length_stats = False  # block length statistics serve only Whoosh's own scorers

    def field_writer(self, storage, segment):
        return BlockFieldWriter(self, storage, segment)


class BlockFieldWriter(W3FieldWriter):
    """W3FieldWriter that writes each term's blocks whole from a TextPool, then flat postings."""

    def add_postings(self, schema, lengths, items: SortedPostings):
        for fieldname, terms in groupby(items.terms, key=itemgetter(0)):
            self.start_field(fieldname, schema[fieldname])
            for _, btext, docs, weights in terms:
                self.start_term(btext)
                self._add_blocks(docs, weights)
                self.finish_term()
            self.finish_field()
        write_flat_postings(self._storage, self._segment, flat_files(items))

    def _add_blocks(self, docs: list, weights: list) -> None:
        writer = self._postwriter
        limit = writer._blocklimit
        for start in range(0, len(docs), limit):
            if start:
                writer._write_block()  # a full block; finish_term writes the last one
            writer._ids = array("I", docs[start:start + limit])
            writer._weights = array("f", weights[start:start + limit])
            writer._values = []  # no field of this schema stores values in Whoosh's blocks
            writer._maxweight = max(writer._weights)


def flat_files(items: SortedPostings, suffix: str = "") -> dict:
    """The flat files' contents for sorted postings (by extension, after suffix), those not written yet."""
    postings = {IDS: (items.docs, np.int32), TFS: (items.tfs, np.uint16), POSITIONS: (items.positions, np.uint32)}
    return {suffix + ext: content for ext, content in {
        **{ext: values.astype(dtype, copy=False) for ext, (values, dtype) in postings.items()
           if ext not in items.written},
        TERMS: term_table(items.bounds, items.position_bounds),
        KEYS: encode_keys(items.keys), HASHES: hash_table(items.keys), LENGTHS: items.lengths}.items()}


def text_fields(schema) -> list[str]:
    """The fields whose postings are flat (sorted: the order of the lengths file's rows)."""
    return sorted(name for name, field in schema.items() if isinstance(field.format, FlatPositions))


class IndexWriter(SegmentWriter):
    """Whoosh's SegmentWriter with a TextPool and IndexCodec: writes one segment of ours."""

    def __init__(self, ix, **kwargs):
        # Separate files, not one compound file: the flat postings are mapped from their own files.
        super().__init__(ix, codec=IndexCodec(), compound=False, **kwargs)
        self.pool = TextPool(text_fields(self.schema))  # SegmentWriter ignores its poolclass argument

    def add_document(self, **fields):
        """Whoosh's add_document, the text fields' TextPostings put in the pool in bulk first
        (their fields' index() then yields nothing)."""
        for name in self.pool.text_fields:
            if isinstance(fields.get(name), TextPostings):
                self.pool.add_text(name, self.docnum, fields[name])
        super().add_document(**fields)

    def _flush_segment(self):
        self.pool.doc_count = self.docnum
        super()._flush_segment()

    def finish_segment(self):
        """Write out the segment and return it; None (and nothing written) if it holds no document."""
        # Not _finish(): that would delete the temporary folder other writers may still use.
        if self._added:
            return self._finalize_segment()
        self._close_segment()
        return None

    def commit_segments(self, segments: list) -> None:
        """Make segments the index's content (writing Whoosh-native classes only) and release."""
        self._close_segment()
        toc = TOC(native_schema(self.schema), [_native_segment(s) for s in segments], self.generation)
        toc.write(self.storage, self.indexname)
        clean_files(self.storage, self.indexname, self.generation, segments)
        self._finish()


def native_schema(schema) -> Schema:
    """The schema with Whoosh's own classes, so the stored index names none of our modules."""
    return Schema(**{name: TEXT(stored=field.stored) if isinstance(field.format, FlatPositions) else field
                     for name, field in schema.items()})


def _native_segment(segment):
    """The segment as stored: with Whoosh's own codec class (ours only changes the writing)."""
    native = copy.copy(segment)
    native._codec = W3Codec()
    return native
