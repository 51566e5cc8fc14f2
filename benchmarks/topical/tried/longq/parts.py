"""Score parts by kind (BM25 per field and kind of term, proximity, lead prior), for explain.py and agg.py."""
import numpy as np
from indexer import scorer as SC


def kind(field, term):
    return field + (":cpd" if "_" in term else (":code" if any(c.isdigit() for c in term) else ""))


def watch(parts: dict, fields: bool = True) -> None:
    """Monkeypatch Scorer.add, proximity and lead to add what each adds into parts[kind] (an array per kind)."""
    add, proximity, lead = SC.Scorer.add, SC.Scorer.proximity, SC.Scorer.lead

    def added(key, scores, before):
        parts.setdefault(key, np.zeros_like(scores))[:] += scores - before

    def add_(self, scores, field, term, boost, within=None, k1=SC.K1):
        before = scores.copy(); add(self, scores, field, term, boost, within=within, k1=k1)
        added(kind(field, term), scores, before)

    def proximity_(self, scores, field, words, docs, boost, run_boost):
        before = scores.copy(); proximity(self, scores, field, words, docs, boost, run_boost)
        added("near" + (":" + field if fields else ""), scores, before)

    def lead_(self, scores, field, words, docs):
        before = scores.copy(); lead(self, scores, field, words, docs)
        added("lead" + (":" + field if fields else ""), scores, before)
    SC.Scorer.add, SC.Scorer.proximity, SC.Scorer.lead = add_, proximity_, lead_
