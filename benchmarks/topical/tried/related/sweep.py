"""Sweep of related() settings, monkeypatched over the code (one setting per process); defaults are
the settings before the related branch (25 terms, title tf x2, min df 2, title 0.4, k1 1.2).
PYTHONPATH=. python benchmarks/topical/tried/related/sweep.py NAME JSON_SETTINGS INDEX OUT_DIR
prints MAP@5, P@5 and the unjudged share per half, and writes OUT_DIR/NAME.json (every list)."""
import json, math, re, sys, time, os
from collections import Counter
import numpy as np
import indexer.search as S
import indexer.scorer as SC
from benchmarks.explore import RELATED, _average_precision
from benchmarks.quality import read_qrels
from benchmarks.topical import QRELS, half_of

name, cfg, index_dir, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
N = cfg.get("terms", 25)
TW = cfg.get("title_tf", 2)
MINDF = cfg.get("min_df", 2)
NUM = cfg.get("numbers", True)
MODE = cfg.get("mode", "all")  # all | compounds_only | no_covered_syllables
STOP = cfg.get("stop", False)
WPOW = cfg.get("wpow", 1.0)
S.RELATED_TITLE = cfg.get("title", 0.4)
S.RELATED_K1 = cfg.get("k1", 1.2)
if "b" in cfg: SC.B = cfg["b"]  # B is shared with searches: measure it alone in its process
stops = set()
SHARED = os.environ.get("VNSEARCH_SHARED", "../shared")
if STOP:
    for f in ("vietnamese-stopwords.txt", "vietnamese-stopwords-dash.txt"):
        stops |= {l.strip().lower().replace(" ", "_") for l in open(f"{SHARED}/lexicon/{f}", encoding="utf-8") if l.strip()}
DIGIT = re.compile(r"\d")

def terms(scorer, docnum):
    counts = Counter(scorer.reader.document_terms("body", docnum))
    counts.update({t: TW * n for t, n in scorer.reader.document_terms("title", docnum).items()})
    weights = {}
    for term, tf in counts.items():
        if not NUM and DIGIT.search(term):
            continue
        if MODE == "compounds_only" and "_" not in term:
            continue
        if term in stops:
            continue
        df = max(scorer.doc_frequency("body", term), scorer.doc_frequency("title", term))
        if df >= MINDF:
            weights[term] = (1 + math.log(tf)) * scorer.idf(df)
    ranked = sorted(weights.items(), key=lambda tw: (-tw[1], tw[0]))
    if MODE == "no_covered_syllables":
        kept, covered = [], set()
        for t, w in ranked:  # drop a syllable when a better-ranked compound holds it
            if "_" in t:
                covered |= set(t.split("_"))
            elif t in covered:
                continue
            kept.append((t, w))
        ranked = kept
    best = ranked[:N]
    return [(t, (w / best[0][1]) ** WPOW) for t, w in best]

S._distinctive_terms = terms
import indexer
relevant, judged = read_qrels(QRELS), read_qrels(QRELS, min_grade=0)
rows = []
t0 = time.time()
with indexer.open_index(index_dir) as index:
    for tid, ids in sorted(relevant.items()):
        if len(ids) < 2:
            continue
        for doc_id in sorted(ids):
            if index.get(doc_id) is None:
                continue
            ranked = [h.doc_id for h in index.related(doc_id, limit=RELATED)]
            others = ids - {doc_id}
            rows.append({"tid": tid, "doc_id": doc_id, "half": half_of(tid), "ids": ranked,
                         "ap": _average_precision(ranked, others), "p": sum(d in others for d in ranked) / RELATED,
                         "unjudged": sum(d not in judged[tid] for d in ranked)})
json.dump(rows, open(f"{out}/{name}.json", "w"))
res = {}
for half in ("tune", "held-out"):
    r = [x for x in rows if x["half"] == half]
    res[half] = (np.mean([x["ap"] for x in r]), np.mean([x["p"] for x in r]), sum(x["unjudged"] for x in r) / (5 * len(r)))
print(f"{name}\t{json.dumps(cfg)}\ttune MAP {res['tune'][0]:.3f} P5 {res['tune'][1]:.3f} unj {res['tune'][2]:.3f}"
      f"\theld MAP {res['held-out'][0]:.3f} P5 {res['held-out'][1]:.3f} unj {res['held-out'][2]:.3f}\t{time.time()-t0:.0f}s load {os.getloadavg()[0]:.1f}", flush=True)
