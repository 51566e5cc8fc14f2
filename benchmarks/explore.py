"""Syndicated copies and related articles (issue 14 parts 3, 4): precision, effect, cost, MAP@5.

    python -m benchmarks.explore pairs --index DIR [--n 200]   # grouped pairs not judged yet (TSV on stdout)
    python -m benchmarks.explore precision --index DIR  # of its grouped pairs judged in duplicates/judged.tsv
    python -m benchmarks.explore copies --index DIR     # copies the 300 queries stop showing in their top 10
    python -m benchmarks.explore cost                   # SimHash time against analysis, 5,000 articles
    python -m benchmarks.explore related --index DIR    # related MAP@5, P@5 per topical half, and the baseline
    python -m benchmarks.explore related-speed --index DIR  # related() time, 200 articles spread over DIR
    python -m benchmarks.explore all --index DIR --pool-index DIR2 [--pairs-index DIR3] [--write]

Grouped pairs are the pairs of each group of copies the index makes (``indexer.search.copy_groups``
over the stored SimHashes, as searching does), drawn in a seeded order. ``duplicates/judged.tsv``
holds each pair's ids and a judgement made by reading both: 1 the same story (one text, lightly
edited), 0 not.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from itertools import combinations, islice
from pathlib import Path

import numpy as np

from .common import REPO, load_indexer, md_table, require_shared, show_section
from .quality import read_qrels
from .search_speed import make_queries
from .topical import HALVES, QRELS, half_of

JUDGED = REPO / "benchmarks" / "duplicates" / "judged.tsv"
PAIR_SEED = "pairs-2026:"
COST_ARTICLES = 5_000
TOP = 10
RELATED = 5
NOTE = ("Load average (1 min) at the end: {:.1f} on 2 cores (above ~1, other work shared them: wall times "
        "grow with it, CPU times less). What facets add at p95: the facets section (python -m benchmarks.facets).")


def corpus_articles(name: str, limit: int | None = None):
    """The (first limit) articles of one corpus file, read as indexing reads them."""
    indexer = load_indexer()
    return list(islice(indexer.iter_articles([require_shared("corpus", name)]), limit))


def grouped_pairs(reader, generation: Path) -> list[tuple[str, str, int]]:
    """(id, id, differing bits) of every pair of live articles the index (its generation) groups as copies."""
    from indexer.duplicates import distance
    from indexer.schema import simhashes
    from indexer.search import copy_groups

    hashes = simhashes(reader.column("fingerprint", str))
    roots, grouped = copy_groups(reader, generation)
    members: dict[int, list[int]] = {}
    for n in grouped.tolist():
        members.setdefault(int(roots[n]), []).append(n)
    return [(reader.doc_id(a), reader.doc_id(b), int(distance(hashes[a], hashes[b])))
            for group in members.values() for a, b in combinations(sorted(group), 2)]


def index_pairs(index_dir: str) -> list[tuple[str, str, int]]:
    """(id, id, differing bits) of every pair an index groups, from its stored SimHashes."""
    from indexer.storage import open_reader
    from indexer.store import current_generation

    generation = current_generation(Path(index_dir))
    reader = open_reader(generation)
    try:
        return grouped_pairs(reader, generation)
    finally:
        reader.close()


def draw_pairs(index_dir: str, n: int) -> list[tuple[str, str, int, str]]:
    """Up to n grouped pairs of the index not judged yet, in a seeded order, with their text to read."""
    indexer = load_indexer()
    judged = {(a, b) for a, b, _ in read_judged()}
    pairs = [p for p in index_pairs(index_dir) if (p[0], p[1]) not in judged and (p[1], p[0]) not in judged]
    pairs.sort(key=lambda p: hashlib.sha1(f"{PAIR_SEED}{p[0]}|{p[1]}".encode()).digest())
    print(f"{index_dir}: {len(pairs)} grouped pairs not judged yet", file=sys.stderr)
    with indexer.open_index(index_dir) as index:
        return [(a, b, d, _reading(index.get(a)) + " ||| " + _reading(index.get(b))) for a, b, d in pairs[:n]]


def _reading(article) -> str:
    """Title and the start of the lead and body, on one line, for judging by reading."""
    return " ".join(f"{article.title} — {article.lead} {article.body}".split())[:400]


def read_judged() -> list[tuple[str, str, int]]:
    """(id, id, judgement) of the judged pairs."""
    rows = [line.split("\t") for line in JUDGED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(r[0], r[1], int(r[3])) for r in rows]


def precision(index_dir: str) -> str:
    """The share of the pairs an index groups, among those judged, that are the same story."""
    judged = {frozenset((a, b)): j for a, b, j in read_judged()}
    grouped = [frozenset((a, b)) for a, b, _ in index_pairs(index_dir)]
    verdicts = [judged[p] for p in grouped if p in judged]
    with load_indexer().open_index(index_dir) as index:
        held = [p for p in judged if all(index.get(doc_id) is not None for doc_id in p)]
    parted = [judged[p] for p in held if p not in set(grouped)]
    return (f"{len(grouped)} pairs grouped in {index_dir}, {len(verdicts)} of them judged by reading "
            f"(by an AI helper session: duplicates/judged.tsv): "
            f"{sum(verdicts)} the same story, precision {sum(verdicts) / max(len(verdicts), 1):.3f}. "
            f"Judged pairs no longer grouped (template pages told apart): {len(parted)}, "
            f"{sum(parted)} of them the same story.")


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
    """MAP@5 and P@5 of related lists on the topical set, per half (odd topics tune, even held out):
    for each judged relevant article, the other relevant articles of its topic among its 5 related
    (baseline: a search for its title); and the share of listed articles its topic never judged."""
    lists = related_lists(index_dir)
    rows = []
    for name in ("related", "title search"):
        found = {half: [r for r in lists if r["half"] == half] for half in HALVES}
        scored = [[float(np.mean([r[name][key] for r in found[half]])) for half in HALVES]
                  for key in ("ap", "p")]
        unjudged = sum(r[name]["unjudged"] for r in lists) / max(1, RELATED * len(lists))
        rows.append([name, *scored[0], *scored[1], unjudged, " / ".join(str(len(found[h])) for h in HALVES)])
    return md_table(["list of 5", "MAP@5 tune", "MAP@5 held-out", "P@5 tune", "P@5 held-out",
                     "unjudged (both halves)", "articles tune / held-out"], rows) + (
        "\n\nThe judgements pooled search top 10s: a listed article its topic never judged counts as not "
        "relevant (about half of a sample read were: benchmarks/topical/README.md, related lists).")


def related_lists(index_dir: str) -> list[dict]:
    """Per judged relevant article (of a topic with two or more): its topic, half, and for its
    related list and its title search: the ids, AP@5, P@5 (unjudged = not relevant), unjudged count."""
    indexer = load_indexer()
    relevant, judged = read_qrels(QRELS), read_qrels(QRELS, min_grade=0)
    rows = []
    with indexer.open_index(index_dir) as index:
        for tid, ids in sorted(relevant.items()):
            for doc_id in sorted(ids):
                article = index.get(doc_id)
                if article is None or len(ids) < 2:
                    continue
                related = [h.doc_id for h in index.related(doc_id, limit=RELATED)]
                search = [h.doc_id for h in index.search(article.title or article.body[:200], limit=RELATED + 1)
                          if h.doc_id != doc_id][:RELATED]
                rows.append({"tid": tid, "doc_id": doc_id, "half": half_of(tid),
                             "related": _list_scores(related, ids - {doc_id}, judged[tid]),
                             "title search": _list_scores(search, ids - {doc_id}, judged[tid])})
    return rows


def _list_scores(ranked: list[str], relevant: set[str], judged: set[str]) -> dict:
    """A list's ids, AP@5, P@5 (an unjudged article counts as not relevant) and unjudged articles."""
    return {"ids": ranked, "ap": _average_precision(ranked, relevant),
            "p": sum(d in relevant for d in ranked) / RELATED, "unjudged": sum(d not in judged for d in ranked)}


