"""Merging segments at the postings level, and the tiered policy that chooses what to merge.

Whoosh's own merge reads postings back from its blocks, which hold no positions here. A merge
of ours concatenates each term's flat postings, renumbering the documents and dropping deleted
ones, and re-adds each live document's stored fields and columns (never re-running pyvi). The
same concatenation merges the sorted runs a ``SpillingWriter`` spills its pooled postings to, so a
build worker writes one large segment in the memory of a small one.

The policy follows Lucene's TieredMergePolicy: segments are sorted by size (live documents,
small ones counted as ``FLOOR_DOCS``); an index of total size T may keep about
``SEGMENTS_PER_TIER`` segments per tier of sizes growing by ``MERGE_AT_ONCE``; beyond that the
cheapest, least skewed run of up to ``MERGE_AT_ONCE`` similar segments is merged, at most
``MAX_MERGED_DOCS`` in all (larger segments then stay as they are). Segments whose deleted share
passes ``DELETES_ALLOWED`` are rewritten without them, together. That share is lower than Lucene's
(20%): opening an index and searching it read every document's columns and masks, deleted or not.
Unlike Lucene, the segments under ``SMALL_SHARE`` of the live documents and under ``SMALL_CAP``
documents (those updates add) are kept to two, so an updated index stays close to a fresh build's
segments (each segment costs every search term look-ups and gathers): after each update the newer
small segments are merged together, and into the largest small one once they hold
1/``SMALL_RATIO`` of it (each document is then rewritten a few times, not after every update). The
cap bounds that work whatever the index's size: a small segment that reaches it is no longer
rewritten (the tiers take it over).
"""

from __future__ import annotations

import ctypes
import math
import os

import numpy as np

from .. import schema as _schema
from .flat import (HASHES, IDS, KEYS, LENGTHS, POSITIONS, TERMS, TFS, FlatPostings, mapped_output, release,
                   write_flat_postings)
from .writer import OTHER_RUN, IndexWriter, SortedPostings, flat_files

SEGMENTS_PER_TIER = 8
MERGE_AT_ONCE = 8
FLOOR_DOCS = 2_000
DELETES_ALLOWED = 0.10  # 0.25 left 13% of the documents deleted after the updates benchmark (RESULTS)
SMALL_SHARE = 0.10  # segments under this share of the live documents are small: at most two stay
SMALL_CAP = 4_000  # ... and under this many documents (a merge after an update rewrites about these at most)
SMALL_RATIO = 8  # the newer small segments join the largest small one once they hold 1/8 of it
MAX_MERGED_DOCS = 40_000  # the policy's merges stay small (optimize's may be larger)
COPY_CHUNK = 1 << 18  # input postings copied at a time (bounds a merge's temporary arrays: ~40 MiB)


def merge_segments(writer, segments) -> object | None:
    """Write the live documents of segments (``reader.SegmentReader``s) as writer's one segment."""
    for segment in segments:
        _add_stored(writer, segment)
    writer.pool.merged = _merged_postings(segments, writer.flat_output)
    return writer.finish_segment()


class _Run:
    """A writer's text postings of some documents, spilled to flat files: read like a segment."""

    def __init__(self, path: str, doc_count: int, text_fields: int):
        self.path, self.flat, self.live = path, FlatPostings(path, doc_count, text_fields), np.ones(doc_count, bool)

    def remove(self) -> None:
        """Delete the run's flat files once its postings are copied: their disk space comes back as
        soon as nothing maps them (the run's other postings are read later)."""
        self.flat = None
        for ext in (IDS, TFS, POSITIONS, TERMS, KEYS, HASHES, LENGTHS):
            os.remove(self.path + ext)


