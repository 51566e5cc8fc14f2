"""Short-query set MRR@10 and R@10 on an index: python short.py IX"""
import sys; sys.path.insert(0, __import__("os").path.dirname(__file__)); __import__("patch"); import indexer  # the monkeypatch applied on import
qs = [l.rstrip("\n").split("\t") for l in open("benchmarks/short_queries.tsv", encoding="utf-8") if l.strip() and not l.startswith("#")]
ix = indexer.open_index(sys.argv[1]); ix.lexicon()
mrr = rec = 0
for qid, q, rel in qs:
    rel = set(rel.split()); ids = [h.doc_id for h in ix.search(q, limit=10)]
    mrr += next((1 / (i + 1) for i, d in enumerate(ids) if d in rel), 0); rec += len(rel & set(ids)) / len(rel)
print(f"short n={len(qs)} MRR@10 {mrr/len(qs):.4f} R@10 {rec/len(qs):.4f}")