def related_speed(index_dir: str, calls: int = 200) -> str:
    """Wall and CPU time of index.related() for articles spread evenly over the index."""
    from indexer.storage import open_reader
    from indexer.store import current_generation

    reader = open_reader(current_generation(Path(index_dir)))
    try:
        ids = reader.column("id", str)[reader.live]
    finally:
        reader.close()
    ids = ids[::max(1, len(ids) // calls)][:calls].tolist()
    wall, cpu = [], []
    with load_indexer().open_index(index_dir) as index:
        index.related(ids[0])  # the first call opens what later ones share
        for doc_id in ids:
            started, started_cpu = time.perf_counter(), time.process_time()
            index.related(doc_id, limit=RELATED)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return (f"{len(ids)} calls of related() on {index_dir}: wall p50/p95 {np.percentile(wall, 50):.1f}/"
            f"{np.percentile(wall, 95):.1f} ms, CPU p50/p95 {np.percentile(cpu, 50):.1f}/{np.percentile(cpu, 95):.1f} ms")


def _average_precision(ranked: list[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for rank, doc_id in enumerate(ranked, start=1):
        if doc_id in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), RELATED) if relevant else 0.0


def _spaced(text: str) -> str:
    """text after a bold label: a table on lines of its own, a sentence on the same line."""
    return f"\n\n{text}" if text.startswith("|") else f" {text}"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["pairs", "precision", "copies", "cost", "related", "related-speed", "all"])
    parser.add_argument("--n", type=int, default=200, help="pairs not judged yet to draw")
    parser.add_argument("--index", help="a baomoi index (copies); for pairs, any index")
    parser.add_argument("--pairs-index", help="the index whose grouped pairs precision judges (default --index)")
    parser.add_argument("--pool-index", help="an index of the topical pool (related; also --index for 'related')")
    parser.add_argument("--write", action="store_true", help="write the 'explore' section of RESULTS.md")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.command == "pairs":
        for a, b, d, text in draw_pairs(args.index, args.n):
            print(f"{a}\t{b}\t{d}\t\t{text}")
        return 0
    parts = {"precision": lambda: precision(args.pairs_index or args.index), "cost": cost,
             "copies": lambda: copies_hidden(args.index),
             "related": lambda: related_map(args.pool_index or args.index),
             "related-speed": lambda: related_speed(args.index)}
    chosen = list(parts) if args.command == "all" else [args.command]
    body = "\n\n".join(f"**{name}**:{_spaced(parts[name]())}" for name in chosen)
    if args.command == "all":
        body += "\n\n" + NOTE.format(os.getloadavg()[0])
    show_section("explore", "Syndicated copies and related articles", body, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
