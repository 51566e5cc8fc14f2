"""Merging segments at the postings level, and the tiered policy that chooses what to merge.

Whoosh's own merge reads postings back from its blocks, which hold no positions here. A merge
of ours concatenates each term's flat postings, renumbering the documents and dropping deleted
ones, and re-adds each live document's stored fields and columns (never re-running pyvi).

The policy follows Lucene's TieredMergePolicy: segments are sorted by size (live documents,
small ones counted as ``FLOOR_DOCS``); an index of total size T may keep about
``SEGMENTS_PER_TIER`` segments per tier of sizes growing by ``MERGE_AT_ONCE``; beyond that the
cheapest, least skewed run of up to ``MERGE_AT_ONCE`` similar segments is merged, at most
``MAX_MERGED_DOCS`` in all (larger segments then stay as they are). A segment whose deleted share
passes ``DELETES_ALLOWED`` is rewritten without them.
"""

from __future__ import annotations

import math

import numpy as np

from .. import schema as _schema

SEGMENTS_PER_TIER = 8
MERGE_AT_ONCE = 8
FLOOR_DOCS = 2_000
DELETES_ALLOWED = 0.25
MAX_MERGED_DOCS = 40_000  # a merge holds all its postings in memory, like a build's worker


def merge_segments(writer, segments) -> object | None:
    """Write the live documents of segments (``reader.SegmentReader``s) as writer's one segment."""
    docbase = 0
    for segment in segments:
        renumber = np.where(segment.live, np.cumsum(segment.live) - 1 + docbase, -1)
        _add_stored(writer, segment)
        _add_postings(writer.pool, segment, renumber)
        docbase += int(segment.live.sum())
    return writer.finish_segment()


def _add_stored(writer, segment) -> None:
    """Re-add each live document's stored fields and columns, without text postings."""
    fingerprints = segment.whoosh.column_reader("fingerprint")
    for n in np.flatnonzero(segment.live).tolist():
        writer.add_document(**_schema.restored_document(segment.whoosh.stored_fields(n), fingerprints[n]))


def _add_postings(pool, segment, renumber: np.ndarray) -> None:
    """Add a segment's flat postings of live documents to pool, renumbered."""
    flat, fields = segment.flat, pool.text_fields
    keys = [(fields[k[0]], k[1:]) for k in flat.keys()]
    rows = np.repeat(np.arange(len(keys), dtype=np.int32), np.diff(flat.starts))
    docs = renumber[flat.ids]
    keep = docs >= 0
    positions = flat.positions[np.repeat(keep, flat.tfs)]
    pool.add_flat(keys, rows[keep], docs[keep], flat.tfs[keep], positions)


def plan_merges(sizes: list[int], deleted: list[int]) -> list[list[int]]:
    """Groups of segment numbers to merge, given each segment's live and deleted documents."""
    groups = [[i] for i in range(len(sizes)) if deleted[i] > DELETES_ALLOWED * (sizes[i] + deleted[i])]
    rest = sorted((i for i in range(len(sizes)) if [i] not in groups), key=lambda i: -sizes[i])
    if not rest:
        return groups
    allowed = _allowed_segments(sum(sizes[i] for i in rest), min(sizes[i] for i in rest))
    while len(rest) + len(groups) > allowed:
        windows = [w for w in (rest[s:s + MERGE_AT_ONCE] for s in range(len(rest) - 1))
                   if sum(sizes[i] for i in w) <= MAX_MERGED_DOCS]
        if not windows:
            break
        window = min(windows, key=lambda w: _merge_score([sizes[i] for i in w]))
        groups.append(window)
        rest = [i for i in rest if i not in window]
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
