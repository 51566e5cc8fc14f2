"""python ranks.py OUT.json [sets...]: first relevant rank (0 = none in top 10) and top 10 per set|variant|qid (orig, lower, noaccent, mixed) and the short-query set, on the dev pool indexes copied to /tmp/s31/longq/dq/SET (a copy of /tmp/s30/dq/ranks.py)."""
import json, sys
import indexer
from benchmarks.quality import set_queries, read_qrels, read_short_set
from benchmarks.common import require_shared
out = {}
sets = sys.argv[2:] or ["vietnews-title", "vietnews-abstract", "baomoi-title", "baomoi-sapo"]
for name in sets:
    folder = require_shared("eval", "dev", name)
    qrels = read_qrels(folder / "qrels.txt")
    ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False)
    ix.lexicon()
    variants = set_queries(folder, ["orig", "lower", "noaccent", "mixed"])
    for variant, queries in variants.items():
        for qid, q in queries:
            try:
                ids = [h.doc_id for h in ix.search(q, limit=10)]
            except indexer.QueryError:
                ids = []
            rank = next((i + 1 for i, d in enumerate(ids) if d in qrels.get(qid, ())), 0)
            out[f"{name}|{variant}|{qid}"] = [rank, ids]
    if name == "baomoi-title":
        queries, sq = read_short_set()
        for qid, q in queries:
            ids = [h.doc_id for h in ix.search(q, limit=10)]
            out[f"short|{qid}"] = [next((i + 1 for i, d in enumerate(ids) if d in sq.get(qid, ())), 0), ids]
    print(name, flush=True)
json.dump(out, open(sys.argv[1], "w"))
