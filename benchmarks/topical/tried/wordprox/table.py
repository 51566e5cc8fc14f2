"""The sweep's table from the run_all JSONs (BASE and each wW_nN.json) and the sweep log: python table.py DIR"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sweeps import blocks as sweep_blocks, rows  # noqa: E402
root = Path(sys.argv[1])
blocks = sweep_blocks("".join((root / f).read_text() for f in ("sweep.log", "sweep2.log", "sweep3.log") if (root / f).exists()))
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
