"""Where nghị quyết and giao thông stand in the bodies of the example's articles (ranks 1-4, 7, 24, 25, 27): python dist.py"""
import indexer, numpy as np
ix = indexer.open_index('/tmp/m35')
r = ix.search('nghị quyết giao thông', limit=30)
with ix._snapshot() as snap:
    rd = snap.reader
    for i, h in enumerate(r.hits, 1):
        if i not in (1, 2, 3, 4, 7, 24, 25, 27): continue
        d = rd.document_number(h.doc_id)
        docs = np.array([d])
        pos = {w: rd.positions('body', w, docs)[1] for w in ('nghị', 'quyết', 'giao', 'thông')}
        # nghị quyết starts and giao thông starts
        nq = [p for p in pos['nghị'] if p + 1 in set(pos['quyết'])]
        gt = [p for p in pos['giao'] if p + 1 in set(pos['thông'])]
        dist = min((abs(a - b) for a in nq for b in gt), default=None)
        print(i, h.title[:50], 'nghị quyết at', nq[:5], 'giao thông at', gt[:5], 'min dist', dist)
