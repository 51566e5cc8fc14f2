"""Tantivy reference set-ups that a user might pick, to compare our engine with.

- "default": Tantivy's default tokenizer (simple syllable split, remove_long(40), lowercase).
- "fold": the same plus ascii_fold (accent-insensitive: "Nghị" and "nghi" are one term).

Two text fields, title and body, queried together through `parse_query` with the query's
syntax characters replaced by spaces (and lowercased so AND/OR/NOT are not operators). This
reproduces the reference MRR figures of ../shared/eval/README.md closely (see RESULTS.md).
"""

from __future__ import annotations

import re

import tantivy

SETUPS = ("default", "fold")
FIELDS = ["title", "body"]
QUERY_SYNTAX = re.compile(r"""[+\-!(){}\[\]^"~*?:\\/<>=&|'`]""")


def fold_analyzer():
    """simple tokenizer + remove_long + lowercase + ascii_fold."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build())


def plain_query(text: str, keep_quotes: bool = False) -> str:
    """The query text with Tantivy query syntax removed (phrases in quotes kept if asked)."""
    if keep_quotes:
        parts = text.split('"')
        return '"'.join(QUERY_SYNTAX.sub(" ", part).lower() for part in parts)
    return QUERY_SYNTAX.sub(" ", text).lower()


class TantivyEngine:
    """An in-memory (or on-disk) Tantivy index of {id, title, body} records."""

    def __init__(self, setup: str, path: str | None = None, stored: bool = False):
        tokenizer = "fold" if setup == "fold" else "default"
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for field in FIELDS:
            builder.add_text_field(field, stored=stored, tokenizer_name=tokenizer)
        self.schema = builder.build()
        reuse = path is not None and tantivy.Index.exists(path)
        self.index = tantivy.Index(self.schema, path=path, reuse=reuse)
        if setup == "fold":
            self.index.register_tokenizer("fold", fold_analyzer())
        self.setup = setup

    def add(self, records, heap_size: int = 256_000_000, threads: int = 1) -> int:
        """Index (id, title, body) tuples in one commit; return how many."""
        writer = self.index.writer(heap_size=heap_size, num_threads=threads)
        count = 0
        for doc_id, title, body in records:
            writer.add_document(tantivy.Document(id=doc_id, title=title, body=body))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return count

    def query(self, text: str, phrases: bool = False):
        return self.index.parse_query(plain_query(text, keep_quotes=phrases), FIELDS)

    def search(self, text: str, limit: int = 10) -> list[str]:
        """Ids of the top `limit` articles for a user's query."""
        searcher = self.index.searcher()
        hits = searcher.search(self.query(text), limit).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    def search_with_snippets(self, text: str, limit: int = 10) -> list[tuple[str, str]]:
        """(id, snippet HTML of body) of the top hits; phrases in quotes stay phrases."""
        searcher = self.index.searcher()
        query = self.query(text, phrases=True)
        hits = searcher.search(query, limit).hits
        snippets = tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
        out = []
        for _, address in hits:
            doc = searcher.doc(address)
            out.append((doc["id"][0], snippets.snippet_from_doc(doc).to_html()))
        return out
