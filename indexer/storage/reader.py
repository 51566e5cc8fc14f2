"""Reading a generation: its segments' flat postings, lengths, columns, stored fields and deletions.

Whoosh provides stored fields, columns and the id field's postings; the flat postings
(``indexer.storage.flat``) provide the text fields' terms, postings, positions and lengths. Every
array here spans all segments, a segment's documents numbered from its offset.
"""

from __future__ import annotations

import glob
import os
import re
import threading
import zipfile
from bisect import bisect_right
from pathlib import Path
from collections import OrderedDict
from functools import reduce
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.reading import SegmentReader as WhooshSegmentReader

from ..store import OLD, IndexNotFound, NoIndex, build_command, read_arrays, replaced
from .flat import (EMPTY, TERMS, FlatPostings, ascending, intersect_sorted, key_hash, located, runs, strong_hash,
                   sums_before, summed_counts, term_key)
from .writer import text_fields


ROWS_CACHE = 20_000  # terms whose rows an open reader remembers (a query looks each up several times)
POSTINGS_CACHE_BYTES = 64 << 20  # postings an open reader keeps, least recently used dropped first
OCCURRENCE_CHUNK = 1 << 21  # postings whose occurrences are read at once (bounds the memory it takes)
LOCATE_BELOW = 32  # documents found in postings 32 times longer by binary searches, else by a pass over them
KEPT_FORMAT_NUMBER = re.compile(r"_\d+(?=\.npz$)")  # a kept file's format number, before .npz
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)  # what reading a damaged .npz raises


def _remove_other_formats(path: Path) -> None:
    """Remove the files beside path that differ from its name only by their format number (a
    <segment>.lexicon_title_runs_7.npz once _10 is saved): another format's arrays no longer serve."""
    unnumbered = KEPT_FORMAT_NUMBER.sub("", path.name)
    for other in path.parent.glob(glob.escape(unnumbered.removesuffix(".npz")) + "_*.npz"):
        if other != path and KEPT_FORMAT_NUMBER.sub("", other.name) == unnumbered:
            other.unlink(missing_ok=True)


class OldFormat(IndexNotFound):
    """The index was written in another format: rebuild it."""

    def __init__(self, message: str):
        super().__init__(message, NoIndex(OLD))


def deleted_documents(segment) -> np.ndarray:
    """A Whoosh segment's deleted document numbers, sorted."""
    return np.array(sorted(segment.deleted_docs()), dtype=np.int64)


def segment_path(folder: str, segment) -> str:
    """The path of a segment's files, without extension."""
    return os.path.join(folder, segment.make_filename(""))


