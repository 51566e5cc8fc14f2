"""Vectorised BM25F over the live documents of an index.

Whoosh's matchers score one posting at a time in Python, which is too slow for a long query on a
large archive. Here each term's postings come as arrays from the storage layer
(``indexer.storage``) and are scored for all documents at once, with the same BM25F formula as
``whoosh.scoring.BM25F`` (per-field BM25, K1=1.2, B=0.75, summed with the query's weights).
Document counts, document frequencies and average field lengths count live documents only, so
an index after any updates scores exactly as a fresh build of the same articles.
"""

from __future__ import annotations

import copy
import math
import operator
from dataclasses import dataclass
from functools import reduce
from typing import NamedTuple

import numpy as np

from .analysis import SENTENCE_GAP
from .storage.flat import EMPTY, ascending, intersect_sorted, located, present

K1 = 1.2
B = 0.75
DF_CACHE = 100_000  # document frequencies remembered per open index
HOLDING_SAMPLE = 20_000  # documents (of lowest id hashes) among which ("all", ...) counts those holding words
SAMPLED_CACHE = 2048  # words' documents among them remembered per open index
FOUND_CACHE = 64  # phrases' matches, words' common documents and proximity positions remembered per open index (a cluster's rounds repeat them)
SEARCH_COST = 8  # a binary search of a posting list costs about this many steps of a pass over it
DENSE = 20  # scoring only some documents' postings pays while they are under 1/DENSE of all
SPREAD = 6  # a term in over 1/SPREAD of the documents is scored over all of them (0 where absent)
WINDOW = 3  # query words this close, in order, count as near (1/distance² each)
assert SENTENCE_GAP >= WINDOW, "words of two sentences would count as near"
BREAK = "\n"  # in a proximity sequence, where the query's sentence ends (no term holds a line break)
LEAD = 60  # a query word among a body's first LEAD syllables (its lead: news states its subject first)
LEAD_WEIGHT = 0.3  # adds this times the word's idf (LEAD 40-100, weight 0.3-0.8 compared on the tune halves)
LEAD_FIELDS = ("body", "body_fold")
POSITION = (1 << 32) - 1  # a position key's low half
DECIDING = ("matching", "tier", "pool")  # counts a search only compares (with limits, each other), never scores with
COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
               ">=": operator.ge}


class Lookup(NamedTuple):
    """A term's BM25 in a field times boost, added to the scores of the matched documents; within: only
    to those of a mask, or of an OR's clause (its place in the plan's groups until their masks are made)."""
    field: str
    text: str
    boost: float
    within: np.ndarray | tuple[int, int] | None = None

    @classmethod
    def of(cls, term) -> Lookup:
        """The lookup of a query term (a whoosh Term: its field, text and boost)."""
        return cls(term.fieldname, term.text, term.boost)


class Weights(NamedTuple):
    """A weight (one, or one per id) added to the scores of the documents ids: a phrase's, a synonym's."""
    ids: np.ndarray
    weight: float | np.ndarray


@dataclass(frozen=True)
class Spelled:
    """A date in a proximity sequence as a whole, in each of its spellings with the positions it
    spans in a text (22/10 and 22-10 two, their pieces 22 and 10 indexed at them; 22.10 one), so
    that its neighbours are measured from its ends: ``ngày 22/10`` is no ``ngày 22`` of 22/4."""
    spellings: tuple[tuple[str, int], ...]


def _spellings(word) -> tuple[tuple[str, int], ...]:
    """(term, positions spanned) of each spelling of a word of a proximity sequence."""
    return word.spellings if isinstance(word, Spelled) else ((word, 1),)


