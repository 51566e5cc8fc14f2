"""python unmatched.py: per long set and half, how many orig targets no tier matches (not in the first 5,000)."""
import hashlib, indexer
from pathlib import Path
from benchmarks.quality import read_queries, read_qrels
def half(q): return "tune" if int(hashlib.sha1(q.encode()).hexdigest(), 16) % 2 == 0 else "held"
for name in ["vietnews-abstract", "baomoi-sapo"]:
    d = Path(f"/work/shared/eval/dev/{name}"); qr = read_qrels(d / "qrels.txt")
    ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False); ix.lexicon()
    out = {"tune": [], "held": []}
    for qid, q in read_queries(d / "queries.orig.tsv"):
        r = ix.search(q, limit=1000)
        if not any(h.doc_id in qr[qid] for h in r.hits) and r.total < 5000:
            out[half(qid)].append(qid)
    print(name, {h: (len(v), v) for h, v in out.items()}, flush=True)
