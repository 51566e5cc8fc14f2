"""Flat postings: each segment's document numbers, term frequencies and positions as plain arrays.

Whoosh keeps a term's postings in pickled, compressed blocks; decoding them in Python costs more
than scoring, and its phrase matcher walks positions one posting at a time. So when a segment
is written (``indexer.storage.writer``), Whoosh gets the term table, field lengths, columns and
stored fields, and the text fields' postings also go to flat files beside the segment, which
searching maps into memory and slices with NumPy:

- ``<segment>.vid``: int32 document numbers, term after term;
- ``<segment>.vtf``: uint16 term frequencies, in the same order;
- ``<segment>.vps``: uint32 positions, posting after posting (``tf`` of them each);
- ``<segment>.vtm``: int64 pairs per term (index of its first posting, index of its first
  position), then one closing pair;
- ``<segment>.vtk``: the terms themselves, in the same order, sorted (a key is the field's number,
  one byte, then the term's UTF-8 bytes): int64 count, int64 offsets (count + 1), then the bytes;
- ``<segment>.vth``: the term table's index: each key's 64-bit hash (CRC-32 and Adler-32), sorted,
  then the key's row for each;
- ``<segment>.vln``: uint32 exact field lengths, one row per text field (sorted by name), one
  column per document;
- ``<segment>.<count>_<digest>.vlc``: int32 live documents per term, written when deletions are
  committed (named by the set of deleted documents, so a segment's deletions of another
  generation never match it): a search then counts no postings to know a term's live documents.
  An index written without them still opens (the count is then made from the postings).

A term is found by a binary search of its hash, checked against its bytes: nothing is parsed
when a segment is opened, and Whoosh holds no text postings at all.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import zlib
from pathlib import Path

import numpy as np

from ..store import replaced

IDS, TFS, POSITIONS, TERMS, KEYS, HASHES, LENGTHS = ".vid", ".vtf", ".vps", ".vtm", ".vtk", ".vth", ".vln"
LIVE = ".vlc"
MAX_TF = 65535  # positions kept per term and article (frequencies are uint16)
EMPTY = np.zeros(0, dtype=np.int64)
COMPARED_AT_ONCE = 40  # keys found in a segment from which their bytes are compared in one NumPy pass
MERGE_BELOW = 4  # sorted arrays whose lengths differ less than this many times are intersected by merging
PREFIX_CHUNK = 1 << 20  # values summed at once by prefix_sums (bounds the memory it takes)


def encode_keys(keys: list[bytes]) -> bytes:
    """The .vtk file's content for a list of keys."""
    offsets = np.concatenate(([0], np.cumsum([len(k) for k in keys], dtype=np.int64)))
    return np.int64(len(keys)).tobytes() + offsets.astype(np.int64).tobytes() + b"".join(keys)


