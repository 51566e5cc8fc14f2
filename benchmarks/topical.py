"""Topical judged set: topics as readers type them, judged by reading, over a fixed pool.

    python -m benchmarks.topical                        # MAP@10, nDCG@10, P@5, R@10 per half
    python -m benchmarks.topical --engines ours         # only our engine
    python -m benchmarks.topical pool OUT.jsonl.gz      # write the pool's articles to OUT
    python -m benchmarks.topical candidates [TID ...]   # pooled top 10s not judged yet

The pool is drawn from ../shared/corpus at run time (only the rule lives here): the 6,000
baomoi and 4,000 vietnews-test articles with a title and a body of 400+ characters whose
sha1("topical-2026:" + id) is lowest. benchmarks/topical/topics.tsv holds the topics
(`tid<TAB>query`, accented as written; the unaccented variant is derived by folding) and
benchmarks/topical/qrels.txt the judgements (TREC `tid 0 docid grade`, grade 0 or 1; every
article in the top 10 of ours, Tantivy default or Tantivy fold, accented or unaccented, was
read and judged). Topics with an odd number are the tune half, even ones the held-out half.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import math
import sys
import tempfile
import unicodedata
from pathlib import Path

from benchmarks.common import program, REPO, article_text, load_indexer, md_table, read_jsonl, \
    require_shared, timer, write_jsonl_gz
from benchmarks.quality import ENGINES, OurEngine, build_engines, read_qrels, run_queries

TOPICAL = REPO / "benchmarks" / "topical"
TOPICS_TSV = TOPICAL / "topics.tsv"
QRELS = TOPICAL / "qrels.txt"
POOL_SEED = "topical-2026:"
POOL_SIZES = {"baomoi.jsonl.gz": 6000, "vietnews-test.jsonl.gz": 4000}
MIN_BODY_CHARS = 400
HALVES = ("tune", "held-out")
METRICS = ("map", "ndcg", "p5", "r10")
METRIC_NAMES = {"map": "MAP@10", "ndcg": "nDCG@10", "p5": "P@5", "r10": "R@10"}


# ---------------------------------------------------------------- pool

def pool_rank(doc_id: str) -> str:
    """The seeded hash that orders candidate articles for the pool."""
    return hashlib.sha1((POOL_SEED + doc_id).encode("utf-8")).hexdigest()


def pool_record(record: dict) -> dict | None:
    """{id, title, body = lead + body} of an article fit for the pool, else None."""
    title, text = article_text(record)
    if not title.strip() or len(record.get("body") or "") < MIN_BODY_CHARS:
        return None
    return {"id": record["id"], "title": title, "body": text}


def pool_records() -> list[dict]:
    """The pool's articles, per corpus file in the order of their seeded hash."""
    chosen = []
    for name, size in POOL_SIZES.items():
        fit = filter(None, map(pool_record, read_jsonl(require_shared("corpus", name))))
        chosen += heapq.nsmallest(size, fit, key=lambda r: pool_rank(r["id"]))
    return chosen


def write_pool(path: Path) -> set[str]:
    """Write the pool as JSON lines (gzipped) to `path`; return its ids."""
    with timer() as t:
        records = pool_records()
        write_jsonl_gz(records, path)
    print(f"pool: {len(records)} articles in {path} ({t.seconds:.0f} s)", flush=True)
    return {r["id"] for r in records}


def warn_unpooled(pool_ids: set[str]) -> None:
    """Say so when judged articles are not in the pool (the corpus changed under the set)."""
    missing = {doc for ids in judged_ids().values() for doc in ids} - pool_ids
    if missing:
        print(f"warning: {len(missing)} judged articles are not in the pool, e.g. "
              f"{sorted(missing)[0]}: the corpus changed, the scores are not comparable",
              file=sys.stderr)


# ---------------------------------------------------------------- topics and judgements

