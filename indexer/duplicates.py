"""Syndicated copies: a SimHash of each article's text, and groups of near-identical articles.

The SimHash (Charikar; Manku et al. 2007 at Google) is a 64-bit summary of the set of shingles
of ``SHINGLE`` consecutive syllables of the article's lead and body: two texts sharing most of
their shingles get hashes a few bits apart. It is computed at indexing time, in the worker that
analyses the article, and stored in the ``fingerprint`` column with the content hash (so updates
and merges carry it as they carry the column). Groups are not stored: they are found when a
generation is opened for searching, from the stored hashes of its live articles, so an update
that changes or removes a copy regroups exactly as a fresh build would.

Template pages (an exam's answer key for each exam code, a notice for each month or round) share
their text, so their SimHashes are near too; they differ in the number their titles name. Two
articles whose titles each name a number the other article holds nowhere are not copies
(``apart``): of the first 267 pairs judged by reading (benchmarks/duplicates/judged.tsv), this
dropped 116 of the 118 wrong ones and none of the right ones.
"""

from __future__ import annotations

import re
import zlib
from itertools import combinations

import numpy as np

SHINGLE = 3  # syllables per shingle
MIN_SHINGLES = 20  # shorter texts get no SimHash (too few shingles to tell copies from chance)
MAX_DISTANCE = 5  # differing bits between copies (chosen by reading pairs: see benchmarks/explore.py)
BLOCKS = ((0, 10), (10, 9), (19, 9), (28, 9), (37, 9), (46, 9), (55, 9))  # (first bit, width):
# copies differ in at most MAX_DISTANCE of these 7 blocks, so they share two exactly
NO_HASH = 0  # stored for an article without a SimHash; never grouped
_SYLLABLE = re.compile(r"\w+")
_NUMBER = re.compile(r"[0-9]+")
CRC_CACHE = 200_000  # syllable hashes remembered before the cache starts over
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _mixed(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every input bit moves about half the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX[1]
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX[2]
    return x ^ (x >> np.uint64(31))


class _Crc32(dict):
    """syllable -> zlib.crc32 of its UTF-8, computed on first use (syllables repeat)."""

    def __missing__(self, syllable: str) -> int:
        if len(self) > CRC_CACHE:
            self.clear()
        value = self[syllable] = zlib.crc32(syllable.encode("utf-8"))
        return value


_crc32 = _Crc32()


def simhash(text: str) -> int:
    """The 64-bit SimHash of text's syllable shingles (NO_HASH when it has under MIN_SHINGLES)."""
    syllables = _SYLLABLE.findall(text.lower())
    if len(syllables) < MIN_SHINGLES + SHINGLE - 1:
        return NO_HASH
    h = np.fromiter(map(_crc32.__getitem__, syllables), np.uint64, len(syllables))
    shingles = h[:1 - SHINGLE].copy()
    for k in range(1, SHINGLE):
        shingles = _mixed(shingles * _MIX[0] + h[k:len(h) - SHINGLE + 1 + k])
    shingles = np.unique(shingles)
    bits = np.unpackbits(shingles.view(np.uint8)).reshape(-1, 64)
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)
    value = int(np.packbits(majority).view(">u8")[0])
    return value or 1  # 0 is NO_HASH


def distance(a: np.ndarray, b) -> np.ndarray:
    """Differing bits between SimHashes (uint64 arrays or scalars)."""
    return np.bitwise_count(np.bitwise_xor(a, b))


def groups(hashes: np.ndarray, live: np.ndarray, apart=None) -> np.ndarray:
    """Each document's group: the smallest document number of its copies (itself when none).

    Copies are live documents whose SimHashes differ by at most MAX_DISTANCE bits, joined
    transitively, except pairs of documents for which apart(a, b) is true. Candidate pairs
    share two of the BLOCKS exactly.
    """
    docs = np.flatnonzero(live & (hashes != NO_HASH))
    unique, first, which = np.unique(hashes[docs], return_index=True, return_inverse=True)
    pairs = [(docs, docs[first[which]])]  # equal hashes: joined to the first document holding it
    pairs += [(docs[first[i]], docs[first[j]]) for i, j in _close_pairs(unique)]
    a, b = np.concatenate([a for a, _ in pairs]), np.concatenate([b for _, b in pairs])
    a, b = a[a != b], b[a != b]
    if apart is not None:
        joined = np.array([not apart(x, y) for x, y in zip(a.tolist(), b.tolist())], dtype=bool)
        a, b = a[joined], b[joined]
    return _components(len(hashes), a, b)


def numbers(title: str, text: str) -> tuple[set[int], set[int]]:
    """(the numbers in an article's title, those in its title and text), for ``apart``."""
    named = {int(n) for n in _NUMBER.findall(title)}
    return named, named | {int(n) for n in _NUMBER.findall(text)}


def apart(first: tuple[set[int], set[int]], second: tuple[set[int], set[int]]) -> bool:
    """Whether two articles' numbers (``numbers``) tell template pages apart: each title names
    a number the other article does not hold."""
    return bool(first[0] - second[1]) and bool(second[0] - first[1])


def _block(hashes: np.ndarray, first: int, width: int) -> np.ndarray:
    return (hashes >> np.uint64(first)) & np.uint64((1 << width) - 1)


def _close_pairs(hashes: np.ndarray):
    """Yield (i, j) arrays of index pairs of hashes at most MAX_DISTANCE bits apart."""
    for (f1, w1), (f2, w2) in combinations(BLOCKS, 2):
        keys = (_block(hashes, f1, w1) << np.uint64(w2)) | _block(hashes, f2, w2)
        order = np.argsort(keys)
        sorted_keys = keys[order]
        for gap in range(1, len(order)):  # compare each with the next, then the one after...
            same = sorted_keys[gap:] == sorted_keys[:-gap]
            if not same.any():
                break
            i, j = order[:-gap][same], order[gap:][same]
            close = distance(hashes[i], hashes[j]) <= MAX_DISTANCE
            yield i[close], j[close]


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each of n elements' smallest connected element, given the edges a[k]-b[k]."""
    label = np.arange(n)
    while True:
        la, lb = label[a], label[b]
        if (la == lb).all():
            return label
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)  # hook each edge's larger root under the smaller
        np.minimum.at(label, lb, low)
        while (label[label] != label).any():  # point every element at its root
            label = label[label]
