"""The search core: open an index, search it, page and sort results (snippets: ``snippets``).

The command line, Python callers and the web app all search through ``Index``.
"""

from __future__ import annotations

import math
import numbers
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from itertools import chain
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from whoosh import query as wq

from .analysis import CODE_RE, fold
from .articles import Article, to_vietnam_time
from .query import (ALL_WORDS, EXACT, FOLDED, MIN_SHOULD_MATCH, NEAR, PASTED_WORDS, RUN, TITLE, QueryBuilder,
                    QueryError, parse)
from .schema import SCORED_FIELDS, recency
from .scorer import Scorer
from .snippets import WORD_GAP, Highlight, Marks, Unit
from .storage import open_reader
from .store import IndexNotFound, current_generation
from .understand import Lexicon, decode_query, has_operators, is_unaccented, respelled, variants

SORTS = ("relevance", "newest")
MAX_LIMIT = 1000
MAX_PAGE = 10_000
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RELOAD_CHECK_SECONDS = 1.0
FOLDED_MATCH_BELOW = 20  # an accented query reads the folded fields only when exact matches are fewer
MAX_SUGGEST_CHARS = 200
ALTERNATIVE = 0.8  # weight of another spelling of an abbreviation or code (UBND / ủy ban nhân dân)
LEXICON_WAIT_DOCS = 20_000  # larger indexes build their Lexicon in the background (seconds)
LEXICON_SAMPLE_DOCS = 10_000  # bodies read for the adjacent-syllable counts of the Lexicon
NEAR_DOCS = 100  # the best-scoring articles whose word proximity is scored


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
    highlight: Highlight  # the snippet: fragments of the text as (text, marked) pieces
    title_highlight: Highlight

    @property
    def snippet(self) -> str:
        """The snippet as HTML: every character escaped, matched words in <mark>."""
        return self.highlight.html()

    @property
    def title_html(self) -> str:
        """The title as HTML, matched words in <mark>."""
        return self.title_highlight.html()

    def to_dict(self) -> dict:
        """The hit as JSON-ready data (title plain, title_html and snippet as HTML)."""
        return {"id": self.doc_id, "title": self.title, "title_html": self.title_html,
                "date": self.date.isoformat() if self.date else None, "url": self.url,
                "source": self.source, "category": self.category, "author": self.author,
                "site": self.site, "snippet": self.snippet, "score": round(self.score, 4)}

    @property
    def site(self) -> str:
        """The host of the article's http(s) URL without "www." (empty when there is none)."""
        try:
            parts = urlsplit(self.url.strip())
        except ValueError:
            return ""
        if parts.scheme.lower() not in ("http", "https"):
            return ""
        return (parts.hostname or "").removeprefix("www.")


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
    marks: Marks = field(default_factory=Marks, repr=False)
    undated: int = 0  # matching articles without a date: left out by the date range, or listed last by newest
    suggestion: str | None = None  # a reading of the query to propose (accents restored)
    rewritten: str | None = None  # the query actually searched, when the engine changed it
    dropped: list[str] = field(default_factory=list)  # words the shown articles need not hold (too few hold all)
    kept: list[str] = field(default_factory=list)  # when words were dropped, those the shown articles hold

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit))

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]


def as_date(value, name: str) -> date | datetime | None:
    """A date bound given as a date, a datetime or a YYYY-MM-DD string; QueryError otherwise."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise QueryError(f"{name}: {str(value)[:50]!r} is not a date: give a date, a datetime or YYYY-MM-DD",
                     vi=f"Ngày không hợp lệ: «{str(value)[:50]}». Hãy nhập ngày theo dạng YYYY-MM-DD.")


def _bound(value: date | datetime | None, end: bool) -> int | None:
    """The recency value of a date bound: a datetime as it is, a date as its whole day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return recency(to_vietnam_time(value))
    return recency(datetime.combine(value, dtime.max if end else dtime.min))


def _recency_window(date_from, date_to):
    """(first, last) recency values of a date range, whole days included; None for no range."""
    first = _bound(as_date(date_from, "date_from"), end=False)
    last = _bound(as_date(date_to, "date_to"), end=True)
    if first is None and last is None:
        return None
    if first is not None and last is not None and first > last:
        raise QueryError("date_from is after date_to",
                         vi="Khoảng ngày không hợp lệ: ngày bắt đầu sau ngày kết thúc.")
    return first or 1, last or np.iinfo(np.int64).max


