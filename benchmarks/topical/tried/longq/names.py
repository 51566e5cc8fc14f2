import json, gzip, re, hashlib, sys
from pathlib import Path
from benchmarks.quality import read_queries, read_qrels
a = json.load(open('/tmp/s30/dq/namefix.json'))
def half(q): return "tune" if int(hashlib.sha1(q.encode()).hexdigest(),16)%2==0 else "held"
W = r"[^\W\d_]+"
def names(q):
    out = set()
    for sent in re.split(r"[.!?:;]\s+|\n", q):
        toks = list(re.finditer(W, sent))
        i = 0
        while i < len(toks):
            if toks[i].group()[0].isupper():
                j = i
                while j + 1 < len(toks) and toks[j+1].group()[0].isupper() and sent[toks[j].end():toks[j+1].start()].strip() in ("", "-"):
                    j += 1
                if not (i == 0 and j == 0):
                    out.add(sent[toks[i].start():toks[j].end()])
                i = j + 1
            else:
                i += 1
    return out
for s in sys.argv[1:]:
  d = Path(f"/work/shared/eval/dev/{s}")
  pool = {r["id"]: r["title"] + "\n" + r["body"] for r in map(json.loads, gzip.open(d/"pool.jsonl.gz","rt"))}
  qr = read_qrels(d/"qrels.txt")
  for h in ["tune"]:
    res = {"miss": [0,0,0], "hit": [0,0,0]}
    for qid, q in read_queries(d/"queries.orig.tsv"):
      if half(qid) != h: continue
      r, ids = a[f"{s}|orig|{qid}"]
      if r == 0 or len(ids) < 2: continue
      other = ids[r-2] if r > 1 else ids[1]
      tgt = ids[r-1]; ns = names(q)
      ct = sum(n in pool[tgt] for n in ns); co = sum(n in pool[other] for n in ns)
      k = "miss" if r > 1 else "hit"
      res[k][0 if ct > co else 1 if ct == co else 2] += 1
    print(s, h, "target more names / same / fewer:", res)
