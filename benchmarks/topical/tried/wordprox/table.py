"""The sweep's table from the run_all JSONs (BASE and each wW_nN.json) and the sweep log: python table.py DIR"""
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
log, blocks = "".join((root / f).read_text() for f in ("sweep.log", "sweep2.log", "sweep3.log") if (root / f).exists()), {}
for block in re.split(r"(?m)^== ", log)[1:]:
    tag, body = block.split(" ", 1)
    nd = re.findall(r"\| (tune|held-out) \| (accented|unaccented) \| ours \| 33 \| [\d.]+ \| ([\d.]+) \|", body)
    short = re.search(r"MRR@10 ([\d.]+) R@10 ([\d.]+)", body)
    blocks[tag] = ({(h, a): x for h, a, x in nd}, short.groups() if short else ("", ""))
base = rows(root / "base.json")
print("| setting | tune mean (8 rows) | worst tune row | topical tune acc / unacc | short MRR / R@10 | held-out mean | topical held-out acc / unacc |")
print("|---|---|---|---|---|---|---|")
def line(tag, r, nd, short):
    mean = lambda h: sum(v for k, v in r.items() if k[2] == h) / 8
    worst = min((r[k] - base[k], "/".join(k[:2])) for k in r if k[2] == "tune")
    print(f"| {tag} | {mean('tune'):.5f} | {'none down' if worst[0] >= 0 else f'{worst[1]} {worst[0]:+.4f}'} | {nd.get(('tune', 'accented'), '')} / {nd.get(('tune', 'unaccented'), '')} "
          f"| {short[0]} / {short[1]} | {mean('held'):.5f} | {nd.get(('held-out', 'accented'), '')} / {nd.get(('held-out', 'unaccented'), '')} |")
line("main", base, {("tune", "accented"): "0.927", ("tune", "unaccented"): "0.934", ("held-out", "accented"): "0.936", ("held-out", "unaccented"): "0.923"}, ("1.0000", "0.9284"))
for tag, (nd, short) in blocks.items():  # sweep.log, then the variants after it (sweep2.log, sweep3.log)
    if (root / f"{tag}.json").exists():
        line(tag, rows(root / f"{tag}.json"), nd, short)
