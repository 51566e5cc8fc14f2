"""python tv.py OUT.json [sets]: Tantivy default top 10 per set|orig|qid on the dev pools."""
import json, sys
from benchmarks.quality import set_queries, read_qrels, build_tantivy
from benchmarks.common import require_shared
out = {}
for name in sys.argv[2:] or ["vietnews-title", "vietnews-abstract", "baomoi-title", "baomoi-sapo"]:
    folder = require_shared("eval", "dev", name)
    qrels = read_qrels(folder / "qrels.txt")
    eng = build_tantivy("default", folder / "pool.jsonl.gz")
    for qid, q in set_queries(folder, ["orig"])["orig"]:
        ids = eng.search(q, 10)
        rank = next((i + 1 for i, d in enumerate(ids) if d in qrels.get(qid, ())), 0)
        out[f"{name}|orig|{qid}"] = [rank, ids]
    print(name, flush=True)
json.dump(out, open(sys.argv[1], "w"))
