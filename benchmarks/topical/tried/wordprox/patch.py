"""Prototype: proximity over the query's whole words, unordered (WP_WINDOW syllables, weight WP_W; WP_W=0: off)."""
import os
import numpy as np
from indexer import search as S
from indexer.scorer import K1, Spelled
WINDOW = int(os.environ.get("WP_WINDOW", "15"))
W = float(os.environ.get("WP_W", "0"))
ADJACENT = os.environ.get("WP_ADJACENT") == "1"  # after the sweep: the query's consecutive whole words only
BODY_ONLY = os.environ.get("WP_BODY_ONLY") == "1"  # after the sweep: no title term
MAX_UNITS = 11  # pasted queries (12+ words) keep today's proximity
orig_pool_scores = S._pool_scores


def units_of(sequence, compounds):
    """The proximity sequence's whole words: a compound's syllables as one Spelled unit spanning them."""
    parts = {tuple(c.split("_")): c for c in compounds}
    units, i = [], 0
    while i < len(sequence):
        for n in (4, 3, 2):
            if tuple(sequence[i:i + n]) in parts and all(isinstance(s, str) for s in sequence[i:i + n]):
                units.append(Spelled(((parts[tuple(sequence[i:i + n])], n),)))
                i += n
                break
        else:
            units.append(sequence[i])
            i += 1
    return list(dict.fromkeys(units))


def kernel_sums(a, b, docs):
    """Per doc: the sum over a's occurrences of the kernel of the gap to b's nearest occurrence."""
    (a_starts, a_ends), (b_starts, b_ends) = a, b
    if not len(a_starts) or not len(b_starts):
        return None
    j = np.searchsorted(b_starts, a_starts)
    gap = np.full(len(a_starts), 1 << 40, dtype=np.int64)
    after = j < len(b_starts)
    ja = np.minimum(j, len(b_starts) - 1)
    same = after & ((b_starts[ja] >> 32) == (a_starts >> 32))
    gap = np.where(same, b_starts[ja] - a_ends, gap)
    jb = np.maximum(j - 1, 0)
    same = (j > 0) & ((b_ends[jb] >> 32) == (a_starts >> 32))
    gap = np.minimum(gap, np.where(same, a_starts - b_ends[jb], 1 << 40))
    gap = np.maximum(gap, 1)
    k = np.where(gap <= WINDOW, (WINDOW + 1 - gap) / WINDOW, 0.0)
    return np.bincount(np.searchsorted(docs, a_starts >> 32), weights=k, minlength=len(docs))


def word_proximity(scorer, scores, field, units, docs, boost):
    keys = scorer._position_keys(field, units, docs)
    pairs = zip(units, units[1:]) if ADJACENT else ((a, b) for i, a in enumerate(units) for b in units[i + 1:])
    for a, b in pairs:
        near = kernel_sums(keys[a], keys[b], docs)
        if near is None or not near.any():
            continue
        idf = scorer.idf(max(scorer.word_frequency(field, a), scorer.word_frequency(field, b)))
        scores[docs] += (boost * idf * near * (K1 + 1) / (near + K1)).astype(np.float32)


def _pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words):
    scores = orig_pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words)
    if W == 0 or not plan.near:
        return scores
    near = S._proximity_pool(scorer, plan, sort, relaxed, pool, words)
    if near:
        docs = np.sort(near[0])
        for field, sequence, boost in plan.near:
            units = units_of(sequence, plan.compounds)
            if 2 <= len(units) <= MAX_UNITS and not (BODY_ONLY and field.startswith("title")):
                word_proximity(scorer, scores, field, units, docs, W * boost / S.NEAR)
    return scores


S._pool_scores = _pool_scores