def key_parts(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of a .vtk file's content as uint8 (what encode_keys wrote)."""
    count = int(data[:8].view(np.int64)[0])
    return data[8:8 * (count + 2)].view(np.int64), data[8 * (count + 2):]


def split_keys(offsets: np.ndarray, blob: np.ndarray) -> list[bytes]:
    """Each key of key_parts' (offsets, bytes), in order."""
    blob, offsets = blob.tobytes(), offsets.tolist()
    return [blob[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def term_key(field_number: int, term: str) -> bytes:
    """A term's key in the flat postings: its field's number (one byte), then the term in UTF-8."""
    return bytes([field_number]) + term.encode("utf-8")


def key_hash(key: bytes) -> int:
    """A key's 64-bit hash (stable across processes, unlike hash())."""
    return zlib.crc32(key) << 32 | zlib.adler32(key)


def strong_hash(key: bytes) -> int:
    """A key's 64-bit BLAKE2b hash: two of a million keys share one with a chance of about 3e-8
    (key_hash, whose collisions the term tables resolve by the keys' bytes, is not for a table of hashes alone)."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")


def term_hash(fields: list[str], field: str, term: str) -> int:
    """The strong_hash of a (field, term) key of an index with these text fields (in order)."""
    return strong_hash(term_key(fields.index(field), term))


def hash_table(keys: list[bytes]) -> np.ndarray:
    """The .vth array: the keys' hashes, sorted, then the row of each."""
    hashes = np.fromiter(map(key_hash, keys), np.uint64, len(keys))
    order = np.argsort(hashes, kind="stable")
    return np.concatenate([hashes[order], order.astype(np.uint64)])


def live_suffix(deleted: np.ndarray) -> str:
    """The suffix of a segment's file of live documents per term, for its deleted documents (sorted)."""
    digest = hashlib.blake2b(np.asarray(deleted, np.int64).tobytes(), digest_size=8).hexdigest()
    return f".{len(deleted)}_{digest}{LIVE}"


def write_live_counts(path: str, doc_count: int, text_fields: int, deleted: np.ndarray) -> None:
    """Write the live documents per term of the segment at path (its files without extension)
    with these deleted documents (sorted), unless written already; remove those of other deletions."""
    mine = path + live_suffix(deleted)
    if not os.path.exists(mine):
        live = np.ones(doc_count, dtype=bool)
        live[deleted] = False
        with replaced(Path(mine)) as f:
            f.write(memoryview(FlatPostings(path, doc_count, text_fields).count_live(live)).cast("B"))
    folder, segment = os.path.split(path)
    for name in os.listdir(folder):
        if name.startswith(segment + ".") and name.endswith(LIVE) and name != os.path.basename(mine):
            os.unlink(os.path.join(folder, name))


def write_flat_postings(storage, segment, arrays: dict) -> None:
    """Write a segment's flat files: arrays maps each extension to its bytes or array."""
    for ext, values in arrays.items():
        with segment.create_file(storage, ext) as f:
            f.write(values if isinstance(values, bytes) else memoryview(np.ascontiguousarray(values)).cast("B"))


def mapped_output(path: str, dtype, count: int) -> np.ndarray:
    """A writable array of count values over a new file at path: what is written to it is the
    file's content, kept in the page cache rather than in the process's memory."""
    with open(path, "w+b") as f:
        size = count * np.dtype(dtype).itemsize
        f.truncate(size)
        return np.frombuffer(mmap.mmap(f.fileno(), size), dtype=dtype) if size else np.zeros(0, dtype)


def term_table(bounds: np.ndarray, position_bounds: np.ndarray) -> np.ndarray:
    """The .vtm array: one (first posting, first position) row per term, then a closing one."""
    return np.column_stack([bounds, position_bounds]).astype(np.int64)


def _mapped(path: str, dtype) -> np.ndarray:
    """A read-only array over a whole file (an empty file cannot be mapped)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return np.zeros(0, dtype=dtype)
        return np.frombuffer(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), dtype=dtype)


def release(*arrays: np.ndarray) -> None:
    """Drop the pages of mapped arrays from this process's memory (the page cache keeps them,
    written ones included, and they come back on the next read)."""
    for array in arrays:
        base = array
        while isinstance(base, np.ndarray):
            base = base.base
        if isinstance(base, memoryview):  # what np.frombuffer keeps of the mmap
            base = base.obj
        if isinstance(base, mmap.mmap):
            base.madvise(mmap.MADV_DONTNEED)


class FlatPostings:
    """One segment's flat postings, mapped into memory."""

    def __init__(self, path: str, doc_count: int, text_fields: int):
        """path: the segment's files without extension."""
        self.path = path
        self.ids = _mapped(path + IDS, np.int32)
        self.tfs = _mapped(path + TFS, np.uint16)
        self.positions = _mapped(path + POSITIONS, np.uint32)
        terms = _mapped(path + TERMS, np.int64).reshape(-1, 2)
        self.starts, self.position_starts = terms[:, 0], terms[:, 1]
        self.lengths = _mapped(path + LENGTHS, np.uint32).reshape(text_fields, doc_count)
        self.key_offsets, self.key_bytes = key_parts(_mapped(path + KEYS, np.uint8))
        self.hashes, self.hash_rows = _mapped(path + HASHES, np.uint64).reshape(2, len(self.key_offsets) - 1)

    def saved_live_counts(self, deleted: np.ndarray) -> np.ndarray | None:
        """The live documents per term row written for these deleted documents (sorted), or None."""
        try:
            counts = _mapped(self.path + live_suffix(deleted), np.int32)
        except FileNotFoundError:  # written by an earlier version
            return None
        return counts if len(counts) == len(self.starts) - 1 else None

    def count_live(self, live: np.ndarray) -> np.ndarray:
        """How many documents of live (a mask of the segment's documents) each term row holds:
        one pass over every posting."""
        counts = np.diff(self.starts)
        held = counts > 0  # rows without postings (none are written) get no sum: reduceat would give one
        if held.any():
            counts[held] -= np.add.reduceat((~live)[self.ids], self.starts[:-1][held], dtype=np.int64)
        return counts.astype(np.int32)

    def key(self, row: int) -> bytes:
        """The key of a term row."""
        return self.key_bytes[self.key_offsets[row]:self.key_offsets[row + 1]].tobytes()

    def keys(self) -> list[bytes]:
        """Each term row's key: its field number (one byte), then the term's UTF-8 bytes."""
        return split_keys(self.key_offsets, self.key_bytes)

    def row(self, key: bytes, hashed: np.uint64 | None = None) -> int | None:
        """The term row of a key (hashed: its key_hash, when the caller has it), or None."""
        h = np.uint64(key_hash(key)) if hashed is None else hashed
        hashes, i = self.hashes, int(self.hashes.searchsorted(h))
        while i < len(hashes) and hashes[i] == h:
            row = int(self.hash_rows[i])
            if self.key(row) == key:
                return row
            i += 1
        return None

    def rows(self, keys: list[bytes], hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indexes in keys, term rows) of the keys this segment holds (hashes: their key_hash
        values, a uint64 array): one binary search for all of them, their bytes compared at once."""
        if not len(self.hashes):
            return EMPTY, EMPTY
        at = np.minimum(self.hashes.searchsorted(hashes), len(self.hashes) - 1)
        hit = np.flatnonzero(self.hashes[at] == hashes)
        rows = self.hash_rows[at[hit]].astype(np.int64)
        same = self._same_keys(rows, [keys[n] for n in hit.tolist()])
        if same.all():
            return hit, rows
        others = [(n, self.row(keys[n], hashes[n])) for n in hit[~same].tolist()]  # another key, same hash
        found = [*zip(hit[same].tolist(), rows[same].tolist()), *((n, r) for n, r in others if r is not None)]
        found.sort()
        return np.array([n for n, _ in found], dtype=np.int64), np.array([r for _, r in found], dtype=np.int64)

    def _same_keys(self, rows: np.ndarray, keys: list[bytes]) -> np.ndarray:
        """Whether each term row's key is the key given for it (many: one comparison of all their bytes)."""
        if len(keys) < COMPARED_AT_ONCE:
            return np.array([self.key(row) == key for row, key in zip(rows.tolist(), keys)], dtype=bool)
        starts = self.key_offsets[rows]
        lengths = self.key_offsets[rows + 1] - starts
        same = lengths == np.fromiter(map(len, keys), np.int64, len(keys))
        if same.any():
            kept = lengths[same]
            stored = self.key_bytes[runs(starts[same], kept)]
            given = np.frombuffer(b"".join([k for k, s in zip(keys, same.tolist()) if s]), np.uint8)
            same[same] = ~np.logical_or.reduceat(stored != given, np.cumsum(kept) - kept)
        return same

    def field_rows(self, number: int) -> tuple[int, int]:
        """(first, past the last) term row of the field numbered number: keys sort by field first."""
        return self._first_row(bytes([number])), self._first_row(bytes([number + 1]))

    def _first_row(self, prefix: bytes) -> int:
        """The first term row whose key is not below prefix (a binary search of the sorted keys)."""
        low, high = 0, len(self.key_offsets) - 1
        while low < high:
            middle = (low + high) // 2
            if self.key(middle) < prefix:
                low = middle + 1
            else:
                high = middle
        return low

    def terms_of(self, doc: int, rows: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(term rows, term frequencies) of one document among the postings of rows (first, past
        the last): a scan of their document numbers, which costs less than analysing its text."""
        start, end = int(self.starts[rows[0]]), int(self.starts[rows[1]])
        at = np.flatnonzero(self.ids[start:end] == doc) + start
        return np.searchsorted(self.starts, at, side="right") - 1, self.tfs[at]

    def slice(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of term row i."""
        start, end = self.starts[i], self.starts[i + 1]
        return self.ids[start:end], self.tfs[start:end]

    def occurrences_of(self, rows: np.ndarray, docs: np.ndarray):
        """(index in rows, document, position) arrays of each occurrence of the term rows (an
        array) in the documents docs (a mask of this segment's documents) holds."""
        if not len(rows):
            return EMPTY, EMPTY, EMPTY
        counts = (self.starts[rows + 1] - self.starts[rows]).astype(np.int64)
        row_firsts = np.cumsum(counts) - counts  # where each row's postings start among them all
        at = runs(self.starts[rows], counts)
        tfs = self.tfs[at].astype(np.int64)
        before = np.cumsum(tfs) - tfs  # positions before each posting among them all
        firsts = before + np.repeat(self.position_starts[rows] - before[row_firsts], counts)
        kept = np.flatnonzero(docs[self.ids[at]])
        tfs, firsts = tfs[kept], firsts[kept]
        return (np.repeat(np.repeat(np.arange(len(rows)), counts)[kept], tfs),
                np.repeat(self.ids[at[kept]], tfs), self.positions[runs(firsts, tfs)])

    def document_occurrences(self, rows: tuple[int, int], docs: np.ndarray):
        """(term row, document, position) arrays of each occurrence of the term rows (first, past the
        last) in the documents docs (a mask of this segment's documents) holds: one scan of the
        rows' document numbers, cheaper than occurrences_of for few documents or many rows."""
        start, end = int(self.starts[rows[0]]), int(self.starts[rows[1]])
        at = np.flatnonzero(docs[self.ids[start:end]]) + start
        if not len(at):
            return EMPTY, EMPTY, EMPTY
        row = np.searchsorted(self.starts, at, side="right") - 1
        held, counts = np.unique(row, return_counts=True)
        tfs = self.tfs[at].astype(np.int64)
        # a posting's first position: its row's first, then as many as its row's postings before it
        # hold (summed from the rows' first posting: the other fields' are never read)
        tfs_from = self.tfs[start:end]
        firsts = (self.position_starts[row] + prefix_sums(tfs_from, at - start)
                  - np.repeat(prefix_sums(tfs_from, self.starts[held] - start), counts))
        return np.repeat(row, tfs), np.repeat(self.ids[at], tfs), self.positions[runs(firsts, tfs)]


def runs(firsts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes firsts[k], firsts[k] + 1, ... (counts[k] of them) for every k, in one array."""
    return np.repeat(firsts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))


def prefix_sums(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The sum of values before each index of at (ascending), by cumulative sums of PREFIX_CHUNK
    values at a time: for indexes spread over all values (sums_before's reduceat, converting
    uint16 values, costs 5 times more there)."""
    sums = np.zeros(len(at), dtype=np.int64)
    total, last = 0, int(at[-1]) if len(at) else 0
    for begin in range(0, last, PREFIX_CHUNK):
        end = min(begin + PREFIX_CHUNK, last)
        summed = np.cumsum(values[begin:end], dtype=np.int64)
        low, high = np.searchsorted(at, [begin + 1, end + 1])  # the indexes in (begin, end]
        sums[low:high] = total + summed[at[low:high] - begin - 1]
        total += int(summed[-1])
    return sums


def sums_before(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The sum of values before each index of at (strictly increasing): sums of the runs between
    them, accumulated (a cumulative sum of every value up to the last costs ~15 times more)."""
    before = np.empty(len(at), dtype=np.int64)
    before[0] = values[:at[0]].sum(dtype=np.int64)
    if len(at) > 1:
        np.cumsum(np.add.reduceat(values[:at[-1]], at[:-1], dtype=np.int64), out=before[1:])
        before[1:] += before[0]
    return before


def ascending(values: np.ndarray) -> np.ndarray:
    """values in increasing order (occurrence keys nearly always are already)."""
    return values if len(values) < 2 or bool((values[1:] >= values[:-1]).all()) else np.sort(values)


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values of a that are also in b, both sorted without repeats: binary searches of the
    shorter in the longer, or, when their lengths are alike, one merge (a stable sort of two runs)."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) * MERGE_BELOW < len(b):
        return a[present(b, a)]
    both = np.concatenate((a, b))
    both.sort(kind="stable")
    return both[:-1][both[1:] == both[:-1]]


def summed_counts(keys: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct keys of several tables, sorted; the sum of each one's counts there, int32)."""
    unique, at = np.unique(np.concatenate(keys), return_inverse=True)
    sums = np.bincount(at, weights=np.concatenate(counts).astype(np.float64), minlength=len(unique))
    return unique, sums.astype(np.int32)


def present(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which values are in keys (sorted): np.isin by binary searches, without sorting both."""
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    return keys[np.minimum(keys.searchsorted(values), len(keys) - 1)] == values  # not clip(): ~3 times the cost


def located(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The indexes in keys (sorted) of the values it holds, in the values' order."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    at = np.minimum(keys.searchsorted(values), len(keys) - 1)
    return at[keys[at] == values]
