"""Each term's factor f for a query at one setting (what patch.py re-weights): ASP_K=K ASP_LAMBDA=L python factors.py IX QUERY"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import patch  # noqa: E402  (the monkeypatch, applied on import)
import indexer  # noqa: E402

seen = {}
orig_factor = patch.factor


def factor(scorer, field, term, cand, n):
    f = orig_factor(scorer, field, term, cand, n)
    if isinstance(term, str) and (field, term) not in seen:
        df = int(cand[scorer.matches(field, term)].sum())
        seen[(field, term)] = f"{field:12s} {term:18s} idf {scorer.idf(scorer.doc_frequency(field, term)):5.2f}  held by {df:3d} of {n}  f {f:.3f}"
    return f


patch.factor = factor
ix = indexer.open_index(sys.argv[1])
print([h.title[:60] for h in ix.search(" ".join(sys.argv[2:]), limit=3)])
print("\n".join(seen.values()))
