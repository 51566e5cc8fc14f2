"""Known-item table from known.py outputs against main's: python kitable.py MAIN.json SETTING.json [...]
Per setting: the tune mean of the 8 rows (4 sets x orig, noaccent), the worst tune row against
main, the held-out mean and worst held-out row, and the short-query set's MRR@10 / R@10."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sweeps import half  # noqa: E402


def rows(path) -> dict:
    """(set, variant, half) -> MRR@10; ('short', 'mrr'|'r10') over the short-query set."""
    acc = {}
    for key, (value, _) in json.load(open(path)).items():
        s, v, qid = key.split("/")
        if s == "short-recall":
            acc.setdefault(("short", "r10", ""), []).append(value)
        elif s == "short":
            acc.setdefault(("short", "mrr", ""), []).append(1 / value if value else 0)
        else:
            acc.setdefault((s, v, half(qid)), []).append(1 / value if value else 0)
    return {k: sum(x) / len(x) for k, x in acc.items()}


base = rows(sys.argv[1])
print("| setting | tune mean (8 rows) | worst tune row | held-out mean | worst held-out row | short MRR@10 / R@10 |")
print("|---|---|---|---|---|---|")
for path in sys.argv[1:]:
    r = rows(path)
    mean = lambda h: sum(v for k, v in r.items() if k[2] == h) / 8
    def worst(h):
        w = min((r[k] - base[k], f"{k[0]} {k[1]}") for k in r if k[2] == h)
        return "none down" if w[0] >= 0 else f"{w[1]} {w[0]:+.4f}"
    print(f"| {Path(path).stem} | {mean('tune'):.5f} | {worst('tune')} | {mean('held'):.5f} | {worst('held')} "
          f"| {r[('short', 'mrr', '')]:.4f} / {r[('short', 'r10', '')]:.4f} |")
if "ROWS" in __import__("os").environ:  # every row: main, then each setting's change
    runs = [rows(p) for p in sys.argv[1:]]
    for k in sorted(base):
        print(" ".join(k).ljust(30), f"{base[k]:.4f}", " ".join(f"{r[k] - base[k]:+.4f}" for r in runs[1:]))