class SpillingWriter(IndexWriter):
    """An IndexWriter that can spill its pooled text postings to sorted runs of flat files (so a
    large segment takes no more memory than a small one), merged into its segment at the end."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.runs: list[_Run] = []

    @property
    def postings(self) -> int:
        """How many text postings the segment holds so far (spilled and pooled)."""
        return sum(len(run.flat.ids) for run in self.runs) + self.pool.postings

    def spill(self) -> None:
        """Write the pooled postings out as a run beside the segment's files (the text fields' as
        flat files, the other fields' in a file of their own)."""
        suffix, first = f".run{len(self.runs)}", self.pool.base
        path = os.path.join(self.storage.folder, self.newsegment.make_filename(suffix))
        run = flat_files(self.pool.spill(self.docnum, path + OTHER_RUN), suffix)
        write_flat_postings(self.storage, self.newsegment, run)
        del run  # before the heap is trimmed
        self.runs.append(_Run(path, self.docnum - first, len(self.pool.text_fields)))
        _give_back_freed_memory()

    def flat_output(self, ext: str, dtype, count: int) -> np.ndarray:
        """A writable array over one of the segment's new flat files (see flat.mapped_output)."""
        return mapped_output(os.path.join(self.storage.folder, self.newsegment.make_filename(ext)), dtype, count)

    def spill_rest(self) -> None:
        """Spill the documents pooled since the last run, if there was one (all are then read alike)."""
        if self.runs and self.docnum > self.pool.base:
            self.spill()

    def _flush_segment(self):
        self.spill_rest()
        if self.runs:
            self.pool.merged = _merged_postings(self.runs, self.flat_output, copied=_Run.remove)
        super()._flush_segment()
        for run in self.runs:
            os.remove(run.path + OTHER_RUN)
        self.runs = []


def _give_back_freed_memory() -> None:
    """Return the heap's free memory to the system: glibc keeps it for reuse, but the next
    memory peak (another spill, the final merge) takes fresh large blocks instead."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _add_stored(writer, segment) -> None:
    """Re-add each live document's stored fields and columns, without text postings."""
    fingerprints = segment.whoosh.column_reader("fingerprint")
    for n in np.flatnonzero(segment.live).tolist():
        writer.add_document(**_schema.restored_document(segment.whoosh.stored_fields(n), fingerprints[n]))


def _merged_postings(segments, output, copied=lambda segment: None) -> SortedPostings:
    """The segments' flat postings of live documents as one segment's, renumbered, in term order;
    output(extension, dtype, count) gives the array each flat file is written through; copied(segment)
    is called once a segment's postings are.

    Each segment's postings are in term order already, so each goes straight to its place in
    the output arrays (mapped files): no sort, and in memory only the terms and one chunk.
    """
    union, ranks = _union_of_terms(segments)
    counts, position_counts = np.zeros(len(union), np.int64), np.zeros(len(union), np.int64)
    for segment, rank in zip(segments, ranks):
        kept, kept_positions = _kept_per_term(segment)
        np.add.at(counts, rank, kept)
        np.add.at(position_counts, rank, kept_positions)
    used = counts > 0  # a term whose documents were all deleted goes
    bounds = np.concatenate(([0], np.cumsum(counts[used])))
    position_bounds = np.concatenate(([0], np.cumsum(position_counts[used])))
    out = SortedPostings(None, [k for k, u in zip(union, used) if u], output(IDS, np.int32, bounds[-1]),
                         output(TFS, np.uint16, bounds[-1]), output(POSITIONS, np.uint32, position_bounds[-1]),
                         bounds, position_bounds, _merged_lengths(segments), written=(IDS, TFS, POSITIONS))
    place = np.cumsum(used) - 1  # union term -> output term
    filled, position_filled, docbase = np.zeros(len(union), np.int64), np.zeros(len(union), np.int64), 0
    for segment, rank in zip(segments, ranks):
        kept, kept_positions = _copy_postings(segment, bounds[place[rank]] + filled[rank],
                                              position_bounds[place[rank]] + position_filled[rank], docbase, out)
        filled[rank] += kept
        position_filled[rank] += kept_positions
        docbase += int(segment.live.sum())
        copied(segment)
    return out


