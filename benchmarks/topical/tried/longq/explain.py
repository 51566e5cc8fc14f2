"""python explain.py SET QID [N]: parts of the scores (by kind) of our top N and the target, orig query."""
import sys, numpy as np, indexer
from pathlib import Path
from indexer import search as S
from parts import watch
from benchmarks.quality import read_queries, read_qrels
name, qid = sys.argv[1], sys.argv[2]; n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
d = Path(f"/work/shared/eval/dev/{name}")
q = dict(read_queries(d / "queries.orig.tsv"))[qid]; tgt = read_qrels(d / "qrels.txt")[qid]
ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False); ix.lexicon()
parts = {}
watch(parts)
orig_pool = S._proximity_pool
def pool(*a, **k):
    r = orig_pool(*a, **k); print("proximity pool:", None if r is None else (len(r[0]), r[1])); return r
S._proximity_pool = pool
orig_scores = S._scores
def scores_(scorer, lookups, matched, docs):
    s = orig_scores(scorer, lookups, matched, docs)
    for i, l in enumerate(lookups):
        if len(l) == 2:
            parts.setdefault("phrase", np.zeros_like(s))[l[0][matched[l[0]]]] += l[1]
    return s
S._scores = scores_
r = ix.search(q, limit=200)
print(qid, q[:200]); print("total", r.total)
ids = [h.doc_id for h in r.hits]
show = list(range(min(n, len(ids)))) + [i for i, x in enumerate(ids) if x in tgt and i >= n]
for i in show:
    h = r.hits[i]; dn = ix.document_number(h.doc_id)[1]
    print(f"#{i+1}{'*' if h.doc_id in tgt else ' '} {h.score:7.2f} {h.title[:70]}")
    print("      " + "  ".join(f"{k} {v[dn]:.2f}" for k, v in sorted(parts.items()) if abs(v[dn]) > 1e-6))
