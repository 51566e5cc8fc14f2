"""The search core: open an index, search it, page and sort results, cut snippets.

The command line, Python callers and the web app all search through ``Index``.
"""

from __future__ import annotations

import html
import math
import re
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh import query as wq

from .analysis import SYLLABLE_RE, canonical, fold, to_nfc
from .articles import Article
from .query import QueryBuilder, QueryError, parse, terms_of
from .schema import SCORED_FIELDS, recency
from .scorer import Scorer
from .storage import open_reader
from .store import IndexNotFound, current_generation

SORTS = ("relevance", "newest")
RELOAD_CHECK_SECONDS = 1.0
FRAGMENT_CHARS = 160
MAX_FRAGMENTS = 3
MAX_CANDIDATES = 200
FOLDED_MATCH_BELOW = 20  # an accented query reads the folded fields only when exact matches are fewer
SNIPPET_SCAN_CHARS = 200_000  # snippets come from the first 200k characters of a huge article


@dataclass
class Hit:
    """One search result."""
    doc_id: str
    title: str
    score: float
    date: datetime | None
    url: str
    source: str
    category: str
    author: str
    snippet: str


@dataclass
class Results:
    """One page of hits, with the total number of matching articles and the time taken."""
    query: str
    hits: list[Hit]
    total: int
    page: int
    limit: int
    took_ms: float
    sort: str = "relevance"
    terms: set[str] = field(default_factory=set, repr=False)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit))

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]


def marked_terms(query_text: str) -> set[str]:
    """The folded syllables a query can match, which snippets and highlights mark."""
    parsed = parse(query_text)
    texts = parsed.free_text + [c.text for group in parsed.required for c in group]
    return set(fold(s) for s in terms_of(" ".join(texts)).syllables) if texts else set()


# Folds a lowercase precomposed letter to its base letter one-for-one, so offsets survive.
_FOLD_TABLE = {c: fold(chr(c)) for c in range(0xC0, 0x1F00) if len(fold(chr(c))) == 1 and fold(chr(c)) != chr(c)}


