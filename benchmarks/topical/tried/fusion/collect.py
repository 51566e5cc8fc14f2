"""Top 50 (id, score) of ours and of Tantivy default / fold for every query of the dev sets
(orig, noaccent), the topical set (accented, unaccented) and the short-query set.

    python collect.py IXROOT TOPICAL_IX TVROOT OUT.json

IXROOT holds our kept indexes ix-<set>; TVROOT keeps the Tantivy indexes (built once).
"""
import json
import sys
from pathlib import Path

import indexer
import tantivy
from benchmarks.common import read_jsonl, require_shared
from benchmarks.quality import read_queries, read_short_set
from benchmarks.tantivy_ref import TantivyEngine
from benchmarks.topical import pool_records, read_topics, topic_variants

SETS = ["vietnews-title", "vietnews-abstract", "baomoi-title", "baomoi-sapo"]
DEPTH = 50


def tantivy_engine(setup, folder, records):
    """A Tantivy index kept on disk in `folder`, built from `records` (a callable) when absent."""
    folder.mkdir(parents=True, exist_ok=True)
    built = tantivy.Index.exists(str(folder))
    engine = TantivyEngine(setup, path=str(folder), stored=False)
    if not built:
        engine.add(records())
    return engine


def tantivy_top(engine, text):
    """[(id, score)] of Tantivy's top DEPTH."""
    searcher = engine.index.searcher()
    hits = searcher.search(engine.query(text), DEPTH).hits
    return [(searcher.doc(a)["id"][0], s) for s, a in hits]


def ours_top(ix, text):
    """[(id, score)] of our top DEPTH."""
    try:
        return [(h.doc_id, h.score) for h in ix.search(text, limit=DEPTH)]
    except indexer.QueryError:
        return []


def run(ix, engines, queries, out, prefix):
    """Both rankings of every (qid, query, tantivy setup) into out[prefix/qid]."""
    for qid, text, setup in queries:
        out[f"{prefix}/{qid}"] = {"q": text, "ours": ours_top(ix, text),
                                  "tv": tantivy_top(engines[setup], text)}


def dev_set(name, ixroot, tvroot, out):
    pool = require_shared("eval", "dev", name, "pool.jsonl.gz")
    records = lambda: ((r["id"], r.get("title", ""), r.get("body", "")) for r in read_jsonl(pool))
    engines = {s: tantivy_engine(s, tvroot / f"{name}-{s}", records) for s in ("default", "fold")}
    ix = indexer.open_index(str(ixroot / f"ix-{name}"))
    ix.lexicon()
    for variant, setup in (("orig", "default"), ("noaccent", "fold")):
        qs = read_queries(require_shared("eval", "dev", name, f"queries.{variant}.tsv"))
        run(ix, engines, [(q, t, setup) for q, t in qs], out, f"{name}/{variant}")
    if name == "baomoi-title":
        short, _ = read_short_set()
        run(ix, engines, [(q, t, "fold" if q.startswith("u") else "default") for q, t in short],
            out, "short/all")
    ix.close()


def topical(topical_ix, tvroot, out):
    records = lambda: ((r["id"], r["title"], r["body"]) for r in pool_records())
    engines = {s: tantivy_engine(s, tvroot / f"topical-{s}", records) for s in ("default", "fold")}
    ix = indexer.open_index(str(topical_ix))
    ix.lexicon()
    for variant, qs in topic_variants(read_topics()).items():
        setup = "default" if variant == "accented" else "fold"
        run(ix, engines, [(t, q, setup) for t, q in qs], out, f"topical/{variant}")
    ix.close()


def main():
    ixroot, topical_ix, tvroot, path = map(Path, sys.argv[1:5])
    out = {}
    topical(topical_ix, tvroot, out)
    for name in SETS:
        dev_set(name, ixroot, tvroot, out)
        print(name, len(out), flush=True)
    json.dump(out, open(path, "w"), ensure_ascii=False)


if __name__ == "__main__":
    main()
