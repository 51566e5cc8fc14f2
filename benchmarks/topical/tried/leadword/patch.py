"""Prototype: the lead prior over the query's whole words (a compound counts only as its compound
posting, not a lone syllable). LW_MODE: off (today: syllables), words (each whole word once, its
own idf), half (0.5 words + 0.5 syllables), sum (whole words, a compound weighted by the sum of its
syllables' idfs: only which articles count changes)."""
import os
import numpy as np
from indexer import search as S
from indexer.scorer import LEAD, LEAD_WEIGHT, POSITION, Scorer, Spelled
MODE = os.environ.get("LW_MODE", "off")
orig_lead, orig_pool_scores = Scorer.lead, S._pool_scores
compounds = []  # the plan's compounds of the search under way (set by _pool_scores)


def units_of(sequence, found):
    """The sequence's whole words: a compound's syllables as one Spelled unit spanning them."""
    parts = {tuple(c.split("_")): c for c in found}
    units, i = [], 0
    while i < len(sequence):
        for n in (4, 3, 2):
            run = tuple(sequence[i:i + n])
            if len(run) == n and run in parts and all(isinstance(s, str) for s in run):
                units.append((Spelled(((parts[run], n),)), run))
                i += n
                break
        else:
            units.append((sequence[i], (sequence[i],)))
            i += 1
    return list(dict.fromkeys(units))


def weight(scorer, field, unit, syllables):
    if MODE == "sum":
        return sum(scorer.idf(scorer.word_frequency(field, s)) for s in dict.fromkeys(syllables))
    return scorer.idf(scorer.word_frequency(field, unit))


def lead_words(self, scores, field, words, docs, share):
    units = units_of(words, compounds)
    keys = self._position_keys(field, [u for u, _ in units], docs)
    for unit, syllables in units:
        starts = keys[unit][0]
        early = np.unique(starts[(starts & POSITION) < LEAD] >> 32)
        if len(early):
            scores[early] += np.float32(share * LEAD_WEIGHT * weight(self, field, unit, syllables))


def lead(self, scores, field, words, docs):
    if MODE == "off":
        return orig_lead(self, scores, field, words, docs)
    if MODE == "half":
        half = np.zeros_like(scores)
        orig_lead(self, half, field, words, docs)
        scores += np.float32(0.5) * half
        return lead_words(self, scores, field, words, docs, 0.5)
    return lead_words(self, scores, field, words, docs, 1.0)


def _pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words):
    compounds[:] = plan.compounds or []
    return orig_pool_scores(scorer, plan, lookups, matched, pool, sort, relaxed, words)


Scorer.lead = lead
S._pool_scores = _pool_scores