def fold_query(text: str) -> str:
    """The query as typed without diacritics (đ -> d)."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def read_topics() -> list[tuple[str, str]]:
    """(tid, accented query) pairs of topics.tsv."""
    lines = TOPICS_TSV.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")[:2]) for line in lines if line.strip() and line[0] != "#"]


def topic_variants(topics: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """variant -> (tid, query): as written, and folded."""
    return {"accented": topics, "unaccented": [(tid, fold_query(q)) for tid, q in topics]}


def half_of(tid: str) -> str:
    """'tune' for odd topic numbers, 'held-out' for even ones."""
    return "tune" if int(tid.lstrip("t")) % 2 else "held-out"


def judged_ids() -> dict[str, set[str]]:
    """tid -> every judged doc id, relevant or not."""
    return read_qrels(QRELS, min_grade=0) if QRELS.exists() else {}


# ---------------------------------------------------------------- metrics

def topic_metrics(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    """MAP@10 (AP over min(R, 10)), binary nDCG@10, P@5 and R@10 of one ranking."""
    top = ranked[:10]
    hits = [doc in relevant for doc in top]
    precisions = [sum(hits[:k + 1]) / (k + 1) for k, hit in enumerate(hits) if hit]
    ideal = min(len(relevant), 10)
    dcg = sum(1 / math.log2(k + 2) for k, hit in enumerate(hits) if hit)
    idcg = sum(1 / math.log2(k + 2) for k in range(ideal))
    return {"map": sum(precisions) / ideal if ideal else 0.0,
            "ndcg": dcg / idcg if idcg else 0.0,
            "p5": sum(hits[:5]) / 5,
            "r10": sum(hits) / len(relevant) if relevant else 0.0}


def mean_metrics(runs: dict[str, list[str]], qrels: dict[str, set[str]],
                 tids: list[str]) -> dict[str, float]:
    """The metrics averaged over the topics `tids` (a topic nothing found scores 0)."""
    per_topic = [topic_metrics(runs.get(tid, []), qrels.get(tid, set())) for tid in tids]
    n = max(len(per_topic), 1)
    return {m: sum(t[m] for t in per_topic) / n for m in METRICS} | {"n": len(per_topic)}


# ---------------------------------------------------------------- evaluation

class BuiltEngine(OurEngine):
    """Our engine over an index of the pool built earlier (`--index DIR`)."""

    def __init__(self, indexer, folder: str):
        self.indexer = indexer
        self.index = indexer.open_index(folder)


def run_engines(engine_names: list[str], variants: dict, indexer,
                index_dir: str | None = None) -> dict:
    """engine -> variant -> tid -> top-10 ids, over a freshly materialised pool.

    With `index_dir`, our engine uses the index there, built from the pool if absent.
    """
    runs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="vnsearch-topical-") as folder:
        pool = Path(folder) / "pool.jsonl.gz"
        warn_unpooled(write_pool(pool))
        reuse = index_dir and "ours" in engine_names and Path(index_dir, "CURRENT").exists()
        names = [n for n in engine_names if not (reuse and n == "ours")]
        engines, _ = build_engines(names, pool, index_dir or str(Path(folder) / "index"), indexer)
        if reuse:
            engines = {"ours": BuiltEngine(indexer, index_dir)} | engines
        for name, engine in engines.items():
            runs[name] = {v: run_queries(engine, qs) for v, qs in variants.items()}
            getattr(engine, "close", lambda: None)()
    return runs


def evaluate(runs: dict, qrels: dict[str, set[str]], tids: list[str]) -> dict:
    """(half, variant, engine) -> mean metrics."""
    halves = {half: [t for t in tids if half_of(t) == half] for half in HALVES}
    return {(half, variant, engine): mean_metrics(by_variant[variant], qrels, half_tids)
            for half, half_tids in halves.items()
            for engine, by_variant in runs.items() for variant in by_variant}


def topical_table(results: dict) -> str:
    """One row per half, variant and engine, the four metrics side by side."""
    rows = [[half, variant, engine, s["n"], *(s[m] for m in METRICS)]
            for (half, variant, engine), s in sorted(
                results.items(), key=lambda kv: (HALVES.index(kv[0][0]), kv[0][1],
                                                 ENGINES.index(kv[0][2])))]
    header = ["half", "queries", "engine", "topics", *(METRIC_NAMES[m] for m in METRICS)]
    return md_table(header, rows)


def per_topic_table(runs: dict, qrels: dict[str, set[str]], topics: list[tuple[str, str]]) -> str:
    """nDCG@10 of every topic for each engine and variant, to see where ours loses."""
    columns = [(engine, variant) for engine in runs for variant in runs[engine]]
    rows = [[tid, half_of(tid), query,
             *(topic_metrics(runs[e][v].get(tid, []), qrels.get(tid, set()))["ndcg"]
               for e, v in columns)] for tid, query in topics]
    return md_table(["topic", "half", "query", *(f"{e} {v}" for e, v in columns)], rows)


def report(results: dict, qrels: dict) -> str:
    """The topical section: how the set was made, then the table."""
    judged = sum(len(ids) for ids in judged_ids().values())
    relevant = sum(len(ids) for ids in qrels.values())
    intro = (f"Topical set (benchmarks/topical/, see its README): {len(qrels)} topics, "
             f"{judged} judged articles ({relevant} relevant) in a pool of "
             f"{sum(POOL_SIZES.values()):,} shared-corpus articles; odd topics tune, even "
             "topics held out; `unaccented` = the topics folded. MAP@10 divides by "
             "min(relevant, 10); nDCG@10 with binary gains.")
    return "\n\n".join([intro, topical_table(results)])


def run_topical(engine_names: list[str], indexer,
                index_dir: str | None = None) -> tuple[str, dict]:
    """(report text, per-topic runs) of the topical set for the given engines."""
    topics = read_topics()
    qrels = read_qrels(QRELS)
    runs = run_engines(engine_names, topic_variants(topics), indexer, index_dir)
    results = evaluate(runs, qrels, [tid for tid, _ in topics])
    return report(results, qrels), runs


# ---------------------------------------------------------------- judging

def unjudged(runs: dict, tids: list[str]) -> dict[str, list[str]]:
    """tid -> pooled ids (every engine's and variant's top 10) not judged yet, first seen first."""
    judged = judged_ids()
    pooled: dict[str, list[str]] = {tid: [] for tid in tids}
    for by_variant in runs.values():
        for ranked_by_tid in by_variant.values():
            for tid in tids:
                for doc_id in ranked_by_tid.get(tid, []):
                    if doc_id not in judged.get(tid, set()) and doc_id not in pooled[tid]:
                        pooled[tid].append(doc_id)
    return pooled


def print_candidates(pooled: dict[str, list[str]], topics: dict[str, str]) -> None:
    """Each topic's unjudged articles: id, title and the start of the lead, to be read."""
    articles = {r["id"]: r for r in pool_records()}
    for tid, ids in pooled.items():
        print(f"\n## {tid}\t{topics[tid]}\t({len(ids)} to judge)")
        for doc_id in ids:
            record = articles[doc_id]
            lead = " ".join(record["body"][:300].split())
            print(f"{doc_id}\t{record['title']}\t{lead}")


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="evaluate",
                        choices=["evaluate", "pool", "candidates"])
    parser.add_argument("args", nargs="*", help="pool: the output file; candidates: topic ids")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=ENGINES)
    parser.add_argument("--per-topic", action="store_true",
                        help="also print each topic's nDCG@10 per engine and variant")
    parser.add_argument("--index", metavar="DIR",
                        help="our index of the pool: reused if built, else built there and kept")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.command == "pool":
        write_pool(Path(args.args[0] if args.args else "topical-pool.jsonl.gz"))
        return 0
    engines = list(args.engines)
    indexer = load_indexer(required=False) if "ours" in engines else None
    if indexer is None and "ours" in engines:
        engines.remove("ours")
    if args.command == "candidates":
        topics = {tid: q for tid, q in read_topics() if not args.args or tid in args.args}
        runs = run_engines(engines, topic_variants(list(topics.items())), indexer, args.index)
        print_candidates(unjudged(runs, list(topics)), topics)
        return 0
    text, runs = run_topical(engines, indexer, args.index)
    print(text)
    if args.per_topic:
        print("\n" + per_topic_table(runs, read_qrels(QRELS), read_topics()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
