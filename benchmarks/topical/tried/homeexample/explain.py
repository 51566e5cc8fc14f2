"""Each of the top N's score taken apart (BM25 per field and term, proximity per pair, the run, the lead):
python explain.py INDEX QUERY N (indexer from PYTHONPATH; issue 12, benchmarks/topical/README.md)."""
import sys, numpy as np, indexer
from indexer import search as S, scorer as SC
ix = indexer.open_index(sys.argv[1]); q = sys.argv[2]
parts = {}
orig_add = SC.Scorer.add
def add(self, scores, field, term, boost, within=None, k1=SC.K1):
    before = scores.copy(); orig_add(self, scores, field, term, boost, within=within, k1=k1)
    parts.setdefault(f"bm25 {field}:{term}", np.zeros_like(scores))[:] += scores - before
SC.Scorer.add = add
orig_prox = SC.Scorer.proximity
def prox(self, scores, field, words, docs, boost, run_boost):
    # pairs separately, and run
    keys = self._position_keys(field, words, docs)
    for a, b in zip(words, words[1:]):
        before = scores.copy(); orig_prox(self, scores, field, [a, b], docs, boost, 0.0)
        parts.setdefault(f"near {field}:{a}+{b}", np.zeros_like(scores))[:] += scores - before
    tog = self._together(words, keys)
    if len(tog):
        r = run_boost * self.run_idf(field, words)
        parts.setdefault(f"run {field}", np.zeros_like(scores))[tog] += r
        scores[tog] += r
SC.Scorer.proximity = prox
orig_lead = SC.Scorer.lead
def lead(self, scores, field, words, docs):
    before = scores.copy(); orig_lead(self, scores, field, words, docs)
    parts.setdefault(f"lead {field}", np.zeros_like(scores))[:] += scores - before
SC.Scorer.lead = lead
orig_pool = S._proximity_pool
def pool(*a, **k):
    r = orig_pool(*a, **k); print("proximity pool:", None if r is None else (len(r[0]), r[1]), "near:", a[1].near); return r
S._proximity_pool = pool
orig_scores = S._scores
def scores_(scorer, lookups, matched, docs):
    print("lookups:", [l[:3] if len(l) >= 3 else ("phrase", l[1]) for l in lookups])
    s = orig_scores(scorer, lookups, matched, docs)
    for i, l in enumerate(lookups):
        if len(l) == 2:
            parts.setdefault(f"phrase#{i} w={l[1]}", np.zeros_like(s))[l[0][matched[l[0]]]] += l[1]
    return s
S._scores = scores_
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
r = ix.search(q, limit=n)
print("total", r.total)
def docnum(doc_id):
    return ix.document_number(doc_id)
for rank, h in enumerate(r.hits, 1):
    d = docnum(h.doc_id)[1] if hasattr(h, "doc_id") else None
    print(f"#{rank} {h.score:.3f} {h.title[:80]}")
    if d is not None:
        for k, v in sorted(parts.items()):
            if abs(v[d]) > 1e-6: print(f"      {k:45s} {v[d]:.3f}")