def _union_of_terms(segments) -> tuple[list[bytes], list[np.ndarray]]:
    """(the keys of every segment's terms, sorted, each segment's term rows' places among them)."""
    keys = [s.flat.keys() for s in segments]
    union = sorted(set().union(*keys))
    index = {k: i for i, k in enumerate(union)}
    return union, [np.fromiter(map(index.__getitem__, ks), np.int64, len(ks)) for ks in keys]


def _chunks(segment):
    """A segment's term rows in runs of about COPY_CHUNK postings: (first row, end row, live mask)."""
    starts = segment.flat.starts
    cuts = np.searchsorted(starts, np.arange(0, starts[-1], COPY_CHUNK), side="right") - 1
    bounds = np.unique(np.concatenate((cuts, [len(starts) - 1]))).tolist()
    for r0, r1 in zip(bounds[:-1], bounds[1:]):
        yield r0, r1, segment.live[segment.flat.ids[starts[r0]:starts[r1]]]


def _rows(flat, r0: int, r1: int) -> np.ndarray:
    """The term row (from r0) of each posting of rows r0..r1."""
    return np.repeat(np.arange(r1 - r0), np.diff(flat.starts[r0:r1 + 1]))


def _kept_per_term(segment) -> tuple[np.ndarray, np.ndarray]:
    """(postings, positions) of live documents, per term row of a segment."""
    flat, kept, kept_positions = segment.flat, [], []
    if segment.live.all():  # a run, or a segment without deletions: no need to read its postings
        return np.diff(flat.starts), np.diff(flat.position_starts)
    for r0, r1, keep in _chunks(segment):
        rows, tfs = _rows(flat, r0, r1)[keep], flat.tfs[flat.starts[r0]:flat.starts[r1]][keep]
        kept.append(np.bincount(rows, minlength=r1 - r0))
        kept_positions.append(np.bincount(rows, weights=tfs, minlength=r1 - r0).astype(np.int64))
    return (np.concatenate(kept or [np.zeros(0, np.int64)]),
            np.concatenate(kept_positions or [np.zeros(0, np.int64)]))


def _copy_postings(segment, starts, position_starts, docbase: int, out: SortedPostings):
    """Copy a segment's live postings to out, each term's from starts (and position_starts)."""
    renumber = np.cumsum(segment.live) - 1 + docbase
    for r0, r1, keep in _chunks(segment):
        _copy_rows(segment.flat, r0, r1, keep, renumber, starts[r0:r1], position_starts[r0:r1], out)
        release(out.docs, out.tfs, out.positions, segment.flat.ids, segment.flat.tfs, segment.flat.positions)
    return _kept_per_term(segment)


def _copy_rows(flat, r0: int, r1: int, keep, renumber, starts, position_starts, out) -> None:
    """Copy the kept postings of term rows r0..r1 to out, each row's from starts (position_starts)."""
    p0, p1 = flat.starts[r0], flat.starts[r1]
    all_tfs = flat.tfs[p0:p1].astype(np.int64)
    rows, tfs = _rows(flat, r0, r1)[keep], all_tfs[keep]
    kept = np.bincount(rows, minlength=r1 - r0)
    kept_positions = np.bincount(rows, weights=tfs, minlength=r1 - r0).astype(np.int64)
    to = starts[rows] + np.arange(len(rows)) - (np.cumsum(kept) - kept)[rows]  # in its term's place
    out.docs[to] = renumber[flat.ids[p0:p1][keep]]
    out.tfs[to] = tfs
    first = (np.cumsum(all_tfs) - all_tfs)[keep] + flat.position_starts[r0]  # its first position
    before = np.cumsum(tfs) - tfs  # positions of the kept postings before it
    position_to = position_starts[rows] + before - (np.cumsum(kept_positions) - kept_positions)[rows]
    run = np.arange(int(tfs.sum())) - np.repeat(before, tfs)
    out.positions[np.repeat(position_to, tfs) + run] = flat.positions[np.repeat(first, tfs) + run]


def _merged_lengths(segments) -> np.ndarray:
    """The exact field lengths of the segments' live documents, in order."""
    return np.concatenate([s.flat.lengths[:, s.live] for s in segments], axis=1) if segments else None


