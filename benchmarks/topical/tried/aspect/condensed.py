"""nDCG@10 with each top 10's unjudged articles removed (the rest moved up; fewer than 10 left),
per half and variant, of topruns.py outputs: python condensed.py TOP.json [...]"""
import json
import sys

from benchmarks.quality import read_qrels
from benchmarks.topical import QRELS, half_of, judged_ids, topic_metrics

qrels, judged = read_qrels(QRELS), judged_ids()
for path in sys.argv[1:]:
    acc = {}
    for key, ranked in json.load(open(path)).items():
        tid, variant = key.split("/")
        kept = [d for d in ranked if d in judged.get(tid, set())]
        acc.setdefault((half_of(tid), variant), []).append(topic_metrics(kept, qrels.get(tid, set()))["ndcg"])
    print(path.split("/")[-1], " ".join(f"{h} {v} {sum(x) / len(x):.4f}" for (h, v), x in sorted(acc.items(), reverse=True)))
