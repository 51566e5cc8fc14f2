import json, gzip, re, hashlib, sys
from pathlib import Path
from benchmarks.quality import read_queries
a = json.load(open('/tmp/s30/dq/namefix.json'))
def half(q): return "tune" if int(hashlib.sha1(q.encode()).hexdigest(),16)%2==0 else "held"
T = r"[^\W_]+"
def toks(x): return [t.lower() for t in re.findall(T, x)]
def nums(x): return set(re.findall(r"\d+(?:[.,/-]\d+)*", x))
def bigr(t): return set(zip(t, t[1:]))
def tri(t): return set(zip(t, t[1:], t[2:]))
F = {
 "numbers": lambda q, r: len(nums(q) & nums(r["title"] + " " + r["body"])),
 "title syl": lambda q, r: len(set(toks(q)) & set(toks(r["title"]))),
 "title bigr": lambda q, r: len(bigr(toks(q)) & bigr(toks(r["title"]))),
 "body bigr": lambda q, r: len(bigr(toks(q)) & bigr(toks(r["body"]))),
 "body tri": lambda q, r: len(tri(toks(q)) & tri(toks(r["body"]))),
 "body syl": lambda q, r: len(set(toks(q)) & set(toks(r["body"]))),
 "-body len": lambda q, r: -len(toks(r["body"])),
 "title share": lambda q, r: len(set(toks(q)) & set(toks(r["title"]))) / max(1, len(set(toks(r["title"])))),
}
for s in sys.argv[1:]:
  d = Path(f"/work/shared/eval/dev/{s}")
  pool = {r["id"]: r for r in map(json.loads, gzip.open(d/"pool.jsonl.gz","rt"))}
  res = {f: {"miss": [0,0,0], "hit": [0,0,0]} for f in F}
  for qid, q in read_queries(d/"queries.orig.tsv"):
    if half(qid) != "tune": continue
    r, ids = a[f"{s}|orig|{qid}"]
    if r == 0 or len(ids) < 2: continue
    other = ids[r-2] if r > 1 else ids[1]; tgt = ids[r-1]
    k = "miss" if r > 1 else "hit"
    for f, fn in F.items():
      ct, co = fn(q, pool[tgt]), fn(q, pool[other])
      res[f][k][0 if ct > co else 1 if ct == co else 2] += 1
  for f in F: print(f"{s:18s} {f:12s} target more/same/less  misses {res[f]['miss']}  hits {res[f]['hit']}")
