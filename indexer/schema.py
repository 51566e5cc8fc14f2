"""The index schema, and how an article becomes a Whoosh document.

Each text is indexed twice from one pyvi pass: exactly (``title``, ``body``: accents kept,
lowercase, canonical tone marks) and folded (``title_fold``, ``body_fold``: no diacritics).
Analysis runs in worker processes, which hand the writer ready-made postings.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from .analysis import exact_analyzer, exact_positions, fold_word, folded_analyzer
from .articles import MAX_ARTICLE_CHARS, Article, site_of
from .duplicates import NO_HASH, simhash
from .storage.flat import MAX_TF
from .storage.writer import FlatPositions, TextPostings

SCORED_FIELDS = ("title", "body", "title_fold", "body_fold")
STORED_FIELDS = ("lead", "url", "source", "category", "author")
FACET_FIELDS = {"source": "facet_source", "category": "facet_category"}  # facet -> its column
MAX_FACET_CHARS = 200  # a facet value is cut to this length
FINGERPRINT_CHARS = 32  # the content hash's hex digits, before the SimHash's


class PreanalyzedText(TEXT):
    """A TEXT field with flat positions that accepts postings made by a worker process (TextPostings,
    which the segment writer puts in its pool itself)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.format = FlatPositions(field_boost=self.format.field_boost)
        self.scorable = False  # exact lengths are in the flat files: Whoosh keeps none

    def index(self, value, **kwargs):
        if isinstance(value, TextPostings):
            return iter(())
        return super().index(value, **kwargs)

    def to_column_value(self, value) -> bytes:
        """The stored text in UTF-8 for a sortable field's column (a document without it: empty)."""
        return value.encode("utf-8") if isinstance(value, str) else b""


def build_schema() -> Schema:
    """The schema of the article index."""
    fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        "origin": ID(stored=True, sortable=True),
        "fingerprint": ID(sortable=True),
        "date": DATETIME(stored=True),
        "recency": NUMERIC(int, bits=64, sortable=True),  # date as a number; 0 (sorts last) if none
        "title": PreanalyzedText(analyzer=exact_analyzer(), stored=True, sortable=True),  # the Lexicon reads the column
        "title_fold": PreanalyzedText(analyzer=folded_analyzer()),
        "body": PreanalyzedText(analyzer=exact_analyzer(), stored=True),
        "body_fold": PreanalyzedText(analyzer=folded_analyzer()),
    }
    fields.update({name: STORED() for name in STORED_FIELDS})
    fields.update({column: COLUMN(VarBytesColumn()) for column in FACET_FIELDS.values()})
    return Schema(**fields)


def facet_values(source: str, url: str, category: str) -> dict[str, bytes]:
    """The facet columns of an article: its source (else its URL's site) and category, trimmed."""
    values = {"source": source.strip() or site_of(url), "category": category.strip()}
    return {FACET_FIELDS[f]: " ".join(v.split())[:MAX_FACET_CHARS].encode("utf-8") for f, v in values.items()}


def recency(moment: datetime | None) -> int:
    """A date as a sortable number (seconds, Vietnam time as if UTC); 0 when there is none."""
    if not moment:
        return 0
    seconds = int(moment.replace(tzinfo=timezone.utc).timestamp())
    return seconds or -1  # 0 says undated: the epoch's first second is told apart as the one before


def searchable_text(article: Article) -> str:
    """The text indexed as the body: the lead paragraph, then the body."""
    return f"{article.lead}\n{article.body}" if article.lead else article.body


def indexed_part(article: Article) -> Article:
    """The article cut to its first MAX_ARTICLE_CHARS characters (title, lead, body), for analysis."""
    title = article.title[:MAX_ARTICLE_CHARS]
    lead = article.lead[:MAX_ARTICLE_CHARS - len(title)]
    body = article.body[:MAX_ARTICLE_CHARS - len(title) - len(lead)]
    return replace(article, title=title, lead=lead, body=body)


def fingerprint(article: Article) -> str:
    """A hash of everything indexed or stored, to tell a changed article on update."""
    parts = [article.id, article.title, article.lead, article.body, str(article.date),
             article.url, article.source, article.category, article.author]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def article_simhash(article: Article) -> int:
    """The SimHash of an article's indexed lead and body (``duplicates``), which groups its copies."""
    return simhash(searchable_text(indexed_part(article)))


def stored_fingerprint(article: Article) -> str:
    """The fingerprint column's value: the content hash, then the SimHash (16 hex digits)."""
    return f"{fingerprint(article)}{article_simhash(article):016x}"


def same_content(stored: str, article: Article) -> bool:
    """Whether a stored fingerprint column value is the article's (same content)."""
    return stored[:FINGERPRINT_CHARS] == fingerprint(article)


def simhashes(stored: list[str]) -> np.ndarray:
    """The SimHashes held in fingerprint column values, as uint64 (NO_HASH where there is none)."""
    return np.array([int(v[FINGERPRINT_CHARS:], 16) if v[FINGERPRINT_CHARS:] else NO_HASH for v in stored],
                    dtype=np.uint64)


def _positions(text: str) -> dict[str, list[int]]:
    """Exact term -> its sorted positions in text."""
    return {term: p if len(p) == 1 else sorted(p)[:MAX_TF]  # MAX_TF: uint16 in the files
            for term, p in exact_positions(text).items()}


def _folded_positions(positions: dict[str, list[int]]) -> dict[str, list[int]]:
    """The folded field's term -> positions, merging exact terms that fold alike."""
    folded = {}
    for term, p in positions.items():
        term = fold_word(term)
        other = folded.get(term)
        folded[term] = p if other is None else sorted(other + p)
    return folded


def restored_document(stored: dict, fingerprint_value: str) -> dict:
    """The writer's arguments for a stored document whose text postings a merge copies itself."""
    doc = {"id": stored["id"], "origin": stored.get("origin"), "fingerprint": fingerprint_value,
           "date": stored.get("date"), "recency": recency(stored.get("date"))}
    doc.update({name: stored.get(name) for name in STORED_FIELDS})
    doc.update(facet_values(stored.get("source", ""), stored.get("url", ""), stored.get("category", "")))
    for field in ("title", "body"):
        doc[field], doc[f"{field}_fold"] = TextPostings(), TextPostings()
        doc[f"_stored_{field}"] = stored.get(field)
    return {k: v for k, v in doc.items() if v is not None}


def to_document(article: Article) -> dict:
    """The writer's keyword arguments for an article (the expensive part: runs pyvi)."""
    doc = {"id": article.id, "origin": article.origin, "fingerprint": stored_fingerprint(article),
           "date": article.date,
           "recency": recency(article.date)}
    doc.update({name: getattr(article, name) for name in STORED_FIELDS})
    doc.update(facet_values(article.source, article.url, article.category))
    part = indexed_part(article)  # an over-long article is stored whole but indexed in part
    for field, text in (("title", part.title), ("body", searchable_text(part))):
        positions = _positions(text)
        doc[field], doc[f"{field}_fold"] = TextPostings(positions), TextPostings(_folded_positions(positions))
        doc[f"_stored_{field}"] = getattr(article, field)
    return {k: v for k, v in doc.items() if v is not None}
