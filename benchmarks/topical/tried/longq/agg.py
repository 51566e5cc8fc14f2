"""python agg.py SET HALF: summed score parts, target minus the article just above (misses) / just below (hits)."""
import sys, hashlib, indexer
from collections import defaultdict
from pathlib import Path
from parts import watch
from benchmarks.quality import read_queries, read_qrels
name, want = sys.argv[1], sys.argv[2]
d = Path(f"/work/shared/eval/dev/{name}")
qs = read_queries(d / "queries.orig.tsv"); qr = read_qrels(d / "qrels.txt")
def half(q): return "tune" if int(hashlib.sha1(q.encode()).hexdigest(), 16) % 2 == 0 else "held"
ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False); ix.lexicon()
parts = {}
watch(parts, fields=False)
miss, hit = defaultdict(float), defaultdict(float); nm = nh = 0
for qid, q in qs:
    if half(qid) != want: continue
    parts.clear()
    r = ix.search(q, limit=100); ids = [h.doc_id for h in r.hits]
    t = next((i for i, x in enumerate(ids) if x in qr[qid]), None)
    if t is None or len(ids) < 2: continue
    other = t - 1 if t > 0 else 1
    dt, do = ix.document_number(ids[t])[1], ix.document_number(ids[other])[1]
    acc = miss if t > 0 else hit
    for k, v in parts.items(): acc[k] += float(v[dt] - v[do])
    if t > 0: nm += 1
    else: nh += 1
print(name, want, "misses (target - above) n=%d:" % nm, {k: round(v, 1) for k, v in sorted(miss.items())})
print(name, want, "hits (target - second) n=%d:" % nh, {k: round(v, 1) for k, v in sorted(hit.items())})
