import sys, indexer
from pathlib import Path
from benchmarks.quality import read_queries, read_qrels
from indexer import search as S
name = sys.argv[1]; d = Path(f"/work/shared/eval/dev/{name}")
qs = dict(read_queries(d/"queries.orig.tsv")); qr = read_qrels(d/"qrels.txt")
ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False); ix.lexicon()
got = {}
op = S._proximity_pool
def pp(*a, **k):
    r = op(*a, **k); got["p"] = None if r is None else (len(r[0]), r[1]); return r
S._proximity_pool = pp
for qid in sys.argv[2:]:
    r = ix.search(qs[qid], limit=3)
    print(qid, "total", r.total, "proximity pool", got.get("p"), [h.title[:50] for h in r.hits], "target", sorted(qr[qid]))
