"""Prototype (issue 12, aspect): a query term's weight among the articles that match. Monkeypatches
search._pool_scores over main 469b757; RULE.txt fixes the formula and the settings.

After today's scoring, the first pass's top K articles (the candidates C, n of them) are scored
again with every term of the query (a syllable or compound in a field: a BM25 lookup, the rarer
word of a proximity pair, a lead-prior word) weighted by
    f = (1 - LAMBDA) + LAMBDA * min(1, idf_C / idf),  idf_C = ln(1 + (n - df_C + 0.5) / (df_C + 0.5))
(df_C: how many of C hold the term in that field; idf: today's, over the archive): a term every
candidate holds (the name of `ông Đinh La Thăng bị kỷ luật`) weighs (1 - LAMBDA) of today's, one
that tells them apart keeps more. Only the top K are reordered (they stay above the rest); named
phrases, the run bonus and dates keep today's weight. ASP_K (default 50), ASP_LAMBDA (default 0:
today's ranking); ASP_FORM local: f = (1 - LAMBDA) + LAMBDA * idf_C / ln(1 + (n + 0.5) / 0.5) (RULE 2)."""
import math
import os

import numpy as np

from indexer import search as S
from indexer.scorer import LEAD_FIELDS

K = int(os.environ.get("ASP_K", "50"))
LAMBDA = float(os.environ.get("ASP_LAMBDA", "0"))
FORM = os.environ.get("ASP_FORM", "ratio")  # ratio: idf_C / idf (RULE 1); local: idf_C / its largest (RULE 2)
orig_pool_scores = S._pool_scores


def factor(scorer, field, term, cand, n) -> float:
    """(1 - LAMBDA) + LAMBDA * min(1, idf among the candidates / idf in the archive) of a term in field."""
    if not isinstance(term, str):  # a date's spellings (scorer.Spelled): today's weight
        return 1.0
    archive = scorer.idf(scorer.doc_frequency(field, term))
    if archive <= 0:
        return 1.0
    df = int(np.count_nonzero(cand[scorer.matches(field, term)]))
    local = math.log(1 + (n - df + 0.5) / (df + 0.5))
    if FORM == "local":
        return (1 - LAMBDA) + LAMBDA * local / math.log(1 + (n + 0.5) / 0.5)
    return (1 - LAMBDA) + LAMBDA * min(1.0, local / archive)


def term_delta(scorer, lookups, matched, top_mask, cand, n) -> np.ndarray:
    """What re-weighting the BM25 lookups changes in the scores of the top documents."""
    delta = np.zeros(scorer.size, dtype=np.float32)
    for lookup in lookups:
        if len(lookup) == 2:  # a named phrase's (ids, weight): kept
            continue
        field, term, boost = lookup[:3]
        f = factor(scorer, field, term, cand, n)
        if f != 1.0:
            within = matched & top_mask & (lookup[3] if len(lookup) == 4 else True)
            part = np.zeros(scorer.size, dtype=np.float32)
            scorer.add(part, field, term, boost * (f - 1), within=(within, np.flatnonzero(within)))
            delta[within] += part[within]
    return delta


def near_delta(scorer, plan, docs, lead, cand, n) -> np.ndarray:
    """What re-weighting proximity (each pair by its rarer word) and the lead prior changes in docs' scores."""
    delta = np.zeros(scorer.size, dtype=np.float32)
    for field, words, boost in plan.near:
        for a, b in zip(words, words[1:]):
            if a == b:
                continue
            rarer = a if scorer.word_frequency(field, a) <= scorer.word_frequency(field, b) else b
            f = factor(scorer, field, rarer, cand, n)
            if f != 1.0:
                scorer.proximity(delta, field, [a, b], docs, boost * (f - 1), 0.0)
        if lead and field in LEAD_FIELDS:
            for word in dict.fromkeys(words):
                f = factor(scorer, field, word, cand, n)
                if f != 1.0:
                    part = np.zeros(scorer.size, dtype=np.float32)
                    scorer.lead(part, field, [word], docs)
                    delta[docs] += (f - 1) * part[docs]
    return delta


def _pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words):
    scores = orig_pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words)
    if LAMBDA == 0 or sort != "relevance" or len(pool) < 2:
        return scores
    top = np.sort(pool[np.argsort(-scores[pool], kind="stable")[:K]])
    cand = np.zeros(scorer.size, dtype=bool)
    cand[top] = True
    delta = term_delta(scorer, lookups, matched, cand, cand, len(top))
    near = S._proximity_pool(scorer, plan, sort, relaxed, pool, words)
    if near:
        docs = np.intersect1d(top, near[0])
        delta += near_delta(scorer, plan, docs, near[1], cand, len(top))
    scores = scores.copy()
    rest = np.setdiff1d(pool, top)
    scores[top] += delta[top]
    if len(rest):  # the top K stay above the rest: only their order changes
        gap = scores[rest].max() - scores[top].min()
        if gap >= 0:
            scores[top] += np.float32(gap + 1e-3)
    return scores


S._pool_scores = _pool_scores
