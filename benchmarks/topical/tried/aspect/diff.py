"""Per-topic nDCG@10 changes between two topruns.py outputs: python diff.py A.json B.json [tid ...]"""
import json
import sys

from benchmarks.quality import read_qrels
from benchmarks.topical import QRELS, half_of, read_topics, topic_metrics

qrels, topics = read_qrels(QRELS), dict(read_topics())
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
shown = sys.argv[3:]
for key in sorted(a):
    tid = key.split("/")[0]
    x, y = (topic_metrics(r[key], qrels.get(tid, set()))["ndcg"] for r in (a, b))
    if abs(x - y) > 1e-9 or tid in shown:
        print(f"{key:16s} {half_of(tid):8s} {x:.3f} -> {y:.3f} ({y - x:+.3f})  {topics[tid]}")
