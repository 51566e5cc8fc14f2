"""The table from the run_all JSONs (off.json: today's prior, and each setting's) and sweep.log: python table.py DIR"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sweeps import blocks as sweep_blocks, rows  # noqa: E402
root = Path(sys.argv[1])
blocks = sweep_blocks((root / "sweep.log").read_text())
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
