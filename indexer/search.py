"""The search core: open an index, search it, page and sort results (snippets: ``snippets``).

The command line, Python callers and the web app all search through ``Index``.
"""

from __future__ import annotations

import math
import numbers
import re
import threading
import time
import unicodedata
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time as dtime
from functools import partial, reduce
from itertools import accumulate, chain
from pathlib import Path
from typing import NamedTuple

import numpy as np
from whoosh import query as wq

from . import duplicates
from .analysis import ANALYSIS_CHANGES, ANALYSIS_VERSION, canonical, fold, is_code, iy_spelled
from .articles import Article, read_date, site_of, to_vietnam_time
from .facets import FacetColumns, empty_facets, facet_filters, no_missing
from .query import (DATE_RE, FIELD_PREFIX, amount_spellings, EXACT, FOLDED, MIN_SHOULD_MATCH, NAME, NEAR, PREFERRED, RUN, TITLE, QueryBuilder, QueryError,
                    TermStats, as_read, as_typed, code_weight, dangling_dropped, fields_read, halfwidth, is_longer, is_pasted, when_places,
                    operands, parse, phrase_fields, without_markup)
from .schema import SCORED_FIELDS, recency, simhashes
from .scorer import DECIDING, LEAD_FIELDS, Lookup, Scorer, Weights
from .snippets import SPACED_CODE_GAP, WORD_GAP, Highlight, Marks, Unit, code_unit
from .storage import analysis_version, open_reader
from .storage.flat import present
from .storage.reader import occurrence_keys, run_codes
from .store import (GROUPS_FILE, KEPT_PREFIX, LEXICON_BEFORE, LEXICON_FILE, MERGED_FROM, SHARDED, IndexNotFound, NoIndex,
                    build_command, current_generation, derived_lock, is_sharded, read_array, replaced)
from .understand import (KEPT_FORMAT, NUMBER, NUMBER_RE, TITLE_RUNS_FORMAT, TITLE_WORDS_FORMAT, Lexicon, TitleWords, accents_added, blob,
                         casing_vote_arrays, decode_keystrokes, decode_query, decoded_respelled, glued_spellings, has_operators,
                         is_syllable, is_title_token, is_unaccented, kept_phrases, meant_words, mistyped, respelled, respelled_forms,
                         run_digits, runs_coded, unmarked,
                         spelled_as_typed, summed_casing_votes, summed_runs, synonym_spellings, title_word_arrays, unblob,
                         variants, Written)

SORTS = ("relevance", "newest")
MAX_LIMIT = 1000
MAX_PAGE = 10_000
PAGE = 10  # a page of results: the web app's, the command line's default limit
RELAX_PAGE = PAGE  # words are dropped until a page of articles hold the rest, whatever the limit asked
RELOAD_CHECK_SECONDS = 1.0
FOLDED_MATCH_BELOW = 20  # an accented query reads the folded fields only when exact matches are fewer
MAX_SUGGEST_CHARS = 200
OPERATORS_END_RE = re.compile(rf'(?s).*(?:(?:^|\s)(?:OR|AND|NOT)\s|(?:^|\s)-|"|(?i:{FIELD_PREFIX}))')  # to the last one
BINDS_RE = re.compile(r'(?:(?:^|\s)(?:OR|NOT)\s+|(?:^|\s)-|title:)$')  # an operator binding what follows (fields read)
DATE_SHARE = 0.75  # a date or number weighs at most this share of the query's other words (0.25-0.75 compared)
ALTERNATIVE = 0.8  # weight of another spelling of an abbreviation or code (UBND / ủy ban nhân dân)
SYNONYM = 1.0  # of a synonym's other word (heo for lợn): the typed word's, as Lucene's SynonymQuery scores one term
MISTYPED_WEIGHT = 0.3  # of a word the reading proposed spells otherwise (a likely typo)
RUNNER_UP_WEIGHT = 1.2  # of the pairs around another candidate for a typo (the chosen one's: 1, and its words)
LEXICON_WAIT_DOCS = 20_000  # larger indexes build their Lexicon in the background (seconds)
COOC_FIELD = "body"  # the field whose articles holding a reading's words choose among readings (the lead is in it)
LEXICON_SAMPLE_DOCS = 10_000  # bodies read for the adjacent-syllable counts of the Lexicon (chosen by id)
# a segment's titles' words and casing votes, kept beside it (made again with another Lexicon format)
TITLE_WORDS_FILE = f"{KEPT_PREFIX}titles_{TITLE_WORDS_FORMAT}.npz"
CASING_VOTES_FILE = f"{KEPT_PREFIX}casing_{KEPT_FORMAT}.npz"
TITLE_RUNS_FILE = f"{KEPT_PREFIX}title_runs_{TITLE_RUNS_FORMAT}.npz"  # and the runs of its titles' syllables
BODY_RUNS_FILE = f"{KEPT_PREFIX}body_runs_{KEPT_FORMAT}.npz"  # and of its sampled bodies' syllables
NEAR_MAX = 2000  # word proximity ranks the queries matching at most this many articles
NEAR_MAX_COMPOUNDS = 3000  # or of those holding its words of several syllables as words (2,000-8,000 compared)
RELATED_LIMIT = 5
RELATED_TERMS = 25  # an article's most distinctive terms that find its related articles
# Chosen on the topical tune half (benchmarks.explore related; benchmarks/topical/README.md):
RELATED_MIN_DF = 5  # a term fewer articles hold (a name, a typo, a figure of this one story) finds no story
RELATED_FEW_DOCS = 2_000  # in an index of fewer articles, one other article holding a term is enough
RELATED_TITLE = 0.8  # the related search's weight of title matches (a search's TITLE: 0.4)
RELATED_K1 = 3.0  # and its term frequency saturation: an article repeating the story's terms ranks higher
UNDERSTOOD_CACHE = 4096  # queries whose understanding a generation remembers (people repeat queries)
PLAN_CACHE = 4096  # query plans a generation remembers (a plan is only read once made)
WARM_QUERY = "nghi quyet giao thongg"  # typed without accents and with a slip: warm_up loads all understanding reads
LARGE_MATCHES = 64  # a term matching over 1/64 of the documents keeps its own mask during a search


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
    duplicates: list[str] = field(default_factory=list)  # ids of its syndicated copies among the matches

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
                "site": self.site, "snippet": self.snippet, "score": round(self.score, 4),
                "duplicates": self.duplicates}

    @property
    def site(self) -> str:
        """The host of the article's http(s) URL without "www." (empty when there is none)."""
        return site_of(self.url)


@dataclass(frozen=True)
class Health:
    """What of an index answers: the articles of the shards that answered, the shards that did not
    (by name) and how many it has (0: one index, not sharded)."""
    articles: int
    missing_shards: list[str]
    shards: int = 0

    @property
    def unreachable(self) -> bool:
        """Whether no shard answered: nothing of the index can be searched."""
        return _none_answered(self.missing_shards, self.shards)


def _none_answered(missing_shards: list[str], shards: int) -> bool:
    """Whether every shard of a sharded index (shards: how many; 0 for one index) is among those missing."""
    return bool(shards) and len(missing_shards) == shards