class Scorer:
    """Per-reader arrays (length norms, live documents) and term scoring over them.

    Every corpus-wide count a search ranks with (live documents, total field lengths, document
    frequencies) comes from ``count``, and every one it decides with (how many articles match a
    set of terms, a tier, a pool) from ``counted``, compared only by ``decide``: the index's own,
    or, in a view made by ``given``, counts summed over a cluster's shards (``indexer.cluster``),
    so that each shard ranks as one index of all the articles would.
    """

    def __init__(self, reader, fields):
        self.reader = reader
        self.size = reader.size
        self.live = reader.live
        self._doc_count = int(self.live.sum())
        self._lengths = {f: reader.lengths(f) for f in fields}
        self._totals = {f: int(lengths[self.live].sum(dtype=np.int64)) for f, lengths in self._lengths.items()}
        self._norms: dict[tuple[str, float], np.ndarray] = {}
        self._df: dict[tuple[str, str], int] = {}
        self._found: dict[tuple, object] = {}  # phrase matches and position keys, read again by a search's next round
        self._sample: tuple | None = None  # (bound, mask) of the documents ("all", ...) counts among, chosen on first use
        self._sampled: dict[tuple, np.ndarray] = {}  # (field, word, bound) -> its documents among them
        self.counts: dict | None = None  # corpus-wide counts handed to this view (None: the index's own)
        self.missing: dict = {}  # keys the given counts lacked, with this index's own value
        self.decided: list = []  # (key, op, limit, outcome) of each decision made with an estimate (see decide)
        self.shards = 1  # how many shards' counts the given ones sum

    def given(self, counts: dict, shards: int = 1) -> "Scorer":
        """A view of this scorer that ranks with the given corpus-wide counts, summed over shards
        shards (see count)."""
        view = copy.copy(self)
        view.counts, view.missing, view.decided, view.shards = counts, {}, [], shards
        return view

    def count(self, key: tuple, local=None) -> int:
        """A corpus-wide count to rank with (see counted); a shard's estimate of a DECIDING count,
        which only decisions should read, is recorded as used (the front then ranks with the sums)."""
        found = self.counted(key, local)
        if found.estimated and key[0] in DECIDING:
            self.decided.append((key, "used", None, None))
        return found.value

    def counted(self, key: tuple, local=None) -> "Count":
        """A corpus-wide count to decide with (decide): the given one, else this index's own
        (local(), or count_locally) recorded in missing, and, as an estimate of the sum, times the
        number of shards."""
        if self.counts is not None and (value := self.counts.get(key)) is not None:
            return Count(key, value)
        value = int(local()) if local is not None else self.count_locally(key)
        if self.counts is None:
            return Count(key, value)
        # A search lacking counts is not ranked (the front sends their sums): decide as the sums
        # likely will, shards holding alike shares of the articles (a hash of the id). A shard's own
        # count against a sum it remembers would put a word in 3% of each of 2 shards' articles
        # under the common-terms cut (2%). Counts made after a decision are keyed by it
        # (WordMasks.tier_state), so a guess the sums overturn costs a round, never the ranking.
        self.missing[key] = value
        return Count(key, value * self.shards, estimated=True)

    def decide(self, count: "Count", op: str, limit) -> bool:
        """Whether count op (one of COMPARISONS) limit, a number or another Count; recorded in
        decided when either is an estimate, for the front to check with the sums (cluster.decided_alike)."""
        outcome = COMPARISONS[op](count.value, limit.value if isinstance(limit, Count) else limit)
        if count.estimated or (isinstance(limit, Count) and limit.estimated):
            self.decided.append((_recorded(count), op, _recorded(limit), outcome))
        return outcome

    def count_locally(self, key: tuple) -> int:
        """This index's own count for a key: ("docs",), ("length", field), ("df", field, term),
        ("phrase", field, words), ("all", field, words[, bound]) (sampled documents holding every
        word: _holding_count) or ("matching",
        ((field, term or words), ...)); 0 for the counts only a search makes ("tier", ...), ("pool", ...)."""
        kind = key[0]
        if kind == "docs":
            return self._doc_count
        if kind == "length":
            return self._totals[key[1]]
        if kind == "df":
            return self._local_df(key[1], key[2])
        if kind in ("tier", "pool"):  # only a search counts them (relaxation tiers, proximity pools): every shard reports its own
            return 0
        if kind == "phrase":
            return len(self.phrase(key[1], list(key[2])))
        if kind == "all":
            return self._holding_count(*key[1:])
        mask = np.zeros(self.size, dtype=bool)
        for field, text in key[1]:
            mask[self.phrase(field, list(text)) if isinstance(text, tuple) else self.matches(field, text)] = True
        return int(np.count_nonzero(mask & self.live))

    def _holding_count(self, field: str, words: tuple[str, ...], bound: int | None = None) -> int:
        """How many sampled live documents hold every one of the words in field (all of them for
        none): this index's HOLDING_SAMPLE of lowest id hashes, or with bound (a cluster's, chosen
        among all shards' articles) those hashed at most bound; a word most articles hold costs the
        sample at most."""
        sample = self._holding_sample(bound)
        if not words:
            return int(np.count_nonzero(sample))
        found = (self._sampled_matches(field, word, bound, sample) for word in words)
        return len(reduce(intersect_sorted, sorted(found, key=len)))

    def _holding_sample(self, bound: int | None) -> np.ndarray:
        """The mask of the documents _holding_count counts among (chosen once per bound)."""
        if self._sample is None or self._sample[0] != bound:  # racing threads choose the same documents
            chosen = (self.reader.sample(HOLDING_SAMPLE) if bound is None
                      else self.reader.id_hashes() <= np.uint64(bound))
            self._sample = (bound, chosen & self.live)
        return self._sample[1]

    def _sampled_matches(self, field: str, word: str, bound: int | None, sample: np.ndarray) -> np.ndarray:
        """Ids of the documents among the sample holding a word (remembered: a query's readings share words)."""
        found = self._sampled.get((field, word, bound))
        if found is None:
            if len(self._sampled) >= SAMPLED_CACHE:
                self._sampled.clear()
            ids = self.matches(field, word)
            found = self._sampled[(field, word, bound)] = ids[sample[ids]]
        return found

    def _norm(self, field: str, k1: float = K1) -> np.ndarray:
        """k1 * (1 - B + B * length / average length of the live documents), per document."""
        average = max(self.count(("length", field)) / max(self.doc_count(), 1), 1e-9)
        norm = self._norms.get((field, average, k1))
        if norm is None:
            if len(self._norms) > 4 * len(self._lengths):
                self._norms.clear()
            norm = self._norms[(field, average, k1)] = (
                k1 * ((1 - B) + B * self._lengths[field] / average)).astype(np.float32)
        return norm

    def column(self, name: str) -> np.ndarray:
        """A numeric column (e.g. recency) as one array over all documents."""
        return self.reader.column(name)

    def look_up(self, terms: list[tuple[str, str]]) -> None:
        """Find many (field, term) in the index at once before they are used one by one."""
        self.reader.look_up(terms)

    def doc_frequency(self, field: str, term: str) -> int:
        """How many live documents hold the term."""
        return self.count(("df", field, term))

    def _local_df(self, field: str, term: str) -> int:
        """This index's document frequency (remembered: query words recur across queries)."""
        key = (field, term)
        df = self._df.get(key)  # read once: another thread may clear the cache meanwhile
        if df is None:
            if len(self._df) >= DF_CACHE:
                self._df.clear()
            df = self._df[key] = self.reader.doc_frequency(field, term)
        return df

    def doc_count(self) -> int:
        """How many live documents there are."""
        return self.count(("docs",))

    def idf(self, df: int) -> float:
        return math.log(1 + (self.doc_count() - df + 0.5) / (df + 0.5))

    def phrase(self, field: str | tuple[str, ...], words: list[str]) -> np.ndarray:
        """Ids of the live documents where the words occur one right after another in field (a
        tuple: each word in its own field, see IndexReader.phrase)."""
        return self._remembered(("phrase", field, tuple(words)), lambda: self._live_phrase(field, words))

    def holding_all(self, field: str, words: tuple[str, ...]) -> np.ndarray:
        """Ids of the documents holding every one of the words in field, anywhere (a phrase costs far more)."""
        return self._remembered(("all", field, words),
                                lambda: reduce(intersect_sorted, (self.matches(field, w) for w in words)))

    def _live_phrase(self, field: str, words: list[str]) -> np.ndarray:
        ids = self.reader.phrase(field, words)
        return _read_only(ids[self.live[ids]])

    def _remembered(self, key: tuple, make):
        """make()'s answer, remembered for the last FOUND_CACHE keys (cleared when full)."""
        found = self._found.get(key)  # read once: another thread may clear the cache meanwhile
        if found is None:
            if len(self._found) >= FOUND_CACHE:
                self._found.clear()
            found = self._found[key] = make()
        return found

    def add(self, scores: np.ndarray, field: str, term: str, boost: float, within=None, k1: float = K1) -> None:
        """Add boost * BM25(field, term) to every document's score (within: only to these
        documents, as a mask and the same as sorted ids; k1: the term frequency's saturation)."""
        postings = self.reader.postings(field, term)
        if postings is not None:
            ids, tf = postings if within is None else _restricted(postings, *within)
            idf = self.idf(self.doc_frequency(field, term))
            norm = self._norm(field, k1)
            if len(ids) * SPREAD > self.size:  # whole-array steps cost less than so many random accesses
                ids, tf = slice(None), _spread(ids, tf, self.size)
                denominator = norm + tf  # the same float32 steps; a document without the term adds 0
            else:
                denominator = norm[ids]
                denominator += tf
            scores[ids] += _saturation(tf, denominator, idf * boost, k1)

    def matches(self, field: str, term: str) -> np.ndarray:
        """Ids of the documents holding a term."""
        postings = self.reader.postings(field, term)
        return EMPTY if postings is None else postings[0]

    def proximity(self, scores: np.ndarray, field: str, words: list, docs: np.ndarray, boost: float,
                  run_boost: float) -> None:
        """Add to the scores of docs (sorted) a BM25TP-style term for each pair of consecutive
        query words (a word, or a date as a whole: Spelled) found near each other, in order, in
        field (Rasolofo & Savoy 2003): the pair's 1/distance² summed over its occurrences, saturated
        like a term frequency and weighed by the rarer word's idf; and, where all the words stand
        together as typed, run_boost times their run_idf (Lucene edismax's phrase boost)."""
        if len(words) < 2:
            return
        keys = self._position_keys(field, words, docs)
        for a, b in zip(words, words[1:]):
            if BREAK in (a, b) or a == b or not len(keys[a][1]) or not len(keys[b][0]):
                continue
            near, ends = np.zeros(len(docs)), keys[a][1]
            for distance in range(1, WINDOW + 1):
                hits = present(keys[b][0], ends + distance)
                near += np.bincount(np.searchsorted(docs, ends[hits] >> 32), minlength=len(docs)) / distance ** 2
            idf = self.idf(max(self.word_frequency(field, a), self.word_frequency(field, b)))
            scores[docs] += (boost * idf * near * (K1 + 1) / (near + K1)).astype(np.float32)
        together = self._together(words, keys)
        if len(together):
            scores[together] += run_boost * self.run_idf(field, words)

    def lead(self, scores: np.ndarray, field: str, words: list, docs: np.ndarray, share: float = 1.0) -> None:
        """Add share times LEAD_WEIGHT times its idf to the scores of the docs (sorted) holding a query
        word among the first LEAD positions of field, once per word."""
        keys = self._position_keys(field, words, docs)
        for word in _words(words):
            starts = keys[word][0]
            early = np.unique(starts[(starts & POSITION) < LEAD] >> 32)
            if len(early):
                scores[early] += np.float32(share * LEAD_WEIGHT * self.idf(self.word_frequency(field, word)))

    def lead_counts(self, field: str, words: list) -> None:
        """Read the counts lead() reads."""
        for word in _words(words):
            self.idf(self.word_frequency(field, word))

    def proximity_counts(self, field: str, words: list) -> None:
        """Read the counts proximity() reads (a document frequency even where this index lacks the word)."""
        if len(words) < 2:
            return
        for a, b in zip(words, words[1:]):
            if a != b and BREAK not in (a, b):
                self.idf(max(self.word_frequency(field, a), self.word_frequency(field, b)))
        self.run_idf(field, words)

    def word_frequency(self, field: str, word) -> int:
        """How many live documents hold a word of a proximity sequence (a date: the sum over its spellings)."""
        return min(sum(self.doc_frequency(field, term) for term, _ in _spellings(word)), self.doc_count())

    def scoring_counts(self, field: str, term: str) -> None:
        """Read the counts add() reads for a term (its document frequency even where this index lacks it)."""
        self.idf(self.doc_frequency(field, term))
        self.count(("length", field))

    def _position_keys(self, field: str, words: list, docs: np.ndarray) -> dict:
        """Each word's (starts, ends) of its occurrences in docs (sorted) as (document << 32 |
        position) keys, ascending by start; a word starts and ends at one position, a date's
        spellings span theirs."""
        return self._remembered(("positions", field, tuple(words), docs.tobytes()),
                                lambda: self._read_position_keys(field, words, docs))

    def _read_position_keys(self, field: str, words: list, docs: np.ndarray) -> dict:
        return {w: self._spans_of(field, w, docs) for w in _words(words)}

    def _spans_of(self, field: str, word, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(starts, ends) keys of a word's occurrences, over all its spellings, ascending by start."""
        if not isinstance(word, Spelled):
            d, p = self.reader.positions(field, word, docs)
            keys = _read_only(ascending((d << 32) | p))
            return keys, keys
        found = [(self.reader.positions(field, term, docs), span) for term, span in word.spellings]
        starts = np.concatenate([(d << 32) | p for (d, p), _ in found])
        ends = starts + np.concatenate([np.full(len(d), span - 1, dtype=np.int64) for (d, _), span in found])
        order = np.argsort(starts, kind="stable")
        return _read_only(starts[order]), _read_only(ends[order])

    def _together(self, words: list, keys: dict) -> np.ndarray:
        """The documents where the words stand together as typed (_run_starts)."""
        return np.unique(_run_starts(words, keys) >> 32)

    def phrase_frequencies(self, field: str, words: list[str], docs: np.ndarray) -> np.ndarray:
        """Per document of docs (sorted), how many times the words stand one right after another in field."""
        starts = _run_starts(words, self._position_keys(field, words, docs))
        return np.bincount(np.searchsorted(docs, starts >> 32), minlength=len(docs))

    def saturated(self, field: str, tf: np.ndarray, docs: np.ndarray, weight: float) -> np.ndarray:
        """weight times BM25's saturation of the term frequencies tf of the docs in field (its idf in weight)."""
        tf = tf.astype(np.float32)
        return _saturation(tf, self._norm(field)[docs] + tf, weight, K1)

    def run_idf(self, field: str, words: list) -> float:
        """The idf of the words standing together as typed, estimated from their document frequencies
        as if they were independent (in one article at least): counts of the whole index, which a
        cluster's shards hold before a search, where the articles of the search's pool holding the
        run are a count only the search makes."""
        n = self.doc_count()
        return self.idf(max(1.0, n * math.prod(self.word_frequency(field, w) / max(n, 1) for w in _words(words))))


def _saturation(tf: np.ndarray, denominator: np.ndarray, weight: float, k1: float) -> np.ndarray:
    """weight times BM25's saturation of the term frequencies tf (denominator: the length norm plus tf)."""
    saturated = tf * weight  # in place from here: the same float32 steps, fewer copies
    saturated *= k1 + 1
    saturated /= denominator
    return saturated


def _run_starts(words: list, keys: dict) -> np.ndarray:
    """The (document << 32 | position) keys where the words (keys: their Scorer._position_keys) stand
    together as typed, each right after the end of the one before (SENTENCE_GAP positions later after a BREAK)."""
    starts, ends = keys[words[0]]
    step = 1
    for word in words[1:]:
        if word == BREAK:
            step += SENTENCE_GAP
            continue
        following, their_ends = keys[word]
        hit = present(following, ends + step)
        starts, ends, step = starts[hit], their_ends[following.searchsorted(ends[hit] + step)], 1
    return starts


def _words(sequence: list) -> list:
    """The distinct words of a proximity sequence, in order, without its BREAKs."""
    return [word for word in dict.fromkeys(sequence) if word != BREAK]


@dataclass(frozen=True, eq=False)
class Count:
    """A corpus-wide count to decide with (Scorer.decide): its key, its value, and whether that
    value is one shard's estimate (its own times the shards, see Scorer.counted)."""
    key: tuple
    value: int
    estimated: bool = False


def _recorded(side):
    """How a decision's side is recorded: an estimate by its key (the front reads its sum), else its value."""
    if isinstance(side, Count):
        return side.key if side.estimated else side.value
    return side


def _read_only(array: np.ndarray) -> np.ndarray:
    """The array, made read-only (it is remembered and shared)."""
    array.flags.writeable = False
    return array


def _restricted(postings: tuple[np.ndarray, np.ndarray], mask: np.ndarray, docs: np.ndarray):
    """The postings (ids, term frequencies) of the documents in mask (docs: the same as sorted ids)."""
    ids, tf = postings
    if len(docs) * SEARCH_COST < len(ids):  # few documents: binary searches of them
        at = located(ids, docs)
    elif len(docs) * DENSE < len(mask):
        at = mask[ids]
    else:  # picking the postings of many documents costs more than scoring them all
        return postings
    return ids[at], tf[at]


def _spread(ids: np.ndarray, tf: np.ndarray, size: int) -> np.ndarray:
    """Term frequencies over all documents: tf at ids, 0 elsewhere."""
    spread = np.zeros(size, dtype=np.float32)
    spread[ids] = tf
    return spread
