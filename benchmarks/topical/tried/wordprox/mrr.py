"""MRR@10 per set/variant, tune (even sha1) / held-out: python mrr.py A.json [B.json ...]"""
import json, sys, hashlib
def half(qid): return "tune" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 2 == 0 else "held"
runs = [json.load(open(p)) for p in sys.argv[1:]]
def table(run):
    acc = {}
    for key, (rank, _) in run.items():
        s, v, qid = key.split("/")
        acc.setdefault((s, v, half(qid)), []).append(1 / rank if rank else 0)
    return {k: sum(x) / len(x) for k, x in acc.items()}
ts = [table(r) for r in runs]
for k in sorted(ts[0]):
    print("/".join(k).ljust(34), " ".join(f"{t[k]:.4f}" for t in ts), " diff" if len({round(t[k], 4) for t in ts}) > 1 else "")
for h in ("tune", "held"):
    for vs in (("orig", "noaccent"), ("orig", "lower", "noaccent", "tone", "nfd")):
        ks = [k for k in ts[0] if k[2] == h and k[1] in vs]
        print(h, "mean", "+".join(vs), " ".join(f"{sum(t[k] for k in ks)/len(ks):.5f}" for t in ts))
