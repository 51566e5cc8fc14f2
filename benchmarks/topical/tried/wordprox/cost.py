"""Thread CPU per search without and with the whole-word proximity (patch.py), interleaved, caches
of found positions off so that each search reads its own: WP_WINDOW=N python cost.py INDEX W ROUNDS"""
import os, sys, time
sys.path.insert(0, os.path.dirname(__file__))
import patch  # the monkeypatch applied on import
import numpy as np
import indexer
from indexer.scorer import Scorer
from benchmarks.search_speed import make_queries, sample_articles
Scorer._remembered = lambda self, key, make: make()  # every search reads its own positions and phrases
queries = [q for _, q in make_queries(sample_articles(2017), 50, 2017)]  # rare names not checked against Tantivy
ix = indexer.open_index(sys.argv[1]); ix.lexicon()
for q in queries[:30]:
    ix.search(q, limit=10)
times = {0.0: [], float(sys.argv[2]): []}
for r in range(int(sys.argv[3])):
    for i, q in enumerate(queries):
        order = list(times) if (i + r) % 2 == 0 else list(times)[::-1]
        for w in order:
            patch.W = w
            t = time.thread_time(); ix.search(q, limit=10); times[w].append((time.thread_time() - t) * 1000)
for w, ms in times.items():
    a = np.array(ms)
    print(f"W={w} n={len(a)} mean {a.mean():.2f} p50 {np.percentile(a, 50):.2f} p95 {np.percentile(a, 95):.2f} p99 {np.percentile(a, 99):.2f} ms")
