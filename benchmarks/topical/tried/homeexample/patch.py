"""Prototype: a query word's syllables count at D in articles holding none of its compounds (title or body)."""
import os, numpy as np
from indexer import search as S
D = float(os.environ.get("PH_D", "1"))
orig_pool_scores = S._pool_scores

def _syllable_factors(scorer, plan, lookups):
    held = {}
    for term in dict.fromkeys(plan.compounds or ()):
        mask = np.zeros(scorer.size, dtype=bool)
        for l in lookups:
            if len(l) >= 3 and l[1] == term:
                mask[scorer.matches(l[0], term)] = True
        if not any(len(l) >= 3 and l[1] == term for l in lookups):
            continue  # a compound the index lacks: no lookup, its syllables stand alone
        for s in term.split("_"):
            held[s] = held.get(s, np.zeros(scorer.size, dtype=bool)) | mask
    return held

def _pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words):
    if D == 1 or not plan.compounds:
        return orig_pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words)
    held = _syllable_factors(scorer, plan, lookups)
    plain = [l for l in lookups if not (len(l) == 3 and l[1] in held)]
    scores = S._scores(scorer, plain, matched, pool)
    for l in lookups:
        if len(l) == 3 and l[1] in held:
            part = S._scores(scorer, [l], matched, pool)
            f = np.where(held[l[1]][pool], 1.0, D).astype(np.float32)
            scores[pool] += part[pool] * f
    near = S._proximity_pool(scorer, plan, sort, relaxed, pool, words)
    if near:
        S._add_proximity(scorer, scores, plan.near, *near)
    return scores
S._pool_scores = _pool_scores