def _check_paging(sort: str, limit: int, page: int) -> None:
    """Raise QueryError for an unknown sort, or a limit or page out of range."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}",
                         vi=f"Cách sắp xếp không hợp lệ: «{sort}». Chỉ dùng {' hoặc '.join(SORTS)}.")
    for name, value, high in (("limit", limit, MAX_LIMIT), ("page", page, MAX_PAGE)):
        if not isinstance(value, numbers.Integral) or not 1 <= value <= high:
            raise QueryError(f"{name} must be a whole number from 1 to {high:,}, not {value!r}",
                             vi=f"{name} không hợp lệ: «{value}». Giá trị phải là số nguyên từ 1 đến {high}.")


def _by_date(matched, recency, window, sort: str):
    """(matched within the date window, how many matched articles are undated and left out or last)."""
    undated = matched & (recency == 0)
    if window is None:
        return matched, int(undated.sum()) if sort == "newest" else 0
    within = (recency >= window[0]) & (recency <= window[1]) & (recency != 0)
    return matched & within, int(undated.sum())


def _doc_mask(scorer: Scorer, leaves) -> np.ndarray:
    """A boolean array of the documents matching any of these Terms and Phrases."""
    mask = np.zeros(scorer.size, dtype=bool)
    for leaf in leaves:
        if isinstance(leaf, wq.Phrase):
            mask[scorer.phrase(leaf.fieldname, leaf.words)] = True
        else:
            mask[scorer.matches(leaf.fieldname, leaf.text)] = True
    return mask


def _clause_mask(scorer: Scorer, clause) -> np.ndarray:
    """The documents matching a required clause; as for free words, an accented word's folded
    forms count only when its exact matches are fewer than FOLDED_MATCH_BELOW."""
    leaves = list(clause.leaves())
    exact = [leaf for leaf in leaves if not leaf.fieldname.endswith("_fold")]
    folded = [leaf for leaf in leaves if leaf.fieldname.endswith("_fold")]
    if not exact:
        return _doc_mask(scorer, folded)
    mask = _doc_mask(scorer, exact)
    if folded and np.count_nonzero(mask & scorer.live) < FOLDED_MATCH_BELOW:
        mask |= _doc_mask(scorer, folded)
    return mask


def _word_masks(scorer: Scorer, words, folded: bool, respelling, respelled_words: set[str]):
    """(the documents holding each word, those holding any syllable of one): folded forms
    count when folded, else as for a required word; other spellings count for the
    abbreviations and codes they stand for."""
    masks, anyone = [], respelling.copy()
    for word in words:
        parts = [_doc_mask(scorer, lookups) if folded else _clause_mask(scorer, wq.Or(lookups))
                 for lookups in word.parts]
        mask = np.logical_and.reduce(parts)
        anyone |= np.logical_or.reduce(parts)
        masks.append(mask | respelling if set(fold(word.text).split()) <= respelled_words else mask)
    return masks, anyone


def _relax(plan, words, matched, enough) -> tuple[np.ndarray, list[str], list[str]]:
    """(the articles shown, the words they need not hold, the words they hold when some were
    dropped), given (word masks, any-syllable mask). A query of up to ALL_WORDS words needs them
    all when enough articles hold them, else fewer: dates and numbers are dropped first, then
    the most frequent words (Meilisearch's "frequency" strategy; ties: the last word first). A
    longer query (a headline, pasted text) needs MIN_SHOULD_MATCH of its words. In the end, any
    syllable of them."""
    masks, anyone = words
    if not masks:
        return matched, [], []
    anyone = matched & anyone
    if len(masks) > ALL_WORDS:
        held = np.sum(masks, axis=0, dtype=np.int32)
        tier = matched & (held >= math.ceil(MIN_SHOULD_MATCH * len(masks)))
        return (tier, [], []) if enough(tier) else (anyone, [], [])
    order = sorted(range(len(masks)), key=lambda i: (plan.words[i].drop_order, -i))
    kept, tiers = matched.copy(), []
    for i in reversed(order):  # the most informative first
        kept &= masks[i]
        tiers.insert(0, kept.copy())
    tiers.append(anyone)
    shown = next((n for n, tier in enumerate(tiers) if enough(tier)), len(order))
    if np.count_nonzero(tiers[shown]) == np.count_nonzero(tiers[0]):  # dropping found nothing more
        shown = 0
    return tiers[shown], [plan.words[i].text for i in order[:shown]], \
        [w.text for i, w in enumerate(plan.words) if shown and i in order[shown:]]


def _add_proximity(scorer: Scorer, scores, near: list, docs: np.ndarray) -> None:
    """Add the proximity of the query's consecutive words to the scores of docs, and a bonus
    where they all stand together as typed."""
    docs = np.sort(docs)
    for field_name, words, boost in near:
        scorer.proximity(scores, field_name, words, docs, boost, RUN * boost / NEAR)


def _top(scores, matched, n: int) -> np.ndarray:
    """The ids of the n best-scoring matched documents, unordered."""
    ids = np.flatnonzero(matched)
    if len(ids) > n:
        ids = ids[np.argpartition(-scores[ids], n - 1)[:n]]
    return ids


def _rank(scores, matched, recency, doc_id, n: int) -> list[int]:
    """The first n matched documents, by score or (given recency) newest first, then by article id."""
    if recency is None:
        ids = _top(scores, matched, n)
        if len(ids):  # documents tied with the n-th best are candidates too: their ids decide
            ids = np.flatnonzero(matched & (scores >= scores[ids].min()))
        return sorted(ids.tolist(), key=lambda d: (-scores[d], doc_id(d)))[:n]
    ids = np.flatnonzero(matched)
    ids = ids[np.lexsort((-scores[ids], -recency[ids]))]
    if len(ids) > n:  # keep the documents tied with the n-th
        tied = (recency[ids[n:]] == recency[ids[n - 1]]) & (scores[ids[n:]] == scores[ids[n - 1]])
        ids = ids[:n + (len(tied) if tied.all() else int(np.argmin(tied)))]
    return sorted(ids.tolist(), key=lambda d: (-recency[d], -scores[d], doc_id(d)))[:n]


class _Snapshot:
    """One generation as searches see it: reader, scorer and arrays, closed after its last user."""

    def __init__(self, generation: Path, reader):
        try:
            self.scorer = Scorer(reader, SCORED_FIELDS)
            self.recency = self.scorer.column("recency")
        except BaseException:  # e.g. removed while opening
            reader.close()
            raise
        self.generation, self.reader = generation, reader
        self._users = 1  # the Index's own reference, dropped when a newer snapshot replaces it
        self._users_lock = threading.Lock()
        self._lexicon: Lexicon | None = None
        self._lexicon_lock = threading.Lock()  # one build at a time; who waited takes it
        self._thread_lock = threading.Lock()  # starts the background build once, never held by it
        self._lexicon_thread: threading.Thread | None = None

    def acquire(self) -> "_Snapshot":
        """Count one more user (a search); the caller holds the Index lock."""
        with self._users_lock:
            self._users += 1
        return self

    def lexicon(self, wait: bool) -> Lexicon | None:
        """This generation's Lexicon, built on first use; without wait, None while a background
        thread (holding the snapshot open) builds it."""
        if self._lexicon is None and not wait:
            with self._thread_lock:  # not _lexicon_lock: the build holds it for seconds
                if self._lexicon_thread is None:
                    self._lexicon_thread = threading.Thread(target=self._build_lexicon, args=(self.acquire(),),
                                                            daemon=True)
                    self._lexicon_thread.start()
            return self._lexicon
        return self._lexicon or self._build_lexicon()

    def _build_lexicon(self, user: "_Snapshot | None" = None) -> Lexicon:
        try:
            with self._lexicon_lock:
                if self._lexicon is None:
                    self._lexicon = _lexicon_of(self.reader)
                return self._lexicon
        finally:
            if user is not None:  # the background build's own reference
                user.release()

    def release(self) -> None:
        """Count one user less; the last one closes the reader."""
        with self._users_lock:
            self._users -= 1
            last = self._users == 0
        if last:
            self.reader.close()


def _open_snapshot(path: Path) -> _Snapshot:
    """A snapshot of the live generation (retrying while builds keep swapping it)."""
    for attempt in range(20):
        gen = current_generation(path)
        try:
            return _Snapshot(gen, open_reader(gen))
        except OSError as e:  # a build swapped generations while we opened: try the new one
            if attempt == 19 or (isinstance(e, IndexNotFound) and current_generation(path) == gen):
                raise
            time.sleep(0.05)


class Index:
    """An open index; notices when a build or update swaps in a new one.

    Searches run concurrently, each on the snapshot that was live when it started; the lock is
    held only to take or swap the snapshot.
    """

    def __init__(self, path):
        self.path = Path(path)
        self._lock = threading.Lock()  # guards self._live
        self._reloading = threading.Lock()  # one thread at a time opens a new snapshot
        self._live: _Snapshot | None = _open_snapshot(self.path)
        self._checked = time.monotonic()

    def _reload_if_changed(self) -> None:
        """Swap in a new snapshot if another generation went live or an update committed."""
        if time.monotonic() - self._checked < RELOAD_CHECK_SECONDS:
            return
        if not self._reloading.acquire(blocking=False):  # another thread is checking: keep the live one
            return
        try:
            self._checked = time.monotonic()
            live = self._live
            if live is None or not self._changed(live):
                return
            self._swap(_open_snapshot(self.path))  # opened without the lock: searches go on
        finally:
            self._reloading.release()

    def _swap(self, fresh: _Snapshot) -> None:
        """Make fresh the live snapshot (unless the index was closed meanwhile)."""
        with self._lock:
            if self._live is None:  # closed meanwhile: the new snapshot is not needed
                old = fresh
            else:
                old, self._live = self._live, fresh
        old.release()

    def _changed(self, live: _Snapshot) -> bool:
        try:
            generation = current_generation(self.path)
        except IndexNotFound:
            return False
        return generation != live.generation

    @contextmanager
    def _snapshot(self):
        """The live snapshot, kept open until the block ends."""
        self._reload_if_changed()
        with self._lock:
            if self._live is None:
                raise ValueError("the index is closed")
            snapshot = self._live.acquire()
        try:
            yield snapshot
        finally:
            snapshot.release()

    def refresh(self) -> None:
        """Serve a generation a build or update swapped in, releasing the old one if no search
        uses it (searches do this too, at most once a second)."""
        self._reload_if_changed()

    @property
    def doc_count(self) -> int:
        """How many articles the index holds."""
        with self._snapshot() as snap:
            return snap.scorer.doc_count()

    @property
    def segment_count(self) -> int:
        """How many segments the live generation has (updates add them, merges combine them)."""
        with self._snapshot() as snap:
            return len(snap.reader.segments)

    def search(self, query_text: str, limit: int = 10, page: int = 1, date_from=None,
               date_to=None, sort: str = "relevance", exact: bool = False) -> Results:
        """Search; raises QueryError for an unusable query or parameters.

        Unless exact: Telex/VNI keystroke words are decoded and words the index lacks become the
        nearest indexed syllables (``Results.rewritten``), an unaccented query's restored reading
        ranks higher and is proposed (``Results.suggestion``), and abbreviations and codes also
        match their other spellings (UBND / ủy ban nhân dân, U23 / U.23).
        """
        started = time.perf_counter()
        _check_paging(sort, limit, page)
        parse(query_text)  # an unusable query fails before any work
        window = _recency_window(date_from, date_to)
        with self._snapshot() as snap:
            rewritten, suggestion = (None, None) if exact else self._understand(snap, query_text)
            understood = {"suggestion": suggestion, "rewritten": rewritten}
            plan, alternatives = _plan(snap.scorer, rewritten or query_text, suggestion, exact)
            if plan.empty and not alternatives:
                return Results(query_text, [], 0, page, limit, _ms(started), sort, **understood)
            scores, matched, words = self._execute(snap, plan, alternatives, rewritten or query_text)
            in_window = lambda mask: _by_date(mask, snap.recency, window, sort)[0]
            matched, dropped, kept = _relax(plan, words, matched, lambda mask: in_window(mask).sum() >= limit)
            matched, undated = _by_date(matched, snap.recency, window, sort)
            if sort == "relevance":
                _add_proximity(snap.scorer, scores, plan.near, _top(scores, matched, max(NEAR_DOCS, page * limit)))
            docs = _rank(scores, matched, snap.recency if sort == "newest" else None, snap.reader.doc_id,
                         page * limit)
            page_docs = docs[(page - 1) * limit: page * limit]
            hits = [self._hit(snap.reader.stored_fields(d), float(scores[d]), plan.marks) for d in page_docs]
        return Results(query_text, hits, int(matched.sum()), page, limit, _ms(started), sort, plan.marks,
                       undated, **understood, dropped=dropped, kept=kept)

    def _understand(self, snap: _Snapshot, query_text: str) -> tuple[str | None, str | None]:
        """(the query as searched when keystrokes were decoded or typos fixed, else None;
        its restored reading when unaccented, else None)."""
        rewritten = decode_query(query_text, lambda term: _frequency(snap.scorer, term))
        searched = rewritten or query_text
        if has_operators(searched) or len(searched.split()) >= PASTED_WORDS:
            return rewritten, None
        lexicon = snap.lexicon(wait=snap.scorer.doc_count() <= LEXICON_WAIT_DOCS)
        if lexicon is None:
            return rewritten, None
        corrected = lexicon.correct(searched)
        if corrected:
            searched = rewritten = corrected
        restored = lexicon.restore(searched) if is_unaccented(searched) else searched
        return rewritten, restored if restored != searched else None

    def _execute(self, snap: _Snapshot, plan, alternatives=(), query_text: str = ""):
        """(scores, matched, word masks) over all documents for a plan, with other spellings
        (terms and phrases) of the query text counted too. Without free words, matched is final;
        with them, it still has to be narrowed to the articles holding the words (``_relax``)."""
        scorer = snap.scorer
        scores = np.zeros(scorer.size, dtype=np.float32)
        for term in plan.rare:
            if not term.fieldname.endswith("_fold"):
                scorer.add(scores, term.fieldname, term.text, term.boost)
        for fieldname, text, boost in plan.required_lookups():
            scorer.add(scores, fieldname, text, boost)
        few = (scorer.live & (scores > 0)).sum() < FOLDED_MATCH_BELOW
        if few:  # few exact matches (or none asked): folded ones join
            for term in plan.rare:
                if term.fieldname.endswith("_fold"):
                    scorer.add(scores, term.fieldname, term.text, term.boost)
        respelling = np.zeros(scorer.size, dtype=bool)
        for q in alternatives:  # after the folded fields' turn: other spellings are no exact match
            if isinstance(q, wq.Phrase):
                ids = scorer.phrase(q.fieldname, q.words)
                scores[ids] += q.boost * scorer.idf(len(ids))
            else:
                ids = scorer.matches(q.fieldname, q.text)
                scorer.add(scores, q.fieldname, q.text, q.boost)
            respelling[ids] = True
        matched = scorer.live & (scores > 0) if not plan.words else scorer.live.copy()
        for group in plan.required:  # any clause of each OR group
            matched &= np.logical_or.reduce([_clause_mask(scorer, c) for c in group.subqueries])
        if plan.excluded is not None:
            matched &= ~_doc_mask(scorer, plan.excluded.leaves())
        for term in plan.common:  # they rank the matched articles but match none by themselves
            scorer.add(scores, term.fieldname, term.text, term.boost)
        return scores, matched, _word_masks(scorer, plan.words, few, respelling, respelled(query_text))

    def _hit(self, stored: dict, score: float, marks: Marks) -> Hit:
        text = f"{stored['lead']}\n{stored.get('body', '')}" if stored.get("lead") else stored.get("body", "")
        title_highlight, highlight = marks.article(stored.get("title", ""), text)
        return Hit(stored["id"], stored.get("title", ""), score, stored.get("date"),
                   stored.get("url", ""), stored.get("source", ""), stored.get("category", ""),
                   stored.get("author", ""), highlight, title_highlight)

    def get(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        with self._snapshot() as snap:
            stored = snap.reader.document(doc_id)
        if stored is None:
            return None
        names = ("title", "body", "lead", "date", "url", "source", "category", "author", "origin")
        return Article(id=stored["id"], **{n: stored[n] for n in names if stored.get(n) is not None})

    def frequency(self, term: str) -> int:
        """In how many articles' titles and bodies a canonical word or code is (both counted)."""
        with self._snapshot() as snap:
            return _frequency(snap.scorer, term)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to limit completions of a query being typed: frequent title words and phrases
        (empty while a large index's Lexicon is being built)."""
        if len(prefix) > MAX_SUGGEST_CHARS:
            raise QueryError(f"Từ khóa quá dài (tối đa {MAX_SUGGEST_CHARS} ký tự) / "
                             f"prefix too long (at most {MAX_SUGGEST_CHARS} characters)")
        with self._snapshot() as snap:
            lexicon = snap.lexicon(wait=snap.scorer.doc_count() <= LEXICON_WAIT_DOCS)
            return lexicon.complete(prefix, limit) if lexicon else []

    def lexicon(self, wait: bool = True) -> Lexicon | None:
        """The index's syllable statistics, built on first use for each generation; without
        wait, None while a background thread builds them."""
        with self._snapshot() as snap:
            return snap.lexicon(wait)

    def marks(self, query_text: str, exact: bool = False) -> Marks:
        """What the query, understood as search() does, marks in results and articles; raises
        QueryError like search()."""
        parse(query_text)
        with self._snapshot() as snap:
            rewritten, suggestion = (None, None) if exact else self._understand(snap, query_text)
            return _plan(snap.scorer, rewritten or query_text, suggestion, exact)[0].marks

    def highlight(self, text: str, query_text: str) -> str:
        """text, HTML-escaped, with the query's words in <mark>."""
        return self.marks(query_text).fit(text).html(text)

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            old, self._live = self._live, None
        if old is not None:
            old.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _frequency(scorer: Scorer, term: str) -> int:
    return scorer.doc_frequency("body", term) + scorer.doc_frequency("title", term)


def _plan(scorer: Scorer, text: str, suggestion: str | None, exact: bool):
    """The plan of a query (its restored reading ranking higher) and lookups of its other spellings."""
    builder = QueryBuilder(scorer)
    plan = builder.build(parse(text))
    if suggestion:
        plan.common += builder.preferred(suggestion)
    return plan, [] if exact else _alternatives(variants(text), plan.marks, is_unaccented(text))


def _alternatives(forms: list[tuple[str, ...]], marks: Marks, unaccented: bool) -> list:
    """Lookups of other spellings of the query's abbreviations and codes: a term (exact fields)
    or a phrase (folded fields) each, weighed like the query's own words; results mark them too."""
    lookups = []
    weight = ALTERNATIVE * (FOLDED if unaccented else EXACT)
    for form in forms:
        marks.units.add(Unit(form, False, "" if CODE_RE.fullmatch(form[0]) else WORD_GAP))
        for f in ("title", "body"):
            boost = weight * (TITLE if f == "title" else 1)
            lookups.append(wq.Term(f, form[0], boost=boost) if len(form) == 1
                           else wq.Phrase(f"{f}_fold", [fold(w) for w in form], boost=boost))
    return lookups


def _lexicon_of(reader) -> Lexicon:
    """A Lexicon of the exact fields, neighbours counted in all titles and the first bodies."""
    sampled = min(reader.size, LEXICON_SAMPLE_DOCS)

    def adjacent(syllables):
        title = reader.adjacent_pairs("title", syllables, reader.size)
        body = reader.adjacent_pairs("body", syllables, sampled)
        scaled = body[2] * (reader.size / max(sampled, 1))  # estimated over all articles
        codes = np.concatenate([title[0] * len(syllables) + title[1], body[0] * len(syllables) + body[1]])
        codes, where = np.unique(codes, return_inverse=True)
        counts = np.bincount(where, np.concatenate([title[2], scaled]))
        return codes // len(syllables), codes % len(syllables), counts

    titles = list(reader.terms("title"))
    return Lexicon(chain(titles, reader.terms("body")), adjacent, titles)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def open_index(path="index_data") -> Index:
    """Open the index in path for searching; raises IndexNotFound when none was built."""
    return Index(path)
