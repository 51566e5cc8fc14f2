"""python msm.py SET QID...: how many query words (masks) the target holds against the share needed."""
import sys, math, indexer
from pathlib import Path
from indexer import search as S
from benchmarks.quality import read_queries, read_qrels
name = sys.argv[1]; d = Path(f"/work/shared/eval/dev/{name}")
qs = dict(read_queries(d/"queries.orig.tsv")); qr = read_qrels(d/"qrels.txt")
ix = indexer.open_index(f"/tmp/s31/longq/dq/{name}", background_lexicon=False); ix.lexicon()
cap = {}
orig = S._relax_words
def rw(plan, words, matched, scorer, tally, filtered=False):
    cap["plan"], cap["words"] = plan, words
    return orig(plan, words, matched, scorer, tally, filtered)
S._relax_words = rw
for qid in sys.argv[2:]:
    ix.search(qs[qid], limit=10)
    plan, words = cap["plan"], cap["words"]
    held = S._held(words.masks)
    t = ix.document_number(sorted(qr[qid])[0])[1]
    texts = [w.text for w in plan.words]
    have = [w for w, m in zip(texts, words.masks) if m[t]]
    print(qid, "words", len(texts), "need", math.ceil(S.MIN_SHOULD_MATCH * len(texts)), "target holds", int(held[t]), "matched>=need:", int((held >= math.ceil(S.MIN_SHOULD_MATCH*len(texts))).sum()))
    print("   words:", texts); print("   held:", have)