class SegmentReader:
    """One segment: Whoosh's reader for its term table, stored fields and columns; flat postings."""

    def __init__(self, whoosh_reader, offset: int, fields: list[str]):
        self.whoosh, self.offset, self.fields = whoosh_reader, offset, fields
        self.segment = whoosh_reader._segment
        self.size = whoosh_reader.doc_count_all()
        path = segment_path(whoosh_reader._storage.folder, self.segment)
        if not os.path.exists(path + TERMS):
            index_dir = Path(whoosh_reader._storage.folder).parent
            raise OldFormat(f"the index in {index_dir} was built by an earlier version of indexer; "
                            f"rebuild it with {build_command(index_dir)}")
        self.flat = FlatPostings(path, self.size, len(fields))
        self.live = np.ones(self.size, dtype=bool)
        deleted = deleted_documents(self.segment)
        self.live[deleted] = False
        self.deleted = len(deleted)
        self._live_counts = self.flat.saved_live_counts(deleted) if self.deleted else None
        self.ids = whoosh_reader.column_reader("id")  # random access to article ids
        # mapped now, not at the first result shown: an update deletes a replaced generation's
        # files while the open indexes still searching it show its results
        whoosh_reader._perdoc._cached_reader("_stored", STORED_COLUMN)
        self._stored_names = frozenset(whoosh_reader.schema.names())
        self._id_hashes = None

    def stored_fields(self, docnum: int) -> dict:
        """A document's stored fields, those of the schema's fields (as Whoosh's reader gives
        them, without its per-field schema look-ups: a third of its cost)."""
        stored = self.whoosh._perdoc.stored_fields(docnum)
        return {name: value for name, value in stored.items() if name in self._stored_names}

    def titles(self, deleted: bool = False):
        """Each live document's stored title (with deleted: every document's): its column read whole,
        without unpickling stored fields (a segment written before the column: from them)."""
        docs = range(self.size) if deleted else np.flatnonzero(self.live).tolist()
        if not self.whoosh.has_column("title"):
            return (self.stored_fields(d).get("title") or "" for d in docs)
        titles = self._strings("title")
        return (titles[d] for d in docs)

    def kept(self, ext: str, make, usable=None) -> dict[str, np.ndarray]:
        """Arrays derived from this segment's documents, deleted ones too (make(self) gives them),
        saved beside its files as <segment>.<ext> when first made and read back after: a segment's
        documents never change, and a merge that removes the segment removes them with it (made
        and saved again when usable(arrays) says those saved no longer serve)."""
        path = Path(self.flat.path + "." + ext)
        try:
            arrays = read_arrays(path)
            if usable is None or usable(arrays):
                return arrays
        except _UNREADABLE:  # not made yet (or damaged: made again)
            pass
        arrays = make(self)
        try:
            with replaced(path) as f:
                np.savez(f, **arrays)
            _remove_other_formats(path)
        except OSError:  # a folder this process may not write: made again next time
            pass
        return arrays

    def row(self, field: str, term: str) -> int | None:
        """The term's row in the flat postings, or None when the segment lacks it."""
        return self.flat.row(term_key(self.fields.index(field), term))

    def occurrences(self, field: str, terms: list[str], docs: np.ndarray):
        """(term number, document, position) uint64 arrays of each occurrence of the terms in field of
        the documents in docs (a mask of this segment's documents), read OCCURRENCE_CHUNK
        postings at a time (one term at a time costs more in Python than in NumPy)."""
        found = [(n, row) for n, term in enumerate(terms) if (row := self.row(field, term)) is not None]
        numbers = np.array([n for n, _ in found], dtype=np.int64)
        rows = np.array([row for _, row in found], dtype=np.int64)
        sizes = np.cumsum(self.flat.starts[rows + 1] - self.flat.starts[rows])
        cuts = np.unique(np.searchsorted(sizes, np.arange(OCCURRENCE_CHUNK, sizes[-1] if len(sizes) else 0,
                                                          OCCURRENCE_CHUNK)))
        parts = []
        for chunk_numbers, chunk_rows in zip(np.split(numbers, cuts), np.split(rows, cuts)):
            which, doc, positions = self.flat.occurrences_of(chunk_rows, docs)
            parts.append((chunk_numbers[which], doc, positions))
        return tuple(np.concatenate([part[k] for part in parts]).astype(np.uint64) for k in range(3))

    def adjacent_codes(self, field: str, terms: list[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The codes of each pair and each triple of the terms in a row in field of the documents
        in docs (a mask of this segment's), as IndexReader.adjacent_runs codes them, not counted."""
        return run_codes(occurrence_keys(*self.occurrences(field, terms, docs), len(terms)), len(terms))

    def adjacent_runs(self, field: str, terms: list[str], docs: np.ndarray):
        """IndexReader.adjacent_runs of this segment's documents in docs (a mask of them)."""
        return tuple(np.unique(codes, return_counts=True) for codes in self.adjacent_codes(field, terms, docs))

    def document_occurrences(self, field: str, docs: np.ndarray):
        """(the terms found, then the term number (among them), document and position uint64 arrays
        of each occurrence) of every term in field of the documents in docs (a mask of this
        segment's): read document by document, as FlatPostings.document_occurrences does."""
        rows, doc, positions = self.flat.document_occurrences(self.flat.field_rows(self.fields.index(field)), docs)
        held, numbers = np.unique(rows, return_inverse=True)
        terms = [self.flat.key(row)[1:].decode("utf-8") for row in held.tolist()]
        return terms, numbers.astype(np.uint64), doc.astype(np.uint64), positions.astype(np.uint64)

    def id_hashes(self) -> np.ndarray:
        """Each document's hash of its article id, deleted ones too (see IndexReader.id_hashes;
        made once: the segment's ids never change)."""
        if self._id_hashes is None:
            ids = self.column("id", str)
            self._id_hashes = np.fromiter((key_hash(i.encode("utf-8")) for i in ids), np.uint64, self.size)
        return self._id_hashes

    def terms(self, field: str):
        """Yield (term, how many live documents hold it) of a field's terms (see IndexReader.terms)."""
        number = bytes([self.fields.index(field)])
        dfs = self.all_live_counts().tolist()
        for row, key in enumerate(self.flat.keys()):
            if key[:1] == number:
                yield key[1:].decode("utf-8"), dfs[row]

    def live_counts(self, rows: np.ndarray) -> np.ndarray:
        """How many live documents hold each of the term rows."""
        if self._live_counts is not None:
            return self._live_counts[rows].astype(np.int64)
        counts = self.flat.starts[rows + 1] - self.flat.starts[rows]
        if self.deleted:  # an index written without its counts (flat.LIVE)
            counts = np.array([int(self.live[self.flat.slice(row)[0]].sum()) for row in rows.tolist()], dtype=np.int64)
        return counts

    def all_live_counts(self) -> np.ndarray:
        """How many live documents hold each term row, for all rows."""
        if self._live_counts is not None:
            return self._live_counts
        return self.flat.count_live(self.live) if self.deleted else np.diff(self.flat.starts)

    def column(self, name: str, dtype) -> np.ndarray:
        """A column's values, one per document."""
        if dtype is str:
            return np.array(self._strings(name), dtype=object)
        numbers = self._integers(name)
        if numbers is not None:
            return numbers.astype(dtype, copy=False)
        return np.fromiter(self.whoosh.column_reader(name), dtype, self.size)

    def _integers(self, name: str) -> np.ndarray | None:
        """A column of 64-bit signed integers (Whoosh's NUMERIC) read in one piece (one read per
        value costs ~2 µs: half the opening), or None for a column of another kind."""
        raw, field = self.whoosh.column_reader(name, translate=False), self.whoosh.schema[name]
        if getattr(raw, "_typecode", None) != "Q" or getattr(field, "numtype", None) is not int or not field.signed:
            return None
        count = min(raw._count, self.size)  # the values after the last one written are the default
        stored = np.frombuffer(raw._dbfile.get(raw._basepos, count * 8), ">u8")
        values = np.full(self.size, field.from_column_value(raw._default), dtype=np.int64)
        values[:count] = (stored ^ np.uint64(1 << 63)).view(np.int64)  # Whoosh keeps x + 2**63, big-endian
        return values

    def _strings(self, name: str) -> list[str]:
        """A string column's values, read in one piece (one read per value costs ~30 µs)."""
        raw = self.whoosh.column_reader(name, translate=False)
        if not hasattr(raw, "_lengths"):  # a column layout this code does not know
            return [v.decode("utf-8") for v in raw]
        lengths = raw._lengths
        blob = raw._dbfile.get(raw._basepos, sum(lengths))
        ends = list(accumulate(lengths))
        return [blob[end - n:end].decode("utf-8") for end, n in zip(ends, lengths)]


def occurrence_keys(numbers: np.ndarray, doc: np.ndarray, positions: np.ndarray, n: int) -> np.ndarray:
    """One sortable key per occurrence (uint64 arrays of term numbers below n, documents and
    positions), for run_codes: document, position (24 bits: a body of 1,000,000 characters has
    fewer syllables), term number."""
    return (((doc << np.uint64(24)) | positions) << np.uint64(max(n, 2).bit_length())) | numbers


def run_codes(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The codes of each pair and each triple of terms in a row among occurrences (their
    occurrence_keys, sorted here in place), as IndexReader.adjacent_runs codes them."""
    bits = max(n, 2).bit_length()
    keys.sort()
    numbers = (keys & np.uint64((1 << bits) - 1)).astype(np.int64)
    keys >>= np.uint64(bits)
    follows = keys[1:] == keys[:-1] + np.uint64(1)
    codes = numbers[:-1] * n + numbers[1:]
    return codes[follows], (codes[:-1] * n + numbers[2:])[follows[:-1] & follows[1:]]


def _dense(docs: np.ndarray, ids: np.ndarray) -> bool:
    """Whether the documents docs are found in the postings ids faster by one pass over ids (a
    mask of docs) than by binary searches."""
    return len(docs) * LOCATE_BELOW >= len(ids)


def _located(ids: np.ndarray, docs: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The indexes in ids (sorted) of the documents docs (sorted; mask: the same as a boolean
    array or None): binary searches for few documents, else one pass over ids."""
    if mask is None or not _dense(docs, ids):
        return located(ids, docs)
    return np.flatnonzero(mask[ids])


class IndexReader:
    """A generation's segments read as one index (the storage layer's reading side)."""

    def __init__(self, ix):
        self.fields = text_fields(ix.schema)
        self.searcher = ix.searcher()
        leaves = self.searcher.reader().leaf_readers()
        try:
            self.segments = [SegmentReader(r, offset, self.fields) for r, offset in leaves
                             if isinstance(r, WhooshSegmentReader)]
        except BaseException:
            self.searcher.close()
            raise
        self.size = sum(s.size for s in self.segments)
        self.live = self._concat([s.live for s in self.segments], bool)
        self.deleted = sum(s.deleted for s in self.segments)
        self._offsets = [s.offset for s in self.segments]
        self._rows: dict[tuple[str, str], list] = {}
        self._dfs: dict[tuple[str, str], int] = {}  # live document frequencies found by look_up
        self._postings: OrderedDict[tuple[str, str], tuple] = OrderedDict()  # (field, term) -> (ids, tfs)
        self._postings_bytes = 0
        self._postings_lock = threading.Lock()

    @staticmethod
    def _concat(parts, dtype) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype)

    def rows(self, field: str, term: str) -> list[tuple["SegmentReader", int]]:
        """(segment, term row) of each segment holding the term (remembered: queries repeat words)."""
        found = self._rows.get((field, term))  # read once: another thread may clear the cache meanwhile
        if found is None:
            key = term_key(self.fields.index(field), term)
            hashed = np.uint64(key_hash(key))
            found = [(s, row) for s in self.segments if (row := s.flat.row(key, hashed)) is not None]
            if len(self._rows) >= ROWS_CACHE:
                self._rows.clear()
            self._rows[(field, term)] = found
        return found

    def look_up(self, terms: list[tuple[str, str]]) -> None:
        """Find the rows and live document frequencies of many (field, term) at once, for rows()
        and doc_frequency() to remember: one binary search per segment for all of them (a query
        looks up dozens, each in every segment)."""
        wanted = [t for t in dict.fromkeys(terms) if t not in self._rows]
        if not wanted:
            return
        keys = [term_key(self.fields.index(field), term) for field, term in wanted]
        hashes = np.array([key_hash(k) for k in keys], dtype=np.uint64)
        found, dfs = [[] for _ in wanted], np.zeros(len(wanted), dtype=np.int64)
        for s in self.segments:
            at, rows = s.flat.rows(keys, hashes)
            dfs[at] += s.live_counts(rows)  # each key once per segment
            for n, row in zip(at.tolist(), rows.tolist()):
                found[n].append((s, row))
        if max(len(self._rows), len(self._dfs)) + len(wanted) >= ROWS_CACHE:
            self._rows.clear()
            self._dfs.clear()
        self._dfs.update(zip(wanted, dfs.tolist()))
        self._rows.update(zip(wanted, found))

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, term frequencies) of a term over all segments, or None; read-only
        arrays, remembered (a search looks a word up to score it and to match it, and common
        words recur across searches: gathering their postings costs more than scoring them)."""
        key = (field, term)
        with self._postings_lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = self._gather(field, term)
        if found is not None:
            self._remember(key, found)
        return found

    def _remember(self, key: tuple[str, str], postings: tuple[np.ndarray, np.ndarray]) -> None:
        """Keep a term's postings, dropping the least recently used beyond POSTINGS_CACHE_BYTES."""
        for array in postings:
            array.flags.writeable = False
        with self._postings_lock:
            if key not in self._postings:
                self._postings[key] = postings
                self._postings_bytes += sum(a.nbytes for a in postings)
            while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                self._postings_bytes -= sum(a.nbytes for a in self._postings.popitem(last=False)[1])

    def _gather(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's postings from every segment holding it, in one pair of arrays."""
        found = self.rows(field, term)
        if not found:
            return None
        parts = [s.flat.slice(row) for s, row in found]
        # concatenated and converted at once (a step per segment costs more than the copy of its postings)
        ids = np.concatenate([part for part, _ in parts], dtype=np.int64)
        tfs = np.concatenate([part_tfs for _, part_tfs in parts], dtype=np.float32)
        at = 0
        for (s, _), (part, _) in zip(found, parts):
            if s.offset:
                ids[at:at + len(part)] += s.offset
            at += len(part)
        return ids, tfs

    def doc_frequency(self, field: str, term: str) -> int:
        """How many live documents hold the term."""
        df = self._dfs.get((field, term))
        if df is None:
            df = sum(int(s.live_counts(np.array([row]))[0]) for s, row in self.rows(field, term))
        return df

    def positions(self, field: str, term: str, docs: np.ndarray, mask: np.ndarray | None = None):
        """(document, position) arrays of the term's occurrences in field of the documents docs
        (sorted, no repeats; mask: the same as a boolean array, when the caller has one): located
        in the term's postings over all segments at once (one segment at a time costs a dozen
        NumPy calls in each), then read from each segment."""
        postings = self.postings(field, term)
        at = EMPTY if postings is None else _located(postings[0], docs, mask)
        if not len(at):
            return EMPTY, EMPTY
        ids, tfs = postings
        parts = self.rows(field, term)
        # per segment holding the term: its postings, its first position, its positions
        spans = np.array([(s.flat.starts[row + 1] - s.flat.starts[row], s.flat.position_starts[row],
                           s.flat.position_starts[row + 1] - s.flat.position_starts[row]) for s, row in parts],
                         dtype=np.int64)
        part = np.searchsorted(np.cumsum(spans[:, 0]), at, side="right")  # the segment of each posting read
        counts = tfs[at].astype(np.int64)
        earlier = np.cumsum(spans[:, 2]) - spans[:, 2]  # positions in the segments before
        firsts = spans[part, 1] + sums_before(tfs, at) - earlier[part]
        ends = np.cumsum(np.bincount(part, counts, len(parts)).astype(np.int64)).tolist()  # positions read up to each segment's end
        reads = runs(firsts, counts)  # sliced per segment below (np.split costs ~0.2 ms in Python)
        positions = np.concatenate([s.flat.positions[reads[start:end]] for (s, _), start, end
                                    in zip(parts, [0, *ends], ends) if end > start])
        return np.repeat(ids[at], counts), positions.astype(np.int64)

    def document_terms(self, field: str, docnum: int) -> dict[str, int]:
        """term -> frequency in one document's field, from the flat postings (no analysis)."""
        s = self.segments[bisect_right(self._offsets, docnum) - 1]
        rows, tfs = s.flat.terms_of(docnum - s.offset, s.flat.field_rows(self.fields.index(field)))
        return {s.flat.key(row)[1:].decode("utf-8"): tf for row, tf in zip(rows.tolist(), tfs.tolist())}

    def phrase(self, field: str | tuple[str, ...], words: list[str]) -> np.ndarray:
        """Document numbers where the words occur one right after another in field (or each in its
        own field of a tuple, fields whose positions are the same: body and body_fold)."""
        fields = [field] * len(words) if isinstance(field, str) else list(field)
        postings = [self.postings(f, w) for f, w in zip(fields, words)]
        if not words or any(p is None for p in postings):
            return EMPTY
        docs = reduce(intersect_sorted, [ids for ids, _ in postings])
        if not len(docs):
            return EMPTY
        mask = None  # made only when a word's postings are read by a pass over them
        if any(_dense(docs, ids) for ids, _ in postings):
            mask = np.zeros(self.size, dtype=bool)
            mask[docs] = True
        keys = None
        for i, (word_field, word) in enumerate(zip(fields, words)):  # only the occurrences in documents holding every word
            doc, pos = self.positions(word_field, word, docs, mask)
            # one key per occurrence, shifted back to where the phrase would start
            k = ascending((doc << 32) | (pos + len(words) - i))
            keys = k if keys is None else intersect_sorted(keys, k)
        starts = keys >> 32
        return starts[np.concatenate(([True], starts[1:] != starts[:-1]))] if len(starts) else EMPTY

    def terms(self, field: str):
        """Yield (term, how many live documents hold it) of a field's terms, segment by segment
        (0 for a term only deleted documents hold)."""
        for s in self.segments:
            yield from s.terms(field)

    def key_hashes(self, known: dict | None = None) -> dict[str, np.ndarray]:
        """{segment id: the flat.term_hash of each of its (field, term) keys, in row order} of every
        segment, those known (from a generation before) kept: a segment's keys never change."""
        known, hashes = known or {}, {}
        for s in self.segments:
            name = s.segment.segment_id()
            hashes[name] = known[name] if name in known else \
                np.fromiter(map(strong_hash, s.flat.keys()), np.uint64, len(s.flat.starts) - 1)
        return hashes

    def frequency_table(self, key_hashes: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(the flat.term_hash of every (field, term) the live documents hold, sorted; how many live
        documents hold each): all document frequencies, summed over the segments (their key_hashes
        given, else read)."""
        key_hashes = key_hashes or self.key_hashes()
        hashes = [key_hashes[s.segment.segment_id()] for s in self.segments]
        counts = [s.all_live_counts().astype(np.int64) for s in self.segments]
        unique, dfs = summed_counts([self._concat(hashes, np.uint64)], [self._concat(counts, np.int64)])
        return unique[dfs > 0], dfs[dfs > 0]

    def adjacent_runs(self, field: str, terms: list[str], docs: np.ndarray):
        """((codes, counts) of pairs, (codes, counts) of triples): how often terms follow each
        other in the field of the documents in docs (a mask of live documents); with n terms, a
        pair's code is first * n + second, a triple's (first * n + second) * n + third."""
        found = [s.adjacent_codes(field, terms, docs[s.offset:s.offset + s.size]) for s in self.segments]
        return tuple(np.unique(np.concatenate([f[k] for f in found] or [EMPTY]), return_counts=True) for k in (0, 1))

    def id_hashes(self) -> np.ndarray:
        """Each document's hash of its article id (the largest number for a deleted one): what
        samples are chosen by, the same articles whatever their document numbers, segments or shards."""
        hashes = self._concat([s.id_hashes() for s in self.segments], np.uint64)
        hashes[~self.live] = np.iinfo(np.uint64).max
        return hashes

    def sample(self, count: int) -> np.ndarray:
        """A mask of the count live documents of lowest id hashes (all when fewer)."""
        if count >= int(self.live.sum()):
            return self.live.copy()
        hashes = self.id_hashes()
        chosen = np.zeros(self.size, dtype=bool)
        chosen[np.argpartition(hashes, count - 1)[:count]] = True
        return chosen

    def lengths(self, field: str) -> np.ndarray:
        """Each document's exact length of field, in terms."""
        i = self.fields.index(field)
        return self._concat([s.flat.lengths[i] for s in self.segments], np.uint32)

    def column(self, name: str, dtype=np.int64) -> np.ndarray:
        """A column (e.g. recency) as one array over all documents."""
        return self._concat([s.column(name, dtype) for s in self.segments], dtype)

    def doc_id(self, docnum: int) -> str:
        """The article id of a document."""
        i = bisect_right(self._offsets, docnum) - 1
        return self.segments[i].ids[docnum - self._offsets[i]]

    def live_articles(self) -> dict[str, tuple[str, str, int]]:
        """id -> (fingerprint, origin, document number) of every live document."""
        columns = [self.column(name, str) for name in ("id", "fingerprint", "origin")]
        return {columns[0][n]: (columns[1][n], columns[2][n], n) for n in np.flatnonzero(self.live).tolist()}

    def titles(self):
        """Yield the stored title of each live document, in document order."""
        for s in self.segments:
            yield from s.titles()

    def stored_fields(self, docnum: int) -> dict:
        """The stored fields of a document."""
        i = bisect_right(self._offsets, docnum) - 1
        return self.segments[i].stored_fields(int(docnum) - self._offsets[i])

    def document_number(self, doc_id: str) -> int | None:
        """The document number of the live document with this id, or None."""
        return self.searcher.document_number(id=doc_id)

    def document(self, doc_id: str) -> dict | None:
        """The stored fields of the live document with this id, or None."""
        return self.searcher.document(id=doc_id)

    def close(self) -> None:
        """Release the files."""
        self.searcher.close()