@lru_cache(maxsize=1024)
def _terms_pattern(terms: frozenset) -> re.Pattern:
    words = "|".join(map(re.escape, sorted(terms, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def _marked_spans(text: str, terms: set[str], limit: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of the words in terms, in text's own offsets."""
    if not terms:
        return []
    scanned = text if limit is None else text[:limit]
    nfc, offsets = to_nfc(scanned)
    flat = nfc.lower().translate(_FOLD_TABLE)
    if len(flat) != len(nfc):  # a letter whose lowercase is longer: fold word by word instead
        flat = SYLLABLE_RE.sub(lambda m: fold(canonical(m.group())).ljust(len(m.group()))[:len(m.group())], nfc)
    spans = []
    for m in _terms_pattern(frozenset(terms)).finditer(flat):
        start, end = m.span()
        spans.append((offsets[start], offsets[end], m.group()) if offsets else (start, end, m.group()))
    return spans


def _render(text: str, spans, start: int, end: int) -> str:
    """HTML-escape text[start:end], wrapping the spans inside it in <mark>."""
    out, cursor = [], start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def highlight(text: str, query_text: str) -> str:
    """The whole text, HTML-escaped, with the words the query matches in <mark>."""
    terms = marked_terms(query_text) if query_text else set()
    return _render(text, _marked_spans(text, terms), 0, len(text))


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) outwards to whitespace so no word is cut (at most 30 characters)."""
    floor, ceiling = max(0, start - 30), min(len(text), end + 30)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _window(spans, starts, i):
    """The fragment window opened by span i, and the distinct words inside it."""
    lo = spans[i][0] - FRAGMENT_CHARS // 4
    lo = 0 if lo < FRAGMENT_CHARS // 4 else lo  # near the start: begin at the beginning
    hi = lo + FRAGMENT_CHARS
    j = bisect_right(starts, hi - 1)
    return lo, hi, {key for s, e, key in spans[i:j] if e <= hi}


def _choose_fragments(text: str, spans) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS windows, greedily covering the most distinct matched words."""
    starts = [s for s, _, _ in spans]
    windows = [_window(spans, starts, i) for i in range(min(len(spans), MAX_CANDIDATES))]
    chosen, covered = [], set()
    for _ in range(MAX_FRAGMENTS):
        free = [w for w in windows if not any(w[0] < hi and lo < w[1] for lo, hi in chosen)]
        best = max(free, key=lambda w: (len(w[2] - covered), len(w[2])), default=None)
        if best is None or not best[2] - covered:
            break
        chosen.append(_word_bounds(text, best[0], min(best[1], len(text))))
        covered |= best[2]
    return sorted(chosen)


def snippet(text: str, terms: set[str]) -> str:
    """One to three fragments of text cut on word boundaries, matched words in <mark>."""
    spans = _marked_spans(text, terms, SNIPPET_SCAN_CHARS)
    fragments = _choose_fragments(text, spans) if spans else []
    if not fragments:
        start, end = _word_bounds(text, 0, min(len(text), FRAGMENT_CHARS * 2))
        return html.escape(text[start:end].strip()) + (" …" if end < len(text) else "")
    parts = [_render(text, spans, s, e).strip() for s, e in fragments]
    prefix = "… " if fragments[0][0] > 0 else ""
    suffix = " …" if fragments[-1][1] < len(text) else ""
    return prefix + " … ".join(parts) + suffix


def _recency_window(date_from: date | None, date_to: date | None):
    """(first, last) recency values of a date range, whole days included; None for no range."""
    if date_from is None and date_to is None:
        return None
    if date_from and date_to and date_from > date_to:
        raise QueryError("Ngày bắt đầu sau ngày kết thúc / date_from is after date_to")
    first = recency(datetime.combine(date_from, dtime.min)) if date_from else 1
    last = recency(datetime.combine(date_to, dtime.max)) if date_to else np.iinfo(np.int64).max
    return first, last


def _doc_mask(scorer: Scorer, q) -> np.ndarray:
    """A boolean array of the documents matching a plan's query (nested Ors of Terms and Phrases)."""
    mask = np.zeros(scorer.size, dtype=bool)
    for leaf in q.leaves():
        if isinstance(leaf, wq.Phrase):
            mask[scorer.phrase(leaf.fieldname, leaf.words)] = True
        else:
            mask[scorer.matches(leaf.fieldname, leaf.text)] = True
    return mask


def _top(scores, matched, n: int) -> np.ndarray:
    """The ids of the n best-scoring matched documents, unordered."""
    ids = np.flatnonzero(matched)
    if len(ids) > n:
        ids = ids[np.argpartition(-scores[ids], n - 1)[:n]]
    return ids


def _rank(scores, matched, recency, id_rank, n: int) -> np.ndarray:
    """The first n matched documents, by score or (given recency) newest first, then by article id."""
    if recency is None:
        ids = _top(scores, matched, n)
        if len(ids):  # documents tied with the n-th best are candidates too, so ids decide
            ids = np.flatnonzero(matched & (scores >= scores[ids].min()))
        return ids[np.lexsort((id_rank()[ids], -scores[ids]))][:n]
    ids = np.flatnonzero(matched)
    order = np.lexsort((id_rank()[ids], -scores[ids], -recency[ids]))[:n]
    return ids[order]


class Index:
    """An open index; notices when a build or update swaps in a new one."""

    def __init__(self, path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._reader = None
        self._generation = None
        self._checked = 0.0
        self._scoring = None
        self._recency = None
        self._open_live()

    def _open_live(self) -> None:
        for attempt in range(20):
            gen = current_generation(self.path)
            try:
                reader = open_reader(gen)
                break
            except OSError as e:  # a build swapped generations while we opened: try the new one
                if attempt == 19 or (isinstance(e, IndexNotFound) and current_generation(self.path) == gen):
                    raise
                time.sleep(0.05)
        old, self._reader, self._generation = self._reader, reader, gen
        self._scoring = Scorer(reader, SCORED_FIELDS)
        self._recency = self._scoring.column("recency")
        self._checked = time.monotonic()
        if old is not None:
            old.close()

    def _fresh(self):
        """The index reader, reopened if another generation went live."""
        now = time.monotonic()
        if now - self._checked >= RELOAD_CHECK_SECONDS:
            self._checked = now
            try:
                live = current_generation(self.path)
            except IndexNotFound:
                live = self._generation
            if live != self._generation:
                self._open_live()
        return self._reader

    @property
    def doc_count(self) -> int:
        """How many articles the index holds."""
        with self._lock:
            self._fresh()
            return self._scoring.doc_count()

    @property
    def segment_count(self) -> int:
        """How many segments the live generation has (updates add them, merges combine them)."""
        with self._lock:
            return len(self._fresh().segments)

    def search(self, query_text: str, limit: int = 10, page: int = 1, date_from=None,
               date_to=None, sort: str = "relevance") -> Results:
        """Search; raises QueryError for an unusable query or parameters."""
        started = time.perf_counter()
        if sort not in SORTS:
            raise QueryError(f"Kiểu sắp xếp không hợp lệ / unknown sort {sort!r}: use {SORTS}")
        if not (1 <= limit <= 1000) or not (1 <= page <= 10_000):
            raise QueryError("limit must be 1–1000 and page 1–10000")
        parsed = parse(query_text)
        window = _recency_window(date_from, date_to)
        with self._lock:
            reader = self._fresh()
            plan = QueryBuilder(self._scoring).build(parsed)
            if plan.empty:
                return Results(query_text, [], 0, page, limit, _ms(started), sort)
            scores, matched = self._execute(plan, window)
            docs = _rank(scores, matched, self._recency if sort == "newest" else None, reader.id_rank, page * limit)
            page_docs = docs[(page - 1) * limit: page * limit]
            hits = [self._hit(reader.stored_fields(d), float(scores[d]), plan.marks) for d in page_docs]
        return Results(query_text, hits, int(matched.sum()), page, limit, _ms(started), sort, plan.marks)

    def _execute(self, plan, window):
        """(scores, matched) arrays over all documents for a plan."""
        scorer = self._scoring
        scores = np.zeros(scorer.size, dtype=np.float32)
        for term in plan.rare:
            if not term.fieldname.endswith("_fold"):
                scorer.add(scores, term.fieldname, term.text, term.boost)
        for fieldname, text, boost in plan.required_lookups():
            scorer.add(scores, fieldname, text, boost)
        matched = scorer.live & (scores > 0)
        if matched.sum() < FOLDED_MATCH_BELOW:  # few exact matches (or none asked): folded ones join
            for term in plan.rare:
                if term.fieldname.endswith("_fold"):
                    scorer.add(scores, term.fieldname, term.text, term.boost)
            matched = scorer.live & (scores > 0)
        for q in plan.required:
            matched &= _doc_mask(scorer, q)
        if plan.excluded is not None:
            matched &= ~_doc_mask(scorer, plan.excluded)
        if window is not None:
            matched &= (self._recency >= window[0]) & (self._recency <= window[1])
        for term in plan.common:  # they rank the matched articles but match none by themselves
            scorer.add(scores, term.fieldname, term.text, term.boost)
        return scores, matched

    def _hit(self, stored: dict, score: float, terms) -> Hit:
        text = f"{stored['lead']}\n{stored.get('body', '')}" if stored.get("lead") else stored.get("body", "")
        return Hit(stored["id"], stored.get("title", ""), score, stored.get("date"),
                   stored.get("url", ""), stored.get("source", ""), stored.get("category", ""),
                   stored.get("author", ""), snippet(text, terms))

    def get(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        with self._lock:
            stored = self._fresh().document(doc_id)
        if stored is None:
            return None
        names = ("title", "body", "lead", "date", "url", "source", "category", "author", "origin")
        return Article(id=stored["id"], **{n: stored[n] for n in names if stored.get(n) is not None})

    def highlight(self, text: str, query_text: str) -> str:
        """text, HTML-escaped, with the query's words in <mark>."""
        return highlight(text, query_text)

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def open_index(path="index_data") -> Index:
    """Open the index in path for searching; raises IndexNotFound when none was built."""
    return Index(path)
