import json, sys, hashlib
from collections import defaultdict
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def half(qid): return "tune" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 2 == 0 else "held"
rr = lambda r: 1 / r if r else 0
agg = defaultdict(lambda: [0.0, 0.0, 0, 0])
moved = []
for k in a:
    if k not in b: continue
    parts = k.split("|")
    s, v, q = (parts + [""])[:3] if parts[0] != "short" else ("short", "-", parts[1])
    key = (s, v, half(q))
    g = agg[key]; g[0] += rr(a[k][0]); g[1] += rr(b[k][0]); g[2] += 1
    if a[k][1] != b[k][1]: g[3] += 1
    if a[k][0] != b[k][0]: moved.append((k, a[k][0], b[k][0]))
for key in sorted(agg):
    x, y, n, c = agg[key]
    print("%-18s %-9s %-5s n=%3d  %.4f -> %.4f  (%+.4f)  top10s changed %d" % (*key, n, x / n, y / n, (y - x) / n, c))
print("rank moves:", len(moved))
for m in moved[:60]: print("  ", m)
