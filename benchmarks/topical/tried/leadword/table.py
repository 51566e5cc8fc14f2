"""The table from the run_all JSONs (off.json: today's prior, and each setting's) and sweep.log: python table.py DIR"""
import hashlib, json, re, sys
from pathlib import Path
root = Path(sys.argv[1])
def half(qid): return "tune" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 2 == 0 else "held"
def rows(path):
    acc = {}
    for key, (rank, _) in json.load(open(path)).items():
        s, v, qid = key.split("/")
        acc.setdefault((s, v, half(qid)), []).append(1 / rank if rank else 0)
    return {k: sum(x) / len(x) for k, x in acc.items()}
blocks = {}
for block in re.split(r"(?m)^== ", (root / "sweep.log").read_text())[1:]:
    tag, body = block.split(" ", 1)
    nd = re.findall(r"\| (tune|held-out) \| (accented|unaccented) \| ours \| 33 \| [\d.]+ \| ([\d.]+) \|", body)
    short = re.search(r"MRR@10 ([\d.]+) R@10 ([\d.]+)", body)
    blocks[tag] = ({(h, a): x for h, a, x in nd}, short.groups() if short else ("", ""))
base = rows(root / "off.json")
print("| setting | tune mean (8 rows) | worst tune row | topical tune acc / unacc | short MRR / R@10 | held-out mean | worst held-out row | topical held-out acc / unacc |")
print("|---|---|---|---|---|---|---|---|")
def worst(r, h):
    w = min((r[k] - base[k], "/".join(k[:2])) for k in r if k[2] == h)
    return "none down" if w[0] >= 0 else f"{w[1]} {w[0]:+.4f}"
for tag, (nd, short) in blocks.items():
    if (root / f"{tag}.json").exists():
        r = rows(root / f"{tag}.json")
        mean = lambda h: sum(v for k, v in r.items() if k[2] == h) / 8
        print(f"| {tag} | {mean('tune'):.5f} | {worst(r, 'tune')} | {nd.get(('tune', 'accented'), '')} / {nd.get(('tune', 'unaccented'), '')} "
              f"| {short[0]} / {short[1]} | {mean('held'):.5f} | {worst(r, 'held')} | {nd.get(('held-out', 'accented'), '')} / {nd.get(('held-out', 'unaccented'), '')} |")
