"""The search core: open an index, search it, page and sort results (snippets: ``snippets``).

The command line, Python callers and the web app all search through ``Index``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from itertools import chain
from pathlib import Path

import numpy as np
import whoosh.index
from whoosh import query as wq

from .analysis import CODE_RE, fold
from .articles import Article
from .query import EXACT, FOLDED, PASTED_WORDS, TITLE, QueryBuilder, QueryError, parse
from .schema import SCORED_FIELDS, recency
from .scorer import Scorer
from .snippets import WORD_GAP, Highlight, Marks, Unit
from .store import IndexNotFound, current_generation
from .understand import Lexicon, decode_query, has_operators, is_unaccented, variants

SORTS = ("relevance", "newest")
RELOAD_CHECK_SECONDS = 1.0
FOLDED_MATCH_BELOW = 20  # an accented query reads the folded fields only when exact matches are fewer
MAX_SUGGEST_CHARS = 200
ALTERNATIVE = 0.8  # weight of another spelling of an abbreviation or code (UBND / ủy ban nhân dân)
LEXICON_WAIT_DOCS = 20_000  # larger indexes build their Lexicon in the background (seconds)
LEXICON_SAMPLE_DOCS = 10_000  # bodies read for the adjacent-syllable counts of the Lexicon


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
                "snippet": self.snippet, "score": round(self.score, 4)}


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
    suggestion: str | None = None  # a reading of the query to propose (accents restored)
    rewritten: str | None = None  # the query actually searched, when the engine changed it

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit))

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]


def _recency_window(date_from: date | None, date_to: date | None):
    """(first, last) recency values of a date range, whole days included; None for no range."""
    if date_from is None and date_to is None:
        return None
    if date_from and date_to and date_from > date_to:
        raise QueryError("Ngày bắt đầu sau ngày kết thúc / date_from is after date_to")
    first = recency(datetime.combine(date_from, dtime.min)) if date_from else 1
    last = recency(datetime.combine(date_to, dtime.max)) if date_to else np.iinfo(np.int64).max
    return first, last


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


def _top(scores, matched, n: int) -> np.ndarray:
    """The ids of the n best-scoring matched documents, unordered."""
    ids = np.flatnonzero(matched)
    if len(ids) > n:
        ids = ids[np.argpartition(-scores[ids], n - 1)[:n]]
    return ids


def _rank(scores, matched, recency, n: int) -> np.ndarray:
    """The first n matched documents, by score or (given recency) newest first."""
    if recency is None:
        ids = _top(scores, matched, n)
        return ids[np.lexsort((ids, -scores[ids]))]
    ids = np.flatnonzero(matched)
    order = np.lexsort((-scores[ids], -recency[ids]))[:n]
    return ids[order]


class Index:
    """An open index; notices when a build or update swaps in a new one."""

    def __init__(self, path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._searcher = None
        self._generation = None
        self._checked = 0.0
        self._scoring = None
        self._recency = None
        self._lexicon = (None, None)  # (the scorer it was built from, Lexicon)
        self._lexicon_thread = None
        self._lexicon_lock = threading.Lock()
        self._open_live()

    def _open_live(self) -> None:
        for attempt in range(20):
            gen = current_generation(self.path)
            try:
                searcher = whoosh.index.open_dir(str(gen)).searcher()
                break
            except (OSError, whoosh.index.EmptyIndexError):
                if attempt == 19:  # a build kept swapping while we tried to open
                    raise
                time.sleep(0.05)
        try:
            self._scorer(searcher)
        except IndexNotFound:  # built by an earlier version
            searcher.close()
            raise
        old, self._searcher, self._generation = self._searcher, searcher, gen
        self._checked = time.monotonic()
        if old is not None:
            old.close()

    def _fresh(self):
        """The searcher, reopened if another generation went live or an update committed."""
        now = time.monotonic()
        if now - self._checked >= RELOAD_CHECK_SECONDS:
            self._checked = now
            try:
                live = current_generation(self.path)
            except IndexNotFound:
                live = self._generation
            if live != self._generation:
                self._open_live()
            elif not self._searcher.up_to_date():
                self._searcher = self._searcher.refresh()
        return self._searcher

    @property
    def doc_count(self) -> int:
        """How many articles the index holds."""
        with self._lock:
            return self._fresh().doc_count()

    def _scorer(self, searcher) -> Scorer:
        if self._scoring is None or self._scoring.searcher is not searcher:
            self._scoring = Scorer(searcher, SCORED_FIELDS, self._lock)
            self._recency = self._scoring.column("recency")
        return self._scoring

    def search(self, query_text: str, limit: int = 10, page: int = 1, date_from=None,
               date_to=None, sort: str = "relevance", exact: bool = False) -> Results:
        """Search; raises QueryError for an unusable query or parameters.

        Unless exact: Telex/VNI keystroke words are decoded and words the index lacks become the
        nearest indexed syllables (``Results.rewritten``), an unaccented query's restored reading
        ranks higher and is proposed (``Results.suggestion``), and abbreviations and codes also
        match their other spellings (UBND / ủy ban nhân dân, U23 / U.23).
        """
        started = time.perf_counter()
        if sort not in SORTS:
            raise QueryError(f"Kiểu sắp xếp không hợp lệ / unknown sort {sort!r}: use {SORTS}")
        if not (1 <= limit <= 1000) or not (1 <= page <= 10_000):
            raise QueryError("limit must be 1–1000 and page 1–10000")
        parsed = parse(query_text)
        window = _recency_window(date_from, date_to)
        rewritten, suggestion = (None, None) if exact else self._understand(query_text)
        if rewritten:
            parsed = parse(rewritten)
        with self._lock:
            searcher = self._fresh()
            builder = QueryBuilder(self._scorer(searcher))
            plan = builder.build(parsed)
            if suggestion:
                plan.common += builder.preferred(suggestion)
            searched = rewritten or query_text
            alternatives = [] if exact else _alternatives(variants(searched), plan.marks,
                                                          is_unaccented(searched))
            if plan.empty and not alternatives:
                return Results(query_text, [], 0, page, limit, _ms(started), sort,
                               suggestion=suggestion, rewritten=rewritten)
            scores, matched = self._execute(searcher, plan, window, alternatives)
            docs = _rank(scores, matched, self._recency if sort == "newest" else None, page * limit)
            page_docs = docs[(page - 1) * limit: page * limit]
            hits = [self._hit(searcher.stored_fields(int(d)), float(scores[d]), plan.marks) for d in page_docs]
        return Results(query_text, hits, int(matched.sum()), page, limit, _ms(started), sort, plan.marks,
                       suggestion, rewritten)

    def _understand(self, query_text: str) -> tuple[str | None, str | None]:
        """(the query as searched when keystrokes were decoded or typos fixed, else None;
        its restored reading when unaccented, else None)."""
        rewritten = decode_query(query_text, self.frequency)
        searched = rewritten or query_text
        if has_operators(searched) or len(searched.split()) >= PASTED_WORDS:
            return rewritten, None
        lexicon = self.lexicon(wait=self.doc_count <= LEXICON_WAIT_DOCS)
        if lexicon is None:
            return rewritten, None
        corrected = lexicon.correct(searched)
        if corrected:
            searched = rewritten = corrected
        restored = lexicon.restore(searched) if is_unaccented(searched) else searched
        return rewritten, restored if restored != searched else None

    def _execute(self, searcher, plan, window, alternatives=()):
        """(scores, matched) arrays over all documents for a plan, and other spellings (terms
        and phrases) whose articles match too."""
        scorer = self._scorer(searcher)
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
        for q in alternatives:  # after the folded fields' turn: other spellings are no exact match
            if isinstance(q, wq.Phrase):
                ids = scorer.phrase(q.fieldname, q.words)
                scores[ids] += q.boost * scorer.idf(len(ids))
            else:
                scorer.add(scores, q.fieldname, q.text, q.boost)
        matched = scorer.live & (scores > 0)
        for group in plan.required:  # any clause of each OR group
            matched &= np.logical_or.reduce([_clause_mask(scorer, c) for c in group.subqueries])
        if plan.excluded is not None:
            matched &= ~_doc_mask(scorer, plan.excluded.leaves())
        if window is not None:
            matched &= (self._recency >= window[0]) & (self._recency <= window[1])
        for term in plan.common:  # they rank the matched articles but match none by themselves
            scorer.add(scores, term.fieldname, term.text, term.boost)
        return scores, matched

    def _hit(self, stored: dict, score: float, marks: Marks) -> Hit:
        text = f"{stored['lead']}\n{stored.get('body', '')}" if stored.get("lead") else stored.get("body", "")
        title_highlight, highlight = marks.article(stored.get("title", ""), text)
        return Hit(stored["id"], stored.get("title", ""), score, stored.get("date"),
                   stored.get("url", ""), stored.get("source", ""), stored.get("category", ""),
                   stored.get("author", ""), highlight, title_highlight)

    def frequency(self, term: str) -> int:
        """In how many articles' titles and bodies a canonical word or code is (both counted)."""
        with self._lock:
            scorer = self._scorer(self._fresh())
        return scorer.doc_frequency("body", term) + scorer.doc_frequency("title", term)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to limit completions of a query being typed: frequent title words and phrases
        (empty while a large index's Lexicon is being built)."""
        if len(prefix) > MAX_SUGGEST_CHARS:
            raise QueryError(f"Từ khóa quá dài (tối đa {MAX_SUGGEST_CHARS} ký tự) / "
                             f"prefix too long (at most {MAX_SUGGEST_CHARS} characters)")
        lexicon = self.lexicon(wait=self.doc_count <= LEXICON_WAIT_DOCS)
        return lexicon.complete(prefix, limit) if lexicon else []

    def lexicon(self, wait: bool = True) -> Lexicon | None:
        """The index's syllable statistics, built on first use for each generation; without
        wait, None while a background thread builds them."""
        with self._lock:
            scorer = self._scorer(self._fresh())
            if self._lexicon[0] is scorer:
                return self._lexicon[1]
            if not wait:
                if self._lexicon_thread is None or not self._lexicon_thread.is_alive():
                    thread = threading.Thread(target=self._build_lexicon, args=(scorer,), daemon=True)
                    self._lexicon_thread = thread
                    thread.start()
                return None
        return self._build_lexicon(scorer)  # outside the search lock: searches go on meanwhile

    def _build_lexicon(self, scorer: Scorer) -> Lexicon:
        with self._lexicon_lock:  # one build at a time; who waited takes the one just built
            if self._lexicon[0] is not scorer:
                self._lexicon = (scorer, _lexicon_of(scorer))
            return self._lexicon[1]

    def get(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        with self._lock:
            stored = self._fresh().document(id=doc_id)
        if stored is None:
            return None
        names = ("title", "body", "lead", "date", "url", "source", "category", "author", "origin")
        return Article(id=stored["id"], **{n: stored[n] for n in names if stored.get(n) is not None})

    def marks(self, query_text: str) -> Marks:
        """What the query marks in results and articles; raises QueryError like search()."""
        with self._lock:
            return QueryBuilder(self._scorer(self._fresh())).build(parse(query_text)).marks

    def highlight(self, text: str, query_text: str) -> str:
        """text, HTML-escaped, with the query's words in <mark>."""
        return self.marks(query_text).fit(text).html(text)

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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


def _lexicon_of(scorer: Scorer) -> Lexicon:
    """A Lexicon of the exact fields, neighbours counted in all titles and the first bodies."""
    sampled = min(scorer.size, LEXICON_SAMPLE_DOCS)

    def adjacent(syllables):
        title = scorer.adjacent_pairs("title", syllables, scorer.size)
        body = scorer.adjacent_pairs("body", syllables, sampled)
        scaled = body[2] * (scorer.size / max(sampled, 1))  # estimated over all articles
        codes = np.concatenate([title[0] * len(syllables) + title[1], body[0] * len(syllables) + body[1]])
        codes, where = np.unique(codes, return_inverse=True)
        counts = np.bincount(where, np.concatenate([title[2], scaled]))
        return codes // len(syllables), codes % len(syllables), counts

    titles = list(scorer.terms("title"))
    return Lexicon(chain(titles, scorer.terms("body")), adjacent, titles)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def open_index(path="index_data") -> Index:
    """Open the index in path for searching; raises IndexNotFound when none was built."""
    return Index(path)
