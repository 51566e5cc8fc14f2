"""Fuse the two rankings of collect.py's output and score tune / held-out halves.

    python fuse.py RUNS.json [--sweep] [--low] [--within] [--show | --show-ours-plain METHOD K W]
"""
import hashlib
import itertools
import json
import sys

from benchmarks.common import require_shared
from benchmarks.quality import read_qrels, read_short_set
from benchmarks.topical import QRELS, half_of, judged_ids, topic_metrics

SETS = ["vietnews-title", "vietnews-abstract", "baomoi-title", "baomoi-sapo"]
KS = [5, 10, 20, 40, 60, 100]
WS = [0.2, 0.4, 0.6, 0.8, 1.0]
WITHIN = "--within" in sys.argv
LOW_WS = [0.05, 0.1, 0.15]  # added after the first sweep (its best weights were its lowest)


def known_half(qid):
    """'tune' when sha1(qid) is even, else 'held-out'."""
    return "tune" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def rrf(ours, tv, k, w):
    scores = {}
    for weight, ranking in ((1.0, ours), (w, tv)):
        for rank, (doc, _) in enumerate(ranking, 1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return scores


def normalised(ranking):
    if not ranking:
        return {}
    top, low = ranking[0][1], ranking[-1][1]
    span = (top - low) or 1.0
    return {doc: (s - low) / span for doc, s in ranking}


def comb(ours, tv, w, mnz):
    a, b = normalised(ours), normalised(tv)
    scores = {}
    for doc in a.keys() | b.keys():
        s = a.get(doc, 0.0) + w * b.get(doc, 0.0)
        scores[doc] = s * ((doc in a) + (doc in b)) if mnz else s
    return scores


def fused(entry, method, k, w):
    """Top 10 ids of one query's fused ranking (ties: ours' order first)."""
    ours, tv = entry["ours"], entry["tv"]
    if WITHIN:  # the other ranking of our own candidates only (what a second scorer in our core would see)
        held = {d for d, _ in ours}
        tv = [(d, s) for d, s in tv if d in held]
    if method == "ours":
        return [d for d, _ in ours[:10]]
    if method == "tv":
        return [d for d, _ in tv[:10]]
    scores = rrf(ours, tv, k, w) if method == "rrf" else comb(ours, tv, w, method == "mnz")
    order = {d: i for i, (d, _) in enumerate(ours + tv)}
    return sorted(scores, key=lambda d: (-scores[d], order[d]))[:10]


def rr(top, relevant):
    return next((1 / (i + 1) for i, d in enumerate(top) if d in relevant), 0.0)


class Judge:
    def __init__(self):
        self.known = {s: read_qrels(require_shared("eval", "dev", s, "qrels.txt")) for s in SETS}
        self.topical = read_qrels(QRELS)
        self.short = read_short_set()[1]

    def rows(self, runs, method, k, w, fuse_unaccented=True):
        """(row, half) -> mean score; rows: set/variant, topical/variant, short."""
        acc = {}
        for key, entry in runs.items():
            group, variant, qid = key.split("/")
            plain = variant in ("noaccent", "unaccented") or qid.startswith("u")
            m = method if (fuse_unaccented or not plain) else "ours"
            if m == "oracle":
                value, half = self.oracle(group, qid, entry)
            elif group == "topical":
                top = fused(entry, m, k, w)
                value, half = topic_metrics(top, self.topical.get(qid, set()))["ndcg"], half_of(qid)
            elif group == "short":
                value, half = rr(fused(entry, m, k, w), self.short[qid]), "all"
            else:
                value, half = rr(fused(entry, m, k, w), self.known[group][qid]), known_half(qid)
            row = "short" if group == "short" else f"{group}/{variant}"
            a = acc.setdefault((row, half), [0.0, 0])
            a[0] += value
            a[1] += 1
        return {key: s / n for key, (s, n) in acc.items()}

    def oracle(self, group, qid, entry):
        """The better of the two top 10s for this query (an upper bound of any choice between them)."""
        tops = [fused(entry, "ours", 0, 0), fused(entry, "tv", 0, 0)]
        if group == "topical":
            return max(topic_metrics(t, self.topical.get(qid, set()))["ndcg"] for t in tops), half_of(qid)
        relevant = self.short[qid] if group == "short" else self.known[group][qid]
        return max(rr(t, relevant) for t in tops), ("all" if group == "short" else known_half(qid))


ACCENTED = [f"{s}/orig" for s in SETS] + ["topical/accented"]
PLAIN = [f"{s}/noaccent" for s in SETS] + ["topical/unaccented"]


def low_settings():
    for k, w in itertools.product(KS, LOW_WS):
        yield "rrf", k, w
    for w in LOW_WS:
        yield "sum", 0, w
        yield "mnz", 0, w


def settings():
    yield "ours", 0, 0
    yield "tv", 0, 0
    yield "oracle", 0, 0
    for k, w in itertools.product(KS, WS):
        yield "rrf", k, w
    for w in WS:
        yield "sum", 0, w
        yield "mnz", 0, w


def fmt(r, names, half):
    return " ".join(f"{r[(n, half)]:.4f}" for n in names)


def sweep(judge, runs, chosen=settings):
    base = judge.rows(runs, "ours", 0, 0)
    mean = lambda r, names, half: sum(r[(n, half)] for n in names) / len(names)
    print("method k w | tune mean acc / plain | worst tune row acc / plain | short | held-out mean acc / plain")
    for method, k, w in chosen():
        r = judge.rows(runs, method, k, w)
        worst = []
        for names in (ACCENTED, PLAIN):
            drops = {n: r[(n, "tune")] - base[(n, "tune")] for n in names}
            name = min(drops, key=drops.get)
            worst.append(f"{name} {drops[name]:+.4f}")
        print(f"{method} {k} {w} | {mean(r, ACCENTED, 'tune'):.4f} / {mean(r, PLAIN, 'tune'):.4f} | "
              f"{' / '.join(worst)} | {r[('short', 'all')]:.4f} | "
              f"{mean(r, ACCENTED, 'held-out'):.4f} / {mean(r, PLAIN, 'held-out'):.4f}")


def show(judge, runs, method, k, w, fuse_unaccented=True):
    base = judge.rows(runs, "ours", 0, 0)
    r = judge.rows(runs, method, k, w, fuse_unaccented)
    for n in ACCENTED + PLAIN:
        print(f"{n:30s} tune {base[(n, 'tune')]:.4f} -> {r[(n, 'tune')]:.4f}   "
              f"held-out {base[(n, 'held-out')]:.4f} -> {r[(n, 'held-out')]:.4f}")
    print(f"short MRR@10 {base[('short', 'all')]:.4f} -> {r[('short', 'all')]:.4f}")


def moves(judge, runs, method, k, w):
    """Known-item queries whose target rises / falls in the fused top 10, per half (as written)."""
    count = {}
    for key, entry in runs.items():
        group, variant, qid = key.split("/")
        if group in SETS and variant == "orig":
            relevant = judge.known[group][qid]
            before, after = rr(fused(entry, "ours", 0, 0), relevant), rr(fused(entry, method, k, w), relevant)
            c = count.setdefault(known_half(qid), [0, 0])
            c[0] += after > before
            c[1] += after < before
    print("known items as written, up / down:", {h: tuple(c) for h, c in sorted(count.items())})


def unjudged(runs, method, k, w):
    judged = judged_ids()
    count = 0
    for key, entry in runs.items():
        group, _, tid = key.split("/")
        if group == "topical":
            count += sum(d not in judged.get(tid, set()) for d in fused(entry, method, k, w))
    print("unjudged articles in the fused topical top 10s:", count)


def main():
    runs = json.load(open(sys.argv[1]))
    judge = Judge()
    if "--sweep" in sys.argv:
        sweep(judge, runs)
    if "--low" in sys.argv:
        sweep(judge, runs, low_settings)
    for flag in ("--show", "--show-ours-plain"):
        if flag in sys.argv:
            i = sys.argv.index(flag)
            method, k, w = sys.argv[i + 1], int(sys.argv[i + 2]), float(sys.argv[i + 3])
            show(judge, runs, method, k, w, flag == "--show")
            if method != "oracle":
                unjudged(runs, method, k, w)
                moves(judge, runs, method, k, w)


if __name__ == "__main__":
    main()