@dataclass
class Results:
    """One page of hits, with the total number of results and the time taken.

    Grouped (the default), each group of syndicated copies is one result, listed as its
    best-ranked article (its copies in ``Hit.duplicates``): ``total`` counts results so, and
    ``copies`` the matching articles not listed for that reason (total + copies = matching articles).
    A facet value's count is the total of the search filtered by it: a group once under each value
    its matching articles hold (so a facet's counts may add up to more than the total).
    """
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
    copies: int = 0  # matching articles listed only as copies of a result (Hit.duplicates)
    missing_shards: list[str] = field(default_factory=list)  # a cluster's shards that did not answer
    shards: int = 0  # a cluster's shards (0: an embedded index)
    rounds: int = 0  # a cluster's rounds of calls to its shards for the search (0: an embedded index)
    dropped: list[str] = field(default_factory=list)  # words the shown articles need not hold (too few hold all)
    kept: list[str] = field(default_factory=list)  # when words were dropped, those the shown articles hold
    counting: Callable | None = field(default=None, repr=False, compare=False)  # () -> (facets, facet_missing)
    _counted: tuple[dict, dict] | None = field(default=None, init=False, repr=False, compare=False)
    _counting_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self):
        typed = as_typed(self.rewritten or halfwidth(self.query), self.dropped + self.kept)  # the query analysed once
        read = as_read(self.suggestion, typed)  # named as the engine read them, as the suggestion does
        self.dropped, self.kept = read[:len(self.dropped)], read[len(self.dropped):]
        if self.counting is None:  # nothing to count
            self._counted = empty_facets(), no_missing()

    @property
    def facets(self) -> dict:
        """facet -> [{"value", "count"}]: the results filtering by each lists, most first (counted on first use)."""
        return self._facet_counts()[0]

    @property
    def facet_missing(self) -> dict:
        """facet -> results without a value (counted with facets)."""
        return self._facet_counts()[1]

    def _facet_counts(self) -> tuple[dict, dict]:
        """(facets, facet_missing), counted by counting when first read (many callers never read
        them), once however many threads read them."""
        with self._counting_lock:
            if self._counted is None:
                self._counted = self.counting()
                self.counting = None  # the matches it holds can go
        return self._counted

    @property
    def understood(self) -> tuple[str | None, str | None]:
        """(the query the results are shown for, a reading to propose) as the faces say them: a rewritten
        query whose proposed reading only adds accents to it is shown as that reading and proposed no
        more (giao thogn: results for "giao thông", not for "giao thong" and then "did you mean giao thông")."""
        if self.rewritten and self.suggestion and fold(self.suggestion).lower() == fold(self.rewritten).lower():
            return self.suggestion, None
        return self.rewritten, self.suggestion

    @property
    def partial(self) -> bool:
        """Whether some of a cluster's shards did not answer (their articles are not in the results)."""
        return bool(self.missing_shards)

    @property
    def unreachable(self) -> bool:
        """Whether none of a cluster's shards answered: the search could not look at any article."""
        return _none_answered(self.missing_shards, self.shards)

    def to_dict(self) -> dict:
        """The page as JSON-ready data: the counts, what the engine understood, facets and hits
        (missing_shards, with the number of shards, only when the results are partial)."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.limit,
                "took_ms": round(self.took_ms, 3), "undated": self.undated, "suggestion": self.suggestion,
                "rewritten": self.rewritten, "dropped": self.dropped, "kept": self.kept, "copies": self.copies,
                "facets": self.facets, "facet_missing": self.facet_missing, "hits": [hit.to_dict() for hit in self],
                **({"missing_shards": self.missing_shards, "shards": self.shards} if self.partial else {})}

    def __getstate__(self) -> dict:
        self._facet_counts()  # counted before pickling or copying: the counter and its lock stay behind
        return {**self.__dict__, "counting": None, "_counting_lock": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _counting_lock=threading.Lock())

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
    """A date bound: a date, a datetime or a day as articles' dates are read (articles.read_date:
    2017-05-27, 2017/05/27, 27/05/2017 (day first, as Vietnamese papers write it), ngày 27 tháng 5 năm
    2017), without a time; QueryError otherwise."""
    if value is None or isinstance(value, date):
        return value
    day = read_date(value) if isinstance(value, str) else None
    if day is not None and not isinstance(day, datetime):
        return day
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
    bounds = np.iinfo(np.int64)  # no bound: any date, those before 1970 (negative) too; undated ones are 0
    return bounds.min if first is None else first, bounds.max if last is None else last


def _check_prefix(prefix: str) -> None:
    """Raise QueryError for a prefix too long to complete."""
    if len(prefix) > MAX_SUGGEST_CHARS:
        raise QueryError(f"prefix too long (at most {MAX_SUGGEST_CHARS} characters)",
                         vi=f"Từ khóa quá dài (tối đa {MAX_SUGGEST_CHARS} ký tự).")


def completions(lexicon: Lexicon | None, prefix: str, limit: int, understood=None) -> list[str]:
    """lexicon's completions of a query being typed, its query language kept as typed: only the
    words after its last operator (OR, AND, NOT, -, a quote, title: and the other field prefixes,
    query.FIELD_PREFIX) are completed (``bão OR l``:
    "bão OR lũ", where the words read with the rest had lowercased OR into a word). The prefix is read
    as a search reads its query (query.halfwidth: ``ｇｉá ｖà`` as ``giá và``, zero-width characters and
    soft hyphens dropped), so the completions are what the search would find: the words typed whole
    (before the last, or all after a space) of a query without operators as the search rewrites them
    (understood(text): see understand_query; a typo fixed: ``nghi quyte giao th``, "nghị quyết giao thông"),
    asked only where one of them may be a typo (Lexicon.maybe_mistyped; the rest the completions read as the search does);
    where nothing completes it and its last word, before any space, may be a typo, the query the search
    rewrites it as (``giao thogn``: "giao thông")."""
    if lexicon is None:
        return []
    typed = unicodedata.normalize("NFC", halfwidth(prefix))
    whole, last = (typed, "") if typed[-1:].isspace() else typed.rpartition(" ")[::2]
    plain = understood is not None and not has_operators(typed) and not OPERATORS_END_RE.match(typed)
    rewritten = understood(whole)[0] if plain and any(map(lexicon.maybe_mistyped, whole.split())) else None
    found = _completions(lexicon, f"{rewritten} {last}" if rewritten else prefix, limit)
    if found or not (plain and last and lexicon.maybe_mistyped(last)):
        return found
    meant = understood(typed)[0]
    return _completions(lexicon, meant, limit) if meant and meant.split()[-1:] != [last] else []


def _completions(lexicon: Lexicon, prefix: str, limit: int) -> list[str]:
    """completions(), as typed."""
    prefix = halfwidth(prefix)
    operators = OPERATORS_END_RE.match(prefix)
    if not operators:
        return lexicon.complete(prefix, limit)
    rest = prefix[operators.end():].lstrip()
    head = prefix[:len(prefix) - len(rest)]
    if not rest:
        return []
    if is_pasted(prefix) or not BINDS_RE.search(fields_read(head + "x")[:-1]):  # AND, a quote, body:
        return [head + completion for completion in lexicon.complete(rest, limit)]
    bound, whole = _bound_words(prefix, head), rest[-1:].isspace()
    kept = (_operand_kept(head, rest.split(), completion.split(), bound, whole) for completion in lexicon.complete(rest, limit))
    return list(dict.fromkeys(completion for completion in kept if completion))


def _bound_words(prefix: str, head: str) -> int:
    """How many typed words the last operator of a query being typed binds (it ends head): the word
    pyvi reads there, after an OR (Hà Nội of ``bão OR Hà Nội m``) or NOT, - and title: (``bão -Hà Nội m``,
    query._words_bound)."""
    parsed = parse(prefix)
    if head.rstrip().endswith("OR"):
        return len(parsed.required[-1][-1].text.split()) if parsed.required else 1
    titled = fields_read(head + "x")[:-1].endswith("title:")
    bound = [c for group in parsed.required for c in group if c.title_only] if titled else parsed.excluded
    return len(bound[-1].text.split()) if bound else 1


def _operand_kept(head: str, typed: list[str], words: list[str], bound: int, whole: bool = False) -> str | None:
    """A completion (words) of the words typed after head, whose operator binds the first bound
    of them, written so that the parser reads it as the typed query with its last word completed:
    the words completing the bound ones quoted unless it reads them so unquoted (NOT hanoi m:
    NOT "Hà Nội" một, not NOT Hà Nội một); after an OR, reading them all as its operand does too,
    as the understanding reads a run of words beside an OR (bão OR nghi quy: bão OR nghị quyết).
    whole: the last word typed whole (a space after it), so the words after it are not bound
    (NOT hanoi : NOT "Hà Nội" công bố). None when no words of it spell the bound ones."""
    taken = len(words) if bound >= len(typed) and not whole else _spelling(typed[:bound], words)
    if not taken:
        return None
    plain = head + " ".join(words)
    quoted = [head + " ".join([f'"{" ".join(words[:n])}"', *words[n:]])
              for n in (taken, len(words) if head.rstrip().endswith("OR") or not whole else taken)]
    return plain if any(_read_alike(plain, q) for q in quoted) else quoted[0]


def _spelling(typed: list[str], words: list[str]) -> int | None:
    """How many of the first words spell the typed ones, with any accents and spaces, or as Telex or
    VNI keystrokes (hanoi: Hà Nội; nghij: nghị), or None."""
    wanted = {_spelled(spelled) for spelled in (typed, [decode_keystrokes(w) or w for w in typed])}
    return next((n for n in range(1, len(words) + 1) if _spelled(words[:n]) in wanted), None)


def _spelled(words: list[str]) -> str:
    """The letters of words as one, without marks (canonical: kĩ and kỹ alike)."""
    return fold("".join(map(canonical, words)))


def _read_alike(one: str, other: str) -> bool:
    """Whether the parser reads two queries alike (a phrase as the words it quotes)."""
    return _as_read(parse(one)) == _as_read(parse(other))


def _as_read(parsed) -> tuple:
    """A parsed query as the words it looks for: its free words, its OR groups' and its exclusions'."""
    clause = lambda c: (tuple(c.text.split()), c.title_only)
    return (tuple(" ".join(parsed.free_text).split()), tuple(tuple(map(clause, group)) for group in parsed.required),
            tuple(map(clause, parsed.excluded)))


def _check_paging(sort: str, limit: int, page: int) -> None:
    """Raise QueryError for an unknown sort, or a limit or page out of range."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}",
                         vi=f"Cách sắp xếp không hợp lệ: «{sort}». Chỉ dùng {' hoặc '.join(SORTS)}.")
    for name, value, high in (("limit", limit, MAX_LIMIT), ("page", page, MAX_PAGE)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= high:
            raise QueryError(f"{name} must be a whole number from 1 to {high:,}, not {value!r}",
                             vi=f"{name} không hợp lệ: «{value}». Giá trị phải là số nguyên từ 1 đến {high}.")


def check_id(doc_id) -> None:
    """Raise TypeError for an article id that is not text (None, a number)."""
    if not isinstance(doc_id, str):
        raise TypeError(f"an article id is text (a str), not {type(doc_id).__name__}")


def check_flags(**flags) -> None:
    """Raise TypeError for a yes-or-no option given as anything but True or False ("false" is a true str)."""
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{name} is True or False (a bool), not {value!r}")


def _by_date(matched, recency, window, sort: str, months=None):
    """(matched within the date window and the months chosen, how many matched articles are
    undated and left out or last)."""
    if window is None and months is None:
        return matched, int(np.count_nonzero(matched & (recency == 0))) if sort == "newest" else 0
    undated = matched & (recency == 0)
    within = recency != 0
    if window is not None:
        within &= (recency >= window[0]) & (recency <= window[1])
    return matched & within & (True if months is None else months), int(undated.sum())


def _filtered(matched, masks: dict, facets) -> np.ndarray:
    """matched, narrowed to what these facets' filters keep (matched itself when none applies)."""
    kept = [masks[f] for f in facets if f in masks]
    return np.logical_and.reduce([matched, *kept]) if kept else matched


class _Masks:
    """The documents matching Terms and Phrases during one search, each found once (a word is
    matched for its score, then again for the words articles must hold); the boolean arrays of
    large ones are kept too, since adding them to another costs less than writing their ids."""

    def __init__(self, scorer: Scorer):
        self.scorer, self._ids, self._large = scorer, {}, {}
        self.decided: list[bool] = []  # each count-decided clause's outcome: its folded forms joined, a name's run held

    def any(self, leaves) -> np.ndarray:
        """A new boolean array of the documents matching any of these Terms and Phrases."""
        mask = np.zeros(self.scorer.size, dtype=bool)
        for leaf in leaves:
            key = _leaf_key(leaf)
            ids = self._ids.get(key)
            if ids is None:
                ids = self._ids[key] = self._find(leaf)
            if len(ids) * LARGE_MATCHES > self.scorer.size:
                mask |= self._large_mask(key, ids)
            else:
                mask[ids] = True
        return mask

    def _find(self, leaf) -> np.ndarray:
        if isinstance(leaf, wq.Phrase):
            return self.scorer.phrase(phrase_fields(leaf), leaf.words)
        return self.scorer.matches(leaf.fieldname, leaf.text)

    def _large_mask(self, key, ids) -> np.ndarray:
        large = self._large.get(key)
        if large is None:
            large = self._large[key] = np.zeros(self.scorer.size, dtype=bool)
            large[ids] = True
        return large


def _leaf_key(leaf) -> tuple:
    """What a Term or Phrase looks up: (field, text) or (field, words)."""
    return (phrase_fields(leaf), tuple(leaf.words)) if isinstance(leaf, wq.Phrase) else (leaf.fieldname, leaf.text)


def _clause_mask(masks: _Masks, clause) -> np.ndarray:
    """The documents matching a required clause; as for free words, an accented word's folded
    forms count only when its exact matches are fewer than FOLDED_MATCH_BELOW."""
    leaves = list(clause.leaves())
    exact = [leaf for leaf in leaves if not leaf.fieldname.endswith("_fold")]
    folded = [leaf for leaf in leaves if leaf.fieldname.endswith("_fold")]
    if not exact:
        return masks.any(folded)
    mask = masks.any(exact)
    scorer = masks.scorer
    if folded:
        exact_matches = scorer.counted(_matching(exact), lambda: np.count_nonzero(mask & scorer.live))
        masks.decided.append(scorer.decide(exact_matches, "<", FOLDED_MATCH_BELOW))
        if masks.decided[-1]:
            mask |= masks.any(folded)
    return mask


def _accent_deciding(plan, exact: list) -> list:
    """The exact lookups whose matches, when few, let an accented query's folded forms join: its
    words' rather than its dates' and numbers' (they have no accents to mistype; a rare date beside
    common words, ``giá vàng 22/10``, would fold every word: "già", "váng"), the common words'
    when only dates are left, all of exact when the query has no such word (none: an unaccented query)."""
    words = [t for t in exact if not DATE_RE.fullmatch(t.text)]
    if words or not exact:
        return words
    common = [wq.Term(t.fieldname, t.text) for t in plan.common
              if not t.fieldname.endswith("_fold") and not DATE_RE.fullmatch(t.text)]
    return common or exact


def _dates_bounded(scorer: Scorer, plan, lookups: list) -> list:
    """The lookups with each date's and number's weight bounded: in a field, its boost times its idf
    at most DATE_SHARE of the boosts times the idfs of the query's other words there, so that a rare
    date alone (an address "22/10 khu phố", another year's day) never outweighs the words saying
    what the query is about; unbounded in a query of dates and numbers alone."""
    dated = [isinstance(lookup, Lookup) and bool(DATE_RE.fullmatch(lookup.text)) for lookup in lookups]
    topic = _topic_weights(scorer, plan, {lookup.field for lookup, date in zip(lookups, dated) if date})
    return [_date_bounded(scorer, lookup, topic[lookup.field]) if date and lookup.field in topic else lookup
            for lookup, date in zip(lookups, dated)]


def _named_lookups(scorer: Scorer, named: list) -> list[Weights]:
    """Weights of the phrases of a word and the number naming it (and of those typed
    partly with accents, as typed and as read): the phrase's boost times its idf, so that ``nghị
    định 100`` counts far more than "100" elsewhere."""
    lookups = []
    for q in named:
        ids = scorer.phrase(q.fieldname, q.words)
        lookups.append(Weights(ids, q.boost * scorer.idf(_phrase_count(scorer, q.fieldname, q.words, ids))))
    return lookups


def _topic_weights(scorer: Scorer, plan, fields: set[str]) -> dict[str, float]:
    """Per field of fields, the sum of boost times idf of the terms of the query's words that are no
    dates or numbers (none: no such word)."""
    terms = {(t.fieldname, t.text): t.boost for word in plan.words if not word.date for part in word.parts
             for t in part if t.fieldname in fields and not DATE_RE.fullmatch(t.text)}
    topic = defaultdict(float)
    for (field_name, text), boost in terms.items():
        topic[field_name] += boost * scorer.idf(scorer.doc_frequency(field_name, text))
    return topic


def _date_bounded(scorer: Scorer, lookup: Lookup, topic: float) -> Lookup:
    """A date's or number's lookup, its boost at most DATE_SHARE of topic over its idf."""
    most = DATE_SHARE * topic / scorer.idf(scorer.doc_frequency(lookup.field, lookup.text))
    return lookup._replace(boost=min(lookup.boost, most))


def _matching(leaves) -> tuple:
    """The count key of the live documents matching any of these Terms and Phrases (see Scorer.count)."""
    return "matching", tuple(sorted({_leaf_key(leaf) for leaf in leaves}))


@dataclass
class Found:
    """The first documents one index found for a query, ranked, and how many matched."""
    docs: list[int]
    scores: list[float]
    total: int
    undated: int
    marks: Marks
    missing: dict  # corpus-wide counts the given ones lacked (Scorer.given): key -> this index's own
    facets: dict = field(default_factory=empty_facets)
    facet_missing: dict = field(default_factory=no_missing)
    copies: int = 0  # matching articles left out as copies of a listed one
    duplicates: list = field(default_factory=list)  # per document: the ids of its copies
    dropped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # filled for a cluster shard (Index.find)
    recency: list[int] = field(default_factory=list)
    generation: str = ""
    grouped_by: str = ""  # the generation of the cluster-wide copy groups used ("": the shard's own)
    spread: dict = field(default_factory=dict)  # group spread over shards -> its matched members' rank keys
    firsts: list = field(default_factory=list)  # (document, score, copies) of the first few as the shard lists them
    hits: list | None = None  # their Hits (a cluster shard's first page, when no count it scores with was lacking)
    decided: list = field(default_factory=list)  # the decisions made with estimated counts (Scorer.decided)
    counting: Callable | None = None  # () -> (facets, facet_missing[, spread_counted]), when not counted yet
    spread_counted: list = field(default_factory=list)  # a cluster shard's, counted with its facets (shard_count)


@dataclass
class CopyGroups:
    """Groups of syndicated copies: each document's group and the documents in groups of two or
    more; on a cluster's shard, also which documents' groups have members in other shards."""
    groups: np.ndarray
    grouped: np.ndarray
    spread: np.ndarray | None = None  # per document (cluster shard only)
    generation: str = ""  # the shard generation they were made for

    def members(self, matched, key) -> dict[int, list[tuple]]:
        """Each spread group with matched documents -> their rank keys (plain values), best first."""
        members = defaultdict(list)
        for d in np.flatnonzero(matched & self.spread).tolist():
            members[int(self.groups[d])].append(tuple(v if isinstance(v, str) else float(v) for v in key(d)))
        return {label: sorted(keys) for label, keys in members.items()}


class WordMasks(NamedTuple):
    """The documents holding each query word, those holding any syllable of one, whether
    folded forms counted, and what decided the masks (see tier_state)."""
    masks: list
    anyone: np.ndarray
    folded: bool
    decided: tuple = ()
    phrases: np.ndarray | None = None  # the documents holding the plan's soft phrases (None: it has none)
    syllables: list = []  # per word of several syllables typed apart, their masks (else None): see _names_apart

    def tier_state(self, plan) -> tuple:
        """What the relaxation tiers are made of: the words and every decision a count made on
        the way (a shard counting with its own counts may decide otherwise: another state, another key)."""
        return self.folded, self.decided, tuple(w.text for w in plan.words)


def _word_masks(found: _Masks, words, folded: bool, respelling, respelled_words: set[str],
                phrases: np.ndarray | None = None, sure: frozenset = frozenset()) -> WordMasks:
    """The query words' masks: folded forms count when folded, else as for a required word;
    other spellings count for the abbreviations and codes they stand for; a word read from an
    unaccented query needs its syllables as that word, a syllable alone as read only where its
    reading is sure (phrases: the soft phrases' documents, kept as they are)."""
    masks, apart, anyone = [], [], respelling.anyone.copy()
    for word in words:
        parts = [found.any(lookups) if folded else _clause_mask(found, wq.Or(lookups))
                 for lookups in word.parts]
        for part in parts:
            anyone |= part
        syllables = fold(word.text).split()  # of a word of several (pyvi's), any respelled one
        whole = set(syllables) <= respelled_words
        keys = syllables if len(syllables) == len(parts) else [None] * len(parts)
        held = [part | respelling.of(syllables if s is None else [s])
                if (whole or s in respelled_words) and s not in word.literal else part
                for s, part in zip(keys, parts)]
        apart.append(held[:] if len(parts) > 1 and len(word.text.split()) == len(parts) else None)
        # where another spelling stands in for the word (VN for Việt Nam, heo for lợn), the article
        # holds it as it would hold it read, as a name's run (only for the whole name: HN is no
        # "Triều Hà Nội") or as typed
        standing_in = respelling.of(syllables) if set(syllables) & respelled_words else False
        if word.read:
            held.append(_as_one_word(found, word) | standing_in)
        if word.run:
            held += _name_held(found, word.run, standing_in if whole else False, syllables)
        if word.spelled and word.spelled[0][-1].text in sure:  # as typed so (see _sure_words), or its synonym
            held += [_clause_mask(found, wq.Or(lookups)) | standing_in for lookups in word.spelled]
        masks.append(_every(held))
    return WordMasks(masks, anyone, folded, tuple(found.decided), phrases, apart)


def _name_held(found: _Masks, run: list, standing_in, syllables: list[str]) -> list[np.ndarray]:
    """[the documents holding a name's syllables in a row, or another spelling standing in for it
    (standing_in: a mask, or False)] when a page of articles does, else [] (a name fewer hold, as pyvi
    may join two: ``Thổ Nhĩ Kỳ Qatar``, needs its syllables anywhere, the articles holding the run
    ranked first by proximity, rather than be dropped by _relax)."""
    mask, scorer = found.any(run) | standing_in, found.scorer
    key = _matching(run) if standing_in is False else ("name or standing in", _matching(run), tuple(syllables))
    held = scorer.counted(key, lambda: np.count_nonzero(mask & scorer.live))
    found.decided.append(scorer.decide(held, ">=", RELAX_PAGE))
    return [mask] if found.decided[-1] else []


def _as_one_word(found: _Masks, word) -> np.ndarray:
    """The documents holding a word read from an unaccented query as that word: its reading's
    syllables as read, anywhere (as the query typed with them would need), or, of several syllables,
    its folded compound (any accents)."""
    held = _every([found.any(lookups) for lookups in word.read])
    if word.compound:
        held |= found.any(word.compound)
    return held


def _names_apart(plan, words: WordMasks, matched, scorer: Scorer, tally) -> tuple:
    """(plan, words, tally) of a query that is one word of several syllables typed apart (a name) that
    fewer than a page of articles hold (Park Hang Seo in 2017: 3 hold its syllables, none the name)
    with its syllables as the words, so that relaxing keeps the rarest of them (with as many others as
    a page allows) rather than drop it whole for any syllable; else as given."""
    word = plan.words[0] if len(plan.words) == 1 else None
    if word is None or words.syllables[0] is None or not all(map(str.isalpha, word.text.split())) \
            or scorer.decide(tally(("name",), matched & words.masks[0]), ">=", RELAX_PAGE):
        return plan, words, tally
    split = [replace(word, text=text, parts=[part]) for text, part in zip(word.text.split(), word.parts)]
    return replace(plan, words=split), words._replace(masks=words.syllables[0]), lambda n, mask: tally(("apart", n), mask)


def _relax(plan, words, matched, scorer: Scorer, tally,
           filtered: bool = False) -> tuple[np.ndarray, list[str], list[str], object]:
    """_relax_words, first among the articles holding the plan's soft phrases (quoted beside free
    words); when fewer than a page (RELAX_PAGE) of those are found, among all, the phrases dropped.
    A name fewer than a page hold, all the query has, is relaxed as its syllables where that keeps
    some of them (see _names_apart)."""
    split, apart, apart_tally = _names_apart(plan, words, matched, scorer, tally)
    if split is not plan:
        tier, dropped, kept, shown = _relax_words(split, apart, matched, scorer, apart_tally, filtered)
        if dropped and kept:  # else all its syllables, or any one of them: the name's own tiers say so
            return tier, dropped, kept, ("apart", shown)
    if words.phrases is None:
        return _relax_words(plan, words, matched, scorer, tally, filtered)
    phrased = lambda n, mask: tally(("phrases", n), mask)
    tier, dropped, kept, shown = _relax_words(plan, words, matched & words.phrases, scorer, phrased, filtered)
    if scorer.decide(phrased(("shown", shown), tier), ">=", RELAX_PAGE):
        return tier, dropped, kept, ("phrases", shown)
    tier, dropped, kept, shown = _relax_words(plan, words, matched, scorer, tally, filtered)
    kept = [w.text for w in plan.words] if shown == (0, ()) else kept  # all the words (a longer query's share: not said)
    return tier, [f'"{text}"' for text, _ in plan.soft] + dropped, kept, shown


def _said(plan, dropped: list[str], kept: list[str]) -> tuple[list[str], list[str]]:
    """(dropped, kept) of _relax with the query's words no article holds dropped first, said as dropped
    words are (not for a longer query, which needs only a share of its words); with every word
    dropped, kept names the quoted phrases the articles shown hold."""
    if plan.absent and not is_longer(plan.words):
        dropped = plan.absent + dropped
        kept = [w.text for w in plan.words if w.text not in dropped]
    return dropped, kept or (plan.quoted if dropped else [])


def _relax_words(plan, words, matched, scorer: Scorer, tally,
                 filtered: bool = False) -> tuple[np.ndarray, list[str], list[str], object]:
    """(the articles shown, the words they need not hold, the words they hold when some were
    dropped, the tally key of the tier shown), given the WordMasks and tally(n, tier): the Count
    of the articles of tier n shown (corpus-wide, see Scorer.counted), which only scorer.decide
    compares. A query of up to ALL_WORDS words (``query.is_longer``) needs them all when a page of
    articles (RELAX_PAGE, not the caller's limit: a caller asking 5 gets the first 5 of the page) hold them, else fewer (``_tiers``). A longer query (a headline, pasted text)
    needs MIN_SHOULD_MATCH of its words. In the end, any syllable of them (beside a quoted phrase, not
    an OR of plain words: every article holding it, which the words rank), unless the last tier before
    keeps a code typed and some article holds it (``_code_kept``). Filtered (a source,
    category, month or date range chosen), the tiers are counted within the filter and never go
    past its articles holding the rarest word some of them hold (a longer query: its share)."""
    masks, anyone = words.masks, words.anyone
    if not masks:
        return matched, [], [], None
    # in the end any syllable of the words; beside a quoted phrase, every article holding it (the words rank them)
    last = matched if plan.quoted else matched & anyone
    if is_longer(plan.words):
        if _names_only(plan) and scorer.decide(tally("names", every := matched & _every(masks)), ">=", RELAX_PAGE):
            return every, [], [], "names"  # names only (Hồ Ngọc Hà Kim Lý): those holding them all, when a page does
        held = _held(masks)
        tier = matched & (held >= math.ceil(MIN_SHOULD_MATCH * len(masks)))
        return (tier, [], [], 0) if filtered or scorer.decide(tally(0, tier), ">=", RELAX_PAGE) \
            else (last, [], [], "any")
    tiers = _tiers(plan, masks, matched, scorer, tally)
    tiers += [] if filtered else [(last, list(range(len(masks))))]
    # all of them, keyed by the words each drops: shards that chose another rarest word count apart
    sizes = [tally((n, tuple(dropped)), tier) for n, (tier, dropped) in enumerate(tiers)]
    shown = next((n for n, size in enumerate(sizes) if scorer.decide(size, ">=", RELAX_PAGE)), len(tiers) - 1)
    if not filtered and shown == len(tiers) - 1 and _code_kept(plan, tiers[-2][1]) \
            and scorer.decide(sizes[-2], ">", 0):
        shown = len(tiers) - 2  # the code's articles, not those holding its pieces
    if scorer.decide(sizes[shown], "==", sizes[0]):  # dropping found nothing more
        shown = 0
    tier, dropped = tiers[shown]
    key = (shown, tuple(dropped))
    if filtered:  # fewer than a page: said dropped, only the words some of them lack
        dropped = _lacked(scorer, tally, key, tier, sizes[shown], [(i, masks[i]) for i in dropped])
    return tier, [plan.words[i].text for i in dropped], \
        [w.text for i, w in enumerate(plan.words) if dropped and i not in dropped], key


def _names_only(plan) -> bool:
    """Whether every word of the query stands in a name it types (plan.names: pyvi reads Hồ Ngọc Hà Kim Lý as five)."""
    inside = {fold(term) for run in plan.names for term in run}
    return bool(inside) and all(set(fold(word.text).split()) <= inside for word in plan.words)


def _sure_words(lexicon, reading: str | None, rewritten: str | None) -> frozenset[str]:
    """The syllables of a short unaccented query's reading matched as read, as if typed so
    (Lexicon.sure_syllables of lexicon(), asked only for a reading: an exact search neither waits
    for the Lexicon nor starts it): none for a query the understanding rewrote (its reading reads
    its own guesses: ``vxng 9999``, "vòng 9999", meant "vàng") or while the Lexicon is built."""
    if reading is None or rewritten is not None or (read := lexicon()) is None:
        return frozenset()
    return read.sure_syllables(reading)


def _lacked(scorer: Scorer, tally, key, tier, size, dropped: list) -> list[int]:
    """Of the (word, mask) pairs a tier of size articles drops, the words some of them lack."""
    return [i for i, mask in dropped if not scorer.decide(tally(("whole", key, i), tier & mask), "==", size)]


def _code_kept(plan, dropped: list[int]) -> bool:
    """Whether the words a tier keeps (all but those dropped) hold a code typed (86/2010/QĐ-TTg,
    U23, 17/11/2019): the most specific of words, whose pieces mean nothing in its place."""
    return any(is_code(word.text) for i, word in enumerate(plan.words) if i not in dropped)


def _held(masks: list) -> np.ndarray:
    """How many of the masks hold each document (added one by one into bytes: np.sum of the list
    copies them into one 2-D array first, three times slower)."""
    held = np.zeros(len(masks[0]), dtype=np.uint8 if len(masks) < 256 else np.int32)
    for mask in masks:
        held += mask
    return held


def _or_spellings(respelling: Respelling, group, clause) -> np.ndarray | bool:
    """The articles an OR's clause holds by the other spellings of its words (VN: "Việt Nam"), else False."""
    return respelling.within(_clause_words(clause)) if len(group.subqueries) > 1 else False


def _excluded_mask(masks, respelling: Respelling, excluded) -> np.ndarray:
    """The articles an exclusion removes: those holding its words, or their other spellings (-VN: "Việt Nam")."""
    mask = masks.any(excluded.leaves())
    for clause in excluded.subqueries:
        mask |= respelling.within(_clause_words(clause))
    return mask


def _clause_words(clause) -> set[str]:
    """The folded words of a clause's leaves (a compound's syllables, a phrase's words)."""
    return {fold(word) for leaf in clause.leaves()
            for text in (leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text]) for word in text.split("_")}