def plan_merges(sizes: list[int], deleted: list[int]) -> list[list[int]]:
    """Groups of segment numbers to merge, given each segment's live and deleted documents."""
    worn = [i for i in range(len(sizes)) if deleted[i] > DELETES_ALLOWED * (sizes[i] + deleted[i])]
    groups = _packed(worn, sizes)
    rest = sorted((i for i in range(len(sizes)) if i not in worn), key=lambda i: -sizes[i])
    if not rest:
        return groups
    allowed = _allowed_segments(sum(sizes[i] for i in rest), min(sizes[i] for i in rest))
    small = _small_ones(rest, sizes)
    if len(small) > 1:  # tiers counted with them: two large segments alone may count as one tier
        groups.append(small)
        rest = [i for i in rest if i not in small]
    while len(rest) + len(groups) > allowed:
        windows = [w for w in (rest[s:s + MERGE_AT_ONCE] for s in range(len(rest) - 1))
                   if sum(sizes[i] for i in w) <= MAX_MERGED_DOCS]
        if not windows:
            break
        window = min(windows, key=lambda w: _merge_score([sizes[i] for i in w]))
        groups.append(window)
        rest = [i for i in rest if i not in window]
    return groups


def _small_ones(rest: list[int], sizes: list[int]) -> list[int]:
    """The small segments to merge after an update, smallest first: the newer ones together, or all
    once the newer ones hold 1/SMALL_RATIO of the largest small one (so at most two small ones stay)."""
    small = _small_segments(rest, sizes)
    if len(small) < 2:
        return []
    newer, largest = small[:-1], small[-1]
    if sum(sizes[i] for i in newer) * SMALL_RATIO >= sizes[largest]:
        return small
    return newer if len(newer) > 1 else []


def _small_segments(rest: list[int], sizes: list[int]) -> list[int]:
    """The segments of rest under SMALL_SHARE of the live documents and SMALL_CAP, smallest first, up
    to MAX_MERGED_DOCS in all."""
    small, total, limit = [], 0, min(SMALL_SHARE * sum(sizes), SMALL_CAP)
    for i in sorted(rest, key=lambda i: sizes[i]):
        if sizes[i] >= limit or total + sizes[i] > MAX_MERGED_DOCS:
            break
        small.append(i)
        total += sizes[i]
    return small


def _packed(worn: list[int], sizes: list[int]) -> list[list[int]]:
    """The segments holding too many deleted documents, smallest first, in merges of up to
    MAX_MERGED_DOCS (a bigger one alone): rewritten without them, together rather than each alone."""
    groups: list[list[int]] = []
    for i in sorted(worn, key=lambda i: sizes[i]):
        if groups and sum(sizes[j] for j in groups[-1]) + sizes[i] <= MAX_MERGED_DOCS:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _allowed_segments(total: int, smallest: int) -> int:
    """How many segments an index of total documents may keep (Lucene's tiers)."""
    level, allowed = max(smallest, FLOOR_DOCS), 0
    while total / level >= SEGMENTS_PER_TIER:
        allowed += SEGMENTS_PER_TIER
        total -= SEGMENTS_PER_TIER * level
        level *= MERGE_AT_ONCE
    return allowed + max(1, math.ceil(total / level))


def _merge_score(sizes: list[int]) -> float:
    """Lower is better: merges of equal (floored) sizes and small totals come first."""
    floored = [max(s, FLOOR_DOCS) for s in sizes]
    return max(floored) / sum(floored) * sum(sizes) ** 0.05 if len(sizes) > 1 else math.inf


def plan_optimize(sizes: list[int], deleted: list[int], bins: int) -> list[list[int]]:
    """Groups that leave at most `bins` segments, of similar sizes, without deleted documents."""
    groups: list[list[int]] = [[] for _ in range(bins)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        min(groups, key=lambda g: sum(sizes[j] for j in g)).append(i)
    return [g for g in groups if len(g) > 1 or (g and deleted[g[0]])]
