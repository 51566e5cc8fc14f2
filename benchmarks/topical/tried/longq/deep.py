import json, hashlib, indexer
from pathlib import Path
from benchmarks.quality import read_queries, read_qrels
a = json.load(open('/tmp/s30/dq/namefix.json'))
def half(q): return "tune" if int(hashlib.sha1(q.encode()).hexdigest(),16)%2==0 else "held"
for name in ["vietnews-abstract", "baomoi-sapo"]:
    d = Path(f"/work/shared/eval/dev/{name}"); qr = read_qrels(d/"qrels.txt")
    ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False); ix.lexicon()
    for qid, q in read_queries(d/"queries.orig.tsv"):
        if a[f"{name}|orig|{qid}"][0] != 0: continue
        r = ix.search(q, limit=1000); ids = [h.doc_id for h in r.hits]
        t = next((i+1 for i, x in enumerate(ids) if x in qr[qid]), None)
        print(name, qid, half(qid), "total", r.total, "target rank", t)