def _either(masks: list) -> np.ndarray:
    """A new mask of the documents in any of the masks."""
    return _combined(masks, np.logical_or)


def _every(masks: list) -> np.ndarray:
    """A new mask of the documents in all the masks."""
    return _combined(masks, np.logical_and)


def _combined(masks: list, combine) -> np.ndarray:
    """The masks combined pairwise into a copy of the first (np.logical_or.reduce of a list
    copies them all into one 2-D array first)."""
    found = masks[0].copy()
    for mask in masks[1:]:
        combine(found, mask, out=found)
    return found


def _tiers(plan, masks, matched, scorer: Scorer, tally) -> list[tuple[np.ndarray, list[int]]]:
    """(articles, the words they need not hold) from all the words to fewer: likely typos (words
    the proposed reading spells otherwise) are dropped first, then dates and numbers (not those naming
    the word before them: nghị định 100); then the word the fewest articles hold (the most informative,
    no such number) stays, with any n-2, n-3, ... of the n-1
    others (Meilisearch's "frequency" strategy; which of the others go is left to the ranking).
    The rarest is one some article (of the filter, when filtered) holds, if any does: a name no article
    holds whole (Park Hang Seo ghi bàn) had emptied every tier but the last, any syllable."""
    typos = [i for i, w in enumerate(plan.words) if w.mistyped]
    when = when_places(plan.words)
    first = typos + [i for i, w in enumerate(plan.words) if (w.date or i in when) and not w.mistyped]
    rest = [i for i in range(len(masks)) if i not in first] or first
    keepers = [i for i in rest if not plan.words[i].named] or rest  # a number naming a word means nothing alone
    sizes = [tally(("word", i), matched & masks[i]) for i in keepers]
    rarest = keepers[_fewest(scorer, sizes, held_only=True)]
    held = _held([masks[i] for i in rest])
    tiers = [(matched & _every(masks), [])]
    if first and rest is not first:  # likely typos, then dates and numbers
        if 0 < len(typos) < len(first):
            tiers.append((matched & _every([m for i, m in enumerate(masks) if i not in typos]), typos))
        tiers.append((matched & (held == len(rest)), first))
    others = [i for i in range(len(masks)) if i != rarest]
    return tiers + [(matched & masks[rarest] & (held >= k), others) for k in range(len(rest) - 1, 0, -1)]


def _fewest(scorer: Scorer, sizes: list, held_only: bool = False) -> int:
    """The place of the smallest of the Counts sizes, the first of equal ones (held_only: of those
    above 0, when one is). Each is decided equal to the smallest before it or not, then smaller or
    not: the decisions min() made of (count, place) pairs, so a cluster's front checks the same
    ones as before (cluster.decided_alike)."""
    held = [not held_only or scorer.decide(size, ">", 0) for size in sizes]
    fewest = held.index(True) if any(held) else 0
    for j in range(fewest + 1, len(sizes)):
        if held[j] and not scorer.decide(sizes[j], "==", sizes[fewest]) \
                and scorer.decide(sizes[j], "<", sizes[fewest]):
            fewest = j
    return fewest


def _scores(scorer: Scorer, lookups: list, matched, docs: np.ndarray) -> np.ndarray:
    """The scores of the matched documents (docs: their ids) for the lookups (Lookup, Weights),
    added in order; 0 for other documents."""
    scores = np.zeros(scorer.size, dtype=np.float32)
    for lookup in lookups:
        if isinstance(lookup, Weights):
            held = matched[lookup.ids]
            weight = lookup.weight
            scores[lookup.ids[held]] += weight[held] if isinstance(weight, np.ndarray) else weight
        elif lookup.within is not None:  # scored apart: the scorer may score more documents than asked
            within = matched & lookup.within
            ids, part = docs[within[docs]], np.zeros(scorer.size, dtype=np.float32)
            scorer.add(part, lookup.field, lookup.text, lookup.boost, within=(within, ids))
            scores[ids] += part[ids]
        else:
            scorer.add(scores, lookup.field, lookup.text, lookup.boost, within=(matched, docs))
    return scores


def _proximity_pool(scorer: Scorer, plan, sort: str, relaxed: tuple, pool: np.ndarray, words) -> tuple | None:
    """(the articles the proximity of the query's words ranks, whether the lead prior ranks them
    too) when it ranks (by relevance), else None (relaxed: what names the pool in the counts): every matched
    article when at most NEAR_MAX match corpus-wide, so that shards rank alike; else the first of
    the narrower pools (_narrower_pools) that holds at most its limit of articles (corpus-wide too)."""
    if sort != "relevance" or not plan.near:
        return None
    if scorer.decide(scorer.counted(("pool", *relaxed), pool.__len__), "<=", NEAR_MAX):
        return pool, True
    for name, narrower, most in _narrower_pools(scorer, plan, pool, words):
        if scorer.decide(scorer.counted(("pool", *relaxed, name), narrower.__len__), "<=", most):
            return narrower, False  # the lead prior there lost known items (vietnews-title unaccented)
    return None


def _narrower_pools(scorer: Scorer, plan, pool: np.ndarray, words):
    """(name, articles, limit) of the pool's articles holding every query word (words: the
    WordMasks), then of those of them holding each of its words of several syllables as that word
    (its compound: `nghị quyết giao thông` wants `giao_thông`, not `ngoại giao` and `thông qua`;
    a cheap intersection of compound postings), each made only when asked."""
    if not words.masks:
        return
    whole = pool[_every(words.masks)[pool]]
    yield "all words", whole, NEAR_MAX
    if plan.compounds:
        yield "compounds", whole[_holding_compounds(scorer, plan)[whole]], NEAR_MAX_COMPOUNDS


def _holding_compounds(scorer: Scorer, plan) -> np.ndarray:
    """A mask of the documents holding each of the plan's compounds in one of its proximity fields."""
    held = np.ones(scorer.size, dtype=bool)
    for term in dict.fromkeys(plan.compounds):
        found = np.zeros(scorer.size, dtype=bool)
        for field_name, _, _ in plan.near:
            found[scorer.matches(field_name, term)] = True
        held &= found
    return held


