"""The topical set at archive scale: its topics searched over the whole corpus, not the pool.

    python -m benchmarks.topical_archive --index /tmp/s12-full          # ours and both Tantivy set-ups
    python -m benchmarks.topical_archive --index DIR --engines ours --out runs.json

Every judged article of benchmarks/topical/ is in the corpus, so the topics can be searched over
all of it (179,251 articles: our index of the corpus, `--index`, built by
`python -m benchmarks.indexing`; the Tantivy set-ups of benchmarks/tantivy_ref.py, built once
into `--tantivy-dir`/<set-up>). Most articles then in a top 10 were never judged, so two figures
are given: nDCG@10 with unjudged articles counted as not relevant (a floor), and condensed
nDCG@10 (Sakai 2007): the unjudged articles removed from each ranking (the first `DEPTH`
results) before its first 10 are scored. Odd topics tune, even ones are held out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from benchmarks.common import program, load_indexer, md_table
from benchmarks.quality import ENGINES, read_qrels, run_queries
from benchmarks.search_speed import tantivy_index
from benchmarks.topical import HALVES, QRELS, BuiltEngine, half_of, judged_ids, read_topics, \
    topic_metrics, topic_variants

DEPTH = 100  # results read per query, so that a condensed ranking still has 10 judged ones
DEFAULT_TANTIVY_DIR = "/tmp/vnsearch-archive-tantivy"


class DeepEngine:
    """An engine whose search reads DEPTH results whatever limit is asked (run_queries asks 10)."""

    def __init__(self, engine):
        self.engine = engine

    def search(self, query: str, limit: int = 10) -> list[str]:
        return self.engine.search(query, limit=DEPTH)


def open_engines(names: list[str], index_dir: str, tantivy_dir: str, indexer) -> dict:
    """name -> engine over the whole corpus (Tantivy indexes built on first use)."""
    engines = {}
    for name in names:
        if name == "ours":
            engines[name] = BuiltEngine(indexer, index_dir)
        else:
            engines[name] = tantivy_index(str(Path(tantivy_dir) / name), setup=name)
    return {name: DeepEngine(engine) for name, engine in engines.items()}


def check_judged(index) -> None:
    """Exit when a judged article is not in our index (another corpus: the figures would not hold)."""
    missing = sorted({doc for ids in judged_ids().values() for doc in ids if index.get(doc) is None})
    if missing:
        sys.exit(f"topical_archive: {len(missing)} judged articles are not in the index, e.g. {missing[0]}")


def condensed(ranked: list[str], judged: set[str]) -> list[str]:
    """The ranking with its unjudged articles removed (Sakai 2007)."""
    return [doc for doc in ranked if doc in judged]


def topic_scores(ranked: list[str], relevant: set[str], judged: set[str]) -> dict[str, float]:
    """nDCG@10 (unjudged = not relevant), condensed nDCG@10, and the unjudged in the top 10."""
    return {"ndcg": topic_metrics(ranked, relevant)["ndcg"],
            "condensed": topic_metrics(condensed(ranked, judged), relevant)["ndcg"],
            "unjudged": sum(doc not in judged for doc in ranked[:10])}


def per_topic(runs: dict, qrels: dict, judged: dict) -> dict:
    """engine -> variant -> tid -> topic_scores."""
    return {engine: {variant: {tid: topic_scores(ranked, qrels.get(tid, set()), judged.get(tid, set()))
                               for tid, ranked in by_tid.items()}
                     for variant, by_tid in by_variant.items()}
            for engine, by_variant in runs.items()}


def summary_rows(scores: dict) -> list[list]:
    """[half, variant, engine, topics, nDCG@10, condensed nDCG@10, unjudged in the top 10s]."""
    rows = []
    for half in HALVES:
        for variant in ("accented", "unaccented"):
            for engine in (e for e in ENGINES if e in scores):
                half_scores = [s for tid, s in scores[engine][variant].items() if half_of(tid) == half]
                rows.append([half, variant, engine, len(half_scores),
                             statistics.mean(s["ndcg"] for s in half_scores),
                             statistics.mean(s["condensed"] for s in half_scores),
                             sum(s["unjudged"] for s in half_scores)])
    return rows


def report(scores: dict, index_dir: str) -> str:
    header = ["half", "queries", "engine", "topics", "nDCG@10", "condensed nDCG@10", "unjudged in top 10s"]
    return (f"Topical set over the whole corpus (our index {index_dir}; condensed = unjudged articles "
            f"removed from the first {DEPTH} results before scoring):\n\n"
            + md_table(header, [[*row[:4], f"{row[4]:.4f}", f"{row[5]:.4f}", row[6]]
                                for row in summary_rows(scores)]))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--index", required=True, metavar="DIR", help="our index of the whole corpus")
    parser.add_argument("--tantivy-dir", default=DEFAULT_TANTIVY_DIR,
                        help="the Tantivy indexes, one folder per set-up (built when absent)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=ENGINES)
    parser.add_argument("--out", metavar="JSON", help="also write every ranking and per-topic score here")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    indexer = load_indexer() if "ours" in args.engines else None
    engines = open_engines(args.engines, args.index, args.tantivy_dir, indexer)
    if "ours" in engines:
        check_judged(engines["ours"].engine.index)
    variants = topic_variants(read_topics())
    runs = {name: {v: run_queries(engine, qs) for v, qs in variants.items()} for name, engine in engines.items()}
    scores = per_topic(runs, read_qrels(QRELS), judged_ids())
    print(report(scores, args.index))
    if args.out:
        Path(args.out).write_text(json.dumps({"runs": runs, "scores": scores}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
