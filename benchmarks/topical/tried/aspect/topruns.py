"""The topical set's top 10s with patch.py applied, and their nDCG@10 to 4 decimals and unjudged
articles: ASP_K=K ASP_LAMBDA=L python topruns.py TOPICAL_IX OUT.json (the same searches as
benchmarks.topical's `ours`; OUT.json: "tid/variant" -> top 10 ids)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
__import__("patch")  # the monkeypatch, applied on import
import indexer  # noqa: E402
from benchmarks.quality import read_qrels  # noqa: E402
from benchmarks.topical import QRELS, half_of, judged_ids, read_topics, topic_metrics, topic_variants  # noqa: E402


def figures(runs: dict) -> dict:
    """(half, variant) -> (mean nDCG@10, unjudged articles in the top 10s)."""
    qrels, judged, acc = read_qrels(QRELS), judged_ids(), {}
    for key, ranked in runs.items():
        tid, variant = key.split("/")
        ndcg = topic_metrics(ranked, qrels.get(tid, set()))["ndcg"]
        unjudged = sum(d not in judged.get(tid, set()) for d in ranked)
        acc.setdefault((half_of(tid), variant), []).append((ndcg, unjudged))
    return {k: (sum(n for n, _ in v) / len(v), sum(u for _, u in v)) for k, v in acc.items()}


def main(index_dir: str, out: str) -> None:
    ix = indexer.open_index(index_dir)
    runs = {f"{tid}/{variant}": [h.doc_id for h in ix.search(query, limit=10)]
            for variant, queries in topic_variants(read_topics()).items() for tid, query in queries}
    json.dump(runs, open(out, "w"))
    for (half, variant), (ndcg, unjudged) in sorted(figures(runs).items()):
        print(f"{half} {variant} nDCG@10 {ndcg:.4f} unjudged {unjudged}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