def _counted(scorer: Scorer, plan, lookups: list, pool: np.ndarray, sort: str, relaxed: tuple, words) -> Found:
    """A Found of no documents whose missing counts are all those ranking the pool would read."""
    for lookup in lookups:
        if isinstance(lookup, Lookup):
            scorer.scoring_counts(lookup.field, lookup.text)
    near = _proximity_pool(scorer, plan, sort, relaxed, pool, words)
    if near:
        lead = near[1]
        for field_name, near_words, _ in [entry for sequences in (plan.near, *plan.near_otherwise) for entry in sequences]:
            scorer.proximity_counts(field_name, near_words)
            if lead and field_name in LEAD_FIELDS:
                scorer.lead_counts(field_name, near_words)
    for run in plan.names if sort == "relevance" else []:
        _name_idf(scorer, plan, run)
    return Found([], [], 0, 0, plan.marks, scorer.missing)


def _add_proximity(scorer: Scorer, scores, plan, docs: np.ndarray, lead: bool) -> None:
    """Add to the scores of docs the best proximity of the query's sequences (its words, or a
    synonym's other spelling in their place: plan.near_otherwise), see _proximity."""
    docs = np.sort(docs)
    best = _proximity(scorer, plan.near, plan.near, docs, lead)
    for near in plan.near_otherwise:
        best = np.maximum(best, _proximity(scorer, near, plan.near, docs, lead))
    scores[docs] += best


def _proximity(scorer: Scorer, near: list, typed: list, docs: np.ndarray, lead: bool) -> np.ndarray:
    """Per document of docs (sorted), the proximity of the sequence's consecutive words, a bonus where
    they all stand together as typed, and, with lead, one for each word in a body's lead; a sequence
    weighs no more than the typed one (typed) would, its words together no rarer (heo in a folded
    field for lon, which lớn and lon write too; heo for lợn in a body's lead)."""
    scores = np.zeros(scorer.size, dtype=np.float32)
    for (field_name, words, boost), (_, typed_words, _) in zip(near, typed):
        share = 1 / max(1.0, scorer.run_idf(field_name, words) / scorer.run_idf(field_name, typed_words))
        scorer.proximity(scores, field_name, words, docs, share * boost, RUN * share * boost / NEAR)
        if lead and field_name in LEAD_FIELDS:
            scorer.lead(scores, field_name, words, docs, share)
    return scores[docs]


def _pool_scores(scorer: Scorer, plan, lookups: list, matched, pool: np.ndarray, sort: str, relaxed: tuple, words):
    """The scores of the pool's articles (matched: their mask): the lookups', plus the proximity of
    the query's words (see _proximity_pool)."""
    scores = _scores(scorer, lookups, matched, pool)
    near = _proximity_pool(scorer, plan, sort, relaxed, pool, words)
    if near:
        _add_proximity(scorer, scores, plan, *near)
    if sort == "relevance":
        _add_names(scorer, scores, plan, matched)
    return scores


def _add_names(scorer: Scorer, scores, plan, matched: np.ndarray) -> None:
    """Add NAME times its idf (see _name_idf) once to the scores of the matched articles holding a name the
    query types (plan.names) as typed in their title or body (the whole index's phrase postings)."""
    for run in plan.names:
        holding = reduce(np.union1d, [scorer.phrase(f, run) for f, _, _ in plan.near])
        scores[holding[matched[holding]]] += np.float32(NAME * _name_idf(scorer, plan, run))


def _name_idf(scorer: Scorer, plan, run: list[str]) -> float:
    """A name's idf: of the bodies holding it as typed (exact or folded as the query's proximity), counted
    over the whole index: Phạm Gia Bảo in 4 of 179,251, Gia Bảo in hundreds."""
    body = next(f for f, _, _ in plan.near if f.startswith("body"))
    return scorer.idf(scorer.count(("phrase", body, tuple(run))))


def _listing(grouping: "CopyGroups | None", matched, pool: np.ndarray, key) -> tuple:
    """(the ids of the listed articles, those this index ranks, listed article -> its copies, the
    groups spread over a cluster's shards, which its front ranks); grouping None: every match listed."""
    if grouping is None:
        return pool, pool, {}, {}
    listed, copies = _grouped(grouping, matched, key)
    shown = pool if listed is matched else pool[listed[pool]]
    spread = grouping.members(matched, key) if grouping.spread is not None else {}
    return shown, shown[~grouping.spread[shown]] if spread else shown, copies, spread


class Respelling(NamedTuple):
    """The articles other spellings of the query match (no exact matches): all of them, those of
    the words typos may stand for (in place of the folded words typo_words), and per form typed (its
    folded terms), those its abbreviation's, code's or synonym's other spellings match (VN Index:
    vnindex stands in for vn and index, việt nam for vn alone)."""
    anyone: np.ndarray
    typos: np.ndarray
    by_form: dict  # the typed form (folded terms) -> the articles its other spellings match
    typo_words: frozenset = frozenset()

    def of(self, terms) -> np.ndarray:
        """The articles other spellings match in place of any of these folded terms typed (a typo's
        readings only in place of the word it is in: laptop cu, "của" is no laptop)."""
        mask = self.typos.copy() if self.typo_words.intersection(terms) else np.zeros_like(self.typos)
        for form, found in self.by_form.items():
            if not set(form).isdisjoint(terms):
                mask |= found
        return mask

    def within(self, words: set[str]) -> np.ndarray:
        """The articles the other spellings of forms typed wholly among these folded words match (an OR's
        clause VN: those of "Việt Nam"; xe hơi: those of "ô tô")."""
        mask = np.zeros_like(self.anyone)
        for form, found in self.by_form.items():
            if words.issuperset(form):
                mask |= found
        return mask


def _respellings(scorer: Scorer, alternatives, lookups: list) -> Respelling:
    """The articles that other spellings (terms and phrases) of the query match, which are no exact
    matches; the lookups that score them are appended to lookups."""
    respelling = Respelling(np.zeros(scorer.size, dtype=bool), np.zeros(scorer.size, dtype=bool), {})
    for q, instead_of in alternatives:
        phrase = isinstance(q, wq.Phrase)
        ids = scorer.phrase(q.fieldname, q.words) if phrase else scorer.matches(q.fieldname, q.text)
        if isinstance(instead_of, Written):
            ids = _outside_kept_phrases(scorer, q, ids)
        if instead_of is not None and _one_code(q, instead_of):
            lookups.append(_code_standing_in(scorer, q, instead_of[0]))
        elif instead_of is not None:
            lookups.append(_standing_in(scorer, q, ids, instead_of))
        elif phrase:
            lookups.append(Weights(ids, q.boost * scorer.idf(_phrase_count(scorer, q.fieldname, q.words, ids))))
        elif q.boost:  # a word a typo may stand for only matches
            lookups.append(Lookup.of(q))
        respelling.anyone[ids] = True
        if instead_of is None:
            respelling.typos[ids] = True
        else:
            respelling.by_form.setdefault(tuple(map(fold, instead_of)), np.zeros(scorer.size, dtype=bool))[ids] = True
    return respelling


def _outside_kept_phrases(scorer: Scorer, q, ids: np.ndarray) -> np.ndarray:
    """ids but the documents holding a phrase in which a synonym's words keep their own meaning (lợn
    finds heo, not the articles writing "heo hút", a remote place: one writing both loses the synonym)."""
    words = tuple(q.words) if isinstance(q, wq.Phrase) else (q.text,)
    for phrase in kept_phrases(words):
        ids = np.setdiff1d(ids, scorer.phrase(q.fieldname, list(phrase)), assume_unique=True)
    return ids


def _standing_in(scorer: Scorer, q, ids: np.ndarray, typed: tuple[str, ...]) -> Lookup | Weights:
    """The weight of another spelling in the articles where it stands in for the one typed (those
    holding it but not the typed words in that field): an article holding both scores the typed one
    alone; it weighs as each of the words it stands for (CSGT for cảnh sát giao thông: four, not
    one), each no more than itself, so that a rare abbreviation outweighs no word (DN: doanh nghiệp).
    Typed words Written (a synonym's: heo for lợn) are looked up with their accents (lợn, not lớn),
    and a synonym of one term is a Lookup within those articles: scored by BM25, its times in an
    article counting as the typed word's would, with that weight; one of several words (ô tô for
    xe hơi) gives each article its weight times BM25 of the phrase's runs."""
    typed_field = q.fieldname.removesuffix("_fold") + ("" if isinstance(typed, Written) else "_fold")
    holding_typed = scorer.holding_all(typed_field, typed)
    held = _phrase_count(scorer, q.fieldname, q.words, ids) if isinstance(q, wq.Phrase) else scorer.doc_frequency(q.fieldname, q.text)
    weight = sum(scorer.idf(max(held, scorer.doc_frequency(typed_field, w))) for w in typed)
    ids = ids[~present(holding_typed, ids)]
    if isinstance(typed, Written) and isinstance(q, wq.Term):  # a synonym's word: by BM25, as the typed word
        within = np.zeros(scorer.size, dtype=bool)
        within[ids] = True
        return Lookup(q.fieldname, q.text, q.boost * weight / scorer.idf(held), within)
    if isinstance(typed, Written):  # a synonym's words: by BM25 too, their runs as the term frequency
        frequencies = scorer.phrase_frequencies(q.fieldname, q.words, ids)
        return Weights(ids, scorer.saturated(q.fieldname, frequencies, ids, q.boost * weight))
    return Weights(ids, q.boost * weight)


def _one_code(q, typed: tuple[str, ...]) -> bool:
    """Whether a term is another spelling of the one code typed (22/10 of 22-10)."""
    return isinstance(q, wq.Term) and len(typed) == 1 and is_code(q.text) and is_code(typed[0])


def _code_standing_in(scorer: Scorer, q, typed: str) -> Lookup:
    """A lookup of another spelling of a code typed, scored as the typed one would be (BM25
    with the idf of the more frequent spelling) times its boost: it ranks under the typed spelling."""
    field, own = q.fieldname, scorer.doc_frequency(q.fieldname, q.text)
    held = scorer.idf(max(own, scorer.doc_frequency(field, typed)))
    return Lookup(field, q.text, q.boost * code_weight(typed) * held / scorer.idf(own))


def _phrase_count(scorer: Scorer, field: str, words, ids: np.ndarray) -> int:
    """In how many articles (corpus-wide) a phrase stands, ids those of this index."""
    return scorer.count(("phrase", field, tuple(words)), ids.__len__)


def _top(scores, ids: np.ndarray, n: int) -> np.ndarray:
    """The n best-scoring of the documents ids, unordered."""
    if len(ids) > n:
        ids = ids[np.argpartition(-scores[ids], n - 1)[:n]]
    return ids


def newest_order(recency: np.ndarray) -> np.ndarray:
    """The newest-first sort key of each document: its recency, undated ones (0) after the oldest
    (dates before 1970 are negative); one above int64's least, so that its negation fits."""
    return np.where(recency == 0, np.iinfo(np.int64).min + 1, recency)


def _rank_key(scores, recency, doc_id):
    """The sort key of a document: by score or (given recency) newest first, then by article id."""
    if recency is None:
        return lambda d: (-scores[d], doc_id(d))
    return lambda d: (-recency[d], -scores[d], doc_id(d))


def _rank(scores, matched: np.ndarray, recency, doc_id, n: int) -> list[int]:
    """The first n matched documents (matched: their ids, ascending), by score or (given recency)
    newest first, then by article id."""
    if recency is None:
        ids = _top(scores, matched, n)
        if len(ids):  # documents tied with the n-th best are candidates too: their ids decide
            ids = matched[scores[matched] >= scores[ids].min()]
        return sorted(ids.tolist(), key=_rank_key(scores, None, doc_id))[:n]
    ids = matched[np.lexsort((-scores[matched], -recency[matched]))]
    if len(ids) > n:  # keep the documents tied with the n-th
        tied = (recency[ids[n:]] == recency[ids[n - 1]]) & (scores[ids[n:]] == scores[ids[n - 1]])
        ids = ids[:n + (len(tied) if tied.all() else int(np.argmin(tied)))]
    return sorted(ids.tolist(), key=_rank_key(scores, recency, doc_id))[:n]


def _copies(matched, groups, grouped, key) -> dict[int, list[int]]:
    """The best-ranked (by key) matched article of each group of copies -> its matched copies, in order."""
    members = defaultdict(list)
    for d in grouped[matched[grouped]].tolist():
        members[int(groups[d])].append(d)
    best = {}
    for docs in members.values():
        if len(docs) > 1:
            first, *rest = sorted(docs, key=key)
            best[first] = rest
    return best


class _Memo:
    """The last size answers remembered by key, least recently used forgotten first (thread-safe)."""

    def __init__(self, size: int):
        self.size, self.answers, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        """The answer remembered for key, or None."""
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
            return answer

    def put(self, key, answer) -> None:
        """Remember an answer (not None) for key."""
        with self.lock:
            self.answers[key] = answer
            self.answers.move_to_end(key)
            if len(self.answers) > self.size:
                self.answers.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer."""
        with self.lock:
            self.answers.clear()

    def understood(self, query_text: str, understand) -> tuple[str | None, str | None, tuple[str, ...]]:
        """understand_query()'s answer for the NFC query, remembered here (keyed by it): understand(key)
        gives (the answer, whether it is final: made with a ready Lexicon and every count)."""
        key = unicodedata.normalize("NFC", query_text)
        answer = self.get(key)
        if answer is None:
            answer, final = understand(key)
            if final:
                self.put(key, answer)
        return answer


class _DecisionsRead(TermStats):
    """A plan's TermStats noting each decision made (kind, field, term) -> answer."""

    def __init__(self, scorer: Scorer):
        super().__init__(scorer)
        self.decisions = {}

    def held(self, field: str, term: str) -> bool:
        answer = self.decisions["held", field, term] = super().held(field, term)
        return answer

    def common(self, field: str, term: str) -> bool:
        answer = self.decisions["common", field, term] = super().common(field, term)
        return answer

    def more_often(self, field: str, phrases: tuple) -> bool:
        answer = self.decisions["more_often", field, phrases] = super().more_often(field, phrases)
        return answer

    def phrase_held(self, field: str, words: tuple) -> bool:
        answer = self.decisions["phrase_held", field, words] = super().phrase_held(field, words)
        return answer


