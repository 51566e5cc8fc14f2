"""The top 10 of a query with patch.py applied: LW_MODE=M python probe.py INDEX QUERY"""
import sys; sys.path.insert(0, __import__("os").path.dirname(__file__)); __import__("patch"); import indexer  # the monkeypatch applied on import
ix = indexer.open_index(sys.argv[1]); ix.lexicon()
r = ix.search(" ".join(sys.argv[2:]), limit=30)
print(r.total)
for i, h in enumerate(r.hits, 1):
    print(i, round(h.score, 2), h.title[:80])
