"""Syndicated copies and related articles (issue 14 parts 3, 4): precision, effect, cost, MAP@5.

    python -m benchmarks.explore pairs [--n 200]        # draw grouped pairs to judge (TSV on stdout)
    python -m benchmarks.explore precision              # of the judged pairs in duplicates/judged.tsv
    python -m benchmarks.explore copies --index DIR     # copies the 300 queries stop showing in their top 10
    python -m benchmarks.explore cost                   # SimHash time against analysis, 5,000 articles
    python -m benchmarks.explore related --index DIR    # related MAP@5 on the topical set, and the baseline
    python -m benchmarks.explore all --index DIR --pool-index DIR2 [--write]

Grouped pairs are drawn from the groups the index makes (``indexer.duplicates.groups`` over each
article's stored SimHash, computed here from the corpus exactly as indexing does), all pairs of
a group, in a seeded order. ``duplicates/judged.tsv`` holds each pair's ids and a judgement made
by reading both titles and leads: 1 the same story (one text, lightly edited), 0 not.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from itertools import combinations, islice
from pathlib import Path

import numpy as np

from .common import REPO, load_indexer, md_table, read_jsonl, require_shared, write_section
from .quality import read_qrels
from .search_speed import make_queries
from .topical import QRELS

JUDGED = REPO / "benchmarks" / "duplicates" / "judged.tsv"
PAIR_SOURCES = ("baomoi.jsonl.gz", "vietnews-test.jsonl.gz")
PAIR_SEED = "pairs-2026:"
COST_ARTICLES = 5_000
TOP = 10
RELATED = 5


def corpus_articles(name: str, limit: int | None = None):
    """The (first limit) articles of one corpus file, read as indexing reads them."""
    indexer = load_indexer()
    return list(islice(indexer.iter_articles([require_shared("corpus", name)]), limit))


def grouped_pairs(articles) -> list[tuple[str, str, int]]:
    """(id, id, differing bits) of every pair of articles the index would group."""
    from indexer.duplicates import distance, groups
    from indexer.schema import article_simhash

    hashes = np.array([article_simhash(a) for a in articles], dtype=np.uint64)
    roots = groups(hashes, np.ones(len(hashes), dtype=bool))
    members: dict[int, list[int]] = {}
    for n in np.flatnonzero(roots != np.arange(len(roots))).tolist():
        members.setdefault(int(roots[n]), [int(roots[n])]).append(n)
    return [(articles[a].id, articles[b].id, int(distance(hashes[a], hashes[b])))
            for group in members.values() for a, b in combinations(group, 2)]


def draw_pairs(n: int) -> list[tuple[str, str, int, str]]:
    """Up to n grouped pairs, baomoi's first, then vietnews-test's, each in a seeded order."""
    drawn = []
    for name in PAIR_SOURCES:
        articles = corpus_articles(name)
        by_id = {a.id: a for a in articles}
        pairs = sorted(grouped_pairs(articles), key=lambda p: hashlib.sha1(f"{PAIR_SEED}{p[0]}|{p[1]}".encode()).digest())
        print(f"{name}: {len(articles):,} articles, {len(pairs)} grouped pairs", file=sys.stderr)
        drawn += [(a, b, d, _reading(by_id[a]) + " ||| " + _reading(by_id[b])) for a, b, d in pairs]
    return drawn[:n]


def _reading(article) -> str:
    """Title and the start of the lead and body, on one line, for judging by reading."""
    return " ".join(f"{article.title} — {article.lead} {article.body}".split())[:400]


def read_judged() -> list[tuple[str, str, int]]:
    """(id, id, judgement) of the judged pairs."""
    rows = [line.split("\t") for line in JUDGED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(r[0], r[1], int(r[3])) for r in rows]


def precision() -> str:
    """The share of judged grouped pairs that are the same story."""
    judged = read_judged()
    same = sum(j for _, _, j in judged)
    baomoi = [j for a, _, j in judged if a.startswith("baomoi-")]
    return (f"Grouped pairs judged by reading: {len(judged)} ({len(baomoi)} from baomoi, all its grouped pairs); "
            f"the same story: {same} — precision {same / max(len(judged), 1):.3f} "
            f"(baomoi alone {sum(baomoi) / max(len(baomoi), 1):.3f})")


def copies_hidden(index_dir: str) -> str:
    """How many copies the 300 benchmark queries (search_speed's mix, drawn from the indexed
    baomoi articles) no longer show in their top 10."""
    indexer = load_indexer()
    articles = [(a.title, f"{a.lead}\n{a.body}") for a in corpus_articles("baomoi.jsonl.gz")]
    queries = make_queries(articles, 50, 2017)
    hidden, affected, grouped_ms, ungrouped_ms = 0, 0, [], []
    with indexer.open_index(index_dir) as index:
        for _, query in queries:
            flat = index.search(query, limit=TOP, group=False)
            grouped = index.search(query, limit=TOP)
            grouped_ms.append(grouped.took_ms)
            ungrouped_ms.append(flat.took_ms)
            copies = {c for hit in grouped for c in hit.duplicates}
            gone = sum(hit.doc_id in copies for hit in flat)
            hidden += gone
            affected += gone > 0
    return (f"{len(queries)} queries on {index_dir}: {hidden} copies left their top {TOP} "
            f"({affected} queries changed; each such slot now shows another story). Median search "
            f"{np.median(grouped_ms):.1f} ms grouped, {np.median(ungrouped_ms):.1f} ms not.")


def cost() -> str:
    """The SimHash's share of indexing work: its time against the analysis (to_document) of the
    same first COST_ARTICLES baomoi articles, in this one process."""
    from indexer.schema import article_simhash, to_document

    articles = corpus_articles("baomoi.jsonl.gz", COST_ARTICLES)
    started = time.process_time()
    for a in articles:
        to_document(a)
    analysis = time.process_time() - started
    started = time.process_time()
    for a in articles:
        article_simhash(a)
    simhash = time.process_time() - started
    return (f"{len(articles):,} articles: analysis with the SimHash {analysis:.1f} s CPU, the SimHash alone "
            f"{simhash:.2f} s ({simhash / len(articles) * 1000:.2f} ms/article): "
            f"+{simhash / (analysis - simhash):.1%} over the analysis without it")


def related_map(index_dir: str) -> str:
    """MAP@5 of related lists on the topical set: for each judged relevant article, the other
    relevant articles of its topic among its 5 related (baseline: a search for its title)."""
    indexer = load_indexer()
    relevant = read_qrels(QRELS)
    scores = {"related": [], "title search": []}
    with indexer.open_index(index_dir) as index:
        for ids in relevant.values():
            for doc_id in sorted(ids):
                article = index.get(doc_id)
                if article is None or len(ids) < 2:
                    continue
                related = [h.doc_id for h in index.related(doc_id, limit=RELATED)]
                search = [h.doc_id for h in index.search(article.title or article.body[:200], limit=RELATED + 1)
                          if h.doc_id != doc_id][:RELATED]
                for name, ranked in (("related", related), ("title search", search)):
                    scores[name].append(_average_precision(ranked, ids - {doc_id}))
    return md_table(["list of 5", "MAP@5", "articles"],
                    [[name, float(np.mean(s)), len(s)] for name, s in scores.items()])


def _average_precision(ranked: list[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for rank, doc_id in enumerate(ranked, start=1):
        if doc_id in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), RELATED) if relevant else 0.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["pairs", "precision", "copies", "cost", "related", "all"])
    parser.add_argument("--n", type=int, default=200, help="pairs to draw")
    parser.add_argument("--index", help="a baomoi index (copies)")
    parser.add_argument("--pool-index", help="an index of the topical pool (related; also --index for 'related')")
    parser.add_argument("--write", action="store_true", help="write the 'explore' section of RESULTS.md")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.command == "pairs":
        for a, b, d, text in draw_pairs(args.n):
            print(f"{a}\t{b}\t{d}\t\t{text}")
        return 0
    parts = {"precision": precision, "cost": cost,
             "copies": lambda: copies_hidden(args.index),
             "related": lambda: related_map(args.pool_index or args.index)}
    chosen = list(parts) if args.command == "all" else [args.command]
    body = "\n\n".join(f"**{name}**: {parts[name]()}" for name in chosen)
    print(body)
    if args.write:
        write_section("explore", "Syndicated copies and related articles", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