class _Snapshot:
    """One generation as searches see it: reader, scorer and arrays, closed after its last user."""

    def __init__(self, generation: Path, reader, background: bool = True):
        try:
            self.scorer = Scorer(reader, SCORED_FIELDS)
            self.recency = self.scorer.column("recency")
            self.newest = newest_order(self.recency)
            self.facets = FacetColumns(reader, self.recency)
            self.groups, self.grouped = copy_groups(reader, generation)
            self._grouped_ids = dict(zip(self.grouped.tolist(), map(reader.doc_id, self.grouped.tolist())))
        except BaseException:  # e.g. removed while opening
            reader.close()
            raise
        self.generation, self.reader = generation, reader
        self._background = background  # whether lexicon(wait=False) may start a build in a thread
        self._users = 1  # the Index's own reference, dropped when a newer snapshot replaces it
        self._users_lock = threading.Lock()
        self._lexicon: Lexicon | None = None
        self._lexicon_lock = threading.Lock()  # one build at a time; who waited takes it
        self._thread_lock = threading.Lock()  # starts the background build once, never held by it
        self._lexicon_thread: threading.Thread | None = None
        self._merged: _Snapshot | None = None  # the generation this one merged, held while it builds its Lexicon
        self._merged_lexicon: Lexicon | None = None  # or its Lexicon, ready
        self._meanwhile: Lexicon | None = None  # an earlier generation's, answering until this one's is ready
        self._meanwhile_lock = threading.Lock()  # guards _meanwhile (and its one reading from LEXICON_BEFORE)
        self._meanwhile_read = False
        self._understood = _Memo(UNDERSTOOD_CACHE)  # NFC query -> understand_query()
        self._plans = _Memo(PLAN_CACHE)  # (text, suggestion, exact, others) -> _plan() on this generation's scorer
        self._given_plans = _Memo(PLAN_CACHE)  # the same -> (decisions made, _plan()) with a cluster's counts

    def doc_id(self, docnum: int) -> str:
        """The article id of a document (those in groups of copies, whose ranks compare their ids, read once)."""
        return self._grouped_ids.get(docnum) or self.reader.doc_id(docnum)

    def understood(self, query_text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
        """understand_query() on this generation, remembered for the last UNDERSTOOD_CACHE
        queries once the Lexicon is ready (before, the answers lack it and are not kept)."""
        return self._understood.understood(query_text, self._understanding)

    def _understanding(self, key: str) -> tuple[tuple, bool]:
        ready = self._lexicon is not None  # read first: an answer without the Lexicon is not kept
        return understand_query(key, lambda term: _frequency(self.scorer, term),
                                self.searching_lexicon,
                                lambda words: self.scorer.count(("all", COOC_FIELD, words))), ready

    def searching_lexicon(self) -> Lexicon | None:
        """lexicon() for a search: it waits for a small index's only (LEXICON_WAIT_DOCS)."""
        return self.lexicon(wait=self.scorer.doc_count() <= LEXICON_WAIT_DOCS)

    def plan(self, scorer: Scorer, text: str, suggestion: str | None, exact: bool, others: tuple = ()):
        """_plan() of a query, remembered for the last PLAN_CACHE queries planned with this
        generation's own scorer; a cluster shard's (given other counts) while the counts it read
        are the same."""
        key = (text, suggestion, exact, others)
        if scorer is not self.scorer:
            return self._given_plan(scorer, key)
        planned = self._plans.get(key)
        if planned is None:
            planned = _plan(TermStats(scorer), *key)
            self._plans.put(key, planned)
        return planned

    def _given_plan(self, scorer: Scorer, key: tuple):
        # the same decisions make the same plan (a cluster's counting round estimates the sums its
        # ranking round is given); deciding again also records the counts the given ones lack
        remembered = self._given_plans.get(key)
        stats = TermStats(scorer)
        if remembered is not None and all(getattr(stats, kind)(field, term) == answer
                                          for (kind, field, term), answer in remembered[0].items()):
            return remembered[1]
        reads = _DecisionsRead(scorer)
        planned = _plan(reads, *key)
        self._given_plans.put(key, (reads.decisions, planned))
        return planned

    def acquire(self) -> "_Snapshot":
        """Count one more user (a search); the caller holds the Index lock."""
        with self._users_lock:
            self._users += 1
        return self

    def lexicon(self, wait: bool) -> Lexicon | None:
        """This generation's Lexicon, read from its folder or built (and saved there) on first
        use; without wait, while a background thread (holding the snapshot open) builds it, an
        earlier generation's (see _meanwhile_lexicon), or None; without background no thread
        starts: the same until another process saves it."""
        building = self._lexicon_thread is not None  # then no search reads the file's format again
        if self._lexicon is None and not wait and (building or not Lexicon.saved_in(self.generation / LEXICON_FILE)):
            with self._thread_lock:  # not _lexicon_lock: the build holds it for seconds
                if self._lexicon_thread is None and self._background:
                    self._lexicon_thread = threading.Thread(target=self._build_lexicon, args=(self.acquire(),),
                                                            daemon=True)
                    self._lexicon_thread.start()
            return self._meanwhile_lexicon()
        return self._lexicon or self._build_lexicon()

    def _meanwhile_lexicon(self) -> Lexicon | None:
        """This generation's Lexicon if ready, else the one answering until it is: the generation
        before's, handed over by follow, or the one its update linked into its folder (read once)."""
        with self._meanwhile_lock:
            if self._lexicon is None and self._meanwhile is None and not self._meanwhile_read:
                self._meanwhile_read = True
                self._meanwhile = Lexicon.load(self.generation / LEXICON_BEFORE)
            return self._lexicon or self._meanwhile

    def follow(self, old: "_Snapshot") -> None:
        """Unless this generation has its Lexicon saved, answer with old's (or the one old answers
        with) until it has one. When it merged old's (the same live articles), take old's rather
        than build one (saving it here): ready, or when old's build (started) ends."""
        if Lexicon.saved_in(self.generation / LEXICON_FILE):
            return
        with old._meanwhile_lock:
            self._meanwhile = old._lexicon or old._meanwhile
        if _merged_from(self.generation) != old.generation.name:
            return
        if old._lexicon is not None:
            self._merged_lexicon = old._lexicon
        elif old._lexicon_thread is not None:
            self._merged = old.acquire()

    def _inherited(self) -> Lexicon | None:
        """The Lexicon of the generation this one merged, if it follows one (see follow)."""
        merged, ready = self._merged, self._merged_lexicon
        try:
            return merged.lexicon(wait=True) if merged is not None else ready
        finally:
            self._forget_merged()

    def _forget_merged(self) -> None:
        """Hold the generation this one merged (and its Lexicon) no longer."""
        merged, self._merged, self._merged_lexicon = self._merged, None, None
        if merged is not None:
            merged.release()

    def _build_lexicon(self, user: "_Snapshot | None" = None) -> Lexicon:
        try:
            with self._lexicon_lock:
                if self._lexicon is None:
                    lexicon = _saved_lexicon(self.generation, lambda: self._inherited() or _lexicon_of(self.reader))
                    self._forget_merged()  # when another process saved it first, not inherited
                    if user is not None:  # in the background: the first queries need not wait for it
                        lexicon.prepare_typos()
                    with self._meanwhile_lock:
                        self._lexicon, self._meanwhile = lexicon, None  # the one before released
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
            self._forget_merged()


def copy_groups(reader, generation: Path) -> tuple[np.ndarray, np.ndarray]:
    """(each document's group of syndicated copies, the documents in groups of two or more), as
    saved in the generation's folder, else grouped (0.6 s at 179,251 articles) and saved there."""
    path = generation / GROUPS_FILE
    groups = _saved_groups(path, reader.size)
    if groups is None:
        groups = _grouped_copies(reader)
        try:
            with replaced(path) as f:
                np.save(f, groups)
        except OSError:  # a folder this process may not write: grouped again by the next one
            pass
    return groups, np.flatnonzero(np.bincount(groups, minlength=len(groups))[groups] > 1)


def _saved_groups(path: Path, size: int) -> np.ndarray | None:
    """The groups saved in path for a generation of size documents, or None (none, or damaged)."""
    try:
        groups = read_array(path)
    except (OSError, ValueError, EOFError):
        return None
    fits = groups.shape == (size,) and groups.dtype.kind == "i" and (not size or 0 <= groups.min() <= groups.max() < size)
    return groups if fits else None


def _grouped_copies(reader) -> np.ndarray:
    """Each document's group of syndicated copies, from the stored SimHashes of the live documents,
    template pages told apart by their numbers."""
    found = {}

    def numbers_of(doc: int):
        if doc not in found:
            found[doc] = _numbers(reader, doc)
        return found[doc]

    hashes = simhashes(reader.column("fingerprint", str))
    return duplicates.groups(hashes, reader.live, lambda a, b: duplicates.apart(numbers_of(a), numbers_of(b)))


def _numbers(reader, doc: int) -> tuple[set[int], set[int]]:
    """The numbers of a document's title and text that tell template pages apart (duplicates.apart)."""
    stored = reader.stored_fields(doc)
    return duplicates.numbers(stored.get("title", ""), f"{stored.get('lead') or ''} {stored.get('body', '')}")


def _open_snapshot(path: Path, background: bool = True) -> _Snapshot:
    """A snapshot of the live generation (retrying while builds keep swapping it)."""
    for attempt in range(20):
        gen = current_generation(path)
        try:
            return _Snapshot(gen, open_reader(gen), background)
        except OSError as e:  # a build swapped generations while we opened: try the new one
            if attempt == 19 or (isinstance(e, IndexNotFound) and current_generation(path) == gen):
                raise
            time.sleep(0.05)


class Index:
    """An open index; notices when a build or update swaps in a new one.

    Searches run concurrently, each on the snapshot that was live when it started; the lock is
    held only to take or swap the snapshot.
    """

    def __init__(self, path, background_lexicon: bool = True):
        self.path = Path(path)
        self._background = background_lexicon  # see open_index
        self._lock = threading.Lock()  # guards self._live
        self._reloading = threading.Lock()  # one thread at a time opens a new snapshot
        self._live: _Snapshot | None = _open_snapshot(self.path, background_lexicon)
        self._checked = time.monotonic()
        self._key_hashes: dict = {}  # the segments' key hashes of the last frequency_table (a cluster shard's)

    def _reload_if_changed(self, at_once: bool = False) -> None:
        """Swap in a new snapshot if another generation went live or an update committed (checked
        at most once a second, unless at_once)."""
        if not at_once and time.monotonic() - self._checked < RELOAD_CHECK_SECONDS:
            return
        if not self._reloading.acquire(blocking=False):  # another thread is checking: keep the live one
            return
        try:
            self._checked = time.monotonic()
            live = self._live
            if live is None or not self._changed(live):
                return
            fresh = _open_snapshot(self.path, self._background)  # opened without the lock: searches go on
            fresh.follow(live)
            self._swap(fresh)
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
        self._reload_if_changed(at_once=True)

    @property
    def generation(self) -> str:
        """The name of the generation searches see now."""
        with self._snapshot() as snap:
            return snap.generation.name

    @property
    def doc_count(self) -> int:
        """How many articles the index holds."""
        with self._snapshot() as snap:
            return snap.scorer.doc_count()

    def health(self) -> Health:
        """How many articles the index holds (one index: no shards to miss)."""
        return Health(self.doc_count, [])

    @property
    def segment_count(self) -> int:
        """How many segments the live generation has (updates add them, merges combine them)."""
        with self._snapshot() as snap:
            return len(snap.reader.segments)

    @property
    def outdated_analysis(self) -> str | None:
        """Why the live generation should be rebuilt (its terms were made by an older analysis), or None."""
        with self._snapshot() as snap:
            return outdated_analysis(snap.generation)

    def search(self, query_text: str, limit: int = 10, page: int = 1, date_from=None,
               date_to=None, sort: str = "relevance", exact: bool = False, source=None,
               category=None, month=None, group: bool = True) -> Results:
        """Search; raises QueryError for an unusable query or parameters.

        source, category and month (YYYY-MM) filter the matches: a value or several (any of
        them), facets combined; ``Results.facets`` counts the results of each of them.

        Grouped, syndicated copies are one result (``Hit.duplicates``; see ``Results``); group=False
        lists every matching article.

        Unless exact: Telex/VNI keystroke words are decoded and words the index lacks become the
        nearest indexed syllables (``Results.rewritten``), the restored reading of a query typed
        without accents, or partly with them (``nguyen phú trọng``), ranks higher and is proposed
        (``Results.suggestion``), and abbreviations and codes also
        match their other spellings (UBND / ủy ban nhân dân, U23 / U.23).
        """
        started = time.perf_counter()
        check_flags(exact=exact, group=group)
        _check_paging(sort, limit, page)
        parse(query_text)  # an unusable query fails before any work
        searched = halfwidth(query_text)  # Results keep the query as typed
        window = _recency_window(date_from, date_to)
        filters = facet_filters(source, category, month)
        with self._snapshot() as snap:
            rewritten, suggestion, others = (None, None, ()) if exact else snap.understood(searched)
            text, reading, readings = _titles_cased(None if exact else snap.searching_lexicon(),
                                                    rewritten or searched, suggestion, others)
            found = self._find(snap, snap.scorer, text, reading, exact, window, sort, page * limit, filters, group,
                               readings, _sure_words(snap.searching_lexicon, reading, rewritten))
            start = (page - 1) * limit
            hits = [self._hit(snap.reader.stored_fields(d), score, found.marks, copies) for d, score, copies
                    in zip(found.docs[start:], found.scores[start:], found.duplicates[start:])]
        return Results(query_text, hits, found.total, page, limit, _ms(started), sort, found.marks,
                       found.undated, suggestion=suggestion, rewritten=rewritten, copies=found.copies,
                       dropped=found.dropped, kept=found.kept, counting=found.counting)

    def _find(self, snap: _Snapshot, scorer: Scorer, text: str, suggestion, exact: bool, window, sort: str,
              n: int, filters: dict, group: bool, others: tuple = (), sure: frozenset = frozenset(),
              grouping: "CopyGroups | None" = None, first: int = 0, counts_only: bool = False) -> Found:
        """The n first documents for an understood query (others: its other readings searched
        too, see understand_query), ranked with the scorer's counts (grouped: copies of a
        better-ranked one left out; words dropped when fewer than RELAX_PAGE articles hold them
        all), and the facets of all its matches; sure: the reading's syllables matched as read
        (_sure_words); counts_only: no documents, only the counts lacking (Found.missing)."""
        plan, alternatives = snap.plan(scorer, text, suggestion, exact, others)
        if plan.empty and not alternatives:
            return Found([], [], 0, 0, Marks(), scorer.missing)
        lookups, matched, words = self._execute(scorer, plan, alternatives, plan.text, (suggestion, *others), sure)
        masks = snap.facets.masks(filters)
        narrowed = lambda mask: _by_date(_filtered(mask, masks, ("source", "category")), snap.recency, window,
                                         sort, masks.get("month"))  # (what the filters keep, undated)
        state = words.tier_state(plan)
        tally = lambda n, mask: scorer.counted(("tier", n, state), lambda: np.count_nonzero(narrowed(mask)[0]))
        filtered = bool(masks) or window is not None  # relaxing stays among the words, within the filter
        matched, dropped, kept, shown = _relax(plan, words, matched, scorer, tally, filtered)
        dropped, kept = _said(plan, dropped, kept)
        relaxed = (state, shown)  # what names the pool in the counts made of it
        if counts_only:  # a cluster's counting round: what ranking would read, not the ranking
            return _counted(scorer, plan, lookups, np.flatnonzero(narrowed(matched)[0]), sort, relaxed, words)
        dated = _by_date(matched, snap.recency, window, sort)[0]  # what the facets count
        matched, undated = narrowed(matched)
        pool = np.flatnonzero(matched)
        scores = _pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words)
        recency = snap.newest if sort == "newest" else None
        grouping = (grouping or CopyGroups(snap.groups, snap.grouped)) if group else None
        on_shard = grouping is not None and grouping.spread is not None  # a cluster's: groups its front counts once
        counting = partial(snap.facets.shard_count if on_shard else snap.facets.count, dated, masks, grouping)
        shown, ranked, copies, spread = _listing(grouping, matched, pool, _rank_key(scores, recency, snap.doc_id))
        docs = _rank(scores, ranked, recency, snap.doc_id, n)
        firsts = _rank(scores, shown, recency, snap.doc_id, first) if spread else docs[:first]
        copies_of = lambda d: [snap.doc_id(c) for c in copies.get(d, ())]
        return Found(docs, [float(scores[d]) for d in docs], len(shown), undated, plan.marks, scorer.missing,
                     counting=counting, copies=len(pool) - len(shown),
                     duplicates=[copies_of(d) for d in docs], dropped=dropped, kept=kept, spread=spread,
                     firsts=[(d, float(scores[d]), copies_of(d)) for d in firsts])

    def find(self, text: str, suggestion: str | None, exact: bool, window, sort: str, n: int,
             counts: dict, filters: dict | None = None, group: bool = True, others: tuple = (),
             sure: frozenset = frozenset(), grouping: CopyGroups | None = None, first: int = 0,
             counts_only: bool = False, shards: int = 1) -> Found:
        """A cluster shard's part of a search: its n first documents (with ids and recency) for an
        understood query, ranked with the corpus-wide counts given (Found.missing: those lacking),
        copies grouped as the cluster-wide grouping says when it was made for the live generation
        (Found.spread: the groups left to the front), else as this index's own; when no count
        was lacking, the Hits of the first ones it lists (Found.hits); counts_only: only the counts
        lacking; shards: how many shards the counts sum (see Scorer.count)."""
        with self._snapshot() as snap:
            if grouping is not None and grouping.generation != snap.generation.name:
                grouping = None
            scorer = snap.scorer.given(counts, shards)
            found = self._find(snap, scorer, text, suggestion, exact, window, sort, n,
                               filters or {}, group, others, sure, grouping, first, counts_only)
            found.decided = scorer.decided
            if first and all(key[0] in DECIDING for key in found.missing):  # ranked as the sums will likely rank
                found.hits = [self._hit(snap.reader.stored_fields(d), score, found.marks, copies)
                              for d, score, copies in found.firsts]
            found.firsts = []
            if found.counting is not None:  # the cluster's front sums every shard's
                found.facets, found.facet_missing, *spread = found.counting()
                found.spread_counted, found.counting = spread[0] if spread else [], None
            found.ids = [snap.reader.doc_id(d) for d in found.docs]
            found.recency = [int(snap.newest[d]) for d in found.docs]  # the merge's sort key
            found.generation = snap.generation.name
            found.grouped_by = grouping.generation if grouping is not None else ""
        return found

    def frequency_table(self, unless: str | None = None) -> tuple:
        """(live generation, {count key: value} of its live documents and field lengths, the text
        fields in order, the hashes of the (field, term) keys they hold (see
        IndexReader.frequency_table), their document frequencies): what a cluster's shards rank
        a new search with at once; (live generation,) alone when it is unless (the caller has its table)."""
        with self._snapshot() as snap:
            if snap.generation.name == unless:
                return (unless,)
            stable = [("docs",), *(("length", field) for field in SCORED_FIELDS)]
            # hashing the keys is most of the cost: those of the segments a generation kept are reused
            self._key_hashes = snap.reader.key_hashes(self._key_hashes)
            return (snap.generation.name, {key: snap.scorer.count_locally(key) for key in stable},
                    list(snap.reader.fields), *snap.reader.frequency_table(self._key_hashes))

    def fingerprints(self) -> tuple[str, int, np.ndarray, np.ndarray]:
        """(live generation, documents in it, the live documents with a SimHash, their SimHashes):
        what a cluster groups copies over all shards with."""
        with self._snapshot() as snap:
            hashes = simhashes(snap.reader.column("fingerprint", str))
            docs = np.flatnonzero(snap.reader.live & (hashes != duplicates.NO_HASH))
            return snap.generation.name, snap.reader.size, docs, hashes[docs]

    def copy_numbers(self, generation: str, docs) -> list | None:
        """The numbers (duplicates.numbers) of these documents of generation; None once it is not live."""
        with self._snapshot() as snap:
            if snap.generation.name != generation:
                return None
            return [_numbers(snap.reader, d) for d in docs]

    def counts(self, keys) -> dict:
        """This index's own value of each corpus-wide count key (see Scorer.count_locally)."""
        with self._snapshot() as snap:
            return {key: snap.scorer.count_locally(key) for key in keys}

    def hits(self, found: list[tuple[str, float, list[str]]], marks: Marks) -> list[Hit]:
        """Hits for (article id, score, ids of its copies) found earlier, snippets marked with marks
        (missing ids left out)."""
        with self._snapshot() as snap:
            stored = [(snap.reader.document(doc_id), score, copies) for doc_id, score, copies in found]
        return [self._hit(fields, score, marks, copies) for fields, score, copies in stored if fields is not None]

    def related(self, doc_id: str, limit: int = RELATED_LIMIT) -> list[Hit] | None:
        """Up to limit articles most like this one (ranked by its most distinctive terms, tf-idf),
        never its syndicated copies; None when no article has this id."""
        check_id(doc_id)
        _check_paging("relevance", limit, 1)
        with self._snapshot() as snap:
            docnum = snap.reader.document_number(doc_id)
            if docnum is None:
                return None
            terms = _distinctive_terms(snap.scorer, docnum)
            return self._related_hits(snap, snap.scorer, terms, snap.groups == snap.groups[docnum], limit)

    def related_terms(self, doc_id: str, counts, shards: int) -> tuple[str, int | None, list, dict]:
        """(live generation, the article's document number or None, its distinctive terms and weights
        with the corpus-wide counts given (summed over shards), the counts they lacked): a cluster's
        related(), on the article's shard."""
        with self._snapshot() as snap:
            docnum = snap.reader.document_number(doc_id)
            if docnum is None:
                return snap.generation.name, None, [], {}
            view = snap.scorer.given(counts, shards)
            return snap.generation.name, docnum, _distinctive_terms(view, docnum), view.missing

    def related_found(self, terms: list, left_out: tuple, limit: int, counts, shards: int) -> tuple:
        """(live generation, the Hits of up to limit articles of this index ranked for the weighted terms
        with the corpus-wide counts given, the counts they lacked): a cluster's related() on every shard;
        left_out: (generation, document numbers never listed), hits None when that is not live."""
        with self._snapshot() as snap:
            generation, docs = left_out
            if generation is not None and generation != snap.generation.name:
                return snap.generation.name, None, {}
            view = snap.scorer.given(counts, shards)
            excluded = np.zeros(snap.reader.size, dtype=bool)
            excluded[list(docs)] = True
            return snap.generation.name, self._related_hits(snap, view, terms, excluded, limit), view.missing

    def _related_hits(self, snap, scorer: Scorer, terms: list, excluded: np.ndarray, limit: int) -> list[Hit]:
        """The Hits of the limit best live articles for the weighted terms (title and body), those excluded left out."""
        scores = np.zeros(scorer.size, dtype=np.float32)
        for term, weight in terms:
            scorer.add(scores, "body", term, weight, k1=RELATED_K1)
            scorer.add(scores, "title", term, weight * RELATED_TITLE, k1=RELATED_K1)
        if scorer.missing:  # ranked with estimates: a cluster's front sends the sums first
            return []
        matched = scorer.live & (scores > 0) & ~excluded
        docs = _rank(scores, np.flatnonzero(matched), None, snap.reader.doc_id, limit)
        return [self._hit(snap.reader.stored_fields(d), float(scores[d]), Marks()) for d in docs]

    def lexicon_parts(self) -> tuple[list, list, list]:
        """(title terms, body terms) with their document frequencies, and the titles as written:
        what a Lexicon is made of."""
        with self._snapshot() as snap:
            return (list(snap.reader.terms("title")), list(snap.reader.terms("body")),
                    list(snap.reader.titles()))

    def adjacent(self, syllables: list[str], sample: tuple[int, float] | None = None):
        """About how often syllables follow each other, in pairs and triples (all titles, a sample
        of the bodies; see _adjacent and Reader.adjacent_runs)."""
        with self._snapshot() as snap:
            return _adjacent(snap.reader, syllables, sample)

    def lowest_hashes(self, count: int) -> tuple[int, np.ndarray]:
        """(live documents, the count lowest hashes of their ids): what a cluster chooses the
        bodies its Lexicon samples by, among all shards' articles."""
        with self._snapshot() as snap:
            hashes = snap.reader.id_hashes()[snap.reader.live]
            return len(hashes), np.sort(hashes)[:count]

    def _execute(self, scorer: Scorer, plan, alternatives=(), query_text: str = "", readings=(),
                 sure: frozenset = frozenset()):
        """(score lookups, matched, word masks) for a plan, with other spellings (terms and
        phrases) of the query text counted too (readings: those proposed or searched too, whose
        respelled words they stand for; sure: see _sure_words); the lookups score the articles finally shown
        (``_scores``). Without free words, matched is final; with them, it still has to be
        narrowed to the articles holding the words (``_relax``)."""
        lookups = [Lookup.of(t) for t in plan.rare if not t.fieldname.endswith("_fold")]
        lookups += plan.required_lookups()
        exact = [wq.Term(lookup.field, lookup.text) for lookup in lookups]
        masks = _Masks(scorer)
        scored = masks.any(exact)  # the documents the lookups so far give a score
        deciding = _accent_deciding(plan, exact)
        exact_matches = scorer.counted(_matching(deciding),
                                       lambda: np.count_nonzero(scorer.live & masks.any(deciding)))
        few = scorer.decide(exact_matches, "<", FOLDED_MATCH_BELOW)
        # few exact matches (or none asked): folded ones join; those of the words a query typed
        # partly with accents typed without (plan.loose) always do
        folded = [t for t in plan.rare if t.fieldname.endswith("_fold")
                  and (few or not plan.loose.isdisjoint(t.text.split("_")))]
        if folded:
            lookups += [Lookup.of(t) for t in folded]
            scored |= masks.any(folded)
        respelling = _respellings(scorer, alternatives, lookups)  # after the folded fields' turn
        matched = scorer.live & (scored | respelling.anyone) if not plan.words else scorer.live.copy()
        clauses = [[_clause_mask(masks, c) | _or_spellings(respelling, group, c) for c in group.subqueries]
                   for group in plan.required]
        for either in clauses:  # any clause of each OR group
            matched &= _either(either)
        lookups = [lookup._replace(within=clauses[lookup.within[0]][lookup.within[1]])
                   if isinstance(lookup, Lookup) and isinstance(lookup.within, tuple)
                   else lookup for lookup in lookups]  # an OR's clause scores the articles it matches
        phrases = _every([_clause_mask(masks, q) for _, q in plan.soft]) if plan.soft else None
        if plan.excluded is not None:
            matched &= ~_excluded_mask(masks, respelling, plan.excluded)
        lookups += [Lookup.of(t) for t in plan.common]  # they rank, match nothing
        lookups = _dates_bounded(scorer, plan, lookups) + _named_lookups(scorer, plan.named + plan.read_phrases)
        readings = readings or (None,)
        respelled_words = set().union(*(respelled(query_text, reading) for reading in readings))
        respelling = respelling._replace(typo_words=frozenset().union(*(mistyped(query_text, r) for r in readings)))
        return lookups, matched, _word_masks(masks, plan.words, few, respelling, respelled_words, phrases, sure)

    def _hit(self, stored: dict, score: float, marks: Marks, copies: list[str] = ()) -> Hit:
        text = f"{stored['lead']}\n{stored.get('body', '')}" if stored.get("lead") else stored.get("body", "")
        title_highlight, highlight = marks.article(stored.get("title", ""), text)
        return Hit(stored["id"], stored.get("title", ""), score, stored.get("date"),
                   stored.get("url", ""), stored.get("source", ""), stored.get("category", ""),
                   stored.get("author", ""), highlight, title_highlight, list(copies))

    def get(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        check_id(doc_id)
        with self._snapshot() as snap:
            stored = snap.reader.document(doc_id)
        return None if stored is None else _article(stored)

    def copies(self, doc_id: str) -> list[Article] | None:
        """The article's syndicated copies (the others of its group, as a search folds them into one
        result), by id; None when no article has this id."""
        with self._snapshot() as snap:
            docnum = snap.reader.document_number(doc_id)
            if docnum is None:
                return None
            group = snap.grouped[snap.groups[snap.grouped] == snap.groups[docnum]].tolist()
            others = [d for d in group if d != docnum and snap.scorer.live[d]]
            copies = [_article(snap.reader.stored_fields(d)) for d in others]
        return sorted(copies, key=lambda article: article.id)

    def document_number(self, doc_id: str) -> tuple[str, int | None]:
        """(live generation, the document number of the live article with this id, or None): where a
        cluster's front finds the article among the copy groups of all shards."""
        with self._snapshot() as snap:
            return snap.generation.name, snap.reader.document_number(doc_id)

    def numbered_articles(self, generation: str, docs) -> list[Article] | None:
        """The live articles of these document numbers of generation; None once it is not live."""
        with self._snapshot() as snap:
            if snap.generation.name != generation:
                return None
            return [_article(snap.reader.stored_fields(d)) for d in docs if snap.scorer.live[d]]

    def frequency(self, term: str) -> int:
        """In how many articles' titles and bodies a canonical word or code is (both counted)."""
        with self._snapshot() as snap:
            return _frequency(snap.scorer, term)

    def articles_holding(self, words: tuple[str, ...]) -> int:
        """In how many articles' bodies every one of the canonical words is, of a sample of them
        (scorer.HOLDING_SAMPLE, chosen by id; the sample's size for no word)."""
        with self._snapshot() as snap:
            return snap.scorer.count(("all", COOC_FIELD, tuple(words)))

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to limit completions of a query being typed: frequent title words and phrases, as
        the titles write them (the previous generation's while a large index's Lexicon is being
        built, or none)."""
        _check_prefix(prefix)
        with self._snapshot() as snap:
            return completions(snap.searching_lexicon(), prefix, limit, snap.understood)

    def lexicon(self, wait: bool = True) -> Lexicon | None:
        """The index's syllable statistics, built on first use for each generation; without
        wait, while a background thread builds them, the previous generation's (or None)."""
        check_flags(wait=wait)
        with self._snapshot() as snap:
            return snap.lexicon(wait)

    def marks(self, query_text: str, exact: bool = False) -> Marks:
        """What the query, understood as search() does, marks in results and articles; raises
        QueryError like search()."""
        check_flags(exact=exact)
        parse(query_text)
        searched = halfwidth(query_text)
        with self._snapshot() as snap:
            rewritten, suggestion, others = (None, None, ()) if exact else snap.understood(searched)
            return snap.plan(snap.scorer, rewritten or searched, suggestion, exact, others)[0].marks

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


def _article(stored: dict) -> Article:
    """The Article of a document's stored fields."""
    names = ("title", "body", "lead", "date", "url", "source", "category", "author", "origin")
    return Article(id=stored["id"], **{n: stored[n] for n in names if stored.get(n) is not None})


def _grouped(grouping: CopyGroups, matched, key) -> tuple[np.ndarray, dict[int, list[int]]]:
    """(matched less the copies of better-ranked matched articles, listed article -> its copies)."""
    copies = _copies(matched, grouping.groups, grouping.grouped, key)
    hidden = [d for rest in copies.values() for d in rest]
    if not hidden:
        return matched, copies
    listed = matched.copy()
    listed[hidden] = False
    return listed, copies


def _distinctive_terms(scorer: Scorer, docnum: int) -> list[tuple[str, float]]:
    """A document's RELATED_TERMS terms of highest tf-idf (title words counted twice) that at least
    RELATED_MIN_DF articles hold (2 in a small index), each with its weight (the best is 1); its
    terms come from the postings."""
    counts = Counter(scorer.reader.document_terms("body", docnum))
    counts.update({t: 2 * n for t, n in scorer.reader.document_terms("title", docnum).items()})
    min_df = RELATED_MIN_DF if scorer.doc_count() >= RELATED_FEW_DOCS else 2
    weights = {}
    for term, tf in counts.items():
        df = max(scorer.doc_frequency("body", term), scorer.doc_frequency("title", term))
        if df >= min_df:
            weights[term] = (1 + math.log(tf)) * scorer.idf(df)
    best = sorted(weights.items(), key=lambda tw: (-tw[1], tw[0]))[:RELATED_TERMS]
    return [(term, weight / best[0][1]) for term, weight in best]  # empty when no term is shared


def _frequency(scorer: Scorer, term: str) -> int:
    return scorer.doc_frequency("body", term) + scorer.doc_frequency("title", term)


def _titles_cased(lexicon: Lexicon | None, text: str, suggestion: str | None,
                  others: tuple) -> tuple[str, str | None, tuple]:
    """The query and its readings as titles case their words when typed all in lowercase, all in
    capitals or with only its first letter a capital, so that the words it needs are those of the case
    readers write (Lexicon.cased); as they are without the Lexicon (None: also for an exact search)."""
    if lexicon is None:
        return text, suggestion, others
    return lexicon.cased(text), suggestion and lexicon.cased(suggestion), tuple(map(lexicon.cased, others))


def _plan(stats: TermStats, text: str, suggestion: str | None, exact: bool, others: tuple = ()):
    """The plan of a query (its restored reading ranking higher) and lookups of its other spellings
    (and of the words its other readings spell otherwise)."""
    builder = QueryBuilder(stats, exact)
    text = builder.written_apart(without_markup(text) if is_pasted(text) else fields_read(without_markup(text)))
    text = builder.words_held(text)
    parsed = parse(text, suggestion)
    _clauses_read(parsed, suggestion)
    free, reading = _free_words(parsed, text, suggestion)
    loose = frozenset(accents_added(free, reading))  # of a query typed partly with accents
    plan = builder.build(parsed, reading if is_unaccented(free) or loose else None, loose)
    plan.text = text
    if reading:
        plan.common += builder.preferred(reading)
        if is_unaccented(free):
            plan.compounds = builder.reading_compounds(reading)
        typos = mistyped(free, reading)
        for word in plan.words:  # a word holding a likely typo is dropped first
            word.mistyped = bool(set(fold(word.text).split()) & typos)
        for term in plan.rare + plan.common:  # and ranks less than the words the reading proposes
            if set(fold(term.text).split("_")) & typos:
                term.boost *= MISTYPED_WEIGHT
    if exact:
        return plan, []
    unaccented = fold(text) == text  # as the plan reads it: a date alone (22-10) is looked up folded too
    chosen, unsure, meant = _typo_forms(free, reading, others)
    spellings, glued = variants(text), glued_spellings(text)
    synonyms = synonym_spellings(text, suggestion)
    # typed without accents, a word is matched folded (lon: lớn too) and ranked as read: its synonym as read
    synonym_share = SYNONYM * (PREFERRED / FOLDED if unaccented and suggestion else 1.0) / ALTERNATIVE
    plan.near_otherwise = _near_otherwise(plan.near, synonyms)
    _mark_otherwise(plan.marks, synonyms)
    amounts = [] if is_pasted(text) else amount_spellings(text)  # pasted text quotes an article's spelling
    whole, apart = ([a for a in amounts if (len(a[1]) == 1) == one] for one in (True, False))
    return plan, (_alternatives([f for _, f in spellings], plan.marks, unaccented, typed=[t for t, _ in spellings])
                  # su30: "Su 30", not "sự 30" (its letters as typed)
                  + _alternatives([f for _, f in glued], plan.marks, unaccented, accents=True, typed=[t for t, _ in glued],
                                  gap=SPACED_CODE_GAP)
                  + _alternatives([f for _, f in synonyms], plan.marks, unaccented, accents=True, share=synonym_share,
                                  typed=[t for t, _ in synonyms])
                  + _alternatives([f for _, f in whole], plan.marks, unaccented, typed=[t for t, _ in whole])
                  # 31 m for 31m: matches as the amount does, ranks nothing (its weight would be unbounded)
                  + _alternatives([f for _, f in apart], plan.marks, unaccented, share=0.0, typed=[t for t, _ in apart])
                  + _alternatives(chosen, plan.marks, unaccented, accents=not unaccented)
                  + _alternatives(unsure, plan.marks, unaccented, not unaccented, RUNNER_UP_WEIGHT)
                  + _alternatives(meant, plan.marks, unaccented, not unaccented, 0.0))  # they match, rank nothing


def _near_otherwise(near: list, synonyms: list) -> list[list]:
    """The proximity lookups (near) with each synonym's other spelling in place of the words typed
    (dịch tả heo for dịch tả lợn), where the sequences hold them."""
    otherwise = []
    for typed, other in synonyms:
        respelled = [(f, _put_instead(words, typed, other, f.endswith("_fold")), boost) for f, words, boost in near]
        if [words for _, words, _ in respelled] != [words for _, words, _ in near]:
            otherwise.append(respelled)
    return otherwise


def _mark_otherwise(marks: Marks, synonyms: list) -> None:
    """Mark each unit of the query's words holding a synonym's words also with the other spelling in
    their place (thịt lợn marks "thịt heo" whole, not heo alone)."""
    for unit in list(marks.units):
        for typed, other in synonyms:
            syllables = tuple(_put_instead(list(unit.syllables), typed, other, not unit.accented))
            if syllables != unit.syllables and len(unit.syllables) > len(typed):
                marks.units.add(replace(unit, syllables=syllables))


def _put_instead(words: list, typed: tuple[str, ...], other: tuple[str, ...], folded: bool) -> list:
    """The sequence of words with other in place of each run of the typed words (folded ones in a folded field)."""
    if folded:
        typed, other = tuple(map(fold, typed)), tuple(map(fold, other))
    out, i = [], 0
    while i < len(words):
        if tuple(words[i:i + len(typed)]) == typed:
            out, i = out + list(other), i + len(typed)
        else:
            out, i = out + [words[i]], i + 1
    return out


def _free_words(parsed, text: str, suggestion: str | None) -> tuple[str, str | None]:
    """(the free words of a query with operators, the reading of those words in its reading, or None
    when that reads them otherwise); text and suggestion as they are for a query without."""
    if not (parsed.required or parsed.excluded):
        return text, suggestion
    free = " ".join(parsed.free_text)
    read = " ".join(parse(suggestion).free_text) if suggestion else ""
    return free, read if read and len(read.split()) == len(free.split()) else None


def _clauses_read(parsed, suggestion: str | None) -> None:
    """Give each required and excluded clause of a parsed query the reading's clause in its place
    (the suggestion's, when it reads it otherwise) and the words typed without accents it accents."""
    if not suggestion or not (parsed.required or parsed.excluded):
        return
    read = parse(suggestion)
    typed = [clause for group in parsed.required for clause in group] + parsed.excluded
    readings = [clause for group in read.required for clause in group] + read.excluded
    if len(typed) != len(readings):
        return
    for clause, reading in zip(typed, readings):
        if (clause.phrase, clause.negated) == (reading.phrase, reading.negated) and reading.text != clause.text:
            clause.read, clause.loose = reading.text, frozenset(accents_added(clause.text, reading.text))


def _typo_forms(text: str, suggestion: str | None, others: tuple) -> tuple[list, list, list]:
    """The search terms around the words typos became: (the word pairs of the reading proposed and
    of the text as searched, those of its other readings, the words meant alone)."""
    chosen = [f for reading in (suggestion, *others) if reading
              for f in (respelled_forms(text, reading) if reading == suggestion else respelled_forms(reading, text))]
    chosen = list(dict.fromkeys(chosen))
    unsure = [f for f in dict.fromkeys(f for reading in others for f in respelled_forms(text, reading))
              if f not in chosen]
    meant = dict.fromkeys(f for reading in (suggestion, *others) if reading for f in meant_words(text, reading))
    return chosen, unsure, list(meant)


def _alternatives(forms: list[tuple[str, ...]], marks: Marks, unaccented: bool, accents: bool = False,
                  share: float = 1.0, typed: list[tuple[str, ...]] | None = None, gap: str = WORD_GAP) -> list:
    """(lookup, what it stands for) of other spellings of the query's abbreviations and codes (or of
    the words a typo replaced): a term (exact fields) or a phrase (folded fields; with accents, the
    exact ones) each, weighed like the query's own words; results mark them too. typed: for each
    form, the folded spelling the query has (see _standing_in), else None."""
    lookups = []
    weight = share * ALTERNATIVE * (FOLDED if unaccented else EXACT)
    for form, instead_of in zip(forms, typed or [None] * len(forms)):
        marks.units.add(code_unit(form[0], False) if is_code(form[0]) else Unit(form, accents, gap))
        for f in ("title", "body"):
            boost = weight * (TITLE if f == "title" else 1)
            lookups.append((wq.Term(f, form[0], boost=boost) if len(form) == 1 else
                            wq.Phrase(f, list(form), boost=boost) if accents else
                            wq.Phrase(f"{f}_fold", [fold(w) for w in form], boost=boost), instead_of))
    return lookups


def _merged_from(gen: Path) -> str | None:
    """The name of the generation that gen merged (holding the same live articles), if it is a merge's."""
    try:
        return (gen / MERGED_FROM).read_text(encoding="ascii").strip()
    except OSError:
        return None


def _saved_lexicon(gen: Path, make) -> Lexicon:
    """The Lexicon saved in the generation folder, else make() and saved there (once: other
    processes wait for the one making it, then read it)."""
    path = gen / LEXICON_FILE
    with derived_lock(path):
        lexicon = Lexicon.load(path)
        if lexicon is None:
            lexicon = make()
            try:
                lexicon.save(path)
                (gen / LEXICON_BEFORE).unlink(missing_ok=True)  # it answered until this one was saved
            except OSError:  # a read-only index, or a generation removed meanwhile: kept in memory
                pass
    return lexicon


def understand_query(query_text: str, frequency, lexicon,
                     articles_holding=None) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(the query as searched when keystrokes were decoded, typos fixed or operators that join
    nothing dropped, else None; its restored reading when unaccented or partly accented, else None;
    its other readings where a typo's correction was unsure, searched too); frequency(term), lexicon()
    (None while it is built) and articles_holding(words) (see Lexicon.with_cooccurrence) come from one
    index or, summed, from a cluster's shards. The operands of a query with operators are each
    understood so, the operators kept. Words typed in the other spelling of i or y keep it (hi hung:
    "hí hửng"; the terms are one spelling)."""
    typed = unicodedata.normalize("NFC", query_text)
    rewritten, suggestion, others = _understand_query(typed, frequency, lexicon, articles_holding)
    return spelled_as_typed(typed, rewritten), spelled_as_typed(typed, suggestion), others


def _understand_query(query_text: str, frequency, lexicon, articles_holding) -> tuple[str | None, str | None, tuple[str, ...]]:
    """understand_query's answer for an NFC query, each word spelled as the terms spell it."""
    query_text = iy_spelled(without_markup(query_text))  # combining marks are no keystrokes or typos
    read = query_text if is_pasted(query_text) else fields_read(query_text)
    query_text = read if is_pasted(read) else dangling_dropped(read)
    decoded = decode_query(query_text, frequency)
    rewritten = decoded or (query_text if query_text != read else None)
    searched = rewritten or query_text
    pasted = is_pasted(searched)  # its quotes and dashes are punctuation (query.parse)
    lexicon = lexicon()
    if lexicon is None:
        return rewritten, None, ()
    if articles_holding is not None:
        lexicon = lexicon.with_cooccurrence(articles_holding)
    if pasted:  # only its accents restored (those typed kept, when some are): not searched for typos
        restored = lexicon.restore(searched) if is_unaccented(searched) else lexicon.partly_read(searched)
        return rewritten, restored if restored and restored != searched else None, ()
    if has_operators(searched) and [kind for *_, kind in operands(searched)] != ["words"]:  # not a colon alone
        operated, suggestion = _operands_understood(searched, lexicon)
        meant = decoded and decoded_respelled(query_text, operated, suggestion)
        if meant:  # '"tai naj" giao thoong': the phrase searched as read, "tai nạn", not "tai nạ" then proposed
            operated, suggestion = _operands_understood(meant, lexicon)
        return (operated if operated != searched else rewritten), suggestion, ()
    typed = searched
    searched, suggestion = _understood(searched, lexicon)
    meant = decoded and decoded_respelled(query_text, searched, suggestion)
    if meant:  # "tai naj": "tai nạ", read "tai nạn", is searched and shown as read, once
        searched, suggestion = meant, lexicon.reading(meant, partly=False)
    changed = searched if searched != typed else None
    rewritten = changed or rewritten
    read = suggestion or changed
    return rewritten, suggestion, tuple(lexicon.runners_up(typed, read)) if read else ()


def _understood(text: str, lexicon: Lexicon) -> tuple[str, str | None]:
    """(text as searched, its reading to propose or None) of a query without operators: glued words
    read apart, typos corrected, its accents restored (see understand_query)."""
    unglued = lexicon.unglued(text) or text  # hanoi: ha noi, read Hà Nội
    corrected = lexicon.correct(unglued)
    apart = lexicon.unglued(corrected) if corrected else None  # a glued word's typo (hanoj: hanoi) read apart
    searched = apart or corrected or unglued
    # a query a typo was corrected in is not also read as typed partly with accents: its words typed
    # without them are meant so far more often than not (Thủ đô caủ ong: của ong, not của ông), but
    # for names typed with capitals and no marks, read as the index writes them (Nguyen Xuân Phcu)
    suggestion = lexicon.reading(searched, partly=searched in (unglued, apart) or _names_unmarked(text))
    if searched == unglued != text and not is_unaccented(text):  # "danang bão": Đà Nẵng, found together
        suggestion = _glued_reading(lexicon, text)
    slipped = lexicon.slips(searched, suggestion)  # a typo that made a far rarer word: searched as meant
    if slipped:
        searched, suggestion = slipped, lexicon.reading(slipped, partly=False)
    return searched, suggestion


def _names_unmarked(text: str) -> bool:
    """Whether the words of a query typed without accents are all capitalised (names typed without
    marks), and there are some."""
    bare = [w for w in text.split() if unmarked(w)]
    return bool(bare) and all(w[:1].isupper() for w in bare)


def _operands_understood(text: str, lexicon: Lexicon) -> tuple[str, str | None]:
    """(text as searched, its reading or None) of a query with operators: each operand (query.operands)
    understood as a query without them is, the operators kept; a word that binds alone read as several
    is quoted (NOT hanoi: NOT "ha noi"), a run of words beside an OR read as more or fewer left as typed."""
    searched, reading, done, read_any = [], [], 0, False
    spans = operands(text)
    for (start, end, kind), (as_searched, suggestion) in zip(spans, _operands_read(text, spans, lexicon)):
        typed = text[start:end]
        if kind == "beside" and len(as_searched.split()) != len(typed.split()):
            as_searched, suggestion = typed, None
        quoted = kind == "word" and len(as_searched.split()) > 1
        searched += [text[done:start], f'"{as_searched}"' if quoted else as_searched]
        reading += [text[done:start], f'"{suggestion or as_searched}"' if quoted else suggestion or as_searched]
        done, read_any = end, read_any or bool(suggestion)
    return "".join(searched) + text[done:], "".join(reading) + text[done:] if read_any else None


def _operands_read(text: str, spans: list, lexicon: Lexicon) -> list[tuple[str, str | None]]:
    """(as searched, reading or None) of each operand of a query (spans: query.operands), understood as
    _understood does: a phrase alone, the other operands' words as one query (bao -ha noi: bão -hà nội,
    where each alone had read báo, hà, nói) when that keeps each one's words, else each alone."""
    read = {n: _understood(text[start:end], lexicon) for n, (start, end, kind) in enumerate(spans) if kind == "phrase"}
    rest = [n for n in range(len(spans)) if n not in read]
    typed = [text[spans[n][0]:spans[n][1]] for n in rest]
    sizes = [len(t.split()) for t in typed]
    searched, suggestion = _understood(" ".join(typed), lexicon) if typed else ("", None)
    if any(len(words.split()) != sum(sizes) for words in (searched, suggestion or searched)):
        read.update((n, _understood(t, lexicon)) for n, t in zip(rest, typed))
    else:
        read.update((n, (" ".join(searched.split()[at - size:at]), suggestion and " ".join(suggestion.split()[at - size:at])))
                    for n, size, at in zip(rest, sizes, accumulate(sizes)))
    return [read[n] for n in range(len(spans))]


def _glued_reading(lexicon, typed: str) -> str:
    """The reading of a query typed with accents whose glued words were read apart, those words read
    as they were found together, not again in the query's context, where a neighbour typed with its
    accents may pull them apart ("danang bão" had read "đa năng bão": "năng bão" is a common pair)."""
    fixed = lexicon.unglued(typed, read=True)
    return lexicon.reading(fixed) or fixed


def adjacent_sum(parts):
    """Adjacent runs counted in parts, each ((codes, counts) of pairs, the same of triples) as
    Reader.adjacent_runs gives them: the counts of the same run summed, in that form."""
    return tuple(_summed([part[order] for part in parts]) for order in (0, 1))


def _summed(runs) -> tuple[np.ndarray, np.ndarray]:
    """(codes, counts) with the counts of the same code in runs, (codes, counts) pairs, summed."""
    return summed_runs(np.concatenate([np.asarray(c, dtype=np.int64) for c, _ in runs]),
                       np.concatenate([np.asarray(n, dtype=np.float64) for _, n in runs]))


def _adjacent(reader, syllables: list[str], sample: tuple[int, float] | None = None):
    """Adjacent pairs and triples of the syllables in all titles and a sample of the bodies, scaled
    to all articles: this index's LEXICON_SAMPLE_DOCS of lowest id hashes, or with sample (bound,
    scale), a cluster's, chosen among all shards' articles (the live ones hashed at most bound)."""
    if sample is None:
        mask = reader.sample(LEXICON_SAMPLE_DOCS)
        scale = np.count_nonzero(reader.live) / max(np.count_nonzero(mask), 1)
    else:
        bound, scale = sample
        mask = reader.live & (reader.id_hashes() <= np.uint64(bound))
    title = _title_runs(reader, syllables)
    kept = np.array([not is_title_token(s) for s in syllables], dtype=bool)  # in bodies every number is NUMBER
    words = [s for s, k in zip(syllables, kept) if k]
    body = tuple((_renumbered(codes, np.flatnonzero(kept), len(words), len(syllables), order), counts * scale)
                 for order, (codes, counts) in zip((2, 3), _body_runs(reader, words, mask)))
    return adjacent_sum([title, body])


def _body_runs(reader, syllables: list[str], mask: np.ndarray):
    """Reader.adjacent_runs of the syllables in the bodies of mask (live documents of the lowest id
    hashes; NUMBER standing for every number): each segment keeps the runs of the bodies hashed at
    most a bound (_kept_body_runs), those that bound took and mask does not (deleted, or sampled no more) are taken away, those
    mask takes and it did not added."""
    bound = int(reader.id_hashes()[mask].max()) if mask.any() else 0
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    parts = [(none, none)]  # an index without segments has no runs
    for segment in reader.segments:
        chosen = mask[segment.offset:segment.offset + segment.size]
        kept = _kept_body_runs(segment, chosen, bound)
        taken = segment.id_hashes() <= kept["bound"][0]
        parts.append(_runs_among(kept, syllables))
        parts += _moved_runs(segment, "body", syllables, chosen & ~taken, taken & ~chosen)
    return tuple(_positive(_summed([part[order] for part in parts])) for order in (0, 1))


def _kept_body_runs(segment, chosen: np.ndarray, bound: int) -> dict[str, np.ndarray]:
    """The runs of every syllable of a segment's bodies hashed at most a bound, deleted ones too
    (as _all_title_runs keeps its titles'), and that bound: made with bound (the one sampled now)
    when none is kept, or when more live bodies than half of those chosen would be counted again."""
    hashes = segment.id_hashes()

    def usable(kept: dict[str, np.ndarray]) -> bool:
        moved = segment.live & ((hashes <= kept["bound"][0]) != chosen)
        return 2 * np.count_nonzero(moved) <= np.count_nonzero(chosen)

    def made(_) -> dict[str, np.ndarray]:
        return _all_runs(segment, "body", hashes <= np.uint64(bound)) | {"bound": np.array([bound], np.uint64)}
    return segment.kept(BODY_RUNS_FILE, made, usable)


def _all_runs(segment, field: str, docs: np.ndarray) -> dict[str, np.ndarray]:
    """The runs of every syllable in field of the documents docs (a mask of a segment's; NUMBER
    standing for every number), as _all_title_runs keeps them."""
    occurrences = segment.document_occurrences(field, docs)
    syllables = sorted({term for term in occurrences[0] if is_syllable(term)} | {NUMBER})
    pairs, triples = _occurrence_runs(occurrences, syllables)
    return {"syllables": blob(syllables), "pair_codes": pairs[0], "pair_counts": pairs[1].astype(np.int32),
            "triple_codes": triples[0], "triple_counts": triples[1].astype(np.int32)}  # int32: a third less to keep


def _moved_runs(segment, field: str, syllables: list[str], added: np.ndarray, removed: np.ndarray) -> list:
    """Reader.adjacent_runs of the syllables in field of the documents added, and those of removed negated
    (masks of a segment's documents, often few: read document by document, at once; NUMBER standing for
    the numbers not among the syllables)."""
    if not (added | removed).any():
        return []
    terms, numbers, doc, positions = segment.document_occurrences(field, added | removed)
    runs = []
    for docs, sign in ((added, 1), (removed, -1)):
        of = docs[doc.astype(np.int64)]
        pairs, triples = _occurrence_runs((terms, numbers[of], doc[of], positions[of]), syllables)
        runs.append(((pairs[0], sign * pairs[1]), (triples[0], sign * triples[1])))
    return runs


def _occurrence_runs(occurrences, syllables: list[str]):
    """SegmentReader.adjacent_runs of the syllables among occurrences (as its document_occurrences
    gives them), NUMBER standing for every number not among them when it is."""
    terms, numbers, doc, positions = occurrences
    number = {s: n for n, s in enumerate(syllables)}
    for term in terms if NUMBER in number else ():
        if NUMBER_RE.fullmatch(term):
            number.setdefault(term, number[NUMBER])
    symbol = np.array([number.get(term, -1) for term in terms], dtype=np.int64)[numbers.astype(np.int64)]
    among = symbol >= 0
    keys = occurrence_keys(symbol[among].astype(np.uint64), doc[among], positions[among], len(syllables))
    return tuple(np.unique(codes, return_counts=True) for codes in run_codes(keys, len(syllables)))


def _title_runs(reader, syllables: list[str]):
    """Reader.adjacent_runs of the syllables in the live titles (NUMBER standing for the numbers not
    among them): each segment's runs of all its titles' syllables and numbers are made once and kept
    beside it (TITLE_RUNS_FILE), its deleted titles' taken away."""
    parts = []
    for segment in reader.segments:
        parts.append(_runs_among(segment.kept(TITLE_RUNS_FILE, _all_title_runs), syllables))
        if segment.deleted:
            parts += _moved_runs(segment, "title", syllables, np.zeros(segment.size, dtype=bool), ~segment.live)
    none = (np.zeros(0, np.int64), np.zeros(0))
    return tuple(_positive(_summed([part[order] for part in parts] or [none])) for order in (0, 1))


def _all_title_runs(segment) -> dict[str, np.ndarray]:
    """The runs of every syllable, number and code beginning with a digit of a segment's titles
    (deleted ones' too): those terms (a blob), and the codes of the runs over them, counted."""
    syllables = sorted(term for term, _ in segment.terms("title") if is_syllable(term) or is_title_token(term))
    pairs, triples = segment.adjacent_runs("title", syllables, np.ones(segment.size, dtype=bool))
    return {"syllables": blob(syllables),
            "pair_codes": pairs[0], "pair_counts": pairs[1], "triple_codes": triples[0], "triple_counts": triples[1]}


def _runs_among(kept: dict[str, np.ndarray], syllables: list[str]):
    """The runs kept by _all_title_runs whose syllables are all among syllables, coded over them;
    NUMBER standing for the numbers not among them when it is."""
    own = unblob(kept["syllables"])
    number = {s: n for n, s in enumerate(syllables)}
    numbers = number.get(NUMBER, -1)
    symbol = np.array([number.get(s, numbers if NUMBER_RE.fullmatch(s) else -1) for s in own], dtype=np.int64)
    runs = []
    for order, name in ((2, "pair"), (3, "triple")):
        digits = symbol[run_digits(kept[name + "_codes"], len(own), order)]
        among = (digits >= 0).all(axis=0)
        runs.append((runs_coded(digits[:, among], len(syllables)), kept[name + "_counts"][among]))
    return tuple(runs)


def _positive(run: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(codes, counts) of the runs counted more than 0 times."""
    codes, counts = run
    return codes[counts > 0], counts[counts > 0]


def _renumbered(codes: np.ndarray, symbol: np.ndarray, base: int, size: int, order: int) -> np.ndarray:
    """Codes of runs of order terms numbered over base, with each term number n made symbol[n] over size."""
    return runs_coded(symbol[run_digits(codes, base, order)], size)


def _lexicon_of(reader) -> Lexicon:
    """A Lexicon of the exact fields, neighbours counted in all titles and a sample of the bodies."""
    titles = list(reader.terms("title"))
    return Lexicon.build(chain(titles, reader.terms("body")), lambda syllables: _adjacent(reader, syllables), titles,
                         votes=partial(_casing_votes, reader),
                         stretches=(_kept_title_words(segment).live_stretches(segment.live) for segment in reader.segments))


def _casing_votes(reader, phrases: list[str]):
    """The casing votes of the live titles read with phrases, summed over the segments (see
    _kept_votes)."""
    return summed_casing_votes(_kept_votes(reader, phrases), phrases)


def _kept_votes(reader, phrases: list[str]):
    """Yield (the casing votes kept, its titles' words, its live mask) of each segment: its titles'
    words and votes are made once (the votes read with phrases) and kept beside it."""
    for segment in reader.segments:
        words = _kept_title_words(segment)
        yield segment.kept(CASING_VOTES_FILE, lambda s: casing_vote_arrays(words, phrases)), words, segment.live


def _kept_title_words(segment) -> TitleWords:
    """A segment's titles' words, made once and kept beside it (deleted titles' too)."""
    return TitleWords(segment.kept(TITLE_WORDS_FILE, lambda s: title_word_arrays(s.titles(deleted=True))))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def outdated_analysis(generation: Path, rebuild: str | None = None) -> str | None:
    """What the analysis changed since the version the generation's terms were made with, or None
    (rebuild: the command that rebuilds it, by default the build of the generation's index folder)."""
    version = analysis_version(generation)
    if version >= ANALYSIS_VERSION:
        return None
    changes = "; ".join(ANALYSIS_CHANGES[v] for v in range(version + 1, ANALYSIS_VERSION + 1))
    rebuild = rebuild or build_command(generation.parent)
    return (f"built with analysis version {version} (an index that records none counts as 1), this version "
            f"analyses with {ANALYSIS_VERSION}: {changes}. Rebuild it with {rebuild} for the best ranking")


def warm_up(index) -> None:
    """Search the index once (WARM_QUERY), so that what a first search loads (the Lexicon and its
    tables, pyvi's model) is loaded before a reader's first search, not during it."""
    index.search(WARM_QUERY, limit=1)


def open_index(path="index_data", cluster: str | None = None, replicas: int = 1, background_lexicon: bool = True):
    """Open the index in path for searching; raises IndexNotFound when none was built.

    With cluster (a Dask scheduler's address, e.g. tcp://host:8786), the sharded index in path
    is searched on the cluster (``indexer.cluster.ClusterIndex``: the same search, get, doc_count
    and close), each shard held open by replicas actors on different workers. Without
    background_lexicon (a process that exits after a few searches), the searches of an index too
    large to wait for its Lexicon never start building it in a thread the exit would abandon: they
    answer with the one saved (one index), the one before, or none."""
    from .cluster import ClusterIndex
    check_flags(background_lexicon=background_lexicon)
    if cluster is not None:
        return ClusterIndex(path, cluster, replicas, background_lexicon)
    if is_sharded(path):
        raise IndexNotFound(f"{path} holds a sharded index: search it on a cluster (--cluster ADDRESS)",
                            NoIndex(SHARDED))
    return Index(path, background_lexicon)
